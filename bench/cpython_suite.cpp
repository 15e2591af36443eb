// The CPython ground-truth suite: rows, program output, measurement, prediction (scoring and
// tables are in cpython_suite_tables.cpp). Sections: reading the suite · reading a program's
// output · what CPython measured · what the model predicts.
#include "bench/cpython_suite.hpp"

#include <algorithm>
#include <limits>
#include <array>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/toml_reader.hpp"
#include "sim/trace/metrics.hpp"

namespace gilsim::fidelity {

namespace {
constexpr std::array<std::string_view, 4> kKinds{"time", "ratio", "tenure", "race"};
}  // namespace

std::string_view to_string(RowKind kind) { return kKinds[static_cast<std::size_t>(kind)]; }

double tolerance(RowKind kind) {
  switch (kind) {
    case RowKind::Time: return 0.10;
    case RowKind::Ratio: return 0.10;
    case RowKind::Tenure: return 0.01;
    case RowKind::Race: return 0.0;
  }
  return 0.0;
}

// ---- reading the suite ------------------------------------------------------------------

std::vector<std::string> Suite::program_names() const {
  std::vector<std::string> names;
  for (const auto& row : rows) {
    if (std::find(names.begin(), names.end(), row.program) == names.end()) names.push_back(row.program);
  }
  return names;
}

namespace {

constexpr std::array<std::string_view, 11> kRowKeys{"effect", "label", "lesson", "summary", "program", "scenario",
                                                    "kind",   "measured", "model", "why",   "note"};
constexpr std::array<std::string_view, 7> kModelKeys{"run", "quantity", "job", "over", "minus", "divide", "seeds"};
constexpr std::array<std::string_view, 6> kQuantities{"makespan",   "job_latency", "first_result",
                                                      "gil_tenure", "handoff_gap", "lost_reads"};

std::pair<std::string, std::string> section_field(const scenario::TomlReader& reader, const toml::node& node,
                                                  std::string_view text, bool race) {
  std::string trimmed(text);
  trimmed.erase(0, trimmed.find_first_not_of(' '));
  trimmed.erase(trimmed.find_last_not_of(' ') + 1);
  const auto dot = trimmed.find('.');
  if (race) {
    if (trimmed.empty() || dot != std::string::npos) reader.fail(node, "a race row measures a section: \"race_5ms\"");
    return {trimmed, ""};
  }
  if (dot == std::string::npos || dot == 0 || dot + 1 == trimmed.size() || trimmed.find(' ') != std::string::npos) {
    reader.fail(node, fmt::format("'{}' is not SECTION.FIELD; expected e.g. \"threads.wall\"", trimmed));
  }
  return {trimmed.substr(0, dot), trimmed.substr(dot + 1)};
}

SuiteRow read_row(const scenario::TomlReader& reader, const toml::table& t, const std::filesystem::path& lessons,
                  int model_seeds) {
  reader.check_keys(t, kRowKeys, "in a [[row]]");
  const auto required = [&](std::string_view key, std::string_view expected) {
    auto value = reader.string(t, key);
    if (!value || value->empty()) reader.missing(t, key, "a [[row]]", expected);
    return *value;
  };
  SuiteRow row;
  row.effect = required("effect", "what is compared, e.g. \"convoy\"");
  row.label = required("label", "the row's label, e.g. \"4 threads / sequential\"");
  row.program = required("program", "a program of fidelity/cpython/, e.g. \"convoy.py\"");
  row.scenario = required("scenario", "a scenario of fidelity/scenarios/, e.g. \"convoy.toml\"");
  const auto kind = reader.choice(t, "kind", kKinds);
  if (!kind) reader.missing(t, "kind", "a [[row]]", "\"time\", \"ratio\", \"tenure\" or \"race\"");
  row.kind = static_cast<RowKind>(*kind);
  row.lesson = reader.string(t, "lesson").value_or("");
  if (!row.lesson.empty()) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(lessons / row.lesson, error)) {
      reader.fail(*t.get("lesson"), fmt::format("no lesson '{}' in {}; expected a file name such as \"07-convoy.toml\"",
                                               row.lesson, lessons.string()));
    }
    row.lesson_title = scenario::load_file(lessons / row.lesson).title;
  }
  row.why = reader.string(t, "why").value_or("");
  // A brace opens one of the figures a why may quote (why_with_figures), nothing else.
  for (auto at = row.why.find('{'); at != std::string::npos; at = row.why.find('{', at + 1)) {
    const std::string_view rest = std::string_view(row.why).substr(at);
    if (rest.starts_with(kWhyModelFigure) || rest.starts_with(kWhyCpythonFigure)) continue;
    const std::size_t close = rest.find('}');
    const std::string_view word = rest.substr(0, close == std::string_view::npos ? rest.find(' ') : close + 1);
    reader.fail(*t.get("why"), fmt::format("a `why` quotes its row's figures as {} and {}; '{}' is neither",
                                          kWhyModelFigure, kWhyCpythonFigure, word));
  }
  if (row.kind == RowKind::Race && row.why.find('{') != std::string::npos) {
    reader.fail(*t.get("why"), "a race row's figures are counts of reads: write them out in its `why`");
  }
  row.summary = reader.string(t, "summary").value_or("");
  if (!row.why.empty() && row.summary.empty()) {
    reader.missing(t, "summary", "a [[row]] with a `why`",
                   "one sentence a teacher can say to a class, e.g. \"the kernel wakes the waiting thread later than the "
                   "model does\"");
  }
  if (row.why.empty() && !row.summary.empty()) reader.fail(*t.get("summary"), "a `summary` sums up a `why`: give both");

