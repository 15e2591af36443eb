// Writing an output file so that a failed write never leaves a half file behind:
// write a temporary file next to it, then rename it over the target.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>

namespace gilsim::trace {

/// Calls `write` with a stream to a temporary file in the same directory as `path`, then
/// renames it to `path`. Throws std::runtime_error ("cannot write 'out.json': ...") and
/// removes the temporary file when anything fails, including `write` throwing.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

}  // namespace gilsim::trace
