// A fold's colour against the truth: on the bundled lessons' runs, zoomed out to every scale a
// class uses, each folded item shows the state (or the holder) that takes most of its spans'
// time, read span by span, wherever that one clearly leads. Sampling may pick either of two
// states close in time, never one far behind.
#include <doctest/doctest.h>

#include <array>
#include <map>
#include <string>

#include <fmt/format.h>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/viz/lesson_path.hpp"
#include "viz/level_of_detail.hpp"

using namespace gilsim;
using namespace gilsim::viz;

namespace {

/// The time of each state and of each subject over spans [first, first + count), read whole.
struct Exact {
  std::array<std::int64_t, trace::kSpanStateCount> by_state{};
  std::map<std::uint32_t, std::int64_t> by_subject;
};

Exact exact_tally(const trace::SpanStore& spans, std::size_t first, std::size_t count) {
  Exact out;
  for (std::size_t k = first; k < first + count; ++k) {
    const trace::Span s = spans[k];
    out.by_state[static_cast<std::size_t>(s.state)] += s.duration().ns();
    out.by_subject[s.subject] += s.duration().ns();
  }
  return out;
}

/// The leader of `times` when it has at least `lead` times the time of the runner-up, else none.
template <class Times>
std::optional<typename Times::key_type> clear_leader(const Times& times, double lead) {
  std::optional<typename Times::key_type> best;
  std::int64_t first = 0, second = 0;
  for (const auto& [key, time] : times) {
    if (time > first) {
      second = first;
      first = time;
      best = key;
    } else if (time > second) {
      second = time;
    }
  }
  if (!best || static_cast<double>(first) < lead * static_cast<double>(second)) return std::nullopt;
  return best;
}

}  // namespace

TEST_CASE("zoomed out on the lessons, a fold shows the state and the holder that clearly take most of its time") {
  constexpr double kLead = 1.5;  // a leader with 1.5 times the runner-up's time is always shown
  std::size_t folds_checked = 0;
  for (const char* name : {"01-cpu-bound.toml", "07-convoy.toml", "11-old-gil.toml", "14-two-locks.toml",
                           "15-lost-update.toml", "17-big-results.toml"}) {
    const scenario::Scenario s = scenario::load_file(testing::lesson(name));
    for (const scenario::Run& run : s.runs) {
      const trace::Trace t = model::simulate(s, run);
      std::vector<std::vector<std::int64_t>> prefixes;  // as the viewer's index keeps them
      for (const trace::Lane& lane : t.lanes) prefixes.push_back(covered_time_prefix(lane.spans));
      const Time end = t.end;
      for (const double share : {1.0, 0.1, 0.01}) {
        for (const double at : {0.0, 0.37, 0.71}) {
          TimeView view;
          view.set_width(1000);
          const Time span{std::max<std::int64_t>(1000, static_cast<std::int64_t>(static_cast<double>(end.ns()) * share))};
          view.fit(Time{static_cast<std::int64_t>(static_cast<double>(end.ns()) * at * (1 - share))},
                   Time{static_cast<std::int64_t>(static_cast<double>(end.ns()) * at * (1 - share))} + span);
          for (std::size_t l = 0; l < t.lanes.size(); ++l) {
            const trace::Lane& lane = t.lanes[l];
            std::vector<DrawItem> items;
            build_draw_items(lane.spans, view, items, {}, prefixes[l]);
            for (const DrawItem& item : items) {
              if (!item.folded()) continue;
              ++folds_checked;
              const Exact exact = exact_tally(lane.spans, item.first_span, item.span_count);
              std::map<int, std::int64_t> states;
              for (int k = 0; k < trace::kSpanStateCount; ++k) {
                if (exact.by_state[static_cast<std::size_t>(k)] > 0) states[k] = exact.by_state[static_cast<std::size_t>(k)];
              }
              std::string shares;
              for (const auto& [k, time] : states) shares += fmt::format(" state {}: {} ns", k, time);
              INFO(fmt::format("{} / {} / lane {}: {} spans from {}, zoom {}, at {}; drawn state {};{}", name, run.name,
                               lane.name, item.span_count, item.first_span, share, at, static_cast<int>(item.state), shares));
              if (const auto state = clear_leader(states, kLead)) CHECK(static_cast<int>(item.state) == *state);
              if (const auto subject = clear_leader(exact.by_subject, kLead)) CHECK(item.subject == *subject);
            }
          }
        }
      }
    }
  }
  CHECK(folds_checked > 10000);
}

TEST_CASE("a fold's sampling is what docs/viewer.md says") {
  // "A block of more than 24 spans is sampled by time (24 instants ... and 48 more when the
  // first look leaves the leader less than twice the runner-up's ... and a block still that
  // close after both looks is read span by span (up to 4,096 spans)".
  const LodOptions options;
  CHECK(options.exact_limit == 24);
  CHECK(options.time_samples == 24);
  CHECK(options.doubt_samples == 48);
  CHECK(options.exact_doubt_limit == 4096);
  CHECK(options.clear_lead == 2.0);
}
