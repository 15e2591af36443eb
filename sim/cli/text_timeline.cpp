// Text timeline: lanes are chosen and capped, each lane is cut into equal time buckets,
// and each bucket shows its dominant state (or GIL holder); then the axis and the legend.
#include "sim/cli/text_timeline.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/cli/text_wrap.hpp"
#include "sim/trace/lane_label.hpp"

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
/// A GIL's or lock's column held by several holders in turn, none of them for most of it
/// (lesson 15's GIL passing between four locked threads).
constexpr char kSeveralHoldersSymbol = '&';

constexpr std::array kLegendOrder = {
    SpanState::Running,  SpanState::Native,   SpanState::WaitingGil, SpanState::Runnable,
    SpanState::BlockedIo, SpanState::Sleeping, SpanState::Stalled,    SpanState::Starting,
    SpanState::Pickling, SpanState::Ready,    SpanState::Awaiting,   SpanState::WaitingLock,
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

/// Symbol of each lane when it holds a GIL or a lock, chosen so that a digit reads as the
/// thread or task of that name: T<n> gets holder_symbol(n - 1) ('1' for T1, 'a' for the tenth),
/// then a task "task <n>" (an asyncio.Lock is held by a task) the same where no thread took
/// it; the thread `main`, or an asyncio run's `event loop`, gets '0'; every other thread
/// lane, then every other task lane, gets the next symbol nobody has, in trace order ('*'
/// once none is left).
std::vector<char> holder_symbols(const Trace& t) {
  std::vector<char> symbols(t.lanes.size(), '*');
  std::vector<bool> given(kHolderSymbolCount, false);
  bool main_given = false;
  // Threads claim their numbers first, then tasks ("task 3" is 3 unless a thread T3 took it).
  for (const auto& [kind, prefix] : {std::pair{LaneKind::Thread, "T"}, std::pair{LaneKind::Task, "task "}}) {
    for (LaneId id = 0; id < t.lanes.size(); ++id) {
      if (t.lanes[id].kind != kind) continue;
      const std::string& name = t.lanes[id].name;
      if (const int n = numbered(name, prefix); n > 0 && !given[static_cast<std::size_t>(n - 1)]) {
        given[static_cast<std::size_t>(n - 1)] = true;
        symbols[id] = holder_symbol(n - 1);
      } else if (kind == LaneKind::Thread && (name == "main" || name == "event loop") && !main_given) {
        main_given = true;  // an asyncio run's main thread is its event loop
        symbols[id] = kMainHolderSymbol;
      }
    }
  }
  std::size_t next_free = 0;
  for (const LaneKind kind : {LaneKind::Thread, LaneKind::Task}) {
    for (LaneId id = 0; id < t.lanes.size(); ++id) {
      if (t.lanes[id].kind != kind || symbols[id] != '*') continue;
      while (next_free < given.size() && given[next_free]) ++next_free;
      if (next_free == given.size()) continue;
      given[next_free] = true;
      symbols[id] = holder_symbol(static_cast<int>(next_free));
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

char span_symbol(const Lane& lane, const Span& s, const std::vector<char>& holders) {
  if (is_holder_row(lane.kind)) return s.subject < holders.size() ? holders[s.subject] : '#';
  return state_symbol(s.state);
}

/// One character per bucket: the symbol covering most of it, or ' ' when idle wins. On an
/// inferred GIL's row, the time with waiters and no holder seen counts as kUnseenHolderSymbol.
/// On a GIL's or lock's row, a bucket held for a quarter of it or more, by several holders
/// in turn none of whom beats the idle time, is kSeveralHoldersSymbol: not a blank that
/// reads as a GIL nobody took.
std::string lane_bars(const Trace& t, LaneId id, int n, const std::vector<char>& holders) {
  const Lane& lane = t.lanes[id];
  const Stretches unseen = lane.kind == LaneKind::Gil && gil_inferred(t) ? unseen_holder(t, id) : Stretches{};
  std::string bars(static_cast<std::size_t>(n), ' ');
  std::size_t first = 0;  // first span that may still overlap the current bucket
  std::size_t first_unseen = 0;
  std::vector<std::pair<char, std::int64_t>> cover;
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
    std::int64_t best = idle;
    for (const auto& [c, d] : cover) {
      if (d > best) best = d, bars[static_cast<std::size_t>(i)] = c;
    }
    // Several holders in turn, none for most of the column, held a quarter of it or more:
    // lesson 15's GIL passing between four locked threads, each in native code between.
    const auto holders_seen = std::count_if(cover.begin(), cover.end(), [](const auto& c) { return c.first != kUnseenHolderSymbol; });
    if (best == idle && is_holder_row(lane.kind) && holders_seen >= 2 && 4 * busy >= (hi - lo).ns()) {
      bars[static_cast<std::size_t>(i)] = kSeveralHoldersSymbol;
    }
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
  std::vector<LaneId> shown;              ///< in trace order
  std::vector<std::string> hidden_notes;  ///< "... 990 more threads", "... 1 more GIL, idle"
};

/// At most `cap` lanes of each kind. Over the cap, lanes whose row shows something come
/// first (a pool of 16 with 8 jobs shows its 8 busy workers, not the first 12 in trace
/// order), then blank rows, each in trace order; the note says when the hidden are all blank.
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
  for (const Kind& k : kinds) {
    std::vector<LaneId> lanes;
    for (LaneId id = 0; id < t.lanes.size(); ++id) {
      if (t.lanes[id].kind == k.kind) lanes.push_back(id);
    }
    const auto count = static_cast<int>(lanes.size());
    if (count <= cap) {
      sel.shown.insert(sel.shown.end(), lanes.begin(), lanes.end());
      continue;
    }
    std::vector<LaneId> blank;
    std::erase_if(lanes, [&](LaneId id) {
      const bool empty = lane_bars(t, id, n, holders).find_first_not_of(' ') == std::string::npos;
      if (empty) blank.push_back(id);
      return empty;
    });
    const int hidden_blank = std::max(0, static_cast<int>(blank.size()) - std::max(0, cap - static_cast<int>(lanes.size())));
    lanes.insert(lanes.end(), blank.begin(), blank.end());
    lanes.resize(static_cast<std::size_t>(cap));
    std::sort(lanes.begin(), lanes.end());
    sel.shown.insert(sel.shown.end(), lanes.begin(), lanes.end());
    const int hidden = count - cap;
    sel.hidden_notes.push_back(fmt::format("... {} more {}{}", hidden, hidden == 1 ? k.one : k.many,
                                           hidden_blank == hidden ? (hidden == 1 ? ", idle" : ", all idle") : ""));
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

std::string axis_lines(Time end, int name_width, int n, int total_width) {
  const int bars_at = name_width + 2;
  std::string ticks(static_cast<std::size_t>(bars_at + n + 1), ' ');
  std::string labels(ticks.size() + kTickSpacing, ' ');
  std::fill(ticks.begin() + bars_at, ticks.begin() + bars_at + n, '-');
  const Time step = tick_step(end, n);
  int free_from = 0;
  for (Time at = Time::zero(); at < end; at += step) {
    const int column = bars_at + static_cast<int>(static_cast<double>(at.ns()) / static_cast<double>(end.ns()) * n);
    ticks[static_cast<std::size_t>(column)] = '+';
    const std::string label = format_time(at);
    const int label_at = std::min(column, total_width - static_cast<int>(label.size()));
    if (label_at < free_from) continue;
    labels.replace(static_cast<std::size_t>(label_at), label.size(), label);
    free_from = label_at + static_cast<int>(label.size()) + 1;
  }
  ticks.erase(ticks.find_last_not_of(' ') + 1);
  labels.erase(labels.find_last_not_of(' ') + 1);
  return fmt::format("{}\n{}\n", ticks, labels);
}

/// Words joined with two spaces, wrapped at `width`.
std::string wrap_entries(const std::vector<std::string>& entries, int width) {
  std::string out, line;
  for (const auto& e : entries) {
    if (!line.empty() && static_cast<int>(line.size() + 2 + e.size()) > width) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : "  ") + e;
  }
  if (!line.empty()) out += line + "\n";
  return out;
}

std::string legend(const Trace& t, const std::vector<std::string>& rows, const std::vector<LaneId>& shown,
                   const std::vector<char>& holders, bool busy_row, bool cores_blank_while_busy, int width) {
  std::vector<std::string> entries;
  for (SpanState s : kLegendOrder) {
    const char c = state_symbol(s);
    const bool used = std::any_of(shown.begin(), shown.end(), [&](LaneId id) {
      return !is_holder_row(t.lanes[id].kind) && rows[id].find(c) != std::string::npos;
    });
    if (used) entries.push_back(fmt::format("{} {}", c, to_string(s)));
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
  if (on_a_gil_row(kSeveralHoldersSymbol)) holder_entries.push_back("& several in turn, none for most of the column");
  std::string out = wrap_entries(entries, width);
  // Threads that move from core to core leave each core's row blank while the busy row
  // reads 1 (lesson 15's threads): said where it happens.
  if (cores_blank_while_busy) out += wrap_text("(a core's row shows # only where it ran most of the column)", width);
  if (!holder_entries.empty()) {
    const bool locks = std::any_of(shown.begin(), shown.end(), [&](LaneId id) { return t.lanes[id].kind == LaneKind::Lock; });
    holder_entries.insert(holder_entries.begin(), locks ? "GIL or lock held by:" : "GIL held by:");
    out += wrap_entries(holder_entries, width);
  }
  return out;
}

/// A lane's name in `width` columns: cut names end with "..." so they do not read as whole.
std::string fitted_name(const std::string& name, int width) {
  if (static_cast<int>(name.size()) <= width) return name;
  return name.substr(0, static_cast<std::size_t>(width - 3)) + "...";
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

std::string render_text_timeline(const Trace& t, const TimelineOptions& options) {
  // The name column fits every lane's name (up to kMaxNameWidth), so the rows' width does
  // not depend on which lanes are chosen.
  // Each row's label: a thread or task that ran one job is named with it, as in the viewer.
  std::vector<std::string> labels(t.lanes.size());
  int name_width = 4;
  for (LaneId id = 0; id < t.lanes.size(); ++id) {
    const LaneKind kind = t.lanes[id].kind;
    labels[id] = kind == LaneKind::Thread || kind == LaneKind::Task ? lane_label(t, id, one_job(t, id)) : t.lanes[id].name;
    name_width = std::max(name_width, static_cast<int>(labels[id].size()));
  }
  name_width = std::min(name_width, kMaxNameWidth);
  const int n = std::max(kMinBarWidth, options.width - name_width - 3);
  const auto holders = holder_symbols(t);
  const LaneSelection sel = select_lanes(t, std::max(1, options.max_rows_per_kind), n, holders);
  if (sel.shown.empty() || t.end <= Time::zero()) return "(nothing ran)\n";

  std::vector<std::string> bars(t.lanes.size());
  std::string out;
  const auto cores = std::count_if(t.lanes.begin(), t.lanes.end(), [](const Lane& l) { return l.kind == LaneKind::Core; });
  bool busy_row = false;
  bool cores_blank_while_busy = false;
  for (std::size_t i = 0; i < sel.shown.size(); ++i) {
    const LaneId id = sel.shown[i];
    bars[id] = lane_bars(t, id, n, holders);
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
  for (const auto& note : sel.hidden_notes) out += note + "\n";
  out += axis_lines(t.end, name_width, n, std::max(options.width, name_width + 3 + n));
  out += legend(t, bars, sel.shown, holders, busy_row, cores_blank_while_busy, std::max(options.width, 40));
  return out;
}

}  // namespace gilsim::cli
