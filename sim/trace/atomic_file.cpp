// Temporary file, then rename: the target is either the old file or the complete new one.
#include "sim/trace/atomic_file.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace gilsim::trace {

namespace {

std::filesystem::path temporary_sibling(const std::filesystem::path& path) {
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  auto name = fmt::format(".{}.{}.partial", path.filename().string(), stamp);
  return path.parent_path() / name;
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& reason) {
  throw std::runtime_error(fmt::format("cannot write '{}': {}", path.string(), reason));
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
  if (path.filename().empty()) fail(path, "the path names a directory, not a file");
  const auto temporary = temporary_sibling(path);
  std::error_code ignored;
  try {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) fail(path, std::strerror(errno));
    write(out);
    out.flush();
    if (!out) fail(path, fmt::format("writing failed ({})", std::strerror(errno)));
    out.close();
    if (out.fail()) fail(path, "closing failed");
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) fail(path, error.message());
  } catch (...) {
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

}  // namespace gilsim::trace
