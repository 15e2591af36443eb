// glibc's malloc settings for the viewer's knob changes.
#include "viz/knob_memory.hpp"

#include <malloc.h>

namespace gilsim::viz {

bool keep_freed_memory_for_knob_changes() {
  // A free top of any heap up to 1 GiB stays (glibc trims a heap's free top above 128 KiB by
  // default, and more as large blocks are freed); blocks up to 32 MiB come from the heaps,
  // not from mappings of their own that free() unmaps (glibc's largest threshold on 64-bit).
  const bool trim = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  const bool mmap = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
  return trim && mmap;
}

}  // namespace gilsim::viz
