// [[run]] tables: which executor, and the settings that apply to it.
#include <array>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "sim/scenario/name_suggestions.hpp"
#include "sim/scenario/scenario_keys.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace gilsim::scenario {

namespace {

using namespace gilsim::literals;

constexpr std::array<std::string_view, 7> kExecutorNames{
    "sequential", "threads", "thread_pool", "asyncio", "process_pool", "processes", "process_pool_executor"};  // Executor's order
constexpr std::array<std::string_view, 3> kStartMethodNames{"fork", "spawn", "forkserver"};
constexpr std::array<std::string_view, 4> kPoolMethodNames{"map", "imap", "imap_unordered", "apply_async"};  // PoolMethod's order
constexpr std::array<std::string_view, 3> kGilNames{"new", "old", "none"};

/// Throws when `key` is set on a run whose executor has no use for it.
void refuse_unless(const TomlReader& reader, const toml::table& t, std::string_view key, bool applies,
                   Executor executor, std::string_view applies_to) {
  if (applies) return;
  if (const toml::node* node = t.get(key)) {
    reader.fail(*node, fmt::format("'{}' does not apply to {} runs; expected it only on {} runs", key,
                                   to_string(executor), applies_to));
  }
}

Run read_run(const TomlReader& reader, const toml::table& t) {
  reader.check_keys(t, kRunKeys, "in [[run]]");
  Run run;
  run.where = reader.where(t);
  const auto executor = reader.choice(t, "executor", kExecutorNames);
  if (!executor) {
    reader.missing(t, "executor", "in [[run]]",
                   "executor = one of " + join_names(kExecutorNames));
  }
  run.executor = static_cast<Executor>(*executor);
  run.name = reader.one_line(t, "name", "a name such as \"threads\"").value_or(std::string(to_string(run.executor)));

  const bool executor_pool = run.executor == Executor::ProcessPoolExecutor;
  const bool pool = run.executor == Executor::ThreadPool || run.executor == Executor::ProcessPool ||
                    run.executor == Executor::Asyncio || executor_pool;
  refuse_unless(reader, t, "workers", pool, run.executor,
                "thread_pool, process_pool, process_pool_executor and asyncio");
  const bool processes = run.executor == Executor::ProcessPool || run.executor == Executor::Processes || executor_pool;
  refuse_unless(reader, t, "start_method", processes, run.executor,
                "process_pool, process_pool_executor and processes");
  refuse_unless(reader, t, "chunksize", run.executor == Executor::ProcessPool || executor_pool, run.executor,
                "process_pool and process_pool_executor");
  refuse_unless(reader, t, "method", run.executor == Executor::ProcessPool, run.executor, "process_pool");
  if (auto method = reader.choice(t, "method", kPoolMethodNames)) run.method = static_cast<PoolMethod>(*method);
  if (run.method == PoolMethod::ApplyAsync) {
    if (const toml::node* chunksize = t.get("chunksize")) {
      reader.fail(*chunksize, "'chunksize' does not apply to apply_async, which sends one task per call; expected "
                              "it only with method = \"map\", \"imap\" or \"imap_unordered\"");
    }
  }

  if (auto workers = reader.integer(t, "workers", 1, kMaxWorkers)) run.workers = static_cast<int>(*workers);
  if (auto method = reader.choice(t, "start_method", kStartMethodNames)) run.start_method = static_cast<StartMethod>(*method);
  if (auto chunksize = reader.integer(t, "chunksize", 1, kMaxJobs)) run.chunksize = static_cast<int>(*chunksize);
  if (auto gil = reader.choice(t, "gil", kGilNames)) run.gil = static_cast<GilMode>(*gil);
  run.switch_interval = reader.fixed_duration(t, "switch_interval", 1_us);
  if (auto cores = reader.integer(t, "cores", 1, kMaxCores)) run.cores = static_cast<int>(*cores);
  run.featured = reader.boolean(t, "featured").value_or(false);
  return run;
}

}  // namespace

std::vector<Run> read_runs(const TomlReader& reader, const toml::table& root) {
  const toml::array* list = reader.array(root, "run", "tables, each written [[run]] on a line of its own");
  if (list == nullptr || list->empty()) {
    const toml::source_region& at = list == nullptr ? root.source() : list->source();
    reader.fail(at, "the scenario has no [[run]]; expected at least one [[run]] naming an executor");
  }
  if (list->size() > static_cast<std::size_t>(kMaxRuns)) {
    reader.fail(*list->get(static_cast<std::size_t>(kMaxRuns)),
                fmt::format("the scenario has {} runs; expected at most {}", list->size(), kMaxRuns));
  }
  std::vector<Run> runs;
  std::map<std::string, std::pair<int, const toml::node*>, std::less<>> first_of_name;  // line, `name` node
  std::optional<std::size_t> featured;  // its index in runs
  for (const toml::node& element : *list) {
    if (!element.is_table()) {
      reader.fail(element, fmt::format("'run' holds {}; expected tables, each written [[run]]", describe_type(element.type())));
    }
    const toml::table& t = *element.as_table();
    Run run = read_run(reader, t);
    const toml::node* name = t.get("name");
    if (auto [it, fresh] = first_of_name.emplace(run.name, std::pair{run.where.line, name}); !fresh) {
      const toml::node* first = it->second.second;
      // A --set that named the first run so is the change to point at, not the file's line.
      if (first != nullptr && reader.from_override(*first) && (name == nullptr || !reader.from_override(*name))) {
        reader.fail(first->source(), fmt::format("run name '{}' is used twice (also on line {}); expected a distinct "
                                                 "name for each [[run]]", run.name, run.where.line));
      }
      reader.fail(name != nullptr ? name->source() : t.source(),
                  fmt::format("run name '{}' is used twice (first on line {}); expected a distinct name for each "
                              "[[run]]: add name = \"...\"", run.name, it->second.first));
    }
    if (run.featured && featured) {
      reader.fail(*t.get("featured"), fmt::format("run '{}' is featured, and so is run '{}' (line {}); expected at most "
                                                  "one featured run, the one the viewer opens first",
                                                  run.name, runs[*featured].name, runs[*featured].where.line));
    }
    runs.push_back(std::move(run));
    if (runs.back().featured) featured = runs.size() - 1;
  }
  return runs;
}

}  // namespace gilsim::scenario
