#pragma once
/// Small text helpers shared by the grader's sources.

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace grader {

/// `s` with its ASCII letters in lower case (other bytes as they are): file extensions, names
/// compared without regard to case.
inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
  return s;
}

/// A number of seconds as a message gives it: 2, 0.5, 1e-05.
inline std::string seconds_text(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", s);
  return buffer;
}

/// Whether a file's stem names a test as pytest names them (test_x, x_test): a student's tests of
/// the code they hand in, a notebook's or a library's sources'.
inline bool named_as_a_test(std::string_view stem) { return stem.starts_with("test_") || stem.ends_with("_test"); }

/// "1 exercise", "2 exercises": a count with its noun, plural unless it is one.
inline std::string counted(std::size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

/// "label: text", or `text` alone when there is no label.
/// A sentence without its closing full stop and trailing space, for more to follow it
/// ("... before the softmax", then ", in random case 3").
inline std::string without_full_stop(std::string text) {
  while (!text.empty() && (text.back() == '.' || text.back() == ' ' || text.back() == '\n' || text.back() == '\t'))
    text.pop_back();
  return text;
}

inline std::string prefixed(const std::string& label, const std::string& text) {
  return label.empty() ? text : label + ": " + text;
}

/// The first `shown` of `items` joined by `separator`, then "and N more" for the rest ("a, b, c
/// and 2 more"; "a is x; b is y; and 2 more"): a list in a message that stays short however
/// many files a student hands in.
inline std::string first_few(const std::vector<std::string>& items, std::size_t shown = 3,
                             const std::string& separator = ", ") {
  std::string text;
  for (std::size_t i = 0; i < std::min(items.size(), shown); ++i) text += (i ? separator : "") + items[i];
  if (items.size() > shown)
    text += (separator == ", " ? " and " : separator + "and ") + std::to_string(items.size() - shown) + " more";
  return text;
}

/// `word` as one word of a POSIX shell's command line: as it is where it holds nothing the
/// shell reads (an exercise id such as 2.1), else in single quotes (`'part 2'`).
inline std::string shell_word(std::string_view word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '/' || c == ':';
  });
  if (plain) return std::string(word);
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// `text` on one line: each line break, with the blanks around it, becomes one space. For what a
/// student's code says of itself (an exception's text, an error message) shown as one line of
/// a report, where lines of its own could pass for the grader's (a score table, a verdict).
inline std::string flattened(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') {
      out += text[i];
      continue;
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
    while (i + 1 < text.size() && std::string_view(" \t\r\n").find(text[i + 1]) != std::string_view::npos) ++i;
    if (!out.empty() && i + 1 < text.size()) out += ' ';
  }
  return out;
}

/// `text` with every occurrence of `from` replaced by `to` (left to right, not rescanned).
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}

namespace detail {

/// The length of the valid UTF-8 sequence at text[i] (no overlong forms, surrogates or code
/// points above U+10FFFF), or 0 if the byte there does not start one; its code point in `cp`.
inline std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char c = byte(0);
  std::size_t len = 0;
  if (c < 0x80) return cp = c, 1;
  if (c >= 0xc2 && c <= 0xdf)
    len = 2, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef)
    len = 3, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4)
    len = 4, cp = c & 0x07;
  else
    return 0;
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(k) & 0x3f);
  }
  const char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

/// Whether `cp` is escaped wherever text is shown: C1 controls (0x9b starts an escape sequence
/// on some terminals), bidirectional overrides and marks (text that reads differently from what
/// it is), line separators, and characters that print as nothing or as a blank that is not a
/// space (zero-width space, word joiners, invisible operators, byte order mark, soft hyphen,
/// tags, the combining grapheme joiner, the Mongolian vowel separator, the Hangul fillers,
/// variation selectors after which nothing changes, interlinear annotations). The joiners
/// U+200C and U+200D and the emoji selectors U+FE0E and U+FE0F stay: Persian and Indic names
/// and emoji need them.
inline bool hidden_character(char32_t cp) {
  const auto in = [cp](char32_t from, char32_t to) { return cp >= from && cp <= to; };
  return in(0x80, 0x9f) || cp == 0x00ad || cp == 0x034f || cp == 0x061c || cp == 0x115f || cp == 0x1160 ||
         cp == 0x180e || cp == 0x200b || cp == 0x200e || cp == 0x200f || in(0x2028, 0x202e) || in(0x2060, 0x206f) ||
         cp == 0x3164 || in(0xfe00, 0xfe0d) || cp == 0xfeff || cp == 0xffa0 || in(0xfff9, 0xfffb) ||
         in(0xe0000, 0xe007f) || in(0xe0100, 0xe01ef);
}

