// Teaching notes reflow: paragraphs join, list items keep their own lines.
#include <doctest/doctest.h>

#include "sim/scenario/loader.hpp"
#include "viz/text_layout.hpp"

using gilsim::viz::reflow;
using gilsim::viz::fit_headers;
using gilsim::viz::wrap_at_spaces;
using gilsim::viz::wrap_breaking_words;
using gilsim::viz::elide;
using gilsim::viz::fit_table;
using gilsim::viz::table_width;
using gilsim::viz::TableFit;

TEST_CASE("hard-wrapped paragraphs join; blank lines and list items stay") {
  CHECK(reflow("Each job downloads\na page.\n\nNotice:\n- threads overlap\n  the downloads;\n- one GIL.\n") ==
        "Each job downloads a page.\n\nNotice:\n- threads overlap the downloads;\n- one GIL.");
  CHECK(reflow("1. first\n2. second") == "1. first\n2. second");
  CHECK(reflow("") == "");
  CHECK(reflow("\n\none line\n\n") == "one line");
}

TEST_CASE("wrapping breaks at spaces only, so a figure like 1.8x stays whole") {
  const auto width_of = [](std::string_view s) { return static_cast<float>(s.size()); };
  using Lines = std::vector<std::string_view>;
  CHECK(wrap_at_spaces("two threads 1.8x slower", 13, width_of) == Lines{"two threads", "1.8x slower"});
  CHECK(wrap_at_spaces("a\n\nb c", 10, width_of) == Lines{"a", "", "b c"});
  CHECK(wrap_at_spaces("unbreakable-word here", 5, width_of) == Lines{"unbreakable-word", "here"});
  CHECK(wrap_at_spaces("", 5, width_of) == Lines{""});
}

TEST_CASE("a word wider than the panel breaks after its punctuation, else between characters, and is never cut") {
  const auto width_of = [](std::string_view s) { return static_cast<float>(s.size()); };
  using Lines = std::vector<std::string_view>;
  // Lesson 21's note: its --vary value has no space for 72 characters.
  CHECK(wrap_breaking_words("--vary job.a=0ms..90ms;job.b=1ms", 16, width_of) ==
        Lines{"--vary", "job.a=0ms..90ms;", "job.b=1ms"});
  CHECK(wrap_breaking_words("abcdefghij k", 4, width_of) == Lines{"abcd", "efgh", "ij", "k"});
  CHECK(wrap_breaking_words("two threads 1.8x slower", 13, width_of) == Lines{"two threads", "1.8x slower"});
  CHECK(wrap_breaking_words("\xc3\xa9\xc3\xa9\xc3\xa9", 4, width_of) == Lines{"\xc3\xa9\xc3\xa9", "\xc3\xa9"});  // never inside a character
}

TEST_CASE("bundled teaching notes read the same in the viewer as in a terminal") {
  // The viewer draws no text-timeline characters, and a note is read inside the viewer.
  for (const auto& file : gilsim::scenario::bundled_scenarios()) {
    const std::string note = gilsim::scenario::load_file(file).note;
    INFO(file.filename().string());
    for (const char* glyph : {"'!'", "'='", "'z'", "'.'", "'#'", "'~'", "open the viewer"}) {
      CHECK(note.find(glyph) == std::string::npos);
    }
  }
}

TEST_CASE("table headers take two lines only when one line each would cut the last column") {
  const auto measure = [](std::string_view t) { return static_cast<float>(t.size()) * 10.0f; };
  const std::vector<std::string> headers = {"run", "cores busy", "switches (forced)"};
  const std::vector<float> cells = {100, 40, 60};
  // One line: 100 + 100 + 170, 10 px padding each: 400.
  CHECK(fit_headers(headers, cells, 400, 10, measure) == headers);
  const auto two = fit_headers(headers, cells, 399, 10, measure);
  CHECK(two == std::vector<std::string>{"run", "cores\nbusy", "switches\n(forced)"});
  // Two lines: 100 + 50 + 80 and the padding: 260, which fits where one line did not.
  CHECK(fit_headers(two, cells, 260, 10, measure) == two);
}

