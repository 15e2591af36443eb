// The background thread of RealRunner: real::execute for each run, progress under a lock.
#include "viz/real_runner.hpp"

#include <fmt/format.h>

#include "sim/cpython/cpython_runs.hpp"
#include "sim/cpython/python_program.hpp"
#include "sim/real/execute.hpp"

namespace gilsim::viz {

RealRunner::~RealRunner() {
  cancel();
  wait();
}

void RealRunner::start(scenario::Scenario scenario, Time timeout, RealSource source) {
  cancel();
  wait();
  cancel_ = false;
  {
    std::lock_guard lock(mutex_);
    progress_ = RealProgress{};
    progress_.running = true;
    progress_.run_count = static_cast<int>(scenario.runs.size());
    finished_.clear();
  }
  thread_ = std::thread([this, s = std::move(scenario), timeout, source]() mutable { work(std::move(s), timeout, source); });
}

void RealRunner::cancel() { cancel_ = true; }

void RealRunner::wait() {
  if (thread_.joinable()) thread_.join();
}

bool RealRunner::running() const {
  std::lock_guard lock(mutex_);
  return progress_.running;
}

RealProgress RealRunner::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

std::vector<RealOutcome> RealRunner::take_finished() {
  std::lock_guard lock(mutex_);
  std::vector<RealOutcome> out = std::move(finished_);
  finished_.clear();
  return out;
}

void RealRunner::work(scenario::Scenario scenario, Time timeout, RealSource source) {
  using Kind = RealOutcome::Kind;
  // CPython: the scenario's teaching program, run by run under the recorder.
  std::optional<cpython::PythonProgram> program;
  std::optional<cpython::Interpreter> python;
  std::optional<cpython::Calibration> calibration;  // measured once: every run does the same work
  std::string no_python;
  if (source == RealSource::CPython) {
    program = cpython::python_program(scenario, {});
    try {
      python = cpython::find_interpreter("");
    } catch (const std::exception& e) {
      no_python = e.what();
    }
  }
  for (std::size_t i = 0; i < scenario.runs.size(); ++i) {
    const scenario::Run& run = scenario.runs[i];
    {
      std::lock_guard lock(mutex_);
      progress_.run_index = static_cast<int>(i);
      progress_.run_name = run.name;
      progress_.jobs_done = progress_.jobs_total = 0;
    }
    RealOutcome outcome{Kind::Measured, run.name, std::nullopt, {}};
    if (cancel_) {
      outcome.kind = Kind::Cancelled;
      outcome.message = "not started: cancelled";
    } else if (program) {
      try {
        if (!python) throw std::runtime_error(no_python);
        std::string why;
        cpython::CPythonOptions options{.timeout_seconds = static_cast<double>(timeout.ns()) / 1e9, .cancel = &cancel_};
        if (!calibration) {
          calibration = cpython::calibrate(*program, *python, options);
          std::lock_guard lock(mutex_);  // the session fits its prediction to it (measuring.cpp)
          progress_.machine = cpython::measured_machine(*calibration, *program, real::available_cpus());
        }
        options.calibration = calibration;
        cpython::CPythonRunInfo info;
        outcome.trace = cpython::record_cpython_run(scenario, program->runs[i], *program, *python, options, why, &info);
        outcome.cpu = info.cpu;
        if (!outcome.trace) {
          outcome.kind = Kind::Refused;
          outcome.message = why;
        }
      } catch (const std::exception& e) {
        outcome.kind = cancel_ ? Kind::Cancelled : Kind::Failed;
        outcome.message = e.what();
      }
    } else if (auto why = real::why_not_runnable(scenario, run)) {
      outcome.kind = Kind::Refused;
      outcome.message = *why;
    } else {
      real::ExecuteOptions options;
      options.timeout = timeout;
      options.cancel = &cancel_;
      options.progress = [this](int done, int total) {
        std::lock_guard lock(mutex_);
        progress_.jobs_done = done;
        progress_.jobs_total = total;
      };
      try {
        outcome.trace = real::execute(scenario, run, options);
      } catch (const real::RealRunError& e) {
        using Reason = real::RealRunError::Reason;
        outcome.kind = e.reason() == Reason::Cancelled     ? Kind::Cancelled
                       : e.reason() == Reason::NotRunnable ? Kind::Refused
                                                           : Kind::Failed;
        outcome.message = e.what();
      } catch (const std::exception& e) {
        outcome.kind = Kind::Failed;
        outcome.message = e.what();
      }
    }
    std::lock_guard lock(mutex_);
    finished_.push_back(std::move(outcome));
  }
  std::lock_guard lock(mutex_);
  progress_.running = false;
}

std::string outcome_line(const RealOutcome& o) {
  using Kind = RealOutcome::Kind;
  const bool named = o.message.find(fmt::format("'{}'", o.run_name)) != std::string::npos;
  switch (o.kind) {
    case Kind::Measured:
      return {};
    case Kind::Cancelled:
      return fmt::format("{}: cancelled", o.run_name);
    case Kind::Refused:
      return named ? o.message : fmt::format("{}: not run here: {}", o.run_name, o.message);
    case Kind::Failed:
      return named ? o.message : fmt::format("{} failed: {}", o.run_name, o.message);
  }
  return o.message;
}

}  // namespace gilsim::viz
