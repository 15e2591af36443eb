// Numbers per run (from trace::compute_metrics, like every other reader): bars for the
// makespan and the core utilisation, then a table with speedup and GIL contention, and when
// runs were measured, predicted against measured makespan with the error.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "sim/real/judgement.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/table_key.hpp"
#include "viz/palette.hpp"
#include "viz/run_caveats.hpp"
#include "viz/text_layout.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::ui {

namespace {

void bar(ImDrawList* dl, ImVec2 at, float width, float height, ImU32 colour, const std::string& label) {
  dl->AddRectFilled(at, ImVec2(at.x + std::max(1.0f, width), at.y + height), colour);
  const ImVec2 size = ImGui::CalcTextSize(label.c_str());
  dl->AddText(ImVec2(at.x + std::max(1.0f, width) + 5, at.y + (height - size.y) * 0.5f), IM_COL32(0, 0, 0, 255),
              label.c_str());
}

/// Predicted and measured makespan per measured run, with the prediction's error, or the
/// cell the command line's table shows instead ("both stopped", "not scored", "off pace*":
/// real::error_cell) and why under the table (the header's flag; a recording's whole reason
/// on hover; a stopped run's sentence as the command line's). Its columns fit the panel, the
/// widest narrowed first and its cells wrapped at spaces (at 1280 wide the error column
/// was cut to "both st"); where not even the longest words fit, it scrolls sideways.
void draw_prediction_table(const AppState& app) {
  const auto& runs = app.session.runs();
  const std::vector<std::array<std::string, 4>> cells = prediction_cells(app);
  const std::array<const char*, 4> headers = {"run", "predicted", "measured", "error"};
  std::vector<float> natural, least;
  for (std::size_t c = 0; c < headers.size(); ++c) {
    natural.push_back(text_width(headers[c]));
    least.push_back(natural.back());
    for (const auto& row : cells) {
      natural[c] = std::max(natural[c], text_width(row[c]));
      // A time ("1.26 ms") stays on one line; a name or a cell of words wraps between them.
      const bool time = c == 1 || c == 2;
      for (const std::string_view word : wrap_at_spaces(row[c], 0.0f, [](std::string_view t) { return text_width(t); })) {
        least[c] = std::max(least[c], time ? text_width(row[c]) : text_width(word));
      }
    }
  }
  // Fixed columns take the cell padding on both sides and a border between them.
  const float padding = ImGui::GetStyle().CellPadding.x * 2 + 2;
  const float room = ImGui::GetContentRegionAvail().x - 2;
  const std::vector<float> widths = shrink_columns(natural, least, room - padding * static_cast<float>(headers.size()));
  std::vector<std::array<std::string, 4>> shown;
  int lines = 1;  // the headers' row
  for (const auto& row : cells) {
    std::array<std::string, 4> wrapped;
    int tallest = 1;
    for (std::size_t c = 0; c < headers.size(); ++c) {
      const auto parts = wrap_at_spaces(row[c], widths[c] + 0.5f, [](std::string_view t) { return text_width(t); });
      for (std::size_t i = 0; i < parts.size(); ++i) wrapped[c].append(i > 0 ? "\n" : "").append(parts[i]);
      tallest = std::max(tallest, static_cast<int>(parts.size()));
    }
    lines += tallest;
    shown.push_back(std::move(wrapped));
  }
  float total = 0;
  for (const float w : widths) total += w + padding;
  ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  ImVec2 outer(0, 0);
  if (total > room) {
    flags |= ImGuiTableFlags_ScrollX;
    const float rows = static_cast<float>(cells.size() + 1);
    outer = ImVec2(room, static_cast<float>(lines) * ImGui::GetTextLineHeight() +
                             rows * (ImGui::GetStyle().CellPadding.y * 2 + 1) + ImGui::GetStyle().ScrollbarSize + 2);
  }
  if (!ImGui::BeginTable("##predicted", static_cast<int>(headers.size()), flags, outer)) return;
  for (std::size_t c = 0; c < headers.size(); ++c) {
    ImGui::TableSetupColumn(headers[c], ImGuiTableColumnFlags_WidthFixed, widths[c]);
  }
  ImGui::TableHeadersRow();
  for (const auto& row : shown) {
    ImGui::TableNextRow();
    for (const std::string& cell : row) {
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(cell.c_str());
    }
  }
  ImGui::EndTable();
  text_disabled_wrapped("error = (predicted - measured) / measured: negative where the run took longer than predicted");
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const auto judged = judge_run(app, r);
    if (!judged) continue;
    const auto caveat = not_scored(app, r);
    std::string note;
    if (judged->stopped != real::Stopped::none) note = real::stopped_note(run_name_in_force(runs[r]), *judged);
    if (caveat && judged->stopped == real::Stopped::none) note = fmt::format("{}: {}", run_name_in_force(runs[r]), *caveat);
    if (note.empty()) continue;
    ImGui::TextWrapped("%s", note.c_str());
    if (app.runs[r].unseen && ImGui::IsItemHovered()) {
      ImGui::SetTooltip("%s", cpython::unseen_note(*app.runs[r].unseen).c_str());
    }
  }
  // Native steps that did other work than the plan's, and time that passed with no job
  // running, as under the command line's table.
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (const auto note = native_caveat(runs[r])) ImGui::TextWrapped("%s", note->c_str());
    if (const auto note = unrecorded_time(app, r)) ImGui::TextWrapped("%s: %s.", run_name_in_force(runs[r]).c_str(), note->c_str());
  }
}

}  // namespace

