// libFuzzer target: any bytes as the measurements `gilsim_fidelity --cpython --replay FILE`
// reads (fidelity/measured.jsonl): read them, keep the suite's rows of their programs, check
// them against the suite, fit each scenario to the measured machine, predict and score every
// row, and render the page, its table and what it means for a class, as --replay does before
// it writes. A SuiteError (a clear "FILE:LINE: ..." refusal, exit 2) and a prediction past the
// model's event limit are the documented ends; anything else is a bug. The rows are predicted
// under one seed, not the suite's nine: the same model at a ninth of the cost. Inputs are
// capped at 8 KiB.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "bench/cpython_runner.hpp"
#include "bench/cpython_suite.hpp"
#include "sim/model/work_budget.hpp"
#include "sim/scenario/loader.hpp"

namespace {

using namespace gilsim;

constexpr std::size_t kMaxInputBytes = 8 << 10;

/// The suite and every scenario its rows name, loaded once: they do not change from input to input.
struct LoadedSuite {
  fidelity::Suite suite;
  std::deque<scenario::Scenario> scenarios;
  std::map<std::string, scenario::Scenario*> by_name;
};

const LoadedSuite& loaded_suite() {
  static const LoadedSuite loaded = [] {
    LoadedSuite l;
    l.suite = fidelity::load_suite(GILSIM_SOURCE_DIR "/fidelity/suite.toml");
    for (const auto& row : l.suite.rows) {
      if (l.by_name.count(row.scenario) == 0) {
        l.by_name[row.scenario] = &l.scenarios.emplace_back(scenario::load_file(l.suite.scenarios / row.scenario));
      }
    }
    return l;
  }();
  return loaded;
}

fidelity::Prediction predict_one_seed(const fidelity::SuiteRow& row, const scenario::Scenario& s) {
  fidelity::SuiteRow one_seed = row;
  one_seed.model.seeds = 1;
  return fidelity::predict(one_seed, s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputBytes) return -1;  // not added to the corpus
  const LoadedSuite& loaded = loaded_suite();
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    const fidelity::Measurements file = fidelity::read_measurements(in, "fuzz.jsonl");
    fidelity::Suite suite = loaded.suite;
    bench::keep_only(suite, file.only);
    fidelity::RunInfo info = file.info;
    const auto results = bench::replay_rows(file, suite, loaded.by_name, "fuzz.jsonl", predict_one_seed, info);
    fidelity::render_text(results);
    fidelity::render_markdown(results, info);
    fidelity::class_lines(results);
  } catch (const fidelity::SuiteError&) {
  } catch (const model::WorkLimitExceeded&) {
  }
  return 0;
}
