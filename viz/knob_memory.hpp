// What a knob change allocates, kept by malloc for the next one.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
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

/// Where the next `bytes` this thread allocates will most likely come from: as many taken from
/// its heap and given back at once, not written. With the settings above in force, malloc keeps
/// them as its heap's free top and carves what this thread allocates next out of them.
struct HeapBlock {
  std::uintptr_t from = 0;
  std::size_t bytes = 0;
};
HeapBlock next_heap_block(std::size_t bytes);

/// Faults in the pages of `block` with madvise(MADV_POPULATE_WRITE), 64 at a time, writing
/// nothing: a page the thread that allocates from it writes first, or meanwhile, keeps its
/// bytes, so another thread can run this beside it and spare it the faults (on a virtual
/// machine, a page faulted in by a write cost that thread 3 to 10 us; populated, about 1 us, on
/// the other thread). Returns the bytes faulted in: fewer where the kernel refused (none
/// before Linux 5.14, or where the block is no longer mapped).
std::size_t populate_heap_block(HeapBlock block);

}  // namespace gilsim::viz
