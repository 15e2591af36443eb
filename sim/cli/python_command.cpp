// The `python` subcommand: the scenario's teaching program on stdout.
#include "sim/cli/python_command.hpp"

#include "sim/cpython/python_program.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::cli {

int print_python_program(const PythonOptions& options, std::ostream& out) {
  std::vector<scenario::Override> overrides;
  for (const auto& text : options.overrides) overrides.push_back(scenario::parse_override(text));
  const auto s = options.file.empty() ? scenario::load_default(overrides) : scenario::load_file(options.file, overrides);
  out << cpython::python_program(s, select_runs(s, options.run_names)).text;
  return 0;
}

}  // namespace gilsim::cli
