// Driving the viewer: the toolbar, the keyboard shortcuts, the legend and the help overlay.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "viz/palette.hpp"
#include "viz/text_layout.hpp"
#include "viz/ui/keys.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/shortcuts.hpp"
#include "viz/ui/theme.hpp"
#include "viz/ui/timeline_painter.hpp"

namespace gilsim::viz::ui {

const std::vector<Shortcut>& shortcuts() {
  static const std::vector<Shortcut> list = {
      {"Space", "play / pause"},
      {"Right / Left", "step to the next / previous event"},
      {"G", "step between GIL events only (toggle)"},
      {"Home / End", "playhead to the start / end"},
      {"[ / ]", "slower / faster playback"},
      {"F", "fit every run in the window (time and rows)"},
      {"+ / -", "zoom in / out around the playhead"},
      {"mouse wheel", "zoom around the mouse"},
      {"Shift + wheel", "scroll the lanes up and down"},
      {"drag on the lanes", "pan"},
      {"click or drag on the time axis", "move the playhead (scrub)"},
      {"hover a span or a mark", "what it is, when, how long, why"},
      {"click a span", "select it and show it in the inspector"},
      {"click a run's header", "collapse / open the run"},
      {"double-click a run's header", "focus on that run (again: fit every run)"},
      {"click a folded row", "show each of its lanes (click one's name to fold them again)"},
      {"click a line of the story", "move the playhead there"},
      {"M", "show / hide mark glyphs"},
      {"L", "show / hide the legend"},
      {"P", "presentation mode (bigger, fewer panels)"},
      {"Ctrl + S", "save the timeline as a PNG"},
      {"F1 or ?", "this help"},
      {"Esc", "close the help, clear the selection"},
  };
  return list;
}

namespace {

std::string speed_label(double speed) {
  // Simulated time per real second: "1 ms per second" reads better than "0.001x".
  return fmt::format("{} / s", format_time(Time::from_seconds(speed)));
}

/// After a slider drawn without its value: the value, in a box as wide as `widest` so the
/// controls after it never shift, then the slider's name.
void value_beside(const std::string& value, const char* widest, const char* name) {
  ImGui::SameLine();
  const float x = ImGui::GetCursorPosX();
  ImGui::TextUnformatted(value.c_str());
  ImGui::SameLine();
  ImGui::SetCursorPosX(x + ImGui::CalcTextSize(widest).x + ImGui::GetFontSize() * 0.4f);
  ImGui::TextUnformatted(name);
}

void zoom_at_playhead(AppState& app, double factor) {
  const double x = app.view.x_of(app.playback.now());
  app.view.zoom_around(x >= 0 && x <= app.view.width_px() ? x : app.view.width_px() * 0.5, factor);
  app.follow_playhead = false;
}

void set_presentation(AppState& app, bool on) {
  app.presentation = on;
  app.fit_runs = on;
  app.focus.reset();
  app.ui_scale = on ? std::max(app.ui_scale, presentation_scale(ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y)) : 1.0f;
  app.auto_presentation_scale = false;
}

void request_timeline_png(AppState& app) {
  std::string base = app.session.file().empty() ? "default" : app.session.file().stem().string();
  app.screenshot = ScreenshotRequest{fmt::format("gilviz-{}-{}.png", base, app.playback.now().ns()), true};
}

}  // namespace

ToolbarView toolbar_view(const AppState& app) {
  ToolbarView v;
  v.now = app.playback.now();
  v.resolution = shown_resolution(app.view);
  v.end = app.playback.end();
  v.playing = app.playback.playing();
  v.speed = app.playback.speed();
  v.gil_events_only = app.gil_events_only;
  v.align_ends = app.align_ends;
  v.presentation = app.presentation;
  v.show_help = app.show_help;
  v.show_marks = app.show_marks;
  v.show_legend = app.show_legend;
  v.ui_scale = app.ui_scale;
  v.status = app.status;
  v.measuring = &app.measuring;
  return v;
}

void apply_request(AppState& app, const ViewerRequest& asked) {
  if (asked.toggle_play) {
    app.playback.toggle();
    app.follow_playhead = true;
  }
  if (asked.gil_events_only) app.gil_events_only = *asked.gil_events_only;
  if (asked.step != 0) {
    app.playback.pause();
    const Time now = app.playback.now();
    app.playback.seek(asked.step > 0 ? app.events.next(now, app.gil_events_only)
                                     : app.events.previous(now, app.gil_events_only));
    app.view.keep_visible(app.playback.now());
  }
  if (asked.seek) {
    app.playback.seek(*asked.seek);
    app.view.keep_visible(app.playback.now());
  }
  if (asked.speed) app.playback.set_speed(*asked.speed);
  if (asked.fit) {  // every run's whole time on screen, and every run's rows (collapsing runs as needed)
    app.fit_pending = true;
    app.fit_runs = true;
    app.focus.reset();
  }
  if (asked.zoom != 1) zoom_at_playhead(app, asked.zoom);
  if (asked.align_ends) app.align_ends = *asked.align_ends;
  if (asked.ui_scale) {
    app.ui_scale = *asked.ui_scale;
    app.auto_presentation_scale = false;
  }
  if (asked.ui_scale_held) app.ui_scale_held = *asked.ui_scale_held;
  if (asked.presentation) set_presentation(app, *asked.presentation);
  if (asked.show_help) app.show_help = *asked.show_help;
  if (asked.show_marks) app.show_marks = *asked.show_marks;
  if (asked.show_legend) app.show_legend = *asked.show_legend;
  if (asked.clear_selection) app.selected.reset();
  if (asked.save_png) request_timeline_png(app);
  apply_real_runs(app, asked.real);
}

ViewerRequest read_shortcuts(const ToolbarView& view) {
  ViewerRequest asked;
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return asked;
  if (pressed(kKeyF1, false) || (pressed(kKeySlash, false) && io.KeyShift)) asked.show_help = !view.show_help;
  if (pressed(kKeyEscape, false)) {
    if (view.show_help) asked.show_help = false;
    else asked.clear_selection = true;
  }
  if (pressed(kKeySpace, false)) asked.toggle_play = true;
  if (pressed(kKeyRight)) asked.step = 1;
  if (pressed(kKeyLeft)) asked.step = -1;
  if (pressed(kKeyHome, false)) asked.seek = Time::zero();
  if (pressed(kKeyEnd, false)) asked.seek = view.end;
  if (pressed(kKeyG, false)) asked.gil_events_only = !view.gil_events_only;
  if (pressed(kKeyF, false)) asked.fit = true;
  if (pressed(kKeyPlus)) asked.zoom = 1.5;
  if (pressed(kKeyMinus)) asked.zoom = 1 / 1.5;
  if (pressed(kKeyLeftBracket)) asked.speed = view.speed * 0.5;
  if (pressed(kKeyRightBracket)) asked.speed = view.speed * 2.0;
  if (pressed(kKeyM, false)) asked.show_marks = !view.show_marks;
  if (pressed(kKeyL, false)) asked.show_legend = !view.show_legend;
  if (pressed(kKeyP, false)) asked.presentation = !view.presentation;
  if (io.KeyCtrl && pressed(kKeyS, false)) asked.save_png = true;
  return asked;
}

ViewerRequest draw_toolbar(const ToolbarView& view, std::array<float, 10>& widths) {
  ViewerRequest asked;
  const float f = ImGui::GetFontSize();
  // Groups of controls that wrap as a whole when the window is narrow (or the scale large);
  // each group's width is measured on the previous frame.
  int group = 0;
  const auto begin_group = [&] {
    if (group > 0) same_line_or_wrap(widths[static_cast<std::size_t>(group)], f);
    ImGui::BeginGroup();
  };
  const auto end_group = [&] {
    ImGui::EndGroup();
    widths[static_cast<std::size_t>(group++)] = ImGui::GetItemRectSize().x;
  };
  const auto toggle = [](const char* label, bool value, std::optional<bool>& out) {
    if (ImGui::Checkbox(label, &value)) out = value;
  };

  begin_group();
  if (ImGui::Button(view.playing ? "Pause" : "Play", ImVec2(f * 4, 0))) asked.toggle_play = true;
  ImGui::SameLine();
  if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) asked.step = -1;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("previous event (Left)");
  ImGui::SameLine();
  if (ImGui::ArrowButton("##next", ImGuiDir_Right)) asked.step = 1;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("next event (Right)");
  ImGui::SameLine();
  toggle("GIL events only", view.gil_events_only, asked.gil_events_only);
  end_group();

