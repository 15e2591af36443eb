// Writing output files the way command-line tools do: "-" is standard output; a symlink is
// written through to its target; a FIFO or a device (/dev/stdout, /dev/full) is written
// directly; a regular file (or a new one) is written to a temporary file beside it and
// renamed over it, so a failed write never leaves a half file behind. A replaced file keeps
// its permissions; one this user may not write is refused (as `cp` and `>` do: root may).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace gilsim::trace {

struct OutputRequest {
  std::filesystem::path path;  ///< "-" for standard output
  std::function<void(std::ostream&)> write;
};

/// Writes every output, all or nothing for the regular files: each is written to its
/// temporary first, and they are renamed only when every output has been written. Throws
/// std::runtime_error ("cannot write 'out.json': ...") on the first failure, after removing
/// every temporary. SIGINT, SIGTERM or SIGHUP while writing removes the temporaries too.
void write_outputs(const std::vector<OutputRequest>& outputs, std::ostream& standard_output);

/// Fails (std::runtime_error) when `path` cannot be written: its directory does not exist, it
/// is a directory, or this user may not write it or its folder. Checked before the work that
/// makes an output, so that the work is not lost at the end. Empty or "-": no file, no check.
void check_output_path(const std::filesystem::path& path);

/// When writing `output` would replace `input`, a file the command reads (the same file by
/// another path, a symlink or a hard link): the refusal to print, naming `option`; else none.
std::optional<std::string> output_replaces_input(std::string_view option, const std::filesystem::path& output,
                                                 const std::filesystem::path& input);

/// write_outputs() with one regular file (or special file) and no standard output.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

}  // namespace gilsim::trace
