// Formatting of Time for tables, tooltips and logs, in one place.
#include "sim/trace/time.hpp"

#include "sim/trace/outcomes.hpp"

namespace gilsim {

std::string format_time(Time t) {
  const std::int64_t ns = t.ns();
  const std::int64_t mag = ns < 0 ? -ns : ns;
  if (mag == 0) return "0 s";
  if (mag < 1'000) return fmt::format("{} ns", ns);
  // Three significant digits, decided on the rounded value: 99.96 ms is "100 ms", never
  // "100.0 ms" (which would read as later than the "100 ms" after it).
  if (mag < 999'500) return fmt::format("{:.{}f} us", t.us(), mag < 9'995 ? 2 : mag < 99'950 ? 1 : 0);
  if (mag < 999'500'000) return fmt::format("{:.{}f} ms", t.ms(), mag < 9'995'000 ? 2 : mag < 99'950'000 ? 1 : 0);
  // From 1,000 s, the whole seconds in groups of three, as the tables write counts
  // ("1,250.130 s", not "1250.130 s").
  const std::string plain = fmt::format("{:.3f}", t.seconds());
  const std::size_t point = plain.find('.');
  return trace::group_digits(std::stoll(plain.substr(0, point))) + plain.substr(point) + " s";
}

}  // namespace gilsim
