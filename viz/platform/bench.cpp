// --bench-frames: builds frames with ImGui but no window or GPU, while playback runs, and
// prints the CPU time each frame took to build (the part the viewer controls).
#include <algorithm>
#include <atomic>
#include <functional>
#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include <fmt/format.h>
#include <imgui.h>

#include "viz/platform/app_setup.hpp"
#include "viz/platform/gl_renderer.hpp"
#include "viz/ui/app_frame.hpp"
#include "viz/ui/keys.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::platform {

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::size_t span_count(const std::vector<trace::Trace>& runs) {
  std::size_t n = 0;
  for (const auto& r : runs) {
    for (const auto& l : r.lanes) n += l.spans.size();
  }
  return n;
}

/// CPU time of this thread alone (the frames, not the simulation beside them).
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long process_minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

long thread_minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// "the 1st frame built after the change", "the 3rd ...": frames are counted from the first
/// one built after the knob moved (1), never "frame 0", which read as the frame of the change.
std::string nth_frame_after_change(int n) {
  const int tens = n % 100;
  const char* suffix = tens >= 11 && tens <= 13 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  return fmt::format("the {}{} frame built after the change", n, suffix);
}

/// Builds one frame as the loop above does.
void build_frame(AppState& app, ImGuiIO& io) {
  io.DeltaTime = 1.0f / 60.0f;
  ImGui::NewFrame();
  ui::draw_frame(app, 1.0 / 60.0);
  ImGui::Render();
}

/// --bench-knob: what moving a knob in the scenario panel costs before the class sees the new
/// runs: the panel's request (the knob applied to the text loaded, every run simulated and the new runs
/// indexed, on a thread of its own, as the viewer does), the frames built meanwhile with the
/// previous runs, then the frame that swaps the new runs in (refresh_derived) and is built. The cores
/// knob is set to the value it has, so the runs are the ones already shown, simulated again; or
/// the switch interval is (`interval`), so the runs no other interval could change are kept with
/// their indices, and the others simulated again.
std::string bench_knob_change(AppState& app, ImGuiIO& io, bool interval) {
  Knobs knobs = app.session.knobs();
  if (interval) {
    knobs.switch_interval = knobs.switch_interval.value_or(app.session.scenario().python.switch_interval);
  } else {
    knobs.cores = knobs.cores.value_or(app.session.scenario().machine.cores);
  }
  const std::uint64_t before = app.session.generation();
  const double cpu0 = cpu_seconds();
  const long faults0 = process_minor_faults();
  const double t0 = wall_seconds();
  app.session.set_knobs_in_background(knobs, derive_runs_for_session);
  // Frames at 60 a second while the runs are simulated, as the window draws them.
  int meanwhile = 0;
  double longest_ms = 0, frames_cpu = 0;
  // The frames that showed the new runs as far as they were simulated (docs/viewer.md).
  int first_partial = 0, partial_frames = 0;
  double first_partial_ms = 0;
  // Every frame polls the session (app_frame.cpp), so a frame built here may put the new runs
  // in itself: then nothing is simulating any more, and waiting for `ready` would never end.
  while (app.session.simulating() && !app.session.background_ready()) {
    const double f0 = wall_seconds();
    const double c0 = thread_cpu_seconds();
    const std::uint64_t shown = app.session.generation();
    build_frame(app, io);
    frames_cpu += thread_cpu_seconds() - c0;
    longest_ms = std::max(longest_ms, (wall_seconds() - f0) * 1e3);
    ++meanwhile;
    if (app.session.previewing() && app.session.generation() != shown) {
      ++partial_frames;
      if (first_partial == 0) {
        first_partial = meanwhile;
        first_partial_ms = (wall_seconds() - t0) * 1e3;
      }
    }
    std::this_thread::sleep_until(std::chrono::steady_clock::now() +
                                  std::chrono::duration<double>(std::max(0.0, 1.0 / 60.0 - (wall_seconds() - f0))));
  }
  const double t1 = wall_seconds();
  if (app.session.poll(0)) refresh_derived(app);
  const double t2 = wall_seconds();
  build_frame(app, io);
  const double t3 = wall_seconds();
  const double cpu = cpu_seconds() - cpu0;
  const long faults = process_minor_faults() - faults0;
  if (app.session.generation() == before) return fmt::format("knob change failed: {}\n", app.session.error());
  // The indices were built on the simulation's thread (with the swap on this one); the
  // simulation's own time is the session's clock around it: t1 - t0 also holds the frames
  // waited until the poll that found the runs, a whole frame's sleep at a time.
  const double derive = app.session.last_derive_seconds();
  const double simulation = app.session.last_simulation_seconds();
  const std::string moved =
      interval ? fmt::format("knob: the switch interval set to the {} ms it has; {} of {} runs kept with their indices, "
                             "the others simulated and indexed again\n",
                             knobs.switch_interval->ms(), app.session.last_reused_runs(), app.session.runs().size())
               : std::string();
  const std::string progressive =
      first_partial == 0
          ? fmt::format("progressive: no frame showed the new runs before they were whole; they came in {}\n",
                        nth_frame_after_change(meanwhile + 1))
          : fmt::format("progressive: {} showed the new runs so far ({:.1f} ms after it); {} "
                        "frame{} showed a further part; the whole runs came in {}\n",
                        nth_frame_after_change(first_partial), first_partial_ms, partial_frames - 1,
                        partial_frames == 2 ? "" : "s", nth_frame_after_change(meanwhile + 1));
  return moved + progressive + fmt::format("knob change: {:.1f} ms to the frame after it ({:.1f} ms of CPU on every thread; re-simulation {:.1f} ms, "
             "indexing {:.1f} ms, frame {:.1f} ms; {} minor page faults in the process)\n"
             "meanwhile {} frames with the previous runs, then the new ones so far, and a note that new ones are "
             "coming, the longest {:.1f} ms "
             "({:.1f} ms of CPU in all); the frame that put the new runs in {:.1f} ms\n",
             (t3 - t0) * 1e3, cpu * 1e3, simulation * 1e3, (derive + t2 - t1) * 1e3, (t3 - t2) * 1e3, faults, meanwhile,
             longest_ms, frames_cpu * 1e3, (t3 - t1) * 1e3);
}

