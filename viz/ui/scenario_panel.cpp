// The scenario: bundled list, a path to open, the teaching note, and knobs that re-run the
// model at once. A broken file shows its error; the last good runs stay on screen.
#include <algorithm>
#include <cmath>
#include <optional>

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

/// The title, the file, a load error, and the teaching note (reads the session only).
void draw_note(const Session& session) {
  const scenario::Scenario& s = session.scenario();
  ImGui::PushFont(bold_font());
  ImGui::TextWrapped("%s", s.title.c_str());
  ImGui::PopFont();
  text_disabled_wrapped(session.file().empty() ? "built-in default scenario" : session.file().string());
  if (!session.knobs().base.empty()) {
    ImGui::TextWrapped("changed on the command line: %s (gilviz --set)", set_note(session.knobs().base).c_str());
    // A --set that some runs do not take says so, in the command line's words: lesson 5's runs
    // each set their own switch interval, and `--set switch_interval=2ms` changed none of them.
    for (const std::string& missed : set_misses(s, session.knobs())) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.65f, 0.25f, 0.0f, 1.0f));
      ImGui::TextWrapped("%s", missed.c_str());
      ImGui::PopStyleColor();
    }
  }
  if (!session.error().empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.0f, 1.0f));
    ImGui::TextWrapped("%s", session.error().c_str());
    ImGui::PopStyleColor();
    ImGui::TextDisabled("(showing the last runs that loaded)");
  }
  if (ImGui::CollapsingHeader("Teaching note", ImGuiTreeNodeFlags_DefaultOpen)) {
    // The note speaks of the file's values ("with two cores"): where a knob or a --set changed
    // the runs, it says so above it, as the command line does.
    if (const std::string caveat = note_written_for_file(s, session.knobs()); !caveat.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.65f, 0.25f, 0.0f, 1.0f));
      ImGui::TextWrapped("(%s)", caveat.c_str());
      ImGui::PopStyleColor();
    }
    // Our own wrap, at spaces: ImGui's breaks after a full stop ("1." / "8x"). A word wider
    // than the panel (lesson 21's --vary value) breaks after its punctuation, never cut.
    const std::string note = reflow(s.note);
    const auto measure = [](std::string_view t) { return ImGui::CalcTextSize(t.data(), t.data() + t.size()).x; };
    for (std::string_view line : wrap_breaking_words(note, ImGui::GetContentRegionAvail().x, measure)) {
      ImGui::TextUnformatted(line.data(), line.data() + line.size());
    }
  }
}

