// Lets doctest print Time values in failed checks.
#pragma once

#include <doctest/doctest.h>

#include "sim/trace/time.hpp"

namespace doctest {
template <>
struct StringMaker<gilsim::Time> {
  static String convert(gilsim::Time t) {
    return fmt::format("{} ({} ns)", gilsim::format_time(t), t.ns()).c_str();
  }
};
}  // namespace doctest
