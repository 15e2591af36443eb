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
  const std::string plain = format_time(t);
  // A nanosecond's or a second's step, or an instant past a century (no overflow below).
  if (mag < 1'000 || step >= 1'000'000'000 || mag > 4'000'000'000'000'000'000) return plain;
  // Decided on the value rounded to the step, as format_time decides on its rounded value.
  const std::int64_t rounded = (mag + step / 2) / step * step;
  const std::int64_t unit = rounded < 1'000'000 ? 1'000 : rounded < 1'000'000'000 ? 1'000'000 : 1'000'000'000;
  const std::string_view name = unit == 1'000 ? "us" : unit == 1'000'000 ? "ms" : "s";
  int decimals = 0;  // those that show `step` in the unit
  for (std::int64_t shown = unit; shown > step && decimals < 9; shown /= 10) ++decimals;
  // format_time's own decimals, when it writes the same unit: never fewer than those.
  const std::size_t space = plain.find(' ');
  const bool same_unit = plain.substr(space + 1) == name;
  const std::size_t point = plain.find('.');
  const int has = same_unit && point != std::string::npos ? static_cast<int>(space - point - 1) : 0;
  if (decimals <= has) return plain;
  std::string text = fmt::format("{:.{}f}", static_cast<double>(ns) / static_cast<double>(unit), decimals);
  // The zeros past format_time's decimals say nothing: 100 ms, not 100.000 ms.
  for (int kept = decimals; kept > has && text.back() == '0'; --kept) text.pop_back();
  if (text.back() == '.') text.pop_back();
  // Whole seconds grouped in threes, as format_time and the axis write them: "1,000.00015 s".
  const std::string_view digits = std::string_view(text).substr(ns < 0 ? 1 : 0);
  const std::size_t whole_digits = std::min(digits.find('.'), digits.size());
  if (whole_digits > 3) {
    const std::int64_t whole = std::stoll(std::string(digits.substr(0, whole_digits)));
    return fmt::format("{}{}{} {}", ns < 0 ? "-" : "", trace::group_digits(whole), digits.substr(whole_digits), name);
  }
  return text + " " + std::string(name);
}

}  // namespace gilsim
