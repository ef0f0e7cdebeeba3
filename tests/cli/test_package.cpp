// `grader gradescope-package`: the zip, its run_autograder against a folder laid out like
// Gradescope's (/autograder/{source,submission,results}, moved by AUTOGRADER_ROOT), and its
// setup.sh building the grader from the sources inside the zip.
#include <sys/stat.h>
#include <zip.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::read_file;
using test_support::run_grader;
using test_support::run_process;
using test_support::TempDir;

namespace {

using test_support::contains;

/// Unpacks a zip into `dir` with the Unix modes it records, as Gradescope does; returns the
/// names in it.
std::vector<std::string> unzip(const fs::path& zip_file, const fs::path& dir) {
  int error = 0;
  zip_t* z = zip_open(zip_file.c_str(), ZIP_RDONLY, &error);
  BOOST_REQUIRE_MESSAGE(z, "cannot open " << zip_file);
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
    zip_stat_t st;
    zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st);
    names.emplace_back(st.name);
    std::string content(static_cast<std::size_t>(st.size), '\0');
    zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(i), 0);
    BOOST_REQUIRE(zip_fread(f, content.data(), st.size) == static_cast<zip_int64_t>(st.size));
    zip_fclose(f);
    const fs::path to = dir / st.name;
    fs::create_directories(to.parent_path());
    std::ofstream(to, std::ios::binary) << content;
    zip_uint8_t system = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(z, static_cast<zip_uint64_t>(i), 0, &system, &attributes);
    if (system == ZIP_OPSYS_UNIX) ::chmod(to.c_str(), (attributes >> 16) & 0777);
  }
  zip_close(z);
  return names;
}

bool executable(const fs::path& p) { return (fs::status(p).permissions() & fs::perms::owner_exec) != fs::perms::none; }

/// /autograder laid out as Gradescope does before a run: the zip in source/, run_autograder
/// copied up, an empty results/.
struct Autograder {
  TempDir dir;
  fs::path root() const { return dir.path() / "autograder"; }

