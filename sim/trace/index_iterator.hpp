// The arithmetic of a random-access iterator over a store read by index (SpanStore,
// MarkStore): it moves an index, and compares and subtracts by it. The store's iterator
// derives from it and reads the item at the index (operator*), by value, keeping what it
// needs to read the next one cheaply.
#pragma once

#include <compare>
#include <cstddef>
#include <iterator>

namespace gilsim::trace {

/// `Derived` gives `Value operator*() const`, the item at index(); the rest is here.
template <class Derived, class Value>
class IndexIterator {
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

  pointer operator->() const { return pointer{*self()}; }
  /// The item `n` after this one: read by a copy, as `*(it + n)`.
  Value operator[](difference_type n) const { return *(self() + n); }

  Derived& operator++() {
    ++i_;
    return self();
  }
  Derived operator++(int) {
    Derived old = self();
    ++i_;
    return old;
  }
  Derived& operator--() {
    --i_;
    return self();
  }
  Derived operator--(int) {
    Derived old = self();
    --i_;
    return old;
  }
  Derived& operator+=(difference_type n) {
    i_ += n;
    return self();
  }
  Derived& operator-=(difference_type n) {
    i_ -= n;
    return self();
  }
  friend Derived operator+(Derived it, difference_type n) { return it += n; }
  friend Derived operator+(difference_type n, Derived it) { return it += n; }
  friend Derived operator-(Derived it, difference_type n) { return it -= n; }
  friend difference_type operator-(const Derived& a, const Derived& b) { return a.i_ - b.i_; }
  friend bool operator==(const Derived& a, const Derived& b) { return a.i_ == b.i_; }
  friend std::strong_ordering operator<=>(const Derived& a, const Derived& b) { return a.i_ <=> b.i_; }

 protected:
  IndexIterator() = default;
  explicit IndexIterator(std::size_t i) : i_(static_cast<difference_type>(i)) {}

  /// The item's index.
  difference_type index() const { return i_; }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  const Derived& self() const { return static_cast<const Derived&>(*this); }

  difference_type i_ = 0;
};

}  // namespace gilsim::trace
