// Records runs of a scenario's program in CPython, one after the other, for the tests.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "../real/real_test_support.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/cpython/cpython_runs.hpp"
#include "sim/cpython/python_program.hpp"

namespace gilsim::test {

/// Records each run of `s` named in `names` (every run when empty) with the default
/// interpreter, and hands its trace, invariants checked, to `check`.
inline void record_each(const scenario::Scenario& s, const std::vector<std::string>& names,
                        const std::function<void(const cpython::ProgramRun&, const trace::Trace&)>& check) {
  const auto program = cpython::python_program(s, cli::select_runs(s, names));
  const cpython::Interpreter python = cpython::find_interpreter("");
  for (const auto& r : program.runs) {
    INFO("run " << r.run->name);
    std::string why;
    const auto t = cpython::record_cpython_run(s, r, program, python, cpython::CPythonOptions{}, why);
    REQUIRE_MESSAGE(t, why);
    real::testing::check_invariants(*t);
    check(r, *t);
  }
}

}  // namespace gilsim::test
