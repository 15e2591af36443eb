// ImDrawList calls for the timeline.
#include "viz/ui/timeline_painter.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "viz/palette.hpp"
#include "viz/text_layout.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::ui {

using trace::LaneKind;
using trace::MarkKind;

ImU32 item_colour(const LaneColouring& c, LaneKind kind, const DrawItem& item) {
  if (kind == LaneKind::Core || kind == LaneKind::Gil || kind == LaneKind::Lock) {
    const auto& id = *c.identity;
    const std::uint32_t ordinal = item.subject < id.size() ? id[item.subject] : trace::kNone;
    const Rgba colour = ordinal == trace::kNone ? Rgba{90, 90, 90} : identity_colour(ordinal);
    // A core running native code (no GIL) shows its thread's colour, lighter.
    return to_u32(colour, item.state == trace::SpanState::Native ? 0.55f : 1.0f);
  }
  return to_u32(state_colour(item.state));
}

namespace {

/// A short label for a wide item: the thread on a core or holding a GIL, the job elsewhere.
const char* item_label(const LaneColouring& c, LaneKind kind, const DrawItem& item) {
  const trace::Trace& run = *c.run;
  if (kind == LaneKind::Core || kind == LaneKind::Gil || kind == LaneKind::Lock) {
    return item.subject < run.lanes.size() ? run.lanes[item.subject].name.c_str() : nullptr;
  }
  return item.subject < run.jobs.size() ? run.jobs[item.subject].name.c_str() : nullptr;
}

Rgba rgba_of(ImU32 c) {
  return Rgba{static_cast<std::uint8_t>(c & 0xFF), static_cast<std::uint8_t>((c >> 8) & 0xFF),
              static_cast<std::uint8_t>((c >> 16) & 0xFF), 255};
}

}  // namespace

