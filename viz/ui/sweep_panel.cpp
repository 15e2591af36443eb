// The sweep panel: a --vary and an optional second one, seeds, Run/Cancel and progress,
// then the chart (viz/sweep_chart.hpp) painted with the draw list: a line per run, error
// bars over seeds, small multiples for the second key. Hover says the figures; a click
// opens that grid point's timelines by setting the knobs. Also "sweep this knob" buttons.
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <imgui.h>
#include <imgui_stdlib.h>

#include "sim/sweep/sweep_metric.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/table_key.hpp"
#include "viz/sweep_chart.hpp"
#include "viz/text_layout.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::ui {

namespace {

void draw_controls(SweepView& v, const Session& session) {
  const float f = ImGui::GetFontSize();
  const ImGuiStyle& style = ImGui::GetStyle();
  // Each field with its word, and each button, moves to the next line rather than be cut.
  const auto button_w = [&](const char* label) { return text_width(label) + style.FramePadding.x * 2; };
  ImGui::TextUnformatted("vary");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(f * 12);
  bool enter = ImGui::InputText("##vary", &v.vary, ImGuiInputTextFlags_EnterReturnsTrue);
  same_line_or_wrap(text_width("and") + style.ItemSpacing.x + f * 8);
  ImGui::TextUnformatted("and");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(f * 8);
  enter |= ImGui::InputTextWithHint("##also", "cores=2,4", &v.vary_also, ImGuiInputTextFlags_EnterReturnsTrue);
  same_line_or_wrap(f * 5 + style.ItemInnerSpacing.x + text_width("seeds"));
  ImGui::SetNextItemWidth(f * 5);
  ImGui::InputInt("seeds", &v.seeds);
  v.seeds = std::clamp(v.seeds, 1, 50);
  // What the chart plots: the speed-up, the GIL wait (lesson 7's convoy against the interval)
  // or, where the scenario has counters (lesson 15), the lost updates. Every run's figures hold
  // them all, so a change redraws the shown sweep.
  const bool counters = !session.scenario().counters.empty();
  if (!counters && v.metric == sweep::Metric::LostUpdates) v.metric = sweep::Metric::Speedup;
  // As wide as the widest choice offered: the row keeps "Run sweep" on it at 1280 wide.
  const float combo_w = text_width(counters ? "lost updates" : "speed-up") + ImGui::GetFrameHeight() +
                        style.FramePadding.x * 2;
  same_line_or_wrap(text_width("plot") + style.ItemSpacing.x + combo_w);
  ImGui::TextUnformatted("plot");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(combo_w);
  if (ImGui::BeginCombo("##metric", sweep::metric_axis_title(v.metric).c_str())) {
    for (const sweep::Metric m : {sweep::Metric::Speedup, sweep::Metric::GilWait, sweep::Metric::LostUpdates}) {
      if (m == sweep::Metric::LostUpdates && !counters) continue;
      if (ImGui::Selectable(sweep::metric_axis_title(m).c_str(), v.metric == m)) v.metric = m;
    }
    ImGui::EndCombo();
  }
  if (v.shown && (v.metric != sweep::Metric::LostUpdates || v.shown->plan.has_counters)) v.shown->plan.metric = v.metric;
  if (v.runner.running()) {
    const auto [done, total] = v.runner.progress();
    same_line_or_wrap(button_w("Cancel") + style.ItemSpacing.x + f * 10);
    if (ImGui::Button("Cancel")) v.runner.cancel();
    ImGui::SameLine();
    ImGui::ProgressBar(total == 0 ? 0.0f : static_cast<float>(done) / static_cast<float>(total), ImVec2(f * 10, 0),
                       fmt::format("{}/{}", trace::group_digits(static_cast<std::int64_t>(done)),
                                   trace::group_digits(static_cast<std::int64_t>(total))).c_str());
  } else {
    same_line_or_wrap(button_w("Run sweep"));
    if (ImGui::Button("Run sweep") || enter) start_sweep(v, session);
  }
  same_line_or_wrap(button_w("Close"));
  if (ImGui::Button("Close")) v.visible = false;
  if (!v.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.0f, 1.0f));
    ImGui::TextWrapped("%s", v.error.c_str());
    ImGui::PopStyleColor();
  }
}

