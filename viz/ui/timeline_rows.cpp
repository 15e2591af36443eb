// The timeline's row items: run headers, lanes (spans, contention, marks), folded groups
// and busy-cores strips.
#include "viz/ui/timeline_rows.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "viz/counter_words.hpp"
#include "viz/deadlock_tail.hpp"
#include "viz/measuring.hpp"
#include "viz/palette.hpp"
#include "viz/run_caveats.hpp"
#include "viz/text_layout.hpp"
#include "viz/ui/theme.hpp"
#include "viz/unseen_holder.hpp"

namespace gilsim::viz::ui {

using trace::LaneKind;

namespace {

constexpr ImU32 kLabelText = IM_COL32(15, 15, 15, 255);
constexpr ImU32 kGrid = IM_COL32(225, 225, 225, 255);
constexpr ImU32 kBusyCores = IM_COL32(70, 90, 120, 255);
/// A run ending before this share of the lanes' width is a sliver: its end gets a line.
constexpr double kSliverShare = 0.02;

/// How a run ended, for its header: "done at 120 ms"; a run still being simulated has no end
/// yet, and says how far the model has got.
std::string run_end_text(const trace::Trace& run, const RunIndex& index, const char* unfinished) {
  if (run.partial()) return fmt::format("simulating..., up to {} so far", run.simulated_until);
  if (index.deadlocked) return deadlocked_text(run);
  return fmt::format("{} at {}", index.metrics.finished() ? "done" : unfinished, run.end);
}

/// After a run's end where it ends past the right edge: "done at 1.41 s, past the axis →".
constexpr const char* kPastAxisArrow = "\u2192";

/// How wide note_at_right() draws `text`'s pill.
float note_width(const std::string& text) {
  return ImGui::GetFont()->CalcTextSizeA(ImGui::GetFontSize() * 0.8f, 1e9f, 0, text.c_str()).x + 10;
}

/// A note on a white pill at the right end of a row; returns the pill's left edge.
float note_at_right(ImDrawList* dl, const std::string& text, float right, float y0, float y1) {
  const float size = ImGui::GetFontSize() * 0.8f;
  const ImVec2 t = ImGui::GetFont()->CalcTextSizeA(size, 1e9f, 0, text.c_str());
  const float h = y1 - y0;
  const ImVec2 a(right - note_width(text), y0 + (h - t.y) * 0.5f - 1), b(right - 2, y0 + (h + t.y) * 0.5f + 1);
  dl->AddRectFilled(a, b, IM_COL32(255, 255, 255, 235), 3.0f);
  dl->AddRect(a, b, IM_COL32(90, 90, 90, 255), 3.0f);
  dl->AddText(ImGui::GetFont(), size, ImVec2(a.x + 4, a.y + 1), IM_COL32(20, 20, 20, 255), text.c_str());
  return a.x;
}

/// The screen x ranges of run `run`'s GIL badges over a row (token_extent), into `out`.
void add_badges_over(const TimelineContext& ctx, std::uint32_t run, const LaneBox& box,
                     std::vector<std::pair<float, float>>& out) {
  for (const TimelineContext::Badge& b : ctx.badges) {
    if (b.run == run && b.y >= box.top && b.y < box.bottom) out.push_back(b.x);
  }
}

}  // namespace

bool past_axis(const trace::Trace& run, const TimelineContext& ctx) {
  return !run.partial() && run.end > ctx.axis_end && ctx.run_views.empty();
}

float collapsed_name_indent() { return 12.0f + ImGui::GetFontSize() * 0.6f; }

namespace {
/// A collapsed run's name too long for the label column is drawn this much smaller before a
/// shorter form is taken (lesson 18 presented at 1280x720: "ProcessPoolExecutor() (measured)").
constexpr float kSmallerName = 0.85f;
}  // namespace

float past_axis_marker_width(float header_height, float scale) {
  return 4.0f * scale + 2.0f * std::min(header_height * 0.35f, 7.0f * scale);
}

std::string group_note(const LaneGroup& group, std::size_t marks) {
  if (marks == 0) return fmt::format("{} (folded: click to expand)", group.label);
  return fmt::format("{} (folded: {} inside, click to expand)", group.label, counted(marks, "mark"));
}

std::vector<trace::LaneId> summary_line_lanes(const RunIndex& index) {
  const std::uint32_t g = summary_group(index.groups);
  if (g != trace::kNone) return index.groups[g].members;
  if (index.summary_lane == trace::kNone) return {};
  return {index.summary_lane};
}

std::vector<std::pair<float, float>> line_drawn(const trace::Trace& run, const RunIndex& index,
                                               std::span<const trace::LaneId> lanes, const TimeView& view, float font,
                                               std::vector<DrawItem>& scratch) {
  std::vector<std::pair<float, float>> drawn;
  const float dot = font * 0.35f;  // a job-done dot or a glyph on a bar's edge
  for (const trace::LaneId lane : lanes) {
    if (lane >= run.lanes.size()) continue;
    scratch.clear();
    build_draw_items(run.lanes[lane].spans, view, scratch, {},
                     lane < index.covered_prefix.size() ? index.covered_prefix[lane] : std::span<const std::int64_t>{});
    for (const DrawItem& it : scratch) drawn.emplace_back(static_cast<float>(it.x0) - dot, static_cast<float>(it.x1) + dot);
  }
  if (lanes.size() < 2) return drawn;
  // Several lanes on one line: their bars as the line shows them, one stretch where they overlap.
  std::sort(drawn.begin(), drawn.end());
  std::vector<std::pair<float, float>> merged;
  for (const auto& d : drawn) {
    if (!merged.empty() && d.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, d.second);
    } else {
      merged.push_back(d);
    }
  }
  return merged;
}

