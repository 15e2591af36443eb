// Text timeline: lanes are chosen and capped, each lane is cut into equal time buckets,
// and each bucket shows its dominant state (or GIL holder); then the axis and the legend.
#include "sim/cli/text_timeline.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/cli/text_wrap.hpp"
#include "sim/scenario/unicode_text.hpp"
#include "sim/trace/lane_label.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/native_kind.hpp"

namespace gilsim::cli {

using namespace gilsim::trace;

namespace {

// "GIL (resource tracker)" and "task 1 heartbeat" whole; longer labels are cut.
constexpr int kMaxNameWidth = 22;
constexpr int kMinBarWidth = 10;
constexpr int kTickSpacing = 10;  ///< columns between axis labels, at least
constexpr int kHolderSymbolCount = 9 + 26 + 26;  ///< '1'-'9', 'a'-'z', 'A'-'Z'
constexpr char kMainHolderSymbol = '0';          ///< outside that range: never a T<n>'s
constexpr char kUnseenHolderSymbol = '?';        ///< an inferred GIL with waiters and no holder seen
/// A GIL's or lock's column held by several holders in turn, none of them for half of it
/// (lesson 15's GIL and lock passing between four locked threads), or, turns shorter than
/// the column, the largest for less than kOneHolderSharePercent of the time it was held
/// (lesson 11's old GIL, turns of 3 ms).
constexpr char kSeveralHoldersSymbol = '&';
/// A thread's column that it spent running and waiting (for the GIL, a core or a lock) in
/// turns shorter than the column, neither for kOneHolderSharePercent of that time: lesson
/// 11's old GIL on one core, a turn every 3 ms; lesson 9's eight workers on four cores, time
/// slices of 3 ms.
constexpr char kTurnsSymbol = ':';
/// The waits that kTurnsSymbol takes turns with running: for the GIL, a core, a lock.
constexpr std::array kTurnWaits = {SpanState::WaitingGil, SpanState::Runnable, SpanState::WaitingLock};
constexpr std::array<std::string_view, kTurnWaits.size()> kTurnWaitWords = {"GIL", "a core", "a lock"};
/// The share of a column's held time (of its running and waiting, on a thread's row) that
/// one holder (one of the two states) needs for the column to show it where a turn shorter
/// than the column passes in it. Below it, such turns would alias: each column showing its
/// larger share drew blocks of one holder, as long as the beat between the turn and the
/// column, that never were, and changed with --width. A column cut by one hand-off between
/// longer turns shows the holder that had most of it, as before.
constexpr std::int64_t kOneHolderSharePercent = 80;
/// The turns of one holder in a column, shorter than it, for its row to name that holder where
/// the GIL or the lock was free most of the column (lane_bars).
constexpr int kTurnsForOneHolder = 3;

/// '&' in the legend: held, by several in turn (a blank read as "nobody held it" beside the
/// table's share of the run lesson 15's GIL was held).
constexpr std::string_view kSeveralHoldersLegend = "& held by several in turn, each for a part of the column";
/// ':' in the legend, worded like '&''s, with the waits it stood for ("GIL or a core").
constexpr std::string_view kTurnsLegend = ": running and waiting for {} in turn, each for a part of the column";

/// A thread's states that a short run or a short wait for the GIL or a lock shows through: it
/// was not running (idle, asleep, blocked on I/O, awaiting, a task ready for the loop: lesson
/// 2's task 7 ran 2 ms between a column it was ready in and an idle one, and showed no '#').
constexpr std::string_view kQuietSymbols = " z~-r";
constexpr std::string_view kWaitSymbols = ".L";  ///< waiting for the GIL, for a lock
/// What adds up along a thread's or a task's row where it is too short to win a column:
/// running, then the waits of kWaitSymbols (lane_bars).
constexpr std::string_view kCarriedSymbols = "#.L";
constexpr char kRunningSymbol = kCarriedSymbols[0];
/// A column a thread or a task ran in, briefly, in a row whose runs fill no column (lane_bars).
constexpr char kBriefRunSymbol = '\'';

constexpr std::array kLegendOrder = {
    SpanState::Running,  SpanState::Native,   SpanState::WaitingGil, SpanState::Runnable,
    SpanState::BlockedIo, SpanState::Sleeping, SpanState::Stalled,    SpanState::Starting,
    SpanState::Pickling, SpanState::Waking,   SpanState::Ready,      SpanState::Awaiting,
    SpanState::WaitingLock,
};

/// Start of bucket i of n over [0, end), without overflowing int64.
Time bucket_start(Time end, int i, int n) {
  const std::int64_t q = end.ns() / n, r = end.ns() % n;
  return Time{q * i + r * i / n};
}

bool is_holder_row(LaneKind kind) { return kind == LaneKind::Gil || kind == LaneKind::Lock; }

/// n when `name` is `prefix` then n ("T<n>", "task <n>") with a holder symbol of its own (1
/// to 61), else 0.
int numbered(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix)) return 0;
  const std::string_view digits = name.substr(prefix.size());
  if (digits.empty() || digits.size() > 2 || digits[0] == '0') return 0;
  int n = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return holder_symbol(n - 1) == '*' ? 0 : n;
}

/// Where a lane's process comes among its kind's rows: the parent, then its helper processes
/// (lesson 10's resource tracker), then the workers, as a class meets them.
int process_rank(const Trace& t, const Lane& lane) {
  if (lane.process == 0 || lane.process >= t.processes.size()) return 0;
  return t.processes[lane.process].name.starts_with("worker") ? 2 : 1;
}

/// Every lane in row order: cores, GILs, locks, threads, then tasks, each kind by process_rank
/// and then in trace order.
std::vector<LaneId> row_order(const Trace& t) {
  constexpr std::array kinds = {LaneKind::Core, LaneKind::Gil, LaneKind::Lock, LaneKind::Thread, LaneKind::Task};
  std::vector<LaneId> order(t.lanes.size());
  for (LaneId id = 0; id < t.lanes.size(); ++id) order[id] = id;
  const auto key = [&](LaneId id) {
    const Lane& lane = t.lanes[id];
    const auto kind = std::find(kinds.begin(), kinds.end(), lane.kind) - kinds.begin();
    return std::tuple{kind, process_rank(t, lane), id};
  };
  std::ranges::sort(order, {}, key);
  return order;
}

/// Which lanes ever hold a GIL or a lock: only they need a holder symbol.
std::vector<bool> holding_lanes(const Trace& t) {
  std::vector<bool> holds(t.lanes.size(), false);
  for (const Lane& lane : t.lanes) {
    if (!is_holder_row(lane.kind)) continue;
    lane.spans.for_each([&holds](const Span& span) {
      if (span.subject < holds.size()) holds[span.subject] = true;
    });
  }
  return holds;
}

