// A lane's records in groups of a fixed size, each group its own allocation, found through a
// table of their addresses. A lane grows by allocating its next group and never copies what
// it holds: a run's thousand thread lanes grew in step by realloc, each copying all of its
// records at every step (docs/performance.md, "Lanes that grow without copying"). Only the
// last group grows in place or by realloc (the first, from a few items up to a group: most
// lanes keep few spans; a copy's last, made to its size), and as the lane doubles only the
// table's addresses are copied. A reader finds item i of group g at group(g)[i]: one load
// where a contiguous array takes a multiplication. Only for trivially copyable T.
//
// The whole groups of a run's lanes come from one GroupArena, carved in turn from its blocks:
// a group costs a few instructions where a malloc of its own cost about 200 (malloc's bins
// sorting what the first groups' reallocs freed), and no malloc header. The arena lives as
// long as a lane that took groups from it (each holds it), so the blocks go with the run's trace.
#pragma once

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/trace/store.hpp"

namespace gilsim::trace {

/// Groups of `group_bytes` for many GroupStores of one thread (a run's builder), handed out
/// in turn from blocks, freed together with the arena. The first blocks are small and in
/// malloc (4 KiB, doubling up to 64 KiB: a small run's last block is small); then blocks are
/// storage mappings (2 MiB and up to 64 MiB, their pages faulted in ahead a stretch at a time,
/// and cached for the next run when released: store.hpp), so a large run's groups stay out
/// of malloc's heap, where what is freed between them leaves holes (docs/performance.md,
/// "Lanes that grow without copying"). Once sealed (the run ended) it
/// hands out none: a store grown later, perhaps on another thread, takes malloc's groups.
class GroupArena {
 public:
  explicit GroupArena(std::size_t group_bytes) : group_bytes_(group_bytes) {}
  GroupArena(const GroupArena&) = delete;
  GroupArena& operator=(const GroupArena&) = delete;
  ~GroupArena() {
    for (void* block : malloced_) std::free(block);
    for (const storage::Region& r : mapped_) storage::release_region(r);
  }

  std::size_t group_bytes() const { return group_bytes_; }
  /// A group's bytes, or nullptr once sealed.
  void* take() {
    if (sealed_) [[unlikely]] return nullptr;
    if (ready_end_ - next_ < static_cast<std::ptrdiff_t>(group_bytes_)) [[unlikely]] make_ready();
    void* group = next_;
    next_ += group_bytes_;
    return group;
  }
  /// Hands out no more groups.
  void seal() { sealed_ = true; }
  /// Bytes in blocks (handed out or not), and how many blocks are mappings.
  std::size_t block_bytes() const { return block_bytes_; }
  std::size_t mapped_blocks() const { return mapped_.size(); }
  /// The mappings an arena of `group_bytes` groups takes for its first `groups` groups, in the
  /// order it takes them: each one's length and the bytes of it its groups reach (what a run
  /// that took that many groups wrote; storage::warm_cache() makes them ready for the next).
  static std::vector<storage::Extent> mappings_for(std::size_t group_bytes, std::size_t groups) {
    std::vector<storage::Extent> out;
    std::size_t malloced = 0, block_bytes = 0;
    while (groups > 0 && group_bytes > 0) {
      bool in_malloc = false;
      std::size_t bytes = next_block_bytes(malloced, block_bytes, in_malloc);
      if (!in_malloc) bytes = std::bit_ceil(bytes);  // map_region()'s length
      const std::size_t fit = bytes / group_bytes;
      if (fit == 0) break;
      const std::size_t taken = std::min(fit, groups);
      if (in_malloc) {
        ++malloced;
      } else {
        out.push_back({bytes, taken * group_bytes});
      }
      block_bytes += bytes;
      groups -= taken;
    }
    return out;
  }