  const std::string measured = required("measured", "\"SECTION.FIELD\" or \"SECTION.FIELD / SECTION.FIELD\"");
  const toml::node& measured_node = *t.get("measured");
  const auto slash = measured.find('/');
  std::tie(row.measured.section, row.measured.field) =
      section_field(reader, measured_node, measured.substr(0, slash), row.kind == RowKind::Race);
  if (slash != std::string::npos) {
    std::tie(row.measured.over_section, row.measured.over_field) =
        section_field(reader, measured_node, measured.substr(slash + 1), false);
  }

  const toml::table* model = reader.table(t, "model");
  if (model == nullptr) reader.missing(t, "model", "a [[row]]", "{ run = \"threads\" }");
  reader.check_keys(*model, kModelKeys, "in a row's model");
  auto run = reader.string(*model, "run");
  if (!run) reader.missing(*model, "run", "the row's model", "a run of the scenario, e.g. \"threads\"");
  row.model.run = *run;
  if (const auto q = reader.choice(*model, "quantity", kQuantities)) row.model.quantity = std::string(kQuantities[*q]);
  row.model.job = reader.string(*model, "job").value_or("");
  row.model.over = reader.string(*model, "over").value_or("");
  row.model.minus = reader.string(*model, "minus").value_or("");
  row.model.divide = reader.number(*model, "divide", 1e-9, 1e9).value_or(1.0);
  row.model.seeds = static_cast<int>(reader.integer(*model, "seeds", 1, 1000).value_or(model_seeds));
  const bool needs_job = row.model.quantity == "job_latency" || row.model.quantity == "lost_reads";
  if (needs_job && row.model.job.empty()) {
    reader.missing(*model, "job", "the row's model", fmt::format("the job whose {} is compared", row.model.quantity));
  }
  if ((row.kind == RowKind::Race) != (row.model.quantity == "lost_reads")) {
    reader.fail(*model, "a race row, and only a race row, has quantity = \"lost_reads\"");
  }
  return row;
}

}  // namespace

Suite load_suite(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw SuiteError(fmt::format("{}: cannot read the suite file", file.string()));
  std::stringstream text;
  text << in.rdbuf();
  const scenario::OverrideTexts no_overrides;
  const scenario::TomlReader reader(file.string(), no_overrides);
  Suite suite;
  suite.programs = file.parent_path() / "cpython";
  suite.scenarios = file.parent_path() / "scenarios";
  suite.lessons = file.parent_path().parent_path() / "scenarios";
  try {
    toml::table root;
    try {
      root = toml::parse(text.str(), file.string());
    } catch (const toml::parse_error& e) {
      reader.fail(e.source(), fmt::format("invalid TOML: {}", e.description()));
    }
    constexpr std::array<std::string_view, 2> kTop{"model_seeds", "row"};
    reader.check_keys(root, kTop, "at the top level");
    suite.model_seeds = static_cast<int>(reader.integer(root, "model_seeds", 1, 1000).value_or(Suite::kModelSeeds));
    const toml::array* rows = reader.array(root, "row", "[[row]]");
    if (rows == nullptr || rows->empty()) throw SuiteError(fmt::format("{}: the suite has no [[row]]", file.string()));
    for (const toml::node& node : *rows) {
      const toml::table* t = node.as_table();
      if (t == nullptr) reader.fail(node, "a [[row]] must be a table");
      suite.rows.push_back(read_row(reader, *t, suite.lessons, suite.model_seeds));
    }
  } catch (const scenario::ScenarioError& e) {
    throw SuiteError(e.what());
  }
  return suite;
}

// ---- reading a program's output --------------------------------------------------------

namespace {

/// The last line that starts with '{'; anything else is the program's chatter.
std::string_view json_line(std::string_view output) {
  std::string_view json;
  std::size_t begin = 0;
  while (begin < output.size()) {
    std::size_t end = output.find('\n', begin);
    if (end == std::string_view::npos) end = output.size();
    const std::string_view line = output.substr(begin, end - begin);
    if (!line.empty() && line.front() == '{') json = line;
    begin = end + 1;
  }
  return json;
}

}  // namespace

std::string raw_line(std::string_view output, int repeat, double free_cores, double wall, double cpu) {
  nlohmann::json doc = nlohmann::json::parse(json_line(output));
  doc["repeat"] = repeat;
  doc["free_cores"] = free_cores;
  doc["program_wall"] = wall;
  doc["program_cpu"] = cpu;
  return doc.dump();
}

std::string measurements_text(const Measurements& m) {
  const RunInfo& i = m.info;
  const nlohmann::json info = {{"command", i.command},         {"python", i.python},
                               {"machine", i.machine},         {"repeat", i.repeat},
                               {"load_before", i.load_before}, {"load_after", i.load_after},
                               {"seconds", i.seconds},         {"scheduling", i.scheduling},
                               {"wake_fit", i.wake_fit},       {"cpus", m.cpus},
                               {"only", m.only}};
  std::string text = nlohmann::json{{"run_info", info}}.dump() + "\n";
  for (const std::string& line : m.lines) text += line + "\n";
  return text;
}

Measurements read_measurements(const std::filesystem::path& file) {
  std::error_code error;
  if (std::filesystem::is_directory(file, error)) {
    // A folder opens as a stream that reads nothing, which would read as an empty file.
    throw SuiteError(
        fmt::format("{}: is a folder; expected the measurements file (fidelity/measured.jsonl)", file.string()));
  }
  std::ifstream in(file);
  if (!in) throw SuiteError(fmt::format("{}: cannot read the measurements", file.string()));
  return read_measurements(in, file.string());
}