std::string named_jobs_done(const trace::Trace& run, std::string_view note) {
  // The job that finished last ends the run (or nearly: the main process collects its result
  // after it): the run's end says it.
  Time last = Time::zero();
  for (const trace::Job& job : run.jobs) {
    if (job.end != Time::max()) last = max(last, job.end);
  }
  std::string said;
  int named = 0;
  for (const trace::Job& job : run.jobs) {
    if (job.end == Time::max() || job.end >= last || !names_word(note, job.name)) continue;
    if (++named > 2) break;  // a note about many jobs names none of them as the point
    said += fmt::format("{}{} done at {}", said.empty() ? "" : ", ", job.name, job.end);
  }
  return named > 2 ? std::string() : said;
}

std::vector<std::string> summary_texts(const trace::Trace& run, const RunIndex& index, const real::Judgement* judged,
                                       std::string_view note, bool past) {
  std::string ended = run_end_text(run, index, "stopped");
  // A run that ends past the right edge says so next to its end (an arrow there too).
  if (past) ended += fmt::format(", past the axis {}", kPastAxisArrow);
  const auto caveat = score_caveats(run, index.unseen, judged);
  // With its flag in full, and in brief where the full one does not fit ("busy machine: not
  // scored"; the header's tooltip and the Numbers panel say it whole).
  const std::string brief = caveat ? ended + ", " + caveat->brief : ended;
  if (caveat) ended += ", " + caveat->full;
  const std::string settings = fmt::format("{}, {} core{}, ", trace::gil_words(run.gil_mode), run.cores, run.cores == 1 ? "" : "s");
  // The job the lesson's note is about, where it finished before the run: lesson 7's reader,
  // done at 110 ms beside a hog in its own process that ends the run at 807 ms.
  const std::string jobs = run.partial() ? std::string() : named_jobs_done(run, note);
  std::vector<std::string> texts;
  if (!jobs.empty()) texts = {settings + ended + "; " + jobs, ended + "; " + jobs};
  // The flag in brief before the job leaves: lesson 7 measured on a busy machine said "done
  // at 962 ms, busy machine: not scored" and lost when its reader was done, the lesson's figure.
  if (!jobs.empty() && caveat) texts.push_back(brief + "; " + jobs);
  texts.push_back(settings + ended);
  texts.push_back(ended);
  if (caveat) {
    texts.push_back(settings + brief);  // its settings before its flag in full, as other lines say them
    texts.push_back(brief);
  }
  // Its counters, where it has any: in full after its figures, then in brief, alone at last
  // rather than its end time (lesson 15's point is what the counter came to).
  if (const auto counters = counters_text(run)) {
    const std::string counted = *counters_brief(run);
    for (std::string& t : texts) t += ", " + *counters;
    texts.push_back(brief + ", " + counted);
    texts.push_back(counted);
    return texts;
  }
  if (!run.partial() && index.metrics.finished() && !caveat && !past) texts.push_back(fmt::format("{}", run.end));
  return texts;
}

std::string folded_marks_note(std::size_t folded) {
  return counted(folded, "mark") + " folded: click to zoom in";
}

void TimelineRows::draw(ImDrawList* dl, const TimelineContext& ctx, const Row& row, float y0, RowStats& stats) {
  const float y1 = y0 + row.height;
  if (row.kind == Row::Kind::RunHeader && !row.collapsed) return;  // after every row: draw_open_header
  if (row.kind == Row::Kind::RunHeader) {
    draw_summary(dl, ctx, row, y0, y1, stats);
    return;
  }
  dl->AddLine(ImVec2(ctx.label_left, y1 - 0.5f), ImVec2(ctx.right, y1 - 0.5f), kGrid);
  draw_label(dl, ctx, row, ImVec2(ctx.label_left, y0), ImVec2(ctx.lanes_left, y1), stats);
  const LaneBox box{ctx.lanes_left, y0, ctx.right, y1};
  dl->PushClipRect(ImVec2(box.left, y0), ImVec2(box.right, y1), true);
  switch (row.kind) {
    case Row::Kind::Lane: draw_lane(dl, ctx, row, box, stats); break;
    case Row::Kind::Group: draw_group(dl, ctx, row, box, stats); break;
    case Row::Kind::BusyCores: draw_busy_cores(dl, ctx, row, box); break;
    case Row::Kind::RunHeader: break;
  }
  dl->PopClipRect();
}

