// run_delay from /proc/thread-self/schedstat, read with plain system calls.
#include "sim/real/core_waits.hpp"

#include <cstdint>

#include <fcntl.h>
#include <unistd.h>

namespace gilsim::real {

std::optional<Time> parse_schedstat(std::string_view text) {
  std::size_t i = 0;
  const auto number = [&]() -> std::optional<std::int64_t> {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t first = i;
    std::int64_t n = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) n = n * 10 + (text[i] - '0');
    if (i == first) return std::nullopt;
    return n;
  };
  if (!number()) return std::nullopt;  // time on a CPU
  const auto delay = number();
  if (!delay) return std::nullopt;
  return Time{*delay};
}

std::optional<Time> thread_run_delay() {
  const int fd = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char text[128];
  const ssize_t n = ::read(fd, text, sizeof(text));
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return parse_schedstat(std::string_view(text, static_cast<std::size_t>(n)));
}

CoreWaitCount::~CoreWaitCount() {
  const std::optional<Time> after = thread_run_delay();
  ctx_.count_waits_for_core(before_ && after ? std::optional<Time>(*after - *before_) : std::nullopt);
}

}  // namespace gilsim::real
