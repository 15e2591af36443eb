// `--vary` values: lists, ranges with a step, log ranges, and the keys that move together.
#include "sim/sweep/sweep_values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/value_syntax.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/time.hpp"

namespace gilsim::sweep {

using scenario::trim;

namespace {

/// Splits at `separator`, except inside double or single quotes.
std::vector<std::string_view> split_outside_quotes(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

[[noreturn]] void refuse(const std::string& message) { throw std::invalid_argument(message); }

/// A bound, a step or a plain value that is a number or a duration.
struct Quantity {
  enum class Kind { Integer, Decimal, Duration } kind = Kind::Integer;
  std::int64_t whole = 0;  ///< integers, and durations in nanoseconds
  double value = 0.0;
};

bool is_duration(const Quantity& q) { return q.kind == Quantity::Kind::Duration; }

/// A number ("4", "-2", "0.25") or a duration ("10ms"); nothing when it is neither.
std::optional<Quantity> read_quantity(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) return std::nullopt;
  if (std::isalpha(static_cast<unsigned char>(text.back())) != 0) {
    const auto time = scenario::parse_time(text);
    if (!time.ok()) return std::nullopt;
    return Quantity{Quantity::Kind::Duration, time.value.ns(), static_cast<double>(time.value.ns())};
  }
  std::int64_t whole = 0;
  const char* end = text.data() + text.size();
  if (auto [at, error] = std::from_chars(text.data(), end, whole); error == std::errc{} && at == end) {
    return Quantity{Quantity::Kind::Integer, whole, static_cast<double>(whole)};
  }
  double value = 0.0;
  if (auto [at, error] = std::from_chars(text.data(), end, value); error == std::errc{} && at == end) {
    if (!std::isfinite(value)) return std::nullopt;
    return Quantity{Quantity::Kind::Decimal, 0, value};
  }
  return std::nullopt;
}

std::string value_text(Quantity::Kind kind, double value) {
  switch (kind) {
    case Quantity::Kind::Integer: return fmt::format("{}", static_cast<std::int64_t>(std::llround(value)));
    case Quantity::Kind::Duration: return duration_text(std::llround(value));
    case Quantity::Kind::Decimal: break;
  }
  return fmt::format("{:.10g}", value);
}

Quantity bound(std::string_view text, std::string_view range, std::string_view which) {
  if (trim(text).empty()) {
    refuse(fmt::format("'{}' has no {}; expected a range such as 1..16 or 1ms..64ms*2", range, which));
  }
  const auto q = read_quantity(text);
  // Whole digits past 2^63 - 1 read as a decimal, and the range then "had no step".
  const std::string_view digits = trim(text).substr(trim(text).starts_with('-') ? 1 : 0);
  if (q && q->kind == Quantity::Kind::Decimal && !digits.empty() &&
      digits.find_first_not_of("0123456789") == std::string_view::npos) {
    refuse(fmt::format("the {} '{}' of '{}' is past the largest whole number, {}; expected a smaller one", which,
                       trim(text), range, std::numeric_limits<std::int64_t>::max()));
  }
  if (!q) {
    refuse(fmt::format("the {} '{}' of '{}' is not a number or a duration; expected a range such as 1..16 or "
                       "1ms..64ms*2", which, trim(text), range));
  }
  return *q;
}

void check_count(double count, std::string_view range) {
  if (count > static_cast<double>(kMaxValuesPerKey)) {
    refuse(fmt::format("'{}' gives {:.0f} values; the limit is {} values per key", range, count, kMaxValuesPerKey));
  }
}

/// "A..B" (integers, step 1), "A..B:S", "A..B*F"; counts down when A > B.
ValueList read_range(std::string_view range, std::size_t dots) {
  const std::string_view rest = range.substr(dots + 2);
  const std::size_t mark = rest.find_first_of(":*");
  const Quantity a = bound(range.substr(0, dots), range, "start");
  const Quantity b = bound(rest.substr(0, mark), range, "end");
  if (is_duration(a) != is_duration(b)) {
    refuse(fmt::format("'{}' mixes a duration and a number; expected a unit on both bounds or on neither", range));
  }
  const bool decimal = a.kind == Quantity::Kind::Decimal || b.kind == Quantity::Kind::Decimal;
  const Quantity::Kind kind = is_duration(a) ? Quantity::Kind::Duration : decimal ? Quantity::Kind::Decimal
                                                                                    : Quantity::Kind::Integer;
  const double direction = b.value < a.value ? -1.0 : 1.0;
  ValueList out;
  out.durations = is_duration(a);
  const std::string_view op_text = mark == std::string_view::npos ? std::string_view{} : trim(rest.substr(mark + 1));
  if (mark != std::string_view::npos && rest[mark] == '*') {
    const auto factor = read_quantity(op_text);
    if (!factor || is_duration(*factor)) {
      refuse(fmt::format("the factor '{}' of '{}' is not a plain number; expected a factor such as 1ms..64ms*2",
                         op_text, range));
    }
    if (factor->value <= 1.0) {
      refuse(fmt::format("'{}' multiplies by {} and never reaches {}; expected a factor above 1, such as *2", range,
                         op_text, trim(rest.substr(0, mark))));
    }
    if (std::min(a.value, b.value) <= 0.0) {
      refuse(fmt::format("'{}' has a bound of zero or less, which no factor reaches; expected bounds above 0 in a "
                         "log range, such as 1..16*2", range));
    }
    // The limit counts the values left once rounding to whole numbers (or nanoseconds) has met
    // repeats: 1..16*1.0001 gives 16 workers, not 27,728. Counted as they come, never held
    // past the limit; where a factor is too small to move a whole value, the loop jumps to the
    // step that does, so its turns are at most twice the values it keeps.
    const double f = factor->value;
    if (kind == Quantity::Kind::Decimal) {  // written to ten digits: too few repeats to count on
      check_count(std::floor(std::log(std::max(a.value, b.value) / std::min(a.value, b.value)) / std::log(f) + 1e-9) +
                      1.0, range);
    }
    const double slack = 1e-9 * std::max(a.value, b.value);
    const auto within = [&](double v) { return direction > 0 ? v <= b.value + slack : v >= b.value - slack; };
    for (double v = a.value; within(v); v = direction > 0 ? v * f : v / f) {
      std::string text = value_text(kind, v);
      if (!out.texts.empty() && out.texts.back() == text) {  // rounding to whole units met
        if (kind == Quantity::Kind::Decimal) continue;
        // The first step a * f^k (a / f^k counting down) that rounds past the value kept.
        const double kept = out.positions.back();
        const double target = direction > 0 ? kept + 0.5 : kept - 0.5;
        if (target <= 0.0) continue;
        const double k = std::ceil(std::abs(std::log(target / a.value)) / std::log(f) - 1e-12);
        const double next = direction > 0 ? a.value * std::pow(f, k) : a.value / std::pow(f, k);
        if (direction > 0 ? next > v : next < v) v = next;
        if (!within(v)) break;
        text = value_text(kind, v);
        if (text == out.texts.back()) continue;
      }
      if (out.texts.size() == kMaxValuesPerKey) {
        refuse(fmt::format("'{}' gives more than {} values, each rounded to a whole {}; the limit is {} values per key",
                           range, kMaxValuesPerKey, kind == Quantity::Kind::Duration ? "nanosecond" : "number",
                           kMaxValuesPerKey));
      }
      out.texts.push_back(std::move(text));
      out.positions.push_back(kind == Quantity::Kind::Decimal ? v : std::round(v));
    }
    out.log_scale = true;
    return out;
  }
  Quantity step{kind, 1, 1.0};
  if (mark == std::string_view::npos) {
    if (kind != Quantity::Kind::Integer) {
      // Suggestions the grammar takes: a step above zero (not the start 0 of 0ms..90ms), and
      // a factor only between bounds above zero.
      const double span = std::abs(b.value - a.value);
      const std::string suggested_step = a.value > 0.0 ? std::string(trim(range.substr(0, dots)))
                                         : span > 0.0  ? value_text(kind, span / 10)
                                                       : value_text(kind, is_duration(a) ? 1e6 : 1.0);
      const std::string factor = std::min(a.value, b.value) > 0.0 ? fmt::format(" or a factor such as {}*2", range) : "";
      refuse(fmt::format("'{}' has no step; expected a step such as {}:{}{}", range, range, suggested_step, factor));
    }
  } else {
    const bool negative = !op_text.empty() && op_text.front() == '-';
    const auto read = read_quantity(negative ? op_text.substr(1) : op_text);
    if (!read || is_duration(*read) != is_duration(a)) {
      refuse(fmt::format("the step '{}' of '{}' is not {}; expected a range such as {}", op_text, range,
                         is_duration(a) ? "a duration" : "a number",
                         is_duration(a) ? "0ms..90ms:10ms" : "1..16:2"));
    }
    step = *read;
    if (step.value == 0.0) {
      refuse(fmt::format("the step of '{}' is zero; expected a step above zero, such as {}",
                         range, is_duration(a) ? "0ms..90ms:10ms" : "1..16:2"));
    }
    if (negative) {
      refuse(fmt::format("'{}' steps away from its end and never ends; expected a step above zero (a range "
                         "counts down by itself when its first bound is the larger)", range));
    }
    if (kind == Quantity::Kind::Integer && step.kind == Quantity::Kind::Decimal) {
      refuse(fmt::format("the step '{}' of '{}' is not a whole number; expected whole steps between whole bounds",
                         op_text, range));
    }
  }
  if (kind == Quantity::Kind::Integer) {
    // In whole numbers, not doubles: near 2^63 (seeds) a double makes 2^63 - 2 and 2^63 - 1 one
    // value, and that value no integer. The distance, and each step along it, fit unsigned.
    const auto first = static_cast<std::uint64_t>(a.whole), last = static_cast<std::uint64_t>(b.whole);
    const bool up = a.whole <= b.whole;
    const std::uint64_t distance = up ? last - first : first - last;
    const auto stride = static_cast<std::uint64_t>(step.whole);
    check_count(static_cast<double>(distance / stride) + 1.0, range);
    for (std::uint64_t i = 0; i <= distance / stride; ++i) {
      const std::uint64_t moved = i * stride;
      const auto v = static_cast<std::int64_t>(up ? first + moved : first - moved);
      out.texts.push_back(fmt::format("{}", v));
      out.positions.push_back(static_cast<double>(v));
    }
    return out;
  }
  const double span = std::abs(b.value - a.value);
  check_count(std::floor(span / step.value + 1e-9) + 1.0, range);
  const auto count = static_cast<std::int64_t>(std::floor(span / step.value + 1e-9)) + 1;
  for (std::int64_t i = 0; i < count; ++i) {
    const double v = kind == Quantity::Kind::Decimal
                         ? a.value + direction * static_cast<double>(i) * step.value
                         : static_cast<double>(a.whole + static_cast<std::int64_t>(direction) * i * step.whole);
    out.texts.push_back(value_text(kind, v));
    out.positions.push_back(v);
  }
  return out;
}

}  // namespace

std::string duration_text(std::int64_t ns) {
  if (ns == 0) return "0ms";
  if (ns % 1'000'000'000 == 0) return fmt::format("{}s", ns / 1'000'000'000);
  if (ns % 1'000'000 == 0) return fmt::format("{}ms", ns / 1'000'000);
  if (ns % 1'000 == 0) return fmt::format("{}us", ns / 1'000);
  return fmt::format("{}ns", ns);
}

ValueList parse_values(std::string_view raw) {
  const std::string_view values = trim(raw);
  if (values.empty()) refuse("there are no values after '='; expected a list such as 1,2,4,8 or a range such as 1..16");
  const auto elements = split_outside_quotes(values, ',');
  ValueList out;
  bool numbers = true;
  bool durations = true;
  for (std::size_t i = 0; i < elements.size(); ++i) {
    const std::string_view element = trim(elements[i]);
    if (element.empty()) {
      refuse(fmt::format("value {} of '{}' is empty; expected values separated by single commas", i + 1, values));
    }
    const bool quoted = element.front() == '"' || element.front() == '\'';
    if (const std::size_t dots = element.find(".."); !quoted && dots != std::string_view::npos) {
      ValueList range = read_range(element, dots);
      out.log_scale = elements.size() == 1 && range.log_scale;
      durations = durations && range.durations;
      out.texts.insert(out.texts.end(), range.texts.begin(), range.texts.end());
      out.positions.insert(out.positions.end(), range.positions.begin(), range.positions.end());
    } else {
      const auto q = quoted ? std::nullopt : read_quantity(element);
      numbers = numbers && q.has_value();
      durations = durations && q.has_value() && is_duration(*q);
      out.texts.emplace_back(element);
      out.positions.push_back(q ? q->value : 0.0);
    }
    check_count(static_cast<double>(out.texts.size()), values);
  }
  // A chart can place the values only when they are all numbers, or all durations.
  const bool mixed = !durations && std::any_of(elements.begin(), elements.end(), [](std::string_view e) {
    const auto q = read_quantity(e.substr(0, e.find("..")));
    return q && is_duration(*q);
  });
  if (!numbers || mixed) out.positions.clear();
  out.durations = durations && !out.positions.empty();
  return out;
}

std::string Axis::chart_label() const {
  return log_scale && !positions.empty() ? label() + " (log scale)" : label();
}

std::string Axis::label() const {
  if (!name.empty()) return name;
  std::string text = keys.front();
  if (keys.size() > 1) {
    text += " (with";
    for (std::size_t k = 1; k < keys.size(); ++k) text += (k > 1 ? ", " : " ") + keys[k];
    text += ")";
  }
  return text;
}

std::string Axis::shown(std::size_t k, std::size_t i) const { return readable_value(keys.at(k), values.at(k).at(i)); }

std::string format_bytes(std::int64_t bytes) {
  const std::int64_t mag = bytes < 0 ? -bytes : bytes;
  if (mag < 1000) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes);
  for (const char* unit : {"kB", "MB", "GB", "TB"}) {
    value /= 1000.0;
    // Decided on the rounded value, as format_time does: 999,999 B is "1 MB", not "1e+03 kB".
    if (std::abs(value) < 999.5 || std::string_view(unit) == "TB") return fmt::format("{:.3g} {}", value, unit);
  }
  return fmt::format("{} B", bytes);
}

