// Loading, re-simulating and watching the scenario.
#include "viz/session.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <new>
#include <stdexcept>
#include <thread>
#include <system_error>
#include <utility>

#include "sim/model/simulate.hpp"
#include "sim/real/execute.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/value_in_force.hpp"

namespace gilsim::viz {

namespace fs = std::filesystem;

namespace {

/// Where there are two cores or more, each run on a thread of its own, up to eight: a knob
/// change on a lesson of three alike runs then waits for half their time on two cores (the
/// OS shares the cores between them), where two at a time waited for two runs one after
/// the other.
unsigned simulation_threads() { return std::thread::hardware_concurrency() < 2 ? 1u : 8u; }

/// A knob change's first preview is asked for 100 ms (six frames at 60 a second) after it.
/// A preview copies the runs so far and indexes them beside the runs still simulated: asked
/// a frame after the change, it doubled the page faults of lesson 15's first change (3 to 5
/// us each on a virtual machine whose host backs fresh pages anew) and put its whole runs
/// several frames later, the runs being whole a few frames after it. A change whole within
/// 100 ms shows no preview; a longer one shows its first part from then on (docs/performance.md, "A knob change on lessons 10 and 15, round 2").
constexpr std::chrono::microseconds kFirstPreviewAfter{100'000};

}  // namespace

std::string error_text(const std::exception& e) {
  return dynamic_cast<const std::bad_alloc*>(&e) != nullptr ? std::string(kOutOfMemory) : std::string(e.what());
}

bool Session::open(const fs::path& file) {
  drop_background();
  const fs::path previous = file_;
  const Knobs previous_knobs = knobs_;
  file_ = file;
  knobs_ = {};
  if (file == base_file_) knobs_.base = base_;
  if (load(true)) return true;
  if (loaded_) {
    // Keep showing what was open, and keep watching it.
    file_ = previous;
    knobs_ = previous_knobs;
  }
  return false;
}

void Session::set_base(const fs::path& file, std::vector<scenario::Override> base) {
  base_file_ = file;
  base_ = std::move(base);
}

bool Session::set_knobs(const Knobs& knobs) {
  drop_background();
  const Knobs previous = knobs_;
  knobs_ = knobs;
  if (load(false)) return true;
  knobs_ = previous;
  return false;
}

void Session::set_knobs_in_background(const Knobs& knobs, Derive derive) {
  if (loaded_) last_step_ = step_between(knobs_, knobs, scenario_);
  knobs_ = knobs;
  derive_ = std::move(derive);
  ++knob_requests_;
  if (background_ || kept_change_) return;  // collect_background() or poll() starts the latest values
  if (take_kept(knobs)) return;
  start_background();
}

void Session::speculate_neighbours(Derive derive, std::size_t budget_bytes, bool lowest_priority) {
  speculation_ = std::make_unique<Speculation>(
      [derive = std::move(derive)](const Speculation::Candidate& candidate, std::stop_token stop) {
        const auto* reuse = static_cast<const SpeculatedReuse*>(candidate.reads.get());
        auto loaded = std::make_shared<Loaded>(simulate_settings(candidate.key, stop, reuse ? &reuse->offered : nullptr));
        if (derive) {
          const auto started = std::chrono::steady_clock::now();
          loaded->derived = derive(loaded->runs);
          loaded->derive_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        }
        // The traces' stores, and about as much again for what the viewer derives from them
        // (the running sums of every lane, the playhead index, the marks by lane).
        std::size_t bytes = sizeof(Loaded);
        for (const trace::Trace& run : loaded->runs) {
          bytes += run.marks.bytes_used() * 2;
          for (const trace::Lane& lane : run.lanes) bytes += lane.spans.bytes_used() + lane.spans.size() * 16;
        }
        return Speculation::Result{std::make_shared<std::any>(std::move(loaded)), bytes};
      },
      budget_bytes, lowest_priority);
  if (std::exchange(hold_first_speculated_, false)) speculation_->hold_next_value();  // before it wants any
  respeculate();
}

void Session::pause_speculation(bool pause) {
  if (pause == speculation_paused_) return;
  speculation_paused_ = pause;
  respeculate();
  // A measurement starts once the simulation under way has stopped: a thread still running
  // beside it would make its busy-machine check flag the run.
  if (pause && speculation_) speculation_->wait_until_idle();
}

SettingsKey Session::key_of(const Knobs& knobs) const {
  const int cpus = fit_ ? real::available_cpus() : 0;
  // The runs simulated ahead are of the version loaded, as a knob change's are (shown_source()).
  if (std::optional<ShownSource> source = shown_source()) return settings_key(file_, std::move(source->text), knobs, fit_, cpus);
  return settings_key(file_, knobs, fit_, cpus);
}

std::optional<Session::ShownSource> Session::shown_source() const {
  if (!loaded_ || !error_.empty() || shown_text_.empty()) return std::nullopt;
  return ShownSource{shown_text_, mtime_};
}

void Session::respeculate() {
  if (!speculation_) return;
  if (speculation_paused_ || background_ || kept_change_ || !loaded_ || !error_.empty()) {
    speculation_->want({});
    return;
  }
  std::vector<Speculation::Candidate> candidates;
  // One for every kind of change simulated ahead that may keep runs shown: the cores moved,
  // the switch interval, or both (Reusable); each keeps only what its rules allow.
  std::vector<std::pair<MovedKnobs, std::shared_ptr<const SpeculatedReuse>>> reuses;
  try {
    for (Knobs& k : neighbour_knobs(scenario_, shown_knobs_, last_step_)) {
      SettingsKey key = key_of(k);
      std::shared_ptr<const SpeculatedReuse> reuse;
      if (const std::optional<MovedKnobs> moved = only_cores_or_interval_moved(shown_knobs_, k)) {
        const auto same = std::find_if(reuses.begin(), reuses.end(), [&](const auto& r) { return r.first == *moved; });
        if (same != reuses.end()) {
          reuse = same->second;
        } else if (model::ReusedRuns offered = offered_for_reuse(k); !offered.runs.empty()) {
          if (!shown_heir_) shown_heir_ = std::make_shared<ShownRunsHeir>();
          reuse = std::make_shared<const SpeculatedReuse>(
              SpeculatedReuse{{std::move(offered), shown_text_, shown_fit_cpus_, {}}, shown_heir_});
          reuses.emplace_back(*moved, reuse);
        }
      }
      candidates.push_back({std::move(key), std::move(k), std::move(reuse)});
    }
  } catch (const std::exception&) {
    candidates.clear();  // the file cannot be read now: the watch reports it
  }
  speculation_->want(std::move(candidates));
}

bool Session::take_kept(const Knobs& knobs) {
  if (!speculation_ || !loaded_) return false;
  std::optional<fs::file_time_type> mtime;
  std::shared_ptr<std::any> kept;
  try {
    if (const std::optional<ShownSource> source = shown_source()) {
      mtime = source->mtime;  // the version key_of() reads
    } else if (!file_.empty()) {
      mtime = fs::last_write_time(file_);  // before the text the key reads
    }
    kept = speculation_->take(key_of(knobs));
  } catch (const std::exception&) {
    return false;  // simulated as usual, which says what is wrong
  }
  if (!kept) return false;
  kept_change_ = std::any_cast<std::shared_ptr<Loaded>>(std::move(*kept));
  kept_change_->mtime = mtime;
  kept_knobs_ = knobs;
  speculation_->want({});  // its neighbours are asked for once it is in
  return true;
}

const model::ReusedRuns* Session::runs_to_keep(Loaded& out, const Reusable* offered) {
  // Runs shown are kept only from the same text fitted alike: then the scenarios differ in
  // the knobs offered_for_reuse() allows (the cores, the switch interval) alone.
  const bool same_source = offered != nullptr && !out.text.empty() && offered->text == out.text &&
                           offered->fit_cpus == out.fit_cpus;
  if (!same_source) return nullptr;
  // The runs simulate_all() keeps (model::reuse_of), known before it starts: those kept as
  // they are carry their indices over; those moved onto the new core count are indexed anew.
  out.kept.assign(out.scenario.runs.size(), false);
  out.reused = 0;
  for (std::size_t r = 0; r < out.kept.size(); ++r) {
    const model::Reuse reuse = model::reuse_of(out.scenario, r, &offered->runs);
    out.kept[r] = reuse == model::Reuse::AsIs;
    out.reused += reuse != model::Reuse::None ? 1 : 0;
  }
  return &offered->runs;
}

Session::Loaded Session::simulate_settings(const SettingsKey& key, std::stop_token stop, const Reusable* offered) {
  struct Cancelled : std::runtime_error {
    Cancelled() : std::runtime_error("no longer wanted") {}
  };
  std::vector<scenario::Override> overrides;
  for (const auto& [name, value] : key.overrides) overrides.push_back({name, value, "knob"});
  Loaded out;
  out.scenario = key.file.empty() ? scenario::load_default(overrides)
                                  : scenario::load_string(key.text, key.file.string(), overrides);
  out.text = key.text;
  out.fit_cpus = key.cpus;
  if (key.fit) out.machine_note = scenario::fit_to_machine(out.scenario, key.cpus).value_or("");
  // Cancelling asks every run for its trace so far; a run answering a cancelled simulation
  // throws from the listener, at most kEventsBetweenChecks events later.
  model::Progress progress(model::Progress::kEventsBetweenChecks, [&stop](std::size_t, const trace::Trace&) {
    if (stop.stop_requested()) throw Cancelled();
  });
  const std::stop_callback ask(stop, [&progress] { progress.ask(); });
  const auto started = std::chrono::steady_clock::now();
  const model::ReusedRuns* reused = runs_to_keep(out, offered);
  out.runs = model::simulate_all(out.scenario, simulation_threads(), &out.plan, &progress, reused);
  out.simulation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

bool Session::fit_to_this_machine(bool fit, std::optional<scenario::MeasuredMachine> measured) {
  if (fit == fit_ && !measured && !measured_) return true;
  drop_background();
  const bool was_fit = std::exchange(fit_, fit);
  std::optional<scenario::MeasuredMachine> was_measured = std::exchange(measured_, std::move(measured));
  if (!loaded_ || load(false)) return true;
  fit_ = was_fit;
  measured_ = std::move(was_measured);
  return false;
}

void Session::retire_runs(std::vector<trace::Trace> runs) {
  if (shown_heir_) {
    shown_heir_->runs.push_back(std::move(runs));
  } else {
    retire(std::move(runs));
  }
}

void Session::stop_reading_shown() {
  if (!shown_heir_) return;
  if (speculation_) {
    speculation_->want({});
    speculation_->wait_until_idle();
  }
  shown_heir_.reset();
}

void Session::add_measured(trace::Trace measured) {
  // Named as its prediction is ("pool of 4 (now 2 workers, measured)"): it ran with the knobs shown.
  for (std::size_t r = 0; r < scenario_.runs.size() && r < shown_in_force_.size(); ++r) {
    if (scenario_.runs[r].name == measured.run_name) measured.in_force = shown_in_force_[r];
  }
  if (background_) background_->copied.wait();  // a push may move the traces it copies
  // So may it those a value of the cores or the interval simulated ahead reads (measured runs come with the
  // speculation paused: then it is idle already).
  const bool moves = runs_.size() == runs_.capacity() && shown_heir_ != nullptr;
  if (moves) stop_reading_shown();
  runs_.push_back(std::move(measured));
  ++generation_;
  if (moves) respeculate();
}

void Session::drop_measured() {
  if (background_) background_->copied.wait();
  const auto measured = [](const trace::Trace& t) { return t.origin == trace::Origin::Measured; };
  if (std::erase_if(runs_, measured) > 0) ++generation_;
}

Session::Loaded Session::read_and_simulate(const fs::path& file, const Knobs& knobs, bool fit,
                                           const ShownSource* source, std::vector<scenario::JobTemplate> spare,
                                           const scenario::Scenario* shown,
                                           std::shared_ptr<const model::SharedPlan> plan, model::Progress* progress,
                                           Reusable* reusable, const WhenRead& read,
                                           const scenario::MeasuredMachine* measured,
                                           std::shared_ptr<const Written> written, std::vector<std::string>* in_force) {
  Loaded out;
  if (!file.empty() && source == nullptr) {
    std::error_code ec;
    out.mtime = fs::last_write_time(file, ec);
    if (ec) out.mtime.reset();
  }
  // The text is kept to tell whether the next knob change reads the same file (Reusable).
  if (source != nullptr) {  // a knob change: the version loaded, not the file as it is now
    out.mtime = source->mtime;
    out.text = source->text;
    const std::vector<scenario::Override> overrides = knobs.overrides();
    out.jobs_from_spare = scenario::jobs_kept_under(spare, overrides);
    out.scenario = scenario::load_string_with_jobs(out.text, file.empty() ? "<default>" : file.string(), overrides,
                                                   std::move(spare));
  } else if (file.empty()) {
    out.text = std::string(scenario::embedded_default_text());
    out.scenario = scenario::load_default(knobs.overrides());
  } else {
    out.text = scenario::read_scenario_file(file);  // throws, as load_file() does
    out.scenario = scenario::load_string(out.text, file.string(), knobs.overrides());
  }
  // The file as written, before the fit: what the runs' names state (Trace::in_force).
  const bool no_override = knobs.overrides().empty();
  out.written = written_for(out.text, file, out.scenario, no_override, std::move(written));
  if (fit) {
    out.fit_cpus = real::available_cpus();
    scenario::MeasuredMachine machine = measured ? *measured : scenario::MeasuredMachine{};
    machine.cpus = out.fit_cpus;
    out.machine_note = scenario::fit_to_machine(out.scenario, machine).value_or("");
    if (const auto fitted = scenario::fitted_line(machine)) out.machine_note += (out.machine_note.empty() ? "" : " ") + *fitted;
  }
  if (read) read(out.scenario);
  out.in_force = words_in_force(out.written.get(), out.scenario, no_override && !fit);
  if (in_force != nullptr) *in_force = out.in_force;  // before the runs answer for a preview
  const auto started = std::chrono::steady_clock::now();
  // Cores, the switch interval or the workers leave the jobs, and so their plan, as they were.
  // Jobs taken from the spare are the shown scenario's, read from the same text under knobs
  // that leave the jobs, the seed, the locks and the counters alike (spare_for()): its plan is
  // theirs without a look over every step (same_plan: 2.2 M instructions on lesson 15).
  const bool plan_kept = out.jobs_from_spare || (shown != nullptr && scenario::same_plan(*shown, out.scenario));
  if (plan && shown != nullptr && plan_kept) out.plan = std::move(plan);
  const model::ReusedRuns* reused = runs_to_keep(out, reusable);
  // Known before the simulation starts: a kept run's part of what the change derives is
  // carried over, not built (RunwiseDerive).
  if (reused != nullptr) reusable->kept = out.kept;
  out.kept_left_out = reused != nullptr && reused->as_is_left_to_caller;
  out.runs = model::simulate_all(out.scenario, simulation_threads(), &out.plan, progress, reused);
  out.simulation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

std::shared_ptr<const Session::Written> Session::written_for(const std::string& text, const fs::path& file,
                                                             const scenario::Scenario& loaded, bool as_written,
                                                             std::shared_ptr<const Written> cached) {
  if (cached && cached->text == text) return cached;
  auto out = std::make_shared<Written>();
  out->text = text;
  scenario::Scenario read;  // the text again, with no override: only where `loaded` has some
  if (!as_written) {
    if (!text.empty()) {
      read = scenario::load_string(text, file.empty() ? "<default>" : file.string());
    } else {
      read = file.empty() ? scenario::load_default() : scenario::load_file(file);
    }
  }
  const scenario::Scenario& from = as_written ? loaded : read;
  // All but the jobs' steps (lesson 15's are 4.5 MB): a job's name and count are what a run's
  // name may state (one thread a job).
  scenario::Scenario& w = out->scenario;
  w.title = from.title;
  w.seed = from.seed;
  w.machine = from.machine;
  w.python = from.python;
  w.costs = from.costs;
  w.runs = from.runs;
  w.source = from.source;
  for (const scenario::JobTemplate& job : from.jobs) {
    scenario::JobTemplate named;  // the name and count are what a label reads; no steps
    named.name = job.name;
    named.count = job.count;
    w.jobs.push_back(std::move(named));
  }
  return out;
}

std::vector<std::string> Session::words_in_force(const Written* written, const scenario::Scenario& in_force,
                                                 bool as_written) {
  std::vector<std::string> out(in_force.runs.size());
  if (as_written || written == nullptr) return out;
  for (std::size_t r = 0; r < out.size(); ++r) out[r] = scenario::value_in_force(written->scenario, in_force, in_force.runs[r]);
  return out;
}

void Session::say_in_force(std::vector<trace::Trace>& runs, const std::vector<std::string>& words) {
  for (std::size_t r = 0; r < runs.size() && r < words.size(); ++r) {
    if (runs[r].origin == trace::Origin::Simulated) runs[r].in_force = words[r];
  }
}

void Session::settle_spare() {
  if (spare_copy_.valid()) spare_jobs_ = spare_copy_.get();
}

std::vector<scenario::JobTemplate> Session::spare_for(const Knobs& to) {
  settle_spare();
  std::vector<scenario::JobTemplate> spare = std::move(spare_jobs_);
  spare_jobs_.clear();
  // Read with the knobs shown, and taken under `to`: both must leave the jobs (load_string_with_jobs).
  if (fit_ || !shown_source() || !scenario::jobs_kept_under(spare, shown_knobs_.overrides()) ||
      !scenario::jobs_kept_under(spare, to.overrides())) {
    spare_jobs_ = std::move(spare);  // kept for a change that can take them
    return {};
  }
  return spare;
}

void Session::install(Loaded loaded) {
  simulation_seconds_ = loaded.simulation_seconds;
  derive_seconds_ = loaded.derive_seconds;
  settle_spare();  // the copy reads scenario_
  scenario::Scenario scenario_replaced = std::exchange(scenario_, std::move(loaded.scenario));
  last_jobs_kept_ = loaded.jobs_from_spare;
  if (loaded.jobs_from_spare) {
    spare_jobs_ = std::move(scenario_replaced.jobs);  // read from the same text under knobs that leave the jobs
  } else {
    spare_jobs_.clear();
    // Copied beside the first frame, for the next knob change; not where a change cannot take them.
    const bool may_take = !fit_ && scenario::jobs_kept_under(scenario_.jobs, knobs_.overrides());
    if (may_take) spare_copy_ = std::async(std::launch::async, [&jobs = scenario_.jobs] { return jobs; });
  }
  std::vector<trace::Trace> replaced = std::exchange(runs_, std::move(loaded.runs));
  std::vector<trace::Trace> shown_before = std::exchange(before_preview_, {});  // empty unless previewing
  if (loaded.kept_left_out) {
    stop_reading_shown();  // a value simulated ahead may be copying the runs moved now
    move_kept_in(shown_before.empty() ? replaced : shown_before, runs_, loaded.kept);
  }
  previewing_ = false;
  // Each run's label says what the knobs changed that its name states ("pool of 4 (now 2 workers)").
  if (loaded.written) written_ = std::move(loaded.written);
  if (loaded.in_force.size() != scenario_.runs.size()) {  // a value simulated ahead: said here
    const bool as_written = knobs_.overrides().empty() && !fit_;
    try {
      if (!as_written) written_ = written_for(loaded.text, file_, scenario_, false, written_);
      loaded.in_force = words_in_force(written_.get(), scenario_, as_written);
    } catch (const std::exception&) {
      loaded.in_force.assign(scenario_.runs.size(), std::string());  // the file changed meanwhile: the names alone
    }
  }
  shown_in_force_ = std::move(loaded.in_force);
  say_in_force(runs_, shown_in_force_);
  if (!replaced.empty()) retire_runs(std::move(replaced));
  if (!shown_before.empty()) retire_runs(std::move(shown_before));
  if (shown_heir_) {  // the runs it keeps are no longer shown: freed once the speculation is done with them
    if (speculation_) speculation_->want({});  // respeculate() below asks for the new runs' neighbours
    retire(std::move(shown_heir_));
  }
  mtime_ = loaded.mtime;
  machine_note_ = std::move(loaded.machine_note);
  plan_ = std::move(loaded.plan);
  shown_text_ = std::move(loaded.text);
  shown_fit_cpus_ = loaded.fit_cpus;
  last_reused_ = loaded.reused;
  last_kept_ = std::move(loaded.kept);
  last_kept_from_ = last_reused_ > 0 ? loaded.kept_from_generation : 0;
  shown_knobs_ = knobs_;
  error_.clear();
  loaded_ = true;
  ++generation_;
  ++scenario_generation_;
  derived_ = std::move(loaded.derived);
  derived_generation_ = generation_;
  respeculate();
}

void Session::move_kept_in(std::vector<trace::Trace>& shown, std::vector<trace::Trace>& into, const std::vector<bool>& kept) {
  for (std::size_t r = 0; r < kept.size() && r < into.size() && r < shown.size(); ++r) {
    if (!kept[r]) continue;
    // The runs shown keep their places while a change is simulated (a measured run comes
    // after them, Session::add_measured): run r is the one offered (offered_for_reuse).
    assert(shown[r].run_name == into[r].run_name && shown[r].origin == trace::Origin::Simulated && !shown[r].partial());
    const Time interval = into[r].switch_interval;
    into[r] = std::move(shown[r]);
    into[r].switch_interval = interval;
  }
}

std::any Session::take_derived() {
  if (derived_generation_ != generation_) return {};
  return std::exchange(derived_, std::any());
}

bool Session::load(bool from_file) {
  const std::optional<ShownSource> source = from_file ? std::nullopt : shown_source();
  if (speculation_) speculation_->clear();  // another file, another version of it, or another fit
  last_step_.reset();
  last_change_kept_ = false;
  // The scenario shown closes (another opens, or the file is read again): what was made
  // ready for its first knob change and not taken goes back (its runs' own mappings go to the cache).
  if (from_file) warm_pool_.release();
  try {
    if (retiring_.joinable()) retiring_.join();
    std::vector<scenario::JobTemplate> spare = source ? spare_for(knobs_) : std::vector<scenario::JobTemplate>{};
    install(read_and_simulate(file_, knobs_, fit_, source ? &*source : nullptr, std::move(spare),
                              loaded_ ? &scenario_ : nullptr, plan_, nullptr, nullptr,
                              from_file ? when_read_ : WhenRead(), measured_ ? &*measured_ : nullptr, written_));
    // Its first knob change finds storage ready for the runs it simulates again (the later ones,
    // the storage of the runs each replaced).
    if (from_file) warm_pool_.start(WarmPool::plan(runs_));
    return true;
  } catch (const std::exception& e) {
    error_ = error_text(e);
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
  last_change_kept_ = false;
  // The cores are this change's: the mappings made ready so far stay, the rest its runs fault
  // in (the pool's heap is warmed on, paced, until the change's indexing comes to it).
  warm_pool_.stop();
  // The replaced runs are freed first: the new traces then reuse their storage.
  if (retiring_.joinable()) retiring_.join();
  background_ = std::make_unique<Background>();
  Background& b = *background_;
  b.knobs = knobs_;
  b.request = knob_requests_;
  respeculate();  // paused: the cores are this change's
  // scenario_ stays as it is while the thread runs: install() comes after it is joined.
  PreviewDerive preview_derive;
  if (make_preview_derive_ && derive_) {
    preview_derive = make_preview_derive_();
  } else if (derive_) {
    preview_derive = [whole = derive_](const std::vector<trace::Trace>& runs, const std::vector<bool>&) { return whole(runs); };
  }
  const bool every_slice = preview_every_slice_;
  if (every_slice) {
    b.progress.hold_runs_between_answers();
    b.progress.ask();  // before the runs begin: each answers at its first check
  }
  b.watcher = std::jthread([&b, every_slice, derive = std::move(preview_derive)](std::stop_token stop) {
    // A preview copies the runs so far and indexes them: memory running out there ends the
    // previews, not the program (the simulation's thread, short of memory too, says so), and
    // the runs no longer wait for the answers it will not ask.
    try {
      // Runs whole within a few frames need no preview: asking for one sooner would take the
      // cores from them (the copies and their indices), so the first ask waits (kFirstPreviewAfter).
      if (!every_slice) {
        std::unique_lock lock(b.preview_mutex);
        b.preview_taken.wait_for(lock, stop, kFirstPreviewAfter, [&b] { return b.ready.load(std::memory_order_acquire); });
      }
      if (b.ready.load(std::memory_order_acquire)) return;
      bool asked = every_slice;
      while (!stop.stop_requested()) {
        if (!std::exchange(asked, false)) b.progress.ask();
        if (!b.progress.wait_for_answers(stop)) return;
        Preview preview;
        preview.runs = b.progress.answers();
        say_in_force(preview.runs, b.in_force);  // set before the runs answered
        const bool partial = std::ranges::any_of(preview.runs, [](const trace::Trace& run) { return run.partial(); });
        if (!partial) return;  // every run is whole (or the simulation is over): the change itself comes in next
        // The kept runs are known before any run answers (read_and_simulate sets them first).
        preview.kept = b.reusable.kept;
        if (derive) preview.derived = derive(preview.runs, preview.kept);
        std::unique_lock lock(b.preview_mutex);
        b.preview = std::move(preview);
        if (!b.preview_taken.wait(lock, stop, [&b] { return !b.preview; })) return;
      }
    } catch (const std::exception&) {
      b.progress.release();  // runs held between answers go on without a watcher
    }
  });
  const RunwiseDerive runwise = derive_ ? runwise_ : RunwiseDerive{};
  b.derive_one = runwise.one;
  b.indexer = warm_pool_.indexer();
  b.reusable = {offered_for_reuse(knobs_), shown_text_, shown_fit_cpus_, {}};
  // The runs kept as they are are moved in from the runs shown by install(), not copied,
  // unless the change indexes its whole runs at once (a Derive without RunwiseDerive, which
  // would index the stand-ins).
  b.reusable.runs.as_is_left_to_caller = !derive_ || static_cast<bool>(runwise.join);
  b.offered_generation = generation_;
  b.thread = std::jthread([&b, file = file_, fit = fit_, measured = measured_, derive = derive_, join = runwise.join,
                           source = shown_source(), spare = spare_for(knobs_), shown = loaded_ ? &scenario_ : nullptr,
                           plan = plan_, written = written_]() mutable {
    try {
      // The runs shown that need not be simulated again are copied by the simulation's threads,
      // not on the frame thread (lesson 15's two such runs are 10 MB: milliseconds of copying and
      // page faults), and beside the runs simulated, not before them.
      {
        struct CountDown {
          std::latch& latch;
          ~CountDown() { latch.count_down(); }
        } copied{b.copied};
        b.loaded = read_and_simulate(file, b.knobs, fit, source ? &*source : nullptr, std::move(spare), shown, plan,
                                     &b.progress,
                                     b.reusable.runs.runs.empty() ? nullptr : &b.reusable, {},
                                     measured ? &*measured : nullptr, std::move(written), &b.in_force);
        b.loaded->kept_from_generation = b.offered_generation;
      }
      const auto started = std::chrono::steady_clock::now();
      if (join) {
        std::vector<std::any> parts;
        {
          const std::lock_guard lock(b.parts_mutex);
          parts = std::move(b.parts);
        }
        parts.resize(b.loaded->runs.size());
        for (std::size_t r = 0; r < parts.size(); ++r) {
          const bool kept = r < b.loaded->kept.size() && b.loaded->kept[r];  // its part is the runs shown's
          if (!parts[r].has_value() && !kept) parts[r] = b.derive_one(b.loaded->runs[r], b.indexer.get());  // not derived as it ended
        }
        b.loaded->derived = join(b.loaded->runs, std::move(parts));
      } else if (derive) {
        b.loaded->derived = derive(b.loaded->runs);
      }
      b.loaded->derive_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    } catch (const std::exception& e) {
      b.error = error_text(e);
    }
    b.progress.end();  // also when the file did not load: the watcher stops waiting
    {
      const std::lock_guard lock(b.preview_mutex);  // the watcher waiting for its first ask sees it
      b.ready.store(true, std::memory_order_release);
    }
    b.preview_taken.notify_all();
  });
}

model::ReusedRuns Session::offered_for_reuse(const Knobs& to) const {
  model::ReusedRuns out;
  // runs_ are the whole runs of shown_knobs_ (a change starts once the last one is in).
  const std::optional<MovedKnobs> moved = only_cores_or_interval_moved(shown_knobs_, to);
  if (!loaded_ || previewing_ || !error_.empty() || !moved) return out;
  out.cores_moved = moved->cores;
  out.switch_interval_moved = moved->switch_interval;
  for (std::size_t r = 0; r < scenario_.runs.size(); ++r) {
    const bool same_run = r < runs_.size() && runs_[r].origin == trace::Origin::Simulated && !runs_[r].partial() &&
                          runs_[r].run_name == scenario_.runs[r].name;
    out.runs.push_back(same_run ? &runs_[r] : nullptr);
  }
  return out;
}

void Session::Background::derive_ended(std::size_t run, const trace::Trace& answer) {
  const bool kept = run < reusable.kept.size() && reusable.kept[run];  // its part is the runs shown's
  if (!derive_one || answer.partial() || kept) return;
  std::any part = derive_one(answer, indexer.get());  // the answer is a copy of the run's whole trace
  const std::lock_guard lock(parts_mutex);
  if (parts.size() <= run) parts.resize(run + 1);
  parts[run] = std::move(part);
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
  else retire(std::move(runs_));  // the last preview's copies
  previewing_ = true;
  runs_ = std::move(preview->runs);
  last_kept_ = std::move(preview->kept);
  last_kept_from_ = std::find(last_kept_.begin(), last_kept_.end(), true) != last_kept_.end() ? b.offered_generation : 0;
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
  if (kept_change_) {
    kept_change_.reset();
    knobs_ = shown_knobs_;
  }
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
  // Its answers and its last preview are copies of the runs: freed beside the next frame.
  retire(std::move(done));
  if (superseded && !take_kept(knobs_)) start_background();
  return changed;
}

bool Session::poll(double wall_seconds) {
  if (kept_change_) {
    const Knobs latest = knobs_;
    knobs_ = kept_knobs_;
    Loaded kept = std::move(*std::exchange(kept_change_, nullptr));
    install(std::move(kept));
    knobs_ = latest;
    last_change_kept_ = true;
    if (knobs_ != kept_knobs_ && !take_kept(knobs_)) start_background();  // asked for meanwhile
    return true;
  }
  if (background_) return collect_background() || take_preview();  // the file is looked at once it is in
  since_check_ += wall_seconds;
  if (since_check_ < 1.0 || file_.empty()) return false;
  since_check_ = 0;
  std::error_code ec;
  const auto mtime = fs::last_write_time(file_, ec);
  if (ec || (mtime_ && *mtime_ == mtime)) return false;
  const auto before = generation_;
  load(true);
  mtime_ = mtime;
  return generation_ != before;
}

}  // namespace gilsim::viz
