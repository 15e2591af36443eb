#include "sim/cli/override_words.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/name_suggestions.hpp"
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

namespace {

/// The runs of `s` whose GIL is none (`none`) or some GIL (!`none`) where the file as `written`
/// gives them the other.
std::vector<const scenario::Run*> gil_changed(const scenario::Scenario& s, const scenario::Scenario& written, bool none) {
  std::vector<const scenario::Run*> runs;
  for (std::size_t i = 0; i < s.runs.size() && i < written.runs.size(); ++i) {
    const bool now_none = scenario::effective_gil(s, s.runs[i]) == scenario::GilMode::None;
    const bool was_none = scenario::effective_gil(written, written.runs[i]) == scenario::GilMode::None;
    if (now_none == none && was_none != none) runs.push_back(&s.runs[i]);
  }
  return runs;
}

/// 'a' and 'b', quoted, as a sentence names runs.
std::string run_names(const std::vector<const scenario::Run*>& runs) {
  std::vector<std::string> names;
  for (const scenario::Run* r : runs) names.push_back(r->name);
  return scenario::quoted_and_list(names);
}

}  // namespace

std::vector<std::string> gil_change_costs(const scenario::Scenario& s, const scenario::Scenario& written) {
  std::vector<std::string> out;
  const double overhead = s.python.free_threading_overhead;
  if (overhead <= 0) return out;
  const auto taken = gil_changed(s, written, true);
  if (!taken.empty()) {
    std::string where;
    if (taken.size() == s.runs.size()) {
      const bool sequential = std::any_of(taken.begin(), taken.end(), [](const scenario::Run* r) {
        return r->executor == scenario::Executor::Sequential;
      });
      where = sequential ? ", in every run, the sequential one too" : ", in every run";
    } else {
      where = " in " + run_names(taken);
    }
    out.push_back(fmt::format("(without the GIL, Python code costs {:.0f}% more{}: the free-threaded build's own cost, "
                              "python.free_threading_overhead, docs/model.md F2)",
                              100 * overhead, where));
  }
  // Given back: a run with a GIL stands for the default build (F2). Said where the version in
  // force is a free-threaded build (lesson 12's note says 3.13t with PYTHON_GIL=1 keeps its
  // pace); with the version set to a default build, that is what was asked.
  const auto given = gil_changed(s, written, false);
  if (!given.empty() && s.python.version.free_threaded) {
    const std::string who = given.size() == s.runs.size() ? "every run runs"
                            : given.size() == 1           ? run_names(given) + " runs"
                                                          : run_names(given) + " run";
    out.push_back(fmt::format("(with the GIL, {} as the default build does, without the free-threaded build's {:.0f}% "
                              "(python.free_threading_overhead): the model has no {} with its GIL back, which keeps "
                              "that slower pace, docs/model.md F2)",
                              who, 100 * overhead, scenario::to_string(s.python.version)));
  }
  return out;
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
    for (std::string& cost : gil_change_costs(s, *written)) out.push_back(std::move(cost));
  }
  out.insert(out.end(), missed.begin(), missed.end());
  if (!overrides.empty() && !some_reach) out.emplace_back("Every run below is the file's, unchanged.");
  return out;
}

}  // namespace gilsim::cli