std::string readable_value(std::string_view key, std::string_view text) {
  const auto q = read_quantity(text);
  if (!q) return std::string(text);
  switch (q->kind) {
    case Quantity::Kind::Duration: return format_time(Time{q->whole});
    case Quantity::Kind::Integer: {
      const bool bytes = key.size() >= 5 && key.substr(key.size() - 5) == "bytes";
      return bytes ? format_bytes(q->whole) : trace::group_digits(q->whole);
    }
    case Quantity::Kind::Decimal: break;
  }
  return std::string(text);
}

namespace {

/// "NAME: KEY=VALUES": the name, when the text before the first '=' has a colon.
std::pair<std::string_view, std::string_view> split_name(std::string_view text) {
  const std::size_t equals = text.find('=');
  const std::size_t colon = text.substr(0, equals).find(':');
  if (colon == std::string_view::npos) return {{}, text};
  return {trim(text.substr(0, colon)), trim(text.substr(colon + 1))};
}

}  // namespace

std::string axis_key(std::string_view text) {
  const std::string_view rest = split_name(trim(text)).second;
  return std::string(trim(rest.substr(0, rest.find('='))));
}

Axis parse_axis(std::string_view raw, std::string_view option) {
  const auto [name, text] = split_name(trim(raw));
  Axis axis;
  axis.option = fmt::format("{} {}", option, trim(raw));
  axis.name = std::string(name);
  const auto fail = [&](const std::string& message) -> void {
    throw scenario::ScenarioError(scenario::SourceLoc{axis.option, 0, 0}, message);
  };
  const auto parts = split_outside_quotes(text, ';');
  for (std::size_t n = 0; n < parts.size(); ++n) {
    const std::string_view part = parts[n];
    if (trim(part).empty() && parts.size() > 1) {  // "workers=1..3;": "'' has no '='" said nothing
      fail(fmt::format("an empty part {} ';'; expected KEY=VALUES on each side of ';', such as "
                       "\"workers=1..4; cores=1..4\", or no ';'",
                       n == 0 ? "before" : n + 1 == parts.size() ? "after the last" : "between two"));
    }
    const std::size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      fail(fmt::format("'{}' has no '='; expected KEY=VALUES, such as workers=1..16", trim(part)));
    }
    const std::string_view key = trim(part.substr(0, equals));
    if (key.empty()) fail(fmt::format("'{}' has no key before '='; expected KEY=VALUES, such as workers=1..16", trim(part)));
    ValueList list;
    try {
      list = parse_values(part.substr(equals + 1));
    } catch (const std::invalid_argument& e) {
      fail(e.what());
    }
    if (!axis.keys.empty() && list.texts.size() != axis.size()) {
      fail(fmt::format("'{}' moves with '{}' and needs as many values ({}); it has {}", key, axis.keys.front(),
                       axis.size(), list.texts.size()));
    }
    if (axis.keys.empty()) {
      axis.positions = list.positions;
      axis.log_scale = list.log_scale;
      axis.durations = list.durations;
    }
    axis.keys.emplace_back(key);
    axis.values.push_back(std::move(list.texts));
  }
  return axis;
}

}  // namespace gilsim::sweep
