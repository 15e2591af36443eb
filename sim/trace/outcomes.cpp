// Counters and deadlocks in words (outcomes.hpp).
#include "sim/trace/outcomes.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace gilsim::trace {

namespace {

/// A deadlock is a cycle of waits for user locks (docs/model.md L6): a run without a lock
/// lane has none, and its marks (a million in a big run) need not be read for one.
bool has_lock_lane(const Trace& t) {
  return std::any_of(t.lanes.begin(), t.lanes.end(), [](const Lane& l) { return l.kind == LaneKind::Lock; });
}

}  // namespace

std::string group_digits(std::int64_t n) {
  const bool negative = n < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  const std::string digits = fmt::format("{}", magnitude);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::vector<std::string> outcome_lines(const Trace& t) {
  std::vector<std::string> lines;
  for (const Counter& c : t.counters) {
    const std::int64_t lost = c.lost();
    std::string line = fmt::format("{} = {}: ", c.name, group_digits(c.final_value));
    if (lost > 0) {
      line += fmt::format("lost {} of {} update{}", group_digits(lost), group_digits(c.updates),
                          c.updates == 1 ? "" : "s");
    } else {
      line += fmt::format("all {} update{} kept", group_digits(c.updates), c.updates == 1 ? "" : "s");
    }
    lines.push_back(std::move(line));
  }
  if (!has_lock_lane(t)) return lines;
  std::string deadlock;
  Time at;
  for (const Mark& m : t.marks) {
    if (m.kind != MarkKind::Deadlock) continue;
    const std::string why = describe(t, m);
    const std::string edge = why.substr(why.find(": ") + 2);
    if (deadlock.empty()) {
      at = m.at;
      deadlock = fmt::format("deadlock at {}: {}", at, edge);
    } else if (m.at == at) {
      deadlock += "; " + edge;
    }
  }
  if (!deadlock.empty()) lines.push_back(deadlock + ". The run stopped there.");
  return lines;
}

bool ended_in_deadlock(const Trace& t) {
  if (!has_lock_lane(t)) return false;
  // The cycle is found when its last wait begins, and the run ends there: its marks come last.
  for (auto m = t.marks.end(); m != t.marks.begin();) {
    --m;
    if (m->at < t.end) return false;
    if (m->kind == MarkKind::Deadlock) return true;
  }
  return false;
}

}  // namespace gilsim::trace
