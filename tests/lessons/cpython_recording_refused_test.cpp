// Recordings that parse_cpython_recording and cpython_trace must refuse with a CPythonTraceError
// naming the line, rather than lay out as a trace its readers cannot read: the inputs
// fuzz/fuzz_cpython_recording.cpp and its seeds' mutations found (fuzz/regressions/recording-*.txt).
#include <doctest/doctest.h>

#include <string>

#include <fmt/format.h>

#include "sim/cli/text_timeline.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim;

namespace {

const scenario::Scenario& one_job() {
  static const scenario::Scenario s = scenario::load_string(
      "title = \"t\"\n[counters]\nhits = 0\n[[job]]\nname = \"a\"\nsteps = [ { cpu = \"1us\" }, { increment = \"hits\" } ]\n"
      "[[run]]\nexecutor = \"threads\"\n",
      "t.toml");
  return s;
}

/// The recording's lines between its header and its 'end', laid out as the run's trace; the
/// error's text when refused.
std::string laid_out(const std::string& run, const std::string& records) {
  const std::string head = "gilsim-cpython-trace 1\npython 3.11.2 1\ncalibration 20000 0\nrecording 50 250\nmachine 2 0.50 1000\n";
  std::string text = head + run + records;
  text += fmt::format("end {}\n", std::count(text.begin(), text.end(), '\n') + 1);
  try {
    const trace::Trace t = cpython::cpython_trace(one_job(), one_job().runs[0], cpython::parse_cpython_recording(text, "t.txt"));
    cli::render_text_timeline(t, cli::TimelineOptions{});
  } catch (const cpython::CPythonTraceError& e) {
    return e.what();
  }
  return "accepted";
}

constexpr const char* kRun = "run 1000 2000 7 7 1\n";
constexpr const char* kJob = "job 7.1 0 7 8 0 1000 1900\nstep 7.1 0 cpu 7 8 0 1100 1800 1800\n";

}  // namespace

TEST_CASE("a recording as the recorder writes it is laid out") {
  CHECK(laid_out(kRun, std::string(kJob) + "counter hits 1\n") == "accepted");
}

TEST_CASE("a run that lasts past a day is refused: its text timeline overflowed the nanoseconds of its axis") {
  CHECK(laid_out("run 63588545514248 9223372036854775807 7 7 1\n", "counter hits 1\n") ==
        "t.txt:6: the run lasts 9223308448309261559 ns; a recording holds a day at most");
  CHECK(laid_out("run -5 2000 7 7 1\n", "counter hits 1\n") ==
        "t.txt:6: the run begins at a negative time (perf_counter_ns never is)");
  CHECK(laid_out("run 0 86400000000000 7 7 1\n", "counter hits 0\n") == "accepted");
}

TEST_CASE("every time of a record lies within the run, and no record ends before it begins") {
  CHECK(laid_out(kRun, "job 7.1 0 7 8 0 1000 9223372036854775807\n") ==
        "t.txt:7: expected a time within the run, from 1000 to 2000; found 9223372036854775807");
  CHECK(laid_out(kRun, "task 3 -9223372036854775808\n") ==
        "t.txt:7: expected a time within the run, from 1000 to 2000; found -9223372036854775808");
  CHECK(laid_out(kRun, "job 7.1 0 7 8 0 1000 1900\nstep 7.1 0 cpu 7 8 0 1800 1100 1800\n") ==
        "t.txt:8: a 'step' that ends before it begins");
  CHECK(laid_out(kRun, "job 7.1 0 7 8 0 1000 1900\ngap 7 8 1500 1400\n") == "t.txt:8: a 'gap' that ends before it begins");
  CHECK(laid_out("", std::string(kJob) + kRun) == "t.txt:6: a 'job' line before the 'run' line");
  CHECK(laid_out(std::string(kRun) + kRun, "") == "t.txt:7: a second 'run' line");
}

TEST_CASE("slices, gaps, paces and indexes the recorder cannot have written are refused") {
  const auto with_recording = [](const std::string& recording) {
    const std::string text = "gilsim-cpython-trace 1\npython 3.11.2 1\n" + recording + "run 0 10 7 7 1\nend 5\n";
    try {
      cpython::parse_cpython_recording(text, "t.txt");
    } catch (const cpython::CPythonTraceError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(with_recording("recording 50 250\n") == "accepted");
  CHECK(with_recording("recording 0 250\n") == "t.txt:3: expected a slice of 1 ns or more and a gap of at least one slice");
  CHECK(with_recording("recording 50 -9223372036854775808\n") ==
        "t.txt:3: expected a duration from 0 to 86400000000000 ns, found -9223372036854775808");
  CHECK(with_recording("pace 9223372036854775807 0\n") ==
        "t.txt:3: expected a duration from 0 to 86400000000000 ns, found 9223372036854775807");
  CHECK(laid_out(kRun, "job 7.1 4294967296 7 8 0 1000 1900\n") == "t.txt:7: expected an index, found '4294967296'");
}

TEST_CASE("a counter's value outside what its updates can leave is refused: its lost updates overflowed") {
  CHECK(laid_out(kRun, std::string(kJob) + "counter hits 0\n") == "accepted");  // the update lost
  CHECK(laid_out(kRun, std::string(kJob) + "counter hits -9223372036854775808\n") ==
        "counter hits is -9223372036854775808 after the run; its 1 updates from 0 leave it from 0 to 1");
  CHECK(laid_out(kRun, std::string(kJob) + "counter hits 2\n") ==
        "counter hits is 2 after the run; its 1 updates from 0 leave it from 0 to 1");
}

TEST_CASE("a byte that is not printable ASCII is refused: a version of 3.\\xcf11.2 broke the Chrome export's JSON") {
  CHECK(laid_out(kRun, std::string(kJob) + "counter hits 1\n") == "accepted");
  const std::string text = "gilsim-cpython-trace 1\npython 3.\xcf" "11.2 1\nrun 0 10 7 7 1\nend 4\n";
  CHECK_THROWS_WITH_AS(cpython::parse_cpython_recording(text, "t.txt"),
                       "t.txt:2: byte 0xcf is not printable ASCII, which the recorder writes", cpython::CPythonTraceError);
  CHECK_THROWS_WITH_AS(cpython::parse_cpython_recording("gilsim-cpython-trace 1\npython 3.11.2\t1\nrun 0 10 7 7 1\nend 4\n", "t.txt"),
                       "t.txt:2: byte 0x09 is not printable ASCII, which the recorder writes", cpython::CPythonTraceError);
}
