// docs/ci.md: the GitHub Actions workflow and the GitLab CI job a student repository uses,
// taken from docs/ci/ and their grading commands run here, as the CI runners would run them,
// on a correct and a wrong submission. (Their build commands are those of the Gradescope
// package's setup.sh, run by test_package.)
#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <pugixml.hpp>

#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;
using test_support::read_file;
using test_support::run_process;
using test_support::TempDir;

namespace {

using test_support::contains;

/// A student's repository: the submission, and the grader's checkout (here: this source tree).
struct StudentRepo {
  TempDir dir;
  explicit StudentRepo(const std::string& sample) {
    fs::create_symlink(test_support::source_path(""), dir.path() / "attention-grader");
    fs::create_directories(dir.path() / "submission");
    for (const auto& f : fs::directory_iterator(test_support::source_path(sample)))
      fs::copy(f.path(), dir.path() / "submission");
  }

  /// Runs `script` with bash -e -o pipefail, as both CI systems do, with `variables` (the
  /// grader executable replaced by this build's) and `extra` in the environment.
  test_support::ProcessResult run(const std::string& script, const YAML::Node& variables,
                                  std::vector<std::string> extra = {}) const {
    for (const auto& kv : variables) {
      const auto name = kv.first.as<std::string>();
      extra.push_back(name + "=" + (name == "GRADER" ? std::string(GRADER_EXECUTABLE) : kv.second.as<std::string>()));
    }
    return run_process({"/bin/bash", "-e", "-o", "pipefail", "-c", script}, extra, dir.path().string());
  }

  std::size_t junit_failures() const {
    pugi::xml_document doc;
    BOOST_REQUIRE(doc.load_file((dir.path() / "report.xml").c_str()));
    return doc.child("testsuites").child("testsuite").attribute("failures").as_ullong();
  }
};

/// The file is shown in docs/ci.md as it is.
void shown_in_doc(const std::string& file) {
  BOOST_TEST(contains(read_file(test_support::source_path("docs/ci.md")),
                      read_file(test_support::source_path("docs/ci/" + file))),
             file << " differs from its copy in docs/ci.md");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ci_docs)

BOOST_AUTO_TEST_CASE(the_github_workflow_grades_annotates_summarizes_and_fails_the_job) {
  shown_in_doc("github-workflow.yml");
  const YAML::Node workflow = YAML::LoadFile(test_support::source_path("docs/ci/github-workflow.yml"));
  const YAML::Node job = workflow["jobs"]["grade"];
  std::string script;
  for (const auto& step : job["steps"])
    if (step["name"] && step["name"].as<std::string>() == "Grade") script = step["run"].as<std::string>();
  BOOST_REQUIRE(!script.empty());

  for (const auto& [sample, passes] :
       {std::pair{"submissions/sdpa-masked/correct-c", true}, std::pair{"submissions/sdpa-masked/no-scale", false},
        std::pair{"submissions/sdpa-masked/py-correct-jupyter", true},
        std::pair{"submissions/sdpa-masked/py-no-scale", false}}) {
    BOOST_TEST_CONTEXT(sample) {
      StudentRepo repo(sample);
      const fs::path summary = repo.dir.path() / "step-summary.md";
      const auto r = repo.run(script, job["env"], {"GITHUB_STEP_SUMMARY=" + summary.string()});
      BOOST_TEST(r.exit_code == (passes ? 0 : 1), r.err);  // a failing exercise fails the job
      BOOST_TEST(contains(r.out, "score: "));
      BOOST_TEST((repo.junit_failures() == 0u) == passes);
      BOOST_TEST(contains(read_file(summary), passes ? "### ✅" : "### ❌"));
      BOOST_TEST(contains(r.err, "::error title=sdpa-masked 1 (wrong") == !passes, r.err);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_gitlab_job_grades_writes_the_junit_report_and_fails_the_job) {
  shown_in_doc("gitlab-ci.yml");
  const YAML::Node job = YAML::LoadFile(test_support::source_path("docs/ci/gitlab-ci.yml"))["grade"];
  BOOST_TEST(job["artifacts"]["reports"]["junit"].as<std::string>() == "report.xml");
  BOOST_TEST(job["artifacts"]["when"].as<std::string>() == "always");
  std::string script;
  for (const auto& line : job["script"]) script += line.as<std::string>() + "\n";
  for (const auto& [sample, passes] :
       {std::pair{"submissions/sdpa-masked/correct-cpp", true}, std::pair{"submissions/sdpa-masked/wrong-axis", false},
        std::pair{"submissions/sdpa-masked/py-correct-ipynb", true}}) {
    BOOST_TEST_CONTEXT(sample) {
      StudentRepo repo(sample);
      const auto r = repo.run(script, job["variables"]);
      BOOST_TEST(r.exit_code == (passes ? 0 : 1), r.err);
      BOOST_TEST((repo.junit_failures() == 0u) == passes);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
