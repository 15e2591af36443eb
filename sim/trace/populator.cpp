// The worker that populates the trace's mappings ahead of their writers (populator.hpp).
#include "sim/trace/populator.hpp"

#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace gilsim::trace::storage::ahead {

namespace {

/// The worker populates a job this much at a time: a mapping that is forgotten waits at most
/// one chunk (64 pages), and the chunk holds the process's mapping lock (read) no longer.
constexpr std::size_t kChunk = std::size_t{256} << 10;
/// Stretches asked for past what the writer needs (docs/performance.md, "Pages populated ahead
/// of the writer": on 100,000 threads, with 1 the writers still populated 177 MiB of the
/// 1.9 GiB themselves, with 2 68 MiB, for about 7 MiB more peak; 4 and 8 left them 45 and 20
/// MiB for 15 and 29 MiB more, and were slower).
constexpr std::size_t kDefaultStretches = 2;

/// A mapping the worker serves, as its writer left it.
struct Entry {
  char* base = nullptr;
  std::size_t ready = 0;      ///< below it every page is populated (or its writer is on it)
  std::size_t scheduled = 0;  ///< the worker has been asked for the pages up to here
};

struct Job {
  char* base;
  std::size_t from;
  std::size_t to;
};

struct State {
  std::mutex mutex;
  std::condition_variable work;  ///< a job came, or the worker retires
  std::condition_variable idle;  ///< the worker finished a chunk
  std::vector<Entry> entries;
  std::deque<Job> jobs;
  char* busy = nullptr;         ///< the mapping the worker populates now, outside the lock
  std::thread* worker = nullptr;
  unsigned generation = 0;      ///< a worker of an older generation retires
  bool on = false;
  std::size_t stretches = kDefaultStretches;
  std::atomic<std::size_t> populated{0};
};

State* g_state = nullptr;
std::once_flag g_made;

void before_fork() { g_state->mutex.lock(); }
void after_fork_parent() { g_state->mutex.unlock(); }
/// A child of fork() has no worker and serves none of the parent's mappings: a fresh state
/// (the parent's, its mutex held by this thread, is left as it is).
void after_fork_child() {
  State* fresh = new State();
  fresh->on = g_state->on;
  fresh->stretches = g_state->stretches;
  g_state = fresh;
}

State& state() {
  std::call_once(g_made, [] {
    auto* s = new State();  // never destroyed: stores may outlive static destruction
#ifdef MADV_POPULATE_WRITE
    const char* setting = std::getenv("GILSIM_POPULATE_AHEAD");
    const long asked = setting != nullptr ? std::strtol(setting, nullptr, 10) : -1;
    s->on = std::thread::hardware_concurrency() >= 2 && !(setting != nullptr && asked == 0);
    if (asked >= 1) s->stretches = static_cast<std::size_t>(asked);
#endif
    g_state = s;
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
  });
  return *g_state;
}

Entry* find(State& s, const void* base) {
  for (Entry& e : s.entries) {
    if (e.base == base) return &e;
  }
  return nullptr;
}

void drop_jobs(State& s, const char* base) {
  s.jobs.erase(std::remove_if(s.jobs.begin(), s.jobs.end(), [base](const Job& j) { return j.base == base; }),
               s.jobs.end());
}

void run(State* s, unsigned generation) {
  pthread_setname_np(pthread_self(), "gilsim-populate");
  std::unique_lock lock(s->mutex);
  for (;;) {
    s->work.wait(lock, [&] { return s->generation != generation || !s->jobs.empty(); });
    if (s->generation != generation) return;
    Job& job = s->jobs.front();
    char* const base = job.base;
    const std::size_t from = job.from;
    const std::size_t to = std::min(job.to, from + kChunk);
    if (to == job.to) {
      s->jobs.pop_front();
    } else {
      job.from = to;
    }
    s->busy = base;
    lock.unlock();
    int failed = 0;
#ifdef MADV_POPULATE_WRITE
    // The writer may be writing these pages meanwhile: the advice only faults in a page that
    // is not there, as a write would, and leaves the bytes of one that is (see the banner).
    if (madvise(base + from, to - from, MADV_POPULATE_WRITE) != 0) failed = errno;
#endif
    lock.lock();
    s->busy = nullptr;
    s->populated.fetch_add(to - from, std::memory_order_relaxed);
    if (failed == 0) {
      Entry* e = find(*s, base);
      if (e != nullptr && from <= e->ready) e->ready = std::max(e->ready, to);
    } else if (failed == EINVAL) {
      s->on = false;  // a kernel without MADV_POPULATE_WRITE: its writers fault pages in as before
      s->jobs.clear();
    } else {
      drop_jobs(*s, base);  // out of memory: the writer populates, or faults, its own pages
    }
    s->idle.notify_all();
  }
}

}  // namespace

std::size_t post(void* base, std::size_t bytes, std::size_t from, std::size_t to, std::size_t stretch) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (!s.on) return from;
  char* const at = static_cast<char*>(base);
  Entry* e = find(s, at);
  if (e == nullptr) {
    s.entries.push_back(Entry{at, 0, 0});
    e = &s.entries.back();
  }
  // Below `ready` the pages are in; the writer populates the rest up to `to` before it
  // returns to write them, so `ready` may say so now (only this mapping's writer reads it).
  const std::size_t own_from = e->ready >= to ? to : std::max(from, e->ready);
  e->ready = std::max(e->ready, to);
  const std::size_t ahead_to = std::min(bytes, to + s.stretches * stretch);
  const std::size_t start = std::max(e->scheduled, to);
  if (ahead_to > start) {
    s.jobs.push_back(Job{at, start, ahead_to});
    e->scheduled = ahead_to;
    if (s.worker == nullptr) {
      try {
        s.worker = new std::thread(run, &s, s.generation);
      } catch (const std::exception&) {  // no thread to be had: the writers populate alone
        s.on = false;
        s.jobs.clear();
        return from;
      }
    }
    s.work.notify_one();
  }
  return own_from;
}

void forget(void* base) {
  State& s = state();
  std::thread* retired = nullptr;
  {
    std::unique_lock lock(s.mutex);
    char* const at = static_cast<char*>(base);
    s.entries.erase(std::remove_if(s.entries.begin(), s.entries.end(), [at](const Entry& e) { return e.base == at; }),
                    s.entries.end());
    drop_jobs(s, at);
    s.idle.wait(lock, [&] { return s.busy != at; });
    if (s.entries.empty() && s.worker != nullptr) {
      retired = std::exchange(s.worker, nullptr);
      ++s.generation;
      s.work.notify_all();
    }
  }
  if (retired != nullptr) {
    retired->join();
    delete retired;
  }
}

bool enabled() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.on;
}

void set_enabled(bool on) {
  State& s = state();
  std::lock_guard lock(s.mutex);
#ifdef MADV_POPULATE_WRITE
  s.on = on;
#else
  (void)on;
#endif
}

std::size_t stretches_ahead() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.stretches;
}

void drain() {
  State& s = state();
  std::unique_lock lock(s.mutex);
  s.idle.wait(lock, [&] { return s.jobs.empty() && s.busy == nullptr; });
}

bool worker_running() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.worker != nullptr;
}

std::size_t worker_bytes() { return state().populated.load(std::memory_order_relaxed); }

}  // namespace gilsim::trace::storage::ahead
