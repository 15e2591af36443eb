// The asset search: installed beside the program, the source tree, then the system's folders.
#include "viz/asset_files.hpp"

#include <system_error>

#include "sim/scenario/loader.hpp"

namespace gilsim::viz {

std::vector<std::filesystem::path> asset_folders() {
  std::vector<std::filesystem::path> folders = scenario::installed_data_folders("assets");
  folders.emplace_back(GILVIZ_ASSET_DIR);
  return folders;
}

std::filesystem::path find_asset(std::string_view name, const std::vector<std::filesystem::path>& system_folders) {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates;
  for (const fs::path& folder : asset_folders()) candidates.push_back(folder / name);
  for (const fs::path& folder : system_folders) candidates.push_back(folder / fs::path(name).filename());
  for (const fs::path& candidate : candidates) {
    std::error_code error;
    if (fs::is_regular_file(candidate, error)) return candidate;
  }
  return {};
}

}  // namespace gilsim::viz