void TimelineRows::draw_open_header(ImDrawList* dl, const TimelineContext& ctx, const Row& row, float y0,
                                    RowStats& stats) {
  const ImVec2 a(ctx.label_left, y0), b(ctx.right, y0 + row.height);
  const trace::Trace& run = ctx.runs[row.run];
  const bool measured = run.origin == trace::Origin::Measured;
  dl->AddRectFilled(a, b, measured ? IM_COL32(245, 232, 218, 255) : IM_COL32(225, 230, 240, 255));
  dl->AddLine(ImVec2(a.x, a.y), ImVec2(b.x, a.y), IM_COL32(120, 120, 140, 255), 1.0f);
  const float f = ImGui::GetFontSize();
  const float ty = a.y + (b.y - a.y - f) * 0.5f;
  // A triangle pointing down says the header folds.
  const float s = f * 0.3f, cx = a.x + 6 + s, cy = a.y + (b.y - a.y) * 0.5f;
  dl->AddTriangleFilled(ImVec2(cx - s, cy - s * 0.6f), ImVec2(cx + s, cy - s * 0.6f), ImVec2(cx, cy + s),
                        IM_COL32(40, 40, 60, 255));
  HeaderDrawn drawn;
  // Clear of the arrow at the right edge of a run that ends past it (draw_timeline).
  const float edge = past_axis(run, ctx) ? b.x - past_axis_marker_width(b.y - a.y, ctx.scale) - 4 : b.x;
  drawn.right = drawn.note_left = edge;
  const std::size_t folded = row.run < stats.folded_by_run.size() ? stats.folded_by_run[row.run] : 0;

  // The text, most important first: the run's name, the busy-machine flag, then its figures.
  // It stops short of the note; what does not fit ends in "..." and the tooltip says it all.
  struct Piece {
    ImFont* font;
    ImU32 colour;
    std::string text;
    bool flag = false;
  };
  // A measured run is named so in bold ("sequential (measured)"): its prediction's header above
  // says "sequential" too, and a grey "(measured)" further right left two alike headers.
  std::vector<Piece> pieces{{bold_font(), IM_COL32(0, 0, 0, 255), (measured ? run_label(run) : run_name_in_force(run)) + "  "}};
  // Its counters next: lesson 15's point, the counter's end value against the safe one.
  std::optional<std::size_t> counters_piece;
  if (const auto counters = counters_text(run)) {
    counters_piece = pieces.size();
    pieces.push_back({bold_font(), lost_updates(run) ? IM_COL32(170, 20, 0, 255) : IM_COL32(0, 110, 60, 255), *counters});
  }
  const auto judged = judge_run(ctx.runs, ctx.index, row.run);
  const auto caveat = score_caveats(run, ctx.index[row.run].unseen, judged ? &*judged : nullptr);
  if (caveat) {
    if (pieces.size() > 1) pieces.push_back({ImGui::GetFont(), IM_COL32(50, 50, 60, 255), "  -  "});
    pieces.push_back({bold_font(), IM_COL32(190, 20, 20, 255), caveat->full, true});
  }
  const int idle = run.partial() ? 0 : idle_cores(run);  // a core unused so far may run later
  // How it ended before its settings: cut at 1280 wide, "... GIL ne…" lost "(past the axis)".
  std::string ended = run_end_text(run, ctx.index[row.run], "stopped (jobs unfinished)");
  if (pieces.size() > 1) ended = "  -  " + ended;
  if (past_axis(run, ctx)) {
    pieces.push_back({bold_font(), IM_COL32(170, 60, 0, 255), ended + ", past the axis " + kPastAxisArrow});
  } else {
    pieces.push_back({ImGui::GetFont(), IM_COL32(50, 50, 60, 255), ended});
  }
  const std::size_t ended_piece = pieces.size() - 1;
  std::string what = fmt::format("  -  {}, {}, {} core{}{}", run.executor, trace::gil_words(run.gil_mode), run.cores,
                                 run.cores == 1 ? "" : "s", idle > 0 ? fmt::format(" ({} never used)", idle) : std::string());
  // A run much shorter than the view is a sliver of a few pixels: the header says so, and a
  // line marks its end (drawn down its rows by the timeline), as a trace viewer marks a
  // slice too thin to see.
  const double end_px = ctx.view_of(row.run).x_of(run.end), wide = end_px - ctx.view_of(row.run).x_of(Time{});
  if (!run.partial() && ctx.run_views.empty() && end_px >= 0 && wide < kSliverShare * (ctx.right - ctx.lanes_left)) {
    what += fmt::format("  -  only {:.0f} px wide at this zoom", std::max(1.0, std::round(wide)));
    drawn.end_line = ctx.lanes_left + static_cast<float>(end_px) + 1.0f;
  }
  if (row.run < ctx.stretches.size() && std::abs(ctx.stretches[row.run] - 1.0) > 1e-3) {
    what += fmt::format("  -  drawn {:.3g}x as wide, to end with the axis", ctx.stretches[row.run]);
  }
  // A measured run's prediction right after how it ended, before its settings (which the
  // prediction's own header says): at 1280 wide, presented, lesson 7's measured threads were
  // cut to "predicted 823 ms, 6.0%..." and lost whether the prediction was below or above.
  if (row.run < ctx.prediction_errors.size() && ctx.prediction_errors[row.run]) {
    const double error = *ctx.prediction_errors[row.run];
    const std::uint32_t p = ctx.index[row.run].predicted_by;
    pieces.push_back({ImGui::GetFont(), IM_COL32(170, 60, 0, 255),
                      fmt::format("  -  predicted {}, {:.1f}% {} the measurement", ctx.index[p].metrics.makespan,
                                  100.0 * std::abs(error), error < 0 ? "below" : "above")});
  }
  pieces.push_back({ImGui::GetFont(), IM_COL32(50, 50, 60, 255), std::move(what)});
  float x = a.x + 6 + 2 * s + 6;
  // How the run ended stays whole: where it would be cut, the folded-marks note says less
  // (presented at 1280x720, lesson 15's threads read "none lost  -  d..." beside "64 marks
  // folded: click to zoom in"), then the counters say only what was lost (at 1024x768 they
  // took the whole header).
  const auto ended_right = [&] {
    float right = x + 8;
    for (std::size_t i = 0; i <= ended_piece; ++i) right += pieces[i].font->CalcTextSizeA(f, 1e9f, 0, pieces[i].text.c_str()).x;
    return right;
  };
  std::string note = folded > 0 ? folded_marks_note(folded) : std::string();
  const auto room = [&] { return note.empty() ? edge : edge - note_width(note); };
  if (folded > 0 && ended_right() > room()) note = counted(folded, "mark") + " folded";
  bool briefed = false;
  std::string counters_whole;  // for the tooltip, where the header says them in brief
  if (counters_piece && ended_right() > room()) {
    counters_whole = pieces[*counters_piece].text;
    pieces[*counters_piece].text = counters_brief(run).value_or(counters_whole);
    briefed = true;
  }
  if (folded > 0) drawn.note_left = note_at_right(dl, note, edge, a.y, b.y);
  const float limit = drawn.note_left - (folded > 0 ? 8.0f : 2.0f);
  // The flag in brief where in full it would push how the run ended off the header ("busy
  // machine: not scored"; the tooltip and the Numbers panel say it whole): at 1280 wide,
  // lesson 14's measured run lost "past the axis".
  if (caveat) {
    float needed = x;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      needed += pieces[i].font->CalcTextSizeA(f, 1e9f, 0, pieces[i].text.c_str()).x;
      if (i > 0 && pieces[i - 1].flag) break;  // up to the end's piece, which follows the flag
    }
    if (needed > limit) {
      for (Piece& p : pieces) {
        if (p.flag) p.text = caveat->brief;
      }
      briefed = true;
    }
  }
  std::string full;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const Piece& p = pieces[i];
    full += p.flag ? caveat->full : (i == counters_piece && !counters_whole.empty() ? counters_whole : p.text);
    if (drawn.elided) continue;
    // The piece that does not fit is cut (text_layout's elide) and ends the header.
    const std::string shown = elide(p.text, limit - x, [&](std::string_view t) {
      return p.font->CalcTextSizeA(f, 1e9f, 0, t.data(), t.data() + t.size()).x;
    });
    drawn.elided = shown != p.text;
    const float w = p.font->CalcTextSizeA(f, 1e9f, 0, shown.c_str()).x;
    if (x + w <= limit) {
      dl->AddText(p.font, f, ImVec2(x, ty), p.colour, shown.c_str());
      drawn.shown += shown;
    }
    if (p.flag && !drawn.elided) {
      drawn.flag_left = x;
      drawn.flag_right = x + w;
    }
    x += w;
  }
  drawn.text_right = x;
  if ((drawn.elided || briefed) && ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(a, b)) ImGui::SetTooltip("%s", full.c_str());
  if (row.run < stats.headers.size()) stats.headers[row.run] = drawn;
}