 private:
  /// Room for a group at next_: the block's next pages faulted in, or a new block.
  [[gnu::noinline]] void make_ready() {
    if (end_ - next_ < static_cast<std::ptrdiff_t>(group_bytes_)) new_block();
    if (in_mapping_) {
      const storage::Region r = mapped_.back();
      char* const data = static_cast<char*>(r.data);
      const std::size_t needed = static_cast<std::size_t>(next_ - data) + group_bytes_;
      const std::size_t committed = storage::commit(r, static_cast<std::size_t>(ready_end_ - data), needed);
      ready_end_ = data + committed < end_ ? data + committed : end_;
    } else {
      ready_end_ = end_;
    }
  }
  /// The next block's bytes after `malloced` blocks in malloc and `block_bytes` in all: in
  /// malloc (`in_malloc`) or a mapping (whose length map_region() rounds up to a power of two).
  static std::size_t next_block_bytes(std::size_t malloced, std::size_t block_bytes, bool& in_malloc) {
    constexpr std::size_t kFirst = std::size_t{4} << 10, kLastInMalloc = std::size_t{64} << 10;
    in_malloc = malloced < 8 && (kFirst << malloced) <= kLastInMalloc;
    if (in_malloc) return kFirst << malloced;
    return std::clamp(std::bit_ceil(block_bytes / 2), storage::kHugePage, std::size_t{64} << 20);
  }
  void new_block() {
    bool in_malloc = false;
    const std::size_t wanted = next_block_bytes(malloced_.size(), block_bytes_, in_malloc);
    void* block;
    std::size_t bytes;
    if (in_malloc) {
      malloced_.reserve(malloced_.size() + 1);
      bytes = wanted;
      block = std::malloc(bytes);
      if (block == nullptr) throw std::bad_alloc();
      malloced_.push_back(block);
      in_mapping_ = false;
    } else {
      mapped_.reserve(mapped_.size() + 1);
      const storage::Region r = storage::map_region(wanted);
      mapped_.push_back(r);
      block = r.data;
      bytes = r.bytes;
      in_mapping_ = true;
    }
    const std::size_t groups = bytes / group_bytes_;
    if (groups == 0) throw std::bad_alloc();  // a group larger than any block: not for an arena
    next_ = static_cast<char*>(block);
    ready_end_ = next_;  // nothing faulted in yet (make_ready() goes on)
    end_ = next_ + groups * group_bytes_;
    block_bytes_ += bytes;
  }

  std::size_t group_bytes_;
  char* next_ = nullptr;
  char* ready_end_ = nullptr;  ///< the end of the room take() hands out without a call
  char* end_ = nullptr;        ///< the end of the block's whole groups
  std::size_t block_bytes_ = 0;
  bool sealed_ = false;
  bool in_mapping_ = false;  ///< the block is mapped_.back()
  std::vector<void*> malloced_;
  std::vector<storage::Region> mapped_;
};

template <class T, std::size_t kGroupSize>
class GroupStore {
  static_assert(std::is_trivially_copyable_v<T>, "a GroupStore moves its groups as bytes");

