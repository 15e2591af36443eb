// The sweep commands the docs show run as shown: every `gilsim sweep` line in a sh block
// of docs/sweeps.md and docs/cli.md succeeds, and a text block that starts with
// "$ gilsim sweep ..." is exactly what that command prints.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "sim/cli/cli_app.hpp"

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
