// docs/lessons.md's opening count of the lessons is the scenarios folder's: their number in
// words and which numbers there are (a gap named), beside the built-in default.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"

namespace {

const std::filesystem::path kSource = GILSIM_SOURCE_DIR;

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string in_words(std::size_t n) {
  static const std::vector<std::string> words{"Zero",    "One",     "Two",       "Three",    "Four",     "Five",
                                              "Six",     "Seven",   "Eight",     "Nine",     "Ten",      "Eleven",
                                              "Twelve",  "Thirteen", "Fourteen", "Fifteen",  "Sixteen",  "Seventeen",
                                              "Eighteen", "Nineteen", "Twenty",  "Twenty-one", "Twenty-two", "Twenty-three"};
  return n < words.size() ? words[n] : std::to_string(n);
}

}  // namespace

TEST_CASE("docs/lessons.md counts the lessons of scenarios/ and names the numbers they have") {
  std::vector<int> numbers;
  for (const auto& entry : std::filesystem::directory_iterator(kSource / "scenarios")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".toml" || name.size() < 3 || !std::isdigit(static_cast<unsigned char>(name[0])) ||
        !std::isdigit(static_cast<unsigned char>(name[1])) || name[2] != '-') {
      continue;
    }
    const int n = std::stoi(name.substr(0, 2));
    if (std::find(numbers.begin(), numbers.end(), n) == numbers.end()) numbers.push_back(n);
  }
  std::sort(numbers.begin(), numbers.end());
  REQUIRE(numbers.size() > 2);
  // "01 to 18, then 20 and 21 (no lesson is numbered 19": the runs of numbers, and the gaps.
  std::vector<std::string> runs;
  std::vector<int> missing;
  for (std::size_t a = 0; a < numbers.size();) {
    std::size_t b = a;
    while (b + 1 < numbers.size() && numbers[b + 1] == numbers[b] + 1) ++b;
    runs.push_back(b - a >= 2 ? fmt::format("{:02} to {:02}", numbers[a], numbers[b])
                   : b == a   ? fmt::format("{:02}", numbers[a])
                              : fmt::format("{:02} and {:02}", numbers[a], numbers[b]));
    if (b + 1 < numbers.size()) {
      for (int n = numbers[b] + 1; n < numbers[b + 1]; ++n) missing.push_back(n);
    }
    a = b + 1;
  }
  std::string which = runs.front();
  for (std::size_t r = 1; r < runs.size(); ++r) which += ", then " + runs[r];
  std::string expected = fmt::format("{} lessons in `scenarios/`, numbered by topic: {}", in_words(numbers.size()), which);
  if (missing.size() == 1) expected += fmt::format(" (no lesson is numbered {}", missing.front());
  const std::string doc = read(kSource / "docs" / "lessons.md");
  std::string flat = doc.substr(0, 2000);
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  CAPTURE(expected);
  CHECK(flat.find(expected) != std::string::npos);
  CHECK(flat.find("`scenarios/default.toml` is the built-in scenario") != std::string::npos);
}

TEST_CASE("lesson 18's note and docs/lessons.md give Process.start()'s cost as the model's fork_start, in words") {
  const gilsim::scenario::Scenario s = gilsim::scenario::load_file(kSource / "scenarios" / "18-process-vs-pool.toml");
  const double ms = s.costs.fork_start.ms();
  const std::string about = fmt::format("about {:.1f} ms", ms);
  CHECK(about == "about 1.2 ms");
  std::string note;  // the note's words, one space apart
  std::istringstream words(s.note);
  for (std::string word; words >> word;) note += (note.empty() ? "" : " ") + word;
  CHECK(note.find("with fork costs the parent " + about) != std::string::npos);
  CHECK(note.find("fork_start") == std::string::npos);  // a settings name, not a word for students
  std::string doc = read(kSource / "docs" / "lessons.md");
  std::replace(doc.begin(), doc.end(), '\n', ' ');
  CHECK(doc.find("with fork costs it " + about + ", `fork_start`") != std::string::npos);
}

TEST_CASE("lesson 18's note and docs/lessons.md give what forty starts cost the parent, as the model's trace adds it up") {
  const gilsim::scenario::Scenario s = gilsim::scenario::load_file(kSource / "scenarios" / "18-process-vs-pool.toml");
  const auto run = std::find_if(s.runs.begin(), s.runs.end(), [](const auto& r) { return r.name == "one Process per job"; });
  REQUIRE(run != s.runs.end());
  const gilsim::trace::Trace t = gilsim::model::simulate(s, *run);
  std::int64_t starting_ns = 0;  // the parent's main thread, in Process.start() (P4)
  for (const gilsim::trace::Lane& lane : t.lanes) {
    if (lane.kind != gilsim::trace::LaneKind::Thread || lane.process != 0 || lane.name != "main") continue;
    lane.spans.for_each([&](const gilsim::trace::Span& span) {
      if (span.state == gilsim::trace::SpanState::Starting) starting_ns += span.duration().ns();
    });
  }
  // Forty starts, the first a little dearer (P4d): what tests/docs/lesson_figures_check.py's
  // COST_SUMS adds up from the defaults.
  const std::int64_t sum_ns = 40 * s.costs.fork_start.ns() + s.costs.fork_first_extra.ns();
  CHECK(std::llabs(starting_ns - sum_ns) < 100'000);
  const std::string figure = fmt::format("{:.1f} ms", static_cast<double>(starting_ns) / 1e6);
  CHECK(figure == "49.5 ms");
  std::string note;
  std::istringstream words(s.note);
  for (std::string word; words >> word;) note += (note.empty() ? "" : " ") + word;
  CHECK(note.find("forty starts cost the parent " + figure + ", more than half the 80.0 ms of work") != std::string::npos);
  // Not the old sentence, beside the point: the run against the work done sequentially.
  CHECK(note.find("spends the whole run starting them") == std::string::npos);
  std::string doc = read(kSource / "docs" / "lessons.md");
  std::replace(doc.begin(), doc.end(), '\n', ' ');
  CHECK(doc.find("forty starts cost the parent " + figure + ", more than half the 80.0 ms of work") != std::string::npos);
}
