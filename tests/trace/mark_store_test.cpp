// The trace's marks packed in 16 bytes: every mark comes back exactly as it went in, the
// ones whose fields do not fit are kept whole, and sorting by time keeps ties in order.
#include "sim/trace/mark_store.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

using gilsim::Time;
using gilsim::trace::kNone;
using gilsim::trace::Mark;
using gilsim::trace::MarkKind;
using gilsim::trace::MarkStore;

namespace {

bool same(const Mark& a, const Mark& b) {
  return a.at == b.at && a.lane == b.lane && a.other == b.other && a.value == b.value && a.kind == b.kind;
}

/// Marks at the edges of every packed field, and just past them.
std::vector<Mark> edge_marks() {
  const std::int64_t big_at = (std::int64_t{1} << 48) - 1;
  const std::int64_t big_value = (std::int64_t{1} << 40) - 1;
  return {
      Mark{Time{0}, 0, 0, 0, MarkKind::GilRequest},
      Mark{Time{5'000'000}, 3, kNone, 5'000'000, MarkKind::DropRequest},
      Mark{Time{big_at}, (1u << 18) - 2, (1u << 18) - 2, big_value, MarkKind::RacesLost},
      Mark{Time{7}, kNone, kNone, 0xFFFF'FFFF, MarkKind::LockWait},  // a lane as the value, kNone too
      Mark{Time{8}, 12, 13, 1, MarkKind::LostUpdate},
      // Each of these has one field that does not pack.
      Mark{Time{big_at + 1}, 1, 2, 3, MarkKind::JobEnd},
      Mark{Time{-1}, 1, 2, 3, MarkKind::JobStart},
      Mark{Time{9}, (1u << 18) - 1, 2, 3, MarkKind::Spawn},
      Mark{Time{9}, 1, (1u << 18) - 1, 3, MarkKind::Dispatch},
      Mark{Time{9}, 1, 2, big_value + 1, MarkKind::LoopStall},
      Mark{Time{9}, 1, 2, -1, MarkKind::Deadlock},
      Mark{Time::max(), 1, 2, (std::int64_t{1} << 55) - 1, MarkKind::Preempt},
  };
}

}  // namespace

TEST_CASE("a mark store gives back every mark exactly, packed or kept whole") {
  const std::vector<Mark> marks = edge_marks();
  MarkStore store;
  for (const Mark& m : marks) store.push_back(m);
  REQUIRE(store.size() == marks.size());
  CHECK(store.wide_count() == 7);
  for (std::size_t i = 0; i < marks.size(); ++i) {
    CAPTURE(i);
    CHECK(same(store[i], marks[i]));
    CHECK(same(store.at(i), marks[i]));
    CHECK(store.time_at(i) == marks[i].at);
    CHECK(MarkStore::fits(marks[i]) == (i < 5));
  }
  CHECK_THROWS_AS(store.at(marks.size()), std::out_of_range);
  CHECK(store.bytes_used() == 12 * 16 + 7 * sizeof(Mark));
}

TEST_CASE("a mark store iterates like a sorted vector of marks") {
  MarkStore store{Mark{Time{10}, 1, 2, 0, MarkKind::GilRequest}, Mark{Time{20}, 2, 1, 5, MarkKind::DropRequest},
                  Mark{Time{20}, 1, 2, 6, MarkKind::ForcedSwitch}, Mark{Time{30}, 2, kNone, 0, MarkKind::JobEnd}};
  CHECK(store.end() - store.begin() == 4);
  std::vector<MarkKind> kinds;
  for (const Mark& m : store) kinds.push_back(m.kind);
  CHECK(kinds == std::vector<MarkKind>{MarkKind::GilRequest, MarkKind::DropRequest, MarkKind::ForcedSwitch,
                                       MarkKind::JobEnd});
  const auto first_at_20 = std::lower_bound(store.begin(), store.end(), Time{20},
                                            [](const Mark& m, Time t) { return m.at < t; });
  CHECK(first_at_20 - store.begin() == 1);
  CHECK(first_at_20->kind == MarkKind::DropRequest);
  const auto after_20 = std::upper_bound(store.begin(), store.end(), Time{20},
                                         [](Time t, const Mark& m) { return t < m.at; });
  CHECK(after_20 - store.begin() == 3);
  CHECK((after_20 - 1)->kind == MarkKind::ForcedSwitch);
  CHECK(std::count_if(store.begin(), store.end(), [](const Mark& m) { return m.at == Time{20}; }) == 2);
  CHECK(store.front().at == Time{10});
  CHECK(store.back().kind == MarkKind::JobEnd);
  CHECK(store.sorted_by_time());
  store.clear();
  CHECK(store.empty());
}

TEST_CASE("sorting a mark store by time keeps marks at equal times in their order, whole ones too") {
  MarkStore store;
  store.push_back(Mark{Time{30}, 1, 0, 0, MarkKind::JobEnd});
  store.push_back(Mark{Time{10}, 2, 0, 0, MarkKind::JobStart});
  store.push_back(Mark{Time{30}, 3, 0, std::int64_t{1} << 41, MarkKind::LoopStall});  // kept whole
  store.push_back(Mark{Time{20}, 4, 0, 0, MarkKind::Spawn});
  store.push_back(Mark{Time{10}, 5, 0, 0, MarkKind::JobStart});
  CHECK(!store.sorted_by_time());
  store.stable_sort_by_time();
  CHECK(store.sorted_by_time());
  std::vector<std::uint32_t> lanes;
  for (const Mark& m : store) lanes.push_back(m.lane);
  CHECK(lanes == std::vector<std::uint32_t>{2, 5, 4, 1, 3});
  CHECK(store[4].value == std::int64_t{1} << 41);
}

TEST_CASE("copies of a mark store are deep") {
  MarkStore store{Mark{Time{1}, 1, 2, std::int64_t{1} << 41, MarkKind::LoopStall}, Mark{Time{2}, 1, 2, 3, MarkKind::Dispatch}};
  MarkStore copy = store;
  store.clear();
  REQUIRE(copy.size() == 2);
  CHECK(copy[0].value == std::int64_t{1} << 41);
  CHECK(copy[1].kind == MarkKind::Dispatch);
}