void paint_lane_items(ImDrawList* dl, const LaneColouring& c, const trace::Lane& lane,
                      const std::vector<DrawItem>& items, const LaneBox& box,
                      std::span<const std::pair<float, float>> keep_clear, std::vector<LaneBox>* labels) {
  const float pad = std::max(1.0f, (box.bottom - box.top) * 0.12f);
  const float y0 = box.top + pad, y1 = box.bottom - pad;
  // Text fits the row: thin core rows get a slightly smaller size rather than clipped glyphs.
  const float text_h = std::min(ImGui::GetFontSize(), (y1 - y0) + 2.0f);
  const bool identities = lane.kind == LaneKind::Core || lane.kind == LaneKind::Gil;
  for (const DrawItem& item : items) {
    const float x0 = box.left + static_cast<float>(item.x0);
    const float x1 = box.left + static_cast<float>(item.x1);
    const ImU32 fill = item_colour(c, lane.kind, item);
    if (item.coverage < 0.97f) {
      // Sparse: as tall as the share of the column that was busy, at least a hairline.
      const float top = y1 - std::max(1.0f, item.coverage * (y1 - y0));
      dl->AddRectFilled(ImVec2(x0, top), ImVec2(x1, y1), fill);
      continue;
    }
    dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, y1), fill);
    if (!identities && item.state == trace::SpanState::WaitingGil) paint_wait_hatch(dl, ImVec2(x0, y0), ImVec2(x1, y1));
    if ((lane.kind == LaneKind::Thread || lane.kind == LaneKind::Task) && item.folded() && item.minor_share > 0) {
      // A fold of many states: the second one, as tall as its share, at the bottom (at least
      // a pixel): sub-pixel runs between waits keep their proportion.
      const float minor_top = y1 - std::max(1.0f, item.minor_share * (y1 - y0));
      dl->AddRectFilled(ImVec2(x0, minor_top), ImVec2(x1, y1), to_u32(state_colour(item.minor_state)));
    }
    if (identities && item.subject < c.identity->size() && (*c.identity)[item.subject] != trace::kNone) {
      const int pattern = identity_pattern((*c.identity)[item.subject]);
      if (pattern > 0 && x1 - x0 >= 3.0f) paint_stripes(dl, ImVec2(x0, y0), ImVec2(x1, y1), pattern);
    }
    if (x1 - x0 >= 4.0f && !item.folded()) {
      // A darker edge keeps pale states (awaiting, sleeping) visible on a washed-out projector.
      const Rgba f = rgba_of(fill);
      dl->AddRect(ImVec2(x0, y0), ImVec2(x1, y1),
                  IM_COL32(f.r * 6 / 10, f.g * 6 / 10, f.b * 6 / 10, 255), 0.0f, 0, 1.0f);
    }
    if (item.folded() || x1 - x0 < text_h * 2.5f) continue;
    const char* label = item_label(c, lane.kind, item);
    if (!label) continue;
    const ImVec4 clip(std::max(x0, box.left) + 3, y0 - 1, std::min(x1, box.right) - 2, y1 + 1);
    if (clip.z <= clip.x) continue;
    const float w = ImGui::GetFont()->CalcTextSizeA(text_h, 1e9f, 0, label).x;
    const auto room = label_clear_of(clip.x, clip.z, w, keep_clear, 3.0f, 2.0f * text_h);
    if (!room) continue;
    const float ty = y0 + ((y1 - y0) - text_h) * 0.5f;
    // Cut where it has no room, with "…" to say it goes on ("hand…"); not drawn where not
    // even a letter and "…" fit.
    const ImVec4 cut(clip.x, clip.y, room->second, clip.w);
    if (!identities && item.state == trace::SpanState::WaitingGil) {
      // The name in a halo of plain fill: the hatch's lines through its letters made it hard to
      // read, and a box of plain fill around it read as "waiting for a core", hatch gone.
      for (const auto& [dx, dy] : {std::pair{-1.0f, 0.0f}, {1.0f, 0.0f}, {0.0f, -1.0f}, {0.0f, 1.0f}, {-1.0f, -1.0f},
                                   {1.0f, -1.0f}, {-1.0f, 1.0f}, {1.0f, 1.0f}}) {
        const ImVec4 halo_cut(cut.x + dx, cut.y + dy, cut.z + dx, cut.w + dy);
        add_elided_text(dl, ImGui::GetFont(), text_h, ImVec2(room->first + dx, ty + dy), fill, label, halo_cut, true);
      }
    }
    const float drawn = add_elided_text(dl, ImGui::GetFont(), text_h, ImVec2(room->first, ty),
                                        to_u32(text_on(rgba_of(fill))), label, cut, true);
    if (labels && drawn > 0) labels->push_back(LaneBox{room->first, ty, room->first + drawn, ty + text_h});
  }
}

void paint_contention(ImDrawList* dl, const std::vector<DrawItem>& items, std::uint32_t most, const LaneBox& box) {
  const float h = box.bottom - box.top;
  const ImU32 fill = to_u32(state_colour(trace::SpanState::WaitingGil));
  for (const DrawItem& item : items) {
    const float x0 = box.left + static_cast<float>(item.x0);
    const float x1 = box.left + static_cast<float>(item.x1);
    const float share = most > 1 ? std::min(1.0f, static_cast<float>(item.subject) / static_cast<float>(most)) : 1.0f;
    const float y0 = box.bottom - 1 - std::max(3.0f, h * 0.4f * share);
    if (item.coverage < 0.97f) {
      dl->AddRectFilled(ImVec2(x0, box.bottom - 1 - std::max(1.0f, item.coverage * (box.bottom - 1 - y0))),
                        ImVec2(x1, box.bottom - 1), fill);
      continue;
    }
    dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, box.bottom - 1), fill);
    // Hatching in the band, so it reads as "waiting" even in grey-scale print.
    paint_wait_hatch(dl, ImVec2(x0, y0), ImVec2(x1, box.bottom - 1));
  }
}