/// Symbol of each lane when it holds a GIL or a lock, chosen so that a digit reads as the
/// thread or task of that name: T<n> gets holder_symbol(n - 1) ('1' for T1, 'a' for the tenth),
/// then a pool's "worker <n>", a process's "process <n>", then a task "task <n>" (an asyncio.Lock is held by a task) the
/// same where no other took it, each only where it `claims` it; the thread `main`, or an asyncio
/// run's `event loop`, gets '0'; every other thread lane that holds something, then every
/// other such task lane, gets the next symbol nobody has, those in `first` before the rest,
/// each in `order` ('*' once none is left).
std::vector<char> holder_symbols(const Trace& t, const std::vector<LaneId>& order, const std::vector<bool>& first,
                                 const std::vector<bool>& claims) {
  std::vector<char> symbols(t.lanes.size(), '*');
  std::vector<bool> given(kHolderSymbolCount, false);
  bool main_given = false;
  const std::vector<bool> holds = holding_lanes(t);
  // Threads claim their numbers first, then a pool's workers, then one Process per job's
  // ("process 2" is 2, not '1' where process 1's GIL row was blank: lesson 18), then tasks
  // ("task 3" is 3 unless a thread T3 took it; "worker 2" is 2, so lesson 7's lone hog reads
  // "2 worker 2").
  for (const auto& [kind, prefix] : {std::pair{LaneKind::Thread, "T"}, std::pair{LaneKind::Thread, "worker "},
                                     std::pair{LaneKind::Thread, "process "}, std::pair{LaneKind::Task, "task "}}) {
    for (LaneId id = 0; id < t.lanes.size(); ++id) {
      if (t.lanes[id].kind != kind) continue;
      const std::string& name = t.lanes[id].name;
      if (const int n = numbered(name, prefix); n > 0 && claims[id] && !given[static_cast<std::size_t>(n - 1)]) {
        given[static_cast<std::size_t>(n - 1)] = true;
        symbols[id] = holder_symbol(n - 1);
      } else if (kind == LaneKind::Thread && (name == "main" || name == "event loop") && !main_given) {
        main_given = true;  // an asyncio run's main thread is its event loop
        symbols[id] = kMainHolderSymbol;
      }
    }
  }
  std::size_t next_free = 0;
  for (const bool in_first : {true, false}) {
    for (const LaneKind kind : {LaneKind::Thread, LaneKind::Task}) {
      for (const LaneId id : order) {
        if (t.lanes[id].kind != kind || symbols[id] != '*' || !holds[id] || first[id] != in_first) continue;
        while (next_free < given.size() && given[next_free]) ++next_free;
        if (next_free == given.size()) continue;
        given[next_free] = true;
        symbols[id] = holder_symbol(static_cast<int>(next_free));
      }
    }
  }
  return symbols;
}

/// Where a holder symbol comes in the legend: '0', then holder_symbol's order.
int holder_rank(char symbol) {
  if (symbol == kMainHolderSymbol) return -1;
  if (symbol >= '1' && symbol <= '9') return symbol - '1';
  if (symbol >= 'a' && symbol <= 'z') return 9 + (symbol - 'a');
  return 9 + 26 + (symbol - 'A');
}

/// Stretches of time [begin, end), in order, apart.
using Stretches = std::vector<std::pair<Time, Time>>;

/// Whether `t`'s GIL rows are inferred, not seen: a run recorded in CPython, whose GIL has a
/// holder only where the recorder saw a thread run Python (docs/cpython-traces.md).
bool gil_inferred(const Trace& t) { return t.origin == Origin::Measured && !t.measured_by.empty(); }

/// Where threads of the GIL lane `gil`'s process waited for it while no holder was seen: the
/// last holder kept it while the OS had taken its core, or had let it go to a thread still
/// waiting for a core; the recording cannot tell which. The viewer hatches these "holder not
/// seen"; the row shows kUnseenHolderSymbol rather than a blank beside threads that wait.
Stretches unseen_holder(const Trace& t, LaneId gil) {
  Stretches waits;
  for (const Lane& lane : t.lanes) {
    if (lane.kind != LaneKind::Thread || lane.process != t.lanes[gil].process) continue;
    lane.spans.for_each([&waits](const Span& span) {
      if (span.state == SpanState::WaitingGil && span.begin < span.end) waits.emplace_back(span.begin, span.end);
    });
  }
  std::ranges::sort(waits);
  Stretches merged;  // when any thread waited
  for (const auto& [begin, end] : waits) {
    if (!merged.empty() && begin <= merged.back().second) {
      merged.back().second = max(merged.back().second, end);
    } else {
      merged.emplace_back(begin, end);
    }
  }
  Stretches unseen;
  const SpanStore& held = t.lanes[gil].spans;
  std::size_t h = 0;
  for (auto [at, end] : merged) {
    while (h < held.size() && held[h].end <= at) ++h;
    for (std::size_t k = h; k < held.size() && held[k].begin < end && at < end; ++k) {
      if (held[k].begin > at) unseen.emplace_back(at, held[k].begin);
      at = max(at, held[k].end);
    }
    if (at < end) unseen.emplace_back(at, end);
  }
  return unseen;
}

/// An asyncio run's loop thread: between callbacks it waits in select(), for I/O or a timer.
bool is_event_loop(const Lane& lane) { return lane.kind == LaneKind::Thread && lane.name == "event loop"; }

char span_symbol(const Lane& lane, const Span& s, const std::vector<char>& holders) {
  if (is_holder_row(lane.kind)) return s.subject < holders.size() ? holders[s.subject] : '#';
  // The model names the loop's select() by its nearest deadline, a timer's (sleeping) or an
  // I/O completion's (blocked on I/O): one wait, one symbol (lesson 4's fixed handlers).
  if (is_event_loop(lane) && s.state == SpanState::Sleeping) return state_symbol(SpanState::BlockedIo);
  return state_symbol(s.state);
}

/// Whether the stretch of `spans` that span `s` is in, the spans before and after it that
/// follow on without a gap and are `alike` it (the same holder, the same state), is shorter
/// than `length`: a turn that fits in a column. Read no further than `length` each way.
template <class Alike>
bool stretch_shorter(const SpanStore& spans, std::size_t s, std::int64_t length, Alike alike) {
  const Span span = spans[s];
  Time begin = span.begin, end = span.end;
  for (std::size_t k = s; k > 0 && (end - begin).ns() < length; --k) {
    const Span before = spans[k - 1];
    if (before.end != begin || !alike(before, span)) break;
    begin = before.begin;
  }
  for (std::size_t k = s + 1; k < spans.size() && (end - begin).ns() < length; ++k) {
    const Span after = spans[k];
    if (after.begin != end || !alike(after, span)) break;
    end = after.end;
  }
  return (end - begin).ns() < length;
}

/// One character per bucket: the symbol covering most of it, or ' ' when idle wins. On an
/// inferred GIL's row, the time with waiters and no holder seen counts as kUnseenHolderSymbol.
/// On a GIL's or lock's row, a bucket held for a quarter of it or more, by several holders
/// in turn, is kSeveralHoldersSymbol where none of them held it half the bucket, or where the
/// largest held less than kOneHolderSharePercent of the time held and a turn in the bucket is
/// shorter than it: not a blank that reads as a GIL nobody took, nor one holder's symbol that
/// reads as a lock it kept or as a turn as long as the bucket; and the holder's symbol where
/// one holder had kOneHolderSharePercent of it in kTurnsForOneHolder turns or more shorter than
/// the bucket, a quarter of the bucket or more, though the GIL or lock was free most of it
/// (lesson 15's counter_lock). On a thread's or task's row, a
/// bucket whose running and waiting for the GIL together beat every other state and idle,
/// neither for kOneHolderSharePercent of their time, with a stretch of either shorter than the
/// bucket, is kTurnsSymbol: the same turns seen from the thread. A bucket cut by one hand-off
/// between turns longer than it shows the larger share, as a bucket shows its dominant state.
/// Waits for the GIL or a lock too short to win a column (sleep took
/// most of each: lesson 5's UI thread, late by ~5 ms after each 16 ms sleep) add up along the
/// row: where they make half a column, the next column with such a wait in it shows it, and a
/// column's worth is taken off. So the row shows about as many of its symbol as the waits fill
/// columns. A thread's or task's row that every bucket would leave blank shows what it did
/// most in the bucket it was busiest in (Presence). `notes` gets the symbols that this placed
/// and the waits kTurnsSymbol stood for.
struct BarNotes {
  std::string carried;  ///< '#', '.' or 'L' where short runs or waits, added up, won a column
  std::string turn_waits;   ///< the symbols of the waits of kTurnWaits that a kTurnsSymbol stood for
  bool lone_run = false;    ///< a row's only '#' placed where it ran most, no column being its
  bool brief_runs = false;  ///< a row's kBriefRunSymbol in each quiet column it ran in
};

