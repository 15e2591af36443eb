// libFuzzer target: any bytes as a scenario, and every run of a valid one simulated under
// a small work budget for all its runs together, with their metrics computed. Inputs are
// capped at 8 KiB.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/simulate_within_budget.hpp"
#include "sim/scenario/loader.hpp"

namespace {
constexpr std::size_t kMaxInputBytes = 8 << 10;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputBytes) return -1;  // not added to the corpus
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace gilsim;
  try {
    const scenario::Scenario s = scenario::load_string(text, "fuzz.toml");
    std::uint64_t events_left = fuzz::kMaxEventsPerInput;
    fuzz::simulate_within_budget(fuzz::every_run(s), events_left);
  } catch (const scenario::ScenarioError&) {
  } catch (const model::WorkLimitExceeded&) {
  }
  return 0;
}
