// What a native span is, from its step's label or, with none, its process and where
// it sits.
#include "sim/trace/native_kind.hpp"

namespace gilsim::trace {

NativeKind native_kind(const Trace& t, const Lane& lane, std::size_t index) {
  const Span& span = lane.spans[index];
  if (span.subject < t.jobs.size() && span.step != kNoStep) {
    const auto& labels = t.templates[t.jobs[span.subject].template_index].step_labels;
    if (span.step >= labels.size()) return NativeKind::CCode;
    const std::string& label = labels[span.step];
    return label.starts_with("native ") || label.starts_with("offload native ") ? NativeKind::CCode : NativeKind::HandOff;
  }
  // A peer's lane holds nothing but its answers, the last one too: it exits with no span of
  // its own (s10-peer's third answer read "the process ending").
  if (lane.process < t.processes.size() && is_peer(t.processes[lane.process])) return NativeKind::PeerAnswer;
  // Only in a finished run: while one is simulated, a lane's latest span may be a pipe's read.
  const bool last = index + 1 == lane.spans.size() && !t.partial();
  if (last && span.subject >= t.jobs.size() && lane.process != 0 && lane.process < t.processes.size()) {
    return NativeKind::Ending;
  }
  return NativeKind::SystemCall;
}

}  // namespace gilsim::trace
