// utf8_safe(): what every message and note quoting a student's bytes goes through.
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "text.hpp"

using grader::utf8_safe;

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(valid_text_passes_and_everything_else_is_escaped) {
  BOOST_TEST(utf8_safe("query121, line\n\tnext", 100) == "query121, line\n\tnext");
  BOOST_TEST(utf8_safe("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 100) ==
             "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  BOOST_TEST(utf8_safe("\x1b[31mred\x7f\r", 100) == "\\x1b[31mred\\x7f\\x0d");
  BOOST_TEST(utf8_safe(std::string("a\0b", 3), 100) == "a\\x00b");
  BOOST_TEST(utf8_safe("\xff\xfe", 100) == "\\xff\\xfe");
  BOOST_TEST(utf8_safe("\xc3", 100) == "\\xc3");                             // cut short
  BOOST_TEST(utf8_safe("\xc3(", 100) == "\\xc3(");                           // bad continuation
  BOOST_TEST(utf8_safe("\xc0\xaf", 100) == "\\xc0\\xaf");                    // overlong '/'
  BOOST_TEST(utf8_safe("\xe0\x80\xaf", 100) == "\\xe0\\x80\\xaf");           // overlong, 3 bytes
  BOOST_TEST(utf8_safe("\xed\xa0\x80", 100) == "\\xed\\xa0\\x80");           // a UTF-16 surrogate
  BOOST_TEST(utf8_safe("\xf4\x90\x80\x80", 100) == "\\xf4\\x90\\x80\\x80");  // beyond U+10FFFF
  BOOST_TEST(utf8_safe("\xc2\x9b"
                       "2J",
                       100) == "\\u009b2J");  // C1 CSI
  BOOST_TEST(utf8_safe("ab\xe2\x80\xae"
                       "cd",
                       100) == "ab\\u202ecd");  // right-to-left override
  // Characters that print as nothing, or turn what follows around: each escaped.
  BOOST_TEST(utf8_safe("a\u200fb\u061cc\u200bd\ufeffe\u00adf\u2060g", 100) ==
             "a\\u200fb\\u061cc\\u200bd\\ufeffe\\u00adf\\u2060g");
  BOOST_TEST(utf8_safe("x\U000E0041y", 100) == "x\\U000e0041y");  // a tag character
  // More that show nothing or a blank: invisible operators, Mongolian vowel separator, Hangul
  // filler, combining grapheme joiner, a variation selector on a letter, an annotation anchor.
  BOOST_TEST(utf8_safe("a\u206ab\u180ec\u3164d\u034fe\ufe00f\ufff9g\U000E0100h", 200) ==
             "a\\u206ab\\u180ec\\u3164d\\u034fe\\ufe00f\\ufff9g\\U000e0100h");
  // The emoji presentation selector stays: "\u2764\ufe0f" is a red heart.
  BOOST_TEST(utf8_safe("\u2764\ufe0f", 100) == "\u2764\ufe0f");
  // The joiners that Persian and Indic names and emoji need stay as they are.
  BOOST_TEST(utf8_safe("\u0645\u06cc\u200c\u0631\u0648\u0645", 100) == "\u0645\u06cc\u200c\u0631\u0648\u0645");
}

BOOST_AUTO_TEST_CASE(one_line_escapes_newlines_and_tabs_as_well) {
  // A file named "x\ngrader: error: ..." quoted in a warning must not start a line of its own.
  BOOST_TEST(grader::one_line("x.npy\ngrader: error: all failed\tnow", 100) ==
             "x.npy\\x0agrader: error: all failed\\x09now");
  BOOST_TEST(grader::one_line("\x1b\u202e\xff", 100) == "\\x1b\\u202e\\xff");  // as utf8_safe() does
  BOOST_TEST(grader::one_line("\n\n\n", 9) == "\\x0a...");                     // an escape is never split
}

BOOST_AUTO_TEST_CASE(flattened_text_is_one_line) {
  // An exception's text of several lines, shown in a report's line, drew a score table.
  BOOST_TEST(grader::flattened("bad\n\n  exercise  points\r\n  1   4 / 4  passed\n") ==
             "bad exercise  points 1   4 / 4  passed");
  BOOST_TEST(grader::flattened("one line") == "one line");
  BOOST_TEST(grader::flattened("\n\nx") == "x");
}

BOOST_AUTO_TEST_CASE(long_text_is_cut_at_a_character_boundary_within_max_bytes) {
  BOOST_TEST(utf8_safe("abcdef", 6) == "abcdef");
  BOOST_TEST(utf8_safe("abcdefg", 6) == "abc...");
  BOOST_TEST(utf8_safe("a\xc3\xa9\xe2\x82\xac", 6) == "a\xc3\xa9\xe2\x82\xac");  // exactly 6 bytes
  BOOST_TEST(utf8_safe("a\xc3\xa9\xe2\x82\xacx", 6) == "a\xc3\xa9...");
  BOOST_TEST(utf8_safe("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 7) == "\xe2\x82\xac...");
  BOOST_TEST(utf8_safe("\xff\xff\xff", 9) == "\\xff...");  // an escape is never split
  BOOST_TEST(utf8_safe("abc", 2) == "ab");                 // no room for "...": cut short
  BOOST_TEST(utf8_safe(std::string(30u << 20, 'x'), 40) == std::string(37, 'x') + "...");
}

BOOST_AUTO_TEST_CASE(any_bytes_become_text_json_accepts) {
  // Every pair of bytes, then random strings: nlohmann::json refuses invalid UTF-8 when it
  // writes (type_error 316), so a dump that does not throw proves the output valid.
  for (unsigned a = 0; a < 256; ++a)
    for (unsigned b = 0; b < 256; ++b) {
      const std::string in{static_cast<char>(a), static_cast<char>(b)};
      const std::string out = utf8_safe(in, 64);
      BOOST_REQUIRE_NO_THROW(static_cast<void>(nlohmann::json(out).dump()));
      BOOST_REQUIRE(out.find('\x1b') == std::string::npos);
    }
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string in(rng() % 40, '\0');
    for (auto& c : in) c = static_cast<char>(rng() % 4 == 0 ? 0x80 + rng() % 0x80 : rng() % 256);
    const std::size_t max = rng() % 50;
    const std::string out = utf8_safe(in, max);
    BOOST_REQUIRE_LE(out.size(), max);
    BOOST_REQUIRE_NO_THROW(static_cast<void>(nlohmann::json(out).dump()));
  }
}

BOOST_AUTO_TEST_SUITE_END()
