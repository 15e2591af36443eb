// What the span store's tests share: a span written out in full, the comparison of every
// field a span keeps, and the store's record limits as the signed times the tests build
// their edge cases from.
#pragma once

#include <cstdint>

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

}  // namespace gilsim::test
