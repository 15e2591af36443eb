// Checked getters over toml++ nodes; every failure names the key, what it was and what
// was expected, at the node's location.
#include "sim/scenario/toml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/name_suggestions.hpp"
#include "sim/scenario/scenario_keys.hpp"
#include "sim/scenario/unicode_text.hpp"
#include "sim/scenario/value_syntax.hpp"

namespace gilsim::scenario {

namespace {

/// Where in a string of several lines its character at `at` is (", on its line 8"): the file's
/// line is where the string starts, which may be far above.
std::string line_in_text(std::string_view text, std::size_t at) {
  if (text.find('\n') == std::string_view::npos) return {};
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  return fmt::format(", on its line {}", line);
}

}  // namespace

std::string_view describe_type(toml::node_type type) {
  switch (type) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a decimal number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "a value";
}

namespace {

std::string integer_range(std::int64_t min, std::int64_t max) {
  if (max == std::numeric_limits<std::int64_t>::max()) return fmt::format("an integer of at least {}", min);
  return fmt::format("an integer from {} to {}", min, max);
}

/// "100MB", "20 MB", "1.5 kB", "512B": the bytes a size with a decimal unit (B, kB, MB, GB,
/// TB, as gilsim prints sizes) stands for; nullopt for other text.
std::optional<std::int64_t> bytes_in(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) != 0 || text[digits] == '.')) ++digits;
  if (digits == 0) return std::nullopt;
  double number = 0;
  try {
    number = std::stod(std::string(text.substr(0, digits)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::string_view unit = text.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"B", 1.0}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}};
  for (const auto& [name, scale] : kUnits) {
    if (unit == name) return static_cast<std::int64_t>(std::llround(number * scale));
  }
  return std::nullopt;
}

}  // namespace

std::string top_level_key_written_under(std::string_view key, std::string_view table_label) {
  return fmt::format("'{}' does not belong {}; it is a top-level key: write it above the first [table] header "
                     "(in TOML every key after a header belongs to that table)",
                     key, table_label);
}

std::optional<std::string> home_of_key(std::string_view key) {
  const auto in = [key](const auto& keys) { return std::find(keys.begin(), keys.end(), key) != keys.end(); };
  std::string homes;
  const auto add = [&homes](std::string_view home) { homes += (homes.empty() ? "" : " or ") + std::string(home); };
  if (in(kMachineKeys)) add("[machine]");
  if (in(kPythonKeys)) add("[python]");
  if (in(kCostKeys)) add("[costs]");
  if (in(kJobKeys)) add("[[job]]");
  if (in(kRunKeys)) add("[[run]]");
  if (in(kStepKeys)) add("a step, inside steps = [ ... ]");
  if (homes.empty()) return std::nullopt;
  return homes;
}

SourceLoc TomlReader::where(const toml::source_region& region) const {
  const std::string path = region.path ? *region.path : source_name_;
  if (overrides_.find(path) != overrides_.end()) return SourceLoc{path, 0, 0};
  return SourceLoc{path, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

bool TomlReader::from_override(const toml::node& node) const {
  // An override is parsed as "v = VALUE": its value starts at line 1, column 5. A value
  // nested inside it ("machine={ quantum = 5 }") is read as strictly as the file's.
  const toml::source_region& at = node.source();
  return at.path && overrides_.find(*at.path) != overrides_.end() && at.begin.line == 1 && at.begin.column == 5;
}

void TomlReader::fail(const toml::source_region& region, std::string message) const {
  throw ScenarioError(where(region), message);
}

void TomlReader::check_keys(const toml::table& table, std::span<const std::string_view> allowed,
                            std::string_view table_label, std::span<const std::string_view> step_kinds) const {
  const toml::key* first_unknown = nullptr;
  const auto order = [this](const toml::key& k) {
    const SourceLoc loc = where(k.source());
    return std::make_tuple(loc.line == 0, loc.line, loc.column);
  };
  for (const auto& [key, node] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    if (first_unknown == nullptr || order(key) < order(*first_unknown)) first_unknown = &key;
  }
  if (first_unknown == nullptr) return;
  const std::string_view name = first_unknown->str();
  // 'seed = 4' written under [machine] is a top-level key written after a header, where TOML
  // puts it into that table: the likeliest slip of all, and the fix is to move it up.
  if (std::find(kTopValueKeys.begin(), kTopValueKeys.end(), name) != kTopValueKeys.end()) {
    fail(first_unknown->source(), top_level_key_written_under(name, table_label));
  }
  const auto home = home_of_key(name);
  // A step's key outside a step ('cpu' in [[job]]) is a step written one level too high;
  // any other key one typo from this table's own ('cpus' in a step, a [[job]] key) is
  // likelier that typo than a key of another table written here.
  const bool step_key = std::find(kStepKeys.begin(), kStepKeys.end(), name) != kStepKeys.end();
  if (auto near = closest_name(name, allowed); near && !(home && step_key)) {
    const bool kind = !home && std::find(step_kinds.begin(), step_kinds.end(), *near) != step_kinds.end();
    fail(first_unknown->source(), fmt::format("unknown key '{}' {}; did you mean '{}'?{}{}", name, table_label, *near,
                                              home ? fmt::format(" ('{}' belongs in {})", name, *home) : "",
                                              kind ? fmt::format(" (a step's kind is one of: {})", join_names(step_kinds)) : ""));
  }
  if (home) {
    fail(first_unknown->source(), fmt::format("'{}' does not belong {}; expected it in {}", name, table_label, *home));
  }
  fail(first_unknown->source(),
       fmt::format("unknown key '{}' {}; expected one of: {}", name, table_label, join_names(allowed)));
}

const toml::table* TomlReader::table(const toml::table& parent, std::string_view key) const {
  const toml::node* node = parent.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    fail(*node, fmt::format("'{}' is {}; expected a table, written [{}] on a line of its own", key,
                            describe_type(node->type()), key));
  }
  return node->as_table();
}

const toml::array* TomlReader::array(const toml::table& parent, std::string_view key,
                                     std::string_view example) const {
  const toml::node* node = parent.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_array()) {
    fail(*node, fmt::format("'{}' is {}; expected {}", key, describe_type(node->type()), example));
  }
  return node->as_array();
}

