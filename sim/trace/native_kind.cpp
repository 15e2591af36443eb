// What a native span is, from its step's label or, with none, where it sits.
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
  // Only in a finished run: while one is simulated, a lane's latest span may be a pipe's read.
  const bool last = index + 1 == lane.spans.size() && !t.partial();
  if (last && span.subject >= t.jobs.size() && lane.process != 0 && lane.process < t.processes.size()) {
    return NativeKind::Ending;
  }
  return NativeKind::SystemCall;
}

}  // namespace gilsim::trace