RunTable run_table(const AppState& app) {
  const auto& runs = app.session.runs();
  RunTable table;
  table.order = stacking_order(runs);
  const std::vector<std::uint32_t>& order = table.order;
  // Speedups compare like with like, as the command line's table: a measured run against the
  // first run measured the same way (trace::speedup_baseline), "-" when that was not measured.
  std::vector<const trace::Trace*> shown_runs;
  for (std::uint32_t r : order) shown_runs.push_back(&runs[r]);
  // A measured run not scored is marked in its own row, and a speed-up dividing by it too,
  // with the lines under the table saying why: by the rule of the run's header and the
  // "Predicted against measured" cell, as gilsim run's table (real::unscored_reason).
  std::vector<std::optional<std::string>> unscored(runs.size());
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].origin == trace::Origin::Measured) unscored[r] = real::unscored_reason(runs[r], judgement_of(app, r));
  }
  const auto speedup_cell = [&](std::size_t shown) -> std::string {
    const trace::Metrics& m = app.runs[order[shown]].metrics;
    const auto baseline = trace::speedup_baseline(shown_runs, shown);
    if (!m.finished() || !baseline) return "-";
    std::string cell = trace::format_speedup(trace::speedup(app.runs[order[*baseline]].metrics, m));
    if (*baseline == shown) return cell;
    const auto& why = unscored[order[*baseline]];
    if (!why) return cell;
    auto& doubtful = table.doubtful_baselines;
    if (std::none_of(doubtful.begin(), doubtful.end(), [&](const auto& d) { return d.first == *baseline; })) {
      doubtful.emplace_back(*baseline, *why);
    }
    return cell + real::kUnscoredBaselineMark;
  };
  for (std::size_t shown = 0; shown < order.size(); ++shown) {
    const std::uint32_t r = order[shown];
    const trace::Metrics& m = app.runs[r].metrics;
    // Lesson 1's pool in CPython read 915 ms, 1.06x, as a figure to teach from, on a busy machine.
    std::string makespan = format_time(m.makespan);
    if (const auto& why = unscored[r]) {
      makespan += real::kUnscoredRunMark;
      table.unscored_runs.push_back(fmt::format("'{}' ({})", run_label(runs[r]), *why));
    }
    table.cells.push_back({run_label(runs[r]), makespan, speedup_cell(shown),
                           fmt::format("{:.0f}%", m.core_utilisation * 100),
                           m.gil_lanes == 0 ? std::string("no GIL") : format_time(m.gil_wait_total),
                           fmt::format("{} ({})", trace::group_digits(m.gil_switches), trace::group_digits(m.drop_requests))});
  }
  return table;
}

std::vector<std::array<std::string, 4>> prediction_cells(const AppState& app) {
  const auto& runs = app.session.runs();
  std::vector<std::array<std::string, 4>> cells;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const auto judged = judge_run(app, r);
    if (!judged) continue;  // not measured, or no prediction
    cells.push_back({run_name_in_force(runs[r]), format_time(app.runs[app.runs[r].predicted_by].metrics.makespan),
                     format_time(app.runs[r].metrics.makespan),
                     real::error_cell(*judged)});
  }
  return cells;
}

