// Lesson 20's sweep with a second key, presented: the small multiples draw on a projector's
// screen instead of "Too little room for the chart", compared alike, each naming its peak in the
// words a class reads there (the chart laid out again in the room the panel gave it).
#include <doctest/doctest.h>

#include <string>

#include <imgui_internal.h>

#include "headless_viewer.hpp"
#include "viz/sweep_chart.hpp"
#include "viz/ui/panels.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

/// Opens lesson 20 in `v` (presented or not), sweeps it over `vary` and `also` with `metric`,
/// and draws the panel.
void sweep_lesson_20(HeadlessViewer& v, bool presenting, const std::string& vary, const std::string& also,
                     sweep::Metric metric = sweep::Metric::Speedup) {
  if (presenting) {
    v.present(testing::bundled_lesson("20-sweep-pool-size.toml"));
  } else {
    REQUIRE(v.open(testing::bundled_lesson("20-sweep-pool-size.toml")));
  }
  v.app.sweep.vary = vary;
  v.app.sweep.vary_also = also;
  v.app.sweep.metric = metric;
  ui::start_sweep(v.app.sweep, v.app.session);
  v.app.sweep.runner.wait();
  for (int i = 0; i < 3; ++i) v.frame();
  REQUIRE(v.app.sweep.shown);
}

}  // namespace

TEST_CASE("lesson 20's sweep over workers and cores draws its six plots presented at 1280x720, 1366x768 and 1600x900") {
  // Two rows of three plots needed more height than the panel had under the timeline's runs:
  // the panel said "Too little room for the chart" at 1280x720 and 1600x900 alike.
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1366, 768), ImVec2(1600, 900)}) {
    for (const bool presenting : {true, false}) {
      INFO(size.x, "x", size.y, std::string(presenting ? ", presenting" : ""));
      HeadlessViewer v(size);
      sweep_lesson_20(v, presenting, "workers=1..16", "cores=1..6");
      CHECK_FALSE(v.app.sweep.chart_too_small);
    }
  }
}

