// [[job]] tables and their step lists. `repeat` blocks are counted before they are
// expanded, so a file cannot ask for more steps than the limits allow.
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/name_suggestions.hpp"
#include "sim/scenario/scenario_keys.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/trace/outcomes.hpp"

namespace gilsim::scenario {

namespace {

constexpr std::int64_t kMaxBytes = 1'000'000'000'000;  // one terabyte of pickled data
constexpr std::array<std::string_view, 10> kKindNames{"cpu",     "native",  "io",      "block",   "sleep",
                                                     "offload", "disk",    "acquire", "release", "increment"};  // StepKind's order
/// The kinds as a person lists them: work, then waits, then the shared state's.
constexpr std::array<std::string_view, 10> kKindsListed{"cpu",     "native",  "io",      "disk",    "block",
                                                        "sleep",   "offload", "acquire", "release", "increment"};
constexpr std::array<std::string_view, 5> kOffloadWork{"cpu", "native", "io", "sleep", "disk"};
constexpr std::array<StepKind, 5> kOffloadWorkKinds{StepKind::Cpu, StepKind::Native, StepKind::Io, StepKind::Sleep,
                                                    StepKind::Disk};
constexpr std::string_view kStepsExample = "a list of steps such as steps = [ { cpu = \"10ms\" } ]";

/// A step as written: one step, or `repeat` times a block of items.
struct StepItem {
  Step step;
  std::int64_t repeat = 0;  ///< 0: a plain step
  std::vector<StepItem> body;
  const toml::node* node = nullptr;  ///< where it was written, for errors
};

std::vector<StepItem> read_step_list(const TomlReader& reader, const SharedNames& shared, const toml::node& node,
                                     std::string_view key);

StepItem read_repeat(const TomlReader& reader, const SharedNames& shared, const toml::table& t) {
  const toml::node& repeat = *t.get("repeat");
  for (std::string_view k : kKindNames) {
    if (const toml::node* extra = t.get(k)) {
      reader.fail(reader.conflict_at(repeat, *extra),
                  fmt::format("a repeat step also has '{}'; expected only repeat and steps: put '{}' inside its steps", k, k));
    }
  }
  if (const toml::node* extra = t.get("work")) {
    reader.fail(reader.conflict_at(repeat, *extra),
                "'work' belongs to an offload step; expected only repeat and steps in a repeat step");
  }
  if (const toml::node* extra = t.get("call")) {
    reader.fail(reader.conflict_at(repeat, *extra),
                "'call' belongs to an increment step; expected only repeat and steps in a repeat step");
  }
  StepItem item;
  item.repeat = reader.integer(repeat, "repeat", 1, kMaxStepsPerJob);
  const toml::node* body = t.get("steps");
  if (body == nullptr) reader.missing(t, "steps", "in a repeat step", kStepsExample);
  item.body = read_step_list(reader, shared, *body, "steps");
  item.node = &t;
  return item;
}

/// The lock or counter a step names, by its index among those declared.
std::uint32_t read_target(const TomlReader& reader, const toml::node& node, std::string_view kind,
                          std::span<const std::string_view> names, std::string_view table) {
  const std::string name = reader.string(node, kind);
  const auto found = std::find(names.begin(), names.end(), name);
  if (found != names.end()) return static_cast<std::uint32_t>(found - names.begin());
  const std::string_view what = table == "locks" ? "lock" : "counter";
  if (names.empty()) {
    reader.fail(node, fmt::format("unknown {} '{}'; expected a {} declared in [{}], such as [{}] {} = {}", what, name,
                                  what, table, table, name, table == "locks" ? "\"Lock\"" : "0"));
  }
  std::string message = fmt::format("unknown {} '{}'; expected one of the {}s in [{}]: {}", what, name, what, table,
                                    join_names(names));
  if (auto near = closest_name(name, names)) message += fmt::format("; did you mean '{}'?", *near);
  reader.fail(node, message);
}

StepItem read_step(const TomlReader& reader, const SharedNames& shared, const toml::node& node) {
  if (!node.is_table()) {
    reader.fail(node, fmt::format("a step is {}; expected a table such as {{ cpu = \"10ms\" }}", describe_type(node.type())));
  }
  const toml::table& t = *node.as_table();
  reader.check_keys(t, kStepKeys, "in a step", kKindsListed);
  if (t.contains("repeat")) return read_repeat(reader, shared, t);
  if (const toml::node* body = t.get("steps")) {
    reader.fail(*body, "'steps' inside a step needs a count; expected repeat = N next to it");
  }
  const toml::node* kind_node = nullptr;
  std::string_view kind_name;
  StepItem item;
  for (std::size_t k = 0; k < kKindNames.size(); ++k) {
    const toml::node* value = t.get(kKindNames[k]);
    if (value == nullptr) continue;
    if (kind_node != nullptr) {
      reader.fail(reader.conflict_at(*kind_node, *value),
                  fmt::format("a step has both '{}' and '{}'; expected one kind per step: write two steps",
                                      kind_name, kKindNames[k]));
    }
    kind_node = value;
    kind_name = kKindNames[k];
    item.step.kind = static_cast<StepKind>(k);
  }
  if (kind_node == nullptr) {
    reader.fail(t, fmt::format("a step has no kind; expected one of {} (or repeat), such as {{ cpu = \"10ms\" }}",
                               join_names(kKindsListed)));
  }
  item.node = &node;
  const toml::node* call = t.get("call");
  if (call != nullptr && item.step.kind != StepKind::Increment) {
    reader.fail(*call, fmt::format("'call' belongs to an increment step, not a {} step; expected "
                                   "{{ increment = \"counter\", call = \"100ns\" }}", kind_name));
  }
  switch (item.step.kind) {
    case StepKind::Acquire:
    case StepKind::Release:
      item.step.target = read_target(reader, *kind_node, kind_name, shared.locks, "locks");
      item.step.duration = Duration::fixed(Time{0});
      break;
    case StepKind::Increment:
      item.step.target = read_target(reader, *kind_node, kind_name, shared.counters, "counters");
      item.step.duration = Duration::fixed(Time{0});
      if (call != nullptr) {
        item.step.has_call = true;
        item.step.duration = reader.duration(*call, "call");
      }
      break;
    default:
      item.step.duration = reader.duration(*kind_node, kind_name);
      break;
  }
  if (const toml::node* answer = t.get("answer")) {
    if (item.step.kind != StepKind::Io) {
      reader.fail(*answer, fmt::format("'answer' belongs to an io step, not a {} step; expected "
                                       "{{ io = \"7us\", answer = \"3us\" }} (the peer process's CPU time)", kind_name));
    }
    item.step.answer = *reader.fixed_duration(t, "answer", Time{1});
  }
  if (const toml::node* work = t.get("work")) {
    if (item.step.kind != StepKind::Offload) {
      reader.fail(*work, fmt::format("'work' belongs to an offload step, not a {} step; expected "
                                     "{{ offload = \"50ms\", work = \"cpu\" }}", kind_name));
    }
    item.step.offload_work = kOffloadWorkKinds[reader.choice(*work, "work", kOffloadWork)];
  }
  return item;
}

std::vector<StepItem> read_step_list(const TomlReader& reader, const SharedNames& shared, const toml::node& node,
                                     std::string_view key) {
  if (!node.is_array()) {
    reader.fail(node, fmt::format("'{}' is {}; expected {}", key, describe_type(node.type()), kStepsExample));
  }
  const toml::array& list = *node.as_array();
  if (list.empty()) reader.fail(node, fmt::format("'{}' is empty; expected {}", key, kStepsExample));
  std::vector<StepItem> items;
  for (const toml::node& element : list) items.push_back(read_step(reader, shared, element));
  return items;
}

/// Steps after expansion, saturating just above the limit.
std::int64_t count_steps(const std::vector<StepItem>& items) {
  std::int64_t total = 0;
  for (const StepItem& item : items) {
    const std::int64_t one = item.repeat == 0 ? 1 : item.repeat * std::min(count_steps(item.body), kMaxStepsPerJob + 1);
    total = std::min(total + one, kMaxStepsPerJob + 1);
  }
  return total;
}

void expand(const std::vector<StepItem>& items, std::vector<Step>& out) {
  for (const StepItem& item : items) {
    if (item.repeat == 0) {
      out.push_back(item.step);
      continue;
    }
    for (std::int64_t r = 0; r < item.repeat; ++r) expand(item.body, out);
  }
}

/// Which locks a job holds, step by step: a Lock is released only by its holder and never
/// taken twice by it (that would hang forever); an RLock counts its depth.
class LockUse {
 public:
  LockUse(const TomlReader& reader, const SharedNames& shared, const std::string& job)
      : reader_(reader), shared_(shared), job_(job), depth_(shared.locks.size(), 0),
        acquired_at_(shared.locks.size(), nullptr) {}