  begin_group();
  {
    // Right-aligned in a fixed box, so the controls after it never shift as the time changes.
    const std::string now = format_time_to(view.now, view.resolution);
    // As wide as the widest time at this zoom's digits up to the runs' end ("000.000 ms" to
    // the microsecond, "8,888.888888 s" for lesson 03's 1,250 s): digits are all as wide.
    const std::int64_t whole_seconds = view.end.ns() / 1'000'000'000 * 1'000'000'000;
    const std::string widest = format_time_to(Time{std::max<std::int64_t>(888'888'888, whole_seconds + 888'888'888)},
                                              view.resolution);
    const float box = std::max(bold_font()->CalcTextSizeA(f, 1e9f, 0, "000.000 ms").x,
                               bold_font()->CalcTextSizeA(f, 1e9f, 0, widest.c_str()).x);
    const float text = bold_font()->CalcTextSizeA(f, 1e9f, 0, now.c_str()).x;
    const float x = ImGui::GetCursorPosX();
    ImGui::SetCursorPosX(x + std::max(0.0f, box - text));
    ImGui::PushFont(bold_font());
    ImGui::TextUnformatted(now.c_str());
    ImGui::PopFont();
    ImGui::SameLine();
    ImGui::SetCursorPosX(x + box + f * 0.4f);
  }
  ImGui::TextDisabled("of %s", format_time(view.end).c_str());
  end_group();

