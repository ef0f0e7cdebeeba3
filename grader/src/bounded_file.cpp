#include "grader/bounded_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace grader {

namespace {

/// Opens a file only if it is a regular one: a device node (a FIFO, a watchdog) named like an
/// answer is refused from its entry, never opened, as opening alone can act. fstat then
/// checks what was opened (it could have been swapped in between). Throws ReadError.
int open_regular(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
    throw ReadError("is not a regular file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0 && errno == ELOOP) throw ReadError("is a symbolic link; hand in the file itself");
  if (fd < 0 && errno == EACCES)
    throw ReadError("cannot be opened: its permissions forbid reading it (give it read permission: chmod a+r)");
  if (fd < 0) throw ReadError(std::string("cannot be opened: ") + std::strerror(errno));
  return fd;
}

}  // namespace

BoundedFile::BoundedFile(const std::filesystem::path& path, const ReadLimits& limits) : fd_(open_regular(path)) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw ReadError("is not a regular file");
  }
  if (static_cast<std::uintmax_t>(st.st_size) > limits.max_bytes) {
    ::close(fd_);
    throw ReadError("is " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                    std::to_string(limits.max_bytes));
  }
  size_ = static_cast<std::size_t>(st.st_size);
}

BoundedFile::~BoundedFile() { ::close(fd_); }

void BoundedFile::read(std::size_t from, std::size_t to, std::string& out) const {
  const std::size_t start = out.size();
  out.resize(start + (to - from));
  for (std::size_t got = 0; got < to - from;) {
    const ssize_t n = ::pread(fd_, out.data() + start + got, to - from - got, static_cast<off_t>(from + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw ReadError("could not be read completely");
    got += static_cast<std::size_t>(n);
  }
}

std::string read_bounded(const std::filesystem::path& path, const ReadLimits& limits) {
  const BoundedFile file(path, limits);
  std::string bytes;
  file.read(0, file.size(), bytes);
  return bytes;
}

bool readable_folder(const std::filesystem::path& dir) { return ::access(dir.c_str(), R_OK | X_OK) == 0; }

std::string ReadBudget::read(const std::filesystem::path& path) {
  std::string bytes = read_bounded(path, left_);
  left_.max_bytes -= bytes.size();
  return bytes;
}

}  // namespace grader