void paint_unseen_holder(ImDrawList* dl, const std::vector<DrawItem>& items, const LaneBox& box,
                         std::vector<std::pair<float, float>>* covered) {
  const ImU32 fill = IM_COL32(214, 214, 210, 255), hatch = IM_COL32(120, 120, 120, 255);
  const ImU32 ink = IM_COL32(50, 50, 50, 255);
  const float text_h = std::min(ImGui::GetFontSize(), (box.bottom - box.top) * 0.8f);
  const char* label = "holder not seen";
  const float label_w = ImGui::GetFont()->CalcTextSizeA(text_h, 1e9f, 0, label).x;
  for (const DrawItem& item : items) {
    const float x0 = box.left + static_cast<float>(item.x0);
    const float x1 = std::max(x0 + 1.0f, box.left + static_cast<float>(item.x1));
    // As tall as the share of its pixels the stretches cover, as lanes draw sparse columns.
    const float top = box.bottom - std::max(2.0f, std::min(1.0f, item.coverage) * (box.bottom - box.top));
    dl->AddRectFilled(ImVec2(x0, top), ImVec2(x1, box.bottom), fill);
    // Hatched the other way from the waiters' band: unknown, not waiting.
    dl->PushClipRect(ImVec2(x0, top), ImVec2(x1, box.bottom), true);
    const float h = box.bottom - top;
    for (float x = std::floor((x0 - h) / 5) * 5; x < x1; x += 5) {
      dl->AddLine(ImVec2(x, top), ImVec2(x + h, box.bottom), hatch, 1.0f);
    }
    dl->PopClipRect();
    if (covered) covered->emplace_back(x0, x1);
    if (item.folded() || x1 - x0 < label_w + 8) continue;
    const float lx = x0 + (x1 - x0 - label_w) * 0.5f, ly = box.top + (box.bottom - box.top - text_h) * 0.5f;
    dl->AddRectFilled(ImVec2(lx - 3, ly), ImVec2(lx + label_w + 3, ly + text_h), IM_COL32(245, 245, 242, 235), 2.0f);
    dl->AddText(ImGui::GetFont(), text_h, ImVec2(lx, ly), ink, label);
  }
}

std::optional<LaneBox> paint_deadlocked(ImDrawList* dl, float x0, ImU32 fill, const LaneBox& box, const std::string& label,
                                        std::span<const std::pair<float, float>> keep_clear) {
  if (x0 >= box.right) return std::nullopt;
  const float pad = std::max(1.0f, (box.bottom - box.top) * 0.12f);
  const float y0 = box.top + pad, y1 = box.bottom - pad, h = y1 - y0;
  dl->AddRectFilled(ImVec2(x0, y0), ImVec2(box.right, y1), fill);
  // Cross-hatched in black: no state the lanes draw looks like it, in colour or in grey.
  dl->PushClipRect(ImVec2(x0, y0), ImVec2(box.right, y1), true);
  const ImU32 ink = IM_COL32(0, 0, 0, 200);
  for (float x = std::floor((x0 - h) / 6) * 6; x < box.right; x += 6) {
    dl->AddLine(ImVec2(x, y1), ImVec2(x + h, y0), ink, 1.5f);
    dl->AddLine(ImVec2(x, y0), ImVec2(x + h, y1), ink, 1.0f);
  }
  dl->PopClipRect();
  dl->AddRect(ImVec2(x0, y0), ImVec2(box.right, y1), IM_COL32(0, 0, 0, 255), 0.0f, 0, 1.0f);
  if (label.empty()) return std::nullopt;
  const float text_h = std::min(ImGui::GetFontSize(), h + 2.0f);
  // The whole sentence where it fits, else its first word: zoomed in on lesson 16, the hatch
  // went on with nothing to say what it is.
  const std::string first_word = label.substr(0, label.find(':'));
  // From the view's left edge where the deadlock began before it, right of what it would meet
  // (sorted by left end): lesson 16's T2 holds the GIL at the deadlock, and the badge at the
  // playhead there covered "dead" of "deadlocked".
  const float from = std::max(x0, box.left);
  const auto place = [&](float w) -> std::optional<float> {
    float lx = from + 8;
    for (const auto& [left, right] : keep_clear) {
      if (left < lx + w + 3 && right > lx - 3) lx = right + 6;
    }
    if (box.right - lx < w + 8) return std::nullopt;
    return lx;
  };
  const char* text = label.c_str();
  float w = ImGui::GetFont()->CalcTextSizeA(text_h, 1e9f, 0, text).x;
  std::optional<float> lx = place(w);
  if (!lx) {
    text = first_word.c_str();
    w = ImGui::GetFont()->CalcTextSizeA(text_h, 1e9f, 0, text).x;
    lx = place(w);
  }
  if (!lx) return std::nullopt;
  const float ly = y0 + (h - text_h) * 0.5f;
  dl->AddRectFilled(ImVec2(*lx - 3, ly), ImVec2(*lx + w + 3, ly + text_h), IM_COL32(255, 255, 255, 235), 2.0f);
  dl->AddText(ImGui::GetFont(), text_h, ImVec2(*lx, ly), IM_COL32(20, 20, 20, 255), text);
  return LaneBox{*lx - 3, ly, *lx + w + 3, ly + text_h};
}