  begin_group();
  // Speed on a log scale, from 10 us to 1 s of simulated time per second.
  float exponent = static_cast<float>(std::log10(view.speed));
  ImGui::SetNextItemWidth(f * 6);
  // The value beside the slider, not under its handle, in a fixed box.
  if (ImGui::SliderFloat("##speed", &exponent, -5.0f, 0.0f, "")) {
    asked.speed = std::pow(10.0, static_cast<double>(exponent));
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("simulated time per real second ([ slower, ] faster)");
  value_beside(speed_label(view.speed), "000.0 ms / s", "speed");
  end_group();

  begin_group();
  if (ImGui::Button("Fit")) asked.fit = true;
  ImGui::SameLine();
  if (ImGui::Button("+")) asked.zoom = 1.5;
  ImGui::SameLine();
  if (ImGui::Button("-")) asked.zoom = 1 / 1.5;
  ImGui::SameLine();
  toggle("align ends", view.align_ends, asked.align_ends);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("Stretch every run to end where the axis ends: compare the shapes of runs of very "
                      "different lengths (each header says how much wider it is drawn)");
  }
  end_group();

  begin_group();
  float scale = view.ui_scale;
  ImGui::SetNextItemWidth(f * 5);
  // As the speed: the value beside the slider, where its handle cannot cover it.
  if (ImGui::SliderFloat("##scale", &scale, 1.0f, 3.0f, "")) asked.ui_scale = scale;
  asked.ui_scale_held = ImGui::IsItemActive();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("size of text and rows (P: presentation mode picks one)");
  value_beside(fmt::format("{:.2f}x", view.ui_scale), "0.00x", "scale");
  ImGui::SameLine();
  toggle("presentation", view.presentation, asked.presentation);
  end_group();

