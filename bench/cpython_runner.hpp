// `gilsim_fidelity --cpython`: runs every program of the CPython ground-truth suite
// (fidelity/suite.toml) with python3, repeats each, and prints CPython's median and spread
// beside the model's prediction for the paired scenario; writes docs/fidelity-cpython.md.
#pragma once

namespace gilsim::bench {

/// True when the command line asks for the CPython suite (--cpython).
bool wants_cpython_suite(int argc, char** argv);

/// The whole command; returns the exit code (0 done, 1 a program failed, 2 bad input).
int run_cpython_suite(int argc, char** argv);

}  // namespace gilsim::bench
