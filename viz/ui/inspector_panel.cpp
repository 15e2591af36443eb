// The span detail shared by the hover tooltip and the inspector.
#include <algorithm>
#include <cctype>
#include <string_view>

#include <fmt/format.h>

#include "sim/trace/native_kind.hpp"
#include "sim/trace/wake_target.hpp"
#include "viz/hit_test.hpp"
#include "viz/palette.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::ui {

using trace::LaneKind;
using trace::SpanState;

namespace {

/// Whom a thread's wake (`Waking`) wakes, in a sentence: the thread its take of the GIL forced
/// out (docs/model.md G8c), or a sleeper on the lock its release() frees (L8). Empty where the
/// trace does not say.
std::string whom_it_wakes(const trace::Trace& run, trace::LaneId lane_id, const trace::Span& span) {
  const auto wake = trace::wake_target(run, lane_id, span);
  if (!wake) return {};
  const std::string& name = run.lanes[lane_id].name;
  const auto lane_name = [&](trace::LaneId l) { return l < run.lanes.size() ? run.lanes[l].name : std::string(); };
  constexpr std::string_view kNoPython = " (CPython's C code, holding the GIL: no Python runs).";
  if (wake->cause == trace::WakeTarget::Cause::GilTake) {
    const std::string dropper = lane_name(wake->woken);
    return fmt::format("{} has just taken the GIL from {} and wakes {}, which sleeps until told its drop is done{}",
                       name, dropper, dropper, kNoPython);
  }
  const std::string woken = wake->woken < run.lanes.size() ? lane_name(wake->woken) + "," : "a thread";
  const std::string next = wake->next_holder < run.lanes.size() ? fmt::format("; {} holds it next", lane_name(wake->next_holder)) : "";
  return fmt::format("{} has released {} and wakes {} asleep on it{}{}", name, lane_name(wake->lock), woken, next,
                     kNoPython);
}

/// Why a thread is in this state, in a student's words.
std::string why(const trace::Trace& run, trace::LaneId lane_id, std::size_t index) {
  const trace::Lane& lane = run.lanes[lane_id];
  const trace::Span span = lane.spans[index];
  if (span.state == SpanState::Waking) {
    if (std::string whom = whom_it_wakes(run, lane_id, span); !whom.empty()) return whom;
  }
  // A child process's last span is its exit, not a native call of the scenario's (P8).
  if (span.state == SpanState::Native && trace::native_kind(run, lane, index) == trace::NativeKind::Ending) {
    return "The process ending: its exit, in C code without the GIL (P8).";
  }
  // A peer's answer is no exit, even its last (an echo's only answer read as its ending).
  if (span.state == SpanState::Native && trace::native_kind(run, lane, index) == trace::NativeKind::PeerAnswer) {
    const std::string& process = run.processes[lane.process].name;
    return fmt::format("The peer computing its answer: the process at the other end of {}'s socket, on a core for "
                       "the step's answer before it replies, with a GIL of its own that nothing else wants (S9).",
                       process.substr(trace::kPeerOf.size()));
  }
  if (span.state == SpanState::WaitingGil && lane.process < run.processes.size()) {
    const trace::LaneId gil = run.processes[lane.process].gil_lane;
    if (gil < run.lanes.size()) {
      if (auto h = span_at(run.lanes[gil].spans, span.begin)) {
        const trace::Span& held = run.lanes[gil].spans[*h];
        if (held.subject < run.lanes.size()) {
          return fmt::format("{} held the GIL when {} asked for it.", run.lanes[held.subject].name, lane.name);
        }
      }
    }
  }
  for (const LegendEntry& e : legend_entries()) {
    if (e.state != span.state) continue;
    std::string sentence(e.meaning);
    sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
    return sentence + ".";
  }
  if (lane.kind == LaneKind::Gil) return "Only the holder may run Python bytecode in this process.";
  if (lane.kind == LaneKind::Lock) return "Your own lock: one holder at a time; the others wait for it without the GIL.";
  return {};
}

}  // namespace

std::string describe_span_detail(const trace::Trace& run, trace::LaneId lane_id, std::size_t index) {
  const trace::Lane& lane = run.lanes[lane_id];
  const trace::Span& s = lane.spans[index];
  std::string text = fmt::format("{}  ({})\n", trace::describe(run, lane, s), run_label(run));
  text += fmt::format("from {} to {}, for {}\n", s.begin, s.end, s.duration());
  const std::string because = why(run, lane_id, index);
  if (!because.empty()) text += because;
  return text;
}

InspectorRequest draw_inspector(const std::vector<trace::Trace>& runs, const std::optional<SpanRef>& selected) {
  InspectorRequest request;
  if (!selected || selected->run >= runs.size()) {
    ImGui::TextWrapped("Click a span on the timeline to inspect it.");
    return request;
  }
  const SpanRef ref = *selected;
  const trace::Trace& run = runs[ref.run];
  const trace::Lane& lane = run.lanes[ref.lane];
  const trace::Span& s = lane.spans[ref.span];
  ImGui::PushTextWrapPos(0);  // the side panel is narrow: every line wraps
  ImGui::PushFont(bold_font());
  ImGui::TextUnformatted(fmt::format("{} - {}", lane.name, run_label(run)).c_str());
  ImGui::PopFont();
  ImGui::TextUnformatted(describe_span_detail(run, ref.lane, ref.span).c_str());
  ImGui::PopTextWrapPos();
  // The buttons wrap as whole buttons where the panel is too narrow for the three.
  const auto button = [](const char* label, bool first) {
    if (!first) same_line_or_wrap(text_width(label) + ImGui::GetStyle().FramePadding.x * 2);
    return ImGui::Button(label);
  };
  if (button("Playhead to start", true)) request.seek = s.begin;
  if (button("Playhead to end", false)) request.seek = s.end;
  if (button("Zoom to span", false)) request.zoom = std::make_pair(s.begin, s.end);
  // The marks this lane made during the span: what happened while it was in this state.
  int shown = 0;
  for (auto it = std::lower_bound(run.marks.begin(), run.marks.end(), s.begin,
                                  [](const trace::Mark& m, Time v) { return m.at < v; });
       it != run.marks.end() && it->at <= s.end && shown < 12; ++it) {
    if (it->lane != ref.lane) continue;
    if (shown++ == 0) ImGui::Separator();
    ImGui::TextWrapped("%s  %s", format_time(it->at).c_str(), trace::describe(run, *it).c_str());
  }
  return request;
}

}  // namespace gilsim::viz::ui
