// How wide the terminal is, for tables and the text timeline.
#pragma once

namespace gilsim::cli {

inline constexpr int kDefaultTerminalWidth = 100;

/// $COLUMNS when it is a positive number, else the width of the terminal on stdout,
/// else kDefaultTerminalWidth.
int terminal_width();

/// The same rule with the inputs given: the text of $COLUMNS (or null) and the ioctl's
/// answer (0 when stdout is not a terminal).
int choose_terminal_width(const char* columns_env, int tty_columns);

}  // namespace gilsim::cli
