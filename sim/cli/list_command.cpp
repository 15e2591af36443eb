// Listing the bundled scenarios: the name to type and the title, one a line.
#include "sim/cli/list_command.hpp"

#include <fmt/format.h>

#include "sim/cli/text_table.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::cli {

int list_scenarios(const std::vector<std::filesystem::path>& files, std::ostream& out) {
  if (!files.empty()) {
    // The name is what to type (scenario/bundled_names.hpp): the folder once, not on every line.
    out << fmt::format("Bundled scenarios in {}; give a name, or its number, to gilsim or gilviz (gilsim run 07):\n\n",
                       files.front().parent_path().string());
  }
  TextTable table{{"name", "title"}, {false, false}, {}};
  table.rows.push_back({"(built in)", scenario::load_default().title});
  for (const auto& file : files) {
    std::string title;
    try {
      title = scenario::load_file(file).title;
    } catch (const scenario::ScenarioError& e) {
      title = fmt::format("(does not load: {})", e.what());
    }
    table.rows.push_back({file.stem().string(), title});
  }
  out << render_table(table);
  if (files.empty()) out << "No scenario folder found next to the program or in the source tree.\n";
  return 0;
}

}  // namespace gilsim::cli
