// A hostile student's folder against the real `grader`: nested lists that overflowed the stack,
// YAML aliases, headers and keys that multiplied time, memory and output, text NumPy writes,
// and bytes that are not UTF-8. Each case was a crash, an "internal error" or a blow-up before
// it was fixed; each must now be a verdict for that student, and the rest still graded.
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::run_grader;
using test_support::TempDir;

namespace {

const std::string kSpec = "specs/understanding-attention.yaml";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// `grader check --format json` on a folder, with a CPU-time limit (ulimit -t): a blow-up ends
/// in SIGXCPU or SIGKILL instead of running on. Timings themselves are never asserted.
test_support::ProcessResult check(const fs::path& dir, int cpu_seconds = 60) {
  return test_support::run_process(
      {"/bin/bash", "-c",
       "ulimit -t " + std::to_string(cpu_seconds) + "; exec \"$0\" check --spec " + kSpec + " \"$1\" --format json",
       GRADER_EXECUTABLE, dir.string()},
      {}, GRADER_SOURCE_DIR);
}

/// The exercise of the JSON result whose answer is `name` (1.2.1 reads query121, ...).
json exercise(const json& result, const std::string& id) {
  for (const auto& e : result.at("exercises"))
    if (e.at("id") == id) return e;
  BOOST_FAIL("no exercise " << id);
  return {};
}

/// The result of a check that must grade the student (exit 1: something failed), not crash.
json graded(const test_support::ProcessResult& r) {
  BOOST_TEST_REQUIRE(r.exit_code == 1, "exit " << r.exit_code << "; stderr: " << r.err.substr(0, 500));
  return json::parse(r.out);
}

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_answers)

BOOST_AUTO_TEST_CASE(deep_lists_in_answers_json_and_yaml_are_unreadable_not_a_crash) {
  // 200 KB of '[' and ']': 100 000 levels overflowed the stack copying the JSON tree.
  for (const std::size_t depth : {std::size_t{100000}, std::size_t{1990}, std::size_t{498}, std::size_t{4}}) {
    BOOST_TEST_CONTEXT("depth " << depth) {
      TempDir json_dir, yaml_dir;
      json_dir.write("answers.json", "{\"query121\": " + nested(depth) + ", \"query122\": [[1, 2, 3]]}");
      yaml_dir.write("answers.yaml", "query121: " + nested(depth) + "\nquery122: [[1, 2, 3]]\n");
      for (const auto* dir : {&json_dir, &yaml_dir}) {
        const json result = graded(check(dir->path()));
        const json e = exercise(result, "1.2.1");
        BOOST_TEST(e.at("verdict") == "unreadable");
        const std::string message = e.at("message");
        if (dir == &yaml_dir && depth >= 500) {
          // yaml-cpp's parser refuses 500 levels itself (its DepthGuard), the top mapping
          // included: the whole file.
          BOOST_TEST(message ==
                     "'query121' was not found as a file, and answers.yaml is not valid YAML "
                     "(line 1): lists and mappings nested 500 levels deep (yaml-cpp's limit); an answer "
                     "has rank 3 at most");
          continue;
        }
        BOOST_TEST(contains(message, "nested deeper than rank 3"), message);
        // The other entry of the same file is still read and graded.
        BOOST_TEST(exercise(result, "1.2.2").at("message") ==
                   "'query122' (" + (dir == &json_dir ? std::string("answers.json") : "answers.yaml") +
                       ") has shape (1, 3) but (4, 3) is expected");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_deep_answers_json_neither_crashes_a_class_run_nor_its_resume) {
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  dir.write("class/deep/answers.json", "{\"query121\": " + nested(100000) + "}");
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), root / "honest");
  const std::vector<std::string> args = {"grade", "--spec",     kSpec,        root.string(),
                                         "--out", out.string(), "--progress", "none"};
  auto r = run_grader(args);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "2 graded"), r.out);
  auto with_resume = args;
  with_resume.push_back("--resume");
  r = run_grader(with_resume);
  BOOST_TEST(r.exit_code == 0, r.err);
  const json deep = json::parse(test_support::read_file(out / "students/deep/result.json"));
  BOOST_TEST(exercise(deep, "1.2.1").at("verdict") == "unreadable");
}

