// Terminal width from $COLUMNS or the TIOCGWINSZ ioctl.
#include "sim/cli/terminal_width.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace gilsim::cli {

int choose_terminal_width(const char* columns_env, int tty_columns) {
  if (columns_env != nullptr) {
    int value = 0;
    const char* end = columns_env + std::strlen(columns_env);
    const auto [ptr, error] = std::from_chars(columns_env, end, value);
    if (error == std::errc{} && ptr == end && value > 0) return value;
  }
  if (tty_columns > 0) return tty_columns;
  return kDefaultTerminalWidth;
}

int terminal_width() {
  winsize size{};
  const int tty_columns = ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
  return choose_terminal_width(std::getenv("COLUMNS"), tty_columns);
}

}  // namespace gilsim::cli