bool is_turn_wait(SpanState state) { return std::ranges::find(kTurnWaits, state) != kTurnWaits.end(); }

/// Whether a row that every column would leave blank shows, in the column its lane was
/// busiest in, what it did most there (below).
enum class Presence { Shown, AsIdle };

std::string lane_bars(const Trace& t, LaneId id, int n, const std::vector<char>& holders, BarNotes* notes = nullptr,
                      Presence presence = Presence::Shown) {
  const Lane& lane = t.lanes[id];
  // The column the lane was busiest in, and what it did most there.
  int busiest = -1;
  std::int64_t busiest_time = 0;
  char busiest_symbol = ' ';
  const Stretches unseen = lane.kind == LaneKind::Gil && gil_inferred(t) ? unseen_holder(t, id) : Stretches{};
  std::string bars(static_cast<std::size_t>(n), ' ');
  std::size_t first = 0;  // first span that may still overlap the current bucket
  std::size_t first_unseen = 0;
  std::vector<std::pair<char, std::int64_t>> cover;
  std::int64_t most_run = 0;  // the most running in a column, and that column
  int most_run_at = -1;
  std::int64_t run_in_all = 0;  // running, added up over the row
  std::vector<int> ran_in;      // the columns it ran in at all
  std::array<std::int64_t, kCarriedSymbols.size()> carried{};  // short runs and waits not shown yet, in ns
  for (int i = 0; i < n; ++i) {
    const Time lo = bucket_start(t.end, i, n), hi = bucket_start(t.end, i + 1, n);
    while (first < lane.spans.size() && lane.spans[first].end <= lo) ++first;
    cover.clear();
    std::int64_t busy = 0;
    while (first_unseen < unseen.size() && unseen[first_unseen].second <= lo) ++first_unseen;
    std::int64_t not_seen = 0;
    for (std::size_t u = first_unseen; u < unseen.size() && unseen[u].first < hi; ++u) {
      not_seen += std::max<std::int64_t>(0, (min(unseen[u].second, hi) - max(unseen[u].first, lo)).ns());
    }
    if (not_seen > 0) {
      busy += not_seen;
      cover.emplace_back(kUnseenHolderSymbol, not_seen);
    }
    for (std::size_t s = first; s < lane.spans.size() && lane.spans[s].begin < hi; ++s) {
      const Span& span = lane.spans[s];
      const std::int64_t d = (min(span.end, hi) - max(span.begin, lo)).ns();
      if (d <= 0) continue;
      busy += d;
      const char c = span_symbol(lane, span, holders);
      auto it = std::find_if(cover.begin(), cover.end(), [c](const auto& p) { return p.first == c; });
      if (it == cover.end()) cover.emplace_back(c, d);
      else it->second += d;
    }
    const std::int64_t idle = (hi - lo).ns() - busy;
    const auto ran = std::find_if(cover.begin(), cover.end(), [](const auto& c) { return c.first == kRunningSymbol; });
    if (ran != cover.end()) run_in_all += ran->second, ran_in.push_back(i);
    if (ran != cover.end() && ran->second > most_run) most_run = ran->second, most_run_at = i;
    if (busy > busiest_time) {
      busiest = i, busiest_time = busy;
      busiest_symbol = std::ranges::max_element(cover, {}, [](const auto& c) { return c.second; })->first;
    }
    std::int64_t best = idle;
    for (const auto& [c, d] : cover) {
      if (d > best) best = d, bars[static_cast<std::size_t>(i)] = c;
    }
    char& bar = bars[static_cast<std::size_t>(i)];
    // Whether a turn in this bucket, of the spans `counts`, is shorter than the bucket. Where
    // none is, a bucket cut by one hand-off between long turns shows the larger share, so that
    // a row of long turns does not get a mark at each hand-off (lesson 14's lock).
    const auto short_turn = [&](auto counts, auto alike) {
      for (std::size_t s = first; s < lane.spans.size() && lane.spans[s].begin < hi; ++s) {
        const Span span = lane.spans[s];
        if (span.end > lo && counts(span) && stretch_shorter(lane.spans, s, (hi - lo).ns(), alike)) return true;
      }
      return false;
    };
    if (lane.kind == LaneKind::Thread || lane.kind == LaneKind::Task) {
      // Running and waiting in turn, turns shorter than the column: lesson 11's old GIL on one
      // core, 3 ms each, whose rows read "#.###..###.." at 10.8 ms a column; lesson 9's Pool(8),
      // workers sharing cores in time slices of 3 ms, "######+++++#####+++++" at 5.4 ms.
      const char running = state_symbol(SpanState::Running);
      const auto is_wait = [](char c) {
        return std::ranges::any_of(kTurnWaits, [c](SpanState w) { return state_symbol(w) == c; });
      };
      std::int64_t run = 0, wait = 0;
      std::string waits;
      for (const auto& [c, d] : cover) {
        if (c == running) run += d;
        if (is_wait(c)) wait += d, waits += c;
      }
      const bool pair_wins = run + wait > idle && std::all_of(cover.begin(), cover.end(), [&](const auto& c) {
        return c.first == running || is_wait(c.first) || c.second < run + wait;
      });
      const auto run_or_wait = [](const Span& s) { return s.state == SpanState::Running || is_turn_wait(s.state); };
      const auto alike = [](const Span& a, const Span& b) {
        return (a.state == SpanState::Running) == (b.state == SpanState::Running);
      };
      if (run > 0 && wait > 0 && pair_wins && 100 * std::max(run, wait) < kOneHolderSharePercent * (run + wait) &&
          short_turn(run_or_wait, alike)) {
        bar = kTurnsSymbol;
        for (const char c : waits) {
          if (notes != nullptr && notes->turn_waits.find(c) == std::string::npos) notes->turn_waits += c;
        }
      }
    }
    if ((lane.kind == LaneKind::Thread || lane.kind == LaneKind::Task) && kQuietSymbols.find(bar) != std::string_view::npos) {
      const std::int64_t length = (hi - lo).ns();
      // Only stretches shorter than the column: a long run's or wait's edges, in columns on
      // either side of its block that I/O won, added up to a block one column too long.
      const auto same_state = [](const Span& a, const Span& b) { return a.state == b.state; };
      std::array<std::int64_t, kCarriedSymbols.size()> short_time{};
      for (std::size_t s = first; s < lane.spans.size() && lane.spans[s].begin < hi; ++s) {
        const Span& span = lane.spans[s];
        const std::size_t w = kCarriedSymbols.find(span_symbol(lane, span, holders));
        if (span.end <= lo || w == std::string_view::npos || !stretch_shorter(lane.spans, s, length, same_state)) continue;
        short_time[w] += (min(span.end, hi) - max(span.begin, lo)).ns();
      }
      std::size_t pick = kCarriedSymbols.size();
      for (std::size_t w = 0; w < kCarriedSymbols.size(); ++w) {
        if (short_time[w] == 0) continue;
        carried[w] += short_time[w];
        if (2 * carried[w] >= length && (pick == kCarriedSymbols.size() || carried[w] > carried[pick])) pick = w;
      }
      if (pick < kCarriedSymbols.size()) {
        bar = kCarriedSymbols[pick];
        carried[pick] -= length;
        if (notes != nullptr && notes->carried.find(bar) == std::string::npos) notes->carried += bar;
      }
    }
    // Several holders in turn, held a quarter of the column or more, none for half of it:
    // lesson 15's GIL passing between four locked threads, each in native code between, and
    // its lock held all along by each of them for a quarter, whose row named one of them in
    // every column as if it had kept the lock. Or the largest for less than
    // kOneHolderSharePercent of the time held: lesson 11's old GIL, turns of 3 ms in columns of
    // 10.8 ms, whose row read "12111221112211122" as turns of tens of ms.
    std::int64_t most_held = 0, held = 0;
    for (const auto& [c, d] : cover) {
      if (c == kUnseenHolderSymbol) continue;
      most_held = std::max(most_held, d);
      held += d;
    }
    const auto holders_seen = std::count_if(cover.begin(), cover.end(), [](const auto& c) { return c.first != kUnseenHolderSymbol; });
    const auto any = [](const Span&) { return true; };
    const auto none_kept = [&] {
      return 2 * most_held < (hi - lo).ns() ||
             (100 * most_held < kOneHolderSharePercent * held &&
              short_turn(any, [](const Span& a, const Span& b) { return a.subject == b.subject; }));
    };
    if (is_holder_row(lane.kind) && holders_seen >= 2 && 4 * busy >= (hi - lo).ns() && none_kept()) {
      bars[static_cast<std::size_t>(i)] = kSeveralHoldersSymbol;
    }
    // One holder taking it again and again in turns shorter than the column, for a quarter of
    // it or more, where no one held half of it: that holder, not a blank that reads as a lock
    // nobody took (lesson 15's sequential run, main taking counter_lock 20,000 times; its
    // asyncio run, each locked task in turn), nor '&' for a few others' moments at its ends.
    // Only its short turns count: the first column of a long turn keeps the majority rule.
    // Three turns at least: one turn of 1 ms every 17 ms (lesson 5's UI thread) showed in the
    // columns it fell inside and not in those it straddled, a beat of the columns. Over an
    // inferred GIL's '?' it stays '?'.
    if (is_holder_row(lane.kind) && held > 0 && (bar == ' ' || bar == kSeveralHoldersSymbol) &&
        2 * most_held < (hi - lo).ns() && 100 * most_held >= kOneHolderSharePercent * held) {
      const auto largest = std::ranges::max_element(cover, {}, [](const auto& c) {
        return c.first == kUnseenHolderSymbol ? std::int64_t{-1} : c.second;
      });
      const auto same_holder = [](const Span& a, const Span& b) { return a.subject == b.subject; };
      std::int64_t in_short_turns = 0;
      int turns = 0;
      for (std::size_t s = first; s < lane.spans.size() && lane.spans[s].begin < hi; ++s) {
        const Span& span = lane.spans[s];
        if (span.end <= lo || span_symbol(lane, span, holders) != largest->first) continue;
        if (!stretch_shorter(lane.spans, s, (hi - lo).ns(), same_holder)) continue;
        in_short_turns += (min(span.end, hi) - max(span.begin, lo)).ns();
        const bool goes_on = s > 0 && lane.spans[s - 1].end == span.begin && same_holder(lane.spans[s - 1], span);
        if (!goes_on || s == first) ++turns;
      }
      if (turns >= kTurnsForOneHolder && 4 * in_short_turns >= (hi - lo).ns()) bar = largest->first;
    }
  }
  // A thread or a task that did something shows it somewhere, not a row of blanks beside its
  // name: lesson 15's unsafe threads, done within the first of 80 columns of 39 ms, read as
  // never run. A GIL's row left blank says it was nearly free (lesson 2's threads, each
  // holding it a moment in turn): one holder's symbol there would read as its only turn.
  if (presence == Presence::Shown && (lane.kind == LaneKind::Thread || lane.kind == LaneKind::Task) && busiest >= 0 &&
      bars.find_first_not_of(' ') == std::string::npos) {
    bars[static_cast<std::size_t>(busiest)] = busiest_symbol;
  }
  // A thread or a task that ran shows a '#' somewhere: lesson 2's ten tasks at 40 columns, each
  // parsing its reply for 2 ms in columns of 4.9 ms, under half of one even added up, read as
  // never running, where the note says only their parsing takes turns. Over a wait too, where
  // all its runs make less than a column: lesson 15's unsafe threads, run and done in its
  // first column, read '.' alone, and its locked threads 'L' from end to end, beside the
  // updates they lost and kept. A row that ran a column's worth, a part of each among its
  // waits, keeps the waits that won its columns.
  const bool threadlike = lane.kind == LaneKind::Thread || lane.kind == LaneKind::Task;
  const char at_most_run = most_run_at >= 0 ? bars[static_cast<std::size_t>(most_run_at)] : ' ';
  const bool under_a_column = run_in_all < (bucket_start(t.end, 1, n) - bucket_start(t.end, 0, n)).ns();
  const auto quiet = [&](int i) { return kQuietSymbols.find(bars[static_cast<std::size_t>(i)]) != std::string_view::npos; };
  const bool shown_running = bars.find(kRunningSymbol) != std::string::npos;
  // Brief runs in two columns or more, every one among sleeps, I/O or awaits, in a row they
  // fill no column of: each of those columns shows that it ran there (lesson 4's heartbeat,
  // ticking 100 us every 100 ms beside the blocking handlers, read as one '#', as if it had
  // ticked once; lesson 3's workers, each replying every second, as one burst at 300 s). Not
  // where a column it ran in shows a wait: lesson 8's reader, running a moment in each column
  // it waited in for the GIL, read as ticks at its two ends alone.
  if (presence == Presence::Shown && threadlike && !shown_running && under_a_column && ran_in.size() >= 2 &&
      std::ranges::all_of(ran_in, quiet)) {
    for (const int i : ran_in) {
      if (quiet(i)) bars[static_cast<std::size_t>(i)] = kBriefRunSymbol;
    }
    if (notes != nullptr) notes->brief_runs = true;
  } else if (presence == Presence::Shown && threadlike && most_run_at >= 0 && !shown_running &&
             (kQuietSymbols.find(at_most_run) != std::string_view::npos ||
              (under_a_column && kWaitSymbols.find(at_most_run) != std::string_view::npos))) {
    bars[static_cast<std::size_t>(most_run_at)] = kRunningSymbol;  // running, as the legend says: no column's worth
    if (notes != nullptr) notes->lone_run = true;
  }
  return bars;
}

