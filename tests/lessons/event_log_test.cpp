// Whole simulated runs against their reviewed event logs in tests/golden/events/: every span
// and mark, sorted by time, as trace::write_events_csv writes them. A handful of small
// scenarios, each showing one rule of the GIL exactly. With GILSIM_UPDATE_GOLDEN=1 the
// files are rewritten instead (scripts/update-golden.sh).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/atomic_file.hpp"
#include "sim/trace/csv_export.hpp"
#include "tests/text_files.hpp"

namespace fs = std::filesystem;
using namespace gilsim;

namespace {

/// A scenario made small enough that its whole trace can be read line by line.
struct EventLogCase {
  std::string name;                   ///< tests/golden/events/<name>.log
  std::string scenario;               ///< relative to the source tree
  std::vector<std::string> overrides; ///< --set style, to make it small
  std::vector<std::string> runs = {}; ///< the runs kept, by name; empty: every run
};

const std::vector<EventLogCase>& cases() {
  static const std::vector<EventLogCase> all{
      // The I/O thread gives the GIL up twice per operation and waits an interval each time.
      {"convoy-two-releases", "fidelity/scenarios/convoy-two-releases.toml",
       {"job.hog.steps.1.cpu=60ms", "job.client.steps.1.repeat=2"}},
      // A read that returns at once: the reader keeps the GIL or loses a whole interval.
      {"ready-pipe", "fidelity/scenarios/ready-pipe.toml",
       {"job.hog.steps.1.cpu=30ms", "job.reader.steps.1.repeat=3"}},
      // Two CPU-bound threads handing the GIL over every switch interval (and the loop, Pool(2)).
      {"cpu-threads", "fidelity/scenarios/cpu-bound.toml", {"jobs=2", "job.crunch.steps.1.cpu=12ms", "run.2.name=2 threads"}},
      // Python 3.1's GIL: released and re-taken every 100 ticks, no hand-off.
      {"old-gil", "scenarios/11-old-gil.toml", {"job.countdown.steps.1.cpu=1ms"}},
      // A lock held across I/O and handed to the next waiter, the GIL dropped meanwhile.
      {"lock-hand-off", "scenarios/14-two-locks.toml", {"jobs=2"}},
      // Pool start-up, fork and spawn (a log each), one and two workers, one trivial task;
      // spawn_start and tracker_start shortened so that few time slices of the interpreters
      // starting side by side fill the log (4 and 2 ms: at 6 and 3 ms, since P4b, the result
      // handler woken at the first result waits for the core of the second interpreter still
      // starting, and the worker handler loops meanwhile, P6: 779 lines).
      {"pool-startup-fork", "fidelity/scenarios/pool-startup.toml",
       {"jobs=1", "run.2.workers=2", "run.2.name=fork 2"}, {"fork 1", "fork 2"}},
      {"pool-startup-spawn", "fidelity/scenarios/pool-startup.toml",
       {"jobs=1", "run.4.workers=2", "run.4.name=spawn 2", "costs.spawn_start=4ms", "costs.tracker_start=2ms"},
       {"spawn 1", "spawn 2"}},
  };
  return all;
}

fs::path source_dir() { return fs::path(GILSIM_SOURCE_DIR); }

std::string event_log(const EventLogCase& c) {
  std::vector<scenario::Override> overrides;
  for (const auto& text : c.overrides) overrides.push_back(scenario::parse_override(text));
  const scenario::Scenario s = scenario::load_file(source_dir() / c.scenario, overrides);
  std::vector<trace::Trace> traces;
  traces.reserve(s.runs.size());
  for (const auto& run : s.runs) {
    if (c.runs.empty() || std::find(c.runs.begin(), c.runs.end(), run.name) != c.runs.end()) {
      traces.push_back(model::simulate(s, run));
    }
  }
  std::vector<const trace::Trace*> runs;
  for (const auto& t : traces) runs.push_back(&t);
  std::ostringstream out;
  trace::write_events_csv(out, runs);
  return out.str();
}

using gilsim::testing::lines_of;
using gilsim::testing::read_text;

/// Empty when equal; else the first differing line, with its number, both sides.
std::string first_difference(const std::string& expected, const std::string& actual) {
  const auto want = lines_of(expected);
  const auto got = lines_of(actual);
  for (std::size_t i = 0; i < want.size() || i < got.size(); ++i) {
    const std::string w = i < want.size() ? want[i] : "(end of file)";
    const std::string g = i < got.size() ? got[i] : "(end of file)";
    if (w != g) return fmt::format("line {}:\n  expected: {}\n  got:      {}", i + 1, w, g);
  }
  return "";
}

bool updating() {
  const char* flag = std::getenv("GILSIM_UPDATE_GOLDEN");
  return flag != nullptr && std::string(flag) == "1";
}

}  // namespace

TEST_CASE("small scenarios simulate to their golden event logs line by line") {
  for (const auto& c : cases()) {
    CAPTURE(c.name);
    const std::string actual = event_log(c);
    const fs::path golden = source_dir() / "tests" / "golden" / "events" / (c.name + ".log");
    if (updating()) {
      trace::write_file_atomically(golden, [&](std::ostream& out) { out << actual; });
      MESSAGE("wrote " << golden.string());
      continue;
    }
    if (!fs::exists(golden)) {
      FAIL_CHECK(fmt::format("{}: no event log {}; run scripts/update-golden.sh and review it", c.name,
                             golden.string()));
      continue;
    }
    const std::string difference = first_difference(read_text(golden), actual);
    if (!difference.empty()) {
      FAIL_CHECK(fmt::format("{} differs at {}\nregenerate with scripts/update-golden.sh and read the diff", golden.string(),
                             difference));
    }
  }
}

TEST_CASE("the event logs stay small enough to read") {
  for (const auto& c : cases()) {
    CAPTURE(c.name);
    CHECK(lines_of(event_log(c)).size() <= 500);
  }
}

TEST_CASE("no event log is left without its case") {
  for (const auto& entry : fs::directory_iterator(source_dir() / "tests" / "golden" / "events")) {
    bool known = false;
    for (const auto& c : cases()) known = known || entry.path().filename() == c.name + ".log";
    CHECK_MESSAGE(known, entry.path().filename().string() << " is not written by any case");
  }
}

TEST_CASE("an event log mismatch names the first differing line") {
  CHECK(first_difference("a\nb\n", "a\nb\n").empty());
  CHECK(first_difference("a\nb\n", "a\nc\n") == "line 2:\n  expected: b\n  got:      c");
  CHECK(first_difference("a\n", "a\nb\n") == "line 2:\n  expected: (end of file)\n  got:      b");
}
