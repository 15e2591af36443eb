// The gilsim command line: parsing (CLI11), dispatch to the subcommands, and the mapping
// of failures to exit codes.
#pragma once

#include <ostream>

namespace gilsim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   ///< anything else: a file that cannot be written, a bug
inline constexpr int kExitBadInput = 2;  ///< a bad scenario file, --set value, option or run name
inline constexpr int kExitInterrupted = 130;  ///< Ctrl-C: 128 + SIGINT, as the shell reports it

/// Runs `gilsim` with these arguments, printing to `out` and `err`; returns the exit code.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace gilsim::cli
