// Loading specs: the bundled ones load, and every kind of mistake in a spec is reported with
// file:line:column and what to do, all of them at once.
#include <boost/test/unit_test.hpp>

#include "grader/spec/spec.hpp"
#include "support/fixtures.hpp"
#include "support/temp_dir.hpp"

using namespace grader;
using test_support::TempDir;

namespace {

const char* kHeader = R"(assignment:
  id: demo
  title: Demo
  version: "1"
data:
  key: [[1, 0], [0, 1]]
exercises:
)";

/// Loads a spec made of kHeader and `exercises`; returns every diagnostic as "line:col: msg".
std::vector<std::string> errors_of(const std::string& exercises, const std::string& header = kHeader) {
  TempDir dir;
  const auto path = dir.write("spec.yaml", header + exercises);
  try {
    load_spec(path);
  } catch (const SpecError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) {
      BOOST_TEST(d.where.file == path.string());
      out.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": " + d.message);
    }
    return out;
  }
  return {};
}

const char* kGood = R"(  - id: a
    title: A
    points: 2
    answers:
      - {name: q, shape: [1, 2], orientation: any}
    output: attention(q, key, key, scale=1)
    expect: key[0:1]
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(spec_loading)

BOOST_AUTO_TEST_CASE(bundled_specs_load_with_their_data_and_constant_targets) {
  const Spec ua = load_spec(test_support::source_path("specs/understanding-attention.yaml"));
  BOOST_TEST(ua.id == "understanding-attention");
  BOOST_TEST(ua.exercises.size() == 6u);
  BOOST_TEST(ua.max_score() == 6.0);
  BOOST_TEST(ua.data.at("key")[1] == static_cast<double>(0.65f));  // a float32, as in the notebook
  const Exercise& e141 = ua.exercises[4];
  BOOST_TEST(e141.id == "1.4.1");
  BOOST_TEST((e141.output.answers == std::set<std::string>{"m_key2_a", "query132"}));
  BOOST_TEST(e141.expect.value.has_value());              // constant: computed once at load time
  BOOST_TEST(!ua.exercises[5].expect.value.has_value());  // uses the student's query132
  BOOST_TEST(ua.owner_of("query132")->id == "1.3.2");

  const Spec ab = load_spec(test_support::source_path("specs/attention-basics.yaml"));
  BOOST_TEST(ab.data.at("ws").shape() == (Shape{3, 4}), boost::test_tools::per_element());
  BOOST_TEST(ab.exercises[0].tolerance.atol == 1e-5);  // the float32 default
  BOOST_TEST(ab.exercises[0].tolerance.rtol == 1.3e-6);
}

BOOST_AUTO_TEST_CASE(a_good_spec_loads) { BOOST_TEST(errors_of(kGood).empty()); }

BOOST_AUTO_TEST_CASE(unknown_keys_are_errors_with_a_suggestion) {
  const auto errors = errors_of(std::string(kGood) + "    tolerence: {atol: 1}\n");
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0] ==
             "15:5: unknown key 'tolerence' in exercise a; did you mean 'tolerance'? (allowed: "
             "id, title, points, description, visibility, tolerance, function, answers, output, "
             "expect, "
             "mistakes)");
}

BOOST_AUTO_TEST_CASE(wrong_types_name_the_field) {
  std::string spec = kGood;
  spec.replace(spec.find("points: 2"), 9, "points: two");
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0] == "10:13: exercise a points must be a finite number, found 'two'");
}

BOOST_AUTO_TEST_CASE(expression_errors_point_into_the_expression) {
  std::string spec = kGood;
  spec.replace(spec.find("attention(q, key, key"), 21, "attention(q, kye, key");
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0] == "13:26: exercise a output: unknown name 'kye'; did you mean 'key'?");
}

BOOST_AUTO_TEST_CASE(python_given_names_data_entries_once_each) {
  const auto with_given = [](const std::string& given) {
    std::string header = kHeader;
    header.replace(header.find("exercises:"), 0, "python: {given: " + given + "}\n");
    header.replace(header.find("data:\n") + 6, 0, "  torch0: {generator: torch, seed: 0}\n");
    return errors_of(kGood, header);
  };
  BOOST_TEST(with_given("[key]").empty());
  TempDir dir;
  std::string header = kHeader;
  header.replace(header.find("exercises:"), 0, "python:\n  given: [key]\n");
  const Spec spec = load_spec(dir.write("spec.yaml", header + kGood));
  BOOST_TEST((spec.python.given == std::vector<std::string>{"key"}));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[kye]", "8:18: python given: 'kye' is not an entry of the data section; did you mean 'key'?"},
      {"[key, key]", "8:23: python given: 'key' is named twice"},
      {"[torch0]",
       "8:18: python given: 'torch0' is a generator, not a tensor the notebook holds; name what it "
       "draws"},
      {"key",
       "8:17: python given must be a list of the data entries the notebook defines itself under the same "
       "names, such as [key]"},
      {"[]",
       "8:17: python given must be a list of the data entries the notebook defines itself under the same "
       "names, such as [key]"}};
  for (const auto& [given, error] : bad) {
    const auto errors = with_given(given);
    BOOST_TEST_CONTEXT(given) {
      BOOST_REQUIRE_EQUAL(errors.size(), 1u);
      BOOST_TEST(errors[0] == error);
    }
  }
}

