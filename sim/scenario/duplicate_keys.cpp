// A key or table set twice: toml++ says "cannot redefine existing string 'title'"; a student
// needs to know where it was set first.
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/loader.hpp"

namespace gilsim::scenario {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

bool blank(char c) { return c == ' ' || c == '\t'; }

/// Where `key` is set in `line` (followed by '=', after the line's start, '{' or ','),
/// searching [from, to); npos if nowhere.
std::size_t key_at(std::string_view line, std::string_view key, std::size_t from, std::size_t to, bool line_start_only) {
  for (std::size_t at = line.find(key, from); at != std::string_view::npos && at < to; at = line.find(key, at + 1)) {
    std::size_t before = at;
    while (before > 0 && blank(line[before - 1])) --before;
    const bool starts = before == 0 || (!line_start_only && (line[before - 1] == '{' || line[before - 1] == ','));
    std::size_t after = at + key.size();
    while (after < line.size() && blank(line[after])) ++after;
    if (starts && after < line.size() && line[after] == '=') return at;
  }
  return std::string_view::npos;
}

/// "machine" for a line "[machine]" or "[[ job ]]"; nullopt for any other line.
std::optional<std::string_view> header_of(std::string_view line) {
  while (!line.empty() && blank(line.front())) line.remove_prefix(1);
  if (line.empty() || line.front() != '[') return std::nullopt;
  const std::size_t close = line.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view name = line.substr(0, close);
  while (!name.empty() && (name.front() == '[' || blank(name.front()))) name.remove_prefix(1);
  while (!name.empty() && blank(name.back())) name.remove_suffix(1);
  return name;
}

}  // namespace

std::optional<std::string> duplicate_key_message(std::string_view description, std::string_view toml_text, int line,
                                                 int& column) {
  constexpr std::string_view kRedefine = "cannot redefine existing ";
  const std::size_t said = description.find(kRedefine);
  if (said == std::string_view::npos) return std::nullopt;
  description.remove_prefix(said);  // after toml++'s "Error while parsing key-value pair: "
  const std::size_t open = description.find('\'');
  const std::size_t close = open == std::string_view::npos ? open : description.find('\'', open + 1);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view name = description.substr(open + 1, close - open - 1);
  const bool table_twice = description.substr(kRedefine.size(), 6) == "table " && description.substr(close + 1).empty();
  const bool header = table_twice || description.find("' as ") != std::string_view::npos;
  const std::vector<std::string_view> lines = split_lines(toml_text);
  if (line < 1 || static_cast<std::size_t>(line) > lines.size()) return std::nullopt;
  const std::string_view here = lines[static_cast<std::size_t>(line) - 1];
  // toml++ 3.3 garbles a quoted key's name ('"rurun"' for ["run"], '"tititle" ' for "title"):
  // read from the line instead, without its quotes.
  std::string unquoted;
  if (name.find_first_of("\"'") != std::string_view::npos) {
    const auto at_header = header_of(here);
    std::string_view key = at_header ? *at_header : here.substr(0, here.find('='));
    while (!key.empty() && (blank(key.front()) || key.front() == '"' || key.front() == '\'')) key.remove_prefix(1);
    while (!key.empty() && (blank(key.back()) || key.back() == '"' || key.back() == '\'')) key.remove_suffix(1);
    unquoted = std::string(key);
    name = unquoted;
  }

  int first = 0;  // the line it was set at first, 0 when not found
  if (!header) {
    // The duplicate is the last setting of the key on its line before the error; an inline
    // table's first one is earlier on that same line, a table's on a line above, below its header.
    const std::size_t limit = std::min(here.size(), static_cast<std::size_t>(std::max(column, 1)));
    std::size_t duplicate = std::string_view::npos;
    for (std::size_t at = key_at(here, name, 0, limit, false); at != std::string_view::npos;
         at = key_at(here, name, at + 1, limit, false)) {
      if (duplicate != std::string_view::npos) first = line;
      duplicate = at;
    }
    if (duplicate != std::string_view::npos) column = static_cast<int>(duplicate) + 1;
    const bool inline_table = duplicate != std::string_view::npos && here.rfind('{', duplicate) != std::string_view::npos;
    for (int n = line - 1; first == 0 && !inline_table && n >= 1; --n) {
      const std::string_view above = lines[static_cast<std::size_t>(n) - 1];
      if (header_of(above)) break;
      if (key_at(above, name, 0, above.size(), true) != std::string_view::npos) first = n;
    }
  } else {
    for (int n = 1; first == 0 && n < line; ++n) {
      const std::string_view above = lines[static_cast<std::size_t>(n) - 1];
      const auto h = header_of(above);
      if ((h && *h == name) || key_at(above, name, 0, above.size(), true) != std::string_view::npos) first = n;
    }
  }
  const std::string where = first > 0 ? fmt::format(" at line {}", first) : " above";
  // `[run]` after `[[run]]`, or before it: one bracket short, not a key set twice.
  const auto double_bracket = [](std::string_view text) {
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    return text.starts_with("[[");
  };
  if (header && first > 0 && header_of(here) && header_of(lines[static_cast<std::size_t>(first) - 1]) &&
      double_bracket(here) != double_bracket(lines[static_cast<std::size_t>(first) - 1])) {
    const auto form = [name](bool two) { return two ? fmt::format("[[{}]]", name) : fmt::format("[{}]", name); };
    // A scenario's lists of tables are its jobs and its runs; [machine] and the others are one each.
    const bool list = name == "job" || name == "run";
    const std::string expected = list ? fmt::format("[[{}]], with two brackets, for each {}", name, name)
                                      : fmt::format("[{}], with one bracket, once", name);
    return fmt::format("{} here and {} at line {} name the same table; expected {}", form(double_bracket(here)),
                       form(!double_bracket(here)), first, expected);
  }
  if (table_twice) return fmt::format("duplicate table [{}]; expected each table once; [{}] is already{}", name, name, where);
  return fmt::format("duplicate key '{}'; expected each key once; '{}' is already set{}", name, name, where);
}

}  // namespace gilsim::scenario