/// Run k's marker: a circle, a square, a triangle or a diamond, so that a run under another
/// one's line still shows at its points (threads under asyncio in lesson 21).
/// `hollow`: white inside its outline, for a point whose seeds disagree (its mean may be no
/// seed's figure), with a '!' beside it as the text chart draws one.
void paint_marker(ImDrawList* dl, ImVec2 at, float r, std::size_t run, ImU32 colour, bool hollow = false) {
  if (hollow) {
    const ImU32 white = IM_COL32(255, 255, 255, 255);
    const float a = r * 1.3f, d = r * 1.6f;
    switch (run % 4) {
      case 0:
        dl->AddCircleFilled(at, r * 1.2f, white);
        dl->AddCircle(at, r * 1.2f, colour, 0, 2.0f);
        break;
      case 1:
        dl->AddRectFilled(ImVec2(at.x - a, at.y - a), ImVec2(at.x + a, at.y + a), white);
        dl->AddRect(ImVec2(at.x - a, at.y - a), ImVec2(at.x + a, at.y + a), colour, 0.0f, 0, 2.0f);
        break;
      case 2:
        dl->AddTriangleFilled(ImVec2(at.x, at.y - r * 1.5f), ImVec2(at.x + r * 1.4f, at.y + r), ImVec2(at.x - r * 1.4f, at.y + r), white);
        dl->AddTriangle(ImVec2(at.x, at.y - r * 1.5f), ImVec2(at.x + r * 1.4f, at.y + r), ImVec2(at.x - r * 1.4f, at.y + r), colour, 2.0f);
        break;
      default:
        dl->AddQuadFilled(ImVec2(at.x, at.y - d), ImVec2(at.x + d, at.y), ImVec2(at.x, at.y + d), ImVec2(at.x - d, at.y), white);
        dl->AddQuad(ImVec2(at.x, at.y - d), ImVec2(at.x + d, at.y), ImVec2(at.x, at.y + d), ImVec2(at.x - d, at.y), colour, 2.0f);
        break;
    }
    ImGui::PushFont(bold_font());
    const ImVec2 size = ImGui::CalcTextSize("!");
    dl->AddText(ImVec2(at.x + r * 1.9f, at.y - size.y * 0.6f), colour, "!");
    ImGui::PopFont();
    return;
  }
  switch (run % 4) {
    case 0: dl->AddCircleFilled(at, r, colour); break;
    case 1: dl->AddRectFilled(ImVec2(at.x - r * 1.3f, at.y - r * 1.3f), ImVec2(at.x + r * 1.3f, at.y + r * 1.3f), colour); break;
    case 2: dl->AddTriangle(ImVec2(at.x, at.y - r * 1.5f), ImVec2(at.x + r * 1.4f, at.y + r), ImVec2(at.x - r * 1.4f, at.y + r), colour, 2.0f); break;
    default: dl->AddQuad(ImVec2(at.x, at.y - r * 1.6f), ImVec2(at.x + r * 1.6f, at.y), ImVec2(at.x, at.y + r * 1.6f), ImVec2(at.x - r * 1.6f, at.y), colour, 2.0f); break;
  }
}

/// A point with no speed-up (the run did not finish there): an 'x' on the x axis.
void paint_unfinished(ImDrawList* dl, ImVec2 at, float r, ImU32 colour) {
  const float a = r * 1.6f;
  dl->AddLine(ImVec2(at.x - a, at.y - a), ImVec2(at.x + a, at.y + a), colour, 3.0f);
  dl->AddLine(ImVec2(at.x - a, at.y + a), ImVec2(at.x + a, at.y - a), colour, 3.0f);
}