BOOST_AUTO_TEST_CASE(python_expressions_that_cannot_be_python_are_the_specs_error_at_load) {
  // Found by a helper writing a spec from the docs: `python: "A["` loaded, and every student
  // was told their hand-in's answer was unreadable ("A[ raised SyntaxError").
  const auto with_python = [](const std::string& python) {
    std::string spec = kGood;
    spec.replace(spec.find("orientation: any}"), 17, "orientation: any, python: " + python + "}");
    return errors_of(spec);
  };
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"\"q[\"", "'[' is never closed"},
      {"\"q[0)\"", "')' closes a '['"},
      {"\"q +\"", "it ends with '+'"},
      {"\"q['a]\"", "the string that starts at 'a] is never ended"},
      {"{expr: \"q.\", cell: x}", "it ends with '.'"},
      {"\"q k\"", "'k' follows a value with nothing between them (an operator or a comma missing?)"},
      {"\"q[0] 2\"", "'2' follows a value"},
      {"\"(q) 'x'\"", "''x'' follows a value"},
      {"\"'x' q\"", "'q' follows a value"}};
  for (const auto& [python, why] : bad) {
    const auto errors = with_python(python);
    BOOST_TEST_CONTEXT(python) {
      BOOST_REQUIRE_EQUAL(errors.size(), 1u);
      BOOST_TEST(errors[0].find("is not Python: " + why) != std::string::npos, errors[0]);
      BOOST_TEST(errors[0].rfind("12:", 0) == 0, errors[0]);  // the answer's line
    }
  }
  for (const char* good : {"\"q[0]\"", "\"q['a)'] + {1: (2, [3])}[1]\"", "{expr: \"q.T\", cell: \"x = (\"}",
                           "\"q if q is not None else q[:, None] * 1.5e-3j\"", "\"[r for r in q if r.sum() > 0]\"",
                           "\"q[f'{1}' 'a' \\\"b\\\"]\"", "\"(lambda x: x)(q)\"", "\"not q.T in (q)\"", "\"q[Rb'a']\""})
    BOOST_TEST(with_python(good).empty(), good);
  // A test line stands for the cell's text where a student deleted it: never alone.
  BOOST_TEST(with_python("{expr: q, cell: \"# 1.2.1\", test_line: \"check(q, 1)\"}").empty());
  const auto alone = with_python("{expr: q, test_line: \"check(q, 1)\"}");
  BOOST_REQUIRE_EQUAL(alone.size(), 1u);
  BOOST_TEST(alone[0].find("python test_line is where the answer is found when no cell holds the text of `cell`: "
                           "give `cell` too") != std::string::npos,
             alone[0]);
  const auto empty = with_python("{expr: q, cell: x, test_line: \"\"}");
  BOOST_REQUIRE_EQUAL(empty.size(), 1u);
  BOOST_TEST(empty[0].find("python test_line must be one line of the notebook's code") != std::string::npos, empty[0]);
}

BOOST_AUTO_TEST_CASE(quoted_expressions_count_the_quote) {
  std::string spec = kGood;
  spec.replace(spec.find("expect: key[0:1]"), 16, "expect: \"key[0:1] + nope\"");
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0] == "14:25: exercise a expect: unknown name 'nope'");
}

BOOST_AUTO_TEST_CASE(shape_mismatch_between_output_and_expect_is_caught_at_load) {
  std::string spec = kGood;
  spec.replace(spec.find("expect: key[0:1]"), 16, "expect: key[0]");
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0] ==
             "14:13: exercise a: output has shape (1, 2) but expect has shape (2,); they must "
             "match exactly (value[0:1] keeps a row's axis, reshape() changes a shape)");
}

BOOST_AUTO_TEST_CASE(arity_and_shape_errors_inside_functions) {
  std::string spec = kGood;
  spec.replace(spec.find("attention(q, key, key, scale=1)"), 31, "attention(q, key)");
  BOOST_TEST(errors_of(spec) == std::vector<std::string>{"13:13: exercise a output: attention() is missing its "
                                                         "argument 'V' (attention(Q, K, V, scale=None, mask=None))"});
  spec = kGood;
  spec.replace(spec.find("attention(q, key, key, scale=1)"), 31, "attention(q, key, zeros(3, 2))");
  BOOST_TEST(errors_of(spec) == std::vector<std::string>{"13:13: exercise a output: attention(): K has 2 rows "
                                                         "(keys) but V has 3"});
}

BOOST_AUTO_TEST_CASE(every_problem_is_reported_at_once) {
  const std::string two = std::string(kGood) + R"(  - id: a
    title: B
    points: -1
    answers: [{name: q, shape: [2]}]
    output: q
    expect: key[0]
  - id: c
    title: C
    points: 1
    answers: [{name: r, shape: [2]}]
    output: key[0]
    expect: key[0]
)";
  const auto errors = errors_of(two);
  BOOST_REQUIRE_EQUAL(errors.size(), 2u);
  BOOST_TEST(errors[0].rfind("15:9: exercise id 'a' is used twice (first at ", 0) == 0);
  BOOST_TEST(errors[1] ==
             "25:13: exercise c output does not use its answer 'r': the student's 'r' would "
             "never be graded");
}