void paint_unrecorded(ImDrawList* dl, float x0, float x1, float top, float bottom) {
  if (x1 <= x0 || bottom <= top) return;
  dl->AddRectFilled(ImVec2(x0, top), ImVec2(x1, bottom), IM_COL32(150, 150, 150, 45));
  dl->PushClipRect(ImVec2(x0, top), ImVec2(x1, bottom), true);
  // Hatched one way, widely: the holder-not-seen hatch's family, paler.
  const float h = bottom - top;
  for (float x = std::floor((x0 - h) / 14) * 14; x < x1; x += 14) {
    dl->AddLine(ImVec2(x, bottom), ImVec2(x + h, top), IM_COL32(110, 110, 110, 110), 1.0f);
  }
  dl->PopClipRect();
}

std::optional<LaneBox> paint_lost_races(ImDrawList* dl, const LostRaces& races, const LaneBox& box,
                                        std::span<const std::pair<float, float>> covered) {
  const float h = (box.bottom - box.top) * 0.42f;
  const ImU32 ink = IM_COL32(0, 0, 0, 255), halo = IM_COL32(255, 255, 255, 230);
  for (double x : races.ticks) {
    const float px = box.left + static_cast<float>(x);
    dl->AddRectFilled(ImVec2(px - 1.5f, box.top), ImVec2(px + 1.5f, box.top + h + 1), halo);
    dl->AddLine(ImVec2(px, box.top), ImVec2(px, box.top + h), ink, 1.5f);
  }
  const float f = ImGui::GetFontSize() * 0.7f;
  for (const LostRaceBand& b : races.bands) {
    const float x0 = box.left + static_cast<float>(b.x0), x1 = std::max(x0 + 1, box.left + static_cast<float>(b.x1));
    // A comb: too many ticks to draw apart, drawn as ticks 2 px apart on white.
    dl->AddRectFilled(ImVec2(x0, box.top), ImVec2(x1 + 1, box.top + h), halo);
    for (float x = x0; x <= x1; x += 2.0f) dl->AddLine(ImVec2(x + 0.5f, box.top), ImVec2(x + 0.5f, box.top + h), ink, 1.0f);
  }
  const auto label = band_label(races);
  if (!label) return std::nullopt;
  const ImVec2 size = ImGui::GetFont()->CalcTextSizeA(f, 1e9f, 0, label->text.c_str());
  std::vector<std::pair<float, float>> over;  // in the lane's pixels, as the label's
  for (const auto& [a, b] : covered) over.emplace_back(a - box.left, b - box.left);
  const auto left = band_label_left(*label, size.x + 4, box.right - box.left, std::move(over));
  if (!left) return std::nullopt;
  const ImVec2 a(box.left + *left, box.top), c(a.x + size.x + 4, box.top + size.y);
  dl->AddRectFilled(a, c, halo, 2.0f);
  dl->AddText(ImGui::GetFont(), f, ImVec2(a.x + 2, a.y), ink, label->text.c_str());
  return LaneBox{a.x, a.y, c.x, c.y};
}

namespace {

/// A mark glyph's size in a lane `h` pixels tall (its half width, for most).
float mark_size(float h) { return std::max(3.0f, h * 0.28f); }

/// A compact glyph's size: half a full one, at least 2 px.
float compact_size(float h) { return std::max(2.0f, mark_size(h) * 0.5f); }

/// Marks drawn compact on the bottom edge rather than the top.
bool on_bottom(MarkKind kind) { return kind == MarkKind::Preempt || kind == MarkKind::JobEnd; }

}  // namespace

