// The viewer's colours: span states mostly from the Okabe-Ito palette, chosen with the
// common colour blindnesses in mind, with a hatch (not colour alone) telling waiting for the
// GIL from waiting for a core; thread identities from a set of darker hues none of which is a
// state colour, all readable on a light background through a projector. Plain RGBA: the
// painter converts.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

struct Rgba {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;
  auto operator<=>(const Rgba&) const = default;
};

/// Fill colour of a span in a thread or task lane.
Rgba state_colour(trace::SpanState state);

/// The colour that names thread lane number `ordinal` (its position among the run's
/// threads) wherever it appears: as GIL holder, on a core, as the lock token. Past
/// kIdentityColours threads the colours come round again with a pattern (identity_pattern).
Rgba identity_colour(std::uint32_t ordinal);
inline constexpr int kIdentityColours = 8;

/// 0: plain; 1: upright bars; 2: two lines along; 3 and up: dots. Tells apart threads that
/// share a colour, in shapes unlike the GIL wait's diagonal hatch.
int identity_pattern(std::uint32_t ordinal);

/// Glyph colour of a mark.
Rgba mark_colour(trace::MarkKind kind);

/// What the legend says beside a mark's glyph, for every kind drawn as one (has_glyph);
/// nullptr for the others.
const char* mark_legend_label(trace::MarkKind kind);

/// Text drawn over `fill`: black or white, whichever contrasts more.
Rgba text_on(Rgba fill);

struct LegendEntry {
  trace::SpanState state;
  std::string_view label;
  std::string_view meaning;
};
/// States in the order the legend shows them, with a line each for the help text.
const std::vector<LegendEntry>& legend_entries();

}  // namespace gilsim::viz
