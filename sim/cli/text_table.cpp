// Text tables for the command line.
#include "sim/cli/text_table.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/cli/text_wrap.hpp"

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

std::string render_table(const TextTable& t, std::size_t max_width) {
  std::vector<std::size_t> widths(t.headers.size(), 0);
  for (std::size_t c = 0; c < widths.size(); ++c) {
    widths[c] = t.headers[c].size();
    for (const auto& row : t.rows) {
      if (c < row.size()) widths[c] = std::max(widths[c], row[c].size());
    }
  }
  const auto total = [&widths] {
    std::size_t sum = widths.empty() ? 0 : 2 * (widths.size() - 1);
    for (auto w : widths) sum += w;
    return sum;
  };
  std::vector<std::string> left_out;
  while (widths.size() > 2 && total() > max_width) {
    left_out.insert(left_out.begin(), t.headers[widths.size() - 1]);
    widths.pop_back();  // render_row draws only the columns that have a width
  }
  std::string out = render_row(t, t.headers, widths);
  out += std::string(total(), '-') + "\n";
  for (const auto& row : t.rows) out += render_row(t, row, widths);
  if (!left_out.empty()) {
    out += wrap_text(fmt::format("(not shown at this width: {}; see --width)", fmt::join(left_out, ", ")),
                     static_cast<int>(std::min<std::size_t>(max_width, 1000)));
  }
  return out;
}

}  // namespace gilsim::cli