 public:
  GroupStore() = default;
  GroupStore(const GroupStore&) = delete;
  GroupStore& operator=(const GroupStore&) = delete;
  /// The groups keep their place (pointers into them stay valid); the table moves.
  GroupStore(GroupStore&& other) noexcept { take(other); }
  GroupStore& operator=(GroupStore&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  ~GroupStore() { release(); }

  void swap(GroupStore& other) noexcept {
    GroupStore held(std::move(other));
    other = std::move(*this);
    *this = std::move(held);
  }

  /// Groups allocated.
  std::size_t groups() const { return count_; }
  /// Group `g`'s first item.
  T* group(std::size_t g) const {
    assert(g < count_);
    return table_[g];
  }
  /// Items group `g` has room for: a whole group's, but for the last one's.
  std::size_t room(std::size_t g) const {
    assert(g < count_);
    return g + 1 == count_ ? last_room_ : kGroupSize;
  }
  /// Items the groups have room for.
  std::size_t capacity() const { return count_ == 0 ? 0 : (count_ - 1) * kGroupSize + last_room_; }

  /// Group `g` (at most groups(): the next one is allocated) with room for at least `items`
  /// (at most kGroupSize), returned where it now is. With `exact`, a new group or the last one
  /// grown gets `items` (a copy's groups, of their size). Else a new group after the first is
  /// whole, and the first, or a last one grown, gets at least 8 and three
  /// times as much, up to a whole group (a first group made whole moves to the arena, when
  /// there is one). Only the last group can lack room.
  T* make_room(std::size_t g, std::size_t items, bool exact = false) {
    assert(g <= count_ && items <= kGroupSize);
    if (g < count_ && room(g) >= items) [[likely]] return table_[g];
    return make_room_anyhow(g, items, exact);
  }
  /// Takes whole groups from `arena` (before any group is, nor the first is whole), holding it.
  void use_arena(std::shared_ptr<GroupArena> arena) {
    assert(count_ <= 1 && arena->group_bytes() == kGroupSize * sizeof(T));
    arena_ = std::move(arena);
    arena_begin_ = arena_end_ = 1;
  }
  /// Room in the table for `groups` groups (no group is allocated).
  void reserve_groups(std::size_t groups) {
    if (groups > table_capacity_) grow_table(groups);
  }

 private:
  [[gnu::noinline]] T* make_room_anyhow(std::size_t g, std::size_t items, bool exact) {
    if (g == count_) {
      // A group after a partly allocated last one: that one fills first, so it is whole.
      if (count_ > 0 && last_room_ < kGroupSize) resize_last(kGroupSize);
      if (count_ == table_capacity_) grow_table(count_ + 1);
      if (g > 0 && !exact && g == arena_end_ && arena_) {
        if (void* group = arena_->take()) {
          table_[count_++] = static_cast<T*>(group);
          last_room_ = kGroupSize;
          ++arena_end_;
          return table_[g];
        }
      }
      table_[count_++] = nullptr;
      last_room_ = 0;
      if (g > 0 && !exact) items = kGroupSize;
      resize_last(items);
      return table_[g];
    }
    std::size_t wanted = items;
    if (!exact) {
      wanted = last_room_ < 8 ? 8 : last_room_ * 3;
      if (wanted > kGroupSize) wanted = kGroupSize;
      if (wanted < items) wanted = items;
    }
    // A first group made whole moves to the arena (its few records copied once).
    if (wanted == kGroupSize && g == 0 && arena_begin_ == 1 && arena_end_ == 1 && arena_) {
      if (void* group = arena_->take()) {
        std::memcpy(group, static_cast<const void*>(table_[0]), last_room_ * sizeof(T));
        std::free(static_cast<void*>(table_[0]));
        table_[0] = static_cast<T*>(group);
        last_room_ = kGroupSize;
        arena_begin_ = 0;
        return table_[0];
      }
    }
    resize_last(wanted);
    return table_[g];
  }
  /// The last group reallocated to room for `items`.
  void resize_last(std::size_t items) {
    assert(count_ - 1 < arena_begin_ || count_ - 1 >= arena_end_);  // the arena's groups are whole
    T*& last = table_[count_ - 1];
    void* grown = std::realloc(static_cast<void*>(last), items * sizeof(T));
    if (grown == nullptr) throw std::bad_alloc();
    last = static_cast<T*>(grown);
    last_room_ = static_cast<std::uint32_t>(items);
  }
  /// The table with room for at least `groups` (twice what it had and 16, at least: a lane that
  /// leaves its first group mostly has a few).
  void grow_table(std::size_t groups) {
    std::size_t capacity = table_capacity_ < 8 ? 16 : table_capacity_ * 2;
    if (capacity < groups) capacity = groups;
    T** grown = static_cast<T**>(std::malloc(capacity * sizeof(T*)));
    if (grown == nullptr) throw std::bad_alloc();
    for (std::size_t g = 0; g < count_; ++g) grown[g] = table_[g];
    if (table_ != &inline_) std::free(static_cast<void*>(table_));
    table_ = grown;
    table_capacity_ = static_cast<std::uint32_t>(capacity);
  }
  /// `other`'s groups and table, `other` left empty (this one is).
  void take(GroupStore& other) noexcept {
    inline_ = other.inline_;
    table_ = other.table_ == &other.inline_ ? &inline_ : other.table_;
    table_capacity_ = other.table_capacity_;
    count_ = other.count_;
    last_room_ = other.last_room_;
    arena_ = std::move(other.arena_);
    arena_begin_ = other.arena_begin_;
    arena_end_ = other.arena_end_;
    other.arena_begin_ = other.arena_end_ = 1;
    other.table_ = &other.inline_;
    other.inline_ = nullptr;
    other.table_capacity_ = 1;
    other.count_ = 0;
    other.last_room_ = 0;
  }
  void release() {
    for (std::size_t g = 0; g < count_; ++g) {
      if (g < arena_begin_ || g >= arena_end_) std::free(static_cast<void*>(table_[g]));
    }
    if (table_ != &inline_) std::free(static_cast<void*>(table_));
    arena_.reset();
    arena_begin_ = arena_end_ = 1;
    table_ = &inline_;
    inline_ = nullptr;
    table_capacity_ = 1;
    count_ = 0;
    last_room_ = 0;
  }

  T** table_ = &inline_;  ///< the groups' addresses: inline_ while there is room for one only
  T* inline_ = nullptr;   ///< a one-group store's table (most lanes: no allocation for it)
  std::uint32_t table_capacity_ = 1;
  std::uint32_t count_ = 0;      ///< groups allocated
  std::uint32_t last_room_ = 0;  ///< items the last group has room for
  std::uint32_t arena_begin_ = 1;  ///< groups from this one (0: the first moved there, or 1)...
  std::uint32_t arena_end_ = 1;    ///< ...up to this one are the arena's; the rest malloc's
  std::shared_ptr<GroupArena> arena_;
};

}  // namespace gilsim::trace
