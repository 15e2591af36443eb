// Text shaping for panels: a scenario's teaching note is written with hard line breaks in
// TOML; reflowing it lets the panel wrap it to its own width.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gilsim::viz {

/// Joins the lines of each paragraph with spaces; keeps blank lines, and starts a new line
/// for list items ("- ", "* ", "1. ").
std::string reflow(std::string_view text);

/// Breaks `text` into lines no wider than `width` (as `measure` says), at spaces and line
/// breaks only: "1.8x" or "0.5 s" never split inside. A word wider than `width` gets a line
/// of its own. Lines are views into `text`; a blank line is an empty view.
std::vector<std::string_view> wrap_at_spaces(std::string_view text, float width,
                                             const std::function<float(std::string_view)>& measure);

/// Column headers for a table `width` wide whose cells are at most `cell_widths` wide and
/// whose columns each take `padding` more: each header on one line when they all fit so,
/// otherwise every header of several words broken into two lines ("switches\n(forced)")
/// at the space nearest its middle, so the last column is not cut off.
std::vector<std::string> fit_headers(const std::vector<std::string>& headers, const std::vector<float>& cell_widths,
                                     float width, float padding, const std::function<float(std::string_view)>& measure);

/// How wide a table is whose columns are as wide as the widest of their header's lines and
/// their cells (`cell_widths`), each plus `padding`.
float table_width(const std::vector<std::string>& headers, const std::vector<float>& cell_widths, float padding,
                  const std::function<float(std::string_view)>& measure);

/// A table fitted to `width` without scrolling: the headers as fit_headers gives them, for
/// the first `shown` columns, as many as fit (the first always); the caller says the others
/// another way (a row's tooltip).
struct TableFit {
  std::vector<std::string> headers;
  std::size_t shown = 0;
};
TableFit fit_table(const std::vector<std::string>& headers, const std::vector<float>& cell_widths, float width,
                   float padding, const std::function<float(std::string_view)>& measure);

/// Column widths for a table whose columns take `room` at most: each as wide as its widest
/// cell (`natural`) where they all fit so; else the widest narrowed first, to one width, each
/// no narrower than its longest word (`least`), its cells then wrapped at spaces. Where not
/// even the longest words fit, `least`: the table scrolls sideways rather than cut a word.
std::vector<float> shrink_columns(const std::vector<float>& natural, const std::vector<float>& least, float room);

/// "5,623 marks", "1 mark": a count the viewer shows, its digits grouped as the command line
/// writes them (trace::group_digits), and its noun, `many` (or `one` + "s") but for one.
std::string counted(std::int64_t n, std::string_view one, std::string_view many = {});
template <std::unsigned_integral N>
std::string counted(N n, std::string_view one, std::string_view many = {}) {
  return counted(static_cast<std::int64_t>(n), one, many);
}

/// `text` as is when it fits `width`, else cut (between UTF-8 characters) and ended with
/// "…" so that it fits: a label that has no room says that it goes on.
std::string elide(std::string_view text, float width, const std::function<float(std::string_view)>& measure);

/// How many rows entries `widths` wide take, placed left to right `gap` apart and wrapped
/// before one that would end past `room` (one too wide for a row gets a row of its own).
int legend_rows(const std::vector<float>& widths, float gap, float room);

/// wrap_at_spaces, with every word still wider than `width` broken where its start fits:
/// after its last ';', ',', '=', ':' or '/' there ("--vary job.steps.2.io=0ms..90ms;" then
/// the next value), else between two characters. Nothing is cut: a panel that never scrolls
/// sideways shows every letter of a long path or --vary value.
std::vector<std::string_view> wrap_breaking_words(std::string_view text, float width,
                                                  const std::function<float(std::string_view)>& measure);

/// `text` whole on as many lines as it takes within `width` (wrap_at_spaces), joined by
/// "\n" and `indent`; every line is wrapped `indent` narrower, so the indented ones fit too.
std::string wrap_indented(std::string_view text, float width, std::string_view indent,
                          const std::function<float(std::string_view)>& measure);

/// The first of `texts` (from the one that says most to the one that says least) that fits
/// `width`, or none when not even the last does.
std::optional<std::size_t> first_that_fits(const std::vector<std::string>& texts, float width,
                                           const std::function<float(std::string_view)>& measure);

/// Where a label `width` wide shows in a bar whose text runs from `left` to `right`, clear of
/// `obstacles` (screen x ranges sorted by their left ends: the GIL badge, the marks on the
/// bar): its start and where it is cut. Whole after the obstacles over it, `gap` right of
/// them, when it fits so; else cut `gap` before the first obstacle past its first
/// `min_shown` pixels or at the bar's end (where nothing covers it, the bar's end cuts it as
/// before); none when less than `min_shown` would show (hidden rather than covered).
std::optional<std::pair<float, float>> label_clear_of(float left, float right, float width,
                                                      std::span<const std::pair<float, float>> obstacles,
                                                      float gap, float min_shown);

/// Whether `text` holds `word` as a whole word, whatever its case: "the reader's row" names
/// "reader", "readers" does not.
bool names_word(std::string_view text, std::string_view word);

/// Where a text `width` wide goes on a line from `left` to `right` on which `occupied` (screen
/// x ranges, any order) is drawn, keeping `gap` from each: at `prefer` or the first place right
/// of it where it fits, else at the start of the first free stretch left of `prefer` that holds
/// it; none where no free stretch does (a label never covers what the line draws).
std::optional<float> free_spot(float left, float right, std::vector<std::pair<float, float>> occupied, float width,
                               float prefer, float gap);

}  // namespace gilsim::viz
