// Whether a --set or --vary key can name a value at all, before any value is written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gilsim::scenario {

/// What is wrong with an override's key whatever its value ("unknown key 'wrk'; expected a
/// shorthand (cores, ...) ..."), or nothing: a sweep says it once, of the key alone.
std::optional<std::string> override_key_problem(std::string_view key);

}  // namespace gilsim::scenario
