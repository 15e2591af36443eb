// What a knob change allocates, kept by malloc for the next one.
#pragma once

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

}  // namespace gilsim::viz
