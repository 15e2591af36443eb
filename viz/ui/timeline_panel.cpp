// The timeline: which runs are collapsed (fit, focus, the user's clicks), the axis, the row
// items, and what is drawn over them (hand-off links, the GIL queue, the playhead, the lock
// tokens). Input on the lanes is in timeline_input.cpp.
#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "sim/trace/outcomes.hpp"
#include "viz/hit_test.hpp"
#include "viz/link_candidates.hpp"
#include "viz/palette.hpp"
#include "viz/measuring.hpp"
#include "viz/run_caveats.hpp"
#include "viz/text_layout.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/theme.hpp"
#include "viz/ui/timeline_input.hpp"
#include "viz/ui/timeline_painter.hpp"
#include "viz/ui/timeline_rows.hpp"

namespace gilsim::viz::ui {

using trace::LaneKind;

namespace {

/// Per run, lane -> row index in the layout (or -1 when hidden): where a GIL holder's token goes.
std::vector<std::vector<int>> rows_by_lane(const TimelineLayout& layout, const std::vector<trace::Trace>& runs) {
  std::vector<std::vector<int>> out(runs.size());
  for (std::size_t r = 0; r < runs.size(); ++r) out[r].assign(runs[r].lanes.size(), -1);
  for (std::size_t i = 0; i < layout.rows.size(); ++i) {
    const Row& row = layout.rows[i];
    if (row.lane != trace::kNone) out[row.run][row.lane] = static_cast<int>(i);
  }
  return out;
}

/// How tightly rows are packed: as designed, compact when a fit needs the room, tight when
/// even compact rows leave the most telling run collapsed (text shrinks to the row), tightest
/// when tight rows open no run at all.
enum class RowSize { Normal, Compact, Tight, Tightest };

void size_rows(LayoutOptions& o, float font, float scale, RowSize size, bool presenting) {
  const float k[4][5] = {{1.35f, 0.95f, 1.6f, 0.75f, 6.0f},
                         {1.12f, 0.7f, 1.3f, 0.6f, 3.0f},
                         {0.95f, 0.6f, 1.12f, 0.5f, 2.0f},
                         {0.8f, 0.5f, 1.0f, 0.45f, 1.0f}};
  const float* f = k[static_cast<int>(size)];
  o.lane_height = std::round(font * f[0]);
  o.core_height = std::round(font * f[1]);
  o.header_height = std::round(font * f[2]);
  o.strip_height = std::round(font * f[3]);
  o.gap = std::round(f[4] * scale);
  // Presenting, a core row is tall enough for its label ("core 0") at the size of a thread's:
  // at compact rows, 0.7 of the body text was too small for the back of a room.
  if (presenting) o.core_height = std::max(o.core_height, std::min(o.lane_height, std::round(font * 0.95f)));
}

}  // namespace

float tightest_run_line(float font, float scale, bool presenting) {
  LayoutOptions o;
  size_rows(o, font, scale, RowSize::Tightest, presenting);
  return collapsed_run_height(o);
}

namespace {

/// The folding this frame: focus, else the fit, else what the user left.
LayoutOptions choose_layout(AppState& app, float height) {
  LayoutOptions o = app.layout;
  const float font = ImGui::GetFontSize();
  size_rows(o, font, app.ui_scale, RowSize::Normal, app.presentation);
  const auto& runs = app.session.runs();
  std::vector<std::vector<LaneGroup>> groups;
  for (const RunIndex& r : app.runs) groups.push_back(r.groups);
  o.summary_lanes.clear();
  for (const RunIndex& r : app.runs) o.summary_lanes.push_back(r.summary_lane);
  o.folding = app.folding;
  if (app.focus && *app.focus < runs.size()) {
    o.folding = focus_run(runs.size(), *app.focus, app.folding);
  } else if (!app.fit_runs) {
    // As the user left them; lanes folded for being many show where every row has room.
    o.folding = open_groups_that_fit(runs, groups, o, o.folding, height, fit_priorities(app));
  } else {
    const std::vector<double> interest = fit_priorities(app);
    // The rows the lesson is about before the core lanes and the other runs: the most telling
    // run's threads, tasks or worker processes folded for being many, each on its row, at
    // compact, tight or the tightest rows (thin rows rather than hidden ones), the other runs
    // fitted around it (fit_runs keeps a group shown as asked, and brings the core lanes back
    // last). Lesson 2 presented at 1920x1080 showed every run's cores and its ten threads as
    // "+ 10 threads"; at 1280x720 its ten threads, and lesson 15's eight, stayed folded for want
    // of the tightest rows (336 px of the 352 there).
    const std::uint32_t most = most_telling(interest);
    const auto folded_groups = [&](const std::vector<RunFolding>& folding) {
      std::size_t n = 0;
      for (std::size_t g = 0; most < groups.size() && g < groups[most].size(); ++g) {
        n += most < folding.size() && folding[most].group_folded(g, groups[most][g]);
      }
      return n;
    };
    const auto measurement_shut = [&](const std::vector<RunFolding>& folding) {
      for (std::uint32_t m = 0; m < runs.size() && m < folding.size(); ++m) {
        if (runs[m].origin == trace::Origin::Measured && runs[most].origin == trace::Origin::Simulated &&
            runs[m].run_name == runs[most].run_name && folding[m].collapsed) {
          return true;
        }
      }
      return false;
    };
    // Not where it leaves the measurement beside the prediction on one line: a class compares the two.
    const auto lesson_rows_shown = [&](const LayoutOptions& from) -> std::optional<LayoutOptions> {
      if (most >= groups.size() || folded_groups(from.folding) == 0) return std::nullopt;
      for (RowSize size : {RowSize::Compact, RowSize::Tight, RowSize::Tightest}) {
        LayoutOptions shown = from;
        size_rows(shown, font, app.ui_scale, size, app.presentation);
        shown.folding = app.folding;
        shown.folding.resize(runs.size());
        for (std::size_t g = 0; g < groups[most].size(); ++g) {
          if (shown.folding[most].shown(g) == GroupShown::AsGrouped && groups[most][g].folded_at_first) {
            shown.folding[most].show_group(g, GroupShown::Expanded);
          }
        }
        shown.folding = fit_runs(runs, groups, shown, height, interest, false);
        if (!shown.folding[most].collapsed && folded_groups(shown.folding) < folded_groups(from.folding) &&
            !measurement_shut(shown.folding)) {
          return shown;
        }
      }
      return std::nullopt;
    };
    if (layout_rows(runs, groups, o).total_height <= height) {
      o.folding = open_groups_that_fit(runs, groups, o, o.folding, height, interest);
      if (const auto shown = lesson_rows_shown(o)) return *shown;
      return o;
    }
    // Every lane at compact, then tight rows; only then alike lanes folded into aggregates.
    // Of the tries that open the most telling run, the one that opens the most runs wins,
    // then the one that opens the more telling ones, then the first: the first alone left
    // lesson 1's process pool, its answer, folded to one line under empty space, where its
    // workers folded into an aggregate row would have fitted.
    std::optional<LayoutOptions> best;
    for (const bool fold_alike : {false, true}) {
      for (RowSize size : {RowSize::Compact, RowSize::Tight}) {
        size_rows(o, font, app.ui_scale, size, app.presentation);
        o.folding = app.folding;  // each try fits from what the user left, not from the last try
        o.folding = fit_runs(runs, groups, o, height, interest, fold_alike);
        if (o.folding.size() != runs.size() || o.folding[most_telling(interest)].collapsed) continue;
        if (!best || shows_more(o.folding, best->folding, interest)) best = o;
        if (std::none_of(best->folding.begin(), best->folding.end(), [](const RunFolding& f) { return f.collapsed; })) {
          if (const auto shown = lesson_rows_shown(*best)) return *shown;
          return *best;
        }
      }
    }
    // The rows the lesson is about, before more runs open (lesson 15 presented at 1280x720
    // opened its three runs and kept its eight threads in one row).
    if (best) {
      if (const auto shown = lesson_rows_shown(*best)) return *shown;
    }
    // Its measurement beside the most telling run is worth the tightest rows: lesson 1 presented
    // at 1280x720, measured, kept its four threads' measurement on one line for 2 px.
    const auto tightest_rows = [&] {
      LayoutOptions tightest = *best;
      size_rows(tightest, font, app.ui_scale, RowSize::Tightest, app.presentation);
      tightest.folding = app.folding;
      tightest.folding = fit_runs(runs, groups, tightest, height, interest, true);
      return tightest;
    };
    if (best && measurement_shut(best->folding)) {
      const LayoutOptions tightest = tightest_rows();
      const auto open = [](const std::vector<RunFolding>& f) {
        return std::count_if(f.begin(), f.end(), [](const RunFolding& r) { return !r.collapsed; });
      };
      if (!tightest.folding[most].collapsed && !measurement_shut(tightest.folding) &&
          open(tightest.folding) >= open(best->folding)) {
        return tightest;
      }
    }
    // With measured runs shown, the most telling run's lanes that the fit folded are worth the
    // tightest rows where those open them as they open without the measurements, and open as
    // many runs: lesson 14 presented at 1280x720 with --real folded its four threads, whose
    // lock waits are the lesson, into "+ 4 threads".
    if (best && !best->folding[most].collapsed && most < groups.size() &&
        std::any_of(runs.begin(), runs.end(), [](const trace::Trace& t) { return t.origin == trace::Origin::Measured; })) {
      const auto fit_folded = [&](const std::vector<RunFolding>& f) {
        std::size_t n = 0;
        for (std::size_t g = 0; g < groups[most].size(); ++g) {
          n += f[most].group_folded(g, groups[most][g]) && !groups[most][g].folded_at_first;
        }
        return n;
      };
      if (fit_folded(best->folding) > 0) {
        LayoutOptions tightest = *best;
        size_rows(tightest, font, app.ui_scale, RowSize::Tightest, app.presentation);
        tightest.folding = app.folding;
        tightest.folding = fit_runs(runs, groups, tightest, height, interest, false);
        const auto open = [](const std::vector<RunFolding>& f) {
          return std::count_if(f.begin(), f.end(), [](const RunFolding& r) { return !r.collapsed; });
        };
        if (tightest.folding.size() == runs.size() && !tightest.folding[most].collapsed &&
            fit_folded(tightest.folding) == 0 && open(tightest.folding) >= open(best->folding)) {
          return tightest;
        }
      }
    }
    // A more telling run left on one line where a less telling one opened is worth the
    // tightest rows too, where they open it: lesson 7 presented at 1280x720 opened its
    // sequential run beside the threads and left the process run they are compared with on
    // one line (its nine lanes a few pixels too tall at tight rows).
    const auto skips_more_telling = [&](const std::vector<RunFolding>& folding) {
      for (std::uint32_t a = 0; a < folding.size() && a < interest.size(); ++a) {
        for (std::uint32_t b = 0; b < folding.size() && b < interest.size(); ++b) {
          if (folding[a].collapsed && !folding[b].collapsed && interest[a] > interest[b]) return true;
        }
      }
      return false;
    };
    if (best && skips_more_telling(best->folding)) {
      const LayoutOptions tightest = tightest_rows();
      if (tightest.folding.size() == runs.size() && !tightest.folding[most].collapsed &&
          shows_more(tightest.folding, best->folding, interest)) {
        return tightest;
      }
    }
    if (best) return *best;
    // No try opens the most telling run: lesson 9 presented at 1024x640 opened none, each pool
    // a few pixels too tall (its main process's five rows and its workers' aggregate under a
    // header and the busy cores). Tightest rows then, and every run that fits opens, the most
    // telling first: a class sees at least one run's lanes.
    size_rows(o, font, app.ui_scale, RowSize::Tightest, app.presentation);
    o.folding = app.folding;
    o.folding = fit_runs(runs, groups, o, height, interest, true);
  }
  return o;
}

/// A fit of every run leaves room right of a collapsed run's end for its figures where its
/// line has no free stretch for them (lesson 12 presented at 1280x720: "sequential, no GIL",
/// as long as the axis, had them on a note over the end of its crunch 4): for the fullest of
/// them that costs the lanes at most a fifth of their width, else for none (the line then draws
/// its lane lower and the figures above it).
void leave_room_for_figures(AppState& app, const std::vector<RunFolding>& folding) {
  constexpr double kMostShrink = 1.25;
  const auto& runs = app.session.runs();
  if (app.align_ends || app.runs.size() != runs.size()) return;
  const float f = ImGui::GetFontSize();
  const auto width_of = [&](std::string_view t) {
    return ImGui::GetFont()->CalcTextSizeA(f * 0.8f, 1e9f, 0, t.data(), t.data() + t.size()).x;
  };
  const double width = app.view.width_px(), fitted = app.view.ns_per_px(), start = app.view.start_ns();
  double ns_per_px = fitted;
  std::vector<DrawItem> scratch;
  for (std::uint32_t r = 0; r < runs.size() && r < folding.size(); ++r) {
    if (!folding[r].collapsed || runs[r].partial()) continue;
    const auto judged = judge_run(runs, app.runs, r);
    const std::vector<std::string> texts =
        summary_texts(runs[r], app.runs[r], judged ? &*judged : nullptr, app.session.scenario().note);
    const auto drawn = line_drawn(runs[r], app.runs[r], summary_line_lanes(app.runs[r]), app.view, f, scratch);
    const float end_x = static_cast<float>(app.view.x_of(runs[r].end));
    // A lane that draws little says its settings above it, ending where the run ends
    // (draw_summary): no room to make.
    float cover = 0;
    for (const auto& [a, b] : drawn) cover += std::max(1.0f, (b - a) - 2 * f * 0.35f);
    if (cover < kSparseLine * static_cast<float>(width)) continue;
    for (const std::string& text : texts) {
      const float w = width_of(text);
      // Fits as fitted after the run's end (a free stretch before it would say the end there).
      if (const auto at = free_spot(0, static_cast<float>(width) - 4, drawn, w, end_x + 8, 4); at && *at >= end_x + 8) break;
      // The scale at which it fits just after the run's end, clear of its last job-done dot
      // (line_drawn's widening, free_spot's gap) and of the right edge.
      const double clear = 8.0 + f * 0.35 + 4.0 + 4.0 + 2.0;
      const double needed = (static_cast<double>(runs[r].end.ns()) - start) / std::max(1.0, width - clear - w);
      if (needed <= fitted * kMostShrink) {
        ns_per_px = std::max(ns_per_px, needed);
        break;
      }
    }
  }
  app.view.set(start, ns_per_px);
}

void animate_tokens(AppState& app, const TimelineLayout& layout, const std::vector<std::vector<int>>& rows) {
  const auto& runs = app.session.runs();
  const float follow = 1.0f - static_cast<float>(std::exp(-app.frame_seconds * 14.0));
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const trace::Trace& run = runs[r];
    auto& ys = app.token_y[r];
    ys.resize(run.processes.size(), -1.0f);
    for (trace::ProcessId p = 0; p < run.processes.size(); ++p) {
      const trace::LaneId gil = run.processes[p].gil_lane;
      if (gil >= run.lanes.size() || rows[r][gil] < 0) {
        ys[p] = -1.0f;
        continue;
      }
      trace::LaneId holder = trace::kNone;
      if (auto s = span_at(run.lanes[gil].spans, app.playback.now())) holder = run.lanes[gil].spans[*s].subject;
      const int target_row = holder < run.lanes.size() && rows[r][holder] >= 0 ? rows[r][holder] : rows[r][gil];
      const Row& row = layout.rows[static_cast<std::size_t>(target_row)];
      const float target = row.y + row.height * 0.5f;
      // Glide between the rows of one run; jump when the rows moved (a run folded, a new fit).
      const bool jump = ys[p] < 0 || app.frame_seconds <= 0 || std::abs(target - ys[p]) > 8 * row.height;
      ys[p] = jump ? target : ys[p] + (target - ys[p]) * follow;
    }
  }
}

/// An arrow from (x, from_y) to (x, to_y), its head on the target row's edge.
void vertical_arrow(ImDrawList* dl, float x, float from_y, float to_y, float half_row, ImU32 ink, float width,
                    float head) {
  const float dir = to_y > from_y ? 1.0f : -1.0f;
  const float tip = to_y - dir * half_row * 0.55f;
  if ((tip - from_y) * dir <= head) return;
  dl->AddLine(ImVec2(x, from_y), ImVec2(x, tip - dir * head), ink, width);
  dl->AddTriangleFilled(ImVec2(x - head * 0.7f, tip - dir * head * 1.3f), ImVec2(x + head * 0.7f, tip - dir * head * 1.3f),
                        ImVec2(x, tip), ink);
}

/// Cause and effect at each hand-off: an arrow from the thread that asked to the holder (at
/// the request), a line along the holder to its drop, and an arrow from the holder to the
/// thread that took the GIL (at the drop). The hand-off around the playhead is drawn bold;
/// elsewhere links closer than a few pixels to the previous one are left to the glyphs.
void draw_handoff_links(ImDrawList* dl, const AppState& app, const TimelineContext& ctx, const TimelineLayout& layout,
                        const std::vector<std::vector<int>>& rows, float lanes_left, float top) {
  const auto& runs = app.session.runs();
  const Time now = app.playback.now();
  const float scale = app.ui_scale;
  const float half_row = app.layout.lane_height * 0.5f;
  const auto centre = [&](std::uint32_t r, trace::LaneId lane) -> std::optional<float> {
    if (lane >= rows[r].size() || rows[r][lane] < 0) return std::nullopt;
    const Row& row = layout.rows[static_cast<std::size_t>(rows[r][lane])];
    if (row.kind != Row::Kind::Lane) return std::nullopt;  // a collapsed run shows no threads
    return top + row.y + row.height * 0.5f;
  };
  const ImU32 ask_ink = to_u32(mark_colour(trace::MarkKind::DropRequest));
  std::vector<std::uint32_t> candidates;
  std::vector<trace::LaneId> shown;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const TimeView& view = ctx.view_of(r);
    const auto& links = app.runs[r].handoffs;
    shown.clear();
    for (const Row& row : layout.rows) {
      if (row.run == r && row.kind == Row::Kind::Lane) shown.push_back(row.lane);
    }
    links_to_draw(runs[r], links, app.runs[r].glyph_marks, shown, view.time_at(-400), view.end(), candidates);
    float last_x = -1e9f;
    int drawn = 0;
    for (auto k = candidates.begin(); k != candidates.end() && drawn < 400; ++k) {
      const HandoffLink* it = &links[*k];
      if (it->dropped == Time::max()) continue;
      const auto ya = centre(r, it->asker), yh = centre(r, it->holder), yt = centre(r, it->taker);
      if (!ya || !yh) continue;
      const float xa = lanes_left + static_cast<float>(view.x_of(it->asked));
      const float xd = lanes_left + static_cast<float>(view.x_of(it->dropped));
      const Time until = it->taken == Time::max() ? it->dropped : it->taken;
      const bool current = it->asked <= now && now <= until + Time{1};
      if (!current && xa - last_x < 8 * scale) continue;
      last_x = xa;
      const float w = (current ? 2.5f : 1.2f) * scale, head = (current ? 5.0f : 3.5f) * scale;
      const ImU32 ink = current ? IM_COL32(0, 0, 0, 255) : IM_COL32(30, 30, 30, 170);
      const float gap = 3 * scale;
      vertical_arrow(dl, xa - gap, *ya, *yh, half_row, current ? ask_ink : IM_COL32(213, 94, 0, 170), w, head);
      if (xd - xa > 2 * gap) dl->AddLine(ImVec2(xa - gap, *yh), ImVec2(xd + gap, *yh), ink, w);
      if (yt) vertical_arrow(dl, xd + gap, *yh, *yt, half_row, ink, w, head);
      ++drawn;
    }
  }
}

