// `grader check` end to end: the real executable on real folders. Every bundled sample is a
// golden case (tests/golden/<assignment>/<student>/: case.yaml, expected.json, expected.txt).
// Regenerate expected.json and expected.txt on purpose only, and review their diff (the exit
// code in case.yaml is written by hand):
//   GRADER_UPDATE_GOLDEN=1 build/tests/test_cli
//   --run_test=check_command/every_golden_case_gives_its_written_down_result
#include <yaml-cpp/yaml.h>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "support/build_library.hpp"
#include "support/fixtures.hpp"
#include "support/inert.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using test_support::run_grader;
using test_support::TempDir;

namespace {

using test_support::contains;

/// Drops what changes from run to run, machine to machine or release to release: timings,
/// the sandbox achieved (root or not, the kernel's Landlock) and the version.
void normalize(ordered_json& j) {
  if (j.is_object()) {
    j.erase("seconds");
    j.erase("sandbox");
    j.erase("grader_version");
    for (auto& [k, v] : j.items()) normalize(v);
  } else if (j.is_array()) {
    for (auto& v : j) normalize(v);
  }
}

/// A text report without its last line, the confinement achieved (root or not, the kernel's
/// Landlock), and the blank line before it.
std::string without_sandbox_line(const std::string& report) {
  const std::string label = "\nyour code ran confined: ";
  const auto at = report.rfind(label);
  if (at == std::string::npos || report.find('\n', at + 1) != report.size() - 1) return report;
  return report.substr(0, at);
}

const std::vector<std::string> kFormats = {"text", "json", "gradescope", "prairielearn", "junit", "markdown", "csv"};

/// `markdown` without its fenced code blocks (their content is shown literally).
std::string outside_fences(const std::string& markdown) {
  std::string out, fence;
  std::istringstream lines(markdown);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t ticks = line.find_first_not_of('`');
    if (fence.empty() && line.rfind("```", 0) == 0) {
      fence = line.substr(0, ticks);
    } else if (!fence.empty() && line == fence) {
      fence.clear();
    } else if (fence.empty()) {
      out += line + "\n";
    }
  }
  return out;
}

/// `spec_file` with every exercise made hidden, written into `dir`.
std::string hidden_copy(const TempDir& dir, const std::string& spec_file) {
  std::istringstream lines(test_support::read_file(test_support::source_path(spec_file)));
  std::string spec;
  for (std::string line; std::getline(lines, line);) {
    spec += line + "\n";
    if (line.rfind("    title: ", 0) == 0) spec += "    visibility: hidden\n";
  }
  return dir.write(fs::path(spec_file).filename().string(), spec).string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(check_command)

BOOST_AUTO_TEST_CASE(every_golden_case_gives_its_written_down_result) {
  // tests/golden/<assignment>/<case>/: case.yaml names the spec, the submission and the exit
  // code `grader check` must end with; expected.json is its result (--format json) and
  // expected.txt what the student reads (the text report), both without what changes from
  // machine to machine (normalize(), without_sandbox_line()).
  const bool update = std::getenv("GRADER_UPDATE_GOLDEN") != nullptr;
  std::size_t graded = 0;
  std::set<std::string> covered;
  for (const auto& assignment : fs::directory_iterator(test_support::source_path("tests/golden"))) {
    for (const auto& folder : fs::directory_iterator(assignment.path())) {
      BOOST_TEST_CONTEXT(folder.path().string()) {
        const YAML::Node c = YAML::LoadFile((folder.path() / "case.yaml").string());
        const std::string spec = c["spec"].as<std::string>(), submission = c["submission"].as<std::string>();
        const int exit_code = c["exit_code"].as<int>();
        covered.insert(submission);

        const auto json = run_grader({"check", "--spec", spec, submission, "--format", "json"});
        const auto text = run_grader({"check", "--spec", spec, submission});
        BOOST_TEST(json.err == "");
        BOOST_TEST(text.err == "");
        BOOST_TEST(json.exit_code == exit_code);
        BOOST_TEST(text.exit_code == exit_code);
        auto got = ordered_json::parse(json.out);
        normalize(got);
        const std::string report = without_sandbox_line(text.out);
        if (update) {
          std::ofstream(folder.path() / "expected.json") << got.dump(2) << "\n";
          std::ofstream(folder.path() / "expected.txt") << report;
        }
        const auto want = ordered_json::parse(test_support::read_file(folder.path() / "expected.json"));
        BOOST_TEST(got == want, "differs from expected.json:\n" << got.dump(2));
        BOOST_TEST(report == test_support::read_file(folder.path() / "expected.txt"), "differs from expected.txt:\n"
                                                                                          << report);
        ++graded;
      }
    }
  }
  BOOST_TEST(graded >= 10u);
  // Every bundled sample has its case.
  for (const auto& spec : fs::directory_iterator(test_support::source_path("specs"))) {
    const std::string assignment = spec.path().stem().string();
    const fs::path samples = test_support::source_path("submissions/" + assignment);
    if (spec.path().extension() != ".yaml" || !fs::is_directory(samples)) continue;
    for (const auto& student : fs::directory_iterator(samples)) {
      const std::string relative = "submissions/" + assignment + "/" + student.path().filename().string();
      if (student.is_directory())
        BOOST_TEST(covered.count(relative) == 1u, relative << " has no case in tests/golden/" << assignment);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_samples_get_the_verdicts_an_instructor_would_give) {
  // Spelled out here as well as in the goldens, so that a golden regenerated by mistake
  // cannot hide a wrong verdict.
  const auto verdicts = [](const std::string& assignment, const std::string& student) {
    const auto r = run_grader({"check", "--spec", "specs/" + assignment + ".yaml",
                               "submissions/" + assignment + "/" + student, "--format", "json"});
    const auto result = ordered_json::parse(r.out);
    std::string out;
    for (const auto& e : result.at("exercises"))
      out += e.at("id").get<std::string>() + "=" + e.at("verdict").get<std::string>() + " ";
    return out;
  };
  const std::string ua = "understanding-attention";
  const std::string all_pass = "1.2.1=passed 1.2.2=passed 1.3.1=passed 1.3.2=passed 1.4.1=passed 1.4.2=passed ";
  BOOST_TEST(verdicts(ua, "correct-torch-npy") == all_pass);
  BOOST_TEST(verdicts(ua, "correct-csv") == all_pass);
  BOOST_TEST(verdicts(ua, "correct-answers-yaml") == all_pass);
  BOOST_TEST(verdicts(ua, "scale-too-small") ==
             "1.2.1=wrong 1.2.2=wrong 1.3.1=passed 1.3.2=passed 1.4.1=passed 1.4.2=passed ");
  BOOST_TEST(verdicts(ua, "wrong-row") ==
             "1.2.1=wrong 1.2.2=passed 1.3.1=passed 1.3.2=passed 1.4.1=passed 1.4.2=passed ");
  BOOST_TEST(verdicts(ua, "wrong-shape") ==
             "1.2.1=passed 1.2.2=wrong_shape 1.3.1=passed 1.3.2=passed 1.4.1=passed 1.4.2=passed ");
  BOOST_TEST(verdicts(ua, "missing-answer") ==
             "1.2.1=passed 1.2.2=passed 1.3.1=passed 1.3.2=missing 1.4.1=missing 1.4.2=missing ");
  BOOST_TEST(verdicts(ua, "corrupt-file") ==
             "1.2.1=unreadable 1.2.2=passed 1.3.1=unreadable 1.3.2=passed 1.4.1=passed 1.4.2=passed ");
  BOOST_TEST(verdicts("attention-basics", "correct-torch-npy") ==
             "1.1=passed 1.2=passed 2.1=passed 3.1=passed 3.2=passed 3.3=passed 2.2=passed ");
  BOOST_TEST(verdicts("attention-basics", "typical-mistakes") ==
             "1.1=passed 1.2=wrong 2.1=wrong 3.1=passed 3.2=wrong 3.3=passed 2.2=wrong ");
  const std::string sdpa = "sdpa-masked";
  BOOST_TEST(verdicts(sdpa, "correct-cpp") == "1=passed 2=passed ");
  BOOST_TEST(verdicts(sdpa, "correct-c") == "1=passed 2=passed ");
  BOOST_TEST(verdicts(sdpa, "no-scale") == "1=wrong 2=wrong ");
  BOOST_TEST(verdicts(sdpa, "wrong-axis") == "1=wrong 2=wrong ");
  BOOST_TEST(verdicts(sdpa, "mask-after-softmax") == "1=passed 2=wrong ");
  BOOST_TEST(verdicts(sdpa, "compile-error") == "1=compile_error 2=compile_error ");
  BOOST_TEST(verdicts(sdpa, "crash") == "1=passed 2=crashed ");
  BOOST_TEST(verdicts(sdpa, "infinite-loop") == "1=passed 2=timed_out ");
  BOOST_TEST(verdicts("udl-self-attention", "correct-cpp") == "1=passed 2=passed ");
  BOOST_TEST(verdicts("udl-self-attention", "rows-convention") == "1=wrong 2=wrong ");
  // Python hand-ins.
  BOOST_TEST(verdicts(ua, "colab-py-correct") == all_pass);
  BOOST_TEST(verdicts(ua, "ipynb-correct") == all_pass);
  BOOST_TEST(verdicts(ua, "jupyter-py-unfinished") ==
             "1.2.1=passed 1.2.2=passed 1.3.1=missing 1.3.2=passed 1.4.1=wrong 1.4.2=passed ");
  BOOST_TEST(verdicts(ua, "colab-py-mistakes") ==
             "1.2.1=wrong 1.2.2=wrong 1.3.1=passed 1.3.2=passed 1.4.1=passed 1.4.2=wrong ");
  BOOST_TEST(verdicts("attention-basics", "ipynb-correct") ==
             "1.1=passed 1.2=passed 2.1=passed 3.1=passed 3.2=passed 3.3=passed 2.2=passed ");
  BOOST_TEST(verdicts(sdpa, "py-correct-jupyter") == "1=passed 2=passed ");
  BOOST_TEST(verdicts(sdpa, "py-correct-ipynb") == "1=passed 2=passed ");
  BOOST_TEST(verdicts(sdpa, "py-no-scale") == "1=wrong 2=wrong ");
  BOOST_TEST(verdicts(sdpa, "py-mask-after-softmax") == "1=passed 2=wrong ");
  // Exercise 2's printed example is NaN where a query's keys are all masked (dim=1), and its
  // random check names the mistake: the diagnosis is what the exercise says.
  BOOST_TEST(verdicts(sdpa, "py-wrong-axis") == "1=wrong 2=wrong ");
  // Exercise 1 is graded with the definition of its own cell, exercise 2's hangs (found by a TA
  // helper: an exercise 2 left as `pass` cost a correct exercise 1 its 4 points).
  BOOST_TEST(verdicts(sdpa, "py-hangs-on-large-batches") == "1=passed 2=timed_out ");
  BOOST_TEST(verdicts(sdpa, "py-unfinished") == "1=missing 2=missing ");
  BOOST_TEST(verdicts("udl-self-attention", "ipynb-correct") == "1=passed 2=passed ");
  BOOST_TEST(verdicts("udl-self-attention", "ipynb-scaled-unfinished") == "1=passed 2=missing ");
  BOOST_TEST(verdicts("udl-self-attention", "ipynb-rows-convention") == "1=wrong 2=wrong ");
  // A float32 PyTorch hand-in's mistake is named as a float64 library's is (the mistake is
  // matched under the rule for the student's precision).
  for (const std::string student : {"no-scale", "py-no-scale"}) {
    const auto r = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", "submissions/sdpa-masked/" + student});
    BOOST_TEST(
        contains(r.out, "  1             2 / 4  wrong           the notebook's example: the scores are not divided"),
        student << ":\n"
                << r.out);
  }
}

BOOST_AUTO_TEST_CASE(text_report_is_a_table_then_failures_without_colour_off_a_terminal) {
  const auto r = run_grader(
      {"check", "--spec", "specs/understanding-attention.yaml", "submissions/understanding-attention/wrong-row"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(contains(r.out, "  1.2.1         0 / 1  wrong           your query selects value[1]"));
  BOOST_TEST(contains(r.out, "score: 5 / 6  (5 of 6 exercises passed)"));
  BOOST_TEST(contains(r.out, "\nfailures\n\n1.2.1 Select the first value vector: wrong\n"));
  BOOST_TEST(!contains(r.out, "\033["));
  const auto colored = run_grader({"check", "--spec", "specs/understanding-attention.yaml",
                                   "submissions/understanding-attention/wrong-row", "--color", "always"});
  BOOST_TEST(contains(colored.out, "\033[31mwrong"));
}

BOOST_AUTO_TEST_CASE(output_file_is_written_whole_and_nothing_else_is_left) {
  TempDir dir;
  const auto out = dir.path() / "result.json";
  const auto r =
      run_grader({"check", "--spec", "specs/understanding-attention.yaml",
                  "submissions/understanding-attention/correct-csv", "--format", "json", "--output", out.string()});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "");
  const auto j = ordered_json::parse(test_support::read_file(out));
  BOOST_TEST(j.at("format_version") == 1);
  BOOST_TEST(j.at("score") == 6.0);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  BOOST_TEST(files == 1u);  // no temporary file left behind
}

BOOST_AUTO_TEST_CASE(a_broken_spec_exits_2_with_file_line_column_never_1) {
  TempDir dir;
  const auto spec = dir.write("bad.yaml", R"(assignment: {id: bad, title: Bad, version: '1'}
exercises:
  - id: x
    title: X
    points: 1
    answers: [{name: q, shape: [2]}]
    output: softmax(q, dimm=0)
    expect: q
)");
  const auto r = run_grader({"check", "--spec", spec.string(), "submissions/understanding-attention/correct-csv"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out == "");
  BOOST_TEST(r.err == spec.string() +
                          ":7:24: error: exercise x output: softmax() has no parameter 'dimm'; "
                          "did you mean 'dim'? (softmax(x, dim=-1))\n");
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_and_help_and_version_exit_0) {
  const auto missing_dir =
      run_grader({"check", "--spec", "specs/understanding-attention.yaml", "/nonexistent/student"});
  BOOST_TEST(missing_dir.exit_code == 2);
  BOOST_TEST(contains(missing_dir.err, "submission folder /nonexistent/student does not exist"));
  BOOST_TEST(run_grader({"check", "--spec", "nope.yaml", "x"}).exit_code == 2);
  BOOST_TEST(run_grader({"check", "--spec", "specs/attention-basics.yaml", "x", "--format", "xml"}).exit_code == 2);
  BOOST_TEST(run_grader({"frobnicate"}).exit_code == 2);
  BOOST_TEST(run_grader({}).exit_code == 2);
  const auto help = run_grader({"check", "--help"});
  BOOST_TEST(help.exit_code == 0);
  BOOST_TEST(contains(help.out, "--spec"));
  BOOST_TEST(contains(help.out, "Exit status: 0 every exercise passed"));
  BOOST_TEST(contains(help.out, "-v (before or after `check`) logs"));  // a helper looked for it there
}

// The version carries a fingerprint of the sources that decide a grade, so that a class graded
// by other sources is regraded under --resume (a TA helper's finding: it was "0.1.0" for every
// commit). The fingerprint is computed here again, by Python, from the source tree.
BOOST_AUTO_TEST_CASE(the_version_names_the_sources_that_grade) {
  const auto version = run_grader({"--version"});
  BOOST_TEST(version.exit_code == 0);
  BOOST_TEST(std::regex_match(version.out, std::regex("0\\.1\\.0\\+[0-9a-f]{12}\n")), version.out);
  const auto python = test_support::run_process(
      {"/usr/bin/python3", "-c",
       "import hashlib, os, sys\n"
       "root = sys.argv[1]\n"
       "paths = sorted(os.path.relpath(os.path.join(d, f), root)\n"
       "               for top in ('grader', 'reference') for d, _, fs in os.walk(os.path.join(root, top))\n"
       "               for f in fs if '.' in f and f.rsplit('.', 1)[1] in ('cpp', 'hpp', 'h', 'py', 'in', 'txt'))\n"
       "lines = ''.join(p + ' ' + hashlib.sha256(open(os.path.join(root, p), 'rb').read()).hexdigest() + '\\n'\n"
       "                for p in paths)\n"
       "print('0.1.0+' + hashlib.sha256(lines.encode()).hexdigest()[:12])\n",
       GRADER_SOURCE_DIR});
  BOOST_TEST(python.exit_code == 0, python.err);
  BOOST_TEST(version.out == python.out);
  const auto result = run_grader({"check", "--spec", "specs/attention-basics.yaml",
                                  "submissions/attention-basics/typical-mistakes", "--format", "json"});
  BOOST_TEST(ordered_json::parse(result.out).at("grader_version").get<std::string>() + "\n" == version.out);
}

BOOST_AUTO_TEST_CASE(the_result_says_how_a_library_was_sandboxed) {
  const auto library = run_grader(
      {"check", "--spec", "specs/sdpa-masked.yaml", "submissions/sdpa-masked/correct-c", "--format", "json"});
  BOOST_TEST(contains(ordered_json::parse(library.out).at("sandbox").get<std::string>(), "seccomp"));
  const auto matrices = run_grader({"check", "--spec", "specs/attention-basics.yaml",
                                    "submissions/attention-basics/typical-mistakes", "--format", "json"});
  BOOST_TEST(contains(ordered_json::parse(matrices.out).at("sandbox").get<std::string>(), "seccomp"));
  const auto none = run_grader({"check", "--spec", "specs/understanding-attention.yaml",
                                "submissions/understanding-attention/correct-csv", "--format", "json"});
  BOOST_TEST(ordered_json::parse(none.out).at("sandbox").is_null());
}

BOOST_AUTO_TEST_CASE(verbose_logs_go_to_stderr_and_leave_the_json_intact) {
  const auto r = run_grader({"--verbose", "check", "--spec", "specs/attention-basics.yaml",
                             "submissions/attention-basics/correct-torch-npy", "--format", "json"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(ordered_json::parse(r.out).at("score") == 8.0);
  BOOST_TEST(contains(r.err, "[debug] loaded specs/attention-basics.yaml: 7 data tensors, 7 exercises"));
  // After the command too, where a student puts it (found by a helper: exit 2, "the command line
  // is broken").
  const auto after = run_grader({"check", "-v", "--spec", "specs/attention-basics.yaml",
                                 "submissions/attention-basics/correct-torch-npy", "--format", "json"});
  BOOST_TEST(after.exit_code == 0, after.err);
  BOOST_TEST(contains(after.err, "[debug] loaded specs/attention-basics.yaml"), after.err);
}

BOOST_AUTO_TEST_CASE(every_check_records_its_time_and_an_exercise_takes_the_sum) {
  for (const auto& [spec, student] : std::vector<std::pair<std::string, std::string>>{
           {"specs/sdpa-masked.yaml", "submissions/sdpa-masked/correct-c"},
           {"specs/understanding-attention.yaml", "submissions/understanding-attention/wrong-row"}}) {
    const auto r = ordered_json::parse(run_grader({"check", "--spec", spec, student, "--format", "json"}).out);
    for (const auto& e : r.at("exercises")) {
      double sum = 0;
      for (const auto& c : e.at("checks")) {
        BOOST_TEST(c.at("seconds").get<double>() > 0.0, spec << " " << e.at("id") << ": " << c.at("name"));
        sum += c.at("seconds").get<double>();
      }
      BOOST_TEST(e.at("seconds").get<double>() == sum, boost::test_tools::tolerance(1e-9));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_python_constant_reaches_the_notebooks_function_and_not_the_c_one) {
  // softmax_rows(X, temperature=2.0) in Python; the C function takes X only.
  TempDir dir;
  const fs::path spec = dir.write("softmax.yaml", R"YAML(assignment: {id: softmax-t, title: Softmax, version: "1"}
data:
  x: [[1.0, 2.0, 3.0], [0.0, 0.0, 4.0]]
exercises:
  - id: "1"
    title: Softmax at temperature 2
    points: 2
    function:
      symbol: softmax_rows
      inputs: [{name: X, shape: [n, d]}]
      outputs: [{name: Y, shape: [n, d], expect: "softmax(X / 2, -1)"}]
      python:
        tensors: numpy
        arguments: [X, {value: 2.0, keyword: temperature}]
    checks:
      - {name: example, points: 1, fixed: {X: x}}
      - {name: random, points: 1, random: {trials: 5, dims: {n: [1, 4], d: [1, 4]}}}
)YAML");
  const std::string body = "import numpy as np\n\ndef softmax_rows(X, temperature=1.0):\n"
                           "    assert type(temperature) is float\n"
                           "    e = np.exp(X / temperature - (X / temperature).max(axis=1, keepdims=True))\n"
                           "    return e / e.sum(axis=1, keepdims=True)\n";
  dir.write("student/softmax.py", body);
  auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "student").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "2 / 2"), r.out);
  // A student who ignores the temperature fails both checks.
  dir.write("ignores/softmax.py", "import numpy as np\n\ndef softmax_rows(X, temperature=1.0):\n"
                                  "    e = np.exp(X - X.max(axis=1, keepdims=True))\n"
                                  "    return e / e.sum(axis=1, keepdims=True)\n");
  r = run_grader({"check", "--spec", spec.string(), (dir.path() / "ignores").string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "0 / 2"), r.out);
  // spec show says how the notebook's function is called.
  r = run_grader({"spec", "show", spec.string()});
  BOOST_TEST(contains(r.out, "a notebook's softmax_rows(X, temperature=2.0) on numpy float64 arrays"), r.out);
}

BOOST_AUTO_TEST_CASE(a_float32_function_is_judged_on_the_inputs_it_was_given) {
  // Found by a helper: the reference computed on the float64 draws, the student on their
  // float32 roundings, so an exact identity failed by 1e-9. The plan rounds them for both.
  TempDir dir;
  const fs::path spec = dir.write("ident.yaml", R"YAML(assignment: {id: ident, title: Identity, version: "1"}
exercises:
  - id: "1"
    title: Identity
    points: 1
    function:
      symbol: ident
      inputs: [{name: x, shape: [n, m]}]
      outputs: [{name: y, shape: [n, m], expect: "x"}]
      python: {tensors: torch, dtype: float32}
    tolerance: {atol: 0, rtol: 0}
    checks:
      - {name: random, points: 1, random: {trials: 5, dims: {n: [1, 4], m: [1, 4]}}}
)YAML");
  dir.write("student/ident.py", "import torch\n\ndef ident(x):\n    assert x.dtype == torch.float32\n    return x\n");
  const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "student").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "1 / 1"), r.out);
}

BOOST_AUTO_TEST_CASE(a_seed_is_a_decimal_whole_number_of_64_bits) {
  // Found by a numerical-audit helper: -1 and 2^64 were taken as 2^64 - 1, silently; 010 was 8.
  const auto seed_shown = [](const std::string& seed) {
    const auto r = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", "submissions/sdpa-masked/no-scale",
                               "--format", "json", "--seed", seed});
    BOOST_TEST(r.exit_code == 1, r.err);
    std::smatch m;
    const bool found = std::regex_search(r.out, m, std::regex("seed ([0-9]+)"));
    BOOST_TEST(found, r.out);
    return found ? m[1].str() : "";
  };
  BOOST_TEST(seed_shown("010") == "10");
  BOOST_TEST(seed_shown("18446744073709551615") == "18446744073709551615");
  for (const std::string bad : {"-1", "18446744073709551616", "99999999999999999999999", "1e3", "0x10", ""}) {
    for (const std::string command : {"check", "grade"}) {
      TempDir dir;
      std::vector<std::string> args = {command, "--spec", "specs/sdpa-masked.yaml", "--seed", bad};
      if (command == "grade")
        args.insert(args.end(), {"submissions/sdpa-masked", "--out", (dir.path() / "out").string()});
      else
        args.push_back("submissions/sdpa-masked/no-scale");
      const auto r = run_grader(args);
      BOOST_TEST_CONTEXT(command << " --seed '" << bad << "'") {
        BOOST_TEST(r.exit_code == 2);
        BOOST_TEST(contains(r.err, "the seed must be a whole number from 0 to 18446744073709551615 (2^64 - 1)"), r.err);
        BOOST_TEST(!fs::exists(dir.path() / "out"));
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(what_students_see)

BOOST_AUTO_TEST_CASE(hidden_exercises_show_the_verdict_and_nothing_derived_from_the_target_in_any_format) {
  TempDir dir;
  const std::regex counts(R"([0-9]+ / [0-9]+ elements)");
  for (const auto& [spec_file, student, mistake] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"specs/understanding-attention.yaml", "submissions/understanding-attention/wrong-row", "selects value[1]"},
           {"specs/sdpa-masked.yaml", "submissions/sdpa-masked/no-scale", "not divided by sqrt"}}) {
    const std::string spec = hidden_copy(dir, spec_file);
    for (const auto& format : kFormats) {
      const auto r = run_grader({"check", "--spec", spec, student, "--format", format, "--github-annotations"});
      BOOST_TEST_CONTEXT(student << " as " << format) {
        BOOST_TEST(r.exit_code == 1, r.err);
        for (const std::string& text : {r.out, r.err}) {
          BOOST_TEST(!std::regex_search(text, counts), text);
          for (const char* leak : {"worst at", "first mismatches", "hint:", "expected:", "expected ",
                                   "got:", "random case", "output: ", "sum(weights, -1)", "inputs of this case",
                                   "cases fail)", "cases that fail)"})
            BOOST_TEST(!contains(text, leak), leak << " in:\n" << text);
          BOOST_TEST(!contains(text, mistake), text);
        }
      }
      if (format == "json") {  // the verdicts are still there
        const auto j = ordered_json::parse(r.out);
        BOOST_TEST(j.at("exercises")[0].at("verdict") == "wrong");
        BOOST_TEST(j.at("exercises")[0].at("mistake").is_null());
        BOOST_TEST(j.at("exercises")[0].at("visibility") == "hidden");
      }
    }
  }
  // A hidden exercise still tells the student about their own answer's shape.
  const auto shape =
      ordered_json::parse(run_grader({"check", "--spec", hidden_copy(dir, "specs/understanding-attention.yaml"),
                                      "submissions/understanding-attention/wrong-shape", "--format", "json"})
                              .out);
  BOOST_TEST(shape.at("exercises")[1].at("message") ==
             "'query122' (query122.npy) has shape (3, 3) but (4, 3) is expected");
}

BOOST_AUTO_TEST_CASE(every_format_shows_each_check_of_an_exercise_with_its_points) {
  const std::vector<std::string> check = {"check", "--spec", "specs/sdpa-masked.yaml",
                                          "submissions/sdpa-masked/no-scale"};
  const auto out = [&](const std::string& format) {
    return run_grader({check[0], check[1], check[2], check[3], "--format", format}).out;
  };
  const std::string passed = "passed (1 / 1 points): rows of weights sum to 1";
  const std::string failed = "wrong (0 / 1 points): random shapes and values";
  const std::string text = out("text");
  BOOST_TEST(contains(text, "  " + passed + "\n"), text);
  BOOST_TEST(contains(text, "  " + failed + "\n"), text);
  BOOST_TEST(contains(text, "  passed (1 / 1 points): output equals weights times values\n"), text);
  const std::string markdown = out("markdown");
  BOOST_TEST(contains(markdown, "| ✅ | rows of weights sum to 1 | 1 / 1 | `passed` |"), markdown);
  BOOST_TEST(contains(markdown, "| ❌ | random shapes and values | 0 / 1 | `wrong` |"), markdown);
  for (const auto& [format, field] :
       std::vector<std::pair<std::string, std::string>>{{"gradescope", "output"}, {"prairielearn", "output"}}) {
    const std::string feedback = ordered_json::parse(out(format)).at("tests")[0].at(field);
    BOOST_TEST(contains(feedback, passed), format << ":\n" << feedback);
    BOOST_TEST(contains(feedback, failed), format << ":\n" << feedback);
  }
  pugi::xml_document junit;
  BOOST_REQUIRE(junit.load_string(out("junit").c_str()));
  const auto sum_to_one = junit.select_node("//testcase[contains(@name, 'rows of weights sum to 1')]").node();
  BOOST_REQUIRE(sum_to_one);
  BOOST_TEST(sum_to_one.select_node("properties/property[@name='score']").node().attribute("value").as_double() == 1.0);
  BOOST_TEST(sum_to_one.select_node("properties/property[@name='max_score']").node().attribute("value").as_double() ==
             1.0);
  BOOST_TEST(std::string(sum_to_one.child_value("system-out")) == "passed, 1 / 1 points");
  const auto annotations = run_grader({check[0], check[1], check[2], check[3], "--github-annotations"}).err;
  BOOST_TEST(contains(annotations, passed), annotations);
}

BOOST_AUTO_TEST_CASE(text_students_control_is_inert_in_every_format) {
  TempDir dir;
  // A folder name and a stray file name with terminal escapes, invalid UTF-8, line breaks that
  // start workflow commands, HTML and Markdown links; an answers.yaml key with the same.
  const fs::path folder = dir.path() / "=HYPERLINK(\"evil.example\")\x1b]0;owned\x07\x1b[2J\xff\xfe";
  fs::copy(test_support::source_path("submissions/understanding-attention/wrong-row"), folder);
  std::ofstream(folder /
                "q\x1b[31m\n::set-output name=score::100\n##[add-mask]x\n<img src=x "
                "onerror=alert(1)>[a](javascript:alert(1)).csv")
      << "1,2,3\n";
  std::ofstream(folder / "answers.yaml") << "\"k\\e[2J\\n  ::warning::pwned\\x9b\\xff<b>bold</b>\": [1]\n";
  for (const auto& format : kFormats) {
    const auto r = run_grader({"check", "--spec", "specs/understanding-attention.yaml", folder.string(), "--format",
                               format, "--github-annotations"});
    BOOST_TEST_CONTEXT(format) {
      BOOST_TEST(r.exit_code == 1, r.err);
      BOOST_TEST(test_support::why_unsafe(r.out) == "", r.out);
      if (format != "csv")  // shown, defused (Markdown escapes the '-')
        BOOST_TEST((contains(r.out, "set-output name=score") || contains(r.out, "set\\-output name=score")), r.out);
      std::istringstream lines(r.err);
      std::size_t commands = 0;
      for (std::string line; std::getline(lines, line); ++commands)
        BOOST_TEST(line.rfind("::error title=understanding-attention 1.2.1 ", 0) == 0u, line);
      BOOST_TEST(commands == 1u, r.err);
      BOOST_TEST(r.err.find("##[") == std::string::npos);
      if (format == "json" || format == "gradescope" || format == "prairielearn")
        BOOST_CHECK_NO_THROW(ordered_json::parse(r.out));
      if (format == "junit") {
        pugi::xml_document doc;
        BOOST_TEST(static_cast<bool>(doc.load_string(r.out.c_str())));
      }
      if (format == "markdown") {
        std::string markup = outside_fences(r.out);
        for (const char* ours : {"<details>", "<summary>", "</summary>", "</details>"})
          for (std::size_t at; (at = markup.find(ours)) != std::string::npos;)
            markup.erase(at, std::string(ours).size());
        BOOST_TEST(!std::regex_search(markup, std::regex(R"((^|[^\\])<)")), markup);  // \< shows a '<'
        BOOST_TEST(!contains(markup, "]("), markup);
      }
      if (format == "csv") {
        const std::string row = r.out.substr(r.out.find('\n') + 1);
        BOOST_TEST(row.rfind("\"'=HYPERLINK(", 0) == 0u, row);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(what_a_library_prints_is_inert_in_every_format) {
  TempDir dir;
  const fs::path folder = dir.path() / "loud\x1b[5m";
  fs::create_directories(folder);
  std::ofstream(folder / "solution.c")
      << test_support::read_file(test_support::source_path("submissions/sdpa-masked/correct-c/solution.c"))
      << "\n__attribute__((constructor)) static void shout(void) {\n"
         "  fputs(\"\\033]0;owned\\007\\033[2J\\n::set-output name=score::100\\n  ::add-mask::x\\n\"\n"
         "        \"##[set-output name=x;]y\\n<script>alert(1)</script>\\n| a | b |\\n\\xff\\xfe\\xc2\\x9b\\n\", "
         "stdout);\n"
         "  fflush(stdout);\n}\n";
  for (const auto& format : kFormats) {
    const auto r = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", folder.string(), "--format", format});
    BOOST_TEST_CONTEXT(format) {
      BOOST_TEST(r.exit_code == 0, r.err);
      BOOST_TEST(test_support::why_unsafe(r.out) == "", r.out);
      if (format != "csv") BOOST_TEST(contains(r.out, "set-output name=score"), r.out);  // the note is shown
      if (format == "markdown")
        BOOST_TEST(!std::regex_search(outside_fences(r.out), std::regex(R"((^|[^\\])<script)")), r.out);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_folder_name_that_is_not_utf8_is_graded_like_any_other) {
  TempDir dir;
  const fs::path folder = dir.path() / "bad\xff\xfename";
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), folder);
  const auto r =
      run_grader({"check", "--spec", "specs/understanding-attention.yaml", folder.string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 0, r.err);
  const auto j = ordered_json::parse(r.out);
  BOOST_TEST(contains(j.at("submission").get<std::string>(), "bad\\xff\\xfename"));
  const auto csv =
      run_grader({"check", "--spec", "specs/understanding-attention.yaml", folder.string(), "--format", "csv"});
  BOOST_TEST(contains(csv.out, "\nbad\\xff\\xfename,1,1,1,1,1,1,6,6\n"), csv.out);
}

BOOST_AUTO_TEST_CASE(a_notebook_beside_the_helpers_it_runs_or_imports_is_the_one_graded) {
  // Found by a hostile helper: a correct homework.py that runs its function from sdpa_impl.py
  // with `%run` (or imports another) scored 0 of 8 under a spec that names no file, "this
  // folder has 3 Python hand-ins ... keep only the one to grade".
  TempDir dir;
  const std::string homework =
      test_support::read_file(test_support::source_path("submissions/sdpa-masked/py-correct-jupyter/homework.py"));
  dir.write("hw/sdpa_impl.py", homework);
  dir.write("hw/constants.py", "SCALE = 1.0\n");
  dir.write("hw/homework.py",
            "\n# In[1]:\n\nget_ipython().run_line_magic('run', 'sdpa_impl.py')\n"
            "from constants import SCALE\n");
  // A folder graded in full: its notes.
  const auto notes_of_full_marks = [&](const std::string& folder) {
    const auto r =
        run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / folder).string(), "--format", "json"});
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    const auto j = ordered_json::parse(r.out);
    BOOST_TEST(j.at("score").get<double>() == j.at("max_score").get<double>(), r.out);
    return j.at("notes").dump();
  };
  const std::string notes = notes_of_full_marks("hw");
  BOOST_TEST(contains(notes, "homework.py is graded, which runs or imports constants.py, sdpa_impl.py"), notes);
  // So does one that runs its helper with exec() or runpy (found by a helper: two hand-ins).
  dir.write("exec/sdpa_impl.py", homework);
  dir.write("exec/extra.py", "EXTRA = 1\n");
  dir.write("exec/homework.py",
            "import runpy\nfrom pathlib import Path\n# exec(open('homework.py').read())\n"
            "exec(open(\"sdpa_impl.py\").read())\nEXTRA = runpy.run_path('./extra.py')['EXTRA']\n");
  const std::string execs = notes_of_full_marks("exec");
  BOOST_TEST(contains(execs, "homework.py is graded, which runs or imports extra.py, sdpa_impl.py"), execs);
  // Two notebooks neither of which uses the other are still two candidates.
  dir.write("two/a.py", homework);
  dir.write("two/b.py", homework);
  const auto two = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "two").string()});
  BOOST_TEST(two.exit_code == 1, two.err);
  BOOST_TEST(contains(two.out, "keep only the one to grade"), two.out);
  // A student's own pytest file imports the homework it tests: it is not the hand-in (found by
  // a helper: test_homework.py was graded, and every function "not defined": 0 of 8).
  dir.write("tested/homework.py", homework);
  dir.write("tested/test_homework.py",
            "import torch\nfrom homework import scaled_dot_product_attention\n\n"
            "def test_shapes():\n    out, w = scaled_dot_product_attention(*[torch.ones(1, 2, 3)] * 3)\n"
            "    assert out.shape == (1, 2, 3)\n");
  const std::string tested = notes_of_full_marks("tested");
  BOOST_TEST(contains(tested,
                      "test_homework.py is not graded: tests of a notebook (test_*.py, "
                      "*_test.py beside it), conftest.py and __init__.py go with it, and "
                      "homework.py is the notebook"),
             tested);
  // So are a script trying the homework out, named as a test of it, a pytest conftest.py, an
  // empty __init__.py, and macOS's AppleDouble file of the notebook (all found by a helper:
  // two or three hand-ins, 0 of 8).
  dir.write("tried/homework.py", homework);
  dir.write("tried/homework_test.py", "import torch\nimport homework\nprint(homework.scaled_dot_product_attention("
                                      "torch.ones(1, 2, 2), torch.ones(1, 2, 2), torch.ones(1, 2, 2)))\n");
  dir.write("tried/conftest.py", "import pytest\n");
  dir.write("tried/__init__.py", "");
  dir.write("tried/._homework.py", std::string("\0\5\26\7Mac OS X", 12));
  const auto tried = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "tried").string()});
  BOOST_TEST(tried.exit_code == 0, tried.out << tried.err);
  BOOST_TEST(contains(tried.out, "score: 8 / 8"), tried.out);
  BOOST_TEST(contains(tried.out, "__init__.py, conftest.py, homework_test.py are not graded"), tried.out);
  // A pytest file of another name (found by a helper: its `import pytest` failed, and the
  // homework it imports scored 0 of 8), and a test the notebook runs itself, are set aside too.
  dir.write("pytest/homework.py", homework);
  dir.write("pytest/test_attention.py", "import pytest\nimport homework as hw\n\ndef test_it():\n    assert hw\n");
  const auto pytest = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "pytest").string()});
  BOOST_TEST(contains(pytest.out, "score: 8 / 8"), pytest.out);
  dir.write("runs/homework.py", homework + "\nget_ipython().run_line_magic('run', 'test_homework.py')\n");
  dir.write("runs/test_homework.py", "from homework import scaled_dot_product_attention\n");
  const auto runs = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "runs").string()});
  BOOST_TEST(contains(runs.out, "score: 8 / 8"), runs.out);
  // A notebook named like a test of nothing handed in, beside the helper it imports, is graded
  // (a statistics course's t_test.py); and so is one that imports a helper named like a test.
  dir.write("stats/t_test.py", "import helpers\n" + homework);
  dir.write("stats/helpers.py", "SCALE = 1.0\n");
  dir.write("stats/test_helpers.py", "from helpers import SCALE\n\ndef test_scale():\n    assert SCALE == 1.0\n");
  const std::string stats = notes_of_full_marks("stats");
  BOOST_TEST(contains(stats, "t_test.py is graded, which runs or imports helpers.py"), stats);
  // Test files alone are notebooks like any other: two of them are two hand-ins; and the
  // rivals named are the notebooks, without their tests.
  dir.write("tests/test_a.py", homework);
  dir.write("tests/test_b.py", homework);
  const auto tests = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "tests").string()});
  BOOST_TEST(tests.exit_code == 1, tests.err);
  BOOST_TEST(contains(tests.out, "keep only the one to grade"), tests.out);
  dir.write("rivals/homework.py", homework);
  dir.write("rivals/homework (1).py", homework);
  dir.write("rivals/test_homework.py", "import homework\n");
  const auto rivals = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "rivals").string()});
  BOOST_TEST(contains(rivals.out, "this folder has 2 Python hand-ins, homework (1).py, homework.py: keep only"),
             rivals.out);
  // Jupyter's empty Untitled.ipynb and a scratch file, which name nothing the assignment grades,
  // beside the one that does (found by a TA helper: 0 of 8, "2 Python hand-ins").
  dir.write("untitled/homework.py", homework);
  dir.write("untitled/Untitled.ipynb",
            R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", )"
            R"("metadata": {}, "source": [], "outputs": [], "execution_count": null}]})");
  dir.write("untitled/scratch.py", "import torch\nprint(torch.ones(2))\n");
  const std::string untitled = notes_of_full_marks("untitled");
  BOOST_TEST(contains(untitled,
                      "Untitled.ipynb, scratch.py are not graded: they name none of what the assignment grades "
                      "(scaled_dot_product_attention), and homework.py does"),
             untitled);
  // So under a spec that names its file, where none is named so.
  dir.write("named/notebook.py", test_support::read_file(test_support::source_path(
                                     "submissions/understanding-attention/colab-py-correct/A2S1.py")));
  dir.write("named/scratch.py", "print(1)\n");
  const auto named = run_grader({"check", "--spec", "specs/understanding-attention.yaml",
                                 (dir.path() / "named").string(), "--format", "json"});
  BOOST_TEST(contains(named.out, "score\": 6.0"), named.out);
  BOOST_TEST(contains(named.out, "scratch.py is not graded: it names none of what the assignment grades (query121, "
                                 "query122, query131 and 2 more), and notebook.py does"),
             named.out);
}