TEST_CASE("a table too wide even with two-line headers leaves out its last columns") {
  const auto measure = [](std::string_view t) { return static_cast<float>(t.size()) * 10.0f; };
  const std::vector<std::string> headers = {"run", "cores busy", "switches (forced)"};
  const std::vector<float> cells = {100, 40, 60};
  CHECK(table_width(headers, cells, 10, measure) == 400);
  const TableFit all = fit_table(headers, cells, 400, 10, measure);
  CHECK(all.shown == 3);
  CHECK(all.headers == headers);
  // Two-line headers need 260; at 259 the last column goes, and the two left take one line (220).
  const TableFit two = fit_table(headers, cells, 259, 10, measure);
  CHECK(two.shown == 2);
  CHECK(two.headers == std::vector<std::string>{"run", "cores busy"});
  // At 219 they take two lines (170).
  CHECK(fit_table(headers, cells, 219, 10, measure).headers == std::vector<std::string>{"run", "cores\nbusy"});
  // The first column stays however narrow the table.
  CHECK(fit_table(headers, cells, 50, 10, measure).shown == 1);
}

TEST_CASE("a label with no room ends in an ellipsis and fits; one with room is whole") {
  const auto measure = [](std::string_view t) {
    float w = 0;
    for (unsigned char c : t) w += (c & 0xC0) == 0x80 ? 0.0f : 10.0f;  // 10 px a character
    return w;
  };
  CHECK(elide("T1 reader", 90, measure) == "T1 reader");
  CHECK(elide("T1 reader", 80, measure) == "T1 read\u2026");
  CHECK(elide("T1 reader", 40, measure) == "T1\u2026");  // no space before the ellipsis
  CHECK(elide("h\u00e9llo", 30, measure) == "h\u00e9\u2026");  // cut between characters, never inside one
  CHECK(elide("T1 reader", 5, measure) == "\u2026");
}

TEST_CASE("a bar's label moves right of the marks and the GIL badge on it, or is cut before them, or left out") {
  using gilsim::viz::label_clear_of;
  using Ranges = std::vector<std::pair<float, float>>;
  using Shown = std::optional<std::pair<float, float>>;
  // A bar with text room 100..300, a label 60 px wide, at least 20 px of it shown.
  const auto shown = [](float right, const Ranges& obstacles) { return label_clear_of(100, right, 60, obstacles, 3, 20); };
  CHECK(shown(300, {}) == Shown({100, 160}));
  CHECK(shown(300, {{200, 240}}) == Shown({100, 160}));  // badge further right: unmoved
  CHECK(shown(300, {{40, 100}}) == Shown({100, 160}));   // badge ends where the label starts
  CHECK(shown(300, {{98, 138}}) == Shown({141, 201}));   // badge over its start: after the badge
  CHECK(shown(300, {{150, 190}}) == Shown({193, 253}));  // badge over its end: after the badge
  CHECK(shown(300, {{94, 104}}) == Shown({107, 167}));   // a job-done dot where the bar starts
  // After the dot the label would cover the badge: after the badge too.
  CHECK(shown(300, {{94, 104}, {150, 190}}) == Shown({193, 253}));
  CHECK(shown(300, {{94, 104}, {170, 190}}) == Shown({107, 167}));  // it fits between them
  CHECK(shown(300, {{20, 40}, {94, 104}}) == Shown({107, 167}));    // one left of the bar: no matter
  // No room for it whole: cut before the next mark (lesson 17's jobs, a dot at each end)...
  CHECK(shown(155, {{94, 104}, {152, 162}}) == Shown({107, 149}));
  CHECK(shown(200, {{98, 150}}) == Shown({153, 200}));  // ...or at the bar's end
  CHECK_FALSE(shown(300, {{94, 104}, {115, 300}}).has_value());  // less than 20 px: left out
  // A label wider than its bar, cut at the bar's end, stays where nothing covers it.
  CHECK(shown(140, {{150, 160}}) == Shown({100, 140}));
}

TEST_CASE("a collapsed run's figures: the longest text that fits after its end, or none") {
  using gilsim::viz::first_that_fits;
  const auto ten_px = [](std::string_view t) { return 10.0f * static_cast<float>(t.size()); };
  const std::vector<std::string> texts{"new GIL, 4 cores, done at 88.0 ms", "done at 88.0 ms", "88.0 ms"};
  CHECK(first_that_fits(texts, 400, ten_px) == std::size_t{0});
  CHECK(first_that_fits(texts, 200, ten_px) == std::size_t{1});
  CHECK(first_that_fits(texts, 100, ten_px) == std::size_t{2});
  CHECK_FALSE(first_that_fits(texts, 60, ten_px).has_value());  // the run fills the view: nothing over its bars
}