BOOST_AUTO_TEST_CASE(answer_names_must_be_unique_and_usable_as_file_names) {
  std::string spec = kGood;
  spec.replace(spec.find("{name: q,"), 9, "{name: ../q,");
  BOOST_TEST(errors_of(spec)[0].find("answer name '../q' must be letters, digits and '_'") != std::string::npos);
  spec = kGood;
  spec.replace(spec.find("{name: q,"), 9, "{name: key,");
  BOOST_TEST(errors_of(spec)[0].find("answer name 'key' is also a data name") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalid_yaml_and_missing_sections) {
  const auto bad = errors_of("  - id: [unclosed\n");
  BOOST_REQUIRE_EQUAL(bad.size(), 1u);
  BOOST_TEST(bad[0].find("this is not valid YAML") != std::string::npos);
  BOOST_TEST(bad[0].rfind("9:", 0) == 0);  // the line of the problem
  // A message holding ": " unquoted: YAML reads a key; the error says to quote it.
  const auto colon = errors_of("  - id: a\n    title: no mask: i sees j\n");
  BOOST_REQUIRE_EQUAL(colon.size(), 1u);
  BOOST_TEST(colon[0].rfind("9:", 0) == 0, colon[0]);
  BOOST_TEST(colon[0].find("illegal map value; a text holding ': ' must be quoted") != std::string::npos, colon[0]);
  // A key indented more than the one above it: said so, not told of quotes (found by a TA
  // helper).
  const auto indented = errors_of("  - id: a\n    title: T\n     points: 1\n");
  BOOST_REQUIRE_EQUAL(indented.size(), 1u);
  BOOST_TEST(indented[0].find("illegal map value; line 10 is indented more than line 9 above it: the keys of one "
                              "mapping start in one column") != std::string::npos,
             indented[0]);
  // A tab in the indentation: said what to do (found by an instructor helper).
  const auto tab = errors_of("  - id: a\n\ttitle: T\n");
  BOOST_REQUIRE_EQUAL(tab.size(), 1u);
  BOOST_TEST(tab[0].find("tab") != std::string::npos, tab[0]);
  BOOST_TEST(tab[0].find("YAML indents with spaces only") != std::string::npos, tab[0]);
  const auto missing = errors_of("", "assignment: {id: x, title: X, version: '1'}\n");
  BOOST_TEST(missing == std::vector<std::string>{"1:1: the spec needs 'exercises'"});
}

BOOST_AUTO_TEST_CASE(data_literals_files_and_expressions) {
  TempDir dir;
  dir.write("m.csv", "1,2\n3,4\n");
  const auto path = dir.write("spec.yaml", R"(assignment: {id: d, title: D, version: '1'}
data:
  a: [[[1], [2]], [[3], [4]]]
  m: {file: m.csv}
  b: m @ m
  c: {expr: 'sum(a)'}
  ragged: [[1, 2], [3]]
exercises:
  - {id: x, title: X, points: 1, answers: [{name: q, shape: [2, 2]}], output: q, expect: b}
)");
  try {
    load_spec(path);
    BOOST_FAIL("the ragged literal was accepted");
  } catch (const SpecError& e) {
    BOOST_REQUIRE_EQUAL(e.diagnostics().size(), 1u);
    BOOST_TEST(e.diagnostics()[0].where.line == 7);
    BOOST_TEST(e.diagnostics()[0].message ==
               "data 'ragged' is ragged: a list of 1 elements where others at the same depth have 2");
  }
  dir.write("spec.yaml", test_support::read_file(path).replace(test_support::read_file(path).find("  ragged"), 24, ""));
  const Spec spec = load_spec(path);
  BOOST_TEST(spec.data.at("a").shape() == (Shape{2, 2, 1}), boost::test_tools::per_element());
  BOOST_TEST(spec.data.at("b")[0] == 7.0);
  BOOST_TEST(spec.data.at("c")[0] == 10.0);
  BOOST_TEST((spec.data_order == std::vector<std::string>{"a", "m", "b", "c"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(function_specs)

namespace {
const char* kFunction = R"yaml(  - id: f
    title: F
    points: 2
    function:
      symbol: scaled_dot_product_attention
      inputs:
        - {name: Q, shape: [n, d]}
        - {name: K, shape: [n, d]}
      outputs:
        - {name: weights, shape: [n, n], expect: "attention_weights(Q, K, K)"}
    checks:
      - {name: fixed, points: 1, fixed: {Q: key, K: key}}
      - name: random
        points: 1
        random: {trials: 5, dims: {n: [1, 4], d: [1, 3]}}
)yaml";
}  // namespace

BOOST_AUTO_TEST_CASE(a_good_function_exercise_loads) { BOOST_TEST(errors_of(kFunction).empty()); }

BOOST_AUTO_TEST_CASE(python_arguments_that_leave_out_an_input_name_it) {
  std::string spec = kFunction;
  spec.replace(spec.find("      outputs:"), 0, "      python: {arguments: [Q]}\n");
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].find("must give every input of the function once: add 'K'") != std::string::npos, errors[0]);
}

BOOST_AUTO_TEST_CASE(python_constants_load_as_the_python_values_yaml_spells) {
  // What a Python function takes and the C function does not (n_heads=2), by position or keyword.
  std::string spec = kFunction;
  spec.replace(spec.find("      outputs:"), 0,
               "      python: {arguments: [Q, {value: 2}, {value: 2.0, keyword: a}, {value: true, keyword: b}, "
               "{value: null, keyword: c}, {value: mean, keyword: d}, {value: '2', keyword: e}, K]}\n");
  TempDir dir;
  const Spec loaded = load_spec(dir.write("spec.yaml", kHeader + spec));
  std::vector<std::string> constants, keywords;
  for (const auto& a : loaded.exercises.at(0).function->python.arguments) {
    constants.push_back(a.constant);
    keywords.push_back(a.keyword);
  }
  BOOST_TEST(constants == (std::vector<std::string>{"", "2", "2.0", "true", "null", "\"mean\"", "\"2\"", ""}),
             boost::test_tools::per_element());
  BOOST_TEST(keywords == (std::vector<std::string>{"", "", "a", "b", "c", "d", "e", ""}),
             boost::test_tools::per_element());

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[Q, K, {value: [1, 2]}]", "python argument value must be a number, true, false, null or a string"},
      {"[Q, K, {value: .inf}]", "python argument value must be a number, true, false, null or a string"},
      {"[Q, {input: K, value: 1}]", "python argument gives an input or a value, not both"},
      {"[Q, {input: K, keyword: x}, {value: 1, keyword: x}]", "keyword 'x' is given twice"}};
  for (const auto& [arguments, why] : bad) {
    std::string with = kFunction;
    with.replace(with.find("      outputs:"), 0, "      python: {arguments: " + arguments + "}\n");
    const auto errors = errors_of(with);
    BOOST_TEST_CONTEXT(arguments) {
      BOOST_REQUIRE_EQUAL(errors.size(), 1u);
      BOOST_TEST(errors[0].find(why) != std::string::npos, errors[0]);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_function_mistake_written_as_an_answer_mistake_is_shown_the_function_form) {
  std::string spec = kFunction;
  spec += "    mistakes:\n      - {matches: \"attention_weights(K, Q, K)\", message: swapped}\n";
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].find("as 'outputs: {weights: <expression>}'; 'matches' is for exercises graded by their "
                            "answers") != std::string::npos,
             errors[0]);
}

BOOST_AUTO_TEST_CASE(property_points_need_names_inputs_and_a_random_property_check_worth_points) {
  // A random property check worth points calls the function again with each input named drawn
  // anew: inputs of the function, each once, where such a check exists.
  std::string property = kFunction;
  property.replace(property.find("points: 2"), 9, "points: 3");
  property +=
      "      - name: rows\n        points: 1\n        random: {trials: 5, dims: {n: [1, 4], d: [1, 3]}}\n"
      "        property: {got: \"sum(weights, -1)\", expect: \"ones(1) + 0 * sum(weights, -1)\"}\n";
  TempDir dir;
  const Spec loaded = load_spec(dir.write("spec.yaml", kHeader + property + "    property_points_need: [Q, K]\n"));
  BOOST_TEST(loaded.exercises.at(0).function->property_needs == (std::vector<std::string>{"Q", "K"}),
             boost::test_tools::per_element());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {property + "    property_points_need: [Q, V]\n",
       "exercise f property_points_need: 'V' is not an input of scaled_dot_product_attention"},
      {property + "    property_points_need: [Q, Q]\n", "exercise f property_points_need: 'Q' is named twice"},
      {property + "    property_points_need: Q\n",
       "exercise f property_points_need must be a list of the function's inputs, such as [Q]"},
      {kFunction + std::string("    property_points_need: [Q]\n"),
       "exercise f property_points_need: no random property check of this exercise is worth points, and only "
       "those need the outputs to follow an input; give it one, or remove property_points_need"},
  };
  for (const auto& [spec, message] : bad) {
    const auto errors = errors_of(spec);
    BOOST_TEST_REQUIRE(errors.size() == 1u, spec);
    BOOST_TEST(errors[0].find(message) != std::string::npos, errors[0]);
  }
}

