// Chrome Trace Event Format export, one event per line so large traces stream out.
#include "sim/trace/chrome_export.hpp"

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
                {{"labels", fmt::format("{}, GIL {}, {} cores", t.executor, t.gil_mode, t.cores)}}));
  for (LaneId id = 0; id < t.lanes.size(); ++id) {
    const Lane& lane = t.lanes[id];
    const int tid = static_cast<int>(id) + 1;
    emit(metadata("thread_name", pid, tid, {{"name", lane.name}}));
    emit(metadata("thread_sort_index", pid, tid, {{"sort_index", thread_sort_index(lane, id)}}));
    for (const Span& s : lane.spans) {
      emit(json{{"name", span_name(t, lane, s)},
                {"cat", to_string(lane.kind)},
                {"ph", "X"},
                {"ts", microseconds(s.begin)},
                {"dur", microseconds(s.duration())},
                {"pid", pid},
                {"tid", tid},
                {"args", span_args(t, lane, s)}});
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
