// A random-access iterator over a store that hands out its items by value (a MarkStore's
// marks): the store keeps them packed, and every reader sees them
// whole, exactly as they were recorded.
#pragma once

#include <compare>
#include <cstddef>
#include <iterator>

namespace gilsim::trace {

/// `Store` gives `Value operator[](std::size_t) const`.
template <class Store, class Value>
class ByValueIterator {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using iterator_concept = std::random_access_iterator_tag;
  using value_type = Value;
  using difference_type = std::ptrdiff_t;
  using reference = Value;
  /// What `it->field` reads through: the item itself, held by value.
  struct pointer {
    Value item;
    const Value* operator->() const { return &item; }
  };

  ByValueIterator() = default;
  ByValueIterator(const Store* store, std::size_t i) : store_(store), i_(static_cast<difference_type>(i)) {}

  Value operator*() const { return (*store_)[static_cast<std::size_t>(i_)]; }
  pointer operator->() const { return pointer{**this}; }
  Value operator[](difference_type n) const { return (*store_)[static_cast<std::size_t>(i_ + n)]; }

  ByValueIterator& operator++() {
    ++i_;
    return *this;
  }
  ByValueIterator operator++(int) {
    ByValueIterator old = *this;
    ++i_;
    return old;
  }
  ByValueIterator& operator--() {
    --i_;
    return *this;
  }
  ByValueIterator operator--(int) {
    ByValueIterator old = *this;
    --i_;
    return old;
  }
  ByValueIterator& operator+=(difference_type n) {
    i_ += n;
    return *this;
  }
  ByValueIterator& operator-=(difference_type n) {
    i_ -= n;
    return *this;
  }
  friend ByValueIterator operator+(ByValueIterator it, difference_type n) { return it += n; }
  friend ByValueIterator operator+(difference_type n, ByValueIterator it) { return it += n; }
  friend ByValueIterator operator-(ByValueIterator it, difference_type n) { return it -= n; }
  friend difference_type operator-(const ByValueIterator& a, const ByValueIterator& b) { return a.i_ - b.i_; }
  friend bool operator==(const ByValueIterator& a, const ByValueIterator& b) { return a.i_ == b.i_; }
  friend auto operator<=>(const ByValueIterator& a, const ByValueIterator& b) { return a.i_ <=> b.i_; }

 private:
  const Store* store_ = nullptr;
  difference_type i_ = 0;
};

}  // namespace gilsim::trace
