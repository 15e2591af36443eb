// "Run for real": the button, a progress bar with Cancel while the runs execute in the
// background, and what became of each run (measured with its error, refused, failed).
#include <fmt/format.h>
#include <imgui.h>

#include "sim/real/execute.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::ui {

namespace {

const ImVec4 kErrorText(0.75f, 0.1f, 0.0f, 1.0f);

/// " (prediction +3.2%)": how far the prediction of `measured_run` is off, " (not scored: the
/// recording saw ...)", or empty without a prediction.
std::string error_of(const RealRunsView& view, std::uint32_t measured_run) {
  const auto& error = measured_run < view.errors.size() ? view.errors[measured_run] : std::nullopt;
  if (error) return fmt::format(" (prediction {:+.1f}%)", 100.0 * *error);
  const auto& why = measured_run < view.not_scored.size() ? view.not_scored[measured_run] : std::nullopt;
  return why ? fmt::format(" ({})", *why) : std::string();
}

/// Share of the whole measurement done: finished runs plus the running one's finished jobs.
float done_fraction(const RealProgress& p) {
  const float within = p.jobs_total > 0 ? static_cast<float>(p.jobs_done) / static_cast<float>(p.jobs_total) : 0.0f;
  return p.run_count > 0 ? (static_cast<float>(p.run_index) + within) / static_cast<float>(p.run_count) : 0.0f;
}

void draw_progress(const Measuring& measuring, RealRunsRequest& asked) {
  const RealProgress p = measuring.runner.progress();
  const std::string overlay = fmt::format("run {} of {}: {}  ({}/{} jobs)", p.run_index + 1, p.run_count,
                                          p.run_name, p.jobs_done, p.jobs_total);
  ImGui::ProgressBar(done_fraction(p), ImVec2(-ImGui::GetFontSize() * 5, 0), overlay.c_str());
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) asked.cancel = true;
}

void draw_outcomes(const RealRunsView& view) {
  const auto& runs = view.session.runs();
  for (const RealOutcome& o : view.measuring.outcomes) {
    using Kind = RealOutcome::Kind;
    switch (o.kind) {
      case Kind::Measured: {
        std::string error;
        for (std::uint32_t r = 0; r < runs.size(); ++r) {
          if (runs[r].origin == trace::Origin::Measured && runs[r].run_name == o.run_name) error = error_of(view, r);
        }
        ImGui::Bullet();
        ImGui::TextWrapped("%s: measured%s", o.run_name.c_str(), error.c_str());
        break;
      }
      case Kind::Refused:
        ImGui::Bullet();
        ImGui::TextWrapped("%s", outcome_line(o).c_str());
        break;
      case Kind::Cancelled:
        ImGui::BulletText("%s", outcome_line(o).c_str());
        break;
      case Kind::Failed:
        ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
        ImGui::Bullet();
        ImGui::TextWrapped("%s", outcome_line(o).c_str());
        ImGui::PopStyleColor();
        break;
    }
  }
}

}  // namespace

RealRunsRequest draw_real_run_button(const Measuring& measuring) {
  RealRunsRequest asked;
  if (!measuring.runner.running()) {
    if (ImGui::Button("Run for real")) asked.start = RealSource::Executors;
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("run every run on this machine, in the background; measured lanes appear under the predicted ones");
    }
    ImGui::SameLine();
    if (ImGui::Button("Run in CPython")) asked.start = RealSource::CPython;
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("run the scenario's Python program (gilsim python) in CPython, recorded; its lanes and "
                        "inferred GIL appear under the predicted ones");
    }
    return asked;
  }
  const RealProgress p = measuring.runner.progress();
  const std::string overlay = fmt::format("real run {}/{}", p.run_index + 1, p.run_count);
  ImGui::ProgressBar(done_fraction(p), ImVec2(ImGui::GetFontSize() * 8, 0), overlay.c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: %d of %d jobs done", p.run_name.c_str(), p.jobs_done, p.jobs_total);
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) asked.cancel = true;
  return asked;
}

RealRunsRequest draw_real_runs(const RealRunsView& view) {
  RealRunsRequest asked;
  const int cpus = real::available_cpus();
  const bool running = view.measuring.runner.running();
  if (running) {
    draw_progress(view.measuring, asked);
  } else {
    if (ImGui::Button("Run for real")) asked.start = RealSource::Executors;
    ImGui::SameLine();
    if (ImGui::Button("Run in CPython")) asked.start = RealSource::CPython;
    // Beside the buttons where there is room, under them where there is not.
    const char* where = "on this machine, in the background";
    same_line_or_wrap(ImGui::CalcTextSize(where).x);
    ImGui::TextDisabled("%s", where);
  }
  bool any_measured = false;
  for (const trace::Trace& run : view.session.runs()) any_measured |= run.origin == trace::Origin::Measured;
  bool clip = view.clip_measured;
  if (any_measured && ImGui::Checkbox("time axis ends with the predictions", &clip)) asked.clip_measured = clip;
  if (any_measured && ImGui::IsItemHovered()) {
    ImGui::SetTooltip("a slower measured run then runs past the right edge instead of squeezing every run");
  }
  if (view.session.fitted_to_this_machine()) {
    ImGui::TextWrapped("The model predicts for this machine's %d core%s, so prediction and measurement "
                       "compare; measured lanes sit under their predictions.", cpus, cpus == 1 ? "" : "s");
    if (!view.session.machine_note().empty()) text_disabled_wrapped(view.session.machine_note());
    // Leaving the fit re-runs the model for the file's cores, which drops the measured runs.
    if (!running && ImGui::SmallButton("Predict for the file's cores again")) asked.predict_for_file_cores = true;
  } else {
    ImGui::TextWrapped("Runs every run for real (threads on a real GIL, a real event loop, worker "
                       "processes) and stacks the measured lanes under the predicted ones. The model is "
                       "first fitted to this machine's %d core%s.", cpus, cpus == 1 ? "" : "s");
  }
  if (view.measuring.stopped_by_change) {
    ImGui::TextWrapped("The scenario changed, so the real runs were stopped and their results dropped; "
                       "run them again for the new values.");
  }
  draw_outcomes(view);
  return asked;
}

RealRunsView real_runs_view(const AppState& app) {
  RealRunsView view{app.measuring, app.session, {}, {}, app.clip_measured};
  for (std::uint32_t r = 0; r < app.session.runs().size(); ++r) {
    view.errors.push_back(prediction_error_of(app, r));
    view.not_scored.push_back(app.runs.size() > r && app.runs[r].predicted_by != trace::kNone ? not_scored(app, r)
                                                                                              : std::nullopt);
  }
  return view;
}

void apply_real_runs(AppState& app, const RealRunsRequest& asked) {
  if (asked.cancel) app.measuring.runner.cancel();
  if (asked.start) start_measuring(app, *asked.start);
  if (asked.clip_measured) {
    app.clip_measured = *asked.clip_measured;
    app.fit_pending = true;
  }
  if (asked.predict_for_file_cores) {
    app.session.fit_to_this_machine(false);
    refresh_derived(app);
  }
}

}  // namespace gilsim::viz::ui
