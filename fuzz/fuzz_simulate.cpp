// libFuzzer target: any bytes as a scenario, and every run of a valid one simulated under
// a small work budget, with its metrics computed. Inputs are capped at 8 KiB.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/model/simulate.hpp"
#include "sim/model/work_budget.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/metrics.hpp"

namespace {
constexpr std::size_t kMaxInputBytes = 8 << 10;
constexpr std::uint64_t kMaxEventsPerInput = 200'000;  // keeps one input well under a second
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputBytes) return -1;  // not added to the corpus
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace gilsim;
  try {
    const scenario::Scenario s = scenario::load_string(text, "fuzz.toml");
    for (const scenario::Run& run : s.runs) {
      const trace::Trace t = model::simulate(s, run, nullptr, kMaxEventsPerInput);
      trace::compute_metrics(t);
    }
  } catch (const scenario::ScenarioError&) {
  } catch (const model::WorkLimitExceeded&) {
  }
  return 0;
}