BOOST_AUTO_TEST_CASE(a_propertys_expect_is_of_gots_shape_or_a_single_number) {
  std::string property = kFunction;
  property.replace(property.find("points: 2"), 9, "points: 3");
  const auto with = [&](const std::string& expect) {
    return property +
           "      - name: rows\n        points: 1\n        random: {trials: 5, dims: {n: [1, 4], d: [1, 3]}}\n"
           "        property: {got: \"sum(weights, -1)\", expect: \"" +
           expect + "\"}\n";
  };
  BOOST_TEST(errors_of(with("1")).empty());
  const auto errors = errors_of(with("ones(2, 2)"));
  BOOST_TEST_REQUIRE(errors.size() == 1u);
  BOOST_TEST(errors[0].find("property: got has shape (1,) but expect has shape (2, 2) (the same shape, or a single "
                            "number that every element must equal)") != std::string::npos,
             errors[0]);
}

BOOST_AUTO_TEST_CASE(points_must_add_up_and_sizes_must_be_ranged) {
  std::string spec = kFunction;
  spec.replace(spec.find("points: 2"), 9, "points: 3");
  BOOST_TEST(errors_of(spec) == std::vector<std::string>{"10:13: exercise f points (3) must equal the sum of its "
                                                         "checks' points (2)"});
  spec = kFunction;
  spec.replace(spec.find("d: [1, 3]"), 9, "e: [1, 3]");
  BOOST_TEST(errors_of(spec).at(0) ==
             "22:47: exercise f check 'random': no input has a size named 'e'; did you mean 'd'?");
}