/// One character per bucket: how many cores were busy in it on average, rounded ('1' to
/// '9', '*' for more, ' ' for none). A core row shows a thread only where one covers most of
/// a bucket, so threads that move from core to core every few milliseconds leave each core's
/// row nearly blank while one core is always busy: this row says it.
std::string busy_cores_bars(const Trace& t, int n) {
  std::vector<std::int64_t> busy(static_cast<std::size_t>(n), 0);
  for (const Lane& lane : t.lanes) {
    if (lane.kind != LaneKind::Core) continue;
    std::size_t first = 0;
    for (int i = 0; i < n; ++i) {
      const Time lo = bucket_start(t.end, i, n), hi = bucket_start(t.end, i + 1, n);
      while (first < lane.spans.size() && lane.spans[first].end <= lo) ++first;
      for (std::size_t s = first; s < lane.spans.size() && lane.spans[s].begin < hi; ++s) {
        busy[static_cast<std::size_t>(i)] += std::max<std::int64_t>(0, (min(lane.spans[s].end, hi) - max(lane.spans[s].begin, lo)).ns());
      }
    }
  }
  std::string bars(static_cast<std::size_t>(n), ' ');
  for (int i = 0; i < n; ++i) {
    const std::int64_t length = (bucket_start(t.end, i + 1, n) - bucket_start(t.end, i, n)).ns();
    if (length <= 0) continue;
    const auto cores = static_cast<std::int64_t>(std::llround(static_cast<double>(busy[static_cast<std::size_t>(i)]) /
                                                              static_cast<double>(length)));
    if (cores > 0) bars[static_cast<std::size_t>(i)] = cores > 9 ? '*' : static_cast<char>('0' + cores);
  }
  return bars;
}

