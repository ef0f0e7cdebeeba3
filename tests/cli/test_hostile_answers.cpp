// A hostile student's folder against the real `grader`: nested lists that overflowed the stack,
// YAML aliases, headers and keys that multiplied time, memory and output, text NumPy writes,
// and bytes that are not UTF-8. Each case was a crash, an "internal error" or a blow-up before
// it was fixed; each must now be a verdict for that student, and the rest still graded.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::read_file;
using test_support::run_grader;
using test_support::TempDir;

namespace {

using test_support::contains;

const std::string kSpec = "specs/understanding-attention.yaml";

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

/// A version 1 .npy header of float64 data, without the data.
std::string npy_header(const std::string& fortran_order, const std::string& shape) {
  std::string dict = "{'descr': '<f8', 'fortran_order': " + fortran_order + ", 'shape': " + shape + ", }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string npy = "\x93NUMPY\x01";
  npy += '\0';
  npy += static_cast<char>(dict.size() & 0xff);
  npy += static_cast<char>(dict.size() >> 8);
  return npy + dict;
}

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
  const std::string header = npy_header("True", "(2047, 4096)");
  dir.write("query121.npy", header + std::string(16, '\0'));
  // The same header with all its 64 MiB of data (a sparse file: no disk space used).
  const fs::path full = dir.write("query122.npy", header);
  fs::resize_file(full, fs::file_size(full) + 2047u * 4096u * 8u);
  const json result = graded(check(dir.path()));
  BOOST_TEST(exercise(result, "1.2.1").at("verdict") == "wrong_shape");
  BOOST_TEST(exercise(result, "1.2.1").at("message") ==
             "'query121' (query121.npy) has shape (2047, 4096) but (1, 3) is expected");
  BOOST_TEST(exercise(result, "1.2.2").at("message") ==
             "'query122' (query122.npy) has shape (2047, 4096) but (4, 3) is expected");
}

BOOST_AUTO_TEST_CASE(a_header_declaring_more_elements_than_can_be_counted_is_a_wrong_shape) {
  // (2^32 + 1) x (2^32 + 1) elements overflow a 64-bit count: the message comparing it with the
  // expected shape threw, an "internal error" for this student that kept the class's gradebook
  // from being written. 128 bytes of .npy, and Armadillo's text and binary headers alike.
  TempDir dir;
  dir.write("query121.npy", npy_header("False", "(4294967297, 4294967297)"));
  dir.write("query122.arma", "ARMA_MAT_TXT_FN008\n4294967297 4294967297\n");
  dir.write("query131.bin", "ARMA_MAT_BIN_FN008\n4294967297 4294967297\n");
  const json result = graded(check(dir.path()));
  BOOST_TEST(exercise(result, "1.2.1").at("verdict") == "wrong_shape");
  BOOST_TEST(exercise(result, "1.2.1").at("message") ==
             "'query121' (query121.npy) has shape (4294967297, 4294967297) but (1, 3) is expected");
  for (const std::string id : {"1.2.2", "1.3.1"}) {
    BOOST_TEST(exercise(result, id).at("verdict") == "wrong_shape", id);
    BOOST_TEST(contains(exercise(result, id).at("message"), "has shape (4294967297, 4294967297)"), id);
  }

  // In a class, the other students are graded and the gradebook is written.
  TempDir class_dir, out;
  fs::copy(dir.path(), class_dir.path() / "mallory");
  fs::copy(GRADER_SOURCE_DIR "/submissions/understanding-attention/correct-torch-npy", class_dir.path() / "alice");
  const auto run = test_support::run_grader(
      {"grade", "--spec", kSpec, class_dir.path().string(), "--out", (out.path() / "results").string()},
      GRADER_SOURCE_DIR);
  BOOST_TEST(run.exit_code == 0, run.err);
  BOOST_TEST(fs::exists(out.path() / "results" / "gradebook.csv"));
}