BOOST_AUTO_TEST_CASE(a_derived_size_adds_and_multiplies_ranged_sizes_and_says_where_it_cannot) {
  std::string spec = kFunction;
  spec.replace(spec.find("d: [1, 3]"), 9, "d: \"2 * n + 1\"");
  BOOST_TEST(errors_of(spec).empty());
  spec = kFunction;
  spec.replace(spec.find("d: [1, 3]"), 9, "d: 3");  // a fixed size
  BOOST_TEST(errors_of(spec).empty());
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {"\"n - 1\"",
       "22:53: exercise f check 'random' dims: d = n - 1: a derived size adds and multiplies sizes and "
       "whole numbers only (+, *)"},
      {"\"0 * n\"",
       "22:51: exercise f check 'random' dims: d = 0 * n: a derived size's numbers are whole numbers "
       "from 1 up"},
      {"\"2 * e\"", "22:55: exercise f check 'random' dims: d = 2 * e: 'e' is not a size of this check"},
      {"\"n * 2048\"",
       "22:50: exercise f check 'random' dims: d = n * 2048 reaches 8192 at the largest sizes, above "
       "4096; lower the ranges"},
      {"\"[1, 2]\"",
       "22:51: exercise f check 'random' dims: d = [1, 2]: a derived size adds and multiplies sizes "
       "and whole numbers only (+, *)"},
  };
  for (const auto& [equals, message] : wrong) {  // each at its offending character
    spec = kFunction;
    spec.replace(spec.find("d: [1, 3]"), 9, "d: " + equals);
    const auto errors = errors_of(spec);
    BOOST_TEST(errors == std::vector<std::string>{message}, equals << ": " << (errors.empty() ? "" : errors[0]));
  }
}

BOOST_AUTO_TEST_CASE(a_let_names_an_expression_once_and_says_where_it_cannot_be_computed) {
  const auto with = [](const std::string& lets, const std::string& expect, const std::string& mistakes = "") {
    std::string spec = kFunction;
    spec.replace(spec.find("      outputs:"), 0, "      let: " + lets + "\n");
    spec.replace(spec.find("\"attention_weights(Q, K, K)\""), 28, expect);
    return errors_of(spec + mistakes);
  };
  // Each over the inputs, the sizes, the data and the lets before it.
  BOOST_TEST(with("{S: \"Q @ transpose(K)\", T: \"S / sqrt(d)\"}", "\"softmax(T)\"").empty());
  // One thing per name.
  BOOST_TEST(with("{K: \"Q @ transpose(Q)\"}", "\"softmax(K)\"").at(0) ==
             "16:13: exercise f let K: the name is an input's; rename one");
  BOOST_TEST(with("{n: \"Q\"}", "\"attention_weights(Q, K, K)\"").at(0) ==
             "16:13: exercise f let n: the name is a size's; rename one");
  BOOST_TEST(with("{S: \"Q\", S: \"K\"}", "\"softmax(S)\"").at(0) == "16:21: exercise f let S is given twice");
  // A let the reference reads must compute in every case, said at its character with the sizes.
  BOOST_TEST(with("{T: \"S\", S: \"Q\"}", "\"softmax(T)\"").at(0) ==
             "16:17: exercise f check 'fixed' let T: unknown name 'S'; did you mean 'K'?");
  BOOST_TEST(with("{S: \"Q @ K\"}", "\"softmax(S)\"").at(0).find("exercise f check 'random' at sizes ") !=
             std::string::npos);
  // A let only a known mistake reads may compute at some sizes only, as the mistake itself may:
  // keys not transposed, square cases only.
  const std::string mistake = "    mistakes:\n      - outputs: {weights: \"softmax(QK)\"}\n        message: keys\n";
  BOOST_TEST(with("{QK: \"Q @ K\"}", "\"attention_weights(Q, K, K)\"", mistake).empty());
  // Read by nothing of its exercise (shared with others through a YAML anchor): never computed,
  // so never failing where it cannot be.
  BOOST_TEST(with("{S: \"Q @ transpose(K)\", T: \"Q @ K\"}", "\"softmax(S)\"").empty());
  // Nor the name a property gives an extra call's output (<call>_<output>).
  const std::string shifted =
      "        property:\n          calls: {again: {Q: \"Q * 2\"}}\n"
      "          got: again_weights\n          expect: again_weights\n";
  BOOST_TEST(with("{again_weights: \"Q @ transpose(K)\"}", "\"softmax(again_weights)\"", shifted).at(0) ==
             "16:13: exercise f let again_weights: check 'random' gives this name to the output weights of its call "
             "again; rename one");
}

BOOST_AUTO_TEST_CASE(inf_is_the_expressions_infinity_and_no_name_a_spec_may_give) {
  // `where(mask, scores, -inf)` masks scores; a name `inf` would be read by nothing.
  std::string spec = kGood;
  spec.replace(spec.find("expect: key[0:1]"), 16, "expect: \"softmax(where(key[0:1], key[0:1], -inf))\"");
  BOOST_TEST(errors_of(spec).empty());
  spec = kGood;
  spec.replace(spec.find("{name: q,"), 9, "{name: inf,");
  BOOST_TEST(errors_of(spec).at(0) ==
             "12:9: answer name 'inf' is a constant every expression knows (inf = inf); choose another name");
  std::string header = kHeader;
  header.replace(header.find("  key:"), 6, "  inf: 1\n  key:");
  BOOST_TEST(errors_of(kGood, header).at(0) ==
             "6:3: data name 'inf' is a constant every expression knows (inf = inf); choose another name");
  std::string function = kFunction;
  function.replace(function.find("      outputs:"), 0, "      let: {inf: \"Q\"}\n");
  BOOST_TEST(errors_of(function).at(0) ==
             "16:13: exercise f let 'inf' is a constant every expression knows (inf = inf); choose another name");
}

