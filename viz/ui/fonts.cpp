// The font atlas, built for the characters the session shows.
#include "viz/ui/fonts.hpp"

#include <algorithm>
#include <initializer_list>
#include <iterator>

#include <imgui_internal.h>

#include "viz/app_state.hpp"
#include "viz/asset_files.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::ui {

namespace {

/// The viewer's own words: Latin-1, the dashes and "…", arrows, the shapes of its glyphs.
constexpr ImWchar kBaseRanges[] = {0x0020, 0x00FF, 0x2013, 0x2026, 0x2190, 0x21FF, 0x25A0, 0x25FF};

bool in_base_ranges(unsigned c) {
  for (std::size_t i = 0; i < std::size(kBaseRanges); i += 2) {
    if (c >= kBaseRanges[i] && c <= kBaseRanges[i + 1]) return true;
  }
  return false;
}

/// ImGui's zero-ended pairs of first and last code point, consecutive code points in one pair.
void append_ranges(const std::vector<ImWchar>& sorted, std::vector<ImWchar>& ranges) {
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    ranges.push_back(sorted[i]);
    ranges.push_back(sorted[j]);
    i = j + 1;
  }
}

}  // namespace

std::string find_fallback_font() {
  return find_asset("fonts/DroidSansFallbackFull.ttf", {kFallbackFontFolder}).string();
}

std::vector<ImWchar> extra_code_points(std::string_view text) {
  std::vector<ImWchar> out;
  const char* at = text.data();
  const char* const end = text.data() + text.size();
  while (at < end) {
    unsigned c = 0;
    at += std::max(1, ImTextCharFromUtf8(&c, at, end));
    if (c >= 0x20 && c <= IM_UNICODE_CODEPOINT_MAX && !in_base_ranges(c)) out.push_back(static_cast<ImWchar>(c));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

ImFont* build_fonts(float px, const std::vector<ImWchar>& extra) {
  // The atlas reads the ranges while it builds, after the calls that name them.
  static std::vector<ImWchar> all, only_extra;
  all.assign(std::begin(kBaseRanges), std::end(kBaseRanges));
  append_ranges(extra, all);
  all.push_back(0);
  only_extra.clear();
  append_ranges(extra, only_extra);
  only_extra.push_back(0);

  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  io.Fonts->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;  // a tall atlas no taller than its glyphs
  const std::string regular = find_font("DejaVuSans.ttf");
  const std::string bold = find_font("DejaVuSans-Bold.ttf");
  const std::string fallback = extra.empty() ? std::string() : find_fallback_font();
  // Into the face just added, the glyphs it lacks (a merge keeps those it has).
  const auto merge_fallback = [&] {
    if (fallback.empty()) return;
    ImFontConfig config;
    config.MergeMode = true;
    io.Fonts->AddFontFromFileTTF(fallback.c_str(), px, &config, only_extra.data());
  };
  if (!regular.empty()) {
    io.Fonts->AddFontFromFileTTF(regular.c_str(), px, nullptr, all.data());
  } else {
    ImFontConfig config;
    config.SizePixels = 13.0f * px / kBaseFontPx;
    io.Fonts->AddFontDefault(&config);
  }
  merge_fallback();
  ImFont* bold_face = nullptr;
  if (!bold.empty()) {
    bold_face = io.Fonts->AddFontFromFileTTF(bold.c_str(), px, nullptr, all.data());
    merge_fallback();
  }
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  return bold_face;
}

namespace {

/// `s` where it is not ASCII, which every atlas has.
void add_unless_ascii(std::string& text, const std::string& s) {
  if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) text += s;
}

/// The text of the session's runs, read when they change (lesson 3's 10,000 threads' names
/// whenever a knob's runs come in).
std::string runs_text(const AppState& app) {
  std::string text;
  const scenario::Scenario& s = app.session.scenario();
  add_unless_ascii(text, s.title);
  add_unless_ascii(text, s.source);
  for (const trace::Trace& run : app.session.runs()) {
    add_unless_ascii(text, run.run_name);
    for (const trace::Lane& lane : run.lanes) add_unless_ascii(text, lane.name);
    for (const trace::Process& process : run.processes) add_unless_ascii(text, process.name);
    for (const trace::JobTemplate& job : run.templates) add_unless_ascii(text, job.name);
    for (const trace::Counter& counter : run.counters) add_unless_ascii(text, counter.name);
  }
  return text;
}

/// Text that changes without the runs, read every frame: the toolbar's message, the sweep
/// panel's keys ("工人数量: workers=1..4" drew its label as "????") and its refusal, the Open
/// box and the error of a file that did not load (its path in Chinese).
std::string loose_text(const AppState& app) {
  std::string text;
  for (const std::string* s : {&app.status, &app.sweep.vary, &app.sweep.vary_also, &app.sweep.error, &app.path_field,
                               &app.session.error()}) {
    add_unless_ascii(text, *s);
  }
  return text;
}

std::vector<ImWchar> united(const std::vector<ImWchar>& a, const std::vector<ImWchar>& b) {
  std::vector<ImWchar> out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

Fonts::Fonts(float scale) : scale_(scale) { apply_theme(scale_); }

void Fonts::set_max_texture_size(int pixels) { max_texture_ = pixels > 0 ? pixels : max_texture_; }

bool Fonts::refresh(const AppState& app) {
  if (app.session.generation() != read_generation_) {
    read_generation_ = app.session.generation();
    runs_points_ = extra_code_points(runs_text(app));
    note_points_ = extra_code_points(app.session.scenario().note);
  }
  std::vector<ImWchar> names = united(runs_points_, extra_code_points(loose_text(app)));
  ImGuiIO& io = ImGui::GetIO();
  if (names == names_ && note_points_ == note_) {
    if (app.ui_scale == scale_) return false;
    // While the scale slider is dragged, the atlas built stretches to the size asked; it is
    // built again, crisp, once the slider is let go.
    if (app.ui_scale_held) {
      io.FontGlobalScale = app.ui_scale / scale_;
      return false;
    }
  }
  io.FontGlobalScale = 1.0f;
  const bool note_known_too_big = note_too_big_ && note_points_ == note_ && app.ui_scale == scale_;
  scale_ = app.ui_scale;
  names_ = std::move(names);
  note_ = note_points_;
  // All, then without the note's, then none: an atlas larger than the largest texture the GPU
  // takes drew every glyph, the viewer's own words too, as a black box (a note of 10,000
  // Chinese characters at scale 3). Names come first: rows and headers need them. A note found
  // too big at this scale is not tried again for a new toolbar message (0.8 s a build).
  const std::vector<ImWchar> all = united(names_, note_);
  note_too_big_ = false;
  for (const std::vector<ImWchar>* extra : std::initializer_list<const std::vector<ImWchar>*>{&all, &names_, &kNoCodePoints}) {
    if (extra == &all && note_known_too_big) {
      note_too_big_ = true;
      continue;
    }
    apply_theme(scale_, *extra);
    built_ = extra->size();
    const ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
    if (atlas.TexHeight <= max_texture_ && atlas.TexWidth <= max_texture_) break;
    if (extra == &all) note_too_big_ = true;
  }
  return true;
}

}  // namespace gilsim::viz::ui
