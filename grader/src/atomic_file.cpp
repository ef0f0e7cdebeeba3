#include "grader/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "grader/error.hpp"

namespace grader {

namespace {

constexpr const char* kTempMarker = ".tmp-";

[[noreturn]] void fail(const std::filesystem::path& path, const char* step, int error) {
  throw Error("cannot write " + path.string() + " (" + step + "): " + std::strerror(error));
}

void write_all(int fd, const std::string& content, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path, "write", errno);
    done += static_cast<std::size_t>(n);
  }
}

/// A name for a temporary file next to `path` ('.<name>.tmp-XXXXXX'), not yet taken.
std::string temporary_name(const std::filesystem::path& dir, const std::filesystem::path& path) {
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device random;
  std::string suffix;
  for (int i = 0; i < 6; ++i) suffix += kLetters[random() % (sizeof kLetters - 1)];
  return (dir / ("." + path.filename().string() + kTempMarker + suffix)).string();
}

}  // namespace

void write_atomically(const std::filesystem::path& path, const std::string& content, bool durable) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  // The content goes into a file without a name: killed now, the grader leaves nothing.
  int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  const bool unnamed = fd >= 0;
  std::string temp;
  if (!unnamed) {  // a file system without O_TMPFILE: a hidden name from the start
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) fail(path, "open", errno);
    for (int attempt = 0; fd < 0; ++attempt) {
      temp = temporary_name(dir, path);
      fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 && (errno != EEXIST || attempt == 3)) fail(path, "open", errno);
    }
  }
  const auto abandon = [&](const char* step) {
    const int saved = errno;
    ::close(fd);
    if (!temp.empty()) ::unlink(temp.c_str());
    fail(path, step, saved);
  };
  try {
    write_all(fd, content, path);
  } catch (const Error&) {
    ::close(fd);
    if (!temp.empty()) ::unlink(temp.c_str());
    throw;
  }
  if (::fchmod(fd, 0644) != 0) abandon("chmod");
  if (durable && ::fsync(fd) != 0) abandon("fsync");
  if (unnamed) {
    // Complete: it gets its name, directly when the name is free; otherwise a temporary name
    // (complete too) and a rename over the old file, so that readers never miss it.
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      if (::close(fd) != 0) fail(path, "close", errno);
      return;
    }
    if (errno != EEXIST) abandon("linkat");
    for (int attempt = 0;; ++attempt) {
      temp = temporary_name(dir, path);
      if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) == 0) break;
      if (errno != EEXIST || attempt == 3) {
        temp.clear();
        abandon("linkat");
      }
    }
  }
  if (::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    fail(path, "close", saved);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    fail(path, "rename", saved);
  }
}

void remove_stale_temporaries(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const auto marker = name.rfind(kTempMarker);
    if (name.size() > 1 && name[0] == '.' && marker != std::string::npos &&
        name.size() == marker + std::strlen(kTempMarker) + 6 && entry.is_regular_file(ec))
      std::filesystem::remove(entry.path(), ec);
  }
}

}  // namespace grader
