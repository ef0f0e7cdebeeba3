// `grader grade` and `grader merge` end to end, and every report format: the real executable
// on real class folders (copies of the bundled samples), interrupted and killed for real.
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "support/fixtures.hpp"
#include "support/inert.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using test_support::Background;
using test_support::read_file;
using test_support::run_grader;
using test_support::TempDir;

namespace {

using test_support::contains;

const std::string kMatrixSpec = "specs/understanding-attention.yaml";

/// A class folder: `copies` copies of every bundled sample of `assignment`, named
/// <sample>-<n> (or <sample> when copies is 1).
/// True if the sample folder hands in a notebook (.py or .ipynb).
bool is_notebook_sample(const fs::path& sample) {
  for (const auto& f : fs::directory_iterator(sample))
    if (f.path().extension() == ".py" || f.path().extension() == ".ipynb") return true;
  return false;
}

/// A class of `copies` of every bundled sample of `assignment`: those handing in files and
/// libraries, or with `notebooks` those handing in notebooks.
void make_class(const fs::path& root, const std::string& assignment, int copies, bool notebooks = false) {
  fs::create_directories(root);
  for (const auto& sample : fs::directory_iterator(test_support::source_path("submissions/" + assignment))) {
    if (!sample.is_directory() || is_notebook_sample(sample.path()) != notebooks) continue;
    for (int n = 0; n < copies; ++n) {
      const std::string name = sample.path().filename().string() + (copies > 1 ? "-" + std::to_string(n) : "");
      fs::copy(sample.path(), root / name, fs::copy_options::recursive);
    }
  }
}

/// What does not depend on the run: no timings, sandbox, version or folder.
void normalize(ordered_json& j) {
  if (j.is_object()) {
    for (const char* key : {"seconds", "sandbox", "grader_version", "submission", "execution_time"}) j.erase(key);
    for (auto& [k, v] : j.items()) normalize(v);
  } else if (j.is_array()) {
    for (auto& v : j) normalize(v);
  }
}

ordered_json load(const fs::path& file) { return ordered_json::parse(read_file(file)); }

/// Every file under `dir` whose name marks an unfinished atomic write.
std::vector<fs::path> temporaries(const fs::path& dir) {
  std::vector<fs::path> found;
  if (!fs::exists(dir)) return found;  // killed before it made the folder
  const std::regex temp(R"(\..*\.tmp-......)");
  for (const auto& f : fs::recursive_directory_iterator(dir))
    if (std::regex_match(f.path().filename().string(), temp)) found.push_back(f.path());
  return found;
}

std::size_t count_graded(const fs::path& out) {
  std::size_t n = 0;
  if (!fs::exists(out / "students")) return 0;
  for (const auto& s : fs::directory_iterator(out / "students")) n += fs::exists(s.path() / ".inputs");
  return n;
}

/// How many generations of processes run below `pid` (its children 1, theirs 2, ...), read
/// from /proc: a grader whose Python zygote has forked a hand-in's child has 2 or more.
int generations_below(int pid) {
  std::map<int, std::vector<int>> children;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) continue;
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    char state = 0;
    int parent = 0;
    if (rest >> state >> parent) children[parent].push_back(std::stoi(name));
  }
  int deepest = 0;
  std::vector<std::pair<int, int>> todo{{pid, 0}};
  while (!todo.empty()) {
    const auto [p, depth] = todo.back();
    todo.pop_back();
    deepest = std::max(deepest, depth);
    for (const int c : children[p]) todo.push_back({c, depth + 1});
  }
  return deepest;
}

bool is_failure(const std::string& verdict) {
  return verdict == "wrong" || verdict == "wrong_shape" || verdict == "non_finite";
}

/// Gradescope's autograder specification: the fields and values it accepts.
void validate_gradescope(const ordered_json& g, const ordered_json& native) {
  BOOST_TEST(g.at("score").is_number());
  BOOST_TEST(g.at("score").get<double>() == native.at("score").get<double>());
  BOOST_TEST(g.at("execution_time").is_number());
  BOOST_TEST(g.at("output").is_string());
  const std::set<std::string> visibilities{"hidden", "after_due_date", "after_published", "visible"};
  BOOST_TEST(visibilities.count(g.at("visibility").get<std::string>()) == 1u);
  BOOST_TEST(visibilities.count(g.at("stdout_visibility").get<std::string>()) == 1u);
  const auto& tests = g.at("tests");
  BOOST_REQUIRE(tests.size() == native.at("exercises").size());
  double sum = 0;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    const auto& t = tests[i];
    const auto& e = native.at("exercises")[i];
    BOOST_TEST(t.at("name") == e.at("title"));  // Gradescope shows the number (the id) before it
    BOOST_TEST(t.at("number") == e.at("id"));
    BOOST_TEST(t.at("score") == e.at("score"));
    BOOST_TEST(t.at("max_score") == e.at("max_score"));
    BOOST_TEST(t.at("status") == (e.at("verdict") == "passed" ? "passed" : "failed"));
    BOOST_TEST(t.at("output").is_string());
    BOOST_TEST(visibilities.count(t.at("visibility").get<std::string>()) == 1u);
    sum += t.at("score").get<double>();
  }
  BOOST_TEST(sum == g.at("score").get<double>(), boost::test_tools::tolerance(1e-12));
}

/// PrairieLearn's external grading results.
void validate_prairielearn(const ordered_json& p, const ordered_json& native) {
  BOOST_TEST(p.at("gradable") == true);
  const double score = p.at("score").get<double>();
  BOOST_TEST(score >= 0.0);
  BOOST_TEST(score <= 1.0);
  BOOST_TEST(score == native.at("score").get<double>() / native.at("max_score").get<double>(),
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(p.at("message").is_string());
  BOOST_REQUIRE(p.at("tests").size() == native.at("exercises").size());
  for (std::size_t i = 0; i < p.at("tests").size(); ++i) {
    const auto& t = p.at("tests")[i];
    BOOST_TEST(t.at("name").is_string());
    BOOST_TEST(t.at("points") == native.at("exercises")[i].at("score"));
    BOOST_TEST(t.at("max_points") == native.at("exercises")[i].at("max_score"));
    BOOST_TEST(t.at("message").is_string());
    BOOST_TEST(t.at("output").is_string());
  }
}

/// JUnit XML: well formed; one testsuite; a testcase per check; failure for wrong answers,
/// error for the rest; the counts in the attributes agree.
void validate_junit(const std::string& xml, const ordered_json& native) {
  pugi::xml_document doc;
  const auto parsed = doc.load_string(xml.c_str());
  BOOST_REQUIRE_MESSAGE(parsed, "JUnit XML does not parse: " << parsed.description());
  const auto suites = doc.child("testsuites");
  BOOST_REQUIRE(suites);
  const auto suite = suites.child("testsuite");
  BOOST_REQUIRE(suite);
  BOOST_TEST(suite.next_sibling("testsuite").empty());
  BOOST_TEST(suite.attribute("name").value() == native.at("assignment").get<std::string>());
  std::size_t checks = 0, failures = 0, errors = 0;
  for (const auto& e : native.at("exercises"))
    for (const auto& c : e.at("checks")) {
      ++checks;
      const std::string v = c.at("verdict");
      // A check worth no points, in an exercise worth some, is for information: it fails nothing.
      const bool counts = c.at("max_score").get<double>() > 0 || e.at("max_score").get<double>() == 0;
      failures += counts && is_failure(v);
      errors += counts && v != "passed" && v != "skipped" && !is_failure(v);
    }
  std::size_t cases = 0, seen_failures = 0, seen_errors = 0;
  for (const auto& tc : suite.children("testcase")) {
    ++cases;
    BOOST_TEST(std::string(tc.attribute("classname").value()) == native.at("assignment").get<std::string>());
    seen_failures += !tc.child("failure").empty();
    seen_errors += !tc.child("error").empty();
  }
  BOOST_TEST(cases == checks);
  BOOST_TEST(seen_failures == failures);
  BOOST_TEST(seen_errors == errors);
  BOOST_TEST(suite.attribute("tests").as_ullong() == checks);
  BOOST_TEST(suite.attribute("failures").as_ullong() == failures);
  BOOST_TEST(suite.attribute("errors").as_ullong() == errors);
}

void validate_markdown(const std::string& md, const ordered_json& native) {
  BOOST_TEST(contains(md, "| | exercise | points | verdict | message |"));
  for (const auto& e : native.at("exercises")) {
    BOOST_TEST(contains(md, "| " + e.at("id").get<std::string>() + " "));
    if (e.at("verdict") != "passed")
      BOOST_TEST(contains(md, "<details><summary>" + e.at("id").get<std::string>() + " "));
  }
}

/// Splits a line of CSV without quoted fields.
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
    out.push_back(line.substr(start, comma - start));
  out.push_back(line.substr(start));
  return out;
}

/// The gradebook's header and row for one result: student, one score per exercise, total, max.
void validate_csv(const std::string& csv, const ordered_json& native, const std::string& student) {
  const auto newline = csv.find('\n');
  BOOST_REQUIRE(newline != std::string::npos);
  const auto header = fields(csv.substr(0, newline));
  const auto row = fields(csv.substr(newline + 1, csv.find('\n', newline + 1) - newline - 1));
  const auto& exercises = native.at("exercises");
  BOOST_REQUIRE(header.size() == exercises.size() + 3);
  BOOST_REQUIRE(row.size() == header.size());
  BOOST_TEST(header.front() == "student");
  BOOST_TEST(row.front() == student);
  for (std::size_t i = 0; i < exercises.size(); ++i) {
    BOOST_TEST(header[i + 1] == exercises[i].at("id").get<std::string>());
    BOOST_TEST(std::stod(row[i + 1]) == exercises[i].at("score").get<double>());
  }
  BOOST_TEST(header[header.size() - 2] == "total");
  BOOST_TEST(std::stod(row[row.size() - 2]) == native.at("score").get<double>());
  BOOST_TEST(header.back() == "max");
  BOOST_TEST(std::stod(row.back()) == native.at("max_score").get<double>());
}

void write_file(const fs::path& path, const std::string& content) { std::ofstream(path, std::ios::binary) << content; }

