// Colours: a thread's identity never reads as a state, and threads past the eighth are told
// apart by a pattern rather than by repeating a colour plainly.
#include <doctest/doctest.h>

#include <cmath>

#include "viz/palette.hpp"

using namespace gilsim;
using namespace gilsim::viz;

namespace {
double distance(Rgba a, Rgba b) {
  const auto d = [](int x, int y) { return static_cast<double>(x - y) * (x - y); };
  return std::sqrt(d(a.r, b.r) + d(a.g, b.g) + d(a.b, b.b));
}
}  // namespace

TEST_CASE("thread colours are far from every state colour and from each other") {
  for (int i = 0; i < kIdentityColours; ++i) {
    const Rgba id = identity_colour(static_cast<std::uint32_t>(i));
    for (int s = 0; s < trace::kSpanStateCount; ++s) {
      INFO("thread colour ", i, " against state ", s);
      CHECK(distance(id, state_colour(static_cast<trace::SpanState>(s))) >= 60);
    }
    for (int j = 0; j < i; ++j) CHECK(distance(id, identity_colour(static_cast<std::uint32_t>(j))) >= 60);
  }
}

TEST_CASE("past eight threads a colour comes back with a pattern, never plain") {
  CHECK(identity_pattern(0) == 0);
  CHECK(identity_pattern(7) == 0);
  CHECK(identity_colour(8) == identity_colour(0));
  CHECK(identity_pattern(8) != identity_pattern(0));
  CHECK(identity_pattern(16) != identity_pattern(8));
  CHECK(identity_pattern(16) != 0);
}
