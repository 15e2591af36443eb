// The open scenario and its simulated runs: opening the default or a file, the classroom
// knobs (cores, switch interval, workers, jobs) that re-run the model, and the file watch
// that reloads on change. A broken edit keeps the last good runs and says what is wrong.
// Measured runs join the simulated ones; any reload or knob change drops them.
#pragma once

#include <any>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/trace.hpp"
#include "viz/knob_cache.hpp"
#include "viz/knobs.hpp"
#include "viz/lent_thread.hpp"
#include "viz/speculation.hpp"
#include "viz/warm_pool.hpp"

namespace gilsim::viz {

/// What the viewer says where its memory ran out (std::bad_alloc's own words say nothing).
inline constexpr const char* kOutOfMemory =
    "out of memory: this scenario's runs need more memory than the viewer may use; try fewer or shorter jobs, "
    "or `gilsim run` for its table alone";

/// An error's text for a user: std::bad_alloc's as kOutOfMemory.
std::string error_text(const std::exception& e);

class Session {
 public:
  /// Opens `file`, or the built-in default scenario when `file` is empty. On failure the
  /// previous runs stay and error() says why.
  bool open(const std::filesystem::path& file);
  /// `gilviz FILE --set KEY=VALUE`: `base` overrides FILE's values whenever FILE is opened (not
  /// another scenario): the knobs move from them (Knobs::base). Before open().
  void set_base(const std::filesystem::path& file, std::vector<scenario::Override> base);
  /// What open() calls on its thread once the file is read (its jobs expanded), before the
  /// runs' job plan is made and they are simulated: the start-up load has the heap the plan
  /// is written to faulted in beside it (BackgroundLoad). Not for knob changes.
  using WhenRead = std::function<void(const scenario::Scenario&)>;
  void when_read(WhenRead call) { when_read_ = std::move(call); }
  /// Re-runs the current scenario with new knob values, and waits for the new runs.
  bool set_knobs(const Knobs& knobs);
  /// The same on a thread of its own, for the panels: the runs shown stay until the new ones
  /// are simulated, and poll() puts them in. knobs() are the new values from now on; a change
  /// asked for while one is simulated runs after it (the latest values only). A failure keeps
  /// the runs shown and their knobs, and error() says why.
  /// `derive`, when given, builds what the viewer derives from the new runs on that thread
  /// too (their indices): the frame that puts them in then only swaps them in (take_derived).
  /// Meanwhile poll() shows the new runs as far as they are simulated (previewing()): each
  /// run's trace so far (trace::Trace::partial()), new ones as the model goes on, with what
  /// `derive` builds from them; the runs shown before come back if the change fails.
  using Derive = std::function<std::any(const std::vector<trace::Trace>&)>;
  void set_knobs_in_background(const Knobs& knobs, Derive derive = {});
  /// From now on, while nothing else is simulated, simulates the knobs' neighbouring values
  /// (neighbour_knobs) at idle priority and keeps them (Speculation, `budget_bytes`), each
  /// with what `derive` builds from it: a knob change to a kept value is put in by the next
  /// poll(), whole, with its indices. Each change of the runs shown asks for its neighbours.
  /// `lowest_priority` false: at normal priority (the tests, on a machine busy with others).
  void speculate_neighbours(Derive derive, std::size_t budget_bytes = Speculation::kDefaultBudget,
                            bool lowest_priority = true);
  /// The tests: the speculation speculate_neighbours() starts next holds its first value under
  /// way, before its work begins, until the test releases it (Speculation::hold_next_value,
  /// release_held), so a test acts while a value is simulated ahead, however fast the machine.
  void hold_first_speculated_value() { hold_first_speculated_ = true; }
  /// Stops speculating while real runs are measured (their cores are theirs), and resumes.
  /// Pausing returns once the simulation under way has stopped.
  void pause_speculation(bool pause);
  /// The speculation, when speculate_neighbours() started one (for the bench and the tests).
  const Speculation* speculation() const { return speculation_.get(); }
  Speculation* speculation() { return speculation_.get(); }
  /// The storage made ready, once a scenario is opened, for the runs its first knob change
  /// simulates again (WarmPool); given back when another scenario opens, or the file is read
  /// again, and when the session ends.
  const WarmPool& warm_pool() const { return warm_pool_; }
  WarmPool& warm_pool() { return warm_pool_; }
  /// The knob change put in from the kept values, not simulated (until the next change).
  bool last_change_was_kept() const { return last_change_kept_; }
  /// Each knob change's previews are derived by a PreviewDerive that `make` makes for that
  /// change alone (one that carries what it built from a prefix to the next, PreviewIndexer),
  /// not by the change's own `derive`. It is given the runs so far and, by run, those the change
  /// keeps from the runs shown (whole: last_kept_runs() once the preview is shown), whose part
  /// it may leave to whoever holds the runs shown's, as RunwiseDerive's join does.
  using PreviewDerive = std::function<std::any(const std::vector<trace::Trace>&, const std::vector<bool>& kept)>;
  void index_previews_with(std::function<PreviewDerive()> make) { make_preview_derive_ = std::move(make); }
  /// The tests: from now on a knob change's runs are asked for a preview at once, not a frame
  /// later, and each run waits for poll() to take a preview before it goes past the next slice
  /// (model::Progress::hold_runs_between_answers), so every change of runs longer than a slice
  /// shows previews, however fast the machine.
  void preview_every_slice() { preview_every_slice_ = true; }
  /// What a knob change's `derive` builds, built run by run: `one` builds a run's part on the
  /// thread that simulated it as soon as the run ends, beside the runs still simulated; `join`
  /// makes the whole from the runs and their parts, in file order. It must build what
  /// `derive` builds from the runs, but for the runs the change kept from the runs shown
  /// (last_kept_runs()): their part is an empty std::any, theirs being what was built from
  /// the runs shown, which whoever holds it carries over. `one` may share its work with the
  /// LentThread it is given (null: none), the warm pool's (WarmPool::indexer()).
  struct RunwiseDerive {
    std::function<std::any(const trace::Trace&, LentThread*)> one;
    std::function<std::any(const std::vector<trace::Trace>&, std::vector<std::any>)> join;
  };
  /// From now on a knob change given a `derive` is derived with `runwise` instead.
  void derive_runwise_with(RunwiseDerive runwise) { runwise_ = std::move(runwise); }
  /// What `derive` built from runs(), once, when runs() are the ones it was built from.
  std::any take_derived();
  /// A knob change is being simulated (its runs are not in yet).
  bool simulating() const { return background_ != nullptr || kept_change_ != nullptr; }
  /// runs() are the first parts of the runs of the change being simulated (each partial()).
  bool previewing() const { return previewing_; }
  /// Whether the runs of the change being simulated are ready for poll() to put in.
  bool background_ready() const {
    return kept_change_ != nullptr || (background_ && background_->ready.load(std::memory_order_acquire));
  }
  /// Call every frame: puts in the runs of a knob change simulated in the background (or, until
  /// they are whole, their latest first parts), and reloads when the file's modification time
  /// changes (checked once a second).
  /// Returns true when the runs changed.
  bool poll(double wall_seconds);
  /// Fits the model's twin to this machine's cores (as before real runs) or back to the file,
  /// and to what `measured` holds of it besides (a CPython calibration's process start and
  /// pickling: docs/model.md P4e, P7c); re-runs the model when that changes anything.
  bool fit_to_this_machine(bool fit, std::optional<scenario::MeasuredMachine> measured = std::nullopt);
  /// Adds a measured run; it stays until the next reload or knob change.
  void add_measured(trace::Trace measured);
  /// Removes the measured runs, keeping the simulated ones.
  void drop_measured();

