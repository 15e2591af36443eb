// Chrome JSON and CSV exports read back and checked; files are written whole or not at all.
#include <doctest/doctest.h>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/trace/atomic_file.hpp"
#include "sim/trace/chrome_export.hpp"
#include "sim/trace/csv_export.hpp"
#include "sim/trace/trace_builder.hpp"
#include "tests/temp_folder.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::trace;
using nlohmann::json;

namespace {

// One core, one GIL, T1 runs 1.5 ms then waits while T2 runs; a drop request and a forced switch.
Trace small_run(std::string name, Origin origin) {
  TraceBuilder b(std::move(name), "threads", "new", origin, 1, 5_ms);
  b.add_cores(1);
  const auto p = b.add_process("main", true);
  const auto gil = b.gil_lane(p);
  const auto core = b.core_lane(0);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, p);
  const auto tpl = b.add_template("parse", {"cpu 2 ms"});
  const auto j0 = b.add_job("parse, part 1", tpl);  // a comma, to exercise CSV quoting
  const auto j1 = b.add_job("parse 2", tpl);
  b.job_started(j0, t1, 0_ms);
  b.job_started(j1, t2, 0_ms);
  b.set_state(t1, 0_ms, SpanState::Running, j0, 0);
  b.set_state(core, 0_ms, SpanState::Running, t1);
  b.set_state(gil, 0_ms, SpanState::Held, t1);
  b.set_state(t2, 0_ms, SpanState::WaitingGil, j1, 0);
  b.mark(1500_us, MarkKind::DropRequest, t2, t1, (1500_us).ns());
  b.mark(1500_us, MarkKind::ForcedSwitch, t1, t2, (1500_us).ns());
  b.set_state(t1, 1500_us, SpanState::WaitingGil, j0, 0);
  b.set_state(t2, 1500_us, SpanState::Running, j1, 0);
  b.set_state(core, 1500_us, SpanState::Running, t2);
  b.set_state(gil, 1500_us, SpanState::Held, t2);
  return b.finish(3_ms);
}

json export_json(const std::vector<const Trace*>& runs) {
  std::ostringstream out;
  write_chrome_trace(out, runs);
  return json::parse(out.str());
}

std::vector<json> events_with(const json& doc, std::string_view ph, std::string_view name = {}) {
  std::vector<json> found;
  for (const auto& e : doc.at("traceEvents")) {
    if (e.at("ph") == ph && (name.empty() || e.at("name") == name)) found.push_back(e);
  }
  return found;
}

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("each run is a named process and each lane a named, ordered thread") {
  const Trace sim = small_run("threads", Origin::Simulated);
  const Trace real = small_run("threads", Origin::Measured);
  const json doc = export_json({&sim, &real});

  const auto processes = events_with(doc, "M", "process_name");
  REQUIRE(processes.size() == 2);
  CHECK(processes[0]["pid"] == 1);
  CHECK(processes[0]["args"]["name"] == "threads (simulated)");
  CHECK(processes[1]["pid"] == 2);
  CHECK(processes[1]["args"]["name"] == "threads (measured)");

  std::map<int, std::string> names;
  std::map<int, int> order;
  for (const auto& e : events_with(doc, "M", "thread_name")) {
    if (e["pid"] == 1) names[e["tid"].get<int>()] = e["args"]["name"];
  }
  for (const auto& e : events_with(doc, "M", "thread_sort_index")) {
    if (e["pid"] == 1) order[e["tid"].get<int>()] = e["args"]["sort_index"];
  }
  // Threads as the timeline names them: each with the one job it ran.
  CHECK(names == std::map<int, std::string>{{1, "core 0"}, {2, "GIL"}, {3, "T1 parse, part 1"}, {4, "T2 parse 2"}});
  CHECK(order[1] < order[2]);
  CHECK(order[2] < order[3]);
  CHECK(order[3] < order[4]);
}