  void walk(const std::vector<StepItem>& items) {
    for (const StepItem& item : items) {
      if (item.repeat > 0) {
        // Two turns of the block show whether one turn leaves a lock held or released.
        walk(item.body);
        if (item.repeat > 1) walk(item.body);
        continue;
      }
      const std::uint32_t lock = item.step.target;
      if (item.step.kind == StepKind::Acquire) {
        if (depth_[lock] > 0 && !shared_.reentrant[lock]) {
          reader_.fail(*item.node, fmt::format("job '{}' acquires lock '{}' while it already holds it; a Lock is "
                                               "not re-entrant, so this would wait forever: release it first, or "
                                               "declare {} = \"RLock\" in [locks]",
                                               job_, name(lock), name(lock)));
        }
        if (depth_[lock]++ == 0) acquired_at_[lock] = item.node;
      } else if (item.step.kind == StepKind::Release) {
        if (depth_[lock] == 0) {
          reader_.fail(*item.node, fmt::format("job '{}' releases lock '{}' that it does not hold here; expected "
                                               "{{ acquire = \"{}\" }} before it (Python raises RuntimeError)",
                                               job_, name(lock), name(lock)));
        }
        --depth_[lock];
      }
    }
  }

  void check_end() const {
    for (std::size_t lock = 0; lock < depth_.size(); ++lock) {
      if (depth_[lock] == 0) continue;
      reader_.fail(*acquired_at_[lock], fmt::format("job '{}' ends holding lock '{}'; expected {{ release = \"{}\" }} "
                                                    "after its work, as a `with` block does",
                                                    job_, name(static_cast<std::uint32_t>(lock)),
                                                    name(static_cast<std::uint32_t>(lock))));
    }
  }

