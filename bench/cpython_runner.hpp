// `gilsim_fidelity --cpython`: runs every program of the CPython ground-truth suite
// (fidelity/suite.toml) with python3, repeats each, and prints CPython's median and spread
// beside the model's prediction for the paired scenario; writes docs/fidelity-cpython.md.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench/cpython_suite.hpp"

namespace gilsim::bench {

/// True when the command line asks for the CPython suite (--cpython).
bool wants_cpython_suite(int argc, char** argv);

/// The whole command; returns the exit code (0 done, 1 a program failed, 2 bad input).
int run_cpython_suite(int argc, char** argv);

/// The rows of `only`'s programs (all of them when empty). Throws SuiteError when it names none.
void keep_only(fidelity::Suite& suite, const std::vector<std::string>& only);

/// How a row's model figure is made: fidelity::predict (the fuzz target's predicts under fewer seeds).
using Predictor = std::function<fidelity::Prediction(const fidelity::SuiteRow&, const scenario::Scenario&)>;

/// `--replay`'s rows: the measurements `file` (read from `path`) checked against `suite` (kept
/// to the file's programs), each row predicted by `predict` for the scenario of `loaded`
/// fitted to the measured machine, and scored; `info` gets the page's lines of the probes.
/// Throws SuiteError "PATH:LINE: ..." for a file the suite cannot read, and what `predict`
/// throws (a prediction past the model's event limit).
std::vector<fidelity::RowResult> replay_rows(const fidelity::Measurements& file, const fidelity::Suite& suite,
                                             const std::map<std::string, scenario::Scenario*>& loaded,
                                             const std::string& path, const Predictor& predict,
                                             fidelity::RunInfo& info);

}  // namespace gilsim::bench