TEST_CASE("spans become complete events in microseconds; GIL slices are named after the holder") {
  const Trace sim = small_run("threads", Origin::Simulated);
  const json doc = export_json({&sim});
  const auto slices = events_with(doc, "X");
  CHECK(slices.size() == 2 + 2 + 2 + 2);  // core, GIL, T1, T2

  std::vector<json> gil;
  for (const auto& e : slices) {
    if (e["tid"] == 2) gil.push_back(e);
  }
  REQUIRE(gil.size() == 2);
  CHECK(gil[0]["name"] == "T1");
  CHECK(gil[0]["ts"] == 0.0);
  CHECK(gil[0]["dur"] == 1500.0);
  CHECK(gil[1]["name"] == "T2");
  CHECK(gil[1]["ts"] == 1500.0);
  CHECK(gil[1]["args"]["thread"] == "T2");

  const auto& t1_first = slices[4];
  CHECK(t1_first["tid"] == 3);
  CHECK(t1_first["name"] == "running");
  CHECK(t1_first["args"]["job"] == "parse, part 1");
  CHECK(t1_first["args"]["step"] == "cpu 2 ms");
  CHECK(t1_first["args"]["label"] == "T1 running, parse, part 1, step 1: cpu 2 ms");
}

TEST_CASE("marks become thread-scoped instant events that carry the why") {
  const Trace sim = small_run("threads", Origin::Simulated);
  const json doc = export_json({&sim});
  const auto drops = events_with(doc, "i", "drop request");
  REQUIRE(drops.size() == 1);
  CHECK(drops[0]["s"] == "t");
  CHECK(drops[0]["tid"] == 4);
  CHECK(drops[0]["ts"] == 1500.0);
  CHECK(drops[0]["args"]["why"] == "T2 waited 1.50 ms for the GIL and asked T1 to drop it");
  CHECK(events_with(doc, "i").size() == sim.marks.size());
}