/// The classroom knobs over the scenario `s` and the knobs in force: the knobs to run with
/// when the user moved one (at once when a run is `cheap`, else when the slider is let go),
/// or stepped one with its arrows (at once: the values a step reaches are simulated ahead).
std::optional<Knobs> draw_knobs(const scenario::Scenario& s, const Knobs& in_force, bool cheap) {
  Knobs k = in_force;
  bool changed = false, released = false;
  std::optional<KnobStep> stepped;
  const float inner = ImGui::GetStyle().ItemInnerSpacing.x;
  // The sliders leave room for their longest label.
  const float slider_w = -(text_width("jobs (each kind)") + inner);
  const auto track = [&](bool edited) {
    changed |= edited;
    released |= ImGui::IsItemDeactivatedAfterEdit();
  };
  // Left of each slider, one step down and up (step_knob): exactly the values kept ahead.
  const auto arrows = [&](const char* id, Knob knob) {
    ImGui::PushID(id);
    if (ImGui::ArrowButton("##down", ImGuiDir_Left)) stepped = KnobStep{knob, -1};
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("one step down");
    ImGui::SameLine(0, inner);
    if (ImGui::ArrowButton("##up", ImGuiDir_Right)) stepped = KnobStep{knob, +1};
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("one step up");
    ImGui::PopID();
    ImGui::SameLine(0, inner);
  };
  int cores = k.cores.value_or(s.machine.cores);
  arrows("cores", Knob::Cores);
  ImGui::SetNextItemWidth(slider_w);
  track(ImGui::SliderInt("cores", &cores, 1, std::max(32, s.machine.cores)));
  float interval_ms = static_cast<float>(k.switch_interval.value_or(s.python.switch_interval).ms());
  arrows("interval", Knob::SwitchInterval);
  ImGui::SetNextItemWidth(slider_w);
  track(ImGui::SliderFloat("switch interval", &interval_ms, 0.1f, 50.0f, "%.1f ms", ImGuiSliderFlags_Logarithmic));
  const int default_workers = first_pool_workers(s);
  int workers = k.workers.value_or(std::max(1, default_workers));
  if (default_workers > 0 || k.workers) {
    arrows("workers", Knob::Workers);
    ImGui::SetNextItemWidth(slider_w);
    track(ImGui::SliderInt("pool workers", &workers, 1, std::max(64, default_workers),
                           "%d", ImGuiSliderFlags_Logarithmic));
  }
  int jobs = k.jobs.value_or(s.jobs.empty() ? 1 : s.jobs.front().count);
  arrows("jobs", Knob::Jobs);
  ImGui::SetNextItemWidth(slider_w);
  // Ranges reach at least the file's own values (the C10k scenario has 10,000 jobs).
  const int file_jobs = s.jobs.empty() ? 1 : s.jobs.front().count;
  track(ImGui::SliderInt("jobs (each kind)", &jobs, 1, std::max(200, file_jobs), "%d", ImGuiSliderFlags_Logarithmic));
  if (stepped) return step_knob(s, in_force, *stepped);  // nothing past a slider's end
  if (changed) {
    if (cores != s.machine.cores || k.cores) k.cores = cores;
    const Time interval = Time::from_seconds(static_cast<double>(interval_ms) / 1e3);
    if (std::abs(interval_ms - static_cast<float>(s.python.switch_interval.ms())) > 1e-3f || k.switch_interval) {
      k.switch_interval = interval;
    }
    // A scenario without a pool has no workers to set: the values stay the ones kept ahead.
    if ((default_workers > 0 && workers != default_workers) || k.workers) k.workers = workers;
    if (s.jobs.empty() || jobs != s.jobs.front().count || k.jobs) k.jobs = jobs;
  }
  // Small scenarios re-run while the slider moves; big ones when it is let go.
  if ((changed && cheap) || released) return k;
  if (in_force.any() && ImGui::Button(in_force.base.empty() ? "Back to the file's values" : "Back to the --set values")) {
    Knobs back;
    back.base = in_force.base;
    return back;
  }
  return std::nullopt;
}

/// The bundled scenarios and a path field: the file to open, when one was chosen.
std::optional<std::filesystem::path> draw_open(const std::vector<BundledScenario>& bundled,
                                               const std::filesystem::path& current, std::string& path_field) {
  std::optional<std::filesystem::path> open;
  if (ImGui::Selectable("default (built in)", current.empty())) open = std::filesystem::path();
  for (const BundledScenario& b : bundled) {
    // A long title ends in "…" and shows whole in a tooltip.
    if (fitted_selectable(fmt::format("{}  ({})", b.title, b.path.filename().string()), current == b.path)) open = b.path;
  }
  const ImGuiStyle& style = ImGui::GetStyle();
  ImGui::SetNextItemWidth(-(text_width("Open") + style.FramePadding.x * 2 + style.ItemSpacing.x));  // room for "Open"
  const bool enter = ImGui::InputText("##path", &path_field, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Open") || enter) open = std::filesystem::path(path_field);
  text_disabled_wrapped("The file is watched: save it and the runs update.");
  return open;
}

}  // namespace

// The sections read narrow state and return what they ask for; this applies it.
void draw_scenario_panel(AppState& app) {
  draw_note(app.session);
  if (ImGui::CollapsingHeader("Predicted and measured", ImGuiTreeNodeFlags_DefaultOpen)) {
    apply_real_runs(app, draw_real_runs(real_runs_view(app)));
  }
  if (ImGui::CollapsingHeader("Knobs", ImGuiTreeNodeFlags_DefaultOpen)) {
    const bool cheap = app.session.last_simulation_seconds() < 0.05;
    // Simulated beside the frames: the runs shown stay, and a note says new ones are coming.
    if (const auto knobs = draw_knobs(app.session.scenario(), app.session.knobs(), cheap)) {
      app.session.set_knobs_in_background(*knobs, derive_runs_for_session);
    }
    if (app.session.simulating()) {
      text_disabled_wrapped(app.session.previewing()
                                ? "Simulating the new values; the runs shown are the new ones as far as they are simulated."
                                : "Simulating the new values; the runs shown are the previous ones.");
    }
    draw_sweep_knob_buttons(app.sweep, app.session);
  }
  if (ImGui::CollapsingHeader("Open", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (const auto path = draw_open(app.bundled, app.session.file(), app.path_field)) open_file(app, *path);
  }
}

}  // namespace gilsim::viz::ui
