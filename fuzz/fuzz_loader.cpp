// libFuzzer target: any bytes as a scenario file. The loader must either return a
// Scenario or throw ScenarioError; anything else (a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/scenario/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    gilsim::scenario::load_string(text, "fuzz.toml");
  } catch (const gilsim::scenario::ScenarioError&) {
  }
  return 0;
}
