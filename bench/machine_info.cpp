// What the fidelity benchmarks print about the machine they measured on.
#include "bench/machine_info.hpp"

#include <fstream>

#include <fmt/format.h>
#include <sys/utsname.h>

namespace gilsim::bench {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return fmt::format("{} {} {}", a, b, c);
}

std::string machine_description(int cpus) {
  utsname host{};
  uname(&host);
  return fmt::format("{}, {} CPUs available, Linux {}", cpu_model(), cpus, host.release);
}

}  // namespace gilsim::bench
