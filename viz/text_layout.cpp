// Reflowing hard-wrapped text.
#include "viz/text_layout.hpp"

#include <cctype>

namespace gilsim::viz {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_item(std::string_view line) {
  if (line.size() >= 2 && (line[0] == '-' || line[0] == '*') && line[1] == ' ') return true;
  std::size_t digits = 0;
  while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
  return digits > 0 && digits + 1 < line.size() && line[digits] == '.' && line[digits + 1] == ' ';
}

}  // namespace

std::string reflow(std::string_view text) {
  std::string out;
  bool in_paragraph = false;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const std::string_view line = trim(raw);
    if (line.empty()) {
      if (!out.empty()) out += "\n\n";
      in_paragraph = false;
      continue;
    }
    if (in_paragraph && !starts_item(line)) {
      out += ' ';
    } else if (in_paragraph) {
      out += '\n';
    }
    out += line;
    in_paragraph = true;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace gilsim::viz
