// libFuzzer target: any bytes as a scenario, and every run of a valid one simulated under
// a small work budget for all its runs together, with their metrics computed. Inputs are
// capped at 8 KiB.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/model/work_budget.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/metrics.hpp"

namespace {
constexpr std::size_t kMaxInputBytes = 8 << 10;
// All runs of one input together: under ASan and UBSan on a busy machine, about a second.
constexpr std::uint64_t kMaxEventsPerInput = 50'000;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputBytes) return -1;  // not added to the corpus
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace gilsim;
  try {
    const scenario::Scenario s = scenario::load_string(text, "fuzz.toml");
    std::vector<std::pair<const scenario::Scenario*, const scenario::Run*>> runs;
    for (const scenario::Run& run : s.runs) runs.emplace_back(&s, &run);
    model::check_work(runs, kMaxEventsPerInput, "");
    std::uint64_t events_left = kMaxEventsPerInput;
    model::SimulationStats stats;
    for (const scenario::Run& run : s.runs) {
      const trace::Trace t = model::simulate(s, run, &stats, events_left);
      events_left -= stats.events;
      trace::compute_metrics(t);
    }
  } catch (const scenario::ScenarioError&) {
  } catch (const model::WorkLimitExceeded&) {
  }
  return 0;
}
