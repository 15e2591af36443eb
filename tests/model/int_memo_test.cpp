// The direct-mapped memo of a pure function's results by integer key: a hit is the value kept
// for that very key, never another key's that shares its slot.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/model/int_memo.hpp"

using gilsim::model::IntMemo;

TEST_CASE("an empty memo knows no key") {
  const IntMemo<8> memo;
  for (const std::int64_t key : {std::int64_t{0}, std::int64_t{5}, std::int64_t{-1}, std::int64_t{1} << 40}) {
    CHECK(memo.find(key) == nullptr);
  }
}

TEST_CASE("a kept value is found by its key only") {
  IntMemo<8> memo;
  memo.keep(5, 50);
  REQUIRE(memo.find(5) != nullptr);
  CHECK(*memo.find(5) == 50);
  CHECK(memo.find(13) == nullptr);  // same slot (13 = 5 + 8), another key
  CHECK(memo.find(6) == nullptr);
  memo.keep(6, 60);
  CHECK(*memo.find(5) == 50);  // another slot: both kept
  CHECK(*memo.find(6) == 60);
}

TEST_CASE("a key sharing a slot replaces the one there") {
  IntMemo<8> memo;
  memo.keep(5, 50);
  memo.keep(13, 130);
  CHECK(memo.find(5) == nullptr);
  REQUIRE(memo.find(13) != nullptr);
  CHECK(*memo.find(13) == 130);
  memo.keep(5, 51);
  CHECK(*memo.find(5) == 51);
  CHECK(memo.find(13) == nullptr);
}

TEST_CASE("negative keys and zero are keys like any other") {
  IntMemo<8> memo;
  memo.keep(-3, 9);  // slot 5, as 5 is
  memo.keep(0, 7);
  CHECK(*memo.find(-3) == 9);
  CHECK(*memo.find(0) == 7);
  CHECK(memo.find(5) == nullptr);
  CHECK(memo.find(-11) == nullptr);  // slot 5 too
}

TEST_CASE("looking up before computing gives what computing gives, with hits on repeats") {
  // As the engine uses it: a pure function of the key, computed on a miss and kept.
  const auto law = [](std::int64_t idle) {
    return std::llround(1000.0 * std::log2(static_cast<double>(idle) / 390'000.0));
  };
  IntMemo<16> memo;
  int computed = 0;
  const auto memoised = [&](std::int64_t idle) {
    if (const std::int64_t* seen = memo.find(idle)) return *seen;
    ++computed;
    const std::int64_t value = law(idle);
    memo.keep(idle, value);
    return value;
  };
  const std::vector<std::int64_t> idles{5'078'582, 5'107'207, 5'078'582, 5'049'979, 5'107'207,
                                        5'078'600, 5'078'582, 9'392'241, 5'078'582 + 16};
  for (const std::int64_t idle : idles) CHECK(memoised(idle) == law(idle));
  // 5'078'582 + 16 shares a slot with 5'078'582 and was computed; the repeats were not.
  CHECK(computed == 6);
  CHECK(memoised(5'107'207) == law(5'107'207));
  CHECK(computed == 6);
}