BOOST_AUTO_TEST_CASE(the_command_feedback_quotes_replays_that_exercises_cases_alone) {
  // Found by a hostile helper: `--seed N` gives every exercise that seed, so a replay of one
  // exercise's cases met other cases in the others. The command quoted names the exercise.
  const std::string folder = test_support::source_path("submissions/sdpa-masked/no-scale");
  const auto graded = [&](const std::vector<std::string>& more) {
    std::vector<std::string> args = {"check", "--spec", "specs/sdpa-masked.yaml", folder, "--format", "json"};
    args.insert(args.end(), more.begin(), more.end());
    const auto r = run_grader(args);
    BOOST_TEST(r.exit_code == 1, r.err);
    return ordered_json::parse(r.out);
  };
  const auto checks_of = [](ordered_json exercise) {
    for (auto& c : exercise.at("checks")) c.erase("seconds");
    return exercise.at("checks");
  };
  const ordered_json all = graded({});
  const ordered_json& second = all.at("exercises").at(1);
  BOOST_REQUIRE(second.at("id") == "2");
  const std::string seed = test_support::shown_seed(second.dump());
  BOOST_TEST(contains(second.dump(), "`grader check --spec SPEC --exercise 2 --seed " + seed + " FOLDER` replays"));
  const ordered_json replay = graded({"--exercise", "2", "--seed", seed});
  BOOST_TEST(replay.at("exercises").size() == 1u);
  BOOST_TEST(checks_of(replay.at("exercises").at(0)) == checks_of(second));
  BOOST_TEST(replay.at("max_score") == second.at("max_score"));
  BOOST_TEST(contains(replay.at("notes").dump(), "only exercise 2 is graded (--exercise): the others are left out"));
  const auto both = graded({"--exercise", "2", "--exercise", "1"});
  BOOST_TEST(both.at("exercises").size() == 2u);
  BOOST_TEST(contains(both.at("notes").dump(), "only exercises 1, 2 are graded (--exercise)"));
  const auto unknown = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", folder, "--exercise", "3"});
  BOOST_TEST(unknown.exit_code == 2);
  BOOST_TEST(contains(unknown.err,
                      "--exercise 3: specs/sdpa-masked.yaml has no exercise of that id (its exercises: "
                      "1, 2)"),
             unknown.err);
}

BOOST_AUTO_TEST_CASE(c_sources_beside_a_students_own_python_script_are_the_hand_in) {
  // Found by a TA helper: a correct solution.c beside a run_tests.py that loads it with ctypes
  // scored 0 of 8, graded as a notebook that defines no function. A .py that names none of the
  // assignment's functions is no notebook of it; one that names one is graded, as ever.
  TempDir dir;
  const std::string c =
      test_support::read_file(test_support::source_path("submissions/sdpa-masked/correct-c/solution.c"));
  const auto check = [&](const std::string& folder) {
    return run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / folder).string()});
  };
  dir.write("script/solution.c", c);
  dir.write("script/run_tests.py",
            "import ctypes\nlib = ctypes.CDLL('./libsolution.so')\nprint(lib.scaled_dot_product_attention)\n");
  const auto script = check("script");
  BOOST_TEST(script.exit_code == 0, script.out << script.err);
  BOOST_TEST(contains(script.out, "score: 8 / 8"), script.out);
  BOOST_TEST(contains(script.out,
                      "run_tests.py is not graded: it names none of the assignment's functions "
                      "(scaled_dot_product_attention), and the C/C++ files beside it are graded"),
             script.out);
  dir.write("scratch/solution.c", c);
  dir.write("scratch/a.py", "x = 1\n");
  dir.write("scratch/b.ipynb", R"({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})");
  const auto scratch = check("scratch");
  BOOST_TEST(contains(scratch.out, "score: 8 / 8"), scratch.out);
  BOOST_TEST(contains(scratch.out, "a.py, b.ipynb are not graded: they name none"), scratch.out);
  // A name inside a longer one is not the function's (my_scaled_dot_product_attention_test).
  dir.write("longer/solution.c", c);
  dir.write("longer/try.py", "def my_scaled_dot_product_attention_test():\n    pass\n");
  BOOST_TEST(contains(check("longer").out, "score: 8 / 8"));
  // The notebook that names the function is the hand-in, beside C/C++ files or not.
  dir.write("both/solution.c", c);
  fs::copy(test_support::source_path("submissions/sdpa-masked/py-no-scale/homework.py"),
           dir.path() / "both/homework.py");
  const auto both = check("both");
  BOOST_TEST(both.exit_code == 1, both.out << both.err);
  BOOST_TEST(contains(both.out,
                      "only homework.py is graded: a folder hands in a notebook or a library, and the C/C++ "
                      "files here are not used"),
             both.out);
  BOOST_TEST(!contains(both.out, "names none"), both.out);
}

