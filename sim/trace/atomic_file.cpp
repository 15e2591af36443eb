// Outputs: where each one really goes (through symlinks), temporaries for regular files,
// and the signal handler that removes the temporaries when the program is stopped.
#include "sim/trace/atomic_file.hpp"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace gilsim::trace {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const fs::path& path, const std::string& reason) {
  throw std::runtime_error(fmt::format("cannot write '{}': {}", path.string(), reason));
}

/// Follows symlinks (relative ones from their own folder) to the path that is written.
fs::path final_target(const fs::path& path) {
  fs::path current = path;
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code error;
    if (!fs::is_symlink(fs::symlink_status(current, error))) return current;
    const fs::path next = fs::read_symlink(current, error);
    if (error) fail(path, error.message());
    current = next.is_absolute() ? next : current.parent_path() / next;
  }
  fail(path, "too many levels of symbolic links");
}

/// The file descriptor a path names, through its symlinks: 1 for /dev/stdout, /dev/fd/1 or
/// /proc/self/fd/1. Such a path is the shell's redirection (`--csv /dev/stdout > out.txt`):
/// written where the descriptor writes, never replaced through a temporary beside the file it
/// leads to, which lost the report printed to out.txt before.
std::optional<int> descriptor_named(const fs::path& path) {
  fs::path current = path;
  for (int hops = 0; hops < 40; ++hops) {
    const std::string& text = current.native();
    for (const auto& [name, fd] : {std::pair<std::string_view, int>{"/dev/stdin", 0}, {"/dev/stdout", 1}, {"/dev/stderr", 2}}) {
      if (text == name) return fd;
    }
    for (const std::string_view folder : {"/dev/fd/", "/proc/self/fd/"}) {
      if (!text.starts_with(folder)) continue;
      const std::string number = text.substr(folder.size());
      if (!number.empty() && number.size() < 6 && number.find_first_not_of("0123456789") == std::string::npos) {
        return std::stoi(number);
      }
    }
    std::error_code error;
    if (!fs::is_symlink(fs::symlink_status(current, error))) return std::nullopt;
    const fs::path next = fs::read_symlink(current, error);
    if (error) return std::nullopt;
    current = next.is_absolute() ? next : current.parent_path() / next;
  }
  return std::nullopt;
}

fs::path temporary_sibling(const fs::path& path) {
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  return path.parent_path() / fmt::format(".{}.{}.{}.partial", path.filename().string(), ::getpid(), stamp);
}

// The temporaries being written, for the signal handler (which may only call unlink()).
constexpr int kMaxTemporaries = 8;
char g_temporaries[kMaxTemporaries][PATH_MAX];
volatile sig_atomic_t g_temporary_count = 0;
constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_temporaries_and_die(int signal_number) {
  for (int i = 0; i < g_temporary_count; ++i) ::unlink(g_temporaries[i]);
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

/// While it lives, the registered temporaries are removed if the program is stopped by a
/// signal whose action is the default one (an ignored signal stays ignored).
class TemporaryGuard {
 public:
  TemporaryGuard() {
    struct sigaction action {};
    action.sa_handler = remove_temporaries_and_die;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(kCleanupSignals); ++i) {
      struct sigaction old {};
      ::sigaction(kCleanupSignals[i], nullptr, &old);
      installed_[i] = old.sa_handler == SIG_DFL;
      if (installed_[i]) ::sigaction(kCleanupSignals[i], &action, &previous_[i]);
    }
  }
  ~TemporaryGuard() {
    for (std::size_t i = 0; i < std::size(kCleanupSignals); ++i) {
      if (installed_[i]) ::sigaction(kCleanupSignals[i], &previous_[i], nullptr);
    }
    remove_all();
  }
  TemporaryGuard(const TemporaryGuard&) = delete;
  TemporaryGuard& operator=(const TemporaryGuard&) = delete;

  void add(const fs::path& temporary, const fs::path& target) {
    const std::string& text = temporary.native();
    if (g_temporary_count >= kMaxTemporaries || text.size() >= PATH_MAX) fail(target, "the path is too long");
    std::memcpy(g_temporaries[g_temporary_count], text.c_str(), text.size() + 1);
    g_temporary_count = g_temporary_count + 1;
  }
  /// Removes every temporary still there (none after a successful rename) and forgets them.
  void remove_all() {
    for (int i = 0; i < g_temporary_count; ++i) ::unlink(g_temporaries[i]);
    g_temporary_count = 0;
  }

 private:
  bool installed_[std::size(kCleanupSignals)] = {};
  struct sigaction previous_[std::size(kCleanupSignals)] {};
};

