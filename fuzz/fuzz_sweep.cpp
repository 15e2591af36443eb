// libFuzzer target: a scenario file with command-line options in comment lines of its own,
// as `gilsim run FILE --set ...` and `gilsim sweep FILE --set ... --vary ...` take them:
//   #set KEY=VALUE     an override (any number)
//   #vary KEY=VALUES   an axis of a sweep (any number; none: the input is a `gilsim run`)
//   #seeds N           the sweep's seeds
//   #run N             a run the sweep shows, by number from 1 (any number; none: every run)
// Without #vary, the scenario is loaded with the overrides and every run simulated; with it,
// the sweep is planned from the file, and its first and last tasks' runs are simulated, all
// under one budget of events. Only ScenarioError, SweepRefused and WorkLimitExceeded may
// come out: anything else is a bug. Inputs are capped at 8 KiB, grids at 64 points.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fuzz/simulate_within_budget.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/sweep/sweep_plan.hpp"

namespace {

constexpr std::size_t kMaxInputBytes = 8 << 10;
// Planning loads the scenario once per value: a large grid is slow, not wrong.
constexpr std::size_t kMaxGridPoints = 64;

using namespace gilsim;

struct Options {
  sweep::SweepRequest request;
  std::vector<scenario::Override> overrides;  // request.overrides, parsed
};

/// The option lines of `text`; throws ScenarioError for a #set without '='.
Options read_options(std::string_view text) {
  Options options;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const auto value_of = [&line](std::string_view option) -> std::optional<std::string> {
      if (line.substr(0, option.size()) != option) return std::nullopt;
      return std::string(line.substr(option.size()));
    };
    if (auto set = value_of("#set ")) {
      options.request.overrides.push_back(*set);
      options.overrides.push_back(scenario::parse_override(*set));
    } else if (auto vary = value_of("#vary ")) {
      options.request.vary.push_back(*vary);
    } else if (auto seeds = value_of("#seeds ")) {
      options.request.seeds = std::atoi(seeds->c_str());
    } else if (auto run = value_of("#run ")) {
      options.request.runs.push_back(static_cast<std::size_t>(std::max(1, std::atoi(run->c_str()))) - 1);
    }
  }
  return options;
}

/// The file a sweep reads, written again for each input: one per fuzzing process, removed
/// when the process ends (a replay under ctest leaves nothing in the temporary folder).
struct SweepFile {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("gilsim-fuzz-sweep-" + std::to_string(::getpid()) + ".toml");
  ~SweepFile() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

const std::filesystem::path& sweep_file() {
  static const SweepFile file;
  return file.path;
}

void run_sweep(std::string_view text, Options& options, const scenario::Scenario& base, std::uint64_t& events_left) {
  std::size_t points = 1;
  for (const std::string& vary : options.request.vary) {
    points *= sweep::parse_axis(vary).size();
    if (points > kMaxGridPoints) return;
  }
  for (const std::size_t r : options.request.runs) {
    if (r >= base.runs.size()) return;  // the command line refuses an unknown run by its name
  }
  {
    std::ofstream file(sweep_file(), std::ios::binary | std::ios::trunc);
    file.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  options.request.file = sweep_file().string();
  const sweep::SweepPlan plan = sweep::make_plan(options.request);
  for (const std::size_t task : {std::size_t{0}, plan.tasks() - 1}) {
    const std::size_t point = task / static_cast<std::size_t>(plan.seeds);
    const scenario::Scenario s = plan.scenario_at(point, static_cast<int>(task % static_cast<std::size_t>(plan.seeds)));
    plan.point_label(point);  // what the sweep's table prints for the point, made as it makes it
    std::vector<std::pair<const scenario::Scenario*, const scenario::Run*>> runs{{&s, &s.runs.front()}};
    for (const std::size_t r : plan.runs) {
      if (r != 0) runs.emplace_back(&s, &s.runs.at(r));
    }
    fuzz::simulate_within_budget(runs, events_left);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputBytes) return -1;  // not added to the corpus
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    Options options = read_options(text);
    const scenario::Scenario s = scenario::load_string(text, "fuzz.toml", options.overrides);
    std::uint64_t events_left = fuzz::kMaxEventsPerInput;
    if (options.request.vary.empty()) {
      fuzz::simulate_within_budget(fuzz::every_run(s), events_left);
    } else {
      run_sweep(text, options, s, events_left);
    }
  } catch (const scenario::ScenarioError&) {
  } catch (const sweep::SweepRefused&) {
  } catch (const model::WorkLimitExceeded&) {
  }
  return 0;
}
