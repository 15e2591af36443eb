// Chrome Trace Event Format export, one event per line so large traces stream out.
#include "sim/trace/chrome_export.hpp"

#include "sim/trace/lane_label.hpp"

#include <nlohmann/json.hpp>

namespace gilsim::trace {

namespace {

using nlohmann::json;

double microseconds(Time t) { return static_cast<double>(t.ns()) / 1e3; }

int thread_sort_index(const Lane& lane, LaneId id) {
  int rank = 3;
  switch (lane.kind) {
    case LaneKind::Core: rank = 0; break;
    case LaneKind::Gil: rank = 1; break;
    case LaneKind::Thread: rank = 2; break;
    case LaneKind::Task: rank = 3; break;
    case LaneKind::Lock: rank = 1; break;
  }
  return rank * 1'000'000 + static_cast<int>(id);
}

json metadata(std::string_view name, int pid, int tid, json args) {
  return json{{"name", name}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"args", std::move(args)}};
}

std::string subject_lane_name(const Trace& t, const Span& s) {
  return s.subject < t.lanes.size() ? t.lanes[s.subject].name : std::string("?");
}

json span_args(const Trace& t, const Lane& lane, const Span& s) {
  json args{{"label", describe(t, lane, s)}};
  if (s.subject == kNone) return args;
  if (lane.kind == LaneKind::Core || lane.kind == LaneKind::Gil || lane.kind == LaneKind::Lock) {
    args["thread"] = subject_lane_name(t, s);
  } else if (s.subject < t.jobs.size()) {
    const Job& job = t.jobs[s.subject];
    args["job"] = job.name;
    if (s.step != kNoStep && job.template_index < t.templates.size() &&
        s.step < t.templates[job.template_index].step_labels.size()) {
      args["step"] = t.templates[job.template_index].step_labels[s.step];
    }
  }
  return args;
}

std::string span_name(const Trace& t, const Lane& lane, const Span& s) {
  if ((lane.kind == LaneKind::Gil || lane.kind == LaneKind::Lock) && s.subject != kNone) return subject_lane_name(t, s);
  return std::string(to_string(s.state));
}

/// The longest free gap between two holds of a GIL or lock by the same thread that one slice
/// covers: a loop's back edge between `with counter_lock:` blocks (lesson 15: 0.1 us), far
/// below what a timeline shows apart at a lesson's zoom.
constexpr Time kHoldGap{1'000};

bool holder_lane(const Lane& lane) { return lane.kind == LaneKind::Gil || lane.kind == LaneKind::Lock; }

/// Whether `next` continues `last`'s slice: the same state of the same subject (job, or the
/// holder on a GIL or lock lane); on thread, task and core lanes with no gap between them, on
/// GIL and lock lanes with a free gap under kHoldGap. Lesson 15's 80,000 steps of
/// `counter += one()` are then a slice per stretch a thread ran, not one per step.
bool continues(const Lane& lane, const Span& last, const Span& next) {
  if (next.state != last.state || next.subject != last.subject) return false;
  return holder_lane(lane) ? next.begin - last.end < kHoldGap : next.begin == last.end;
}

/// The args of the slice made of `count` spans from `first` to `last`: the one span's own
/// (span_args), or what they share and how many they were.
json merged_args(const Trace& t, const Lane& lane, const Span& first, const Span& last, std::size_t count,
                 bool same_step_label) {
  if (count == 1) return span_args(t, lane, first);
  if (holder_lane(lane)) {
    json args = span_args(t, lane, first);
    args["label"] = fmt::format("{}, {} holds, free under {} between them", describe(t, lane, first), count,
                                format_time(kHoldGap));
    args["holds"] = count;
    return args;
  }
  Span whole = first;
  whole.step = kNoStep;
  json args = span_args(t, lane, whole);
  std::string label = describe(t, lane, whole);
  if (first.step != kNoStep && last.step != kNoStep) {
    label += fmt::format(", steps {} to {}", first.step + 1, last.step + 1);
    args["steps"] = fmt::format("{} to {}", first.step + 1, last.step + 1);
    const json one = span_args(t, lane, first);
    if (same_step_label && one.contains("step")) {
      label += fmt::format(": {}", one["step"].get<std::string>());
      args["step"] = one["step"];
    }
  } else {
    label += fmt::format(", {} spans", count);
  }
  args["label"] = label;
  return args;
}

class EventWriter {
 public:
  explicit EventWriter(std::ostream& out) : out_(out) {}
  void operator()(const json& event) {
    out_ << (first_ ? "\n" : ",\n") << event.dump();
    first_ = false;
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

void write_run(EventWriter& emit, const Trace& t, int pid) {
  const std::string process = t.origin == Origin::Measured ? display_name(t) : fmt::format("{} (simulated)", t.run_name);
  emit(metadata("process_name", pid, 0, {{"name", process}}));
  emit(metadata("process_sort_index", pid, 0, {{"sort_index", pid}}));
  emit(metadata("process_labels", pid, 0,
                {{"labels", fmt::format("{}, {}, {} cores", t.executor, gil_words(t.gil_mode), t.cores)}}));
  for (LaneId id = 0; id < t.lanes.size(); ++id) {
    const Lane& lane = t.lanes[id];
    const int tid = static_cast<int>(id) + 1;
    // As the timeline and the viewer name it ("T1 reader"): lesson 7's note sends the class to
    // the reader's row, which Perfetto listed as "T1" alone.
    emit(metadata("thread_name", pid, tid, {{"name", lane_label(t, id, one_job(t, id))}}));
    emit(metadata("thread_sort_index", pid, tid, {{"sort_index", thread_sort_index(lane, id)}}));
    const auto step_label = [&](const Span& s) -> const std::string* {
      if (s.step == kNoStep || s.subject >= t.jobs.size()) return nullptr;
      const Job& job = t.jobs[s.subject];
      if (job.template_index >= t.templates.size()) return nullptr;
      const auto& labels = t.templates[job.template_index].step_labels;
      return s.step < labels.size() ? &labels[s.step] : nullptr;
    };
    for (std::size_t i = 0; i < lane.spans.size();) {
      const Span first = lane.spans[i];
      Span last = first;
      std::size_t j = i + 1;
      bool same_step_label = true;
      const std::string* label = step_label(first);
      for (; j < lane.spans.size() && continues(lane, last, lane.spans[j]); ++j) {
        last = lane.spans[j];
        if (same_step_label && !holder_lane(lane)) {
          const std::string* next = step_label(last);
          same_step_label = label != nullptr && next != nullptr && *label == *next;
        }
      }
      emit(json{{"name", span_name(t, lane, first)},
                {"cat", to_string(lane.kind)},
                {"ph", "X"},
                {"ts", microseconds(first.begin)},
                {"dur", microseconds(last.end - first.begin)},
                {"pid", pid},
                {"tid", tid},
                {"args", merged_args(t, lane, first, last, j - i, same_step_label)}});
      i = j;
    }
  }
  for (const Mark& m : t.marks) {
    const bool on_a_lane = m.lane < t.lanes.size();
    json event{{"name", to_string(m.kind)}, {"cat", "mark"},          {"ph", "i"},
               {"ts", microseconds(m.at)},  {"pid", pid},             {"s", on_a_lane ? "t" : "p"},
               {"args", {{"why", describe(t, m)}}}};
    event["tid"] = on_a_lane ? static_cast<int>(m.lane) + 1 : 0;
    emit(event);
  }
}

}  // namespace

void write_chrome_trace(std::ostream& out, const std::vector<const Trace*>& runs) {
  out << "{\"displayTimeUnit\": \"ms\", \"otherData\": {\"generator\": \"gilsim\"}, \"traceEvents\": [";
  EventWriter emit(out);
  int pid = 1;
  for (const Trace* t : runs) write_run(emit, *t, pid++);
  out << "\n]}\n";
}

}  // namespace gilsim::trace
