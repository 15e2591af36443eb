// Text tables for the command line.
#include "sim/cli/text_table.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace gilsim::cli {

namespace {

std::string render_row(const TextTable& t, const std::vector<std::string>& cells, const std::vector<std::size_t>& widths) {
  std::string line;
  for (std::size_t c = 0; c < widths.size(); ++c) {
    const std::string& cell = c < cells.size() ? cells[c] : std::string();
    const bool right = c < t.right_aligned.size() && t.right_aligned[c];
    if (c > 0) line += "  ";
    line += right ? fmt::format("{:>{}}", cell, widths[c]) : fmt::format("{:<{}}", cell, widths[c]);
  }
  line.erase(line.find_last_not_of(' ') + 1);
  return line + "\n";
}

}  // namespace

std::string render_table(const TextTable& t) {
  std::vector<std::size_t> widths(t.headers.size(), 0);
  for (std::size_t c = 0; c < widths.size(); ++c) {
    widths[c] = t.headers[c].size();
    for (const auto& row : t.rows) {
      if (c < row.size()) widths[c] = std::max(widths[c], row[c].size());
    }
  }
  std::string out = render_row(t, t.headers, widths);
  std::size_t rule = 0;
  for (auto w : widths) rule += w;
  rule += widths.empty() ? 0 : 2 * (widths.size() - 1);
  out += std::string(rule, '-') + "\n";
  for (const auto& row : t.rows) out += render_row(t, row, widths);
  return out;
}

}  // namespace gilsim::cli