TEST_CASE("a thread's consecutive steps in one state are one slice, and a lock's holds by one thread with tiny gaps") {
  // Lesson 15's export was 248 MB, a slice per `counter += one()`: T1 runs five steps of one
  // job back to back, then a sixth after a gap; the lock is held three times 0.1 us apart,
  // then again 5 us later; every mark (a lost update) stays.
  TraceBuilder b("threads", "threads", "new", Origin::Simulated, 1, 5_ms);
  b.add_cores(1);
  const auto p = b.add_process("main", true);
  const auto lock = b.add_lane("lock counter_lock", LaneKind::Lock, p);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, p);
  const auto tpl = b.add_template("unsafe", {"counter += f()", "counter += f()", "counter += f()", "counter += f()",
                                             "counter += f()", "other"});
  const auto job = b.add_job("unsafe 1", tpl);
  b.job_started(job, t1, 0_us);
  for (std::uint32_t step = 0; step < 5; ++step) {
    b.set_state(t1, Time{static_cast<std::int64_t>(step) * 1000}, SpanState::Running, job, step);
  }
  b.clear_state(t1, 5_us);
  b.set_state(t1, 6_us, SpanState::Running, job, 5);
  b.clear_state(t1, 7_us);
  for (int hold = 0; hold < 3; ++hold) {
    b.set_state(lock, Time{hold * 200}, SpanState::Held, t1);
    b.clear_state(lock, Time{hold * 200 + 100});
  }
  b.set_state(lock, Time{5'500}, SpanState::Held, t1);
  b.clear_state(lock, Time{5'600});
  b.mark(Time{4'500}, MarkKind::LostUpdate, t1, 0, 3);
  const Trace run = b.finish(10_us);
  const json doc = export_json({&run});

  std::vector<json> thread, held;
  for (const auto& e : events_with(doc, "X")) {
    if (e["args"]["label"].get<std::string>().starts_with("T1")) thread.push_back(e);
    if (e["cat"] == "lock") held.push_back(e);
  }
  REQUIRE(thread.size() == 2);
  CHECK(thread[0]["ts"] == 0.0);
  CHECK(thread[0]["dur"] == 5.0);
  CHECK(thread[0]["args"]["label"] == "T1 running, unsafe 1, steps 1 to 5: counter += f()");
  CHECK(thread[0]["args"]["steps"] == "1 to 5");
  CHECK(thread[0]["args"]["step"] == "counter += f()");
  CHECK(thread[0]["args"]["job"] == "unsafe 1");
  CHECK(thread[1]["args"]["label"] == "T1 running, unsafe 1, step 6: other");  // after a gap: its own
  REQUIRE(held.size() == 2);
  CHECK(held[0]["ts"] == 0.0);
  CHECK(held[0]["dur"] == 0.5);
  CHECK(held[0]["name"] == "T1");
  CHECK(held[0]["args"]["holds"] == 3);
  CHECK(held[0]["args"]["label"] == "lock counter_lock held by T1, 3 holds, free under 1.00 us between them");
  CHECK(held[1]["ts"] == 5.5);
  CHECK_FALSE(held[1]["args"].contains("holds"));
  CHECK(events_with(doc, "i").size() == run.marks.size());
  CHECK(events_with(doc, "i", "lost update").size() == 1);
}

TEST_CASE("CSV has one row per span and per mark, quoted where needed, saying what subject is") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("") == "");

  const Trace sim = small_run("pool, 2", Origin::Simulated);
  std::ostringstream out;
  write_spans_csv(out, {&sim});
  std::istringstream lines(out.str());
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  REQUIRE(rows.size() == 1 + 8 + sim.marks.size());
  CHECK(rows[0] == "run,origin,lane,kind,state,begin_ns,end_ns,subject,job,step,label,record,subject_is");
  CHECK(rows[1] == "\"pool, 2\",simulated,core 0,core,running,0,1500000,2,,,core 0 running by T1,span,lane");
  CHECK(rows[5] == "\"pool, 2\",simulated,T1,thread,running,0,1500000,0,\"parse, part 1\",1,"
                   "\"T1 running, parse, part 1, step 1: cpu 2 ms\",span,job");
  // The marks follow the spans of their run: T2 asks T1 (lane 2: core 0, GIL, T1) to drop the GIL at 1.5 ms.
  const auto drop = std::find_if(rows.begin() + 9, rows.end(),
                                 [](const std::string& r) { return r.find(",drop request,") != std::string::npos; });
  REQUIRE(drop != rows.end());
  CHECK(drop->rfind("\"pool, 2\",simulated,T2,thread,drop request,1500000,1500000,2,,,", 0) == 0);
  CHECK(drop->substr(drop->size() - 10) == ",mark,lane");
}

TEST_CASE("a CSV mark's subject_is names a counter or a count where its subject is one") {
  Trace sim = small_run("lost", Origin::Simulated);
  sim.counters.push_back(Counter{.name = "counter", .initial = 0, .final_value = 1, .updates = 2});
  sim.marks.push(2_ms, MarkKind::LostUpdate, 2, 0, 1);  // T1 stored counter 0 over 1 update
  sim.marks.push(2_ms, MarkKind::RacesLost, 2, 7, 9'000);
  std::ostringstream out;
  write_spans_csv(out, {&sim});
  const std::string csv = out.str();
  const auto row_of = [&](std::string_view state) {
    const auto at = csv.find(fmt::format(",{},", state));
    REQUIRE(at != std::string::npos);
    return csv.substr(at, csv.find('\n', at) - at);
  };
  CHECK(row_of("lost update").rfind(",lost update,2000000,2000000,0,,,", 0) == 0);
  CHECK(row_of("lost update").substr(row_of("lost update").size() - 13) == ",mark,counter");
  CHECK(row_of("races lost").substr(row_of("races lost").size() - 11) == ",mark,count");
  CHECK(row_of("drop request").substr(row_of("drop request").size() - 10) == ",mark,lane");
}

TEST_CASE("the event log holds the CSV's rows, sorted by start time, ties in the trace's order") {
  const Trace sim = small_run("pool, 2", Origin::Simulated);
  const auto rows_of = [&](void (*write)(std::ostream&, const std::vector<const Trace*>&)) {
    std::ostringstream out;
    write(out, {&sim});
    std::istringstream lines(out.str());
    std::vector<std::string> rows;
    for (std::string line; std::getline(lines, line);) rows.push_back(line);
    return rows;
  };
  const auto csv = rows_of(&write_spans_csv);
  const auto events = rows_of(&write_events_csv);
  REQUIRE(events.size() == csv.size());
  CHECK(events[0] == csv[0]);
  // The CSV's first rows all begin at 0 (core 0, ...); the log keeps them first, in that order.
  CHECK(events[1] == csv[1]);
  std::vector<std::string> sorted_csv(csv.begin() + 1, csv.end());
  std::vector<std::string> sorted_events(events.begin() + 1, events.end());
  std::sort(sorted_csv.begin(), sorted_csv.end());
  std::sort(sorted_events.begin(), sorted_events.end());
  CHECK(sorted_events == sorted_csv);
  const auto begin_of = [](const std::string& row) {
    // begin_ns is the field after the state: count commas outside quotes.
    int field = 0;
    bool quoted = false;
    std::string value;
    for (char c : row) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) ++field;
      else if (field == 5) value += c;
    }
    return std::stoll(value);
  };
  for (std::size_t i = 2; i < events.size(); ++i) CHECK(begin_of(events[i - 1]) <= begin_of(events[i]));
  // The CSV, lane by lane, is not in time order: the sort did something.
  bool csv_goes_back = false;
  for (std::size_t i = 2; i < csv.size(); ++i) csv_goes_back = csv_goes_back || begin_of(csv[i]) < begin_of(csv[i - 1]);
  CHECK(csv_goes_back);
}

TEST_CASE("an output file is written whole or not at all") {
  const gilsim::testing::TempFolder folder("gilsim_export_test");
  const auto& dir = folder.path();
  const auto target = dir / "out.csv";

  SUBCASE("a successful write replaces the file and leaves nothing else") {
    write_file_atomically(target, [](std::ostream& out) { out << "old"; });
    write_file_atomically(target, [](std::ostream& out) { out << "new"; });
    CHECK(read_all(target) == "new");
    CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == 1);
  }
  SUBCASE("a writer that fails keeps the old file and removes the partial one") {
    write_file_atomically(target, [](std::ostream& out) { out << "old"; });
    CHECK_THROWS_AS(write_file_atomically(target,
                                          [](std::ostream& out) {
                                            out << "half";
                                            throw std::runtime_error("disk full");
                                          }),
                    std::runtime_error);
    CHECK(read_all(target) == "old");
    CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == 1);
  }
  SUBCASE("a replaced file keeps its permissions; a new one takes the umask's") {
    namespace fs = std::filesystem;
    write_file_atomically(target, [](std::ostream& out) { out << "old"; });
    const fs::perms fresh = fs::status(target).permissions();
    CHECK(fresh != fs::perms::owner_read);  // the mode below is not what a new file gets anyway
    fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write);
    write_file_atomically(target, [](std::ostream& out) { out << "new"; });
    CHECK(read_all(target) == "new");
    CHECK(fs::status(target).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
  }
  SUBCASE("a read-only file: root writes it keeping its mode, as cp does; anyone else is refused") {
    namespace fs = std::filesystem;
    write_file_atomically(target, [](std::ostream& out) { out << "old"; });
    const fs::perms read_only = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
    fs::permissions(target, read_only);
    const auto write_new = [&] { write_file_atomically(target, [](std::ostream& out) { out << "new"; }); };
    if (::geteuid() == 0) {
      write_new();
      CHECK(read_all(target) == "new");
      CHECK(fs::status(target).permissions() == read_only);
    } else {
      CHECK_THROWS_WITH_AS(write_new(), doctest::Contains("Permission denied"), std::runtime_error);
      CHECK(read_all(target) == "old");
    }
    CHECK(std::distance(fs::directory_iterator(dir), {}) == 1);
  }
  SUBCASE("a missing directory is an error that names the file") {
    try {
      write_file_atomically(dir / "no such dir" / "out.json", [](std::ostream& out) { out << "x"; });
      FAIL("expected an error");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find("cannot write '") == 0);
      CHECK(std::string(e.what()).find("out.json") != std::string::npos);
    }
  }
}

