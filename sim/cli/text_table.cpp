// Text tables for the command line.
#include "sim/cli/text_table.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/cli/text_wrap.hpp"
#include "sim/scenario/unicode_text.hpp"

namespace gilsim::cli {

namespace {

/// `shown`: the columns drawn, in order.
std::string render_row(const TextTable& t, const std::vector<std::string>& cells, const std::vector<std::size_t>& widths,
                       const std::vector<std::size_t>& shown) {
  std::string line;
  for (const std::size_t c : shown) {
    const std::string& cell = c < cells.size() ? cells[c] : std::string();
    const bool right = c < t.right_aligned.size() && t.right_aligned[c];
    if (c != shown.front()) line += "  ";
    line += right ? fmt::format("{:>{}}", cell, widths[c]) : fmt::format("{:<{}}", cell, widths[c]);
  }
  line.erase(line.find_last_not_of(' ') + 1);
  return line + "\n";
}

}  // namespace

std::string render_table(const TextTable& t, std::size_t max_width) {
  std::vector<std::size_t> widths(t.headers.size(), 0);
  for (std::size_t c = 0; c < widths.size(); ++c) {
    // In terminal columns, as {fmt} pads: a run named in Chinese takes two a character.
    widths[c] = scenario::terminal_columns(t.headers[c]);
    for (const auto& row : t.rows) {
      if (c < row.size()) widths[c] = std::max(widths[c], scenario::terminal_columns(row[c]));
    }
  }
  std::vector<std::size_t> shown(widths.size());
  for (std::size_t c = 0; c < shown.size(); ++c) shown[c] = c;
  const auto total = [&widths, &shown] {
    std::size_t sum = shown.empty() ? 0 : 2 * (shown.size() - 1);
    for (const std::size_t c : shown) sum += widths[c];
    return sum;
  };
  std::vector<std::size_t> leave_out = t.left_out_first;  // then from the right
  for (std::size_t c = widths.size(); c-- > 0;) {
    if (std::find(leave_out.begin(), leave_out.end(), c) == leave_out.end()) leave_out.push_back(c);
  }
  std::vector<std::size_t> left_out;
  for (std::size_t next = 0; shown.size() > 2 && total() > max_width && next < leave_out.size(); ++next) {
    const auto at = std::find(shown.begin(), shown.end(), leave_out[next]);
    if (at == shown.end()) continue;
    shown.erase(at);
    left_out.push_back(leave_out[next]);
  }
  std::sort(left_out.begin(), left_out.end());  // named in the table's order
  std::vector<std::string> left_out_names;
  for (const std::size_t c : left_out) left_out_names.push_back(t.headers[c]);
  std::string out = render_row(t, t.headers, widths, shown);
  out += std::string(total(), '-') + "\n";
  for (const auto& row : t.rows) out += render_row(t, row, widths, shown);
  if (!left_out.empty()) {
    out += wrap_text(fmt::format("(not shown at this width: {}; see --width)", fmt::join(left_out_names, ", ")),
                     static_cast<int>(std::min<std::size_t>(max_width, 1000)));
  }
  return out;
}

}  // namespace gilsim::cli
