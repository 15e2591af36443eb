// What the fidelity benchmarks print about the machine they measured on.
#pragma once

#include <string>

namespace gilsim::bench {

/// The CPU's model name from /proc/cpuinfo, or "unknown CPU".
std::string cpu_model();

/// /proc/loadavg's 1, 5 and 15 minute load averages, "0.98 1.10 1.29".
std::string load_average();

/// "AMD EPYC 7B13, 2 CPUs available, Linux 6.1.0"
std::string machine_description(int cpus);

}  // namespace gilsim::bench