Measurements read_measurements(std::istream& in, const std::string& name) {
  Measurements m;
  std::string text;
  std::size_t number = 0;
  const auto fail = [&](const std::string& why) { return SuiteError(fmt::format("{}:{}: {}", name, number, why)); };
  const auto object = [&](const std::string& line) {
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number past a double (out_of_range.406)
      throw fail(fmt::format("not a JSON line: {}", e.what()));
    }
    if (!doc.is_object()) throw fail("expected a JSON object");
    return doc;
  };
  // The value of `key` of `doc`, of the type `expected` names.
  const auto value = [&](const nlohmann::json& doc, const char* where, const char* key, const char* expected,
                         bool (nlohmann::json::*is)() const noexcept) -> const nlohmann::json& {
    const auto found = doc.find(key);
    if (found == doc.end()) throw fail(fmt::format("{} has no \"{}\"; expected {}", where, key, expected));
    if (!((*found).*is)()) throw fail(fmt::format("{}'s \"{}\" is not {}", where, key, expected));
    return *found;
  };
  using J = nlohmann::json;
  while (std::getline(in, text)) {
    ++number;
    if (number == 1) {
      const J doc = object(text);
      if (!doc.contains("run_info")) {
        throw fail("expected the run's information first: {\"run_info\": {\"command\": ..., ...}}");
      }
      const J& i = value(doc, "the line", "run_info", "an object", &J::is_object);
      const char* where = "run_info";
      m.info.command = value(i, where, "command", "a string (the command that measured)", &J::is_string).get<std::string>();
      m.info.python = value(i, where, "python", "a string such as \"3.11.2 (/usr/bin/python3)\"", &J::is_string).get<std::string>();
      m.info.machine = value(i, where, "machine", "a string (the CPU, its count and the kernel)", &J::is_string).get<std::string>();
      m.info.repeat = value(i, where, "repeat", "a whole number of rounds", &J::is_number_integer).get<int>();
      m.info.load_before = value(i, where, "load_before", "a string such as \"0.70 1.38 0.86\"", &J::is_string).get<std::string>();
      m.info.load_after = value(i, where, "load_after", "a string such as \"1.15 1.34 0.91\"", &J::is_string).get<std::string>();
      m.info.seconds = value(i, where, "seconds", "a number (how long the suite took)", &J::is_number).get<double>();
      m.info.scheduling = value(i, where, "scheduling", "a string (how the programs were scheduled)", &J::is_string).get<std::string>();
      m.info.wake_fit = value(i, where, "wake_fit", "true or false (--wake-fit)", &J::is_boolean).get<bool>();
      m.cpus = value(i, where, "cpus", "the number of CPUs the programs ran on", &J::is_number_integer).get<int>();
      const J& only = value(i, where, "only", "a list of --only's programs ([] for the whole suite)", &J::is_array);
      for (const J& name : only) {
        if (!name.is_string()) throw fail("run_info's \"only\" is not a list of strings");
        m.only.push_back(name.get<std::string>());
      }
      if (m.info.repeat < 1 || m.cpus < 1) throw fail("run_info's \"repeat\" and \"cpus\" must be at least 1");
      continue;
    }
    const J doc = object(text);
    const char* where = "the run";
    Measurements::Run run;
    run.line = number;
    const std::string program = value(doc, where, "program", "the program's name, e.g. \"convoy\"", &J::is_string).get<std::string>();
    run.repeat = value(doc, where, "repeat", "the round, a whole number", &J::is_number_integer).get<int>();
    if (run.repeat < 1 || run.repeat > m.info.repeat) {
      throw fail(fmt::format("\"repeat\": {} is not a round from 1 to {} (run_info's repeat)", run.repeat, m.info.repeat));
    }
    if (!m.runs.empty() && run.repeat < m.runs.back().repeat) {
      throw fail(fmt::format("round {} after round {}: expected the rounds in the order they ran", run.repeat,
                             m.runs.back().repeat));
    }
    const double free_cores =
        value(doc, where, "free_cores", "the cores free before the run (-1: not probed)", &J::is_number).get<double>();
    const double wall = value(doc, where, "program_wall", "the program's wall time, seconds", &J::is_number).get<double>();
    const double cpu = value(doc, where, "program_cpu", "the program's CPU time, seconds", &J::is_number).get<double>();
    try {
      run.run = parse_program_output(text, program);
    } catch (const SuiteError& e) {
      throw fail(e.what());
    }
    run.run.free_cores = free_cores;
    run.run.wall = wall;
    run.run.cpu = cpu;
    m.lines.push_back(text);
    m.runs.push_back(std::move(run));
  }
  if (number == 0) throw SuiteError(fmt::format("{}:1: empty; expected the run's information first: {{\"run_info\": ...}}", name));
  return m;
}