BOOST_AUTO_TEST_CASE(files_beside_a_notebook_do_not_push_it_out_of_its_seed) {
  // The seed hashes files within one read limit (64 MiB) in all. Read in name order, four
  // files of 16 MiB - 1 named before it took all of it, and the notebook (padded to 16 MiB,
  // the most a notebook may be) then counted by its size only: edited and padded again, it met
  // the same random cases, whose expected values feedback shows. Read smallest first, the
  // same. The graded files are read first now. (Each folder is named "submission", as on
  // Gradescope; the fillers are sparse.)
  TempDir dir;
  const auto padded = [](std::string text) {
    text += "\n#";
    text.resize(std::size_t{16} << 20, ' ');
    return text;
  };
  const auto sample = [](const std::string& name) {
    return test_support::read_file(test_support::source_path("submissions/sdpa-masked/" + name + "/homework.py"));
  };
  std::vector<std::string> seeds;
  for (const std::string& text :
       {padded(sample("py-no-scale")), padded(sample("py-wrong-axis")), padded(sample("py-no-scale"))}) {
    const std::string folder = "try" + std::to_string(seeds.size()) + "/submission";
    dir.write(folder + "/homework.py", text);
    for (const char* filler : {"/a1.dat", "/a2.dat", "/a3.dat", "/a4.dat"})
      fs::resize_file(dir.write(folder + filler, ""), (std::uintmax_t{16} << 20) - 1);
    const auto r = test_support::run_grader(
        {"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / folder).string(), "--format", "json"},
        GRADER_SOURCE_DIR);
    BOOST_TEST(r.exit_code == 1, r.err);
    const auto seed = r.out.find("seed ");
    BOOST_TEST_REQUIRE(seed != std::string::npos, r.out.substr(0, 2000));
    seeds.push_back(r.out.substr(seed, r.out.find(':', seed) - seed));
  }
  BOOST_TEST(seeds[0] != seeds[1]);
  BOOST_TEST(seeds[0] == seeds[2]);  // the same files, the same cases
}

BOOST_AUTO_TEST_CASE(a_zipped_folder_the_grader_may_not_read_is_a_note_for_that_student) {
  // unzip restores a folder's mode 000: listing it failed, "cannot list the submission folder",
  // the grader's fault (exit 2, no gradebook for the class). As root the mode does not stop
  // the grader, so it runs as the user nobody here, as it would on a course's machine.
  TempDir dir;
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  const fs::path cls = dir.path() / "class", locked = cls / "mallory" / "A2S1";
  fs::create_directories(locked);
  fs::copy(GRADER_SOURCE_DIR "/submissions/understanding-attention/correct-torch-npy", cls / "alice");
  dir.write("class/mallory/A2S1/query121.npy", read_file(cls / "alice" / "query121.npy"));
  fs::create_directories(dir.path() / "out");
  if (geteuid() == 0)
    for (const auto& p :
         {dir.path(), cls, cls / "alice", cls / "alice" / "query121.npy", cls / "mallory", locked, dir.path() / "out"})
      BOOST_TEST_REQUIRE(chown(p.c_str(), 65534, 65534) == 0);
  const auto as_user = [&](std::vector<std::string> args) {
    args.insert(args.begin(), GRADER_EXECUTABLE);
    if (geteuid() == 0)
      args.insert(args.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
    return test_support::run_process(args, {"XDG_CACHE_HOME=" + (dir.path() / "out").string()}, GRADER_SOURCE_DIR);
  };
  // Mode 0400 as well: listed, but no file in it can be opened (found by a helper: graded
  // "from there", every answer then "cannot be opened").
  for (const auto mode : {fs::perms::none, fs::perms::owner_read}) {
    fs::permissions(locked, mode);
    const auto r = as_user({"check", "--spec", kSpec, (cls / "mallory").string(), "--format", "json"});
    fs::permissions(locked, fs::perms::owner_all);  // for the clean-up, whoever runs the test
    const json result = graded(r);
    BOOST_TEST(exercise(result, "1.2.1").at("verdict") == "missing");
    bool noted = false;
    for (const auto& note : result.at("notes"))
      noted = noted || contains(note.get<std::string>(), "one folder, 'A2S1', whose permissions forbid reading it");
    BOOST_TEST(noted, result.at("notes").dump());
  }

  // In a class, the other student is graded and the gradebook written.
  fs::permissions(locked, fs::perms::none);
  const auto run = as_user({"grade", "--spec", kSpec, cls.string(), "--out", (dir.path() / "out" / "r").string()});
  fs::permissions(locked, fs::perms::owner_all);
  BOOST_TEST(run.exit_code == 0, run.err);
  BOOST_TEST(contains(read_file(dir.path() / "out" / "r" / "gradebook.csv"), "\nalice,1,1,1,1,1,1,6,6\n"));
}

BOOST_AUTO_TEST_CASE(many_large_sparse_files_are_hashed_within_one_read_limit) {
  // The seed of a submission's random cases, and its fingerprint for --resume, hash its files.
  // Each file up to the read limit (64 MiB) was hashed, with no limit on the sum: 20 sparse
  // files of 64 MiB (28 KiB of disk) took 9.4 s of CPU, and a thousand would take hours. Now
  // the limit holds for all of them together; past it, a file's size stands for its bytes.
  TempDir dir;
  fs::create_directories(dir.path() / "class");
  fs::copy(GRADER_SOURCE_DIR "/submissions/understanding-attention/correct-torch-npy", dir.path() / "class/zoe");
  for (int i = 0; i < 60; ++i) {
    const fs::path f = dir.write("class/zoe/padding" + std::to_string(i) + ".bin", "x");
    fs::resize_file(f, std::uintmax_t{64} << 20);
  }
  const auto c = check(dir.path() / "class/zoe", 10);
  BOOST_TEST(c.exit_code == 0, c.err);
  const auto r = test_support::run_process(
      {"/bin/bash", "-c", "ulimit -t 20; exec \"$0\" grade --spec " + kSpec + " \"$1\" --out \"$2\"", GRADER_EXECUTABLE,
       (dir.path() / "class").string(), (dir.path() / "out").string()},
      {}, GRADER_SOURCE_DIR);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(read_file(dir.path() / "out/gradebook.csv"), "\nzoe,1,1,1,1,1,1,6,6\n"));
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
  // An error that names such a path (the grader's own: exit 2) is escaped on stderr as well.
  const auto r = run_grader({"check", "--spec", kSpec, (dir.path() / "\x1b[2Jgone").string()});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(!contains(r.err, "\x1b"), r.err);
  BOOST_TEST(contains(r.err, "\\x1b[2Jgone"), r.err);
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
