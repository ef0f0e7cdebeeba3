#include "grader/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <random>

#include "grader/error.hpp"

namespace grader {

namespace {

constexpr const char* kTempMarker = ".tmp-";

[[noreturn]] void fail(const std::filesystem::path& path, const char* step, int error) {
  const std::string what = "cannot write " + path.string() + " (" + step + "): " + std::strerror(error);
  if (error == ENOSPC || error == EDQUOT)
    throw DiskFull(what +
                   ": the disk is full; make room and run the same command again (grader grade with --resume keeps "
                   "every result already written)");
  throw Error(what);
}

/// A name for a temporary file next to `path` ('.<name>.tmp-XXXXXX'), not yet taken.
std::string temporary_name(const std::filesystem::path& dir, const std::filesystem::path& path) {
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device random;
  std::string suffix;
  for (int i = 0; i < 6; ++i) suffix += kLetters[random() % (sizeof kLetters - 1)];
  return (dir / ("." + path.filename().string() + kTempMarker + suffix)).string();
}

/// A file written whole but not yet under its name: an unnamed file (O_TMPFILE) or, where the
/// file system lacks those, a hidden temporary name. Dropped unless published.
class PendingFile {
 public:
  PendingFile(std::filesystem::path path, const std::string& content, bool durable) : path_(std::move(path)) {
    const auto dir = path_.has_parent_path() ? path_.parent_path() : std::filesystem::path(".");
    std::error_code made;  // a folder that does not exist yet is made (PrairieLearn's /grade/results)
    std::filesystem::create_directories(dir, made);
    if (made) fail(path_, "create its folder", made.value());
    // The content goes into a file without a name: killed now, the grader leaves nothing.
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    unnamed_ = fd_ >= 0;
    if (!unnamed_) {  // a file system without O_TMPFILE: a hidden name from the start
      if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) fail(path_, "open", errno);
      for (int attempt = 0; fd_ < 0; ++attempt) {
        temp_ = temporary_name(dir, path_);
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd_ < 0 && (errno != EEXIST || attempt == 3)) {
          temp_.clear();
          fail(path_, "open", errno);
        }
      }
    }
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd_, content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) abandon("write");
      done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd_, 0644) != 0) abandon("chmod");
    if (durable && ::fsync(fd_) != 0) abandon("fsync");
  }

  ~PendingFile() { drop(); }
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  /// Gives the file its name, replacing any file of that name at once (readers never miss it).
  void publish() {
    if (unnamed_) {
      // Directly when the name is free; otherwise a temporary name (complete too) and a
      // rename over the old file.
      const std::string self = "/proc/self/fd/" + std::to_string(fd_);
      if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path_.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        const int closed = ::close(fd_);
        fd_ = -1;
        if (closed != 0) fail(path_, "close", errno);
        return;
      }
      if (errno != EEXIST) abandon("linkat");
      for (int attempt = 0;; ++attempt) {
        temp_ = temporary_name(path_.has_parent_path() ? path_.parent_path() : ".", path_);
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temp_.c_str(), AT_SYMLINK_FOLLOW) == 0) break;
        if (errno != EEXIST || attempt == 3) {
          temp_.clear();
          abandon("linkat");
        }
      }
    }
    const int closed = ::close(fd_);
    fd_ = -1;
    if (closed != 0) abandon("close");
    if (::rename(temp_.c_str(), path_.c_str()) != 0) abandon("rename");
    temp_.clear();
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool unnamed_ = false;
  std::string temp_;  ///< the temporary name, while one exists

  void drop() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temp_.empty()) ::unlink(temp_.c_str());
    temp_.clear();
  }

  [[noreturn]] void abandon(const char* step) {
    const int saved = errno;
    drop();
    fail(path_, step, saved);
  }
};

}  // namespace

void write_atomically(const std::filesystem::path& path, const std::string& content, bool durable) {
  PendingFile(path, content, durable).publish();
}

void write_all_or_none(const std::vector<std::pair<std::filesystem::path, std::string>>& files, bool durable) {
  std::vector<std::unique_ptr<PendingFile>> pending;  // every content written before any name changes
  for (const auto& [path, content] : files) pending.push_back(std::make_unique<PendingFile>(path, content, durable));
  for (const auto& [path, content] : files)
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail(path, "unlink", errno);
  std::size_t placed = 0;
  try {
    for (; placed < pending.size(); ++placed) pending[placed]->publish();
  } catch (const Error&) {
    for (std::size_t i = 0; i < placed; ++i) ::unlink(files[i].first.c_str());
    throw;
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
