// Simulated and measured time: a strong int64 nanosecond type with literals.
// Doubles appear only when time is shown to a person (see format_time).
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

#include <fmt/format.h>

namespace gilsim {

class Time {
 public:
  constexpr Time() = default;
  constexpr explicit Time(std::int64_t ns) : ns_(ns) {}

  static constexpr Time zero() { return Time{0}; }
  static constexpr Time max() { return Time{std::numeric_limits<std::int64_t>::max()}; }
  static constexpr Time from_seconds(double s) { return Time{static_cast<std::int64_t>(s * 1e9 + (s >= 0 ? 0.5 : -0.5))}; }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr double us() const { return static_cast<double>(ns_) / 1e3; }
  constexpr double ms() const { return static_cast<double>(ns_) / 1e6; }
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }

  constexpr Time operator+(Time o) const { return Time{ns_ + o.ns_}; }
  constexpr Time operator-(Time o) const { return Time{ns_ - o.ns_}; }
  constexpr Time operator*(std::int64_t k) const { return Time{ns_ * k}; }
  constexpr Time operator/(std::int64_t k) const { return Time{ns_ / k}; }
  constexpr Time operator%(Time o) const { return Time{ns_ % o.ns_}; }
  constexpr Time operator-() const { return Time{-ns_}; }
  constexpr Time& operator+=(Time o) { ns_ += o.ns_; return *this; }
  constexpr Time& operator-=(Time o) { ns_ -= o.ns_; return *this; }
  constexpr auto operator<=>(const Time&) const = default;

 private:
  std::int64_t ns_ = 0;
};

constexpr Time operator*(std::int64_t k, Time t) { return t * k; }
constexpr Time min(Time a, Time b) { return a < b ? a : b; }
constexpr Time max(Time a, Time b) { return a < b ? b : a; }

namespace literals {
constexpr Time operator""_ns(unsigned long long v) { return Time{static_cast<std::int64_t>(v)}; }
constexpr Time operator""_us(unsigned long long v) { return Time{static_cast<std::int64_t>(v) * 1'000}; }
constexpr Time operator""_ms(unsigned long long v) { return Time{static_cast<std::int64_t>(v) * 1'000'000}; }
constexpr Time operator""_s(unsigned long long v) { return Time{static_cast<std::int64_t>(v) * 1'000'000'000}; }
}  // namespace literals

/// The one way time is shown to people: "0 s", "850 ns", "12.5 us", "5.00 ms", "1.234 s".
std::string format_time(Time t);
/// format_time with at least the digits that show `resolution` (instants that far apart read
/// apart): the playhead and the story zoomed in, "250.462 ms" where format_time says "250 ms".
/// A resolution of 0 or less is a nanosecond's.
std::string format_time_to(Time t, Time resolution);

}  // namespace gilsim

template <>
struct fmt::formatter<gilsim::Time> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(gilsim::Time t, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(gilsim::format_time(t), ctx);
  }
};