ProgramRun parse_program_output(std::string_view output, std::string_view program) {
  const std::string_view json = json_line(output);
  const auto fail = [&](const std::string& why) -> SuiteError {
    return SuiteError(fmt::format("{}: {}", program, why));
  };
  if (json.empty()) throw fail("printed no JSON line (a line starting with '{')");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number past a double (out_of_range.406)
    throw fail(fmt::format("its JSON line is not valid: {}", e.what()));
  }
  // A count held as an int: a figure past one is no count (and its conversion undefined).
  const auto count = [&](double figure, const std::string& what) {
    if (!(figure >= 0 && figure <= std::numeric_limits<int>::max() && figure == std::floor(figure))) {
      throw fail(fmt::format("{} is {}; expected a whole number, 0 or more", what, figure));
    }
    return static_cast<int>(figure);
  };
  ProgramRun run;
  try {
    run.program = doc.at("program").get<std::string>();
    run.python = doc.at("python").get<std::string>();
    run.executable = doc.value("executable", "");
    run.cpu_count = count(doc.value("cpu_count", 0.0), "'cpu_count'");
    run.load_start = doc.value("load_start", std::vector<double>{});
    run.load_end = doc.value("load_end", std::vector<double>{});
    for (const auto& [name, value] : doc.at("sections").items()) {
      Section section;
      for (const auto& [field, figure] : value.items()) {
        if (figure.is_number()) {
          section.fields[field] = figure.get<double>();
        } else {
          throw fail(fmt::format("section '{}': field '{}' is not a number", name, field));
        }
      }
      for (const char* needed : {"wall", "cpu", "cores"}) {
        if (section.fields.count(needed) == 0) throw fail(fmt::format("section '{}' has no '{}'", name, needed));
      }
      section.wall = section.fields["wall"];
      section.cpu = section.fields["cpu"];
      section.cores = count(section.fields["cores"], fmt::format("section '{}': 'cores'", name));
      section.busy = section.fields.count("busy") > 0 ? section.fields["busy"] : 0.0;
      run.sections[name] = std::move(section);
    }
  } catch (const nlohmann::json::exception& e) {
    throw fail(fmt::format("its JSON does not have the suite's shape: {}", e.what()));
  }
  return run;
}

std::optional<std::string> starved(const Section& section, double free_cores) {
  constexpr double kEnough = 0.75;
  if (section.busy > 0 && section.wall > 0 && section.cpu < kEnough * section.busy * section.wall) {
    return fmt::format("got {:.2f} of the {:g} core(s) it keeps busy", section.cpu / section.wall, section.busy);
  }
  if (section.cores > 0 && free_cores >= 0 && free_cores < kEnough * section.cores) {
    return fmt::format("{:.1f} core(s) free before the run, {} needed", free_cores, section.cores);
  }
  const auto disturbed = section.fields.find("disturbed");
  const auto allowed = section.fields.find("disturbed_limit");
  if (disturbed != section.fields.end() && allowed != section.fields.end() && disturbed->second > allowed->second) {
    return fmt::format("the machine disturbed {:.0f} % of it (the kernel preempted it), {:.0f} % allowed",
                       disturbed->second * 100, allowed->second * 100);
  }
  const auto wait = section.fields.find("cpu_wait");
  const auto limit = section.fields.find("cpu_wait_limit");
  if (wait != section.fields.end() && limit != section.fields.end() && wait->second > limit->second) {
    return fmt::format("its threads waited {:.3g} ms for a CPU, {:.3g} ms allowed", wait->second * 1e3, limit->second * 1e3);
  }
  return std::nullopt;
}

std::optional<std::string> pace_moved(const Section& part, const Section& whole, std::string_view program) {
  const auto part_pace = part.fields.find("pace");
  const auto whole_pace = whole.fields.find("pace");
  const bool has_part = part_pace != part.fields.end(), has_whole = whole_pace != whole.fields.end();
  if (!has_part && !has_whole) return std::nullopt;
  if (has_part != has_whole || !(part_pace->second > 0) || !(whole_pace->second > 0)) {
    throw SuiteError(fmt::format("{}: of the two sections of a ratio, both or neither must give a positive 'pace'", program));
  }
  const double moved = part_pace->second / whole_pace->second - 1.0;
  if (std::abs(moved) <= trace::CpuCheck::kPaceTolerance + 1e-12) return std::nullopt;
  // Whole percents, but never one that reads as within the tolerance ("10.4%", not "10%").
  const double percent = std::abs(moved) * 100;
  const bool whole_percent = std::round(percent) > trace::CpuCheck::kPaceTolerance * 100;
  return fmt::format("pace moved {:.{}f}% between the parts", percent, whole_percent ? 0 : 1);
}

// ---- what CPython measured --------------------------------------------------------------

