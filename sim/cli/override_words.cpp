#include "sim/cli/override_words.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/override_reach.hpp"

namespace gilsim::cli {

std::string shell_word(const std::string& text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("_.,:=/+-@%").find(c) != std::string_view::npos;
  });
  if (plain) return text;
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::vector<std::string> override_sentences(const scenario::Scenario& s, const std::vector<std::string>& overrides) {
  std::vector<std::string> in_force, missed;
  bool some_reach = false;
  for (const std::string& text : overrides) {
    const auto why = scenario::runs_an_override_misses(s, scenario::parse_override(text));
    // runs_an_override_misses's words for a value every run keeps its own of.
    const bool reaches_none = why && why->find(" changes no run:") != std::string::npos;
    if (!reaches_none) {
      in_force.push_back("--set " + shell_word(text));
      some_reach = true;
    }
    if (why) missed.push_back(*why);
  }
  std::vector<std::string> out;
  if (some_reach) {
    out.push_back(fmt::format("(with {}{})", fmt::join(in_force, " "),
                              s.note.empty() ? "" : "; the note below was written for the file as it is"));
  }
  // A run without the GIL pays the free-threaded build's cost on its Python (F2): lesson 1's
  // sequential run with gil=none took 1.080 s for the file's 1.000 s, and nothing said why.
  const bool takes_the_gil = std::any_of(overrides.begin(), overrides.end(), [](const std::string& text) {
    const scenario::Override o = scenario::parse_override(text);
    return (o.key == "gil" || o.key.ends_with(".gil")) && (o.value == "none" || o.value == "\"none\"");
  });
  if (some_reach && takes_the_gil && s.python.free_threading_overhead > 0) {
    out.push_back(fmt::format("(without the GIL, Python code costs {:.0f}% more, in every run, the sequential one too: "
                              "the free-threaded build's own cost, python.free_threading_overhead, docs/model.md F2)",
                              100 * s.python.free_threading_overhead));
  }
  out.insert(out.end(), missed.begin(), missed.end());
  if (!overrides.empty() && !some_reach) out.emplace_back("Every run below is the file's, unchanged.");
  return out;
}

}  // namespace gilsim::cli
