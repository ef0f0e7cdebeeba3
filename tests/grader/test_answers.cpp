// Reading answers: every .npy dtype and layout NumPy writes, text, Armadillo's own formats,
// answers.yaml/json, and hostile or broken files, which must give a clear reason quickly.
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <armadillo>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>
#include "grader/answers/read.hpp"
#include "grader/answers/submission.hpp"
#include "grader/error.hpp"

#include "support/fixtures.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

using namespace grader;
using test_support::TempDir;

namespace {

using test_support::contains;

std::string reason(const std::function<void()>& f) {
  try {
    f();
  } catch (const ReadError& e) {
    return e.what();
  }
  return "<no error>";
}

std::string npy_fixture(const std::string& name) {
  return test_support::source_path("tests/fixtures/npy/" + name + ".npy");
}

/// `t` has the shape and exactly the values of a fixture entry {shape, values: [float64 reprs]}.
void check_fixture(const Tensor& t, const nlohmann::json& want) {
  BOOST_TEST(t.shape() == want.at("shape").get<Shape>(), boost::test_tools::per_element());
  const auto values = want.at("values").get<std::vector<std::string>>();
  BOOST_REQUIRE_EQUAL(t.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = std::strtod(values[i].c_str(), nullptr);
    if (std::isnan(v))
      BOOST_TEST(std::isnan(t[i]));
    else
      BOOST_TEST(t[i] == v);
  }
}

/// A valid .npy header for float64 data of the given shape text, e.g. "(2, 3)".
/// A version 1 header of float64 data; `more` (", 'key': value") goes at the dict's end.
std::string npy_header(const std::string& shape, const std::string& more = "") {
  std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + more + ", }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(npy)

BOOST_AUTO_TEST_CASE(reads_every_dtype_and_layout_numpy_writes) {
  const auto expected = test_support::load_fixture("npy/expected.json").at("cases");
  BOOST_REQUIRE_GE(expected.size(), 20u);
  for (const auto& [name, want] : expected.items()) {
    BOOST_TEST_CONTEXT(name) {
      // Exact: float32, float16 and integers convert exactly.
      check_fixture(read_tensor_file(npy_fixture(name)), want);
    }
  }
}

BOOST_AUTO_TEST_CASE(writes_exactly_what_numpy_saves) {
  // np.save of float64 C-order arrays, byte for byte: the same header, padding and data.
  for (const char* name : {"f8_c_2d", "f8_c_3d", "f8_rank1"}) {
    BOOST_TEST_CONTEXT(name) {
      const std::string bytes = test_support::read_file(npy_fixture(name));
      BOOST_TEST(encode_npy(parse_npy(bytes)) == bytes);
    }
  }
}

BOOST_AUTO_TEST_CASE(refuses_objects_complex_structured_and_rank_4) {
  BOOST_TEST(contains(reason([] { read_tensor_file(npy_fixture("object")); }), "Python objects"));
  BOOST_TEST(contains(reason([] { read_tensor_file(npy_fixture("complex")); }), "complex numbers"));
  BOOST_TEST(contains(reason([] { read_tensor_file(npy_fixture("structured")); }), "structured or unusual dtype"));
  BOOST_TEST(contains(reason([] { read_tensor_file(npy_fixture("rank4")); }), "at most rank 3 is supported"));
}

BOOST_AUTO_TEST_CASE(truncated_data_names_both_sizes) {
  std::string bytes = npy_header("(2, 3)") + std::string(6 * 8 - 5, '\0');
  BOOST_TEST(reason([&] { parse_npy(bytes); }) ==
             "declares shape (2, 3) (48 bytes of data) but holds 43 bytes: the file is "
             "truncated or corrupt; save it again");
}

BOOST_AUTO_TEST_CASE(huge_declared_shape_is_refused_without_allocating) {
  // 10^18 elements would need 8 EB; the reader must compare with the bytes present first.
  const std::string bytes = npy_header("(1000000000, 1000000000)") + std::string(16, '\0');
  BOOST_TEST(contains(reason([&] { parse_npy(bytes); }), "declares shape (1000000000, 1000000000)"));
  const std::string overflow = npy_header("(4294967296, 4294967296, 4294967296)");
  BOOST_TEST(contains(reason([&] { parse_npy(overflow); }), "far too large"));
}

BOOST_AUTO_TEST_CASE(a_key_given_twice_is_refused) {
  // NumPy reads the last 'descr' ('<f4' here: other values from the same bytes), this reader
  // read the first: a student would see in NumPy what the grader never graded.
  BOOST_TEST(reason([] { parse_npy(npy_header("(1, 2)", ", 'descr': '<f4'") + std::string(16, '\0')); }) ==
             "has a header that gives 'descr' twice; save the array again with numpy.save");
  BOOST_TEST(contains(reason([] { parse_npy(npy_header("(1, 2)", ", \"shape\": (2, 1)") + std::string(16, '\0')); }),
                      "gives 'shape' twice"));
  // Written so that only NumPy sees the second key (found by a helper: NumPy read big-endian
  // garbage where this reader read the right values, and the answer passed).
  for (const std::string more : {", 'desc\\x72': '>f8'", ", 'de' 'scr': '>f8'"})
    BOOST_TEST(contains(reason([&] { parse_npy(npy_header("(1, 2)", more) + std::string(16, '\0')); }),
                        "has a header NumPy would read otherwise"),
               more);
}

BOOST_AUTO_TEST_CASE(empty_arrays_with_huge_other_sizes_are_refused_at_once) {
  // Found by fuzz_npy: Fortran order, shape (6007777777700000, 0, 429496727296): no element,
  // but reordering looped over the first size (a hang). Armadillo's reordering had the same flaw.
  // Sizes beyond what any tensor may hold are refused from the header, empty or not.
  std::string fortran = npy_header("(6007777777700000, 0, 429496727296)");
  fortran.replace(fortran.find("False"), 5, "True ");
  BOOST_TEST(contains(reason([&] { parse_npy(fortran); }), "far too large"));
  BOOST_TEST(contains(reason([] { parse_armadillo("ARMA_CUB_BIN_FN008\n0 100000000000000 100000000000000\n"); }),
                      "far too large"));
  const Tensor empty = parse_npy(npy_header("(4096, 0, 4096)"));
  BOOST_TEST(empty.size() == 0u);
}

BOOST_AUTO_TEST_CASE(bad_magic_short_files_and_lying_header_lengths) {
  BOOST_TEST(contains(reason([] { parse_npy("PK\x03\x04 a zip file"); }), "not a NumPy .npy file"));
  // What it is, where a habit makes it: torch.save's zip, a pickle (found by a student helper).
  BOOST_TEST(contains(reason([] { parse_npy("PK\x03\x04 a zip file"); }), "a zip archive, as torch.save"));
  BOOST_TEST(contains(reason([] { parse_npy("\x80\x04\x95 a pickle"); }), "a pickle, as pickle.dump"));
  BOOST_TEST(contains(reason([] { parse_npy("PK\x03\x04 a zip file"); }), "np.save(path, t.detach().numpy())"));
  BOOST_TEST(contains(reason([] { parse_npy(""); }), "not a NumPy .npy file"));
  std::string lying = "\x93NUMPY\x01";
  lying += '\0';
  lying += "\xff\xff{'descr'";
  BOOST_TEST(contains(reason([&] { parse_npy(lying); }), "truncated inside its header"));
  std::string version9 = npy_header("(1,)");
  version9[6] = 9;
  BOOST_TEST(contains(reason([&] { parse_npy(version9 + std::string(8, '\0')); }), "format version 9"));
}

BOOST_AUTO_TEST_CASE(a_header_declaring_another_count_is_refused_before_its_data) {
  // 64 MiB of Fortran-order data cost seconds and a gigabyte before the shape was checked.
  const std::string bytes = npy_header("(2047, 4096)") + std::string(16, '\0');
  try {
    parse_npy(bytes, Expected{3});
    BOOST_FAIL("no error");
  } catch (const ShapeMismatch& e) {
    BOOST_TEST(std::string(e.what()) == "has shape (2047, 4096)");
    BOOST_TEST(*e.shape() == (Shape{2047, 4096}), boost::test_tools::per_element());
  }
  // Without an expectation, the same bytes are simply truncated.
  BOOST_TEST(contains(reason([&] { parse_npy(bytes); }), "truncated or corrupt"));
  // The right count in another orientation is read: the grader decides about orientation.
  BOOST_TEST(read_tensor_file(npy_fixture("f8_rank1"), {}, Expected{4}).size() == 4u);
  BOOST_CHECK_THROW(read_tensor_file(npy_fixture("f8_fortran_3d"), {}, Expected{12}), ShapeMismatch);
  // A file larger than its first read: the header is judged before the rest is read.
  TempDir dir;
  const auto big = dir.write("big.npy", npy_header("(1000, 1000)"));
  std::filesystem::resize_file(big, std::filesystem::file_size(big) + 8000000);
  BOOST_CHECK_THROW(read_tensor_file(big, {}, Expected{3}), ShapeMismatch);
  BOOST_TEST(read_tensor_file(big, {}, Expected{1000000}).size() == 1000000u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(text_and_armadillo)

BOOST_AUTO_TEST_CASE(csv_and_whitespace_text_with_comments) {
  const Tensor csv = parse_text_matrix("# a header\n1, 2.5, -3e-2\n\n4,5,6\n");
  BOOST_TEST(csv.shape() == (Shape{2, 3}), boost::test_tools::per_element());
  BOOST_TEST(csv[2] == -3e-2);
  BOOST_TEST(csv[5] == 6.0);
  const Tensor ws = parse_text_matrix("  1 2\t3\n4 5 6  # trailing comment\n");
  BOOST_TEST(ws.shape() == (Shape{2, 3}), boost::test_tools::per_element());
  const Tensor special = parse_text_matrix("nan inf -inf\n");
  BOOST_TEST(std::isnan(special[0]));
  BOOST_TEST(special[2] == -INFINITY);
}

BOOST_AUTO_TEST_CASE(text_errors_name_line_and_value) {
  BOOST_TEST(reason([] { parse_text_matrix("1,2,3\n4,5\n"); }) ==
             "line 2 has 2 values but line 1 has 3; every row needs the same number of values");
  BOOST_TEST(reason([] { parse_text_matrix("1 2\n3 x4\n"); }) == "line 2, value 2 is 'x4', not a number");
  BOOST_TEST(reason([] { parse_text_matrix("\n# nothing\n"); }) == "holds no numbers");
  BOOST_TEST(contains(reason([] { parse_text_matrix(std::string("1\0 2", 4)); }), "is binary"));
}

BOOST_AUTO_TEST_CASE(what_a_value_that_is_no_number_most_likely_is_is_said) {
  // Found by a student helper: pandas' to_csv and a trailing comma were told "value 1 is '', not a
  // number" alone.
  const std::string pandas = reason([] { parse_text_matrix(",0,1,2\n0,1.5,2.5,3.5\n"); });
  BOOST_TEST(contains(pandas,
                      "line 1, value 1 is '', not a number; the file must hold numbers only: a header row and "
                      "an index column, as pandas' to_csv writes them?"),
             pandas);
  BOOST_TEST(contains(pandas, "to_csv(path, index=False, header=False)"), pandas);
  const std::string header = reason([] { parse_text_matrix("x,y,z\n1,2,3\n"); });
  BOOST_TEST(contains(header, "line 1, value 1 is 'x', not a number; the file must hold numbers only: a header row?"),
             header);
  BOOST_TEST(contains(reason([] { parse_text_matrix("1,2,3,\n"); }),
                      "value 4 is '', not a number; nothing after the line's last comma"));
  BOOST_TEST(contains(reason([] { parse_text_matrix("1,,3\n"); }),
                      "value 2 is '', not a number; nothing between two "
                      "commas"));
  BOOST_TEST(contains(reason([] { parse_text_matrix("tensor([1., 2.])\n"); }), "not a printed tensor or array"));
  // A word after numbers, or after a row of them, is no header.
  BOOST_TEST(reason([] { parse_text_matrix("1,2,oops\n"); }) == "line 1, value 3 is 'oops', not a number");
  BOOST_TEST(reason([] { parse_text_matrix("1 2\nx 4\n"); }) == "line 2, value 1 is 'x', not a number");
}

BOOST_AUTO_TEST_CASE(numpy_savetxt_files_are_read_as_numpy_loadtxt_reads_them) {
  // Made by tests/fixtures/make_text_fixtures.py: headers and footers with commas, tabs,
  // ', ', %d, Windows newlines, a spreadsheet's UTF-8 byte order mark.
  const auto expected = test_support::load_fixture("text/expected.json");
  BOOST_REQUIRE_GE(expected.at("accepted").size(), 10u);
  for (const auto& [name, want] : expected.at("accepted").items()) {
    BOOST_TEST_CONTEXT(name) {
      check_fixture(read_tensor_file(test_support::source_path("tests/fixtures/text/" + name)), want);
    }
  }
}

BOOST_AUTO_TEST_CASE(text_that_cannot_be_read_says_what_it_is) {
  const auto expected = test_support::load_fixture("text/expected.json");
  BOOST_REQUIRE_GE(expected.at("refused").size(), 4u);
  for (const auto& [name, want] : expected.at("refused").items()) {
    BOOST_TEST_CONTEXT(name) {
      const std::string why =
          reason([&] { read_tensor_file(test_support::source_path("tests/fixtures/text/" + name)); });
      BOOST_TEST(contains(why, want.get<std::string>()), why);
    }
  }
  BOOST_TEST(reason([] {
               parse_text_matrix(
                   "\xff\xfe\x00\x00"
                   "1\n");
             }) != "<no error>");
  BOOST_TEST(contains(reason([] { parse_text_matrix(std::string("\xff\xfe\0\0", 4)); }), "UTF-32"));
  BOOST_TEST(reason([] { parse_text_matrix("1 \xe9t\xe9\n"); }) == "line 1, value 2 is '\\xe9t\\xe9', not a number");
  BOOST_TEST(reason([] { parse_text_matrix("1 \x1b[31m2\n"); }) == "line 1, value 2 is '\\x1b[31m2', not a number");
}

BOOST_AUTO_TEST_CASE(commas_count_only_outside_comments) {
  const Tensor t = parse_text_matrix("# query, 1.2.1\n1 2 3\n4 5 6 # a, b\n");
  BOOST_TEST(t.shape() == (Shape{2, 3}), boost::test_tools::per_element());
  BOOST_TEST(reason([] { parse_text_matrix("# a, b\n1 2, 3\n"); }) == "line 2, value 1 is '1 2', not a number");
}

BOOST_AUTO_TEST_CASE(text_stops_a_little_past_the_expected_count) {
  std::string one_line, one_column;
  for (int i = 0; i < 1000000; ++i) one_line += "1 ", one_column += "1\n";
  for (const auto* text : {&one_line, &one_column}) {
    try {
      parse_text_matrix(*text, Expected{3});
      BOOST_FAIL("no error");
    } catch (const ShapeMismatch& e) {
      BOOST_TEST(std::string(e.what()) == "has more than 4096 values");
      BOOST_TEST(!e.shape());
    }
  }
  // A small answer of the wrong shape is read whole, so that its shape can be reported.
  BOOST_TEST(parse_text_matrix("1 2\n3 4\n", Expected{3}).shape() == (Shape{2, 2}), boost::test_tools::per_element());
  BOOST_TEST(parse_text_matrix(one_column).size() == 1000000u);  // no expectation: no bound
}

BOOST_AUTO_TEST_CASE(reads_what_armadillo_itself_saves) {
  TempDir dir;
  arma::mat m = {{1.5, -2.0, 3.25}, {4.0, 5.5, -6.0}};
  arma::cube c(2, 3, 4);
  for (arma::uword i = 0; i < c.n_elem; ++i) c(i) = static_cast<double>(i) * 0.25 - 1.0;
  const auto p = dir.path();
  BOOST_REQUIRE(m.save((p / "m.bin").string(), arma::arma_binary));
  BOOST_REQUIRE(m.save((p / "m.arma").string(), arma::arma_ascii));
  BOOST_REQUIRE(arma::fmat(arma::conv_to<arma::fmat>::from(m)).save((p / "f.bin").string(), arma::arma_binary));
  BOOST_REQUIRE(c.save((p / "c.bin").string(), arma::arma_binary));
  BOOST_REQUIRE(c.save((p / "c.txt").string(), arma::arma_ascii));
  for (const char* name : {"m.bin", "m.arma", "f.bin"}) {
    BOOST_TEST_CONTEXT(name) {
      const Tensor t = read_tensor_file(p / name);
      BOOST_TEST(t.shape() == (Shape{2, 3}), boost::test_tools::per_element());
      BOOST_TEST(t[1] == -2.0);  // row-major: element (0, 1)
      BOOST_TEST(t[3] == 4.0);   // element (1, 0)
    }
  }
  for (const char* name : {"c.bin", "c.txt"}) {
    BOOST_TEST_CONTEXT(name) {
      const Tensor t = read_tensor_file(p / name);
      BOOST_TEST(t.shape() == (Shape{4, 2, 3}), boost::test_tools::per_element());
      // Element [s, r, k] of the tensor is c(r, k, s).
      for (std::size_t s = 0; s < 4; ++s)
        for (std::size_t r = 0; r < 2; ++r)
          for (std::size_t k = 0; k < 3; ++k) BOOST_TEST(t[(s * 2 + r) * 3 + k] == c(r, k, s));
    }
  }
}

BOOST_AUTO_TEST_CASE(armadillo_headers_that_lie_are_refused) {
  BOOST_TEST(
      contains(reason([] { parse_armadillo("ARMA_MAT_BIN_FN008\n100000 100000\n12345678"); }), "(100000, 100000)"));
  BOOST_TEST(contains(reason([] { parse_armadillo("ARMA_MAT_TXT_FN008\n2 2\n1 2\n3\n"); }), "line 2 has 1 values"));
  BOOST_TEST(contains(reason([] { parse_armadillo("ARMA_MAT_BIN_FC016\n1 1\n"); }), "complex?"));
  BOOST_TEST(contains(reason([] { parse_armadillo("ARMA_MAT_TXT_FN008\n2\n1 2\n"); }), "expected 2 (rows cols)"));
  // Told what is expected, the header alone decides.
  BOOST_CHECK_THROW(parse_armadillo("ARMA_MAT_BIN_FN008\n100000 100000\n12345678", Expected{3}), ShapeMismatch);
  std::string text = "ARMA_MAT_TXT_FN008\n1 3\n";
  for (int i = 0; i < 100000; ++i) text += "1 2 3\n";
  BOOST_TEST(reason([&] { parse_armadillo(text); }) == "declares (1, 3) (3 values) but has more than 4096 values");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(submission_folder)

BOOST_AUTO_TEST_CASE(answers_from_yaml_json_and_files_together) {
  TempDir dir;
  dir.write("answers.yaml", "a: [[1, 2, 3]]\nb: [1.5, .inf]\n");
  dir.write("answers.json", "{\"c\": [[[1], [2]]]}");
  dir.write("d.csv", "4,5\n");
  const Submission s = load_submission(dir.path(), {{"a", {1, 3}}, {"b", {2}}, {"c", {1, 2, 1}}, {"d", {1, 2}}});
  BOOST_TEST(s.answers.at("a").value->shape() == (Shape{1, 3}), boost::test_tools::per_element());
  BOOST_TEST(std::isinf((*s.answers.at("b").value)[1]));
  BOOST_TEST(s.answers.at("c").value->shape() == (Shape{1, 2, 1}), boost::test_tools::per_element());
  BOOST_TEST(s.answers.at("d").source == "d.csv");
  BOOST_TEST(s.notes.empty());
  BOOST_TEST(s.stray_files.empty());
}

BOOST_AUTO_TEST_CASE(two_sources_for_one_answer_name_both) {
  TempDir dir;
  dir.write("answers.yaml", "q: [1, 2]\n");
  dir.write("q.npy", "whatever");
  const Submission s = load_submission(dir.path(), {{"q", {2}}});
  const Answer& q = s.answers.at("q");
  BOOST_TEST(!q.value);
  BOOST_TEST(to_string(q.problem) == "unreadable");
  BOOST_TEST(q.message == "'q' is handed in twice, as q.npy and answers.yaml; keep only one");
  // The same numbers twice (an answer saved in two forms): graded once, and said beside it.
  dir.write("q.npy", "");
  std::filesystem::remove(dir.path() / "q.npy");
  dir.write("q.csv", "1,2\n");
  const Answer same = load_submission(dir.path(), {{"q", {2}}}).answers.at("q");
  BOOST_TEST_REQUIRE(same.value.has_value(), same.message);
  BOOST_TEST(same.value->values()[1] == 2.0);
  BOOST_TEST(same.note == "'q' is handed in twice, as q.csv and answers.yaml, with the same numbers: graded once");
  dir.write("q.csv", "1,3\n");
  const Answer differ = load_submission(dir.path(), {{"q", {2}}}).answers.at("q");
  BOOST_TEST(!differ.value);
  BOOST_TEST(differ.message == "'q' is handed in twice, as q.csv and answers.yaml, which differ; keep only one");
}

BOOST_AUTO_TEST_CASE(a_broken_file_spoils_only_its_own_answer) {
  TempDir dir;
  dir.write("answers.json", "{\"a\": [1, 2], \"b\": [[1, 2], [3]], \"c\": [\"x\"]}");
  dir.write("d.txt", "1 2 3\n");
  const Submission s = load_submission(dir.path(), {{"a", {2}}, {"b", {2, 2}}, {"c", {1}}, {"d", {1, 3}}, {"e", {1}}});
  BOOST_TEST(s.answers.at("a").value.has_value());
  BOOST_TEST(s.answers.at("b").message ==
             "answers.json: 'b' is ragged: a list of 1 elements where others at the same depth have 2");
  BOOST_TEST(contains(s.answers.at("c").message, "\"x\", which is not a number"));
  BOOST_TEST(s.answers.at("d").value.has_value());
  BOOST_TEST(to_string(s.answers.at("e").problem) == "missing");
}

BOOST_AUTO_TEST_CASE(invalid_json_makes_its_answers_unreadable_not_missing) {
  TempDir dir;
  dir.write("answers.json", "{\"a\": [1, 2,");
  const Submission s = load_submission(dir.path(), {{"a", {2}}});
  BOOST_TEST(to_string(s.answers.at("a").problem) == "unreadable");
  BOOST_TEST(contains(s.answers.at("a").message, "answers.json is not valid JSON"));
}

BOOST_AUTO_TEST_CASE(a_name_twice_in_answers_yaml_and_numbers_json_cannot_hold) {
  TempDir dir;
  dir.write("answers.yaml", "a: [1]\nb: [2]\na: [3]\n");
  const Submission s = load_submission(dir.path(), {{"a", {1}}, {"b", {1}}});
  BOOST_TEST(s.answers.at("a").message == "answers.yaml: 'a' appears twice (line 3); keep one");
  BOOST_TEST(s.answers.at("b").value.has_value());
  TempDir other;
  other.write("answers.json", "{\"a\": [1e999]}");
  const Submission j = load_submission(other.path(), {{"a", {1}}});
  BOOST_TEST(to_string(j.answers.at("a").problem) == "unreadable");
}

BOOST_AUTO_TEST_CASE(deeply_nested_yaml_is_refused_not_a_stack_overflow) {
  TempDir dir;
  dir.write("answers.yaml", "a: " + std::string(100000, '[') + std::string(100000, ']') + "\n");
  const Submission s = load_submission(dir.path(), {{"a", {1}}});
  BOOST_TEST(to_string(s.answers.at("a").problem) == "unreadable");
}

BOOST_AUTO_TEST_CASE(symlinks_directories_and_oversized_files_are_refused) {
  TempDir dir, elsewhere;
  elsewhere.write("secret.csv", "1,2,3\n");
  BOOST_REQUIRE(::symlink((elsewhere.path() / "secret.csv").c_str(), (dir.path() / "a.csv").c_str()) == 0);
  std::filesystem::create_directory(dir.path() / "b.npy");
  dir.write("c.txt", std::string(2000, '1'));
  ReadLimits limits;
  limits.max_bytes = 1000;
  const Submission s = load_submission(dir.path(), {{"a", {1, 3}}, {"b", {1, 3}}, {"c", {1, 3}}}, limits);
  BOOST_TEST(s.answers.at("a").message == "a.csv is a symbolic link; hand in the file itself");
  BOOST_TEST(s.answers.at("b").message == "b.npy is not a regular file");
  BOOST_TEST(s.answers.at("c").message == "c.txt is 2000 bytes, more than the limit of 1000");
}

BOOST_AUTO_TEST_CASE(a_special_file_named_like_an_answer_is_refused_unopened) {
  // Opening a device node can act by itself (a watchdog, a tape that rewinds); as root the
  // grader opened any file named like an answer and only then refused what was not a regular
  // file. A FIFO stands for a device here: inotify sees every open of it.
  TempDir dir;
  const auto fifo = dir.path() / "d.npy";
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  BOOST_REQUIRE(watch >= 0);
  BOOST_REQUIRE(::inotify_add_watch(watch, fifo.c_str(), IN_OPEN) >= 0);
  const Submission s = load_submission(dir.path(), {{"d", {1, 3}}}, ReadLimits{});
  BOOST_TEST(s.answers.at("d").message == "d.npy is not a regular file");
  char events[4096];
  BOOST_TEST(::read(watch, events, sizeof events) == -1, "the FIFO was opened");
  ::close(watch);
}

BOOST_AUTO_TEST_CASE(stray_files_and_unknown_keys_are_noted_with_suggestions) {
  TempDir dir;
  dir.write("query13.npy", "x");
  dir.write("answers.yaml", "qeury121: [1]\n");
  const Submission s = load_submission(dir.path(), {{"query121", {1, 3}}, {"query131", {1, 3}}});
  BOOST_TEST(contains(s.answers.at("query131").message, "is query13.npy meant to be it?"));
  BOOST_REQUIRE_EQUAL(s.notes.size(), 1u);
  BOOST_TEST(s.notes[0] == "answers.yaml has an entry 'qeury121' that no exercise asks for; did you mean 'query121'?");
  BOOST_REQUIRE_EQUAL(s.stray_files.size(), 1u);
  BOOST_TEST(s.stray_files[0] == "file query13.npy is not an answer to any exercise; did you mean 'query131'?");
  // A spec of functions only asks for no answer: no file is a stray one.
  BOOST_TEST(load_submission(dir.path(), {}).stray_files.empty());
}

BOOST_AUTO_TEST_CASE(a_folder_that_does_not_exist_is_a_usage_error) {
  BOOST_CHECK_THROW(load_submission("/nonexistent/folder", {{"a", {1}}}), UsageError);
}

BOOST_AUTO_TEST_CASE(a_number_then_a_list_at_one_depth_is_ragged) {
  // Found by fuzz_answers: [2, [2, 4]] passed the ragged check, and the tensor's own check
  // threw std::invalid_argument, which ended as "internal error" (exit 2) instead of a verdict.
  TempDir dir;
  dir.write("answers.json", "{\"a\": [2, [2, 4]], \"b\": [[1, 2], [3, [4]]]}");
  dir.write("answers.yaml", "c: [[1], [[2]]]\n");
  const Submission s = load_submission(dir.path(), {{"a", {2, 2}}, {"b", {2, 2}}, {"c", {2, 1}}});
  BOOST_TEST(s.answers.at("a").message == "answers.json: 'a' is ragged: a list where a number was expected");
  BOOST_TEST(s.answers.at("b").message == "answers.json: 'b' is ragged: a list where a number was expected");
  BOOST_TEST(s.answers.at("c").message == "answers.yaml: 'c' (line 1) is ragged: a list where a number was expected");
}

BOOST_AUTO_TEST_CASE(yaml_aliases_are_read_within_the_expected_count) {
  TempDir dir;
  dir.write("answers.yaml",
            "row: &row [1, 2, 3]\n"
            "a: [*row, *row]\n"
            "b: &self [*self]\n"
            "c: [*row, *row, *row, *row, *row, *row, *row, *row, *row, *row, *row, *row]\n");
  const Submission s = load_submission(dir.path(), {{"a", {2, 3}}, {"b", {1}}, {"c", {1}}});
  BOOST_TEST(s.answers.at("a").value->shape() == (Shape{2, 3}), boost::test_tools::per_element());
  BOOST_TEST(s.answers.at("b").message == "answers.yaml: 'b' (line 3) is nested deeper than rank 3");
  // 36 values where 1 is expected: few enough to be read whole and shown with their shape.
  BOOST_TEST(s.answers.at("c").value->shape() == (Shape{12, 3}), boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(s.notes.size(), 1u);
  BOOST_TEST(s.notes[0] == "answers.yaml has an entry 'row' that no exercise asks for");
}

BOOST_AUTO_TEST_CASE(nested_lists_stop_a_little_past_the_expected_count) {
  TempDir dir;
  std::string list = "[0";
  for (int i = 1; i < 100000; ++i) list += ", " + std::to_string(i);
  dir.write("answers.json", "{\"a\": " + list + "], \"b\": [" + list + "]]}");
  const Submission s = load_submission(dir.path(), {{"a", {1, 3}}, {"b", {2, 50000}}});
  BOOST_TEST(to_string(s.answers.at("a").problem) == "wrong_shape");
  BOOST_TEST(s.answers.at("a").message == "'a' (answers.json) has more than 4096 values but (1, 3) is expected");
  // The budget is the expected count when that is larger: b is read, and its shape reported.
  BOOST_TEST(s.answers.at("b").value->shape() == (Shape{1, 100000}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_wrong_count_in_a_file_header_is_a_wrong_shape_verdict) {
  TempDir dir;
  dir.write("a.npy", test_support::read_file(npy_fixture("f8_c_3d")));
  dir.write("b.npy", test_support::read_file(npy_fixture("f8_c_2d")));
  const Submission s = load_submission(dir.path(), {{"a", {1, 3}}, {"b", {4, 3}}});
  BOOST_TEST(to_string(s.answers.at("a").problem) == "wrong_shape");
  BOOST_TEST(!s.answers.at("a").value);
  BOOST_TEST(s.answers.at("a").message == "'a' (a.npy) has shape (2, 3, 4) but (1, 3) is expected");
  // The right count in the wrong shape is read; the grader's shape rule decides.
  BOOST_TEST(s.answers.at("b").value->shape() == (Shape{3, 4}), boost::test_tools::per_element());
  BOOST_TEST(wrong_shape_message("b", "b.npy", {3, 4}, {4, 3}) ==
             "'b' (b.npy) has shape (3, 4) but (4, 3) is expected: is it transposed?");
  BOOST_TEST(wrong_shape_message("b", "b.npy", {12}, {4, 3}) ==
             "'b' (b.npy) has shape (12,) but (4, 3) is expected: reshape it to (4, 3)");
  // A batch of matrices, each transposed; a square one or another batch is not.
  BOOST_TEST(wrong_shape_message("b", "b.npy", {2, 3, 4}, {2, 4, 3}) ==
             "'b' (b.npy) has shape (2, 3, 4) but (2, 4, 3) is expected: is it transposed?");
  BOOST_TEST(wrong_shape_message("b", "b.npy", {3, 3, 4}, {2, 4, 3}) ==
             "'b' (b.npy) has shape (3, 3, 4) but (2, 4, 3) is expected");
  // Its axes in another order: a reshape would mix its numbers (found by an instructor helper,
  // whose weights of shape (n, heads, n) were told to be reshaped); sizes of 1 moved, or
  // other sizes altogether, are reshaped.
  BOOST_TEST(wrong_shape_message("b", "b.npy", {4, 3, 4}, {3, 4, 4}) ==
             "'b' (b.npy) has shape (4, 3, 4) but (3, 4, 4) is expected: are its axes in another order? Reorder "
             "them to get (3, 4, 4), with np.transpose or .permute (a reshape would mix its numbers)");
  BOOST_TEST(wrong_shape_message("b", "b.npy", {3, 1, 4}, {1, 3, 4}) ==
             "'b' (b.npy) has shape (3, 1, 4) but (1, 3, 4) is expected: reshape it to (1, 3, 4)");
  BOOST_TEST(wrong_shape_message("b", "b.npy", {2, 6, 4}, {3, 4, 4}) ==
             "'b' (b.npy) has shape (2, 6, 4) but (3, 4, 4) is expected: reshape it to (3, 4, 4)");
}

BOOST_AUTO_TEST_CASE(a_key_twice_in_answers_json_is_named) {
  TempDir dir;
  dir.write("answers.json", "{\"a\": [1], \"a\": [2], \"x\": 1, \"x\": 2}");
  const Submission s = load_submission(dir.path(), {{"a", {1}}});
  BOOST_TEST(s.answers.at("a").message == "answers.json: 'a' appears twice; keep one");
  BOOST_REQUIRE_EQUAL(s.notes.size(), 1u);  // x once
}

BOOST_AUTO_TEST_CASE(text_from_the_student_is_valid_utf8_in_every_message_and_note) {
  TempDir dir;
  dir.write("answers.yaml", "\xc3\x28: 1\n\"\\e[31m\": 2\na: [\"\xe2\x82\"]\n");
  dir.write("answers.json", "{\"b\": [\"\xed\xa0\x80\"]}");
  dir.write(
      "c\x9b"
      "1.csv",
      "1\n");
  const Submission s = load_submission(dir.path(), {{"a", {1}}, {"b", {1}}, {"c", {1}}});
  BOOST_TEST(s.answers.at("a").message == "answers.yaml: 'a' (line 3) contains '\\xe2\\x82', which is not a number");
  BOOST_TEST(contains(s.answers.at("b").message, "answers.json is not valid JSON"));
  std::vector<std::string> all = s.notes;
  all.insert(all.end(), s.stray_files.begin(), s.stray_files.end());
  for (const auto& [name, a] : s.answers) all.push_back(a.message);
  BOOST_REQUIRE_EQUAL(s.notes.size(), 3u);
  BOOST_TEST(s.notes[0] == "answers.yaml has an entry '\\xc3(' that no exercise asks for");
  BOOST_TEST(s.notes[1] == "answers.yaml has an entry '\\x1b[31m' that no exercise asks for");
  BOOST_REQUIRE_EQUAL(s.stray_files.size(), 1u);
  BOOST_TEST(s.stray_files[0] == "file c\\x9b1.csv is not an answer to any exercise");
  for (const auto& text : all) BOOST_CHECK_NO_THROW(static_cast<void>(nlohmann::json(text).dump()));
}

BOOST_AUTO_TEST_SUITE_END()
