#pragma once
/// Small text helpers shared by the grader's sources.

#include <cstdio>
#include <string>
#include <string_view>

namespace grader {

/// `text` made safe to show anywhere (terminal, JSON, XML, CSV): valid UTF-8 in which every byte
/// that is not part of valid UTF-8, and every control character but \n and \t, is written as
/// \xNN (C1 controls and bidirectional overrides as \uNNNN); cut at a character boundary, with
/// "...", when the result would be longer than `max_bytes` (never longer, "..." included).
/// example: utf8_safe("caf\xe9\x1b[31m", 40) == "caf\\xe9\\x1b[31m"
inline std::string utf8_safe(std::string_view text, std::size_t max_bytes) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto escape = [](const char* format, unsigned value) {
    char buf[8];
    std::snprintf(buf, sizeof buf, format, value);
    return std::string(buf);
  };
  std::string out;
  std::size_t fits = 0;  // how much of `out` may stay when "..." has to follow
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = byte(i);
    // The length of a well-formed sequence starting at i (RFC 3629), 0 if there is none.
    std::size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                  : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n > 1) {
      if (i + n > text.size()) n = 0;
      for (std::size_t k = 1; k < n; ++k)
        if ((byte(i + k) & 0xc0) != 0x80) n = 0;
      if (n >= 3) {
        const unsigned char second = byte(i + 1);
        if ((c == 0xe0 && second < 0xa0) || (c == 0xed && second > 0x9f) ||
            (c == 0xf0 && second < 0x90) || (c == 0xf4 && second > 0x8f))
          n = 0;  // overlong, a surrogate, or beyond U+10FFFF
      }
    }
    std::string piece;
    if (n == 0 || (n == 1 && ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f))) {
      piece = escape("\\x%02x", c);
      n = 1;
    } else {
      unsigned cp = n == 1 ? c : n == 2 ? c & 0x1fu : n == 3 ? c & 0x0fu : c & 0x07u;
      for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (byte(i + k) & 0x3fu);
      const bool hidden = (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
                          (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
      piece = hidden ? escape("\\u%04x", cp) : std::string(text.substr(i, n));
    }
    if (out.size() + piece.size() > max_bytes) {
      out.resize(fits);
      return max_bytes >= 3 ? out + "..." : out;
    }
    out += piece;
    if (out.size() + 3 <= max_bytes) fits = out.size();
    i += n;
  }
  return out;
}

/// `text` with every occurrence of `from` replaced by `to` (left to right, not rescanned).
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}

/// The first line of `text`, cut to `width` characters with "..." when longer.
inline std::string first_line(const std::string& text, std::size_t width) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > width) line = line.substr(0, width - 3) + "...";
  return line;
}

/// Every line of `text` with `pad` in front, each ending in a newline.
inline std::string indented(const std::string& text, const std::string& pad) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out += pad + text.substr(pos, end - pos) + "\n";
    pos = end + 1;
  }
  return out;
}

}  // namespace grader