/// A knob change driven frame by frame at 60 a second until its whole runs are in.
struct ChangeFrames {
  int frames = 0;              ///< frames built, the one that put the whole runs in last
  int first_partial = 0;       ///< the first frame that showed the new runs so far (0: none)
  double whole_ms = 0;         ///< from the change to the end of the frame that put the whole runs in
  double first_partial_ms = 0;
  double preview_cpu_max_ms = 0, preview_cpu_sum_ms = 0;  ///< this thread's CPU per frame showing a part
  int preview_frames = 0;
  double last_cpu_ms = 0;      ///< this thread's CPU in the frame that put the whole runs in
  bool kept = false;           ///< put in from the speculation's kept values
};

ChangeFrames drive_change(AppState& app, ImGuiIO& io, const Knobs& knobs) {
  ChangeFrames out;
  const double t0 = wall_seconds();
  app.session.set_knobs_in_background(knobs, derive_runs_for_session);
  while (true) {
    const double f0 = wall_seconds();
    const double c0 = thread_cpu_seconds();
    const std::uint64_t shown = app.session.generation();
    const bool was_simulating = app.session.simulating();
    build_frame(app, io);
    const double cpu_ms = (thread_cpu_seconds() - c0) * 1e3;
    ++out.frames;
    if (app.session.previewing()) {
      ++out.preview_frames;
      out.preview_cpu_sum_ms += cpu_ms;
      out.preview_cpu_max_ms = std::max(out.preview_cpu_max_ms, cpu_ms);
      if (out.first_partial == 0 && app.session.generation() != shown) {
        out.first_partial = out.frames;
        out.first_partial_ms = (wall_seconds() - t0) * 1e3;
      }
    }
    if (was_simulating && !app.session.simulating()) {
      out.whole_ms = (wall_seconds() - t0) * 1e3;
      out.last_cpu_ms = cpu_ms;
      out.kept = app.session.last_change_was_kept();
      return out;
    }
    std::this_thread::sleep_until(std::chrono::steady_clock::now() +
                                  std::chrono::duration<double>(std::max(0.0, 1.0 / 60.0 - (wall_seconds() - f0))));
  }
}

/// This thread's CPU and the wall time of `count` frames built at 60 a second.
struct FrameCosts {
  double cpu_mean_ms = 0, cpu_max_ms = 0, wall_max_ms = 0;
  int frames = 0;
  int late = 0;  ///< frames whose wall time passed a 60 Hz frame (16.7 ms)
};
FrameCosts frames_at_60(AppState& app, ImGuiIO& io, int count, const std::function<bool()>& go_on) {
  FrameCosts out;
  int built = 0;
  for (; built < count && go_on(); ++built) {
    const double f0 = wall_seconds();
    const double c0 = thread_cpu_seconds();
    build_frame(app, io);
    const double cpu_ms = (thread_cpu_seconds() - c0) * 1e3;
    out.cpu_mean_ms += cpu_ms;
    out.cpu_max_ms = std::max(out.cpu_max_ms, cpu_ms);
    const double wall_ms = (wall_seconds() - f0) * 1e3;
    out.wall_max_ms = std::max(out.wall_max_ms, wall_ms);
    if (wall_ms > 1e3 / 60.0) ++out.late;
    std::this_thread::sleep_until(std::chrono::steady_clock::now() +
                                  std::chrono::duration<double>(std::max(0.0, 1.0 / 60.0 - (wall_seconds() - f0))));
  }
  if (built > 0) out.cpu_mean_ms /= built;
  out.frames = built;
  return out;
}

