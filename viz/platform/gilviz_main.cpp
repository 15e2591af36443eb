// gilviz: the viewer. `gilviz [FILE]` opens a scenario (the default one without FILE);
// `--screenshot out.png [--at TIME]` renders once and exits; `--bench-frames N` times frames;
// `--real` runs the scenario for real at start-up, under the predictions; `--cpython` runs its
// Python program in CPython, recorded.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <new>
#include <optional>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sim/cli/unexpected_arguments.hpp"
#include "sim/scenario/bundled_names.hpp"
#include "sim/scenario/value_syntax.hpp"
#include "sim/sweep/sweep_metric.hpp"
#include "sim/trace/atomic_file.hpp"
#include "viz/asset_files.hpp"
#include "viz/knobs.hpp"
#include "viz/sweep_runner.hpp"
#include "viz/platform/options.hpp"
#include "viz/session.hpp"
#include "viz/ui/fonts.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::platform {

namespace {
const auto g_started = std::chrono::steady_clock::now();
}

double seconds_since_start() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - g_started).count();
}

/// `gilviz --assets`: each run-time file and where it was found; 1 when the icon is missing.
int print_assets() {
  const auto icon = gilsim::viz::find_asset(gilsim::viz::kWindowIconFile);
  fmt::print("icon: {}\n", icon.empty() ? "not found (the desktop's default icon)" : icon.string());
  for (const char* face : {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"}) {
    const std::string font = gilsim::viz::ui::find_font(face);
    fmt::print("font {}: {}\n", face, font.empty() ? "not found (Dear ImGui's built-in font)" : font);
  }
  const std::string fallback = gilsim::viz::ui::find_fallback_font();
  fmt::print("font for Chinese, Japanese and Korean names: {}\n",
             fallback.empty() ? "not found (drawn as ?; Debian's fonts-droid-fallback has it)" : fallback);
  fmt::print("searched: ");
  for (const auto& folder : gilsim::viz::asset_folders()) fmt::print("{}, ", folder.string());
  fmt::print("then {} for the font, {} for the fallback\n", gilsim::viz::ui::kSystemFontFolder,
             gilsim::viz::ui::kFallbackFontFolder);
  return icon.empty() ? 1 : 0;
}

/// A number option's value: the whole text a finite number from `low` to `high` (a whole one
/// where `whole`); none otherwise ("nan" passed a range check, and crashed the font's setup).
std::optional<double> number_in(const std::string& text, double low, double high, bool whole) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  if (text.empty() || end != begin + text.size() || !std::isfinite(value) || value < low || value > high ||
      (whole && value != std::floor(value))) {
    return std::nullopt;
  }
  return value;
}

}  // namespace gilsim::viz::platform

