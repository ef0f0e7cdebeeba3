#include "memory_file.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "grader/error.hpp"

namespace grader::sandbox {

namespace {

[[noreturn]] void fault(const std::string& what) {
  throw Error("cannot pass a child its data: " + what + ": " + std::strerror(errno));
}

}  // namespace

Fd sealed_memory_file(const char* name, std::initializer_list<std::string_view> parts, std::uint64_t size,
                      unsigned seals) {
  Fd fd(memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) fault("memfd_create");
  bool content = false;
  for (const std::string_view part : parts) {
    for (std::size_t done = 0; done < part.size();) {
      const ssize_t n = ::write(fd.get(), part.data() + done, part.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fault(std::string("write to the memory file ") + name);
      done += static_cast<std::size_t>(n);
    }
    content = content || !part.empty();
  }
  if (!content && ftruncate(fd.get(), static_cast<off_t>(size)) != 0) fault("ftruncate");
  // F_SEAL_WRITE fails with EBUSY while anything holds a page of the file for a moment (the
  // kernel waits about 150 ms for it): it did once in a whole test run on a busy machine,
  // where a memory monitor (DAMON's kdamond) samples pages, a likely holder; a grader error,
  // for nothing of the student's. Tried again, for a second or two in all.
  for (int attempt = 0; fcntl(fd.get(), F_ADD_SEALS, seals) != 0; ++attempt) {
    if (errno != EBUSY || attempt == 8) fault("sealing a memory file");
    ::usleep(static_cast<useconds_t>(10'000) << (attempt / 2));
  }
  return fd;
}

Mapping::Mapping(int fd, std::size_t size, bool populate, const char* what) : size_(size) {
  if (size_ == 0) return;
  data_ = mmap(nullptr, size_, PROT_READ, MAP_SHARED | (populate ? MAP_POPULATE : 0), fd, 0);
  if (data_ == MAP_FAILED) throw Error(std::string("cannot map ") + what + ": " + std::strerror(errno));
}

Mapping::~Mapping() {
  if (size_ > 0) munmap(data_, size_);
}

}  // namespace grader::sandbox