void draw_numbers(const AppState& app) {
  const auto& runs = app.session.runs();
  if (runs.empty() || app.runs.size() != runs.size()) return;
  if (app.session.previewing()) {
    // Makespans, speedups, totals and counters need whole runs: none is shown before they are.
    text_disabled_wrapped("simulating... the figures come when every run is simulated to its end; the timeline shows "
                          "the runs as far as they are simulated");
    return;
  }
  const RunTable table = run_table(app);
  const std::vector<std::uint32_t>& order = table.order;
  // A run that did not finish (a deadlock) has no time to finish: no bar, which would read as
  // the shortest, the best; its line says where it stopped instead.
  Time longest = Time{1};
  for (const RunIndex& r : app.runs) {
    if (r.metrics.finished()) longest = max(longest, r.metrics.makespan);
  }

  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float f = ImGui::GetFontSize();
  // The names' column: as wide as the longest name, up to a third of the panel; a longer
  // name ends in "…" (whole in its tooltip) rather than run under its bar.
  float names = 0;
  for (std::uint32_t r : order) {
    if (runs[r].origin != trace::Origin::Measured) names = std::max(names, text_width(run_name_in_force(runs[r])));
  }
  const float name_w = std::min(names + f * 0.6f, ImGui::GetContentRegionAvail().x * 0.35f);
  const ImU32 makespan_colour = to_u32(Rgba{0, 114, 178});
  const ImU32 measured_colour = to_u32(Rgba{213, 94, 0});
  const ImU32 busy_colour = to_u32(state_colour(trace::SpanState::Running));
  // Room after the longest bar for the longest label, so "99% of cores busy" is never cut.
  float label_w = f * 5;
  for (const RunIndex& index : app.runs) {
    label_w = std::max({label_w, ImGui::CalcTextSize(format_time(index.metrics.makespan).c_str()).x + 8,
                        ImGui::CalcTextSize(fmt::format("{:.0f}% of cores busy", index.metrics.core_utilisation * 100).c_str()).x + 8});
  }
  for (std::uint32_t r : order) {
    const trace::Metrics& m = app.runs[r].metrics;
    const bool measured = runs[r].origin == trace::Origin::Measured;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float avail = std::max(10.0f, ImGui::GetContentRegionAvail().x - name_w - label_w);
    // A measured run not scored (a busy machine) says so on its bar's line, as the command
    // line's table marks its row: its time is not one to teach from.
    const bool unscored = real::unscored_reason(runs[r], judgement_of(app, r)).has_value();
    const std::string name = measured ? std::string(unscored ? "  measured, not scored" : "  measured")
                                      : run_name_in_force(runs[r]);
    // A long name wraps on as many lines as it takes, the second beside the cores-busy bar:
    // cut, "pool of 4 (now 2 workers)" read "pool of 4 (now 2 wo…" at 1280 wide, the value in
    // force lost, and names that differ at their ends read alike ("Pool.map..." in lesson 10).
    const float name_room = name_w - f * 0.3f;
    const std::vector<std::string_view> shown = text_width(name) <= name_room
                                                    ? std::vector<std::string_view>{name}
                                                    : wrap_breaking_words(name, name_room, text_width);
    const ImU32 name_colour = ImGui::GetColorU32(measured ? ImGuiCol_TextDisabled : ImGuiCol_Text);
    const float line = ImGui::GetTextLineHeight();
    for (std::size_t i = 0; i < shown.size(); ++i) {
      dl->AddText(ImVec2(p.x, p.y + line * static_cast<float>(i)), name_colour, shown[i].data(), shown[i].data() + shown[i].size());
    }
    if (m.finished()) {
      bar(dl, ImVec2(p.x + name_w, p.y + 1), avail * static_cast<float>(m.makespan.ns()) / static_cast<float>(longest.ns()),
          line - 2, measured ? measured_colour : makespan_colour, format_time(m.makespan));
    } else {
      // "deadlocked at 1.08 ms" (or "stopped at"), or the first word alone where that is too wide.
      const char* what = trace::ended_in_deadlock(runs[r]) ? "deadlocked" : "stopped";
      std::string said = fmt::format("{} at {}", what, format_time(m.makespan));
      if (text_width(said) > avail + label_w) said = what;
      dl->AddText(ImVec2(p.x + name_w, p.y), IM_COL32(170, 20, 0, 255), said.c_str());
    }
    bar(dl, ImVec2(p.x + name_w, p.y + line + 1), avail * static_cast<float>(m.core_utilisation), line * 0.5f,
        busy_colour, fmt::format("{:.0f}% of cores busy", m.core_utilisation * 100));
    // The bars take a line and a half; a name of three lines or more, its lines.
    ImGui::Dummy(ImVec2(1, std::max(line * 1.55f, line * static_cast<float>(shown.size())) + ImGui::GetStyle().ItemSpacing.y));
    ImGui::Spacing();
  }
  const bool any_unfinished =
      std::any_of(app.runs.begin(), app.runs.end(), [](const RunIndex& r) { return !r.metrics.finished(); });
  text_disabled_wrapped(any_unfinished ? "bars: time to finish (shorter is better; a run that did not finish has no "
                                         "bar), share of core time used"
                                       : "bars: time to finish (shorter is better), share of core time used");
  // The cells first, so the table can fit the panel: headers on two lines when one line
  // each would cut the last column, and then as many columns as fit, the rest in a tooltip
  // on each row (a 1600 screen's side panel at scale 1 holds four).
  // The command line's columns and names (gilsim run's table), so the two read alike.
  const std::vector<std::string> headers = {"run", "makespan", "speedup", "cores busy", "GIL wait", "switches (drop requests)"};
  const std::vector<std::array<std::string, 6>>& cells = table.cells;
  std::vector<float> cell_widths(headers.size(), 0.0f);
  for (const auto& row : cells) {
    for (std::size_t c = 0; c < row.size(); ++c) cell_widths[c] = std::max(cell_widths[c], text_width(row[c]));
  }
  // ImGui's fixed-fit columns take the cell padding on both sides and a border between them.
  const float padding = ImGui::GetStyle().CellPadding.x * 2 + 2;
  const TableFit fit = fit_table(headers, cell_widths, ImGui::GetContentRegionAvail().x - 2, padding, text_width);
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("##numbers", static_cast<int>(fit.shown), flags)) {
    for (const std::string& h : fit.headers) ImGui::TableSetupColumn(h.c_str());
    ImGui::TableHeadersRow();
    for (const auto& row : cells) {
      ImGui::TableNextRow();
      for (std::size_t c = 0; c < fit.shown; ++c) {
        ImGui::TableNextColumn();
        if (c > 0 || fit.shown == headers.size()) {
          ImGui::TextUnformatted(row[c].c_str());
          continue;
        }
        // The columns left out, on hovering the row.
        ImGui::Selectable(row[c].c_str(), false, ImGuiSelectableFlags_SpanAllColumns);
        if (ImGui::IsItemHovered()) {
          ImGui::BeginTooltip();
          for (std::size_t h = fit.shown; h < headers.size(); ++h) {
            ImGui::Text("%s: %s", headers[h].c_str(), row[h].c_str());
          }
          ImGui::EndTooltip();
        }
      }
    }
    ImGui::EndTable();
  }
  if (fit.shown < headers.size()) {
    std::string more;
    for (std::size_t h = fit.shown; h < headers.size(); ++h) more += (more.empty() ? "" : ", ") + headers[h];
    text_disabled_wrapped(fmt::format("hover a row for its {}", more));
  }
  bool any_prediction = false;
  for (const RunIndex& index : app.runs) any_prediction |= index.predicted_by != trace::kNone;
  // Named as its row is ("pool (2 workers)" once fitted to this machine), as gilsim run names it.
  text_disabled_wrapped(trace::table_key(run_label(runs[order.front()]), any_prediction));  // gilsim run's words too
  for (const auto& [baseline, why] : table.doubtful_baselines) {
    ImGui::TextWrapped("%s", real::unscored_baseline_line(run_label(runs[order[baseline]]), why).c_str());
  }
  if (!table.unscored_runs.empty()) {
    ImGui::TextWrapped("%s", real::unscored_runs_line(table.unscored_runs, "the run's header says why").c_str());
  }
  // Shared counters against the updates made, and a deadlock's cycle (outcomes.hpp).
  for (std::uint32_t r : order) {
    for (const std::string& line : app.runs[r].outcomes) {
      ImGui::TextWrapped("%s: %s", run_label(runs[r]).c_str(), line.c_str());
    }
  }
  if (any_prediction) {
    ImGui::Spacing();
    ImGui::TextUnformatted("Predicted against measured");
    draw_prediction_table(app);
  }
}

}  // namespace gilsim::viz::ui