TEST_CASE("an output is checked where it will be written: through a symlink, in the target's folder") {
  namespace fs = std::filesystem;
  const gilsim::testing::TempFolder folder("gilsim-output-check");
  const fs::path dir = folder.path();
  fs::create_symlink("no such dir/t.csv", dir / "dangling.csv");
  const std::string missing = "there is no directory '" + (dir / "no such dir").string() + "'";
  CHECK_THROWS_WITH_AS(check_output_path(dir / "dangling.csv"), doctest::Contains(missing.c_str()), std::runtime_error);
  fs::create_directory(dir / "sub");
  fs::create_symlink("sub/t.csv", dir / "through.csv");
  CHECK_NOTHROW(check_output_path(dir / "through.csv"));
}

TEST_CASE("/dev/stdout and its aliases are standard output, written after what the command printed") {
  // `gilsim run --csv /dev/stdout > out.txt` replaced out.txt through a temporary beside it,
  // /dev/stdout leading there, and the report printed before was lost.
  namespace fs = std::filesystem;
  const gilsim::testing::TempFolder folder("gilsim-output-stdout");
  fs::create_symlink("/dev/stdout", folder.path() / "out.csv");
  for (const fs::path& path : {fs::path("/dev/stdout"), fs::path("/proc/self/fd/1"), fs::path("/dev/fd/1"),
                              folder.path() / "out.csv"}) {
    CAPTURE(path.string());
    std::ostringstream standard_output;
    standard_output << "report\n";
    CHECK_NOTHROW(check_output_path(path));
    write_outputs({OutputRequest{path, [](std::ostream& out) { out << "csv\n"; }}}, standard_output);
    CHECK(standard_output.str() == "report\ncsv\n");
  }
  CHECK(fs::is_symlink(folder.path() / "out.csv"));  // neither replaced nor followed to a file
  CHECK(std::distance(fs::directory_iterator(folder.path()), {}) == 1);
}

