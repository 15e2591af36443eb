#include "sim/scenario/override_reach.hpp"

#include <fmt/format.h>

#include "sim/scenario/name_suggestions.hpp"
#include "sim/scenario/override_keys.hpp"

namespace gilsim::scenario {

std::optional<std::string> runs_an_override_misses(const Scenario& s, const Override& o) {
  const std::string path = override_path(o.key);
  const auto own = [&path](const Run& r) {
    if (path == "python.switch_interval") return r.switch_interval.has_value();
    if (path == "machine.cores") return r.cores.has_value();
    if (path == "python.gil") return r.gil.has_value();
    return false;
  };
  std::vector<std::string> keeping;
  for (const Run& r : s.runs) {
    if (own(r)) keeping.push_back(r.name);
  }
  if (keeping.empty()) return std::nullopt;
  const std::string key = path.substr(path.find('.') + 1);  // the run's own key: switch_interval, cores, gil
  const std::string set = fmt::format("{} {}={}", o.option, o.key, o.value);
  if (keeping.size() == s.runs.size()) {
    return fmt::format("{} changes no run: every run sets its own {}, which it keeps; set one run's with "
                       "run.NAME.{}=VALUE.",
                       set, key, key);
  }
  return fmt::format("{} leaves {} as {}: {} sets its own {}, which the file's run keeps.", set, quoted_and_list(keeping),
                     keeping.size() == 1 ? "it was" : "they were", keeping.size() == 1 ? "it" : "each", key);
}

}  // namespace gilsim::scenario