BOOST_AUTO_TEST_CASE(a_notebook_beside_its_download_is_graded_once_or_told_where_they_differ) {
  // Students hand in the notebook and its download as a .py together. Under a spec that names
  // no file that was "2 Python hand-ins": 0 of 8, whatever the two held.
  TempDir dir;
  const auto fixture = [](const std::string& name) {
    return test_support::read_file(test_support::source_path("tests/fixtures/notebooks/" + name));
  };
  // nbconvert's own download (tests/fixtures/make_notebook_fixtures.py): magics become calls of
  // get_ipython(), a %%time cell one call, markdown comments.
  dir.write("same/homework.ipynb", fixture("homework.ipynb"));
  dir.write("same/homework.py", fixture("homework.py"));
  const auto same = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "same").string()});
  BOOST_TEST(same.exit_code == 0, same.out << same.err);
  BOOST_TEST(contains(same.out, "score: 8 / 8"), same.out);
  BOOST_TEST(contains(same.out,
                      "homework.py is not graded: it holds the same code as homework.ipynb (a notebook's "
                      "download as a Python file), which is"),
             same.out);
  // One changed after the download: which to grade is the student's to say, told where they differ.
  const std::string right = "weights = torch.softmax(scores, dim=-1)";
  std::string changed = fixture("homework.py");
  BOOST_REQUIRE(contains(changed, right));
  changed.replace(changed.find(right), right.size(), "weights = torch.softmax(scores, dim=1)");
  dir.write("changed/homework.ipynb", fixture("homework.ipynb"));
  dir.write("changed/homework.py", changed);
  const auto differs = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "changed").string()});
  BOOST_TEST(differs.exit_code == 1, differs.out << differs.err);
  BOOST_TEST(contains(differs.out,
                      "this folder has homework.ipynb and homework.py, a notebook and a .py of the same name "
                      "whose code differs: cell 5, line 4 of homework.ipynb has `" +
                          right +
                          "` where line 41 of homework.py has `weights = torch.softmax(scores, dim=1)`: "
                          "keep only the one to grade"),
             differs.out);
  // An install or a notebook setting on one side only runs nothing where the hand-in is graded:
  // the difference named is the change of code after it (found by a student helper: told a
  // commented-out `!pip install torch` differed).
  dir.write("installs/homework.ipynb", fixture("homework.ipynb"));
  dir.write("installs/homework.py",
            "get_ipython().system('pip install torch')\n"
            "get_ipython().run_line_magic('matplotlib', 'inline')\n" +
                changed);
  const auto installs = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "installs").string()});
  BOOST_TEST(contains(installs.out, "whose code differs: cell 5, line 4 of homework.ipynb has `" + right +
                                        "` where line 43 of homework.py has `weights = torch.softmax(scores, dim=1)`"),
             installs.out);
  // A magic the notebook has commented out is no line the download runs (found by a helper).
  std::string disabled = fixture("homework.ipynb");
  const std::string timed = "%time total = sum(range(10))";
  BOOST_REQUIRE(contains(disabled, timed));
  disabled.replace(disabled.find(timed), timed.size(), "# " + timed);
  dir.write("disabled/homework.ipynb", disabled);
  dir.write("disabled/homework.py", fixture("homework.py"));
  const auto live = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "disabled").string()});
  BOOST_TEST(contains(live.out,
                      "cell 11, line 2 of homework.ipynb has `print(total)` where line 87 of homework.py has "
                      "`get_ipython().run_line_magic('time', 'total = sum(range(10))')`: keep only the one to grade"),
             live.out);
  // Indentation is code too (found by a helper: a line moved out of a loop was "the same").
  std::string dedented = fixture("homework.py");
  dedented.replace(dedented.find("    " + right), 4 + right.size(), right);
  dir.write("dedented/homework.ipynb", fixture("homework.ipynb"));
  dir.write("dedented/homework.py", dedented);
  const auto moved = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "dedented").string()});
  BOOST_TEST(contains(moved.out, "where line 41 of homework.py has `" + right + "`, indented differently: keep only"),
             moved.out);
  // Colab's download (markdown as strings, magics commented out), named in another case than
  // the spec's A2S1.py: the notebook, whose cells run as the student ran them (found by a
  // helper: a line magic Colab's download left commented out lost an answer the .ipynb has).
  const auto sample = [](const std::string& path) {
    return test_support::read_file(test_support::source_path("submissions/understanding-attention/" + path));
  };
  dir.write("colab/A2S1.ipynb", sample("ipynb-correct/A2S1.ipynb"));
  dir.write("colab/a2s1.py", sample("colab-py-correct/A2S1.py"));
  const auto colab =
      run_grader({"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "colab").string()});
  BOOST_TEST(colab.exit_code == 0, colab.out << colab.err);
  BOOST_TEST(contains(colab.out, "score: 6 / 6"), colab.out);
  BOOST_TEST(contains(colab.out,
                      "a2s1.py is not graded: it holds the same code as A2S1.ipynb (a notebook's download as a "
                      "Python file), which is"),
             colab.out);
  // A copy of the notebook and its download, as Colab names them (found by a helper: two hand-ins).
  dir.write("copy/Copy of A2S1.ipynb", sample("ipynb-correct/A2S1.ipynb"));
  dir.write("copy/copy_of_a2s1.py", sample("colab-py-correct/A2S1.py"));
  const auto copy =
      run_grader({"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "copy").string()});
  BOOST_TEST(contains(copy.out, "score: 6 / 6"), copy.out);
  BOOST_TEST(contains(copy.out, "copy_of_a2s1.py is not graded: it holds the same code as Copy of A2S1.ipynb"),
             copy.out);
  // Code after a string is code (found by a helper: `"""Scratch"""; query131 = ...` was "the same").
  dir.write("scratch/A2S1.ipynb", sample("ipynb-correct/A2S1.ipynb"));
  dir.write("scratch/a2s1.py",
            sample("colab-py-correct/A2S1.py") + "\n\"\"\"Scratch\"\"\"; query131 = torch.ones(1, 3)\n");
  const auto scratch =
      run_grader({"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "scratch").string()});
  BOOST_TEST(contains(scratch.out,
                      "has `\"\"\"Scratch\"\"\"; query131 = torch.ones(1, 3)` after the last line of A2S1.ipynb: "
                      "keep only the one to grade"),
             scratch.out);
  // Odd lines are compared, never the grader's fault: a lone `?` (found in review: an internal
  // error), cell magics commented inside each other a thousand deep, a cell whose type is a
  // number (found by a helper: an internal error).
  dir.write("odd/homework.ipynb",
            R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": 5, "source": "x"}, )"
            R"({"cell_type": "code", "metadata": {}, "source": "?\n??", "outputs": [], "execution_count": null}]})");
  std::string nest = "x = 1\n";
  for (int level = 1; level <= 1000; ++level) {
    std::string prefix;
    for (int k = 0; k < level; ++k) prefix += "# ";
    nest += prefix + "%%time\n";
  }
  dir.write("odd/homework.py", nest);
  const auto odd = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "odd").string()});
  BOOST_TEST(odd.exit_code == 1, odd.out << odd.err);
  BOOST_TEST(contains(odd.out, "cell 2, line 1 of homework.ipynb has `?` where line 1 of homework.py has `x = 1`"),
             odd.out);
  // Nor where Colab's download comments magics out: the notebook's comment is not the .py's magic.
  auto notebook = ordered_json::parse(sample("ipynb-correct/A2S1.ipynb"));
  notebook["cells"].push_back(
      {{"cell_type", "code"}, {"metadata", ordered_json::object()}, {"source", "# %time extra = 1\n"}});
  const std::string colab_py = sample("colab-py-correct/A2S1.py");
  dir.write("magic/A2S1.ipynb", notebook.dump());
  dir.write("magic/a2s1.py", colab_py + "\n%time extra = 1\n");
  const auto magic =
      run_grader({"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "magic").string()});
  BOOST_TEST(contains(magic.out, "has `# %time extra = 1` where line " +
                                     std::to_string(std::count(colab_py.begin(), colab_py.end(), '\n') + 2) +
                                     " of a2s1.py has `%time extra = 1`: keep only"),
             magic.out);
  // The file named as asked is graded, and the student told that the other differs.
  std::string edited = sample("ipynb-correct/A2S1.ipynb");
  const std::string line = "S = 1e5";
  BOOST_REQUIRE(contains(edited, line));
  edited.replace(edited.find(line), line.size(), "S = 1e3");
  // A comment added before it is no difference of code (found by a student helper: it was
  // named, and hid the change of S).
  const std::string imported = "import torch\\n";
  BOOST_REQUIRE(contains(edited, imported));
  edited.replace(edited.find(imported), imported.size(), "import torch  # the library\\n");
  dir.write("asked/A2S1.ipynb", edited);
  dir.write("asked/A2S1.py", sample("colab-py-correct/A2S1.py"));
  const auto asked =
      run_grader({"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "asked").string()});
  BOOST_TEST(contains(asked.out, "score: 6 / 6"), asked.out);
  BOOST_TEST(contains(asked.out, "A2S1.ipynb is not graded: only A2S1.py is, and their code differs: cell "),
             asked.out);
  BOOST_TEST(contains(asked.out, "has `S = 1e3` where line "), asked.out);
}

BOOST_AUTO_TEST_CASE(a_notebook_made_large_by_its_outputs_is_graded_by_its_code) {
  // Found by a helper playing a TA: a correct notebook of 30 MB, its plots saved, scored 0
  // ("more than the limit of 16777216"), and only editing the student's file could change that.
  TempDir dir;
  auto notebook = ordered_json::parse(test_support::read_file(
      test_support::source_path("submissions/understanding-attention/ipynb-correct/A2S1.ipynb")));
  const std::string picture(20u << 20, 'A');  // a PNG's base64, as Jupyter saves a plot
  for (auto& cell : notebook["cells"])
    if (cell["cell_type"] == "code") {
      cell["outputs"] = ordered_json::array({{{"output_type", "display_data"},
                                              {"data", {{"image/png", picture}}},
                                              {"metadata", ordered_json::object()}}});
      break;
    }
  dir.write("s/A2S1.ipynb", notebook.dump());
  const auto r = run_grader({"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "s").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "score: 6 / 6"), r.out);
  BOOST_TEST(contains(r.out,
                      "A2S1.ipynb is 20 MB, its saved outputs (plots, pictures) mostly: they are never graded, "
                      "and were left out"),
             r.out);
  // Its code alone past the limit still is.
  std::string code = "x = 1\n" + std::string(17u << 20, '#');
  dir.write("t/A2S1.ipynb", ordered_json({{"nbformat", 4},
                                          {"nbformat_minor", 5},
                                          {"metadata", ordered_json::object()},
                                          {"cells",
                                           {{{"cell_type", "code"},
                                             {"metadata", ordered_json::object()},
                                             {"outputs", ordered_json::array()},
                                             {"source", code}}}}})
                                .dump());
  const auto t = run_grader({"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "t").string()});
  BOOST_TEST(contains(t.out, "more than the limit"), t.out);
  BOOST_TEST(contains(t.out, "clear the notebook's outputs"), t.out);
  // Outputs nested millions deep are not parsed (a value for each level: gigabytes in the
  // grader): the notebook is refused as too large, at once.
  const std::size_t deep = 10u << 20;
  dir.write("u/A2S1.ipynb", R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", )"
                            R"("metadata": {}, "source": "x = 1\n", "outputs": )" +
                                std::string(deep, '[') + std::string(deep, ']') + "}]}");
  const auto u = run_grader({"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "u").string()});
  BOOST_TEST(u.exit_code == 1, u.err);
  BOOST_TEST(contains(u.out, "more than the limit"), u.out);
}

BOOST_AUTO_TEST_CASE(a_notebook_imports_and_opens_the_files_of_its_sub_folders) {
  // Found by a helper: `from utils.helpers import zero` with a utils/ folder beside the
  // notebook was "No module named 'utils' (it is not installed where notebooks are graded)".
  TempDir dir;
  const fs::path folder = dir.path() / "s1";
  std::string notebook = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"));
  const std::string answer = "query131 = torch.zeros(1, 3)\n";
  BOOST_REQUIRE(contains(notebook, answer));
  notebook.replace(notebook.find(answer), answer.size(),
                   "from utils.helpers import zero\nquery131 = zero()\nimport os\n"
                   "print('scale', open('data/deep/scale.txt').read().strip())\n"
                   "from tools.extra import EXTRA\nprint('extra', EXTRA)\n"
                   "print('copied', sorted(d for d in os.listdir('.') if os.path.isdir(d)), os.listdir('a/b/c'))\n");
  dir.write("s1/A2S1.py", notebook);
  dir.write("s1/utils/helpers.py", "import torch\n\ndef zero():\n    return torch.zeros(1, 3)\n");
  dir.write("s1/data/deep/scale.txt", "0.5\n");
  dir.write("s1/.ipynb_checkpoints/A2S1-checkpoint.py", "query131 = 1\n");  // no file of the student's
  dir.write("s1/__MACOSX/._A2S1.py", "x");
  dir.write("s1/a/b/c/three_down.txt", "x\n");
  dir.write("s1/a/b/c/d/four_down.txt", "x\n");
  dir.write("elsewhere/secret.txt", "not the student's\n");
  fs::create_directory_symlink(dir.path() / "elsewhere", folder / "linked");
  // A folder of more files than are copied, met first, keeps neither the module nor the data
  // from being copied (found by a helper: 5000 images, then the module, were "not installed").
  for (int i = 0; i < 1100; ++i) dir.write("s1/zz_images/img" + std::to_string(i) + ".png", "");
  // Nor do files at the top, copied before the sub-folders' but after the files the notebook
  // names (found by a helper: 4100 frames, then utils/helpers.py).
  for (int i = 0; i < 100; ++i) dir.write("s1/frame" + std::to_string(i) + ".png", "");
  // A Windows zip's file names its folder with a backslash (found by a helper: "3 hand-ins").
  dir.write("s1/tools\\extra.py", "EXTRA = 2\n");
  dir.write("s1/tools\\__init__.py", "");
  const auto r = run_grader({"check", "--spec", "specs/understanding-attention.yaml", folder.string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  const auto j = ordered_json::parse(r.out);
  BOOST_TEST(j.at("score").get<double>() == j.at("max_score").get<double>(), r.out);
  const std::string printed = j.at("printed").get<std::string>();
  BOOST_TEST(contains(printed, "scale 0.5"), printed);
  BOOST_TEST(contains(printed, "extra 2"), printed);
  // Not a hidden or cached folder, one through a link, or one more than three folders down.
  BOOST_TEST(contains(printed, "copied ['a', 'data', 'tools', 'utils'] ['three_down.txt']"), printed);
  BOOST_TEST(contains(j.at("notes").dump(), "your notebook cannot open frame"), j.at("notes").dump());
}

BOOST_AUTO_TEST_CASE(a_hand_in_zipped_with_its_folder_is_graded_from_that_folder) {
  // The same upload earns the same points everywhere: the folder around the files was unwrapped
  // by Gradescope's run_autograder only (found by a helper: 6/6 there, 0/6 by grader check).
  TempDir dir;
  const std::string unwrapped = "your submission is one folder, 'hw': it is graded from there";
  const std::string further = "nothing at the top of your submission is graded, but its folder 'hw' holds a hand-in";
  const auto graded = [&](const std::string& spec, const fs::path& folder) {
    const auto r = run_grader({"check", "--spec", spec, folder.string(), "--format", "json"});
    BOOST_TEST(r.exit_code <= 1, r.err);
    return ordered_json::parse(r.out);
  };
  const auto has_note = [&](const ordered_json& j, const std::string& note) {
    for (const auto& n : j.at("notes"))
      if (contains(n.get<std::string>(), note)) return true;
    return false;
  };
  // Answer files, a notebook, a library's sources: each in one folder, beside macOS's __MACOSX/.
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"specs/understanding-attention.yaml", "submissions/understanding-attention/correct-csv"},
      {"specs/understanding-attention.yaml", "submissions/understanding-attention/colab-py-correct"},
      {"specs/sdpa-masked.yaml", "submissions/sdpa-masked/py-correct-jupyter"},
      {"specs/sdpa-masked.yaml", "submissions/sdpa-masked/correct-c"}};
  for (const auto& [spec, sample] : kinds) {
    BOOST_TEST_CONTEXT(sample) {
      const fs::path folder = dir.path() / fs::path(sample).filename();
      fs::create_directories(folder / "__MACOSX");
      fs::copy(test_support::source_path(sample), folder / "hw");
      const auto j = graded(spec, folder);
      const auto direct = graded(spec, test_support::source_path(sample));
      BOOST_TEST(j.at("score").get<double>() == direct.at("score").get<double>());
      BOOST_TEST(j.at("score").get<double>() == j.at("max_score").get<double>());
      BOOST_TEST(has_note(j, unwrapped), j.dump(2));
      BOOST_TEST(j.at("submission") == folder.string());
    }
  }
  // A folder beside other files is not unwrapped: told where the hand-in is.
  const fs::path beside = dir.path() / "beside";
  fs::create_directories(beside);
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), beside / "hw");
  dir.write("beside/README.txt", "my homework\n");
  const auto b = graded("specs/understanding-attention.yaml", beside);
  BOOST_TEST(b.at("score").get<double>() == 0.0);
  BOOST_TEST(has_note(b, further), b.dump(2));
  BOOST_TEST(!has_note(b, unwrapped), b.dump(2));
  // Several folders that each hold a hand-in (two attempts, or a class given to `grader check`):
  // named, with what to do either way (found by a helper: one of a class's 20 was named alone).
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), beside / "attempt2");
  const auto two = graded("specs/understanding-attention.yaml", beside);
  BOOST_TEST(has_note(two,
                      "its folders 'attempt2', 'hw' and maybe others each hold a hand-in: only the top level is "
                      "read, so move the files of the one to grade up (a folder of students' folders is a "
                      "class: `grader grade` grades each)"),
             two.dump(2));
  fs::remove_all(beside / "attempt2");
  // Two levels down: one is unwrapped, then the note names the next.
  const fs::path deep = dir.path() / "deep";
  fs::create_directories(deep / "outer");
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), deep / "outer" / "hw");
  const auto d = graded("specs/understanding-attention.yaml", deep);
  BOOST_TEST(d.at("score").get<double>() == 0.0);
  BOOST_TEST(has_note(d, further), d.dump(2));
  // An empty function hand-in names both ways of handing it in.
  fs::create_directories(dir.path() / "empty");
  const auto fn = graded("specs/sdpa-masked.yaml", dir.path() / "empty");
  const std::string missing = fn.at("exercises").at(0).at("checks").at(0).at("message").get<std::string>();
  BOOST_TEST(contains(missing, "or hand in your notebook (.py or .ipynb) that defines scaled_dot_product_attention"),
             missing);
  // So does an answer of a spec written for notebooks that names none (found by an instructor
  // helper: told to hand in .npy files only), where a spec for files alone says files.
  const auto answers = graded("specs/attention-basics.yaml", dir.path() / "empty");
  const std::string asked = answers.at("exercises").at(0).at("message").get<std::string>();
  BOOST_TEST(contains(asked, "in answers.yaml); or hand in your notebook (.py or .ipynb) that defines it"), asked);
  const auto spec = dir.write("files.yaml",
                              "assignment: {id: files, title: Files, version: \"1\"}\n"
                              "exercises:\n  - {id: \"1\", title: A, points: 1, answers: [{name: a, "
                              "shape: [1]}], output: a, expect: \"[1]\"}\n");
  const auto files = graded(spec.string(), dir.path() / "empty");
  const std::string told = files.at("exercises").at(0).at("message").get<std::string>();
  BOOST_TEST(contains(told, "in answers.yaml)"), told);
  BOOST_TEST(!contains(told, "notebook"), told);
  // Answers at the top and a folder beside them: the top is graded, no note.
  const fs::path top = dir.path() / "top";
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), top);
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), top / "hw");
  const auto t = graded("specs/understanding-attention.yaml", top);
  BOOST_TEST(t.at("score").get<double>() == t.at("max_score").get<double>());
  BOOST_TEST(!has_note(t, further));
  BOOST_TEST(!has_note(t, unwrapped));
}

BOOST_AUTO_TEST_CASE(a_submission_that_hands_in_nothing_says_what_it_holds) {
  // Found by a TA: a notebook printed as PDF, a zip left packed and an empty folder got no note
  // at all, only the missing answers; a stray notes.txt got one.
  TempDir dir;
  dir.write("pdf/A2S1.pdf", "%PDF-1.4\n");
  dir.write("packed/A2S1.ZIP", "PK\x03\x04");
  dir.write("packed/A2S1.html", "<html></html>");
  fs::create_directories(dir.path() / "empty/.git");
  for (const std::string name : {"a", "b", "c", "d", "e"}) dir.write("printed/" + name + ".pdf", "%PDF-1.4\n");
  dir.write("readme/README.md", "# My hand-in\n");  // found by a TA helper: no note at all
  dir.write("readme/plot.png", "\x89PNG");
  dir.write("zipped/hw2/README.md", "# My hand-in\n");  // its one folder unwrapped (a hostile helper: no note)
  const auto notes = [&](const std::string& student) {
    const auto r = run_grader(
        {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / student).string(), "--format", "json"});
    BOOST_TEST(r.exit_code == 1, r.err);
    return ordered_json::parse(r.out).at("notes");
  };
  BOOST_TEST(notes("pdf") == ordered_json::parse(R"(["nothing in your submission is graded: A2S1.pdf is a document: )"
                                                 R"(the grader runs code and reads numbers, not printouts"])"));
  BOOST_TEST(notes("packed") ==
             ordered_json::parse(R"(["nothing in your submission is graded: A2S1.ZIP is an archive: extract it and )"
                                 R"(hand in its files; A2S1.html is a document: the grader runs code and reads )"
                                 R"(numbers, not printouts"])"));
  BOOST_TEST(notes("empty") == ordered_json::parse(R"(["your submission is empty: no file was handed in"])"));
  BOOST_TEST(notes("readme") == ordered_json::parse(R"j(["nothing in your submission is graded: the grader reads )j"
                                                    R"j(none of its files (README.md, plot.png)"])j"));
  BOOST_TEST(notes("zipped") ==
             ordered_json::parse(R"j(["your submission is one folder, 'hw2': it is graded from there", "nothing in )j"
                                 R"j(your submission is graded: the grader reads none of its files (README.md)"])j"));
  // Three are named, and the rest counted.
  const std::string printed = notes("printed").at(0);
  BOOST_TEST(printed.find("c.pdf is a document: the grader runs code and reads numbers, not printouts; and 2 more") !=
                 std::string::npos,
             printed);
  // A library named otherwise than the spec's (found by a TA helper: solution.so was one of the
  // files not read); where the spec grades no library, one of those.
  dir.write("renamed/solution.so", "\x7f" "ELF");
  const auto renamed =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "renamed").string(), "--format", "json"});
  BOOST_TEST(ordered_json::parse(renamed.out).at("notes") ==
                 ordered_json::parse(R"(["nothing in your submission is graded: solution.so is a library of another )"
                                     R"(name than the assignment's: name it libsolution.so"])"),
             renamed.out);
  BOOST_TEST(notes("renamed") == ordered_json::parse(R"j(["nothing in your submission is graded: the grader reads )j"
                                                     R"j(none of its files (solution.so)"])j"));
}

BOOST_AUTO_TEST_CASE(an_answer_in_the_notebook_and_in_a_file_counts_once_when_they_agree) {
  // Found by a TA helper: a correct notebook beside its answer saved as a file lost the point
  // ("handed in twice"). The same numbers are graded once; others are still told to keep one.
  TempDir dir;
  for (const std::string student : {"same", "other"})
    fs::copy(test_support::source_path("submissions/understanding-attention/colab-py-correct"), dir.path() / student);
  dir.write("same/query131.csv", "0, 0, 0\n");  // the notebook's query131 = torch.zeros(1, 3)
  dir.write("other/query131.csv", "0, 0, 1\n");
  const auto graded = [&](const std::string& student) {
    const auto r = run_grader(
        {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / student).string(), "--format", "json"});
    return ordered_json::parse(r.out);
  };
  const auto same = graded("same");
  BOOST_TEST(same.at("score") == same.at("max_score"), same.dump());
  const auto other = graded("other").at("exercises")[2];
  BOOST_TEST(other.at("verdict") == "unreadable", other.dump());
  BOOST_TEST(other.at("checks")[0].at("message") ==
                 "'query131' is handed in twice, as query131.csv and A2S1.py, which differ; keep only one",
             other.dump());
}

BOOST_AUTO_TEST_CASE(a_stray_file_is_suggested_to_the_one_answer_it_is_most_like) {
  TempDir dir;
  const fs::path folder = dir.path() / "typo";
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), folder);
  fs::rename(folder / "query121.csv", folder / "quer121.csv");
  const auto r = run_grader({"check", "--spec", "specs/understanding-attention.yaml", folder.string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  std::size_t suggested = 0;
  const auto j = ordered_json::parse(r.out);
  for (const auto& e : j.at("exercises"))
    for (const auto& c : e.at("checks"))
      if (contains(c.at("message").get<std::string>(), "is quer121.csv meant to be it?")) {
        ++suggested;
        BOOST_TEST(e.at("id").get<std::string>() == "1.2.1");
      }
  BOOST_TEST(suggested == 1u, r.out);
}

BOOST_AUTO_TEST_CASE(inputs_a_notebook_function_is_passed_as_lists_of_rows_are_shown_as_such) {
  // Found by a student helper: compute_keys([v_1, v_2, v_3], ...) is passed lists of 1-D
  // tensors, and the inputs of its failing case were shown as matrices, as a library's are.
  TempDir dir;
  dir.write("student/hw.py",
            "import torch\n\ndef compute_keys(vs, ws):\n    return torch.stack(vs) @ torch.stack(ws).T + 1\n");
  const auto r = run_grader({"check", "--spec", "specs/attention-basics.yaml", (dir.path() / "student").string(),
                             "--exercise", "2.2", "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto result = ordered_json::parse(r.out);
  const std::string details = result.at("exercises")[0].at("checks")[1].at("details");
  BOOST_TEST(
      std::regex_search(details, std::regex("\nvs \\(passed as a list of [0-9]+ rows?, each a 1-D tensor\\) =\n")),
      details);
  BOOST_TEST(
      std::regex_search(details, std::regex("\nws \\(passed as a list of [0-9]+ rows?, each a 1-D tensor\\) =\n")),
      details);
}

BOOST_AUTO_TEST_CASE(a_wrong_function_is_shown_its_smallest_failing_case_with_the_inputs) {
  // The first failing random case was the second, the one of every upper bound (512 numbers
  // per tensor at batch=4, block=8, d_k=16), while smaller ones also failed. The smallest
  // failing case is shown, with its inputs, so that a student can redo it by hand; NumPy,
  // from the inputs as printed, computes the expected output printed beside them.
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", "submissions/sdpa-masked/no-scale", "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  const auto& check = j.at("exercises")[0].at("checks")[1];
  BOOST_REQUIRE(check.at("name") == "random shapes and values");
  const std::string message = check.at("message"), details = check.at("details");
  BOOST_TEST(contains(message, "the scores are not divided by sqrt(d_k), in random case"), message);
  BOOST_TEST(!contains(message, "(batch=4, block=8, d_k=16)"), message);
  BOOST_TEST(contains(details, "inputs of this case:\nQ =\n"), details);
  TempDir dir;
  const auto shown = dir.write("details.txt", details);
  const std::string script = R"(import ast, re, sys
import numpy as np
text = open(sys.argv[1]).read()
def tensor(after):
    block = re.search(re.escape(after) + r'\n(\[[^a-z]*?\])\n', text).group(1)
    return np.array(ast.literal_eval(block.replace('\n', ' ')))
Q, K, V, expected = tensor('Q ='), tensor('K ='), tensor('V ='), tensor('expected:')
scores = Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1])
weights = np.exp(scores - scores.max(-1, keepdims=True))
weights /= weights.sum(-1, keepdims=True)
print(np.abs(weights @ V - expected).max())
)";
  const auto numpy = test_support::run_process({"/usr/bin/python3", "-c", script, shown.string()});
  BOOST_REQUIRE_MESSAGE(numpy.exit_code == 0, numpy.err);
  BOOST_TEST(std::stod(numpy.out) < 1e-4, numpy.out << " for:\n" << details);
}

BOOST_AUTO_TEST_CASE(a_case_on_which_two_known_mistakes_agree_names_neither_when_another_tells_them_apart) {
  // Small cases are shown first, and on a small case two known mistakes can agree: here keys
  // scaled by d, listed first, and keys transposed are the same wherever d = 1. A hand-in with
  // transposed keys was told they were scaled, on a case of n = k = 2, d = 1 (seed 5 draws
  // one; seed 2, d = 1 and n = k = 4).
  TempDir dir;
  std::string spec = test_support::read_file(test_support::source_path("specs/attention-basics.yaml"));
  const std::string transposed = "    mistakes:\n      - outputs: {keys: \"transpose(compute_keys(vs, ws))\"}\n";
  BOOST_REQUIRE(contains(spec, transposed));
  spec.replace(spec.find(transposed), transposed.size(),
               "    mistakes:\n      - outputs: {keys: \"transpose(compute_keys(vs, ws)) * size(vs, 1)\"}\n"
               "        message: the keys are scaled by d\n"
               "      - outputs: {keys: \"transpose(compute_keys(vs, ws))\"}\n");
  const auto file = dir.write("attention-basics.yaml", spec).string();
  for (const char* seed : {"5", "2"}) {
    const auto r = run_grader(
        {"check", "--spec", file, "submissions/attention-basics/typical-mistakes", "--format", "json", "--seed", seed});
    BOOST_TEST(r.exit_code == 1, r.err);
    const auto j = ordered_json::parse(r.out);
    for (const auto& e : j.at("exercises"))
      if (e.at("id") == "2.2") {
        const auto& check = e.at("checks")[1];
        BOOST_REQUIRE(check.at("name") == "random sizes");
        BOOST_TEST(check.at("mistake") == "the keys are transposed; row i must be the key of embedding i",
                   "seed " << seed << ": " << check.dump());
      }
  }
}