/// At the playhead, on each GIL lane: the waiters as chips, longest wait first, left of the
/// playhead, as many named as fit there (right of the lock token, where not even their count
/// fits left, the count alone). Placed before the rows are painted (what they write keeps
/// clear of the chips), painted after them by paint_gil_queue.
std::vector<QueueChipDrawn> place_gil_queue(const AppState& app, const TimelineLayout& layout,
                                            const std::vector<std::vector<int>>& rows, const std::vector<float>& run_px,
                                            float top, float left) {
  std::vector<QueueChipDrawn> drawn;
  const auto& runs = app.session.runs();
  const float f = ImGui::GetFontSize() * 0.8f;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const trace::Trace& run = runs[r];
    const float px = run_px[r];
    if (std::isnan(px)) continue;
    for (trace::ProcessId p = 0; p < run.processes.size(); ++p) {
      const trace::LaneId gil = run.processes[p].gil_lane;
      if (gil >= run.lanes.size() || rows[r][gil] < 0) continue;
      // Three chips and a count, or four chips.
      const GilQueue queue = gil_queue_at(run, app.runs[r].playhead, p, app.playback.now(), 4);
      const std::vector<GilWaiter>& waiters = queue.longest;
      if (queue.waiting == 0) continue;
      const Row& row = layout.rows[static_cast<std::size_t>(rows[r][gil])];
      const float y0 = top + row.y + 2, y1 = top + row.y + row.height - 2;
      struct Chip {
        std::string text;
        float w;
        trace::LaneId lane;
      };
      // Longest wait nearest the playhead: the head of the queue, left of it, over the GIL's
      // past. As many named chips as fit there, the rest counted; where not even the count
      // fits (the playhead near the left edge), the count alone right of it: named chips there
      // covered the very holders the row shows (lesson 2 at 101 ms hid ten 2 ms holds).
      const auto chip_width = [&](const Chip& c) { return queue_chip_width(c.text.c_str(), f, y1 - y0, c.lane != trace::kNone); };
      const auto chips_of = [&](std::size_t named) {
        std::vector<Chip> out;
        for (std::size_t i = 0; i < named && i < waiters.size(); ++i) {
          out.push_back(Chip{fmt::format("{} {}", run.lanes[waiters[i].lane].name, format_time(waiters[i].waited)), 0,
                             waiters[i].lane});
        }
        const std::size_t rest = queue.waiting - out.size();
        if (rest > 0) {
          out.push_back(Chip{out.empty() ? fmt::format("{} waiting", trace::group_digits(static_cast<std::int64_t>(rest)))
                                         : fmt::format("+{} more", trace::group_digits(static_cast<std::int64_t>(rest))),
                             0, trace::kNone});
        }
        for (Chip& c : out) c.w = chip_width(c);
        return out;
      };
      const auto total_of = [](const std::vector<Chip>& cs) {
        float total = 0;
        for (const Chip& c : cs) total += c.w + 3;
        return total;
      };
      // Four named chips, or three and a count, down to the count alone.
      std::vector<Chip> chips;
      bool leftwards = false;
      for (std::size_t named = queue.waiting <= 4 ? queue.waiting : 3;; --named) {
        chips = chips_of(named);
        if (px - 6 - total_of(chips) >= left) {
          leftwards = true;
          break;
        }
        if (named == 0) break;
      }
      float x = leftwards ? px - 6 : px + ImGui::CalcTextSize("GIL").x + ImGui::GetFontSize() * 1.3f;
      for (const Chip& c : chips) {
        const ImVec2 a(leftwards ? x - c.w : x, y0), b(leftwards ? x : x + c.w, y1);
        const bool named = c.lane != trace::kNone;
        drawn.push_back({r, c.text, named, a.x, b.x, px, a.y, b.y, named ? app.runs[r].identity[c.lane] : trace::kNone});
        x = leftwards ? a.x - 3 : b.x + 3;
      }
    }
  }
  return drawn;
}

