// Whether a --set or --vary key can name a value at all, before any value is written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gilsim::scenario {

/// What is wrong with an override's key whatever its value ("unknown key 'wrk'; expected a
/// shorthand (cores, ...) ..."), or nothing: a sweep says it once, of the key alone.
std::optional<std::string> override_key_problem(std::string_view key);

/// The dotted path a key writes: "cores" is machine.cores, "switch_interval" and "gil" are
/// in [python]; any other key is its own path (workers, jobs and seed are written apart).
std::string override_path(std::string_view key);

}  // namespace gilsim::scenario
