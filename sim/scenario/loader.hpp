// Reading scenario files: TOML in, a validated Scenario out, or a ScenarioError that says
// file:line:col, what is wrong and what was expected.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace gilsim::scenario {

/// Steps held by all job templates together, after `repeat` is expanded (memory bound).
inline constexpr std::int64_t kMaxStepsInScenario = 2'000'000;
/// The jobs' durations one after another (what a sequential run takes), all templates
/// together: about 31.7 years. The model's clock counts nanoseconds in 64 bits (292 years),
/// and every run's waits, overheads and drawn tails must fit beside its work.
inline constexpr Time kMaxWorkInScenario = Time{1'000'000'000'000'000'000};
/// A scenario file larger than this is refused before it is parsed.
inline constexpr std::int64_t kMaxScenarioFileBytes = 4 << 20;

/// A problem in a scenario file or an override. what() is the full one-line message:
/// "scenarios/x.toml:12:9: unknown key 'cors' in [machine]; did you mean 'cores'?"
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(SourceLoc where, const std::string& message);
  const SourceLoc& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  SourceLoc where_;
  std::string message_;
};

/// A `--set key=value` override, applied before validation so it is checked like the file.
/// Keys: any dotted path of the file ("machine.cores", "python.switch_interval"; a [[job]] or
/// [[run]] by number from 1 or by name: "job.1.count", "run.threads.cores"; an array inside
/// one by element number: "job.1.steps.2.io"), plus the
/// shorthands "cores", "switch_interval", "gil", "workers" (every thread_pool and process_pool
/// run), "jobs" (the count of every job template) and "seed". The value is read as TOML when
/// it parses ("2", "[...]"), else as a string ("1ms"); where a string is expected, the value
/// is taken as written ("3.10").
struct Override {
  std::string key;
  std::string value;
  std::string option = "--set";  ///< names the override in errors: "--set cores=0: ..."
};
/// Parses "key=value"; throws ScenarioError (file "--set") when there is no '='.
Override parse_override(std::string_view text);

/// `text` with control characters written as escapes (\n, \t, \x1b): safe to print on a
/// terminal, on one line; past 1,000 characters, its first 600 and last 300 with how many were
/// left out between them. Every ScenarioError's what() is made of it.
std::string printable(std::string_view text);

/// Throws ScenarioError at the first byte above 0x7f outside a string or a comment: TOML
/// allows none there, and toml++ 3.3 misbehaves on some (undefined behaviour) instead of
/// reporting them.
void check_ascii_outside_strings(std::string_view toml_text, std::string_view source_name);
/// The index of that byte, or npos.
std::size_t first_non_ascii_outside_strings(std::string_view toml_text);
/// Throws ScenarioError at the dot that makes a key longer than kMostKeyParts parts: toml++
/// 3.3 recurses once per part, and overflowed the stack on a key 50,000 parts deep.
constexpr int kMostKeyParts = 100;
void check_key_parts(std::string_view toml_text, std::string_view source_name);
/// The index of that dot, or npos.
std::size_t first_dot_past_key_parts(std::string_view toml_text);

/// For toml++'s "cannot redefine existing ..." at line:column of `toml_text`: the message
/// that names the line where the key or table was first set ("duplicate key 'x'; expected
/// each key once; 'x' is already set at line N"), and `column` moved to the duplicate's
/// name when it is found on its line; nullopt for any other parse error.
std::optional<std::string> duplicate_key_message(std::string_view description, std::string_view toml_text, int line,
                                                 int& column);

/// Throws ScenarioError for a file that cannot be read, is not a regular file, is larger than
/// kMaxScenarioFileBytes, bad TOML, or an invalid scenario.
Scenario load_file(const std::filesystem::path& path, const std::vector<Override>& overrides = {});
/// The text load_file() parses: throws ScenarioError, as it does, for a file that cannot be
/// read, is not a regular file or is larger than kMaxScenarioFileBytes.
std::string read_scenario_file(const std::filesystem::path& path);
Scenario load_string(std::string_view toml_text, std::string_view source_name,
                     const std::vector<Override>& overrides = {});
/// load_string() when `jobs` are the jobs reading `toml_text` gave with overrides of the cores,
/// the switch interval and the workers alone (the viewer's knobs that leave the jobs): taken
/// as they are, not read and their repeat blocks expanded again, when `overrides` too are of
/// those alone and no job is pinned to CPUs (the one part of a job the cores are checked
/// against); else the jobs are read as load_string reads them. The same scenario, and the
/// same errors, as load_string(toml_text, source_name, overrides).
Scenario load_string_with_jobs(std::string_view toml_text, std::string_view source_name,
                               const std::vector<Override>& overrides, std::vector<JobTemplate> jobs);
/// Whether load_string_with_jobs takes `jobs` as they are under `overrides`.
bool jobs_kept_under(const std::vector<JobTemplate>& jobs, const std::vector<Override>& overrides);
/// The default scenario, compiled into every program.
Scenario load_default(const std::vector<Override>& overrides = {});
std::string_view embedded_default_text();

/// A scenario file read and parsed once, then loaded with different overrides as often as
/// needed (a sweep's grid points): each load copies the parsed file instead of parsing it
/// again, and checks it as load_string does, with the same errors. The copy has no line
/// and column, so the loaded jobs', runs', locks' and counters' `where` name the file alone.
/// Cheap to copy; safe to share between threads.
class ParsedScenario {
 public:
  ParsedScenario() = default;  ///< none yet: load() throws std::logic_error until one is assigned
  /// Throws ScenarioError as load_string and load_file do for text that is not TOML.
  static ParsedScenario from_text(std::string_view toml_text, std::string_view source_name);
  static ParsedScenario from_file(const std::filesystem::path& path);
  static ParsedScenario from_default();

  const std::string& source_name() const;
  /// Throws ScenarioError as load_string does.
  Scenario load(const std::vector<Override>& overrides = {}) const;

  struct Parsed;  ///< the TOML table, kept out of this header

 private:
  explicit ParsedScenario(std::shared_ptr<const Parsed> parsed) : parsed_(std::move(parsed)) {}
  std::shared_ptr<const Parsed> parsed_;
};

/// Where an installed program finds its data folder `name` ("scenarios", "assets"),
/// relative to itself: ../share/gilsim/NAME (as `cmake --install` and the Debian package
/// lay it out), then NAME next to the binary. The caller adds the source tree's folder last.
std::vector<std::filesystem::path> installed_data_folders(std::string_view name);

/// The bundled scenario files (*.toml, sorted) from the first folder that exists: the
/// installed_data_folders("scenarios"), then the source tree's scenarios/. Empty when none exists.
std::vector<std::filesystem::path> bundled_scenarios();

}  // namespace gilsim::scenario
