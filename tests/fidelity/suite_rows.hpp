// The CPython suite's rows as the model's side sees them: a row found by its label and the
// model's figure for it, computed from the row's scenario (CPython is not run).
#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "bench/cpython_suite.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::test {

/// The project's suite file.
inline const std::filesystem::path kSuiteFile = std::filesystem::path(GILSIM_SOURCE_DIR) / "fidelity" / "suite.toml";

/// The row labelled `label`; a test that names a row the suite lacks fails here.
inline const fidelity::SuiteRow& suite_row(const fidelity::Suite& suite, std::string_view label) {
  for (const auto& row : suite.rows) {
    if (row.label == label) return row;
  }
  throw std::runtime_error("no row " + std::string(label));
}

/// The row labelled `label` under the scenario's seed alone: the figure of one run of the
/// model, as docs/model.md's rules quote them (the page's is the median over the suite's
/// `model_seeds`).
inline fidelity::SuiteRow one_seed(const fidelity::Suite& suite, std::string_view label) {
  fidelity::SuiteRow row = suite_row(suite, label);
  row.model.seeds = 1;
  return row;
}

/// The model's figure for the row labelled `label` under the scenario's seed (one_seed), its
/// scenario first changed by `adjust` (a cost or a placement set another way, say).
inline double model_figure(const fidelity::Suite& suite, std::string_view label,
                           const std::function<void(scenario::Scenario&)>& adjust = {}) {
  const fidelity::SuiteRow row = one_seed(suite, label);
  scenario::Scenario s = scenario::load_file(suite.scenarios / row.scenario);
  if (adjust) adjust(s);
  return fidelity::predict(row, s).value;
}

}  // namespace gilsim::test
