// "Run for real": the button, a progress bar with Cancel while the runs execute in the
// background, and what became of each run (measured with its error, refused, failed).
#include <fmt/format.h>
#include <imgui.h>

#include "sim/real/execute.hpp"
#include "viz/ui/panels.hpp"

namespace gilsim::viz::ui {

namespace {

const ImVec4 kErrorText(0.75f, 0.1f, 0.0f, 1.0f);

/// "+3.2%": how far the prediction of `measured_run` is off, or empty without a prediction.
std::string error_of(const AppState& app, std::uint32_t measured_run) {
  const auto error = prediction_error_of(app, measured_run);
  return error ? fmt::format("{:+.1f}%", 100.0 * *error) : std::string();
}

void disabled_wrapped(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

/// Share of the whole measurement done: finished runs plus the running one's finished jobs.
float done_fraction(const RealProgress& p) {
  const float within = p.jobs_total > 0 ? static_cast<float>(p.jobs_done) / static_cast<float>(p.jobs_total) : 0.0f;
  return p.run_count > 0 ? (static_cast<float>(p.run_index) + within) / static_cast<float>(p.run_count) : 0.0f;
}

void draw_progress(AppState& app) {
  const RealProgress p = app.measuring.runner.progress();
  const std::string overlay = fmt::format("run {} of {}: {}  ({}/{} jobs)", p.run_index + 1, p.run_count,
                                          p.run_name, p.jobs_done, p.jobs_total);
  ImGui::ProgressBar(done_fraction(p), ImVec2(-ImGui::GetFontSize() * 5, 0), overlay.c_str());
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) app.measuring.runner.cancel();
}

void draw_outcomes(const AppState& app) {
  const auto& runs = app.session.runs();
  for (const RealOutcome& o : app.measuring.outcomes) {
    using Kind = RealOutcome::Kind;
    switch (o.kind) {
      case Kind::Measured: {
        std::string error;
        for (std::uint32_t r = 0; r < runs.size(); ++r) {
          if (runs[r].origin == trace::Origin::Measured && runs[r].run_name == o.run_name) error = error_of(app, r);
        }
        ImGui::Bullet();
        ImGui::TextWrapped("%s: measured%s", o.run_name.c_str(),
                           error.empty() ? "" : fmt::format(" (prediction {})", error).c_str());
        break;
      }
      case Kind::Refused:
        ImGui::Bullet();
        ImGui::TextWrapped("%s: not run here", o.run_name.c_str());
        ImGui::Indent();
        disabled_wrapped(o.message);
        ImGui::Unindent();
        break;
      case Kind::Cancelled:
        ImGui::BulletText("%s: cancelled", o.run_name.c_str());
        break;
      case Kind::Failed:
        ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
        ImGui::Bullet();
        ImGui::TextWrapped("%s failed: %s", o.run_name.c_str(), o.message.c_str());
        ImGui::PopStyleColor();
        break;
    }
  }
}

}  // namespace

void draw_real_run_button(AppState& app) {
  if (!measuring(app)) {
    if (ImGui::Button("Run for real")) start_measuring(app);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("run every run on this machine, in the background; measured lanes appear under the predicted ones");
    }
    ImGui::SameLine();
    if (ImGui::Button("Run in CPython")) start_measuring(app, RealSource::CPython);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("run the scenario's Python program (gilsim python) in CPython, recorded; its lanes and "
                        "inferred GIL appear under the predicted ones");
    }
    return;
  }
  const RealProgress p = app.measuring.runner.progress();
  const std::string overlay = fmt::format("real run {}/{}", p.run_index + 1, p.run_count);
  ImGui::ProgressBar(done_fraction(p), ImVec2(ImGui::GetFontSize() * 8, 0), overlay.c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: %d of %d jobs done", p.run_name.c_str(), p.jobs_done, p.jobs_total);
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) app.measuring.runner.cancel();
}

void draw_real_runs(AppState& app) {
  const int cpus = real::available_cpus();
  if (measuring(app)) {
    draw_progress(app);
  } else {
    if (ImGui::Button("Run for real")) start_measuring(app);
    ImGui::SameLine();
    if (ImGui::Button("Run in CPython")) start_measuring(app, RealSource::CPython);
    ImGui::SameLine();
    ImGui::TextDisabled("on this machine, in the background");
  }
  bool any_measured = false;
  for (const trace::Trace& run : app.session.runs()) any_measured |= run.origin == trace::Origin::Measured;
  if (any_measured && ImGui::Checkbox("time axis ends with the predictions", &app.clip_measured)) app.fit_pending = true;
  if (any_measured && ImGui::IsItemHovered()) {
    ImGui::SetTooltip("a slower measured run then runs past the right edge instead of squeezing every run");
  }
  if (app.session.fitted_to_this_machine()) {
    ImGui::TextWrapped("The model predicts for this machine's %d core%s, so prediction and measurement "
                       "compare; measured lanes sit under their predictions.", cpus, cpus == 1 ? "" : "s");
    if (!app.session.machine_note().empty()) disabled_wrapped(app.session.machine_note());
    // Leaving the fit re-runs the model for the file's cores, which drops the measured runs.
    if (!measuring(app) && ImGui::SmallButton("Predict for the file's cores again")) {
      app.session.fit_to_this_machine(false);
      refresh_derived(app);
    }
  } else {
    ImGui::TextWrapped("Runs every run for real (threads on a real GIL, a real event loop, worker "
                       "processes) and stacks the measured lanes under the predicted ones. The model is "
                       "first fitted to this machine's %d core%s.", cpus, cpus == 1 ? "" : "s");
  }
  if (app.measuring.stopped_by_change) {
    ImGui::TextWrapped("The scenario changed, so the real runs were stopped and their results dropped; "
                       "run them again for the new values.");
  }
  draw_outcomes(app);
}

}  // namespace gilsim::viz::ui
