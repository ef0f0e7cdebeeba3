#pragma once
/// FNV-1a, 64 bits: a stable, portable hash for the default seeds of randomized checks and the
/// slices of --shard (not a defence against forgery: keys a student could forge use Digest,
/// digest.hpp).

#include <cstdint>
#include <string_view>

namespace grader {

inline std::uint64_t fnv1a(std::string_view data, std::uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace grader
