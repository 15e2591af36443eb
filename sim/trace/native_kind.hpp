// What a span of native code (SpanState::Native) on a thread's or task's lane is: a student
// asks "what native code?" where no step of the scenario is C code.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {

enum class NativeKind : std::uint8_t {
  CCode,       ///< a `native` step (or one offloaded): C code that let the GIL go
  SystemCall,  ///< a call of no step: a pipe's read or write, a wake-up
  HandOff,     ///< drop_gil's wake-up of a GIL waiter, on the way into another step (G8b): a lock wait, I/O
  Ending,      ///< a child process's last moment: its exit (P8)
  PeerAnswer,  ///< a job's peer process working out a step's `answer`, with no GIL of ours (S9)
};

/// Each kind in a student's words, in the enum's order.
inline constexpr std::array kNativeWords = {std::string_view{"C code"}, std::string_view{"a system call"},
                                            std::string_view{"letting the GIL go to a thread that waits for it"},
                                            std::string_view{"the process ending"},
                                            std::string_view{"the peer computing its answer"}};

/// The kind of native span `index` of `lane` (one of `t`'s lanes).
NativeKind native_kind(const Trace& t, const Lane& lane, std::size_t index);

}  // namespace gilsim::trace
