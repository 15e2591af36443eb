// Where the viewer tests find a bundled lesson.
#pragma once

#include <filesystem>

namespace gilsim::viz::testing {

/// scenarios/`name` in the source tree.
inline std::filesystem::path lesson(const char* name) {
  return std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios" / name;
}

}  // namespace gilsim::viz::testing
