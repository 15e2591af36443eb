// Formatting of Time for tables, tooltips and logs, in one place.
#include "sim/trace/time.hpp"

namespace gilsim {

std::string format_time(Time t) {
  const std::int64_t ns = t.ns();
  const std::int64_t mag = ns < 0 ? -ns : ns;
  if (mag == 0) return "0 s";
  if (mag < 1'000) return fmt::format("{} ns", ns);
  if (mag < 1'000'000) return fmt::format("{:.{}f} us", t.us(), mag < 10'000 ? 2 : mag < 100'000 ? 1 : 0);
  if (mag < 1'000'000'000) return fmt::format("{:.{}f} ms", t.ms(), mag < 10'000'000 ? 2 : mag < 100'000'000 ? 1 : 0);
  return fmt::format("{:.3f} s", t.seconds());
}

}  // namespace gilsim
