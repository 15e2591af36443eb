// The trace's marks packed in 16 bytes, a drop request and its forced switch in 20: every
// mark comes back exactly as it went in, the ones whose fields do not fit are kept whole, and
// sorting by time keeps ties in order.
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
  CHECK(store.paired_count() == 0);
  CHECK(store.bytes_used() == 12 * 16 + 7 * sizeof(Mark) + 24);  // and one group of 64 marks
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

namespace {

Mark drop_request(std::int64_t at, std::uint32_t requester, std::uint32_t holder, std::int64_t waited) {
  return Mark{Time{at}, requester, holder, waited, MarkKind::DropRequest};
}
Mark forced_switch(std::int64_t at, std::uint32_t holder, std::uint32_t woken, std::int64_t held) {
  return Mark{Time{at}, holder, woken, held, MarkKind::ForcedSwitch};
}

void check_reads(const MarkStore& store, const std::vector<Mark>& marks) {
  REQUIRE(store.size() == marks.size());
  for (std::size_t i = 0; i < marks.size(); ++i) {
    CAPTURE(i);
    CHECK(same(store[i], marks[i]));
    CHECK(store.time_at(i) == marks[i].at);
  }
  std::size_t i = 0;
  for (const Mark& m : store) CHECK(same(m, marks[i++]));
}

}  // namespace