void paint_plot(ImDrawList* dl, const SweepChart& chart, const SweepPlot& plot, const std::optional<SweepMarker>& hover) {
  const ImU32 grid = IM_COL32(220, 220, 220, 255), ink = IM_COL32(60, 60, 60, 255);
  dl->AddRectFilled(ImVec2(plot.left, plot.top), ImVec2(plot.right, plot.bottom), IM_COL32(255, 255, 255, 255));
  if (plot.shown_x) {
    // The value the timeline above shows: a dashed line under the curves, named after them.
    const float x = *plot.shown_x;
    for (float y = plot.top; y < plot.bottom; y += 8) {
      dl->AddLine(ImVec2(x, y), ImVec2(x, std::min(y + 4, plot.bottom)), IM_COL32(120, 120, 120, 255), 1.5f);
    }
  }
  for (const SweepTick& t : plot.y_ticks) {
    dl->AddLine(ImVec2(plot.left, t.at), ImVec2(plot.right, t.at), grid);
    const ImVec2 size = ImGui::CalcTextSize(t.label.c_str());
    dl->AddText(ImVec2(plot.left - size.x - 4, t.at - size.y / 2), ink, t.label.c_str());
  }
  for (const SweepTick& t : plot.x_ticks) {
    dl->AddLine(ImVec2(t.at, plot.bottom), ImVec2(t.at, plot.bottom + 4), ink);
    const ImVec2 size = ImGui::CalcTextSize(t.label.c_str());
    dl->AddText(ImVec2(t.label_at - size.x / 2, plot.bottom + 4 + static_cast<float>(t.row) * ImGui::GetTextLineHeight()), ink,
                t.label.c_str());
  }
  dl->AddRect(ImVec2(plot.left, plot.top), ImVec2(plot.right, plot.bottom), IM_COL32(150, 150, 150, 255));
  if (!plot.title.empty()) {
    ImGui::PushFont(bold_font());
    dl->AddText(ImVec2(plot.title_left, plot.title_top), ink, plot.title.c_str());
    ImGui::PopFont();
  }
  // The plot's own highest point, said beside or under its title in its run's colour.
  if (plot.peak && !plot.peak_text.empty()) {
    dl->AddText(ImVec2(plot.peak_left, plot.peak_top), to_u32(identity_colour(static_cast<std::uint32_t>(plot.peak->first))),
                plot.peak_text.c_str());
  }
  // Markers no wider than about half the room between two values: sixteen workers in a small
  // multiple 120 px wide drew one band of overlapping squares.
  float r = std::max(2.5f, ImGui::GetFontSize() * 0.22f);
  if (!plot.lines.empty() && plot.lines.front().size() > 1) {
    const float spacing = (plot.right - plot.left) / static_cast<float>(plot.lines.front().size() - 1);
    r = std::clamp(spacing * 0.25f, 1.5f, r);
  }
  for (std::size_t run = 0; run < plot.lines.size(); ++run) {
    const ImU32 colour = to_u32(identity_colour(static_cast<std::uint32_t>(run)));
    const auto& line = plot.lines[run];
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      if (!line[i].finished || !line[i + 1].finished) continue;  // a gap where a run did not finish
      dl->AddLine(ImVec2(line[i].x, line[i].y), ImVec2(line[i + 1].x, line[i + 1].y), colour, 2.0f);
    }
    for (const SweepMarker& m : line) {
      if (!m.finished) {
        paint_unfinished(dl, ImVec2(m.x, m.y), r, colour);
        continue;
      }
      if (chart.error_bars && m.y_low - m.y_high > 1.0f) {
        dl->AddLine(ImVec2(m.x, m.y_low), ImVec2(m.x, m.y_high), colour, 1.5f);
        dl->AddLine(ImVec2(m.x - r, m.y_low), ImVec2(m.x + r, m.y_low), colour, 1.5f);
        dl->AddLine(ImVec2(m.x - r, m.y_high), ImVec2(m.x + r, m.y_high), colour, 1.5f);
      }
      paint_marker(dl, ImVec2(m.x, m.y), r, run, colour, m.seeds_disagree);
    }
  }
  // The values at each line's highest point and ends, in its colour, on white over the grid.
  for (const SweepValueLabel& v : plot.values) {
    dl->AddRectFilled(ImVec2(v.left - 1, v.top), ImVec2(v.right + 1, v.bottom), IM_COL32(255, 255, 255, 220));
    dl->AddText(ImVec2(v.left, v.top), to_u32(identity_colour(static_cast<std::uint32_t>(v.run))), v.text.c_str());
  }
  if (plot.shown_x) {  // its name over the curves, on white: at the top or the bottom, clear of every point
    const ImVec2 size = ImGui::CalcTextSize(chart.shown_text.c_str());
    const float lx = std::clamp(*plot.shown_x + 4, plot.left + 2, plot.right - size.x - 2);
    const auto clear = [&](float top) {
      return std::none_of(plot.lines.begin(), plot.lines.end(), [&](const auto& line) {
        return std::any_of(line.begin(), line.end(), [&](const SweepMarker& m) {
          return m.x + r * 2 > lx && m.x - r * 2 < lx + size.x && m.y + r * 2 > top && m.y - r * 2 < top + size.y;
        });
      });
    };
    const float ly = clear(plot.top + 2) ? plot.top + 2 : plot.bottom - size.y - 2;
    dl->AddRectFilled(ImVec2(lx - 2, ly), ImVec2(lx + size.x + 2, ly + size.y), IM_COL32(255, 255, 255, 220));
    dl->AddText(ImVec2(lx, ly), IM_COL32(90, 90, 90, 255), chart.shown_text.c_str());
  }
  if (plot.peak && plot.peak->first < plot.lines.size() && plot.peak->second < plot.lines[plot.peak->first].size()) {
    // The point the peak's words name, ringed in its colour.
    const SweepMarker& m = plot.lines[plot.peak->first][plot.peak->second];
    dl->AddCircle(ImVec2(m.x, m.y), r * 2.4f, to_u32(identity_colour(static_cast<std::uint32_t>(m.run))), 0, 1.5f);
  }
  if (hover) dl->AddCircle(ImVec2(hover->x, hover->y), r * 2.2f, ink, 0, 2.0f);
}

