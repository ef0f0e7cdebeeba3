// The solution ABI from a student's side: solution.hpp converts every rank correctly, reports
// shape errors and exceptions; the examples of docs/solution-abi.md build and pass; sources are
// compiled once and cached.
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <regex>

#include "grader/library/build.hpp"
#include "grader/library/run.hpp"
#include "support/build_library.hpp"
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace grader;
using test_support::TempDir;

namespace {

const char* kConversions = R"(
#include <grader/solution.hpp>
// Each function returns its input transformed in a way that exposes any layout mistake.
static arma::mat mat_t(const arma::mat& m) { return m.t(); }
static arma::vec vec_rev(const arma::vec& v) { return arma::reverse(v); }
static arma::rowvec row_twice(const arma::rowvec& v) { return 2 * v; }
static arma::cube cube_swap(const arma::cube& c) {  // (b, r, k) -> (b, k, r)
  arma::cube out(c.n_cols, c.n_rows, c.n_slices);
  for (arma::uword s = 0; s < c.n_slices; ++s) out.slice(s) = c.slice(s).t();
  return out;
}
static double total(const arma::mat& m) { return arma::accu(m); }
static std::tuple<arma::mat, double> two(const arma::mat& m, double k) { return {k * m, k}; }
static arma::mat optional_add(const arma::mat& m, const std::optional<arma::mat>& plus) {
  return plus ? arma::mat(m + *plus) : m;
}
static arma::mat wrong_shape(const arma::mat& m) { return arma::join_cols(m, m); }
static arma::mat throws(const arma::mat&) { throw std::domain_error("d_k must be positive"); }
GRADER_EXPORT(mat_t_c, mat_t)
GRADER_EXPORT(vec_rev_c, vec_rev)
GRADER_EXPORT(row_twice_c, row_twice)
GRADER_EXPORT(cube_swap_c, cube_swap)
GRADER_EXPORT(total_c, total)
GRADER_EXPORT(two_c, two)
GRADER_EXPORT(optional_add_c, optional_add)
GRADER_EXPORT(wrong_shape_c, wrong_shape)
GRADER_EXPORT(throws_c, throws)
)";

Tensor iota(Shape shape) {
  std::vector<double> v(element_count(shape));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  return Tensor(std::move(shape), std::move(v));
}

