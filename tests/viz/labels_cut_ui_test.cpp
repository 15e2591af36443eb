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
#include "lesson_runs.hpp"
#include "viz/app_state.hpp"
#include "viz/knobs.hpp"
#include "viz/timeline_layout.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

constexpr char32_t kEllipsis = 0x2026;

/// The texts the last frame drew, read from its glyphs (by where each sits in the font
/// atlas): each a run of glyphs of one size on one line, no more than a glyph's height apart
/// (a label, a header; its spaces are not drawn, so not in it), or `gap` glyph heights; only
/// glyphs from `left` rightwards.
std::vector<std::u32string> drawn_texts(float gap = 1.5f, float left = -1e9f) {
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
      if (q[0].pos.x < left) {
        i += 3;
        continue;
      }
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
                      g.x0 - last->x1 < gap * g.h;
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
  gilsim::viz::testing::measure_as_predicted(v);
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
  // The measured run's name is whole now: the label column widens for the runs' names (below).
}

TEST_CASE("a run's name in the label column is whole, or a shorter form of it: every lesson presented, its runs measured") {
  // Lesson 17 presented at 1280x720 with its runs measured cut "sequential (measur...": the
  // column was sized for the name without the room its triangle takes.
  int shorter = 0, lines = 0;
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1024, 640), ImVec2(1920, 1080)}) {
    for (const auto& file : scenario::bundled_scenarios()) {
      for (const char* by : {"", "CPython 3.11"}) {
        INFO(file.filename().string(), " presented at ", size.x, "x", size.y, ", measured by '", std::string(by), "'");
        HeadlessViewer v(size);
        v.present(file);
        const std::vector<trace::Trace> predictions = v.app.session.runs();
        for (const trace::Trace& run : predictions) {
          trace::Trace measured = run;
          measured.origin = trace::Origin::Measured;
          measured.measured_by = by;
          v.app.session.add_measured(std::move(measured));
        }
        refresh_derived(v.app);
        for (int i = 0; i < 4; ++i) v.frame(0);
        const auto& runs = v.app.session.runs();
        const auto& names = v.app.timeline.collapsed_names;
        REQUIRE(names.size() == runs.size());
        for (std::uint32_t r = 0; r < runs.size(); ++r) {
          if (names[r].empty()) continue;  // open
          ++lines;
          const std::vector<std::string> forms = run_label_forms(runs[r], runs[r].origin == trace::Origin::Measured);
          INFO(run_label(runs[r]), " drawn as ", names[r]);
          CHECK(std::find(forms.begin(), forms.end(), names[r]) != forms.end());
          shorter += names[r] != forms.front() ? 1 : 0;
          // At 1280 wide and more, gilsim's own executors' measured runs are named whole.
          if (size.x >= 1280 && std::string(by).empty()) CHECK(names[r] == forms.front());
        }
      }
    }
  }
  MESSAGE(lines, " collapsed runs named, ", shorter, " in a shorter form");
  CHECK(lines > 50);
  // Lesson 17, the case that failed: its measured sequential run, collapsed, whole.
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(gilsim::viz::testing::bundled_lesson("17-big-results.toml"));
  gilsim::viz::testing::measure_as_predicted(v);
  for (int i = 0; i < 4; ++i) v.frame(0);
  const auto& runs = v.app.session.runs();
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (run_label(runs[r]) == "sequential (measured)" && !v.app.timeline.collapsed_names[r].empty()) {
      CHECK(v.app.timeline.collapsed_names[r] == "sequential (measured)");
    }
  }
}

namespace {

/// The labels drawn inside bars: every job's name (thread, task and worker lanes) and every
/// lane's name (a core's or a GIL's holder), spaces left out as drawn_texts reads them.
/// So are their first words ("download" of "download 1"): read apart from the rest where a
/// space's width splits the text.
std::vector<std::u32string> bar_labels_of(const AppState& app) {
  std::vector<std::u32string> labels;
  const auto add = [&](const std::string& name) {
    for (std::size_t space = name.find(' '); space != std::string::npos; space = name.find(' ', space + 1)) {
      labels.push_back(without_spaces(name.substr(0, space)));
    }
    labels.push_back(without_spaces(name));
  };
  for (const trace::Trace& run : app.session.runs()) {
    for (const trace::Job& job : run.jobs) add(job.name);
    for (const trace::Lane& lane : run.lanes) add(lane.name);
  }
  return labels;
}

}  // namespace