struct LaneSelection {
  std::vector<LaneId> shown;              ///< in row_order
  std::vector<std::string> hidden_notes;  ///< "+ 8 workers never used", "... 990 more threads", "... 1 more GIL, idle"
  std::vector<bool> folded;               ///< each lane of a worker folded as never used
};

/// Whether a lane's spans name no job: a worker that ran none, a pool's handler, a main thread.
bool runs_no_job(const Trace& t, LaneId id) {
  bool job = false;
  t.lanes[id].spans.for_each([&](const Span& s) { job = job || (s.subject < t.jobs.size() && s.state != SpanState::Held); });
  return !job;
}

/// Whether a lane ran Python: a thread running, a GIL or a lock held.
bool ran_python(const Lane& lane) {
  bool ran = false;
  lane.spans.for_each([&ran](const Span& s) { ran = ran || s.state == SpanState::Running || s.state == SpanState::Held; });
  return ran;
}

/// Worker processes that ran no job and either never ran Python or show nothing (lesson 9's
/// Pool(16) with 8 jobs: 8 of them started and left): their thread and GIL lanes, folded into
/// one line that says so. A worker that never ran Python is folded whatever its rows show of
/// its start, a wait for a core and its exit: lesson 9's worker 11 waited 1.5 ms for a core
/// as the pool shut down, a '+' at 160 columns, and was shown with an empty GIL row while the
/// note counted the seven others as the workers never used.
std::vector<bool> never_used_workers(const Trace& t, int n, const std::vector<char>& holders, int& count) {
  std::vector<bool> folded(t.lanes.size(), false);
  count = 0;
  for (ProcessId p = 1; p < t.processes.size(); ++p) {
    if (!t.processes[p].name.starts_with("worker")) continue;
    bool no_job = true, no_python = true;
    for (LaneId id = 0; id < t.lanes.size() && no_job; ++id) {
      if (t.lanes[id].process != p) continue;
      no_job = t.lanes[id].kind != LaneKind::Thread || runs_no_job(t, id);
      no_python = no_python && !ran_python(t.lanes[id]);
    }
    if (!no_job) continue;
    // One that ran Python (its GIL held for a moment) is folded where no row shows it.
    bool blank = true;
    for (LaneId id = 0; id < t.lanes.size() && blank && !no_python; ++id) {
      if (t.lanes[id].process == p) {
        blank = lane_bars(t, id, n, holders, nullptr, Presence::AsIdle).find_first_not_of(' ') == std::string::npos;
      }
    }
    if (!blank) continue;
    ++count;
    for (LaneId id = 0; id < t.lanes.size(); ++id) folded[id] = folded[id] || t.lanes[id].process == p;
  }
  return folded;
}

/// At most `cap` lanes of each kind. Over the cap, lanes whose row shows something come
/// first (a pool of 16 with 8 jobs shows its 8 busy workers, not the first 12 in trace
/// order), then blank rows, each in row order; the note says when the hidden are all blank.
/// Worker processes that were never used are one line (never_used_workers) before any cap.
LaneSelection select_lanes(const Trace& t, int cap, int n, const std::vector<char>& holders) {
  struct Kind {
    LaneKind kind;
    const char* one;
    const char* many;
  };
  constexpr std::array kinds = {Kind{LaneKind::Core, "core", "cores"}, Kind{LaneKind::Gil, "GIL", "GILs"},
                                Kind{LaneKind::Lock, "lock", "locks"}, Kind{LaneKind::Thread, "thread", "threads"},
                                Kind{LaneKind::Task, "task", "tasks"}};
  LaneSelection sel;
  int unused = 0;
  sel.folded = never_used_workers(t, n, holders, unused);
  const std::vector<bool>& folded = sel.folded;
  if (unused > 0) {
    sel.hidden_notes.push_back(fmt::format("+ {} {} never used, {} started and stopped without a job (rows folded)", unused,
                                           unused == 1 ? "worker" : "workers", unused == 1 ? "it" : "each"));
  }
  const std::vector<LaneId> order = row_order(t);
  std::vector<std::size_t> position(t.lanes.size());
  for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  // GILs are chosen last, those of the processes whose threads are shown first: at 40 columns
  // lesson 18 showed the GILs of processes 2, 4, 6, ... 26 beside the threads of processes 1 to
  // 15, each kind's blank rows left out on its own, so '1' on a GIL row named process 2.
  std::vector<bool> process_shown;
  std::array<std::string, kinds.size()> notes;
  for (const std::size_t k : {std::size_t{0}, std::size_t{2}, std::size_t{3}, std::size_t{4}, std::size_t{1}}) {
    const Kind& kind = kinds[k];
    std::vector<LaneId> lanes;
    for (const LaneId id : order) {
      if (t.lanes[id].kind == kind.kind && !folded[id]) lanes.push_back(id);
    }
    const auto count = static_cast<int>(lanes.size());
    if (count > cap) {
      std::vector<bool> blank(t.lanes.size(), false);
      for (const LaneId id : lanes) blank[id] = lane_bars(t, id, n, holders).find_first_not_of(' ') == std::string::npos;
      const auto unmatched = [&](LaneId id) {
        return kind.kind == LaneKind::Gil && !(t.lanes[id].process < process_shown.size() && process_shown[t.lanes[id].process]);
      };
      std::ranges::stable_sort(lanes, {}, [&](LaneId id) { return std::pair{unmatched(id), blank[id]}; });
      const int hidden_blank =
          static_cast<int>(std::count_if(lanes.begin() + cap, lanes.end(), [&](LaneId id) { return blank[id]; }));
      lanes.resize(static_cast<std::size_t>(cap));
      const int hidden = count - cap;
      notes[k] = fmt::format("... {} more {}{}", hidden, hidden == 1 ? kind.one : kind.many,
                             hidden_blank == hidden ? (hidden == 1 ? ", idle" : ", all idle") : "");
    }
    for (const LaneId id : lanes) {
      if (kind.kind != LaneKind::Thread && kind.kind != LaneKind::Task) continue;
      const ProcessId p = t.lanes[id].process;
      if (p >= process_shown.size()) process_shown.resize(p + 1, false);
      process_shown[p] = true;
    }
    sel.shown.insert(sel.shown.end(), lanes.begin(), lanes.end());
  }
  std::ranges::sort(sel.shown, {}, [&position](LaneId id) { return position[id]; });
  for (std::string& note : notes) {
    if (!note.empty()) sel.hidden_notes.push_back(std::move(note));
  }
  return sel;
}

/// A round step (1, 2 or 5 times a power of ten, in ns) that keeps labels apart.
Time tick_step(Time end, int n) {
  const double wanted = static_cast<double>(end.ns()) * kTickSpacing / n;
  for (std::int64_t magnitude = 1;; magnitude *= 10) {
    for (std::int64_t m : {1, 2, 5}) {
      if (static_cast<double>(m * magnitude) >= wanted) return Time{m * magnitude};
    }
  }
}

