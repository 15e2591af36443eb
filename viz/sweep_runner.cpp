// The viewer's background sweep and its link with the knobs.
#include "viz/sweep_runner.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "sim/scenario/value_in_force.hpp"
#include "sim/scenario/value_syntax.hpp"

namespace gilsim::viz {

SweepRunner::~SweepRunner() {
  cancel();
  wait();
}

void SweepRunner::start(sweep::SweepPlan plan) {
  cancel();
  wait();
  cancel_ = false;
  done_ = 0;
  total_ = plan.tasks();
  running_ = true;
  thread_ = std::thread([this, plan = std::move(plan)]() mutable {
    SweepOutcome outcome{std::move(plan), std::nullopt, {}, {}};
    try {
      outcome.result = sweep::run_sweep_here(outcome.plan, &cancel_, [this](std::size_t done, std::size_t) { done_ = done; });
      outcome.run_labels = sweep_run_labels(outcome.plan);
    } catch (const sweep::SweepCancelled&) {
      outcome.error = "cancelled";
    } catch (const std::exception& e) {
      outcome.error = e.what();
    }
    std::lock_guard lock(mutex_);
    finished_ = std::move(outcome);
    running_ = false;
  });
}

std::vector<std::string> sweep_run_labels(const sweep::SweepPlan& plan) {
  std::vector<std::string> labels = plan.run_names;
  if (plan.base_overrides.empty()) return labels;  // the file's values but the swept ones
  const scenario::Scenario written = plan.file.load();
  std::vector<std::optional<std::string>> words(plan.runs.size());
  for (std::size_t point = 0; point < plan.points(); ++point) {
    const scenario::Scenario at = plan.scenario_at(point, 0);
    for (std::size_t k = 0; k < plan.runs.size(); ++k) {
      const std::string said = scenario::value_in_force(written, at, at.runs.at(plan.runs[k]));
      if (!words[k]) words[k] = said;
      else if (*words[k] != said) words[k] = std::string();  // the sweep varies it: the name alone
    }
  }
  for (std::size_t k = 0; k < labels.size() && k < words.size(); ++k) {
    if (words[k] && !words[k]->empty()) labels[k] = fmt::format("{} ({})", labels[k], *words[k]);
  }
  return labels;
}

void SweepRunner::cancel() { cancel_ = true; }

void SweepRunner::wait() {
  if (thread_.joinable()) thread_.join();
}

bool SweepRunner::running() const { return running_; }

std::pair<std::size_t, std::size_t> SweepRunner::progress() const { return {done_.load(), total_.load()}; }

std::optional<SweepOutcome> SweepRunner::take_finished() {
  std::lock_guard lock(mutex_);
  std::optional<SweepOutcome> out = std::move(finished_);
  finished_.reset();
  return out;
}

namespace {

constexpr std::array<std::string_view, 4> kKnobKeys{"cores", "switch_interval", "workers", "jobs"};

std::optional<int> whole(const std::string& text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

bool is_knob_key(std::string_view key) { return std::find(kKnobKeys.begin(), kKnobKeys.end(), key) != kKnobKeys.end(); }

std::string default_sweep_values(std::string_view knob, const scenario::Scenario& s) {
  if (knob == "cores") return fmt::format("1..{}", std::max(8, s.machine.cores));
  if (knob == "switch_interval") {
    // Doubling through the scenario's own interval, from a quarter of it to 16 times it:
    // lesson 7's 5 ms is a point of 1250us..80ms*2, lesson 15's 100 us of 25us..1600us*2
    // (a fixed 1ms..64ms*2 had neither, and lost lesson 15's race at every point).
    // The start halves it twice where that stays at 1 us or more (the least interval) and
    // exact, so that the doubling meets the scenario's value; the range spans 64 times it.
    const std::int64_t ns = s.python.switch_interval.ns();
    std::int64_t start = ns;
    for (int halvings = 0; halvings < 2 && start % 2 == 0 && start / 2 >= 1'000; ++halvings) start /= 2;
    const auto text = [](std::int64_t t) {
      if (t % 1'000'000 == 0) return fmt::format("{}ms", t / 1'000'000);
      if (t % 1'000 == 0) return fmt::format("{}us", t / 1'000);
      return fmt::format("{}ns", t);
    };
    return fmt::format("{}..{}*2", text(start), text(start * 64));
  }
  if (knob == "jobs") {
    const int jobs = s.jobs.empty() ? 1 : s.jobs.front().count;
    int top = 64;
    while (top < jobs && top < 65536) top *= 2;
    return fmt::format("1..{}*2", top);
  }
  return "1..16";
}

Knobs knobs_at(const sweep::SweepPlan& plan, std::size_t point, Knobs base) {
  for (const scenario::Override& o : plan.overrides_at(point)) {
    if (o.option != "--vary") continue;
    if (!is_knob_key(o.key)) {
      std::erase_if(base.more, [&](const scenario::Override& m) { return m.key == o.key; });
      base.more.push_back(o);
      continue;
    }
    if (o.key == "cores") base.cores = whole(o.value);
    if (o.key == "workers") base.workers = whole(o.value);
    if (o.key == "jobs") base.jobs = whole(o.value);
    if (o.key == "switch_interval") {
      const auto t = scenario::parse_time(o.value);
      if (t.ok()) base.switch_interval = t.value;
    }
  }
  return base;
}

sweep::SweepPlan plan_sweep(const std::string& file, const Knobs& knobs, const SweepView& view) {
  sweep::SweepRequest request;
  request.file = file;
  request.vary = {view.vary};
  if (!view.vary_also.empty()) request.vary.push_back(view.vary_also);
  request.seeds = view.seeds;
  request.metric = view.metric;
  request.metric_option = "--sweep-metric";
  request.runs_option.clear();  // the panel draws every run: a refusal suggests what it offers
  request.seeds_option = "the seeds field";
  const auto varied = [&](std::string_view key) {
    return std::any_of(request.vary.begin(), request.vary.end(),
                       [&](const std::string& v) { return sweep::axis_key(v) == key; });
  };
  for (const scenario::Override& o : knobs.overrides()) {
    if (!varied(o.key)) request.overrides.push_back(o.key + "=" + o.value);
  }
  return sweep::make_plan(request);
}

std::optional<std::string> check_sweep(const std::string& file, const std::vector<scenario::Override>& set,
                                       const std::vector<std::string>& texts, sweep::Metric metric) {
  if (texts.empty()) return std::nullopt;
  if (texts.size() > 2) {
    return fmt::format("--sweep {}: a third --sweep; expected one, or two for small multiples", texts[2]);
  }
  if (!file.empty()) {
    try {
      (void)scenario::load_file(file);
    } catch (const std::exception&) {
      return std::nullopt;  // the file's own error, which the window's load reports
    }
  }
  sweep::SweepRequest request;
  request.file = file;
  request.vary = texts;
  request.option = "--sweep";
  request.metric = metric;
  request.metric_option = "--sweep-metric";
  request.runs_option.clear();  // gilviz has no --run: its plot draws every run
  request.seeds_option = "--sweep-seeds";
  for (const scenario::Override& o : set) request.overrides.push_back(o.key + "=" + o.value);
  try {
    (void)sweep::make_plan(request);
  } catch (const std::exception& e) {  // a bad list or key (ScenarioError), or over a limit (SweepRefused)
    return std::string(e.what());
  }
  return std::nullopt;
}

}  // namespace gilsim::viz
