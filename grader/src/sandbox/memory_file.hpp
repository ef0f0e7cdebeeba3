#pragma once
/// Memory files (memfd) that pass a child its code and plan and take back its outputs: the
/// child maps them, and the grader maps what the child wrote, without copies through pipes.

#include <fcntl.h>

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

}  // namespace grader::sandbox
