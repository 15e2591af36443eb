// The warm blocks of records and a recorder's use of them (run_record.hpp).
#include "sim/real/run_record.hpp"

#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

namespace gilsim::real {

namespace {

constexpr std::size_t kHugePage = 2u << 20;
constexpr std::size_t kKeepSmall = 256;
constexpr std::size_t kKeepBig = 32;

struct WarmBlocks {
  std::mutex mutex;
  std::vector<Record*> small;
  std::vector<Record*> big;
  std::vector<Record> output;
  /// A forked child (a pool's worker) uses blocks of its own: the parent's other threads may
  /// have held the mutex as it forked, and its copy would stay locked.
  bool forked = false;
};

WarmBlocks& warm() {
  static WarmBlocks* blocks = [] {
    pthread_atfork(nullptr, nullptr, [] { warm().forked = true; });
    return new WarmBlocks;  // never destroyed: a recorder may give blocks back at exit
  }();
  return *blocks;
}

Record* fresh_block(std::size_t records) {
  const std::size_t bytes = records * sizeof(Record);
  void* p = records == Recorder::kBigBlock ? std::aligned_alloc(kHugePage, bytes) : std::malloc(bytes);
  if (p == nullptr) throw std::bad_alloc();
  if (records == Recorder::kBigBlock) madvise(p, bytes, MADV_HUGEPAGE);
  return static_cast<Record*>(p);
}

Record* take_block(std::size_t records) {
  WarmBlocks& w = warm();
  if (!w.forked) {
    std::lock_guard lock(w.mutex);
    auto& list = records == Recorder::kBigBlock ? w.big : w.small;
    if (!list.empty()) {
      Record* block = list.back();
      list.pop_back();
      return block;
    }
  }
  return fresh_block(records);
}

void give_back_block(Record* block, std::size_t records) {
  WarmBlocks& w = warm();
  if (!w.forked) {
    std::lock_guard lock(w.mutex);
    const bool big = records == Recorder::kBigBlock;
    auto& list = big ? w.big : w.small;
    if (list.size() < (big ? kKeepBig : kKeepSmall)) {
      list.push_back(block);
      return;
    }
  }
  std::free(block);
}

}  // namespace

std::vector<Record> take_warm_output() {
  WarmBlocks& w = warm();
  std::vector<Record> out;
  if (w.forked) return out;
  std::lock_guard lock(w.mutex);
  out.swap(w.output);
  return out;
}

void warm_record_blocks(std::size_t small, std::size_t big, std::size_t output) {
  WarmBlocks& w = warm();
  if (w.forked) return;
  const auto top_up = [&w](std::vector<Record*>& list, std::size_t wanted, std::size_t records) {
    std::size_t have = 0;
    {
      std::lock_guard lock(w.mutex);
      have = list.size();
    }
    for (; have < wanted; ++have) {
      Record* block = fresh_block(records);
      std::memset(static_cast<void*>(block), 0, records * sizeof(Record));  // every page faulted in now
      std::lock_guard lock(w.mutex);
      list.push_back(block);
    }
  };
  top_up(w.small, std::min(small, kKeepSmall), Recorder::kSmallBlock);
  top_up(w.big, std::min(big, kKeepBig), Recorder::kBigBlock);
  output = std::min(output, kKeepBig * Recorder::kBigBlock);
  std::lock_guard lock(w.mutex);
  if (w.output.capacity() < output) {
    std::vector<Record>().swap(w.output);
    w.output.resize(output);  // every page faulted in now
  }
  w.output.clear();
}

void Recorder::next_block() {
  if (current_ != nullptr) {
    full_blocks_.push_back(Block{current_, capacity_});
    full_ += used_;
  }
  capacity_ = current_ == nullptr ? kSmallBlock : kBigBlock;
  current_ = take_block(capacity_);
  used_ = 0;
}

std::vector<Record> Recorder::take() {
  std::vector<Record> out;
  out.reserve(size());
  append_to(out);
  return out;
}

void Recorder::append_to(std::vector<Record>& to) {
  to.reserve(to.size() + size());
  for (const Block& b : full_blocks_) to.insert(to.end(), b.data, b.data + b.capacity);
  if (current_ != nullptr) to.insert(to.end(), current_, current_ + used_);
  give_back();
}

void Recorder::give_back() {
  for (const Block& b : full_blocks_) give_back_block(b.data, b.capacity);
  if (current_ != nullptr) give_back_block(current_, capacity_);
  full_blocks_.clear();
  full_ = 0;
  current_ = nullptr;
  capacity_ = 0;
  used_ = 0;
}

}  // namespace gilsim::real