TEST_CASE("a line too long for the panel wraps whole, its later rows indented past the time") {
  using gilsim::viz::wrap_indented;
  const auto ten_px = [](std::string_view t) { return 10.0f * static_cast<float>(t.size()); };
  const std::string line = "1.26 ms [threads] deadlock: T1 waits for lock lock_b, held by T2";
  // 300 px less the four-space indent: 26 characters a row.
  const std::string whole = wrap_indented(line, 300, "    ", ten_px);
  CHECK(whole == "1.26 ms [threads]\n    deadlock: T1 waits for\n    lock lock_b, held by T2");
  std::string words;  // nothing lost: the same words in the same order
  for (std::size_t i = 0; i < whole.size();) {
    const bool row_break = whole.compare(i, 5, "\n    ") == 0;
    words += row_break ? ' ' : whole[i];
    i += row_break ? 5 : 1;
  }
  CHECK(words == line);
  CHECK(wrap_indented("fits", 300, "    ", ten_px) == "fits");
}

TEST_CASE("legend rows: entries placed a gap apart, wrapped before one that would end past the room") {
  using gilsim::viz::legend_rows;
  CHECK(legend_rows({}, 10, 100) == 0);
  CHECK(legend_rows({40, 40}, 10, 100) == 1);   // 40 + 10 + 40
  CHECK(legend_rows({40, 40, 40}, 10, 100) == 2);
  CHECK(legend_rows({45, 45}, 10, 100) == 1);   // ends at 100 exactly
  CHECK(legend_rows({45, 45}, 11, 100) == 2);   // the gap that closes up keeps them on one row
  CHECK(legend_rows({150, 20}, 10, 100) == 2);  // one too wide has a row of its own
}

TEST_CASE("a count the viewer shows has its digits grouped as the command line writes them") {
  using gilsim::viz::counted;
  CHECK(counted(5623, "mark") == "5,623 marks");
  CHECK(counted(std::size_t{112261}, "thread") == "112,261 threads");
  CHECK(counted(1, "mark") == "1 mark");
  CHECK(counted(0, "job") == "0 jobs");
  CHECK(counted(2, "worker process", "worker processes") == "2 worker processes");
}

TEST_CASE("a collapsed run's figures go where its line draws nothing: after its end, else in a free stretch") {
  using gilsim::viz::free_spot;
  using Ranges = std::vector<std::pair<float, float>>;
  // A line 0..1000; its lane draws 0..120 and 800..805 (lesson 7's process run: the main
  // process takes its GIL at the start and to collect the hog's result at its end).
  const Ranges drawn{{800, 805}, {0, 120}};
  CHECK(free_spot(0, 1000, drawn, 150, 813, 4) == std::optional<float>(813));  // after its end
  CHECK(free_spot(0, 1000, drawn, 300, 813, 4) == std::optional<float>(124));  // in the free stretch
  CHECK_FALSE(free_spot(0, 1000, drawn, 700, 813, 4).has_value());           // nowhere: never over a bar
  // A run as long as the line (lesson 12's sequential run without a GIL): no room at all.
  CHECK_FALSE(free_spot(0, 1000, {{0, 1000}}, 50, 1008, 4).has_value());
  // The GIL badge at its end is something drawn too.
  CHECK(free_spot(0, 1000, {{0, 500}, {505, 540}}, 100, 508, 4) == std::optional<float>(544));
}

TEST_CASE("a note names a job as a whole word, whatever its case") {
  using gilsim::viz::names_word;
  CHECK(names_word("look at the reader's row", "reader"));
  CHECK(names_word("Reader: done at 110 ms", "reader"));
  CHECK_FALSE(names_word("the readers wait", "reader"));
  CHECK_FALSE(names_word("a hogwash", "hog"));
  CHECK(names_word("the hog", "hog"));
  CHECK_FALSE(names_word("anything", ""));
}

TEST_CASE("a table's columns: as wide as their cells where they fit, the widest narrowed first, never below a word") {
  using gilsim::viz::shrink_columns;
  using W = std::vector<float>;
  CHECK(shrink_columns({100, 50, 50}, {40, 50, 30}, 300) == W{100, 50, 50});  // fits: as they are
  // 40 px too wide: the widest alone narrows.
  const W one = shrink_columns({140, 50, 50}, {40, 50, 30}, 200);
  CHECK(one[0] == doctest::Approx(100).epsilon(0.001));
  CHECK(one[1] == 50);
  CHECK(one[2] == 50);
  // Narrowed to one width, none below its longest word ("both stopped": "stopped").
  const W w = shrink_columns({140, 50, 120}, {40, 50, 70}, 200);
  CHECK(w[1] == 50);
  CHECK(w[0] == doctest::Approx(75).epsilon(0.001));
  CHECK(w[2] == doctest::Approx(75).epsilon(0.001));
  CHECK(shrink_columns({140, 50, 120}, {40, 50, 70}, 100) == W{40, 50, 70});  // not even the words: they stay whole
}
