// Formatting of Time for tables, tooltips and logs, in one place.
#include "sim/trace/time.hpp"

#include <algorithm>

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
  // Seconds to the millisecond below 100 s: "1.013 s" against "1.000 s" is lesson 1's point.
  if (mag < 99'999'500'000) return fmt::format("{:.3f} s", t.seconds());
  // From 100 s, whole seconds, as whole milliseconds from 100 ms: lesson 3's thread pool is
  // "1,250 s" and its timeline's axis "200 s", not "1,250.130 s" and "200.000 s". Grouped in
  // threes, as the tables write counts.
  const std::int64_t whole = (mag + 500'000'000) / 1'000'000'000;
  return trace::group_digits(ns < 0 ? -whole : whole) + " s";
}

std::string format_time_to(Time t, Time resolution) {
  const std::int64_t ns = t.ns();
  const std::int64_t mag = ns < 0 ? -ns : ns;
  const std::int64_t step = std::max<std::int64_t>(1, resolution.ns());
  if (mag < 1'000 || step >= 1'000'000'000) return format_time(t);
  // The unit format_time would use, and the decimals that show `step` in it.
  const auto decimals_for = [&](std::int64_t unit) {
    int decimals = 0;
    for (std::int64_t shown = unit; shown > step && decimals < 9; shown /= 10) ++decimals;
    return decimals;
  };
  const std::string plain = format_time(t);
  const auto in_unit = [&](std::int64_t unit, std::string_view name) {
    const int decimals = decimals_for(unit);
    const std::size_t point = plain.find('.');
    const int has = point == std::string::npos ? 0 : static_cast<int>(plain.find(' ') - point - 1);
    if (decimals <= has) return plain;
    return fmt::format("{:.{}f} {}", static_cast<double>(ns) / static_cast<double>(unit), decimals, name);
  };
  // Decided on the value rounded to the step, as format_time decides on its rounded value.
  const std::int64_t rounded = (mag + step / 2) / step * step;
  if (rounded < 1'000'000) return in_unit(1'000, "us");
  if (rounded < 1'000'000'000) return in_unit(1'000'000, "ms");
  const int decimals = decimals_for(1'000'000'000);
  if (decimals <= 3 && mag < 99'999'500'000) return plain;
  return fmt::format("{:.{}f} s", static_cast<double>(ns) / 1e9, std::max(decimals, 3));
}

}  // namespace gilsim
