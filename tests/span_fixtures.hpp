// What the span store's tests share: a span written out in full, the comparison of every
// field a span keeps, and the store's record limits as the signed times the tests build
// their edge cases from, and the appenders' edge cases.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace/span_store.hpp"

namespace gilsim::test {

inline trace::Span span(std::int64_t begin, std::int64_t end, std::uint32_t subject = 1,
                        std::uint16_t step = 0, trace::SpanState state = trace::SpanState::Running) {
  return trace::Span{Time{begin}, Time{end}, subject, step, state, 0};
}

inline bool same(const trace::Span& a, const trace::Span& b) {
  return a.begin == b.begin && a.end == b.end && a.subject == b.subject && a.step == b.step && a.state == b.state;
}

inline constexpr auto kMaxReach = static_cast<std::int64_t>(trace::SpanStore::kMaxReach);
inline constexpr auto kMaxReachAfterGap = static_cast<std::int64_t>(trace::SpanStore::kMaxReachAfterGap);
inline constexpr auto kMaxGap = static_cast<std::int64_t>(trace::SpanStore::kMaxGap);
inline constexpr std::uint32_t kMaxSubject = trace::SpanStore::kMaxSubject;

/// A run of spans named for what it tests (the appender tests' edge cases).
struct SpanCase {
  std::string what;
  std::vector<trace::Span> spans;
};

/// Spans at each edge of a record's ranges and just past them (kept whole), after a first
/// span at 1,000 ns.
inline std::vector<SpanCase> record_edge_cases() {
  return {
      {"on from the last", {span(1'000, 1'010), span(1'010, 1'020, 1, 1), span(1'020, 1'030, 1, 2)}},
      {"on from the last at the longest reach", {span(1'000, 1'010), span(1'010, 1'000 + kMaxReach)}},
      {"on from the last past the longest reach", {span(1'000, 1'010), span(1'010, 1'001 + kMaxReach)}},
      {"after a gap of 1 ns", {span(1'000, 1'010), span(1'011, 1'020, 2, trace::kNoStep, trace::SpanState::Held)}},
      {"after the longest gap at the longest reach after one",
       {span(1'000, 1'010), span(1'010 + kMaxGap, 1'000 + kMaxReachAfterGap, 2, trace::kNoStep, trace::SpanState::Held)}},
      {"after a gap past the longest", {span(1'000, 1'010), span(1'011 + kMaxGap, 1'020 + kMaxGap)}},
      {"after a gap past the longest reach after one", {span(1'000, 1'010), span(1'011, 1'001 + kMaxReachAfterGap)}},
      {"beginning before the last one ends", {span(1'000, 1'010), span(1'009, 1'020)}},
      {"the largest subject and step", {span(1'000, 1'010), span(1'010, 1'020, kMaxSubject, 0xFFFE)}},
      {"the largest subject after a gap", {span(1'000, 1'010), span(1'020, 1'030, kMaxSubject, 0xFFFE)}},
      {"no subject and no step", {span(1'000, 1'010), span(1'020, 1'030, trace::kNone, trace::kNoStep)}},
      {"a subject past the largest", {span(1'000, 1'010), span(1'010, 1'020, kMaxSubject + 1), span(1'020, 1'030)}},
      {"a subject past the largest after a gap", {span(1'000, 1'010), span(1'020, 1'030, kMaxSubject + 1), span(1'040, 1'050)}},
      {"on from one kept whole, and after a gap", {span(1'000, 1'010, kMaxSubject + 1), span(1'010, 1'020), span(1'030, 1'040)}},
  };
}

/// `lead` spans (10 ns each from 0, or none) that fill the group before the case's spans,
/// which are moved on to begin after them.
inline std::vector<trace::Span> led_by(std::size_t lead, const std::vector<trace::Span>& spans) {
  std::vector<trace::Span> out;
  for (std::size_t i = 0; i < lead; ++i) {
    const auto at = static_cast<std::int64_t>(i) * 10;
    out.push_back(span(at, at + 10, 3, 1, trace::SpanState::WaitingGil));
  }
  const std::int64_t shift = static_cast<std::int64_t>(lead) * 10;
  for (trace::Span s : spans) {
    s.begin = Time{s.begin.ns() + shift};
    s.end = Time{s.end.ns() + shift};
    out.push_back(s);
  }
  return out;
}

}  // namespace gilsim::test