std::vector<std::string> grade_args(const fs::path& root, const fs::path& out, const std::string& spec = kMatrixSpec) {
  return {"grade", "--spec", spec, root.string(), "--out", out.string(), "--progress", "none"};
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// Grades `root` in two shards, `prefix`0 and `prefix`1 in `dir`; returns the command that
/// merges them into `out`.
std::vector<std::string> two_shards(const fs::path& root, const fs::path& dir, const std::string& prefix,
                                    const fs::path& out) {
  std::vector<std::string> merge = {"merge", "--out", out.string()};
  for (const std::string shard : {"0/2", "1/2"}) {
    const fs::path shard_out = dir / (prefix + shard.substr(0, 1));
    BOOST_TEST(run_grader(with(grade_args(root, shard_out), {"--shard", shard})).exit_code == 0);
    merge.push_back(shard_out.string());
  }
  return merge;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(grade_command)

BOOST_AUTO_TEST_CASE(a_class_gets_the_results_of_single_checks_whatever_the_number_of_jobs) {
  TempDir dir;
  make_class(dir.path() / "class", "understanding-attention", 1);
  for (const std::string jobs : {"1", "4"}) {
    const auto r = run_grader(with(grade_args(dir.path() / "class", dir.path() / ("out" + jobs)), {"--jobs", jobs}));
    BOOST_TEST(r.exit_code == 0, r.err);
    // More jobs than cores is said (found by a TA helper: slower, without a word).
    BOOST_TEST(
        contains(r.err, "is more than this machine's") == (std::stoul(jobs) > std::thread::hardware_concurrency()),
        r.err);
    BOOST_TEST(contains(r.out, "8 students, 3 passed everything"), r.out);
    BOOST_TEST(contains(r.out, "8 graded, 0 up to date"), r.out);
  }
  BOOST_TEST(read_file(dir.path() / "out1/gradebook.csv") == read_file(dir.path() / "out4/gradebook.csv"));
  BOOST_TEST(read_file(dir.path() / "out1/summary.json") == read_file(dir.path() / "out4/summary.json"));
  // Each student's result is the one `grader check` gives (the goldens).
  for (const auto& s : fs::directory_iterator(dir.path() / "class")) {
    const std::string student = s.path().filename().string();
    auto got = load(dir.path() / "out4/students" / student / "result.json");
    auto want = load(test_support::source_path("tests/golden/understanding-attention/" + student + "/expected.json"));
    normalize(got);
    normalize(want);
    BOOST_TEST(got == want, student);
  }
  // The gradebook, spelled out.
  BOOST_TEST(read_file(dir.path() / "out1/gradebook.csv") ==
             "student,1.2.1,1.2.2,1.3.1,1.3.2,1.4.1,1.4.2,total,max\n"
             "correct-answers-yaml,1,1,1,1,1,1,6,6\n"
             "correct-csv,1,1,1,1,1,1,6,6\n"
             "correct-torch-npy,1,1,1,1,1,1,6,6\n"
             "corrupt-file,0,1,0,1,1,1,4,6\n"
             "missing-answer,1,1,1,0,0,0,3,6\n"
             "scale-too-small,0,0,1,1,1,1,4,6\n"
             "wrong-row,0,1,1,1,1,1,5,6\n"
             "wrong-shape,1,0,1,1,1,1,5,6\n");
  const auto summary = load(dir.path() / "out1/summary.json");
  BOOST_TEST(summary.at("students") == 8);
  BOOST_TEST(summary.at("exercises")[0].at("pass_rate").get<double>() == 5.0 / 8, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(summary.at("exercises")[0].at("verdicts")[0].at("name") == "passed");
  // Whole scores of at most 20 points: a bin per score (found by a TA helper: of 6 points, the
  // scores 1 and 2 were in "0.6 - 1.2" and "1.8 - 2.4").
  const auto& histogram = summary.at("histogram");
  BOOST_REQUIRE(histogram.size() == 7u);
  const std::vector<std::size_t> counts{0, 0, 0, 1, 2, 2, 3};  // the totals of the gradebook above
  for (std::size_t b = 0; b < histogram.size(); ++b) {
    BOOST_TEST(histogram[b].at("from") == b);
    BOOST_TEST(histogram[b].at("to") == b);
    BOOST_TEST(histogram[b].at("count") == counts[b], histogram.dump());
  }
}

/// Grades a class of `assignment`'s samples in every format and checks each student's files
/// against the goldens and each other.
/// Returns what the run printed: the class summary.
std::string grade_every_format(const std::string& assignment, bool notebooks, const std::string& progress) {
  TempDir dir;
  make_class(dir.path() / "class", assignment, 1, notebooks);
  const auto r = run_grader({"grade", "--spec", "specs/" + assignment + ".yaml", (dir.path() / "class").string(),
                             "--out", (dir.path() / "out").string(), "--format",
                             "json,text,gradescope,prairielearn,junit,markdown,csv", "--progress", "lines"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.err, progress), r.err);
  for (const auto& s : fs::directory_iterator(dir.path() / "class")) {
    const std::string student = s.path().filename().string();
    BOOST_TEST_CONTEXT(student) {
      const fs::path files = dir.path() / "out/students" / student;
      const auto native = load(files / "result.json");
      auto got = native;
      auto want = load(test_support::source_path("tests/golden/" + assignment + "/" + student + "/expected.json"));
      normalize(got);
      normalize(want);
      BOOST_TEST(got == want);  // the crashes and endless loops of others changed nothing
      validate_gradescope(load(files / "gradescope.json"), native);
      validate_prairielearn(load(files / "prairielearn.json"), native);
      validate_junit(read_file(files / "junit.xml"), native);
      validate_markdown(read_file(files / "summary.md"), native);
      validate_csv(read_file(files / "result.csv"), native, student);
      const std::string feedback = read_file(files / "feedback.txt");
      BOOST_TEST(contains(feedback, "score: "));
      // The student's folder, not the grader's paths: the file goes to the student.
      BOOST_TEST(contains(feedback, "\nsubmission: " + student + "\n"), feedback);
      BOOST_TEST(!contains(feedback, dir.path().string()), feedback);
      BOOST_TEST(native["submission"] == student);
    }
  }
  return r.out;
}

BOOST_AUTO_TEST_CASE(library_class_with_hostile_students_writes_every_format) {
  const std::string summary = grade_every_format("sdpa-masked", false, "8/8 submissions");
  // Every failing verdict, and three mistakes met once each: none named as the most common.
  BOOST_TEST(contains(summary,
                      "wrong x3, compile_error x1, crashed x1, timed_out x1; 3 known mistakes, x1 each "
                      "(summary.json lists them)\n"),
             summary);
}

BOOST_AUTO_TEST_CASE(notebook_classes_with_unfinished_wrong_and_hanging_students_write_every_format) {
  // PyTorch .py and .ipynb hand-ins of the homework (one hangs on larger batches), the UDL
  // nbgrader notebook (finished, unfinished, in the rows convention), and A2S1.py from Colab
  // and Jupyter: each gets exactly what `grader check` gives it alone.
  grade_every_format("sdpa-masked", true, "10/10 submissions");
  grade_every_format("udl-self-attention", true, "3/3 submissions");
  grade_every_format("understanding-attention", true, "4/4 submissions");
  grade_every_format("attention-basics", true, "2/2 submissions");
}

BOOST_AUTO_TEST_CASE(the_class_summary_gives_means_to_two_decimals) {
  // Found by an instructor helper: "0.666667 / 1" pushed the summary table's columns over.
  TempDir dir;
  for (const std::string sample : {"correct-csv", "correct-answers-yaml", "wrong-row"}) {
    fs::create_directories(dir.path() / "class");
    fs::copy(test_support::source_path("submissions/understanding-attention/" + sample), dir.path() / "class" / sample,
             fs::copy_options::recursive);
  }
  const auto r = run_grader({"grade", "--spec", kMatrixSpec, (dir.path() / "class").string(), "--out",
                             (dir.path() / "out").string(), "--progress", "none"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "0.67 / 1"), r.out);
  BOOST_TEST(!contains(r.out, "0.666667"), r.out);
  BOOST_TEST(!contains(r.out, "--seed-secret"), r.out);  // no random cases: nothing to hint at
  // Of whole scores, one bar per score; of scores with fractions, tenths of the maximum.
  BOOST_TEST(contains(r.out, "\n  score histogram\n  0     0  \n  1     0  \n"), r.out);
  std::string spec = read_file(test_support::source_path(kMatrixSpec));
  spec.replace(spec.find("    points: 1\n"), 14, "    points: 1.5\n");
  const auto halves =
      run_grader({"grade", "--spec", dir.write("halves.yaml", spec).string(), (dir.path() / "class").string(), "--out",
                  (dir.path() / "halves").string(), "--progress", "none"});
  BOOST_TEST(halves.exit_code == 0, halves.err);
  const auto histogram = load(dir.path() / "halves/summary.json").at("histogram");
  BOOST_REQUIRE(histogram.size() == 10u);
  BOOST_TEST(histogram[9].at("from") == 5.85);
  BOOST_TEST(histogram[9].at("to") == 6.5);
  BOOST_TEST(histogram[9].at("count") == 2);  // 6.5 of 6.5, the maximum, in the last
  BOOST_TEST(histogram[7].at("count") == 1);  // 5 of 6.5: [4.55, 5.2)
  BOOST_TEST(contains(halves.out, "\n  score histogram\n  0 - 0.65   "), halves.out);
}

BOOST_AUTO_TEST_CASE(the_progress_bar_guesses_the_time_left_only_from_graded_submissions) {
  // Found by a TA: the first estimate counted the spec's loading and Python's start as the
  // time of one submission, and came out several times too long.
  TempDir dir;
  make_class(dir.path() / "class", "understanding-attention", 2);
  const auto r = run_grader({"grade", "--spec", kMatrixSpec, (dir.path() / "class").string(), "--out",
                             (dir.path() / "out").string(), "--progress", "bar"});
  BOOST_TEST(r.exit_code == 0, r.err);
  std::vector<std::string> updates;
  for (std::size_t at = 0, next; at < r.err.size(); at = next + 1) {
    next = std::min(r.err.find_first_of("\r\n", at), r.err.size());
    if (r.err.compare(at, 1, "[") == 0) updates.push_back(r.err.substr(at, next - at));
  }
  BOOST_TEST_REQUIRE(!updates.empty(), r.err);
  BOOST_TEST(contains(updates.front(), " 1/"), updates.front());  // the first is always shown
  BOOST_TEST(contains(updates.front(), "-/s  ETA ?"), updates.front());
  BOOST_TEST(contains(updates.back(), "ETA 0 s"), updates.back());
  BOOST_TEST(!contains(updates.back(), "-/s"), updates.back());
}

BOOST_AUTO_TEST_CASE(resume_regrades_only_what_changed_and_gives_the_gradebook_of_a_clean_run) {
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  make_class(root, "understanding-attention", 3);
  BOOST_TEST(run_grader(grade_args(root, out)).exit_code == 0);
  const auto resume = with(grade_args(root, out), {"--resume"});
  auto r = run_grader(resume);  // unchanged: nothing is graded again
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(contains(r.out, "0 graded, 24 up to date"), r.out);
  // A student fixes an answer, another's result is lost, a third adds a file.
  fs::remove(root / "wrong-row-1/query121.npy");
  fs::copy_file(root / "correct-csv-0/query121.csv", root / "wrong-row-1/query121.csv");
  fs::remove(out / "students/missing-answer-2/result.json");
  std::ofstream(root / "corrupt-file-0/notes.txt") << "hello\n";
  r = run_grader(resume);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(contains(r.out, "3 graded, 21 up to date"), r.out);
  BOOST_TEST(contains(read_file(out / "gradebook.csv"), "\nwrong-row-1,1,1,1,1,1,1,6,6\n"));
  BOOST_TEST(contains(r.out,
                      "2 regraded because what they depend on changed (the submission's files: 2): corrupt-file-0, "
                      "wrong-row-1\n"),
             r.out);
  BOOST_TEST(contains(r.out, "1 graded again with unchanged inputs"), r.out);
  // Whose score moved, for the TA who uploads those again: the one who fixed an answer (a new
  // file alone, or a result lost and graded again, moves none).
  BOOST_TEST(contains(r.out, "  1 with another score than before: wrong-row-1 5 -> 6\n"), r.out);
  BOOST_TEST(run_grader(grade_args(root, dir.path() / "clean")).exit_code == 0);
  BOOST_TEST(read_file(out / "gradebook.csv") == read_file(dir.path() / "clean/gradebook.csv"));
  // summary.json too, but for how this run came by its results.
  auto resumed = load(out / "summary.json"), clean = load(dir.path() / "clean/summary.json");
  BOOST_TEST(resumed.at("run") == ordered_json::parse(R"({"graded": 3, "new": 0, "changed": 2, "again": 1,
      "up_to_date": 21, "rewritten": 0, "changed_inputs": {"submission": 2, "grader": 0, "spec": 0, "data": 0, "seed": 0,
      "seed_secret": 0, "read_limit": 0, "formats": 0},
      "changed_students": ["corrupt-file-0", "wrong-row-1"],
      "rescored": [{"student": "wrong-row-1", "before": 5, "after": 6}]})"));
  BOOST_TEST(clean.at("run").at("new") == 24);
  resumed.erase("run");
  clean.erase("run");
  BOOST_TEST(resumed == clean);
  // Other formats alone: nobody is graded again; the reports are written from the results
  // kept, as a clean run writes them (found by an instructor helper: every notebook ran again).
  // (Spaces after the commas, as a TA types them, are no part of a format's name.)
  r = run_grader(with(resume, {"--format", "junit, text"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "0 graded, 24 up to date"), r.out);
  // ... and says so (found by a TA helper: "0 graded" alone hid that every report changed).
  BOOST_TEST(contains(r.out, "24 kept, their reports written again for the formats asked for (--format)"), r.out);
  BOOST_TEST(load(out / "summary.json").at("run").at("rewritten") == 24);
  BOOST_TEST(fs::exists(out / "students/wrong-row-1/junit.xml"));
  BOOST_TEST(run_grader(with(grade_args(root, dir.path() / "clean-junit"), {"--format", "junit,text"})).exit_code == 0);
  BOOST_TEST(read_file(out / "students/wrong-row-1/feedback.txt") ==
             read_file(dir.path() / "clean-junit/students/wrong-row-1/feedback.txt"));
  r = run_grader(resume);  // and back: the reports of formats no longer asked for go
  BOOST_TEST(contains(r.out, "0 graded, 24 up to date"), r.out);
  BOOST_TEST(!fs::exists(out / "students/wrong-row-1/junit.xml"));
  // Another spec (here: the same with a comment) regrades everyone.
  const auto spec = dir.write("spec.yaml", read_file(test_support::source_path(kMatrixSpec)) + "# revised\n");
  r = run_grader(with(grade_args(root, out, spec.string()), {"--resume"}));
  BOOST_TEST(contains(r.out, "24 graded, 0 up to date"), r.out);
  BOOST_TEST(contains(r.out, "24 regraded because what they depend on changed (the spec: 24)"), r.out);
}

BOOST_AUTO_TEST_CASE(killed_at_any_moment_it_loses_nothing_finished_and_leaves_nothing_half_written) {
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  make_class(root, "understanding-attention", 40);  // 320 submissions
  const auto grade = with(grade_args(root, out), {"--resume", "--format", "junit,gradescope"});
  std::mt19937 random(20261122);
  int killed_midway = 0;
  for (int round = 0; round < 25 && count_graded(out) < 320; ++round) {
    Background grader(grade);
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 40000)(random)));
    grader.signal(SIGKILL);
    const auto r = grader.wait();
    killed_midway += r.exit_code == 128 + SIGKILL;
    BOOST_TEST(temporaries(out).empty(), "round " << round);
    // A gradebook only of a class graded whole: a kill can land after it is written, as the
    // grader prints its summary and exits (seen once in 'make test': round of a complete run).
    BOOST_TEST(!(r.exit_code == 128 + SIGKILL && fs::exists(out / "gradebook.csv") && count_graded(out) < 320),
               "round " << round);
    if (!fs::exists(out / "students")) continue;
    // Every student with a fingerprint has all of its files, complete.
    for (const auto& s : fs::directory_iterator(out / "students")) {
      if (!fs::exists(s.path() / ".inputs")) continue;
      BOOST_TEST(load(s.path() / "result.json").at("exercises").size() == 6u);
      BOOST_TEST(load(s.path() / "gradescope.json").at("tests").size() == 6u);
      pugi::xml_document junit;
      BOOST_TEST(static_cast<bool>(junit.load_file((s.path() / "junit.xml").c_str())));
    }
  }
  BOOST_TEST(killed_midway > 0);
  const auto finish = run_grader(grade);
  BOOST_TEST(finish.exit_code == 0, finish.err);
  BOOST_TEST(run_grader(grade_args(root, dir.path() / "clean")).exit_code == 0);
  BOOST_TEST(read_file(out / "gradebook.csv") == read_file(dir.path() / "clean/gradebook.csv"));
}

BOOST_AUTO_TEST_CASE(resume_notices_a_folder_removed_or_added) {
  // A folder zipped with its files is graded from that folder only when it is the only one: an
  // empty second folder made the hand-in score nothing. The fingerprint left folders out, so
  // after the empty one was removed --resume kept the old 0 as "up to date".
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  fs::create_directories(root / "alice" / "empty");
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-torch-npy"), root / "alice" / "A2S1");
  BOOST_TEST(run_grader(grade_args(root, out)).exit_code == 0);
  BOOST_TEST(contains(read_file(out / "gradebook.csv"), "\nalice,0,0,0,0,0,0,0,6\n"));
  fs::remove(root / "alice" / "empty");
  auto r = run_grader(with(grade_args(root, out), {"--resume"}));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(contains(r.out, "1 graded, 0 up to date"), r.out);
  BOOST_TEST(contains(read_file(out / "gradebook.csv"), "\nalice,1,1,1,1,1,1,6,6\n"));
  fs::create_directories(root / "alice" / "empty");
  r = run_grader(with(grade_args(root, out), {"--resume"}));
  BOOST_TEST(contains(r.out, "1 graded, 0 up to date"), r.out);
  BOOST_TEST(contains(read_file(out / "gradebook.csv"), "\nalice,0,0,0,0,0,0,0,6\n"));
}

BOOST_AUTO_TEST_CASE(resume_notices_an_edit_past_the_read_limit_that_keeps_size_and_time) {
  // Past the read limit (64 MiB in all: a sparse a.dat first), a file counts by its size and
  // times. An edit that kept both (touch -r, cp -p, an unzip) kept the old grade "up to date";
  // the change time gives it away.
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  fs::create_directories(root);
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), root / "bob");
  fs::resize_file(dir.write("class/bob/a.dat", ""), std::uintmax_t{64} << 20);
  BOOST_TEST(run_grader(grade_args(root, out)).exit_code == 0);
  BOOST_TEST(contains(read_file(out / "gradebook.csv"), "\nbob,1,1,1,1,1,1,6,6\n"));
  const fs::path answer = root / "bob/query121.csv";
  const auto time = fs::last_write_time(answer);
  std::string text = read_file(answer);
  const std::string right = "4.700000000000000000e+04,6.49", wrong = "-4.70000000000000000e+04,-6.4";
  BOOST_TEST_REQUIRE(text.rfind(right, 0) == 0);
  std::ofstream(answer, std::ios::binary) << wrong + text.substr(right.size());  // the same size
  fs::last_write_time(answer, time);
  const auto r = run_grader(with(grade_args(root, out), {"--resume"}));
  BOOST_TEST(contains(r.out, "1 graded, 0 up to date"), r.out);
  BOOST_TEST(contains(read_file(out / "gradebook.csv"), "\nbob,0,1,1,1,1,1,5,6\n"));
}

