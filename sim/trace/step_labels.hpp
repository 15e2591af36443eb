// A job template's label per step, shared: a repeat block makes a template of many steps and
// few distinct labels, and every run of a scenario has the same templates, so each distinct
// label is kept once, a step holds its index, and traces copy a pointer, not the strings.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace gilsim::trace {

class StepLabels {
 public:
  StepLabels() = default;
  /// One label per step, as given.
  StepLabels(std::vector<std::string> labels);  // NOLINT: a template's labels are a list
  StepLabels(std::initializer_list<std::string> labels) : StepLabels(std::vector<std::string>(labels)) {}
  /// `distinct` labels, and for each step the index of its label among them.
  StepLabels(std::vector<std::string> distinct, std::vector<std::uint32_t> of_step);

  std::size_t size() const { return table_ ? table_->of_step.size() : 0; }
  bool empty() const { return size() == 0; }
  /// The label of `step` (< size()).
  const std::string& operator[](std::size_t step) const { return table_->distinct[table_->of_step[step]]; }
  /// How many distinct strings are stored (for tests of the sharing).
  std::size_t distinct_count() const { return table_ ? table_->distinct.size() : 0; }

 private:
  struct Table {
    std::vector<std::string> distinct;
    std::vector<std::uint32_t> of_step;
  };
  std::shared_ptr<const Table> table_;
};

}  // namespace gilsim::trace
