// Listing scenarios: name and title, one a line.
#include "sim/cli/list_command.hpp"

#include <fmt/format.h>

#include "sim/cli/text_table.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::cli {

namespace {

/// Relative to the current directory when the file is below it, else as given.
std::string display_path(const std::filesystem::path& file) {
  std::error_code error;
  const auto here = std::filesystem::current_path(error);
  if (error) return file.string();
  const auto relative = file.lexically_proximate(here);
  if (relative.empty() || *relative.begin() == "..") return file.string();
  return relative.string();
}

}  // namespace

int list_scenarios(const std::vector<std::filesystem::path>& files, std::ostream& out) {
  TextTable table{{"scenario", "title"}, {false, false}, {}};
  table.rows.push_back({"(built in)", scenario::load_default().title});
  for (const auto& file : files) {
    std::string title;
    try {
      title = scenario::load_file(file).title;
    } catch (const scenario::ScenarioError& e) {
      title = fmt::format("(does not load: {})", e.what());
    }
    table.rows.push_back({display_path(file), title});
  }
  out << render_table(table);
  if (files.empty()) out << "No scenario folder found next to the program or in the source tree.\n";
  return 0;
}

}  // namespace gilsim::cli