  const std::filesystem::path& file() const { return file_; }
  const scenario::Scenario& scenario() const { return scenario_; }
  const std::vector<trace::Trace>& runs() const { return runs_; }
  const Knobs& knobs() const { return knobs_; }
  const std::string& error() const { return error_; }
  bool loaded() const { return loaded_; }
  /// Changes whenever runs() does, so readers know to rebuild what they derived.
  std::uint64_t generation() const { return generation_; }
  double last_simulation_seconds() const { return simulation_seconds_; }
  /// How long the last background change's Derive took on its thread (0 without one).
  double last_derive_seconds() const { return derive_seconds_; }
  /// How many runs the last change kept from the runs shown before it, not simulated again (a
  /// change of the cores, the switch interval or both: model::reuse_of()), those moved onto a
  /// new core count (model::with_cores(), their lanes moved) with them.
  std::size_t last_reused_runs() const { return last_reused_; }
  /// By run, the runs the change shown kept as they were, whose indices carry over (the last
  /// change's, or while previewing() the change's being simulated; of last_reused_runs(), all
  /// but those moved onto a new core count, whose lanes moved: indexed anew), and the generation() of the
  /// runs shown they were kept from (0: none kept, or kept by a value simulated ahead, whose
  /// indices were all built with it).
  const std::vector<bool>& last_kept_runs() const { return last_kept_; }
  std::uint64_t last_kept_from_generation() const { return last_kept_from_; }
  /// Whether the scenario shown took the jobs of the one before it as they were (a knob of the
  /// cores, the switch interval or the workers), not read and expanded again.
  bool last_jobs_kept() const { return last_jobs_kept_; }
  /// Changes whenever the scenario is loaded again (reload, knobs), not when runs are added.
  std::uint64_t scenario_generation() const { return scenario_generation_; }
  bool fitted_to_this_machine() const { return fit_; }
  /// Why the twin predicts for fewer cores than the file asks; empty when it does not.
  const std::string& machine_note() const { return machine_note_; }

