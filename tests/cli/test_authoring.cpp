// docs/authoring.md, run: every `sh` block of the tutorial, in order, in a folder holding a copy
// of specs/, with this build's grader on PATH, as an instructor following it would.
#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;
using test_support::read_file;
using test_support::TempDir;

namespace {

using test_support::contains;

/// The contents of the ```sh blocks of a Markdown text, in order.
std::vector<std::string> sh_blocks(const std::string& markdown) {
  std::vector<std::string> blocks;
  const std::string open = "```sh\n", close = "\n```";
  for (std::size_t at = markdown.find(open); at != std::string::npos; at = markdown.find(open, at)) {
    at += open.size();
    const std::size_t end = markdown.find(close, at);
    blocks.push_back(markdown.substr(at, end - at) + "\n");
    at = end;
  }
  return blocks;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(authoring_tutorial)

BOOST_AUTO_TEST_CASE(the_tutorial_adds_an_exercise_checks_it_and_grades_a_right_and_a_wrong_answer) {
  TempDir dir;
  fs::copy(test_support::source_path("specs"), dir.path() / "specs", fs::copy_options::recursive);
  const std::string path = "PATH=" + fs::path(GRADER_EXECUTABLE).parent_path().string() + ":/usr/bin:/bin";
  const auto blocks = sh_blocks(read_file(test_support::source_path("docs/authoring.md")));
  BOOST_REQUIRE(blocks.size() == 5u);
  std::vector<test_support::ProcessResult> runs;
  for (const auto& block : blocks) {
    runs.push_back(test_support::run_process({"/bin/bash", "-e", "-c", block}, {path}, dir.path().string()));
    BOOST_TEST_CONTEXT(block) { BOOST_TEST(runs.back().exit_code == 0, runs.back().out << runs.back().err); }
  }
  // What the tutorial says happens.
  BOOST_TEST(contains(runs[2].out, "self-test FAILED"), runs[2].out);
  BOOST_TEST(contains(runs[2].out, "FAIL  reference solution: fails exercise 1.3.3 (missing: "), runs[2].out);
  BOOST_TEST(contains(runs[2].out, "exit status 1"), runs[2].out);
  BOOST_TEST(contains(runs[3].out, "self-test passed"), runs[3].out);
  BOOST_TEST(contains(runs[3].out, "ok    known mistakes: each of the 9 declared for matrix exercises fails"),
             runs[3].out);
  BOOST_TEST(contains(runs[4].out, "1.3.3         1 / 1  passed"), runs[4].out);
  BOOST_TEST(contains(runs[4].out, "your query averages all four value rows"), runs[4].out);
}

BOOST_AUTO_TEST_SUITE_END()
