// The `python` subcommand: the scenario's teaching program on stdout.
#include "sim/cli/python_command.hpp"

#include <deque>

#include "sim/cpython/python_program.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::cli {

namespace {

/// The model's trace of each run, for the program's docstring; none when a run needs more
/// than the model's default budget, as the viewer holds it (the program is still printed, without them).
std::deque<trace::Trace> predict(const scenario::Scenario& s, const std::vector<const scenario::Run*>& runs) {
  std::vector<std::pair<const scenario::Scenario*, const scenario::Run*>> asked;
  for (const scenario::Run* run : runs) asked.emplace_back(&s, run);
  std::deque<trace::Trace> traces;
  try {
    model::check_work(asked, model::kDefaultMaxEvents, "");
    for (const scenario::Run* run : runs) traces.push_back(model::simulate(s, *run));
  } catch (const model::WorkLimitExceeded&) {
    traces.clear();
  }
  return traces;
}

}  // namespace

int print_python_program(const PythonOptions& options, std::ostream& out) {
  std::vector<scenario::Override> overrides;
  for (const auto& text : options.overrides) overrides.push_back(scenario::parse_override(text));
  const auto s = options.file.empty() ? scenario::load_default(overrides) : scenario::load_file(options.file, overrides);
  std::vector<const scenario::Run*> runs = select_runs(s, options.run_names);
  if (runs.empty()) {
    for (const auto& run : s.runs) runs.push_back(&run);
  }
  const std::deque<trace::Trace> traces = predict(s, runs);
  std::vector<const trace::Trace*> predicted;
  for (const auto& t : traces) predicted.push_back(&t);
  out << cpython::python_program(s, runs, predicted).text;
  return 0;
}

}  // namespace gilsim::cli