void write_stream(const fs::path& shown, std::ostream& out, const std::function<void(std::ostream&)>& write) {
  write(out);
  out.flush();
  if (!out) fail(shown, fmt::format("writing failed ({})", std::strerror(errno)));
}

void write_to_file(const fs::path& shown, const fs::path& file, std::ios::openmode mode,
                   const std::function<void(std::ostream&)>& write) {
  std::ofstream out(file, std::ios::binary | mode);
  if (!out) fail(shown, std::strerror(errno));
  write_stream(shown, out, write);
  out.close();
  if (out.fail()) fail(shown, fmt::format("closing failed ({})", std::strerror(errno)));
}

/// A file is written through a temporary beside `target`: its folder must take a new file,
/// even where the file itself may be written. The folder is asked by creating that temporary
/// and removing it, since access() grants root every folder, /sys's too, where creating a file
/// fails: as root, `--export-trace /sys/x.json` was refused only after the report was printed.
void check_folder_takes_files(const fs::path& shown, const fs::path& target) {
  const fs::path probe = temporary_sibling(target);
  TemporaryGuard guard;  // a Ctrl-C between its creation and its removal leaves no file
  guard.add(probe, shown);
  const int descriptor = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (descriptor < 0 && errno == ENAMETOOLONG) {
    // The temporary's name is the file's and some 30 characters more: the folder is not to blame.
    fail(shown, fmt::format("the name is too long for the temporary file it is written through ('{}'); give it a "
                            "shorter name",
                            probe.filename().string()));
  }
  if (descriptor < 0) {
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    fail(shown, fmt::format("its folder '{}' takes no new file, which writing it needs ({})", folder.string(),
                            std::strerror(errno)));
  }
  ::close(descriptor);
  ::unlink(probe.c_str());
}

struct Planned {
  const OutputRequest* request;
  fs::path target;     ///< after symlinks
  fs::path temporary;  ///< empty: written directly (standard output or a special file)
  std::optional<fs::perms> kept_mode;  ///< the replaced file's; none: a new file, umask's
  std::ios::openmode mode = std::ios::out;  ///< written directly: a device's, or a descriptor's (append)
};

}  // namespace

