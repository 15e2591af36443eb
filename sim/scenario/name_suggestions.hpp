// "Did you mean ...?": the nearest accepted name to a misspelt key or value.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gilsim::scenario {

/// Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The accepted name closest to `word`, when it is close enough to be a likely typo.
std::optional<std::string_view> closest_name(std::string_view word,
                                             std::span<const std::string_view> names);

/// "a, b, c": the accepted names, in the order given.
std::string join_names(std::span<const std::string_view> names);

/// "'a'", "'a' and 'b'", "'a', 'b' and 'c'": names quoted for a sentence.
std::string quoted_and_list(std::span<const std::string> names);

}  // namespace gilsim::scenario