void TimelineRows::draw_summary(ImDrawList* dl, const TimelineContext& ctx, const Row& row, float y0, float y1,
                                RowStats& stats) {
  const trace::Trace& run = ctx.runs[row.run];
  const bool measured = run.origin == trace::Origin::Measured;
  dl->AddRectFilled(ImVec2(ctx.label_left, y0), ImVec2(ctx.lanes_left, y1),
                    measured ? IM_COL32(245, 232, 218, 255) : IM_COL32(225, 230, 240, 255));
  dl->AddLine(ImVec2(ctx.label_left, y0), ImVec2(ctx.right, y0), IM_COL32(120, 120, 140, 255), 1.0f);
  const float f = ImGui::GetFontSize();
  const float s = f * 0.3f, cx = ctx.label_left + 6 + s, cy = (y0 + y1) * 0.5f;
  dl->AddTriangleFilled(ImVec2(cx - s * 0.6f, cy - s), ImVec2(cx - s * 0.6f, cy + s), ImVec2(cx + s, cy),
                        IM_COL32(40, 40, 60, 255));
  const ImVec4 clip(ctx.label_left, y0, ctx.lanes_left - 2, y1);
  // The whole name where it fits, else in a smaller face, else a shorter form (run_label_forms),
  // the whole in the tooltip.
  const bool under_prediction = measured && ctx.index[row.run].predicted_by != row.run &&
                                ctx.index[row.run].predicted_by < ctx.runs.size();
  const std::vector<std::string> forms = run_label_forms(run, under_prediction);
  const float name_x = ctx.label_left + collapsed_name_indent();
  const float room = clip.z - name_x;
  float name_size = f;
  const auto name_width = [&](std::string_view t) {
    return bold_font()->CalcTextSizeA(name_size, 1e9f, 0, t.data(), t.data() + t.size()).x;
  };
  std::size_t form = 0;
  if (name_width(forms.front()) > room) {
    name_size = f * kSmallerName;
    if (name_width(forms.front()) > room) {
      name_size = f;
      form = first_that_fits(forms, room, name_width).value_or(forms.size() - 1);
    }
  }
  const std::string& name = forms[form];
  add_elided_text(dl, bold_font(), name_size, ImVec2(name_x, y0 + (y1 - y0 - name_size) * 0.5f), IM_COL32(0, 0, 0, 255), name, clip);
  if (row.run < stats.collapsed_names.size()) stats.collapsed_names[row.run] = elide(name, room + 0.5f, name_width);
  if (name_width(name) > room || form > 0) {
    if (ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(ImVec2(ctx.label_left, y0), ImVec2(ctx.lanes_left, y1))) {
      ImGui::SetTooltip("%s", forms.front().c_str());
    }
  }
  const LaneBox box{ctx.lanes_left, y0, ctx.right, y1};
  const TimeView& view = ctx.view_of(row.run);
  // The run's figures (summary_texts), the fullest that fits where the line draws nothing:
  // just after its end, else in a free stretch of its lane before it, never over its bars,
  // their marks or the GIL badge. Where no free stretch holds even its end time (a run as long
  // as the view), a lane that draws little is drawn lower on its line and the figures above it,
  // ending where the run ends; a lane of long bars (lesson 9's Pool(2), its two workers busy
  // throughout) keeps its height and says them on hover.
  const auto judged = judge_run(ctx.runs, ctx.index, row.run);
  const bool past = past_axis(run, ctx);
  const std::vector<std::string> texts = summary_texts(run, ctx.index[row.run], judged ? &*judged : nullptr, ctx.note, past);
  const float text_size = f * 0.8f;
  // Clear of the arrow at the right edge of a run that ends past it (draw_timeline).
  const float right_edge = box.right - 4 - (past ? past_axis_marker_width(y1 - y0, ctx.scale) : 0.0f);
  const auto width_of = [&](std::string_view t) {
    return ImGui::GetFont()->CalcTextSizeA(text_size, 1e9f, 0, t.data(), t.data() + t.size()).x;
  };
  // A pool's line draws its worker processes, each running under a GIL of its own, as their
  // aggregate; any other run's, its summary lane.
  const bool shows_group = row.group != trace::kNone && row.group < ctx.index[row.run].groups.size();
  const std::vector<trace::LaneId> lanes = summary_line_lanes(ctx.index[row.run]);
  std::vector<std::pair<float, float>> drawn = line_drawn(run, ctx.index[row.run], lanes, view, f, items_);
  for (auto& [a, b] : drawn) {
    a += box.left;
    b += box.left;
  }
  // How much of the line its bars cover, without the room kept beside each for a dot (a
  // lane of tiny marks, lesson 18's measured executor, draws little).
  float bars_cover = 0;
  for (const auto& [from, to] : drawn) bars_cover += std::max(1.0f, (to - from) - 2 * f * 0.35f);
  // Figures drawn above the lane start clear of the GIL badge, which is as tall as the line.
  float clear_left = box.left;
  for (const TimelineContext::Badge& b : ctx.badges) {
    if (b.run != row.run || b.y < y0 || b.y >= y1) continue;
    drawn.push_back(b.x);
    clear_left = std::max(clear_left, b.x.second);
  }
  const float end_x = box.left + static_cast<float>(view.x_of(run.end));
  std::string said;
  ScreenRect said_at{};
  // After its end first, the fullest text that fits there; else in a free stretch before it,
  // with an arrow to say the run goes on ("done at 480 ms →"): the built-in scenario presented
  // at 1280x720 said "done at 480 ms" between its sequential run's bars at 130-230 ms.
  for (const bool after_end : {true, false}) {
    for (const std::string& text : texts) {
      const std::string shown = after_end || text.ends_with(kPastAxisArrow) ? text : text + " " + kPastAxisArrow;
      const float w = width_of(shown);
      const auto at = free_spot(box.left, right_edge, drawn, w, end_x + 8, 4);
      if (at && (!after_end || *at >= end_x + 8)) {
        said = shown;
        said_at = ScreenRect{*at, y0 + (y1 - y0 - text_size) * 0.5f, *at + w, y0 + (y1 - y0 + text_size) * 0.5f};
        break;
      }
    }
    if (!said.empty()) break;
  }
  // The run's settings as every other collapsed line says them ("new GIL, 4 cores, done at
  // 807 ms"), above its lane, rather than its end alone in a gap of its marks.
  const std::string settings = fmt::format("{}, ", trace::gil_words(run.gil_mode));
  const auto says_settings = [&](const std::string& t) { return t.starts_with(settings); };
  const float above = right_edge - clear_left - 4;  // the room above the lane
  std::optional<std::size_t> fits;
  for (std::size_t i = 0; i < texts.size() && !fits; ++i) {
    if (says_settings(texts[i]) && width_of(texts[i]) <= above) fits = i;
  }
  // Only over a lane that draws little there: a lane of long bars (lesson 1's sequential run)
  // keeps its height, and its end said after it.
  const bool sparse = bars_cover < kSparseLine * (right_edge - box.left);
  if (fits && sparse && !said.empty() && !says_settings(said)) said.clear();
  if (!fits) fits = first_that_fits(texts, above, width_of);
  LaneBox lane_box = box;
  // Above a lane that draws little, or one whose run a flag says not to trust (lesson 14
  // measured on a busy machine: "not scored"): a lane of long bars drawn lower is a sliver that
  // reads as a free GIL (lesson 1's sequential run zoomed in on its first 900 ms, its end past
  // the axis), so a line with figures alone says them on hover instead.
  const auto flagged = [&] { return score_caveats(run, ctx.index[row.run].unseen, judged ? &*judged : nullptr).has_value(); };
  if (said.empty() && fits && (sparse || flagged())) {
    said = texts[*fits];
    const float w = width_of(said);
    const float right = std::clamp(end_x, clear_left + 4 + w, right_edge);
    said_at = ScreenRect{right - w, y0, right, y0 + text_size};
    lane_box.top = said_at.bottom + 1;
  }
  // A pool's line says its figures in the group's hover (timeline_input), once.
  if (said.empty() && !shows_group && ImGui::IsWindowHovered() &&
      ImGui::IsMouseHoveringRect(ImVec2(box.left, y0), ImVec2(box.right, y1)) && !texts.empty()) {
    ImGui::SetTooltip("%s", texts.front().c_str());
  }
  dl->PushClipRect(ImVec2(box.left, y0), ImVec2(box.right, y1), true);
  if (shows_group) {
    paint_group(dl, ctx, row.run, row.group, lane_box, summary_group_height(run, ctx.index[row.run].groups[row.group]));
  } else if (row.lane != trace::kNone) {
    draw_lane(dl, ctx, row, lane_box, stats);
  }
  if (!said.empty()) {
    dl->AddText(ImGui::GetFont(), text_size, ImVec2(said_at.left, said_at.top), IM_COL32(50, 50, 60, 255), said.c_str());
  }
  // Presenting, a run the fit left on one line says how to open it where its line has room:
  // lesson 2 at 1280x720 shows its ten threads each on a row, and its asyncio run on a line.
  if (ctx.presenting) {
    const std::string how = "click the name to open";
    std::vector<std::pair<float, float>> taken = drawn;
    if (!said.empty()) taken.emplace_back(said_at.left - 8, said_at.right + 8);
    const float w = width_of(how);
    if (const auto at = free_spot(box.left, right_edge, taken, w, right_edge - w, 4)) {
      dl->AddText(ImGui::GetFont(), text_size, ImVec2(*at, y0 + (y1 - y0 - text_size) * 0.5f), IM_COL32(90, 90, 110, 255),
                  how.c_str());
      if (row.run < stats.open_hints.size()) stats.open_hints[row.run] = how;
    }
  }
  if (row.run < stats.summaries.size()) stats.summaries[row.run] = said;
  if (row.run < stats.summary_boxes.size()) {
    stats.summary_boxes[row.run] = said_at;
    stats.summary_lanes[row.run] = ScreenRect{lane_box.left, lane_box.top, lane_box.right, lane_box.bottom};
  }
  dl->PopClipRect();
}

