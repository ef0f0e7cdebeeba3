#include "grader/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "grader/error.hpp"

namespace grader {

void write_atomically(const std::filesystem::path& path, const std::string& content) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string pattern = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0)
    throw Error("cannot write " + path.string() + ": " + std::strerror(errno));
  const auto fail = [&](const char* step) {
    const int saved = errno;
    ::close(fd);
    ::unlink(name.data());
    throw Error("cannot write " + path.string() + " (" + step + "): " + std::strerror(saved));
  };
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) fail("chmod");
  if (::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    ::unlink(name.data());
    throw Error("cannot write " + path.string() + " (close): " + std::strerror(errno));
  }
  if (::rename(name.data(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(name.data());
    throw Error("cannot write " + path.string() + " (rename): " + std::strerror(saved));
  }
}

}  // namespace grader
