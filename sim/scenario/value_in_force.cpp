// The value in force that a run's name states otherwise ("pool of 4 (2 workers)").
#include "sim/scenario/value_in_force.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/effective_settings.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/time.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::scenario {

bool states_number(const std::string& name, std::int64_t n) {
  const std::string digits = std::to_string(n);
  for (std::size_t at = name.find(digits); at != std::string::npos; at = name.find(digits, at + 1)) {
    const bool starts = at == 0 || std::isdigit(static_cast<unsigned char>(name[at - 1])) == 0;
    const std::size_t end = at + digits.size();
    const bool ends = end == name.size() || std::isdigit(static_cast<unsigned char>(name[end])) == 0;
    if (starts && ends) return true;
  }
  return false;
}

bool states_time(const std::string& name, Time t) {
  const std::int64_t ns = t.ns();
  for (const auto& [unit, size] : {std::pair<const char*, std::int64_t>{"s", 1'000'000'000}, {"ms", 1'000'000},
                                   {"us", 1'000}, {"ns", 1}}) {
    if (ns == 0 || ns % size != 0) continue;
    const std::string digits = fmt::format("{}", ns / size);
    for (const char* gap : {" ", ""}) {
      const std::string text = digits + gap + unit;
      const std::size_t at = name.find(text);
      if (at == std::string::npos) continue;
      const std::size_t end = at + text.size();
      const bool starts = at == 0 || std::isdigit(static_cast<unsigned char>(name[at - 1])) == 0;
      const bool ends = end == name.size() || std::isalpha(static_cast<unsigned char>(name[end])) == 0;
      if (starts && ends) return true;
    }
  }
  return false;
}

bool states_cores(const std::string& name, int cores) {
  return name.find("core") != std::string::npos && states_number(name, cores);
}

bool states_chunksize(const std::string& name, int chunksize) {
  return name.find("chunksize") != std::string::npos && states_number(name, chunksize);
}

namespace {

/// How a run's name says its GIL: "new GIL, 2 cores", "sequential, no GIL".
std::string gil_words(GilMode mode) { return trace::gil_words(to_string(mode)); }

/// Whether `name` holds `word` as a word of its own ("Pool.map, spawn"; not "spawned").
bool states_word(const std::string& name, std::string_view word) {
  for (std::size_t at = name.find(word); at != std::string::npos; at = name.find(word, at + 1)) {
    const std::size_t end = at + word.size();
    const bool starts = at == 0 || std::isalnum(static_cast<unsigned char>(name[at - 1])) == 0;
    const bool ends = end == name.size() || std::isalnum(static_cast<unsigned char>(name[end])) == 0;
    if (starts && ends) return true;
  }
  return false;
}

/// Whether `name` says the GIL `mode`: "new GIL, 2 cores", "sequential, no GIL", or a bare
/// "GIL" for one ("threads, GIL" in lesson 12, beside "threads, no GIL").
bool states_gil(const std::string& name, GilMode mode) {
  if (states_word(name, gil_words(mode))) return true;
  return mode != GilMode::None && states_word(name, "GIL") && !states_word(name, "no GIL") &&
         !states_word(name, gil_words(mode == GilMode::New ? GilMode::Old : GilMode::New));
}

const Run* as_written(const Scenario& written, const Run& run) {
  const auto it = std::find_if(written.runs.begin(), written.runs.end(), [&](const Run& r) { return r.name == run.name; });
  return it == written.runs.end() ? nullptr : &*it;
}

}  // namespace

std::string size_in_force(const Scenario& written, const Scenario& in_force, const Run& run) {
  const Run* file = as_written(written, run);
  if (file == nullptr) return {};
  if (run.executor == Executor::ThreadPool || run.executor == Executor::ProcessPool ||
      run.executor == Executor::ProcessPoolExecutor) {
    const int was = effective_workers(written, *file);
    const int is = effective_workers(in_force, run);
    // "pool of 4 (now 2 workers)": the name's own number is out of date; "Pool() (3 workers)",
    // "process pool (2 workers)": a pool's size shows only in its folded worker rows otherwise.
    if (was != is) {
      return fmt::format("{}{} worker{}", states_number(run.name, was) ? "now " : "", trace::group_digits(is), is == 1 ? "" : "s");
    }
  }
  if (run.executor == Executor::Threads) {  // one thread a job, each on a row of its own
    const int was = written.total_jobs();
    const int is = in_force.total_jobs();
    if (was != is && states_number(run.name, was)) {
      return fmt::format("now {} thread{}", trace::group_digits(is), is == 1 ? "" : "s");
    }
  }
  return {};
}

std::vector<StatedSetting> stated_settings(const Scenario& written, const Scenario& in_force, const Run& run) {
  const Run* file = as_written(written, run);
  if (file == nullptr) return {};
  // Lesson 11's "new GIL, 2 cores" with --set gil=old read as the new GIL's figures beside a
  // heading that said old; with --set cores=1 "old GIL, 2 cores" ran on one core; lesson 8's
  // "switch 50 ms" at 20 ms.
  const EffectiveSettings was = effective_settings(written, *file);
  const EffectiveSettings is = effective_settings(in_force, run);
  std::vector<StatedSetting> stated;
  if (states_gil(run.name, was.gil)) stated.push_back({gil_words(is.gil), was.gil != is.gil});
  if (states_cores(run.name, was.cores)) {
    stated.push_back({fmt::format("{} core{}", is.cores, is.cores == 1 ? "" : "s"), was.cores != is.cores});
  }
  if (states_time(run.name, was.switch_interval)) {
    stated.push_back({format_time(is.switch_interval), was.switch_interval != is.switch_interval});
    // Without a GIL no interval is in force: lesson 5's "switch 1 ms" with --set gil=none.
    if (is.gil == GilMode::None && was.gil != GilMode::None && !states_gil(run.name, was.gil)) {
      stated.push_back({gil_words(is.gil), true});
    }
  }
  // "Pool.map default" names Pool.map's own chunksize; "Pool.map, spawn" its start method.
  const bool default_chunks = !file->chunksize && run.name.find("default") != std::string::npos;
  if (states_chunksize(run.name, was.chunksize) || default_chunks) {
    stated.push_back({fmt::format("chunksize {}", is.chunksize), was.chunksize != is.chunksize});
  }
  if (states_word(run.name, to_string(was.start_method))) {
    stated.push_back({std::string(to_string(is.start_method)), was.start_method != is.start_method});
  }
  return stated;
}

std::string value_in_force(const Scenario& written, const Scenario& in_force, const Run& run) {
  std::string out = size_in_force(written, in_force, run);
  std::vector<std::string> now;
  if (out.starts_with("now ")) now.push_back(out.substr(4)), out.clear();
  for (StatedSetting& setting : stated_settings(written, in_force, run)) {
    if (setting.changed) now.push_back(std::move(setting.words));
  }
  for (std::size_t i = 0; i < now.size(); ++i) {
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", i == 0 ? "now " : "", now[i]);
  }
  return out;
}

}  // namespace gilsim::scenario