BOOST_AUTO_TEST_CASE(deep_lists_in_a_spec_literal_are_a_spec_error) {
  for (const std::size_t depth : {std::size_t{100000}, std::size_t{1990}, std::size_t{5}}) {
    BOOST_TEST_CONTEXT("depth " << depth) {
      TempDir dir;
      const fs::path spec = dir.write("deep.yaml",
                                      "assignment: {id: deep, title: Deep, version: '1'}\n"
                                      "data:\n  x: " +
                                          nested(depth) +
                                          "\n"
                                          "exercises: []\n");
      dir.write("student/x.csv", "1\n");
      const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "student").string()});
      BOOST_TEST(r.exit_code == 2, r.err);  // the spec's fault, never a crash
      BOOST_TEST(contains(r.err, spec.string() + ":3:"), r.err);
    }
  }
}

BOOST_AUTO_TEST_CASE(yaml_aliases_cannot_expand_without_bound) {
  // 6 KB that named 30 million numbers: 25 s and 485 MB before the fix (10^8: a minute and
  // 1.6 GB). The reader now stops a little past the 3 numbers query121 needs.
  TempDir dir;
  std::string yaml = "a0: &a0 [1";
  for (int i = 1; i < 1000; ++i) yaml += ", 1";
  yaml += "]\na1: &a1 [*a0";
  for (int i = 1; i < 1000; ++i) yaml += ", *a0";
  yaml += "]\nquery121: [*a1";
  for (int i = 1; i < 100; ++i) yaml += ", *a1";
  yaml += "]\nquery122: *a1\n";
  dir.write("answers.yaml", yaml);
  const json result = graded(check(dir.path(), 20));
  const json e = exercise(result, "1.2.1");
  BOOST_TEST(e.at("verdict") == "wrong_shape");
  BOOST_TEST(e.at("message") == "'query121' (answers.yaml) has more than 4096 values but (1, 3) is expected");
  BOOST_TEST(exercise(result, "1.2.2").at("verdict") == "wrong_shape");
}

BOOST_AUTO_TEST_CASE(a_npy_header_of_the_wrong_size_is_refused_from_the_header_alone) {
  // The header promises 64 MiB of Fortran-order data; only 16 bytes follow. Reading the
  // data first said "truncated"; the header alone rules the answer out, as the verdict says.
  TempDir dir;
  std::string dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (2047, 4096), }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string npy = "\x93NUMPY\x01";
  npy += '\0';
  npy += static_cast<char>(dict.size() & 0xff);
  npy += static_cast<char>(dict.size() >> 8);
  dir.write("query121.npy", npy + dict + std::string(16, '\0'));
  // The same header with all its 64 MiB of data (a sparse file: no disk space used).
  const fs::path full = dir.write("query122.npy", npy + dict);
  fs::resize_file(full, fs::file_size(full) + 2047u * 4096u * 8u);
  const json result = graded(check(dir.path()));
  BOOST_TEST(exercise(result, "1.2.1").at("verdict") == "wrong_shape");
  BOOST_TEST(exercise(result, "1.2.1").at("message") ==
             "'query121' (query121.npy) has shape (2047, 4096) but (1, 3) is expected");
  BOOST_TEST(exercise(result, "1.2.2").at("message") ==
             "'query122' (query122.npy) has shape (2047, 4096) but (4, 3) is expected");
}

BOOST_AUTO_TEST_CASE(many_unknown_keys_give_a_few_short_notes) {
  // One note per unknown key made a 70 MB result.json from 10^6 keys.
  TempDir dir;
  std::string yaml = "query121: [[1, 2, 3]]\n";
  for (int i = 0; i < 60000; ++i) yaml += "k" + std::to_string(i) + ": 1\n";
  dir.write("answers.yaml", yaml);
  for (int i = 0; i < 30; ++i) dir.write("stray" + std::to_string(i) + ".csv", "1\n");
  const auto r = check(dir.path());
  const json result = graded(r);
  BOOST_TEST(r.out.size() < 20000u);
  const auto notes = result.at("notes").get<std::vector<std::string>>();
  BOOST_TEST_REQUIRE(notes.size() == 22u);
  BOOST_TEST(notes[0] == "answers.yaml has an entry 'k0' that no exercise asks for");
  BOOST_TEST(notes[10] == "answers.yaml has 59990 more entries that no exercise asks for");
  BOOST_TEST(notes[21] == "and 20 more files that are not answers to any exercise");
}

