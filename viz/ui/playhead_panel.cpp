// "At the playhead": per run, who holds each GIL, who waits and for how long, pending drop
// requests, what each core runs, the event loop's queues and the pool's queued work.
#include <algorithm>

#include <fmt/format.h>

#include "sim/trace/native_kind.hpp"
#include "sim/trace/outcomes.hpp"
#include "viz/hit_test.hpp"
#include "viz/palette.hpp"
#include "viz/playhead_state.hpp"
#include "viz/text_layout.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/timeline_input.hpp"
#include "viz/ui/timeline_painter.hpp"
#include "viz/ui/theme.hpp"
#include "viz/unseen_holder.hpp"

namespace gilsim::viz::ui {

namespace {

/// A coloured square then the lane's name, inline.
void lane_chip(const AppState& app, std::uint32_t r, const trace::Trace& run, trace::LaneId lane) {
  if (lane >= run.lanes.size()) {
    ImGui::TextUnformatted("-");
    return;
  }
  const std::uint32_t ordinal = app.runs[r].identity[lane];
  if (ordinal != trace::kNone) {
    const float s = ImGui::GetFontSize() * 0.8f;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float dy = (ImGui::GetTextLineHeight() - s) * 0.5f;
    paint_identity_swatch(ImGui::GetWindowDrawList(), ImVec2(p.x, p.y + dy), ImVec2(p.x + s, p.y + dy + s), ordinal);
    ImGui::Dummy(ImVec2(s, s));
    ImGui::SameLine(0, 4);
  }
  ImGui::TextUnformatted(app.runs[r].lane_labels[lane].c_str());
}

/// How wide lane_chip draws `lane`, so a row of chips can wrap before one would be cut.
float chip_width(const AppState& app, std::uint32_t r, const trace::Trace& run, trace::LaneId lane) {
  if (lane >= run.lanes.size()) return text_width("-");
  const float square = app.runs[r].identity[lane] != trace::kNone ? ImGui::GetFontSize() * 0.8f + 4 : 0.0f;
  return square + text_width(app.runs[r].lane_labels[lane]);
}

/// "task 2, task 3 (sleep 10 ms at 12.0 ms), ... and 4990 more": long queues stay one glance.
const ImVec4 kWaitingColour(0.70f, 0.25f, 0.0f, 1.0f);

/// "waiting: [T2] 680 us [T1] 460 us ... and 9990 more": at most eight of the `waiting`
/// (`waiters`: the longest waiting first, at least eight of them when there are more).
void draw_waiters(const AppState& app, std::uint32_t r, const trace::Trace& run, const char* label,
                  const std::vector<GilWaiter>& waiters, std::size_t waiting) {
  if (waiting == 0) return;
  constexpr std::size_t kShown = kWaitersListed;
  ImGui::TextColored(kWaitingColour, "%s", label);
  for (std::size_t i = 0; i < waiters.size() && i < kShown; ++i) {
    // A chip and its wait move to the next line together when they would be cut.
    const GilWaiter& w = waiters[i];
    const std::string waited = format_time(w.waited);
    same_line_or_wrap(chip_width(app, r, run, w.lane) + 3 + text_width(waited));
    lane_chip(app, r, run, w.lane);
    ImGui::SameLine(0, 3);
    ImGui::TextColored(kWaitingColour, "%s", waited.c_str());
  }
  if (waiting > kShown) {
    const std::string more = fmt::format("... and {} more", trace::group_digits(static_cast<std::int64_t>(waiting - kShown)));
    same_line_or_wrap(text_width(more));
    ImGui::TextColored(kWaitingColour, "%s", more.c_str());
  }
}

/// After a label: "[T1] holds it, for 3.00 ms", the chip and the words each moving to the
/// next line rather than be cut.
void holds_it(const AppState& app, std::uint32_t r, const trace::Trace& run, trace::LaneId holder, Time held) {
  same_line_or_wrap(chip_width(app, r, run, holder));
  lane_chip(app, r, run, holder);
  const std::string text = fmt::format("holds it, for {}", format_time(held));
  same_line_or_wrap(text_width(text));
  ImGui::TextUnformatted(text.c_str());
}

/// A timer's "(sleep 100ms, due at 100 ms)", or "(sleep 100ms, due at 100 ms, 1.98 ms ago)"
/// where the loop has not run it yet; an await's "(io 20ms, until 40 ms)".
std::string task_times(const TaskAtPlayhead& t, bool timer, Time now) {
  // To the microsecond: a timer due at 100.020 ms, seen 1.98 ms later at 102 ms, adds up.
  const std::string until = format_time_to(t.until, Time{1'000});
  if (!timer) return fmt::format(" ({}, until {})", t.what, until);
  if (t.until > now) return fmt::format(" ({}, due at {})", t.what, until);
  return fmt::format(" ({}, due at {}, {} ago)", t.what, until, format_time(now - t.until));
}

std::string task_list(const trace::Trace& run, const std::vector<TaskAtPlayhead>& tasks, bool with_times, bool timers,
                      Time now) {
  constexpr std::size_t kShown = 10;
  std::string out;
  for (const TaskAtPlayhead& t : tasks) {
    if (&t - tasks.data() == static_cast<std::ptrdiff_t>(kShown)) {
      out += fmt::format(", ... and {} more", trace::group_digits(static_cast<std::int64_t>(tasks.size() - kShown)));
      break;
    }
    if (!out.empty()) out += ", ";
    out += run.lanes[t.task].name;
    if (with_times) out += task_times(t, timers, now);
  }
  return out.empty() ? "empty" : out;
}

/// Where the panel goes on below its foot (it scrolls), says so on its first line, right of
/// `title_right`, at `top`: a short panel cut mid-line read from the back of a room as the end
/// of what there is (lesson 9 presented at 1280x720: four GILs of workers, the last cut in
/// half). Returns whether it was said.
bool more_below_cue(float title_right, float top) {
  if (ImGui::GetScrollMaxY() - ImGui::GetScrollY() < 1.0f) return false;
  const char* text = "more below";
  const float f = ImGui::GetFontSize();
  const float triangle = f * 0.6f, w = text_width(text) + 6 + triangle;
  const float right = items_right_edge();
  const float left = right - w;
  if (left < title_right + f) return false;  // never over the time
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 ink = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  dl->AddText(ImVec2(left, top), ink, text);
  const float x = right - triangle, y = top + (ImGui::GetTextLineHeight() - triangle * 0.8f) * 0.5f;
  dl->AddTriangleFilled(ImVec2(x, y), ImVec2(x + triangle, y), ImVec2(x + triangle * 0.5f, y + triangle * 0.8f), ink);
  return true;
}

}  // namespace

void draw_playhead_state(AppState& app) {
  const auto& runs = app.session.runs();
  const Time playhead = app.playback.now();
  ImGui::PushFont(bold_font());
  // Presenting, the panel has no title bar (draw_frame): its first line names it.
  ImGui::Text(app.presentation ? "At the playhead: %s" : "At %s", format_time_to(playhead, shown_resolution(app.view)).c_str());
  ImGui::PopFont();
  app.playhead_more_below = more_below_cue(ImGui::GetItemRectMax().x, ImGui::GetItemRectMin().y);
  const ImVec4& waiting_colour = kWaitingColour;
  // The runs the timeline shows open first, then the folded ones as one header each: lesson
  // 09 presented at 1280x720 put Pool(8), the one the lesson is about, under three headers
  // at the panel's foot. Among each, in the order a fit opens them: the lesson's featured run,
  // then by their threads' waiting, the sequential baseline last (lesson 16's deadlock was
  // under the sequential run, below the fold of a short panel).
  const std::vector<RunFolding>& shown = app.timeline.options.folding;
  const auto folded_on_timeline = [&](std::uint32_t r) { return r < shown.size() && shown[r].collapsed; };
  const std::vector<double> priority = fit_priorities(app);
  const auto priority_of = [&](std::uint32_t r) { return r < priority.size() ? priority[r] : 0.0; };
  std::vector<std::uint32_t> order = stacking_order(runs);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (folded_on_timeline(a) != folded_on_timeline(b)) return !folded_on_timeline(a);
    return priority_of(a) > priority_of(b);
  });
  app.playhead_lesson_lines_bottom = 0;
  for (std::uint32_t r : order) {
    const trace::Trace& run = runs[r];
    // A run that ended in a deadlock stopped there: past its end it is shown as it stood at
    // the deadlock, its locks held and their waiters waiting, rather than as all free.
    const bool frozen = app.runs[r].deadlocked && playhead >= run.end && run.end > Time::zero();
    const Time now = frozen ? run.end : playhead;
    const PlayheadState state =
        frozen ? state_at_deadlock(run, app.runs[r].playhead) : state_at(run, app.runs[r].playhead, now);
    ImGui::PushID(static_cast<int>(r));
    // One folding per run: a run folded on the timeline (presenting, the baseline) is folded
    // here, so the runs the timeline shows come first in a short panel; a click here folds
    // or opens it on the timeline too.
    const bool folded = folded_on_timeline(r);
    ImGui::SetNextItemOpen(!folded, ImGuiCond_Always);
    const bool open = ImGui::CollapsingHeader(run_label(run).c_str());
    if (open == folded) toggle_run(app, shown, r);
    if (!open) {
      ImGui::PopID();
      continue;
    }
    ImGui::Indent(ImGui::GetFontSize() * 0.5f);
    // Where the lines a lesson points at end (the deadlock, the holders and waiters, the loop).
    float lesson_lines_bottom = 0;
    const auto lesson_lines_end = [&] { lesson_lines_bottom = ImGui::GetItemRectMax().y; };
    if (frozen) {
      ImGui::PushStyleColor(ImGuiCol_Text, waiting_colour);
      // Two lines at 1280x720 presented, not three: lesson 16's second lock was cut under it.
      ImGui::TextWrapped("deadlock at %s, shown as it stood: each thread waits for a lock another holds",
                         format_time(run.end).c_str());
      ImGui::PopStyleColor();
      lesson_lines_end();
    }
    // A finished run: its interpreters are gone, and with them their GILs ("free" read as one
    // still there to take).
    if (!frozen && playhead > run.end) {
      ImGui::TextDisabled("finished at %s: no interpreter left", format_time(run.end).c_str());
    }
    for (const ProcessAtPlayhead& p : state.processes) {
      if (!p.has_gil || (!frozen && playhead > run.end)) continue;
      const bool several = state.processes.size() > 1;
      if (several && p.holder == trace::kNone && p.waiting == 0) continue;  // idle workers say nothing
      // "GIL of main" read as the main thread's: it is the parent process's.
      const std::string& process = run.processes[p.process].name;
      ImGui::TextUnformatted(!several          ? "GIL:"
                             : process == "main" ? "GIL of the main process:"
                                                 : fmt::format("GIL of {}:", process).c_str());
      // Each part after the label moves to the next line rather than be cut.
      const auto words = [](const char* text) {
        same_line_or_wrap(text_width(text));
        ImGui::TextUnformatted(text);
      };
      if (p.holder == trace::kNone && p.waiting > 0 && gil_inferred(run)) {
        // A recording saw nobody run Python: its last holder may keep it off a core, or a
        // woken thread may wait for a core to take it (docs/cpython-traces.md).
        words("holder not seen");
        if (p.next_holder < run.lanes.size()) {
          const std::string next = "; next seen holding it:";
          same_line_or_wrap(text_width(next), 0);
          ImGui::TextUnformatted(next.c_str());
          same_line_or_wrap(chip_width(app, r, run, p.next_holder));
          lane_chip(app, r, run, p.next_holder);
          const std::string when = fmt::format("(in {})", format_time(p.next_held_at - now));
          same_line_or_wrap(text_width(when));
          ImGui::TextUnformatted(when.c_str());
        }
      } else if (p.holder == trace::kNone && p.next_holder < run.lanes.size() && p.waiting > 0) {
        // The hand-off instant: dropped, and the woken thread takes it a moment later.
        words("being handed over to");
        same_line_or_wrap(chip_width(app, r, run, p.next_holder));
        lane_chip(app, r, run, p.next_holder);
        const std::string takes = fmt::format("(takes it in {})", format_time(p.next_held_at - now));
        same_line_or_wrap(text_width(takes));
        ImGui::TextUnformatted(takes.c_str());
      } else if (p.holder == trace::kNone) {
        words("free");
      } else {
        holds_it(app, r, run, p.holder, now - p.held_since);
      }
      draw_waiters(app, r, run, "waiting:", p.waiters, p.waiting);
      if (p.drop_requested) {
        ImGui::PushStyleColor(ImGuiCol_Text, waiting_colour);
        ImGui::TextWrapped("drop request from %s, %s ago: the holder drops the GIL at its next check",
                           run.lanes[p.drop_requester].name.c_str(), format_time(now - p.drop_requested_at).c_str());
        ImGui::PopStyleColor();
      }
      lesson_lines_end();
    }
    // Locks: "lock ledger_lock: T2 holds it, for 3.00 ms; waiting: T3 1.20 ms".
    for (const LockAtPlayhead& lock : state.locks) {
      ImGui::TextUnformatted(fmt::format("{}:", run.lanes[lock.lock].name).c_str());
      if (lock.holder == trace::kNone) {
        ImGui::SameLine();
        ImGui::TextUnformatted("free");
      } else {
        holds_it(app, r, run, lock.holder, now - lock.held_since);
      }
      draw_waiters(app, r, run, lock_waiters_words(run, lock), lock.waiters, lock.waiters.size());
      lesson_lines_end();
    }
    // What the event loop does, before the cores: lesson 4 at 1280x720 cut "stuck in task 2's
    // blocking call" under four idle cores.
    for (const LoopAtPlayhead& loop : state.loops) {
      ImGui::TextWrapped("event loop: %s", loop_doing(run, loop, now).c_str());
      lesson_lines_end();
      ImGui::TextWrapped("ready queue: %s", task_list(run, loop.ready, false, false, now).c_str());
      ImGui::TextWrapped("timers: %s", task_list(run, loop.timers, true, true, now).c_str());
      if (!loop.awaiting.empty()) {
        ImGui::TextWrapped("awaiting: %s", task_list(run, loop.awaiting, true, false, now).c_str());
      }
    }
    if (app.playhead_lesson_lines_bottom == 0) app.playhead_lesson_lines_bottom = lesson_lines_bottom;
    // Cores: one line, "core 0: T1  core 1: idle".
    if (!state.cores.empty()) {
      ImGui::TextUnformatted("cores:");
      int shown = 0;
      for (const CoreAtPlayhead& c : state.cores) {
        if (shown++ >= 16) {
          ImGui::SameLine();
          ImGui::TextUnformatted("...");
          break;
        }
        // A child process's exit runs as C code too: "(ending)", not a native call (P8); a
        // peer's answer, its last one too, "(answering)" (S9).
        const char* native = nullptr;
        if (c.state == trace::SpanState::Native && c.thread < run.lanes.size()) {
          const trace::Lane& lane = run.lanes[c.thread];
          const auto at = span_at(lane.spans, now);
          const auto kind = at ? trace::native_kind(run, lane, *at) : trace::NativeKind::CCode;
          native = kind == trace::NativeKind::Ending ? "(ending)" : kind == trace::NativeKind::PeerAnswer ? "(answering)" : "(native)";
        }
        const float native_w = native != nullptr ? 2 + text_width(native) : 0.0f;
        same_line_or_wrap(c.thread == trace::kNone ? text_width("idle") : chip_width(app, r, run, c.thread) + native_w);
        if (c.thread == trace::kNone) {
          ImGui::TextDisabled("idle");
        } else {
          lane_chip(app, r, run, c.thread);
          if (native != nullptr) {
            ImGui::SameLine(0, 2);
            ImGui::TextUnformatted(native);
          }
        }
      }
    }
    const JobsAtPlayhead& j = state.jobs;
    std::string jobs = fmt::format("jobs: {} not started, {} running, {} done", trace::group_digits(j.waiting),
                                   trace::group_digits(j.running), trace::group_digits(j.done));
    ImGui::TextWrapped("%s", jobs.c_str());
    if (const auto results = pool_results_words(run, j, now)) ImGui::TextWrapped("%s", results->c_str());
    if (j.chunks_sent + j.chunks_unsent > 0) {
      ImGui::TextWrapped("pool queue: %s waiting for a worker; %s still to send", counted(j.jobs_queued, "job").c_str(),
                         counted(j.chunks_unsent, "chunk").c_str());
    }
    ImGui::Unindent(ImGui::GetFontSize() * 0.5f);
    ImGui::PopID();
  }
}

}  // namespace gilsim::viz::ui
