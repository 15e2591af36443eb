// The loader's entry points: read the text, parse the TOML, apply overrides, validate.
#include "sim/scenario/loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "sim/scenario/scenario_reader.hpp"

namespace gilsim::scenario {

namespace {

std::string located(const SourceLoc& where, const std::string& message) {
  if (where.line > 0) return fmt::format("{}:{}:{}: {}", where.file, where.line, where.column, message);
  if (!where.file.empty()) return fmt::format("{}: {}", where.file, message);
  return message;
}

[[noreturn]] void refuse_file(const std::string& name, const std::string& message) {
  throw ScenarioError(SourceLoc{name, 0, 0}, message);
}

std::string_view file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

/// The end of "expected a readable scenario ..." for a name with no folder part and no such
/// file, maybe meant as a lesson ("convoy", "19"): the bundled lessons whose name holds it,
/// or else all of them.
std::string bundled_lessons_hint(const std::string& name) {
  std::string lowered = name;
  std::ranges::transform(lowered, lowered.begin(), [](unsigned char c) { return std::tolower(c); });
  std::vector<std::string> all, meant;
  std::filesystem::path meant_file;
  for (const std::filesystem::path& file : bundled_scenarios()) {
    all.push_back(file.stem().string());
    if (!lowered.empty() && all.back().find(lowered) != std::string::npos) {
      meant.push_back(all.back());
      meant_file = file;
    }
  }
  if (all.empty()) return " file";
  if (meant.size() == 1) {
    return fmt::format(" file or a bundled lesson: did you mean {} ({})?", meant[0], meant_file.string());
  }
  if (!meant.empty()) return fmt::format(" file or a bundled lesson: did you mean one of {}?", fmt::join(meant, ", "));
  return fmt::format(" file or a bundled lesson, which are {} (`gilsim list` says what each shows)",
                     fmt::join(all, ", "));
}

/// The whole file, refused when it is not a regular file or is larger than the cap.
/// O_NONBLOCK: opening a FIFO with no writer must not hang before fstat can refuse it.
std::string read_scenario_text(const std::string& name) {
  const int fd = ::open(name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int open_error = errno;
    const bool maybe_a_lesson = open_error == ENOENT && !std::filesystem::path(name).has_parent_path();
    refuse_file(name, fmt::format("cannot open the file ({}); expected a readable scenario{}",
                                  std::strerror(open_error), maybe_a_lesson ? bundled_lessons_hint(name) : " file"));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) refuse_file(name, fmt::format("cannot read the file ({})", std::strerror(errno)));
  if (!S_ISREG(info.st_mode)) {
    refuse_file(name, fmt::format("is {}; expected a scenario file (.toml)", file_kind(info.st_mode)));
  }
  const auto too_large = [&name] {
    refuse_file(name, fmt::format("is larger than {} bytes; expected a scenario file, which is far smaller",
                                  kMaxScenarioFileBytes));
  };
  if (info.st_size > kMaxScenarioFileBytes) too_large();
  std::string text;
  std::array<char, 65536> buffer{};
  while (true) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) refuse_file(name, fmt::format("cannot read the file ({})", std::strerror(errno)));
    if (got == 0) return text;
    if (text.size() + static_cast<std::size_t>(got) > static_cast<std::size_t>(kMaxScenarioFileBytes)) too_large();
    text.append(buffer.data(), static_cast<std::size_t>(got));
  }
}

}  // namespace

std::string printable(std::string_view text) {
  // A message that echoes a huge value (a key a million characters long) keeps its head and
  // its tail, where what was expected is said: a line for a terminal, not a megabyte.
  constexpr std::size_t kHead = 600, kTail = 300;
  if (text.size() > kHead + kTail + 100) {
    return printable(text.substr(0, kHead)) +
           fmt::format(" ... ({} characters left out) ... ", text.size() - kHead - kTail) +
           printable(text.substr(text.size() - kTail));
  }
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
  }
  return out;
}

ScenarioError::ScenarioError(SourceLoc where, const std::string& message)
    : std::runtime_error(printable(located(where, message))), where_(std::move(where)), message_(message) {}

