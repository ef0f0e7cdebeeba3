// One run at a time per output folder.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "../text.hpp"
#include "batch_files.hpp"
#include "grader/error.hpp"

namespace grader::batch {

namespace {

constexpr const char* kLockFile = ".lock";

/// What the lock file says about the run holding it.
std::string who_holds(int fd) {
  char buffer[512];
  const ssize_t n = ::pread(fd, buffer, sizeof buffer, 0);
  const std::string text = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
  return text.empty() ? "a grader that has just started" : utf8_safe(first_line(text, 400), 400);
}

}  // namespace

void make_output_folder(const std::filesystem::path& out, const std::filesystem::path& inside) {
  std::error_code ec;
  if (std::filesystem::is_symlink(out, ec) && !std::filesystem::exists(out, ec)) {
    const auto target = std::filesystem::read_symlink(out, ec);
    throw UsageError("the output folder " + out.string() + " is a link to " + target.string() +
                     ", which does not exist: create that folder, or give another output folder");
  }
  const std::filesystem::path dir = inside.empty() ? out : out / inside;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UsageError("cannot create " + dir.string() + ": " + ec.message());
}

OutputLock::OutputLock(const std::filesystem::path& out, const std::string& command) : out_(out) {
  const std::filesystem::path file = out / kLockFile;
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);  // never removed: see below
  if (fd_ < 0) throw UsageError("cannot open " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    // Readers only (merges of this folder) write no name into the file: they are said as such.
    const bool read = error == EWOULDBLOCK && ::flock(fd_, LOCK_SH | LOCK_NB) == 0;
    const std::string holder = error == EWOULDBLOCK && !read ? who_holds(fd_) : "";
    ::close(fd_);
    if (error != EWOULDBLOCK) throw UsageError("cannot lock " + file.string() + ": " + std::strerror(error));
    if (read)
      throw UsageError("a grader merge is reading " + out.string() + " as a shard; wait for it to end, then run "
                       "this again");
    throw UsageError("another run is writing into " + out.string() + ": " + holder +
                     "; wait for it to end (or stop it), then run this again");
  }
  // Who holds it, for a run refused meanwhile. The file stays when the run ends: removing it
  // would let a run lock the old file while another creates and locks a new one.
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  const std::string info =
      fmt::format("{} (pid {} on {}, started {:%Y-%m-%d %H:%M:%S} UTC)\n", command, ::getpid(), host,
                  fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
  // Best effort: the lock works without it (a full disk must not stop the run here).
  const bool written =
      ::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, info.data(), info.size(), 0) == static_cast<ssize_t>(info.size());
  if (!written) spdlog::debug("cannot say in {} who holds it: {}", file.string(), std::strerror(errno));
}

void OutputLock::check_held() const {
  struct stat held = {};
  struct stat there = {};
  const std::filesystem::path file = out_ / kLockFile;
  if (fd_ < 0 || (::fstat(fd_, &held) == 0 && ::stat(file.c_str(), &there) == 0 && held.st_dev == there.st_dev &&
                  held.st_ino == there.st_ino))
    return;
  throw OutputGone(out_.string() +
                   " was moved or removed while this run wrote into it (its lock file is not the one this run "
                   "holds): nothing more is written there; grade again into the folder you want, with --resume to "
                   "keep what it holds");
}

OutputLock OutputLock::reading(const std::filesystem::path& dir) {
  OutputLock lock;
  const std::filesystem::path file = dir / kLockFile;
  lock.fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock.fd_ < 0) {
    if (errno == ENOENT) return lock;
    throw UsageError("cannot open " + file.string() + ": " + std::strerror(errno));
  }
  if (::flock(lock.fd_, LOCK_SH | LOCK_NB) != 0) {
    const int error = errno;
    if (error != EWOULDBLOCK) throw UsageError("cannot lock " + file.string() + ": " + std::strerror(error));
    throw UsageError("a run is writing into " + dir.string() + ": " + who_holds(lock.fd_) +
                     "; wait for it to end, then merge again");
  }
  return lock;
}

OutputLock::~OutputLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace grader::batch