void TimelineRows::draw_label(ImDrawList* dl, const TimelineContext& ctx, const Row& row, ImVec2 a, ImVec2 b,
                              RowStats& stats) {
  const float h = b.y - a.y;
  const float f = ImGui::GetFontSize();
  const float text_h = std::min(f, h + 1);
  const auto drawn_at = [&] {
    stats.smallest_label = stats.smallest_label > 0 ? std::min(stats.smallest_label, text_h) : text_h;
  };
  const float ty = a.y + (h - text_h) * 0.5f;
  const ImVec4 clip(a.x, a.y, b.x - 2, b.y);
  float x = a.x + 6;
  if (row.kind == Row::Kind::BusyCores) {
    if (ctx.presenting) return;  // too thin for the body text: the legend says it
    const std::string text = fmt::format("cores busy (of {})", ctx.runs[row.run].cores);
    drawn_at();
    add_elided_text(dl, ImGui::GetFont(), text_h, ImVec2(x, ty), IM_COL32(60, 60, 80, 255), text, clip);
    return;
  }
  if (row.kind == Row::Kind::Group) {
    const LaneGroup& g = ctx.index[row.run].groups[row.group];
    const std::string text = "+ " + g.label;
    drawn_at();
    add_elided_text(dl, bold_font(), text_h, ImVec2(x, ty), kLabelText, text, clip);
    return;
  }
  const trace::Trace& run = ctx.runs[row.run];
  const trace::Lane& lane = run.lanes[row.lane];
  if (lane.kind == LaneKind::Task) x += h * 0.6f;  // tasks sit under their loop's thread
  const std::uint32_t ordinal = ctx.index[row.run].identity[row.lane];
  if (ordinal != trace::kNone) {
    const float s = h * 0.55f;
    const ImVec2 p0(x, a.y + (h - s) * 0.5f), p1(x + s, a.y + (h + s) * 0.5f);
    paint_identity_swatch(dl, p0, p1, ordinal);
    x += s + 5;
  }
  ImFont* font = lane.kind == LaneKind::Gil ? bold_font() : ImGui::GetFont();
  drawn_at();
  add_elided_text(dl, font, text_h, ImVec2(x, ty), kLabelText, ctx.index[row.run].lane_labels[row.lane], clip);
}

