// The fuzzing harness as CI meets it: every target listed in fuzz/targets.cmake has its source
// and a seed corpus, and a target that could not be built fails the run when CI=true instead of
// being skipped in silence.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <regex>
#include <string>

#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using test_support::run_process;
using test_support::source_path;

BOOST_AUTO_TEST_SUITE(fuzz_harness)

BOOST_AUTO_TEST_CASE(every_listed_target_has_a_source_and_a_seed_corpus) {
  const std::string list = test_support::read_file(source_path("fuzz/targets.cmake"));
  const std::regex line(R"(\ngrader_fuzz_target\((\w+))");
  std::size_t targets = 0;
  for (std::sregex_iterator it(list.begin(), list.end(), line), end; it != end; ++it, ++targets) {
    const std::string name = (*it)[1];
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(fs::is_regular_file(source_path("fuzz/fuzz_" + name + ".cpp")));
      const fs::path corpus = source_path("fuzz/corpus/" + name);
      BOOST_TEST_REQUIRE(fs::is_directory(corpus));
      BOOST_TEST(std::distance(fs::directory_iterator(corpus), fs::directory_iterator()) >= 5);
    }
  }
  BOOST_TEST(targets >= 6u);
}

BOOST_AUTO_TEST_CASE(a_target_that_was_not_built_fails_in_ci_and_is_skipped_elsewhere) {
  test_support::TempDir work;
  const std::vector<std::string> run = {source_path("fuzz/run_fuzz.sh"), (work.path() / "fuzz_none").string(), "1",
                                        source_path("fuzz/corpus/npy"), work.path().string()};
  const auto in_ci = run_process(run, {"CI=true"});
  BOOST_TEST(in_ci.exit_code == 1);
  BOOST_TEST(in_ci.err.find("was not built: the fuzz targets need clang++ and libFuzzer") != std::string::npos,
             in_ci.err);
  BOOST_TEST(run_process(run, {"CI="}).exit_code == 77);  // ctest: SKIP_RETURN_CODE
}

BOOST_AUTO_TEST_CASE(a_finding_fails_the_test_instead_of_being_read_as_skipped) {
  // libFuzzer exits 77 on a finding unless told otherwise: the code CTest reads as "skipped".
  // A stand-in that finds something at once, exiting as libFuzzer's flags say.
  test_support::TempDir work;
  const auto fake = work.write("fuzz_fake", R"(#!/bin/sh
code=77
for arg; do case "$arg" in -error_exitcode=*) code=${arg#*=};; esac; done
echo "==1== ERROR: libFuzzer: deadly signal" >&2
exit "$code"
)");
  fs::permissions(fake, fs::perms::owner_all);
  const auto r = run_process({source_path("fuzz/run_fuzz.sh"), fake.string(), "1", source_path("fuzz/corpus/npy"),
                              (work.path() / "run").string()});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out.find("deadly signal") != std::string::npos, r.out);
  BOOST_TEST(r.err.find("fuzz_fake found a problem") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