/// Appends to `out` the escaped form of the character or invalid byte at text[i]; returns how
/// many bytes of `text` it took. A newline and a tab are kept when `lines` is true.
inline std::size_t append_safe(std::string& out, std::string_view text, std::size_t i, bool lines) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c >= 0x20 && c < 0x7f) {  // printable ASCII, the common case
    out += static_cast<char>(c);
    return 1;
  }
  char32_t cp = 0;
  const std::size_t used = utf8_sequence(text, i, cp);
  char buffer[16];
  if (used == 0) {  // an invalid byte
    std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
    out += buffer;
    return 1;
  }
  if ((cp < 0x20 && !(lines && (cp == '\n' || cp == '\t'))) || cp == 0x7f) {
    std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(cp));
    out += buffer;
  } else if (hidden_character(cp)) {
    std::snprintf(buffer, sizeof buffer, cp > 0xffff ? "\\U%08x" : "\\u%04x", static_cast<unsigned>(cp));
    out += buffer;
  } else {
    out += text.substr(i, used);
  }
  return used;
}

/// utf8_safe() and one_line(): `lines` keeps newlines and tabs.
inline std::string escaped(std::string_view text, std::size_t max_bytes, bool lines) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  const std::size_t room = max_bytes >= 3 ? max_bytes - 3 : 0;  // for the text before "..."
  std::size_t keep = 0;                                         // the longest escaped prefix that fits in `room`
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t before = out.size();
    i += append_safe(out, text, i, lines);
    if (out.size() > max_bytes) {
      out.resize(max_bytes >= 3 ? keep : before);
      return max_bytes >= 3 ? out + "..." : out;
    }
    if (out.size() <= room) keep = out.size();
  }
  return out;
}

}  // namespace detail

/// The offset of the first byte of `text` that is not part of valid UTF-8, or npos.
inline std::size_t invalid_utf8_at(std::string_view text) {
  char32_t cp = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t used = detail::utf8_sequence(text, i, cp);
    if (used == 0) return i;
    i += used;
  }
  return std::string_view::npos;
}

/// `text` made safe to print or to store as JSON, XML or CSV: valid UTF-8, invalid bytes as \xNN,
/// control characters other than \n and \t escaped (\x1b, \u009b), and characters that hide
/// or reorder text (detail::hidden_character: \u202e, \u200b, \U000e0041), and at most
/// `max_bytes` bytes, cut on a character boundary with "..." at the end when longer.
inline std::string utf8_safe(std::string_view text, std::size_t max_bytes) {
  return detail::escaped(text, max_bytes, true);
}

/// utf8_safe() on one line: newlines and tabs escaped too (\x0a, \x09). For a name quoted in
/// a message (a student's file or folder name), where a newline would start a line that reads
/// as the grader's own.
inline std::string one_line(std::string_view text, std::size_t max_bytes) {
  return detail::escaped(text, max_bytes, false);
}

/// `text` with nothing a CI runner reads as a command in its log: GitHub Actions takes a line
/// starting with "::" (after blanks) or holding "##[" for a workflow command. A backslash goes
/// before such a "::" and between the two '#'. Idempotent.
inline std::string ci_inert(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool line_start = true;  // only blanks since the start of the line
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      line_start = true;
    } else if (line_start && c == ':' && i + 1 < text.size() && text[i + 1] == ':') {
      out += '\\';
      line_start = false;
    } else if (c == '#' && text.substr(i, 3) == "##[") {
      out += "#\\";
      line_start = false;
      continue;
    } else if (line_start) {
      // Blanks as .NET's TrimStart knows them: ASCII ones, U+0085, U+00A0, U+1680,
      // U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
      char32_t cp = 0;
      const std::size_t len = detail::utf8_sequence(text, i, cp);
      const bool blank = c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || cp == 0x85 || cp == 0xa0 ||
                         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
                         cp == 0x202f || cp == 0x205f || cp == 0x3000;
      line_start = blank;
      if (blank && len > 1) {
        out += text.substr(i, len);
        i += len - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/// Student-controlled `text` made inert wherever a report puts it: utf8_safe(), then
/// ci_inert().
inline std::string inert(std::string_view text, std::size_t max_bytes) { return ci_inert(utf8_safe(text, max_bytes)); }

/// The first line of `text`, cut to `width` bytes (on a character boundary) with "..." when
/// longer.
inline std::string first_line(const std::string& text, std::size_t width) {
  const std::string line = text.substr(0, text.find('\n'));
  if (line.size() <= width) return line;
  std::size_t end = width >= 3 ? width - 3 : 0;
  while (end > 0 && (static_cast<unsigned char>(line[end]) & 0xc0) == 0x80) --end;
  return line.substr(0, end) + "...";
}

/// A line of a student's code quoted in a message: `x = 1`, or "x = `y`" where it holds a
/// backtick (Markdown reports would end the quote there).
inline std::string code_quoted(const std::string& code) {
  return code.find('`') == std::string::npos ? "`" + code + "`" : "\"" + code + "\"";
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