BOOST_AUTO_TEST_CASE(ctrl_c_finishes_what_runs_keeps_it_and_resume_does_the_rest) {
  // So do SIGTERM and SIGHUP (a closed terminal, a dropped SSH session), which ended the
  // grader at once, the submissions in progress lost.
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    BOOST_TEST_CONTEXT("signal " << sig) {
      TempDir dir;
      const fs::path root = dir.path() / "class", out = dir.path() / "out";
      make_class(root, "understanding-attention", 250);  // 2000 submissions
      const auto grade = with(grade_args(root, out), {"--jobs", "1"});
      Background grader(grade);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (count_graded(out) == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      grader.signal(sig);
      const auto r = grader.wait();
      BOOST_TEST(r.exit_code == 130, r.err);
      BOOST_TEST(r.signal == 0);  // exited, having written what it had graded
      BOOST_TEST(contains(r.err,
                          "grader: interrupted: no new submission is started; those in progress finish and are "
                          "written (interrupt again to stop at once)"),
                 r.err);
      BOOST_TEST(contains(r.err, "run the same command with --resume"), r.err);
      BOOST_TEST(!fs::exists(out / "gradebook.csv"));
      const std::size_t done = count_graded(out);
      BOOST_TEST(done > 0u);
      BOOST_TEST(done < 2000u);
      // Said of this run (found by a hostile helper: "3 of 10 have their results" read as all a
      // folder held, where an earlier run's were there too).
      BOOST_TEST(contains(r.err, "grader: interrupted: this run graded or kept " + std::to_string(done) + " of 2000 "),
                 r.err);
      BOOST_TEST(temporaries(out).empty());
      const auto rest = run_grader(with(grade, {"--resume"}));
      BOOST_TEST(rest.exit_code == 0);
      BOOST_TEST(contains(rest.out, std::to_string(2000 - done) + " graded, " + std::to_string(done) + " up to date"),
                 rest.out);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_second_ctrl_c_stops_at_once_and_says_so) {
  // The first Ctrl-C waits for the submissions in progress, which a hanging notebook holds for
  // its cell's time limit; the second ended the grader without a word.
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  for (const std::string student : {"alice", "bob"}) {
    fs::create_directories(root / student);
    write_file(root / student / "A2S1.py", "import time\nprint('started', flush=True)\ntime.sleep(600)\n");
  }
  Background grader(with(grade_args(root, out), {"--jobs", "1"}));
  // Until the first hand-in runs (the zygote has forked its child), or a minute.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (generations_below(grader.pid()) < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_TEST(generations_below(grader.pid()) >= 2);
  grader.signal(SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  grader.signal(SIGINT);
  const auto r = grader.wait();
  // Ended by the second signal, as a shell's loop expects (after the first alone, it would
  // wait out the cell's 10 s, write the hanging student's result and exit 130).
  BOOST_TEST(r.signal == SIGINT, r.exit_code << r.err);
  BOOST_TEST(contains(r.err, "grader: interrupted: no new submission is started"), r.err);
  BOOST_TEST(contains(r.err,
                      "grader: stopped at once: the submissions in progress are not written (--resume grades "
                      "them)"),
             r.err);
  BOOST_TEST(count_graded(out) == 0u);
  BOOST_TEST(temporaries(out).empty());
}

BOOST_AUTO_TEST_CASE(results_of_students_not_in_a_run_are_refused_unless_pruned) {
  // Found by a TA helper: the late hand-ins graded alone into the class's --out replaced a
  // gradebook of 147 students with one of 1, exit 0, and the warning advised removing the
  // others' results. Nothing is changed: the command is refused, and --prune says otherwise.
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out", late = dir.path() / "late";
  make_class(root, "understanding-attention", 1);
  BOOST_TEST(run_grader(grade_args(root, out)).exit_code == 0);
  const std::string book = read_file(out / "gradebook.csv"), summary = read_file(out / "summary.json");
  fs::create_directories(late);
  fs::copy(root / "wrong-row", late / "late student", fs::copy_options::recursive);
  const auto alone = run_grader(with(grade_args(late, out), {"--resume"}));
  BOOST_TEST(alone.exit_code == 2, alone.err);
  BOOST_TEST(
      contains(alone.err, "holds the results of 8 students not in this run (correct-answers-yaml, correct-csv, "),
      alone.err);
  BOOST_TEST(contains(alone.err,
                      "it would leave them out of gradebook.csv and summary.json; to add late or changed hand-ins, "
                      "put them in the class folder and grade the whole class with --resume (only what changed is "
                      "graded); they are more than the 1 the class folder has: is that the whole class? (--prune "
                      "removes results only of fewer students than there are; to start over with these alone, give "
                      "--out a folder of its own)"),
             alone.err);
  // ... and so is --prune (found by a TA helper: it removed the whole class's results).
  const auto pruned_alone = run_grader(with(grade_args(late, out), {"--resume", "--prune"}));
  BOOST_TEST(pruned_alone.exit_code == 2, pruned_alone.err);
  BOOST_TEST(contains(pruned_alone.err, "is that the whole class?"), pruned_alone.err);
  BOOST_TEST(fs::exists(out / "students/wrong-row/result.json"));
  BOOST_TEST(read_file(out / "gradebook.csv") == book);
  BOOST_TEST(read_file(out / "summary.json") == summary);
  BOOST_TEST(!fs::exists(out / "students/late student"));
  // What a file browser leaves in students/ is no student.
  write_file(out / "students/.DS_Store", "");
  write_file(out / "students/notes.txt", "");
  BOOST_TEST(run_grader(with(grade_args(root, out), {"--resume"})).exit_code == 0);
  // A student who left the class: refused as well, then removed with --prune.
  fs::remove_all(root / "wrong-row");
  const auto left = run_grader(with(grade_args(root, out), {"--resume"}));
  BOOST_TEST(left.exit_code == 2, left.err);
  BOOST_TEST(contains(left.err, "holds the results of 1 student not in this run (wrong-row)"), left.err);
  BOOST_TEST(fs::exists(out / "students/wrong-row/result.json"));
  const auto pruned = run_grader(with(grade_args(root, out.string() + "/"), {"--resume", "--prune"}));
  BOOST_TEST(pruned.exit_code == 0, pruned.err);
  BOOST_TEST(contains(pruned.out, "gradebook: " + (out / "gradebook.csv").string() + "\n"), pruned.out);  // one /
  BOOST_TEST(contains(pruned.err, "removed the results of 1 student not in this run (--prune): wrong-row"), pruned.err);
  BOOST_TEST(contains(pruned.out, "0 graded, 7 up to date"), pruned.out);
  BOOST_TEST(!fs::exists(out / "students/wrong-row"));
  BOOST_TEST(!contains(read_file(out / "gradebook.csv"), "wrong-row"));
  // A shard's --out kept from another number of shards: said so.
  const fs::path shard = dir.path() / "shard";
  BOOST_TEST(run_grader(with(grade_args(root, shard), {"--shard", "0/2"})).exit_code == 0);
  const auto resharded = run_grader(with(grade_args(root, shard), {"--shard", "0/3"}));
  BOOST_TEST(resharded.exit_code == 2, resharded.err);
  BOOST_TEST(contains(resharded.err,
                      "a shard's --out holds its own students only: when the number of shards "
                      "changes, start from empty folders"),
             resharded.err);
  // Students of the class are never pruned, another shard's (found by a hostile helper: --prune
  // in a shard run removed them) or an entry skipped, a link to a share not mounted.
  std::size_t before = 0;
  for ([[maybe_unused]] const auto& s : fs::directory_iterator(shard / "students")) ++before;
  const auto forced = run_grader(with(grade_args(root, shard), {"--shard", "0/3", "--prune"}));
  BOOST_TEST(forced.exit_code == 2, forced.err);
  BOOST_TEST(contains(forced.err, "of the class folder not graded in this run"), forced.err);
  std::size_t after = 0;
  for ([[maybe_unused]] const auto& s : fs::directory_iterator(shard / "students")) ++after;
  BOOST_TEST(after == before);
  fs::create_directories(dir.path() / "share/mounted");
  fs::copy(root / "correct-csv", dir.path() / "share/mounted/away", fs::copy_options::recursive);
  fs::create_directory_symlink(dir.path() / "share/mounted/away", root / "away");
  BOOST_TEST(run_grader(with(grade_args(root, out), {"--resume"})).exit_code == 0);
  fs::rename(dir.path() / "share/mounted", dir.path() / "share/unmounted");
  const auto unmounted = run_grader(with(grade_args(root, out), {"--resume", "--prune"}));
  BOOST_TEST(unmounted.exit_code == 2, unmounted.err);
  BOOST_TEST(contains(unmounted.err,
                      "holds the results of 1 student of the class folder not graded in this run "
                      "(away)"),
             unmounted.err);
  BOOST_TEST(fs::exists(out / "students/away/result.json"));
  fs::remove(root / "away");
  BOOST_TEST(run_grader(with(grade_args(root, out), {"--resume", "--prune"})).exit_code == 0);
  // A folder in students/ that no run wrote (a TA's backups) is no student's: kept, no word.
  fs::create_directories(out / "students/backup-2024/alice");
  BOOST_TEST(run_grader(with(grade_args(root, out), {"--resume", "--prune"})).exit_code == 0);
  BOOST_TEST(fs::exists(out / "students/backup-2024/alice"));
  // A merge into a folder holding others: refused, nothing changed; --prune removes them.
  const fs::path merged = dir.path() / "merged";
  write_file((fs::create_directories(merged / "students/someone else"), merged / "students/someone else/result.json"),
             "{}");
  const auto merge = two_shards(root, dir.path(), "two", merged);
  const auto refused = run_grader(merge);
  BOOST_TEST(refused.exit_code == 2, refused.err);
  BOOST_TEST(contains(refused.err, "not in this merge (someone else)"), refused.err);
  BOOST_TEST(contains(refused.err, "merge into a folder of its own"), refused.err);
  BOOST_TEST(!fs::exists(merged / "gradebook.csv"));
  const auto merged_anyway = run_grader(with(merge, {"--prune"}));
  BOOST_TEST(merged_anyway.exit_code == 0, merged_anyway.err);
  BOOST_TEST(!fs::exists(merged / "students/someone else"));
  BOOST_TEST(read_file(merged / "gradebook.csv") == read_file(out / "gradebook.csv"));
}

BOOST_AUTO_TEST_CASE(class_files_no_run_of_the_grader_wrote_are_never_replaced) {
  // Found by a TA helper: a spreadsheet's gradebook.csv in the folder given as --out was
  // replaced, by a grade and by a merge, without a word.
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "canvas";
  make_class(root, "understanding-attention", 1);
  fs::create_directories(out);
  const std::string theirs = "Student,ID,HW2\nAna,1,95\n";
  write_file(out / "gradebook.csv", theirs);
  const auto r = run_grader(grade_args(root, out));
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(contains(r.err,
                      "canvas holds gradebook.csv that no run of the grader wrote: a run replaces it; give "
                      "--out a folder of its own"),
             r.err);
  BOOST_TEST(read_file(out / "gradebook.csv") == theirs);
  BOOST_TEST(!fs::exists(out / "students"));  // a refused run changes nothing (but its lock file)
  write_file(out / "summary.json", "{\"course\": \"HW2\"}");
  const auto merge = two_shards(root, dir.path(), "shard", out);
  const auto m = run_grader(merge);
  BOOST_TEST(m.exit_code == 2, m.err);
  BOOST_TEST(contains(m.err, "holds gradebook.csv and summary.json that no run of the grader wrote"), m.err);
  BOOST_TEST(read_file(out / "gradebook.csv") == theirs);
  // The grader's own are replaced, as every run does; so is a gradebook.csv a run killed between
  // its two renames left alone (found by a hostile helper: refused as no run's).
  const fs::path ours = dir.path() / "ours";
  BOOST_TEST(run_grader(grade_args(root, ours)).exit_code == 0);
  BOOST_TEST(run_grader(grade_args(root, ours)).exit_code == 0);
  fs::remove(ours / "summary.json");
  const auto alone = run_grader(grade_args(root, ours));
  BOOST_TEST(alone.exit_code == 0, alone.err);
  BOOST_TEST(fs::exists(ours / "summary.json"));
  // summary.json records the SHA-256 of the gradebook.csv written with it, as sha256sum gives
  // it; a gradebook.csv edited since (a column of a TA's notes) is never replaced (found by a
  // hostile helper: replaced without a word), by a grade or a merge.
  const auto sha256sum = test_support::run_process({"/usr/bin/sha256sum", (ours / "gradebook.csv").string()});
  BOOST_TEST(sha256sum.out.substr(0, 64) == load(ours / "summary.json").at("gradebook_sha256").get<std::string>());
  std::string edited = read_file(ours / "gradebook.csv");
  edited.replace(edited.find('\n'), 1, ",notes\n");
  write_file(ours / "gradebook.csv", edited);
  for (const auto& args : {with(grade_args(root, ours), {"--resume"}), two_shards(root, dir.path(), "again", ours)}) {
    const auto kept = run_grader(args);
    BOOST_TEST(kept.exit_code == 2, kept.err);
    BOOST_TEST(contains(kept.err, "ours/gradebook.csv was changed after the grader wrote it"), kept.err);
    BOOST_TEST(contains(kept.err, "save it under another name or in another folder, then run again"), kept.err);
    BOOST_TEST(read_file(ours / "gradebook.csv") == edited);
  }
  // A zip of the class made on macOS holds __MACOSX/: no student (found by a hostile helper).
  fs::create_directories(root / "__MACOSX/correct-csv");
  const auto zipped = run_grader(grade_args(root, dir.path() / "zipped"));
  BOOST_TEST(zipped.exit_code == 0, zipped.err);
  BOOST_TEST(!contains(read_file(dir.path() / "zipped/gradebook.csv"), "__MACOSX"));
}

BOOST_AUTO_TEST_CASE(shards_merge_into_exactly_what_one_run_writes) {
  TempDir dir;
  const fs::path root = dir.path() / "class";
  make_class(root, "understanding-attention", 4);
  BOOST_TEST(run_grader(grade_args(root, dir.path() / "single")).exit_code == 0);
  std::size_t rows = 0;
  std::vector<std::string> shards;
  for (const std::string shard : {"0/3", "1/3", "2/3"}) {
    const fs::path out = dir.path() / ("shard" + shard.substr(0, 1));
    BOOST_TEST(run_grader(with(grade_args(root, out), {"--shard", shard})).exit_code == 0);
    const auto summary = load(out / "summary.json");
    BOOST_TEST(summary.at("shard").at("count") == 3);
    BOOST_TEST(summary.at("students").get<std::size_t>() > 0u);
    rows += summary.at("students").get<std::size_t>();
    shards.push_back(out.string());
  }
  BOOST_TEST(rows == 32u);
  const std::string merged = (dir.path() / "merged").string();
  const auto r = run_grader({"merge", "--out", merged, shards[2], shards[0], shards[1]});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(read_file(dir.path() / "merged/gradebook.csv") == read_file(dir.path() / "single/gradebook.csv"));
  BOOST_TEST(read_file(dir.path() / "merged/summary.json") == read_file(dir.path() / "single/summary.json"));
  BOOST_TEST(fs::exists(dir.path() / "merged/students/wrong-row-3/result.json"));

  const auto missing = run_grader({"merge", "--out", merged, shards[0], shards[1]});
  BOOST_TEST(missing.exit_code == 2);
  BOOST_TEST(contains(missing.err, "shard 2/3 is missing"), missing.err);
  const auto repeated = run_grader({"merge", "--out", merged, shards[0], shards[0], shards[1], shards[2]});
  BOOST_TEST(contains(repeated.err, "repeats shard 0/3"), repeated.err);
  const auto bad = run_grader(with(grade_args(root, dir.path() / "bad"), {"--shard", "3/3"}));
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(contains(bad.err, "between 0 and N-1"), bad.err);
  // A shard that wrote other report formats for its students is not merged with the others.
  const fs::path junit = dir.path() / "junit2";
  BOOST_TEST(run_grader(with(grade_args(root, junit), {"--shard", "2/3", "--format", "junit"})).exit_code == 0);
  const auto formats = run_grader({"merge", "--out", merged, shards[0], shards[1], junit.string()});
  BOOST_TEST(formats.exit_code == 2);
  BOOST_TEST(contains(formats.err, "the report formats asked for (--format json,junit against json)"), formats.err);
  // Nor one graded with a seed of its own: the merge says which.
  const fs::path seeded = dir.path() / "seeded2";
  BOOST_TEST(run_grader(with(grade_args(root, seeded), {"--shard", "2/3", "--seed", "7"})).exit_code == 0);
  const auto seed = run_grader({"merge", "--out", merged, shards[0], shards[1], seeded.string()});
  BOOST_TEST(seed.exit_code == 2);
  BOOST_TEST(contains(seed.err, "other inputs than " + shards[0] + ": the seed (--seed) (7 vs per-student);"),
             seed.err);
}

BOOST_AUTO_TEST_CASE(a_merge_takes_only_its_shards_class_and_keeps_no_earlier_file) {
  TempDir dir;
  const fs::path root = dir.path() / "class", merged = dir.path() / "merged";
  make_class(root, "understanding-attention", 1);
  const auto shards = [&](const std::string& format) {
    std::vector<std::string> merge = {"merge", "--out", merged.string()};
    for (const std::string shard : {"0/2", "1/2"}) {
      const fs::path out = dir.path() / ("shard" + shard.substr(0, 1));
      BOOST_TEST(
          run_grader(with(grade_args(root, out), {"--shard", shard, "--format", format, "--resume"})).exit_code == 0);
      merge.push_back(out.string());
    }
    return merge;
  };
  const auto merge = shards("gradescope");
  BOOST_TEST(run_grader(merge).exit_code == 0);
  BOOST_TEST(fs::exists(merged / "students/wrong-row/gradescope.json"));
  // A merge refused (a shard forgotten) leaves the earlier one whole.
  const auto forgotten = run_grader({merge[0], merge[1], merge[2], merge[3]});
  BOOST_TEST(forgotten.exit_code == 2);
  BOOST_TEST(contains(forgotten.err, "shard 1/2 is missing"), forgotten.err);
  BOOST_TEST(fs::exists(merged / "gradebook.csv"));
  BOOST_TEST(fs::exists(merged / "summary.json"));
  // Merged again after the shards were graded for another format: the gradescope.json of the
  // first merge (with the scores of then) is gone, as a temporary a killed merge left.
  write_file(merged / "students/wrong-row/.result.json.tmp-AbC123", "half");
  write_file(merged / ".gradebook.csv.tmp-AbC123", "half");
  const auto again = run_grader(shards("junit"));
  BOOST_TEST(again.exit_code == 0, again.err);
  BOOST_TEST(!fs::exists(merged / "students/wrong-row/gradescope.json"));
  BOOST_TEST(fs::exists(merged / "students/wrong-row/junit.xml"));
  BOOST_TEST(!fs::exists(merged / "students/wrong-row/.result.json.tmp-AbC123"));
  BOOST_TEST(!fs::exists(merged / ".gradebook.csv.tmp-AbC123"));
  BOOST_TEST(load(merged / "summary.json").at("class").at("students") ==
             load(dir.path() / "shard0/summary.json").at("class").at("students"));

  // Late hand-ins join the class before shard 1 is graded again: the students that fall in
  // slice 0 would be in no shard. Refused, naming both.
  for (const std::string late : {"alice", "bob", "carol", "dave", "erin", "frank"})
    fs::copy(root / "correct-csv", root / late, fs::copy_options::recursive);
  BOOST_TEST(
      run_grader(with(grade_args(root, dir.path() / "shard1"), {"--shard", "1/2", "--format", "junit"})).exit_code ==
      0);
  const auto late = run_grader(merge);
  BOOST_TEST(late.exit_code == 2);
  BOOST_TEST(contains(late.err, "were graded over different classes"), late.err);
  BOOST_TEST(contains(late.err, "grade every shard again over the same class folder"), late.err);
  // They leave again: their results in shard 1 are removed (--prune; refused without it).
  for (const std::string name : {"alice", "bob", "carol", "dave", "erin", "frank"}) fs::remove_all(root / name);
  BOOST_TEST(
      run_grader(with(grade_args(root, dir.path() / "shard1"), {"--shard", "1/2", "--format", "junit", "--prune"}))
          .exit_code == 0);
  BOOST_TEST(run_grader(merge).exit_code == 0);

  // A roster edited by hand: a path out of the shard, a student of the other shard, no class.
  const fs::path summary = dir.path() / "shard0/summary.json";
  const std::string original = read_file(summary);
  auto forged = load(summary);
  forged["roster"].push_back("../../victim");
  write_file(summary, forged.dump());
  const auto escape = run_grader(merge);
  BOOST_TEST(escape.exit_code == 2);
  BOOST_TEST(contains(escape.err, "its roster names '../../victim', which is not a student folder of"), escape.err);
  BOOST_TEST(!fs::exists(dir.path() / "victim"));
  const std::string other = load(dir.path() / "shard1/summary.json").at("roster").at(0);
  fs::copy(dir.path() / "shard1/students" / other, dir.path() / "shard0/students" / other, fs::copy_options::recursive);
  forged = ordered_json::parse(original);
  forged["roster"].push_back(other);
  write_file(summary, forged.dump());
  const auto moved = run_grader(merge);
  BOOST_TEST(moved.exit_code == 2);
  BOOST_TEST(contains(moved.err, "a student of another shard than 0/2"), moved.err);
  forged = ordered_json::parse(original);
  forged.erase("class");
  write_file(summary, forged.dump());
  const auto older = run_grader(merge);
  BOOST_TEST(older.exit_code == 2);
  BOOST_TEST(contains(older.err, "does not say which class it graded"), older.err);
}

BOOST_AUTO_TEST_CASE(hostile_folder_names_get_a_gradebook_for_everyone_that_no_spreadsheet_runs) {
  TempDir dir;
  const fs::path root = dir.path() / "class";
  const std::vector<std::string> names = {
      "bad\xff\xfename", "=HYPERLINK(\"evil.example\",\"x\")", "+SUM(1)", "-2", "@cmd", "esc\x1b[2J", "plain"};
  fs::create_directories(root);
  for (const auto& name : names)
    fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), root / name);
  const fs::path out = dir.path() / "out";
  const auto r = run_grader(grade_args(root, out));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(test_support::why_unsafe(r.out + r.err) == "", r.out + r.err);
  const std::string gradebook = read_file(out / "gradebook.csv");
  BOOST_TEST(test_support::why_unsafe(gradebook) == "", gradebook);
  for (const std::string row : {"\nbad\\xff\\xfename,", "\n\"'=HYPERLINK(\"\"evil.example\"\",\"\"x\"\")\",",
                                "\n'+SUM(1),", "\n-2,", "\n'@cmd,", "\nesc\\x1b[2J,", "\nplain,"})
    BOOST_TEST(contains(gradebook, row + "1,1,1,1,1,1,6,6\n"), row << " in\n" << gradebook);
  const auto summary = load(out / "summary.json");
  BOOST_TEST(summary.at("students") == names.size());
  BOOST_TEST(summary.at("all_passed") == names.size());
  BOOST_TEST(fs::exists(out / "students/bad\\xff\\xfename/result.json"));
  // Shards and their merge handle the same names.
  const auto merge = two_shards(root, dir.path(), "shard", dir.path() / "merged");
  const auto merged = run_grader(merge);
  BOOST_TEST(merged.exit_code == 0, merged.err);
  BOOST_TEST(read_file(dir.path() / "merged/gradebook.csv") == gradebook);
}

BOOST_AUTO_TEST_CASE(folders_whose_ids_would_be_the_same_are_both_graded) {
  // Found by a hostile-student helper: a folder "eve\x1b" holding an ESC, beside one named with
  // those four characters, stopped the whole class with exit 2.
  TempDir dir;
  const fs::path root = dir.path() / "class";
  fs::create_directories(root);
  for (const std::string name : {"eve\x1b", "eve\\x1b", "plain"})
    fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), root / name);
  const fs::path out = dir.path() / "out";
  const auto r = run_grader(grade_args(root, out));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.err, "differs from another's only in bytes that ids escape"), r.err);
  const std::string gradebook = read_file(out / "gradebook.csv");
  BOOST_TEST(std::count(gradebook.begin(), gradebook.end(), '\n') == 4, gradebook);  // the header and three rows
  // The folder named exactly its id keeps it; the one holding an ESC gets a digest.
  BOOST_TEST(contains(gradebook, "\neve\\x1b,"), gradebook);
  const auto tilde = gradebook.find("\neve\\x1b~");
  BOOST_TEST_REQUIRE(tilde != std::string::npos, gradebook);
  const std::string digested = gradebook.substr(tilde + 1, gradebook.find(',', tilde) - tilde - 1);
  // Found by the re-attack: a folder named like that digested id stopped the class. Now a count.
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), root / digested);
  const auto again = run_grader(grade_args(root, dir.path() / "out2"));
  BOOST_TEST(again.exit_code == 0, again.err);
  const std::string four = read_file(dir.path() / "out2/gradebook.csv");
  BOOST_TEST(std::count(four.begin(), four.end(), '\n') == 5, four);
  BOOST_TEST((contains(four, "\n" + digested + ",") && contains(four, "\n" + digested + "~2,")), four);
}