/// The ticks and their labels; the run's end closes the axis, its label flush with the rows'
/// closing '|' (lesson 1's sequential run reads "1.000 s" there, not "800 ms"), and a
/// round tick's label that would touch it is left out.
std::string axis_lines(Time end, int name_width, int n) {
  const int bars_at = name_width + 2;
  const int end_column = bars_at + n;  // the rows' closing '|'
  std::string ticks(static_cast<std::size_t>(end_column + 1), ' ');
  std::string labels(ticks.size(), ' ');
  std::fill(ticks.begin() + bars_at, ticks.begin() + end_column, '-');
  ticks[static_cast<std::size_t>(end_column)] = '+';
  const std::string end_label = format_time(end);
  const int end_label_at = std::max(bars_at, end_column + 1 - static_cast<int>(end_label.size()));
  const Time step = tick_step(end, n);
  int free_from = 0;
  for (Time at = Time::zero(); at < end; at += step) {
    const int column = bars_at + static_cast<int>(static_cast<double>(at.ns()) / static_cast<double>(end.ns()) * n);
    if (column + 2 >= end_column) break;  // a tick beside the end's would read as a second end
    ticks[static_cast<std::size_t>(column)] = '+';
    const std::string label = format_time(at);
    const int label_at = column;
    if (label_at < free_from || label_at + static_cast<int>(label.size()) + 1 >= end_label_at) continue;
    labels.replace(static_cast<std::size_t>(label_at), label.size(), label);
    free_from = label_at + static_cast<int>(label.size()) + 1;
  }
  if (end_label_at >= free_from) labels.replace(static_cast<std::size_t>(end_label_at), end_label.size(), end_label);
  labels.erase(labels.find_last_not_of(' ') + 1);
  return fmt::format("{}\n{}\n", ticks, labels);
}

/// Words joined with two spaces, wrapped at `width`.
std::string wrap_entries(const std::vector<std::string>& entries, int width) {
  std::string out, line;
  for (const auto& e : entries) {
    if (!line.empty() && static_cast<int>(scenario::terminal_columns(line) + 2 + scenario::terminal_columns(e)) > width) {
      out += line + "\n";
      line.clear();
    }
    if (line.empty() && static_cast<int>(scenario::terminal_columns(e)) > width) {
      // An entry wider than the terminal on lines of its own (": running and waiting for GIL
      // or a core in turn, ..." took 78 columns at 40).
      out += wrap_entry(e, width);
      continue;
    }
    line += (line.empty() ? "" : "  ") + e;
  }
  if (!line.empty()) out += line + "\n";
  return out;
}

/// Which kinds of native span the `=` of `row` stand for: in each such column, the native span
/// that covers most of it.
void native_kinds_shown(const Trace& t, LaneId id, const std::string& row, std::array<bool, kNativeWords.size()>& kinds) {
  const Lane& lane = t.lanes[id];
  const int n = static_cast<int>(row.size());
  std::size_t first = 0;
  for (int i = 0; i < n; ++i) {
    if (row[static_cast<std::size_t>(i)] != state_symbol(SpanState::Native)) continue;
    const Time lo = bucket_start(t.end, i, n), hi = bucket_start(t.end, i + 1, n);
    while (first < lane.spans.size() && lane.spans[first].end <= lo) ++first;
    std::size_t best = lane.spans.size();
    std::int64_t most = 0;
    for (std::size_t s = first; s < lane.spans.size() && lane.spans[s].begin < hi; ++s) {
      if (lane.spans[s].state != SpanState::Native) continue;
      const std::int64_t d = (min(lane.spans[s].end, hi) - max(lane.spans[s].begin, lo)).ns();
      if (d > most) most = d, best = s;
    }
    if (best < lane.spans.size()) kinds[static_cast<std::size_t>(native_kind(t, lane, best))] = true;
  }
}

/// The legend's line for what added up along the rows (`carried`: symbols of kCarriedSymbols
/// that lane_bars placed so): "(runs and waits for the GIL shorter than a column add up along
/// the row: each # or . among sleep or I/O stands for about one column of them)".
std::string carried_note(std::string_view carried) {
  const bool runs = carried.find('#') != std::string_view::npos;
  const bool gil = carried.find('.') != std::string_view::npos, lock = carried.find('L') != std::string_view::npos;
  const std::string waits = gil && lock ? "waits for the GIL or a lock" : gil ? "waits for the GIL" : lock ? "waits for a lock" : "";
  std::vector<std::string_view> symbols;
  for (const char c : kCarriedSymbols) {
    if (carried.find(c) != std::string_view::npos) symbols.emplace_back(&kCarriedSymbols[kCarriedSymbols.find(c)], 1);
  }
  std::string each(symbols.front());
  for (std::size_t i = 1; i < symbols.size(); ++i) each += fmt::format("{}{}", i + 1 == symbols.size() ? " or " : ", ", symbols[i]);
  return fmt::format("({}{}{} shorter than a column add up along the row: each {} among sleep or I/O stands for about one "
                     "column of them)",
                     runs ? "runs" : "", runs && !waits.empty() ? " and " : "", waits, each);
}

