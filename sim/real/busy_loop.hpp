// CPU work for real: a calibrated busy loop that counts iterations, not clock time, so a
// thread that is descheduled or waits for the GIL does not finish its work early.
#pragma once

#include <cstdint>

#include "sim/trace/time.hpp"

namespace gilsim::real {

/// Runs `iterations` rounds of dependent integer arithmetic; the compiler cannot skip them.
void spin(std::uint64_t iterations);

/// Iterations of spin() per nanosecond on this machine, now: the best of a few short trials,
/// so a trial slowed by other programs does not make every later step too short. The pace
/// itself drifts, by up to a fifth between two calibrations a few tens of milliseconds apart
/// (docs/performance.md, "The busy loop's pace"): work timed by one calibration may run
/// faster or slower than its nominal time.
double measure_iterations_per_ns();

/// The calibration a run uses: the pinned one while a PinnedCalibration lives, else
/// measure_iterations_per_ns().
double calibrate_iterations_per_ns();

/// While it lives, every run (and every worker process it starts) uses `iterations_per_ns`
/// instead of calibrating anew: runs compared side by side do the same iterations, and the
/// one who pinned it knows the pace the run's work was timed at. Not nested; one at a time.
class PinnedCalibration {
 public:
  explicit PinnedCalibration(double iterations_per_ns);
  ~PinnedCalibration();
  PinnedCalibration(const PinnedCalibration&) = delete;
  PinnedCalibration& operator=(const PinnedCalibration&) = delete;
};

/// Iterations that take `work` at the calibrated rate (at least 1 for positive work).
std::uint64_t iterations_for(Time work, double iterations_per_ns);

/// How many cores' worth of CPU `threads` busy threads get from this machine right now
/// (0..threads), each spinning `work` at the pace measured just before. Other programs' load
/// is what makes a measured run slower than predicted; benchmarks and tests print or use this.
double measure_free_cores(int threads, Time work);

}  // namespace gilsim::real