BOOST_AUTO_TEST_CASE(accented_folder_names_from_a_mac_get_the_ids_a_roster_spells) {
  // A zip made on macOS names José with an e and a combining acute accent (NFD): it looks the
  // same as the roster's José (NFC) and matched no row of it.
  const std::string nfc = "Jos\xc3\xa9", nfd = "Jose\xcc\x81", other_nfd = "Zoe\xcc\x88";
  TempDir dir;
  const fs::path root = dir.path() / "class";
  fs::create_directories(root);
  for (const auto& name : {nfd, other_nfd})
    fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), root / name);
  const auto r = run_grader(grade_args(root, dir.path() / "out"));
  BOOST_TEST(r.exit_code == 0, r.err);
  const std::string gradebook = read_file(dir.path() / "out/gradebook.csv");
  BOOST_TEST(contains(gradebook, "\n" + nfc + ",1,1,1,1,1,1,6,6\n"), gradebook);
  BOOST_TEST(contains(gradebook, "\nZo\xc3\xab,1,1,1,1,1,1,6,6\n"), gradebook);
  BOOST_TEST(!contains(gradebook, nfd), gradebook);
  BOOST_TEST(fs::exists(dir.path() / "out/students" / nfc / "result.json"));
  // Both spellings in one class: the folder named in NFC keeps the id, the other gets a digest,
  // with a warning, and both are graded.
  fs::copy(test_support::source_path("submissions/understanding-attention/scale-too-small"), root / nfc);
  const auto both = run_grader(grade_args(root, dir.path() / "out2"));
  BOOST_TEST(both.exit_code == 0, both.err);
  BOOST_TEST(contains(both.err, "how its accented letters are encoded"), both.err);
  // Which one got the digest, by its bytes (found by a TA helper: both are shown as José).
  BOOST_TEST(contains(both.err, "(its bytes: 'Jose\\xcc\\x81')"), both.err);
  const std::string two = read_file(dir.path() / "out2/gradebook.csv");
  BOOST_TEST(std::count(two.begin(), two.end(), '\n') == 4, two);  // the header and three rows
  BOOST_TEST(contains(two, "\n" + nfc + ",0,0,1,1,1,1,4,6\n"), two);
  BOOST_TEST(contains(two, "\n" + nfc + "~"), two);
}

