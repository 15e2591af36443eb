// Loading, re-simulating and watching the scenario.
#include "viz/session.hpp"

#include <chrono>
#include <thread>
#include <system_error>
#include <utility>

#include "sim/model/simulate.hpp"
#include "sim/real/execute.hpp"
#include "sim/scenario/effective_settings.hpp"

namespace gilsim::viz {

namespace fs = std::filesystem;

namespace {

/// Where there are two cores or more, each run on a thread of its own, up to eight: a knob
/// change on a lesson of three alike runs then waits for half their time on two cores (the
/// OS shares the cores between them), where two at a time waited for two runs one after
/// the other.
unsigned simulation_threads() { return std::thread::hardware_concurrency() < 2 ? 1u : 8u; }

}  // namespace

bool Session::open(const fs::path& file) {
  const fs::path previous = file_;
  const Knobs previous_knobs = knobs_;
  file_ = file;
  knobs_ = {};
  if (load()) return true;
  if (loaded_) {
    // Keep showing what was open, and keep watching it.
    file_ = previous;
    knobs_ = previous_knobs;
  }
  return false;
}

bool Session::set_knobs(const Knobs& knobs) {
  const Knobs previous = knobs_;
  knobs_ = knobs;
  if (load()) return true;
  knobs_ = previous;
  return false;
}

bool Session::fit_to_this_machine(bool fit) {
  if (fit == fit_) return true;
  fit_ = fit;
  if (!loaded_ || load()) return true;
  fit_ = !fit;
  return false;
}

void Session::add_measured(trace::Trace measured) {
  runs_.push_back(std::move(measured));
  ++generation_;
}

void Session::drop_measured() {
  const auto measured = [](const trace::Trace& t) { return t.origin == trace::Origin::Measured; };
  if (std::erase_if(runs_, measured) > 0) ++generation_;
}

bool Session::load() {
  try {
    std::error_code ec;
    std::optional<fs::file_time_type> mtime;
    if (!file_.empty()) {
      mtime = fs::last_write_time(file_, ec);
      if (ec) mtime.reset();
    }
    scenario::Scenario s = file_.empty() ? scenario::load_default(knobs_.overrides())
                                         : scenario::load_file(file_, knobs_.overrides());
    std::optional<std::string> note;
    if (fit_) note = scenario::fit_to_machine(s, real::available_cpus());
    if (retiring_.joinable()) retiring_.join();
    const auto started = std::chrono::steady_clock::now();
    std::vector<trace::Trace> runs = model::simulate_all(s, simulation_threads());
    simulation_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    scenario_ = std::move(s);
    std::vector<trace::Trace> replaced = std::exchange(runs_, std::move(runs));
    if (!replaced.empty()) {
      retiring_ = std::jthread([old = std::move(replaced)]() mutable { std::vector<trace::Trace>().swap(old); });
    }
    mtime_ = mtime;
    machine_note_ = note.value_or("");
    error_.clear();
    loaded_ = true;
    ++generation_;
    ++scenario_generation_;
    return true;
  } catch (const std::exception& e) {
    error_ = e.what();
    // Remember this version of the file, so a broken edit is reported once, not every second.
    std::error_code ec;
    if (!file_.empty()) {
      auto mtime = fs::last_write_time(file_, ec);
      if (!ec) mtime_ = mtime;
    }
    return false;
  }
}

bool Session::poll(double wall_seconds) {
  since_check_ += wall_seconds;
  if (since_check_ < 1.0 || file_.empty()) return false;
  since_check_ = 0;
  std::error_code ec;
  const auto mtime = fs::last_write_time(file_, ec);
  if (ec || (mtime_ && *mtime_ == mtime)) return false;
  const auto before = generation_;
  load();
  mtime_ = mtime;
  return generation_ != before;
}

}  // namespace gilsim::viz