 private:
  /// The scenario as its text is written, with no knob, --set or fit: what a run's name states
  /// (Trace::in_force). Its jobs keep their names and counts alone.
  struct Written {
    std::string text;
    scenario::Scenario scenario;
  };
  /// The file as written for `text`: `cached` when it is of that text; else `loaded` itself
  /// when read as written (`as_written`), or the text read again with no override.
  static std::shared_ptr<const Written> written_for(const std::string& text, const std::filesystem::path& file,
                                                    const scenario::Scenario& loaded, bool as_written,
                                                    std::shared_ptr<const Written> cached);
  /// By run of `in_force`, the words its label adds (scenario::value_in_force): all empty when
  /// `in_force` is the file as written (`as_written`).
  static std::vector<std::string> words_in_force(const Written* written, const scenario::Scenario& in_force,
                                                 bool as_written);
  /// Sets each simulated run's Trace::in_force from `words`, by run of the scenario.
  static void say_in_force(std::vector<trace::Trace>& runs, const std::vector<std::string>& words);
  /// A scenario read and simulated, ready to be shown.
  struct Loaded {
    scenario::Scenario scenario;
    std::vector<trace::Trace> runs;
    std::optional<std::filesystem::file_time_type> mtime;
    std::string machine_note;
    std::shared_ptr<const model::SharedPlan> plan;  ///< the job plan and step labels of `runs`
    double simulation_seconds = 0;
    std::any derived;  ///< what Derive built from `runs`, if it was given
    double derive_seconds = 0;
    std::string text;  ///< the scenario's text `runs` were read from (empty: not known)
    int fit_cpus = 0;  ///< the CPUs the scenario was fitted to (0: not fitted)
    std::size_t reused = 0;  ///< runs kept from the runs shown, not simulated (model::ReusedRuns)
    std::vector<bool> kept;  ///< by run: kept from the runs shown as they were (model::Reuse::AsIs)
    std::uint64_t kept_from_generation = 0;  ///< the generation() of the runs kept from
    bool jobs_from_spare = false;  ///< `scenario`'s jobs are the spare's (spare_for()), not read again
    /// Its `kept` runs are stand-ins (model::ReusedRuns::as_is_left_to_caller): install() moves
    /// the runs shown into their places rather than a copy being made of each.
    bool kept_left_out = false;
    /// The file as written that `in_force` was said against (null: not read, install() reads it if needed).
    std::shared_ptr<const Written> written;
    /// By run: what the knobs (or gilviz --set, or the fit) changed that its name states
    /// (scenario::value_in_force, Trace::in_force); empty when not said yet (install() says it).
    std::vector<std::string> in_force;
  };
  /// Runs shown that a change of the cores, the switch interval or both may keep rather than
  /// simulate (model::ReusedRuns, which copies those every moved knob's rule keeps), and the
  /// text and fit they were read with, which the change's must equal.
  struct Reusable {
    model::ReusedRuns runs;
    std::string text;
    int fit_cpus = 0;
    std::vector<bool> kept;  ///< by run, set before the simulation: kept (Loaded::kept)
  };
  /// The runs of a knob change as far as they are simulated, and what Derive built from them.
  struct Preview {
    std::vector<trace::Trace> runs;
    std::any derived;
    std::vector<bool> kept;  ///< by run: kept from the runs shown (Reusable::kept)
  };
  /// A knob change simulated on a thread of its own; `ready` once `loaded` or `error` is set.
  /// Beside it a watcher asks the runs for their traces so far, one preview at a time: the
  /// next is asked for once poll() took the last.
  struct Background {
    Knobs knobs;
    std::uint64_t request = 0;  ///< knob_requests_ when it started
    std::optional<Loaded> loaded;
    std::string error;
    std::atomic<bool> ready{false};
    /// Counted down once the simulation is over, and with it the copies of the runs shown it
    /// keeps: until then the frame thread leaves runs_' traces where they are (add_measured()
    /// could move them; it waits, in the rare case a measured run comes during a change).
    std::latch copied{1};
    std::function<std::any(const trace::Trace&, LentThread*)> derive_one;  ///< RunwiseDerive::one, if any
    std::shared_ptr<LentThread> indexer;  ///< given to derive_one: the warm pool's, if any
    /// The runs shown offered for keeping; its `kept` is read by the simulation's threads.
    Reusable reusable;
    std::uint64_t offered_generation = 0;  ///< generation() of the runs offered
    std::mutex parts_mutex;
    std::vector<std::any> parts;  ///< by run, guarded by parts_mutex: derive_one of its whole trace
    /// A run's last answer is its whole trace (on its thread, as it ends): derived there.
    model::Progress progress{model::Progress::kEventsBetweenChecks,
                             [this](std::size_t run, const trace::Trace& answer) { derive_ended(run, answer); }};
    void derive_ended(std::size_t run, const trace::Trace& answer);
    /// By run: the words of its label (Loaded::in_force), set before the runs are simulated:
    /// the previews' runs are named as the whole ones will be.
    std::vector<std::string> in_force;
    std::mutex preview_mutex;
    std::condition_variable_any preview_taken;
    std::optional<Preview> preview;  ///< guarded by preview_mutex
    std::jthread watcher;  ///< ends after `thread` (declared before it): it waits for its answers
    std::jthread thread;   ///< last: it starts once the fields above exist
    /// Runs held for a preview nobody will take go on, so `thread` can be joined.
    ~Background() {
      watcher.request_stop();
      progress.release();
    }
  };