BOOST_AUTO_TEST_CASE(an_output_may_use_a_size_no_input_has_when_every_check_gives_it) {
  // Found by a helper writing a spec: weights per head, of shape (heads, n, n), could not be
  // declared ("uses size 'heads', which no input has").
  std::string spec = kFunction;
  const std::string output = "{name: weights, shape: [n, n], expect: \"attention_weights(Q, K, K)\"}";
  BOOST_REQUIRE(spec.find(output) != std::string::npos);
  spec.replace(spec.find(output), output.size(),
               "{name: weights, shape: [heads, n, n], expect: \"ones(heads, 1, 1) * attention_weights(Q, K, K)\"}");
  spec.replace(spec.find("{n: [1, 4], d: [1, 3]}"), 22, "{n: [1, 4], d: [1, 3], heads: [1, 3]}");
  const std::string fixed = "fixed: {Q: key, K: key}}";
  // The fixed check does not give it: said, with where to give it.
  BOOST_TEST(
      errors_of(spec).at(0) ==
      "17:11: exercise f output weights uses size 'heads', which no input has and check 'fixed' does not give (in "
      "its sizes: {heads: 2})");
  spec.replace(spec.find(fixed), fixed.size(), "fixed: {Q: key, K: key}, sizes: {heads: 2}}");
  BOOST_TEST(errors_of(spec).empty());
  // A random check that does not draw it (found by the fuzzer: an uncaught out_of_range).
  spec.replace(spec.find(", heads: [1, 3]}"), 16, "}");
  BOOST_TEST(errors_of(spec).at(0) ==
             "17:11: exercise f output weights uses size 'heads', which no input has and check 'random' does not give "
             "(in its dims: {heads: [1, 4]})");
  // A size of a name alike an input's: misspelt.
  spec = kFunction;
  spec.replace(spec.find("shape: [n, n]"), 13, "shape: [n, nn]");
  BOOST_TEST(errors_of(spec).at(0) ==
             "17:11: exercise f output weights uses size 'nn', which no input has; did you "
             "mean 'n'?");
}

BOOST_AUTO_TEST_CASE(a_size_no_input_has_must_be_read_and_a_python_size_argument_must_be_known) {
  // heads, read by the reference (as a number) and passed to Python as n_heads.
  const auto with = [](const std::string& dims, const std::string& python, const std::string& expect) {
    std::string spec = kFunction;
    spec.replace(spec.find("{n: [1, 4], d: [1, 3]}"), 22, dims);
    spec.replace(spec.find("\"attention_weights(Q, K, K)\""), 28, expect);
    spec.replace(spec.find("    checks:"), 11, "      python: " + python + "\n    checks:");
    spec.replace(spec.find("      - {name: fixed, points: 1, fixed: {Q: key, K: key}}\n"), 58, "");
    spec.replace(spec.find("points: 2"), 9, "points: 1");
    return errors_of(spec);
  };
  const std::string heads = "{n: [1, 4], heads: [1, 3], d: \"heads * 2\"}";
  const std::string expect = "\"attention_weights(Q, K, K) * heads\"";
  BOOST_TEST(with(heads, "{arguments: [Q, K, {size: heads, keyword: n_heads}]}", expect).empty());
  BOOST_TEST(with("{n: [1, 4], heads: 2, d: \"heads * 2\"}", "{arguments: [Q, K, {size: heads}]}", expect).empty());
  // Read by nothing: a misspelling, most likely.
  const auto unread = with("{n: [1, 4], d: [1, 3], heads: [1, 3]}", "{}", "\"attention_weights(Q, K, K)\"");
  BOOST_TEST(unread.size() == 1u);
  BOOST_TEST(unread.at(0) ==
             std::string{"22:58: exercise f check 'random': no input has a size named 'heads', and nothing "
                         "reads it (a size of its own is for a derived size, an expression or a Python "
                         "argument {size: heads})"});
  // The text 'heads' where the size was meant; a size no check has.
  BOOST_TEST(with(heads, "{arguments: [Q, K, {value: heads, keyword: n_heads}]}", expect).at(0) ==
             "18:42: exercise f python argument value 'heads' is the text 'heads'; to pass the size heads of each "
             "case, write {size: heads}");
  BOOST_TEST(with(heads, "{arguments: [Q, K, {size: head}]}", expect).at(0) ==
             "18:41: exercise f python argument size 'head' is not a size of check 'random'; did you mean 'heads'?");
  // A fixed check gives its own sizes as numbers, and only those no input has.
  std::string fixed = kFunction;
  fixed.replace(fixed.find("{n: [1, 4], d: [1, 3]}"), 22, heads);
  fixed.replace(fixed.find("\"attention_weights(Q, K, K)\""), 28, expect);
  fixed.replace(fixed.find("    checks:"), 11, "      python: {arguments: [Q, K, {size: heads}]}\n    checks:");
  // Found by a helper writing a spec: "did you mean 'heads'?" for 'heads' itself, and a size of 2
  // whatever the other checks draw.
  BOOST_TEST(errors_of(fixed).at(0) ==
             "18:41: exercise f python argument size 'heads' is not a size of check 'fixed': give it in the check's "
             "sizes ({heads: 1})");
  fixed.replace(fixed.find("fixed: {Q: key, K: key}}"), 24, "fixed: {Q: key, K: key}, sizes: {heads: 2}}");
  BOOST_TEST(errors_of(fixed).empty());
  fixed.replace(fixed.find("sizes: {heads: 2}"), 17, "sizes: {heads: 2, n: 2}");
  BOOST_TEST(errors_of(fixed).at(0) ==
             "20:77: exercise f check 'fixed' sizes: 'n' is a size of the inputs, which their "
             "shapes give");
  // Derived sizes that read one another; a size with the name of data.
  BOOST_TEST(with("{n: [1, 4], heads: \"d\", d: \"heads * 2\"}", "{}", expect).at(0) ==
             "22:35: exercise f check 'random' dims: the derived sizes d, heads read one another");
  BOOST_TEST(with("{n: [1, 4], key: [1, 3], d: \"key * 2\"}", "{}", "\"attention_weights(Q, K, K)\"").at(0) ==
             "22:47: exercise f: the size 'key' has the name of data; rename one (expressions see sizes as numbers)");
}

