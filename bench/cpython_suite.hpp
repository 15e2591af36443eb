// The CPython ground-truth suite (`gilsim_fidelity --cpython`): the rows of fidelity/suite.toml,
// the JSON that each program of fidelity/cpython/ prints, what CPython measured and what the
// model predicts for each row, and the tables that put them side by side. Running python3 is
// in cpython_runner.cpp; everything here works on text and scenarios, so it is tested on
// canned program output.
#pragma once

#include <filesystem>
#include <istream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::fidelity {

/// A suite file or a program's output that cannot be read: the message says where and why.
class SuiteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class RowKind { Time, Ratio, Tenure, Race };

/// "time", "ratio", "tenure", "race": as written in suite.toml.
std::string_view to_string(RowKind kind);

/// The tolerance of a kind of row as a fraction: 0.10 for times and ratios, 0.01 for GIL
/// tenure (issue 8's bar); 0 for races, which pass on both outcomes showing.
double tolerance(RowKind kind);

/// "SECTION.FIELD" or "SECTION.FIELD / SECTION.FIELD" of a program's output.
struct MeasuredFigure {
  std::string section, field;
  std::string over_section, over_field;  ///< empty: no division
};

/// The model's figure for a row: `quantity` of run `run` (of `job`), then
/// (value - the same quantity of `minus`) / the same quantity of `over` / `divide`.
struct ModelFigure {
  std::string run;
  std::string quantity = "makespan";
  std::string job;
  std::string over, minus;
  double divide = 1.0;
  /// The seeds the model runs under: the scenario's seed and the next seeds - 1 (load_suite
  /// gives every row the suite's `model_seeds` unless the row sets its own `seeds`).
  int seeds = 1;
};

struct SuiteRow {
  std::string effect, label;
  std::string program;   ///< file name in the programs folder
  std::string scenario;  ///< file name in the scenarios folder
  RowKind kind = RowKind::Time;
  MeasuredFigure measured;
  ModelFigure model;
  std::string lesson;        ///< optional: the lesson of scenarios/ whose effect the row checks
  std::string lesson_title;  ///< that lesson's title, read from it by load_suite
  /// Why the row is known to fall outside its tolerance: one sentence a teacher can say to a
  /// class, the mechanism without figures (required with `why`).
  std::string summary;
  /// The evidence for it: measurements, traces, the rules of docs/model.md. It may quote its
  /// own row's figures as kWhyModelFigure and kWhyCpythonFigure (why_with_figures()).
  std::string why;
};

/// In a `why`: the row's model median and CPython's median, as the page's table prints them.
inline constexpr std::string_view kWhyModelFigure = "{model}";
inline constexpr std::string_view kWhyCpythonFigure = "{cpython}";

struct Suite {
  std::filesystem::path programs;   ///< fidelity/cpython
  std::filesystem::path scenarios;  ///< fidelity/scenarios
  std::filesystem::path lessons;    ///< scenarios/ (the lessons), beside fidelity/
  std::vector<SuiteRow> rows;
  /// `model_seeds` at the top of the suite file: the seeds each row's model runs under (the
  /// prediction their median, as CPython's figure is the median of its runs); a row's own
  /// `seeds` overrides it.
  static constexpr int kModelSeeds = 9;
  int model_seeds = kModelSeeds;

  /// Each program once, in the order the rows first name them.
  std::vector<std::string> program_names() const;
};

/// Reads fidelity/suite.toml (programs and scenarios are the folders next to it, the lessons
/// the scenarios/ folder beside fidelity/). Throws SuiteError "file:line:col: what was
/// expected", also for a lesson that is not there.
Suite load_suite(const std::filesystem::path& file);

/// The longest a program of the suite runs before the runner stops it: no figure it measured
/// is longer.
inline constexpr double kProgramTimeoutSeconds = 120.0;

/// One measured run of a program (a section of its output).
struct Section {
  double wall = 0.0;
  double cpu = 0.0;
  int cores = 0;      ///< cores the section needs free
  double busy = 0.0;  ///< cores' worth of CPU it keeps busy from start to end; 0: not checked
  std::map<std::string, double> fields;  ///< "wall", "cpu" and the program's own figures
};

/// One run of one program: what it printed, and what the runner saw around it.
struct ProgramRun {
  std::string program;
  std::string python;      ///< "3.11.2"
  std::string executable;  ///< sys.executable
  int cpu_count = 0;
  std::vector<double> load_start, load_end;  ///< the program's own os.getloadavg()
  std::map<std::string, Section> sections;
  // Filled by the runner:
  double free_cores = -1.0;  ///< cores' worth two busy threads got just before; < 0: not probed
  double wall = 0.0;         ///< the whole program, seconds
  double cpu = 0.0;          ///< its CPU time and its children's (getrusage), seconds
};