  /// What a knob change reads instead of the file: the text the runs shown were read from and
  /// the file's modification time then, which the watch compares (an edit made since is the
  /// reload's to bring in, with the knobs in force).
  struct ShownSource {
    std::string text;
    std::optional<std::filesystem::file_time_type> mtime;
  };
  /// The runs shown's source, for a knob change: none when nothing is loaded or the last load
  /// failed (a broken edit is read again, and reported again, as before).
  std::optional<ShownSource> shown_source() const;
  /// Reads the file (or the default) with `knobs` and simulates its runs; throws on failure.
  /// `source`, when given, is read instead of the file (a knob change: shown_source()), and
  /// `spare`, when not empty, holds its jobs as read (spare_for()): taken rather than read again.
  /// `shown`, when given, is the scenario of the runs shown and `plan` theirs: kept when the
  /// new values leave the jobs as they were (scenario::same_plan).
  /// `progress`, when given, answers a watcher with the runs so far.
  /// `measured`, when given with `fit`, is what the fit takes of this machine besides its cores.
  /// `written`: the file as written, if known (written_for()); `in_force`, when given, gets the
  /// runs' Loaded::in_force before they are simulated.
  static Loaded read_and_simulate(const std::filesystem::path& file, const Knobs& knobs, bool fit,
                                  const ShownSource* source, std::vector<scenario::JobTemplate> spare,
                                  const scenario::Scenario* shown, std::shared_ptr<const model::SharedPlan> plan,
                                  model::Progress* progress = nullptr, Reusable* reusable = nullptr,
                                  const WhenRead& read = {}, const scenario::MeasuredMachine* measured = nullptr,
                                  std::shared_ptr<const Written> written = nullptr,
                                  std::vector<std::string>* in_force = nullptr);
  /// The spare jobs for a knob change to `to` (scenario::load_string_with_jobs takes them as
  /// they are), moved out: empty when the change reads its jobs anew (a knob that reaches the
  /// jobs, a fit to this machine, a pinned job, or no spare yet).
  std::vector<scenario::JobTemplate> spare_for(const Knobs& to);
  /// Waits for the spare's copy made beside (it reads scenario_) and keeps it.
  void settle_spare();
  /// The runs shown that a change to `to` may keep, by run (null: simulate it), with the knobs
  /// it moves: none unless it moves the cores, the switch interval or both, and nothing else.
  /// Read on the change's thread (Background::copied).
  model::ReusedRuns offered_for_reuse(const Knobs& to) const;
  /// Hands the storage of runs no longer shown to the heir a speculation may still read them
  /// through (or to retire() when none): their traces are freed once neither reads them.
  void retire_runs(std::vector<trace::Trace> runs);
  /// Stops the speculation reading the runs shown (before they move in memory).
  void stop_reading_shown();
  void install(Loaded loaded);
  /// Moves the runs `loaded` kept as they were (Loaded::kept_left_out) from `shown`, the runs it
  /// replaces, into its stand-ins, each with the stand-in's switch interval.
  static void move_kept_in(std::vector<trace::Trace>& shown, std::vector<trace::Trace>& into, const std::vector<bool>& kept);
  /// The runs of `key`, for the speculation: read from the key's text, cancelled when `stop`
  /// is requested (each run then throws at its next check, model::Progress). `offered`, when
  /// given, holds runs shown it keeps rather than simulates when the key reads their text.
  static Loaded simulate_settings(const SettingsKey& key, std::stop_token stop, const Reusable* offered = nullptr);
  /// The runs `out` (its scenario, text and fit read) keeps from `offered` rather than
  /// simulates, with out.kept and out.reused set; nullptr when it keeps none.
  static const model::ReusedRuns* runs_to_keep(Loaded& out, const Reusable* offered);
  /// What a value of the cores or the switch interval simulated ahead reads
  /// (Speculation::Candidate::reads): the runs shown it may keep, and the heir that keeps them alive if they are replaced meanwhile.
  struct ShownRunsHeir {
    std::vector<std::vector<trace::Trace>> runs;  ///< runs_' storage, moved whole (its traces stay put)
  };
  struct SpeculatedReuse {
    Reusable offered;
    std::shared_ptr<ShownRunsHeir> heir;
  };
  SettingsKey key_of(const Knobs& knobs) const;
  /// The kept runs of `knobs`, if the speculation has them, ready for poll(): true.
  bool take_kept(const Knobs& knobs);
  /// Asks the speculation for the neighbours of the runs shown (when idle), or pauses it.
  void respeculate();
  /// Reads the file again (open, the watch's reload) or, for a knob change, shown_source().
  bool load(bool from_file);
  /// Waits for a knob change being simulated and drops it (a load on this thread replaces it).
  void drop_background();
  /// Puts in a finished background change; starts the latest knobs when they moved meanwhile.
  bool collect_background();
  void start_background();
  /// Shows the latest preview of the change being simulated, if a new one is ready.
  bool take_preview();
  /// Puts back the runs shown before the previews (the change failed or was dropped).
  void end_preview();