std::pair<float, float> mark_extent(MarkKind kind, float x, const LaneBox& box, bool compact) {
  const float s = compact ? compact_size(box.bottom - box.top) : mark_size(box.bottom - box.top);
  switch (kind) {
    case MarkKind::DropRequest: return compact ? std::pair{x - s - 0.5f, x + s + 0.5f} : std::pair{x - s - 1.5f, x + s + 1.5f};  // full: a 3 px outline
    case MarkKind::JobEnd: return {x, x + s * 1.8f};  // after the job's last span (below)
    case MarkKind::LostUpdate: return {x - s * 1.1f - 2.25f, x + s * 1.1f + 2.25f};
    case MarkKind::LoopStall:
    case MarkKind::Dispatch: return {x - 0.5f, x + 1.5f * s + 0.5f};
    case MarkKind::ForcedSwitch:
    case MarkKind::Preempt: return {x - s - 0.5f, x + s + 0.5f};
    default: return {x - 0.5f, x + 0.5f};
  }
}

std::pair<float, float> mark_band(MarkKind kind, const LaneBox& box, bool compact) {
  if (!compact) return {box.top, box.bottom};
  const float band = 2.0f * compact_size(box.bottom - box.top) + 1.0f;
  return on_bottom(kind) ? std::pair{box.bottom - band, box.bottom} : std::pair{box.top, box.top + band};
}

std::vector<bool> compact_marks(const std::vector<float>& xs, const std::vector<float>& widths) {
  std::vector<bool> compact(xs.size(), false);
  for (std::size_t i = 1; i < xs.size(); ++i) {
    // Centre to centre, less half of each glyph: the room between them.
    if (xs[i] - xs[i - 1] - (widths[i] + widths[i - 1]) * 0.5f < 2.0f) compact[i] = compact[i - 1] = true;
  }
  return compact;
}

