// The last results of a pure function of an integer, kept by the key's low bits (a
// direct-mapped table): a hit is the very value the function gave for that key, so a caller
// that computes on a miss gets exactly what it would have computed.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace gilsim::model {

template <std::size_t Size>
class IntMemo {
  static_assert(Size > 0 && (Size & (Size - 1)) == 0, "a power of two: the slot is the key's low bits");

 public:
  /// The value kept for `key`, or nullptr. No key is std::int64_t's lowest (the empty slot).
  const std::int64_t* find(std::int64_t key) const {
    assert(key != kEmpty);
    const Entry& e = entries_[slot(key)];
    return e.key == key ? &e.value : nullptr;
  }
  /// Keeps `value` for `key`, in place of whatever key shared its slot.
  void keep(std::int64_t key, std::int64_t value) { entries_[slot(key)] = Entry{key, value}; }

 private:
  static constexpr std::int64_t kEmpty = std::numeric_limits<std::int64_t>::min();
  struct Entry {
    std::int64_t key = kEmpty;
    std::int64_t value = 0;
  };
  static std::size_t slot(std::int64_t key) { return static_cast<std::size_t>(key) & (Size - 1); }

  std::array<Entry, Size> entries_{};
};

}  // namespace gilsim::model
