// A plain text table: a header row, a rule, and columns padded to their widest cell.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gilsim::cli {

struct TextTable {
  std::vector<std::string> headers;
  std::vector<bool> right_aligned;  ///< per column; numbers read best right-aligned
  std::vector<std::vector<std::string>> rows;
  /// Columns left out first when the table is too wide, in this order; then from the right.
  std::vector<std::size_t> left_out_first = {};
  /// Too wide, a header longer than its column's cells goes on two lines first, broken after a
  /// '.' or at a space ("job.request." over "steps.2.io": lesson 21's sweep table was 108
  /// columns at --width 80 for its keys' names alone), the one that saves most first.
  bool headers_wrap = false;
};

/// Columns separated by two spaces; trailing spaces trimmed. Every line ends with '\n'.
/// Wider than `max_width`, the table wraps headers (headers_wrap), then leaves out the columns of `left_out_first`, then
/// columns from the right (keeping at least two), and says which in a last line.
/// `left_out`, when given, receives the columns left out (in the table's order).
std::string render_table(const TextTable& table, std::size_t max_width = SIZE_MAX,
                         std::vector<std::size_t>* left_out = nullptr);


}  // namespace gilsim::cli