/// --bench-knob, after the change above: the neighbours simulated in the background (and the
/// frames built meanwhile, against as many built with the cores idle), a step to a kept
/// neighbour, and a jump to a value that is not one.
std::string bench_speculation(AppState& app, ImGuiIO& io) {
  std::string out;
  constexpr int kFrames = 30;
  const FrameCosts idle = frames_at_60(app, io, kFrames, [] { return true; });
  const double t0 = wall_seconds();
  const double cpu0 = cpu_seconds();
  app.session.speculate_neighbours(derive_runs_for_session);
  Speculation& speculation = *app.session.speculation();
  // At idle priority the speculation gets no CPU while other work keeps the cores busy: the
  // bench says so after a while rather than wait for ever.
  constexpr std::chrono::seconds kStarvedAfter{30};
  std::atomic<bool> done{false};
  bool starved = false;
  std::jthread waiter([&] {
    starved = !speculation.wait_until_idle_for(kStarvedAfter);
    done = true;
  });
  const FrameCosts busy = frames_at_60(app, io, 100000, [&] { return !done.load(); });
  waiter.join();
  if (starved) {
    out += fmt::format("speculation starved: not idle {} s after it began, at idle priority: the machine's other work had "
                       "the cores; {} values kept by then\n",
                       kStarvedAfter.count(), speculation.kept());
  }
  out += fmt::format(
      "speculation: {} neighbouring values kept ({:.1f} MiB, budget {} MiB) {:.1f} ms after it began ({:.1f} ms of "
      "CPU on every thread)\n"
      "{} frames meanwhile: CPU mean {:.2f} ms, max {:.2f} ms, wall max {:.1f} ms, {} past 16.7 ms; {} frames with "
      "the cores idle before: CPU mean {:.2f} ms, max {:.2f} ms, wall max {:.1f} ms, {} past 16.7 ms\n",
      speculation.kept(), static_cast<double>(speculation.bytes()) / (1 << 20), speculation.budget_bytes() >> 20,
      (wall_seconds() - t0) * 1e3, (cpu_seconds() - cpu0) * 1e3, busy.frames, busy.cpu_mean_ms, busy.cpu_max_ms,
      busy.wall_max_ms, busy.late, idle.frames, idle.cpu_mean_ms, idle.cpu_max_ms, idle.wall_max_ms, idle.late);
  const auto step = step_knob(app.session.scenario(), app.session.knobs(), {Knob::Cores, +1});
  if (!step) return out + "no cores step up to time\n";
  const ChangeFrames kept = drive_change(app, io, *step);
  out += fmt::format("step to a kept neighbour (cores {}): whole runs in {}, {:.1f} ms after "
                     "it ({:.1f} ms of this thread's CPU){}\n",
                     *step->cores, nth_frame_after_change(kept.frames), kept.whole_ms, kept.last_cpu_ms,
                     kept.kept ? "" : " (NOT from the kept values)");
  // A jump past the neighbours: cores 1 is two steps or more from any lesson's shown value.
  Knobs jump = app.session.knobs();
  jump.cores = *step->cores > 2 ? 1 : *step->cores + 3;
  const ChangeFrames far = drive_change(app, io, jump);
  // No frame may have shown a part: the whole runs came first (first_partial 0).
  const std::string first_part =
      far.first_partial == 0
          ? std::string("no frame showed a part before the whole runs")
          : fmt::format("first part shown in {} ({:.1f} ms after the change)", nth_frame_after_change(far.first_partial),
                        far.first_partial_ms);
  out += fmt::format(
      "jump to a value not kept (cores {}): {}, whole runs in {} ({:.1f} ms after the change, that frame {:.1f} ms of "
      "this thread's CPU); {} frames showed a part{}\n",
      *jump.cores, first_part, nth_frame_after_change(far.frames), far.whole_ms, far.last_cpu_ms, far.preview_frames,
      far.preview_frames == 0
          ? std::string()
          : fmt::format(", this thread's CPU per such frame mean {:.2f} ms, max {:.2f} ms",
                        far.preview_cpu_sum_ms / far.preview_frames, far.preview_cpu_max_ms));
  return out;
}

}  // namespace