BOOST_AUTO_TEST_CASE(an_out_that_links_to_no_folder_is_told_so) {
  // Found by a helper: "cannot create out/students: File exists".
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out", target = dir.path() / "gone";
  make_class(root, "understanding-attention", 1);
  fs::create_directory_symlink(target, out);
  const std::string told = "the output folder " + out.string() + " is a link to " + target.string() +
                           ", which does not exist: create that folder, or give another output folder";
  const auto graded = run_grader(grade_args(root, out));
  BOOST_TEST(graded.exit_code == 2);
  BOOST_TEST(contains(graded.err, told), graded.err);
  const auto merged = run_grader({"merge", "--out", out.string(), root.string()});
  BOOST_TEST(merged.exit_code == 2);
  BOOST_TEST(contains(merged.err, told), merged.err);
  BOOST_TEST(!fs::exists(target));
  // Made, the same link is graded into.
  fs::create_directory(target);
  BOOST_TEST(run_grader(grade_args(root, out)).exit_code == 0);
  BOOST_TEST(fs::exists(target / "gradebook.csv"));
}

BOOST_AUTO_TEST_CASE(a_second_run_on_the_same_out_is_refused_at_once_naming_the_first) {
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  make_class(root, "understanding-attention", 250);  // 2000 submissions
  Background first(with(grade_args(root, out), {"--jobs", "1"}));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count_graded(out) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto started = std::chrono::steady_clock::now();
  const auto second = run_grader(with(grade_args(root, out), {"--resume"}));
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(10)));
  BOOST_TEST(second.exit_code == 2);
  BOOST_TEST(contains(second.err, "pid " + std::to_string(first.pid())), second.err);
  BOOST_TEST(contains(second.err, out.string()), second.err);
  const auto merge = run_grader({"merge", "--out", out.string(), root.string()});
  BOOST_TEST(merge.exit_code == 2);
  BOOST_TEST(contains(merge.err, "pid " + std::to_string(first.pid())), merge.err);
  // Nor is a folder being written merged as a shard.
  const auto read = run_grader({"merge", "--out", (dir.path() / "merged").string(), out.string()});
  BOOST_TEST(read.exit_code == 2);
  BOOST_TEST(contains(read.err, "a run is writing into " + out.string()), read.err);
  BOOST_TEST(contains(read.err, "pid " + std::to_string(first.pid())), read.err);
  // Killed, the first run leaves no lock behind.
  first.signal(SIGKILL);
  first.wait();
  const auto third = run_grader(with(grade_args(root, out), {"--resume"}));
  BOOST_TEST(third.exit_code == 0, third.err);
}

BOOST_AUTO_TEST_CASE(an_out_moved_while_a_run_writes_into_it_stops_the_run_with_nothing_written_by_its_path) {
  // Found by a TA helper: a renamed --out was made again by its path and given a gradebook of
  // four students, three of whose results were there; and with the folder removed, a second
  // run locked the new one while the first still wrote into it.
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out", moved = dir.path() / "moved";
  make_class(root, "understanding-attention", 250);  // 2000 submissions
  Background run(with(grade_args(root, out), {"--jobs", "1"}));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count_graded(out) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  fs::rename(out, moved);
  const auto r = run.wait();
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(contains(r.err, out.string() + " was moved or removed while this run wrote into it"), r.err);
  BOOST_TEST(!fs::exists(out / "gradebook.csv"));
  BOOST_TEST(!fs::exists(moved / "gradebook.csv"));
  // The result being written as the folder moved may land by the old path; none after it (a
  // first CI run, on a busy machine, found a student's folder made again between a check and
  // the writes: the check now comes after grading, just before them).
  BOOST_TEST(count_graded(out) <= 1u);
}

BOOST_AUTO_TEST_CASE(a_full_disk_is_the_graders_fault_and_leaves_no_half_written_file) {
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  make_class(root, "understanding-attention", 1);
  // Files of at most 512 bytes (`ulimit -f 1`), SIGXFSZ ignored: a write past that fails
  // with EFBIG, as a full disk fails with ENOSPC. Its output goes through a pipe, which has no
  // such limit; `status` is its exit status.
  int status = -1;
  const auto limited = [&](const std::vector<std::string>& args) {
    std::string command = "trap '' XFSZ; { (ulimit -f 1; exec '" GRADER_EXECUTABLE "'";
    for (const auto& a : args) command += " '" + a + "'";
    command += ") 2>&1; echo \"exit status $?\"; } | cat";
    const std::string printed = test_support::run_process({"/bin/sh", "-c", command}).out;
    const auto at = printed.rfind("exit status ");
    status = at == std::string::npos ? -1 : std::stoi(printed.substr(at + 12));
    return printed;
  };
  // Every student's result.json is larger than that: none can be written.
  std::string log = limited(grade_args(root, out));
  BOOST_TEST(status == 2, log);
  BOOST_TEST(contains(log, "could not grade correct-csv: cannot write"), log);
  BOOST_TEST(count_graded(out) == 0u);
  BOOST_TEST(fs::is_empty(out / "students"));  // found by a TA helper: no empty folder per student
  BOOST_TEST(!fs::exists(out / "gradebook.csv"));
  BOOST_TEST(!fs::exists(out / "summary.json"));
  BOOST_TEST(temporaries(out).empty());
  // Every student graded; then gradebook.csv fits but summary.json does not: neither is left.
  BOOST_TEST(run_grader(grade_args(root, out)).exit_code == 0);
  BOOST_REQUIRE(fs::file_size(out / "gradebook.csv") < 512u);
  BOOST_REQUIRE(fs::file_size(out / "summary.json") > 512u);
  log = limited(with(grade_args(root, out), {"--resume"}));
  BOOST_TEST(status == 2, log);
  BOOST_TEST(contains(log, "summary.json"), log);
  BOOST_TEST(!fs::exists(out / "gradebook.csv"));
  BOOST_TEST(!fs::exists(out / "summary.json"));
  BOOST_TEST(temporaries(out).empty());
  // With room again, --resume writes both without grading anyone again.
  const auto r = run_grader(with(grade_args(root, out), {"--resume"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "0 graded, 8 up to date"), r.out);
  BOOST_TEST(fs::exists(out / "summary.json"));
}

BOOST_AUTO_TEST_CASE(resume_and_merge_notice_a_changed_data_file_of_the_spec) {
  TempDir dir;
  const fs::path root = dir.path() / "class";
  const auto spec = dir.write("spec/spec.yaml", R"(assignment: {id: d, title: D, version: '1'}
data:
  target: {file: target.csv}
exercises:
  - id: a
    title: A
    points: 1
    answers: [{name: q, shape: [1, 2]}]
    output: q
    expect: target
)");
  dir.write("spec/target.csv", "1, 2\n");
  for (int s = 0; s < 8; ++s) dir.write("class/s" + std::to_string(s) + "/q.csv", s % 2 ? "3, 4\n" : "1, 2\n");
  const fs::path out = dir.path() / "out";
  const auto grade = with(grade_args(root, out, spec.string()), {"--resume"});
  auto r = run_grader(grade);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "8 graded, 0 up to date"), r.out);
  BOOST_TEST(contains(read_file(out / "gradebook.csv"), "\ns0,1,1,1\ns1,0,0,1\n"));
  // The instructor fixes the target: every grade depends on it.
  const fs::path shard0 = dir.path() / "shard0", shard1 = dir.path() / "shard1";
  BOOST_TEST(run_grader(with(grade_args(root, shard0, spec.string()), {"--shard", "0/2"})).exit_code == 0);
  dir.write("spec/target.csv", "3, 4\n");
  r = run_grader(grade);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "8 graded, 0 up to date"), r.out);
  BOOST_TEST(contains(r.out, "8 regraded because what they depend on changed (the spec's data files: 8)"), r.out);
  BOOST_TEST(contains(read_file(out / "gradebook.csv"), "\ns0,0,0,1\ns1,1,1,1\n"));
  const auto run = load(out / "summary.json").at("run");
  BOOST_TEST(run.at("graded") == 8);
  BOOST_TEST(run.at("changed") == 8);
  BOOST_TEST(run.at("new") == 0);
  BOOST_TEST(run.at("up_to_date") == 0);
  BOOST_TEST(run.at("changed_inputs").at("data") == 8);
  BOOST_TEST(run.at("changed_inputs").at("submission") == 0);
  // A student changes an answer: one regraded, for that reason.
  dir.write("class/s0/q.csv", "3, 4\n");
  r = run_grader(grade);
  BOOST_TEST(contains(r.out, "1 graded, 7 up to date"), r.out);
  BOOST_TEST(contains(r.out, "1 regraded because what they depend on changed (the submission's files: 1)"), r.out);
  // Shards graded against different data are not merged.
  BOOST_TEST(run_grader(with(grade_args(root, shard1, spec.string()), {"--shard", "1/2"})).exit_code == 0);
  const auto merged =
      run_grader({"merge", "--out", (dir.path() / "merged").string(), shard0.string(), shard1.string()});
  BOOST_TEST(merged.exit_code == 2);
  BOOST_TEST(contains(merged.err, "data files"), merged.err);
  BOOST_TEST(!fs::exists(dir.path() / "merged/gradebook.csv"));
}