namespace {

/// The character at a parse error's position, '\n' past its line's end, '\0' past the text.
char char_at(std::string_view text, toml::source_position at) {
  std::size_t line_start = 0;
  for (toml::source_index line = 1; line < at.line; ++line) {
    line_start = text.find('\n', line_start);
    if (line_start == std::string_view::npos) return '\0';
    ++line_start;
  }
  const std::size_t i = line_start + at.column - 1;
  return i < text.size() ? text[i] : '\0';
}

/// toml++'s words for a string left open, told as what to write instead.
std::string parse_error_message(std::string_view description, std::string_view text, toml::source_position at) {
  const bool literal = description.find("while parsing literal string") != std::string_view::npos;
  const bool in_string = literal || description.find("while parsing string") != std::string_view::npos;
  const char here = char_at(text, at);
  if (in_string && description.find("control characters") != std::string_view::npos && (here == '\n' || here == '\r')) {
    return fmt::format("invalid TOML: a string is not closed before the end of its line; expected a closing {} "
                       "(a string of several lines is written between {})",
                       literal ? "'" : "\"", literal ? "''' and '''" : "\"\"\" and \"\"\"");
  }
  if (in_string && description.find("end-of-file") != std::string_view::npos) {
    return "invalid TOML: the file ends inside a string; expected the quotes that close it";
  }
  if (description.find("invalid utf-8") != std::string_view::npos) {
    return "invalid TOML: bytes that are not UTF-8 (a file saved as Latin-1 or Windows-1252?); expected UTF-8 text";
  }
  return fmt::format("invalid TOML: {}", description);
}

toml::table parse_checked(std::string_view toml_text, const std::string& source) {
  // A UTF-8 byte order mark, as some Windows editors save: not part of the text a person sees.
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  if (toml_text.substr(0, kByteOrderMark.size()) == kByteOrderMark) toml_text.remove_prefix(kByteOrderMark.size());
  check_ascii_outside_strings(toml_text, source);
  check_key_parts(toml_text, source);
  try {
    return toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    const toml::source_position at = e.source().begin;
    int column = static_cast<int>(at.column);
    auto message = duplicate_key_message(e.description(), toml_text, static_cast<int>(at.line), column);
    if (!message) message = parse_error_message(e.description(), toml_text, at);
    throw ScenarioError(SourceLoc{source, static_cast<int>(at.line), column}, *message);
  }
}

/// Writes the overrides into `root` and reads the scenario from it.
Scenario read_with_overrides(toml::table& root, const std::string& source, const std::vector<Override>& overrides) {
  OverrideTexts override_texts;
  apply_overrides(root, overrides, override_texts);
  return read_scenario(TomlReader(source, override_texts), root);
}

}  // namespace

Scenario load_string(std::string_view toml_text, std::string_view source_name,
                     const std::vector<Override>& overrides) {
  const std::string source(source_name);
  toml::table root = parse_checked(toml_text, source);
  return read_with_overrides(root, source, overrides);
}

bool jobs_kept_under(const std::vector<JobTemplate>& jobs, const std::vector<Override>& overrides) {
  const auto leaves_jobs = [](const Override& o) {
    return o.key == "cores" || o.key == "switch_interval" || o.key == "workers";
  };
  const auto pinned = [](const JobTemplate& job) { return !job.cpus.empty() || !job.peer_cpus.empty(); };
  return !jobs.empty() && std::all_of(overrides.begin(), overrides.end(), leaves_jobs) &&
         std::none_of(jobs.begin(), jobs.end(), pinned);
}

Scenario load_string_with_jobs(std::string_view toml_text, std::string_view source_name,
                               const std::vector<Override>& overrides, std::vector<JobTemplate> jobs) {
  if (!jobs_kept_under(jobs, overrides)) return load_string(toml_text, source_name, overrides);
  const std::string source(source_name);
  toml::table root = parse_checked(toml_text, source);
  OverrideTexts override_texts;
  apply_overrides(root, overrides, override_texts);
  // The job tables are the ones `jobs` were read from, and nothing read from them depends on
  // the machine when no job names CPUs: read_jobs would give `jobs` again, or fail as it did not.
  return read_scenario(TomlReader(source, override_texts), root, &jobs);
}

Scenario load_file(const std::filesystem::path& path, const std::vector<Override>& overrides) {
  const std::string name = path.string();
  return load_string(read_scenario_text(name), name, overrides);
}

std::string read_scenario_file(const std::filesystem::path& path) { return read_scenario_text(path.string()); }

Scenario load_default(const std::vector<Override>& overrides) {
  return load_string(embedded_default_text(), "<default>", overrides);
}

struct ParsedScenario::Parsed {
  std::string source;
  std::string text;
  toml::table root;
};

ParsedScenario ParsedScenario::from_text(std::string_view toml_text, std::string_view source_name) {
  auto parsed = std::make_shared<Parsed>();
  parsed->source = std::string(source_name);
  parsed->text = std::string(toml_text);
  parsed->root = parse_checked(toml_text, parsed->source);
  return ParsedScenario(std::move(parsed));
}

ParsedScenario ParsedScenario::from_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  return from_text(read_scenario_text(name), name);
}

ParsedScenario ParsedScenario::from_default() { return from_text(embedded_default_text(), "<default>"); }

const std::string& ParsedScenario::source_name() const {
  static const std::string none;
  return parsed_ ? parsed_->source : none;
}

Scenario ParsedScenario::load(const std::vector<Override>& overrides) const {
  if (!parsed_) throw std::logic_error("ParsedScenario::load on an empty one; make it with from_text, from_file or from_default");
  // toml++ copies a table without its nodes' positions: a file's error found in the copy
  // would lose its line and column, so the text is read again to report it as load_string does.
  toml::table root = parsed_->root;
  try {
    return read_with_overrides(root, parsed_->source, overrides);
  } catch (const ScenarioError&) {
    return load_string(parsed_->text, parsed_->source, overrides);
  }
}

std::vector<std::filesystem::path> installed_data_folders(std::string_view name) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (error) return {};
  return {exe.parent_path().parent_path() / "share" / "gilsim" / name, exe.parent_path() / name};
}

std::vector<std::filesystem::path> bundled_scenarios() {
  namespace fs = std::filesystem;
  std::error_code error;
  std::vector<fs::path> candidates = installed_data_folders("scenarios");
  candidates.emplace_back(GILSIM_SCENARIO_DIR);  // the source tree, for a program run from its build tree
  for (const fs::path& dir : candidates) {
    if (!fs::is_directory(dir, error)) continue;
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
      if (entry.is_regular_file(error) && entry.path().extension() == ".toml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
  return {};
}

}  // namespace gilsim::scenario