TEST_CASE("small multiples compare as the panel lays them out: the same x ticks and y scale in every plot, each "
          "plot's highest point said with the key's name or alone, plots tall enough to read") {
  // gilviz 20 --sweep workers=1..16 --sweep cores=1..6 at 1280x720: two rows of plots about four
  // lines tall, each labelling its x values its own way; then, presented, "3.55x at 4" under
  // "cores = 4", read as the cores. The sizes are the panel's own, not figures written here.
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1366, 768), ImVec2(1600, 900)}) {
    for (const bool presenting : {true, false}) {
      INFO(size.x, "x", size.y, std::string(presenting ? ", presenting" : ""));
      HeadlessViewer v(size);
      sweep_lesson_20(v, presenting, "workers=1..16", "cores=1..6");
      REQUIRE(v.app.sweep.chart_size);
      const SweepChartSize room = *v.app.sweep.chart_size;
      const sweep::SweepPlan& plan = v.app.sweep.shown->plan;
      const sweep::SweepResult& result = *v.app.sweep.shown->result;
      const sweep::Axis& workers = plan.axes.front();
      const SweepChart chart = layout_sweep_chart(plan, result, room);
      REQUIRE_FALSE(chart.too_small);
      REQUIRE(chart.plots.size() == 6);
      const SweepPlot& first = chart.plots.front();
      const float height = first.bottom - first.top, width = first.right - first.left;
      // Tall enough for the y axis's labels (presented at 1280x720: about four lines).
      CHECK(height >= room.text_height * kMinPlotLines);
      CHECK(width >= height * 0.5f);
      for (std::size_t c = 0; c < chart.plots.size(); ++c) {
        const SweepPlot& plot = chart.plots[c];
        INFO(plot.title, ": ", plot.peak_text);
        CHECK(plot.left >= room.left);
        CHECK(plot.right <= room.left + room.width);
        CHECK(plot.bottom <= room.top + room.height);
        // The same size, the same x labels at the same places, the same y scale.
        CHECK(plot.bottom - plot.top == doctest::Approx(height));
        CHECK(plot.right - plot.left == doctest::Approx(width));
        REQUIRE(plot.x_ticks.size() == first.x_ticks.size());
        for (std::size_t t = 0; t < plot.x_ticks.size(); ++t) {
          CHECK(plot.x_ticks[t].label == first.x_ticks[t].label);
          CHECK(plot.x_ticks[t].label_at - plot.left == doctest::Approx(first.x_ticks[t].label_at - first.left));
        }
        REQUIRE(plot.y_ticks.size() == first.y_ticks.size());
        for (std::size_t t = 0; t < plot.y_ticks.size(); ++t) {
          CHECK(plot.y_ticks[t].at - plot.top == doctest::Approx(first.y_ticks[t].at - first.top));
        }
        // Its own highest point but the baseline's, found here from the figures: said, and ringed.
        std::size_t best_run = 0, best_index = 0;
        double best = -1.0;
        for (std::size_t run = 0; run < plot.lines.size(); ++run) {
          if (plan.runs[run] == 0) continue;
          for (std::size_t i = 0; i < plot.lines[run].size(); ++i) {
            const auto s = sweep::summarise(result, plot.lines[run][i].point, run);
            if (s.finished() && s.speedup.mean > best + 1e-9) {
              best = s.speedup.mean;
              best_run = run;
              best_index = i;
            }
          }
        }
        REQUIRE(plot.peak);
        CHECK(plot.peak->first == best_run);
        CHECK(plot.peak->second == best_index);
        const std::string value = sweep::metric_value_text(plan.metric, best);
        const std::string at = workers.shown(0, best_index);
        CHECK((plot.peak_text == value || plot.peak_text == value + " at workers = " + at ||
               plot.peak_text == value + " at workers=" + at || plot.peak_text == value + " (workers=" + at + ")"));
        // Inside its cell, clear of its title and of the plot below the title.
        const float text_w = room.text_width(plot.peak_text);
        const float title_w = room.text_width(plot.title);
        CHECK(plot.peak_top + room.text_height <= plot.top);
        CHECK((plot.peak_left >= plot.title_left + title_w || plot.peak_top >= plot.title_top + room.text_height));
        const bool row_goes_on = c + 1 < chart.plots.size() && chart.plots[c + 1].top == plot.top;
        CHECK(plot.peak_left + text_w <= (row_goes_on ? chart.plots[c + 1].left : room.left + room.width));
      }
      // Lesson 20 asks for the fork pool's 3.55x at 4 workers on four cores.
      const SweepPlot& four = chart.plots[3];
      CHECK(four.title == "cores = 4");
      CHECK(four.peak_text.starts_with("3.55x"));
      CHECK(workers.shown(0, four.peak->second) == "4");
    }
  }
}

TEST_CASE("lesson 20's GIL wait over workers and cores presented at 1280x720 draws its plots, its peaks beside the "
          "titles") {
  // gilviz 20 --sweep workers=1..8 --sweep cores=1..4 --sweep-metric gil-wait --presentation
  // --size 1280x720 said "Too little room for the chart": the peak's line under the title took it.
  HeadlessViewer v(ImVec2(1280, 720));
  sweep_lesson_20(v, true, "workers=1..8", "cores=1..4", sweep::Metric::GilWait);
  REQUIRE(v.app.sweep.chart_size);
  INFO("room ", v.app.sweep.chart_size->width, "x", v.app.sweep.chart_size->height, ", lines ",
       v.app.sweep.chart_size->text_height);
  CHECK_FALSE(v.app.sweep.chart_too_small);
  const SweepChart chart = layout_sweep_chart(v.app.sweep.shown->plan, *v.app.sweep.shown->result, *v.app.sweep.chart_size);
  REQUIRE(chart.plots.size() == 4);
  for (const SweepPlot& plot : chart.plots) {
    INFO(plot.title, ": ", plot.peak_text);
    CHECK(plot.bottom - plot.top >= v.app.sweep.chart_size->text_height * kMinPlotLines);
  }
}