BOOST_AUTO_TEST_CASE(a_build_cache_hit_cannot_be_forged_by_moving_bytes_between_files) {
  // Found by a hostile-student helper: the cache key hashed names and contents end to end, so
  // mallory's a.c = "solution.c" + a correct source (which does not compile) had the key of
  // alice's empty a.c and correct solution.c, and mallory was graded with alice's library.
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  const std::string correct = read_file(test_support::source_path("submissions/sdpa-masked/correct-c/solution.c"));
  fs::create_directories(root / "alice");
  fs::create_directories(root / "mallory");
  write_file(root / "alice/a.c", "");
  write_file(root / "alice/solution.c", correct);
  write_file(root / "mallory/a.c", "solution.c" + correct);
  const auto r = run_grader(with(grade_args(root, out, "specs/sdpa-masked.yaml"), {"--jobs", "1"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  const std::string gradebook = read_file(out / "gradebook.csv");
  BOOST_TEST(contains(gradebook, "\nalice,4,4,8,8\n"), gradebook);
  BOOST_TEST(contains(gradebook, "\nmallory,0,0,0,8\n"), gradebook);
  BOOST_TEST(contains(read_file(out / "students/mallory/result.json"), "compile_error"));
}

BOOST_AUTO_TEST_CASE(long_deep_and_many_lined_folder_names_still_give_everyone_a_row) {
  // Escaped, a 255-byte name was longer than a file name may be: the run wrote no class files
  // for anyone. A tree of nested folders made --resume's fingerprint take gigabytes.
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  const fs::path sample = test_support::source_path("submissions/understanding-attention/correct-csv");
  std::string lines;
  for (int i = 0; i < 127; ++i) lines += "x\n";
  const std::vector<std::string> names = {"::" + std::string(252, 'a') + "1", "::" + std::string(252, 'a') + "2", lines,
                                          "deep"};
  fs::create_directories(root);
  for (const auto& name : names) fs::copy(sample, root / name);
  // Deeper than a path may be long: made one level at a time, as the helper made it.
  const auto made = test_support::run_process(
      {"/bin/sh", "-c", "i=0; while [ $i -lt 2000 ]; do mkdir d && cd d || exit 1; i=$((i+1)); done"}, {},
      (root / "deep").string());
  BOOST_TEST(made.exit_code == 0, made.err);
  const auto r = run_grader(grade_args(root, out));
  BOOST_TEST(r.exit_code == 0, r.err);
  const std::string gradebook = read_file(out / "gradebook.csv");
  std::set<std::string> ids;
  for (const auto& entry : fs::directory_iterator(out / "students")) {
    const std::string id = entry.path().filename().string();
    BOOST_TEST(id.size() <= 200u, id);
    BOOST_TEST(contains(gradebook, "\n" + id + ",1,1,1,1,1,1,6,6\n"), id << " in\n" << gradebook);
    ids.insert(id);
  }
  BOOST_TEST(ids.size() == names.size());  // the two long names alike but for their end stay apart
  const auto again = run_grader(with(grade_args(root, out), {"--resume"}));
  BOOST_TEST(again.exit_code == 0, again.err);
  BOOST_TEST(contains(again.out, "4 up to date"), again.out);
}

BOOST_AUTO_TEST_CASE(results_that_would_be_graded_merged_or_lost_are_refused_before_anything_is_written) {
  TempDir dir;
  const fs::path root = dir.path() / "class";
  make_class(root, "understanding-attention", 1);
  const auto refused = [](const std::vector<std::string>& args, const std::string& why) {
    const auto r = run_grader(args);
    BOOST_TEST(r.exit_code == 2, r.err);
    BOOST_TEST(contains(r.err, why), r.err);
  };
  refused(grade_args(root, root / "results"), "--out is inside it");
  BOOST_TEST(!fs::exists(root / "results"));
  refused(grade_args(root / "wrong-row", root), "it is inside --out");
  refused(grade_args(root, root), "are the same folder");
  // The class folder by another path, a bind mount (found by a TA helper: --out inside it so
  // was graded, on the next run, as a student): refused all the same.
  const fs::path alias = dir.path() / "alias";
  fs::create_directories(alias);
  const auto bound = test_support::run_process(
      {"/bin/sh", "-c",
       std::string(geteuid() == 0 ? "unshare -m" : "unshare -rm") +
           " sh -c 'mount --bind \"$1\" \"$2\" && exec \"$3\" grade --spec \"$4\" \"$1\" --out \"$2/results\"' sh "
           "\"$@\"",
       "sh", root.string(), alias.string(), GRADER_EXECUTABLE, test_support::source_path(kMatrixSpec)});
  BOOST_TEST(bound.exit_code == 2, bound.out + bound.err);
  BOOST_TEST(contains(bound.err, "--out is inside it"), bound.err);
  BOOST_TEST(!fs::exists(root / "results"));
  // A wrong, empty folder would have replaced a class's gradebook with an empty one.
  const fs::path out = dir.path() / "out";
  BOOST_TEST(run_grader(grade_args(root, out)).exit_code == 0);
  fs::create_directories(dir.path() / "empty");
  refused(with(grade_args(dir.path() / "empty", out), {"--resume"}), "holds no submission folders");
  BOOST_TEST(fs::exists(out / "gradebook.csv"));
  // A flat download, one file per student (found by a TA helper: a warning per file, then "no
  // submission folders"): one error, saying what to do.
  const fs::path flat = dir.path() / "flat";
  for (const std::string who : {"ana_101_A2S1.py", "bob_102_A2S1.py", "cy_103_A2S1.py", "di_104_A2S1.py"})
    write_file((fs::create_directories(flat), flat / who), "query121 = 1\n");
  const auto downloaded = run_grader(grade_args(flat, dir.path() / "flat-out"));
  BOOST_TEST(downloaded.exit_code == 2, downloaded.err);
  BOOST_TEST(contains(downloaded.err,
                      "holds no submission folders but 4 files (ana_101_A2S1.py, bob_102_A2S1.py, "
                      "cy_103_A2S1.py and 1 more): each student's files go in a folder of their own"),
             downloaded.err);
  BOOST_TEST(!contains(downloaded.err, "not a folder, so not a submission"), downloaded.err);
  // A student's folder that is a link to the results (found by a helper: graded, on --resume,
  // as a student); a link to a folder elsewhere is graded as the student's.
  fs::create_directory_symlink(out, root / "zzz-out");
  refused(with(grade_args(root, out), {"--resume"}),
          "--out " + out.string() + " and the student folder " + (root / "zzz-out").string() + " are the same folder");
  fs::remove(root / "zzz-out");
  fs::create_directory_symlink(root / "wrong-row", dir.path() / "elsewhere");
  fs::create_directory_symlink(dir.path() / "elsewhere", root / "linked");
  BOOST_TEST(run_grader(with(grade_args(root, out), {"--resume"})).exit_code == 0);
  BOOST_TEST(fs::exists(out / "students/linked/result.json"));
  fs::remove(root / "linked");
  for (const std::string shard : {"0/-2", " 1/2", "+1/2", "1/2 ", "0/99999999999999999999"})
    refused(with(grade_args(root, dir.path() / "shard"), {"--shard", shard}), "expected I/N");
  // A shard merged into stays a shard.
  auto merge = two_shards(root, dir.path(), "s", dir.path() / "s0");
  const std::string shard_summary = read_file(dir.path() / "s0/summary.json");
  refused(merge, "are the same folder");
  BOOST_TEST(read_file(dir.path() / "s0/summary.json") == shard_summary);
  // A shard's summary edited by hand is named, not an "internal error".
  const fs::path edited = dir.path() / "s0/summary.json";
  write_file(edited,
             std::regex_replace(read_file(edited), std::regex(R"("max_score": [0-9.]+)"), R"("max_score": "six")"));
  merge[2] = (dir.path() / "merged").string();
  refused(merge, edited.string() + ": [json.exception.type_error");
}

BOOST_AUTO_TEST_CASE(a_submission_folder_the_grader_may_not_list_is_its_fault_not_a_zero) {
  // Found by a helper: carol's folder, mode 000, was graded "no answer" on every exercise.
  // Run as an ordinary user (as root, the user nobody): root may list any folder.
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  make_class(root, "understanding-attention", 1);
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), root / "carol");
  for (const auto& p : fs::recursive_directory_iterator(dir.path()))
    fs::permissions(p.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  fs::permissions(dir.path(), fs::perms::all);  // nobody must reach the class and write the results
  fs::permissions(root / "carol", fs::perms::none);
  // And files of dave's the grader may not read (found by a helper: copied with another owner,
  // mode 600, every answer was "unreadable", exit 0): as root, files of root's that the user
  // nobody grades. Erin's files are the grader's user's own, mode 000 as her zip gave them: her
  // doing, graded (a re-attack found the whole class's gradebook withheld for it).
  const bool as_root = ::geteuid() == 0;
  for (const std::string name : {"dave", "erin"}) {
    fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), root / name);
    for (const auto& f : fs::directory_iterator(root / name)) {
      if (name == "erin" && as_root) BOOST_TEST(::lchown(f.path().c_str(), 65534, 65534) == 0);
      fs::permissions(f.path(), fs::perms::none);
    }
  }
  std::vector<std::string> as_user;
  if (as_root) as_user = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  const auto grader = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = as_user;
    argv.push_back(GRADER_EXECUTABLE);
    argv.insert(argv.end(), args.begin(), args.end());
    return test_support::run_process(argv, {"XDG_CACHE_HOME=" + (dir.path() / "cache").string()},
                                     test_support::source_path(""));
  };
  const auto graded = grader(grade_args(root, out));
  BOOST_TEST(graded.exit_code == 2, graded.err);
  BOOST_TEST(contains(graded.err, "could not grade carol: cannot list the submission folder"), graded.err);
  if (as_root) {
    BOOST_TEST(contains(graded.err, "could not grade dave: cannot read "), graded.err);
    BOOST_TEST(contains(graded.err, "Permission denied; the grader must be able to read every submission"), graded.err);
    BOOST_TEST(!fs::exists(out / "students/dave/result.json"));
  }
  BOOST_TEST(!contains(graded.err, "could not grade erin"), graded.err);
  const std::string erin = read_file(out / "students/erin/result.json");
  BOOST_TEST(contains(erin, "its permissions forbid reading it (give it read permission: chmod a+r)"), erin);
  BOOST_TEST(!fs::exists(out / "gradebook.csv"));
  BOOST_TEST(fs::exists(out / "students/wrong-row/result.json"));  // the others are graded
  const auto checked = grader({"check", "--spec", kMatrixSpec, (root / "carol").string()});
  BOOST_TEST(checked.exit_code == 2, checked.err);
  BOOST_TEST(contains(checked.err, "check the owner and permissions of its files"), checked.err);
  fs::permissions(root / "carol", fs::perms::owner_all);  // for TempDir to remove it
}

BOOST_AUTO_TEST_CASE(a_reader_that_goes_away_does_not_stop_the_class_files) {
  // `grader grade ... | head -1` killed the run with SIGPIPE after every student was graded,
  // before gradebook.csv and summary.json were written.
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  make_class(root, "understanding-attention", 3);
  std::string command = std::string("'") + GRADER_EXECUTABLE + "'";
  for (const auto& arg : {"grade", "--spec", kMatrixSpec.c_str(), root.c_str(), "--out", out.c_str()})
    command += std::string(" '") + arg + "'";
  command += " --progress lines --jobs 1 2>&1 | head -c 1 > /dev/null; echo \"${PIPESTATUS[0]}\"";
  const auto r = test_support::run_process({"/bin/bash", "-c", command}, {}, test_support::source_path(""));
  BOOST_TEST(r.out == "0\n", r.out << r.err);
  BOOST_TEST(fs::exists(out / "gradebook.csv"));
  BOOST_TEST(fs::exists(out / "summary.json"));
}