void paint_mark(ImDrawList* dl, MarkKind kind, float x, const LaneBox& box, bool compact) {
  if (compact) {
    // Small, on the lane's edge: the state between the edges stays in view.
    const float s = compact_size(box.bottom - box.top);
    const auto [y0, y1] = mark_band(kind, box, true);
    const float cy = (y0 + y1) * 0.5f;
    const ImU32 col = to_u32(mark_colour(kind)), edge = IM_COL32(0, 0, 0, 200);
    switch (kind) {
      case MarkKind::DropRequest: {
        const ImVec2 a(x - s, y0), b(x + s, y0), c(x, y0 + 1.6f * s);
        dl->AddTriangleFilled(a, b, c, col);
        dl->AddTriangle(a, b, c, edge, 1.0f);
        break;
      }
      case MarkKind::JobEnd: dl->AddCircleFilled(ImVec2(x + s * 0.8f, cy), s * 0.8f, col); break;
      case MarkKind::Preempt: {
        const ImVec2 a(x - s, y1), b(x + s, y1), c(x, y1 - 1.5f * s);
        dl->AddTriangleFilled(a, b, c, col);
        dl->AddTriangle(a, b, c, edge, 1.0f);
        break;
      }
      case MarkKind::LoopStall:
      case MarkKind::Dispatch: {
        const ImVec2 a(x, cy - s), b(x + 1.5f * s, cy), c(x, cy + s);
        dl->AddTriangleFilled(a, b, c, col);
        break;
      }
      case MarkKind::LostUpdate:
        dl->AddLine(ImVec2(x - s, cy - s), ImVec2(x + s, cy + s), col, 2.0f);
        dl->AddLine(ImVec2(x - s, cy + s), ImVec2(x + s, cy - s), col, 2.0f);
        break;
      default: {  // the forced switch's diamond, and any other
        // Upright and narrow, the band's height: a square one of 4 px read as the job-done dot.
        const float half = s * 0.6f;
        const ImVec2 p[4] = {{x, y0}, {x + half, cy}, {x, y1}, {x - half, cy}};
        dl->AddConvexPolyFilled(p, 4, col);
        break;
      }
    }
    return;
  }
  const float h = box.bottom - box.top;
  const float s = mark_size(h);
  const ImU32 col = to_u32(mark_colour(kind));
  const ImU32 outline = IM_COL32(255, 255, 255, 230);
  const float top = box.top + 1;
  switch (kind) {
    case MarkKind::DropRequest: {  // a downward arrow: "please drop it"
      // Black outside, white inside: visible on vermillion, on white and on dark holders.
      const ImVec2 a(x - s, top), b(x + s, top), c(x, top + 1.6f * s);
      dl->AddTriangle(a, b, c, IM_COL32(0, 0, 0, 255), 3.0f);
      dl->AddTriangleFilled(a, b, c, col);
      dl->AddTriangle(a, b, c, outline, 1.0f);
      break;
    }
    case MarkKind::ForcedSwitch: {  // a diamond where the holder gave the GIL up
      const float cy = box.top + h * 0.5f;
      const ImVec2 p[4] = {{x, cy - s}, {x + s, cy}, {x, cy + s}, {x - s, cy}};
      dl->AddConvexPolyFilled(p, 4, col);
      dl->AddPolyline(p, 4, outline, ImDrawFlags_Closed, 1.0f);
      break;
    }
    case MarkKind::JobEnd: {  // a flag at the end of a job
      // Its left edge on the instant: centred there, it covered the job's last 2 ms of
      // Python in lesson 02's whole run (a pixel or two), the lesson's point.
      const float cy = box.top + h * 0.5f;
      dl->AddCircleFilled(ImVec2(x + s * 0.9f, cy), s * 0.9f, outline);
      dl->AddCircleFilled(ImVec2(x + s * 0.9f, cy), s * 0.65f, col);
      break;
    }
    case MarkKind::Preempt: {
      // Black-edged: it mostly sits where running turns into waiting for a core, its own orange.
      const ImVec2 a(x - s, box.bottom - 1), b(x + s, box.bottom - 1), c(x, box.bottom - 1 - 1.5f * s);
      dl->AddTriangleFilled(a, b, c, col);
      dl->AddTriangle(a, b, c, IM_COL32(0, 0, 0, 255), 1.0f);
      break;
    }
    case MarkKind::LostUpdate: {  // a cross: a store wrote over updates, which are lost
      const float cy = box.top + h * 0.5f, r = s * 1.1f;
      for (const auto& [ink, width] : {std::pair{IM_COL32(0, 0, 0, 255), 4.5f}, std::pair{col, 2.5f}}) {
        dl->AddLine(ImVec2(x - r, cy - r), ImVec2(x + r, cy + r), ink, width);
        dl->AddLine(ImVec2(x - r, cy + r), ImVec2(x + r, cy - r), ink, width);
      }
      break;
    }
    case MarkKind::LoopStall:
    case MarkKind::Dispatch: {
      const float cy = box.top + h * 0.5f;
      const ImVec2 a(x, cy - s), b(x + 1.5f * s, cy), c(x, cy + s);
      dl->AddTriangleFilled(a, b, c, col);
      dl->AddTriangle(a, b, c, outline, 1.0f);
      break;
    }
    default:
      dl->AddLine(ImVec2(x, box.top + 2), ImVec2(x, box.bottom - 2), col, 1.0f);
      break;
  }
}

void paint_stripes(ImDrawList* dl, ImVec2 a, ImVec2 b, int pattern) {
  // Upright lines and dots only: diagonal lines are the GIL wait's hatch (paint_wait_hatch),
  // and a ninth thread's GIL bar striped so read as "others wait".
  const float h = b.y - a.y;
  const ImU32 ink = IM_COL32(255, 255, 255, 170);
  dl->PushClipRect(a, b, true);
  if (pattern == 1) {
    for (float x = std::floor(a.x / 7) * 7; x < b.x; x += 7) dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), ink, 1.5f);
  } else if (pattern == 2) {
    for (const float at : {0.35f, 0.65f}) dl->AddLine(ImVec2(a.x, a.y + h * at), ImVec2(b.x, a.y + h * at), ink, 1.5f);
  } else {
    for (float x = std::floor(a.x / 6) * 6 + 2; x < b.x; x += 6) {
      for (const float at : {0.3f, 0.7f}) dl->AddRectFilled(ImVec2(x, a.y + h * at - 1), ImVec2(x + 2, a.y + h * at + 1), ink);
    }
  }
  dl->PopClipRect();
}

