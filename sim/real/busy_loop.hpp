// CPU work for real: a calibrated busy loop that counts iterations, not clock time, so a
// thread that is descheduled or waits for the GIL does not finish its work early.
#pragma once

#include <cstdint>

#include "sim/trace/time.hpp"

namespace gilsim::real {

/// Runs `iterations` rounds of dependent integer arithmetic; the compiler cannot skip them.
void spin(std::uint64_t iterations);

/// Iterations of spin() per nanosecond on this machine, now: the best of a few short trials,
/// so a trial slowed by other programs does not make every later step too short.
double calibrate_iterations_per_ns();

/// Iterations that take `work` at the calibrated rate (at least 1 for positive work).
std::uint64_t iterations_for(Time work, double iterations_per_ns);

/// How many cores' worth of CPU `threads` busy threads get from this machine right now
/// (0..threads), each spinning `work` at the calibrated rate. Other programs' load is what
/// makes a measured run slower than predicted; benchmarks and tests print or use this.
double measure_free_cores(int threads, Time work);

}  // namespace gilsim::real