std::int64_t TomlReader::integer(const toml::node& node, std::string_view key, std::int64_t min,
                                 std::int64_t max) const {
  if (!node.is_integer()) {
    // A size is a number of bytes, without a unit: say so with the number that was meant.
    std::string bytes_example;
    if (key.ends_with("bytes") && node.is_string()) {
      const auto meant = bytes_in(node.as_string()->get());
      bytes_example = meant ? fmt::format(": a number of bytes without a unit, {} for \"{}\"", *meant, node.as_string()->get())
                            : std::string(": a number of bytes without a unit, such as 20000000 for 20 MB");
    }
    fail(node, fmt::format("'{}' is {}; expected {}{}", key, describe_type(node.type()), integer_range(min, max),
                           bytes_example));
  }
  const std::int64_t value = node.as_integer()->get();
  if (value < min || value > max) {
    fail(node, fmt::format("'{}' is {}; expected {}", key, value, integer_range(min, max)));
  }
  return value;
}

std::optional<std::int64_t> TomlReader::integer(const toml::table& t, std::string_view key, std::int64_t min,
                                                std::int64_t max) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  return integer(*node, key, min, max);
}

std::optional<double> TomlReader::number(const toml::table& t, std::string_view key, double min,
                                         double max) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  return number(*node, key, min, max);
}

double TomlReader::number(const toml::node& node, std::string_view key, double min, double max) const {
  const std::string expected = fmt::format("a number from {:g} to {:g}", min, max);
  if (!node.is_number()) {
    fail(node, fmt::format("'{}' is {}; expected {}", key, describe_type(node.type()), expected));
  }
  const double value = node.is_integer() ? static_cast<double>(node.as_integer()->get())
                                         : node.as_floating_point()->get();
  if (!std::isfinite(value) || value < min || value > max) {
    fail(node, fmt::format("'{}' is {}; expected {}", key, value, expected));
  }
  return value;
}

std::string TomlReader::string(const toml::node& node, std::string_view key) const {
  return checked_string(node, key, "printable text, line breaks and tabs");
}

std::string TomlReader::checked_string(const toml::node& node, std::string_view key, std::string_view expected) const {
  std::string text;
  if (node.is_string()) {
    text = node.as_string()->get();
  } else if (from_override(node) && !node.is_table() && !node.is_array()) {
    // An override's value is parsed as TOML; where the file wants a string, take it as written.
    text = overrides_.find(*node.source().path)->second;
  } else {
    fail(node, fmt::format("'{}' is {}; expected a string in quotes", key, describe_type(node.type())));
  }
  // A control character ("\u0000" in a note) would go on into the Python program gilsim
  // writes, which CPython refuses, and into the terminal: only line breaks and tabs pass. A
  // bidirectional override would make the text read otherwise than it is.
  if (const auto bad = first_unsafe_character(text)) {
    const bool control = bad->code_point < 0xA0;
    fail(node, fmt::format("'{}' holds the {} U+{:04X}{}; expected {}", key,
                           control ? "control character" : "bidirectional control", static_cast<std::uint32_t>(bad->code_point),
                           line_in_text(text, bad->at), expected));
  }
  return text;
}

