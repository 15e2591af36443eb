// Start-up shared by every mode.
#include "viz/platform/app_setup.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "viz/ui/panels.hpp"

namespace gilsim::viz::platform {

float initial_ui_scale(const Options& options) {
  if (options.presentation && options.scale == 1.0f) return presentation_scale(static_cast<float>(options.width), static_cast<float>(options.height));
  return options.scale;
}

bool finish_set_up(AppState& app, BackgroundLoad& load, const Options& options, std::vector<BundledScenario> bundled) {
  if (!load.wait()) {
    fmt::print(stderr, "gilviz: {}\n", app.session.error());
    return false;
  }
  // A --view or --at past every run's end showed another range, or the end, without a word:
  // said, and the whole runs shown or the playhead put at the end (a script giving every
  // lesson --at 100ms goes on). Runs measured at start-up may end later: theirs is not known yet.
  bool view_past_end = false;
  if (!options.real && !options.cpython && !app.session.runs().empty()) {
    Time last = Time::zero();
    for (const trace::Trace& run : app.session.runs()) last = std::max(last, run.end);
    // As one types them: "1.013s", not "1.013 s" nor "1,000 s"; `resolution` 1 ns says the
    // range as given ("1.000s..1.000s" was 1000ms..1000.3ms rounded).
    const auto typed = [](Time t, Time resolution = Time::zero()) {
      std::string text = resolution > Time::zero() ? format_time_to(t, resolution) : fmt::format("{}", t);
      std::erase_if(text, [](char c) { return c == ' ' || c == ','; });
      return text;
    };
    if (options.view && options.view->first >= last) {
      view_past_end = true;
      fmt::print(stderr, "gilviz: --view {}..{} starts after the runs end at {}: the whole runs are shown instead\n",
                 typed(options.view->first, Time{1}), typed(options.view->second, Time{1}), typed(last));
    }
    // Within a hundredth of the end is the end, as the figures print it ("--at 1.013s" for an
    // end at 1.012997 s).
    if (options.at && *options.at > last + Time{last.ns() / 100}) {
      fmt::print(stderr, "gilviz: --at {} is after the runs end at {}: the playhead starts at the end\n",
                 typed(*options.at), typed(last));
    }
  }
  app.path_field = options.file;
  app.ui_scale = initial_ui_scale(options);
  app.presentation = options.presentation;
  app.align_ends = options.align_ends;
  app.legend_fits_timeline = options.timeline_only && !options.screenshot.empty();  // the PNG crops to the timeline
  // A class sees every run: presenting, or at a scale only a projector asks for.
  app.fit_runs = options.presentation || options.scale >= 2.0f;
  app.auto_presentation_scale = options.presentation && options.scale == 1.0f;
  if (options.at) app.playback.seek(*options.at);  // past the end: at the end (seek() stops there)
  if (options.view && !view_past_end) {
    app.fit_range = options.view;
    app.follow_playhead = false;
  }
  app.bundled = std::move(bundled);
  // A knob change's first parts are indexed from where the last part's indices left off.
  app.session.index_previews_with(preview_indexer_for_session);
  // A knob change's runs are indexed each as it ends, beside the runs still simulated.
  app.session.derive_runwise_with(runwise_derive_for_session());
  // The knobs' neighbouring values, simulated while the cores idle (docs/viewer.md). Not for
  // a screenshot (its picture is of the values asked for) nor a bench (--bench-knob starts it
  // once the change it times is in, to time both apart).
  if (options.screenshot.empty() && options.bench_frames == 0) app.session.speculate_neighbours(derive_runs_for_session);
  if (options.real) start_measuring_after_first_frame(app);
  if (options.cpython) start_measuring_after_first_frame(app, RealSource::CPython);
  if (!options.sweep.empty()) {
    app.sweep.vary = options.sweep.front();
    if (options.sweep.size() > 1) app.sweep.vary_also = options.sweep[1];
    app.sweep.metric = options.sweep_metric;
    app.sweep.seeds = options.sweep_seeds;
    ui::start_sweep(app.sweep, app.session);
  }
  return true;
}

}  // namespace gilsim::viz::platform
