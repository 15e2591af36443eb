// Reflowing hard-wrapped text.
#include "viz/text_layout.hpp"

#include "sim/scenario/value_syntax.hpp"
#include "sim/trace/outcomes.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>

namespace gilsim::viz {

using scenario::trim;

namespace {

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

std::vector<std::string_view> wrap_at_spaces(std::string_view text, float width,
                                             const std::function<float(std::string_view)>& measure) {
  std::vector<std::string_view> lines;
  while (true) {
    const std::size_t nl = text.find('\n');
    std::string_view para = text.substr(0, nl);
    // Greedy: extend the line word by word while it fits.
    while (true) {
      std::size_t end = para.find(' ');
      if (end == std::string_view::npos) end = para.size();
      while (end < para.size()) {
        std::size_t next = para.find(' ', end + 1);
        if (next == std::string_view::npos) next = para.size();
        if (measure(para.substr(0, next)) > width) break;
        end = next;
      }
      lines.push_back(para.substr(0, end));
      if (end >= para.size()) break;
      para.remove_prefix(end + 1);
    }
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::vector<std::string_view> wrap_breaking_words(std::string_view text, float width,
                                                  const std::function<float(std::string_view)>& measure) {
  std::vector<std::string_view> lines;
  for (std::string_view line : wrap_at_spaces(text, width, measure)) {
    while (measure(line) > width) {
      // The longest start that fits, ending between two UTF-8 characters (at least one).
      std::size_t fits = 0;
      for (std::size_t at = 1; at <= line.size(); ++at) {
        if (at < line.size() && (static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) continue;
        if (measure(line.substr(0, at)) > width) break;
        fits = at;
      }
      if (fits == 0) {  // not even one character fits: one a line
        fits = 1;
        while (fits < line.size() && (static_cast<unsigned char>(line[fits]) & 0xC0) == 0x80) ++fits;
      }
      const std::size_t punct = line.substr(0, fits).find_last_of(";,=:/");
      const std::size_t cut = punct != std::string_view::npos && punct + 1 < fits ? punct + 1 : fits;
      lines.push_back(line.substr(0, cut));
      line.remove_prefix(cut);
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    }
    lines.push_back(line);
  }
  return lines;
}

float table_width(const std::vector<std::string>& headers, const std::vector<float>& cell_widths, float padding,
                  const std::function<float(std::string_view)>& measure) {
  float sum = 0;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    float w = 0;
    for (std::string_view line : wrap_at_spaces(headers[i], 1e9f, measure)) w = std::max(w, measure(line));
    sum += std::max(w, i < cell_widths.size() ? cell_widths[i] : 0.0f) + padding;
  }
  return sum;
}

std::vector<std::string> fit_headers(const std::vector<std::string>& headers, const std::vector<float>& cell_widths,
                                     float width, float padding, const std::function<float(std::string_view)>& measure) {
  if (table_width(headers, cell_widths, padding, measure) <= width) return headers;
  std::vector<std::string> two = headers;
  for (std::string& h : two) {
    std::size_t best = std::string::npos;
    for (std::size_t i = h.find(' '); i != std::string::npos; i = h.find(' ', i + 1)) {
      const auto off = [&](std::size_t at) { return std::abs(static_cast<double>(at) - static_cast<double>(h.size()) / 2); };
      if (best == std::string::npos || off(i) < off(best)) best = i;
    }
    if (best != std::string::npos) h[best] = '\n';
  }
  return two;
}

TableFit fit_table(const std::vector<std::string>& headers, const std::vector<float>& cell_widths, float width,
                   float padding, const std::function<float(std::string_view)>& measure) {
  TableFit fit;
  for (fit.shown = headers.size(); fit.shown > 0; --fit.shown) {
    const std::vector<std::string> first(headers.begin(), headers.begin() + static_cast<std::ptrdiff_t>(fit.shown));
    fit.headers = fit_headers(first, cell_widths, width, padding, measure);
    if (fit.shown == 1 || table_width(fit.headers, cell_widths, padding, measure) <= width) break;
  }
  return fit;
}

std::string counted(std::int64_t n, std::string_view one, std::string_view many) {
  std::string out = trace::group_digits(n) + ' ';
  if (n == 1) return out.append(one);
  if (many.empty()) return out.append(one).append("s");
  return out.append(many);
}

std::string elide(std::string_view text, float width, const std::function<float(std::string_view)>& measure) {
  if (measure(text) <= width) return std::string(text);
  constexpr std::string_view kMore = "\u2026";
  const auto cut_at = [&](std::size_t keep) {
    std::string cut(text.substr(0, keep));
    while (!cut.empty() && cut.back() == ' ') cut.pop_back();
    return cut += kMore;
  };
  std::vector<std::size_t> starts;  // where each UTF-8 character starts: the places a cut may fall
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  // The longest prefix that fits with its "…" (widths grow with the prefix): a binary search.
  std::size_t lo = 0, hi = starts.size();  // starts[lo] fits or is 0; starts[hi] does not
  while (hi - lo > 1) {
    const std::size_t mid = (lo + hi) / 2;
    (measure(cut_at(starts[mid])) <= width ? lo : hi) = mid;
  }
  return cut_at(starts.empty() ? 0 : starts[lo]);
}

int legend_rows(const std::vector<float>& widths, float gap, float room) {
  int rows = 0;
  float x = 0;
  for (const float w : widths) {
    if (rows > 0 && x + gap + w <= room) {
      x += gap + w;
    } else {
      ++rows;
      x = w;
    }
  }
  return rows;
}

std::string wrap_indented(std::string_view text, float width, std::string_view indent,
                          const std::function<float(std::string_view)>& measure) {
  const std::vector<std::string_view> lines = wrap_at_spaces(text, width - measure(indent), measure);
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out.append("\n").append(indent);
    out.append(lines[i]);
  }
  return out;
}

std::optional<std::size_t> first_that_fits(const std::vector<std::string>& texts, float width,
                                           const std::function<float(std::string_view)>& measure) {
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (measure(texts[i]) <= width) return i;
  }
  return std::nullopt;
}

std::optional<std::pair<float, float>> label_clear_of(float left, float right, float width,
                                                      std::span<const std::pair<float, float>> obstacles,
                                                      float gap, float min_shown) {
  // Whole, moved right past every obstacle it would cover.
  float at = left;
  bool moved = false;
  for (const auto& [from, to] : obstacles) {
    if (at + width <= from) break;  // sorted: the rest are further right
    if (at < to) {
      at = to + gap;
      moved = true;
    }
  }
  if (at + width <= right) return std::pair{at, at + width};
  if (!moved) return std::pair{left, right};  // nothing covers it: cut at the bar's end, as ever
  // Cut: moved past only what covers its start, ended before the next obstacle.
  at = left;
  float end = right;
  for (const auto& [from, to] : obstacles) {
    if (to <= at) continue;
    if (from >= at + min_shown) {
      end = from - gap;
      break;
    }
    at = to + gap;
  }
  end = std::min({end, right, at + width});
  if (end - at < std::min(width, min_shown)) return std::nullopt;
  return std::pair{at, end};
}

std::vector<float> shrink_columns(const std::vector<float>& natural, const std::vector<float>& least, float room) {
  const auto at_most = [&](float level) {
    std::vector<float> w(natural.size());
    for (std::size_t c = 0; c < natural.size(); ++c) {
      const float floor = c < least.size() ? least[c] : 0.0f;
      w[c] = std::max(floor, std::min(natural[c], level));
    }
    return w;
  };
  const auto sum = [](const std::vector<float>& w) { return std::accumulate(w.begin(), w.end(), 0.0f); };
  if (sum(natural) <= room) return natural;
  if (sum(at_most(0)) > room) return at_most(0);
  // The highest level at which the columns, none wider than it, fit `room`.
  float lo = 0, hi = *std::max_element(natural.begin(), natural.end());
  for (int i = 0; i < 40; ++i) {
    const float mid = (lo + hi) * 0.5f;
    (sum(at_most(mid)) <= room ? lo : hi) = mid;
  }
  return at_most(lo);
}

bool names_word(std::string_view text, std::string_view word) {
  if (word.empty() || word.size() > text.size()) return false;
  const auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  const auto in_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = 0; at + word.size() <= text.size(); ++at) {
    if (!std::equal(word.begin(), word.end(), text.begin() + static_cast<std::ptrdiff_t>(at),
                    [&](char a, char b) { return lower(a) == lower(b); })) {
      continue;
    }
    const bool starts = at == 0 || !in_word(text[at - 1]);
    const bool ends = at + word.size() == text.size() || !in_word(text[at + word.size()]);
    if (starts && ends) return true;
  }
  return false;
}

std::optional<float> free_spot(float left, float right, std::vector<std::pair<float, float>> occupied, float width,
                               float prefer, float gap) {
  std::sort(occupied.begin(), occupied.end());
  // The free stretches between what is drawn, `gap` clear of it.
  std::vector<std::pair<float, float>> free;
  float from = left;
  for (const auto& [a, b] : occupied) {
    if (a - gap > from) free.emplace_back(from, std::min(right, a - gap));
    from = std::max(from, b + gap);
    if (from >= right) break;
  }
  if (from < right) free.emplace_back(from, right);
  for (const auto& [a, b] : free) {
    const float at = std::max(a, prefer);
    if (at + width <= b) return at;
  }
  for (const auto& [a, b] : free) {
    if (a < prefer && a + width <= b) return a;
  }
  return std::nullopt;
}

}  // namespace gilsim::viz