void paint_identity_swatch(ImDrawList* dl, ImVec2 a, ImVec2 b, std::uint32_t ordinal) {
  dl->AddRectFilled(a, b, ordinal == trace::kNone ? IM_COL32(90, 90, 90, 255) : to_u32(identity_colour(ordinal)), 2.0f);
  // The tenth thread's square was the second's: colours come round after the eighth, told
  // apart by stripes.
  if (ordinal != trace::kNone && identity_pattern(ordinal) > 0) paint_stripes(dl, a, b, identity_pattern(ordinal));
}

void paint_wait_hatch(ImDrawList* dl, ImVec2 a, ImVec2 b) {
  if (b.x - a.x < 2.0f) return;  // a sliver: a line or two would only dim its colour
  const float h = b.y - a.y;
  dl->PushClipRect(a, b, true);
  for (float x = std::floor((a.x - h) / 6) * 6; x < b.x; x += 6) {
    dl->AddLine(ImVec2(x, b.y), ImVec2(x + h, a.y), IM_COL32(255, 255, 255, 140), 1.0f);
  }
  dl->PopClipRect();
}

void paint_density(ImDrawList* dl, const LaneDensity& density, float lanes, const LaneBox& box) {
  if (lanes <= 0) return;
  const float pad = std::max(1.0f, (box.bottom - box.top) * 0.08f);
  const float y1 = box.bottom - pad, h = y1 - (box.top + pad);
  // A faint line where the most lanes alive at once would reach: the band reads as a share of them.
  dl->AddLine(ImVec2(box.left, box.top + pad), ImVec2(box.right, box.top + pad), IM_COL32(200, 200, 200, 255));
  // Legend order, so the same states stack the same way in every column.
  const auto& entries = legend_entries();
  for (int c = 0; c < density.columns();) {
    // Runs of columns with the same stack (to a tenth of a pixel) become one rectangle each.
    std::array<float, trace::kSpanStateCount> tops{};
    float y = y1;
    for (const LegendEntry& e : entries) {
      y -= h * std::min(1.0f, density.at(c, e.state) / lanes);
      tops[static_cast<std::size_t>(e.state)] = y;
    }
    int end = c + 1;
    while (end < density.columns()) {
      float y2 = y1;
      bool same = true;
      for (const LegendEntry& e : entries) {
        y2 -= h * std::min(1.0f, density.at(end, e.state) / lanes);
        if (std::abs(y2 - tops[static_cast<std::size_t>(e.state)]) > 0.1f) {
          same = false;
          break;
        }
      }
      if (!same) break;
      ++end;
    }
    float below = y1;
    for (const LegendEntry& e : entries) {
      const float top = tops[static_cast<std::size_t>(e.state)];
      if (below - top >= 0.05f) {
        dl->AddRectFilled(ImVec2(box.left + static_cast<float>(c), top), ImVec2(box.left + static_cast<float>(end), below),
                          to_u32(state_colour(e.state)));
      }
      below = top;
    }
    c = end;
  }
}

void paint_counter(ImDrawList* dl, const LaneDensity& density, float max, ImU32 colour, const LaneBox& box) {
  if (max <= 0) return;
  const float y1 = box.bottom - 1, h = y1 - (box.top + 1);
  for (int c = 0; c < density.columns();) {
    const float v = std::min(1.0f, density.total(c) / max);
    int end = c + 1;
    while (end < density.columns() && std::abs(std::min(1.0f, density.total(end) / max) - v) * h < 0.1f) ++end;
    if (v * h >= 0.05f) {
      dl->AddRectFilled(ImVec2(box.left + static_cast<float>(c), y1 - std::max(1.0f, v * h)),
                        ImVec2(box.left + static_cast<float>(end), y1), colour);
    }
    c = end;
  }
}