void paint_gil_queue(ImDrawList* dl, const std::vector<QueueChipDrawn>& chips) {
  const float f = ImGui::GetFontSize() * 0.8f;
  for (const QueueChipDrawn& c : chips) {
    std::optional<std::uint32_t> swatch;
    if (c.named) swatch = c.ordinal;
    paint_queue_chip(dl, ImVec2(c.left, c.top), ImVec2(c.right, c.bottom), swatch, c.text.c_str(), f);
  }
}

/// The label column fits the longest lane label (or folded group, or a collapsed run's bold
/// name), with room to spare within a fifth of the width; a label longer than that still
/// fits, within a quarter ("+ 40 worker processes" at 1280 px), and a run's whole name
/// within three tenths (lesson 17 presented at 1280x720 with its runs measured cut
/// "sequential (measur..."). A name longer still is shown in a shorter form (run_label_forms).
float label_column_width(const AppState& app, float width) {
  const auto& runs = app.session.runs();
  const float scale = app.ui_scale;
  float longest = 0;
  for (std::size_t i = 0; i < app.runs.size(); ++i) {
    const RunIndex& r = app.runs[i];
    for (std::size_t l = 0; l < r.lane_labels.size() && l < 64; ++l) {
      // A task's label sits indented under its loop's thread (draw_label: 0.6 of a row, a row
      // being about 1.4 fonts): "task 1 heartbeat" whole, as gilsim's timeline writes it.
      const bool task = i < runs.size() && l < runs[i].lanes.size() && runs[i].lanes[l].kind == LaneKind::Task;
      longest = std::max(longest, ImGui::CalcTextSize(r.lane_labels[l].c_str()).x + (task ? ImGui::GetFontSize() * 0.85f : 0.0f));
    }
    for (const LaneGroup& g : r.groups) {  // drawn bold, as the collapsed run's name
      const std::string label = "+ " + g.label;
      longest = std::max(longest, bold_font()->CalcTextSizeA(ImGui::GetFontSize(), 1e9f, 0, label.c_str()).x);
    }
  }
  float names = 0;
  for (const trace::Trace& run : runs) {  // a collapsed run's name, bold, after its triangle
    const float w = bold_font()->CalcTextSizeA(ImGui::GetFontSize(), 1e9f, 0, run_label(run).c_str()).x;
    names = std::max(names, w + collapsed_name_indent() + 4);  // clear of the column's edge (draw_summary)
  }
  const float f = ImGui::GetFontSize();
  longest = std::max(longest, names - f * 0.6f);
  const float roomy = std::clamp(longest + f * 1.8f, 110.0f * scale, std::max(110.0f * scale, width * 0.2f));
  const float fitted = std::max(roomy, std::min(longest + f * 0.6f, width * 0.25f));
  return std::round(std::max(fitted, std::min(names, width * 0.3f)));
}

