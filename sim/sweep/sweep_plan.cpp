// Checking a sweep before it runs, and naming its grid points.
#include "sim/sweep/sweep_plan.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/name_suggestions.hpp"
#include "sim/scenario/override_keys.hpp"
#include "sim/scenario/override_reach.hpp"
#include "sim/scenario/value_in_force.hpp"
#include "sim/scenario/value_syntax.hpp"
#include "sim/trace/time.hpp"
#include "sim/sweep/sweep_metric.hpp"

namespace gilsim::sweep {

std::size_t SweepPlan::points() const {
  std::size_t n = 1;
  for (const Axis& axis : axes) n *= axis.size();
  return n;
}

std::int64_t SweepPlan::simulations() const {
  const bool baseline_shown = !runs.empty() && runs.front() == 0;
  const auto per_task = static_cast<std::int64_t>(runs.size()) + (baseline_shown ? 0 : 1);
  return static_cast<std::int64_t>(tasks()) * per_task;
}

std::vector<std::size_t> SweepPlan::coordinates(std::size_t point) const {
  std::vector<std::size_t> at(axes.size());
  for (std::size_t a = axes.size(); a-- > 0;) {
    at[a] = point % axes[a].size();
    point /= axes[a].size();
  }
  return at;
}

std::vector<scenario::Override> SweepPlan::overrides_at(std::size_t point) const {
  std::vector<scenario::Override> all = base_overrides;
  const auto at = coordinates(point);
  for (std::size_t a = 0; a < axes.size(); ++a) {
    for (std::size_t k = 0; k < axes[a].keys.size(); ++k) {
      all.push_back(scenario::Override{axes[a].keys[k], axes[a].values[k][at[a]], "--vary"});
    }
  }
  return all;
}

std::string SweepPlan::point_label(std::size_t point, std::size_t from) const {
  const auto at = coordinates(point);
  std::string out;
  for (std::size_t a = from; a < axes.size(); ++a) {
    out += fmt::format("{}{}={}", out.empty() ? "" : ", ", axes[a].keys.front(), axes[a].values.front()[at[a]]);
  }
  return out;
}

std::string SweepPlan::point_text(std::size_t point, std::size_t from) const {
  const auto at = coordinates(point);
  std::string out;
  for (std::size_t a = from; a < axes.size(); ++a) {
    out += fmt::format("{}{} = {}", out.empty() ? "" : ", ", axes[a].name.empty() ? axes[a].keys.front() : axes[a].name,
                       axes[a].shown(0, at[a]));
  }
  return out;
}

namespace {

/// A value of the wrong kind for its key, said by what the value is: --set's "'workers' is a
/// string; expected an integer from 1 to 10000" for --vary workers=1ms read as if the key were
/// text. "'1ms' is a duration; workers takes a whole number: expected an integer from 1 to 10000".
/// Other refusals are returned as they are.
scenario::ScenarioError reworded(const scenario::ScenarioError& e, const std::string& key, const std::string& value) {
  const std::string& m = e.message();
  const std::size_t is = m.find("' is a string; expected ");
  if (e.where().line != 0 || !m.starts_with("'") || is == std::string::npos) return e;
  const std::string expected = m.substr(is + std::string_view("' is a string; expected ").size());
  std::string wanted;
  if (expected.starts_with("an integer")) wanted = "a whole number";
  else if (expected.starts_with("a number") || expected.starts_with("a decimal")) wanted = "a number";
  else return e;
  const bool duration = scenario::parse_time(value).ok();
  return scenario::ScenarioError(e.where(), fmt::format("'{}' is {}; {} takes {}: expected {}", value,
                                                        duration ? "a duration" : "not a number", key, wanted,
                                                        expected));
}

/// Rethrows a value's refusal with the value first where the refusal names a place in the
/// file: "20-sweep-pool-size.toml:49:16: 'start_method' does not apply to thread_pool runs"
/// alone read as if the lesson's file were wrong. A refusal of the --vary option itself
/// names the value already.
[[noreturn]] void refuse_at(const scenario::ScenarioError& e, const std::string& values) {
  if (e.where().line == 0) throw e;
  throw scenario::ScenarioError(scenario::SourceLoc{}, fmt::format("at {}: {}", values, e.what()));
}

}  // namespace

scenario::Scenario SweepPlan::scenario_at(std::size_t point, int seed) const {
  try {
    scenario::Scenario s = file.load(overrides_at(point));
    s.seed += static_cast<std::uint64_t>(seed);
    return s;
  } catch (const scenario::ScenarioError& e) {
    refuse_at(e, point_label(point));
  }
}

std::string name_stated(const scenario::Scenario& written, const scenario::Scenario& s, const scenario::Run& run) {
  std::vector<std::string> said;
  // The pool's size or the threads' count, as gilsim run's "(now ...)" says it.
  if (std::string words = scenario::size_in_force(written, s, run); words.starts_with("now ")) {
    said.push_back(std::move(words));
  }
  for (scenario::StatedSetting& setting : scenario::stated_settings(written, s, run)) said.push_back(std::move(setting.words));
  std::string out;
  for (const std::string& w : said) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::int64_t estimate_simulation_bytes(const scenario::Scenario& s) {
  // A step leaves a few spans (thread, core, GIL) and marks of ~48 bytes each in the trace.
  constexpr std::int64_t kBytesPerStep = 6 * 48;
  constexpr std::int64_t kBytesPerJob = 512;
  std::int64_t bytes = 64 * 1024;
  for (const auto& job : s.jobs) {
    bytes += job.count * (kBytesPerJob + kBytesPerStep * static_cast<std::int64_t>(job.steps.size()));
  }
  return bytes;
}

namespace {

/// Whether runs `a` and `b` of `s` run alike: the same executor and method with the same
/// effective settings (their names aside).
bool run_alike(const scenario::Scenario& s, const scenario::Run& a, const scenario::Run& b) {
  if (a.executor != b.executor || a.method != b.method) return false;
  const scenario::EffectiveSettings x = scenario::effective_settings(s, a);
  const scenario::EffectiveSettings y = scenario::effective_settings(s, b);
  return x.cores == y.cores && x.gil == y.gil && x.switch_interval == y.switch_interval && x.workers == y.workers &&
         x.start_method == y.start_method && x.chunksize == y.chunksize;
}

/// Each shown run alike at every grid point with the baseline or an earlier shown run (the
/// first such one).
std::vector<SweepPlan::RepeatedRun> repeated_runs(const SweepPlan& plan, const scenario::Scenario& base) {
  std::vector<std::size_t> compared = plan.runs;  // indices of the scenario's runs, the baseline first
  if (compared.empty() || compared.front() != 0) compared.insert(compared.begin(), 0);
  std::vector<std::pair<std::size_t, std::size_t>> alike;  // positions in `compared` (later, earlier) still alike
  for (std::size_t later = 1; later < compared.size(); ++later) {
    for (std::size_t earlier = 0; earlier < later; ++earlier) alike.emplace_back(later, earlier);
  }
  for (std::size_t point = 0; point < plan.points() && !alike.empty(); ++point) {
    const scenario::Scenario s = plan.scenario_at(point, 0);
    std::erase_if(alike, [&](const auto& pair) {
      return !run_alike(s, s.runs.at(compared[pair.first]), s.runs.at(compared[pair.second]));
    });
  }
  std::vector<SweepPlan::RepeatedRun> out;
  for (const auto& [later, earlier] : alike) {
    const std::string& name = base.runs.at(compared[later]).name;
    if (out.empty() || out.back().run != name) out.push_back({name, base.runs.at(compared[earlier]).name});
  }
  return out;
}

}  // namespace

SweepPlan make_plan(const SweepRequest& request) {
  SweepPlan plan;
  plan.source_name = request.file.empty() ? "<default>" : request.file;
  plan.file = request.file.empty() ? scenario::ParsedScenario::from_default()
                                    : scenario::ParsedScenario::from_file(request.file);
  for (const auto& text : request.overrides) plan.base_overrides.push_back(scenario::parse_override(text));
  const scenario::Scenario base = plan.file.load(plan.base_overrides);
  plan.title = base.title;
  plan.baseline = base.runs.front().name;
  check_metric(request.metric, base, request.metric_option);
  plan.metric = request.metric;
  plan.has_counters = !base.counters.empty();
  if (request.vary.empty()) {
    throw scenario::ScenarioError(scenario::SourceLoc{request.option, 0, 0},
                                  fmt::format("a sweep needs at least one; expected {0} KEY=VALUES, such as {0} "
                                              "workers=1..16", request.option));
  }
  for (const auto& text : request.vary) plan.axes.push_back(parse_axis(text, request.option));
  // A key no value can fix is named alone ("--vary wrk: unknown key"), not with its first value;
  // a value varied twice would keep only the later key's values, whatever the grid says.
  std::map<std::string, std::string> varied;  // path -> the key that varies it
  for (const Axis& axis : plan.axes) {
    for (const std::string& key : axis.keys) {
      if (auto problem = scenario::override_key_problem(key)) {
        throw scenario::ScenarioError(scenario::SourceLoc{request.option + " " + key, 0, 0}, *problem);
      }
      const auto [at, added] = varied.emplace(scenario::override_path(key), key);
      if (!added) {
        const std::string again = at->second == key ? "twice" : fmt::format("already, as '{}'", at->second);
        throw scenario::ScenarioError(scenario::SourceLoc{request.option + " " + key, 0, 0},
                                      fmt::format("'{}' is varied {}; expected each value varied once", key, again));
      }
    }
  }
  if (request.seeds < 1) throw scenario::ScenarioError(scenario::SourceLoc{"--seeds", 0, 0}, "expected 1 or more");
  // The extra seeds follow the scenario's: each must be one a --set seed= can give again.
  constexpr std::uint64_t kLargestSeed = std::numeric_limits<std::int64_t>::max();
  if (base.seed > kLargestSeed - static_cast<std::uint64_t>(request.seeds - 1)) {
    throw scenario::ScenarioError(
        scenario::SourceLoc{fmt::format("--seeds {}", request.seeds), 0, 0},
        fmt::format("the seeds after the scenario's {} would pass the largest seed, {}; expected a seed of at most {}",
                    base.seed, kLargestSeed, kLargestSeed - static_cast<std::uint64_t>(request.seeds - 1)));
  }
  // The same for seeds a --vary gives: their extra seeds must stay within the largest.
  for (const Axis& axis : plan.axes) {
    for (std::size_t k = 0; k < axis.keys.size(); ++k) {
      if (scenario::override_path(axis.keys[k]) != "seed") continue;
      for (const std::string& value : axis.values[k]) {
        std::uint64_t seed = 0;
        const auto [at, error] = std::from_chars(value.data(), value.data() + value.size(), seed);
        if (error != std::errc{} || at != value.data() + value.size()) continue;  // refused as a seed later
        if (seed > kLargestSeed - static_cast<std::uint64_t>(request.seeds - 1)) {
          throw scenario::ScenarioError(
              scenario::SourceLoc{fmt::format("{} {}={}", request.option, axis.keys[k], value), 0, 0},
              fmt::format("with --seeds {} the seeds after {} would pass the largest seed, {}; expected a seed of at "
                          "most {}",
                          request.seeds, value, kLargestSeed, kLargestSeed - static_cast<std::uint64_t>(request.seeds - 1)));
        }
      }
    }
  }
  plan.seeds = request.seeds;
  plan.runs = request.runs;
  if (plan.runs.empty()) {
    for (std::size_t r = 0; r < base.runs.size(); ++r) plan.runs.push_back(r);
  }
  for (const std::size_t r : plan.runs) plan.run_names.push_back(base.runs.at(r).name);

  // Counted in doubles: a product of many axes could overflow before it is refused.
  double points = 1.0;
  for (const Axis& axis : plan.axes) points *= static_cast<double>(axis.size());
  const bool baseline_shown = plan.runs.front() == 0;
  const std::size_t per_task = plan.runs.size() + (baseline_shown ? 0 : 1);
  const double simulations = points * plan.seeds * static_cast<double>(per_task);
  if (simulations > static_cast<double>(kMaxSimulations)) {
    // Only what the caller offers: the viewer has no --run, and draws every run.
    std::vector<std::string> ways{"vary fewer values or fewer keys"};
    if (plan.seeds > 1) ways.push_back(fmt::format("use fewer seeds ({})", request.seeds_option));
    if (!request.runs_option.empty()) ways.push_back(fmt::format("choose runs with {}", request.runs_option));
    std::string how = ways.front();
    for (std::size_t n = 1; n < ways.size(); ++n) how += (n + 1 == ways.size() ? ", or " : ", ") + ways[n];
    throw SweepRefused(fmt::format("the sweep asks for {:.0f} simulations ({:.0f} grid points x {} seed{} x {} "
                                   "run{}{}); the limit is {} simulations: {}",
                                   simulations, points, plan.seeds, plan.seeds == 1 ? "" : "s", per_task,
                                   per_task == 1 ? "" : "s", baseline_shown ? "" : " with the baseline",
                                   kMaxSimulations, how));
  }
  // Every value alone, as --set would take it: the first refused value stops the sweep.
  std::int64_t largest = estimate_simulation_bytes(base);
  const scenario::Scenario written = plan.file.load();  // the file as it is: what the names state
  plan.name_varied.assign(plan.runs.size(), std::string());
  for (const Axis& axis : plan.axes) {
    std::vector<std::optional<std::string>> stated(plan.runs.size());  // per shown run, at the first value
    for (std::size_t i = 0; i < axis.size(); ++i) {
      std::vector<scenario::Override> overrides = plan.base_overrides;
      for (std::size_t k = 0; k < axis.keys.size(); ++k) {
        overrides.push_back(scenario::Override{axis.keys[k], axis.values[k][i], request.option});
      }
      const scenario::Scenario at_value = [&] {
        try {
          return plan.file.load(overrides);
        } catch (const scenario::ScenarioError& e) {
          // The key whose value was refused: the message names it ("'count' is a string").
          std::size_t k = 0;
          for (std::size_t j = 0; j < axis.keys.size(); ++j) {
            if (e.where().file.find(" " + axis.keys[j] + "=") != std::string::npos) k = j;
          }
          refuse_at(reworded(e, axis.keys[k], axis.values[k][i]),
                    fmt::format("{}={}", axis.keys.front(), axis.values.front()[i]));
        }
      }();
      // The shown runs and the baseline are the base scenario's: a value that replaces the
      // runs (--vary run=[...]) would leave a grid point without some of them.
      if (at_value.runs.size() != base.runs.size()) {
        throw scenario::ScenarioError(
            scenario::SourceLoc{axis.option, 0, 0},
            fmt::format("value {} gives {} run{} where the scenario has {}; expected the same runs at every grid "
                        "point: vary a key inside a run, such as run.1.workers",
                        i + 1, at_value.runs.size(), at_value.runs.size() == 1 ? "" : "s", base.runs.size()));
      }
      largest = std::max(largest, estimate_simulation_bytes(at_value));
      for (std::size_t k = 0; k < plan.runs.size(); ++k) {
        const std::string words = name_stated(written, at_value, at_value.runs.at(plan.runs[k]));
        if (!stated[k]) stated[k] = words;
        if (*stated[k] != words && plan.name_varied[k].empty()) plan.name_varied[k] = axis.label();
      }
    }
  }
  plan.bytes_per_simulation = largest;
  plan.repeated_runs = repeated_runs(plan, base);
  // An axis of the GIL or the version gives the runs other GILs at other points: a switch
  // interval varied beside gil=old,new reached the new-GIL points, said to change no run.
  bool gil_varied = false;
  for (const Axis& axis : plan.axes) {
    for (const std::string& key : axis.keys) {
      const std::string path = scenario::override_path(key);
      gil_varied = gil_varied || path == "python.gil" || path == "python.version" || path.ends_with(".gil");
    }
  }
  const auto gils = gil_varied ? scenario::GilsKnown::No : scenario::GilsKnown::Yes;
  for (const scenario::Override& o : plan.base_overrides) {
    if (auto missed = scenario::runs_an_override_misses(base, o, gils)) plan.missed_runs.push_back(*missed);
  }
  for (const Axis& axis : plan.axes) {
    for (std::size_t k = 0; k < axis.keys.size(); ++k) {
      const scenario::Override varied{axis.keys[k], fmt::format("{}", fmt::join(axis.values[k], ",")), "--vary"};
      if (auto missed = scenario::runs_an_override_misses(base, varied, gils)) plan.missed_runs.push_back(*missed);
    }
  }
  const std::int64_t at_once = largest * std::max(1, request.jobs);
  if (at_once > kMemoryBudgetBytes) {
    // One at a time already, fewer --jobs cannot help: said only where they can.
    const int jobs = std::max(1, request.jobs);
    throw SweepRefused(fmt::format("the sweep would hold about {} MiB at once ({} simulation{} at once of about {} MiB "
                                   "each); the memory budget is {} MiB: use {}a smaller scenario",
                                   at_once >> 20, jobs, jobs == 1 ? "" : "s", largest >> 20, kMemoryBudgetBytes >> 20,
                                   jobs == 1 ? "" : "fewer --jobs or "));
  }
  return plan;
}

std::vector<std::string> alike_runs_notes(const SweepPlan& plan) {
  std::vector<std::string> out = plan.missed_runs;
  std::vector<std::string> done;
  for (const auto& first : plan.repeated_runs) {
    if (std::find(done.begin(), done.end(), first.same_as) != done.end()) continue;
    done.push_back(first.same_as);
    std::vector<std::string> alike;
    for (const auto& r : plan.repeated_runs) {
      if (r.same_as == first.same_as) alike.push_back(r.run);
    }
    out.push_back(fmt::format("{} run{} as '{}' at every point: the varied value{} set{} them alike, and the same "
                              "settings give the same figures{}. Vary one run's own key (run.NAME.KEY) to compare them.",
                              scenario::quoted_and_list(alike), alike.size() == 1 ? "s" : "", first.same_as,
                              plan.axes.size() == 1 ? "" : "s", plan.axes.size() == 1 ? "s" : "",
                              first.same_as == plan.baseline ? ": the speed-up against it is 1.00x" : ""));
  }
  return out;
}

}  // namespace gilsim::sweep