int run_bench(const Options& options) {
  AppState app;
  BackgroundLoad load(app, options.file);
  // Meanwhile, on this thread, what the window makes while the scenario loads: the ImGui
  // context and its font atlas.
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(static_cast<float>(options.width), static_cast<float>(options.height));
  ui::map_imgui_keys(io);
  enable_large_draw_lists();  // as the window does: frames are built exactly as drawn
  ui::apply_theme(initial_ui_scale(options));
  const double ui_ready = seconds_since_start();
  if (!finish_set_up(app, load, options, {})) {
    ImGui::DestroyContext();
    return 1;
  }
  const double loaded = seconds_since_start();
  app.playback.set_speed(std::max(Playback::kSlowest, app.playback.end().seconds() / 10.0));
  app.playback.play();

  std::vector<double> frame_ms;
  double first_frame_at = 0;
  long first_frame_faults = 0;  // this thread's minor page faults building the first frame
  for (int i = 0; i < options.bench_frames; ++i) {
    const double c0 = cpu_seconds();
    const long f0 = i == 0 ? thread_minor_faults() : 0;
    build_frame(app, io);
    frame_ms.push_back((cpu_seconds() - c0) * 1e3);
    if (i == 0) {
      first_frame_at = seconds_since_start();
      first_frame_faults = thread_minor_faults() - f0;
    }
    if (!app.playback.playing()) app.playback.play();  // loop, so every frame moves
  }
  // The change is timed first, from the lesson's own values, and the values simulated ahead
  // after it: the two operands of a `+` are evaluated in no set order (GCC evaluated the
  // speculation's first, so the change timed was the one after its jump to cores 1, with the
  // neighbours of that value being simulated at idle priority).
  std::string knob;
  if (options.bench_knob_interval) {
    knob = bench_knob_change(app, io, true);
  } else if (options.bench_knob) {
    knob = bench_knob_change(app, io, false);
    knob += bench_speculation(app, io);
  }
  ImGui::DestroyContext();

  std::vector<double> sorted = frame_ms;
  std::sort(sorted.begin(), sorted.end());
  const auto pct = [&](double p) { return sorted[static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1))]; };
  double sum = 0;
  for (double v : frame_ms) sum += v;
  fmt::print("scenario: {} ({} runs, {} spans, {} marks)\n",
             options.file.empty() ? std::string("default") : options.file, app.session.runs().size(),
             span_count(app.session.runs()), [&] {
               std::size_t m = 0;
               for (const auto& r : app.session.runs()) m += r.marks.size();
               return m;
             }());
  // The load runs beside the window's set-up: its time is the loading thread's own.
  fmt::print("load + simulate: {:.1f} ms (simulation {:.1f} ms)\n", load.load_seconds() * 1e3,
             app.session.last_simulation_seconds() * 1e3);
  fmt::print("viewer indexing: {:.1f} ms\n", load.indexing_seconds() * 1e3);
  fmt::print("meanwhile ImGui and its font atlas ready {:.1f} ms after start; the load in {:.1f} ms after start\n",
             ui_ready * 1e3, loaded * 1e3);
  fmt::print("while waiting, this thread faulted in {:.1f} MiB of its heap ahead, and {} the indexing beside the load\n",
             static_cast<double>(load.warmed_bytes()) / (1 << 20), load.indexed_beside() ? "took part in" : "did not take part in");
  fmt::print("the loading thread's heap for the scenario's reading and job plan: {:.1f} MiB faulted in beside it, ahead of its writes\n",
             static_cast<double>(load.faulted_in_ahead()) / (1 << 20));
  fmt::print("first frame built {:.1f} ms after start ({} minor page faults on this thread)\n", first_frame_at * 1e3,
             first_frame_faults);
  fmt::print("frames: {}  at {}x{}, scale {:.2f}\n", frame_ms.size(), options.width, options.height, app.ui_scale);
  fmt::print("frame CPU time (ms): mean {:.2f}  min {:.2f}  median {:.2f}  p95 {:.2f}  max {:.2f}  (first {:.2f})\n",
             sum / static_cast<double>(frame_ms.size()), sorted.front(), pct(0.5), pct(0.95), sorted.back(),
             frame_ms.front());
  fmt::print("{}", knob);
  return 0;
}

}  // namespace gilsim::viz::platform
