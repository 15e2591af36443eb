// The --vary grammar: lists, ranges with a step, log ranges, keys that move together, and a
// clear refusal for every bad list.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario/loader.hpp"
#include "sim/sweep/sweep_values.hpp"

using namespace gilsim;
using Texts = std::vector<std::string>;

namespace {

std::string refusal(const char* values) {
  try {
    sweep::parse_values(values);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("a list gives its values as written, placed on a chart when they are all numbers") {
  const auto numbers = sweep::parse_values("1, 2,4,8");
  CHECK(numbers.texts == Texts{"1", "2", "4", "8"});
  CHECK(numbers.positions == std::vector<double>{1, 2, 4, 8});
  CHECK_FALSE(numbers.log_scale);
  const auto words = sweep::parse_values("new,old,none");
  CHECK(words.texts == Texts{"new", "old", "none"});
  CHECK(words.positions.empty());
  SUBCASE("a quoted value is taken whole, '..' and commas included") {
    const auto quoted = sweep::parse_values("\"10ms..20ms\",'exp(5ms)'");
    CHECK(quoted.texts == Texts{"\"10ms..20ms\"", "'exp(5ms)'"});
    CHECK(quoted.positions.empty());
  }
  SUBCASE("durations sit at their nanoseconds") {
    const auto durations = sweep::parse_values("1ms,500us");
    CHECK(durations.positions == std::vector<double>{1e6, 5e5});
    CHECK(durations.durations);
  }
}

TEST_CASE("a range counts by one, by its step, and down when its first bound is the larger") {
  CHECK(sweep::parse_values("1..4").texts == Texts{"1", "2", "3", "4"});
  CHECK(sweep::parse_values("1..16:5").texts == Texts{"1", "6", "11", "16"});
  CHECK(sweep::parse_values("1..10:4").texts == Texts{"1", "5", "9"});
  CHECK(sweep::parse_values("4..1").texts == Texts{"4", "3", "2", "1"});
  CHECK(sweep::parse_values("0ms..90ms:30ms").texts == Texts{"0ms", "30ms", "60ms", "90ms"});
  CHECK(sweep::parse_values("100ms..10ms:45ms").texts == Texts{"100ms", "55ms", "10ms"});
  CHECK(sweep::parse_values("1ms..2ms:250us").texts == Texts{"1ms", "1250us", "1500us", "1750us", "2ms"});
  CHECK(sweep::parse_values("0.1..0.5:0.2").texts == Texts{"0.1", "0.3", "0.5"});
  CHECK(sweep::parse_values("3..3").texts == Texts{"3"});
  CHECK(sweep::parse_values("1..3,8").texts == Texts{"1", "2", "3", "8"});
  // Whole numbers near 2^63, as seeds may be: a double made the two one value, 2^63, printed
  // as -9223372036854775808.
  CHECK(sweep::parse_values("9223372036854775806..9223372036854775807").texts ==
        Texts{"9223372036854775806", "9223372036854775807"});
  CHECK(sweep::parse_values("9223372036854775807..9223372036854775805:2").texts ==
        Texts{"9223372036854775807", "9223372036854775805"});
}

TEST_CASE("a log range multiplies by its factor and asks for a log axis") {
  const auto times = sweep::parse_values("1ms..64ms*2");
  CHECK(times.texts == Texts{"1ms", "2ms", "4ms", "8ms", "16ms", "32ms", "64ms"});
  CHECK(times.log_scale);
  CHECK(sweep::parse_values("1..16*2").texts == Texts{"1", "2", "4", "8", "16"});
  CHECK(sweep::parse_values("16..1*2").texts == Texts{"16", "8", "4", "2", "1"});
  // Whole numbers are rounded, and a value met twice is kept once: 1, 1.5, 2.25, 3.4, 5.1, 7.6.
  CHECK(sweep::parse_values("1..10*1.5").texts == Texts{"1", "2", "3", "5", "8"});
  CHECK(sweep::parse_values("1..20*3").texts == Texts{"1", "3", "9"});
}

TEST_CASE("a log range's limit counts its values once rounding has removed repeats") {
  // 27,728 steps of 1.0001 from 1 to 16 round to sixteen whole numbers: not over the limit.
  Texts sixteen;
  for (int i = 1; i <= 16; ++i) sixteen.push_back(std::to_string(i));
  CHECK(sweep::parse_values("1..16*1.0001").texts == sixteen);
  Texts down(sixteen.rbegin(), sixteen.rend());
  CHECK(sweep::parse_values("16..1*1.0001").texts == down);
  CHECK(sweep::parse_values("1ns..8ns*1.00001").texts ==
        Texts{"1ns", "2ns", "3ns", "4ns", "5ns", "6ns", "7ns", "8ns"});
  // The same values as the plain steps give where no step repeats a value.
  CHECK(sweep::parse_values("1..100*1.5").texts == Texts{"1", "2", "3", "5", "8", "11", "17", "26", "38", "58", "86"});
  // Absurd ranges are refused when they pass the limit, not after billions of steps.
  CHECK(refusal("1..9223372036854775807*1.0000001") ==
        "'1..9223372036854775807*1.0000001' gives more than 10000 values, each rounded to a whole number; the "
        "limit is 10000 values per key");
  CHECK(refusal("1ns..100s*1.000000001") ==
        "'1ns..100s*1.000000001' gives more than 10000 values, each rounded to a whole nanosecond; the limit is "
        "10000 values per key");
}

TEST_CASE("keys joined with ';' move together along one axis") {
  const auto axis = sweep::parse_axis("job.1.steps.2.io=0ms..20ms:10ms; job.1.steps.1.cpu=100ms..80ms:10ms");
  CHECK(axis.keys == Texts{"job.1.steps.2.io", "job.1.steps.1.cpu"});
  CHECK(axis.values[0] == Texts{"0ms", "10ms", "20ms"});
  CHECK(axis.values[1] == Texts{"100ms", "90ms", "80ms"});
  CHECK(axis.label() == "job.1.steps.2.io (with job.1.steps.1.cpu)");
  CHECK(axis.positions == std::vector<double>{0, 1e7, 2e7});
}

TEST_CASE("every bad list is refused with what is wrong and what was expected") {
  CHECK(refusal("") == "there are no values after '='; expected a list such as 1,2,4,8 or a range such as 1..16");
  CHECK(refusal("1,,2") == "value 2 of '1,,2' is empty; expected values separated by single commas");
  CHECK(refusal("1,2,") == "value 3 of '1,2,' is empty; expected values separated by single commas");
  // Whole digits past 2^63 - 1 read as a decimal, and the range "had no step".
  CHECK(refusal("9223372036854775807..9223372036854775808") ==
        "the end '9223372036854775808' of '9223372036854775807..9223372036854775808' is past the largest whole "
        "number, 9223372036854775807; expected a smaller one");
  SUBCASE("a step of zero") {
    CHECK(refusal("1..16:0") == "the step of '1..16:0' is zero; expected a step above zero, such as 1..16:2");
    CHECK(refusal("1ms..9ms:0ms") ==
          "the step of '1ms..9ms:0ms' is zero; expected a step above zero, such as 0ms..90ms:10ms");
  }
  SUBCASE("a range that never ends") {
    CHECK(refusal("1..16*1") == "'1..16*1' multiplies by 1 and never reaches 16; expected a factor above 1, such as *2");
    CHECK(refusal("1..16*0.5") ==
          "'1..16*0.5' multiplies by 0.5 and never reaches 16; expected a factor above 1, such as *2");
    CHECK(refusal("0..16*2") == "'0..16*2' has a bound of zero or less, which no factor reaches; expected bounds "
                                "above 0 in a log range, such as 1..16*2");
    CHECK(refusal("1..16:-1") == "'1..16:-1' steps away from its end and never ends; expected a step above zero (a "
                                 "range counts down by itself when its first bound is the larger)");
    CHECK(refusal("1..") == "'1..' has no end; expected a range such as 1..16 or 1ms..64ms*2");
    CHECK(refusal("..4") == "'..4' has no start; expected a range such as 1..16 or 1ms..64ms*2");
  }
  SUBCASE("a range too long to run") {
    CHECK(refusal("1..20000") == "'1..20000' gives 20000 values; the limit is 10000 values per key");
    CHECK(refusal("1ns..1s:1ns") == "'1ns..1s:1ns' gives 1000000000 values; the limit is 10000 values per key");
  }
  SUBCASE("bounds and steps of the wrong kind") {
    CHECK(refusal("1ms..16") == "'1ms..16' mixes a duration and a number; expected a unit on both bounds or on neither");
    CHECK(refusal("1ms..8ms") ==
          "'1ms..8ms' has no step; expected a step such as 1ms..8ms:1ms or a factor such as 1ms..8ms*2");
    // From a start of zero, the suggested step was the start (refused next as a step of zero)
    // and the factor one that never leaves zero (fuzz16).
    CHECK(refusal("0ms..90ms") == "'0ms..90ms' has no step; expected a step such as 0ms..90ms:9ms");
    CHECK(refusal("-1.5..1.5") == "'-1.5..1.5' has no step; expected a step such as -1.5..1.5:0.3");
    CHECK(refusal("0ms..0ms") == "'0ms..0ms' has no step; expected a step such as 0ms..0ms:1ms");
    CHECK(refusal("1..8:1ms") == "the step '1ms' of '1..8:1ms' is not a number; expected a range such as 1..16:2");
    CHECK(refusal("1..8:0.5") ==
          "the step '0.5' of '1..8:0.5' is not a whole number; expected whole steps between whole bounds");
    CHECK(refusal("a..b") ==
          "the start 'a' of 'a..b' is not a number or a duration; expected a range such as 1..16 or 1ms..64ms*2");
    CHECK(refusal("1ms..8ms*2ms") ==
          "the factor '2ms' of '1ms..8ms*2ms' is not a plain number; expected a factor such as 1ms..64ms*2");
  }
}

TEST_CASE("an axis names its option in every error, as --set does") {
  const auto message = [](const char* text) {
    try {
      sweep::parse_axis(text);
    } catch (const scenario::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK(message("workers=1..16:0") ==
        "--vary workers=1..16:0: the step of '1..16:0' is zero; expected a step above zero, such as 1..16:2");
  CHECK(message("workers") == "--vary workers: 'workers' has no '='; expected KEY=VALUES, such as workers=1..16");
  CHECK(message("=1,2") == "--vary =1,2: '=1,2' has no key before '='; expected KEY=VALUES, such as workers=1..16");
  // An empty part beside a ';' is said as that, not as "'' has no '='".
  CHECK(message("workers=1..3;") == "--vary workers=1..3;: an empty part after the last ';'; expected KEY=VALUES on "
                                    "each side of ';', such as \"workers=1..4; cores=1..4\", or no ';'");
  CHECK(message(";workers=1..3").find(": an empty part before ';'; ") != std::string::npos);
  CHECK(message("cores=1,2;;workers=1,2").find(": an empty part between two ';'; ") != std::string::npos);
  CHECK(message("cores=1,2; workers=1..3") ==
        "--vary cores=1,2; workers=1..3: 'workers' moves with 'cores' and needs as many values (2); it has 3");
}

TEST_CASE("a duration value reads back exactly in the largest whole unit") {
  CHECK(sweep::duration_text(0) == "0ms");
  CHECK(sweep::duration_text(1'500'000) == "1500us");
  CHECK(sweep::duration_text(2'000'000'000) == "2s");
  CHECK(sweep::duration_text(1'001) == "1001ns");
}