/// Parses a program's one JSON line (the last line that starts with '{'). Throws SuiteError.
ProgramRun parse_program_output(std::string_view output, std::string_view program);

/// The program's JSON line with what the runner saw added: {"repeat", "free_cores",
/// "program_wall", "program_cpu"}, for `--raw`. `output` must hold a valid JSON line.
std::string raw_line(std::string_view output, int repeat, double free_cores, double wall, double cpu);

/// Why a section's figures cannot be trusted, or nothing: a section whose CPU time is under
/// 75 % of busy x wall, a section needing cores when fewer were free before the run, or a
/// section the machine disturbed more than it allows (its fields `disturbed` and
/// `disturbed_limit`: fractions, e.g. of the time the GIL's holder held it, the part the
/// kernel preempted it), or whose threads waited longer for a CPU (`cpu_wait`, from the kernel's
/// schedstat) than it allows (`cpu_wait_limit`).
std::optional<std::string> starved(const Section& section, double free_cores);

/// Why a ratio's two sections cannot be divided, or nothing: their paces (field `pace`, the
/// jobs' CPU seconds per planned unit of work) differ by more than
/// trace::CpuCheck::kPaceTolerance, the host's speed having moved between them, which the
/// sections' turns do not cancel: "pace moved 23% between the parts". Nothing when neither
/// section has a pace; throws SuiteError "PROGRAM: ..." when only one has.
std::optional<std::string> pace_moved(const Section& part, const Section& whole, std::string_view program);

/// What CPython gave for a row over the repeats.
struct Measurement {
  std::vector<double> values;      ///< one per repeat that got its cores
  std::vector<std::size_t> rounds;  ///< the repeat (0-based) each value came from
  std::vector<std::string> starved;  ///< one reason per repeat left out as starved
  std::vector<std::string> off_pace;  ///< one reason per repeat left out as its parts' paces differed (pace_moved)
  int lost = 0, kept = 0;          ///< race rows: reads of each kind over the scored repeats
  double median() const;
  double low() const;
  double high() const;
};

/// Throws SuiteError when a run lacks a section or field the row names.
Measurement measure(const SuiteRow& row, const std::vector<ProgramRun>& runs);

/// Each CPU's seconds per loop as fidelity/cpython/cpu_speeds.py measured them, one probe
/// (a run of it) after another: the machine's core speeds (docs/model.md S7).
struct CoreSpeedProbes {
  std::vector<std::vector<double>> loops;  ///< [probe][cpu]

  /// Takes a probe's sections cpu0, cpu1, ... (`loop`, seconds). Throws SuiteError when it
  /// has none, or a loop that is not positive, or when with it a relative speed (speeds())
  /// leaves 0.01 to 100, the range of a scenario's machine.core_speeds.
  void add(const ProgramRun& run);

  /// Relative speeds, each CPU's mean loop rate over the probes, scaled so that their mean
  /// is 1.0 (the costs were measured on the machine as a whole); empty without probes, and
  /// when the CPUs differ by less than one CPU's probes differ among themselves (noise, which
  /// would only move the predictions of chaotic rows such as the convoy).
  std::vector<double> speeds() const;

  /// "CPU 0 20.4 ms (20.6, 20.3 ms); CPU 1 ...; relative speeds 0.99, 1.01" for the page.
  std::string describe() const;
};

/// What fidelity/cpython/wake_latency.py measured of the machine's wake-ups, one probe (a run
/// of it) per round of programs (docs/model.md G8): each round's predictions are made with
/// that round's.
struct WakeLatencyProbes {
  struct Idle {
    std::string name;  ///< "1ms", as in the section's name
    double idle = 0.0, latency = 0.0, low = 0.0, high = 0.0;  ///< handoff_NAME, seconds
    double gap = 0.0;      ///< the whole hand-off, the waiter's signal of the dropper included; 0: none
    double blocked = 0.0;  ///< blocked_NAME's latency; 0: none
    double timer_late = 0.0;
  };
  /// A timed wait with nobody signalling (timer_NAME, G2a), seconds.
  struct TimedWait {
    double timeout = 0.0, late = 0.0, low = 0.0, high = 0.0, slack = 0.0;
  };
  std::vector<std::vector<Idle>> rounds;         ///< [probe][idle], by idle
  std::vector<std::vector<TimedWait>> timed;     ///< [probe][timeout], by timeout; may be empty

  /// Takes a probe's sections handoff_* (`idle`, `latency`, `low`, `high`, `timer_late`),
  /// blocked_* (`latency`) and timer_* (`idle_asked`, `late`, `low`, `high`, `slack`). Throws
  /// SuiteError when it has no handoff_ section, or one whose idle or latency is not
  /// positive, or a timer_ section whose timeout is not positive or that lacks `late` or `slack`.
  void add(const ProgramRun& run);

