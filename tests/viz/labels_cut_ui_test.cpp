// Labels cut for room end with "…": read back from the glyphs a frame draws.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <imgui.h>

#include "headless_viewer.hpp"
#include "viz/app_state.hpp"
#include "viz/timeline_layout.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

constexpr char32_t kEllipsis = 0x2026;

/// The texts the last frame drew, read from its glyphs (by where each sits in the font
/// atlas): each a run of glyphs of one size on one line, no more than a glyph's height apart
/// (a label, a header; its spaces are not drawn, so not in it).
std::vector<std::u32string> drawn_texts() {
  struct AtlasGlyph {
    const ImFont* font;
    const ImFontGlyph* glyph;
  };
  std::map<std::pair<float, float>, AtlasGlyph> glyph_at;  // by (U0, V0)
  for (const ImFont* font : ImGui::GetIO().Fonts->Fonts) {
    for (const ImFontGlyph& g : font->Glyphs) {
      if (g.Visible && g.Y1 > g.Y0) glyph_at[{g.U0, g.V0}] = {font, &g};
    }
  }
  struct Glyph {
    float x0, x1, y, h;  ///< its line's top and font size (not its own: an "a" is lower than a "d")
    char32_t c;
  };
  std::vector<Glyph> glyphs;
  const ImDrawData* data = ImGui::GetDrawData();
  for (int l = 0; l < data->CmdListsCount; ++l) {
    const ImVector<ImDrawVert>& v = data->CmdLists[l]->VtxBuffer;
    for (int i = 0; i + 3 < v.Size; ++i) {
      const ImDrawVert* q = &v[i];
      const bool quad = q[0].pos.y == q[1].pos.y && q[1].pos.x == q[2].pos.x && q[2].pos.y == q[3].pos.y &&
                        q[3].pos.x == q[0].pos.x && q[0].uv.y == q[1].uv.y && q[0].uv.x == q[3].uv.x;
      if (!quad) continue;
      const auto g = glyph_at.find({q[0].uv.x, q[0].uv.y});
      if (g == glyph_at.end()) continue;
      const ImFontGlyph& a = *g->second.glyph;
      const float scale = (q[2].pos.y - q[0].pos.y) / (a.Y1 - a.Y0);
      glyphs.push_back({q[0].pos.x, q[1].pos.x, q[0].pos.y - a.Y0 * scale, g->second.font->FontSize * scale,
                        static_cast<char32_t>(a.Codepoint)});
      i += 3;
    }
  }
  std::sort(glyphs.begin(), glyphs.end(), [](const Glyph& a, const Glyph& b) {
    return std::make_pair(std::round(a.y), a.x0) < std::make_pair(std::round(b.y), b.x0);
  });
  std::vector<std::u32string> texts;
  const Glyph* last = nullptr;
  for (const Glyph& g : glyphs) {
    const bool same = last && std::round(last->y) == std::round(g.y) && std::abs(last->h - g.h) < 0.5f &&
                      g.x0 - last->x1 < 1.5f * g.h;
    if (!same) texts.emplace_back();
    texts.back() += g.c;
    last = &g;
  }
  return texts;
}

std::u32string without_spaces(const std::string& utf8) {
  std::u32string out;
  for (std::size_t i = 0; i < utf8.size();) {  // the labels here are ASCII but for "…"
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      if (c != ' ') out += static_cast<char32_t>(c);
      ++i;
    } else {
      out += kEllipsis;
      i += 3;
    }
  }
  return out;
}

/// Every label of the runs shown, as drawn whole: each run's name, its lanes', its groups',
/// its busy cores' row.
std::vector<std::u32string> labels_of(const AppState& app) {
  std::vector<std::u32string> labels;
  const auto& runs = app.session.runs();
  for (std::size_t r = 0; r < runs.size() && r < app.runs.size(); ++r) {
    labels.push_back(without_spaces(run_label(runs[r])));
    labels.push_back(without_spaces("cores busy (of " + std::to_string(runs[r].cores) + ")"));
    for (const std::string& l : app.runs[r].lane_labels) labels.push_back(without_spaces(l));
    for (const LaneGroup& g : app.runs[r].groups) labels.push_back(without_spaces("+ " + g.label));
  }
  return labels;
}

}  // namespace

TEST_CASE("a label cut for room ends with an ellipsis: lesson 04 presented at 1024x640 with its runs measured") {
  // The collapsed measured run's row said "threads (measured" at the label column's edge, its
  // ")" clipped away with nothing to say the name went on.
  HeadlessViewer v(ImVec2(1024, 640));
  v.present(gilsim::viz::testing::bundled_lesson("04-blocking-coroutine.toml"));
  const std::vector<trace::Trace> predictions = v.app.session.runs();
  for (const trace::Trace& run : predictions) {
    trace::Trace measured = run;
    measured.origin = trace::Origin::Measured;
    v.app.session.add_measured(std::move(measured));
  }
  refresh_derived(v.app);
  v.app.playback.seek(500_ms);
  for (int i = 0; i < 4; ++i) v.frame(0);
  const std::vector<std::u32string> labels = labels_of(v.app);
  const std::vector<std::u32string> texts = drawn_texts();
  int whole = 0, ended = 0;
  for (const std::u32string& t : texts) {
    for (const std::u32string& l : labels) {
      if (t.size() < 3 || !l.starts_with(t.substr(0, t.size() - (t.back() == kEllipsis ? 1 : 0)))) continue;
      if (t == l) {
        ++whole;
      } else {
        ++ended;
        std::string shown;
        for (const char32_t c : t) shown += c == kEllipsis ? std::string("...") : std::string(1, static_cast<char>(c));
        INFO("a label drawn cut: ", shown);
        CHECK(t.back() == kEllipsis);
      }
      break;
    }
  }
  MESSAGE(whole, " labels drawn whole, ", ended, " cut");
  CHECK(whole > 5);
  CHECK(ended > 0);  // the measured run's name, at least
}