BOOST_AUTO_TEST_CASE(an_answer_taken_at_its_test_line_says_so) {
  // understanding-attention's 1.4.1 without its instruction comment, and wrong: the note on the
  // numbers says where the value was taken, the test line, not a cell the notebook lacks.
  TempDir dir;
  std::string notebook = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"));
  for (const std::string& line :
       {std::string("# with the same unchanged query q from (1.3.2) averages the first three value vectors.\n"),
        std::string("m_key[2] = (key[0] + key[1]) / 2\n")}) {
    BOOST_REQUIRE(contains(notebook, line));
    notebook.replace(notebook.find(line), line.size(), line.starts_with("#") ? "" : "m_key[2] = -key[0]\n");
  }
  dir.write("s/A2S1.py", notebook);
  const auto r = run_grader({"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "s").string()});
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(contains(r.out, "1.4.1         0 / 1  wrong"), r.out);
  BOOST_TEST(contains(r.out,
                      "(in your notebook, m_key[2] as its test line 'check_query(query132, value[(0, 1, 2),]"
                      ".mean(0, keepdims=True), key=m_key)' finds it)"),
             r.out);
  BOOST_TEST(contains(r.out, "1.4.2         1 / 1  passed"), r.out);
}

BOOST_AUTO_TEST_CASE(two_known_mistakes_of_different_outputs_that_both_match_are_both_named) {
  // Found by an instructor helper: one mistake of the weights, another of the output, both
  // matched by a hand-in that ignores the mask, named neither ("either would be a guess"),
  // and the self-test compares no two mistakes of different outputs.
  TempDir dir;
  std::string spec = test_support::read_file(test_support::source_path("specs/sdpa-masked.yaml"));
  const std::string ignored =
      "      - outputs: {output: \"attention(Q, K, V)\", weights: \"attention_weights(Q, K, V)\"}\n"
      "        message: the mask is ignored\n";
  BOOST_REQUIRE(contains(spec, ignored));
  spec.replace(spec.find(ignored), ignored.size(),
               "      - outputs: {weights: \"attention_weights(Q, K, V)\"}\n"
               "        message: the weights ignore the mask.\n"
               "      - outputs: {output: \"attention(Q, K, V)\"}\n"
               "        message: the output ignores the mask\n");
  const auto file = dir.write("sdpa-masked.yaml", spec).string();
  std::string notebook =
      test_support::read_file(test_support::source_path("submissions/sdpa-masked/py-correct-jupyter/homework.py"));
  const std::string masking = "        scores = scores.masked_fill(mask == 0, -torch.inf)\n";
  BOOST_REQUIRE(contains(notebook, masking));
  notebook.replace(notebook.find(masking), masking.size(), "        pass\n");
  dir.write("ignores/homework.py", notebook);
  const auto r = run_grader({"check", "--spec", file, (dir.path() / "ignores").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  std::size_t named = 0;
  for (const auto& e : j.at("exercises"))
    if (e.at("id") == "2")
      for (const auto& check : e.at("checks"))
        if (check.contains("mistake")) {
          ++named;
          BOOST_TEST(check.at("mistake") == "the weights ignore the mask; and another: the output ignores the mask",
                     check.dump());
          BOOST_TEST(contains(check.at("message").get<std::string>(),
                              "the weights ignore the mask; and another: the output ignores the mask"),
                     check.dump());
        }
  BOOST_TEST(named > 0u, r.out);
}

BOOST_AUTO_TEST_CASE(a_known_mistake_that_computes_at_some_sizes_only_is_named_there_and_matches_nothing_elsewhere) {
  // A mistake written as the student's code computes it (keys transposed, added to the keys
  // times 0: square cases only, as `Q @ K` for keys not transposed) loaded, the bounds being
  // square, and then ended the grading of everyone with "while grading: shapes (4, 2) and
  // (2, 4) cannot be combined" at the first random case that was not.
  TempDir dir;
  std::string spec = test_support::read_file(test_support::source_path("specs/attention-basics.yaml"));
  const std::string transposed = "keys: \"transpose(compute_keys(vs, ws))\"";
  BOOST_REQUIRE(contains(spec, transposed));
  spec.replace(spec.find(transposed), transposed.size(),
               "keys: \"transpose(compute_keys(vs, ws)) + 0 * compute_keys(vs, ws)\"");
  const auto file = dir.write("attention-basics.yaml", spec).string();
  fs::copy(test_support::source_path("specs/attention-basics"), dir.path() / "attention-basics",
           fs::copy_options::recursive);  // the reference solution, for `spec check`
  const auto r =
      run_grader({"check", "--spec", file, "submissions/attention-basics/typical-mistakes", "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  std::size_t seen = 0;
  for (const auto& e : j.at("exercises"))
    if (e.at("id") == "2.2") {
      ++seen;
      const auto& check = e.at("checks")[1];
      BOOST_REQUIRE(check.at("name") == "random sizes");
      BOOST_TEST(check.at("mistake") == "the keys are transposed; row i must be the key of embedding i", check.dump());
    }
  BOOST_TEST(seen == 1u);
  const auto checked = run_grader({"spec", "check", file});
  BOOST_TEST(checked.exit_code == 0, checked.out << checked.err);
}

BOOST_AUTO_TEST_CASE(a_known_mistake_that_other_failing_cases_contradict_is_not_named) {
  // A notebook that divides by sqrt of its global D = 4 (not the case's D_q) matches "divided
  // by sqrt(N)" in a random case where N is 4, and only there: it was told so. Dividing by
  // sqrt(N) itself is still named.
  TempDir dir;
  const std::string notebook = "12_1_Self_Attention.ipynb";
  const std::string scaled = "np.sqrt(queries.shape[0])";
  const std::string source =
      test_support::read_file(test_support::source_path("submissions/udl-self-attention/ipynb-correct/" + notebook));
  BOOST_REQUIRE(contains(source, scaled));
  const auto random_check = [&](const std::string& folder, const std::string& divisor) {
    std::string text = source;
    text.replace(text.find(scaled), scaled.size(), divisor);
    dir.write(folder + "/" + notebook, text);
    const auto r = run_grader(
        {"check", "--spec", "specs/udl-self-attention.yaml", (dir.path() / folder).string(), "--format", "json"});
    BOOST_TEST(r.exit_code == 1, r.err);
    const auto j = ordered_json::parse(r.out);
    for (const auto& e : j.at("exercises"))
      if (e.at("id") == "2")
        for (const auto& check : e.at("checks"))
          if (check.at("name") == "random D and N") return check;
    BOOST_FAIL("no check 'random D and N' in exercise 2: " + r.out);
    return ordered_json{};
  };
  const auto global = random_check("global-D", "np.sqrt(D)");
  BOOST_TEST(global.at("verdict") == "wrong", global.dump());
  BOOST_TEST(global.at("mistake").is_null(), global.dump());
  BOOST_TEST(global.at("message").get<std::string>().rfind("random case ", 0) == 0u, global.dump());
  BOOST_TEST(!contains(global.dump(), "sqrt(N)"), global.dump());
  const auto by_n = random_check("by-N", "np.sqrt(queries.shape[1])");
  BOOST_TEST(
      by_n.at("mistake") == "the dot products are divided by sqrt(N), the number of inputs, instead of sqrt(D_q)",
      by_n.dump());
}

BOOST_AUTO_TEST_CASE(a_softmax_that_subtracts_each_rows_maximum_from_columns_is_named) {
  // Found by a student helper: the notebook's softmax_cols made stable with the maximum of each
  // row (axis=1) got numbers only, in both exercises.
  TempDir dir;
  const std::string notebook = "12_1_Self_Attention.ipynb";
  const std::string exp = "np.exp(data_in)";
  std::string text =
      test_support::read_file(test_support::source_path("submissions/udl-self-attention/ipynb-correct/" + notebook));
  BOOST_REQUIRE(contains(text, exp));
  text.replace(text.find(exp), exp.size(), "np.exp(data_in - np.max(data_in, axis=1, keepdims=True))");
  dir.write("student/" + notebook, text);
  const auto r = run_grader(
      {"check", "--spec", "specs/udl-self-attention.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto result = ordered_json::parse(r.out);
  for (const auto& e : result.at("exercises")) {
    BOOST_TEST(e.at("verdict") == "wrong", e.dump());
    BOOST_TEST(contains(e.at("message").get<std::string>(), "the softmax subtracts each row's maximum (axis=1)"),
               e.dump());
  }
  // Or sums the whole matrix (np.sum without an axis).
  std::string whole = test_support::read_file(
      test_support::source_path("submissions/udl-self-attention/ipynb-correct/12_1_Self_Attention.ipynb"));
  const std::string by_columns = "np.sum(exp_values, axis = 0)";
  BOOST_REQUIRE(contains(whole, by_columns));
  whole.replace(whole.find(by_columns), by_columns.size(), "np.sum(exp_values) * np.ones(exp_values.shape[1])");
  dir.write("whole/12_1_Self_Attention.ipynb", whole);
  const auto w = run_grader(
      {"check", "--spec", "specs/udl-self-attention.yaml", (dir.path() / "whole").string(), "--format", "json"});
  const auto whole_result = ordered_json::parse(w.out);
  for (const auto& e : whole_result.at("exercises"))
    BOOST_TEST(contains(e.at("message").get<std::string>(), "the softmax divides by the sum over the whole matrix"),
               e.dump());
}

BOOST_AUTO_TEST_CASE(numpy_2s_mT_is_told_the_graders_numpy_has_none_and_what_to_write) {
  // Found by a student helper: Colab's NumPy 2 `keys.mT` was told "its inputs are float64 numpy
  // arrays, as the exercise passes them", a mix-up there was not.
  TempDir dir;
  const std::string notebook = "12_1_Self_Attention.ipynb";
  std::string text =
      test_support::read_file(test_support::source_path("submissions/udl-self-attention/ipynb-correct/" + notebook));
  const std::string transposed = "keys.T @ queries";
  BOOST_REQUIRE(contains(text, transposed));
  text.replace(text.find(transposed), transposed.size(), "keys.mT @ queries");
  dir.write("student/" + notebook, text);
  const auto r = run_grader(
      {"check", "--spec", "specs/udl-self-attention.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto result = ordered_json::parse(r.out);
  const auto& first = result.at("exercises").at(0);
  BOOST_TEST(first.at("score") == 0, first.dump());
  const std::string message = first.at("message").get<std::string>();
  BOOST_TEST(contains(message, "whose arrays have no .mT, new in NumPy 2: write np.swapaxes(x, -1, -2)"), message);
  BOOST_TEST(!contains(message, "as the exercise passes them"), message);
  BOOST_TEST(result.at("exercises").at(1).at("verdict") == "passed", result.dump());
}

BOOST_AUTO_TEST_CASE(outputs_of_another_shape_that_match_a_known_mistake_name_it) {
  // Found by a student helper: the rows convention throughout (X.T @ omega.T, a softmax over
  // each row) returns X_prime as N x D, and where D != N the student read only the shapes.
  TempDir dir;
  dir.write("student/self_attention.py",
            "import numpy as np\n\n"
            "def softmax_rows(a):\n"
            "    e = np.exp(a - a.max(axis=1, keepdims=True))\n"
            "    return e / e.sum(axis=1, keepdims=True)\n\n"
            "def rows(X, omega_v, omega_q, omega_k, beta_v, beta_q, beta_k, scale):\n"
            "    Q = X.T @ omega_q.T + beta_q.T\n    K = X.T @ omega_k.T + beta_k.T\n"
            "    V = X.T @ omega_v.T + beta_v.T\n"
            "    A = softmax_rows(Q @ K.T / (np.sqrt(Q.shape[1]) if scale else 1))\n"
            "    return A @ V, A\n\n"
            "def self_attention(*args):\n    return rows(*args, False)\n\n"
            "def scaled_dot_product_self_attention(*args):\n    return rows(*args, True)\n");
  const auto r = run_grader(
      {"check", "--spec", "specs/udl-self-attention.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const std::string mistake = "your outputs are the rows convention's, transposed";
  std::size_t shapes = 0;
  const auto j = ordered_json::parse(r.out);
  for (const auto& e : j.at("exercises")) {
    BOOST_TEST(contains(e.at("message").get<std::string>(), mistake), e.dump());
    for (const auto& check : e.at("checks")) {
      if (check.at("name") != "random D and N") continue;
      const std::string message = check.at("message");
      // The smallest case of another shape, told the shapes and then the mistake.
      BOOST_TEST(check.at("verdict") == "wrong_shape", check.dump());
      BOOST_TEST(contains(message, "X_prime has shape"), message);
      BOOST_TEST(contains(message, "; your outputs match a known mistake: " + mistake), message);
      BOOST_TEST(contains(check.at("mistake").get<std::string>(), mistake), check.dump());
      // Once: the cases of the right shape name the same mistake.
      BOOST_TEST(message.find(mistake) == message.rfind(mistake), message);
      ++shapes;
    }
  }
  BOOST_TEST(shapes == 2u);
}

BOOST_AUTO_TEST_CASE(an_answer_a_later_cell_assigns_again_is_told_where_its_value_comes_from) {
  // Found by a helper playing a student: a scratch cell of a Colab download had changed a right
  // query121, and the student read only the wrong value.
  TempDir dir;
  std::string text = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"));
  const std::string heading = "\"\"\"## 1.3. Averaging via Attention\"\"\"\n";
  BOOST_REQUIRE(contains(text, heading));
  text.insert(text.find(heading) + heading.size(), "\n# trying something\nquery121 = 1e5 * key[1].unsqueeze(0)\n");
  dir.write("changed/A2S1.py", text);
  const auto r = run_grader(
      {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "changed").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  const auto& first = j.at("exercises")[0];
  BOOST_TEST(first.at("verdict") == "wrong", first.dump());
  const std::string line =
      std::to_string(1 + std::count(text.begin(), text.begin() + text.find("query121 = 1e5"), '\n'));
  BOOST_TEST(contains(first.at("details").get<std::string>(),
                      "note: your notebook assigns query121 in 2 cells, the last at line " + line +
                          ": the value it holds at the end is the one graded (if that cell only tries "
                          "something out, give its variable another name)\n"),
             first.dump());
  // The message, whatever it says of the value, points there (found by a student helper: a
  // known mistake's advice read alone, the cause in the note after it).
  BOOST_TEST(first.at("message").get<std::string>().ends_with(" (see the note on query121 below)"), first.dump());
  // Assigned again within its own cell (statements of a Colab cell, no markdown between): a
  // cell that assigns it once, wrong all the same, with no note.
  std::string same = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"));
  const std::string assignment = "query121 = S * key[0].unsqueeze(0)\n";
  BOOST_REQUIRE(contains(same, assignment));
  same.insert(same.find(assignment) + assignment.size(), "query121 = -query121\n");
  dir.write("same/A2S1.py", same);
  const auto again = run_grader(
      {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "same").string(), "--format", "json"});
  BOOST_TEST(again.exit_code == 1, again.err);
  const auto k = ordered_json::parse(again.out);
  BOOST_TEST(k.at("exercises")[0].at("verdict") == "wrong", again.out);
  BOOST_TEST(!contains(again.out, "assigns query121"), again.out);
}

BOOST_AUTO_TEST_CASE(an_answer_its_own_colab_cell_assigns_again_is_told_where_its_value_comes_from) {
  // Found by an instructor helper: in a Colab download, a scratch line the student put in a new
  // code cell right after the answer's is part of the answer's cell (no text cell between);
  // the answer scored 0 with nothing said why, where the same .ipynb scored full marks.
  std::string text = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"));
  const std::string answer = "m_key[2] = (key[0] + key[1]) / 2\n";
  BOOST_REQUIRE(contains(text, answer));
  text.insert(text.find(answer) + answer.size(), "\nm_key = torch.zeros(4, 3)  # scratch\n");
  TempDir dir;
  dir.write("scratch/A2S1.py", text);
  const auto r = run_grader(
      {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "scratch").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  const std::string line =
      std::to_string(1 + std::count(text.begin(), text.begin() + text.find("m_key = torch.zeros"), '\n'));
  for (const auto& ex : j.at("exercises"))
    if (ex.at("id") == "1.4.1") {
      BOOST_TEST(ex.at("verdict") == "wrong", ex.dump());
      BOOST_TEST(contains(ex.at("details").get<std::string>(),
                          "note: your notebook assigns m_key 2 times in the cell with 'averages the first three "
                          "value vectors', the last at line " +
                              line +
                              ": the value it holds there is the one graded (in a downloaded Colab notebook, code "
                              "cells with no text cell between them are one cell)\n"),
                 ex.dump());
    } else {
      // The other cell's m_key is its own, and the correct sample's answers say nothing of it.
      BOOST_TEST(!contains(ex.dump(), "assigns m_key"), ex.dump());
    }
  const auto correct = run_grader({"check", "--spec", "specs/understanding-attention.yaml",
                                   "submissions/understanding-attention/colab-py-correct", "--format", "json"});
  BOOST_TEST(!contains(correct.out, "assigns"), correct.out);
}

BOOST_AUTO_TEST_CASE(an_answer_whose_cell_does_not_parse_is_missing_not_what_earlier_cells_left) {
  // Found by a student helper: 1.4.2's cell left as `m_key[2] =` never ran, and m_key[2] as
  // 1.4.1's cell had left it (along query132) passed 1.4.2.
  std::string text = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/ipynb-correct/A2S1.ipynb"));
  const std::string line = "\"m_key[2] = query132[0]\\n\",";
  BOOST_REQUIRE(contains(text, line));
  text.replace(text.find(line), line.size(), "\"m_key[2] =\\n\",");
  TempDir dir;
  dir.write("unfinished/A2S1.ipynb", text);
  const auto r = run_grader({"check", "--spec", "specs/understanding-attention.yaml",
                             (dir.path() / "unfinished").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  for (const auto& ex : j.at("exercises"))
    if (ex.at("id") == "1.4.2") {
      BOOST_TEST(ex.at("verdict") == "missing", ex.dump());
      BOOST_TEST(contains(ex.at("message").get<std::string>(),
                          "A2S1.ipynb: 'm_key[2]' cannot be taken: the cell with 'returns the third value vector "
                          "v[2]' never ran, as Python cannot read it (cell "),
                 ex.dump());
      BOOST_TEST(contains(ex.at("message").get<std::string>(),
                          "SyntaxError: invalid syntax (the line is unfinished or mistyped)): finish that line; the "
                          "answer is m_key[2] as that cell leaves it"),
                 ex.dump());
    } else {
      BOOST_TEST(ex.at("verdict") == "passed", ex.dump());  // 1.4.1's own cell ran
    }
}

BOOST_AUTO_TEST_CASE(a_colab_line_left_unfinished_is_what_later_uses_of_its_name_are_told) {
  // Found by a student helper: after `query131 =` in a Colab download (run as a statement that
  // raises its SyntaxError), each later use was asked "did you mean 'query121'?".
  std::string text = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"));
  const std::string line = "query131 = torch.zeros(1, 3)\n";
  BOOST_REQUIRE(contains(text, line));
  const std::string at = std::to_string(1 + std::count(text.begin(), text.begin() + text.find(line), '\n'));
  text.replace(text.find(line), line.size(), "query131 =\n");
  TempDir dir;
  dir.write("unfinished/A2S1.py", text);
  const auto r =
      run_grader({"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "unfinished").string()});
  BOOST_TEST(r.exit_code == 1, r.err);
  // The failure it quotes is the note above it: said once (see above).
  BOOST_TEST(contains(r.out, "note: your notebook failed at line " + at +
                                 ": SyntaxError: invalid syntax (the line is unfinished or mistyped)\nnote: your "
                                 "notebook failed at line " +
                                 std::to_string(std::stoi(at) + 2) +
                                 ": NameError: name 'query131' is not defined; query131 is defined by line " + at +
                                 ", which failed before (see above)"),
             r.out);
  BOOST_TEST(!contains(r.out, "did you mean 'query121'"), r.out);
}

BOOST_AUTO_TEST_CASE(an_answer_assigned_last_by_code_that_did_not_finish_says_so_beside_its_values) {
  // Found by a student helper: a loop that never ended, after reassigning query131, was said
  // in a note of the notebook only; 1.3.1 got numbers. Here the loop raises instead of hanging.
  std::string text = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"));
  const std::string line = "query131 = torch.zeros(1, 3)\n";
  BOOST_REQUIRE(contains(text, line));
  const std::string at = std::to_string(1 + std::count(text.begin(), text.begin() + text.find(line), '\n'));
  text.replace(text.find(line), line.size(),
               "for i in range(3):\n    query131 = torch.ones(1, 3) * i\n    if i == 1:\n        raise "
               "ValueError('not yet')\n");
  TempDir dir;
  dir.write("stopped/A2S1.py", text);
  const auto r = run_grader(
      {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "stopped").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  for (const auto& ex : j.at("exercises"))
    if (ex.at("id") == "1.3.1") {
      BOOST_TEST(ex.at("verdict") == "wrong", ex.dump());
      BOOST_TEST(contains(ex.at("details").get<std::string>(),
                          "note: the value graded is what query131 held when the last code that changes it "
                          "stopped, at line " +
                              std::to_string(std::stoi(at) + 3) + ": ValueError: not yet\n"),
                 ex.dump());
    } else {
      BOOST_TEST(!contains(ex.dump(), "stopped, at"), ex.dump());
    }
  // An answer taken at the end of its cell, whose line that changes it failed (found by a
  // student helper: told only that the cell changes nothing, and the idea behind it changed).
  std::string failing = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"));
  const std::string key_line = "m_key[2] = query132[0]\n";
  BOOST_REQUIRE(contains(failing, key_line));
  failing.replace(failing.find(key_line), key_line.size(), "m_key[2] = unit(query132[0])\n");
  failing += "\ndef unit(v):\n    return v / v.norm()\n";
  dir.write("later/A2S1.py", failing);
  const auto later = run_grader(
      {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "later").string(), "--format", "json"});
  const auto lj = ordered_json::parse(later.out);
  for (const auto& ex : lj.at("exercises"))
    if (ex.at("id") == "1.4.2")
      BOOST_TEST(contains(ex.at("details").get<std::string>(),
                          "note: the value graded is what m_key held when the last code that changes it stopped, at "
                          "line 92: NameError: name 'unit' is not defined; unit is defined only later"),
                 ex.dump());
}

BOOST_AUTO_TEST_CASE(mistakes_with_scores_masked_by_a_large_negative_are_named_as_with_minus_infinity) {
  // Found by student helpers: masked_fill(mask == 0, -1e9), then a softmax over dim=1, was
  // named only in the 0-point causal check (a masked key's column, -1e9 throughout, comes out
  // uniform where -inf gives NaN); over dim=0 (the batch), or with the mask inverted, it was
  // named nowhere. Each check worth points names each now, with -1e9; with -inf, a case that
  // gives NaN names nothing, and the random cases do.
  struct Mistake {
    std::string masked, dim, message;
  };
  for (const Mistake& m : {Mistake{"mask == 0", "1", "the softmax runs over the queries"},
                           Mistake{"mask == 0", "0", "the softmax runs over the batch"},
                           Mistake{"mask == 1", "-1", "the mask is inverted"}})
    for (const std::string fill : {"-1e9", "-torch.inf"}) {
      BOOST_TEST_CONTEXT(m.message << ", " << fill) {
        TempDir dir;
        dir.write("student/homework.py",
                  "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n"
                  "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n"
                  "    if mask is not None:\n        scores = scores.masked_fill(" +
                      m.masked + ", " + fill + ")\n    w = torch.softmax(scores, dim=" + m.dim +
                      ")\n    return w @ V, w\n");
        const auto r = run_grader(
            {"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
        BOOST_TEST(r.exit_code == 1, r.err);
        const auto result = ordered_json::parse(r.out);
        for (const auto& check : result.at("exercises")[1].at("checks"))
          if (check.at("max_score") > 0 && (fill == "-1e9" || check.at("name") == "random padding masks"))
            BOOST_TEST(contains(check.at("message").get<std::string>(), m.message), check.dump());
      }
    }
}

BOOST_AUTO_TEST_CASE(a_padding_mask_transposed_is_named_among_the_causes_of_rows_of_nan) {
  // Found by a student helper: masked_fill(mask.transpose(-2, -1) == 0, -inf) masks whole rows,
  // each NaN after the softmax; the hint named a query's own key and an overflow only.
  TempDir dir;
  dir.write("student/homework.py",
            "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n"
            "    if mask is not None:\n        scores = scores.masked_fill(mask.transpose(-2, -1) == 0, -torch.inf)\n"
            "    w = torch.softmax(scores, dim=-1)\n    return w @ V, w\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto result = ordered_json::parse(r.out);
  const auto& example = result.at("exercises")[1].at("checks")[0];
  BOOST_TEST(example.at("verdict") == "non_finite", example.dump());
  BOOST_TEST(contains(example.at("details").get<std::string>(),
                      "(a query whose every key is masked: its own too, or a padding mask transposed, (batch, block, "
                      "1), which masks whole rows?)"),
             example.dump());
}

BOOST_AUTO_TEST_CASE(a_notebook_whose_given_data_differs_is_told_where_exercises_reading_it_fail) {
  // understanding-attention lists key and value as given (python: {given: [key, value]}): a
  // student whose first cell rounds key otherwise computed answers for another key.
  const std::string text = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"));
  const std::string rounding = "key.round_(decimals=2)";
  BOOST_REQUIRE(contains(text, rounding));
  TempDir dir;
  std::string other = text;
  other.replace(other.find(rounding), rounding.size(), "key.round_(decimals=1)");
  dir.write("rounded/A2S1.py", other);
  const auto r = run_grader(
      {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "rounded").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  std::vector<std::string> failed;
  for (const auto& ex : j.at("exercises"))
    if (ex.at("verdict") != "passed") failed.push_back(ex.at("id"));
  BOOST_TEST((failed == std::vector<std::string>{"1.3.2", "1.4.1"}), j.dump());
  const std::vector<std::string> notes = j.at("notes");
  BOOST_TEST_REQUIRE(notes.size() == 1u, j.dump());
  BOOST_TEST(notes[0] ==
             "at the end of your notebook, its key is not the given one: it holds 0.4 at [3, 2], the given 0.35, "
             "and differs at 10 of 12 elements; exercises 1.3.2, 1.4.1 judge your answers with the given key: did "
             "a cell change it?");
  // And in each of them, where it is shown on its own (a Gradescope test per exercise).
  for (const auto& ex : j.at("exercises"))
    if (ex.at("verdict") != "passed")
      BOOST_TEST(ex.at("checks")[0].at("details").get<std::string>().starts_with(
                     "note: your notebook's key is not the given one at its end (it holds 0.4 at [3, 2], the given "
                     "0.35, and differs at 10 of 12 elements); this exercise judges your answers with the given key\n"),
                 ex.dump());
  // value is the given one: nothing said of it; and so is everything in the correct sample.
  const auto correct = run_grader({"check", "--spec", "specs/understanding-attention.yaml",
                                   "submissions/understanding-attention/colab-py-correct", "--format", "json"});
  BOOST_TEST(ordered_json::parse(correct.out).at("notes").empty(), correct.out);
  // m_key = key without clone() changes key itself, but every answer is right: no word.
  std::string alias = text;
  const std::string clone = "m_key = key.clone()";
  BOOST_REQUIRE(contains(alias, clone));
  alias.replace(alias.rfind(clone), clone.size(), "m_key = key");
  dir.write("alias/A2S1.py", alias);
  const auto a = run_grader(
      {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "alias").string(), "--format", "json"});
  BOOST_TEST(a.exit_code == 0, a.out + a.err);
  BOOST_TEST(!contains(a.out, "not the given one"), a.out);
}

BOOST_AUTO_TEST_CASE(given_data_read_through_data_computed_from_it_names_the_exercises_that_read_that) {
  // Found by an instructor helper: with `S: Q @ transpose(K) / sqrt(2)` in the spec, a notebook
  // that re-drew Q and K was told only of V, which an exercise reads itself.
  TempDir dir;
  const auto spec = dir.write("spec.yaml", R"YAML(assignment: {id: derived, title: Derived, version: "1"}
python: {given: [Q, K, V]}
data:
  Q: [[1, 0], [0, 1]]
  K: [[1, 2], [3, 4]]
  V: [[1, 1], [2, 2]]
  S: Q @ transpose(K) / sqrt(2)
  W: softmax(S, -1)
exercises:
  - {id: "1", title: Scores, points: 1, answers: [{name: scores, shape: [2, 2]}], output: scores, expect: S}
  - {id: "2", title: Output, points: 1, answers: [{name: out, shape: [2, 2]}], output: out, expect: W @ V}
)YAML");
  dir.write("student/lab.py",
            "import numpy as np\nQ = np.array([[1., 0.], [0., 1.]])\nK = np.array([[1., 2.], [3., 5.]])\n"
            "V = np.array([[1., 1.], [2., 2.]])\nscores = Q @ K.T / np.sqrt(2)\n"
            "w = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)\nout = w @ V\n");
  const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  const std::vector<std::string> notes = j.at("notes");
  BOOST_TEST_REQUIRE(notes.size() == 1u, j.dump());
  BOOST_TEST(contains(notes[0], "its K is not the given one: it holds 5 at [1, 1], the given 4"), notes[0]);
  BOOST_TEST(contains(notes[0], "; exercises 1, 2 judge your answers with the given K"), notes[0]);
}

BOOST_AUTO_TEST_CASE(float64_results_of_float32_accuracy_say_where_the_precision_went) {
  // A NumPy notebook whose scores pass through float32 returns float64 arrays accurate to 1e-7:
  // held to the float64 rule, as it should be, it was told only that it is outside tolerance.
  TempDir dir;
  const std::string notebook = "12_1_Self_Attention.ipynb";
  std::string text =
      test_support::read_file(test_support::source_path("submissions/udl-self-attention/ipynb-correct/" + notebook));
  const std::string scores = "keys.T @ queries / np.sqrt(queries.shape[0])";
  BOOST_REQUIRE(contains(text, scores));
  text.replace(text.find(scores), scores.size(),
               "(keys.T.astype(np.float32) @ queries.astype(np.float32)).astype(np.float64) / "
               "np.sqrt(queries.shape[0])");
  dir.write("student/" + notebook, text);
  const auto r = run_grader(
      {"check", "--spec", "specs/udl-self-attention.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  const auto& exercise = j.at("exercises")[1];
  BOOST_TEST(exercise.at("verdict") == "wrong", exercise.dump());
  const std::string details = exercise.at("details");
  BOOST_TEST(contains(details, "agree with the expected ones to float32 precision"), details);
  BOOST_TEST(contains(details, "expects float64 throughout"), details);
  // The float64 rule still decides: the hint explains, it does not pass.
  BOOST_TEST(contains(details, "|got - expected| <= 1e-09 + 1e-09 * |expected|"), details);
}

/// Exercise 1 of sdpa-masked (or of `spec`), graded as JSON, for a right homework.py but for
/// what it returns (of its weights `w` and values `V`).
ordered_json sdpa_exercise_returning(const std::string& returned, const std::string& spec = "specs/sdpa-masked.yaml") {
  TempDir dir;
  dir.write("student/homework.py",
            "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n"
            "    if mask is not None:\n        scores = scores.masked_fill(mask == 0, -torch.inf)\n"
            "    w = torch.softmax(scores, dim=-1)\n    return " +
                returned + "\n");
  const auto r = run_grader({"check", "--spec", spec, (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  return ordered_json::parse(r.out).at("exercises")[0];
}

BOOST_AUTO_TEST_CASE(a_float_mask_given_to_torchs_attention_is_named_as_added_to_the_scores) {
  // Found by a student helper: the homework's float mask of 1s and 0s passed as attn_mask to
  // F.scaled_dot_product_attention, which adds a float mask to the scores, got numbers only.
  TempDir dir;
  dir.write("student/homework.py",
            "import math\nimport torch\nimport torch.nn.functional as F\n\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n"
            "    if mask is not None:\n        scores = scores + mask\n"
            "    return F.scaled_dot_product_attention(Q, K, V, attn_mask=mask), torch.softmax(scores, dim=-1)\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
  const auto result = ordered_json::parse(r.out);
  BOOST_TEST(result.at("exercises")[0].at("verdict") == "passed", r.out);
  const auto masked = result.at("exercises")[1];
  BOOST_TEST(masked.at("verdict") == "wrong", masked.dump());
  BOOST_TEST(contains(masked.at("message").get<std::string>(),
                      "the mask is added to the scores, as torch's F.scaled_dot_product_attention does with a float "
                      "attn_mask"),
             masked.dump());
  // The output alone from torch's function, the weights masked rightly beside it.
  dir.write("output/homework.py",
            "import math\nimport torch\nimport torch.nn.functional as F\n\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n"
            "    if mask is not None:\n        scores = scores.masked_fill(mask == 0, -torch.inf)\n"
            "    return F.scaled_dot_product_attention(Q, K, V, attn_mask=mask), torch.softmax(scores, dim=-1)\n");
  const auto o =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "output").string(), "--format", "json"});
  const auto output = ordered_json::parse(o.out).at("exercises")[1];
  BOOST_TEST(contains(output.at("message").get<std::string>(), "the mask is added to the scores"), output.dump());
}

BOOST_AUTO_TEST_CASE(points_written_as_decimals_add_up_to_decimals) {
  // Found by a TA helper: 0.1 + 0.7 points were 0.7999999999999999 in result.json and in
  // Gradescope's results, where the gradebook said 0.8.
  TempDir dir;
  const auto spec = dir.write("spec.yaml",
                              "assignment: {id: tenths, title: Tenths, version: \"1\"}\n"
                              "data:\n  W: [[1, 2]]\n"
                              "exercises:\n"
                              "  - {id: \"1\", title: A, points: 0.1, answers: [{name: a, shape: [1, 2]}], output: a, "
                              "expect: W}\n"
                              "  - {id: \"2\", title: B, points: 0.7, answers: [{name: b, shape: [1, 2]}], output: b, "
                              "expect: W}\n");
  dir.write("student/answers.yaml", "a: [[1, 2]]\nb: [[1, 2]]\n");
  for (const std::string format : {"json", "gradescope"}) {
    const auto r =
        run_grader({"check", "--spec", spec.string(), (dir.path() / "student").string(), "--format", format});
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(ordered_json::parse(r.out).at("score").get<double>() == 0.8, r.out);
    BOOST_TEST(!contains(r.out, "0.7999"), r.out);
  }
}

BOOST_AUTO_TEST_CASE(values_typed_in_from_a_printout_are_told_they_are_rounded) {
  // Found by an instructor helper: values pasted from a printout were told only "got 4.5492,
  // expected 4.54915".
  TempDir dir;
  const auto spec = dir.write("spec.yaml",
                              "assignment: {id: typed, title: Typed, version: \"1\"}\n"
                              "data:\n  W: [[4.549153, -0.19803812], [1.0407884, 2.5]]\n"
                              "exercises:\n"
                              "  - {id: \"1\", title: W, points: 1, answers: [{name: a, shape: [2, 2]}], output: a, "
                              "expect: W}\n");
  const auto grade = [&](const std::string& answers) {
    dir.write("student/answers.yaml", "a: " + answers + "\n");
    const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "student").string()});
    BOOST_TEST(r.exit_code == 1, r.out + r.err);
    return r.out;
  };
  const std::string typed = grade("[[4.5492, -0.198], [1.0408, 2.5]]");
  BOOST_TEST(contains(typed,
                      "every value is the expected one rounded to 4 decimals, and written with at most 4: "
                      "rounded in your code (.round(4), np.round, round()), or typed in from a printout? Keep every "
                      "digit you compute"),
             typed);
  // Wrong values that are no rounding of the right ones, and zeros: no such hint.
  BOOST_TEST(!contains(grade("[[4.5493, -0.198], [1.0408, 2.5]]"), "decimals"));
  BOOST_TEST(!contains(grade("[[4.54915312, -0.19803812], [1.04078841, 2.4]]"), "decimals"));
  BOOST_TEST(!contains(grade("[[0, 0], [0, 0]]"), "decimals"));
  // Tiny values where zeros are expected are no rounding either (found by a student helper:
  // weights of 3.8e-44 where a mask of -100 leaves them were asked about a printout).
  dir.write("spec.yaml",
            "assignment: {id: typed, title: Typed, version: \"1\"}\n"
            "data:\n  Z: [[0, 0], [0, 0]]\n"
            "exercises:\n"
            "  - {id: \"1\", title: Z, points: 1, answers: [{name: a, shape: [2, 2]}], output: a, "
            "expect: Z, tolerance: {atol: 0, rtol: 0}}\n");
  const std::string tiny = grade("[[0, 3.78351e-44], [0, 1.2e-30]]");
  BOOST_TEST(contains(tiny, "got 3.78351e-44"), tiny);
  BOOST_TEST(!contains(tiny, "decimal"), tiny);
  BOOST_TEST(contains(tiny,
                      "where exactly 0 is expected your values are tiny but not 0 (such as 3.78351e-44): a "
                      "masked weight is exactly 0 only when its score is -inf"),
             tiny);
  // A function returning its outputs rounded, as printed: the same.
  const auto exercise = sdpa_exercise_returning("torch.round(w @ V, decimals=4), torch.round(w, decimals=4)");
  BOOST_TEST(contains(exercise.dump(), "rounded to 4 decimals"), exercise.dump());
}

/// The check named `name` of an exercise's JSON result.
ordered_json check_of(const ordered_json& exercise, const std::string& name) {
  for (const auto& c : exercise.at("checks"))
    if (c.at("name") == name) return c;
  BOOST_FAIL("no check " + name + " in " + exercise.dump());
  return ordered_json();
}

BOOST_AUTO_TEST_CASE(outputs_all_zeros_earn_no_points_of_a_property_they_have_trivially) {
  // Found by two student helpers: a function returning zeros scored 2 of 8, from the properties
  // `output = weights @ V` and "masked weights are zero", which zeros have whatever the function
  // computes.
  const auto zeros = sdpa_exercise_returning("torch.zeros_like(w @ V), torch.zeros_like(w)");
  BOOST_TEST(zeros.at("score") == 0.0, zeros.dump());
  const auto product = check_of(zeros, "output equals weights times values");
  BOOST_TEST(product.at("verdict") == "wrong", product.dump());
  BOOST_TEST(contains(product.at("message").get<std::string>(),
                      "the outputs it reads are all zeros (or next to nothing), and the right ones are not: zeros "
                      "have this property whatever the function computes, so it earns nothing here"),
             product.dump());
  // Next to nothing, at the exercise's tolerance, is no better (found by a helper: a constant
  // 9e-6 output beside zero weights has `output = weights @ V` within float32's 1e-5).
  const auto tiny = sdpa_exercise_returning("torch.full_like(w @ V, 9e-6), torch.zeros_like(w)");
  BOOST_TEST(tiny.at("score") == 0.0, tiny.dump());
}

BOOST_AUTO_TEST_CASE(outputs_of_a_known_mistake_without_property_points_earn_none) {
  // Found by a hostile-student helper: uniform weights, which sum to 1 and give output =
  // weights @ V whatever Q and K are, scored 3 of 8 on sdpa-masked with no attention at all.
  // The bundled spec declares them a known mistake with `property_points: false`.
  const std::string uniform_weights = "(lambda u: (u @ V, u))(torch.full_like(w, 1.0) / w.size(-1))";
  const auto uniform = sdpa_exercise_returning(uniform_weights);
  BOOST_TEST(uniform.at("score") == 0.0, uniform.dump());
  for (const std::string name : {"output equals weights times values", "rows of weights sum to 1"}) {
    const auto check = check_of(uniform, name);
    BOOST_TEST(check.at("verdict") == "wrong", check.dump());
    BOOST_TEST(contains(check.at("message").get<std::string>(),
                        "your outputs match a known mistake: every key gets the same weight (1/block): the scores "
                        "Q K^T are never used; outputs like these have this property without computing what it "
                        "checks, so it earns nothing here"),
               check.dump());
  }
  // The checks against the reference name it as any mistake.
  BOOST_TEST(contains(check_of(uniform, "random shapes and values").at("message").get<std::string>(),
                      "every key gets the same weight (1/block)"),
             uniform.dump());
  // So do weights all on the first key, or each query's on its own position (found by a
  // numerical-audit helper: 3 and 2 of 8).
  for (const std::string weights :
       {"torch.nn.functional.one_hot(torch.zeros_like(w[..., 0]).long(), w.size(-1)).to(w.dtype)",
        "torch.eye(w.size(-1)).expand_as(w)"}) {
    const auto none = sdpa_exercise_returning("(lambda u: (u @ V, u))(" + weights + ")");
    BOOST_TEST(none.at("score") == 0.0, none.dump());
    BOOST_TEST(contains(check_of(none, "rows of weights sum to 1").at("message").get<std::string>(),
                        "the scores Q K^T are never used; outputs like these have this property"),
               none.dump());
  }
  // The bundled spec without `property_points_need` (which fails these outputs as well: they
  // never use Q), for what the known mistakes do alone.
  TempDir dir;
  fs::copy(test_support::source_path("specs/sdpa-masked"), dir.path() / "sdpa-masked", fs::copy_options::recursive);
  std::string spec = test_support::read_file(test_support::source_path("specs/sdpa-masked.yaml"));
  for (std::size_t at; (at = spec.find("    property_points_need:")) != std::string::npos;)
    spec.erase(at, spec.find('\n', at) + 1 - at);
  const std::string without_needs = dir.write("sdpa-masked.yaml", spec).string();
  // Where another case contradicts the mistake, its outputs in one case were a coincidence, and
  // the property holds there: attention for up to 4 keys (the check's cases of 2 to 4 keys; 18
  // drawn from 1 to 8), identity weights for more (the second case has 8).
  const auto mostly = sdpa_exercise_returning(
      "(lambda u: (u @ V, u))(torch.eye(w.size(-1)).expand_as(w) if "
      "w.size(-1) > 4 else w)",
      without_needs);
  BOOST_TEST(check_of(mostly, "rows of weights sum to 1").at("verdict") == "passed", mostly.dump());
  BOOST_TEST(check_of(mostly, "output equals weights times values").at("verdict") == "passed", mostly.dump());
  BOOST_TEST(check_of(mostly, "random shapes and values").at("verdict") == "wrong", mostly.dump());
  // It is the spec's declaration that does it: without `property_points: false` the same
  // mistake is named, and the properties, which hold, earn their points.
  for (std::size_t at; (at = spec.find("        property_points: false\n")) != std::string::npos;)
    spec.erase(at, std::string("        property_points: false\n").size());
  const auto credited = sdpa_exercise_returning(uniform_weights, dir.write("sdpa-masked.yaml", spec).string());
  BOOST_TEST(check_of(credited, "output equals weights times values").at("verdict") == "passed", credited.dump());
  BOOST_TEST(check_of(credited, "rows of weights sum to 1").at("verdict") == "passed", credited.dump());
}

BOOST_AUTO_TEST_CASE(outputs_that_never_use_an_input_the_properties_need_earn_no_property_points) {
  // Found by a hostile-student helper: weights from V V^T or K K^T, or all on the last key,
  // never use the scores Q K^T, have every property, and scored 3 of 8 on sdpa-masked. The
  // bundled spec's `property_points_need: [Q, K]` calls a case of each random property check
  // again, with the same inputs, then with Q, then K, drawn anew: outputs that stay the same
  // earn nothing. The case is drawn from the seed (the temporary folder's name).
  const auto ignoring = [](const std::string& input) {
    return "): with " + input +
           " drawn anew (the other inputs as they were), your outputs stay the same, where the right ones change: "
           "does your function use " +
           input +
           "? (a slip, such as another input in its place, or a step whose result no longer depends on it); outputs "
           "that ignore it have this property without computing what it checks, so it earns nothing here";
  };
  const std::vector<std::pair<std::string, std::string>> weights = {
      {"torch.softmax(V @ V.transpose(-2, -1), dim=-1)", "Q"},
      {"torch.softmax(K @ K.transpose(-2, -1), dim=-1)", "Q"},
      {"torch.nn.functional.one_hot(torch.full_like(w[..., 0], w.size(-1) - 1).long(), w.size(-1)).to(w.dtype)", "Q"},
      {"torch.softmax(Q @ Q.transpose(-2, -1), dim=-1)", "K"},
  };
  for (const auto& [w, input] : weights) {
    const auto exercise = sdpa_exercise_returning("(lambda u: (u @ V, u))(" + w + ")");
    BOOST_TEST(exercise.at("score") == 0.0, exercise.dump());
    for (const std::string name : {"output equals weights times values", "rows of weights sum to 1"}) {
      const auto check = check_of(exercise, name);
      BOOST_TEST(check.at("verdict") == "wrong", check.dump());
      const std::string message = check.at("message");
      BOOST_TEST((message.starts_with("random case ") && message.ends_with(ignoring(input))), check.dump());
    }
  }
  // Outputs that follow something besides the inputs are no evidence of following them (found
  // by the next hostile-student helper: weights from a count of calls, or the clock, changed
  // with Q and K drawn anew, and kept every property's points): the same inputs again must give
  // the same outputs.
  const auto counted = sdpa_exercise_returning(
      "(lambda u: (u @ V, u))(torch.softmax(0 * scores + torch.eye(w.size(-1))[0] * "
      "((globals().setdefault('calls', []).append(1) or len(globals()['calls'])) % 5), dim=-1))");
  BOOST_TEST(counted.at("score") == 0.0, counted.dump());
  for (const std::string name : {"output equals weights times values", "rows of weights sum to 1"})
    BOOST_TEST(contains(check_of(counted, name).at("message").get<std::string>(),
                        "called again with the same inputs, your function returned other outputs: outputs that follow "
                        "something besides the inputs (a count of calls, the clock, randomness not from torch, numpy "
                        "or random) earn no property's points"),
               counted.dump());
  // Nor are NaN or Inf where an input is drawn anew (found by the same helper: weights all on
  // the last key, NaN when V is the last call's and Q is not, kept every property's points).
  const auto noticing = sdpa_exercise_returning(
      "(lambda u: (u @ V, u))((lambda u, seen: (globals().__setitem__('seen', (V, Q)), u * float('nan') if seen is "
      "not None and torch.equal(seen[0], V) and not torch.equal(seen[1], Q) else u)[1])("
      "torch.nn.functional.one_hot(torch.full_like(w[..., 0], w.size(-1) - 1).long(), w.size(-1)).to(w.dtype), "
      "globals().get('seen')))");
  BOOST_TEST(noticing.at("score") == 0.0, noticing.dump());
  for (const std::string name : {"output equals weights times values", "rows of weights sum to 1"})
    BOOST_TEST(contains(check_of(noticing, name).at("message").get<std::string>(),
                        ": with Q drawn anew (the other inputs as they were), your outputs hold NaN or Inf, where the "
                        "right ones are finite: they do not show that they follow Q, so this property earns nothing "
                        "here"),
               noticing.dump());
  // Scores negated use both: an attempt at attention keeps the points of its properties.
  const auto negated = sdpa_exercise_returning("(lambda u: (u @ V, u))(torch.softmax(-scores, dim=-1))");
  BOOST_TEST(check_of(negated, "rows of weights sum to 1").at("verdict") == "passed", negated.dump());
  BOOST_TEST(check_of(negated, "output equals weights times values").at("verdict") == "passed", negated.dump());
  BOOST_TEST(check_of(negated, "random shapes and values").at("verdict") == "wrong", negated.dump());
}

/// masked_scores(Q, K, mask): the scores, -inf where the mask is 0, with `mistakes` (a spec's
/// `mistakes:` block, or "") before its tolerance; found by helpers, see the two tests below.
std::string masked_scores_spec(const std::string& mistakes) {
  return std::string(R"y(assignment:
  id: ms-test
  title: masked scores
  version: "1.0"
library:
  file: libsolution.so
  call_seconds: 1
exercises:
  - id: "1"
    title: Masked scores
    points: 2
    description: masked_scores(Q, K, mask) -> scores, -inf where mask is 0
    function:
      symbol: masked_scores
      inputs:
        - {name: Q, shape: [batch, block, d_k]}
        - {name: K, shape: [batch, block, d_k]}
        - {name: mask, shape: [batch, mask_rows, block]}
      outputs:
        - {name: scores, shape: [batch, block, block], expect: "where(mask, Q @ transpose(K), -inf)"}
      python: {tensors: torch, dtype: float32}
)y") + mistakes +
         R"y(    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-5, rtol: 1.0e-5}}
    checks:
      - name: random
        points: 1
        random:
          trials: 10
          dims: {batch: [1, 3], block: [2, 5], d_k: [1, 4], mask_rows: [1, 1]}
          values: {mask: padding_mask}
      - name: masked scores have zero exp
        points: 1
        random:
          trials: 10
          dims: {batch: [1, 3], block: [2, 5], d_k: [1, 4], mask_rows: [1, 1]}
          values: {mask: padding_mask}
        property: {got: "exp(scores) * (1 - mask)", expect: "0 * exp(scores) * (1 - mask)"}
)y";
}

BOOST_AUTO_TEST_CASE(right_outputs_holding_the_targets_inf_are_never_taken_for_nothing) {
  // Found by a helper: masked scores, -inf where the mask is 0, made the largest magnitude of
  // the right outputs infinite, and a right student's property case was refused as zeros.
  TempDir dir;
  const auto spec = dir.write("ms.yaml", masked_scores_spec(""));
  dir.write("student/homework.py",
            "import torch\ndef masked_scores(Q, K, mask):\n    s = Q @ K.transpose(-2, -1)\n"
            "    return s.masked_fill(mask == 0, float('-inf'))\n");
  const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "student").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "score: 2 / 2"), r.out);
}

BOOST_AUTO_TEST_CASE(a_known_mistake_holding_the_targets_inf_is_named) {
  // Found by a helper: a known mistake of masked scores holds the -inf the right ones hold, and
  // named nothing (any Inf in a function's mistake did). Same spec, with one mistake.
  TempDir dir;
  const auto spec = dir.write("ms.yaml", masked_scores_spec(R"y(    mistakes:
      - outputs: {scores: "where(mask, Q @ transpose(K) / sqrt(size(Q, 2)), -inf)"}
        message: the scores are divided by sqrt(d_k), which this exercise does not ask
)y"));
  dir.write(
      "student/homework.py",
      "import math, torch\ndef masked_scores(Q, K, mask):\n    s = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n"
      "    return s.masked_fill(mask == 0, float('-inf'))\n");
  const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "student").string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "the scores are divided by sqrt(d_k), which this exercise does not ask"), r.out);
  // spec check: the mistake fails, and is named, in both precisions.
  const auto checked = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(checked.exit_code == 0, checked.out << checked.err);
}

BOOST_AUTO_TEST_CASE(outputs_of_one_shape_whatever_the_inputs_ask_whether_the_parameters_are_used) {
  // Found by a student helper: a function computing with the notebook's own Q, K and V was told
  // only "output has shape (2, 3, 4) but (1, 1, 1) is expected", in every random case.
  const auto random_message = [](const std::string& returned) {
    const auto exercise = sdpa_exercise_returning(returned);
    for (const auto& c : exercise.at("checks"))
      if (c.at("name") == "random shapes and values") return c.at("message").get<std::string>();
    return exercise.dump();
  };
  const std::string varying = random_message("torch.randn(2, 3, 4) + V[0, 0, 0], torch.ones(2, 3, 3) / 3");
  BOOST_TEST(contains(varying,
                      "(the same shape in every case, whatever the inputs' sizes: does the function compute "
                      "with variables of the notebook instead of its parameters?)"),
             varying);
  // The same values as well: numbers of its own (found by an instructor helper, whose student
  // returned the printed example).
  const std::string fixed = random_message("torch.ones(2, 3, 4), torch.ones(2, 3, 3) / 3");
  BOOST_TEST(contains(fixed,
                      "(the same values in every case, whatever the inputs: does the function return numbers of "
                      "its own, typed in or variables of the notebook, instead of computing with its parameters?)"),
             fixed);
}

BOOST_AUTO_TEST_CASE(an_output_of_transposed_shape_is_asked_whether_it_is_transposed) {
  // Found by an instructor helper: a function's transposed output was told only the two
  // shapes, where an answer file of transposed shape is asked "is it transposed?".
  const auto exercise = sdpa_exercise_returning("(w @ V).transpose(-2, -1), w");
  const std::string example = exercise.at("message");
  BOOST_TEST(
      example == "the notebook's example: output has shape (2, 4, 3) but (2, 3, 4) is expected: is it transposed?",
      exercise.dump());
}

BOOST_AUTO_TEST_CASE(a_row_of_nan_where_the_reference_is_finite_is_told_what_gives_it) {
  // Found by a helper writing a course: a causal mask that hid the diagonal too left query 0
  // no key, and torch's softmax made its row NaN; the student was told only "10 of them NaN or
  // Inf". Here every query 0's scores are -inf.
  const auto exercise = sdpa_exercise_returning(
      "(lambda w: (w @ V, w))(torch.softmax(scores.index_fill(-2, torch.tensor([0]), -torch.inf), dim=-1))");
  BOOST_TEST(exercise.at("verdict") == "non_finite", exercise.dump());
  // Exercise 1 has no mask: the hint does not ask about masked keys (found by an instructor
  // helper); exercise 2's does (the golden case py-softmax-no-dim).
  BOOST_TEST(contains(exercise.dump(),
                      "hint: your row [0, 0, :] is NaN throughout where the expected one is finite: a softmax "
                      "gives that where its exp overflows (scores above about 709, or 88 in float32: subtract each "
                      "row's maximum before exp), or where a row's scores are all -inf"),
             exercise.dump());
}

BOOST_AUTO_TEST_CASE(a_result_nan_throughout_is_told_that_zero_times_inf_gives_one) {
  // Found by a hostile-student helper: a mask applied as `scores + (1 - mask) * -inf` (NaN where
  // the mask is 1) was told only that every value is NaN. Here a mask of ones, applied so.
  const auto exercise = sdpa_exercise_returning(
      "(lambda w: (w @ V, w))(torch.softmax(scores + (1 - torch.ones_like(scores)) * -torch.inf, dim=-1))");
  BOOST_TEST(exercise.at("verdict") == "non_finite", exercise.dump());
  // Exercise 1 has no mask: masks are not named (unit tests: test_compare.cpp).
  BOOST_TEST(contains(exercise.dump(),
                      "hint: your result is NaN throughout where the expected one is finite: one NaN on the way "
                      "spreads to every value after it, and 0 * inf is NaN, as are inf - inf and 0 / 0 (an exp that "
                      "overflows gives inf: subtract each row's maximum before exp)"),
             exercise.dump());
}

BOOST_AUTO_TEST_CASE(float32_results_of_an_exercise_without_a_float32_rule_are_told_so) {
  // Found by a helper writing a course: a NumPy student's np.float32 arrays, in an exercise of
  // float64 arrays whose tolerance has no float32 rule, were told only "got 7.87342, expected
  // 7.873421".
  TempDir dir;
  const auto spec = dir.write("twice.yaml", R"YAML(assignment: {id: twice, title: Twice, version: "1"}
exercises:
  - id: "1"
    title: Twice
    points: 1
    function:
      symbol: twice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "2 * x"}]
      python: {tensors: numpy, dtype: float64}
    tolerance: {atol: 1.0e-9, rtol: 1.0e-9}
    checks:
      - {name: random, points: 1, random: {trials: 5, dims: {n: [3, 4]}}}
)YAML");
  dir.write("float32/twice.py", "import numpy as np\n\ndef twice(x):\n    return (2 * x).astype(np.float32)\n");
  dir.write("off/twice.py", "import numpy as np\n\ndef twice(x):\n    return (2.01 * x).astype(np.float32)\n");
  const auto graded = [&](const std::string& student) {
    const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / student).string(), "--format", "json"});
    BOOST_TEST(r.exit_code == 1, r.err);
    return ordered_json::parse(r.out).at("exercises")[0].at("checks")[0].dump();
  };
  BOOST_TEST(contains(graded("float32"),
                      "your values are float32 numbers (np.float32, torch's default dtype) and agree with the expected "
                      "ones to float32 precision"),
             graded("float32"));
  // Values wrong beyond float32's precision are not told that.
  BOOST_TEST(!contains(graded("off"), "float32 numbers"), graded("off"));
  // A matrix exercise's answer too (found by an instructor helper: "got -0.7699867, expected
  // -0.7699868", nothing more).
  const auto matrix = dir.write("third.yaml", R"YAML(assignment: {id: third, title: Third, version: "1"}
exercises:
  - {id: "1", title: Third, points: 1, answers: [{name: t, shape: [1, 2]}], output: t, expect: "[[1, 2]] / 3",
     tolerance: {atol: 1.0e-9, rtol: 1.0e-9}}
)YAML");
  dir.write("third/lab.py", "import numpy as np\nt = np.array([[1, 2]], dtype=np.float32) / np.float32(3)\n");
  const auto r = run_grader({"check", "--spec", matrix.string(), (dir.path() / "third").string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "hint: your values are float32 numbers (np.float32, torch's default dtype) and agree"),
             r.out);
}

BOOST_AUTO_TEST_CASE(a_step_right_over_a_wrong_earlier_answer_is_told_so_not_blamed) {
  // Found by a student helper: 2.1's keys transposed, then 3.2's queries[0] @ keys.t() written
  // rightly, was told "you multiplied by keys instead of keys.t()" (the same numbers), and 3.3
  // numbers only. The notebook's v, W_q, W_v by hand; softmax([4, 7, 3]) by NumPy.
  TempDir dir;
  dir.write("student/keys.csv", "0,4,2\n1,4,3\n1,0,1\n");  // the right keys, transposed
  dir.write("student/queries.csv", "1,0,2\n2,2,2\n2,1,3\n");
  dir.write("student/values.csv", "1,2,3\n2,8,0\n2,6,3\n");
  dir.write("student/attention_score.csv", "4,7,3\n");
  dir.write("student/attention_weights.csv", "0.04661262257797389,0.9362395518765056,0.01714782554552039\n");
  const auto r = run_grader(
      {"check", "--spec", "specs/attention-basics.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto result = ordered_json::parse(r.out);
  std::map<std::string, std::string> message;
  for (const auto& ex : result.at("exercises")) message[ex.at("id")] = ex.at("message");
  BOOST_TEST(message["2.1"] ==
             "your keys are transposed; stack the weight vectors as columns: torch.stack(ws, dim=1), or in NumPy "
             "np.stack(ws, axis=1)");
  BOOST_TEST(message["3.1"] == "");
  BOOST_TEST(message["3.2"] ==
             "this line is right, but the keys it multiplies are exercise 2.1's, which are wrong: fix exercise 2.1 "
             "and this one follows");
  BOOST_TEST(message["3.3"] ==
             "this line is right, but the attention_score it takes is exercise 3.2's, which is wrong: fix exercise "
             "3.2 and this one follows");
  // Right keys, and 3.2 without the transpose: the mistake of 3.2's own line.
  dir.write("student/keys.csv", "0,1,1\n4,4,0\n2,3,1\n");
  const auto own = run_grader(
      {"check", "--spec", "specs/attention-basics.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(ordered_json::parse(own.out).at("exercises")[4].at("message") ==
             "you multiplied by keys instead of keys.t()");
}

BOOST_AUTO_TEST_CASE(a_fixed_check_takes_the_contradictions_of_the_random_checks_and_a_random_check_its_own) {
  // Found by a numerical-audit helper: a mask taken from batch 0 only was told "the mask is
  // ignored" by the notebook's example (whose batch 0 masks nothing), though the random masks
  // showed it masked. A mask really ignored is still told so.
  TempDir dir;
  const std::string head =
      "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n"
      "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n";
  const std::string tail = "    w = torch.softmax(scores, dim=-1)\n    return w @ V, w\n";
  dir.write(
      "batch0/homework.py",
      head + "    if mask is not None:\n        scores = scores.masked_fill(mask[0:1] == 0, float('-inf'))\n" + tail);
  dir.write("ignored/homework.py", head + tail);
  const auto exercise2 = [&](const std::string& student) {
    const auto r =
        run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / student).string(), "--format", "json"});
    BOOST_TEST(r.exit_code == 1, r.err);
    return ordered_json::parse(r.out).at("exercises")[1];
  };
  const auto batch0 = exercise2("batch0");
  BOOST_TEST(batch0.at("verdict") == "wrong", batch0.dump());
  BOOST_TEST(!contains(batch0.dump(), "the mask is ignored"), batch0.dump());
  BOOST_TEST(contains(batch0.at("message").get<std::string>(), "the notebook's example: output:"), batch0.dump());
  const auto ignored = exercise2("ignored");
  BOOST_TEST(ignored.at("message") == "the notebook's example: the mask is ignored", ignored.dump());
  BOOST_TEST(
      ignored.at("checks")[1].at("message").get<std::string>().starts_with("the mask is ignored, in random case"),
      ignored.dump());
  // Found by a reviewing helper: an unscaled attention whose mask code fits (batch, 1, block)
  // masks only fails the 0-point causal check otherwise; those cases do not unname "not
  // scaled" in the checks of the notebook's masks.
  dir.write("unscaled/homework.py",
            "import torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    scores = Q @ K.transpose(-2, -1)\n    if mask is not None:\n"
            "        scores = scores.masked_fill(mask[:, 0, :].unsqueeze(1) == 0, -torch.inf)\n" +
                tail);
  const auto unscaled = exercise2("unscaled");
  BOOST_TEST(unscaled.at("message") == "the notebook's example: the scores are not divided by sqrt(d_k)",
             unscaled.dump());
  BOOST_TEST(unscaled.at("checks")[1].at("message").get<std::string>().starts_with(
                 "the scores are not divided by sqrt(d_k), in random case"),
             unscaled.dump());
}

BOOST_AUTO_TEST_CASE(a_checks_own_atol_keeps_the_exercises_rtol_for_each_precision) {
  // Found by a numerical-audit helper: a check's {atol: 6.0e-5} gave float32 results the
  // exercise's float64 rtol (1e-9) instead of its float32 one.
  TempDir dir;
  const auto spec = dir.write("twice.yaml", R"YAML(assignment: {id: twice, title: Twice, version: "1"}
exercises:
  - id: "1"
    title: Twice
    points: 3
    function:
      symbol: twice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "2 * x"}]
      python: {tensors: numpy, dtype: float64}
    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-5, rtol: 1.0e-5}}
    checks:
      - {name: atol, points: 1, random: {trials: 2, dims: {n: [3, 4]}}, tolerance: {atol: 6.0e-5}}
      - {name: float32 rtol, points: 1, random: {trials: 2, dims: {n: [3, 4]}}, tolerance: {float32: {rtol: 0}}}
      - {name: both, points: 1, random: {trials: 2, dims: {n: [3, 4]}}, tolerance: {atol: 0, rtol: 0}}
)YAML");
  dir.write("float64/twice.py", "def twice(x):\n    return 2 * x\n");
  dir.write("float32/twice.py", "import numpy as np\n\ndef twice(x):\n    return (2 * x).astype(np.float32)\n");
  const auto rules = [&](const std::string& student) {
    const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / student).string(), "--format", "json"});
    const auto result = ordered_json::parse(r.out);
    std::vector<std::string> seen;
    for (const auto& c : result.at("exercises")[0].at("checks")) seen.push_back(c.at("tolerance").get<std::string>());
    return seen;
  };
  BOOST_TEST(rules("float64") == (std::vector<std::string>{"|got - expected| <= 6e-05 + 1e-09 * |expected|",
                                                           "|got - expected| <= 1e-09 + 1e-09 * |expected|",
                                                           "|got - expected| <= 0 + 0 * |expected|"}),
             boost::test_tools::per_element());
  BOOST_TEST(rules("float32") == (std::vector<std::string>{"|got - expected| <= 6e-05 + 1e-05 * |expected|",
                                                           "|got - expected| <= 1e-05 + 0 * |expected|",
                                                           "|got - expected| <= 0 + 0 * |expected|"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_same_numbers_get_the_same_rule_from_a_library_a_notebook_and_a_file) {
  // Found by a numerical-audit helper: float32-rounded outputs passed from NumPy (float32 rule)
  // and failed from C++ (float64 rule). The precision is what the values show, whoever
  // returned them.
  TempDir dir;
  std::string source =
      test_support::read_file(test_support::source_path("submissions/sdpa-masked/correct-c/solution.c"));
  const auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = source.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    source.replace(at, from.size(), to);
  };
  replace("w[j] /= sum;", "w[j] = (float)(w[j] / sum);");
  replace("= acc;", "= (float)acc;");
  dir.write("rounded/solution.c", source);
  const auto rules = [&](const std::string& student, const std::string& spec) {
    const auto r = run_grader({"check", "--spec", spec, (dir.path() / student).string(), "--format", "json"});
    std::set<std::string> seen;
    const auto result = ordered_json::parse(r.out);
    for (const auto& ex : result.at("exercises"))
      for (const auto& c : ex.at("checks"))
        if (c.at("name") == "random shapes and values") seen.insert(c.at("tolerance").get<std::string>());
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    return seen;
  };
  const std::set<std::string> float32_rule = {"|got - expected| <= 1e-05 + 1e-05 * |expected|"};
  BOOST_TEST(rules("rounded", "specs/sdpa-masked.yaml") == float32_rule);
  fs::copy(test_support::source_path("submissions/sdpa-masked/correct-c"), dir.path() / "double");
  BOOST_TEST(rules("double", "specs/sdpa-masked.yaml") ==
             std::set<std::string>{"|got - expected| <= 1e-09 + 1e-09 * |expected|"});
  // An answer file of float64 numbers that are float32 ones: the float32 rule, as a notebook's.
  const auto third = dir.write("third.yaml", R"YAML(assignment: {id: third, title: Third, version: "1"}
exercises:
  - {id: "1", title: Third, points: 1, answers: [{name: t, shape: [1, 2]}], output: t, expect: "[[1, 2]] / 3",
     tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-6, rtol: 1.0e-6}}}
)YAML");
  const auto third_of = [&](const std::string& student) {
    const auto r = run_grader({"check", "--spec", third.string(), (dir.path() / student).string(), "--format", "json"});
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    return ordered_json::parse(r.out).at("exercises")[0].at("checks")[0].at("tolerance").get<std::string>();
  };
  const float a = 1.0f / 3, b = 2.0f / 3;
  std::ostringstream csv;
  csv.precision(17);
  csv << static_cast<double>(a) << "," << static_cast<double>(b) << "\n";
  dir.write("file/t.csv", csv.str());
  dir.write("notebook/lab.py",
            "import numpy as np\nt = (np.array([[1, 2]], dtype=np.float32) / np.float32(3))"
            ".astype(np.float64)\n");
  BOOST_TEST(third_of("file") == "|got - expected| <= 1e-06 + 1e-06 * |expected|");
  BOOST_TEST(third_of("notebook") == third_of("file"));
}

BOOST_AUTO_TEST_CASE(a_known_mistake_matched_with_a_failed_earlier_answer_says_that_answer_first) {
  // Found by a student helper: a query132 of a huge scale picks key[1] alone, and 1.4.1's right
  // m_key2_a, the mean of key[0] and key[1], was told "your new key[2] changes nothing: ... (for
  // example, the mean of key[0] and key[1])", what it was; the note on query132 came below it.
  TempDir dir;
  dir.write("student/answers.yaml", "query132: [[55500, 57500, 500]]\nm_key2_a: [[0.555, 0.575, 0.005]]\n");
  const auto r = run_grader(
      {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto result = ordered_json::parse(r.out);
  // 1.3.2 itself names the scale (a known mistake of the spec's).
  const auto& own = result.at("exercises").at(3);
  BOOST_TEST(contains(own.at("message").get<std::string>(), "your query gives all the weight to key[1]"), own.dump());
  const auto& ex = result.at("exercises").at(4);
  BOOST_REQUIRE(ex.at("id") == "1.4.1");
  BOOST_TEST(ex.at("message").get<std::string>().rfind(
                 "your 'query132' from exercise 1.3.2 did not pass: fix that one first, as this exercise is judged "
                 "with it (with yours, the output here is a known mistake's, maybe your query132's doing: your new "
                 "key[2] changes nothing",
                 0) == 0,
             ex.dump());
}

BOOST_AUTO_TEST_CASE(a_later_result_named_output_is_not_graded_as_the_weighted_states) {
  // Found by a student helper: `output = attention_weights @ values` at the end of the notebook
  // was graded as exercise 1.2's output, wrong_shape. It is taken where the handout computes it.
  TempDir dir;
  auto notebook = ordered_json::parse(
      test_support::read_file(test_support::source_path("submissions/attention-basics/ipynb-correct/attention.ipynb")));
  notebook.at("cells").push_back({{"cell_type", "code"},
                                  {"metadata", ordered_json::object()},
                                  {"execution_count", nullptr},
                                  {"outputs", ordered_json::array()},
                                  {"source", "output = output.sum(dim=-1)\n"}});
  dir.write("student/attention.ipynb", notebook.dump(1));
  const auto r = run_grader(
      {"check", "--spec", "specs/attention-basics.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  for (const auto& ex : ordered_json::parse(r.out).at("exercises")) BOOST_TEST(ex.at("verdict") == "passed", ex.dump());
}

BOOST_AUTO_TEST_CASE(a_macs_library_beside_the_sources_is_named_and_the_sources_graded) {
  // Found by a student helper: a libsolution.so built on a Mac beside correct sources was
  // load_error, "invalid ELF header, in every case": 0 of 8, the sources never compiled.
  TempDir dir;
  fs::copy(test_support::source_path("submissions/sdpa-masked/correct-c"), dir.path() / "student");
  const std::string mach_o = std::string("\xcf\xfa\xed\xfe\x07\x00\x00\x01", 8) + std::string(4088, '\0');
  dir.write("student/libsolution.so", mach_o);
  auto r = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "score: 8 / 8"), r.out);
  BOOST_TEST(contains(r.out, "note: libsolution.so is a macOS library (Mach-O), which the grader cannot load"), r.out);
  BOOST_TEST(contains(r.out, "your C/C++ sources beside it are compiled instead"), r.out);
  // Alone, every check says what it is and what to hand in.
  dir.write("mac/libsolution.so", mach_o);
  r = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "mac").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  for (const auto& ex : ordered_json::parse(r.out).at("exercises")) {
    BOOST_TEST(ex.at("verdict") == "load_error", ex.dump());
    BOOST_TEST(
        contains(ex.at("message").get<std::string>(), "hand in your C/C++ sources (.c, .cpp), which it compiles"),
        ex.dump());
  }
}

BOOST_AUTO_TEST_CASE(parameters_that_take_the_inputs_in_another_order_are_told_both_orders) {
  // Found by a student helper: `self_attention(X, omega_q, omega_k, omega_v, ...)`, called so by
  // its own tests, was told numbers only.
  TempDir dir;
  dir.write("student/homework.py",
            "import math\nimport torch\n\ndef scaled_dot_product_attention(K, Q, V, mask=None):\n"
            "    w = torch.softmax(Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1)), dim=-1)\n    return w @ V, w\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto exercise = ordered_json::parse(r.out).at("exercises")[0];
  BOOST_TEST(contains(exercise.at("details").get<std::string>(),
                      "note: scaled_dot_product_attention's parameters are (K, Q, V, ...), and the grader passes the "
                      "exercise's inputs in the order (Q, K, V), as the exercise calls it: are some swapped?"),
             exercise.dump());
}

BOOST_AUTO_TEST_CASE(attention_basics_grades_the_keys_its_function_computes_not_the_handouts_later_ones) {
  // Found by a student helper: the handout assigns keys again itself (`keys = v @ W_k`), and 2.1
  // graded that at the notebook's end: a broken compute_keys passed it. 2.1 takes keys at the
  // cell that calls compute_keys.
  TempDir dir;
  std::string notebook = test_support::read_file(
      test_support::source_path("submissions/attention-basics/ipynb-keys-not-transposed/attention.ipynb"));
  // compute_keys stacks the weights as columns, then transposes its keys.
  const auto stacked = notebook.find("\"    return v@w\"");
  BOOST_REQUIRE(stacked != std::string::npos);
  notebook.replace(stacked, 16, "\"    return (v @ torch.stack([*ws], dim=1)).t()\"");
  const std::string end = "  }\n ],\n \"metadata\"";
  const auto at = notebook.find(end);
  BOOST_REQUIRE(at != std::string::npos);
  notebook.insert(at + 3, R"(,
  {
   "cell_type": "code",
   "metadata": {},
   "source": ["W_k = torch.stack([W_k1, W_k2, W_k3], dim=1)\n", "keys = v @ W_k"],
   "execution_count": null,
   "outputs": []
  })");
  dir.write("student/attention.ipynb", notebook);
  const auto r = run_grader(
      {"check", "--spec", "specs/attention-basics.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto result = ordered_json::parse(r.out);
  const auto e = std::find_if(result.at("exercises").begin(), result.at("exercises").end(),
                              [](const auto& x) { return x.at("id") == "2.1"; });
  BOOST_REQUIRE(e != result.at("exercises").end());
  BOOST_TEST(e->at("verdict").get<std::string>() == "wrong", e->dump());
  BOOST_TEST(contains(e->at("message").get<std::string>(), "your keys are transposed"), e->dump());
}

BOOST_AUTO_TEST_CASE(a_retyped_test_cell_text_still_ties_a_function_to_its_exercise_after_a_definition) {
  // Found by a student helper: exercise 1's test cell printing "=== Scaled Dot-Product Attention
  // ===" called the definition at the end, exercise 2's stub, for exercise 1 (0 of 4 points).
  // The same words before any definition (a heading's) tie nothing: no line holds the text,
  // and exercise 1 takes the definition before the last, exercise 2's stub being the last.
  TempDir dir;
  const std::string body =
      "# In[2]:\n\n\ndef scaled_dot_product_attention(Q, K, V):\n"
      "    w = torch.softmax(Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1)), dim=-1)\n    return w @ V, w\n\n\n"
      "# In[3]:\n\n\nprint(\"=== Scaled Dot-Product Attention ===\")\n\n\n"
      "# In[4]:\n\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n    raise NotImplementedError()\n";
  dir.write("retyped/homework.py",
            "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nimport math\nimport torch\n\n\n" + body);
  dir.write("heading/homework.py",
            "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\n# Scaled dot-product attention\nimport math\n"
            "import torch\n\n\n" +
                std::regex_replace(body, std::regex("print\\(.*\\)"), "print('exercise 1')"));
  const auto verdicts = [&](const std::string& student) {
    const auto r =
        run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / student).string(), "--format", "json"});
    const auto result = ordered_json::parse(r.out);
    std::string out;
    for (const auto& e : result.at("exercises"))
      out += e.at("id").get<std::string>() + "=" + e.at("verdict").get<std::string>() + " ";
    return out;
  };
  BOOST_TEST(verdicts("retyped") == "1=passed 2=missing ");
  BOOST_TEST(verdicts("heading") == "1=passed 2=missing ");
}

BOOST_AUTO_TEST_CASE(a_colab_download_with_no_text_between_two_definitions_grades_each_exercise_with_its_own) {
  // Found by a student helper: a Colab download whose text between exercise 1's test and
  // exercise 2's definition was gone (one cell, for a script) graded exercise 1 with exercise
  // 2's definition: a wrong one passed, a right one threw exercise 2's error.
  TempDir dir;
  std::string message;  // exercise 1's, of the last homework graded
  const auto homework = [&](const std::string& student, const std::string& first) {
    dir.write(student + "/homework.py",
              "# -*- coding: utf-8 -*-\n\"\"\"Homework 2\n\n### Exercise 1\n\"\"\"\n\nimport math\nimport torch\n\n"
              "def scaled_dot_product_attention(Q, K, V):\n"
              "    w = torch.softmax(Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1)), dim=-1)\n"
              "    return " +
                  first +
                  "\n\n\"\"\"Run Exercise 1\"\"\"\n\nprint(\"======= Scaled dot-product attention\")\n"
                  "Q = torch.randn(2, 3, 4)\nprint(scaled_dot_product_attention(Q, Q, Q))\n\n\n"
                  "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
                  "    s = (Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))).masked_fill(mask == 0, -1e9)\n"
                  "    w = torch.softmax(s, dim=-1)\n    return w @ V, w\n\n"
                  "print(\"======= Masked scaled dot-product attention\")\n");
    const auto r =
        run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / student).string(), "--format", "json"});
    const auto result = ordered_json::parse(r.out);  // kept: a loop over a temporary's part would dangle
    std::string out;
    for (const auto& e : result.at("exercises"))
      out += e.at("id").get<std::string>() + "=" + e.at("verdict").get<std::string>() + " ";
    message = result.at("exercises")[0].at("message").get<std::string>();
    return out;
  };
  BOOST_TEST(homework("right", "w @ V, w") == "1=passed 2=passed ");
  BOOST_TEST(homework("output-only", "w @ V") == "1=unreadable 2=passed ");
  BOOST_TEST(contains(message,
                      "this exercise calls its definition at line 10, the one in force at the end of the cell "
                      "holding '======= Scaled dot-product attention', before the definition after it (in a "
                      "download, code cells with no text between them are one cell)"),
             message);
}