void write_outputs(const std::vector<OutputRequest>& outputs, std::ostream& standard_output) {
  std::vector<Planned> plan;
  for (const OutputRequest& request : outputs) {
    const std::optional<int> descriptor = descriptor_named(request.path);
    if (request.path == "-" || descriptor == 1) {
      plan.push_back({&request, "-", {}, {}});  // after what the command printed, in order
      continue;
    }
    if (descriptor) {
      plan.push_back({&request, request.path, {}, {}, std::ios::app});  // where it writes, not replaced
      continue;
    }
    if (request.path.filename().empty()) fail(request.path, "the path names a directory, not a file");
    std::error_code error;
    const fs::file_status status = fs::status(request.path, error);  // through symlinks
    if (fs::is_directory(status)) fail(request.path, "it is a directory");
    if (fs::exists(status) && !fs::is_regular_file(status)) {
      // A FIFO or a device, maybe behind a symlink such as /dev/stdout: opened as it is.
      plan.push_back({&request, request.path, {}, {}});
      continue;
    }
    const fs::path target = final_target(request.path);  // a symlink's file is replaced, not the link
    std::optional<fs::perms> kept_mode;
    if (fs::exists(status)) {
      // As `cp` or `>` would: a file this user may not write is refused (root may), and the
      // file that replaces it keeps its permissions rather than the umask's.
      if (::access(target.c_str(), W_OK) != 0) fail(request.path, std::strerror(errno));
      kept_mode = status.permissions() & fs::perms::all;
    }
    check_folder_takes_files(request.path, target);
    plan.push_back({&request, target, temporary_sibling(target), kept_mode});
  }
  TemporaryGuard guard;
  for (const Planned& p : plan) {
    if (p.temporary.empty()) continue;
    guard.add(p.temporary, p.request->path);
    write_to_file(p.request->path, p.temporary, std::ios::trunc, p.request->write);
    if (p.kept_mode) {
      std::error_code error;
      fs::permissions(p.temporary, *p.kept_mode, fs::perm_options::replace, error);
      if (error) fail(p.request->path, error.message());
    }
  }
  for (const Planned& p : plan) {
    if (!p.temporary.empty()) continue;
    if (p.target == "-") {
      write_stream("standard output", standard_output, p.request->write);
    } else {
      write_to_file(p.request->path, p.target, p.mode, p.request->write);
    }
  }
  // The renames go through together: a Ctrl-C between two of them would leave a new trace
  // beside an old CSV. A signal that comes meanwhile is delivered once they are done. The
  // mask is this thread's: gilsim run and sweep write their outputs once the runs' threads
  // are gone, so a signal to the process can only come to this one (gilviz writes one file).
  sigset_t stopping;
  sigemptyset(&stopping);
  for (const int signal_number : kCleanupSignals) sigaddset(&stopping, signal_number);
  sigset_t before;
  ::pthread_sigmask(SIG_BLOCK, &stopping, &before);
  std::optional<std::pair<fs::path, std::string>> failed;
  for (const Planned& p : plan) {
    if (p.temporary.empty()) continue;
    std::error_code error;
    fs::rename(p.temporary, p.target, error);
    if (error) {
      failed.emplace(p.request->path, error.message());
      break;
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  if (failed) fail(failed->first, failed->second);
}

void check_output_path(const fs::path& path) {
  if (path.empty() || path == "-" || descriptor_named(path)) return;
  if (path.filename().empty()) fail(path, "the path names a directory, not a file");
  std::error_code error;
  const fs::file_status status = fs::status(path, error);  // through symlinks
  if (fs::is_directory(status)) fail(path, "it is a directory");
  if (fs::exists(status) && !fs::is_regular_file(status)) return;  // a FIFO or a device, opened as it is
  // The file written is the symlinks' target, through a temporary in the target's folder.
  const fs::path target = final_target(path);
  const fs::path directory = target.parent_path();
  if (!directory.empty() && !fs::is_directory(directory, error)) {
    fail(path, fmt::format("there is no directory '{}'", directory.string()));
  }
  // What write_outputs() would find only after the work: a file or a folder this user may not
  // write (root may write most).
  if (fs::is_regular_file(status) && ::access(target.c_str(), W_OK) != 0) fail(path, std::strerror(errno));
  check_folder_takes_files(path, target);
}

std::optional<std::string> output_replaces_input(std::string_view option, const fs::path& output,
                                                 const fs::path& input) {
  if (output.empty() || output == "-" || input.empty()) return std::nullopt;
  std::error_code error;  // an input read exists: only an existing output can be it
  if (!fs::equivalent(output, input, error)) return std::nullopt;
  return fmt::format("{} '{}' names the scenario file '{}' that the command reads, and writing it would replace the "
                     "scenario; give the output a file of its own",
                     option, output.string(), input.string());
}

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  write_outputs({OutputRequest{path, write}}, std::cout);  // "-" or /dev/stdout: standard output
}

}  // namespace gilsim::trace
