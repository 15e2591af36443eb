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

std::optional<std::string> gil_taken_cost(const scenario::Scenario& s, const scenario::Scenario& written) {
  const double overhead = s.python.free_threading_overhead;
  std::vector<const scenario::Run*> runs;
  for (std::size_t i = 0; i < s.runs.size() && i < written.runs.size(); ++i) {
    if (scenario::effective_gil(s, s.runs[i]) == scenario::GilMode::None &&
        scenario::effective_gil(written, written.runs[i]) != scenario::GilMode::None) {
      runs.push_back(&s.runs[i]);
    }
  }
  if (runs.empty() || overhead <= 0) return std::nullopt;
  std::string where;
  if (runs.size() == s.runs.size()) {
    const bool sequential = std::any_of(runs.begin(), runs.end(), [](const scenario::Run* r) {
      return r->executor == scenario::Executor::Sequential;
    });
    where = sequential ? ", in every run, the sequential one too" : ", in every run";
  } else {
    std::vector<std::string> names;
    for (const scenario::Run* r : runs) names.push_back(fmt::format("'{}'", r->name));
    where = fmt::format(" in {}", fmt::join(names, ", "));
  }
  return fmt::format("(without the GIL, Python code costs {:.0f}% more{}: the free-threaded build's own cost, "
                     "python.free_threading_overhead, docs/model.md F2)",
                     100 * overhead, where);
}

std::vector<std::string> override_sentences(const scenario::Scenario& s, const std::vector<std::string>& overrides,
                                            const scenario::Scenario* written) {
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
  if (written != nullptr) {
    if (const auto cost = gil_taken_cost(s, *written)) out.push_back(*cost);
  }
  out.insert(out.end(), missed.begin(), missed.end());
  if (!overrides.empty() && !some_reach) out.emplace_back("Every run below is the file's, unchanged.");
  return out;
}

}  // namespace gilsim::cli