BOOST_AUTO_TEST_CASE(a_download_without_its_test_cells_lines_grades_exercise_1_with_its_own_or_says_it_cannot) {
  // Found by a student helper: a Colab download whose test cells' print lines were deleted with
  // their expected output graded exercise 1 with exercise 2's definition, silently: a first
  // definition that does not scale passed. Its docstring, the handout's, holds the test cell's
  // words: that definition is exercise 1's.
  TempDir dir;
  const auto homework = [&](const std::string& student, const std::string& docstring) {
    dir.write(
        student + "/homework_2.py",
        "# -*- coding: utf-8 -*-\n\"\"\"homework 2.ipynb\n\"\"\"\n\nimport math\nimport torch\n\n"
        "def scaled_dot_product_attention(Q, K, V):\n    \"\"\"" +
            docstring +
            "\"\"\"\n    w = torch.softmax(torch.bmm(Q, K.transpose(1, 2)), dim=-1)\n    return torch.bmm(w, V), w\n\n"
            "torch.manual_seed(0)\nQ = torch.randn(2, 3, 4)\noutput, weights = scaled_dot_product_attention(Q, Q, "
            "Q)\n\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n    \"\"\"" +
            docstring +
            "\"\"\"\n    s = torch.bmm(Q, K.transpose(1, 2)) / math.sqrt(K.size(-1))\n"
            "    if mask is not None:\n        s = s.masked_fill(mask == 0, -torch.inf)\n"
            "    w = torch.softmax(s, dim=-1)\n    return torch.bmm(w, V), w\n");
    const auto r =
        run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / student).string(), "--format", "json"});
    return ordered_json::parse(r.out);
  };
  const auto handout = homework("handout", "Computes the scaled dot-product attention.");
  const auto first = handout.at("exercises")[0];
  BOOST_TEST(first.at("verdict") == "wrong", first.dump());
  BOOST_TEST(contains(first.at("message").get<std::string>(), "not divided by sqrt(d_k)"), first.dump());
  BOOST_TEST(handout.at("exercises")[1].at("verdict") == "passed", handout.dump());
  // No line that holds the text (found by a student helper: the print line replaced): the
  // definition before the last, exercise 2's, and a note that says so.
  const auto own = homework("own", "Attention.");
  BOOST_TEST(own.at("exercises")[0].at("verdict") == "wrong", own.dump());
  BOOST_TEST(own.at("exercises")[1].at("verdict") == "passed", own.dump());
  BOOST_TEST(contains(own.at("notes").dump(),
                      "exercise 1 is graded with the definition of scaled_dot_product_attention at line 8, the one "
                      "before the notebook's last definition (another exercise takes the last), maybe not its own"),
             own.dump());
}

