// What a knob change allocates, kept by malloc for the next one.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

namespace gilsim::viz {

/// Asks malloc to keep the memory the viewer frees (the runs a knob change replaced, their
/// indices, a change's copies) rather than hand it back to the kernel: the next change then
/// writes its traces and indices into pages already resident instead of faulting fresh ones
/// in (on a virtual machine whose host backs every fresh page anew, 3 to 5 us of CPU a 4 KiB page:
/// thousands of them a change on lesson 15, docs/performance.md "A knob change on lessons 10
/// and 15, round 2"). The heap no longer shrinks below its peak, which the runs shown and the
/// values simulated ahead set anyway. Process-wide; the viewer calls it once, before it opens
/// a scenario. Returns whether malloc took both settings.
bool keep_freed_memory_for_knob_changes();

/// Faults in up to `bytes` of the heap this thread allocates from (malloc's arena of this
/// thread), 16 pages at a time, until `stop` is set, and frees them: with the settings above in
/// force, malloc keeps them, and what this thread allocates next takes pages already resident
/// instead of faulting fresh ones in. For a thread waiting for another with a core to spare
/// (the window's, while the start-up load simulates): what it indexes and draws next is then
/// spared the kernel's zeroing. `allowance`, when given, is asked as it goes how far it may
/// have got by now: it waits (polling, until `stop`) where it has reached it. `bytes` under 32
/// MiB (a larger block is a mapping of its own, unmapped when freed). Returns the bytes faulted
/// in (0 when malloc failed).
std::size_t warm_this_threads_heap(std::size_t bytes, const std::atomic<bool>& stop,
                                   const std::function<std::size_t()>& allowance = {});

}  // namespace gilsim::viz
