// The iterator arithmetic the trace's stores share: an iterator over a sequence read by
// index moves, compares and subtracts by its index, and every standard algorithm that needs
// a random-access iterator takes it.
#include "sim/trace/index_iterator.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <ranges>
#include <vector>

#include "sim/trace/mark_store.hpp"
#include "sim/trace/span_store.hpp"

using gilsim::trace::IndexIterator;

namespace {

/// The squares 0, 1, 4, 9...: an item computed from its index, counting the reads.
class Squares : public IndexIterator<Squares, long> {
 public:
  Squares() = default;
  Squares(std::size_t i, int* reads) : IndexIterator(i), reads_(reads) {}
  long operator*() const {
    ++*reads_;
    return static_cast<long>(index()) * static_cast<long>(index());
  }

 private:
  int* reads_ = nullptr;
};

/// A pair to read a field of through `->`.
struct Point {
  int x = 0;
  int y = 0;
};
class Points : public IndexIterator<Points, Point> {
 public:
  Points() = default;
  explicit Points(std::size_t i) : IndexIterator(i) {}
  Point operator*() const { return Point{static_cast<int>(index()), -static_cast<int>(index())}; }
};

static_assert(std::random_access_iterator<Squares>);
static_assert(std::random_access_iterator<Points>);
static_assert(std::random_access_iterator<gilsim::trace::SpanStore::const_iterator>);
static_assert(std::random_access_iterator<gilsim::trace::MarkStore::const_iterator>);
static_assert(std::ranges::random_access_range<gilsim::trace::SpanStore>);
static_assert(std::ranges::random_access_range<gilsim::trace::MarkStore>);

}  // namespace

TEST_CASE("an index iterator moves by its index: ++, --, +=, -=, +, - and [] read the item there") {
  int reads = 0;
  Squares it{3, &reads};
  CHECK(*it == 9);
  CHECK(*++it == 16);
  CHECK(*it++ == 16);
  CHECK(*it == 25);
  CHECK(*--it == 16);
  CHECK(*it-- == 16);
  CHECK(*it == 9);
  CHECK(*(it += 4) == 49);
  CHECK(*(it -= 6) == 1);
  CHECK(*(it + 5) == 36);
  CHECK(*(5 + it) == 36);
  CHECK(*(it + 5 - 2) == 16);
  CHECK(it[7] == 64);
  CHECK(it[0] == 1);
  CHECK(*it == 1);  // [] moved a copy, not it
  CHECK(reads == 15);
  CHECK(Points{4}->x == 4);
  CHECK(Points{4}->y == -4);
}

TEST_CASE("index iterators compare and subtract by their index") {
  int reads = 0;
  const Squares a{2, &reads};
  const Squares b{7, &reads};
  CHECK(b - a == 5);
  CHECK(a - b == -5);
  CHECK(a - a == 0);
  CHECK(a + 5 == b);
  CHECK(a != b);
  CHECK(a < b);
  CHECK(a <= b);
  CHECK(b > a);
  CHECK(b >= a);
  CHECK_FALSE(b < a);
  CHECK(a <= a);
  CHECK((a <=> b) == std::strong_ordering::less);
  CHECK((b <=> b) == std::strong_ordering::equal);
  CHECK(Squares{} == Squares{});
  CHECK(reads == 0);  // comparing reads no item
}

TEST_CASE("the standard algorithms take an index iterator: searches, distances, a reversed pass") {
  int reads = 0;
  const Squares first{0, &reads};
  const Squares last{1'000, &reads};
  CHECK(std::distance(first, last) == 1'000);
  CHECK(std::lower_bound(first, last, 500) - first == 23);  // 22^2 = 484 < 500 <= 529 = 23^2
  CHECK(std::upper_bound(first, last, 529) - first == 24);
  CHECK(std::ranges::partition_point(first, last, [](long x) { return x < 10'000; }) - first == 100);
  CHECK(reads < 60);  // binary searches: a few reads each, not a pass
  std::vector<long> backwards(std::reverse_iterator(first + 5), std::reverse_iterator(first));
  CHECK(backwards == std::vector<long>{16, 9, 4, 1, 0});
  Squares it = first;
  std::advance(it, 12);
  CHECK(*it == 144);
  CHECK(*std::next(it, -2) == 100);
  CHECK(*std::prev(it) == 121);
}
