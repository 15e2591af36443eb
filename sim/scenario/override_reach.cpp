#include "sim/scenario/override_reach.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/scenario/name_suggestions.hpp"
#include "sim/scenario/override_keys.hpp"

namespace gilsim::scenario {

namespace {

/// Why a run takes no part in a switch interval's override: its GIL has no switch interval.
enum class NoInterval { Uses, OldGil, NoGil };

NoInterval interval_of(const Scenario& s, const Run& r) {
  switch (effective_gil(s, r)) {
    case GilMode::Old: return NoInterval::OldGil;
    case GilMode::None: return NoInterval::NoGil;
    default: return NoInterval::Uses;
  }
}

/// Why a GIL has no switch interval, after "the old GIL, which" or "without a GIL, which".
constexpr std::string_view kOldGilWhy = "has no switch interval (it lets go every python.check_interval ticks, "
                                        "docs/model.md O1)";
constexpr std::string_view kNoGilWhy = "has no switch interval (F1)";

}  // namespace

std::optional<std::string> runs_an_override_misses(const Scenario& s, const Override& o, GilsKnown gils) {
  const std::string path = override_path(o.key);
  const bool interval = path == "python.switch_interval" && gils == GilsKnown::Yes;
  const auto own = [&](const Run& r) {
    if (interval) return r.switch_interval.has_value();
    if (path == "machine.cores") return r.cores.has_value();
    if (path == "python.gil") return r.gil.has_value();
    return false;
  };
  std::vector<std::string> keeping, old_gil, no_gil;
  for (const Run& r : s.runs) {
    if (own(r)) {
      keeping.push_back(r.name);
    } else if (interval && interval_of(s, r) == NoInterval::OldGil) {
      old_gil.push_back(r.name);
    } else if (interval && interval_of(s, r) == NoInterval::NoGil) {
      no_gil.push_back(r.name);
    }
  }
  const std::size_t missed = keeping.size() + old_gil.size() + no_gil.size();
  if (missed == 0) return std::nullopt;
  const std::string key = path.substr(path.find('.') + 1);  // the run's own key: switch_interval, cores, gil
  const std::string set = fmt::format("{} {}={}", o.option, o.key, o.value);
  if (keeping.size() == s.runs.size()) {
    return fmt::format("{} changes no run: every run sets its own {}, which it keeps; set one run's with "
                       "run.NAME.{}=VALUE.",
                       set, key, key);
  }
  const auto as_was = [](const std::vector<std::string>& runs) { return runs.size() == 1 ? "it was" : "they were"; };
  if (missed < s.runs.size()) {
    std::vector<std::string> sentences;
    if (!keeping.empty()) {
      sentences.push_back(fmt::format("{} leaves {} as {}: {} sets its own {}, which the file's run keeps.", set,
                                      quoted_and_list(keeping), as_was(keeping), keeping.size() == 1 ? "it" : "each", key));
    }
    if (!old_gil.empty()) {
      sentences.push_back(
          fmt::format("{} leaves {} as {}: the old GIL {}.", set, quoted_and_list(old_gil), as_was(old_gil), kOldGilWhy));
    }
    if (!no_gil.empty()) {
      sentences.push_back(fmt::format("{} leaves {} as {}: {} without a GIL, which {}.", set, quoted_and_list(no_gil),
                                      as_was(no_gil), no_gil.size() == 1 ? "it runs" : "they run", kNoGilWhy));
    }
    return fmt::format("{}", fmt::join(sentences, " "));
  }
  // Every run misses it, for reasons of more than one kind.
  std::vector<std::string> reasons;
  const auto verb = [](const std::vector<std::string>& runs, std::string_view one, std::string_view many) {
    return runs.size() == 1 ? one : many;
  };
  if (!keeping.empty()) {
    reasons.push_back(fmt::format("{} {} its own {}, which {} {}", quoted_and_list(keeping), verb(keeping, "sets", "set"),
                                  key, verb(keeping, "it", "they"), verb(keeping, "keeps", "keep")));
  }
  if (!no_gil.empty()) {
    reasons.push_back(fmt::format("{} {} without a GIL, which {}", quoted_and_list(no_gil), verb(no_gil, "runs", "run"), kNoGilWhy));
  }
  if (!old_gil.empty()) {
    reasons.push_back(
        fmt::format("{} {} the old GIL, which {}", quoted_and_list(old_gil), verb(old_gil, "has", "have"), kOldGilWhy));
  }
  return fmt::format("{} changes no run: {}.", set, fmt::join(reasons, "; "));
}

}  // namespace gilsim::scenario