void TimelineRows::draw_lane(ImDrawList* dl, const TimelineContext& ctx, const Row& row, const LaneBox& box,
                             RowStats& stats) {
  const trace::Trace& run = ctx.runs[row.run];
  const RunIndex& index = ctx.index[row.run];
  const trace::Lane& lane = run.lanes[row.lane];
  if (lane.kind == LaneKind::Gil) dl->AddRectFilled(ImVec2(box.left, box.top), ImVec2(box.right, box.bottom), IM_COL32(246, 246, 240, 255));
  items_.clear();
  build_draw_items(lane.spans, ctx.view_of(row.run), items_, {}, index.covered_prefix[row.lane]);
  // Job-done dots: every one at least 2 px from the one before is drawn. Other glyphs are
  // bigger and keep a few pixels apart. What is left out is counted, for the header.
  marks_.clear();
  std::size_t folded = 0;
  std::size_t glyphs = 0;
  if (ctx.show_marks) {
    folded += visible_marks(run, index.glyph_marks[row.lane], ctx.view_of(row.run), 5.0 * ctx.scale, marks_,
                            index.telling_marks[row.lane]);
    glyphs = marks_.size();
    folded += visible_marks(run, index.job_end_marks[row.lane], ctx.view_of(row.run), 2.0, marks_);
  }
  // Marks too close to be drawn apart are drawn compact, on the lane's edge: never over the
  // state they sit on. Glyphs and job-done dots are told apart each among their own.
  mark_x_.clear();
  compact_.clear();
  for (const auto& [from, to] : {std::pair{std::size_t{0}, glyphs}, std::pair{glyphs, marks_.size()}}) {
    std::vector<float> xs, widths;
    for (std::size_t i = from; i < to; ++i) {
      const trace::Mark& mark = run.marks[marks_[i]];
      xs.push_back(box.left + static_cast<float>(ctx.view_of(row.run).x_of(mark.at)));
      const auto [l, r] = mark_extent(mark.kind, xs.back(), box);
      widths.push_back(r - l);
    }
    const std::vector<bool> compact = compact_marks(xs, widths);
    mark_x_.insert(mark_x_.end(), xs.begin(), xs.end());
    compact_.insert(compact_.end(), compact.begin(), compact.end());
  }
  // A bar's label keeps clear of the GIL badge and of the marks drawn over the bar.
  keep_clear_.clear();
  add_badges_over(ctx, row.run, box, keep_clear_);
  for (std::size_t i = 0; i < marks_.size(); ++i) {
    const trace::MarkKind kind = run.marks[marks_[i]].kind;
    keep_clear_.push_back(mark_extent(kind, mark_x_[i], box, compact_[i]));
    const auto [y0, y1] = mark_band(kind, box, compact_[i]);
    stats.mark_boxes.push_back(ScreenRect{keep_clear_.back().first, y0, keep_clear_.back().second, y1});
  }
  std::sort(keep_clear_.begin(), keep_clear_.end());
  labels_.clear();
  paint_lane_items(dl, LaneColouring{&run, &index.identity}, lane, items_, box, keep_clear_, &labels_);
  for (const LaneBox& l : labels_) stats.labels.push_back(ScreenRect{l.left, l.top, l.right, l.bottom});
  if (lane.kind == LaneKind::Gil) {
    for (const GilContention& c : index.contention) {
      if (c.process != lane.process) continue;
      if (gil_inferred(run)) {  // a recording's GIL: say where threads waited and no holder was seen
        const TimeView& view = ctx.view_of(row.run);
        items_.clear();
        build_draw_items(unseen_holder(lane.spans, c.spans, view.time_at(0), view.time_at(view.width_px())), view,
                         items_);
        unseen_.clear();
        paint_unseen_holder(dl, items_, box, &unseen_);
        const ImVec2 mouse = ImGui::GetIO().MousePos;
        if (ImGui::IsWindowHovered() && mouse.y >= box.top && mouse.y < box.bottom &&
            std::any_of(unseen_.begin(), unseen_.end(), [&](const auto& u) { return mouse.x >= u.first && mouse.x < u.second; })) {
          ImGui::SetTooltip("holder not seen: threads waited for the GIL while the recorder saw no thread of this\n"
                            "process run Python. The last holder kept the GIL while the OS had taken its core, or\n"
                            "it let the GIL go to a thread still waiting for a core (a busy machine): a recording\n"
                            "cannot tell which (docs/cpython-traces.md).");
        }
      }
      items_.clear();
      build_draw_items(c.spans, ctx.view_of(row.run), items_);
      paint_contention(dl, items_, c.most_waiters, box);
    }
    if (ctx.show_marks && row.lane < index.races_lost.size() && !index.races_lost[row.lane].empty()) {
      lost_races_in_view(run, index.races_lost[row.lane], ctx.view_of(row.run), 4.0 * ctx.scale, lost_);
      // Its count keeps clear of what the playhead brings over the lane: the count is the
      // number lesson 11 is built on, and a chip over it left "es lost".
      over_gil_.clear();
      add_badges_over(ctx, row.run, box, over_gil_);
      for (const QueueChipDrawn& c : ctx.queue_chips) {
        const float y = (c.top + c.bottom) * 0.5f;
        if (c.run == row.run && y >= box.top && y < box.bottom) over_gil_.emplace_back(c.left, c.right);
      }
      if (row.run < ctx.playhead_x.size() && !std::isnan(ctx.playhead_x[row.run])) {
        over_gil_.emplace_back(ctx.playhead_x[row.run] - 1, ctx.playhead_x[row.run] + 1);
      }
      if (const auto count = paint_lost_races(dl, lost_, box, over_gil_)) {
        stats.race_counts.push_back({row.run, band_label(lost_)->text, ScreenRect{count->left, count->top, count->right, count->bottom}});
      }
    }
  }
  // A deadlock's lanes wait forever: drawn on from the run's end to the right edge.
  for (const StuckLane& stuck : index.stuck) {
    if (stuck.lane != row.lane) continue;
    const float x0 = std::max(box.left, box.left + static_cast<float>(ctx.view_of(row.run).x_of(run.end)));
    if (x0 >= box.right) break;
    const std::uint32_t ordinal = stuck.holder < index.identity.size() ? index.identity[stuck.holder] : trace::kNone;
    const ImU32 fill = stuck.holder == trace::kNone ? to_u32(state_colour(trace::SpanState::WaitingLock))
                       : ordinal == trace::kNone   ? IM_COL32(90, 90, 90, 255)
                                                   : to_u32(identity_colour(ordinal));
    if (const auto label = paint_deadlocked(dl, x0, fill, box, stuck_label(run, stuck), keep_clear_)) {
      stats.labels.push_back(ScreenRect{label->left, label->top, label->right, label->bottom});
    }
    stats.stuck_tails.push_back(ScreenRect{x0, box.top, box.right, box.bottom});
  }
  if (ctx.selected && ctx.selected->run == row.run && ctx.selected->lane == row.lane) {
    const trace::Span& s = lane.spans[ctx.selected->span];
    const float x0 = box.left + static_cast<float>(ctx.view_of(row.run).x_of(s.begin));
    const float x1 = box.left + static_cast<float>(ctx.view_of(row.run).x_of(s.end));
    dl->AddRect(ImVec2(x0 - 1, box.top), ImVec2(std::max(x1, x0 + 2) + 1, box.bottom), IM_COL32(0, 0, 0, 255), 0, 0, 2.5f);
  }
  if (!ctx.show_marks) return;
  for (std::size_t i = 0; i < marks_.size(); ++i) paint_mark(dl, run.marks[marks_[i]].kind, mark_x_[i], box, compact_[i]);
  if (row.run < stats.marks_drawn.size()) {
    stats.marks_drawn[row.run].insert(stats.marks_drawn[row.run].end(), marks_.begin(), marks_.end());
  }
  stats.marks_folded += folded;
  if (row.run < stats.folded_by_run.size()) stats.folded_by_run[row.run] += folded;
}