std::vector<double> values(const Tensor& t) { return {t.values().begin(), t.values().end()}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(solution_abi)

BOOST_AUTO_TEST_CASE(solution_hpp_converts_every_rank_row_major) {
  TempDir dir;
  const auto lib =
      test_support::build_library(dir.path(), "conv", kConversions, test_support::Language::cxx, "-larmadillo");
  const Tensor m = iota({2, 3}), v = iota({4}), c = iota({2, 2, 3});
  const RunReport r = run_library(lib, {
                                           {"mat_t_c", {m}, {{3, 2}}, 0},
                                           {"vec_rev_c", {v}, {{4}}, 1},
                                           {"row_twice_c", {v}, {{4}}, 2},
                                           {"cube_swap_c", {c}, {{2, 3, 2}}, 3},
                                           {"total_c", {m}, {{}}, 4},
                                           {"two_c", {m, Tensor::scalar(3)}, {{2, 3}, {1}}, 5},
                                           {"optional_add_c", {m}, {{2, 3}}, 6},
                                           {"optional_add_c", {m, m}, {{2, 3}}, 7},
                                           {"wrong_shape_c", {m}, {{2, 3}}, 8},
                                           {"throws_c", {m}, {{2, 3}}, 9},
                                           {"mat_t_c", {m, m}, {{3, 2}}, 10},
                                       });
  for (std::size_t i = 0; i < 8; ++i) BOOST_TEST_REQUIRE(!r.calls[i].failure, i << ": " << r.calls[i].message);
  using V = std::vector<double>;
  BOOST_TEST(values(r.calls[0].outputs[0]) == (V{0, 3, 1, 4, 2, 5}), boost::test_tools::per_element());
  BOOST_TEST(values(r.calls[1].outputs[0]) == (V{3, 2, 1, 0}), boost::test_tools::per_element());
  BOOST_TEST(values(r.calls[2].outputs[0]) == (V{0, 2, 4, 6}), boost::test_tools::per_element());
  // item b of the cube, transposed: [[0, 3], [1, 4], [2, 5]], then [[6, 9], [7, 10], [8, 11]]
  BOOST_TEST(values(r.calls[3].outputs[0]) == (V{0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11}),
             boost::test_tools::per_element());
  BOOST_TEST(r.calls[4].outputs[0][0] == 15.0);
  BOOST_TEST(values(r.calls[5].outputs[0]) == (V{0, 3, 6, 9, 12, 15}), boost::test_tools::per_element());
  BOOST_TEST(r.calls[5].outputs[1][0] == 3.0);
  BOOST_TEST(values(r.calls[6].outputs[0]) == values(m), boost::test_tools::per_element());
  BOOST_TEST(values(r.calls[7].outputs[0]) == (V{0, 2, 4, 6, 8, 10}), boost::test_tools::per_element());
  BOOST_TEST(to_string(*r.calls[8].failure) == "solution_error");
  BOOST_TEST(r.calls[8].message == "the function returned 1: result is 4 x 3 but the output has shape (2, 3)");
  BOOST_TEST(to_string(*r.calls[9].failure) == "threw");
  BOOST_TEST(r.calls[9].message == "an exception escaped the function: d_k must be positive");
  BOOST_TEST(r.calls[10].message == "the function returned 1: expected 1 inputs, got 2");
}

BOOST_AUTO_TEST_CASE(the_documented_c_and_cpp_examples_build_and_pass) {
  const std::string doc = test_support::read_file(test_support::source_path("docs/solution-abi.md"));
  const auto block = [&](const std::string& first_line) {
    const auto start = doc.find(first_line);
    BOOST_REQUIRE(start != std::string::npos);
    return doc.substr(start, doc.find("```", start) - start);
  };
  for (const auto& [file, first_line] :
       {std::pair{"solution.c", "/* solution.c"}, std::pair{"solution.cpp", "// solution.cpp"}}) {
    BOOST_TEST_CONTEXT(file) {
      TempDir student;
      student.write(file, block(first_line));
      const auto r = test_support::run_grader(
          {"check", "--spec", "specs/attention-basics.yaml", student.path().string(), "--format", "json"});
      const auto result = nlohmann::json::parse(r.out);
      const auto& exercises = result.at("exercises");
      const auto it =
          std::find_if(exercises.begin(), exercises.end(), [](const auto& e) { return e.at("id") == "2.2"; });
      BOOST_REQUIRE(it != exercises.end());
      BOOST_TEST(it->at("verdict") == "passed", it->dump(2));
    }
  }
}

BOOST_AUTO_TEST_CASE(sources_are_compiled_once_then_cached_and_errors_are_shown) {
  TempDir student, cache;
  student.write("solution.c", "#include <grader/solution.h>\nint f(void) { return 0; }\n");
  const LibrarySpec spec;
  const LibraryBuild first = find_or_build_library(spec, student.path(), cache.path());
  BOOST_REQUIRE(first.library.has_value());
  BOOST_TEST(!first.cached);
  const LibraryBuild second = find_or_build_library(spec, student.path(), cache.path());
  BOOST_TEST(second.cached);
  BOOST_TEST(*second.library == *first.library);
  student.write("solution.c", "int f(void) { return 0 }\n");  // changed: built again, and fails
  const LibraryBuild broken = find_or_build_library(spec, student.path(), cache.path());
  BOOST_TEST(!broken.library.has_value());
  BOOST_TEST(broken.compile_failed);
  BOOST_TEST(broken.message.rfind("compiling failed at solution.c:1: expected ';' before '}' token\n"
                                  "solution.c:1: int f(void) { return 0 }\n  error: expected",
                                  0) == 0,
             broken.message);
  TempDir empty;
  const LibraryBuild none = find_or_build_library(spec, empty.path(), cache.path());
  BOOST_TEST(!none.compile_failed);
  BOOST_TEST(none.message == "no libsolution.so and no C or C++ sources (.c, .cpp) in the submission");
}

BOOST_AUTO_TEST_CASE(the_compiler_cannot_read_files_outside_its_build_folder) {
  // Without confinement, gcc would quote the secret in its error message.
  TempDir secret, student, cache;
  const auto file = secret.write("answers-key.txt", "TOP_SECRET_EXPECTED_VALUES 0.4537 0.3877\n");
  student.write("solution.c", "#include \"" + file.string() + "\"\nint f(void) { return 0; }\n");
  const LibraryBuild build = find_or_build_library(LibrarySpec{}, student.path(), cache.path());
  BOOST_TEST(build.compile_failed);
  BOOST_TEST(build.message.find("TOP_SECRET") == std::string::npos, build.message);
  BOOST_TEST(build.message.find("answers-key.txt") != std::string::npos, build.message);
}

BOOST_AUTO_TEST_CASE(a_seed_replays_the_same_random_cases) {
  const auto run = [](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {
        "check", "--spec", "specs/sdpa-masked.yaml", "submissions/sdpa-masked/wrong-axis", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return nlohmann::json::parse(test_support::run_grader(args).out).at("exercises").at(0).at("checks").at(1);
  };
  const auto first = run({});
  const std::smatch::string_type details = first.at("details");
  std::smatch m;
  BOOST_REQUIRE(std::regex_search(details, m,
                                  std::regex("seed (\\d+): quote it when you ask about this case \\(`grader check "
                                             "--spec SPEC --exercise [^ ]+ --seed \\d+ FOLDER` replays")));
  const auto replay = run({"--seed", m[1].str()});
  BOOST_TEST(replay.at("message") == first.at("message"));
  const auto other = run({"--seed", "12345"});
  BOOST_TEST(other.at("details") != first.at("details"));
}

BOOST_AUTO_TEST_SUITE_END()
