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
};

/// Columns separated by two spaces; trailing spaces trimmed. Every line ends with '\n'.
/// Wider than `max_width`, the table leaves out the columns of `left_out_first`, then
/// columns from the right (keeping at least two), and says which in a last line.
std::string render_table(const TextTable& table, std::size_t max_width = SIZE_MAX);


}  // namespace gilsim::cli