std::string legend(const Trace& t, const std::vector<std::string>& rows, const std::vector<LaneId>& shown,
                   const std::vector<char>& holders, bool busy_row, bool cores_blank_while_busy,
                   const BarNotes& notes, int width) {
  std::vector<std::string> entries;
  // After '.', which a thread that takes turns with others also shows where it waits most;
  // named by the waits shown as ':' ("GIL", "a core", "GIL or a core").
  const bool turns_shown = std::any_of(shown.begin(), shown.end(), [&](LaneId id) {
    return !is_holder_row(t.lanes[id].kind) && rows[id].find(kTurnsSymbol) != std::string::npos;
  });
  std::string turn_waits;
  for (std::size_t w = 0; w < kTurnWaits.size(); ++w) {
    if (notes.turn_waits.find(state_symbol(kTurnWaits[w])) == std::string::npos) continue;
    turn_waits += (turn_waits.empty() ? "" : " or ") + std::string(kTurnWaitWords[w]);
  }
  for (SpanState s : kLegendOrder) {
    const char c = state_symbol(s);
    const bool used = std::any_of(shown.begin(), shown.end(), [&](LaneId id) {
      return !is_holder_row(t.lanes[id].kind) && rows[id].find(c) != std::string::npos;
    });
    // A 'p' is a task or its result pickled on one side of the pipe and unpickled on the other
    // (lesson 17's result handler unpickles), as the viewer's legend says it.
    const std::string_view word = s == SpanState::Pickling ? "(un)pickling" : to_string(s);
    if (used && s != SpanState::Native) entries.push_back(fmt::format("{} {}", c, word));
    if (s == SpanState::WaitingGil && turns_shown) entries.push_back(fmt::format(kTurnsLegend, turn_waits));
    if (!used || s != SpanState::Native) continue;
    // "native" alone does not say what ran: name what the shown `=` are, without the GIL all.
    std::array<bool, kNativeWords.size()> kinds{};
    for (const LaneId id : shown) {  // a core's `=` is its thread's: the thread's row says which
      const LaneKind kind = t.lanes[id].kind;
      if (kind == LaneKind::Thread || kind == LaneKind::Task) native_kinds_shown(t, id, rows[id], kinds);
    }
    std::string words;
    for (std::size_t k = 0; k < kinds.size(); ++k) {
      if (kinds[k]) words += (words.empty() ? "" : ", ") + std::string(kNativeWords[k]);
    }
    entries.push_back(fmt::format("{} without the GIL: {}", c, words.empty() ? "C code or a system call" : words));
  }
  if (busy_row) entries.emplace_back("busy: cores in use, on average");
  auto on_a_gil_row = [&](char symbol) {
    return std::any_of(shown.begin(), shown.end(), [&](LaneId g) {
      return is_holder_row(t.lanes[g].kind) && rows[g].find(symbol) != std::string::npos;
    });
  };
  // In symbol order, '0' first, so that "1 T1  2 T2" reads like the rows' digits.
  std::vector<LaneId> shown_holders;
  for (LaneId id = 0; id < t.lanes.size(); ++id) {
    if (holders[id] != '*' && on_a_gil_row(holders[id])) shown_holders.push_back(id);
  }
  std::ranges::sort(shown_holders, {}, [&](LaneId id) { return holder_rank(holders[id]); });
  std::vector<std::string> holder_entries;
  for (LaneId id : shown_holders) holder_entries.push_back(fmt::format("{} {}", holders[id], t.lanes[id].name));
  if (on_a_gil_row('*')) holder_entries.push_back("* another thread");
  if (on_a_gil_row(kUnseenHolderSymbol)) holder_entries.push_back("? holder not seen (threads waited, none seen running)");
  if (on_a_gil_row(kSeveralHoldersSymbol)) holder_entries.push_back(std::string(kSeveralHoldersLegend));
  std::string out = wrap_entries(entries, width);
  // Threads that move from core to core leave each core's row blank while the busy row
  // reads 1 (lesson 15's threads): said where it happens.
  if (cores_blank_while_busy) out += wrap_text("(a core's row shows # only where it ran most of the column)", width);
  // A GIL's row blank from end to end though it was held: lesson 7's hog in a process, whose
  // reader held its own process's GIL 0.1 ms at a time, read as a GIL nobody held.
  std::vector<std::string> unseen_holds;
  for (const LaneId id : shown) {
    const Lane& lane = t.lanes[id];
    if (lane.kind != LaneKind::Gil || rows[id].find_first_not_of(' ') != std::string::npos) continue;
    if (std::ranges::any_of(lane.spans, [](const Span& s) { return s.state == SpanState::Held; })) {
      unseen_holds.push_back(lane.name);
    }
  }
  if (!unseen_holds.empty()) {
    const std::string rows_named = unseen_holds.size() == 1 ? fmt::format("the row {}", unseen_holds.front())
                                                            : fmt::format("the rows {}", and_list(unseen_holds));
    out += wrap_text(fmt::format("(a GIL's row names who held it most of each column; on {} each hold lasted a "
                                 "moment, filling no column, so it reads blank)",
                                 rows_named),
                     width);
  }
  const bool loop_waits = std::any_of(shown.begin(), shown.end(), [&](LaneId id) {
    if (!is_event_loop(t.lanes[id]) || rows[id].find(state_symbol(SpanState::BlockedIo)) == std::string::npos) return false;
    bool timer = false;  // only where a timer's wait became '~'
    t.lanes[id].spans.for_each([&timer](const Span& s) { timer = timer || s.state == SpanState::Sleeping; });
    return timer;
  });
  if (loop_waits) out += wrap_text("(the event loop's ~ is its select(): it waits there for I/O and for timers alike)", width);
  // A run or a wait that lost its column to sleep would hide work or lateness (lane_bars): said
  // where it shows.
  if (!notes.carried.empty()) out += wrap_text(carried_note(notes.carried), width);
  if (notes.lone_run) out += wrap_text("(a row's only # is where it ran most: its runs fill no column)", width);
  if (notes.brief_runs) {
    out += wrap_text("(' marks each column a row ran in briefly, among its waits: its runs together fill no column)", width);
  }
  if (!holder_entries.empty()) {
    const bool locks = std::any_of(shown.begin(), shown.end(), [&](LaneId id) { return t.lanes[id].kind == LaneKind::Lock; });
    // Over holders' symbols only: "& held by several in turn" says itself, and alone under
    // "GIL held by:" read as a holder named '&'.
    if (!shown_holders.empty() || on_a_gil_row('*')) {
      holder_entries.insert(holder_entries.begin(), locks ? "GIL or lock held by:" : "GIL held by:");
    }
    out += wrap_entries(holder_entries, width);
  }
  return out;
}

/// A lane's name in `width` terminal columns: cut names end with "..." so they do not read as
/// whole, and are cut between characters ("T1 下载网页并..."; a cut by bytes printed half of one).
std::string fitted_name(const std::string& name, int width) {
  if (scenario::terminal_columns(name) <= static_cast<std::size_t>(width)) return name;
  return std::string(scenario::first_columns(name, static_cast<std::size_t>(width - 3))) + "...";
}

}  // namespace

char state_symbol(SpanState state) {
  switch (state) {
    case SpanState::Running: return '#';
    case SpanState::Native: return '=';
    case SpanState::WaitingGil: return '.';
    case SpanState::Runnable: return '+';
    case SpanState::BlockedIo: return '~';
    case SpanState::Sleeping: return 'z';
    case SpanState::Stalled: return '!';
    case SpanState::Starting: return 's';
    case SpanState::Pickling: return 'p';
    case SpanState::Waking: return 'w';
    case SpanState::Ready: return 'r';
    case SpanState::Awaiting: return '-';
    case SpanState::WaitingLock: return 'L';
    case SpanState::Held: return '#';
  }
  return '?';
}

char holder_symbol(int k) {
  if (k < 0) return '*';
  if (k < 9) return static_cast<char>('1' + k);
  if (k < 9 + 26) return static_cast<char>('a' + (k - 9));
  if (k < kHolderSymbolCount) return static_cast<char>('A' + (k - 35));
  return '*';
}