BOOST_AUTO_TEST_CASE(a_link_to_nothing_in_the_class_folder_is_skipped_not_fatal) {
  // Found by a helper: listed last, a dangling link ended the listing with "cannot list".
  TempDir dir;
  const fs::path root = dir.path() / "class";
  fs::create_directories(root);
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), root / "alice");
  fs::create_symlink("/nonexistent", root / "aaa-broken");
  fs::create_symlink("/nonexistent", root / "zzz-broken");
  const auto r = run_grader(grade_args(root, dir.path() / "out"));
  BOOST_TEST(r.exit_code == 0, r.err);
  // Said as what it is (found by a TA helper: a share not mounted was told "not a folder").
  BOOST_TEST(contains(r.err,
                      "zzz-broken: a link to /nonexistent, which does not exist (a share not mounted?), so not "
                      "graded; skipped"),
             r.err);
  BOOST_TEST(contains(read_file(dir.path() / "out/gradebook.csv"), "\nalice,1,1,1,1,1,1,6,6\n"));
}

BOOST_AUTO_TEST_CASE(a_ta_grading_a_messy_class_is_told_what_was_left_out_or_would_be_lost) {
  // Found by a helper playing a TA: a hand-in left beside the students' folders was named in a
  // warning among the progress lines only; the class folder given one level too high was
  // graded as one student ("1 students, 1 passed everything", exit 0); the wrong spec, with
  // --resume, replaced another assignment's results without a word.
  TempDir dir;
  const fs::path top = dir.path() / "download", root = top / "class";
  fs::create_directories(root);
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-csv"), root / "alice");
  fs::copy_file(test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"),
                root / "Tom Flat_100009_A2S1.py");
  const fs::path out = dir.path() / "out";
  const auto r = run_grader(grade_args(root, out));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "1 student, 1 passed everything"), r.out);
  BOOST_TEST(contains(r.out,
                      "not graded: 1 file of the class folder, not a folder (a submission is a folder: put it "
                      "in the student's own): Tom Flat_100009_A2S1.py"),
             r.out);
  BOOST_TEST(load(out / "summary.json").at("class").at("skipped") == ordered_json::array({"Tom Flat_100009_A2S1.py"}));
  // One level too high: refused, before anything is written.
  fs::create_directories(root / "bob");
  write_file(root / "bob" / "A2S1.py", "query121 = 1\n");
  const auto high = run_grader(grade_args(top, dir.path() / "out-high"));
  BOOST_TEST(high.exit_code == 2, high.err);
  BOOST_TEST(contains(high.err,
                      "holds one folder, 'class', which holds folders that would each be graded as a hand-in "
                      "('alice', 'bob' and maybe more): if it is the class, with a folder per student, grade it "
                      "instead"),
             high.err);
  BOOST_TEST(!fs::exists(dir.path() / "out-high/gradebook.csv"));
  // A class of one student whose notebook sits beside its data/ and utils/ folders is no class
  // given too high: graded (it was refused for its two non-empty folders).
  const fs::path single = dir.path() / "single", carol = single / "carol";
  fs::create_directories(carol / "data");
  fs::create_directories(carol / "utils");
  fs::copy_file(test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"),
                carol / "A2S1.py");
  write_file(carol / "data" / "vectors.csv", "1,2\n3,4\n");
  write_file(carol / "utils" / "helpers.py", "def unused():\n    return 1\n");
  const auto one = run_grader(grade_args(single, dir.path() / "out-single"));
  BOOST_TEST(one.exit_code == 0, one.err);
  BOOST_TEST(contains(one.out, "1 student, 1 passed everything"), one.out);
  // Another assignment's spec into these results: refused, and they stay.
  const std::string gradebook = read_file(out / "gradebook.csv");
  const auto other = run_grader(with(grade_args(root, out, "specs/attention-basics.yaml"), {"--resume"}));
  BOOST_TEST(other.exit_code == 2, other.err);
  BOOST_TEST(contains(other.err, "holds results of assignment 'understanding-attention'"), other.err);
  BOOST_TEST(read_file(out / "gradebook.csv") == gradebook);
}

BOOST_AUTO_TEST_CASE(another_assignments_results_are_never_merged_or_graded_into_even_mixed) {
  // Found by a TA helper: `grader merge` of one assignment's shards into another's results
  // folder replaced its gradebook and mixed the two classes; and a folder so mixed was refused
  // or not by `grade --resume` depending on which result the directory listed first.
  TempDir dir;
  const fs::path matrices = dir.path() / "ua", basics = dir.path() / "basics", out = dir.path() / "out";
  make_class(matrices, "understanding-attention", 1);
  make_class(basics, "attention-basics", 1);
  BOOST_REQUIRE(run_grader(grade_args(matrices, out)).exit_code <= 1);
  const std::string gradebook = read_file(out / "gradebook.csv");
  for (const std::string shard : {"0/2", "1/2"})
    BOOST_REQUIRE(
        run_grader(with(grade_args(basics, dir.path() / ("s" + shard.substr(0, 1)), "specs/attention-basics.yaml"),
                        {"--shard", shard}))
            .exit_code <= 1);
  const auto merged =
      run_grader({"merge", "--out", out.string(), (dir.path() / "s0").string(), (dir.path() / "s1").string()});
  BOOST_TEST(merged.exit_code == 2, merged.err);
  BOOST_TEST(contains(merged.err, "holds results of assignment 'understanding-attention'"), merged.err);
  BOOST_TEST(contains(merged.err, "and the shards grade 'attention-basics': merging here would replace them"),
             merged.err);
  BOOST_TEST(read_file(out / "gradebook.csv") == gradebook);
  // A folder holding both (copied together by hand) is refused for either spec.
  fs::path one;
  for (const auto& e : fs::directory_iterator(dir.path() / "s0" / "students")) one = e.path();
  BOOST_REQUIRE(!one.empty());
  fs::copy(one, out / "students" / ("basics-" + one.filename().string()), fs::copy_options::recursive);
  for (const std::string& spec : {kMatrixSpec, std::string("specs/attention-basics.yaml")}) {
    const auto again = run_grader(with(grade_args(spec == kMatrixSpec ? matrices : basics, out, spec), {"--resume"}));
    BOOST_TEST(again.exit_code == 2, again.err);
    BOOST_TEST(contains(again.err, "holds results of assignment"), again.err);
  }
}

BOOST_AUTO_TEST_CASE(a_refused_merge_leaves_no_folder_it_made) {
  TempDir dir;
  const fs::path root = dir.path() / "class";
  make_class(root, "understanding-attention", 1);
  BOOST_TEST(run_grader(with(grade_args(root, dir.path() / "s0"), {"--shard", "0/2"})).exit_code == 0);
  const auto r = run_grader({"merge", "--out", (dir.path() / "merged").string(), (dir.path() / "s0").string()});
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(contains(r.err, "shard 1/2 is missing"), r.err);
  BOOST_TEST(!fs::exists(dir.path() / "merged"));
}

BOOST_AUTO_TEST_CASE(a_folder_that_is_not_a_class_is_a_usage_error) {
  TempDir dir;
  const auto r = run_grader(grade_args(dir.path() / "nope", dir.path() / "out"));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "is not a folder"), r.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(report_formats)

BOOST_AUTO_TEST_CASE(check_writes_every_format_from_the_one_result) {
  const std::string student = "submissions/understanding-attention/wrong-shape";
  const auto native =
      ordered_json::parse(run_grader({"check", "--spec", kMatrixSpec, student, "--format", "json"}).out);
  const auto format = [&](const std::string& f) {
    const auto r = run_grader({"check", "--spec", kMatrixSpec, student, "--format", f});
    BOOST_TEST(r.exit_code == 1);
    return r.out;
  };
  validate_gradescope(ordered_json::parse(format("gradescope")), native);
  validate_prairielearn(ordered_json::parse(format("prairielearn")), native);
  validate_junit(format("junit"), native);
  validate_markdown(format("markdown"), native);
  validate_csv(format("csv"), native, "wrong-shape");
  BOOST_TEST(contains(format("junit"), "<failure message=\"wrong_shape (0 / 1 points)"));
}

BOOST_AUTO_TEST_CASE(crashes_are_junit_errors_and_skipped_calls_are_skipped) {
  const std::vector<std::string> check = {"check", "--spec", "specs/sdpa-masked.yaml", "submissions/sdpa-masked/crash"};
  const auto junit = run_grader(with(check, {"--format", "junit"})).out;
  validate_junit(junit, ordered_json::parse(run_grader(with(check, {"--format", "json"})).out));
  BOOST_TEST(contains(junit, "<error message=\"crashed"), junit);
}

BOOST_AUTO_TEST_CASE(hidden_exercises_are_shown_to_gradescope_students_after_the_due_date) {
  TempDir dir;
  std::string spec = read_file(test_support::source_path(kMatrixSpec));
  const std::string anchor = "    title: Select the first value vector\n";
  spec.replace(spec.find(anchor), anchor.size(), anchor + "    visibility: hidden\n");
  const auto path = dir.write("spec.yaml", spec);
  const auto r = run_grader(
      {"check", "--spec", path.string(), "submissions/understanding-attention/wrong-row", "--format", "gradescope"});
  const auto g = ordered_json::parse(r.out);
  BOOST_TEST(g.at("tests")[0].at("visibility") == "after_due_date");
  BOOST_TEST(g.at("tests")[1].at("visibility") == "visible");
  // The summary every student sees counts the visible exercises only (found by a helper: "5 of
  // 6 exercises passed" told a hidden exercise's verdict before the due date).
  std::size_t visible = 0, passed = 0;
  for (const auto& t : g.at("tests"))
    if (t.at("visibility") == "visible") {
      ++visible;
      passed += t.at("status") == "passed";
    }
  const std::string output = g.at("output");
  BOOST_TEST(contains(output, std::to_string(passed) + " of " + std::to_string(visible) + " exercises passed"), output);
  BOOST_TEST(contains(output, "1 more exercise (1 point) shown after the due date."), output);
  BOOST_TEST(g.at("tests")[0].at("name") == "Select the first value vector");  // the number comes first
  BOOST_TEST(g.at("tests")[0].at("number") == "1.2.1");
}

BOOST_AUTO_TEST_CASE(a_broken_spec_is_ungradable_for_prairielearn_never_a_zero) {
  TempDir dir;
  const auto path = dir.write("spec.yaml", "assignment: {id: x, title: y, version: '1'}\nexercises: [{id: 1}]\n");
  const auto r = run_grader(
      {"check", "--spec", path.string(), "submissions/understanding-attention/wrong-row", "--format", "prairielearn"});
  BOOST_TEST(r.exit_code == 2);
  const auto p = ordered_json::parse(r.out);
  BOOST_TEST(p.at("gradable") == false);
  // The reason is for staff, in the job's log: students see neither the server's paths nor the
  // spec (found by a TA helper).
  BOOST_TEST(!contains(p.at("message").get<std::string>(), "spec.yaml"), r.out);
  BOOST_TEST(contains(p.at("message").get<std::string>(), "please tell your instructor"), r.out);
  BOOST_TEST(contains(r.err, path.string()), r.err);
}

BOOST_AUTO_TEST_CASE(prairielearn_output_is_written_where_no_results_folder_exists_yet) {
  // PrairieLearn does not make /grade/results: the grader makes the folder of --output and
  // --write, for a graded submission and for a broken spec alike (it wrote nothing, exit 2).
  TempDir dir;
  const auto results = dir.path() / "grade" / "results" / "results.json";
  auto r = run_grader({"check", "--spec", kMatrixSpec, "submissions/understanding-attention/wrong-row", "--format",
                       "prairielearn", "--output", results.string(), "--write",
                       "junit=" + (dir.path() / "reports" / "junit.xml").string()});
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(ordered_json::parse(read_file(results)).at("gradable") == true);
  BOOST_TEST(fs::exists(dir.path() / "reports" / "junit.xml"));
  fs::remove_all(dir.path() / "grade");
  const auto broken = dir.write("spec.yaml", "assignment: {id: x, title: y, version: '1'}\nexercises: [{id: 1}]\n");
  r = run_grader({"check", "--spec", broken.string(), "submissions/understanding-attention/wrong-row", "--format",
                  "prairielearn", "--output", results.string()});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(ordered_json::parse(read_file(results)).at("gradable") == false);
}

