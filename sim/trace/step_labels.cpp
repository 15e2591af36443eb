// Step labels kept once per distinct string and shared between traces.
#include "sim/trace/step_labels.hpp"

#include <numeric>
#include <utility>

namespace gilsim::trace {

StepLabels::StepLabels(std::vector<std::string> labels) {
  std::vector<std::uint32_t> of_step(labels.size());
  std::iota(of_step.begin(), of_step.end(), std::uint32_t{0});
  table_ = std::make_shared<const Table>(Table{std::move(labels), std::move(of_step)});
}

StepLabels::StepLabels(std::vector<std::string> distinct, std::vector<std::uint32_t> of_step)
    : table_(std::make_shared<const Table>(Table{std::move(distinct), std::move(of_step)})) {}

}  // namespace gilsim::trace
