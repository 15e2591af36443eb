// Ctrl-C on the gilsim binary during a sweep: exit 130, every worker process gone (read
// from /proc), nothing printed on stdout, no output file.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "real_test_support.hpp"

namespace fs = std::filesystem;
using gilsim::real::testing::child_pids_of;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Starts gilsim in a process group of its own, stdout and stderr in files; returns its pid.
pid_t start_gilsim(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  const std::string program = std::string(GILSIM_BINARY_DIR) + "/gilsim";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setpgid(0, 0);
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

void interrupt_a_sweep(bool whole_group) {
  const fs::path dir = fs::temp_directory_path() / ("gilsim_sweep_interrupt_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path csv = dir / "rows.csv";
  const pid_t gilsim = start_gilsim({"sweep", std::string(GILSIM_SOURCE_DIR) + "/scenarios/03-ten-thousand-connections.toml",
                                     "--vary", "seed=1..3000", "--run", "asyncio", "--jobs", "2", "--csv", csv.string()},
                                    dir / "out.txt", dir / "err.txt");
  // Wait until both workers run (the plan is checked first), then interrupt: the parent
  // alone, or the whole group as Ctrl-C at a terminal does.
  std::vector<int> workers;
  for (int i = 0; i < 400 && workers.size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    workers = child_pids_of(gilsim);
  }
  REQUIRE(workers.size() == 2);
  REQUIRE(::kill(whole_group ? -gilsim : gilsim, SIGINT) == 0);
  int status = 0;
  REQUIRE(::waitpid(gilsim, &status, 0) == gilsim);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  for (const int worker : workers) {
    CAPTURE(worker);
    CHECK_FALSE(fs::exists(fs::path("/proc") / std::to_string(worker)));
  }
  CHECK_FALSE(fs::exists(csv));
  CHECK(read_text(dir / "out.txt").empty());
  CHECK(read_text(dir / "err.txt") == "gilsim: interrupted; every worker stopped, nothing written\n");
  fs::remove_all(dir);
}

}  // namespace

TEST_CASE("Ctrl-C stops a sweep: exit 130, no worker left, nothing written") {
  SUBCASE("SIGINT to gilsim alone") { interrupt_a_sweep(false); }
  SUBCASE("SIGINT to its process group, as a terminal sends it") { interrupt_a_sweep(true); }
}