namespace {

double median_of(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const Section& section_of(const ProgramRun& run, const std::string& name, const SuiteRow& row) {
  const auto found = run.sections.find(name);
  if (found == run.sections.end()) {
    throw SuiteError(fmt::format("{}: no section '{}', which the row '{}' measures", row.program, name, row.label));
  }
  return found->second;
}

double field_of(const Section& section, const std::string& section_name, const std::string& field,
                const SuiteRow& row) {
  const auto found = section.fields.find(field);
  if (found == section.fields.end()) {
    throw SuiteError(
        fmt::format("{}: section '{}' has no '{}', which the row '{}' measures", row.program, section_name, field, row.label));
  }
  return found->second;
}

}  // namespace

double Measurement::median() const { return median_of(values); }
double Measurement::low() const { return values.empty() ? 0.0 : *std::min_element(values.begin(), values.end()); }
double Measurement::high() const { return values.empty() ? 0.0 : *std::max_element(values.begin(), values.end()); }

Measurement measure(const SuiteRow& row, const std::vector<ProgramRun>& runs) {
  Measurement m;
  for (const ProgramRun& run : runs) {
    // Every figure is read first, so a program that lacks one fails even when starved.
    const Section& s = section_of(run, row.measured.section, row);
    std::optional<std::string> why = starved(s, run.free_cores);
    if (row.kind == RowKind::Race) {
      const int lost = static_cast<int>(field_of(s, row.measured.section, "lost", row));
      const int kept = static_cast<int>(field_of(s, row.measured.section, "kept", row));
      if (why) {
        m.starved.push_back(*why);
        continue;
      }
      m.lost += lost;
      m.kept += kept;
      m.values.push_back(lost + kept > 0 ? static_cast<double>(lost) / (lost + kept) : 0.0);
      m.rounds.push_back(static_cast<std::size_t>(&run - runs.data()));
      continue;
    }
    double value = field_of(s, row.measured.section, row.measured.field, row);
    if (!row.measured.over_section.empty()) {
      const Section& over = section_of(run, row.measured.over_section, row);
      const double divisor = field_of(over, row.measured.over_section, row.measured.over_field, row);
      if (!why) why = starved(over, run.free_cores);
      value = divisor > 0 ? value / divisor : 0.0;
      // A run left out as starved is not also checked for its pace: the machine's other work
      // moves both.
      const std::optional<std::string> moved = pace_moved(s, over, row.program);
      if (!why && moved) {
        m.off_pace.push_back(*moved);
        continue;
      }
    }
    if (why) {
      m.starved.push_back(*why);
      continue;
    }
    m.values.push_back(value);
    m.rounds.push_back(static_cast<std::size_t>(&run - runs.data()));
  }
  return m;
}

// ---- what the model predicts ------------------------------------------------------------

namespace {

double seconds(Time t) { return static_cast<double>(t.ns()) / 1e9; }

const scenario::Run& run_named(const scenario::Scenario& s, const std::string& name, const SuiteRow& row) {
  for (const auto& run : s.runs) {
    if (run.name == name) return run;
  }
  throw SuiteError(fmt::format("{}: no run '{}', which the row '{}' predicts with", row.scenario, name, row.label));
}

const trace::Job* first_job_of(const trace::Trace& t, const std::string& job) {
  for (const auto& j : t.jobs) {
    if (j.template_index < t.templates.size() && t.templates[j.template_index].name == job) return &j;
  }
  throw SuiteError(fmt::format("run '{}' has no job '{}'", t.run_name, job));
}

/// The main thread of `parent` has a result read at `read`: the end of its first wake-up
/// from then on (Runnable) and its wait for the GIL straight after; `read` if it waited for
/// none.
Time main_has_result(const trace::Trace& t, trace::ProcessId parent, Time read) {
  for (const auto& lane : t.lanes) {
    if (lane.name != "main" || lane.process != parent) continue;
    Time end = Time::max();
    for (const auto& span : lane.spans) {
      if (span.begin < read) continue;
      const bool waking = span.state == trace::SpanState::Runnable || span.state == trace::SpanState::WaitingGil;
      if (end == Time::max() && span.state == trace::SpanState::Runnable) {
        end = span.end;
      } else if (end != Time::max() && waking && span.begin == end) {
        end = span.end;
      } else if (end != Time::max()) {
        break;
      }
    }
    return end == Time::max() ? read : end;
  }
  return read;
}

double quantity(const trace::Trace& t, const SuiteRow& row) {
  const std::string& q = row.model.quantity;
  if (q == "makespan") return seconds(trace::compute_metrics(t).makespan);
  if (q == "job_latency") {
    const trace::Job* j = first_job_of(t, row.model.job);
    return seconds(j->end - j->begin);
  }
  if (q == "first_result") {
    // When the parent's main thread has it, as CPython's next() returns: a process pool's
    // result handler (or executor manager) has unpickled a result, then the main thread,
    // woken, has its GIL back (docs/model.md P4a); otherwise the job's end.
    Time first = Time::max();
    bool pool = false;
    trace::ProcessId parent = trace::kNone;
    for (const auto& lane : t.lanes) {
      if (lane.name != "result handler" && lane.name != "executor manager") continue;
      pool = true;
      parent = lane.process;
      for (const auto& span : lane.spans) {
        const bool result = span.state == trace::SpanState::Pickling && span.subject < t.jobs.size() &&
                            t.jobs[span.subject].end <= span.begin;
        if (result) first = std::min(first, span.end);
      }
    }
    if (!pool) {
      for (const auto& j : t.jobs) first = std::min(first, j.end);
    }
    if (pool) first = main_has_result(t, parent, first);
    return seconds(first);
  }
  const GilHolds holds = gil_holds(t);
  if (holds.tenures.empty()) {
    throw SuiteError(fmt::format("{}: run '{}' has no contended GIL holds", row.scenario, t.run_name));
  }
  std::vector<double> figures;
  for (const Time d : q == "gil_tenure" ? holds.tenures : holds.gaps) figures.push_back(seconds(d));
  return median_of(figures);
}

}  // namespace

GilHolds gil_holds(const trace::Trace& t) {
  GilHolds result;
  if (t.processes.empty() || t.processes.front().gil_lane == trace::kNone) return result;
  std::set<trace::LaneId> job_lanes;  // the contenders; the main thread only starts and joins
  for (const auto& job : t.jobs) job_lanes.insert(job.lane);
  // As gil_tenure.py sees them: a thread that takes the GIL back before the other job thread
  // held it kept it (the program cannot tell a preempted holder from one that let go).
  std::vector<trace::Span> holds;
  for (const auto& span : t.lanes[t.processes.front().gil_lane].spans) {
    if (span.state != trace::SpanState::Held || job_lanes.count(span.subject) == 0) continue;
    if (!holds.empty() && holds.back().subject == span.subject) {
      holds.back().end = span.end;
    } else {
      holds.push_back(span);
    }
  }
  // The first and the last holds are cut short by the start and the end.
  for (std::size_t i = 1; i + 1 < holds.size(); ++i) {
    result.tenures.push_back(holds[i].duration());
    if (i > 1 && holds[i].subject != holds[i - 1].subject) result.gaps.push_back(holds[i].begin - holds[i - 1].end);
  }
  return result;
}

std::vector<bool> lost_reads(const trace::Trace& t, const std::string& job) {
  const trace::Job* j = first_job_of(t, job);
  std::vector<bool> lost;
  for (const auto& span : t.lanes[j->lane].spans) {
    if (span.state == trace::SpanState::BlockedIo) {
      lost.push_back(false);
    } else if (!lost.empty() && span.state == trace::SpanState::WaitingGil && span.duration() * 2 > t.switch_interval) {
      lost.back() = true;
    }
  }
  return lost;
}

void CoreSpeedProbes::add(const ProgramRun& run) {
  std::vector<double> per_cpu;
  for (int cpu = 0;; ++cpu) {
    const auto section = run.sections.find(fmt::format("cpu{}", cpu));
    if (section == run.sections.end()) break;
    const auto loop = section->second.fields.find("loop");
    if (loop == section->second.fields.end() || !(loop->second > 0.0)) {
      throw SuiteError(fmt::format("cpu_speeds.py: section cpu{} has no positive 'loop'", cpu));
    }
    per_cpu.push_back(loop->second);
  }
  if (per_cpu.empty()) throw SuiteError("cpu_speeds.py: no section cpu0");
  if (!loops.empty() && per_cpu.size() != loops.front().size()) {
    throw SuiteError(
        fmt::format("cpu_speeds.py: {} CPUs, where the first probe had {}", per_cpu.size(), loops.front().size()));
  }
  loops.push_back(std::move(per_cpu));
  // The speeds become the model's machine.core_speeds: a probe that puts one outside what a
  // scenario may give there leaves the model a core that never finishes a step.
  const std::vector<double> relative = speeds();
  const bool runnable = std::all_of(relative.begin(), relative.end(),
                                    [](double speed) { return speed >= scenario::CoreSpeeds::kSlowest && speed <= scenario::CoreSpeeds::kFastest; });
  if (!runnable) {
    loops.pop_back();
    throw SuiteError(fmt::format("cpu_speeds.py: relative speeds {:.3g}: expected each from {} to {} (its CPUs' 'loop' "
                                 "differ too much to be one machine's)",
                                 fmt::join(relative, ", "), scenario::CoreSpeeds::kSlowest, scenario::CoreSpeeds::kFastest));
  }
}

std::vector<double> CoreSpeedProbes::speeds() const {
  if (loops.empty()) return {};
  const std::size_t cpus = loops.front().size();
  std::vector<double> rate(cpus, 0.0), low(cpus, std::numeric_limits<double>::max()), high(cpus, 0.0);
  for (const auto& probe : loops) {
    for (std::size_t c = 0; c < cpus; ++c) {
      rate[c] += 1.0 / probe[c];
      low[c] = std::min(low[c], 1.0 / probe[c]);
      high[c] = std::max(high[c], 1.0 / probe[c]);
    }
  }
  double mean = 0.0;
  for (const double r : rate) mean += r / static_cast<double>(cpus);
  double spread = 0.0;  // the widest of one CPU's probes, relative to the CPUs' mean rate
  for (std::size_t c = 0; c < cpus; ++c) spread = std::max(spread, (high[c] - low[c]) * static_cast<double>(loops.size()) / mean);
  for (double& r : rate) r /= mean;
  const auto [slowest, fastest] = std::minmax_element(rate.begin(), rate.end());
  if (*fastest - *slowest <= spread) return {};
  return rate;
}

std::string CoreSpeedProbes::describe() const {
  if (loops.empty()) return {};
  std::vector<std::string> parts;
  for (std::size_t c = 0; c < loops.front().size(); ++c) {
    double sum = 0.0;
    std::vector<std::string> each;
    for (const auto& probe : loops) {
      sum += probe[c];
      each.push_back(fmt::format("{:.1f}", probe[c] * 1e3));
    }
    parts.push_back(fmt::format("CPU {} {:.1f} ms ({} ms)", c, sum * 1e3 / static_cast<double>(loops.size()),
                                fmt::join(each, ", ")));
  }
  const std::vector<double> relative = speeds();
  if (relative.empty()) {
    return fmt::format("{}; no difference beyond the probes' own spread: every core 1.0", fmt::join(parts, "; "));
  }
  return fmt::format("{}; relative speeds {:.2f}", fmt::join(parts, "; "), fmt::join(relative, ", "));
}

namespace {

Time as_time(double seconds) { return Time{static_cast<std::int64_t>(std::llround(seconds * 1e9))}; }

/// A probe's figure, seconds: within a program's longest run, where it was measured. A figure
/// past it fits the model's costs to no machine (a fork probe of 4e9 s wrapped them negative).
void check_seconds(double figure, std::string_view program, const std::string& section, const char* field) {
  if (!(std::abs(figure) <= kProgramTimeoutSeconds)) {
    throw SuiteError(fmt::format("{}: section {}'s '{}' is {} s; a program of the suite runs {} s at most", program,
                                 section, field, figure, kProgramTimeoutSeconds));
  }
}

}  // namespace

void WakeLatencyProbes::add(const ProgramRun& run) {
  constexpr std::string_view kHandoff = "handoff_";
  std::vector<Idle> idles;
  for (const auto& entry : run.sections) {
    const std::string& name = entry.first;
    const Section& section = entry.second;  // not a structured binding: clang 14's lambdas cannot capture one
    if (name.rfind(kHandoff, 0) != 0) continue;
    Idle i;
    i.name = name.substr(kHandoff.size());
    const auto field = [&](const char* key) {
      const auto found = section.fields.find(key);
      return found == section.fields.end() ? 0.0 : found->second;
    };
    i.idle = field("idle");
    i.latency = field("latency");
    i.low = field("low");
    i.high = field("high");
    i.timer_late = field("timer_late");
    i.gap = field("gap");
    if (!(i.idle > 0.0) || !(i.latency > 0.0)) {
      throw SuiteError(fmt::format("wake_latency.py: section {} has no positive 'idle' and 'latency'", name));
    }
    for (const char* key : {"idle", "latency", "low", "high", "timer_late", "gap"}) {
      check_seconds(field(key), "wake_latency.py", name, key);
    }
    const auto blocked = run.sections.find("blocked_" + i.name);
    if (blocked != run.sections.end() && blocked->second.fields.count("latency") > 0) {
      i.blocked = blocked->second.fields.at("latency");
      check_seconds(i.blocked, "wake_latency.py", "blocked_" + i.name, "latency");
    }
    idles.push_back(std::move(i));
  }
  if (idles.empty()) throw SuiteError("wake_latency.py: no section handoff_*");
  std::sort(idles.begin(), idles.end(), [](const Idle& a, const Idle& b) { return a.idle < b.idle; });
  rounds.push_back(std::move(idles));
  constexpr std::string_view kTimer = "timer_";
  std::vector<TimedWait> waits;
  for (const auto& [name, section] : run.sections) {
    if (name.rfind(kTimer, 0) != 0) continue;
    const auto& f = section.fields;
    if (!(f.count("idle_asked") > 0 && f.at("idle_asked") > 0.0) || f.count("late") == 0 || f.count("slack") == 0) {
      throw SuiteError(fmt::format("wake_latency.py: section {} needs a positive 'idle_asked', 'late' and 'slack'", name));
    }
    const auto field = [&](const char* key) { return f.count(key) > 0 ? f.at(key) : 0.0; };
    for (const char* key : {"idle_asked", "late", "low", "high", "slack"}) check_seconds(field(key), "wake_latency.py", name, key);
    waits.push_back({f.at("idle_asked"), f.at("late"), field("low"), field("high"), f.at("slack")});
  }
  std::sort(waits.begin(), waits.end(), [](const TimedWait& a, const TimedWait& b) { return a.timeout < b.timeout; });
  timed.push_back(std::move(waits));
}

std::vector<scenario::WakeSample> WakeLatencyProbes::samples(std::size_t round) const {
  std::vector<scenario::WakeSample> out;
  for (const Idle& i : rounds.at(round)) out.push_back({as_time(i.idle), as_time(i.latency)});
  return out;
}

std::vector<scenario::TimerSample> WakeLatencyProbes::timer_samples(std::size_t round) const {
  std::vector<scenario::TimerSample> out;
  for (const TimedWait& w : timed.at(round)) out.push_back({as_time(w.timeout), as_time(w.late), as_time(w.slack)});
  return out;
}

std::vector<std::string> WakeLatencyProbes::describe() const {
  std::vector<std::string> lines;
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    std::vector<std::string> parts;
    for (const Idle& i : rounds[r]) {
      std::string part = fmt::format("after {}, {} ({} to {})", format_time(as_time(i.idle)), format_time(as_time(i.latency)),
                                     format_time(as_time(i.low)), format_time(as_time(i.high)));
      if (i.gap > 0) part += fmt::format(", hand-off {}", format_time(as_time(i.gap)));
      if (i.blocked > 0) part += fmt::format(", {} when blocked all along", format_time(as_time(i.blocked)));
      parts.push_back(part);
    }
    scenario::Scenario fitted;
    scenario::fit_to_machine(fitted, {fitted.machine.cores, {}, samples(r), timer_samples(r), std::nullopt});
    std::string line = fmt::format("round {}: {}; the model's window {}, {} per doubling", r + 1, fmt::join(parts, "; "),
                                   format_time(fitted.costs.wake_poll_window), format_time(fitted.costs.wake_per_doubling));
    if (!timed[r].empty()) {
      std::vector<std::string> waits;
      for (const TimedWait& w : timed[r]) {
        waits.push_back(fmt::format("of {} late {} ({} to {})", format_time(as_time(w.timeout)), format_time(as_time(w.late)),
                                    format_time(as_time(w.low)), format_time(as_time(w.high))));
      }
      const auto& c = fitted.costs;
      line += fmt::format("; a timed wait {} (slack {}): the model's timer wake-up {} + {} per doubling past {}",
                          fmt::join(waits, ", "), format_time(c.timer_slack), format_time(c.timer_wake_min),
                          format_time(c.timer_wake_per_doubling), format_time(c.timer_wake_window));
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

namespace {

/// A figure of the fork probe's section 'fork' ("median", "low", "high"). Throws SuiteError.
Time fork_probe_figure(const ProgramRun& run, const char* name) {
  const auto fork = run.sections.find("fork");
  if (fork == run.sections.end()) throw SuiteError("fork_start: no section 'fork'");
  const auto found = fork->second.fields.find(name);
  if (found == fork->second.fields.end() || !(found->second > 0.0)) {
    throw SuiteError(fmt::format("fork_start: section 'fork' has no positive '{}'", name));
  }
  check_seconds(found->second, "fork_start", "fork", name);
  return as_time(found->second);
}

}  // namespace

std::string describe_process_start(const ProgramRun& run) {
  return fmt::format("{} ({} to {})", format_time(fork_probe_figure(run, "median")),
                     format_time(fork_probe_figure(run, "low")), format_time(fork_probe_figure(run, "high")));
}

Time process_start_fastest(const ProgramRun& run) { return fork_probe_figure(run, "low"); }

std::optional<Time> fork_probe_of(std::vector<Time> rounds) {
  if (rounds.empty()) return std::nullopt;
  std::sort(rounds.begin(), rounds.end());
  const std::size_t n = rounds.size();
  if (n % 2 == 1) return rounds[n / 2];
  return Time{(rounds[n / 2 - 1].ns() + rounds[n / 2].ns()) / 2};
}

std::vector<scenario::Scenario> core_orders(const scenario::Scenario& s) {
  std::vector<double> speeds = s.machine.core_speeds.to_vector();
  speeds.resize(static_cast<std::size_t>(std::max(s.machine.cores, 1)), 1.0);
  const bool uniform = std::all_of(speeds.begin(), speeds.end(), [&](double v) { return v == speeds.front(); });
  if (uniform) return {s};
  std::vector<scenario::Scenario> orders;
  for (std::size_t shift = 0; shift < speeds.size(); ++shift) {
    orders.push_back(s);
    orders.back().machine.core_speeds = speeds;
    std::rotate(speeds.begin(), speeds.begin() + 1, speeds.end());
  }
  return orders;
}

Prediction over_seeds(const std::vector<double>& per_seed) {
  Prediction p;
  if (per_seed.empty()) return p;
  p.value = median_of(per_seed);
  const auto [low, high] = std::minmax_element(per_seed.begin(), per_seed.end());
  p.low = *low;
  p.high = *high;
  p.seeds = static_cast<int>(per_seed.size());
  return p;
}

Prediction predict(const SuiteRow& row, const scenario::Scenario& s) {
  // The model is stochastic where the host is (G6's pick of a waiter, G8's wake-up draws):
  // each seed is one run of the program, as CPython's figure is over its runs.
  const int seeds = std::max(row.model.seeds, 1);
  const auto seed_of = [&](int k) { return s.seed + static_cast<std::uint64_t>(k); };
  if (row.kind == RowKind::Race) {
    Prediction p;
    scenario::Scenario seeded = s;
    const scenario::Run& run = run_named(s, row.model.run, row);
    std::vector<std::vector<bool>> outcomes;
    std::vector<double> fractions;
    for (int k = 0; k < seeds; ++k) {
      seeded.seed = seed_of(k);
      outcomes.push_back(lost_reads(model::simulate(seeded, run), row.model.job));
      int lost = 0;
      for (const bool l : outcomes.back()) lost += l;
      p.lost += lost;
      p.kept += static_cast<int>(outcomes.back().size()) - lost;
      fractions.push_back(outcomes.back().empty() ? 0.0 : static_cast<double>(lost) / outcomes.back().size());
    }
    p.value = p.lost + p.kept > 0 ? static_cast<double>(p.lost) / (p.lost + p.kept) : 0.0;
    p.low = *std::min_element(fractions.begin(), fractions.end());
    p.high = *std::max_element(fractions.begin(), fractions.end());
    p.seeds = seeds;
    // A race: some read keeps the GIL under one seed and loses it under another.
    for (std::size_t read = 0; read < outcomes.front().size() && !p.both_outcomes; ++read) {
      bool lost = false, kept = false;
      for (const auto& seed : outcomes) {
        if (read < seed.size()) (seed[read] ? lost : kept) = true;
      }
      p.both_outcomes = lost && kept;
    }
    return p;
  }
  // The programs run on whichever CPU the kernel gives them, a loop's turns pinned half to each
  // (cpu_bound.py): with cores of unequal speeds (S7), each quantity is the mean over the cores'
  // orders, as a figure summed over turns is. Within a seed, as within one program run.
  std::vector<scenario::Scenario> orders = core_orders(s);
  std::vector<double> per_seed;
  for (int k = 0; k < seeds; ++k) {
    for (auto& order : orders) order.seed = seed_of(k);
    const auto of = [&](const std::string& run) {
      double sum = 0.0;
      for (const auto& order : orders) sum += quantity(model::simulate(order, run_named(order, run, row)), row);
      return sum / static_cast<double>(orders.size());
    };
    double value = of(row.model.run);
    if (!row.model.minus.empty()) value -= of(row.model.minus);
    if (!row.model.over.empty()) {
      const double over = of(row.model.over);
      value = over > 0 ? value / over : 0.0;
    }
    per_seed.push_back(value / row.model.divide);
  }
  return over_seeds(per_seed);
}

Prediction over_rounds(const std::vector<Prediction>& rounds, const std::vector<std::size_t>& scored) {
  if (rounds.empty()) return {};
  std::vector<Prediction> kept;
  for (const std::size_t r : scored) {
    if (r < rounds.size()) kept.push_back(rounds[r]);
  }
  if (kept.empty()) kept = rounds;
  Prediction p;
  std::vector<double> values;
  p.low = kept.front().low;
  p.high = kept.front().high;
  p.seeds = kept.front().seeds;
  for (const Prediction& r : kept) {
    values.push_back(r.value);
    p.low = std::min(p.low, r.low);
    p.high = std::max(p.high, r.high);
    p.lost += r.lost;
    p.kept += r.kept;
    p.both_outcomes = p.both_outcomes || r.both_outcomes;
  }
  p.value = p.lost + p.kept > 0 ? static_cast<double>(p.lost) / (p.lost + p.kept) : median_of(values);
  return p;
}

}  // namespace gilsim::fidelity