  explicit Autograder(const std::string& spec, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"gradescope-package", "--spec", spec, "--out",
                                     (dir.path() / "autograder.zip").string()};
    args.insert(args.end(), more.begin(), more.end());
    const auto r = run_grader(args);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    unzip(dir.path() / "autograder.zip", root() / "source");
    fs::copy_file(root() / "source/run_autograder", root() / "run_autograder");
    ::chmod((root() / "run_autograder").c_str(), 0755);
  }

  /// Hands in the files of a bundled sample (optionally inside one folder, as a zip upload
  /// of a folder gives, and with the __MACOSX/ folder of a zip made on macOS beside it) and
  /// runs run_autograder with `grader`.
  test_support::ProcessResult grade(const std::string& sample, const std::string& grader, bool nested = false,
                                    bool from_macos = false) {
    fs::remove_all(root() / "submission");
    fs::remove_all(root() / "results");
    const fs::path into = root() / "submission" / (nested ? "my-homework" : "");
    fs::create_directories(into);
    if (from_macos) {
      fs::create_directories(root() / "submission/__MACOSX/my-homework");
      std::ofstream(root() / "submission/__MACOSX/my-homework/._solution.c") << "Mac OS X metadata";
    }
    for (const auto& f : fs::directory_iterator(test_support::source_path(sample))) fs::copy(f.path(), into);
    return run_process({(root() / "run_autograder").string()},
                       {"AUTOGRADER_ROOT=" + root().string(), "GRADER=" + grader});
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(gradescope_package)

BOOST_AUTO_TEST_CASE(the_zip_holds_the_scripts_the_spec_and_the_sources) {
  TempDir dir;
  const auto r = run_grader({"gradescope-package", "--spec", "specs/udl-self-attention.yaml", "--out",
                             (dir.path() / "autograder.zip").string()});
  BOOST_TEST(r.exit_code == 0, r.err);
  // Without a secret, what one is for (the spec draws random cases).
  BOOST_TEST(contains(r.out, "hint: without --seed-secret, a student who has this spec can work out the random cases"),
             r.out);
  const auto names = unzip(dir.path() / "autograder.zip", dir.path() / "x");
  const auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  BOOST_TEST(has("setup.sh"));
  BOOST_TEST(has("run_autograder"));
  BOOST_TEST(has("spec/udl-self-attention.yaml"));
  BOOST_TEST(has("attention-grader/CMakeLists.txt"));
  BOOST_TEST(has("attention-grader/grader/include/grader/solution.h"));
  BOOST_TEST(has("attention-grader/scripts/install-deps.sh"));
  // The same spec and sources make the same bytes (fixed dates), whenever it is packaged.
  const auto again = run_grader(
      {"gradescope-package", "--spec", "specs/udl-self-attention.yaml", "--out", (dir.path() / "again.zip").string()});
  BOOST_TEST(again.exit_code == 0, again.err);
  BOOST_TEST(test_support::read_file(dir.path() / "again.zip") ==
             test_support::read_file(dir.path() / "autograder.zip"));
  BOOST_TEST(!has("attention-grader/tests/CMakeLists.txt"));
  BOOST_TEST(executable(dir.path() / "x/setup.sh"));
  BOOST_TEST(executable(dir.path() / "x/run_autograder"));
  BOOST_TEST(executable(dir.path() / "x/attention-grader/scripts/install-deps.sh"));
  BOOST_TEST(read_file(dir.path() / "x/spec/udl-self-attention.yaml") ==
             read_file(test_support::source_path("specs/udl-self-attention.yaml")));
}

BOOST_AUTO_TEST_CASE(a_spec_with_data_files_takes_them_along_and_a_broken_one_is_refused) {
  TempDir dir;
  fs::copy_file(test_support::source_path("tests/fixtures/npy/f8_c_2d.npy"), dir.path() / "m.npy");
  const auto spec = dir.write("course/spec.yaml",
                              "assignment: {id: a, title: A, version: '1'}\n"
                              "data:\n  m: {file: data/m.npy}\n"
                              "exercises:\n  - {id: '1', title: T, points: 1, answers: [{name: x, shape: [3, 4]}],"
                              " output: x, expect: m}\n");
  fs::create_directories(dir.path() / "course/data");
  fs::copy_file(dir.path() / "m.npy", dir.path() / "course/data/m.npy");
  auto r = run_grader({"gradescope-package", "--spec", spec.string(), "--out", (dir.path() / "a.zip").string()});
  BOOST_TEST(r.exit_code == 0, r.err);
  // Packaged, and the self-test's warnings said as `spec check` says them (found by a TA
  // helper: "wrote ..." alone, for a spec whose reference cannot be shown to pass).
  BOOST_TEST(contains(r.err, "the self-test passed, with"), r.err);
  BOOST_TEST(contains(r.err, "  warn  reference solution: the spec names none"), r.err);
  const auto names = unzip(dir.path() / "a.zip", dir.path() / "a");
  BOOST_TEST((std::find(names.begin(), names.end(), "spec/data/m.npy") != names.end()));

  const auto outside = dir.write("course/outside.yaml",
                                 "assignment: {id: a, title: A, version: '1'}\n"
                                 "data:\n  m: {file: ../m.npy}\n"
                                 "exercises:\n  - {id: '1', title: T, points: 1, answers: [{name: x, shape: [3, 4]}],"
                                 " output: x, expect: m}\n");
  r = run_grader({"gradescope-package", "--spec", outside.string(), "--out", (dir.path() / "b.zip").string()});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "outside the spec's folder"), r.err);
  BOOST_TEST(!fs::exists(dir.path() / "b.zip"));

  const auto broken = dir.write("broken.yaml", "assignment: {id: a}\n");
  r = run_grader({"gradescope-package", "--spec", broken.string(), "--out", (dir.path() / "c.zip").string()});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(!fs::exists(dir.path() / "c.zip"));
}