/// Where a GIL's row names a thread as the column's holder, that thread's row does not say it
/// waited: lesson 15's T1 held the GIL in some columns, each time for less of the column than it
/// waited for it, and its row read all `.`, never running. There the row shows what the thread
/// did most of the column besides waiting (`#`: running Python is what holding the GIL is for),
/// nor kTurnsSymbol: the GIL's row names one holder only where it had most of the time held
/// (unless the thread took turns with waits for a core, which a GIL holder may have).
/// A thread that waits for a lock has dropped the GIL (L2), so a GIL holder waits for nothing.
/// (Not so for a lock's row: its holder may wait for another lock, as lesson 16's T1 does.)
void agree_with_holders(const Trace& t, const std::vector<LaneId>& shown, const std::vector<char>& holders,
                        std::vector<std::string>& bars) {
  std::vector<LaneId> lane_of(256, kNone);
  for (LaneId id = 0; id < t.lanes.size(); ++id) {
    if (holders[id] != '*') lane_of[static_cast<unsigned char>(holders[id])] = id;
  }
  std::vector<bool> is_shown(t.lanes.size(), false);
  for (const LaneId id : shown) is_shown[id] = true;
  for (const LaneId row : shown) {
    if (t.lanes[row].kind != LaneKind::Gil) continue;
    const int n = static_cast<int>(bars[row].size());
    for (int i = 0; i < n; ++i) {
      const LaneId holder = lane_of[static_cast<unsigned char>(bars[row][static_cast<std::size_t>(i)])];
      if (holder == kNone || !is_shown[holder] || bars[holder].size() != bars[row].size()) continue;
      char& bar = bars[holder][static_cast<std::size_t>(i)];
      if (kWaitSymbols.find(bar) == std::string_view::npos && bar != ' ' && bar != kTurnsSymbol) continue;
      const Time lo = bucket_start(t.end, i, n), hi = bucket_start(t.end, i + 1, n);
      std::vector<std::pair<char, std::int64_t>> cover;
      const SpanStore& spans = t.lanes[holder].spans;
      std::size_t first = 0, count = spans.size();  // the first span that ends after lo
      while (count > 0) {
        const std::size_t half = count / 2;
        if (spans.end_at(first + half) <= lo) first += half + 1, count -= half + 1;
        else count = half;
      }
      for (std::size_t k = first; k < spans.size() && spans.begin_at(k) < hi; ++k) {
        const Span span = spans[k];
        if (span.state == SpanState::WaitingLock || span.state == SpanState::WaitingGil) continue;
        const char c = span_symbol(t.lanes[holder], span, holders);
        const std::int64_t d = (min(span.end, hi) - max(span.begin, lo)).ns();
        if (d <= 0) continue;
        auto it = std::find_if(cover.begin(), cover.end(), [c](const auto& p) { return p.first == c; });
        if (it == cover.end()) cover.emplace_back(c, d);
        else it->second += d;
      }
      // A ':' of turns with waits for a core stays: a process keeps its GIL while the OS has
      // taken its core (lesson 9's eight workers on four cores, each holding its own GIL).
      const auto covered = [&cover](char c) {
        const auto it = std::find_if(cover.begin(), cover.end(), [c](const auto& p) { return p.first == c; });
        return it == cover.end() ? std::int64_t{0} : it->second;
      };
      const std::int64_t run = covered(state_symbol(SpanState::Running)), core = covered(state_symbol(SpanState::Runnable));
      if (bar == kTurnsSymbol && run > 0 && core > 0 && 100 * std::max(run, core) < kOneHolderSharePercent * (run + core)) {
        continue;
      }
      const auto most = std::max_element(cover.begin(), cover.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
      if (most != cover.end() && most->second > 0) bar = most->first;
    }
  }
}

std::string render_text_timeline(const Trace& t, const TimelineOptions& options) {
  // The name column fits every lane's name (up to kMaxNameWidth), so the rows' width does
  // not depend on which lanes are chosen.
  // Each row's label: a thread or task that ran one job is named with it, as in the viewer.
  std::vector<std::string> labels(t.lanes.size());
  int name_width = 4;
  for (LaneId id = 0; id < t.lanes.size(); ++id) {
    const LaneKind kind = t.lanes[id].kind;
    labels[id] = kind == LaneKind::Thread || kind == LaneKind::Task ? lane_label(t, id, one_job(t, id)) : t.lanes[id].name;
    name_width = std::max(name_width, static_cast<int>(scenario::terminal_columns(labels[id])));
  }
  name_width = std::min(name_width, kMaxNameWidth);
  const int n = std::max(kMinBarWidth, options.width - name_width - 3);
  // Holders numbered in row order; then again with those that show on a row first, so
  // that the legend's numbers run without gaps (lesson 10's resource tracker held its GIL,
  // in no column, and took 5 between worker 1's 4 and worker 2's 6), and no number kept for
  // a worker folded as never used (a pool of 4 with 2 jobs read "2 worker 2  5 worker
  // handler": 3 and 4 kept for the two workers that show nowhere).
  const std::vector<LaneId> order = row_order(t);
  const std::vector<bool> every_lane(t.lanes.size(), true);
  auto holders = holder_symbols(t, order, every_lane, every_lane);
  const int cap = std::max(1, options.max_rows_per_kind);
  LaneSelection sel = select_lanes(t, cap, n, holders);
  if (sel.shown.empty() || t.end <= Time::zero()) return "(nothing ran)\n";
  std::vector<bool> shows(t.lanes.size(), false);
  for (const LaneId id : sel.shown) {
    if (!is_holder_row(t.lanes[id].kind)) continue;
    const std::string row = lane_bars(t, id, n, holders);
    for (LaneId h = 0; h < t.lanes.size(); ++h) shows[h] = shows[h] || row.find(holders[h]) != std::string::npos;
  }
  std::vector<bool> claims = sel.folded;
  claims.flip();
  if (auto compact = holder_symbols(t, order, shows, claims); compact != holders) {
    holders = std::move(compact);
    sel = select_lanes(t, cap, n, holders);
  }

  std::vector<std::string> bars(t.lanes.size());
  std::string out;
  const auto cores = std::count_if(t.lanes.begin(), t.lanes.end(), [](const Lane& l) { return l.kind == LaneKind::Core; });
  bool busy_row = false;
  bool cores_blank_while_busy = false;
  BarNotes notes;
  for (const LaneId id : sel.shown) bars[id] = lane_bars(t, id, n, holders, &notes);
  agree_with_holders(t, sel.shown, holders, bars);
  // A thread caught in the deadlock the run stopped at waits for its lock forever: its last
  // column says so. Lesson 16's T2 asks for lock_a at the very instant the cycle closes, a
  // wait of no length in the trace, and its row never showed 'L' beside T1's.
  // A row whose only run ('#', or ':' for turns with waits) that column held keeps it in the
  // column before, where the thread ran just before it waited: lesson 16 with a moment of
  // Python before each second acquire lost its only '#', beside a legend line saying where it was.
  // A brief run's tick there, its row's last, moves back the same way (lesson 16's T2).
  if (n > 0 && trace::ended_in_deadlock(t)) {
    for (const Mark& m : t.marks) {
      if (m.kind != MarkKind::Deadlock || m.at != t.end || m.lane >= bars.size() || bars[m.lane].empty()) continue;
      std::string& row = bars[m.lane];
      const char ran = row.back();
      const std::string ran_symbols{kRunningSymbol, kTurnsSymbol, kBriefRunSymbol};
      const bool only_run = ran == kBriefRunSymbol ||
                            (ran_symbols.find(ran) != std::string::npos && row.find_first_of(ran_symbols) == row.size() - 1);
      row.back() = state_symbol(SpanState::WaitingLock);
      if (only_run && row.size() > 1 &&
          (kQuietSymbols.find(row[row.size() - 2]) != std::string_view::npos ||
           kWaitSymbols.find(row[row.size() - 2]) != std::string_view::npos)) {
        row[row.size() - 2] = ran;
      }
    }
  }
  for (std::size_t i = 0; i < sel.shown.size(); ++i) {
    const LaneId id = sel.shown[i];
    out += fmt::format("{:<{}} |{}|\n", fitted_name(labels[id], name_width), name_width, bars[id]);
    const bool last_core = t.lanes[id].kind == LaneKind::Core &&
                           (i + 1 == sel.shown.size() || t.lanes[sel.shown[i + 1]].kind != LaneKind::Core);
    if (last_core && cores > 1) {
      const std::string busy = busy_cores_bars(t, n);
      out += fmt::format("{:<{}} |{}|\n", "busy", name_width, busy);
      busy_row = true;
      for (std::size_t c = 0; c < busy.size() && !cores_blank_while_busy; ++c) {
        cores_blank_while_busy = busy[c] != ' ' && std::none_of(sel.shown.begin(), sel.shown.end(), [&](LaneId core) {
          return t.lanes[core].kind == LaneKind::Core && bars[core][c] != ' ';
        });
      }
    }
  }
  for (const auto& note : sel.hidden_notes) out += wrap_text(note, std::max(options.width, 40));
  out += axis_lines(t.end, name_width, n);
  out += legend(t, bars, sel.shown, holders, busy_row, cores_blank_while_busy, notes, std::max(options.width, 40));
  return out;
}

}  // namespace gilsim::cli