BOOST_AUTO_TEST_CASE(exercise_2s_stub_left_above_the_students_own_is_not_exercise_1s_definition) {
  // Found by a student helper: the test cell's print line retyped ("Exercise 1 Scaled
  // Dot-Product Attention"), and exercise 2's nbgrader stub left above the student's finished
  // definition: exercise 1 called the stub, "not implemented yet", 4 of 8 for a right notebook.
  TempDir dir;
  const std::string scaled = "    s = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n";
  const auto weights = [](const std::string& scores) {
    return "    w = torch.softmax(" + scores + ", dim=-1)\n    return w @ V, w\n\n";
  };
  dir.write("student/homework.py",
            "import math\nimport torch\n\n"
            "def scaled_dot_product_attention(Q, K, V):\n" +
                scaled + weights("s") +
                "print('Exercise 1 Scaled Dot-Product Attention')\n\n"
                "def scaled_dot_product_attention(Q, K, V, mask=None):\n    # YOUR CODE HERE\n"
                "    raise NotImplementedError()\n\n"
                "def scaled_dot_product_attention(Q, K, V, mask=None):\n" +
                scaled + "    if mask is not None:\n        s = s.masked_fill(mask == 0, -torch.inf)\n" + weights("s") +
                "print('====== Masked scaled dot-product attention')\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
  const auto result = ordered_json::parse(r.out);
  BOOST_TEST(result.at("exercises")[0].at("verdict") == "passed", r.out);
  BOOST_TEST(result.at("exercises")[1].at("verdict") == "passed", r.out);
  BOOST_TEST(contains(result.at("notes").dump(),
                      "exercise 1 is graded with the definition of scaled_dot_product_attention at line 4, the last "
                      "one that is no stub before the notebook's last definition (another exercise takes the last)"),
             r.out);
  // A stub there and none before it: the stub, not implemented yet.
  dir.write("stubs/homework.py",
            "import math\nimport torch\n\n"
            "def scaled_dot_product_attention(Q, K, V):\n    raise NotImplementedError()\n\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n    pass\n\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n" +
                scaled + "    if mask is not None:\n        s = s.masked_fill(mask == 0, -torch.inf)\n" + weights("s"));
  const auto stubs = ordered_json::parse(
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "stubs").string(), "--format", "json"})
          .out);
  BOOST_TEST(stubs.at("exercises")[0].at("verdict") == "missing", stubs.dump());
  BOOST_TEST(stubs.at("exercises")[1].at("verdict") == "passed", stubs.dump());
}

BOOST_AUTO_TEST_CASE(a_failure_that_quotes_one_noted_above_says_see_above) {
  // Found by a student helper: a package the grader lacks, imported first in the imports cell,
  // had its error and advice repeated in the note of every cell that then missed torch.
  TempDir dir;
  dir.write("student/homework.py",
            "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nimport seaborn\nimport torch\n\n\n"
            "# In[2]:\n\n\nx = torch.ones(1)\n\n\n# In[3]:\n\n\ny = torch.zeros(1)\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
  const auto notes = ordered_json::parse(r.out).at("notes");
  std::vector<std::string> failed;
  for (const auto& n : notes)
    if (contains(n.get<std::string>(), "your notebook failed ")) failed.push_back(n.get<std::string>());
  // The two cells that failed the same way are one note (found by a TA helper: six notes of one
  // missing import).
  BOOST_TEST_REQUIRE(failed.size() == 2u, notes.dump());
  BOOST_TEST(contains(failed[0], "No module named 'seaborn' (it is not installed"), failed[0]);
  BOOST_TEST(failed[1] ==
                 "your notebook failed the same way at line 14 and line 20: NameError: name 'torch' is not defined; "
                 "torch is defined by the cell at line 4, which failed before (see above)",
             failed[1]);
}

BOOST_AUTO_TEST_CASE(powers_that_cannot_be_meant_are_pointed_at_where_the_outputs_are_wrong) {
  // Found by a student helper: `/ d_k ** (1//2)` (divided by 1) was told "not divided by
  // sqrt(d_k)", true, but not where; `** 1/2` divides by 2 instead.
  TempDir dir;
  const std::string head = "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n";
  const std::string tail = "    w = torch.softmax(scores, dim=-1)\n    return w @ V, w\n";
  dir.write("floor/homework.py", head + "    scores = Q @ K.transpose(-2, -1) / Q.size(-1) ** (1//2)\n" + tail);
  dir.write("half/homework.py",
            head + "    d_k = Q.size(-1)\n    scores = Q @ K.transpose(-2, -1) / d_k ** 1/2\n" + tail);
  dir.write("right/homework.py", head + "    scores = Q @ K.transpose(-2, -1) / Q.size(-1) ** 0.5\n" + tail);
  const auto details = [&](const std::string& student) {
    const auto r =
        run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / student).string(), "--format", "json"});
    return ordered_json::parse(r.out).at("exercises")[0].dump();
  };
  const std::string floor = details("floor");
  BOOST_TEST(contains(floor,
                      "note: at line 5, a number is raised to the power 0, which makes 1: `** (1//2)` is `** 0`, "
                      "as `//` rounds down to a whole number; write `** 0.5`, or take a square root"),
             floor);
  const std::string half = details("half");
  BOOST_TEST(contains(half,
                      "note: at line 6, `** 1/2` raises to the power 1 and then divides by 2, as `**` comes "
                      "before `/`; write `** (1/2)` or `** 0.5`"),
             half);
  BOOST_TEST(!contains(details("right"), "raised to the power"));
  // The report says it once, though each failing check's details (the JSON's) carry it (found
  // by a student helper: the same note in each of the exercise's checks).
  const auto text = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "half").string()});
  std::size_t said = 0;
  for (std::size_t at = text.out.find("`** 1/2` raises"); at != std::string::npos;
       at = text.out.find("`** 1/2` raises", at + 1))
    ++said;
  BOOST_TEST(said == 2u, text.out);  // once in each exercise: both call the function
  BOOST_TEST(half.find("`** 1/2` raises") != half.rfind("`** 1/2` raises"), half);  // the JSON: every check
}

BOOST_AUTO_TEST_CASE(a_function_that_changes_its_arguments_in_place_is_told_so_and_graded_as_it_returns) {
  // `Q /= sqrt(d_k)` gives the right outputs, and changes the caller's Q: the notebook's second
  // call on its own tensors then gets other results (found in a student helper's notebook).
  TempDir dir;
  dir.write("torch/homework.py",
            "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    Q /= math.sqrt(Q.size(-1))\n    scores = Q @ K.transpose(-2, -1)\n"
            "    if mask is not None:\n        scores = scores.masked_fill(mask == 0, -torch.inf)\n"
            "    w = torch.softmax(scores, dim=-1)\n    return w @ V, w\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "torch").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  const auto result = ordered_json::parse(r.out);
  BOOST_TEST(result.at("score") == 8);
  BOOST_TEST(result.at("notes").dump() ==
                 ordered_json::array({"scaled_dot_product_attention changes its argument Q in place (as `Q /= x` or "
                              "`Q[...] = x` do), so the caller's tensor changes too: your notebook's own Q is not "
                              "the same after a call, and a second call on it gets other results; compute a new "
                              "tensor (`Q = Q / x`) or work on a copy (`Q.clone()`). Its outputs are graded as "
                              "returned"})
                     .dump(),
             result.dump());
  // NumPy arrays, two of them changed; and a function that changes nothing is told nothing.
  dir.write("numpy/lab.py",
            "import numpy as np\n\ndef softmax_cols(x):\n    e = np.exp(x - x.max(axis=0))\n"
            "    return e / e.sum(axis=0)\n\ndef self_attention(X, omega_v, omega_q, omega_k, beta_v, beta_q, beta_k):\n"
            "    X *= 2.0\n    omega_q[...] = omega_q * 4.0\n    X = X / 2.0\n"
            "    Q = beta_q + omega_q @ X / 4.0\n    K = beta_k + omega_k @ X\n    V = beta_v + omega_v @ X\n"
            "    A = softmax_cols(K.T @ Q)\n    return V @ A, A\n\n"
            "def scaled_dot_product_self_attention(X, omega_v, omega_q, omega_k, beta_v, beta_q, beta_k):\n"
            "    Q = beta_q + omega_q @ X\n    K = beta_k + omega_k @ X\n    V = beta_v + omega_v @ X\n"
            "    A = softmax_cols(K.T @ Q / np.sqrt(Q.shape[0]))\n    return V @ A, A\n");
  const auto n = run_grader(
      {"check", "--spec", "specs/udl-self-attention.yaml", (dir.path() / "numpy").string(), "--format", "json"});
  const auto numpy = ordered_json::parse(n.out);
  BOOST_TEST(numpy.at("exercises")[0].at("score") == 4, numpy.dump());
  BOOST_TEST(numpy.at("exercises")[1].at("score") == 4, numpy.dump());
  std::vector<std::string> changed;
  for (const auto& note : numpy.at("notes"))
    if (contains(note.get<std::string>(), "in place")) changed.push_back(note.get<std::string>());
  BOOST_TEST(changed.size() == 1U, numpy.dump());
  BOOST_TEST(changed.at(0).starts_with("self_attention changes its arguments X, omega_q in place (as `X /= x`"),
             numpy.dump());
  BOOST_TEST(contains(changed.at(0), "work on a copy (`X.copy()`)"), numpy.dump());
}

BOOST_AUTO_TEST_CASE(outputs_a_multiple_of_the_right_ones_are_told_the_factor_in_fixed_and_random_checks) {
  // Twice the right output: the printed example (4 decimals) and the random check both say
  // "times 2"; the random check shows a case of two numbers or more, not its 1 x 1 x 1 one,
  // where no pattern shows.
  TempDir dir;
  dir.write("student/homework.py",
            "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    w = torch.softmax(Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1)), dim=-1)\n"
            "    return (w @ V) * 2, w\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto checks = ordered_json::parse(r.out).at("exercises")[0].at("checks");
  const std::string hint = "hint: your result is the expected one times 2: a missing or extra scale factor?";
  for (std::size_t c : {0, 1}) {
    BOOST_TEST(checks[c].at("verdict") == "wrong", checks[c].dump());
    BOOST_TEST(contains(checks[c].at("details").get<std::string>(), hint), checks[c].dump());
  }
  BOOST_TEST(!contains(checks[1].at("message").get<std::string>(), "(batch=1, block=1, d_k=1)"), checks[1].dump());
}

BOOST_AUTO_TEST_CASE(outputs_of_more_axes_than_declared_are_asked_about_broadcasting) {
  // `mask.unsqueeze(1)` on a mask already (batch, 1, block) broadcasts the scores to (batch,
  // batch, block, block): told only the two shapes, at the smallest case (1, 1, 1, 1) too, which
  // reads as an axis to squeeze.
  TempDir dir;
  dir.write("torch/homework.py",
            "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n    if mask is not None:\n"
            "        scores = scores.masked_fill(mask.unsqueeze(1) == 0, float(\"-inf\"))\n"
            "    w = torch.softmax(scores, dim=-1)\n    return w @ V, w\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "torch").string(), "--format", "json"});
  const auto masked = ordered_json::parse(r.out).at("exercises")[1];
  BOOST_TEST(masked.at("verdict") == "wrong_shape", masked.dump());
  BOOST_TEST(masked.at("message").get<std::string>() ==
                 "the notebook's example: output has shape (2, 2, 3, 4) but (2, 3, 4) is expected: it has more axes "
                 "than declared, as when an operand of more axes is broadcast against the others (a mask unsqueezed "
                 "once too often, or of another rank than the scores): print the shapes of what your function "
                 "combines",
             masked.dump());
  // An output of 3 axes where 2 are declared (NumPy, no mask), judged by the grader itself.
  dir.write(
      "numpy/lab.py",
      "import numpy as np\n\ndef softmax_cols(x):\n    e = np.exp(x - x.max(axis=0))\n"
      "    return e / e.sum(axis=0)\n\ndef self_attention(X, omega_v, omega_q, omega_k, beta_v, beta_q, beta_k):\n"
      "    Q = beta_q + omega_q @ X\n    K = beta_k + omega_k @ X\n    V = beta_v + omega_v @ X\n"
      "    A = softmax_cols(K.T @ Q)\n    return (V @ A)[None], A\n");
  const auto n = run_grader(
      {"check", "--spec", "specs/udl-self-attention.yaml", (dir.path() / "numpy").string(), "--format", "json"});
  const auto first = ordered_json::parse(n.out).at("exercises")[0];
  BOOST_TEST(first.at("verdict") == "wrong_shape", first.dump());
  BOOST_TEST(contains(first.at("message").get<std::string>(),
                      " is expected: it has more axes than declared, as when an operand of more axes is broadcast "
                      "against the others: print the shapes of what your function combines"),
             first.dump());
}

BOOST_AUTO_TEST_CASE(code_that_asks_for_a_gpu_is_told_the_grader_has_none) {
  // A Colab habit: tensors moved to "cuda" unconditionally. Every check threw "Torch not compiled
  // with CUDA enabled", and nothing said why.
  TempDir dir;
  dir.write("student/homework.py",
            "import math\nimport torch\n\nweights_on_gpu = torch.ones(2).cuda()\n\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    Q, K, V = Q.to(\"cuda\"), K.to(\"cuda\"), V.to(\"cuda\")\n"
            "    w = torch.softmax(Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1)), dim=-1)\n    return w @ V, w\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto result = ordered_json::parse(r.out);
  const std::string hint =
      " (the grader runs your code on a CPU, with no GPU: choose the device with `torch.device(\"cuda\" if "
      "torch.cuda.is_available() else \"cpu\")`, or keep tensors on their inputs' device, `x.device`)";
  const auto check = result.at("exercises")[0].at("checks")[0];
  BOOST_TEST(check.at("verdict") == "threw");
  BOOST_TEST(check.at("message").get<std::string>() ==
                 "an exception escaped the function: line 7: AssertionError: Torch not compiled with CUDA enabled" +
                     hint,
             check.dump());
  // A cell's failure too.
  const auto notes = result.at("notes");
  BOOST_TEST(std::any_of(notes.begin(), notes.end(),
                         [&](const auto& n) {
                           return contains(n.template get<std::string>(),
                                           "line 4: AssertionError: Torch not compiled with CUDA enabled" + hint);
                         }),
             notes.dump());
  // A Mac's "mps": torch raises NotImplementedError (with 3 000 characters of its dispatcher's
  // tables), which is no stub left to do.
  dir.write("mac/homework.py",
            "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    Q = Q.to(\"cpu\") + torch.zeros(1, device=\"mps\")\n"
            "    w = torch.softmax(Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1)), dim=-1)\n    return w @ V, w\n");
  const auto mac =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "mac").string(), "--format", "json"});
  const auto mac_check = ordered_json::parse(mac.out).at("exercises")[0].at("checks")[0];
  BOOST_TEST(mac_check.at("verdict") == "threw", mac_check.dump());
  BOOST_TEST(mac_check.at("message").get<std::string>() ==
                 "an exception escaped the function: line 5: NotImplementedError: Could not run "
                 "'aten::empty.memory_format' with arguments from the 'MPS' backend. (the grader runs your code on a "
                 "CPU, with no GPU: choose the device with `torch.device(\"mps\" if "
                 "torch.backends.mps.is_available() else \"cpu\")`, or keep tensors on their inputs' device, "
                 "`x.device`)",
             mac_check.dump());
}

BOOST_AUTO_TEST_CASE(a_function_computing_with_the_notebooks_tensor_instead_of_its_input_is_told_which) {
  // Found by a student helper: a scale taken from the notebook's example (d_k = 4) passed the
  // fixed case and failed the random ones, with numbers only.
  TempDir dir;
  dir.write("student/homework.py",
            "import torch\n\nQ = torch.randn(2, 3, 4)\nd_k = torch.tensor(float(Q.size(-1)))\n\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    w = torch.softmax(Q @ K.transpose(-2, -1) / torch.sqrt(d_k), dim=-1)\n    return w @ V, w\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto exercise = ordered_json::parse(r.out).at("exercises")[0];
  BOOST_TEST(exercise.at("verdict").get<std::string>() == "wrong", exercise.dump());
  BOOST_TEST(contains(exercise.at("details").get<std::string>(),
                      "note: scaled_dot_product_attention reads d_k, of the notebook, beside its parameters: the "
                      "grader's inputs reach it only through Q, K, V, mask"),
             exercise.dump());
  // A lead, said after the comparison's words and hints, before its numbers (found by a
  // student helper: above the hint that named the cause).
  const std::string details = exercise.at("details").get<std::string>();
  BOOST_TEST(details.find("\nnote: scaled_dot_product_attention reads d_k") < details.find("\ntolerance: "), details);
  // Found by a reviewing helper: a constant tensor of the notebook is no lead where a known
  // mistake explains the outputs.
  dir.write("constant/homework.py",
            "import torch\nNEG_INF = torch.tensor(float('-inf'))\n\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    s = Q @ K.transpose(-2, -1) / Q.size(-1) ** 0.5\n"
            "    if mask is not None:\n        s = s.masked_fill(mask == 0, NEG_INF)\n"
            "    w = torch.softmax(s, dim=1)\n    return w @ V, w\n");
  const auto constant =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "constant").string(), "--format", "json"});
  // (Each exercise's checks: exercise 2's example masks a key, and its -inf column over the
  // queries is NaN, which names nothing; its random cases name the mistake. Until this stop
  // the loop ran over a parsed document already freed, and asserted nothing: ASan.)
  const auto graded = ordered_json::parse(constant.out);
  BOOST_TEST_REQUIRE(graded.at("exercises").size() == 2u);
  for (const auto& e : graded.at("exercises"))
    for (const auto& c : e.at("checks")) {
      if (c.at("name") == "random shapes and values" || c.at("name") == "random padding masks")
        BOOST_TEST(contains(c.at("message").get<std::string>(), "the softmax runs over the queries"), c.dump());
      BOOST_TEST(!contains(c.at("details").get<std::string>(), "NEG_INF"), c.dump());
    }
}

