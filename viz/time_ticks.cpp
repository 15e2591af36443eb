// Nice tick steps and their labels.
#include "viz/time_ticks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "sim/trace/outcomes.hpp"

namespace gilsim::viz {

Time nice_step(double ns_per_px, double min_px) {
  const double wanted = std::max(1.0, ns_per_px * min_px);
  std::int64_t power = 1;
  while (true) {
    for (std::int64_t m : {1, 2, 5}) {
      if (static_cast<double>(m * power) >= wanted) return Time{m * power};
    }
    if (power > INT64_MAX / 100) return Time{power * 10};
    power *= 10;
  }
}

std::string tick_label(Time t) {
  if (t == Time::zero()) return "0 s";
  struct Unit {
    std::int64_t ns;
    int digits;  ///< decimals that reach one ns
    const char* name;
  };
  constexpr Unit kUnits[] = {{1'000'000'000, 9, "s"}, {1'000'000, 6, "ms"}, {1'000, 3, "us"}, {1, 0, "ns"}};
  const std::int64_t ns = t.ns();
  const std::int64_t mag = ns < 0 ? -ns : ns;
  for (const Unit& u : kUnits) {
    if (mag < u.ns && u.ns > 1) continue;
    // Thousands grouped as the command line writes them: "1,000 s", not "1000 s" (lesson 3).
    std::string text = fmt::format("{}{}", ns < 0 ? "-" : "", trace::group_digits(mag / u.ns));
    if (mag % u.ns != 0) {
      std::string fraction = fmt::format("{:0{}}", mag % u.ns, u.digits);
      fraction.erase(fraction.find_last_not_of('0') + 1);
      text += "." + fraction;
    }
    return text + " " + u.name;
  }
  return {};
}

std::vector<Tick> time_ticks(const TimeView& view, double min_px) {
  std::vector<Tick> ticks;
  const Time step = nice_step(view.ns_per_px(), min_px);
  // Minor ticks: a step of 5 splits into 5, the others into 2 (1 -> 0.5, 2 -> 1).
  std::int64_t lead = step.ns();
  while (lead % 10 == 0) lead /= 10;
  const std::int64_t minor_per_step = lead == 5 ? 5 : 2;
  const Time minor{step.ns() / minor_per_step > 0 ? step.ns() / minor_per_step : step.ns()};
  const std::int64_t first = static_cast<std::int64_t>(std::floor(view.start_ns() / static_cast<double>(minor.ns())));
  const Time last = view.end();
  for (std::int64_t k = first;; ++k) {
    const Time at{k * minor.ns()};
    if (at > last) break;
    Tick tick{at, view.x_of(at), at.ns() % step.ns() == 0, {}, {}};
    if (tick.labelled) tick.label = tick_label(at);
    ticks.push_back(std::move(tick));
  }
  return ticks;
}

void place_labels(std::vector<Tick>& ticks, double width, double gap,
                  const std::function<double(const std::string&)>& text_width) {
  double free_from = -1e300;
  for (Tick& t : ticks) {
    t.label_left.reset();
    if (!t.labelled || t.x < -1 || t.x > width + 1) continue;
    const double w = text_width(t.label);
    const double left = std::min(t.x + gap, width - w);
    if (left < 0 || left < free_from) continue;
    t.label_left = left;
    free_from = left + w + gap;
  }
}

}  // namespace gilsim::viz
