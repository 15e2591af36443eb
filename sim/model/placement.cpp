// Per-CPU run queues (docs/model.md S1a-S1d): where a thread that finds no idle core waits,
// and how an idle or a busy core takes threads queued on another. With machine.placement
// "shared" every core takes from one queue and none of this runs.
#include <algorithm>

#include "sim/model/engine.hpp"
#include "sim/model/engine_state.hpp"

namespace gilsim::model {

void Engine::init_run_queues() {
  per_cpu_ = config_.machine.placement == scenario::Placement::PerCpu;
  const std::size_t queues = per_cpu_ ? cores_.size() : 1;
  run_queues_.resize(queues);
  queued_.assign(queues, 0);
  for (Core& core : cores_) core.next_balance = Time::max();  // idle (S1d)
}

std::uint32_t Engine::load_of(int c) const {
  return (cores_[static_cast<std::size_t>(c)].thread != kNoThread ? 1U : 0U) + queued_[static_cast<std::size_t>(c)];
}

int Engine::placement_cpu(ThreadId t) const {
  const Thread& th = threads_[t];
  // S1b: a woken thread waits on its previous core.
  if (th.placed && th.cpu >= 0) return th.cpu;
  // S1a: a new thread goes to the core running the fewest threads, its creator's on a tie.
  int best = th.cpu >= 0 ? th.cpu : 0;
  for (int c = 0; c < static_cast<int>(cores_.size()); ++c) {
    if (load_of(c) < load_of(best)) best = c;
  }
  return best;
}

ThreadId Engine::pull_for(int c, bool busy) {
  Core& here = cores_[static_cast<std::size_t>(c)];
  if (busy) {
    if (now_ < here.next_balance) return kNoThread;
    here.next_balance = now_ + kBusyBalanceInterval;
  }
  // The first cold thread (S1c) queued on the busiest core that has one.
  ThreadId chosen = kNoThread;
  int from = -1;
  for (int o = 0; o < static_cast<int>(cores_.size()); ++o) {
    if (o == c || queued_[static_cast<std::size_t>(o)] == 0) continue;
    if (from >= 0 && load_of(o) <= load_of(from)) continue;
    const auto cold = run_queues_[static_cast<std::size_t>(o)].find([this, o](ThreadId t) {
      const Thread& th = threads_[t];
      return th.s.core == CoreState::Queued && th.cpu == o && (!th.placed || now_ - th.left_core >= kMigrationCost);
    });
    if (cold == RunQueue::kEmpty) continue;
    chosen = cold;
    from = o;
  }
  if (chosen == kNoThread) return kNoThread;
  // S1d: a busy core evens out a difference of two threads or more; one of one (2
  // against 1, 3 against 2) it leaves alone.
  if (busy && load_of(from) < load_of(c) + 2) return kNoThread;
  --queued_[static_cast<std::size_t>(from)];
  return chosen;  // assign_core() makes c its core; its entry on `from` is stale from then on
}

void Engine::arm_idle_balance(int c) {
  // When the first thread queued on another core turns cold (S1c).
  Time at = Time::max();
  for (int o = 0; o < static_cast<int>(cores_.size()); ++o) {
    if (o == c || queued_[static_cast<std::size_t>(o)] == 0) continue;
    run_queues_[static_cast<std::size_t>(o)].find([&](ThreadId t) {
      const Thread& th = threads_[t];
      if (th.s.core != CoreState::Queued || th.cpu != o) return false;
      at = std::min(at, th.placed ? th.left_core + kMigrationCost : now_);
      return false;
    });
  }
  if (at == Time::max()) return;
  timers_.set(cores_[static_cast<std::size_t>(c)].quantum, max(at, now_));
}

}  // namespace gilsim::model