BOOST_AUTO_TEST_CASE(a_function_whose_parameters_do_not_take_the_call_is_told_how_it_is_called) {
  // Found by a helper trying the docs as an instructor: "got an unexpected keyword argument
  // 'n_heads'" never said how the grader calls the function.
  TempDir dir;
  dir.write("student/homework.py",
            "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K):\n    return Q, K\n");
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto exercise = ordered_json::parse(r.out).at("exercises")[0];
  BOOST_TEST(exercise.at("verdict") == "threw", exercise.dump());
  BOOST_TEST(contains(exercise.at("message").get<std::string>(),
                      "takes 2 positional arguments but 3 were given (the grader calls scaled_dot_product_attention, "
                      "defined at line 4, with 3 positional arguments, as the exercise asks)"),
             exercise.dump());
  // A TypeError of the function's own body is the body's: no word of the call.
  dir.write("body/homework.py",
            "import torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n    return torch.softmax(Q)\n");
  const auto body =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "body").string(), "--format", "json"});
  const auto first = ordered_json::parse(body.out).at("exercises")[0];
  BOOST_TEST(contains(first.at("message").get<std::string>(), "TypeError"), first.dump());
  BOOST_TEST(!contains(first.at("message").get<std::string>(), "the grader calls"), first.dump());
}

BOOST_AUTO_TEST_CASE(a_return_that_fails_alike_in_every_case_is_told_without_a_case_or_a_seed) {
  // Found by a student helper: "returned a torch.Tensor, where 2 values are expected" came with
  // random case 1's label and a seed to quote, which no input decides.
  const auto one = sdpa_exercise_returning("w @ V");
  BOOST_TEST(one.at("verdict") == "unreadable", one.dump());
  for (const auto& check : one.at("checks")) {
    const std::string message = check.at("message"), details = check.value("details", "");
    BOOST_TEST(contains(message, "returned a torch.Tensor, where 2 values are expected (output, weights)"), message);
    BOOST_TEST(!contains(message, "random case"), message);
    BOOST_TEST(!contains(details, "seed"), details);
  }
  // A fault of some inputs only: the case and the seed, as for any wrong output.
  const auto shapes = sdpa_exercise_returning("(w @ V, w) if Q.size(0) % 2 else w @ V");
  bool random = false;
  for (const auto& check : shapes.at("checks"))
    if (contains(check.at("message").get<std::string>(), "random case")) {
      random = true;
      BOOST_TEST(contains(check.value("details", ""), "seed "), check.dump());
    }
  BOOST_TEST(random, shapes.dump());
}

BOOST_AUTO_TEST_CASE(wrong_outputs_of_a_function_defined_twice_say_which_definition_was_called) {
  // Found by a helper playing a student: a scratch cell at the end redefined the function
  // wrongly; the notebook's own test cell, run before it, had passed, and the grader said only
  // "wrong".
  TempDir dir;
  const std::string right =
      "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
      "    w = torch.softmax(Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1)), dim=-1)\n"
      "    return w @ V, w\n\n";
  const std::string wrong =
      "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
      "    w = torch.softmax(Q @ K.transpose(-2, -1), dim=-1)\n    return w @ V, w\n";
  // Three definitions, where the spec's two exercises take two. Exercise 1, tied to a test cell
  // no line holds, takes the one before the last (exercise 2 takes the last), said once for the
  // hand-in whatever its outputs; exercise 2's wrong outputs say which definition was called.
  dir.write("student/homework.py", "import math\nimport torch\n\n" + right + right + wrong);
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto result = ordered_json::parse(r.out);
  BOOST_TEST(result.at("exercises")[0].at("verdict") == "passed", r.out);
  BOOST_TEST(contains(result.at("notes").dump(),
                      "exercise 1 is graded with the definition of scaled_dot_product_attention at line 8, the one "
                      "before the notebook's last definition (another exercise takes the last), maybe not its own: "
                      "the grader finds the definition an exercise tests by its test cell's line '======= Scaled "
                      "dot-product attention', and no line holds it; put that line back as the handout gives it"),
             r.out);
  const auto exercise = result.at("exercises")[1];
  BOOST_TEST(exercise.at("verdict") == "wrong", exercise.dump());
  BOOST_TEST(contains(exercise.at("details").get<std::string>(),
                      "note: the notebook defines scaled_dot_product_attention more than once; this exercise calls "
                      "its definition at line 12, the one in force at the end of the notebook\n"),
             exercise.dump());
  // A first definition that is right, the test cell that ties it to exercise 1 gone, and the
  // second still `pass`: exercise 1 takes the first, and exercise 2 is told why the second was
  // called (found by a student helper: told only that the function returned None).
  dir.write("unfinished/homework.py", "import math\nimport torch\n\n" + right +
                                          "def scaled_dot_product_attention(Q, K, V, mask=None):\n    pass\n");
  const auto unfinished = run_grader(
      {"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "unfinished").string(), "--format", "json"});
  const auto unfinished_result = ordered_json::parse(unfinished.out);
  BOOST_TEST(unfinished_result.at("exercises")[0].at("verdict") == "passed", unfinished.out);
  BOOST_TEST(contains(unfinished_result.at("exercises")[1].at("message").get<std::string>(), "returned None"),
             unfinished.out);
  BOOST_TEST(contains(unfinished_result.at("exercises")[1].at("message").get<std::string>(),
                      "this exercise calls its definition at line 8, the one in force at the end of the notebook"),
             unfinished.out);
  // A scratch redefinition returning three values: said with which definition was called
  // (found by a student helper: "returned 3 values" alone, the student's own cell returning 2).
  dir.write("three/homework.py", "import math\nimport torch\n\n" + right +
                                     "def scaled_dot_product_attention(Q, K, V, mask=None):\n    return Q, K, V\n");
  const auto three =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "three").string(), "--format", "json"});
  const auto three_second = ordered_json::parse(three.out).at("exercises")[1];
  BOOST_TEST(three_second.at("verdict") == "unreadable", three_second.dump());
  BOOST_TEST(contains(three_second.at("message").get<std::string>(),
                      "scaled_dot_product_attention returned 3 values, where 2 are expected (output, weights) (the "
                      "notebook defines scaled_dot_product_attention more than once; this exercise calls its "
                      "definition at line 8, the one in force at the end of the notebook"),
             three_second.dump());
  // The homework's own two definitions, one per exercise: no note with the wrong outputs.
  dir.write("two/homework.py", "import math\nimport torch\n\n" + right + wrong);
  const auto two =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "two").string(), "--format", "json"});
  const auto second = ordered_json::parse(two.out).at("exercises")[1];
  BOOST_TEST(second.at("verdict") == "wrong", second.dump());
  BOOST_TEST(!contains(second.at("details").get<std::string>(), "more than once"), second.dump());
  // Defined once, wrong all the same: no word of definitions.
  const auto once = sdpa_exercise_returning("w @ V * 2, w");
  BOOST_TEST(once.at("verdict") == "wrong", once.dump());
  BOOST_TEST(!contains(once.at("details").get<std::string>(), "more than once"), once.dump());
}

BOOST_AUTO_TEST_CASE(an_answer_a_notebook_holds_under_another_name_is_told_by_that_name) {
  // Found by a helper playing a student: "'weighted_states' has shape (3,)" for a notebook that
  // has no weighted_states, whose `output`, the variable the spec reads, held a vector. (The spec
  // takes it where the handout's line computes it.)
  TempDir dir;
  dir.write("student/attention.py",
            "import torch\nscores = torch.tensor([13.0, 9.0, 9.0])\nsoftmax_scores = torch.softmax(scores, dim=0)\n"
            "encoder_hidden_states = torch.ones(3)\noutput = softmax_scores * encoder_hidden_states\n");
  const auto r = run_grader(
      {"check", "--spec", "specs/attention-basics.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  bool found = false;
  const auto result = ordered_json::parse(r.out);
  for (const auto& exercise : result.at("exercises"))
    if (exercise.at("id") == "1.2") {
      found = true;
      BOOST_TEST(exercise.at("verdict") == "wrong_shape", exercise.dump());
      BOOST_TEST(contains(exercise.at("message").get<std::string>(),
                          "'output' (attention.py, for the answer weighted_states, as the cell holding 'output = "
                          "softmax_scores * encoder_hidden_states' leaves it) has shape (3,) but (3, 3) is expected"),
                 exercise.dump());
    }
  BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(an_exercise_right_on_an_earlier_exercises_mistake_says_to_fix_that_one) {
  // Found by a helper playing a student: 1.1's mistake (scores divided by their sum) came back
  // in 1.2, whose line was right, as a bare "wrong".
  TempDir dir;
  dir.write("student/attention.py",
            "import torch\nscores = torch.tensor([13.0, 9.0, 9.0])\nencoder_hidden_states = torch.tensor([[0.21, "
            "0.51, 1.25], [4.13, -41.3, 0.31], [3.2, 0.02, 9.44]])\nsoftmax_scores = scores / scores.sum()\n"
            "output = softmax_scores * encoder_hidden_states\n");
  const auto r = run_grader(
      {"check", "--spec", "specs/attention-basics.yaml", (dir.path() / "student").string(), "--format", "json"});
  const auto result = ordered_json::parse(r.out);
  for (const auto& exercise : result.at("exercises"))
    if (exercise.at("id") == "1.2")
      BOOST_TEST(contains(exercise.at("message").get<std::string>(),
                          "this line is right, but the softmax_scores it multiplies are exercise 1.1's mistake"),
                 exercise.dump());
}

BOOST_AUTO_TEST_CASE(a_known_mistake_over_another_exercises_missing_answer_is_passed_over) {
  // Found by a helper playing a student: 2.1's keys never defined, and 3.2 wrong, whose known
  // mistakes read keys: the grading stopped, exit 2, with "unknown name 'keys'" in the spec.
  TempDir dir;
  dir.write("student/attention.py", "import torch\nattention_score = torch.tensor([1.0, 2.0, 3.0])\n");
  const auto r = run_grader(
      {"check", "--spec", "specs/attention-basics.yaml", (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(r.err.empty(), r.err);
  const auto result = ordered_json::parse(r.out);
  for (const auto& exercise : result.at("exercises")) {
    if (exercise.at("id") == "3.2") BOOST_TEST(exercise.at("verdict") == "wrong", exercise.dump());
    if (exercise.at("id") == "2.1") BOOST_TEST(exercise.at("verdict") == "missing", exercise.dump());
    // What it asks, in parentheses without its full stop (found by a student helper: ".)").
    if (exercise.at("id") == "3.3")
      BOOST_TEST(contains(exercise.at("message").get<std::string>(),
                          "assign it in your notebook (exercise 3.3: F.softmax(attention_score.float(), dim=0))"),
                 exercise.dump());
  }
  // Of a hidden exercise, not (found by an instructor helper: a TA's note in a description was
  // shown).
  const auto hidden = run_grader({"check", "--spec", hidden_copy(dir, "specs/attention-basics.yaml"),
                                  (dir.path() / "student").string(), "--format", "json"});
  BOOST_TEST(hidden.exit_code == 1, hidden.err);
  for (const auto& exercise : ordered_json::parse(hidden.out).at("exercises"))
    if (exercise.at("id") == "3.3") {
      BOOST_TEST(exercise.at("verdict") == "missing", exercise.dump());
      BOOST_TEST(!contains(exercise.at("message").get<std::string>(), "F.softmax"), exercise.dump());
    }
}

BOOST_AUTO_TEST_CASE(outputs_returned_in_the_wrong_order_are_told_the_order) {
  const auto exercise = sdpa_exercise_returning("w, w @ V");
  BOOST_TEST(exercise.at("verdict") == "wrong_shape", exercise.dump());
  BOOST_TEST(contains(exercise.at("message").get<std::string>(),
                      ": are your outputs in another order? That is the shape of weights, and weights has the shape "
                      "of output: return them in the order (output, weights)"),
             exercise.dump());
}

BOOST_AUTO_TEST_CASE(a_cpp_library_returning_its_outputs_in_the_wrong_order_is_told_the_order) {
  // Found by an instructor helper: `return {weights, output};` was told only that the shapes
  // differ, and in a 1 x 1 x 1 case that its weights are no weights.
  TempDir dir;
  std::string source =
      test_support::read_file(test_support::source_path("submissions/sdpa-masked/correct-cpp/solution.cpp"));
  const std::string right = "return {output, weights};";
  BOOST_REQUIRE(source.find(right) != std::string::npos);
  source.replace(source.find(right), right.size(), "return {weights, output};");
  dir.write("swapped/solution.cpp", source);
  const auto r =
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "swapped").string(), "--format", "json"});
  const auto checks = ordered_json::parse(r.out).at("exercises")[0].at("checks");
  BOOST_TEST(checks[0].at("verdict") == "solution_error", checks.dump());
  BOOST_TEST(contains(checks[0].at("message").get<std::string>(),
                      "but the output has shape (2, 3, 4): that is the shape of output 2, where this is output 1 of "
                      "what the function returns: are the outputs in another order?"),
             checks.dump());
  BOOST_TEST(checks[1].at("verdict") == "wrong", checks.dump());
  BOOST_TEST(contains(checks[1].at("details").get<std::string>(),
                      "hint: your outputs are the right ones in another order: return them in the order (output, "
                      "weights)"),
             checks.dump());
  BOOST_TEST(!contains(checks[1].at("details").get<std::string>(), "which no weight is"), checks.dump());
}

BOOST_AUTO_TEST_CASE(half_precision_results_are_told_why_they_fail) {
  const auto exercise = sdpa_exercise_returning("(w @ V).half(), w.half()");
  BOOST_TEST(exercise.at("verdict") == "wrong", exercise.dump());
  BOOST_TEST(contains(exercise.at("details").get<std::string>(), "as float16 numbers do (bfloat16 ones 8)"),
             exercise.dump());
}

BOOST_AUTO_TEST_CASE(a_case_whose_outputs_hold_nan_does_not_contradict_a_known_mistake) {
  // F.softmax(scores) without dim: a softmax over the batch. Where a key is masked in every
  // batch entry, PyTorch 1.13 gives NaN and the spec's softmax 0; such a case un-named the
  // mistake in every random check of exercise 2.
  TempDir dir;
  dir.write("student/homework.py",
            "import math\nimport torch\nimport torch.nn.functional as F\n\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n"
            "    if mask is not None:\n        scores = scores.masked_fill(mask == 0, -torch.inf)\n"
            "    w = F.softmax(scores)\n    return w @ V, w\n");
  const auto r = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "student").string(), "--seed",
                             "1", "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = ordered_json::parse(r.out);
  const std::string mistake =
      "the softmax runs over the batch (dim=0, which F.softmax picks for a 3-D tensor when no dim is given) "
      "instead of the keys (dim=-1)";
  std::size_t named = 0;
  for (const auto& e : j.at("exercises"))
    for (const auto& check : e.at("checks"))
      if (check.at("name") == "random shapes and values" || check.at("name") == "random padding masks") {
        BOOST_TEST(check.at("mistake") == mistake, check.dump());
        ++named;
      }
  BOOST_TEST(named == 2u);
}

BOOST_AUTO_TEST_CASE(random_cases_follow_what_is_handed_in_not_only_the_folder_name) {
  // Gradescope names every folder `submission`: seeded by the name alone, every student met the
  // same random cases, whose expected values feedback shows, to be collected and replayed.
  TempDir dir;
  const auto seed_of = [&](const std::string& where, const std::string& notes = "", const std::string& table = "") {
    const fs::path folder = dir.path() / where / "submission";
    fs::create_directories(folder.parent_path());
    fs::copy(test_support::source_path("submissions/sdpa-masked/py-no-scale"), folder);
    if (!notes.empty()) dir.write(where + "/submission/notes.txt", notes);
    if (!table.empty()) dir.write(where + "/submission/tbl/t.json", table);
    const auto r = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", folder.string(), "--format", "json"});
    BOOST_TEST(r.exit_code == 1, r.err);
    return test_support::shown_seed(r.out);
  };
  const std::string first = seed_of("alice");
  BOOST_TEST(seed_of("bob") == first);  // the same hand-in, the same cases: a regrade agrees
  BOOST_TEST(seed_of("carol", "my notes\n") != first);
  // A file of a sub-folder, which the notebook may read (found by a hostile helper: a table of
  // the expected values feedback showed, in tbl/, grown round after round under one seed):
  // another file of the same size, other cases.
  const std::string table = seed_of("dave", "", "[1.0]");
  BOOST_TEST(table != first);
  BOOST_TEST(seed_of("erin", "", "[2.0]") != table);
  BOOST_TEST(seed_of("frank", "", "[1.0]") == table);
}

BOOST_AUTO_TEST_CASE(an_instructors_secret_decides_the_cases_and_the_seed_shown_replays_them) {
  // Found by a hostile helper: the grader and the bundled specs are public, so a student could
  // compute offline which cases any hand-in meets, and vary a file until they avoid a bug of
  // theirs. A secret the students never see, mixed into the seeds, stops that; the seed that
  // feedback shows still replays an exercise's cases without it.
  TempDir dir;
  const fs::path folder = dir.path() / "class" / "submission";
  fs::create_directories(folder.parent_path());
  fs::copy(test_support::source_path("submissions/sdpa-masked/py-no-scale"), folder);
  const std::string one = dir.write("one", "V2hhdCBhIHNlY3JldCB0aGlzIGlz\n").string();
  const std::string one_edited = dir.write("one-edited", "V2hhdCBhIHNlY3JldCB0aGlzIGlz\n\n").string();
  const std::string two = dir.write("two", "QW5vdGhlciBzZWNyZXQgZW50aXJlbHk=").string();
  dir.write("one-trimmed", "V2hhdCBhIHNlY3JldCB0aGlzIGlz");  // what counts of `one`
  const auto graded = [&](const std::vector<std::string>& more) {
    std::vector<std::string> args = {"check", "--spec", "specs/sdpa-masked.yaml", folder.string(), "--format", "json"};
    args.insert(args.end(), more.begin(), more.end());
    const auto r = run_grader(args);
    BOOST_TEST(r.exit_code == 1, r.err);
    return ordered_json::parse(r.out);
  };
  const auto seed_of = [](const ordered_json& j) {  // exercise 1's
    return test_support::shown_seed(j.at("exercises").at(0).dump());
  };
  const auto checks_of = [](ordered_json j) {  // exercise 1's checks, without their times
    ordered_json checks = j.at("exercises").at(0).at("checks");
    for (auto& c : checks) c.erase("seconds");
    return checks;
  };
  const std::string plain = seed_of(graded({}));
  const ordered_json secret = graded({"--seed-secret", one});
  BOOST_TEST(seed_of(secret) != plain);
  BOOST_TEST(seed_of(graded({"--seed-secret", one_edited})) == seed_of(secret));  // an editor's newline aside
  BOOST_TEST(seed_of(graded({"--seed-secret", two})) != seed_of(secret));
  BOOST_TEST(checks_of(graded({"--seed", seed_of(secret)})) == checks_of(secret));
  BOOST_TEST(checks_of(graded({"--seed", seed_of(secret), "--seed-secret", two})) == checks_of(secret));

  // A class graded with the secret gives each student what `grader check` gives with it; a
  // rerun into its results with another secret, or none, or a seed of its own, is refused
  // (found by a TA helper: a rerun for a late hand-in, the secret forgotten, regraded everyone
  // without it); in a folder of its own, a new secret grades anew. The secret itself is
  // written nowhere.
  fs::path out = dir.path() / "out";
  const auto run = [&](const std::vector<std::string>& more) {
    std::vector<std::string> args = {"grade",
                                     "--spec",
                                     "specs/sdpa-masked.yaml",
                                     (dir.path() / "class").string(),
                                     "--out",
                                     out.string(),
                                     "--resume",
                                     "--progress",
                                     "none"};
    args.insert(args.end(), more.begin(), more.end());
    return run_grader(args);
  };
  const auto grade = [&](const std::string& file) {
    const auto r = run({"--seed-secret", file});
    BOOST_TEST(r.exit_code == 0, r.err);
    return r.out;
  };
  // The class's summary says which secret graded it, by the start of its SHA-256 (sha256sum's).
  const std::string graded_with_one = grade(one);
  const std::string digest_of_one =
      test_support::run_process({"/usr/bin/sha256sum", one + "-trimmed"}).out.substr(0, 64);
  BOOST_TEST(contains(graded_with_one, "seeds: each student's own, mixed with the seed secret whose SHA-256 begins " +
                                           digest_of_one.substr(0, 12) + "\n"),
             graded_with_one);
  BOOST_TEST(!contains(graded_with_one, "hint: without --seed-secret"));
  BOOST_TEST(ordered_json::parse(test_support::read_file(out / "summary.json")).at("inputs").at("seed_secret") ==
             digest_of_one);
  const auto result = [&] {
    return ordered_json::parse(test_support::read_file(out / "students/submission/result.json"));
  };
  BOOST_TEST(seed_of(result()) == seed_of(secret));
  BOOST_TEST(contains(grade(one_edited), "1 up to date"));
  const std::string inputs_before = test_support::read_file(out / "students/submission/.inputs");
  for (const auto& [more, has] :
       {std::pair{std::vector<std::string>{"--seed-secret", two},
                  "the seed secret whose SHA-256 begins " +
                      test_support::run_process({"/usr/bin/sha256sum", two}).out.substr(0, 12)},
        {{}, std::string("neither --seed nor --seed-secret")},
        {{"--seed", "7", "--seed-secret", one}, std::string("--seed 7")}}) {
    const auto refused = run(more);
    BOOST_TEST(refused.exit_code == 2);
    BOOST_TEST(contains(refused.err, (out / "students").string() +
                                         " holds results graded with the seed secret whose SHA-256 begins " +
                                         digest_of_one.substr(0, 12) + " (submission), and this run has " + has +
                                         ": its students would meet other random cases than their feedback shows"),
               refused.err);
    BOOST_TEST(test_support::read_file(out / "students/submission/.inputs") == inputs_before);
    BOOST_TEST(fs::exists(out / "summary.json"));
  }
  out = dir.path() / "anew";
  grade(two);
  BOOST_TEST(seed_of(result()) != seed_of(secret));
  for (const auto& f : fs::recursive_directory_iterator(out))
    if (f.is_regular_file()) BOOST_TEST(!contains(test_support::read_file(f.path()), "QW5vdGhlciBzZWNyZXQ"), f.path());
  // Without one, the summary says what a secret is for (random checks only: a carried finding).
  out = dir.path() / "plain";
  const auto plain_run = run({});
  BOOST_TEST(contains(plain_run.out,
                      "hint: without --seed-secret, a student who has this spec can work out the "
                      "random cases of a hand-in before handing it in"),
             plain_run.out);

  // A secret short enough to guess from the seeds shown, or none at all, is refused by every
  // command that takes one, before anything is written.
  const std::string short_one = dir.write("short", "hunter2\n").string();
  const std::string missing = (dir.path() / "no-such-secret").string();
  const fs::path zip = dir.path() / "autograder.zip", out2 = dir.path() / "out2";
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"check", "--spec", "specs/sdpa-masked.yaml", folder.string()},
        {"grade", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "class").string(), "--out", out2.string()},
        {"gradescope-package", "--spec", "specs/sdpa-masked.yaml", "--out", zip.string()}})
    for (const auto& [file, says] :
         {std::pair{short_one,
                    "holds 7 characters, fewer than the 16 a secret needs (a short one could be guessed "
                    "from the seeds feedback shows); make one with: head -c 24 /dev/urandom | base64 > " +
                        short_one},
          {missing,
           "cannot read it (No such file or directory); check the path: every hand-in of an assignment is "
           "graded with the secret it was first graded with (another gives everyone other cases)"}}) {
      std::vector<std::string> args = command;
      args.insert(args.end(), {"--seed-secret", file});
      const auto r = run_grader(args);
      BOOST_TEST_CONTEXT(command[0] << " --seed-secret " << file) {
        BOOST_TEST(r.exit_code == 2);
        BOOST_TEST(contains(r.err, "--seed-secret " + file + ": " + says), r.err);
        BOOST_TEST(r.out.empty(), r.out);
      }
    }
  BOOST_TEST(!fs::exists(zip));
  BOOST_TEST(!fs::exists(out2));
}

