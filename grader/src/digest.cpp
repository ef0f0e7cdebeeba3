#include "digest.hpp"

#include <cstdint>

namespace grader {

Digest::Digest() { sha256_init(&ctx_); }

Digest& Digest::add(std::string_view field) {
  std::uint8_t length[8];
  for (int i = 0; i < 8; ++i)
    length[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(field.size()) >> (8 * i));
  sha256_update(&ctx_, sizeof length, length);
  sha256_update(&ctx_, field.size(), reinterpret_cast<const std::uint8_t*>(field.data()));
  return *this;
}

namespace {

/// The digest `ctx` holds (left as it was), in hex.
std::string hex_of(sha256_ctx ctx) {
  std::uint8_t bytes[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, sizeof bytes, bytes);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

}  // namespace

std::string Digest::hex() const { return hex_of(ctx_); }

std::string sha256_hex(std::string_view bytes) {
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, bytes.size(), reinterpret_cast<const std::uint8_t*>(bytes.data()));
  return hex_of(ctx);
}

}  // namespace grader