void TimelineRows::draw_group(ImDrawList* dl, const TimelineContext& ctx, const Row& row, const LaneBox& box,
                              RowStats& stats) {
  const trace::Trace& run = ctx.runs[row.run];
  const LaneGroup& g = ctx.index[row.run].groups[row.group];
  dl->AddRectFilled(ImVec2(box.left, box.top), ImVec2(box.right, box.bottom), IM_COL32(250, 250, 250, 255));
  const GroupIndex* group_index =
      paint_group(dl, ctx, row.run, row.group, box, static_cast<float>(std::max<std::size_t>(1, g.most_at_once)));
  // The aggregate draws no marks: the note says how many its lanes hold in view (no silent drop).
  std::size_t marks = 0;
  if (ctx.show_marks) {
    const RunIndex& index = ctx.index[row.run];
    const TimeView& view = ctx.view_of(row.run);
    if (group_index) {
      marks = group_index->marks_between(view.time_at(0), view.time_at(view.width_px()));
    } else {
      for (trace::LaneId l : g.hidden) {
        if (l < index.glyph_marks.size()) marks += marks_in_view(run, index.glyph_marks[l], view);
        if (l < index.job_end_marks.size()) marks += marks_in_view(run, index.job_end_marks[l], view);
      }
    }
  }
  if (row.run < stats.marks_in_groups.size()) stats.marks_in_groups[row.run] += marks;
  // Lost updates are a lesson's point: the aggregate draws them too, one per few pixels
  // (where its lanes hold too many marks to look through each frame, the count alone says it).
  constexpr std::size_t kMarksLookedThrough = 50'000;
  if (ctx.show_marks && marks > 0 && marks <= kMarksLookedThrough) {
    const RunIndex& index = ctx.index[row.run];
    const TimeView& view = ctx.view_of(row.run);
    marks_.clear();
    for (trace::LaneId l : g.hidden) {
      if (l >= index.glyph_marks.size()) continue;
      const auto& lane_marks = index.glyph_marks[l];
      auto it = std::lower_bound(lane_marks.begin(), lane_marks.end(), view.time_at(0),
                                 [&](std::uint32_t m, Time t) { return run.marks[m].at < t; });
      for (; it != lane_marks.end() && run.marks[*it].at <= view.time_at(view.width_px()); ++it) {
        if (run.marks[*it].kind == trace::MarkKind::LostUpdate) marks_.push_back(*it);
      }
    }
    std::sort(marks_.begin(), marks_.end(), [&](std::uint32_t a, std::uint32_t b) { return run.marks[a].at < run.marks[b].at; });
    double last = -1e9;
    for (std::uint32_t m : marks_) {
      const double x = view.x_of(run.marks[m].at);
      if (x - last < 5.0 * ctx.scale) continue;
      last = x;
      paint_mark(dl, trace::MarkKind::LostUpdate, box.left + static_cast<float>(x), box);
      if (row.run < stats.marks_drawn.size()) stats.marks_drawn[row.run].push_back(m);
    }
  }
  // The note at the row's right end: after the aggregate's last column where it fits there
  // (lesson 7's worker processes, whose bar ends at 807 ms, had its end under "3 marks
  // inside: click to expand"), else over its end, shortened, or left to the tooltip where it
  // would hide more than two fifths of the row.
  int last_drawn = -1;
  for (int c = density_.columns() - 1; c >= 0 && last_drawn < 0; --c) {
    if (density_.total(c) > 0) last_drawn = c;
  }
  const float clear = box.right - (box.left + static_cast<float>(last_drawn + 1)) - 6;
  const std::vector<std::string> notes =
      marks > 0 ? std::vector<std::string>{group_note(g, marks), counted(marks, "mark") + " inside: click to expand",
                                           counted(marks, "mark") + " inside", "click to expand", counted(marks, "mark")}
                : std::vector<std::string>{group_note(g, marks), "click to expand"};
  for (const float room : {clear, (box.right - box.left) * 0.4f}) {
    // Its pill, and 2 pixels clear of the row's edge.
    const auto fits = std::find_if(notes.begin(), notes.end(), [&](const std::string& n) { return note_width(n) + 2 <= room; });
    if (fits != notes.end()) {
      const float left = note_at_right(dl, *fits, box.right, box.top, box.bottom);
      stats.group_notes.push_back({row.run, *fits, left, box.left + static_cast<float>(last_drawn + 1)});
      break;
    }
  }
}

