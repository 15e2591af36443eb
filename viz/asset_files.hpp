// Where the viewer's run-time files (assets/: the window icon, an optional font) are found.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

namespace gilsim::viz {

/// The window icon, drawn by scripts/make-icon.py.
inline constexpr std::string_view kWindowIconFile = "gilviz-icon.png";

/// The folders searched for an asset, first match wins: the installed share/gilsim/assets
/// beside the program (scenario::installed_data_folders), then the source tree's assets/
/// (a program run from its build tree).
std::vector<std::filesystem::path> asset_folders();

/// The first regular file `name` ("gilviz-icon.png", "fonts/DejaVuSans.ttf") in the
/// asset_folders(), then in `system_folders` (by its file name alone); empty when none has it.
std::filesystem::path find_asset(std::string_view name, const std::vector<std::filesystem::path>& system_folders = {});

}  // namespace gilsim::viz
