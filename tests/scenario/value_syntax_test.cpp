// The text forms inside scenario strings: durations, Python versions, and the
// nearest-name rule behind "did you mean".
#include <doctest/doctest.h>

#include <array>

#include "sim/scenario/name_suggestions.hpp"
#include "sim/scenario/value_syntax.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::scenario;

TEST_CASE("a time is a whole or decimal number and a unit, converted exactly") {
  CHECK(parse_time("100ms").value == 100_ms);
  CHECK(parse_time("250us").value == 250_us);
  CHECK(parse_time("7ns").value == 7_ns);
  CHECK(parse_time("2s").value == 2_s);
  CHECK(parse_time("1.5s").value == 1500_ms);
  CHECK(parse_time("0.25ms").value == 250_us);
  CHECK(parse_time(".5us").value == 500_ns);
  CHECK(parse_time("1.000000001s").value == Time{1'000'000'001});
  CHECK(parse_time("1.50000000000s").value == 1500_ms);  // trailing zeros are not precision
  CHECK(parse_time(" 3 ms ").value == 3_ms);
  CHECK(parse_time("5\xC2\xB5s").value == 5_us);
  CHECK(parse_time("0ms").value == 0_ns);
  CHECK(parse_time("3600s").value == kMaxDuration);
}

TEST_CASE("a time without a unit, with a wrong unit, negative, too fine or too long is refused") {
  CHECK(parse_time("100").error == "'100' has no unit; expected a duration such as \"100ms\" (units: ns, us, ms, s)");
  CHECK(parse_time("5sec").error == "unknown unit 'sec' in '5sec'; expected one of ns, us, ms, s");
  CHECK(parse_time("1e12s").error.starts_with("'1e12s' has an exponent; expected plain digits and a unit such as "));
  CHECK(parse_time("2.5E-3s").error.starts_with("'2.5E-3s' has an exponent; "));
  CHECK(parse_time("-1ms").error == "'-1ms' is negative; expected a duration of zero or more");
  CHECK(parse_time("1.5ns").error == "'1.5ns' is finer than one nanosecond; expected a whole number of nanoseconds");
  CHECK(parse_time("0.0000000001s").error == "'0.0000000001s' is finer than one nanosecond; expected a whole number of nanoseconds");
  CHECK(parse_time("3601s").error == "'3601s' is longer than the limit of one hour; expected at most \"3600s\"");
  CHECK(parse_time("99999999999999999999999s").error.find("longer than the limit") != std::string::npos);
  CHECK(parse_time("ms").error.find("is not a duration") != std::string::npos);
  CHECK(parse_time("").error.find("empty duration") != std::string::npos);
}

TEST_CASE("a duration is fixed, a uniform range, exponential or normal") {
  SUBCASE("fixed") {
    const Duration d = parse_duration("100ms").value;
    CHECK(d.kind == Duration::Kind::Fixed);
    CHECK(d.a == 100_ms);
    CHECK(d.mean() == 100_ms);
  }
  SUBCASE("uniform") {
    const Duration d = parse_duration("10ms..20ms").value;
    CHECK(d.kind == Duration::Kind::Uniform);
    CHECK(d.a == 10_ms);
    CHECK(d.b == 20_ms);
    CHECK(d.mean() == 15_ms);
    CHECK(parse_duration("1ms .. 1.5ms").value.b == 1500_us);
    CHECK(parse_duration("5ms..5ms").ok());
  }
  SUBCASE("exponential") {
    const Duration d = parse_duration("exp(10ms)").value;
    CHECK(d.kind == Duration::Kind::Exponential);
    CHECK(d.a == 10_ms);
    CHECK(d.mean() == 10_ms);
  }
  SUBCASE("normal") {
    const Duration d = parse_duration("normal(10ms, 2ms)").value;
    CHECK(d.kind == Duration::Kind::Normal);
    CHECK(d.a == 10_ms);
    CHECK(d.b == 2_ms);
    CHECK(parse_duration("normal(1s,0ns)").value.b == 0_ns);
  }
  SUBCASE("every form round-trips through to_string") {
    for (const char* text : {"100ms", "10ms..20ms", "exp(10ms)", "normal(10ms, 2ms)", "1500us", "7ns"}) {
      CAPTURE(text);
      CHECK(to_string(parse_duration(text).value) == text);
    }
  }
}

TEST_CASE("malformed durations say which form was expected") {
  CHECK(parse_duration("20ms..10ms").error == "the range '20ms..10ms' runs backwards; expected the smaller bound first");
  CHECK(parse_duration("normal(10ms)").error ==
        "'normal(10ms)' has one argument; expected normal(mean, standard deviation) such as \"normal(10ms, 2ms)\"");
  CHECK(parse_duration("poisson(3ms)").error ==
        "'poisson(3ms)' is not a duration; expected \"10ms\", \"10ms..20ms\", \"exp(10ms)\" or \"normal(10ms, 2ms)\"");
  CHECK(parse_duration("exp(5)").error ==
        "in 'exp(5)': '5' has no unit; expected a duration such as \"5ms\" (units: ns, us, ms, s)");
  CHECK(parse_duration("1ms..").error.find("in '1ms..'") == 0);
  CHECK(parse_duration("normal(10ms, -1ms)").error == "in 'normal(10ms, -1ms)': '-1ms' is negative; expected a duration of zero or more");
}

TEST_CASE("Python versions: major.minor, a 't' for free-threaded builds from 3.13") {
  CHECK(parse_python_version("3.12").value == PythonVersion{3, 12, false});
  CHECK(parse_python_version("3.13t").value == PythonVersion{3, 13, true});
  CHECK(parse_python_version("2.7").value == PythonVersion{2, 7, false});
  CHECK(parse_python_version("3.1").value == PythonVersion{3, 1, false});
  CHECK(parse_python_version("3.10").value == PythonVersion{3, 10, false});
  CHECK(parse_python_version("3.12.4").value == PythonVersion{3, 12, false});
  CHECK(parse_python_version("3.12t").error == "'3.12t': free-threaded builds exist from 3.13; expected \"3.13t\" or later");
  CHECK(parse_python_version("4.0").error == "Python 4.0 is not modelled; expected a 2.x or 3.x version");
  for (const char* bad : {"3", "three", "3.", "3.x", "3.12.1.1", "", "t"}) {
    CAPTURE(bad);
    CHECK(parse_python_version(bad).error.find("is not a Python version") != std::string::npos);
  }
}

TEST_CASE("edit distance counts inserts, deletes, substitutions and swaps, ignoring case") {
  CHECK(edit_distance("cores", "cores") == 0);
  CHECK(edit_distance("cors", "cores") == 1);
  CHECK(edit_distance("coers", "cores") == 1);  // a swap is one edit
  CHECK(edit_distance("Cores", "cores") == 0);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("a suggestion is offered only for a likely typo") {
  constexpr std::array<std::string_view, 3> names{"cores", "quantum", "context_switch"};
  CHECK(closest_name("cors", names) == "cores");
  CHECK(closest_name("quantun", names) == "quantum");
  CHECK(closest_name("contextswitch", names) == "context_switch");
  CHECK(!closest_name("memory", names));
  CHECK(!closest_name("x", names));
  CHECK(join_names(names) == "cores, quantum, context_switch");
}