 private:
  std::string_view name(std::uint32_t lock) const { return shared_.locks[lock]; }
  const TomlReader& reader_;
  const SharedNames& shared_;
  const std::string& job_;
  std::vector<std::int64_t> depth_;
  std::vector<const toml::node*> acquired_at_;
};

/// A list of CPU numbers, as os.sched_setaffinity takes: each from 0 to cores - 1, none twice.
std::vector<int> read_cpus(const TomlReader& reader, const toml::table& t, std::string_view key, const Machine& machine) {
  const toml::array* list = reader.array(t, key, "a list of CPU numbers such as [0] or [0, 1]");
  if (list == nullptr) return {};
  if (list->empty()) reader.fail(*list, fmt::format("'{}' is empty; expected at least one CPU number such as [0]", key));
  if (machine.placement != Placement::PerCpu) {
    reader.fail(*list, fmt::format("'{}' pins to CPUs, which needs per-CPU run queues; expected [machine] "
                                   "placement = \"per_cpu\"", key));
  }
  std::vector<int> cpus;
  for (const toml::node& element : *list) {
    const int cpu = static_cast<int>(reader.integer(element, key, 0, kMaxCores - 1));
    if (cpu >= machine.cores) {
      reader.fail(element, fmt::format("CPU {} does not exist on a machine of {} core{}; expected a CPU number from 0 "
                                       "to {}", cpu, machine.cores, machine.cores == 1 ? "" : "s", machine.cores - 1));
    }
    if (std::find(cpus.begin(), cpus.end(), cpu) != cpus.end()) {
      reader.fail(element, fmt::format("CPU {} is listed twice in '{}'; expected each CPU once", cpu, key));
    }
    cpus.push_back(cpu);
  }
  std::sort(cpus.begin(), cpus.end());
  return cpus;
}

bool has_answers(const std::vector<Step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const Step& s) { return s.answer > Time::zero(); });
}

