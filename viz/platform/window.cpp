// The interactive window (SFML + ImGui, drawn by gl_renderer), and --screenshot, which draws a
// few frames into the same window, saves the PNG and exits.
#include <cstdlib>
#include <filesystem>

#include <SFML/Graphics.hpp>
#include <SFML/OpenGL.hpp>
#include <backends/imgui_impl_opengl2.h>
#include <fmt/format.h>
#include <imgui.h>

#include "sim/scenario/loader.hpp"
#include "sim/trace/atomic_file.hpp"
#include "viz/asset_files.hpp"
#include "viz/platform/app_setup.hpp"
#include "viz/platform/display_check.hpp"
#include "viz/platform/gl_renderer.hpp"
#include "viz/platform/png_writer.hpp"
#include "viz/platform/sfml_imgui.hpp"
#include "viz/ui/app_frame.hpp"
#include "viz/ui/fonts.hpp"

namespace gilsim::viz::platform {

namespace {

/// Saves the back buffer (optionally a rectangle of it) to `path` as gilsim's exports write
/// their files (sim/trace/atomic_file.hpp): a regular file through a temporary of its own and
/// a rename, so a failure never leaves half a PNG behind; a symlink's target replaced, not the
/// link; a FIFO or a device written as it is (--screenshot /dev/null renames nothing over it).
bool save_png(sf::RenderWindow& window, const std::string& path, const float* rect, std::string& message) {
  const sf::Vector2u size = window.getSize();
  sf::Texture texture;
  if (!texture.create(size.x, size.y)) {
    message = "could not allocate a texture for the screenshot";
    return false;
  }
  texture.update(window);
  sf::Image image = texture.copyToImage();
  if (rect) {
    const int x = std::max(0, static_cast<int>(rect[0])), y = std::max(0, static_cast<int>(rect[1]));
    const int w = std::min(static_cast<int>(rect[2]), static_cast<int>(size.x) - x);
    const int h = std::min(static_cast<int>(rect[3]), static_cast<int>(size.y) - y);
    if (w > 0 && h > 0) {
      sf::Image part;
      part.create(static_cast<unsigned>(w), static_cast<unsigned>(h));
      part.copy(image, 0, 0, sf::IntRect(x, y, w, h));
      image = part;
    }
  }
  try {
    trace::write_file_atomically(path, [&](std::ostream& out) { write_png(image, out); });
  } catch (const std::runtime_error& e) {
    message = e.what();
    return false;
  }
  message = fmt::format("saved {}", path);
  return true;
}

}  // namespace

int run_window(const Options& options) {
  if (!display_reachable()) {
    // A file that does not load is the first thing to fix: its error before the display's.
    if (!options.file.empty()) {
      try {
        (void)scenario::load_file(options.file, options.set);
      } catch (const std::exception& e) {
        fmt::print(stderr, "gilviz: {}\n", e.what());
        return 1;
      }
    }
    const char* name = std::getenv("DISPLAY");
    fmt::print(stderr, "gilviz: cannot open the display '{}'; run it on a desktop, or under xvfb-run -a "
                       "(for --screenshot), or use --bench-frames, which needs no window\n",
               name ? name : "");
    return 1;
  }
  AppState app;
  const bool screenshot_mode = !options.screenshot.empty();
  app.session.set_base(options.file, options.set);  // gilviz --set: the file's values before the knobs
  BackgroundLoad load(app, options.file);
  // Meanwhile, on this thread: the window's size and icon, the ImGui context, its font atlas
  // and the list of bundled scenarios. The window itself waits for the load: a file that does
  // not load opens none.
  unsigned width = options.width, height = options.height;
  if (!options.size_given && !screenshot_mode) {
    const sf::VideoMode desktop = sf::VideoMode::getDesktopMode();
    if (desktop.width >= 800 && desktop.height >= 600) {
      width = desktop.width * 9 / 10;
      height = desktop.height * 9 / 10;
    }
  }
  // The icon from assets/; without the file the desktop shows its default (gilviz --assets says).
  sf::Image icon;
  const std::filesystem::path icon_file = find_asset(kWindowIconFile);
  const bool has_icon = !icon_file.empty() && icon.loadFromFile(icon_file.string());
  ImGui::CreateContext();
  ui::Fonts fonts(initial_ui_scale(options));
  if (!finish_set_up(app, load, options, screenshot_mode ? std::vector<BundledScenario>{} : list_bundled_scenarios())) {
    ImGui::DestroyContext();
    return 1;
  }

  sf::RenderWindow window(sf::VideoMode(width, height), "gilviz", sf::Style::Default);
  if (!window.isOpen()) {
    fmt::print(stderr, "gilviz: could not open a window (is DISPLAY set? try xvfb-run -a)\n");
    ImGui::DestroyContext();
    return 1;
  }
  if (has_icon) window.setIcon(icon.getSize().x, icon.getSize().y, icon.getPixelsPtr());
  // A screenshot draws into a hidden window: nothing flashes on a desktop.
  if (screenshot_mode) {
    window.setVisible(false);
  } else {
    window.setVerticalSyncEnabled(true);
    window.setFramerateLimit(120);
  }
  bool throttled = false;
  SfmlImGui platform(window);
  ImGui_ImplOpenGL2_Init();  // the first frame uploads the font atlas made above
  GLint max_texture = 0;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_texture);
  fonts.set_max_texture_size(max_texture);
  enable_large_draw_lists();  // drawn by render_draw_data, which honours vertex offsets
  std::uint64_t titled_generation = 0;

