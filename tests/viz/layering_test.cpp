// The layers hold: nothing in viz/ outside viz/platform/ includes SFML or OpenGL, nothing in
// the core includes ImGui, and nothing in sim/ includes any graphics header.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

std::string includes_of(const fs::path& file) {
  std::ifstream in(file);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind("#include", 0) == 0) out += line + "\n";
  }
  return out;
}

/// Files under `dir` (recursively, skipping `skip`) whose includes mention any of `words`.
std::string offenders(const fs::path& dir, const fs::path& skip, std::initializer_list<const char*> words) {
  std::string found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const auto& p = entry.path();
    if (!skip.empty() && p.string().rfind(skip.string(), 0) == 0) continue;
    if (p.extension() != ".cpp" && p.extension() != ".hpp") continue;
    const std::string inc = includes_of(p);
    for (const char* w : words) {
      if (inc.find(w) != std::string::npos) found += p.string() + " includes " + w + "\n";
    }
  }
  return found;
}

}  // namespace

TEST_CASE("only viz/platform talks to SFML and OpenGL") {
  const fs::path root = GILSIM_SOURCE_DIR;
  CHECK(offenders(root / "viz", root / "viz" / "platform", {"SFML", "GL/", "opengl"}) == "");
}

TEST_CASE("the viewer's core includes no ImGui") {
  const fs::path root = GILSIM_SOURCE_DIR;
  std::string found;
  for (const auto& entry : fs::directory_iterator(root / "viz")) {
    if (entry.is_regular_file() && includes_of(entry.path()).find("imgui") != std::string::npos) {
      found += entry.path().string() + "\n";
    }
  }
  CHECK(found == "");
}

TEST_CASE("the simulator includes no graphics") {
  const fs::path root = GILSIM_SOURCE_DIR;
  CHECK(offenders(root / "sim", {}, {"SFML", "imgui", "GL/"}) == "");
}