/// The chart of `shown`; a click on a point returns the knobs that open it.
std::optional<Knobs> draw_chart(const SweepOutcome& shown, const Session& session, bool& too_small,
                                std::optional<SweepChartSize>& laid_out) {
  const Knobs& in_force = session.knobs();
  const sweep::SweepPlan& plan = shown.plan;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // The legend: one swatch per run, in the lines' colours.
  // Each entry and the caption go on to the next line where they would not fit.
  // Laid out first: the legend names a run the chart hides (under another's line) or cannot draw.
  const float h = ImGui::GetTextLineHeight();
  std::vector<std::string> shown_notes = sweep_run_notes(plan, *shown.result);
  // A run that runs as another at every point: the sentence under the legend says so for all
  // of them, and "(under Pool(8): within 2% of the axis at every point)" beside each took a second legend line.
  for (const auto& repeated : plan.repeated_runs) {
    for (std::size_t run = 0; run < plan.run_names.size() && run < shown_notes.size(); ++run) {
      if ((plan.run_names[run] == repeated.run || plan.run_names[run] == repeated.same_as) &&
          shown_notes[run].ends_with(": within 2% of the axis at every point")) {
        shown_notes[run].clear();
      }
    }
  }
  const float r = std::max(2.5f, ImGui::GetFontSize() * 0.22f);
  // Each run named as the timeline names it, with the value in force the knobs kept.
  const std::vector<std::string>& names = shown.run_labels.size() == plan.run_names.size() ? shown.run_labels : plan.run_names;
  for (std::size_t run = 0; run < names.size(); ++run) {
    const std::string& note = run < shown_notes.size() ? shown_notes[run] : std::string();
    const std::string name = note.empty() ? names[run] : fmt::format("{} ({})", names[run], note);
    if (run > 0) same_line_or_wrap(h * 1.6f + text_width(name), ImGui::GetFontSize());
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const ImU32 colour = to_u32(identity_colour(static_cast<std::uint32_t>(run)));
    dl->AddLine(ImVec2(p.x, p.y + h * 0.5f), ImVec2(p.x + h * 1.4f, p.y + h * 0.5f), colour, 2.0f);
    paint_marker(dl, ImVec2(p.x + h * 0.7f, p.y + h * 0.5f), r, run, colour);
    ImGui::Dummy(ImVec2(h * 1.6f, h));
    ImGui::SameLine(0, 0);
    ImGui::TextUnformatted(names[run].c_str());
    if (!note.empty()) {
      ImGui::SameLine(0, 0);
      ImGui::TextDisabled(" (%s)", note.c_str());
    }
  }

  // Why curves lie on each other, as `gilsim sweep` says it: lesson 9 swept over workers drew
  // Pool(2), Pool(), Pool(8) and Pool(16) flat at 1.00x under names the sweep had made untrue.
  // One line each, cut with "…" where it is longer (whole on hover), so that the chart keeps
  // its room: presented at 1280x720, lesson 9's sentence on two lines left none for it.
  for (const std::string& why : sweep::alike_runs_notes(plan)) {
    const std::string line = elide(why, ImGui::GetContentRegionAvail().x, [](std::string_view t) {
      return ImGui::CalcTextSize(t.data(), t.data() + t.size()).x;
    });
    ImGui::TextDisabled("%s", line.c_str());
    if (line != why && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", why.c_str());
  }
  const std::string caption = fmt::format(
      "{}{}; click a point to open its timelines",
      plan.metric == sweep::Metric::LostUpdates ? "lost updates: the updates made less the counters' final values"
      : plan.metric == sweep::Metric::GilWait   ? std::string(trace::kGilWaitKey)
                                                : fmt::format("speed-up against {}", plan.baseline),
      plan.seeds > 1 ? fmt::format(", mean ± sd over {} seeds", plan.seeds) : std::string());
  // Points whose seeds disagree are drawn hollow with a '!': their mean may be no seed's
  // figure (lesson 15 at 1.6 ms: four seeds 0.0062x, one 0.96x, drawn at 0.20x). Said only
  // where some point is, and what it means, as the text chart's line under its legend.
  bool disagree = false;
  for (std::size_t point = 0; point < plan.points() && plan.seeds > 1 && !disagree; ++point) {
    for (std::size_t run = 0; run < plan.runs.size() && !disagree; ++run) {
      const sweep::Spread s = sweep::metric_of(sweep::summarise(*shown.result, point, run), plan.metric);
      disagree = std::isfinite(s.mean) && s.seeds_disagree();
    }
  }
  same_line_or_wrap(text_width(caption), ImGui::GetFontSize() * 2);
  text_disabled_wrapped(caption);
  if (disagree) {
    const std::string why = "the seeds disagree there: the point, their mean, may be no seed's figure; the bar "
                            "spans their range";
    // Its marker, as drawn on the plot, then the sentence.
    const ImVec2 p = ImGui::GetCursorScreenPos();
    paint_marker(dl, ImVec2(p.x + h * 0.5f, p.y + h * 0.5f), r, 0, IM_COL32(90, 90, 90, 255), true);
    ImGui::Dummy(ImVec2(h * 1.6f, h));
    ImGui::SameLine(0, 0);
    text_disabled_wrapped(why);
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (avail.x < 50 || avail.y < 50) {
    too_small = true;
    return std::nullopt;
  }
  ImGui::InvisibleButton("##sweep_chart", avail);
  const float line = ImGui::GetTextLineHeight();
  laid_out = SweepChartSize{origin.x, origin.y, avail.x, avail.y - line * 1.2f, line, ImGui::CalcTextSize("0").x,
                            [](std::string_view t) { return ImGui::CalcTextSize(t.data(), t.data() + t.size()).x; }};
  const SweepChart chart =
      layout_sweep_chart(plan, *shown.result, *laid_out, shown_position(plan.axes.front(), session.scenario()));
  too_small = chart.too_small;
  if (chart.too_small) {
    dl->AddText(ImVec2(origin.x, origin.y), IM_COL32(60, 60, 60, 255),
                "Too little room for the chart: make the window taller, or the scale smaller");
    return std::nullopt;
  }
  std::optional<SweepMarker> hover;
  if (ImGui::IsItemHovered()) {
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    hover = hit_sweep_marker(chart, mouse.x, mouse.y, line);
  }
  for (const SweepPlot& plot : chart.plots) paint_plot(dl, chart, plot, hover);
  const ImVec2 label = ImGui::CalcTextSize(chart.x_label.c_str());
  dl->AddText(ImVec2(origin.x + (avail.x - label.x) / 2, origin.y + avail.y - line * 1.1f), IM_COL32(60, 60, 60, 255),
              chart.x_label.c_str());
  if (hover) {
    const std::string where = plan.point_text(hover->point);
    ImGui::BeginTooltip();
    ImGui::Text("%s at %s", names[hover->run].c_str(), where.c_str());
    if (!hover->finished) {
      ImGui::Text("%s: no time to finish, no speed-up", hover->unfinished.c_str());
    } else {
      // "speed-up 1.94x", "GIL wait 537 ms", "lost updates 26,441", as the chart's labels write
      // them, with "± ... over 5 seeds".
      const std::string spread = plan.seeds > 1 ? fmt::format(" ± {} over {} seeds",
                                                              sweep::metric_value_text(plan.metric, hover->deviation),
                                                              plan.seeds)
                                                : std::string();
      ImGui::Text("%s %s%s", sweep::metric_axis_title(plan.metric).c_str(),
                  sweep::metric_value_text(plan.metric, hover->value).c_str(), spread.c_str());
    }
    if (hover->seeds_disagree) {
      ImGui::Text("the seeds disagree: %s to %s (the bar spans them)",
                  sweep::metric_value_text(plan.metric, hover->low).c_str(),
                  sweep::metric_value_text(plan.metric, hover->high).c_str());
    }
    ImGui::TextDisabled("click: open this point's timelines");
    ImGui::EndTooltip();
    if (ImGui::IsItemClicked()) return knobs_at(plan, hover->point, in_force);
  }
  return std::nullopt;
}

}  // namespace

void start_sweep(SweepView& sweep, const Session& session) {
  sweep.visible = true;
  sweep.error.clear();
  try {
    sweep.runner.start(plan_sweep(session.file().string(), session.knobs(), sweep));
  } catch (const std::exception& e) {
    sweep.error = e.what();
  }
}

std::optional<Knobs> draw_sweep_panel(SweepView& sweep, const Session& session) {
  if (auto finished = sweep.runner.take_finished()) {
    if (finished->result) {
      sweep.shown = std::move(finished);
    } else {
      sweep.error = finished->error;
    }
  }
  draw_controls(sweep, session);
  sweep.chart_too_small = false;
  sweep.chart_size.reset();
  if (sweep.shown) return draw_chart(*sweep.shown, session, sweep.chart_too_small, sweep.chart_size);
  if (!sweep.runner.running()) {
    text_disabled_wrapped("Give a key and its values as gilsim sweep's --vary takes them (docs/sweeps.md), then Run.");
  }
  return std::nullopt;
}

void draw_sweep_knob_buttons(SweepView& sweep, const Session& session) {
  ImGui::TextUnformatted("Sweep this knob:");
  for (const char* knob : {"cores", "switch_interval", "workers", "jobs"}) {
    same_line_or_wrap(ImGui::CalcTextSize(knob).x + ImGui::GetStyle().FramePadding.x * 2);
    if (ImGui::SmallButton(knob)) {
      sweep.vary = fmt::format("{}={}", knob, default_sweep_values(knob, session.scenario()));
      sweep.vary_also.clear();
      start_sweep(sweep, session);
    }
  }
}

}  // namespace gilsim::viz::ui
