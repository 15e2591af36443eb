// Listing the bundled scenarios: the name to type and the title, one a line.
#include "sim/cli/list_command.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sim/cli/text_table.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::cli {

namespace {

/// Whether `file` holds the text the program has built in (scenarios/default.toml).
bool is_built_in_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str() == scenario::embedded_default_text();
}

}  // namespace

int list_scenarios(const std::vector<std::filesystem::path>& files, std::ostream& out) {
  if (!files.empty()) {
    // The name is what to type (scenario/bundled_names.hpp): the folder once, not on every line.
    out << fmt::format("Bundled scenarios in {}; give a name, or its number, to gilsim or gilviz (gilsim run 07):\n\n",
                       files.front().parent_path().string());
  }
  TextTable table{{"name", "title"}, {false, false}, {}};
  table.rows.push_back({"(built in)", scenario::load_default().title});
  bool same_as_built_in = false;
  for (const auto& file : files) {
    std::string title;
    try {
      title = scenario::load_file(file).title;
    } catch (const scenario::ScenarioError& e) {
      title = fmt::format("(does not load: {})", e.what());
    }
    // The built-in scenario is scenarios/default.toml, built into the program: said, so a
    // teacher does not wonder which of the two lines to pick.
    if (is_built_in_text(file)) {
      title += " (the built-in scenario's file: the same runs)";
      same_as_built_in = true;
    }
    table.rows.push_back({file.stem().string(), title});
  }
  out << render_table(table);
  if (same_as_built_in) {
    out << "(built in) is what `gilsim` and `gilviz` run without a file; `default` is the same scenario as a file "
           "to copy and change.\n";
  }
  if (files.empty()) out << "No scenario folder found next to the program or in the source tree.\n";
  return 0;
}

}  // namespace gilsim::cli
