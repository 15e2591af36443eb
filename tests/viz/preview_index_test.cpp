// The previews of a knob change are indexed from where the last preview's indices left off:
// on every prefix a watcher is answered with, the carried indices equal a whole rebuild.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "viz/app_state.hpp"

using namespace gilsim;
using namespace gilsim::viz;

namespace {

/// Where the indices of `carried` and `whole` differ, or empty.
std::string difference(const DerivedRuns& carried, const DerivedRuns& whole) {
  if (carried.runs.size() != whole.runs.size()) return "run count";
  if (carried.states_seen != whole.states_seen) return "states seen";
  if (carried.marks_seen != whole.marks_seen) return "mark kinds seen";
  for (std::size_t r = 0; r < whole.runs.size(); ++r) {
    const RunIndex& a = carried.runs[r];
    const RunIndex& b = whole.runs[r];
    if (a.covered_prefix != b.covered_prefix) return "covered time prefix";
    if (a.lane_labels != b.lane_labels) return "lane labels";
    if (a.interest != b.interest) return "interest";
    if (a.glyph_marks != b.glyph_marks) return "glyph marks";
    if (a.job_end_marks != b.job_end_marks) return "job-end marks";
    if (a.identity != b.identity) return "identity";
    if (a.outcomes != b.outcomes) return "outcomes";
    if (a.deadlocked != b.deadlocked) return "deadlocked";
  }
  return {};
}

/// Simulates `name` one run after another, answering a watcher at every check (every
/// `events_between_checks` events): each run's answers, in order, go to an indexer of its own,
/// and each result is compared with derive_runs of the same prefix. Returns the prefixes seen.
std::size_t check_every_prefix(const char* name, std::uint64_t events_between_checks) {
  const scenario::Scenario s =
      scenario::load_file(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios" / name);
  std::vector<PreviewIndexer> indexers(s.runs.size());
  std::vector<std::size_t> partial(s.runs.size(), 0);
  std::size_t answers = 0;
  std::string first_difference;
  model::Progress* watched = nullptr;
  std::mutex mutex;  // the runs answer from threads of their own
  model::Progress progress(events_between_checks, [&](std::size_t run, const trace::Trace& answer) {
    const std::lock_guard lock(mutex);
    const std::vector<trace::Trace> one{answer};
    const std::string d = difference(indexers[run].update(one), derive_runs(one));
    if (!d.empty() && first_difference.empty()) {
      first_difference = "run " + std::to_string(run) + ", answer " + std::to_string(answers) + ": " + d;
    }
    ++answers;
    if (answer.partial()) ++partial[run];
    watched->ask();  // the next check answers again
  });
  watched = &progress;
  progress.ask();
  model::simulate_all(s, 8, nullptr, &progress);
  CHECK_MESSAGE(first_difference.empty(), std::string(name), ": ", first_difference);
  // More than one prefix of a run, or nothing carried over was checked (a sequential run of
  // a few events may end before its first check).
  CHECK(*std::max_element(partial.begin(), partial.end()) >= 2);
  return answers;
}

}  // namespace

TEST_CASE("the carried preview indices equal a whole rebuild on every prefix of lessons 01, 07 and 15") {
  // The short lessons a few hundred events a run: checked every 16 events, so they answer often.
  CHECK(check_every_prefix("01-cpu-bound.toml", 16) > 6);
  CHECK(check_every_prefix("07-convoy.toml", 16) > 6);
  CHECK(check_every_prefix("15-lost-update.toml", model::Progress::kEventsBetweenChecks) > 6);
}
