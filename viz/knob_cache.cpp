// The key of a knob change: the file's text read now, the knobs' overrides, the fit.
#include "viz/knob_cache.hpp"

#include <array>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "sim/scenario/loader.hpp"

namespace gilsim::viz {

SettingsKey settings_key(const std::filesystem::path& file, const Knobs& knobs, bool fit, int cpus) {
  SettingsKey key;
  key.file = file;
  if (file.empty()) {
    key.text = std::string(scenario::embedded_default_text());
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot be read");
    // Read in pieces, up to one byte past the loader's limit (such a file does not load
    // either way): a lesson's few kilobytes cost a few microseconds.
    std::array<char, 16384> piece;
    while (in && key.text.size() <= static_cast<std::size_t>(scenario::kMaxScenarioFileBytes)) {
      in.read(piece.data(), piece.size());
      key.text.append(piece.data(), static_cast<std::size_t>(in.gcount()));
    }
  }
  for (const scenario::Override& o : knobs.overrides()) key.overrides.emplace_back(o.key, o.value);
  key.fit = fit;
  key.cpus = fit ? cpus : 0;
  return key;
}

SettingsKey settings_key(const std::filesystem::path& file, std::string text, const Knobs& knobs, bool fit, int cpus) {
  SettingsKey key;
  key.file = file;
  key.text = std::move(text);
  for (const scenario::Override& o : knobs.overrides()) key.overrides.emplace_back(o.key, o.value);
  key.fit = fit;
  key.cpus = fit ? cpus : 0;
  return key;
}

}  // namespace gilsim::viz