std::optional<std::string> TomlReader::string(const toml::table& t, std::string_view key) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  return string(*node, key);
}

std::optional<std::string> TomlReader::one_line(const toml::table& t, std::string_view key,
                                                std::string_view example) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  std::string text = checked_string(*node, key, fmt::format("{}: printable text on one line", example));
  if (trim(text).empty()) fail(*node, fmt::format("'{}' is {}; expected {}", key, text.empty() ? "empty" : "only spaces", example));
  // A line break or a tab, or Unicode's line and paragraph separators (U+2028, U+2029).
  const auto at = std::min({text.find_first_of("\n\r\t"), text.find("\u2028"), text.find("\u2029")});
  if (at != std::string::npos) {
    fail(*node, fmt::format("'{}' holds {}; expected {} on one line", key, text[at] == '\t' ? "a tab" : "a line break",
                            example));
  }
  return text;
}

std::optional<bool> TomlReader::boolean(const toml::table& t, std::string_view key) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) {
    fail(*node, fmt::format("'{}' is {}; expected true or false, without quotes", key, describe_type(node->type())));
  }
  return node->as_boolean()->get();
}

Duration TomlReader::duration(const toml::node& node, std::string_view key) const {
  if (node.is_number() && !from_override(node)) {
    const std::string number = node.is_integer() ? fmt::format("{}", node.as_integer()->get())
                                                 : fmt::format("{}", node.as_floating_point()->get());
    fail(node, fmt::format("'{}' is the number {} without a unit; expected a string such as \"{}ms\" "
                           "(units: ns, us, ms, s)", key, number, number));
  }
  const Parsed<Duration> parsed = parse_duration(string(node, key));
  if (!parsed.ok()) fail(node, fmt::format("'{}': {}", key, parsed.error));
  return parsed.value;
}

std::optional<Duration> TomlReader::duration(const toml::table& t, std::string_view key) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  return duration(*node, key);
}

std::optional<Time> TomlReader::fixed_duration(const toml::table& t, std::string_view key, Time min) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  // "'-1ms' is negative; expected a duration of zero or more" led to "0ms", refused next; a
  // number without a unit too (--set switch_interval=-1).
  std::string text;
  if (const auto string = node->value<std::string>()) text = std::string(trim(*string));
  if (node->is_integer()) text = fmt::format("{}", node->as_integer()->get());
  if (node->is_floating_point()) text = fmt::format("{}", node->as_floating_point()->get());
  if (text.starts_with('-') && min > Time::zero()) {
    fail(*node, fmt::format("'{}' is '{}', negative; expected at least {}", key, text, to_string(Duration::fixed(min))));
  }
  // A bare 0 was told to be written "0ms", refused next as under the least it takes.
  const bool bare_zero = !text.empty() && text.find_first_not_of("0.") == std::string::npos;
  if (bare_zero && min > Time::zero()) {
    fail(*node, fmt::format("'{}' is '{}', no time; expected at least {}", key, text, to_string(Duration::fixed(min))));
  }
  const Duration d = duration(*node, key);
  if (!d.is_fixed()) {
    fail(*node, fmt::format("'{}' is the random duration '{}'; expected a fixed duration such as \"3ms\"",
                            key, to_string(d)));
  }
  if (d.a < min) {
    fail(*node, fmt::format("'{}' is {}; expected at least {}", key, to_string(d), to_string(Duration::fixed(min))));
  }
  return d.a;
}

std::size_t TomlReader::choice(const toml::node& node, std::string_view key,
                               std::span<const std::string_view> names) const {
  const std::string value = string(node, key);
  const auto found = std::find(names.begin(), names.end(), value);
  if (found != names.end()) return static_cast<std::size_t>(found - names.begin());
  std::string message = fmt::format("unknown {} '{}'; expected one of: {}", key, value, join_names(names));
  if (auto near = closest_name(value, names)) message += fmt::format("; did you mean '{}'?", *near);
  fail(node, message);
}

std::optional<std::size_t> TomlReader::choice(const toml::table& t, std::string_view key,
                                              std::span<const std::string_view> names) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  return choice(*node, key, names);
}

void TomlReader::missing(const toml::table& t, std::string_view key, std::string_view table_label,
                         std::string_view expected) const {
  fail(t, fmt::format("'{}' is missing {}; expected {}", key, table_label, expected));
}

}  // namespace gilsim::scenario