BOOST_AUTO_TEST_CASE(the_prairielearn_entrypoint_exits_0_whenever_results_are_written) {
  // PrairieLearn reads results.json only when the entrypoint exits 0 (grader-host: `succeeded`
  // is an exit code of 0): the documented `exec grader check ...` exited 1 for every student
  // who failed an exercise, and PrairieLearn would have recorded no grade (found by helpers
  // trying the docs). scripts/prairielearn/grade.sh, run as PrairieLearn runs it, in a folder
  // laid out like /grade, which has no results/ folder yet.
  TempDir dir;
  const fs::path grade = dir.path() / "grade", results = grade / "results" / "results.json";
  fs::create_directories(grade / "serverFilesCourse" / "attention-grader");
  fs::copy(test_support::source_path("submissions/understanding-attention/wrong-row"), grade / "student");
  const std::string script = test_support::source_path("scripts/prairielearn/grade.sh");
  const std::vector<std::string> env = {"GRADE=" + grade.string(), std::string("GRADER=") + GRADER_EXECUTABLE};
  // A student who fails an exercise: a score, and exit 0.
  auto r = test_support::run_process({script, test_support::source_path(kMatrixSpec)}, env);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  auto p = ordered_json::parse(read_file(results));
  BOOST_TEST(p.at("gradable") == true);
  BOOST_TEST(p.at("score").get<double>() < 1.0);
  // A broken spec, named beside the script: "gradable": false, and exit 0 so that it is read.
  const fs::path here = grade / "serverFilesCourse" / "attention-grader";
  fs::copy(script, here / "grade.sh");
  dir.write("grade/serverFilesCourse/attention-grader/broken.yaml",
            "assignment: {id: x, title: y, version: '1'}\nexercises: [{id: 1}]\n");
  r = test_support::run_process({(here / "grade.sh").string(), "broken.yaml"}, env);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  p = ordered_json::parse(read_file(results));
  BOOST_TEST(p.at("gradable") == false);
  BOOST_TEST(!contains(p.at("message").get<std::string>(), "broken.yaml"), p.dump());  // the job's log says
  BOOST_TEST(contains(r.err, "broken.yaml"), r.err);
  // So is a spec that is not there (found by a TA helper: no results.json, the job a failure).
  r = test_support::run_process({(here / "grade.sh").string(), "no-such-spec.yaml"}, env);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(ordered_json::parse(read_file(results)).at("gradable") == false);
  BOOST_TEST(contains(r.err, (here / "no-such-spec.yaml").string() + ": error: cannot be opened"), r.err);
  // A seed-secret beside the script seeds the student's cases as `grader check --seed-secret`.
  fs::remove_all(grade / "student");
  fs::copy(test_support::source_path("submissions/sdpa-masked/py-no-scale"), grade / "student");
  const fs::path secret =
      dir.write("grade/serverFilesCourse/attention-grader/seed-secret", "V2hhdCBhIHNlY3JldCB0aGlzIGlz\n");
  r = test_support::run_process({(here / "grade.sh").string(), test_support::source_path("specs/sdpa-masked.yaml")},
                                env);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  const std::string seed = test_support::shown_seed(read_file(results));
  const auto checked = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (grade / "student").string(),
                                   "--seed-secret", secret.string(), "--format", "prairielearn"});
  BOOST_TEST(test_support::shown_seed(checked.out) == seed);
  // A secret that cannot be used is the course's fault, as a broken spec: not gradable, the
  // reason in the job's log; a link that leads nowhere too, and a secret of another name
  // (found by an instructor helper), never grading without it.
  const fs::path misnamed = here / "seed-secret.txt";
  for (const std::string how : {"short", "a dangling link", "misnamed"}) {
    fs::remove(secret);
    fs::remove(misnamed);
    if (how == "a dangling link")
      fs::create_symlink(dir.path() / "not-mounted", secret);
    else
      dir.write(how == "short" ? "grade/serverFilesCourse/attention-grader/seed-secret"
                               : "grade/serverFilesCourse/attention-grader/seed-secret.txt",
                how == "short" ? "short\n" : "V2hhdCBhIHNlY3JldCB0aGlzIGlz\n");
    r = test_support::run_process({(here / "grade.sh").string(), test_support::source_path("specs/sdpa-masked.yaml")},
                                  env);
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    BOOST_TEST(ordered_json::parse(read_file(results)).at("gradable") == false, how);
    BOOST_TEST(contains(r.err, "--seed-secret " + secret.string() + ": "), r.err);
    if (how == "misnamed")
      BOOST_TEST(contains(r.err, misnamed.string() + " is not read: name the secret seed-secret"), r.err);
  }
  fs::remove(misnamed);
  r = test_support::run_process({(here / "grade.sh").string(), test_support::source_path("specs/sdpa-masked.yaml")},
                                env);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(test_support::shown_seed(read_file(results)) != seed);
  // No grader to run: no results (the old ones removed), exit 1, the job a failure for staff.
  r = test_support::run_process({script, test_support::source_path(kMatrixSpec)},
                                {"GRADE=" + grade.string(), "GRADER=" + (dir.path() / "no-such-grader").string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(!fs::exists(results));
  BOOST_TEST(contains(r.err, "the grader wrote no"), r.err);
  // docs/platforms.md shows the script as it is.
  const std::string doc = read_file(test_support::source_path("docs/platforms.md"));
  std::istringstream lines(read_file(script));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != '#') BOOST_TEST(contains(doc, line), line);
}

BOOST_AUTO_TEST_CASE(a_failing_check_worth_no_points_is_told_and_fails_nothing_in_any_format) {
  // Found by a helper: the JUnit report failed a test for it while the exit status was 0 and
  // the text and Markdown reports showed everything passed without a word about it.
  TempDir dir;
  dir.write("student/homework.py",
            "import math\nimport torch\n\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n"
            "    if mask is not None:\n"
            "        scores = scores.masked_fill(mask[:, :1, :] == 0, -torch.inf)  # the first row only\n"
            "    w = torch.softmax(scores, dim=-1)\n    return w @ V, w\n");
  const std::string student = (dir.path() / "student").string();
  const auto junit = dir.path() / "junit.xml";
  const auto r = run_grader({"check", "--spec", "specs/sdpa-masked.yaml", student, "--write",
                             "junit=" + junit.string(), "--write", "markdown=" + (dir.path() / "summary.md").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  const std::string info = "for information (no points), wrong: beyond the notebook";
  BOOST_TEST(contains(r.out, info), r.out);
  // What failed, and on which case, is detailed as for a failed exercise (the summary line
  // alone left a student nothing to act on).
  const std::string detailed = "wrong (0 / 0 points): beyond the notebook, for information: a causal mask";
  BOOST_TEST(contains(r.out, "\nfor information (no points)\n"), r.out);  // no "failures" over full marks
  BOOST_TEST(!contains(r.out, "\nfailures\n"), r.out);
  BOOST_TEST(contains(r.out, detailed), r.out);
  BOOST_TEST(contains(r.out, " of 20 (batch="), r.out);  // the case it failed on
  const std::string summary = read_file(dir.path() / "summary.md");
  BOOST_TEST(contains(summary, "for information \\(no points\\), wrong"));  // escaped
  BOOST_TEST(contains(summary, "<details><summary>2 "), summary);
  BOOST_TEST(contains(summary, detailed), summary);
  const std::string xml = read_file(junit);
  BOOST_TEST(contains(xml, "failures=\"0\""), xml);
  BOOST_TEST(!contains(xml, "<failure"), xml);
  BOOST_TEST(contains(xml, "wrong, 0 / 0 points"), xml);  // still shown in the test case
  const auto j = ordered_json::parse(
      run_grader({"check", "--spec", "specs/sdpa-masked.yaml", student, "--format", "json"}).out);
  BOOST_TEST(j.at("exercises")[1].at("verdict") == "passed");
  BOOST_TEST(contains(j.at("exercises")[1].at("message").get<std::string>(), info));
}

BOOST_AUTO_TEST_CASE(a_failing_exercise_worth_no_points_is_optional_and_fails_nothing) {
  // Found by an instructor helper: an optional exercise (points: 0) left out made the exit
  // status 1, a JUnit failure and a student short of `all_passed`.
  TempDir dir;
  const auto spec = dir.write("spec.yaml", R"(assignment: {id: opt, title: Optional, version: '1'}
exercises:
  - {id: "1", title: Needed, points: 1, answers: [{name: a, shape: [1, 1]}], output: a, expect: '[[1]]'}
  - {id: "2", title: Optional, points: 0, answers: [{name: b, shape: [1, 1]}], output: b, expect: '[[2]]'}
)");
  dir.write("class/done/answers.yaml", "a: [[1]]\nb: [[2]]\n");
  dir.write("class/skipped/answers.yaml", "a: [[1]]\n");
  dir.write("class/wrong/answers.yaml", "a: [[0]]\nb: [[2]]\n");
  const auto junit = dir.path() / "junit.xml";
  auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "class" / "skipped").string(), "--write",
                       "junit=" + junit.string(), "--github-annotations"});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(
      contains(r.out, "score: 1 / 1  (1 of 2 exercises passed; exercise 2, worth no points, for information only)"),
      r.out);
  BOOST_TEST(contains(r.out, "\nfor information (no points)\n"), r.out);
  BOOST_TEST(!contains(r.out, "\nfailures\n"), r.out);
  BOOST_TEST(contains(read_file(junit), "failures=\"0\" errors=\"0\""), read_file(junit));
  BOOST_TEST(contains(r.err, "::notice title=opt 2 (missing"), r.err);
  BOOST_TEST(!contains(r.err, "::error"), r.err);
  // The exercise with points still fails everything.
  r = run_grader({"check", "--spec", spec.string(), (dir.path() / "class" / "wrong").string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  r = run_grader({"grade", "--spec", spec.string(), (dir.path() / "class").string(), "--out",
                  (dir.path() / "out").string(), "--progress", "none"});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(ordered_json::parse(read_file(dir.path() / "out" / "summary.json")).at("all_passed") == 2);
}

BOOST_AUTO_TEST_CASE(github_annotations_are_one_workflow_command_per_failure) {
  const auto r = run_grader(
      {"check", "--spec", kMatrixSpec, "submissions/understanding-attention/scale-too-small", "--github-annotations"});
  BOOST_TEST(r.exit_code == 1);
  std::size_t commands = 0;
  std::size_t start = 0;
  for (std::size_t end; (end = r.err.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = r.err.substr(start, end - start);
    BOOST_TEST(line.rfind("::error title=understanding-attention 1.2.", 0) == 0u, line);
    BOOST_TEST(contains(line, "%0A"));  // the details, kept on the command's one line
    ++commands;
  }
  BOOST_TEST(commands == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cluster_scripts)

BOOST_AUTO_TEST_CASE(slurm_and_kubernetes_shards_merge_into_the_single_run) {
  TempDir dir;
  const fs::path root = dir.path() / "class", results = dir.path() / "results";
  make_class(root, "understanding-attention", 2);
  // With a secret for the seeds: summary.json's inputs hold its digest, so the shards' summary
  // equals the single run's only if every shard was given it.
  const fs::path secret = dir.write("seed-secret", "V2hhdCBhIHNlY3JldCB0aGlzIGlz\n");
  BOOST_TEST(run_grader(with(grade_args(root, dir.path() / "single"), {"--seed-secret", secret.string()})).exit_code ==
             0);
  const std::vector<std::string> common = {"SPEC=" + test_support::source_path(kMatrixSpec),
                                           "CLASS=" + root.string(),
                                           "RESULTS=" + results.string(),
                                           std::string("GRADER=") + GRADER_EXECUTABLE,
                                           "JOBS=1",
                                           "SEED_SECRET=" + secret.string()};
  const std::string grade_shard = test_support::source_path("scripts/cluster/grade-shard.sh");
  // Two Slurm array tasks, one Kubernetes pod: the same script finds its index either way.
  for (const auto& task : std::vector<std::vector<std::string>>{{"SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_COUNT=3"},
                                                                {"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT=3"},
                                                                {"JOB_COMPLETION_INDEX=2", "SHARDS=3"}}) {
    auto env = common;
    env.insert(env.end(), task.begin(), task.end());
    const auto r = test_support::run_process({grade_shard}, env);
    BOOST_TEST(r.exit_code == 0, r.err);
  }
  BOOST_TEST(fs::exists(results / "shard-2/summary.json"));
  const auto merged = test_support::run_process({test_support::source_path("scripts/cluster/merge-shards.sh")}, common);
  BOOST_TEST(merged.exit_code == 0, merged.err);
  BOOST_TEST(read_file(results / "all/gradebook.csv") == read_file(dir.path() / "single/gradebook.csv"));
  BOOST_TEST(read_file(results / "all/summary.json") == read_file(dir.path() / "single/summary.json"));
  // The batch files run the same scripts.
  for (const char* file : {"slurm-grade.sbatch", "k8s-grade-job.yaml"})
    BOOST_TEST(
        contains(read_file(test_support::source_path(std::string("scripts/cluster/") + file)), "grade-shard.sh"));
  for (const char* file : {"slurm-merge.sbatch", "k8s-merge-job.yaml"})
    BOOST_TEST(
        contains(read_file(test_support::source_path(std::string("scripts/cluster/") + file)), "merge-shards.sh"));
  // docs/scaling.md shows the files as they are: every line that is not a comment.
  const std::string doc = read_file(test_support::source_path("docs/scaling.md"));
  for (const char* file : {"slurm-grade.sbatch", "k8s-grade-job.yaml"}) {
    std::istringstream lines(read_file(test_support::source_path(std::string("scripts/cluster/") + file)));
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("# ", 0) != 0 && line != "#") BOOST_TEST(contains(doc, line + "\n"), file << ": " << line);
  }
}

BOOST_AUTO_TEST_SUITE_END()