TEST_CASE("a drop request and the forced switch it caused share a record, read back exactly") {
  const std::int64_t big_wait = (std::int64_t{1} << 40) - 1;
  const std::int64_t big_held = (std::int64_t{1} << 34) - 1;
  const std::uint32_t big_lane = (1u << 18) - 2;
  const std::vector<Mark> marks = {
      Mark{Time{1}, 0, 1, 0, MarkKind::GilRequest},
      drop_request(5'000, 2, 1, 4'999),
      forced_switch(5'000, 1, 2, 4'000),  // paired
      drop_request(9'000, big_lane, big_lane - 1, big_wait),
      forced_switch(9'000, big_lane - 1, kNone, big_held),  // paired: the largest fields, nobody woken
      drop_request(10'000, 3, 4, 5),
      forced_switch(10'001, 4, 3, 5),  // another instant
      drop_request(11'000, 3, 4, 5),
      forced_switch(11'000, 5, 3, 5),  // not the holder asked
      drop_request(12'000, 3, 4, 5),
      forced_switch(12'000, 4, 3, big_held + 1),  // held too long to pair
      forced_switch(12'000, 4, 3, 6),             // a forced switch after a forced switch
      drop_request(13'000, 3, 4, big_wait + 1),   // kept whole, so not paired
      forced_switch(13'000, 4, 3, 7),
      drop_request(14'000, 3, 4, 8),
      Mark{Time{14'000}, 4, 3, 9, MarkKind::GilHandoff},  // not a forced switch
      drop_request(std::int64_t{1} << 33, 3, 4, 8),
      forced_switch(std::int64_t{1} << 33, 4, 3, 9),  // over 2^32 ns after its group's first mark
      drop_request(15'000'000'000, 6, 7, 1),  // the time of a drop request is its own
      forced_switch(15'000'000'000, 7, 6, 2),
      drop_request(16'000'000'000, 6, kNone, 1),  // a request to nobody...
      forced_switch(16'000'000'000, (1u << 18) - 1, 6, 2),  // ...is not this lane's, packed as nobody is
      drop_request(17'000'000'000, kNone, 7, 1),  // a request by nobody
      forced_switch(17'000'000'000, 7, 6, 2),
      drop_request(18'000'000'000, 6, 7, 1),
      forced_switch(18'000'000'000, 7, (1u << 18) - 1, 2),  // the thread woken does not pack
  };
  MarkStore store;
  for (const Mark& m : marks) store.push_back(m);
  CHECK(store.paired_count() == 4);
  CHECK(store.wide_count() == 3);
  check_reads(store, marks);
  CHECK(store.bytes_used() == (marks.size() - 2) * 16 + 3 * sizeof(Mark) + 24 + 2 * 4);
  const MarkStore copy = store;
  store.clear();
  CHECK(store.paired_count() == 0);
  check_reads(copy, marks);
}

TEST_CASE("a forced switch pairs only with the drop request stored just before it") {
  SUBCASE("not with one before a clear") {
    MarkStore store;
    store.push_back(drop_request(5'000, 2, 1, 10));
    store.clear();
    const std::vector<Mark> marks = {forced_switch(5'000, 1, 2, 20)};
    for (const Mark& m : marks) store.push_back(m);
    CHECK(store.paired_count() == 0);
    check_reads(store, marks);
  }
  SUBCASE("not with one a sort moved away from the end") {
    std::vector<Mark> marks = {Mark{Time{7'000}, 3, 4, 0, MarkKind::JobStart}, drop_request(5'000, 2, 1, 10)};
    MarkStore store;
    for (const Mark& m : marks) store.push_back(m);
    store.stable_sort_by_time();
    std::swap(marks[0], marks[1]);
    marks.push_back(forced_switch(5'000, 1, 2, 20));  // the request's instant and holder, but after a job start
    store.push_back(marks.back());
    CHECK(store.paired_count() == 0);
    check_reads(store, marks);
  }
  SUBCASE("not a forced switch by nobody, with nothing to pair with") {
    const std::vector<Mark> marks = {Mark{Time{0}, 1, 2, 0, MarkKind::JobStart}, forced_switch(0, kNone, 2, 0),
                                     forced_switch(0, kNone, kNone, 0)};
    MarkStore store;
    for (const Mark& m : marks) store.push_back(m);
    CHECK(store.paired_count() == 0);
    check_reads(store, marks);
  }
  SUBCASE("not twice with one request") {
    const std::vector<Mark> marks = {drop_request(5'000, 2, 1, 10), forced_switch(5'000, 1, 2, 20),
                                     forced_switch(5'000, 1, 2, 30)};
    MarkStore store;
    for (const Mark& m : marks) store.push_back(m);
    CHECK(store.paired_count() == 2);
    check_reads(store, marks);
  }
}

TEST_CASE("pairs across groups of 64 marks, and many of them, read back exactly") {
  // Marks in time order: singles, pairs, and would-be pairs that miss by one field, with
  // pairs straddling every position of a group, group boundaries included.
  std::vector<Mark> marks;
  std::uint64_t seed = 12345;
  const auto next = [&seed](std::uint64_t below) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % below;
  };
  std::int64_t at = 0;
  std::size_t expected_pairs = 0;
  while (marks.size() < 5000) {
    at += 1 + static_cast<std::int64_t>(next(3)) * static_cast<std::int64_t>(next(2'000'000));
    const auto a = static_cast<std::uint32_t>(next(200'000));
    const auto h = static_cast<std::uint32_t>(next(200'000));
    const std::int64_t waited = static_cast<std::int64_t>(next(1ull << 40));
    const std::int64_t held = static_cast<std::int64_t>(next(6'000'000));
    switch (next(4)) {
      case 0: marks.push_back(Mark{Time{at}, a, h, held, MarkKind::JobStart}); break;
      case 1: marks.push_back(drop_request(at, a, h, waited)); break;
      case 2:
        marks.push_back(drop_request(at, a, h, waited));
        marks.push_back(forced_switch(at + static_cast<std::int64_t>(next(2)), h, next(2) ? kNone : a, held));
        if (marks.back().at.ns() == at) ++expected_pairs;
        break;
      default: marks.push_back(forced_switch(at, h, a, held)); break;
    }
  }
  MarkStore store;
  for (const Mark& m : marks) store.push_back(m);
  CHECK(store.paired_count() == 2 * expected_pairs);
  CHECK(store.sorted_by_time());
  check_reads(store, marks);
}

TEST_CASE("a mark store's iterator reads in order, backwards and after jumps what operator[] reads") {
  // Pairs and singles mixed, so a mark's record depends on the pairs before it.
  std::vector<Mark> marks;
  for (std::int64_t i = 0; marks.size() < 700; ++i) {
    const std::int64_t at = i * 1'000;
    const auto a = static_cast<std::uint32_t>(i % 7), h = static_cast<std::uint32_t>(i % 5 + 7);
    if (i % 3 == 0) marks.push_back(Mark{Time{at}, a, h, i, MarkKind::JobEnd});
    marks.push_back(drop_request(at, a, h, i));
    if (i % 4 != 1) marks.push_back(forced_switch(at, h, i % 2 ? kNone : a, i * 3));
    if (i % 29 == 0) marks.push_back(Mark{Time{at}, 1, 2, std::int64_t{1} << 41, MarkKind::LoopStall});  // kept whole
  }
  MarkStore store;
  for (const Mark& m : marks) store.push_back(m);
  REQUIRE(store.paired_count() > 300);
  REQUIRE(store.wide_count() > 10);
  check_reads(store, marks);
  const auto n = static_cast<std::ptrdiff_t>(marks.size());
  auto it = store.end();
  for (std::ptrdiff_t i = n - 1; i >= 0; --i) CHECK(same(*--it, marks[static_cast<std::size_t>(i)]));
  // From each start (a group's edges among them), three on in order after the jump.
  for (std::ptrdiff_t from = 0; from < n; ++from) {
    CAPTURE(from);
    it = store.begin() + from;
    for (std::ptrdiff_t k = from; k < std::min(n, from + 3); ++k, ++it) CHECK(same(*it, marks[static_cast<std::size_t>(k)]));
  }
  // Two on without reading the one between, and copies reading on from where they are.
  it = store.begin();
  CHECK(same(*it, marks[0]));
  it += 2;
  CHECK(same(*it, marks[2]));
  auto copy = it;
  ++copy;
  CHECK(same(*copy, marks[3]));
  CHECK(same(*it, marks[2]));
  ++it;
  ++it;
  CHECK(same(*it, marks[4]));
}

TEST_CASE("for_each reads every mark as operator[] does, with its index: pairs at group edges, whole marks") {
  // Pairs at every place in a group of 64 (a pair across two groups too), singles, and marks
  // kept whole between them.
  std::vector<Mark> marks;
  for (std::int64_t i = 0; marks.size() < 1'000; ++i) {
    const std::int64_t at = i * 1'000;
    if (i % 5 == 0) marks.push_back(Mark{Time{at}, 4, 5, i, MarkKind::RacesLost});
    marks.push_back(drop_request(at, static_cast<std::uint32_t>(i % 7), 9, i));
    if (i % 6 != 3) marks.push_back(forced_switch(at, 9, i % 2 ? kNone : 2, i * 3));
    if (i % 23 == 0) marks.push_back(Mark{Time{at}, 1, 2, std::int64_t{1} << 41, MarkKind::Dispatch});  // kept whole
  }
  for (const std::vector<Mark>& each : {marks, edge_marks(), std::vector<Mark>{}}) {
    MarkStore store;
    for (const Mark& m : each) store.push_back(m);
    std::size_t next = 0;
    bool all_same = true;
    store.for_each([&](std::size_t i, const Mark& m) {
      all_same = all_same && i == next && i < each.size() && same(m, each[i]) && same(m, store[i]);
      ++next;
    });
    CHECK(all_same);
    CHECK(next == each.size());
  }
  MarkStore paired;
  for (const Mark& m : marks) paired.push_back(m);
  CHECK(paired.paired_count() > 500);
  CHECK(paired.wide_count() > 10);
  // A reader of the kind alone counts what the marks hold.
  std::size_t drops = 0;
  paired.for_each([&](std::size_t, const Mark& m) { drops += m.kind == MarkKind::DropRequest ? 1 : 0; });
  CHECK(drops == static_cast<std::size_t>(std::count_if(marks.begin(), marks.end(), [](const Mark& m) {
          return m.kind == MarkKind::DropRequest;
        })));
}

TEST_CASE("sorting a mark store keeps its pairs and reads back in time order") {
  const Mark request = drop_request(10, 1, 2, 3);
  const Mark forced = forced_switch(10, 2, 1, 4);
  const Mark start{Time{5}, 1, 0, 0, MarkKind::JobStart};
  const Mark end{Time{20}, 1, 0, 0, MarkKind::JobEnd};
  MarkStore store;
  store.push_back(end);
  store.push_back(request);
  store.push_back(forced);
  CHECK(store.paired_count() == 0);  // together, but before their group's first mark
  check_reads(store, {end, request, forced});
  store.stable_sort_by_time();  // no pairs: the records move
  CHECK(store.sorted_by_time());
  check_reads(store, {request, forced, end});
  store.push_back(forced_switch(20, 1, 2, 5));  // after a sort, a mark still goes at the end
  check_reads(store, {request, forced, end, forced_switch(20, 1, 2, 5)});

  store.clear();
  store.push_back(request);
  store.push_back(forced);
  store.push_back(start);
  CHECK(store.paired_count() == 2);
  store.stable_sort_by_time();  // a pair out of order: stored again, paired again
  CHECK(store.paired_count() == 2);
  check_reads(store, {start, request, forced});
}

TEST_CASE("sorting many marks out of order keeps ties in order and every group's time right") {
  std::vector<Mark> marks;
  for (std::uint32_t i = 0; i < 300; ++i) {
    marks.push_back(Mark{Time{static_cast<std::int64_t>((i * 7919u) % 101u) * 1'000'000'000}, i, 0, 0, MarkKind::Spawn});
  }
  MarkStore store;
  for (const Mark& m : marks) store.push_back(m);
  store.stable_sort_by_time();
  std::stable_sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) { return a.at < b.at; });
  check_reads(store, marks);
}

TEST_CASE("a drop request not yet answered reads back as itself: in the store, a copy taken then, and after") {
  // Requests stored in the pair's form at once: each is read before its forced switch comes
  // (by every reader, and through a copy, as a preview takes one), at every place in a group
  // of 64 (the switch beginning the next group too); then answered, or not.
  std::vector<Mark> marks;
  MarkStore store;
  const auto check_all = [](const MarkStore& s, const std::vector<Mark>& expected) {
    check_reads(s, expected);
    std::size_t next = 0;
    bool all_same = true;
    s.for_each([&](std::size_t i, const Mark& m) {
      all_same = all_same && i == next && same(m, expected[i]);
      ++next;
    });
    CHECK(all_same);
    CHECK(next == expected.size());
  };
  for (std::int64_t i = 0; marks.size() < 200; ++i) {
    CAPTURE(i);
    const std::int64_t at = i * 1'000;
    const auto requester = static_cast<std::uint32_t>(i % 5), holder = static_cast<std::uint32_t>(i % 3 + 5);
    marks.push_back(drop_request(at, requester, holder, i + 1));
    store.push_back(marks.back());
    const MarkStore preview = store;
    check_all(store, marks);
    check_all(preview, marks);
    switch (i % 4) {
      case 0:
      case 1: marks.push_back(forced_switch(at, holder, requester, 2 * i)); break;  // answered
      case 2: marks.push_back(Mark{Time{at}, holder, requester, i, MarkKind::GilHandoff}); break;  // not answered
      default: marks.push_back(Mark{Time{at}, 1, 2, std::int64_t{1} << 41, MarkKind::LoopStall}); break;  // by a whole mark
    }
    store.push_back(marks.back());
    check_all(store, marks);
    check_all(preview, std::vector<Mark>(marks.begin(), marks.end() - 1));  // the preview did not move
  }
  CHECK(store.paired_count() == 100);
  CHECK(store.wide_count() == 25);

  SUBCASE("a preview stored into pairs its own request, and the store its own") {
    marks.push_back(drop_request(1'000'000, 3, 4, 5));
    store.push_back(marks.back());
    MarkStore preview = store;
    std::vector<Mark> previewed = marks;
    previewed.push_back(Mark{Time{1'000'000}, 9, 9, 1, MarkKind::JobEnd});
    preview.push_back(previewed.back());
    marks.push_back(forced_switch(1'000'000, 4, 3, 6));
    store.push_back(marks.back());
    CHECK(store.paired_count() == 102);
    CHECK(preview.paired_count() == 100);
    check_all(store, marks);
    check_all(preview, previewed);
  }
  SUBCASE("sorting with a request pending") {
    const Mark early{Time{5}, 1, 0, 0, MarkKind::JobStart};
    marks.push_back(early);
    store.push_back(early);
    marks.push_back(drop_request(2'000'000, 3, 4, 5));
    store.push_back(marks.back());
    store.stable_sort_by_time();
    std::stable_sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) { return a.at < b.at; });
    check_all(store, marks);
    marks.push_back(forced_switch(2'000'000, 4, 3, 6));  // answered after the sort
    store.push_back(marks.back());
    check_all(store, marks);
  }
  SUBCASE("a request pending and cleared") {
    store.push_back(drop_request(3'000'000, 3, 4, 5));
    store.clear();
    store.push_back(forced_switch(3'000'000, 4, 3, 6));
    CHECK(store.paired_count() == 0);
    check_all(store, {forced_switch(3'000'000, 4, 3, 6)});
  }
}

TEST_CASE("a drop request and its forced switch pushed in one call store what their two pushes store") {
  // At every place in a group (the pair inside it, across its edge, beginning the next),
  // with fields at their edges and past them, after a pending request, the pairs' store
  // with room and without: the
  // one call and the two pushes give stores that read back alike, in the same bytes.
  const std::int64_t big_wait = (std::int64_t{1} << 40) - 1;
  const std::int64_t big_held = (std::int64_t{1} << 34) - 1;
  const std::uint32_t big_lane = (1u << 17) - 1;
  struct Pair {
    std::uint32_t requester, holder;
    std::int64_t wait;
    std::uint32_t woken;
    std::int64_t held;
  };
  const std::vector<Pair> pairs = {
      {2, 1, 4'999, 2, 4'000},
      {big_lane, big_lane - 1, big_wait, kNone, big_held},
      {big_lane + 1, 3, 5, 4, 6},               // a requester past the fast path's lanes
      {3, big_lane + 1, 5, 4, 6},               // a holder past them
      {(1u << 18) - 1, 3, 5, 4, 6},             // a requester that does not pack
      {kNone, 3, 5, 4, 6},                      // by nobody
      {3, 4, big_wait + 1, 5, 6},               // a wait that does not pack: kept whole
      {3, 4, -1, 5, 6},
      {3, 4, 5, (1u << 18) - 1, 6},             // a woken lane that does not pack
      {3, 4, 5, 6, big_held + 1},               // held too long to pair
      {3, 4, 5, 6, -1},
  };
  for (std::size_t before = 0; before < 132; ++before) {
    for (std::size_t p = 0; p < pairs.size(); ++p) {
      for (const bool pending : {false, true}) {
        CAPTURE(before);
        CAPTURE(p);
        CAPTURE(pending);
        const Pair& f = pairs[p];
        std::vector<Mark> marks;
        std::int64_t at = 1'000;
        for (std::size_t i = 0; i < before; ++i) {  // singles and pairs, so the pairs' store has room
          at += 1'000;
          if (i % 3 == 0 && i + 1 < before) {
            marks.push_back(drop_request(at, 1, 2, 3));
            marks.push_back(forced_switch(at, 2, 1, 4));
            ++i;
          } else {
            marks.push_back(Mark{Time{at}, 1, 2, 3, MarkKind::GilRequest});
          }
        }
        if (pending) marks.push_back(drop_request(at, 7, 8, 9));  // unanswered: settled first
        at += (std::int64_t{1} << 31) + 5;  // far from the group's first mark, still within 32 bits
        const std::int64_t far = p == 0 && before % 2 == 1 ? std::int64_t{1} << 32 : 0;  // and past them
        at += far;
        MarkStore two;
        MarkStore one;
        for (const Mark& m : marks) {
          two.push_back(m);
          one.push_back(m);
        }
        marks.push_back(drop_request(at, f.requester, f.holder, f.wait));
        marks.push_back(forced_switch(at, f.holder, f.woken, f.held));
        two.push_back(marks[marks.size() - 2]);
        two.push_back(marks.back());
        one.push_request_and_switch(Time{at}, f.requester, f.holder, f.wait, f.woken, f.held);
        marks.push_back(Mark{Time{at + 1}, 5, 6, 7, MarkKind::JobEnd});  // and a mark after them
        two.push_back(marks.back());
        one.push_back(marks.back());
        check_reads(one, marks);
        check_reads(two, marks);
        CHECK(one.paired_count() == two.paired_count());
        CHECK(one.wide_count() == two.wide_count());
        CHECK(one.bytes_used() == two.bytes_used());
      }
    }
  }
}
