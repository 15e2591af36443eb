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

/// `header` on two lines as narrow as may be, broken after a '.' or at a space; one line
/// where it has neither.
std::vector<std::string> two_lines(const std::string& header) {
  std::vector<std::string> best{header};
  std::size_t narrowest = scenario::terminal_columns(header);
  for (std::size_t at = 0; at + 1 < header.size(); ++at) {
    if (header[at] != '.' && header[at] != ' ') continue;
    std::string first = header.substr(0, header[at] == '.' ? at + 1 : at);
    std::string second = header.substr(at + 1);
    const std::size_t wide = std::max(scenario::terminal_columns(first), scenario::terminal_columns(second));
    if (wide < narrowest) {
      narrowest = wide;
      best = {std::move(first), std::move(second)};
    }
  }
  return best;
}

}  // namespace

std::string render_table(const TextTable& t, std::size_t max_width, std::vector<std::size_t>* left_out_columns) {
  std::vector<std::size_t> widths(t.headers.size(), 0), cell_widths(t.headers.size(), 0);
  std::vector<std::vector<std::string>> header_lines;
  for (std::size_t c = 0; c < widths.size(); ++c) {
    // In terminal columns, as {fmt} pads: a run named in Chinese takes two a character.
    for (const auto& row : t.rows) {
      if (c < row.size()) cell_widths[c] = std::max(cell_widths[c], scenario::terminal_columns(row[c]));
    }
    widths[c] = std::max(cell_widths[c], scenario::terminal_columns(t.headers[c]));
    header_lines.push_back({t.headers[c]});
  }
  std::vector<std::size_t> shown(widths.size());
  for (std::size_t c = 0; c < shown.size(); ++c) shown[c] = c;
  const auto total = [&widths, &shown] {
    std::size_t sum = shown.empty() ? 0 : 2 * (shown.size() - 1);
    for (const std::size_t c : shown) sum += widths[c];
    return sum;
  };
  while (t.headers_wrap && total() > max_width) {
    std::size_t best = widths.size(), saved = 0;
    std::vector<std::string> best_lines;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      if (header_lines[c].size() > 1) continue;
      auto lines = two_lines(t.headers[c]);
      std::size_t wide = cell_widths[c];
      for (const auto& line : lines) wide = std::max(wide, scenario::terminal_columns(line));
      if (widths[c] - wide > saved) {
        best = c;
        saved = widths[c] - wide;
        best_lines = std::move(lines);
      }
    }
    if (best == widths.size()) break;
    widths[best] -= saved;
    header_lines[best] = std::move(best_lines);
  }
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
  if (left_out_columns != nullptr) *left_out_columns = left_out;
  std::vector<std::string> left_out_names;
  for (const std::size_t c : left_out) left_out_names.push_back(t.headers[c]);
  // Headers on two lines sit on the rule, a header of one line beside their second.
  std::size_t header_rows = 1;
  for (const std::size_t c : shown) header_rows = std::max(header_rows, header_lines[c].size());
  std::string out;
  for (std::size_t r = 0; r < header_rows; ++r) {
    std::vector<std::string> cells(t.headers.size());
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::size_t skip = header_rows - header_lines[c].size();
      if (r >= skip) cells[c] = header_lines[c][r - skip];
    }
    out += render_row(t, cells, widths, shown);
  }
  out += std::string(total(), '-') + "\n";
  for (const auto& row : t.rows) out += render_row(t, row, widths, shown);
  if (!left_out.empty()) {
    out += wrap_text(fmt::format("(not shown at this width: {}; see --width)", fmt::join(left_out_names, ", ")),
                     static_cast<int>(std::min<std::size_t>(max_width, 1000)));
  }
  return out;
}

}  // namespace gilsim::cli