  sf::Clock clock;
  int frame = 0;
  bool knob_moved = false;  // --screenshot-knob
  int exit_code = 0;
  while (window.isOpen()) {
    sf::Event event;
    while (window.pollEvent(event)) {
      if (event.type == sf::Event::Closed) window.close();
      platform.process_event(event);
    }
    if (!window.isOpen() || app.quit) break;
    // A screenshot with --real or --sweep waits for them without drawing: a frame drawn
    // meanwhile (software rendering, under xvfb) would take a core from the measurement, whose
    // busy-machine check would then flag it. Frames count only once they are in.
    if (screenshot_mode && (measuring(app) || app.sweep.runner.running())) {
      frame = 0;
      sf::sleep(sf::milliseconds(50));
      continue;
    }
    // While runs execute for real, draw less often: the cores are for the measurement.
    if (!screenshot_mode && measuring(app) != throttled) {
      throttled = !throttled;
      window.setFramerateLimit(throttled ? 15 : 120);
    }
    if (app.session.generation() != titled_generation) {
      titled_generation = app.session.generation();
      const std::string title = fmt::format("gilviz - {}{}", app.session.scenario().title, set_said(app.session.knobs(), app.session.scenario()));
      window.setTitle(sf::String::fromUtf8(title.begin(), title.end()));
    }
    // A crisp font at a new size, not a stretched one; glyphs for a scenario's names in
    // Greek or Chinese, not "?".
    if (fonts.refresh(app)) {
      ImGui_ImplOpenGL2_DestroyFontsTexture();
      ImGui_ImplOpenGL2_CreateFontsTexture();
    }
    const float dt = screenshot_mode ? 0.0f : clock.restart().asSeconds();
    platform.new_frame(dt);
    ImGui_ImplOpenGL2_NewFrame();
    ImGui::NewFrame();
    ui::draw_frame(app, dt);
    ImGui::Render();

    window.setActive(true);
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    glViewport(0, 0, static_cast<GLsizei>(display.x), static_cast<GLsizei>(display.y));
    glClearColor(0.97f, 0.97f, 0.97f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    render_draw_data(ImGui::GetDrawData());
    platform.end_frame();

    if (screenshot_mode && options.screenshot_knob && frame >= 3 && !knob_moved) {
      // Settled: the knob moves as the scenario panel moves it (the cores, to the value they
      // have: the same runs simulated again), and the picture waits for the new runs.
      Knobs knobs = app.session.knobs();
      knobs.cores = knobs.cores.value_or(app.session.scenario().machine.cores);
      app.session.set_knobs_in_background(knobs, derive_runs_for_session);
      knob_moved = true;
    }
    if (knob_moved && app.session.simulating() && !app.session.previewing()) {
      sf::sleep(sf::milliseconds(2));  // this frame still shows the previous runs
      window.display();
      continue;
    }
    if (knob_moved && !app.session.previewing()) {
      fmt::print(stderr, "gilviz: the new runs were simulated to their end before a frame could show a part of them\n");
    }
    if (screenshot_mode && (knob_moved || ++frame >= 4)) {
      // Four frames let auto-sized windows and the layout settle before the picture.
      std::string message;
      if (!save_png(window, options.screenshot, options.timeline_only ? app.timeline_png_rect : nullptr, message)) {
        fmt::print(stderr, "gilviz: {}\n", message);
        exit_code = 1;
      }
      break;
    }
    // Saved after a frame drawn for it: a timeline PNG's legend wraps at the timeline's width.
    if (app.screenshot && !app.screenshot->laid_out) {
      app.screenshot->laid_out = true;
    } else if (app.screenshot) {
      std::string message;
      save_png(window, app.screenshot->path, app.screenshot->timeline_only ? app.timeline_png_rect : nullptr, message);
      app.status = message;
      app.status_age = 0;
      app.screenshot.reset();
    }
    window.display();
  }
  ImGui_ImplOpenGL2_Shutdown();
  ImGui::DestroyContext();
  window.close();  // before the platform layer frees the cursors the window may still use
  return exit_code;
}

}  // namespace gilsim::viz::platform