int main(int argc, char** argv) {
  using namespace gilsim::viz::platform;
  Options o;
  std::string at_text, size_text, view_text, scale_text, sweep_seeds_text, bench_frames_text;
  CLI::App cli{"gilviz: watch Python's GIL, threads, asyncio and processes at work, a scenario's runs\n"
               "side by side on one time axis. With no file, opens the built-in default scenario.",
               "gilviz"};
  cli.footer(
      "Examples:\n"
      "  gilviz 07 --presentation                 lesson 7 on a projector: bigger, fewer panels\n"
      "  gilviz scenarios/14-two-locks.toml --at 45ms\n"
      "  gilviz 17 --set workers=2                the lesson as it is, a value changed\n"
      "  gilviz 20 --sweep workers=1..16          the speed-up curves of lesson 20\n"
      "  gilviz 07 --real                         measured on this machine, under the predictions\n"
      "  xvfb-run -a gilviz 07 --screenshot convoy.png --size 1280x720\n\n"
      "Exit codes: 0 success (and --help, --version); 2 bad input on the command line (an unknown\n"
      "option, or a value of --set, --sweep, --at, --view or --size refused); 1 any other failure (a\n"
      "scenario file that does not load, no display, a screenshot that cannot be written).");
  // A teacher's options first, as they come up in class; what times and tests the viewer last.
  cli.add_option("file", o.file,
                 "Scenario file (TOML), or a bundled lesson by name or number (07-convoy, 07); the built-in "
                 "default scenario without one")
      ->type_name("FILE");
  cli.add_flag("--presentation", o.presentation, "Start in presentation mode (bigger, fewer panels)");
  cli.add_option("--at", at_text, "Playhead time at start, e.g. 120ms, 1.5s (with --screenshot: the picture's)")
      ->type_name("TIME");
  cli.add_option("--view", view_text, "Time range to show at start, e.g. 80ms..130ms")->type_name("FROM..TO");
  cli.add_option("--size", size_text, "Window size, e.g. 1600x900")->type_name("WIDTHxHEIGHT");
  cli.add_option("--scale", scale_text, "UI scale, 1 to 3")->type_name("SCALE");
  std::vector<std::string> set_texts;
  cli.add_option("--set", set_texts,
                 "Override a scenario value as gilsim run --set does, e.g. --set python.switch_interval=1ms: the "
                 "scenario's value from the start, the knobs move from it; repeatable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cli.add_option("--sweep", o.sweep, "Open the sweep panel on KEY=VALUES, as gilsim sweep --vary takes it (twice: "
                                     "small multiples for the second)")
      ->type_name("KEY=VALUES")
      ->allow_extra_args(false);
  std::string sweep_metric = "speedup";
  cli.add_option("--sweep-metric", sweep_metric,
                 "With --sweep: what the sweep's chart plots: speedup (the default), gil-wait (all threads' waits for the GIL "
                 "added up) or lost-updates (the updates the scenario's "
                 "counters lost, lesson 15)")
      ->type_name("METRIC")
      ->check(CLI::IsMember({"speedup", "gil-wait", "lost-updates"}).description(""));
  cli.add_option("--sweep-seeds", sweep_seeds_text,
                 "With --sweep: simulate each of its grid points with N seeds, 1 to 50, and chart the mean and spread, as "
                 "gilsim sweep --seeds (the panel's seeds field)")
      ->type_name("N");
  cli.add_flag("--real", o.real, "Run every run for real on this machine at start-up (a screenshot waits for them)");
  cli.add_flag("--cpython", o.cpython,
               "Run every run in CPython (its teaching program, recorded) at start-up, under the predictions");
  cli.add_flag("--align-ends", o.align_ends, "Draw every run stretched to end where the time axis ends (compare shapes)");
  cli.add_option("--screenshot", o.screenshot, "Render the window once to this PNG file and exit")->type_name("FILE.png");
  cli.add_flag("--timeline-only", o.timeline_only, "With --screenshot: crop to the timeline (as the Save PNG button does)");
  cli.set_version_flag("--version", fmt::format("gilviz {}", GILSIM_VERSION), "Print the version and exit");
  constexpr const char* kDeveloper = "Developer options (timing the viewer, testing it)";
  cli.add_option("--bench-frames", bench_frames_text, "Build N frames, 1 to 1,000,000, without a window and print frame times")
      ->type_name("N")
      ->group(kDeveloper);
  cli.add_flag("--bench-knob", o.bench_knob,
               "With --bench-frames: then move a knob as the scenario panel does and time the re-simulation, the "
               "indexing and the frame after it")
      ->group(kDeveloper);
  cli.add_flag("--bench-knob-interval", o.bench_knob_interval,
               "As --bench-knob, but move the switch interval (to the value it has) instead of the cores, which keeps "
               "the runs in which no thread waits for a GIL; the values simulated ahead are not timed after it")
      ->group(kDeveloper);
  cli.add_flag("--screenshot-knob", o.screenshot_knob,
               "With --screenshot: move a knob as the scenario panel does (the cores, to the value they have) and "
               "save the first frame that shows the new runs as far as they are simulated")
      ->group(kDeveloper);
  bool list_assets = false;
  cli.add_flag("--assets", list_assets, "Print where the window icon and the font are found, and exit")->group(kDeveloper);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ExtrasError&) {
    // CLI11 said "The following arguments were not expected: nosuch --run", last first.
    std::fprintf(stderr, "%s\n", gilsim::cli::unexpected_arguments(gilsim::cli::unexpected_words(cli), "gilviz", "gilviz", "", "gilviz --help").c_str());
    return 2;
  } catch (const CLI::ParseError& e) {
    // CLI11 would return its own codes (105, 109...); docs/viewer.md promises 0 and 2.
    return cli.exit(e) == 0 ? 0 : 2;
  }
  if (list_assets) return print_assets();
  // Numbers in the viewer's own words, as --at's and --size's are (CLI11 said "Value 0 not in
  // range 1.000000 to 3.000000").
  struct NumberOption {
    const char* name;
    const std::string& text;
    double low, high;
    bool whole;
    const char* expected;
    std::function<void(double)> keep;
  };
  for (const NumberOption& n :
       {NumberOption{"--scale", scale_text, 1.0, 3.0, false, "a number from 1 to 3, e.g. 1.5",
                     [&](double v) { o.scale = static_cast<float>(v); }},
        NumberOption{"--sweep-seeds", sweep_seeds_text, 1, 50, true, "a whole number from 1 to 50",
                     [&](double v) { o.sweep_seeds = static_cast<int>(v); }},
        NumberOption{"--bench-frames", bench_frames_text, 1, 1'000'000, true, "a whole number from 1 to 1,000,000",
                     [&](double v) { o.bench_frames = static_cast<int>(v); }}}) {
    if (cli.count(n.name) == 0) continue;
    const auto value = number_in(n.text, n.low, n.high, n.whole);
    if (!value) {
      fmt::print(stderr, "gilviz: {} '{}': expected {}\n", n.name, n.text, n.expected);
      return 2;
    }
    n.keep(*value);
  }
  // An empty path (a script's unset $OUT) would open the window and never exit.
  if (cli.count("--screenshot") && o.screenshot.empty()) {
    fmt::print(stderr, "gilviz: --screenshot '': expected a file name, e.g. convoy.png\n");
    return 2;
  }
  if (o.timeline_only && o.screenshot.empty()) {
    fmt::print(stderr, "gilviz: --timeline-only needs --screenshot FILE (it crops that picture to the timeline)\n");
    return 2;
  }
  // Without a sweep they would set nothing, and say nothing.
  for (const char* option : {"--sweep-seeds", "--sweep-metric"}) {
    if (cli.count(option) != 0 && o.sweep.empty()) {
      fmt::print(stderr, "gilviz: {} needs --sweep KEY=VALUES (it sets up the sweep that opens)\n", option);
      return 2;
    }
  }
  o.file = gilsim::scenario::resolve_scenario_name(o.file);  // "07-convoy" or "07": a bundled lesson
  if (!set_texts.empty() && o.bench_frames > 0) {
    fmt::print(stderr, "gilviz: --set and --bench-frames do not mix: the frames are timed on the file as it is\n");
    return 2;
  }
  // gilsim's message for a bad --set ("--set cores=0: 'cores' is 0; expected ..."), before any window.
  if (const auto bad = gilsim::viz::check_set(o.file, set_texts, o.set)) {
    fmt::print(stderr, "{}\n", *bad);
    return 2;
  }
  // And a bad --sweep, with gilsim sweep's message for the same --vary, naming --sweep.
  o.sweep_metric = gilsim::sweep::parse_metric(sweep_metric).value_or(gilsim::sweep::Metric::Speedup);
  if (const auto bad = gilsim::viz::check_sweep(o.file, o.set, o.sweep, o.sweep_metric)) {
    fmt::print(stderr, "{}\n", *bad);
    return 2;
  }

  // A time's own problem in the scenario files' words ("'-5ms' is negative; ..."), not one
  // message for every mistake.
  if (!at_text.empty()) {
    const auto at = gilsim::scenario::parse_time(at_text);
    if (!at.ok()) {
      fmt::print(stderr, "gilviz: --at '{}': {}\n", at_text, at.error);
      return 2;
    }
    o.at = at.value;
  }
  if (!view_text.empty()) {
    const auto dots = view_text.find("..");
    if (dots == std::string::npos) {
      fmt::print(stderr, "gilviz: --view '{}': expected FROM..TO, e.g. 80ms..130ms\n", view_text);
      return 2;
    }
    const auto from = gilsim::scenario::parse_time(view_text.substr(0, dots));
    const auto to = gilsim::scenario::parse_time(view_text.substr(dots + 2));
    for (const auto& [side, parsed] : {std::pair{"FROM", &from}, std::pair{"TO", &to}}) {
      if (!parsed->ok()) {
        fmt::print(stderr, "gilviz: --view '{}': {}: {}\n", view_text, side, parsed->error);
        return 2;
      }
    }
    if (to.value <= from.value) {
      fmt::print(stderr, "gilviz: --view '{}': FROM is not before TO; expected FROM < TO, e.g. 80ms..130ms\n",
                 view_text);
      return 2;
    }
    o.view = std::make_pair(from.value, to.value);
  }
  if (!size_text.empty()) {
    unsigned w = 0, h = 0;
    char x = 0;
    int read = 0;  // the characters taken: "800x600junk" was 800x600, as "800x600x3" was
    if (std::sscanf(size_text.c_str(), "%u%c%u%n", &w, &x, &h, &read) != 3 || x != 'x' ||
        static_cast<std::size_t>(read) != size_text.size() || w < 320 || h < 240 || w > 8192 || h > 8192) {
      fmt::print(stderr, "gilviz: --size '{}': expected WIDTHxHEIGHT, e.g. 1600x900 (320x240 to 8192x8192)\n",
                 size_text);
      return 2;
    }
    o.width = w;
    o.height = h;
    o.size_given = true;
  }
  // A screenshot over the scenario it shows would replace the lesson with a picture of it.
  if (auto refused = gilsim::trace::output_replaces_input("--screenshot", o.screenshot, o.file)) {
    fmt::print(stderr, "gilviz: {}\n", *refused);
    return 2;
  }
  // The picture is PNG whatever the name says: "x.jpg" held PNG data an image viewer refused.
  // A device or a FIFO (/dev/null) is written as it is, and a folder refused below (exit 1).
  std::error_code no_file;
  const auto screenshot_status = std::filesystem::status(o.screenshot, no_file);
  const bool file = !std::filesystem::exists(screenshot_status) || std::filesystem::is_regular_file(screenshot_status);
  if (!o.screenshot.empty() && file) {
    std::string extension = std::filesystem::path(o.screenshot).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension != ".png") {
      fmt::print(stderr, "gilviz: --screenshot '{}': the screenshot is a PNG image; give a file name ending in .png\n",
                 o.screenshot);
      return 2;
    }
  }
  try {
    gilsim::trace::check_output_path(o.screenshot);  // before the window and the model's work
  } catch (const std::runtime_error& e) {
    fmt::print(stderr, "gilviz: {}\n", e.what());
    return 1;
  }
  if (o.screenshot_knob && o.screenshot.empty()) {
    fmt::print(stderr, "gilviz: --screenshot-knob needs --screenshot FILE\n");
    return 2;
  }
  if ((o.bench_knob || o.bench_knob_interval) && o.bench_frames == 0) {
    fmt::print(stderr, "gilviz: --bench-knob needs --bench-frames N (the frames before the knob moves)\n");
    return 2;
  }
  if (o.bench_frames > 0) {
    if (o.real || o.cpython) {
      fmt::print(stderr, "gilviz: --real or --cpython and --bench-frames do not mix: real runs would skew the frame times\n");
      return 2;
    }
  }
  // The frame thread's memory running out (a scenario of hour-long jobs in a small address
  // space): said, not an abort.
  try {
    return o.bench_frames > 0 ? run_bench(o) : run_window(o);
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "gilviz: {}\n", gilsim::viz::kOutOfMemory);
    return 1;
  }
}