BOOST_AUTO_TEST_CASE(output_shapes_are_checked_against_the_reference_at_load) {
  std::string spec = kFunction;
  spec.replace(spec.find("shape: [n, n]"), 13, "shape: [n, d]");
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].find("exercise f output weights: expect has shape (4, 4) but the output "
                            "is declared (4, 3) (in exercise f check 'random' at sizes d=3, n=4)") != std::string::npos,
             errors[0]);
}

BOOST_AUTO_TEST_CASE(an_expression_that_needs_two_sizes_equal_fails_at_load_with_the_sizes_that_break_it) {
  // Square at both bounds (n = d = 1, n = d = 4), so only sizes that differ show that K @ Q
  // needs n = d: a random case would have ended grading for everyone.
  std::string spec = kFunction;
  spec.replace(spec.find("d: [1, 3]"), 9, "d: [1, 4]");
  spec.replace(spec.find("\"attention_weights(Q, K, K)\""), 28, "\"attention_weights(Q, K, K) + 0 * (K @ Q)\"");
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].find("exercise f check 'random' at sizes d=2, n=3 expect of weights: shapes (3, 2) and (3, 2) "
                            "cannot be multiplied") != std::string::npos,
             errors[0]);
}

BOOST_AUTO_TEST_CASE(a_known_mistake_must_give_the_output_shape_at_some_size) {
  // Q^T K is (d, d): the output's shape, (n, n), wherever n = d, as in the fixed case; one
  // that never has it is mistyped, as a rule.
  std::string spec = kFunction;
  spec += "    mistakes:\n      - {outputs: {weights: \"transpose(Q) @ K\"}, message: transposed}\n";
  BOOST_TEST(errors_of(spec).empty());
  spec = kFunction;
  spec += "    mistakes:\n      - {outputs: {weights: \"Q[0]\"}, message: a row}\n";
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].find("exercise f mistake weights has shape (2,) but the output is (2, 2) (in exercise f check "
                            "'fixed'); at no size checked does it give the output's shape, which a known mistake must "
                            "at some size") != std::string::npos,
             errors[0]);
}

BOOST_AUTO_TEST_CASE(a_misspelt_expect_is_named_with_the_missing_one) {
  std::string spec = kFunction;
  spec.replace(spec.find("expect: \"attention_weights"), 7, "expct: ");
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 2u);
  BOOST_TEST(errors[0].find("unknown key 'expct' in exercise f output; did you mean 'expect'?") != std::string::npos,
             errors[0]);
  BOOST_TEST(errors[1] == "17:11: exercise f output weights needs 'expect'");
}

BOOST_AUTO_TEST_CASE(a_key_put_where_it_does_not_belong_says_where_it_does) {
  // Found by an instructor helper: a check's `visibility` and `seed` were told only the keys a
  // check allows.
  std::string spec = kFunction;
  spec.replace(spec.find("        points: 1\n        random:"), 0, "        visibility: hidden\n        seed: 7\n");
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 2u);
  BOOST_TEST(errors[0].find("unknown key 'visibility' in exercise f check") != std::string::npos, errors[0]);
  BOOST_TEST(errors[0].find("; visibility is a key of an exercise: a check hidden on its own is an exercise of its own "
                            "that calls the same function") != std::string::npos,
             errors[0]);
  BOOST_TEST(errors[1].find("; random cases are seeded from each hand-in (docs/grading-a-class.md), and `grader check "
                            "--seed N` replays them") != std::string::npos,
             errors[1]);
}

BOOST_AUTO_TEST_CASE(a_required_key_misspelt_is_named_where_it_is) {
  // The error ended the mapping before its unknown keys were told: "needs 'symbol'" alone left
  // the typo to be found.
  std::string spec = kFunction;
  spec.replace(spec.find("symbol:"), 7, "symbl:");
  const auto errors = errors_of(spec);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0] == "12:7: exercise f function needs 'symbol'; is 'symbl' it, misspelt?");
  // Nothing alike: the requirement alone.
  spec = kFunction;
  spec.replace(spec.find("symbol:"), 7, "entry:");
  const auto plain = errors_of(spec);
  BOOST_REQUIRE_EQUAL(plain.size(), 1u);
  BOOST_TEST(plain[0].find("exercise f function needs 'symbol'") != std::string::npos, plain[0]);
  BOOST_TEST(plain[0].find("misspelt") == std::string::npos, plain[0]);
}

