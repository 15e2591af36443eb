// Per-CPU run queues (docs/model.md S1a-S1d): where a thread that finds no idle core waits,
// and how an idle or a busy core takes threads queued on another. With machine.placement
// "shared" every core takes from one queue and none of this runs. A pinned thread (S9) is
// placed, pulled and woken only on the cores its affinity allows.
#include <algorithm>

#include "sim/model/engine.hpp"
#include "sim/model/engine_state.hpp"

namespace gilsim::model {

void Engine::init_run_queues() {
  per_cpu_ = config_.machine.placement == scenario::Placement::PerCpu;
  const std::size_t queues = per_cpu_ ? cores_.size() : 1;
  run_queues_.resize(queues);
  queued_.assign(queues, 0);
  cloned_.assign(cores_.size(), 0);
  vruntime_sum_.assign(queues, 0);
  for (Core& core : cores_) core.next_balance = Time::max();  // idle (S1d)
}

std::uint32_t Engine::load_of(int c) const {
  const auto i = static_cast<std::size_t>(c);
  return (cores_[i].thread != kNoThread ? 1U : 0U) + queued_[i] + cloned_[i];
}

void Engine::pin(ThreadId t, std::span<const int> cpus) {
  Thread& th = threads_[t];
  th.affinity = 0;
  // One shared queue has no per-CPU placement to honour it (the loader refuses `cpus`
  // there, docs/model.md S9): a pin is then left out, never half applied.
  if (cpus.empty() || !per_cpu_) return;
  std::vector<bool> mask(cores_.size(), false);
  for (const int c : cpus) mask.at(static_cast<std::size_t>(c)) = true;
  auto index = static_cast<std::size_t>(std::find(affinities_.begin(), affinities_.end(), mask) - affinities_.begin());
  if (index == affinities_.size()) affinities_.push_back(std::move(mask));
  idle_mask_answers_ = false;
  th.affinity = static_cast<std::uint16_t>(index + 1);
}

int Engine::placement_cpu(ThreadId t) const {
  const Thread& th = threads_[t];
  // S1b: a woken thread waits on its previous core.
  if (th.placed && th.cpu >= 0 && allowed(t, th.cpu)) return th.cpu;
  // S1a: a new process goes to the core chosen at its creation (Engine::start()), if still
  // allowed; a new thread of its creator's process (or one created with no creator on a
  // core) to the core running the fewest threads, its creator's on a tie; a pinned thread
  // only among its own (S9).
  if (th.clone_cpu >= 0 && allowed(t, th.clone_cpu)) return th.clone_cpu;
  int best = -1;
  if (th.cpu >= 0 && allowed(t, th.cpu)) best = th.cpu;
  for (int c = 0; c < static_cast<int>(cores_.size()); ++c) {
    if (allowed(t, c) && (best < 0 || load_of(c) < load_of(best))) best = c;
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
    const auto cold = run_queues_[static_cast<std::size_t>(o)].find([this, o, c](ThreadId t) {
      const Thread& th = threads_[t];
      return th.s.core == CoreState::Queued && th.cpu == o && allowed(t, c) &&
             (!th.placed || now_ - th.left_core >= kMigrationCost);
    });
    if (cold == RunQueue::kEmpty) continue;
    chosen = cold;
    from = o;
  }
  if (chosen == kNoThread) return kNoThread;
  // S1d: a busy core evens out a difference of two threads or more; one of one (2
  // against 1, 3 against 2) it leaves alone.
  if (busy && load_of(from) < load_of(c) + 2) return kNoThread;
  // It moves with its lag (S3): Linux's migration dequeues it from one queue and places it
  // on the other as it places a woken thread.
  move_between_queues(chosen, static_cast<std::size_t>(from), static_cast<std::size_t>(c));
  return chosen;  // assign_core() makes c its core; its entry on `from` is stale from then on
}

void Engine::arm_idle_balance(int c) {
  // When the first thread queued on another core turns cold (S1c).
  Time at = Time::max();
  for (int o = 0; o < static_cast<int>(cores_.size()); ++o) {
    if (o == c || queued_[static_cast<std::size_t>(o)] == 0) continue;
    run_queues_[static_cast<std::size_t>(o)].find([&](ThreadId t) {
      const Thread& th = threads_[t];
      if (th.s.core != CoreState::Queued || th.cpu != o || !allowed(t, c)) return false;
      at = std::min(at, th.placed ? th.left_core + kMigrationCost : now_);
      return false;
    });
  }
  if (at == Time::max()) return;
  timers_.set(cores_[static_cast<std::size_t>(c)].quantum, max(at, now_));
}

}  // namespace gilsim::model
