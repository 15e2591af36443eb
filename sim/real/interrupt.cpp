// Ctrl-C stops a real run: while an InterruptScope lives, the handler only sets a flag
// that execute() watches; before and after, SIGINT does what it did.
#include <csignal>

#include "sim/real/execute.hpp"

namespace gilsim::real {

namespace {
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the flag is set from a signal handler");

extern "C" void on_interrupt(int) {
  if (g_interrupted.exchange(true)) {
    // Second Ctrl-C before the run stopped: give the user back the default behaviour.
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
  }
}
}  // namespace

std::atomic<bool>& interrupt_flag() { return g_interrupted; }

InterruptScope::InterruptScope() {
  g_interrupted = false;  // before the handler: a Ctrl-C from here on is seen, not cleared
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous_);
}

InterruptScope::~InterruptScope() { sigaction(SIGINT, &previous_, nullptr); }

}  // namespace gilsim::real