  std::filesystem::path file_;
  scenario::Scenario scenario_;
  /// Empty, or scenario_.jobs again: what a knob change that leaves the jobs (cores, switch
  /// interval, workers) moves into its scenario instead of reading and expanding the jobs anew
  /// (lesson 15's 80,000 steps are 4.5 MB, about 1,100 fresh pages). A change that took it
  /// hands back the jobs of the scenario it replaces; any other load has it copied beside.
  std::vector<scenario::JobTemplate> spare_jobs_;
  std::future<std::vector<scenario::JobTemplate>> spare_copy_;  ///< the copy under way, reading scenario_
  std::vector<trace::Trace> runs_;
  Knobs knobs_;
  std::filesystem::path base_file_;           ///< the file `base_` is for (set_base)
  std::vector<scenario::Override> base_;      ///< gilviz --set: FILE's values before the knobs
  Knobs shown_knobs_;  ///< the knobs of the runs shown (knobs_ may be ahead, being simulated)
  std::uint64_t knob_requests_ = 0;  ///< background knob changes asked for
  Derive derive_;                    ///< the latest background change's
  std::function<PreviewDerive()> make_preview_derive_;
  WhenRead when_read_;
  RunwiseDerive runwise_;
  std::any derived_;                 ///< for runs_ at derived_generation_
  std::uint64_t derived_generation_ = 0;
  std::string error_;
  bool loaded_ = false;
  std::uint64_t generation_ = 0;
  std::uint64_t scenario_generation_ = 0;
  bool fit_ = false;
  std::optional<scenario::MeasuredMachine> measured_;  ///< with fit_: what else the fit takes of this machine
  std::string machine_note_;
  std::shared_ptr<const model::SharedPlan> plan_;  ///< runs_' job plan and step labels
  std::string shown_text_;                         ///< the text runs_ were read from (Loaded::text)
  std::shared_ptr<const Written> written_;         ///< the file as written, once read (Loaded::written)
  std::vector<std::string> shown_in_force_;        ///< by run of scenario_: Loaded::in_force, for measured runs too
  int shown_fit_cpus_ = 0;
  std::size_t last_reused_ = 0;
  bool last_jobs_kept_ = false;
  std::vector<bool> last_kept_;
  std::uint64_t last_kept_from_ = 0;
  double simulation_seconds_ = 0;
  double derive_seconds_ = 0;
  std::optional<std::filesystem::file_time_type> mtime_;
  double since_check_ = 0;
  /// Frees the runs a reload replaced while the indices and the next frame are built; joined
  /// before the next simulation, whose traces then reuse their storage.
  std::jthread retiring_;
  /// Frees `old` on a thread of its own, after what retiring_ frees already (joining it, as the
  /// next simulation does, waits for both).
  template <class T>
  void retire(T old) {
    retiring_ = std::jthread([previous = std::move(retiring_), old = std::move(old)]() mutable {
      if (previous.joinable()) previous.join();
      const T gone = std::move(old);
    });
  }
  bool previewing_ = false;
  bool preview_every_slice_ = false;
  std::vector<trace::Trace> before_preview_;  ///< while previewing: the runs shown before
  std::unique_ptr<Background> background_;  ///< declared after retiring_: ends first
  std::optional<KnobStep> last_step_;       ///< the step of the last knob change asked for
  /// While the speculation may read the runs shown (a value of the cores or the switch
  /// interval simulated ahead keeps some): where their storage goes when they are replaced, alive while it reads them.
  std::shared_ptr<ShownRunsHeir> shown_heir_;
  std::shared_ptr<Loaded> kept_change_;     ///< a change found kept, for the next poll()
  Knobs kept_knobs_;                        ///< its knobs
  bool last_change_kept_ = false;
  bool speculation_paused_ = false;
  bool hold_first_speculated_ = false;  ///< hold_first_speculated_value(), until speculate_neighbours()
  WarmPool warm_pool_;
  /// Last: it ends (cancelling its simulation) before anything it was handed.
  std::unique_ptr<Speculation> speculation_;
};

}  // namespace gilsim::viz
