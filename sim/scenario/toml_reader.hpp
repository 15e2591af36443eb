// Typed, checked access to the parsed TOML: every getter either returns a valid value
// or throws ScenarioError at the node's file:line:col (or at its `--set` override).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "sim/scenario/loader.hpp"

namespace gilsim::scenario {

/// A TOML value's origin label ("--set cores=2") mapped to the value text as written.
using OverrideTexts = std::map<std::string, std::string, std::less<>>;

class TomlReader {
 public:
  TomlReader(std::string source_name, const OverrideTexts& overrides)
      : source_name_(std::move(source_name)), overrides_(overrides) {}

  const std::string& source_name() const { return source_name_; }
  SourceLoc where(const toml::source_region& region) const;
  SourceLoc where(const toml::node& node) const { return where(node.source()); }

  /// True for the whole value of a `--set` override (not one nested in it), which is taken
  /// as written where a string is expected.
  bool from_override(const toml::node& node) const;

  /// Of two keys of one table that cannot stand together, the one an error is reported at:
  /// the one a `--set` added to the file's table (the user's change), else `later`.
  const toml::node& conflict_at(const toml::node& earlier, const toml::node& later) const {
    return from_override(earlier) && !from_override(later) ? earlier : later;
  }

  [[noreturn]] void fail(const toml::source_region& region, std::string message) const;
  [[noreturn]] void fail(const toml::node& node, std::string message) const { fail(node.source(), std::move(message)); }

  /// Throws on the first key (in file order) that is not in `allowed`, with a suggestion.
  /// `table_label` completes "unknown key 'x' ...": "in [machine]", "at the top level".
  /// A step's keys pass `step_kinds`, listed after a did-you-mean that suggests one of them
  /// ("did you mean 'cpu'? (a step's kind is one of: cpu, ...)").
  void check_keys(const toml::table& table, std::span<const std::string_view> allowed,
                  std::string_view table_label, std::span<const std::string_view> step_kinds = {}) const;

  /// The sub-table at `key`, or nothing when absent; throws when it is another type.
  const toml::table* table(const toml::table& parent, std::string_view key) const;
  /// The array at `key`, or nothing when absent; throws when it is another type.
  const toml::array* array(const toml::table& parent, std::string_view key, std::string_view example) const;

  std::optional<std::int64_t> integer(const toml::table& t, std::string_view key, std::int64_t min,
                                      std::int64_t max) const;
  std::int64_t integer(const toml::node& node, std::string_view key, std::int64_t min, std::int64_t max) const;
  std::optional<double> number(const toml::table& t, std::string_view key, double min, double max) const;
  double number(const toml::node& node, std::string_view key, double min, double max) const;
  std::optional<std::string> string(const toml::table& t, std::string_view key) const;
  std::optional<bool> boolean(const toml::table& t, std::string_view key) const;
  std::string string(const toml::node& node, std::string_view key) const;
  /// A string shown on one line (a title, a job's or a run's name): not empty, no line break
  /// or tab, which would break the tables, the lanes' labels and the program's comments.
  /// `example` completes "expected ...", e.g. "a name such as \"threads\"".
  std::optional<std::string> one_line(const toml::table& t, std::string_view key, std::string_view example) const;
  /// Any of the four duration forms.
  std::optional<Duration> duration(const toml::table& t, std::string_view key) const;
  Duration duration(const toml::node& node, std::string_view key) const;
  /// A fixed duration of at least `min`.
  std::optional<Time> fixed_duration(const toml::table& t, std::string_view key, Time min) const;
  /// The index of the value in `names` ("unknown executor 'x'; expected one of ...").
  std::optional<std::size_t> choice(const toml::table& t, std::string_view key,
                                    std::span<const std::string_view> names) const;
  std::size_t choice(const toml::node& node, std::string_view key, std::span<const std::string_view> names) const;

  /// Throws "'key' is missing in <table_label>; expected ..." at the table.
  [[noreturn]] void missing(const toml::table& t, std::string_view key, std::string_view table_label,
                            std::string_view expected) const;

 private:
  /// string(), its refusal of a control character ending "expected `expected`".
  std::string checked_string(const toml::node& node, std::string_view key, std::string_view expected) const;
  std::string source_name_;
  const OverrideTexts& overrides_;
};

/// "a string", "an integer", "a table": how a TOML type is named in messages.
std::string_view describe_type(toml::node_type type);

}  // namespace gilsim::scenario