void paint_axis(ImDrawList* dl, const std::vector<Tick>& ticks, const LaneBox& box) {
  dl->AddRectFilled(ImVec2(box.left, box.top), ImVec2(box.right, box.bottom), IM_COL32(236, 236, 236, 255));
  dl->AddLine(ImVec2(box.left, box.bottom - 1), ImVec2(box.right, box.bottom - 1), IM_COL32(90, 90, 90, 255));
  const float h = box.bottom - box.top;
  for (const Tick& t : ticks) {
    const float x = box.left + static_cast<float>(t.x);
    if (x < box.left - 1 || x > box.right + 1) continue;
    const float len = t.labelled ? h * 0.35f : h * 0.18f;
    dl->AddLine(ImVec2(x, box.bottom - len), ImVec2(x, box.bottom), IM_COL32(60, 60, 60, 255), 1.0f);
    if (t.label_left) {
      dl->AddText(ImVec2(box.left + static_cast<float>(*t.label_left), box.top + 2), IM_COL32(20, 20, 20, 255),
                  t.label.c_str());
    }
  }
}

namespace {

const char* const kTokenText = "GIL";

float token_width() { return ImGui::CalcTextSize(kTokenText).x + ImGui::GetFontSize() * 0.7f; }

}  // namespace

std::pair<float, float> token_extent(float x) { return {x + 4, x + 4 + token_width() + 2}; }

float queue_chip_width(const char* text, float font, float height, bool swatch) {
  return ImGui::GetFont()->CalcTextSizeA(font, 1e9f, 0, text).x + (swatch ? height * 0.6f : 0.0f) + 10;
}

void paint_queue_chip(ImDrawList* dl, ImVec2 a, ImVec2 b, std::optional<std::uint32_t> swatch, const char* text, float font) {
  dl->AddRectFilled(a, b, IM_COL32(255, 255, 255, 240), 3.0f);
  dl->AddRect(a, b, to_u32(state_colour(trace::SpanState::WaitingGil)), 3.0f, 0, 2.0f);
  float tx = a.x + 4;
  if (swatch) {
    const float sw = (b.y - a.y) * 0.6f;
    paint_identity_swatch(dl, ImVec2(tx, a.y + (b.y - a.y - sw) * 0.5f), ImVec2(tx + sw, a.y + (b.y - a.y + sw) * 0.5f), *swatch);
    tx += sw + 3;
  }
  dl->AddText(ImGui::GetFont(), font, ImVec2(tx, a.y + (b.y - a.y - font) * 0.5f), IM_COL32(20, 20, 20, 255), text);
}

void paint_token(ImDrawList* dl, ImVec2 centre, float height, ImU32 fill, bool held) {
  const char* text = kTokenText;
  const ImVec2 size = ImGui::CalcTextSize(text);
  const float w = token_width();
  const float h = std::max(height, size.y + 2);
  const ImVec2 a(centre.x + 4, centre.y - h * 0.5f), b(a.x + w, a.y + h);
  dl->AddRectFilled(ImVec2(a.x + 2, a.y + 2), ImVec2(b.x + 2, b.y + 2), IM_COL32(0, 0, 0, 70), h * 0.5f);
  dl->AddRectFilled(a, b, held ? fill : IM_COL32(255, 255, 255, 255), h * 0.5f);
  dl->AddRect(a, b, IM_COL32(0, 0, 0, 255), h * 0.5f, 0, 2.0f);
  const Rgba bg = held ? Rgba{static_cast<std::uint8_t>(fill & 0xFF), static_cast<std::uint8_t>((fill >> 8) & 0xFF),
                              static_cast<std::uint8_t>((fill >> 16) & 0xFF), 255}
                       : Rgba{255, 255, 255, 255};
  dl->AddText(ImVec2(a.x + (w - size.x) * 0.5f, a.y + (h - size.y) * 0.5f), to_u32(text_on(bg)), text);
}

}  // namespace gilsim::viz::ui
