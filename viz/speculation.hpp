// Speculative knob values: while a lesson is open, the values its knobs most likely take next
// (one step up and down of each, the last step again first) are simulated on a thread of
// their own at the lowest priority (SCHED_IDLE: it runs only on a core nothing else wants),
// one at a time, and kept in a KnobCache; a step to a kept value then shows at once. A value
// that stops being wanted while it is simulated is cancelled.
#pragma once

#include <any>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <vector>

#include "viz/knob_cache.hpp"
#include "viz/knobs.hpp"

namespace gilsim::viz {

class Speculation {
 public:
  /// A value to simulate: its knobs, and the key of everything its runs come from.
  struct Candidate {
    SettingsKey key;
    Knobs knobs;
    /// What its work reads beside the key (the runs shown it may keep rather than simulate),
    /// held while the work runs; freed on the speculation's thread when it holds it last.
    std::shared_ptr<const void> reads;
  };
  /// What one simulation made, and the bytes it holds (the cache's budget counts them).
  struct Result {
    std::shared_ptr<std::any> value;
    std::size_t bytes = 0;
  };
  /// Simulates one candidate. `stop` is requested when it is no longer wanted: the work may
  /// then end early by throwing (its result would be dropped anyway). Throwing otherwise
  /// means the candidate fails: it is not tried again until clear().
  using Work = std::function<Result(const Candidate&, std::stop_token stop)>;

  /// 256 MiB: lesson 15's three runs with their indices take about 20 MiB, so a dozen of its
  /// neighbours fit, and the viewer's other memory stays far larger than this.
  static constexpr std::size_t kDefaultBudget = std::size_t{256} << 20;

  explicit Speculation(Work work, std::size_t budget_bytes = kDefaultBudget, bool lowest_priority = true);
  ~Speculation();  ///< cancels the simulation under way and joins
  Speculation(const Speculation&) = delete;
  Speculation& operator=(const Speculation&) = delete;

  /// The candidates to simulate, most likely first (replacing the last list), each once per
  /// list, while the cache has room for one more beside the likelier ones; an empty list
  /// pauses. The simulation under way is cancelled unless it is among them; kept values
  /// among them become the most recent, so the cache evicts the others first.
  void want(std::vector<Candidate> candidates);
  /// The kept value of `key`, taken out of the cache (null when there is none yet).
  std::shared_ptr<std::any> take(const SettingsKey& key);
  /// Forgets every kept value and every failure (the file changed, or another was opened).
  void clear();

  /// Waits until every wanted candidate is kept or failed (for the bench and the tests).
  void wait_until_idle();
  /// The same for at most `limit`: false when it was not idle by then (at idle priority on a
  /// busy machine the speculation may get no CPU at all).
  bool wait_until_idle_for(std::chrono::milliseconds limit);
  std::size_t bytes() const;
  std::size_t budget_bytes() const { return cache_.budget(); }  ///< fixed at construction
  std::size_t kept() const;
  /// Keys kept, most recent first.
  std::vector<SettingsKey> keys() const;
  /// Simulations begun, and of those cancelled, since the start (for the tests).
  std::size_t started() const;
  std::size_t cancelled() const;
  /// Of those cancelled, the ones whose work ended early (threw), not ran to its end.
  std::size_t cut_short() const;

  // The tests' seam: a value held under way, whatever the machine's pace. Unless it is set the
  // speculation never waits (one flag looked at, under the lock, as each value starts).
  /// The value begun next waits, once started() counts it and before its work begins, until
  /// release_held() (or the speculation ends): meanwhile it is the value under way, which a
  /// want() without it cancels, and wait_until_idle() waits for it. The values after it go on.
  void hold_next_value();
  /// The value held: its knobs, and whether its work reads more than its key (Candidate::reads).
  struct Held {
    Knobs knobs;
    bool reads = false;
  };
  /// Waits at most `limit` for the value held to be at its hold (nullopt: none was by then).
  std::optional<Held> wait_until_held_for(std::chrono::milliseconds limit);
  /// Lets the value held go on into its work (or, none held yet, holds none).
  void release_held();

 private:
  /// The first wanted candidate neither kept, failed nor under way; under `mutex_`.
  const Candidate* next_wanted() const;
  bool wanted(const SettingsKey& key) const;
  void loop(std::stop_token stop);

  Work work_;
  bool lowest_priority_;
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  KnobCache<std::any> cache_;
  std::vector<Candidate> wanted_;
  std::vector<SettingsKey> failed_;
  std::vector<SettingsKey> tried_;  ///< simulated (kept, or evicted since) for the current list
  std::optional<SettingsKey> current_;  ///< under way
  std::stop_source current_stop_;
  std::size_t last_bytes_ = 0;  ///< the last result's: what the next likely needs
  std::size_t started_ = 0;
  std::size_t cancelled_ = 0;
  std::size_t cut_short_ = 0;
  bool hold_next_ = false;    ///< hold_next_value() until a value starts
  std::optional<Held> held_;  ///< the value waiting at its hold, until release_held()
  std::jthread thread_;  ///< last: it starts once the fields above exist
};

}  // namespace gilsim::viz
