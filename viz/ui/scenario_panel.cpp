// The scenario: bundled list, a path to open, the teaching note, and knobs that re-run the
// model at once. A broken file shows its error; the last good runs stay on screen.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <imgui.h>
#include <imgui_stdlib.h>

#include "viz/text_layout.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::ui {

namespace {

void open_file(AppState& app, const std::filesystem::path& path) {
  if (app.session.open(path)) {
    app.path_field = path.string();
    app.playback.seek(Time::zero());
  }
  refresh_derived(app);
}

/// The value a knob shows before the user touches it: what the scenario itself says.
int first_pool_workers(const scenario::Scenario& s) {
  for (const scenario::Run& r : s.runs) {
    if (r.executor == scenario::Executor::ThreadPool || r.executor == scenario::Executor::ProcessPool) {  // pools only
      return scenario::effective_workers(s, r);
    }
  }
  return 0;
}

}  // namespace

void draw_scenario_panel(AppState& app) {
  const scenario::Scenario& s = app.session.scenario();
  ImGui::PushFont(bold_font());
  ImGui::TextWrapped("%s", s.title.c_str());
  ImGui::PopFont();
  ImGui::TextDisabled("%s", app.session.file().empty() ? "built-in default scenario" : app.session.file().string().c_str());
  if (!app.session.error().empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.0f, 1.0f));
    ImGui::TextWrapped("%s", app.session.error().c_str());
    ImGui::PopStyleColor();
    ImGui::TextDisabled("(showing the last runs that loaded)");
  }

  if (ImGui::CollapsingHeader("Teaching note", ImGuiTreeNodeFlags_DefaultOpen)) {
    // Our own wrap, at spaces only: ImGui's breaks after a full stop ("1." / "8x").
    const std::string note = reflow(s.note);
    const auto measure = [](std::string_view t) { return ImGui::CalcTextSize(t.data(), t.data() + t.size()).x; };
    for (std::string_view line : wrap_at_spaces(note, ImGui::GetContentRegionAvail().x, measure)) {
      ImGui::TextUnformatted(line.data(), line.data() + line.size());
    }
  }

  if (ImGui::CollapsingHeader("Predicted and measured", ImGuiTreeNodeFlags_DefaultOpen)) draw_real_runs(app);

  if (ImGui::CollapsingHeader("Knobs", ImGuiTreeNodeFlags_DefaultOpen)) {
    Knobs k = app.session.knobs();
    bool changed = false, released = false;
    const auto track = [&](bool edited) {
      changed |= edited;
      released |= ImGui::IsItemDeactivatedAfterEdit();
    };
    int cores = k.cores.value_or(s.machine.cores);
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 7);
    track(ImGui::SliderInt("cores", &cores, 1, std::max(32, s.machine.cores)));
    float interval_ms = static_cast<float>(k.switch_interval.value_or(s.python.switch_interval).ms());
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 7);
    track(ImGui::SliderFloat("switch interval", &interval_ms, 0.1f, 50.0f, "%.1f ms", ImGuiSliderFlags_Logarithmic));
    const int default_workers = first_pool_workers(s);
    int workers = k.workers.value_or(std::max(1, default_workers));
    if (default_workers > 0 || k.workers) {
      ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 7);
      track(ImGui::SliderInt("pool workers", &workers, 1, std::max(64, default_workers),
                             "%d", ImGuiSliderFlags_Logarithmic));
    }
    int jobs = k.jobs.value_or(s.jobs.empty() ? 1 : s.jobs.front().count);
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 7);
    // Ranges reach at least the file's own values (the C10k scenario has 10,000 jobs).
    const int file_jobs = s.jobs.empty() ? 1 : s.jobs.front().count;
    track(ImGui::SliderInt("jobs (each kind)", &jobs, 1, std::max(200, file_jobs), "%d", ImGuiSliderFlags_Logarithmic));
    if (changed) {
      if (cores != s.machine.cores || k.cores) k.cores = cores;
      const Time interval = Time::from_seconds(static_cast<double>(interval_ms) / 1e3);
      if (std::abs(interval_ms - static_cast<float>(s.python.switch_interval.ms())) > 1e-3f || k.switch_interval) {
        k.switch_interval = interval;
      }
      if (workers != default_workers || k.workers) k.workers = workers;
      if (s.jobs.empty() || jobs != s.jobs.front().count || k.jobs) k.jobs = jobs;
    }
    // Small scenarios re-run while the slider moves; big ones when it is let go.
    const bool cheap = app.session.last_simulation_seconds() < 0.05;
    if ((changed && cheap) || released) {
      app.session.set_knobs(k);
      refresh_derived(app);
    }
    if (app.session.knobs().any() && ImGui::Button("Back to the file's values")) {
      app.session.set_knobs({});
      refresh_derived(app);
    }
    draw_sweep_knob_buttons(app);
  }

  if (ImGui::CollapsingHeader("Open", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (ImGui::Selectable("default (built in)", app.session.file().empty())) open_file(app, {});
    for (const BundledScenario& b : app.bundled) {
      const bool current = app.session.file() == b.path;
      const std::string label = fmt::format("{}  ({})", b.title, b.path.filename().string());
      if (ImGui::Selectable(label.c_str(), current)) open_file(app, b.path);
    }
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 4);
    const bool enter = ImGui::InputText("##path", &app.path_field, ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    if (ImGui::Button("Open") || enter) open_file(app, app.path_field);
    ImGui::TextDisabled("The file is watched: save it and the runs update.");
  }
}

}  // namespace gilsim::viz::ui