JobTemplate read_job(const TomlReader& reader, const SharedNames& shared, const Machine& machine, const toml::table& t) {
  reader.check_keys(t, kJobKeys, "in [[job]]");
  JobTemplate job;
  job.where = reader.where(t);
  const auto name = reader.one_line(t, "name", "a name such as \"download\"");
  if (!name) reader.missing(t, "name", "in [[job]]", "a name such as name = \"download\"");
  job.name = *name;
  if (auto count = reader.integer(t, "count", 1, kMaxJobs)) job.count = static_cast<int>(*count);
  if (auto bytes = reader.integer(t, "arg_bytes", 0, kMaxBytes)) job.arg_bytes = *bytes;
  if (auto bytes = reader.integer(t, "result_bytes", 0, kMaxBytes)) job.result_bytes = *bytes;
  const toml::node* steps = t.get("steps");
  if (steps == nullptr) reader.missing(t, "steps", "in [[job]]", kStepsExample);
  const std::vector<StepItem> items = read_step_list(reader, shared, *steps, "steps");
  LockUse use(reader, shared, job.name);
  use.walk(items);
  use.check_end();
  const std::int64_t count = count_steps(items);
  if (count > kMaxStepsPerJob) {
    reader.fail(*steps, fmt::format("job '{}' has more than {} steps once repeat is expanded; expected at most {}",
                                    job.name, kMaxStepsPerJob, kMaxStepsPerJob));
  }
  job.steps.reserve(static_cast<std::size_t>(count));
  expand(items, job.steps);
  job.cpus = read_cpus(reader, t, "cpus", machine);
  job.peer_cpus = read_cpus(reader, t, "peer_cpus", machine);
  if (!job.peer_cpus.empty() && !has_answers(job.steps)) {
    reader.fail(*t.get("peer_cpus"), fmt::format("job '{}' has 'peer_cpus' but no step with a peer; expected an io step "
                                                 "such as {{ io = \"7us\", answer = \"3us\" }}", job.name));
  }
  return job;
}

/// The templates read so far, for the names their jobs take: a template of `count` > 1 names
/// its jobs "name 1" to "name count" (job_plan.cpp), one of count 1 "name".
struct NumberedNames {
  struct Seen {
    int count = 1;  ///< of a template of several jobs
    int number = 0; ///< of a single job named "prefix number"
    int line = 0;
    const toml::node* given = nullptr;  ///< its `count` (several) or `name` (single): a --set's?
  };
  std::map<std::string, Seen, std::less<>> several;                   ///< by the template's name
  std::multimap<std::string, Seen, std::less<>> single_numbered;      ///< by the prefix of its name
};

/// A job's name read as "prefix number" (a number from 1), or nothing.
std::optional<std::pair<std::string, int>> numbered(std::string_view name) {
  const auto space = name.rfind(' ');
  if (space == std::string_view::npos || space + 1 == name.size() || name[space + 1] == '0') return std::nullopt;
  int number = 0;
  for (const char c : name.substr(space + 1)) {
    if (c < '0' || c > '9' || number > kMaxJobs) return std::nullopt;
    number = number * 10 + (c - '0');
  }
  return std::pair{std::string(name.substr(0, space)), number};
}

/// Two templates whose jobs would share a name ("a" of count 2 and "a 1") are refused: the
/// timeline, the CSV and the job list would show two jobs no one can tell apart.
void check_numbered_names(const TomlReader& reader, const toml::table& t, const JobTemplate& job, NumberedNames& seen) {
  // A --set of a count or a name that makes the clash is the change to point at, not the
  // file's untouched name.
  const auto at = [&](const toml::node* other) -> const toml::node& {
    for (const toml::node* node : {other, t.get("count"), t.get("name")}) {
      if (node != nullptr && reader.from_override(*node)) return *node;
    }
    return *t.get("name");
  };
  if (job.count == 1) {
    const auto n = numbered(job.name);
    if (!n) return;
    const auto it = seen.several.find(n->first);
    if (it != seen.several.end() && n->second <= it->second.count) {
      reader.fail(at(it->second.given), fmt::format("job name '{}' is taken: the [[job]] '{}' on line {} names its {} jobs "
                                              "'{} 1' to '{} {}'; expected a distinct name for each job", job.name,
                                              it->first, it->second.line, it->second.count, it->first, it->first,
                                              it->second.count));
    }
    seen.single_numbered.emplace(n->first, NumberedNames::Seen{1, n->second, job.where.line, t.get("name")});
    return;
  }
  const auto [from, to] = seen.single_numbered.equal_range(job.name);
  for (auto it = from; it != to; ++it) {
    if (it->second.number <= job.count) {
      reader.fail(at(it->second.given), fmt::format("'{}' names its {} jobs '{} 1' to '{} {}', and '{} {}' is the name of the "
                                              "[[job]] on line {}; expected a distinct name for each job", job.name,
                                              job.count, job.name, job.name, job.count, job.name, it->second.number,
                                              it->second.line));
    }
  }
  seen.several.emplace(job.name, NumberedNames::Seen{job.count, 0, job.where.line, t.get("count")});
}

}  // namespace

