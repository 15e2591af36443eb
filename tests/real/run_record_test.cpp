// A thread's recorder: its records in order, and no page fault while it writes into warm blocks.
#include <sys/resource.h>

#include <doctest/doctest.h>

#include "sim/real/run_record.hpp"

using namespace gilsim;
using gilsim::real::Record;
using gilsim::real::RecordKind;
using gilsim::real::Recorder;

namespace {

long minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

}  // namespace

TEST_CASE("a recorder hands over every record in the order written, across its blocks") {
  Recorder rec;
  const std::size_t n = Recorder::kSmallBlock + 2 * Recorder::kBigBlock + 5;
  for (std::size_t i = 0; i < n; ++i) rec.mark(Time{static_cast<std::int64_t>(i)}, trace::MarkKind::Spawn, 1, 2, 7);
  CHECK(rec.size() == n);
  const std::vector<Record> records = rec.take();
  REQUIRE(records.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    if (records[i].at_ns != static_cast<std::int64_t>(i) || records[i].kind != RecordKind::Mark) {
      FAIL("record " << i << " is not the one written there");
    }
  }
  CHECK(rec.size() == 0);
  CHECK(rec.take().empty());
  rec.clear(Time{n + 1}, 3);  // usable again after take()
  CHECK(rec.size() == 1);
}

/// Under a sanitizer every fresh page of records also faults in its shadow pages as it is
/// written: the faults counted are the sanitizer's, whatever the blocks.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool kShadowMemory = true;
#else
constexpr bool kShadowMemory = false;
#endif

TEST_CASE("a run's records go into blocks faulted in before it starts: no page fault per record") {
  // Lesson 15 writes 160,000 records in 17 ms of planned work; a page fault per 4 KiB of them
  // costs tens of microseconds on a virtual machine, which made the run several times slower.
  const std::size_t n = 4 * Recorder::kBigBlock;
  real::warm_record_blocks(8, n / Recorder::kBigBlock + 1, n);
  Recorder rec;
  long before = minor_faults();
  for (std::size_t i = 0; i < n; ++i) rec.state(Time{static_cast<std::int64_t>(i)}, 1, trace::SpanState::Held, 2);
  // 8 MiB of records in 4 KiB pages would take 2,048 faults; a few allow for the blocks' list.
  if (!kShadowMemory) CHECK(minor_faults() - before < 50);
  // Gathered as the run ends, still inside its CPU time: into the warm vector, no faults either.
  before = minor_faults();
  std::vector<Record> all = real::take_warm_output();
  rec.append_to(all);
  if (!kShadowMemory) CHECK(minor_faults() - before < 50);
  CHECK(all.size() == n);
}