/// The GIL tokens at the playhead: a badge per interpreter in its holder's colour (white
/// when free), on each run's own playhead.
void paint_gil_tokens(ImDrawList* dl, const AppState& app, const std::vector<float>& run_px, float top, float size) {
  const auto& runs = app.session.runs();
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const trace::Trace& run = runs[r];
    if (std::isnan(run_px[r])) continue;
    for (trace::ProcessId p = 0; p < run.processes.size() && p < app.token_y[r].size(); ++p) {
      const trace::LaneId gil = run.processes[p].gil_lane;
      if (gil >= run.lanes.size() || app.token_y[r][p] < 0) continue;
      auto s = span_at(run.lanes[gil].spans, app.playback.now());
      const std::uint32_t holder = s ? run.lanes[gil].spans[*s].subject : trace::kNone;
      const std::uint32_t ordinal = holder < run.lanes.size() ? app.runs[r].identity[holder] : trace::kNone;
      const ImU32 fill = ordinal == trace::kNone ? IM_COL32(255, 255, 255, 255) : to_u32(identity_colour(ordinal));
      paint_token(dl, ImVec2(run_px[r], top + app.token_y[r][p]), size, fill, ordinal != trace::kNone);
    }
  }
}

/// A CPython run's time with no job running, which the recorder does not trace (a pool's
/// pickles and pipes): its lanes there are empty, not idle. Shaded over its rows, with words
/// in the widest stretch and the command line's sentence on hover (unrecorded_time). `clip`:
/// the lanes' visible area (left, top, right, bottom).
void draw_unrecorded(ImDrawList* ldl, AppState& app, const TimelineContext& ctx, const TimelineLayout& layout,
                     ImVec2 content, ImVec4 clip, bool lanes_hovered) {
  const auto& runs = app.session.runs();
  app.timeline.unrecorded.clear();
  app.timeline.unrecorded_labels.clear();
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const auto note = unrecorded_time(app, r);
    const Row* header = layout.header(r);
    if (!note || !header) continue;
    float top = header->y + (header->collapsed ? 0 : header->height), bottom = header->y + header->height;
    float first_bottom = header->collapsed ? bottom : 0;  // the words go on its collapsed line, or its first row
    for (const Row& row : layout.rows) {
      if (row.run != r) continue;
      if (first_bottom == 0 && row.kind != Row::Kind::RunHeader && row.kind != Row::Kind::BusyCores) {
        first_bottom = row.y + row.height;
      }
      bottom = std::max(bottom, row.y + row.height);
    }
    if (first_bottom == 0) first_bottom = bottom;
    top += content.y;
    bottom += content.y;
    first_bottom += content.y;
    ldl->PushClipRect(ImVec2(clip.x, clip.y), ImVec2(clip.z, clip.w), true);
    std::optional<ScreenRect> widest;
    for (const auto& [from, to] : no_job_stretches(runs[r])) {
      const float x0 = std::max(clip.x, clip.x + static_cast<float>(ctx.view_of(r).x_of(from)));
      const float x1 = std::min(clip.z, clip.x + static_cast<float>(ctx.view_of(r).x_of(to)));
      if (x1 - x0 < 3) continue;
      paint_unrecorded(ldl, x0, x1, top, bottom);
      app.timeline.unrecorded.push_back(ScreenRect{x0, top, x1, bottom});
      if (!widest || x1 - x0 > widest->right - widest->left) widest = app.timeline.unrecorded.back();
      const ImVec2 mouse = ImGui::GetIO().MousePos;
      if (lanes_hovered && mouse.x >= x0 && mouse.x < x1 && mouse.y >= top && mouse.y < bottom) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
        ImGui::TextUnformatted(fmt::format("{}: {}.", run_name_in_force(runs[r]), *note).c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
      }
    }
    if (widest) {
      // The words on a white pill in the widest stretch, the longest that fits.
      const bool pool = runs[r].processes.size() > 1;  // the parent and its workers
      const std::vector<std::string> texts{
          pool ? "no job running: pickles, pipes and start-up, which the recorder does not trace"
               : "no job running: start-up and its own Python, which the recorder does not trace",
          pool ? "no job running: pickles and pipes, not traced" : "no job running: not traced", "not traced"};
      const float f = ImGui::GetFontSize() * 0.9f;
      const auto width_of = [&](std::string_view t) {
        return ImGui::GetFont()->CalcTextSizeA(f, 1e9f, 0, t.data(), t.data() + t.size()).x;
      };
      if (const auto fits = first_that_fits(texts, widest->right - widest->left - 12, width_of)) {
        const std::string& text = texts[*fits];
        // At the stretch's left, on the run's first row: clear of the notes at the rows' right ends.
        const float w = width_of(text), x = widest->left + 8;
        const float cy = (top + first_bottom) * 0.5f;
        const ImVec2 a(x, cy - f * 0.5f - 2), b(x + w + 8, cy + f * 0.5f + 2);
        ldl->AddRectFilled(a, b, IM_COL32(255, 255, 255, 235), 3.0f);
        ldl->AddRect(a, b, IM_COL32(110, 110, 110, 255), 3.0f);
        ldl->AddText(ImGui::GetFont(), f, ImVec2(a.x + 4, a.y + 2), IM_COL32(30, 30, 30, 255), text.c_str());
        app.timeline.unrecorded_labels.push_back(text);
      }
    }
    ldl->PopClipRect();
  }

}

}  // namespace