BOOST_AUTO_TEST_CASE(a_spec_that_fails_its_self_test_is_refused_unless_forced) {
  TempDir dir;
  const auto spec = dir.write("spec.yaml",
                              "assignment: {id: a, title: A, version: '1'}\n"
                              "data:\n  m: [[1, 2]]\n"
                              "solution: no-such-folder\n"
                              "exercises:\n  - {id: '1', title: T, points: 1, answers: [{name: x, shape: [1, 2]}],"
                              " output: x, expect: m}\n");
  auto r = run_grader({"gradescope-package", "--spec", spec.string(), "--out", (dir.path() / "a.zip").string()});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "the self-test FAILED"), r.err);
  BOOST_TEST(contains(r.err, "no-such-folder does not exist"), r.err);
  BOOST_TEST(!fs::exists(dir.path() / "a.zip"));
  r = run_grader({"gradescope-package", "--spec", spec.string(), "--out", (dir.path() / "a.zip").string(), "--force"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.err, "WARNING: packaging a spec that fails its self-test"), r.err);
  BOOST_TEST(fs::exists(dir.path() / "a.zip"));
}

BOOST_AUTO_TEST_CASE(run_autograder_writes_results_json_for_gradescope) {
  Autograder ag("specs/sdpa-masked.yaml");
  auto r = ag.grade("submissions/sdpa-masked/correct-c", GRADER_EXECUTABLE);
  BOOST_TEST(r.exit_code == 0, r.err);
  auto results = json::parse(read_file(ag.root() / "results/results.json"));
  BOOST_TEST(results.at("score") == 8.0);
  BOOST_TEST(results.at("tests").size() == 2u);

  r = ag.grade("submissions/sdpa-masked/no-scale", GRADER_EXECUTABLE, true);  // inside a folder
  BOOST_TEST(r.exit_code == 0, r.err);
  results = json::parse(read_file(ag.root() / "results/results.json"));
  BOOST_TEST(results.at("score").get<double>() < 8.0);
  // The same from macOS's zip, whose __MACOSX/ sits beside the folder (it was graded as empty).
  r = ag.grade("submissions/sdpa-masked/no-scale", GRADER_EXECUTABLE, true, true);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(json::parse(read_file(ag.root() / "results/results.json")).at("score") == results.at("score"));
  BOOST_TEST(contains(results.at("tests")[0].at("output").get<std::string>(), "not divided by sqrt(d_k)"));

  // The homework handed in as a notebook (a Jupyter .py export), graded the same way.
  r = ag.grade("submissions/sdpa-masked/py-no-scale", GRADER_EXECUTABLE);
  BOOST_TEST(r.exit_code == 0, r.err);
  results = json::parse(read_file(ag.root() / "results/results.json"));
  BOOST_TEST(results.at("score") == 3.0);
  BOOST_TEST(contains(results.at("tests")[0].at("output").get<std::string>(), "not divided by sqrt(d_k)"));

  // A grader that fails leaves no results.json: Gradescope reports a failed autograder, not a zero.
  const auto failing = ag.dir.write("failing-grader", "#!/bin/sh\necho 'grader: error: broken' >&2\nexit 2\n");
  ::chmod(failing.c_str(), 0755);
  r = ag.grade("submissions/sdpa-masked/correct-c", failing.string());
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(!fs::exists(ag.root() / "results/results.json"));
  BOOST_TEST(contains(r.err, "the grader failed"), r.err);
}

BOOST_AUTO_TEST_CASE(a_seed_secret_goes_into_the_zip_and_seeds_every_hand_in_as_grader_check_does) {
  TempDir secrets;
  const std::string secret = secrets.write("seed-secret", "V2hhdCBhIHNlY3JldCB0aGlzIGlz\n").string();
  Autograder ag("specs/sdpa-masked.yaml", {"--seed-secret", secret});
  BOOST_TEST(read_file(ag.root() / "source/seed-secret") == "V2hhdCBhIHNlY3JldCB0aGlzIGlz\n");
  const auto r = ag.grade("submissions/sdpa-masked/py-no-scale", GRADER_EXECUTABLE);
  BOOST_TEST(r.exit_code == 0, r.err);
  const std::string seed = test_support::shown_seed(read_file(ag.root() / "results/results.json"));
  const auto check = [&](const std::vector<std::string>& more) {
    std::vector<std::string> args = {
        "check", "--spec", "specs/sdpa-masked.yaml", (ag.root() / "submission").string(), "--format", "gradescope"};
    args.insert(args.end(), more.begin(), more.end());
    const auto checked = run_grader(args);
    BOOST_TEST(checked.exit_code == 1, checked.err);
    return test_support::shown_seed(checked.out);
  };
  BOOST_TEST(check({"--seed-secret", secret}) == seed);
  BOOST_TEST(check({}) != seed);
  // The packager says the zip holds it.
  const auto told = run_grader({"gradescope-package", "--spec", "specs/sdpa-masked.yaml", "--out",
                                (secrets.path() / "a.zip").string(), "--seed-secret", secret});
  BOOST_TEST(told.exit_code == 0, told.err);
  BOOST_TEST(contains(told.out, "it holds the seed secret of " + secret +
                                    " (as seed-secret): keep the zip from students, as the secret"),
             told.out);
  BOOST_TEST(!contains(told.out, "hint: without --seed-secret"), told.out);
  // Without --seed-secret, no file of that name and the script as before.
  Autograder plain("specs/sdpa-masked.yaml");
  BOOST_TEST(!fs::exists(plain.root() / "source/seed-secret"));
  BOOST_TEST(!contains(read_file(plain.root() / "run_autograder"), "seed-secret"));
}

