// The loader's one-line error for a scenario text, or "no error": what the error tests compare.
#pragma once

#include <string>
#include <string_view>

#include "sim/scenario/loader.hpp"

namespace gilsim::test {

inline std::string error_of(std::string_view text) {
  try {
    scenario::load_string(text, "s.toml");
  } catch (const scenario::ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace gilsim::test