TEST_CASE("a name too long for the temporary beside it says so, and does not blame the folder") {
  namespace fs = std::filesystem;
  const gilsim::testing::TempFolder folder("gilsim-output-long");
  const fs::path path = folder.path() / (std::string(240, 'n') + ".json");  // a legal name, 245 bytes
  CHECK_THROWS_WITH_AS(check_output_path(path), doctest::Contains("the name is too long for the temporary file"),
                       std::runtime_error);
  CHECK(std::distance(fs::directory_iterator(folder.path()), {}) == 0);
}

TEST_CASE("an output in a folder that takes no file is refused before the work, for root as well") {
  // access() grants root every folder, /sys's and /proc's too, where creating a file fails:
  // as root, `gilsim run --export-trace /sys/x.json` printed its report, then failed.
  for (const char* path : {"/sys/gilsim-check.json", "/proc/gilsim-check.csv"}) {
    CAPTURE(path);
    CHECK_THROWS_WITH_AS(check_output_path(path), doctest::Contains("takes no new file"), std::runtime_error);
    CHECK_FALSE(std::filesystem::exists(path));
  }
}

TEST_CASE("the renames of several outputs leave the signal mask as they found it") {
  namespace fs = std::filesystem;
  const gilsim::testing::TempFolder folder("gilsim-output-mask");
  sigset_t before;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &before);
  std::ostringstream out;
  write_outputs({OutputRequest{folder.path() / "a.csv", [](std::ostream& o) { o << "a"; }},
                 OutputRequest{folder.path() / "b.json", [](std::ostream& o) { o << "b"; }}},
                out);
  sigset_t after;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &after);
  CHECK(sigismember(&after, SIGINT) == sigismember(&before, SIGINT));
  CHECK(sigismember(&after, SIGTERM) == sigismember(&before, SIGTERM));
  CHECK(fs::exists(folder.path() / "a.csv"));
  CHECK(fs::exists(folder.path() / "b.json"));
}