BOOST_AUTO_TEST_CASE(a_notebooks_own_draws_at_its_top_level_are_the_same_in_grading_and_in_a_replay) {
  // Found by a hostile helper: the notebook was seeded from its files' seed, or from the seed
  // given to replay an exercise, so what it drew at its top level differed in the replay (and
  // torch.initial_seed() told it its exercises' seeds before any feedback).
  TempDir dir;
  const fs::path folder = dir.path() / "submission";
  fs::copy(test_support::source_path("submissions/sdpa-masked/py-no-scale"), folder);
  std::ofstream(folder / "homework.py", std::ios::app)
      << "\nimport random\nimport numpy as np\nprint('drawn', random.random(), np.random.rand(), float(torch.rand(1)), "
         "torch.initial_seed())\n";
  const std::string secret = dir.write("seed-secret", "V2hhdCBhIHNlY3JldCB0aGlzIGlz\n").string();
  const auto graded = [&](const std::vector<std::string>& more) {
    std::vector<std::string> args = {"check", "--spec", "specs/sdpa-masked.yaml", folder.string(), "--format", "json"};
    args.insert(args.end(), more.begin(), more.end());
    const auto r = run_grader(args);
    BOOST_TEST(r.exit_code == 1, r.err);
    const std::string printed = ordered_json::parse(r.out).value("printed", "");
    std::smatch m;
    BOOST_REQUIRE_MESSAGE(std::regex_search(printed, m, std::regex("drawn [^\\n]*")), printed);
    return std::pair(m[0].str(), test_support::shown_seed(r.out));
  };
  const auto [drawn, seed] = graded({});
  BOOST_TEST(drawn.substr(drawn.size() - 2) == " 0", drawn);  // torch.initial_seed(): no exercise's seed
  BOOST_TEST(graded({"--seed", seed}).first == drawn);
  const auto [with_secret, secret_seed] = graded({"--seed-secret", secret});
  BOOST_TEST(with_secret == drawn);
  BOOST_TEST(secret_seed != seed);
}

BOOST_AUTO_TEST_CASE(a_library_past_the_read_limit_is_seeded_by_its_bytes_not_its_size) {
  // Found by a hostile helper: a libsolution.so of 69 MB (the read limit is 64 MiB) was seeded
  // by its size, so a library padded to one size met the same cases round after round, and a
  // table of the expected values its feedback showed could grow until it passed them all.
  TempDir dir;
  const fs::path built = test_support::build_library(
      dir.path(), "solution",
      test_support::read_file(test_support::source_path("submissions/sdpa-masked/no-scale/solution.cpp")),
      test_support::Language::cxx, "-larmadillo");
  const std::string library = test_support::read_file(built);
  const auto seed_of = [&](const std::string& where, char last) {
    const fs::path folder = dir.path() / where / "submission";
    fs::create_directories(folder);
    std::string padded = library + std::string((std::size_t{65} << 20) - 1, '\0') + last;
    dir.write(where + "/submission/libsolution.so", padded);
    // And a decoy source beside it, never compiled, of 460 MiB (sparse), first by name: it
    // took the whole-file hashing's 512 MiB before the library (found by a hostile helper).
    std::ofstream(folder / "a.c").close();
    fs::resize_file(folder / "a.c", std::uintmax_t{460} << 20);
    const auto r = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", folder.string(), "--format", "json"});
    BOOST_TEST(r.exit_code == 1, r.err);
    return test_support::shown_seed(r.out);
  };
  const std::string a = seed_of("a", 'a');
  BOOST_TEST(seed_of("b", 'b') != a);  // one byte more than 64 MiB in, of the same size
  BOOST_TEST(seed_of("c", 'a') == a);  // the same bytes, the same cases
}

BOOST_AUTO_TEST_CASE(compiled_code_is_seeded_by_all_its_bytes_whatever_lies_beside_it) {
  // Found by a hostile helper: graded files were hashed whole up to 512 MiB in all, then by
  // size. A sparse answer file of 500 MiB (never read: past the read limit) used that up, and
  // a source of 64 MiB beside it, code then padding, kept its seed while its code changed: a
  // lookup table of the cases its feedback showed passed a random check. Now whatever grading
  // reads is hashed whole, and what it never reads counts by its size.
  TempDir dir;
  const auto hand_in = [&](const std::string& where, const std::string& body, std::uintmax_t size) {
    const fs::path folder = dir.path() / where / "submission";
    fs::create_directories(folder);
    for (const char* answer : {"attention_score", "keys", "queries", "softmax_scores", "values", "weighted_states"})
      fs::copy_file(
          test_support::source_path(std::string("submissions/attention-basics/correct-torch-npy/") + answer + ".npy"),
          folder / (std::string(answer) + ".npy"));
    std::ofstream(folder / "attention_weights.npy").close();
    fs::resize_file(folder / "attention_weights.npy", std::uintmax_t{500} << 20);
    std::string code =
        "#include <grader/solution.h>\n"
        "int compute_keys(const grader_tensor *in, int n_in, grader_tensor *out, int n_out,\n"
        "                 char *error, size_t error_size) {\n"
        "  (void)in; (void)n_in; (void)n_out; (void)error; (void)error_size;\n"
        "  for (long long i = 0; i < out[0].shape[0] * out[0].shape[1]; ++i) out[0].data[i] = " +
        body + ";\n  return 0;\n}\n/*";
    code += std::string(size - code.size() - 3, ' ') + "*/\n";
    std::ofstream(folder / "z.c", std::ios::binary) << code;
    BOOST_REQUIRE(fs::file_size(folder / "z.c") == size);
    return run_grader({"check", "--spec", "specs/attention-basics.yaml", folder.string(), "--format", "json"});
  };
  const auto seed_of = [](const test_support::ProcessResult& r) {
    BOOST_TEST(r.exit_code == 1, r.err);
    return test_support::shown_seed(r.out);
  };
  const std::uintmax_t most = std::uintmax_t{64} << 20;
  const std::string zeros = seed_of(hand_in("zeros", "0", most));
  BOOST_TEST(seed_of(hand_in("ones", "1", most)) != zeros);   // other code, of the same size
  BOOST_TEST(seed_of(hand_in("again", "0", most)) == zeros);  // the same code, the same cases
  // A byte more is more than a build compiles: the sources are not read, whatever they hold.
  const auto r = hand_in("larger", "0", most + 1);
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(contains(r.out,
                      "not compiled: the C/C++ sources hold 67108865 bytes in all, more than the 64 MiB a build "
                      "compiles; hand in your code alone"),
             r.out);
}

BOOST_AUTO_TEST_CASE(a_spec_that_grades_notebooks_only_sets_answer_files_and_libraries_aside) {
  // A Python course that wants the notebook itself: `python: {only: true}`.
  TempDir dir;
  const auto only_copy = [&](const std::string& assignment, const std::string& from, const std::string& to) {
    std::string spec = test_support::read_file(test_support::source_path("specs/" + assignment + ".yaml"));
    const auto at = spec.find(from);
    BOOST_TEST_REQUIRE(at != std::string::npos);
    spec.replace(at, from.size(), to);
    fs::copy(test_support::source_path("specs/" + assignment), dir.path() / assignment, fs::copy_options::recursive);
    return dir.write(assignment + ".yaml", spec).string();
  };
  const std::string matrices =
      only_copy("understanding-attention", "  file: A2S1.py\n", "  file: A2S1.py\n  only: true\n");
  const std::string functions = only_copy("sdpa-masked", "\nlibrary:\n", "\npython: {only: true}\nlibrary:\n");

  // The notebook and the answer files: the notebook's answers are graded, the files set aside.
  const fs::path both = dir.path() / "both";
  fs::copy(test_support::source_path("submissions/understanding-attention/colab-py-correct"), both);
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-torch-npy/query121.npy"), both);
  std::ofstream(both / "answers.yaml") << "output: [[1, 2]]\n";  // no answer of the spec: nothing to say of it
  auto r = run_grader({"check", "--spec", matrices, both.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "note: query121.npy is not graded: this assignment takes its answers from A2S1.py only"),
             r.out);
  BOOST_TEST(!contains(r.out, "answers.yaml"), r.out);
  // Answer files alone: every answer is missing, and the student is told what to hand in.
  r = run_grader(
      {"check", "--spec", matrices, "submissions/understanding-attention/correct-torch-npy", "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  const auto files = ordered_json::parse(r.out);
  for (const auto& e : files.at("exercises")) BOOST_TEST(e.at("verdict") == "missing", e.dump());
  BOOST_TEST(files.at("exercises")[0].at("message") == "no answer 'query121': hand in A2S1.py, which defines it");
  // Nothing at all: the notebook is asked for, never the answer files the spec would set aside.
  fs::create_directory(dir.path() / "empty");
  r = run_grader({"check", "--spec", matrices, (dir.path() / "empty").string(), "--format", "json"});
  const auto empty = ordered_json::parse(r.out);
  BOOST_TEST(empty.at("exercises")[0].at("message") == "no answer 'query121': hand in A2S1.py, which defines it",
             r.out);

  // A library's sources are never built: the functions are missing, and no sandbox was needed.
  r = run_grader({"check", "--spec", functions, "submissions/sdpa-masked/correct-c", "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  const auto library = ordered_json::parse(r.out);
  BOOST_TEST(library.at("exercises")[0].at("verdict") == "missing");
  BOOST_TEST(contains(library.at("exercises")[0].at("message").get<std::string>(),
                      "no notebook (.py or .ipynb) in the submission: this assignment grades your notebook, which "
                      "defines scaled_dot_product_attention; a library or C/C++ sources are not graded here"),
             r.out);
  BOOST_TEST(library.at("sandbox").is_null(), r.out);
  // The notebook is graded as before.
  r = run_grader({"check", "--spec", functions, "submissions/sdpa-masked/py-correct-jupyter"});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "score: 8 / 8"), r.out);

  // spec check still checks the reference's files and library, and wants its notebook.
  r = run_grader({"spec", "check", matrices});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  fs::remove(dir.path() / "understanding-attention/solution/A2S1.py");
  r = run_grader({"spec", "check", matrices});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out,
                      "the spec grades notebooks only (python: {only: true}), and its solution folder holds "
                      "none"),
             r.out);
  BOOST_TEST(contains(r.out, "ok    reference solution: "), r.out);  // its answer files pass
}

BOOST_AUTO_TEST_CASE(names_a_function_exercise_lets_its_expressions_read_are_computed_per_case) {
  // Multi-head self-attention, its reference one line over the heads a `let` splits (the
  // instructor's reference was one line of 300 characters), a known mistake through a let of
  // its own; graded against a student's NumPy code, which computes it independently.
  TempDir dir;
  const fs::path spec = dir.write("mhsa.yaml", R"YAML(assignment: {id: mhsa, title: MHSA, version: "1"}
exercises:
  - id: "1"
    title: Multi-head self-attention
    points: 1
    function:
      symbol: mhsa
      inputs:
        - {name: X, shape: [n, d_model]}
        - {name: W_q, shape: [d_model, d_model]}
        - {name: W_k, shape: [d_model, d_model]}
        - {name: W_v, shape: [d_model, d_model]}
      let:
        Q: transpose(reshape(X @ W_q, size(X, 0), heads, -1), 0, 1)
        K: transpose(reshape(X @ W_k, size(X, 0), heads, -1), 0, 1)
        V: transpose(reshape(X @ W_v, size(X, 0), heads, -1), 0, 1)
        unscaled: attention(Q, K, V, scale=1)
      outputs: [{name: Y, shape: [n, d_model], expect: "reshape(transpose(attention(Q, K, V), 0, 1), size(X, 0), -1)"}]
      python: {tensors: numpy, dtype: float64, arguments: [X, W_q, W_k, W_v, {size: heads, keyword: n_heads}]}
    checks:
      - name: random heads
        points: 1
        random: {trials: 30, dims: {n: [1, 4], heads: [1, 4], d_head: [1, 3], d_model: "heads * d_head"}}
    mistakes:
      - outputs: {Y: "reshape(transpose(unscaled, 0, 1), size(X, 0), -1)"}
        message: the scores are not divided by sqrt(d_head)
)YAML");
  const auto student = [&](const std::string& name, const std::string& scale) {
    dir.write(name + "/mhsa.py",
              "import numpy as np\n"
              "def mhsa(X, W_q, W_k, W_v, n_heads):\n"
              "    n, d = X.shape\n"
              "    split = lambda M: (X @ M).reshape(n, n_heads, d // n_heads).transpose(1, 0, 2)\n"
              "    Q, K, V = split(W_q), split(W_k), split(W_v)\n"
              "    S = Q @ K.transpose(0, 2, 1) " +
                  scale +
                  "\n"
                  "    W = np.exp(S - S.max(-1, keepdims=True))\n"
                  "    W /= W.sum(-1, keepdims=True)\n"
                  "    return (W @ V).transpose(1, 0, 2).reshape(n, d)\n");
    return run_grader({"check", "--spec", spec.string(), (dir.path() / name).string()});
  };
  auto r = student("right", "/ np.sqrt(d // n_heads)");
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "score: 1 / 1"), r.out);
  r = student("unscaled", "");
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "the scores are not divided by sqrt(d_head), in random case"), r.out);
  const auto shown = run_grader({"spec", "show", spec.string()});
  BOOST_TEST(contains(shown.out, "    let Q = transpose(reshape(X @ W_q, size(X, 0), heads, -1), 0, 1)\n"), shown.out);
}

BOOST_AUTO_TEST_CASE(a_size_of_each_case_reaches_the_python_function_and_the_reference) {
  // Multi-head attention's split: the number of heads varies from case to case, the width is
  // a multiple of it, and the function takes it as n_heads, as the notebooks write it.
  TempDir dir;
  const fs::path spec = dir.write("heads.yaml", R"YAML(assignment: {id: heads, title: Heads, version: "1"}
data:
  X: [[1, 2, 3, 4], [5, 6, 7, 8]]
exercises:
  - id: "1"
    title: Split into heads, heads first
    points: 2
    function:
      symbol: split_heads
      inputs: [{name: X, shape: [n, d_model]}]
      outputs: [{name: H, shape: [n, d_model], expect: "reshape(transpose(reshape(X, size(X, 0), heads, -1), 0, 1), size(X, 0), -1)"}]
      python: {tensors: numpy, dtype: float64, arguments: [X, {size: heads, keyword: n_heads}]}
    checks:
      - {name: two heads, points: 1, fixed: {X: X}, sizes: {heads: 2}}
      - name: random heads
        points: 1
        random: {trials: 30, dims: {n: [1, 4], heads: [1, 4], d_head: [1, 3], d_model: "heads * d_head"}}
)YAML");
  dir.write("splits/heads.py",
            "def split_heads(X, n_heads):\n    n = X.shape[0]\n"
            "    return X.reshape(n, n_heads, -1).transpose(1, 0, 2).reshape(n, -1)\n");
  dir.write("two-heads/heads.py",
            "def split_heads(X, n_heads):\n    n = X.shape[0]\n"
            "    return X.reshape(n, 2, -1).transpose(1, 0, 2).reshape(n, -1)\n");
  auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "splits").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "score: 2 / 2"), r.out);
  // Two heads always: right where the fixed check gives two, wrong from the first random case
  // (one head) on, which names every size it drew.
  r = run_grader({"check", "--spec", spec.string(), (dir.path() / "two-heads").string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "score: 1 / 2"), r.out);
  BOOST_TEST(contains(r.out, "random case 1 of 30 (d_head=1, d_model=1, heads=1, n=1)"), r.out);
  // The size the function is passed is among the case's inputs (found by a student helper:
  // they showed X alone, never that n_heads was 1).
  BOOST_TEST(contains(r.out, "]]\n    n_heads = 1\n    seed "), r.out);
  const auto shown = run_grader({"spec", "show", spec.string()});
  BOOST_TEST(contains(shown.out, "split_heads(X, n_heads=heads) on numpy float64 arrays"), shown.out);
}

BOOST_AUTO_TEST_CASE(outputs_of_four_axes_are_graded_through_the_specs_read) {
  // Found by an instructor helper: batched multi-head weights (batch, heads, seq, seq) have more
  // axes than a tensor may; the spec's `read` has the grader read them as (batch * heads, seq,
  // seq), where a wrapper in a test cell had failed a student who deleted the test cells.
  TempDir dir;
  const std::string head = R"YAML(assignment: {id: mha, title: MHA, version: "1"}
data:
  torch0: {generator: torch, seed: 0}
  Q: randn(torch0, 2, 3, 4)
  K: randn(torch0, 2, 3, 4)
  V: randn(torch0, 2, 3, 4)
exercises:
  - id: "1"
    title: Multi-head attention
    points: 2
    function:
      symbol: multi_head_attention
      inputs:
        - {name: Q, shape: [batch, seq, d_model]}
        - {name: K, shape: [batch, seq, d_model]}
        - {name: V, shape: [batch, seq, d_model]}
      let:
        Qh: transpose(reshape(transpose(Q, 1, 2), -1, size(Q, 2) / heads, seq))
        Kh: transpose(reshape(transpose(K, 1, 2), -1, size(Q, 2) / heads, seq))
        Vh: transpose(reshape(transpose(V, 1, 2), -1, size(Q, 2) / heads, seq))
      outputs:
        - {name: output, shape: [batch, seq, d_model], expect: "transpose(reshape(transpose(attention(Qh, Kh, Vh)), batch, d_model, seq))"}
        - {name: weights, shape: [bh, seq, seq], expect: "attention_weights(Qh, Kh, Vh)"}
)YAML";
  const std::string tail = R"YAML(    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-5, rtol: 1.0e-5}}
    checks:
      - {name: the notebook's example, points: 1, fixed: {Q: Q, K: K, V: V}, sizes: {heads: 2, bh: 4}}
      - name: random sizes
        points: 1
        random: {trials: 20, dims: {batch: [1, 3], seq: [1, 4], heads: [1, 3], d_head: [1, 3], d_model: "heads * d_head", bh: "batch * heads"}}
    mistakes:
      - outputs: {weights: "attention_weights(Qh, Kh, Vh, scale=1)"}
        message: the scores are not divided by sqrt(d_head)
)YAML";
  const auto spec_with = [&](const std::string& name, const std::string& python) {
    return dir.write(name, head + "      python: {arguments: [Q, K, V, {size: heads, keyword: n_heads}], " + python +
                               "}\n" + tail);
  };
  const fs::path spec = spec_with("mha.yaml", "read: {weights: \"weights.flatten(0, 1)\"}");
  const auto mha = [](const std::string& scale, const std::string& weights) {
    return "import torch\n\ndef multi_head_attention(Q, K, V, n_heads):\n    b, s, d = Q.shape\n"
           "    split = lambda x: x.reshape(b, s, n_heads, d // n_heads).transpose(1, 2)\n"
           "    q, k, v = split(Q), split(K), split(V)\n"
           "    w = torch.softmax(q @ k.transpose(-2, -1)" +
           scale + ", dim=-1)\n    return (w @ v).transpose(1, 2).reshape(b, s, d), " + weights + "\n";
  };
  dir.write("right/mha.py", mha(" / (d // n_heads) ** 0.5", "w"));
  dir.write("no-scale/mha.py", mha("", "w"));
  dir.write("folded/mha.py", mha(" / (d // n_heads) ** 0.5", "w.reshape(-1, s, s)"));
  // The read runs torch's own methods, not the notebook's (found by a hostile helper: a
  // replaced torch.Tensor.flatten ran in the grader's read and chose what it read).
  dir.write("patched/mha.py", mha(" / (d // n_heads) ** 0.5", "w") +
                                  "\ntorch.Tensor.flatten = lambda self, *a: torch.zeros(1)\n"
                                  "torch.flatten = torch.Tensor.flatten\n");
  auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "right").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "score: 2 / 2"), r.out);
  r = run_grader({"check", "--spec", spec.string(), (dir.path() / "patched").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "score: 2 / 2"), r.out);
  r = run_grader({"check", "--spec", spec.string(), (dir.path() / "no-scale").string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "the scores are not divided by sqrt(d_head)"), r.out);
  BOOST_TEST(contains(r.out, "note: the grader reads weights as `weights.flatten(0, 1)` (the exercise's own form of "
                             "it): its shapes and positions here are of that"),
             r.out);
  // Weights already folded are read again: told the shape returned, what the grader made of
  // it and why.
  r = run_grader({"check", "--spec", spec.string(), (dir.path() / "folded").string(), "--format", "json"});
  const auto folded = ordered_json::parse(r.out);
  const auto& example = folded.at("exercises")[0].at("checks")[0];
  BOOST_TEST(example.at("verdict") == "wrong_shape", example.dump());
  BOOST_TEST(contains(example.at("message").get<std::string>(),
                      "weights has shape (4, 3, 3), which the grader reads as weights.flatten(0, 1) (the exercise's "
                      "own form of it), of shape (12, 3) but (4, 3, 3) is expected: return weights in the form the "
                      "exercise asks for"),
             example.dump());
  // A read that is no Python is the spec's fault, said before any notebook runs; one of an
  // output the function does not have is refused at load, with the name meant.
  r = run_grader({"check", "--spec", spec_with("bad.yaml", "read: {weights: \"weights.flatten(0, 1\"}").string(),
                  (dir.path() / "right").string()});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(contains(r.err, "the spec's python read 'weights.flatten(0, 1' of multi_head_attention is not a Python "
                             "expression"),
             r.err);
  r = run_grader({"check", "--spec", spec_with("typo.yaml", "read: {weight: \"weight.flatten(0, 1)\"}").string(),
                  (dir.path() / "right").string()});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(contains(r.err, "python read 'weight' is not an output; did you mean 'weights'?"), r.err);
  // A read that is Python but names what it cannot see would make every student's output
  // unreadable: the spec's fault too, with the name meant.
  r = run_grader({"check", "--spec", spec_with("name.yaml", "read: {weights: \"weigths.flatten(0, 1)\"}").string(),
                  (dir.path() / "right").string()});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(contains(r.err,
                      "the spec's python read 'weigths.flatten(0, 1)' of multi_head_attention's output weights "
                      "names weigths, which is not weights, torch, np or a Python builtin: fix it in the spec; "
                      "did you mean 'weights'?"),
             r.err);
  // What the expression binds itself, and the builtins, are names it may use.
  r = run_grader(
      {"check", "--spec",
       spec_with("bound.yaml", "read: {weights: \"torch.stack([w for w in weights]).flatten(0, 1)\"}").string(),
       (dir.path() / "right").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  const auto shown = run_grader({"spec", "show", spec.string()});
  BOOST_TEST(contains(shown.out, "n_heads=heads) on torch float32 tensors; weights read as weights.flatten(0, 1)"),
             shown.out);
}

BOOST_AUTO_TEST_CASE(a_function_of_sizes_alone_is_graded_from_python_and_c) {
  // Found by an instructor helper: sinusoidal_positions(n, d) takes two ints and no tensor, and
  // could be graded only as fixed tables read as answers. The right hand-ins compute the
  // Transformer's formula in NumPy and in C, independently of the spec's expression of it.
  TempDir dir;
  const fs::path spec = dir.write("pe.yaml", R"YAML(assignment: {id: pe, title: Positions, version: "1"}
exercises:
  - id: "1"
    title: Sinusoidal positions
    points: 3
    function:
      symbol: sinusoidal_positions
      inputs: []
      let:
        angles: "reshape(arange(n), n, 1) / 10000 ** (arange(0, d, 2) / d)"
      outputs:
        - {name: pe, shape: [n, d], expect: "reshape(stack(sin(angles), cos(angles), dim=2), n, d)"}
      python: {tensors: numpy, arguments: [{size: n}, {size: d}]}
    checks:
      - {name: a table of 7 x 8, points: 1, sizes: {n: 7, d: 8}}
      - name: random sizes
        points: 2
        random: {trials: 20, dims: {n: [1, 30], half: [1, 16], d: "2 * half"}}
    mistakes:
      - outputs: {pe: "reshape(stack(cos(angles), sin(angles), dim=2), n, d)"}
        message: sin and cos are swapped (sin goes on the even columns)
)YAML");
  const std::string numpy =
      "import numpy as np\n\ndef sinusoidal_positions(n, d):\n"
      "    angles = np.arange(n)[:, None] / np.power(10000, np.arange(0, d, 2) / d)\n"
      "    pe = np.zeros((n, d))\n    pe[:, 0::2] = np.SIN(angles)\n    pe[:, 1::2] = np.COS(angles)\n"
      "    return pe\n";
  const auto with = [&](std::string text, const std::string& first, const std::string& second) {
    text.replace(text.find("SIN"), 3, first);
    text.replace(text.find("COS"), 3, second);
    return text;
  };
  dir.write("right/hw.py", with(numpy, "sin", "cos"));
  dir.write("swapped/hw.py", with(numpy, "cos", "sin"));
  dir.write("c/solution.c",
            "#include <grader/solution.h>\n#include <math.h>\n#include <stdio.h>\n"
            "int sinusoidal_positions(const grader_tensor *in, int n_in, grader_tensor *out, int n_out,\n"
            "                         char *error, size_t error_size) {\n"
            "  (void)in;\n"
            "  if (n_in != 0 || n_out != 1) { snprintf(error, error_size, \"no inputs, one output\"); return 1; }\n"
            "  long long n = out[0].shape[0], d = out[0].shape[1];\n"
            "  for (long long p = 0; p < n; ++p)\n"
            "    for (long long j = 0; j < d; ++j) {\n"
            "      double a = p / pow(10000.0, (double)(j - j % 2) / d);\n"
            "      out[0].data[p * d + j] = j % 2 ? cos(a) : sin(a);\n"
            "    }\n"
            "  return 0;\n}\n");
  for (const char* right : {"right", "c"}) {
    const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / right).string()});
    BOOST_TEST(r.exit_code == 0, right << ": " << r.out << r.err);
    BOOST_TEST(contains(r.out, "score: 3 / 3"), r.out);
  }
  const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "swapped").string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "a table of 7 x 8: sin and cos are swapped (sin goes on the even columns)"), r.out);
  BOOST_TEST(contains(r.out, "score: 0 / 3"), r.out);
  // The spec proves itself, with nothing to say of libraries: a C function reads the sizes
  // from its output's shape.
  const auto checked = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(checked.exit_code == 0, checked.out << checked.err);
  BOOST_TEST(!contains(checked.out, "library hand-ins"), checked.out);
  const auto shown = run_grader({"spec", "show", spec.string()});
  BOOST_TEST(shown.exit_code == 0, shown.err);
  BOOST_TEST(contains(shown.out, "a notebook's sinusoidal_positions(n, d) on numpy float64 arrays"), shown.out);
  // A check that gives no size the outputs need says which, and how.
  std::string text = test_support::read_file(spec);
  text.replace(text.find("sizes: {n: 7, d: 8}"), 19, "sizes: {n: 7}");
  const auto bad = run_grader({"spec", "check", dir.write("bad.yaml", text).string()});
  BOOST_TEST(bad.exit_code == 2, bad.out << bad.err);
  BOOST_TEST(contains(bad.err,
                      "output pe uses size 'd', which no input has and check 'a table of 7 x 8' does not "
                      "give (in its sizes: {d: 2})"),
             bad.err);
}

BOOST_AUTO_TEST_CASE(a_property_check_judges_the_shapes_of_the_outputs_it_reads_only) {
  // Found by an instructor helper: weights returned transposed failed every check of the
  // exercise, a property of the output alone too, where the output was right.
  TempDir dir;
  const fs::path spec = dir.write("cross.yaml", R"YAML(assignment: {id: cross, title: Cross, version: "1"}
exercises:
  - id: "1"
    title: Cross-attention
    points: 2
    function:
      symbol: cross_attention
      inputs:
        - {name: Q, shape: [n, d]}
        - {name: K, shape: [m, d]}
        - {name: V, shape: [m, d]}
      outputs:
        - {name: out, shape: [n, d], expect: "attention(Q, K, V)"}
        - {name: weights, shape: [n, m], expect: "attention_weights(Q, K, V)"}
      python: {tensors: numpy}
    checks:
      - name: both outputs
        points: 1
        random: {trials: 5, dims: {n: [2, 4], m: [5, 7], d: [1, 3]}}
      - name: the output alone
        points: 1
        random: {trials: 5, dims: {n: [2, 4], m: [5, 7], d: [1, 3]}}
        property: {got: out, expect: "attention(Q, K, V)"}
)YAML");
  dir.write("transposed/hw.py",
            "import numpy as np\n\ndef cross_attention(Q, K, V):\n"
            "    s = Q @ K.T / np.sqrt(Q.shape[1])\n    w = np.exp(s - s.max(1, keepdims=True))\n"
            "    w = w / w.sum(1, keepdims=True)\n    return w @ V, w.T\n");
  const auto r =
      run_grader({"check", "--spec", spec.string(), (dir.path() / "transposed").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  const auto checks = ordered_json::parse(r.out).at("exercises")[0].at("checks");
  BOOST_TEST(checks[0].at("verdict") == "wrong_shape", checks.dump());
  BOOST_TEST(contains(checks[0].at("message").get<std::string>(), "is it transposed?"), checks.dump());
  BOOST_TEST(checks[1].at("verdict") == "passed", checks.dump());
}

BOOST_AUTO_TEST_SUITE_END()