  /// What scenario::fit_to_machine takes of round `round` (0-based): each idle's median.
  std::vector<scenario::WakeSample> samples(std::size_t round) const;
  /// The same of its timed waits (G2a): each timeout's median lateness.
  std::vector<scenario::TimerSample> timer_samples(std::size_t round) const;

  /// For the page, one line per round: "round 1: after 1.10 ms, 4.40 us (4.00 us to 26.0 us),
  /// hand-off 31.0 us, 37.0 us when blocked all along; ...; the model's window 1.12 ms, 7.10 us
  /// per doubling; a timed wait of 1 ms late 92.0 us (85.0 us to 99.0 us), ... (slack 50.0
  /// us): the model's timer wake-up 40.0 us + 9.00 us per doubling past 390 us".
  std::vector<std::string> describe() const;
};

/// What the process-start probe measured in one round (python3's fork, the child's exit and
/// the parent's wait; section `fork`: `median`, `low`, `high`, seconds, and `samples`), for
/// the page: "7.70 ms (6.90 ms to 9.10 ms)". Throws SuiteError when a figure is missing.
std::string describe_process_start(const ProgramRun& run);

/// P4e: the fork probe's figure of a round for the fit, the fastest of its 20 starts (its
/// section 'fork''s "low"): a busy machine only adds to a start (a wait for a CPU), so the
/// fastest is the one it disturbed least. Throws SuiteError.
Time process_start_fastest(const ProgramRun& run);

/// P4e: the fork probe of several rounds as scenario::MeasuredMachine takes it: the median of
/// the rounds' figures (of two in the middle, their mean, to the ns below); none without rounds.
std::optional<Time> fork_probe_of(std::vector<Time> rounds);

/// What the model predicts for a row: over its seeds (ModelFigure::seeds), as CPython's
/// figure is over its runs.
struct Prediction {
  double value = 0.0;    ///< seconds or a ratio: the median over the seeds; race rows: the fraction of lost reads
  int lost = 0, kept = 0;  ///< race rows, over every seed
  /// Race rows: some read keeps the GIL under one seed and loses an interval under another.
  bool both_outcomes = false;
  /// The model's spread: the lowest and the highest seed's figure (race rows: a seed's
  /// fraction of lost reads); both `value` when no seed moves the row.
  double low = 0.0, high = 0.0;
  int seeds = 0;  ///< how many seeds it is over; 0: a figure given as it is, no spread
};

/// The contended holds of the main interpreter's GIL by job threads (the main thread only
/// starts and joins; a thread that takes it back before the other job thread held it kept
/// it, as gil_tenure.py sees it), the first and the last left out as the start and the end
/// cut them short: how long each lasted, and the gap before each that changed the holder.
struct GilHolds {
  std::vector<Time> tenures, gaps;
};
GilHolds gil_holds(const trace::Trace& trace);

/// For each blocking call of `job`'s first job, in order: whether it lost the GIL, that is
/// whether a wait for the GIL longer than half a switch interval followed it. Throws
/// SuiteError when the run has no such job.
std::vector<bool> lost_reads(const trace::Trace& trace, const std::string& job);

/// The scenario once for each order of its cores' speeds (S7: each rotation of
/// `machine.core_speeds`, one per core), or once when every core runs at one speed.
std::vector<scenario::Scenario> core_orders(const scenario::Scenario& s);

/// One prediction from each seed's figure: their median, the lowest and the highest.
Prediction over_seeds(const std::vector<double>& per_seed);

/// Simulates the runs a row needs under each of its seeds (the scenario's seed and the next
/// `row.model.seeds` - 1): under one seed, each run's quantity is the mean over core_orders()
/// and the row's figure is made of that seed's quantities alone (its `minus` and `over` too),
/// as a program's figure is made of one run's sections; the prediction is over_seeds() of
/// the seeds' figures. Throws SuiteError for a run, job or quantity the scenario does not have.
Prediction predict(const SuiteRow& row, const scenario::Scenario& scenario);

/// One prediction from a prediction per round (each with that round's machine, G8), over
/// the rounds `scored` (those whose run the row's measurement kept; every round when none
/// is): the median of the rounds' values, the spread from the lowest to the highest seed of
/// any of them; race rows: their reads summed, both outcomes when one showed them.
Prediction over_rounds(const std::vector<Prediction>& rounds, const std::vector<std::size_t>& scored = {});

/// Starved: no run got its cores (some may also be off pace); OffPace: every run got them, but
/// the parts of none ran at one pace.
enum class Verdict { Pass, Outside, Starved, OffPace, NotMeasured };

struct RowResult {
  const SuiteRow* row = nullptr;
  Measurement measured;
  Prediction predicted;
  double error = 0.0;  ///< real::prediction_error, a fraction; 0 for races
  Verdict verdict = Verdict::NotMeasured;
  std::string reason;    ///< for every verdict but Pass: one line (the row's summary when outside)
  std::string left_out;  ///< "1 of 3 runs left out (...)", or empty
};

