// Knobs as overrides, and parsing of typed times.
#include "viz/knobs.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "sim/scenario/override_reach.hpp"
#include "sim/scenario/value_syntax.hpp"

namespace gilsim::viz {

std::vector<scenario::Override> Knobs::overrides() const {
  std::vector<scenario::Override> out = base;
  if (cores) out.push_back({"cores", std::to_string(*cores)});
  if (switch_interval) out.push_back({"switch_interval", fmt::format("{}ns", switch_interval->ns())});
  if (workers) out.push_back({"workers", std::to_string(*workers)});
  if (jobs) out.push_back({"jobs", std::to_string(*jobs)});
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

std::string set_note(const std::vector<scenario::Override>& base) {
  std::string out;
  for (const scenario::Override& o : base) out += fmt::format("{}{}={}", out.empty() ? "" : ", ", o.key, o.value);
  return out.empty() ? out : out + " set";
}

std::string set_said(const Knobs& knobs) {
  const std::string note = set_note(knobs.base);
  return note.empty() ? note : " (" + note + ")";
}

namespace {

/// Whether the command line's sentence for a --set says it reaches no run.
bool changes_no_run(const std::string& missed) { return missed.find(" changes no run:") != std::string::npos; }

}  // namespace

std::vector<std::string> set_misses(const scenario::Scenario& s, const Knobs& knobs) {
  std::vector<std::string> out;
  for (const scenario::Override& o : knobs.base) {
    if (auto missed = scenario::runs_an_override_misses(s, o)) out.push_back(*missed);
  }
  return out;
}

std::string set_said(const Knobs& knobs, const scenario::Scenario& s) {
  std::string note;
  bool none_reached = !knobs.base.empty();
  // Each run keeps its own value: not so where a run's GIL has no switch interval (lesson 11).
  bool each_own = true;
  for (const scenario::Override& o : knobs.base) {
    const auto missed = scenario::runs_an_override_misses(s, o);
    const bool reaches = !missed || !changes_no_run(*missed);
    none_reached = none_reached && !reaches;
    each_own = each_own && missed && missed->find(" every run sets its own ") != std::string::npos;
    note += fmt::format("{}{}={}", note.empty() ? "" : ", ", o.key, o.value);
  }
  if (note.empty()) return note;
  if (none_reached) {
    return fmt::format(" ({} set: {} no run{})", note, knobs.base.size() == 1 ? "it changes" : "they change",
                       each_own ? ", each sets its own" : "");
  }
  return " (" + note + " set)";
}

std::string note_written_for_file(const scenario::Scenario& s, const Knobs& knobs) {
  if (s.note.empty()) return {};
  bool changed = knobs.any();
  for (const scenario::Override& o : knobs.base) {
    const auto missed = scenario::runs_an_override_misses(s, o);
    changed = changed || !missed || !changes_no_run(*missed);
  }
  return changed ? "the note below was written for the file as it is" : std::string();
}

std::optional<std::string> check_set(const std::filesystem::path& file, const std::vector<std::string>& texts,
                                     std::vector<scenario::Override>& parsed) {
  parsed.clear();
  try {
    for (const std::string& text : texts) parsed.push_back(scenario::parse_override(text));
  } catch (const scenario::ScenarioError& e) {
    return std::string(e.what());
  }
  if (parsed.empty()) return std::nullopt;
  if (!file.empty()) {
    try {
      (void)scenario::load_file(file);
    } catch (const std::exception&) {
      return std::nullopt;  // the file's own error, which the window's load reports
    }
  }
  try {
    (void)(file.empty() ? scenario::load_default(parsed) : scenario::load_file(file, parsed));
  } catch (const scenario::ScenarioError& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

bool only_switch_interval_moved(const Knobs& before, const Knobs& after) {
  if (before.switch_interval == after.switch_interval) return false;
  Knobs moved_back = after;
  moved_back.switch_interval = before.switch_interval;
  return moved_back == before;
}

std::optional<MovedKnobs> only_cores_or_interval_moved(const Knobs& before, const Knobs& after) {
  const MovedKnobs moved{before.cores != after.cores, before.switch_interval != after.switch_interval};
  if (!moved.cores && !moved.switch_interval) return std::nullopt;
  Knobs moved_back = after;
  moved_back.cores = before.cores;
  moved_back.switch_interval = before.switch_interval;
  if (!(moved_back == before)) return std::nullopt;
  return moved;
}

bool Knobs::operator==(const Knobs& other) const {
  const auto a = overrides();
  const auto b = other.overrides();
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.key == y.key && x.value == y.value; });
}

int first_pool_workers(const scenario::Scenario& s) {
  for (const scenario::Run& r : s.runs) {
    if (r.executor == scenario::Executor::ThreadPool || r.executor == scenario::Executor::ProcessPool) {  // pools only
      return scenario::effective_workers(s, r);
    }
  }
  return 0;
}

namespace {

/// The switch interval's steps, in microseconds: the slider's range, 1-2-5 per decade.
constexpr std::array<std::int64_t, 9> kIntervalStepsUs{100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000};

/// An integer knob stepped by one inside [1, top]; nothing past either end.
std::optional<int> step_int(int value, int top, int direction) {
  const int next = value + direction;
  if (next < 1 || next > top) return std::nullopt;
  return next;
}

std::optional<Time> step_interval(Time value, int direction) {
  const std::int64_t us = value.ns() / 1000;
  const bool whole_us = value.ns() % 1000 == 0;
  if (direction > 0) {
    for (std::int64_t s : kIntervalStepsUs) {
      if (s > us) return Time{s * 1000};
    }
  } else {
    for (auto it = kIntervalStepsUs.rbegin(); it != kIntervalStepsUs.rend(); ++it) {
      if (*it < us || (*it == us && !whole_us)) return Time{*it * 1000};
    }
  }
  return std::nullopt;
}

int file_jobs(const scenario::Scenario& s) { return s.jobs.empty() ? 1 : s.jobs.front().count; }

}  // namespace

std::optional<Knobs> step_knob(const scenario::Scenario& shown, const Knobs& in_force, KnobStep step) {
  Knobs k = in_force;
  switch (step.knob) {
    case Knob::Cores: {
      const auto v = step_int(k.cores.value_or(shown.machine.cores), std::max(32, shown.machine.cores), step.direction);
      if (!v) return std::nullopt;
      k.cores = *v;
      break;
    }
    case Knob::SwitchInterval: {
      const auto v = step_interval(k.switch_interval.value_or(shown.python.switch_interval), step.direction);
      if (!v) return std::nullopt;
      k.switch_interval = *v;
      break;
    }
    case Knob::Workers: {
      const int default_workers = first_pool_workers(shown);
      if (default_workers == 0 && !k.workers) return std::nullopt;
      const auto v = step_int(k.workers.value_or(std::max(1, default_workers)), std::max(64, default_workers),
                              step.direction);
      if (!v) return std::nullopt;
      k.workers = *v;
      break;
    }
    case Knob::Jobs: {
      const auto v = step_int(k.jobs.value_or(file_jobs(shown)), std::max(200, file_jobs(shown)), step.direction);
      if (!v) return std::nullopt;
      k.jobs = *v;
      break;
    }
  }
  return k;
}

std::optional<KnobStep> step_between(const Knobs& before, const Knobs& after, const scenario::Scenario& shown_before) {
  std::vector<KnobStep> moved;
  const auto compare = [&](Knob knob, auto was, auto now) {
    if (now != was) moved.push_back({knob, now > was ? +1 : -1});
  };
  compare(Knob::Cores, before.cores.value_or(shown_before.machine.cores), after.cores.value_or(shown_before.machine.cores));
  compare(Knob::SwitchInterval, before.switch_interval.value_or(shown_before.python.switch_interval),
          after.switch_interval.value_or(shown_before.python.switch_interval));
  const int workers = std::max(1, first_pool_workers(shown_before));
  compare(Knob::Workers, before.workers.value_or(workers), after.workers.value_or(workers));
  compare(Knob::Jobs, before.jobs.value_or(file_jobs(shown_before)), after.jobs.value_or(file_jobs(shown_before)));
  const auto same_more = std::equal(before.more.begin(), before.more.end(), after.more.begin(), after.more.end(),
                                    [](const auto& a, const auto& b) { return a.key == b.key && a.value == b.value; });
  if (moved.size() != 1 || !same_more) return std::nullopt;
  return moved.front();
}

std::vector<Knobs> neighbour_knobs(const scenario::Scenario& shown, const Knobs& in_force, std::optional<KnobStep> last) {
  std::vector<KnobStep> steps;
  if (last) steps.insert(steps.end(), {*last, KnobStep{last->knob, -last->direction}});
  for (Knob knob : {Knob::Cores, Knob::SwitchInterval, Knob::Workers, Knob::Jobs}) {
    if (last && knob == last->knob) continue;
    steps.insert(steps.end(), {KnobStep{knob, +1}, KnobStep{knob, -1}});
  }
  std::vector<Knobs> out;
  for (const KnobStep& step : steps) {
    if (auto k = step_knob(shown, in_force, step)) out.push_back(std::move(*k));
  }
  return out;
}

std::optional<Time> parse_time(std::string_view text) {
  // The scenario files' grammar, so a time typed anywhere reads the same.
  const scenario::Parsed<Time> parsed = scenario::parse_time(text);
  if (!parsed.ok()) return std::nullopt;
  return parsed.value;
}

}  // namespace gilsim::viz
