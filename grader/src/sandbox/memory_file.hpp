#pragma once
/// Memory files (memfd) that pass a child its code and plan and take back its outputs: the
/// child maps them, and the grader maps what the child wrote, without copies through pipes.

#include <fcntl.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "fd.hpp"

namespace grader::sandbox {

/// Seals that make a memory file's content final: what the child reads cannot change.
constexpr unsigned kSealedForGood = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
/// Seals of a file the child writes its outputs into: its size is final, its content is not.
constexpr unsigned kSealedSize = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

/// A memory file holding `parts` one after the other (written in place, not joined first: a
/// plan is hundreds of kilobytes), or, with no content, `size` zero bytes; then `seals`.
/// Throws Error when the system refuses (the grader's fault, never a student's).
Fd sealed_memory_file(const char* name, std::initializer_list<std::string_view> parts, std::uint64_t size,
                      unsigned seals);

/// The grader's read-only view of a memory file's first `size` bytes (none: nothing mapped),
/// unmapped when it goes out of scope. `populate`: all its pages mapped at once (one call into
/// the kernel, not a fault per page), for a view read whole; not for a large, sparse one.
/// Throws Error, naming `what`, when the system refuses.
class Mapping {
 public:
  Mapping(int fd, std::size_t size, bool populate, const char* what);
  ~Mapping();
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const char* data() const { return static_cast<const char*>(data_); }

 private:
  void* data_ = nullptr;
  std::size_t size_;
};

}  // namespace grader::sandbox
