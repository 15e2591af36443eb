// Loading, re-simulating and watching the scenario.
#include "viz/session.hpp"

#include <chrono>
#include <thread>
#include <system_error>
#include <utility>

#include "sim/model/simulate.hpp"
#include "sim/real/execute.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/job_plan.hpp"

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
  drop_background();
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
  drop_background();
  const Knobs previous = knobs_;
  knobs_ = knobs;
  if (load()) return true;
  knobs_ = previous;
  return false;
}

void Session::set_knobs_in_background(const Knobs& knobs, Derive derive) {
  knobs_ = knobs;
  derive_ = std::move(derive);
  ++knob_requests_;
  if (!background_) start_background();  // else collect_background() starts the latest values
}

bool Session::fit_to_this_machine(bool fit) {
  if (fit == fit_) return true;
  drop_background();
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

Session::Loaded Session::read_and_simulate(const fs::path& file, const Knobs& knobs, bool fit,
                                           const scenario::Scenario* shown,
                                           std::shared_ptr<const model::SharedPlan> plan, model::Progress* progress) {
  Loaded out;
  if (!file.empty()) {
    std::error_code ec;
    out.mtime = fs::last_write_time(file, ec);
    if (ec) out.mtime.reset();
  }
  out.scenario =
      file.empty() ? scenario::load_default(knobs.overrides()) : scenario::load_file(file, knobs.overrides());
  if (fit) out.machine_note = scenario::fit_to_machine(out.scenario, real::available_cpus()).value_or("");
  const auto started = std::chrono::steady_clock::now();
  // Cores, the switch interval or the workers leave the jobs, and so their plan, as they were.
  if (plan && shown != nullptr && scenario::same_plan(*shown, out.scenario)) out.plan = std::move(plan);
  out.runs = model::simulate_all(out.scenario, simulation_threads(), &out.plan, progress);
  out.simulation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

void Session::install(Loaded loaded) {
  simulation_seconds_ = loaded.simulation_seconds;
  derive_seconds_ = loaded.derive_seconds;
  scenario_ = std::move(loaded.scenario);
  std::vector<trace::Trace> replaced = std::exchange(runs_, std::move(loaded.runs));
  std::vector<trace::Trace> shown_before = std::exchange(before_preview_, {});  // empty unless previewing
  previewing_ = false;
  if (!replaced.empty() || !shown_before.empty()) {
    if (retiring_.joinable()) retiring_.join();
    retiring_ = std::jthread([old = std::move(replaced), older = std::move(shown_before)]() mutable {
      std::vector<trace::Trace>().swap(old);
      std::vector<trace::Trace>().swap(older);
    });
  }
  mtime_ = loaded.mtime;
  machine_note_ = std::move(loaded.machine_note);
  plan_ = std::move(loaded.plan);
  shown_knobs_ = knobs_;
  error_.clear();
  loaded_ = true;
  ++generation_;
  ++scenario_generation_;
  derived_ = std::move(loaded.derived);
  derived_generation_ = generation_;
}

std::any Session::take_derived() {
  if (derived_generation_ != generation_) return {};
  return std::exchange(derived_, std::any());
}

bool Session::load() {
  try {
    if (retiring_.joinable()) retiring_.join();
    install(read_and_simulate(file_, knobs_, fit_, loaded_ ? &scenario_ : nullptr, plan_));
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

void Session::start_background() {
  // The replaced runs are freed first: the new traces then reuse their storage.
  if (retiring_.joinable()) retiring_.join();
  background_ = std::make_unique<Background>();
  Background& b = *background_;
  b.knobs = knobs_;
  b.request = knob_requests_;
  // scenario_ stays as it is while the thread runs: install() comes after it is joined.
  b.watcher = std::jthread([&b, derive = derive_](std::stop_token stop) {
    while (!stop.stop_requested()) {
      b.progress.ask();
      if (!b.progress.wait_for_answers(stop)) return;
      Preview preview;
      bool partial = false;
      for (const auto& run : b.progress.answers()) {
        partial = partial || run->partial();
        preview.runs.push_back(*run);
      }
      if (!partial) return;  // every run is whole: the change itself comes in next
      if (derive) preview.derived = derive(preview.runs);
      std::unique_lock lock(b.preview_mutex);
      b.preview = std::move(preview);
      if (!b.preview_taken.wait(lock, stop, [&b] { return !b.preview; })) return;
    }
  });
  b.thread = std::jthread([&b, file = file_, fit = fit_, derive = derive_, shown = loaded_ ? &scenario_ : nullptr,
                           plan = plan_] {
    try {
      b.loaded = read_and_simulate(file, b.knobs, fit, shown, plan, &b.progress);
      if (derive) {
        const auto started = std::chrono::steady_clock::now();
        b.loaded->derived = derive(b.loaded->runs);
        b.loaded->derive_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      }
    } catch (const std::exception& e) {
      b.error = e.what();
    }
    b.progress.end();  // also when the file did not load: the watcher stops waiting
    b.ready.store(true, std::memory_order_release);
  });
}

bool Session::take_preview() {
  if (!background_) return false;  // collected just now
  Background& b = *background_;
  std::optional<Preview> preview;
  {
    const std::lock_guard lock(b.preview_mutex);
    preview = std::exchange(b.preview, std::nullopt);
  }
  if (!preview) return false;
  b.preview_taken.notify_all();
  if (!previewing_) before_preview_ = std::move(runs_);
  previewing_ = true;
  runs_ = std::move(preview->runs);
  ++generation_;
  derived_ = std::move(preview->derived);
  derived_generation_ = generation_;
  return true;
}

void Session::end_preview() {
  if (!previewing_) return;
  runs_ = std::exchange(before_preview_, {});
  previewing_ = false;
  derived_.reset();
  ++generation_;
}

void Session::drop_background() {
  if (!background_) return;
  background_.reset();  // joins its threads
  end_preview();
  knobs_ = shown_knobs_;
}

bool Session::collect_background() {
  if (!background_ready()) return false;
  background_->thread.join();
  std::unique_ptr<Background> done = std::move(background_);
  const bool superseded = done->request != knob_requests_;
  bool changed = false;
  if (done->loaded) {
    const Knobs latest = knobs_;
    knobs_ = done->knobs;  // the knobs of the runs going in
    install(std::move(*done->loaded));
    knobs_ = latest;
    changed = true;
  } else {
    changed = previewing_;
    end_preview();
    if (!superseded) {
      error_ = done->error;
      knobs_ = shown_knobs_;
    }
  }
  if (superseded) start_background();
  return changed;
}

bool Session::poll(double wall_seconds) {
  if (background_) return collect_background() || take_preview();  // the file is looked at once it is in
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
