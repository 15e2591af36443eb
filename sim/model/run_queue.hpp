// The OS side's two small pieces of bookkeeping (S1, S4): a run queue (one shared by every
// core, or one per core, S1a; kept in arrival order, picked from as EEVDF does, S2), and
// the choice of an idle core for a thread that becomes runnable.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "sim/trace/time.hpp"

namespace gilsim::model {

/// Linux's sysctl_sched_migration_cost: a thread that left its core less than this long ago
/// is cache-hot, and the balancer leaves it where it is (docs/model.md S1c).
inline constexpr Time kMigrationCost = Time{500'000};
/// How often a busy core balances: Linux's domain of two CPUs balances every 2 ms (its
/// span), 16 times less often while the core is busy (busy_factor) (S1d).
inline constexpr Time kBusyBalanceInterval = Time{32'000'000};

/// Thread ids in arrival order. A thread that leaves the queue early (it blocked, or was given a
/// core another way) is not searched for: pop() skips it when its turn comes.
class RunQueue {
 public:
  static constexpr std::uint32_t kEmpty = 0xFFFF'FFFF;

  void push(std::uint32_t thread) { queue_.push_back(thread); }
  /// Entries left, some perhaps already gone: a cheap "does anyone wait?".
  bool has_entries() const { return head_ < queue_.size(); }
  /// The entry EEVDF picks (S2): of those for which `still_queued(thread)` holds, the first
  /// for which no other is `before(other, it)`, or kEmpty. It leaves the queue, with the
  /// stale entries ahead of the first live one; the others stay in order (stale ones
  /// further back are dropped when they reach the front).
  template <typename StillQueued, typename Before>
  std::uint32_t pop_best(StillQueued still_queued, Before before) {
    while (head_ < queue_.size() && !still_queued(queue_[head_])) ++head_;
    std::uint32_t next = kEmpty;
    if (head_ < queue_.size()) {
      std::size_t best = head_;
      for (std::size_t i = head_ + 1; i < queue_.size(); ++i) {
        if (still_queued(queue_[i]) && before(queue_[i], queue_[best])) best = i;
      }
      next = queue_[best];
      if (best == head_) {
        ++head_;
      } else {
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(best));
      }
      while (head_ < queue_.size() && !still_queued(queue_[head_])) ++head_;
    }
    if (head_ == queue_.size()) {  // drained: reuse the storage from its start
      queue_.clear();
      head_ = 0;
    }
    return next;
  }
  /// The first entry, in queue order, for which `pred(thread)` holds, or kEmpty; nothing
  /// leaves the queue (a thread moved elsewhere makes its entry stale).
  template <typename Pred>
  std::uint32_t find(Pred pred) const {
    for (std::size_t i = head_; i < queue_.size(); ++i) {
      if (pred(queue_[i])) return queue_[i];
    }
    return kEmpty;
  }

  // Threads counted on the queue (their virtual runtimes in its average, S3) that have no
  // core and are not among its entries: one that blocked owing time, until it is paid off
  // (DELAY_DEQUEUE), and one a signal woke, from the signal until it runs.
  void park(std::uint32_t thread) { parked_.push_back(thread); }
  void unpark(std::uint32_t thread) { std::erase(parked_, thread); }
  std::size_t parked() const { return parked_.size(); }
  const std::vector<std::uint32_t>& parked_threads() const { return parked_; }

 private:
  std::vector<std::uint32_t> queue_;
  std::size_t head_ = 0;
  std::vector<std::uint32_t> parked_;
};

/// What the idle-core choice needs to know of a core.
struct CoreView {
  bool idle = true;
  std::uint32_t last = 0xFFFF'FFFF;  ///< the thread that ran on it last
  Time idle_since;
};

/// Like Linux's wake-up placement: the thread's previous core if it is idle (its cache is
/// warm, no context switch), else the core idle the longest (the first such on a tie);
/// -1 when every core is busy. `view(c)` describes core c.
template <typename View>
int choose_idle_core(int cores, std::uint32_t thread, View view) {
  int chosen = -1;
  Time chosen_since;
  for (int c = 0; c < cores; ++c) {
    const CoreView v = view(c);
    if (!v.idle) continue;
    if (v.last == thread) return c;
    if (chosen < 0 || v.idle_since < chosen_since) {
      chosen = c;
      chosen_since = v.idle_since;
    }
  }
  return chosen;
}

/// The idle cores of a machine of up to 64 as a bitmask, kept where a core is given or
/// left, so that the wake-up placement (choose_idle_core()'s answer) needs no pass over
/// every core: the choice is made several times per GIL hand-off.
class IdleCores {
 public:
  static constexpr int kMaxCores = 64;
  using Mask = std::uint64_t;

  /// `cores` cores, every one idle; with more than kMaxCores, usable() is false.
  explicit IdleCores(int cores = 0) { reset(cores); }
  void reset(int cores) {
    usable_ = cores <= kMaxCores;
    idle_ = !usable_ ? 0 : cores == kMaxCores ? ~Mask{0} : (Mask{1} << cores) - 1;
  }
  bool usable() const { return usable_; }
  static Mask bit(int c) { return Mask{1} << c; }
  void busy(int c) {
    if (usable_) idle_ &= ~bit(c);
  }
  void idle(int c) {
    if (usable_) idle_ |= bit(c);
  }
  Mask mask() const { return idle_; }

  static constexpr int kSeveral = -2;
  /// With at most one idle core the choice is made without a look at any core: that core,
  /// or -1 with none. kSeveral when more than one is idle (then choose()).
  int lone() const {
    if (idle_ == 0) return -1;
    return (idle_ & (idle_ - 1)) == 0 ? std::countr_zero(idle_) : kSeveral;
  }

  /// choose_idle_core()'s answer for `thread`, `view(c)` describing idle core c (its
  /// `idle` is not read): only the idle cores are looked at. Only while usable().
  template <typename View>
  int choose(std::uint32_t thread, View view) const {
    int chosen = -1;
    Time chosen_since;
    for (Mask rest = idle_; rest != 0; rest &= rest - 1) {
      const int c = std::countr_zero(rest);
      const CoreView v = view(c);
      if (v.last == thread) return c;
      if (chosen < 0 || v.idle_since < chosen_since) {
        chosen = c;
        chosen_since = v.idle_since;
      }
    }
    return chosen;
  }

 private:
  Mask idle_ = 0;
  bool usable_ = true;
};

}  // namespace gilsim::model
