// Counters in a few words; see counter_words.hpp.
#include "viz/counter_words.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/trace/outcomes.hpp"

namespace gilsim::viz {

std::optional<std::string> counters_text(const trace::Trace& run) {
  if (run.counters.empty() || run.partial()) return std::nullopt;
  std::string out;
  for (const trace::Counter& c : run.counters) {
    if (!out.empty()) out += "; ";
    if (c.lost() > 0) {
      out += fmt::format("{} = {} of {}: {} lost", c.name, trace::group_digits(c.final_value),
                         trace::group_digits(c.expected()), trace::group_digits(c.lost()));
    } else {
      out += fmt::format("{} = {}: none lost", c.name, trace::group_digits(c.final_value));
    }
  }
  return out;
}

std::optional<std::string> counters_brief(const trace::Trace& run) {
  if (run.counters.empty() || run.partial()) return std::nullopt;
  std::string out;
  for (const trace::Counter& c : run.counters) {
    if (c.lost() <= 0) continue;
    if (!out.empty()) out += "; ";
    out += fmt::format("{}: {} of {} lost", c.name, trace::group_digits(c.lost()), trace::group_digits(c.expected()));
  }
  return out.empty() ? std::string("no update lost") : out;
}

bool lost_updates(const trace::Trace& run) {
  return std::any_of(run.counters.begin(), run.counters.end(), [](const trace::Counter& c) { return c.lost() > 0; });
}

}  // namespace gilsim::viz