BOOST_AUTO_TEST_CASE(an_answers_file_far_larger_than_its_answers_is_refused_unread) {
  // YAML costs ~0.3 s per MiB to parse even as events: 1 MiB plus 64 bytes per number asked
  // for is allowed (27 here: query122 is (4, 3), the five others (1, 3)).
  TempDir dir;
  std::string json_text = "{\"query121\": [1, 2, 3]";
  while (json_text.size() < (3u << 20)) json_text += ", \"k" + std::to_string(json_text.size()) + "\": 1";
  dir.write("answers.json", json_text + "}");
  const json result = graded(check(dir.path()));
  const std::string message = exercise(result, "1.2.1").at("message");
  BOOST_TEST(contains(message, "answers.json is " + std::to_string(json_text.size() + 1) +
                                   " bytes, more than the limit of " + std::to_string((1u << 20) + 64 * 27)),
             message);
}

BOOST_AUTO_TEST_CASE(a_long_bad_value_is_quoted_short) {
  // A 30 MB string was echoed whole into a 63 MB result.json.
  TempDir dir;
  dir.write("answers.yaml", "query121: [" + std::string(900000, 'x') + "]\n");
  dir.write("query122.csv", "1, 2, " + std::string(5000000, 'y') + "\n");
  const auto r = check(dir.path());
  const json result = graded(r);
  BOOST_TEST(r.out.size() < 20000u);
  BOOST_TEST(exercise(result, "1.2.1").at("message") ==
             "answers.yaml: 'query121' (line 1) contains '" + std::string(37, 'x') + "...', which is not a number");
  BOOST_TEST(contains(exercise(result, "1.2.2").at("message"), "value 3 is 'yyyyy"));
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_are_shown_escaped_never_an_internal_error) {
  // nlohmann::json refuses to write invalid UTF-8: these ended as "internal error", exit 2.
  TempDir yaml_dir, json_dir;
  yaml_dir.write("answers.yaml", "query121: [[1, 2, 3]]\n\xff\xfe: [1]\nquery122: [\"\xc3(\"]\n");
  json_dir.write("answers.json", "{\"query121\": [\"\xff\"]}");
  const json from_yaml = graded(check(yaml_dir.path()));
  BOOST_TEST(from_yaml.at("notes")[0] == "answers.yaml has an entry '\\xff\\xfe' that no exercise asks for");
  BOOST_TEST(exercise(from_yaml, "1.2.2").at("message") ==
             "answers.yaml: 'query122' (line 3) contains '\\xc3(', which is not a number");
  const json from_json = graded(check(json_dir.path()));
  const std::string message = exercise(from_json, "1.2.1").at("message");
  BOOST_TEST(contains(message, "answers.json is not valid JSON"), message);
  BOOST_TEST(contains(message, "\\xff"), message);
}

BOOST_AUTO_TEST_CASE(file_names_with_invalid_utf8_or_terminal_escapes_are_shown_escaped) {
  TempDir dir;
  dir.write("query12\xff.npy", "x");
  dir.write("\x1b[2J\x1b[31mquery13.csv", "1\n");
  for (const std::string format : {"json", "text"}) {
    BOOST_TEST_CONTEXT(format) {
      const auto r = run_grader({"check", "--spec", kSpec, dir.path().string(), "--format", format});
      BOOST_TEST(r.exit_code == 1, r.err);
      BOOST_TEST(!contains(r.out, "\x1b"));
      BOOST_TEST(!contains(r.out, "\xff"));
      BOOST_TEST(contains(r.out, format == "json" ? "query12\\\\xff.npy" : "query12\\xff.npy"), r.out);
      BOOST_TEST(
          contains(r.out, format == "json" ? "\\\\x1b[2J\\\\x1b[31mquery13.csv" : "\\x1b[2J\\x1b[31mquery13.csv"),
          r.out);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_text_answer_saved_with_a_numpy_header_is_graded) {
  // np.savetxt(f, q, header='query, 1.2.1'): the comma in the comment switched the file to
  // comma mode and the answer was refused.
  TempDir dir;
  const fs::path student = dir.path() / "student";
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), student);
  fs::remove(student / "query121.csv");
  fs::copy_file(test_support::source_path("tests/fixtures/text/header_with_comma.txt"), student / "query121.txt");
  const auto r = run_grader({"check", "--spec", kSpec, student.string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 0, r.out);
}

BOOST_AUTO_TEST_SUITE_END()