BOOST_AUTO_TEST_CASE(a_spec_named_like_shell_code_stays_a_name_and_a_data_file_named_twice_goes_in_once) {
  // Found by a helper: hw$1.yaml made run_autograder fail ("$1: unbound variable"), and
  // key.npy with ./key.npy gave a zip with two entries of one name (unzip asks "replace?").
  TempDir dir;
  fs::create_directories(dir.path() / "course");
  fs::copy_file(test_support::source_path("tests/fixtures/npy/f8_c_2d.npy"), dir.path() / "course/key.npy");
  const std::string name = "hw'$1 \"2\"`true`.yaml";
  const auto spec = dir.write("course/" + name,
                              "assignment: {id: a, title: A, version: '1'}\n"
                              "data:\n  m: {file: key.npy}\n  n: {file: ./key.npy}\n"
                              "exercises:\n  - {id: '1', title: T, points: 1, answers: [{name: x, shape: [3, 4]}],"
                              " output: x, expect: m + 0 * n}\n");
  const fs::path zip = dir.path() / "a.zip";
  const auto r = run_grader({"gradescope-package", "--spec", spec.string(), "--out", zip.string()});
  BOOST_TEST(r.exit_code == 0, r.err);
  const auto names = unzip(zip, dir.path() / "autograder/source");
  BOOST_TEST(std::count(names.begin(), names.end(), "spec/key.npy") == 1);
  BOOST_TEST(std::count(names.begin(), names.end(), "spec/" + name) == 1);
  // The student hands in the right matrix (the key itself, as x.npy).
  const fs::path root = dir.path() / "autograder";
  fs::create_directories(root / "submission");
  fs::copy_file(dir.path() / "course/key.npy", root / "submission/x.npy");
  const auto graded = run_process({(root / "source/run_autograder").string()},
                                  {"AUTOGRADER_ROOT=" + root.string(), std::string("GRADER=") + GRADER_EXECUTABLE});
  BOOST_TEST(graded.exit_code == 0, graded.out << graded.err);
  BOOST_TEST(json::parse(read_file(root / "results/results.json")).at("score") == 1.0);
}

BOOST_AUTO_TEST_CASE(setup_sh_builds_the_grader_from_the_zip_alone) {
  Autograder ag("specs/sdpa-masked.yaml");
  const auto setup = run_process({(ag.root() / "source/setup.sh").string()}, {"AUTOGRADER_ROOT=" + ag.root().string()});
  BOOST_REQUIRE_MESSAGE(setup.exit_code == 0, setup.out << setup.err);
  const std::string built = (ag.root() / "build/grader/grader").string();
  BOOST_TEST(fs::exists(built));
  auto r = ag.grade("submissions/sdpa-masked/correct-cpp", built);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(json::parse(read_file(ag.root() / "results/results.json")).at("score") == 8.0);
  // The Python runtime setup.sh installed, and the notebook runner built from the zip.
  r = ag.grade("submissions/sdpa-masked/py-correct-jupyter", built);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(json::parse(read_file(ag.root() / "results/results.json")).at("score") == 8.0);
}

BOOST_AUTO_TEST_SUITE_END()