BOOST_AUTO_TEST_CASE(fixed_inputs_must_agree_on_their_sizes) {
  std::string spec = kFunction;
  spec.replace(spec.find("fixed: {Q: key, K: key}"), 23, "fixed: {Q: key, K: 'key[0:1]'}");
  BOOST_TEST(errors_of(spec).at(0) == "19:9: exercise f check 'fixed': K has n = 1 but another input has n = 2");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(generated_data)

/// A header whose data section is `data` (indented by two spaces per line by the caller).
std::string with_data(const std::string& data) {
  return "assignment:\n  id: demo\n  title: Demo\n  version: \"1\"\ndata:\n  key: [[1, 0], [0, 1]]\n" + data +
         "exercises:\n";
}

BOOST_AUTO_TEST_CASE(draws_follow_document_order_and_each_generator_has_its_own_stream) {
  TempDir dir;
  const auto path = dir.write("spec.yaml", with_data("  g: {generator: numpy, seed: 3}\n"
                                                     "  h: {generator: numpy, seed: 3}\n"
                                                     "  a: normal(g, 2)\n"
                                                     "  b: normal(g, 2)\n"
                                                     "  c: normal(h, 4)\n"
                                                     "  t: {generator: torch, seed: 18446744073709551615}\n"
                                                     "  d: randn(t)\n") +
                                               kGood);
  const Spec spec = load_spec(path);
  const auto &a = spec.data.at("a"), &b = spec.data.at("b"), &c = spec.data.at("c");
  // h restarts the stream of seed 3: its 4 values are g's two draws, in order.
  BOOST_TEST(c.values() == (std::vector<double>{a[0], a[1], b[0], b[1]}), boost::test_tools::per_element());
  BOOST_TEST(spec.data.at("d").rank() == 0u);  // no sizes: one value
  BOOST_TEST(!spec.data.count("g"));           // a generator is not a tensor
}

BOOST_AUTO_TEST_CASE(what_is_not_covered_is_an_error_never_other_numbers) {
  const auto errors = errors_of(
      "  - id: a\n    title: A\n    points: 1\n    answers:\n      - {name: q, shape: [1, 2]}\n"
      "    output: q + randn(g, 1, 2)\n    expect: key[0:1]\n",
      with_data("  g: {generator: torch, seed: 0}\n"
                "  n: {generator: numpy, seed: 4294967296}\n"
                "  p: {generator: jax, seed: 0}\n"
                "  a: normal(g, 3)\n"
                "  b: randn(nope, 3)\n"
                "  c: g + 1\n"
                "  d: randint(g, 3)\n"
                "  e: randn(g, 0)\n"));
  const auto has = [&](const std::string& part) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const std::string& e) { return e.find(part) != std::string::npos; });
  };
  BOOST_TEST(has("8:31: generator 'n': seed '4294967296' must be a whole number from 0 to 4294967295"));
  BOOST_TEST(has("9:18: generator 'p': 'jax' is not a generator; use torch"));
  BOOST_TEST(has("10:6: data 'a': normal(): is NumPy's (np.random.normal); a torch generator offers randn and rand"));
  BOOST_TEST(has("11:12: data 'b': 'nope' is not a generator of the data section"));
  BOOST_TEST(has("12:6: data 'c': 'g' is a generator: draw from it, e.g. randn(g, 4, 3)"));
  BOOST_TEST(has("data 'd': unknown function 'randint'"));
  BOOST_TEST(has("data 'e': randn(): sizes must be at least 1"));
  BOOST_TEST(has("exercise a output: randn() draws random numbers, which only the data section may do"));
  BOOST_TEST(errors.size() == 8u);
}

BOOST_AUTO_TEST_CASE(numpys_generator_api_is_told_how_to_bring_its_numbers_and_one_failure_is_said_once) {
  // Found by an instructor helper: `default_rng` was told only to use another generator, or
  // "unknown function", and each later use of the names it failed to define was an error too,
  // the last "unknown name 'W'; did you mean 'q'?".
  const auto errors = errors_of(
      "  - id: a\n    title: A\n    points: 1\n    answers:\n      - {name: q, shape: [6, 6]}\n"
      "    output: q\n    expect: W + W2 + W4\n",
      with_data("  rng: {generator: default_rng, seed: 7}\n"
                "  W: standard_normal(rng, 6, 6)\n"
                "  W2: default_rng(7).standard_normal((6, 6))\n"
                "  np7: {generator: numpy, seed: 7}\n"
                "  W3: standard_normal(np7, [6, 6])\n"
                "  W4: W3 + 1\n"));
  const auto has = [&](const std::string& part) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const std::string& e) { return e.find(part) != std::string::npos; });
  };
  BOOST_TEST(has("7:20: generator 'rng': 'default_rng' is not a generator; use torch"));
  BOOST_TEST(
      has("NumPy's Generator API (np.random.default_rng) is not reproduced: save the array the notebook "
          "draws (np.save('W.npy', W)) beside the spec and read it: W: {file: W.npy}"));
  BOOST_TEST(has("9:7: data 'W2': NumPy's Generator API"));
  BOOST_TEST(has("W2: {file: W2.npy}"));
  BOOST_TEST(
      has("data 'W3': standard_normal(): sizes must be a whole number, got a tensor of shape (2,): give the "
          "numbers one by one, without brackets"));
  std::string all;
  for (const auto& e : errors) all += e + "\n";
  BOOST_TEST(errors.size() == 3u, all);
}

BOOST_AUTO_TEST_SUITE_END()
