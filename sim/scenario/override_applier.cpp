// `--set key=value`: parsing the option, resolving its key (a dotted path or a shorthand)
// and writing the value into the parsed file before it is validated.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <limits>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "sim/scenario/name_suggestions.hpp"
#include "sim/scenario/override_keys.hpp"
#include "sim/scenario/scenario_keys.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/unicode_text.hpp"
#include "sim/scenario/value_syntax.hpp"

namespace gilsim::scenario {

namespace {

constexpr std::array<std::string_view, 6> kShorthands{"cores", "switch_interval", "gil", "seed", "workers", "jobs"};

bool is_number(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

std::vector<std::string_view> split_path(std::string_view key) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

/// One override being written; every node it adds carries its label as source path.
class OverrideWriter {
 public:
  OverrideWriter(const Override& o, OverrideTexts& texts)
      : override_(o), label_(fmt::format("{} {}={}", o.option, o.key, o.value)) {
    texts.emplace(label_, o.value);
  }

  [[noreturn]] void fail(const std::string& message) const { throw ScenarioError(SourceLoc{label_, 0, 0}, message); }

  /// Writes the value at `key` of `t`, replacing what the file had there.
  void set(toml::table& t, std::string_view key) const {
    toml::table holder = parse_value();
    t.insert_or_assign(labelled_key(key), std::move(*holder.get("v")));
  }

  /// Follows `path` (all but the last part) from the root, creating missing tables.
  toml::table& parent_of(toml::table& root, const std::vector<std::string_view>& path) const {
    toml::table* current = &root;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      toml::node* child = current->get(path[i]);
      // The key up to this part, as given ("job.1.steps"; a job named "mysteps" is no prefix).
      const std::string whole = fmt::format("{}", fmt::join(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(i) + 1, "."));
      if (child == nullptr) {
        // An element number of a list of numbers the file does not hold
        // (machine.core_speeds.1): no table is made up for it. Any other key is left to the
        // reader's unknown-key check, with its "did you mean".
        if (is_number(path[i + 1]) &&
            std::find(kNumberListKeys.begin(), kNumberListKeys.end(), path[i]) != kNumberListKeys.end()) {
          fail(fmt::format("the file has no '{}' to take element {} of; expected the whole list, such as {}=[...]", path[i],
                           path[i + 1], whole));
        }
        // A key of one value (costs.increment.1): no table is made up for its parts either.
        if (takes_one_value(path[i])) {
          fail(fmt::format("'{}' takes one value, not parts; expected {}=VALUE", path[i], whole));
        }
        toml::table holder = parse_labelled("v = {}");
        child = &current->insert_or_assign(labelled_key(path[i]), std::move(*holder.get("v"))).first->second;
      }
      // Inside a [[job]] or [[run]], an array is reached by element number (job.1.steps.2.io).
      const bool numbered = i + 2 < path.size() && is_number(path[i + 1]);
      if (child->is_array() && current != &root && !numbered) {
        const toml::array& list = *child->as_array();
        const bool of_tables = !list.empty() && list.front().is_table();
        if (!of_tables) fail(fmt::format("'{}' is a list of values, set as a whole; expected {}=[...]", path[i], whole));
        fail(fmt::format("'{}' is an array, set as a whole or by element number; expected {}=[...] or {}.1.key", path[i],
                         whole, whole));
      }
      if (child->is_array()) {
        if (i + 2 == path.size() && !is_number(path[i + 1]) && !named_element(*child->as_array(), path[i + 1])) {
          // job.count: a key of no [[job]] in particular.
          fail(fmt::format("'{}' names no [[{}]]; expected a [[{}]]'s number or name before the key, such as {}.1.{}",
                           override_.key, path[i], path[i], path[i], path[i + 1]));
        }
        if (i + 2 == path.size()) {
          // A key every [[run]] takes (a run has no count).
          const std::string_view inside = path[i] == "run" ? "cores" : "count";
          fail(fmt::format("'{}' names a whole [[{}]]; expected a key inside it, such as {}.{}.{}",
                           override_.key, path[i], path[i], path[i + 1], inside));
        }
        current = &element(*child->as_array(), path[i], path[i + 1]);
        ++i;
      } else if (child->is_table()) {
        current = child->as_table();
      } else {
        fail(fmt::format("'{}' is {}, not a table; expected a key such as machine.cores or job.1.count",
                         path[i], describe_type(child->type())));
      }
    }
    return *current;
  }

 private:
  toml::table parse_labelled(const std::string& text) const { return toml::parse(text, label_); }

  /// The value as TOML ("2", "[...]", "{...}", "\"x\""), or else as a plain string.
  toml::table parse_value() const {
    const std::string as_toml = "v = " + override_.value;
    try {
      // Non-ASCII outside quotes is not TOML, and toml++ 3.3 must not see it, nor a key of
      // thousands of parts (a value with a line break holds keys: ascii_check.cpp).
      if (first_non_ascii_outside_strings(as_toml) == std::string::npos &&
          first_dot_past_key_parts(as_toml) == std::string::npos) {
        toml::table t = parse_labelled(as_toml);
        if (t.size() == 1 && t.contains("v")) return t;
      }
    } catch (const toml::parse_error& e) {
      // What can only be meant as TOML is not taken as text: "[{cpu="1ms"}" (its bracket
      // missing) and 18446744073709551615 (past TOML's integers) were said to be "a string".
      const std::string_view value = trim(override_.value);
      if (!value.empty() && (value.front() == '[' || value.front() == '{')) {
        const bool array = value.front() == '[';
        fail(fmt::format("the value is not a whole TOML {} ({}); expected one written whole, from '{}' to its '{}'",
                         array ? "array" : "inline table", e.description(), array ? '[' : '{', array ? ']' : '}'));
      }
      const bool negative = !value.empty() && value.front() == '-';
      const std::string_view digits = value.substr(!value.empty() && (negative || value.front() == '+'));
      if (!digits.empty() && digits.find_first_not_of("0123456789_") == std::string_view::npos) {
        fail(negative ? fmt::format("the value {} is past the smallest integer TOML holds; expected at least {}", value,
                                    std::numeric_limits<std::int64_t>::min())
                      : fmt::format("the value {} is past the largest integer TOML holds; expected at most {}", value,
                                    std::numeric_limits<std::int64_t>::max()));
      }
    }
    std::ostringstream quoted;
    quoted << toml::table{{"v", override_.value}};
    try {
      return parse_labelled(quoted.str());
    } catch (const toml::parse_error& e) {
      fail(fmt::format("the value cannot be read ({}); expected plain text or a TOML value", e.description()));
    }
  }

  toml::key labelled_key(std::string_view name) const {
    toml::source_region region;
    region.path = std::make_shared<const std::string>(label_);
    return toml::key(name, std::move(region));
  }

  /// The element of a list of tables named by `which`: a number from 1, or, in a [[job]] or
  /// [[run]] list, a name (a job's steps have none: a name there is refused before this).
  /// A key that holds one value wherever it appears ([costs], [machine], [python], a [[run]]),
  /// not a table nor a list.
  static bool takes_one_value(std::string_view key) {
    const auto in = [&](const auto& keys) { return std::find(keys.begin(), keys.end(), key) != keys.end(); };
    return !in(kNumberListKeys) && (in(kCostKeys) || in(kMachineKeys) || in(kPythonKeys) || in(kRunKeys));
  }

  /// The [[job]] or [[run]] of `list` named `which` (a run without a name goes by its
  /// executor's), or null.
  static toml::node* named_element(toml::array& list, std::string_view which) {
    toml::node* found = nullptr;
    for (toml::node& candidate : list) {
      const toml::table* t = candidate.as_table();
      if (t == nullptr) continue;
      const toml::node* name = t->contains("name") ? t->get("name") : t->get("executor");
      if (name != nullptr && name->value<std::string>() == which) found = &candidate;
    }
    return found;
  }

  toml::table& element(toml::array& list, std::string_view list_name, std::string_view which) const {
    const bool named = list_name == "job" || list_name == "run";
    // "steps" -> "step 2"; "job" stays "job 2".
    const std::string_view one = list_name.ends_with('s') ? list_name.substr(0, list_name.size() - 1) : list_name;
    toml::node* found = nullptr;
    if (is_number(which)) {
      const std::size_t n = which.size() > 9 ? 0 : std::stoul(std::string(which));
      if (n == 0 || n > list.size()) {
        fail(fmt::format("there is no {} {}; expected a number from 1 to {}{}", one, which, list.size(),
                         named ? fmt::format(" (or a {} name)", list_name) : ""));
      }
      found = list.get(n - 1);
    } else {
      found = named_element(list, which);
      if (found == nullptr) {
        fail(fmt::format("no [[{}]] is named '{}'; expected a name from the file or a number from 1 to {}",
                         list_name, which, list.size()));
      }
    }
    if (!found->is_table()) fail(fmt::format("{} {} is not a table; expected [[{}]] tables", list_name, which, list_name));
    return *found->as_table();
  }

  Override override_;
  std::string label_;
};

/// Sets `key` in every element of the list `list_name` that `wanted` accepts; returns how many.
template <typename Predicate>
int set_in_each(const OverrideWriter& writer, toml::table& root, std::string_view list_name, std::string_view key,
                Predicate wanted) {
  int written = 0;
  if (toml::array* list = root[list_name].as_array()) {
    for (toml::node& element : *list) {
      if (toml::table* t = element.as_table(); t != nullptr && wanted(*t)) {
        writer.set(*t, key);
        ++written;
      }
    }
  }
  return written;
}

void apply_one(toml::table& root, const Override& o, OverrideTexts& texts) {
  const OverrideWriter writer(o, texts);
  if (o.key == "workers") {
    const int n = set_in_each(writer, root, "run", "workers", [](const toml::table& run) {
      const auto executor = run["executor"].value<std::string>();
      return executor == "thread_pool" || executor == "process_pool" || executor == "process_pool_executor";
    });
    if (n == 0) {
      writer.fail("the scenario has no thread_pool, process_pool or process_pool_executor run; expected at least one "
                  "to set workers on");
    }
    return;
  }
  if (o.key == "jobs") {
    if (set_in_each(writer, root, "job", "count", [](const toml::table&) { return true; }) == 0) {
      writer.fail("the scenario has no [[job]]; expected at least one to set the count of");
    }
    return;
  }
  if (auto problem = override_key_problem(o.key)) writer.fail(*problem);
  const std::string path_text = override_path(o.key);
  const std::vector<std::string_view> path = split_path(path_text);
  writer.set(writer.parent_of(root, path), path.back());
}

}  // namespace

std::string override_path(std::string_view key) {
  if (key == "cores") return "machine.cores";
  if (key == "switch_interval") return "python.switch_interval";
  if (key == "gil") return "python.gil";
  return std::string(key);
}

std::optional<std::string> override_key_problem(std::string_view key) {
  const std::string_view first = split_path(key).front();
  const bool is_shorthand = std::find(kShorthands.begin(), kShorthands.end(), first) != kShorthands.end();
  if (is_shorthand && first != key && first != "seed") {
    return fmt::format("'{}' is a shorthand and has no parts; expected {}=value, or a path such as machine.cores",
                       first, first);
  }
  if (std::find(kShorthands.begin(), kShorthands.end(), key) == kShorthands.end() &&
      std::find(kTopKeys.begin(), kTopKeys.end(), first) == kTopKeys.end()) {
    std::vector<std::string_view> names(kShorthands.begin(), kShorthands.end());
    names.insert(names.end(), kTopKeys.begin(), kTopKeys.end());
    std::string message = fmt::format("unknown key '{}'; expected a shorthand ({}) or a dotted path into the "
                                      "file, such as machine.cores", first, join_names(kShorthands));
    if (auto near = closest_name(first, names)) message += fmt::format("; did you mean '{}'?", *near);
    return message;
  }
  const std::vector<std::string_view> path = split_path(key);
  if (std::any_of(path.begin(), path.end(), [](std::string_view p) { return p.empty(); })) {
    return fmt::format("'{}' has an empty part; expected a dotted path such as machine.cores", key);
  }
  return std::nullopt;
}

Override parse_override(std::string_view text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    throw ScenarioError(SourceLoc{"--set", 0, 0},
                        fmt::format("'{}' has no '='; expected key=value, such as cores=2", text));
  }
  Override o{std::string(trim(text.substr(0, equals))), std::string(trim(text.substr(equals + 1)))};
  if (o.key.empty()) {
    throw ScenarioError(SourceLoc{"--set", 0, 0},
                        fmt::format("'{}' has no key before '='; expected key=value, such as cores=2", text));
  }
  // Bytes that are not UTF-8 were dropped on the way into TOML ("caf\xe9" became "caf"); a
  // file with them is refused too.
  if (first_invalid_utf8(text) != std::string_view::npos) {
    // Named by its key alone: the bytes themselves would be echoed to the terminal as they are.
    const bool key_readable = first_invalid_utf8(o.key) == std::string_view::npos;
    throw ScenarioError(SourceLoc{key_readable ? fmt::format("--set {}=...", o.key) : std::string("--set"), 0, 0},
                        "the value holds bytes that are not UTF-8 (a terminal set to Latin-1?); expected UTF-8 text");
  }
  return o;
}

void apply_overrides(toml::table& root, const std::vector<Override>& overrides, OverrideTexts& texts) {
  for (const Override& o : overrides) apply_one(root, o, texts);
}

}  // namespace gilsim::scenario