  if (view.measuring) {
    begin_group();
    asked.real = draw_real_run_button(*view.measuring);
    end_group();
  }

  begin_group();
  if (ImGui::Button("Save PNG")) asked.save_png = true;
  ImGui::SameLine();
  if (ImGui::Button("Help (F1)")) asked.show_help = !view.show_help;
  end_group();

  if (!view.status.empty()) {
    begin_group();
    ImGui::TextDisabled("%.*s", static_cast<int>(view.status.size()), view.status.data());
    end_group();
  }
  return asked;
}

float draw_legend(const std::array<bool, trace::kSpanStateCount>& states_seen,
                  const std::array<bool, trace::kMarkKindCount>& marks_seen, float width, bool unseen_holder,
                  bool deadlocked, bool busy_cores) {
  const float top = ImGui::GetCursorScreenPos().y - ImGui::GetStyle().ItemSpacing.y * 0.5f;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float s = ImGui::GetFontSize();
  const float right_edge = std::min(items_right_edge(), ImGui::GetCursorScreenPos().x + width);
  constexpr std::array kGlyphMarks = {trace::MarkKind::DropRequest, trace::MarkKind::ForcedSwitch, trace::MarkKind::JobEnd,
                                      trace::MarkKind::Preempt,     trace::MarkKind::LostUpdate,   trace::MarkKind::LoopStall};
  const char* races_label = "woke, lost the race for the GIL, slept";
  const char* unseen_label = "GIL holder not seen";
  const char* deadlocked_label = "deadlocked";
  // Short, so the legend keeps to two rows at 1280 wide; the tooltip says it in full.
  const char* gil_text = "holder's colour, red hatch: others wait";  // after the GIL badge
  // The chips at the playhead on a GIL lane: each a waiter, with its colour, and how long it has
  // waited (a class read them as labels of holders, the waiter's colour square in each).
  const char* chip_sample = "2 ms";
  const char* chip_text = "waiting for it, so far";
  bool chips = states_seen[static_cast<std::size_t>(trace::SpanState::WaitingGil)];
  const float chip_w = queue_chip_width(chip_sample, s * 0.8f, s * 1.1f, true);
  const char* busy_label = "busy cores";
  // Every entry's width, in the order drawn, so the gap between entries can be chosen first.
  std::vector<float> widths;
  const auto entry_width = [&](const char* label) { return s * 1.5f + ImGui::CalcTextSize(label).x; };
  for (const LegendEntry& e : legend_entries()) {
    if (states_seen[static_cast<std::size_t>(e.state)]) widths.push_back(s * 1.5f + ImGui::CalcTextSize(e.label.data(), e.label.data() + e.label.size()).x);
  }
  for (const trace::MarkKind kind : kGlyphMarks) {
    if (mark_legend_label(kind) && marks_seen[static_cast<std::size_t>(kind)]) widths.push_back(entry_width(mark_legend_label(kind)));
  }
  if (marks_seen[static_cast<std::size_t>(trace::MarkKind::RacesLost)]) widths.push_back(entry_width(races_label));
  if (unseen_holder) widths.push_back(entry_width(unseen_label));
  if (deadlocked) widths.push_back(entry_width(deadlocked_label));
  widths.push_back(s * 2.6f + 4 + ImGui::CalcTextSize(gil_text).x);
  const std::size_t chip_at = widths.size();  // drawn after the GIL's entry
  ImGui::NewLine();
  const float line_start = ImGui::GetCursorScreenPos().x;
  // Every colour on the lanes has its entry: the busy-cores strips' too (lessons 14 and 21
  // presented at 1280x720 had no room left for it on the legend's second row, and a class saw
  // a slate strip under every run that nothing named). Where it would take a row more, the
  // entries close up first; only where that is not enough does the legend take the row.
  // Lessons whose threads also wake others (docs/model.md G8c, L8) name one state more: the
  // entries close up wherever that saves a row.
  float gap = s * 0.9f;
  if (busy_cores) widths.push_back(entry_width(busy_label));
  if (legend_rows(widths, s * 0.45f, right_edge - line_start) < legend_rows(widths, gap, right_edge - line_start)) {
    gap = s * 0.45f;
  }
  // The chips' entry only where it takes no row from the lanes (lesson 15 presented at 1280x720
  // would fold its eight threads for it): hovering a chip says what it is anyway.
  if (chips) {
    std::vector<float> with = widths;
    with.insert(with.begin() + static_cast<std::ptrdiff_t>(chip_at), chip_w + s * 0.4f + ImGui::CalcTextSize(chip_text).x);
    chips = legend_rows(with, gap, right_edge - line_start) == legend_rows(widths, gap, right_edge - line_start);
  }
  const auto place = [&](float entry) {
    // Wrap onto a new line when the next entry would not fit.
    same_line_or_wrap(entry, gap, right_edge);
  };
  // Only what these runs show: fewer entries, easier to read from the back of the room.
  for (const LegendEntry& e : legend_entries()) {
    if (!states_seen[static_cast<std::size_t>(e.state)]) continue;
    const float w = s * 1.5f + ImGui::CalcTextSize(e.label.data(), e.label.data() + e.label.size()).x;
    place(w);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    dl->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + s * 1.1f, p.y + s), to_u32(state_colour(e.state)), 2.0f);
    if (e.state == trace::SpanState::WaitingGil) paint_wait_hatch(dl, ImVec2(p.x, p.y + 2), ImVec2(p.x + s * 1.1f, p.y + s));
    dl->AddRect(ImVec2(p.x, p.y + 2), ImVec2(p.x + s * 1.1f, p.y + s), IM_COL32(0, 0, 0, 90), 2.0f);
    ImGui::Dummy(ImVec2(s * 1.3f, s));
    ImGui::SameLine(0, 2);
    ImGui::TextUnformatted(e.label.data(), e.label.data() + e.label.size());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%.*s", static_cast<int>(e.meaning.size()), e.meaning.data());
  }
  // Every glyph the lanes draw (has_glyph), in this order: a ▷ before "handler 1" in lesson 4,
  // a blocked loop, was in none.
  for (const trace::MarkKind kind : kGlyphMarks) {
    const char* label = mark_legend_label(kind);
    if (!label || !marks_seen[static_cast<std::size_t>(kind)]) continue;
    place(s * 1.5f + ImGui::CalcTextSize(label).x);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    paint_mark(dl, kind, p.x + s * 0.6f, LaneBox{p.x, p.y, p.x + s * 1.2f, p.y + s * 1.2f});
    ImGui::Dummy(ImVec2(s * 1.3f, s));
    ImGui::SameLine(0, 2);
    ImGui::TextUnformatted(label);
  }
  if (marks_seen[static_cast<std::size_t>(trace::MarkKind::RacesLost)]) {
    const char* label = races_label;
    place(s * 1.5f + ImGui::CalcTextSize(label).x);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    LostRaces sample;
    sample.ticks = {s * 0.2, s * 0.6, s * 1.0};
    paint_lost_races(dl, sample, LaneBox{p.x, p.y + s * 0.1f, p.x + s * 1.2f, p.y + s * 1.9f});
    ImGui::Dummy(ImVec2(s * 1.3f, s));
    ImGui::SameLine(0, 2);
    ImGui::TextUnformatted(label);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("Old GIL: each time the holder let go, a waiter woke, lost the race to take it back, and "
                        "slept again; a comb holds too many to draw apart, with their count");
    }
  }
  if (unseen_holder) {
    const char* label = unseen_label;
    place(s * 1.5f + ImGui::CalcTextSize(label).x);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    DrawItem sample;
    sample.x1 = s * 1.1f;
    paint_unseen_holder(dl, {sample}, LaneBox{p.x, p.y + 2, p.x + s * 1.1f, p.y + s});
    ImGui::Dummy(ImVec2(s * 1.3f, s));
    ImGui::SameLine(0, 2);
    ImGui::TextUnformatted(label);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("A run recorded in CPython: its GIL is inferred from when each thread ran Python. Where "
                        "threads waited and nobody was seen running, the last holder kept the GIL off its core, or "
                        "a thread woken to take it waited for a core: the recording cannot tell which");
    }
  }
  if (deadlocked) {
    const char* label = deadlocked_label;
    place(s * 1.5f + ImGui::CalcTextSize(label).x);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    paint_deadlocked(dl, p.x, to_u32(state_colour(trace::SpanState::WaitingLock)), LaneBox{p.x, p.y, p.x + s * 1.1f, p.y + s * 1.1f});
    ImGui::Dummy(ImVec2(s * 1.3f, s));
    ImGui::SameLine(0, 2);
    ImGui::TextUnformatted(label);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("A run that ended in a deadlock stops where the cycle closed. Its threads would wait for "
                        "each other forever, each holding the lock the other wants: their lanes and their locks are "
                        "drawn on to the right edge, hatched. Drawing only: the trace ends there");
    }
  }
  place(s * 2.6f + 4 + ImGui::CalcTextSize(gil_text).x);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  paint_token(dl, ImVec2(p.x - 4, p.y + s * 0.55f), s * 1.05f, to_u32(identity_colour(0)), true);
  ImGui::Dummy(ImVec2(s * 2.6f, s));
  ImGui::SameLine(0, 4);
  ImGui::TextUnformatted(gil_text);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("The GIL lane is coloured by the thread that holds the GIL, and hatched red while other "
                      "threads wait for it");
  }
  if (chips) {
    place(chip_w + s * 0.4f + ImGui::CalcTextSize(chip_text).x);
    const ImVec2 q = ImGui::GetCursorScreenPos();
    paint_queue_chip(dl, ImVec2(q.x, q.y), ImVec2(q.x + chip_w, q.y + s * 1.1f), std::uint32_t{1},
                     chip_sample, s * 0.8f);
    ImGui::Dummy(ImVec2(chip_w, s));
    ImGui::SameLine(0, s * 0.4f);
    ImGui::TextUnformatted(chip_text);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("On a GIL lane at the playhead: the threads waiting for that GIL, the longest wait nearest "
                        "the playhead, each with its colour and how long it has waited so far (At the playhead "
                        "lists them all)");
    }
  }
  if (busy_cores) {
    // Presenting, the strips' own caption ("cores busy (of 4)") was too small to read from the
    // back of a room at their height: the legend says it once, at the size of the rest.
    place(entry_width(busy_label));
    const ImVec2 q = ImGui::GetCursorScreenPos();
    dl->AddRectFilled(ImVec2(q.x, q.y + s * 0.45f), ImVec2(q.x + s * 1.1f, q.y + s * 0.75f), IM_COL32(70, 90, 120, 255));
    ImGui::Dummy(ImVec2(s * 1.3f, s));
    ImGui::SameLine(0, 2);
    ImGui::TextUnformatted(busy_label);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("The thin strip under each run's name: how many of its cores are busy, full height when "
                        "every core is");
    }
  }
  return top;
}

bool draw_help_overlay(bool open) {
  if (!open) return false;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowBgAlpha(1.0f);  // opaque: the keys must not mix with the lanes under them
  if (ImGui::Begin("Keys and mouse (F1 or ? to close)", &open,
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
      for (const Shortcut& s : shortcuts()) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushFont(bold_font());
        ImGui::TextUnformatted(s.keys);
        ImGui::PopFont();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(s.action);
      }
      ImGui::EndTable();
    }
  }
  ImGui::End();
  return open;
}

}  // namespace gilsim::viz::ui
