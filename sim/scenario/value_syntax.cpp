// Parsing durations exactly (decimal text to integer nanoseconds) and Python versions.
#include "sim/scenario/value_syntax.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

namespace gilsim::scenario {

namespace {

constexpr std::string_view kUnitHelp = "units: ns, us, ms, s";

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

struct Unit {
  std::string_view name;
  std::int64_t ns;
};
constexpr std::array<Unit, 5> kUnits{{{"ns", 1}, {"us", 1'000}, {"\xC2\xB5s", 1'000},  // µs
                                      {"ms", 1'000'000}, {"s", 1'000'000'000}}};

template <typename T>
Parsed<T> failure(std::string message) {
  Parsed<T> p;
  p.error = std::move(message);
  return p;
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

Parsed<Time> parse_time(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) return failure<Time>(fmt::format("empty duration; expected a number and a unit such as \"10ms\" ({})", kUnitHelp));
  if (text.front() == '-') return failure<Time>(fmt::format("'{}' is negative; expected a duration of zero or more", text));
  std::size_t i = 0;
  std::uint64_t whole = 0;
  std::size_t whole_digits = 0;
  while (i < text.size() && is_digit(text[i])) {
    if (whole_digits < 19) whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
    ++whole_digits;
    ++i;
  }
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    const std::size_t start = ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
    fraction = text.substr(start, i - start);
  }
  if (whole_digits == 0 && fraction.empty()) {
    return failure<Time>(fmt::format("'{}' is not a duration; expected a number and a unit such as \"10ms\" ({})", text, kUnitHelp));
  }
  const std::string_view unit_text = trim(text.substr(i));
  if (unit_text.empty()) {
    return failure<Time>(fmt::format("'{}' has no unit; expected a duration such as \"{}ms\" ({})", text, text, kUnitHelp));
  }
  const Unit* unit = nullptr;
  for (const Unit& u : kUnits) {
    if (u.name == unit_text) unit = &u;
  }
  if (unit == nullptr) {
    // "1e12s": an exponent, not a unit "e12s".
    if (unit_text.size() > 1 && (unit_text[0] == 'e' || unit_text[0] == 'E') &&
        (is_digit(unit_text[1]) || unit_text[1] == '-' || unit_text[1] == '+')) {
      return failure<Time>(fmt::format("'{}' has an exponent; expected plain digits and a unit such as \"1500ms\" or "
                                       "\"1.5s\" ({})",
                                       text, kUnitHelp));
    }
    return failure<Time>(fmt::format("unknown unit '{}' in '{}'; expected one of ns, us, ms, s", unit_text, text));
  }
  const auto too_long = [&] {
    return failure<Time>(fmt::format("'{}' is longer than the limit of one hour; expected at most \"3600s\"", text));
  };
  if (whole_digits >= 19 || whole > static_cast<std::uint64_t>(kMaxDuration.ns() / unit->ns)) return too_long();
  std::int64_t ns = static_cast<std::int64_t>(whole) * unit->ns;
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  if (!fraction.empty()) {
    std::int64_t digits = 0;
    std::int64_t scale = 1;
    bool exact = fraction.size() <= 9;
    for (std::size_t k = 0; exact && k < fraction.size(); ++k) {
      digits = digits * 10 + (fraction[k] - '0');
      scale *= 10;
    }
    exact = exact && (digits * unit->ns) % scale == 0;
    if (!exact) {
      return failure<Time>(fmt::format("'{}' is finer than one nanosecond; expected a whole number of nanoseconds", text));
    }
    ns += digits * unit->ns / scale;
  }
  if (ns > kMaxDuration.ns()) return too_long();
  Parsed<Time> p;
  p.value = Time{ns};
  return p;
}

namespace {

// Splits "name(inner)" and returns inner, or nothing when text is not that call.
std::optional<std::string_view> call_argument(std::string_view text, std::string_view name) {
  if (text.size() < name.size() + 2 || text.substr(0, name.size()) != name) return std::nullopt;
  std::string_view rest = trim(text.substr(name.size()));
  if (rest.empty() || rest.front() != '(') return std::nullopt;
  if (rest.back() != ')') return std::nullopt;
  return rest.substr(1, rest.size() - 2);
}

Parsed<Duration> with_context(Parsed<Time> part, std::string_view whole) {
  return failure<Duration>(fmt::format("in '{}': {}", whole, part.error));
}

}  // namespace

Parsed<Duration> parse_duration(std::string_view raw) {
  const std::string_view text = trim(raw);
  Parsed<Duration> out;
  if (auto inner = call_argument(text, "exp")) {
    const Parsed<Time> mean = parse_time(*inner);
    if (!mean.ok()) return with_context(mean, text);
    out.value = Duration{Duration::Kind::Exponential, mean.value, Time{}};
    return out;
  }
  if (auto inner = call_argument(text, "normal")) {
    const std::size_t comma = inner->find(',');
    if (comma == std::string_view::npos) {
      return failure<Duration>(fmt::format("'{}' has one argument; expected normal(mean, standard deviation) such as \"normal(10ms, 2ms)\"", text));
    }
    const Parsed<Time> mean = parse_time(inner->substr(0, comma));
    if (!mean.ok()) return with_context(mean, text);
    const Parsed<Time> deviation = parse_time(inner->substr(comma + 1));
    if (!deviation.ok()) return with_context(deviation, text);
    out.value = Duration{Duration::Kind::Normal, mean.value, deviation.value};
    return out;
  }
  if (text.find('(') != std::string_view::npos) {
    return failure<Duration>(fmt::format("'{}' is not a duration; expected \"10ms\", \"10ms..20ms\", \"exp(10ms)\" or \"normal(10ms, 2ms)\"", text));
  }
  if (const std::size_t dots = text.find(".."); dots != std::string_view::npos) {
    const Parsed<Time> low = parse_time(text.substr(0, dots));
    if (!low.ok()) return with_context(low, text);
    const Parsed<Time> high = parse_time(text.substr(dots + 2));
    if (!high.ok()) return with_context(high, text);
    if (high.value < low.value) {
      return failure<Duration>(fmt::format("the range '{}' runs backwards; expected the smaller bound first", text));
    }
    out.value = Duration{Duration::Kind::Uniform, low.value, high.value};
    return out;
  }
  const Parsed<Time> fixed = parse_time(text);
  if (!fixed.ok()) return failure<Duration>(fixed.error);
  out.value = Duration::fixed(fixed.value);
  return out;
}

Parsed<PythonVersion> parse_python_version(std::string_view raw) {
  const std::string_view text = trim(raw);
  const auto malformed = [&] {
    return failure<PythonVersion>(fmt::format("'{}' is not a Python version; expected a version such as \"3.12\", \"3.13t\" (free-threaded) or \"2.7\"", text));
  };
  std::string_view rest = text;
  bool free_threaded = false;
  if (!rest.empty() && rest.back() == 't') {
    free_threaded = true;
    rest.remove_suffix(1);
  }
  std::array<int, 3> numbers{};
  std::size_t count = 0;
  while (true) {
    std::size_t digits = 0;
    int value = 0;
    while (digits < rest.size() && is_digit(rest[digits]) && digits < 3) {
      value = value * 10 + (rest[digits] - '0');
      ++digits;
    }
    if (digits == 0 || count == numbers.size()) return malformed();
    numbers[count++] = value;
    rest.remove_prefix(digits);
    if (rest.empty()) break;
    if (rest.front() != '.') return malformed();
    rest.remove_prefix(1);
  }
  if (count < 2) return malformed();
  Parsed<PythonVersion> out;
  out.value = PythonVersion{numbers[0], numbers[1], free_threaded};
  if (out.value.major != 2 && out.value.major != 3) {
    return failure<PythonVersion>(fmt::format("Python {} is not modelled; expected a 2.x or 3.x version", text));
  }
  if (free_threaded && out.value < PythonVersion{3, 13, true}) {
    return failure<PythonVersion>(fmt::format("'{}': free-threaded builds exist from 3.13; expected \"3.13t\" or later", text));
  }
  return out;
}

}  // namespace gilsim::scenario
