// The sweep commands the docs show run as shown: every `gilsim sweep` line in a sh block
// of docs/sweeps.md and docs/cli.md succeeds, and a text block that starts with
// "$ gilsim sweep ..." is exactly what that command prints; so does every sweep a lesson's
// note or docs/lessons.md shows, its axis named as the command names it.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "sim/cli/cli_app.hpp"
#include "sim/scenario/loader.hpp"

namespace fs = std::filesystem;

namespace {

struct Block {
  std::string kind;  ///< "sh", "text", ...
  std::vector<std::string> lines;
};

std::vector<Block> code_blocks(const fs::path& markdown) {
  std::ifstream in(markdown);
  std::vector<Block> blocks;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("```")) {
      inside = !inside;
      if (inside) blocks.push_back(Block{line.substr(3), {}});
      continue;
    }
    if (inside) blocks.back().lines.push_back(line);
  }
  return blocks;
}

/// Words as a shell splits them, with double quotes only.
std::vector<std::string> shell_words(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false, any = false;
  for (const char c : command) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) words.push_back(word);
      word.clear();
      any = false;
    } else {
      word += c;
      any = true;
    }
  }
  if (any) words.push_back(word);
  return words;
}

struct Result {
  int code;
  std::string out;
  std::string err;
};

/// Runs a documented command from the source tree, its output files moved to the build tree.
Result run_documented(const std::string& command) {
  auto words = shell_words(command);
  REQUIRE(words.size() >= 2);
  REQUIRE(words[0] == "gilsim");
  for (std::size_t i = 1; i + 1 < words.size(); ++i) {
    if (words[i] == "--csv" || words[i] == "--json") {
      words[i + 1] = (fs::path(GILSIM_BINARY_DIR) / "tests" / "cli" / fs::path(words[i + 1]).filename()).string();
    }
  }
  std::vector<const char*> argv;
  for (const auto& w : words) argv.push_back(w.c_str());
  const fs::path before = fs::current_path();
  fs::current_path(GILSIM_SOURCE_DIR);
  std::ostringstream out, err;
  const int code = gilsim::cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  fs::current_path(before);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("every gilsim sweep command in the docs runs, and shown output is what it prints") {
  int commands = 0, outputs = 0;
  for (const char* doc : {"docs/sweeps.md", "docs/cli.md"}) {
    for (const Block& block : code_blocks(fs::path(GILSIM_SOURCE_DIR) / doc)) {
      if (block.kind == "sh") {
        for (const auto& line : block.lines) {
          const std::string command = line.substr(0, line.find("  #"));
          if (!command.starts_with("gilsim sweep ")) continue;
          CAPTURE(command);
          const Result r = run_documented(command);
          CHECK(r.code == 0);
          CHECK(r.err.empty());
          ++commands;
        }
      } else if (block.kind == "text" && !block.lines.empty() && block.lines[0].starts_with("$ gilsim sweep ")) {
        CAPTURE(block.lines[0]);
        const Result r = run_documented(block.lines[0].substr(2));
        std::string shown;
        for (std::size_t i = 1; i < block.lines.size(); ++i) shown += block.lines[i] + "\n";
        CHECK(r.code == 0);
        CHECK(r.out == shown);
        ++outputs;
      }
    }
  }
  CHECK(commands >= 4);
  CHECK(outputs >= 1);
}

namespace {

/// The `gilsim sweep` commands a note shows: a line that starts with it (after its indent),
/// and the lines under it indented further that go on with an option ("    --vary ...").
std::vector<std::string> sweep_commands_in(const std::string& note) {
  std::vector<std::string> commands;
  std::istringstream in(note);
  std::size_t indent = 0;
  for (std::string line; std::getline(in, line);) {
    const std::size_t at = line.find_first_not_of(' ');
    if (at == std::string::npos) continue;
    if (line.compare(at, 13, "gilsim sweep ") == 0) {
      commands.push_back(line.substr(at));
      indent = at;
    } else if (!commands.empty() && indent > 0 && at > indent && line.compare(at, 2, "--") == 0) {
      commands.back().append(1, ' ').append(line, at, std::string::npos);
    } else {
      indent = 0;
    }
  }
  return commands;
}

/// The chart's title a command's first --vary names ("NAME: KEY=VALUES" draws "against NAME").
std::string axis_name_of(const std::string& command) {
  const auto words = shell_words(command);
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] != "--vary") continue;
    const std::size_t colon = words[i + 1].find(": ");
    return colon == std::string::npos ? std::string() : words[i + 1].substr(0, colon);
  }
  return {};
}

void check_note_command(const std::string& command) {
  CAPTURE(command);
  const Result r = run_documented(command);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  // A named axis is the chart's: the note's name is the one the class reads under the curve.
  if (const std::string name = axis_name_of(command); !name.empty()) {
    CHECK(r.out.find(" against " + name + "\n") != std::string::npos);
  }
}

}  // namespace

TEST_CASE("every gilsim sweep command a lesson's note or docs/lessons.md shows runs as shown") {
  int commands = 0;
  // docs/lessons.md shows each lesson's command in backquotes, in the text.
  std::ifstream in(fs::path(GILSIM_SOURCE_DIR) / "docs" / "lessons.md");
  const std::string lessons((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> in_lessons;
  for (std::size_t at = lessons.find("`gilsim sweep "); at != std::string::npos;
       at = lessons.find("`gilsim sweep ", at + 1)) {
    const std::size_t end = lessons.find('`', at + 1);
    REQUIRE(end != std::string::npos);
    in_lessons.push_back(lessons.substr(at + 1, end - at - 1));
    check_note_command(in_lessons.back());
    ++commands;
  }
  for (const auto& entry : fs::directory_iterator(fs::path(GILSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    CAPTURE(entry.path().filename().string());
    for (const std::string& command : sweep_commands_in(gilsim::scenario::load_file(entry.path()).note)) {
      check_note_command(command);
      // The note and docs/lessons.md show the class one sweep, the same one (its axis named alike).
      CHECK(std::find(in_lessons.begin(), in_lessons.end(), command) != in_lessons.end());
      ++commands;
    }
  }
  CHECK(commands >= 6);  // lessons 15, 20 and 21, each in its note and in docs/lessons.md
}