std::vector<JobTemplate> read_jobs(const TomlReader& reader, const toml::table& root, const SharedNames& shared,
                                   const Machine& machine) {
  const toml::array* list = reader.array(root, "job", "tables, each written [[job]] on a line of its own");
  if (list == nullptr || list->empty()) {
    const toml::source_region& at = list == nullptr ? root.source() : list->source();
    reader.fail(at, "the scenario has no [[job]]; expected at least one [[job]] with a name and steps");
  }
  std::vector<JobTemplate> jobs;
  std::map<std::string, std::pair<int, const toml::node*>, std::less<>> first_of_name;  // line, `name` node
  NumberedNames counted;
  std::int64_t total_jobs = 0;
  std::int64_t total_steps = 0;
  double total_work_ns = 0.0;  // in double: a sum of int64 nanoseconds could overflow
  for (const toml::node& element : *list) {
    if (!element.is_table()) {
      reader.fail(element, fmt::format("'job' holds {}; expected tables, each written [[job]]", describe_type(element.type())));
    }
    const toml::table& t = *element.as_table();
    JobTemplate job = read_job(reader, shared, machine, t);
    if (auto [it, fresh] = first_of_name.emplace(job.name, std::pair{job.where.line, t.get("name")}); !fresh) {
      // A --set that named the first job so is the change to point at, not the file's line.
      const toml::node& first = *it->second.second;
      const toml::node& name = *t.get("name");
      if (reader.from_override(first) && !reader.from_override(name)) {
        reader.fail(first, fmt::format("job name '{}' is used twice (also on line {}); expected a distinct name for "
                                       "each [[job]]", job.name, job.where.line));
      }
      reader.fail(name, fmt::format("job name '{}' is used twice (first on line {}); expected a distinct name for each "
                                    "[[job]]", job.name, it->second.first));
    }
    check_numbered_names(reader, t, job, counted);
    total_jobs += job.count;
    if (total_jobs > kMaxJobs) {
      const toml::node* count = t.get("count");
      reader.fail(count != nullptr ? count->source() : t.source(),
                  fmt::format("the jobs add up to {}; expected at most {} in one scenario", total_jobs, kMaxJobs));
    }
    total_steps += static_cast<std::int64_t>(job.steps.size());
    if (total_steps > kMaxStepsInScenario) {
      reader.fail(*t.get("steps"), fmt::format("the job templates hold {} steps together once repeat is expanded; "
                                               "expected at most {}", total_steps, kMaxStepsInScenario));
    }
    double job_ns = 0.0;
    for (const Step& step : job.steps) {
      job_ns += static_cast<double>(std::max(step.duration.mean(), Time::zero()).ns()) + static_cast<double>(step.answer.ns());
    }
    total_work_ns += job_ns * job.count;
    if (total_work_ns > static_cast<double>(kMaxWorkInScenario.ns())) {
      const auto seconds = [](double ns) { return trace::group_digits(static_cast<std::int64_t>(ns / 1e9)) + " s"; };
      reader.fail(*t.get("steps"), fmt::format("the jobs' steps take {} one after another; expected at most {} "
                                               "(about 31.7 years) in one scenario",
                                               seconds(total_work_ns), seconds(static_cast<double>(kMaxWorkInScenario.ns()))));
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace gilsim::scenario
