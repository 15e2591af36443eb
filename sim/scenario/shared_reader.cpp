// [locks] and [counters]: the names of what the jobs share. A lock is a Lock or an RLock;
// which library's lock it is follows the run (threading, asyncio, multiprocessing).
#include <array>
#include <cctype>
#include <limits>

#include <fmt/format.h>

#include "sim/scenario/scenario_reader.hpp"

namespace gilsim::scenario {

namespace {

constexpr std::array<std::string_view, 2> kLockKinds{"Lock", "RLock"};
constexpr std::size_t kMaxShared = 1000;  // locks, and counters, in one scenario

/// Names become Python globals in `gilsim python`'s programs: letters, digits, underscores.
void check_name(const TomlReader& reader, const toml::key& key, std::string_view what) {
  const std::string_view name = key.str();
  bool ok = !name.empty() && (std::isdigit(static_cast<unsigned char>(name[0])) == 0);
  for (const char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_');
  if (ok) return;
  reader.fail(key.source(), fmt::format("{} name '{}' is not an identifier; expected letters, digits and _ "
                                        "(not first), such as counter_lock", what, name));
}

void check_count(const TomlReader& reader, const toml::table& table, std::string_view what) {
  if (table.size() <= kMaxShared) return;
  reader.fail(table, fmt::format("[{}] declares {}; expected at most {}", what, table.size(), kMaxShared));
}

}  // namespace

std::vector<LockSpec> read_locks(const TomlReader& reader, const toml::table* table) {
  std::vector<LockSpec> locks;
  if (table == nullptr) return locks;
  check_count(reader, *table, "locks");
  for (const auto& [key, node] : *table) {
    check_name(reader, key, "lock");
    LockSpec lock;
    lock.name = std::string(key.str());
    lock.reentrant = reader.choice(node, "lock kind", kLockKinds) == 1;
    lock.where = reader.where(node);
    locks.push_back(std::move(lock));
  }
  return locks;
}

std::vector<CounterSpec> read_counters(const TomlReader& reader, const toml::table* table) {
  std::vector<CounterSpec> counters;
  if (table == nullptr) return counters;
  check_count(reader, *table, "counters");
  constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / 4;
  for (const auto& [key, node] : *table) {
    check_name(reader, key, "counter");
    CounterSpec counter;
    counter.name = std::string(key.str());
    counter.initial = reader.integer(node, key.str(), -kLimit, kLimit);
    counter.where = reader.where(node);
    counters.push_back(std::move(counter));
  }
  return counters;
}

SharedNames shared_names(const Scenario& s) {
  SharedNames names;
  for (const LockSpec& lock : s.locks) {
    names.locks.push_back(lock.name);
    names.reentrant.push_back(lock.reentrant);
  }
  for (const CounterSpec& counter : s.counters) names.counters.push_back(counter.name);
  return names;
}

}  // namespace gilsim::scenario
