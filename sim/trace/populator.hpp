// The pages of the trace's mappings populated ahead of their writer, on a small shared worker
// thread, so that on a machine with a spare core the kernel zeroes fresh pages in parallel with
// the simulation instead of in it (docs/performance.md, "Pages populated ahead of the writer").
//
// storage::commit() (store.cpp) tells the populator where a mapping's writer is: it asks for
// the pages past what the writer needs now, up to a few stretches ahead (never past the
// mapping's end), and populates itself only what the worker has not reached. Whatever the
// worker does, the contents are the writer's: MADV_POPULATE_WRITE faults a missing page in as
// a write would (a zeroed page, installed under the page table's lock only where no page is)
// and leaves a page that is there as it is, so a page the writer touched first, or touches
// meanwhile, keeps its bytes. A mapping is forgotten (its pending work dropped, and any
// populate of it finished) before it moves, goes to the cache or is unmapped; the worker
// exits, and is joined, when no mapping it may serve is left. With fewer than two CPUs, with
// GILSIM_POPULATE_AHEAD=0, or on a kernel without MADV_POPULATE_WRITE (before Linux 5.14,
// EINVAL), nothing is populated ahead and commit() populates as it did alone.
#pragma once

#include <cstddef>

namespace gilsim::trace::storage::ahead {

/// For the writer of the mapping at `base` (`bytes` long), in commit(): it needs [from, to)
/// populated and will next ask from `to`, a `stretch` further. Asks the worker for the pages
/// from `to` up to stretches_ahead() stretches past it (what is not asked already; never past
/// `bytes`) and returns where the writer's own populate should begin: `to` when the worker (or
/// an earlier commit) has populated up to there, else at least `from`. Returns `from` when
/// populating ahead is off.
std::size_t post(void* base, std::size_t bytes, std::size_t from, std::size_t to, std::size_t stretch);

/// Drops the pending work for the mapping at `base` and waits until no populate of it runs;
/// stops and joins the worker when no mapping is left. Before the mapping moves or goes.
void forget(void* base);

/// Whether pages are populated ahead (decided at first use: at least two CPUs, and
/// GILSIM_POPULATE_AHEAD not 0; off for good once the kernel refuses the advice).
bool enabled();
/// Turns it on or off (tests and measurements); off forgets nothing: call when idle.
void set_enabled(bool on);
/// How many stretches past what the writer needs the worker is asked for (GILSIM_POPULATE_AHEAD
/// when it is a number of at least 1, else the default).
std::size_t stretches_ahead();

/// Waits until the worker has no job left (tests and measurements).
void drain();

/// Whether the worker thread exists now (tests), and how many pages' bytes it has populated
/// since the process began (its chunks' sizes, resident before or not).
bool worker_running();
std::size_t worker_bytes();

}  // namespace gilsim::trace::storage::ahead