TEST_CASE("a label cut inside a bar ends with an ellipsis, one with room is whole: lessons 02, 04 and 15") {
  // Lesson 2's sequential run said "downloa" between two job-done dots, lesson 4's "handler"
  // went on under the next bar's edge: cut mid-word, nothing said the name went on.
  struct Case {
    const char* lesson;
    ImVec2 size;
    bool present;
    bool cuts = false;            // some labels are cut there
    const char* whole = nullptr;  // a label with just its room, drawn whole (not "event lo…")
  };
  for (const Case& c : {Case{"02-io-bound.toml", ImVec2(1280, 720), false, true},
                        Case{"04-blocking-coroutine.toml", ImVec2(1024, 640), true},
                        Case{"15-lost-update.toml", ImVec2(1280, 720), true, false}}) {
    INFO(std::string(c.lesson), c.present ? " presented" : "");
    HeadlessViewer v(c.size);
    if (c.present) {
      v.present(gilsim::viz::testing::bundled_lesson(c.lesson));
    } else {
      REQUIRE(v.open(gilsim::viz::testing::bundled_lesson(c.lesson)));
    }
    v.frame(0);
    const std::vector<std::u32string> labels = bar_labels_of(v.app);
    // Labels in bars side by side read apart where a space's width or more separates them
    // (a dot, a bar's edge), and a "…" ends one.
    std::vector<std::u32string> texts;
    // The lanes' area only: the label column's names are the other tests' (a row's "lock
    // counter_lock", its "_" clipped at the tightest rows, read as "lock counter").
    for (const std::u32string& read : drawn_texts(0.45f, v.app.timeline.lanes_left)) {
      std::size_t from = 0;
      for (std::size_t at = read.find(kEllipsis); from < read.size(); at = read.find(kEllipsis, from)) {
        const std::size_t end = at == std::u32string::npos ? read.size() : at + 1;
        texts.push_back(read.substr(from, end - from));
        from = end;
      }
    }
    int whole = 0, ended = 0;
    for (const std::u32string& t : texts) {
      if (t.size() < 2) continue;
      const bool cut = t.back() == kEllipsis;
      const std::u32string letters = t.substr(0, t.size() - (cut ? 1 : 0));
      if (std::find(labels.begin(), labels.end(), t) != labels.end()) {
        ++whole;
        continue;
      }
      for (const std::u32string& l : labels) {
        if (!l.starts_with(letters) || (!cut && letters.size() < 3)) continue;
        std::string shown;
        for (const char32_t ch : t) shown += ch == kEllipsis ? std::string("...") : std::string(1, static_cast<char>(ch));
        INFO("a bar's label drawn cut: ", shown);
        ++ended;
        CHECK(cut);
        CHECK(!letters.empty());  // at least one letter before the "…", or nothing drawn
        break;
      }
    }
    if (c.whole) CHECK(std::find(texts.begin(), texts.end(), without_spaces(c.whole)) != texts.end());
    MESSAGE(std::string(c.lesson), ": ", whole, " labels drawn whole, ", ended, " cut");
    CHECK(whole > 0);
    if (c.cuts) CHECK(ended > 0);
  }
}

TEST_CASE("the Numbers panel's bars name every run whole: lesson 17 at 1280x720 with the workers knob at 2, lesson 10") {
  // Cut to two lines, "pool of 4 (now 2 workers)" read "pool of 4" / "(now 2 wo…": the value in
  // force was the part a class could not read without hovering.
  for (const char* lesson : {"17-big-results.toml", "10-pool-overhead.toml"}) {
    INFO(lesson);
    HeadlessViewer v(ImVec2(1280, 720));
    REQUIRE(v.open(gilsim::viz::testing::bundled_lesson(lesson)));
    if (std::string(lesson).starts_with("17")) {
      Knobs two;
      two.workers = 2;
      REQUIRE(v.app.session.set_knobs(two));
      refresh_derived(v.app);
    }
    for (int i = 0; i < 4; ++i) v.frame(0);
    std::vector<std::u32string> names;
    for (const trace::Trace& run : v.app.session.runs()) names.push_back(without_spaces(run_name_in_force(run)));
    if (std::string(lesson).starts_with("17")) {
      CHECK(std::find(names.begin(), names.end(), without_spaces("pool of 4 (now 2 workers)")) != names.end());
    }
    for (const std::u32string& t : drawn_texts()) {
      if (t.size() < 2 || t.back() != kEllipsis) continue;
      const std::u32string letters = t.substr(0, t.size() - 1);
      for (const std::u32string& name : names) {
        std::string shown;
        for (const char32_t c : t) shown += c == kEllipsis ? std::string("...") : std::string(1, static_cast<char>(c));
        INFO("a run's name drawn cut: ", shown);
        CHECK(name.find(letters) == std::u32string::npos);
      }
    }
  }
}

TEST_CASE("presenting, a run drawn with a busy-cores strip has 'busy cores' in the legend: every lesson at 1280x720 and 1024x640") {
  // Lessons 14 and 21 presented at 1280x720 had no room left on the legend's second row, and
  // the slate strip under every run was named nowhere (presenting, the strip has no caption).
  int strips = 0;
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1024, 640)}) {
    for (const auto& file : scenario::bundled_scenarios()) {
      INFO(file.filename().string(), " presented at ", size.x, "x", size.y);
      HeadlessViewer v(size);
      v.present(file);
      const auto& rows = v.app.timeline.layout.rows;
      if (std::none_of(rows.begin(), rows.end(), [](const Row& r) { return r.kind == Row::Kind::BusyCores; })) continue;
      ++strips;
      const std::vector<std::u32string> texts = drawn_texts();
      CHECK(std::find(texts.begin(), texts.end(), without_spaces("busy cores")) != texts.end());
    }
  }
  CHECK(strips > 20);
}