/// Compares a row's measurement with its prediction with the project's one error formula.
RowResult score(const SuiteRow& row, Measurement measured, Prediction predicted);

/// "1.234 s", "5.03 ms", "1.12x", "12 of 60 lost" as the row's kind wants.
std::string format_figure(RowKind kind, double value);

/// A row's `why` with its figures filled in: `{model}` becomes the model's median and
/// `{cpython}` CPython's, as the table prints them, so a why quoting its own row's figures
/// never goes stale when the model or the measurements move. Other text is kept as it is.
std::string why_with_figures(const RowResult& r);

/// The text table printed by the command.
std::string render_text(const std::vector<RowResult>& results);

/// Plain text lines as Markdown: each sentence a paragraph of its own, a run of "- " items
/// one list, with a blank line before and after it. Both generated pages' summaries
/// (this suite's class lines, docs/fidelity.md's results) are written this way.
std::string markdown_paragraphs(const std::vector<std::string>& lines);

/// "What this means for a class", from the verdicts alone: per effect (and its lesson), the
/// rows CPython confirmed (within tolerance); one line per row outside (its summary) and per row not
/// scored. Plain text lines, each a sentence or a "- " item; no figure but counts.
std::vector<std::string> class_lines(const std::vector<RowResult>& results);

/// What docs/fidelity-cpython.md says around the table.
struct RunInfo {
  std::string command;      ///< the command that regenerates the page
  std::string python;       ///< "3.11.2 (/usr/bin/python3)"
  std::string machine;      ///< "AMD EPYC ..., 2 CPUs, Linux 6.1"
  int repeat = 0;
  std::string load_before, load_after;  ///< /proc/loadavg's first three figures
  double highest_load = 0.0;            ///< the highest 1-minute load the programs saw
  double seconds = 0.0;                 ///< how long the whole suite took
  std::string scheduling;               ///< how the programs were scheduled (sim/cpython/scheduler_group.hpp)
  std::string core_speeds;              ///< what cpu_speeds.py measured of each CPU (S7); empty: not probed
  std::vector<std::string> wake_latencies;  ///< what wake_latency.py measured, per round (G8); empty: not probed
  /// How long python3 took to start a process before each round (describe_process_start);
  /// empty: not probed.
  std::vector<std::string> process_starts;
  bool wake_fit = true;  ///< the model's wake-up law fitted to them (false: --no-wake-fit, the default law)
  /// The model's process start costs fitted to the rounds' fork probe (docs/model.md P4e;
  /// false: --no-start-fit, the defaults). Not kept in the measurements: a replay fits unless told.
  bool start_fit = true;
  /// What the fit gave, for the page: the probe and each cost it moved; empty: nothing moved.
  std::string start_fit_note;
  bool measured = true;  ///< false: a page of the model's predictions alone (--model-only), no CPython run
  /// The file of the measurements the page was made of ("fidelity/measured.jsonl"), and the
  /// suite file when not the default (`--suite`): the page says how to write it again from
  /// them. Empty: not said.
  std::string measurements, suite;
};

/// What a measured page is made of, so that it can be written again with today's model and
/// suite.toml (`gilsim_fidelity --cpython --replay FILE`): the run's own information, then
/// every probe's and program's raw_line, in the order they ran. The rest of RunInfo (the
/// probes' lines, the highest load) is derived from the lines.
struct Measurements {
  /// command, python, machine, repeat, load_before, load_after, seconds, scheduling, wake_fit.
  RunInfo info;
  int cpus = 2;                    ///< the CPUs the programs ran on (the model's machine is fitted to them)
  std::vector<std::string> only;   ///< --only's programs; empty: the whole suite
  std::vector<std::string> lines;  ///< raw_line()s, one run each

  /// One run of a line, read back.
  struct Run {
    std::size_t line = 0;  ///< in the file, from 1
    int repeat = 0;        ///< the round, from 1
    ProgramRun run;        ///< free_cores, wall and cpu as the runner saw them
  };
  std::vector<Run> runs;  ///< filled by read_measurements, one per line
};

/// The file's text: {"run_info": {...}} on the first line, then the lines.
std::string measurements_text(const Measurements& m);

/// Reads a file of measurements_text(). Throws SuiteError "FILE:LINE: what was expected"
/// (the JSON key a line lacks, or the value it should have).
Measurements read_measurements(const std::filesystem::path& file);
/// The same from a stream, `name` standing for the file in the errors.
Measurements read_measurements(std::istream& in, const std::string& name);

/// The whole generated page.
std::string render_markdown(const std::vector<RowResult>& results, const RunInfo& info);

}  // namespace gilsim::fidelity
