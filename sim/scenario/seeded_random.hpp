// The project's only source of randomness: a seeded generator with distributions written
// here, so a seed gives the same draws on every standard library. The job plan draws the
// durations with it; the model's scheduler draws its races with it.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

#include "sim/scenario/scenario.hpp"

namespace gilsim::scenario {

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in [0, 1).
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : static_cast<std::uint64_t>(unit() * static_cast<double>(n)); }
  bool chance(double p) { return unit() < p; }
  /// Number of failures before the first success, each try succeeding with probability p.
  std::uint64_t geometric(double p) {
    if (p >= 1.0) return 0;
    if (p <= 0.0) return UINT64_MAX / 4;
    // A p near 0 can draw more than a uint64 holds: as many as p = 0 gives, then.
    const double failures = std::floor(std::log1p(-unit()) / std::log1p(-p));
    return failures < static_cast<double>(UINT64_MAX / 4) ? static_cast<std::uint64_t>(failures) : UINT64_MAX / 4;
  }

  Time draw(const Duration& d) {
    using Kind = Duration::Kind;
    switch (d.kind) {
      case Kind::Fixed: return d.a;
      case Kind::Uniform: return d.a + Time{static_cast<std::int64_t>(unit() * static_cast<double>((d.b - d.a).ns()))};
      case Kind::Exponential: return Time{static_cast<std::int64_t>(-std::log1p(-unit()) * static_cast<double>(d.a.ns()))};
      case Kind::Normal: {
        const double u1 = 1.0 - unit();
        const double u2 = unit();
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
        const double v = static_cast<double>(d.a.ns()) + z * static_cast<double>(d.b.ns());
        return Time{v > 0 ? static_cast<std::int64_t>(v) : 0};
      }
    }
    return d.a;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace gilsim::scenario