const GroupIndex* TimelineRows::paint_group(ImDrawList* dl, const TimelineContext& ctx, std::uint32_t run,
                                            std::uint32_t group, const LaneBox& box, float full) {
  const LaneGroup& g = ctx.index[run].groups[group];
  density_.reset(ctx.view_of(run), static_cast<int>(std::ceil(box.right - box.left)));
  // Counted when the run was indexed (with the group, from the same run); a preview's, or a
  // group's folded only by a fit or a click, span by span.
  const std::vector<GroupIndex>& indexed = ctx.index[run].group_index;
  const GroupIndex* group_index = group < indexed.size() && indexed[group].built ? &indexed[group] : nullptr;
  if (group_index) {
    density_.add(group_index->states);
  } else {
    for (trace::LaneId l : g.members) density_.add(ctx.runs[run].lanes[l].spans);
  }
  density_.finish();
  paint_density(dl, density_, full, box);
  return group_index;
}

void TimelineRows::draw_busy_cores(ImDrawList* dl, const TimelineContext& ctx, const Row& row, const LaneBox& box) {
  const trace::Trace& run = ctx.runs[row.run];
  dl->AddRectFilled(ImVec2(box.left, box.top + 1), ImVec2(box.right, box.bottom - 1), IM_COL32(226, 231, 240, 255));
  density_.reset(ctx.view_of(row.run), static_cast<int>(std::ceil(box.right - box.left)));
  for (const trace::Lane& l : run.lanes) {
    if (l.kind == LaneKind::Core) density_.add(l.spans);
  }
  density_.finish();
  paint_counter(dl, density_, static_cast<float>(std::max(1, run.cores)), kBusyCores, box);
}

}  // namespace gilsim::viz::ui
