// The speculation thread: the most likely wanted value first, one at a time, at idle priority.
#include "viz/speculation.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <sched.h>

namespace gilsim::viz {

Speculation::Speculation(Work work, std::size_t budget_bytes, bool lowest_priority)
    : work_(std::move(work)), lowest_priority_(lowest_priority), cache_(budget_bytes),
      thread_([this](std::stop_token stop) { loop(stop); }) {}

Speculation::~Speculation() {
  {
    const std::lock_guard lock(mutex_);
    current_stop_.request_stop();
  }
  thread_.request_stop();
  changed_.notify_all();
  thread_.join();
}

bool Speculation::wanted(const SettingsKey& key) const {
  return std::any_of(wanted_.begin(), wanted_.end(), [&](const Candidate& c) { return c.key == key; });
}

const Speculation::Candidate* Speculation::next_wanted() const {
  // Room for one more result the size of the last, counting what is kept but not wanted
  // (evicted first: want() made every wanted entry more recent): else a less likely value
  // would evict a likelier one.
  std::size_t room = cache_.budget() - cache_.bytes();
  for (const SettingsKey& k : cache_.keys()) {
    if (!wanted(k)) room += cache_.bytes_of(k);
  }
  if (last_bytes_ > room) return nullptr;
  for (const Candidate& c : wanted_) {
    if (std::find(failed_.begin(), failed_.end(), c.key) != failed_.end()) continue;
    // Simulated once per list: a value evicted for a likelier one waits for the next list.
    if (std::find(tried_.begin(), tried_.end(), c.key) != tried_.end()) continue;
    if (current_ && *current_ == c.key) continue;
    bool kept = false;
    for (const SettingsKey& k : cache_.keys()) kept = kept || k == c.key;
    if (!kept) return &c;
  }
  return nullptr;
}

void Speculation::want(std::vector<Candidate> candidates) {
  std::vector<Candidate> before;  // freed outside the lock
  {
    const std::lock_guard lock(mutex_);
    before = std::exchange(wanted_, std::move(candidates));
    tried_.clear();
    // The least likely first, so the most likely ends up the most recent.
    for (auto it = wanted_.rbegin(); it != wanted_.rend(); ++it) cache_.touch(it->key);
    if (current_ && !wanted(*current_)) current_stop_.request_stop();
  }
  changed_.notify_all();
}

std::shared_ptr<std::any> Speculation::take(const SettingsKey& key) {
  const std::lock_guard lock(mutex_);
  return cache_.take(key);
}

void Speculation::clear() {
  {
    const std::lock_guard lock(mutex_);
    cache_.clear();
    last_bytes_ = 0;
    failed_.clear();
    tried_.clear();
    wanted_.clear();
    if (current_) current_stop_.request_stop();
  }
  changed_.notify_all();
}

void Speculation::wait_until_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !current_ && next_wanted() == nullptr; });
}

bool Speculation::wait_until_idle_for(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [this] { return !current_ && next_wanted() == nullptr; });
}

std::size_t Speculation::bytes() const {
  const std::lock_guard lock(mutex_);
  return cache_.bytes();
}

std::size_t Speculation::kept() const {
  const std::lock_guard lock(mutex_);
  return cache_.size();
}

std::vector<SettingsKey> Speculation::keys() const {
  const std::lock_guard lock(mutex_);
  return cache_.keys();
}

std::size_t Speculation::started() const {
  const std::lock_guard lock(mutex_);
  return started_;
}

std::size_t Speculation::cancelled() const {
  const std::lock_guard lock(mutex_);
  return cancelled_;
}

std::size_t Speculation::cut_short() const {
  const std::lock_guard lock(mutex_);
  return cut_short_;
}

void Speculation::hold_next_value() {
  const std::lock_guard lock(mutex_);
  hold_next_ = true;
}

std::optional<Speculation::Held> Speculation::wait_until_held_for(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, limit, [this] { return held_.has_value(); });
  return held_;
}

void Speculation::release_held() {
  {
    const std::lock_guard lock(mutex_);
    hold_next_ = false;
    held_.reset();
  }
  changed_.notify_all();
}

void Speculation::loop(std::stop_token stop) {
  if (lowest_priority_) {
    // Linux: this thread, and the simulation threads it starts (they inherit it), run only
    // when a core has nothing else to run, so the frames never wait for them.
    sched_param idle{};
    sched_setscheduler(0, SCHED_IDLE, &idle);
  }
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    changed_.wait(lock, stop, [this] { return next_wanted() != nullptr; });
    if (stop.stop_requested()) return;
    std::optional<Candidate> wanted_now = *next_wanted();
    const Candidate& candidate = *wanted_now;
    current_ = candidate.key;
    current_stop_ = std::stop_source();
    const std::stop_token cancel = current_stop_.get_token();
    ++started_;
    if (hold_next_) {  // the tests' seam (hold_next_value): under way, its work not begun
      hold_next_ = false;
      held_ = Held{candidate.knobs, candidate.reads != nullptr};
      changed_.notify_all();
      changed_.wait(lock, stop, [this] { return !held_; });
      held_.reset();  // the speculation ends: its work sees the cancel the destructor asked for
    }
    lock.unlock();
    Result result;
    bool threw = false;
    try {
      result = work_(candidate, cancel);
    } catch (...) {
      threw = true;
    }
    lock.lock();
    const bool failed = threw && !cancel.stop_requested();
    if (cancel.stop_requested()) {
      ++cancelled_;
      if (threw) ++cut_short_;
    } else if (failed || !result.value) {
      failed_.push_back(candidate.key);
    } else {
      last_bytes_ = result.bytes;
      cache_.put(candidate.key, std::move(result.value), result.bytes);
      tried_.push_back(candidate.key);
    }
    current_.reset();
    lock.unlock();
    changed_.notify_all();
    result = {};  // freed outside the lock, with what the work read
    wanted_now.reset();
    lock.lock();
  }
}

}  // namespace gilsim::viz