/// A run still being simulated (trace::Trace::partial): past the model's clock nothing is
/// known yet, so its rows are greyed from there, behind an edge that moves on frame by frame.
void draw_simulated_edge(ImDrawList* dl, const TimelineContext& ctx, const Row& row, float y, float scale) {
  const trace::Trace& run = ctx.runs[row.run];
  if (!run.partial()) return;
  const float x = ctx.lanes_left + static_cast<float>(ctx.view_of(row.run).x_of(run.simulated_until));
  if (x >= ctx.right) return;
  const float from = std::max(x, ctx.lanes_left);
  // A header keeps its text readable: the edge only.
  if (row.kind != Row::Kind::RunHeader) {
    dl->AddRectFilled(ImVec2(from, y), ImVec2(ctx.right, y + row.height), IM_COL32(228, 228, 234, 255));
  }
  if (x >= ctx.lanes_left) {
    dl->AddLine(ImVec2(x, y), ImVec2(x, y + row.height), IM_COL32(200, 110, 0, 255), 2.0f * scale);
  }
}

void draw_timeline(AppState& app) {
  const auto& runs = app.session.runs();
  const float scale = app.ui_scale;
  const float width = ImGui::GetContentRegionAvail().x;
  const float label_w = label_column_width(app, width);
  const float axis_h = std::round(ImGui::GetFontSize() * 1.7f);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float lanes_w = std::max(50.0f, avail.x - label_w - ImGui::GetStyle().ScrollbarSize);
  app.timeline_rect[0] = origin.x;
  app.timeline_rect[1] = origin.y;
  app.timeline_rect[2] = avail.x;
  app.timeline_rect[3] = avail.y;

  // Runs still being simulated grow into the range shown before them (preview_axis_end).
  const Time end = max(total_end(runs), app.preview_axis_end);
  const Time shown_end = max(axis_end(runs, app.clip_measured), app.preview_axis_end);
  app.view.set_width(lanes_w);
  const float child_h = std::max(20.0f, avail.y - axis_h);
  // The rows' area holds the rows plus ImGui's spacing after its last item: fit within that.
  const LayoutOptions options = choose_layout(app, child_h - ImGui::GetStyle().ItemSpacing.y - 2);
  const bool still_fitted = app.fitted_view && app.view.start_ns() == app.fitted_view->first &&
                            app.view.ns_per_px() == app.fitted_view->second;
  const bool fit_whole = (app.fit_pending && !app.fit_range) || (!app.fit_pending && still_fitted);
  if (app.fit_pending || still_fitted) {
    app.view.fit(app.fit_range ? app.fit_range->first : Time::zero(), app.fit_range ? app.fit_range->second : shown_end);
    if (fit_whole) leave_room_for_figures(app, options.folding);
    app.fit_pending = false;
    app.fit_range.reset();
  }
  if (fit_whole) {
    app.fitted_view = std::pair{app.view.start_ns(), app.view.ns_per_px()};
  } else if (!still_fitted) {
    app.fitted_view.reset();
  }
  if (app.follow_playhead && app.playback.playing()) app.view.keep_visible(app.playback.now());
  app.view.limit(end);
  app.layout.lane_height = options.lane_height;
  const TimelineLayout layout = layout_rows(runs, [&] {
    std::vector<std::vector<LaneGroup>> g;
    for (const RunIndex& r : app.runs) g.push_back(r.groups);
    return g;
  }(), options);
  const auto rows = rows_by_lane(layout, runs);

  // --- axis: click or drag to scrub ---
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float lanes_left = origin.x + label_w;
  ImGui::SetCursorScreenPos(ImVec2(lanes_left, origin.y));
  ImGui::InvisibleButton("##axis", ImVec2(lanes_w, axis_h));
  if (ImGui::IsItemActive()) {
    app.playback.pause();
    app.playback.seek(app.view.time_at(ImGui::GetIO().MousePos.x - lanes_left));
  }
  if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
  std::vector<Tick> ticks = time_ticks(app.view, 90.0 * scale);
  place_labels(ticks, lanes_w, 3.0, [](const std::string& text) { return ImGui::CalcTextSize(text.c_str()).x; });
  paint_axis(dl, ticks, LaneBox{lanes_left, origin.y, lanes_left + lanes_w, origin.y + axis_h});
  dl->AddRectFilled(origin, ImVec2(lanes_left, origin.y + axis_h), IM_COL32(236, 236, 236, 255));
  dl->AddText(ImVec2(origin.x + 6, origin.y + (axis_h - ImGui::GetFontSize()) * 0.5f), IM_COL32(60, 60, 60, 255),
              "time");

  // --- rows, in a child window that scrolls vertically ---
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + axis_h));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::BeginChild("##lanes", ImVec2(avail.x, child_h), false, ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleVar();
  ImDrawList* ldl = ImGui::GetWindowDrawList();
  const ImVec2 content = ImGui::GetCursorScreenPos();
  const float scroll = ImGui::GetScrollY();
  const float lanes_x = content.x + label_w;
  const float right = lanes_x + lanes_w;
  ImGui::SetCursorScreenPos(ImVec2(content.x, content.y));
  ImGui::InvisibleButton("##lanes_input", ImVec2(label_w + lanes_w, std::max(1.0f, layout.total_height)),
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight |
                             ImGuiButtonFlags_MouseButtonMiddle);
  const bool lanes_hovered = ImGui::IsItemHovered();
  const bool lanes_active = ImGui::IsItemActive();

  std::vector<std::optional<double>> errors;
  for (std::uint32_t r = 0; r < runs.size(); ++r) errors.push_back(prediction_error_of(app, r));
  // Past the axis means past what is drawn: the view, as fitted (presentation leaves room
  // after the runs' figures: lesson 7 measured, presented at 1280x720, drew its axis to about
  // 1.13 s and said "done at 1.028 s, past the axis" with an arrow at the edge), else as zoomed.
  const Time past_end = max(shown_end, app.view.end());
  TimelineContext ctx{runs,      app.runs, app.view,         options.folding, app.selected, past_end,
                      scale,     app.show_marks, content.x, lanes_x,         right,        std::move(errors)};
  if (app.align_ends) {  // each run stretched so that its end meets the axis's end
    for (const trace::Trace& run : runs) {
      // A run still being simulated has no end yet: it is drawn unstretched.
      ctx.stretches.push_back(end_stretch(run.partial() ? shown_end : run.end, shown_end));
      ctx.run_views.push_back(stretched(app.view, ctx.stretches.back()));
    }
  }
  ctx.note = app.session.scenario().note;
  ctx.presenting = app.presentation;
  // The GIL badges first, so that the rows move the labels they would cover.
  std::vector<float> run_px;  // aligned runs: the playhead's instant in each run's own stretch
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const float x = lanes_x + static_cast<float>(ctx.view_of(r).x_of(app.playback.now()));
    // A finished run has no interpreter left to hold a GIL: no badge (a white one read as a
    // GIL still there and free), so no room kept for one. A deadlocked run stays as it stood.
    const bool finished = app.playback.now() > runs[r].end && !app.runs[r].deadlocked;
    run_px.push_back(x >= lanes_x - 1 && x <= right + 1 && !finished ? x : std::nanf(""));  // NaN: none drawn
  }
  animate_tokens(app, layout, rows);
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (std::isnan(run_px[r])) continue;
    for (float y : app.token_y[r]) {
      if (y >= 0) ctx.badges.push_back({r, content.y + y, token_extent(run_px[r])});
    }
  }
  // The waiters' chips too, and the playhead's line: the lost races' count keeps clear of them.
  std::vector<QueueChipDrawn> chips = place_gil_queue(app, layout, rows, run_px, content.y, lanes_x);
  ctx.queue_chips = chips;
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    ctx.playhead_x.push_back(app.align_ends ? run_px[r] : lanes_x + static_cast<float>(app.view.x_of(app.playback.now())));
  }
  static thread_local TimelineRows painter;
  RowStats stats;
  stats.marks_drawn.assign(runs.size(), {});
  stats.folded_by_run.assign(runs.size(), 0);
  stats.headers.assign(runs.size(), {});
  stats.marks_in_groups.assign(runs.size(), 0);
  stats.summaries.assign(runs.size(), {});
  stats.open_hints.assign(runs.size(), {});
  stats.collapsed_names.assign(runs.size(), {});
  stats.summary_boxes.assign(runs.size(), {});
  stats.summary_lanes.assign(runs.size(), {});
  const float visible_top = scroll - 2, visible_bottom = scroll + child_h + 2;
  const auto visible = [&](const Row& row) { return row.y + row.height >= visible_top && row.y <= visible_bottom; };
  for (const Row& row : layout.rows) {
    if (visible(row)) painter.draw(ldl, ctx, row, content.y + row.y, stats);
  }
  for (const Row& row : layout.rows) {
    if (visible(row)) draw_simulated_edge(ldl, ctx, row, content.y + row.y, scale);
  }
  for (const Row& row : layout.rows) {
    if (row.kind == Row::Kind::RunHeader && !row.collapsed && visible(row)) {
      painter.draw_open_header(ldl, ctx, row, content.y + row.y, stats);
    }
  }
  // A run that is a sliver at this zoom (lesson 3's asyncio, 2.2 s on a 1,250 s axis, looked
  // empty): a line at its end, down its rows, that the header points to.
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const float x = stats.headers[r].end_line;
    const Row* header = layout.header(r);
    if (x <= 0 || !header) continue;
    float bottom = header->y + header->height;
    for (const Row& row : layout.rows) {
      if (row.run == r) bottom = std::max(bottom, row.y + row.height);
    }
    ldl->AddLine(ImVec2(x, content.y + header->y + header->height), ImVec2(x, content.y + bottom),
                 IM_COL32(30, 30, 30, 255), 2.0f * scale);
  }

  // A run that ends past the right edge (a measured run slower than its prediction): an
  // arrow at the edge, down its rows, so its lanes do not read as ended there.
  app.timeline.past_axis.clear();
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const Row* header = layout.header(r);
    if (!header || !past_axis(runs[r], ctx)) continue;
    float bottom = header->y + header->height;
    for (const Row& row : layout.rows) {
      if (row.run == r) bottom = std::max(bottom, row.y + row.height);
    }
    const float y0 = content.y + header->y, y1 = content.y + bottom, w = 4.0f * scale;
    const ImU32 ink = IM_COL32(170, 60, 0, 255);
    ldl->AddRectFilled(ImVec2(right - w, y0 + 2), ImVec2(right, y1 - 1), ink);
    const float cy = y0 + header->height * 0.5f, h = (past_axis_marker_width(header->height, scale) - w) * 0.5f;
    ldl->AddTriangleFilled(ImVec2(right - w - 2 * h, cy - h), ImVec2(right - w - 2 * h, cy + h), ImVec2(right - w, cy), ink);
    app.timeline.past_axis.push_back(ScreenRect{right - w - 2 * h, y0, right, y1});
  }
  draw_unrecorded(ldl, app, ctx, layout, content, ImVec4(lanes_x, content.y + scroll, right, content.y + scroll + child_h),
                  lanes_hovered);

  // --- over the rows: hand-off links, the GIL queue, the playhead and lock tokens ---
  ldl->PushClipRect(ImVec2(lanes_x, content.y + scroll), ImVec2(right, content.y + scroll + child_h), true);
  if (app.show_marks) draw_handoff_links(ldl, app, ctx, layout, rows, lanes_x, content.y);
  ldl->PopClipRect();
  const float px = lanes_x + static_cast<float>(app.view.x_of(app.playback.now()));
  if (px >= lanes_x - 1 && px <= right + 1) {
    dl->AddTriangleFilled(ImVec2(px - 7 * scale, origin.y + axis_h - 9 * scale), ImVec2(px + 7 * scale, origin.y + axis_h - 9 * scale),
                          ImVec2(px, origin.y + axis_h), IM_COL32(20, 20, 20, 255));
  }
  {
    ldl->PushClipRect(ImVec2(lanes_x - 1, content.y + scroll), ImVec2(right + 80 * scale, content.y + scroll + child_h), true);
    if (!app.align_ends && px >= lanes_x - 1 && px <= right + 1) {
      // Broken at each open run's header, whose words it crossed ("done at 1.01|3 s").
      float from = content.y + scroll;
      const float bottom = content.y + scroll + child_h;
      for (const Row& row : layout.rows) {
        if (row.kind != Row::Kind::RunHeader || row.collapsed) continue;
        const float top = content.y + row.y;
        if (top + row.height < from || top > bottom) continue;
        if (top > from) ldl->AddLine(ImVec2(px, from), ImVec2(px, top), IM_COL32(20, 20, 20, 255), 2.0f);
        from = top + row.height;
      }
      if (from < bottom) ldl->AddLine(ImVec2(px, from), ImVec2(px, bottom), IM_COL32(20, 20, 20, 255), 2.0f);
    } else {  // a playhead per run, over its own rows
      for (const Row& row : layout.rows) {
        if (std::isnan(run_px[row.run])) continue;
        ldl->AddLine(ImVec2(run_px[row.run], content.y + row.y), ImVec2(run_px[row.run], content.y + row.y + row.height),
                     IM_COL32(20, 20, 20, 255), 2.0f);
      }
    }
    paint_gil_queue(ldl, chips);
    app.timeline.queue_chips = std::move(chips);
    paint_gil_tokens(ldl, app, run_px, content.y, options.lane_height * 0.8f);
    ldl->PopClipRect();
  }

  app.timeline.layout = layout;
  app.timeline.options = options;
  app.timeline.lanes_top = content.y;
  app.timeline.lanes_left = lanes_x;
  app.timeline.lanes_height = child_h;
  app.timeline.scroll = scroll;
  app.timeline.marks_drawn = std::move(stats.marks_drawn);
  app.timeline.marks_folded = stats.marks_folded;
  app.timeline.headers = std::move(stats.headers);
  app.timeline.marks_in_groups = std::move(stats.marks_in_groups);
  app.timeline.summaries = std::move(stats.summaries);
  app.timeline.open_hints = std::move(stats.open_hints);
  app.timeline.collapsed_names = std::move(stats.collapsed_names);
  app.timeline.summary_boxes = std::move(stats.summary_boxes);
  app.timeline.summary_lanes = std::move(stats.summary_lanes);
  app.timeline.group_notes = std::move(stats.group_notes);
  app.timeline.smallest_label = stats.smallest_label;
  app.timeline.labels = std::move(stats.labels);
  app.timeline.mark_boxes = std::move(stats.mark_boxes);
  app.timeline.stuck_tails = std::move(stats.stuck_tails);
  app.timeline.badges.clear();
  for (const TimelineContext::Badge& b : ctx.badges) app.timeline.badges.push_back(ScreenRect{b.x.first, b.y, b.x.second, b.y});
  app.timeline.race_counts = std::move(stats.race_counts);

  TimelineInput input{layout, options.folding, content, label_w, lanes_x, lanes_hovered, lanes_active};
  handle_timeline_input(app, input);
  ImGui::EndChild();
}

}  // namespace gilsim::viz::ui
