// The expression language: NumPy's indexing, broadcasting and matmul semantics, the reference
// functions, and errors that point at the offending character.
#include <fmt/format.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "expr/functions.hpp"
#include "grader/expr/evaluate.hpp"
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace grader;

namespace {

struct Env {
  std::map<std::string, Tensor> data;
  expr::Scope scope;
  Env() {
    // value[i][j] = 10 i + j, a 4 x 3 matrix whose entries name their own position.
    std::vector<double> v;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 3; ++j) v.push_back(10.0 * i + j);
    data.emplace("value", Tensor({4, 3}, v));
    data.emplace("row", Tensor({3}, {1, 2, 3}));
    scope.add(data);
  }
  Tensor eval(const std::string& text) const { return expr::evaluate(*expr::parse(text), scope); }
  std::vector<double> values(const std::string& text) const {
    const Tensor t = eval(text);
    return {t.values().begin(), t.values().end()};
  }
  Shape shape(const std::string& text) const { return eval(text).shape(); }
};

/// The error message and offset of evaluating `text`.
std::pair<std::string, std::size_t> error_of(const Env& env, const std::string& text) {
  try {
    env.eval(text);
  } catch (const expr::ExprError& e) {
    return {e.what(), e.offset()};
  }
  return {"<no error>", 0};
}

using V = std::vector<double>;

}  // namespace

BOOST_FIXTURE_TEST_SUITE(expressions, Env)

BOOST_AUTO_TEST_CASE(indexing_follows_numpy) {
  BOOST_TEST(shape("value[0]") == (Shape{3}), boost::test_tools::per_element());
  BOOST_TEST(values("value[0]") == (V{0, 1, 2}), boost::test_tools::per_element());
  BOOST_TEST(shape("value[0:1]") == (Shape{1, 3}), boost::test_tools::per_element());
  BOOST_TEST(values("value[:, 1]") == (V{1, 11, 21, 31}), boost::test_tools::per_element());
  BOOST_TEST(values("value[-1, -1]") == (V{32}), boost::test_tools::per_element());
  BOOST_TEST(values("value[::-2, 0]") == (V{30, 10}), boost::test_tools::per_element());
  BOOST_TEST(values("value[[2, 0], 2]") == (V{22, 2}), boost::test_tools::per_element());
  BOOST_TEST(values("value[1:100, 2]") == (V{12, 22, 32}), boost::test_tools::per_element());
  BOOST_TEST(values("rows(value, 3, 1)[:, 0]") == (V{30, 10}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(arithmetic_broadcasts_like_numpy) {
  BOOST_TEST(values("value[0:2] + row") == (V{1, 3, 5, 11, 13, 15}), boost::test_tools::per_element());
  BOOST_TEST(values("-row * 2 - 1") == (V{-3, -5, -7}), boost::test_tools::per_element());
  BOOST_TEST(values("(1 + 2) * 3 / 2") == (V{4.5}), boost::test_tools::per_element());
  BOOST_TEST(values("transpose(value[0:2, 0:2]) - [1, 2]") == (V{-1, 8, 0, 9}), boost::test_tools::per_element());
  BOOST_TEST(values("[[1, 2], [3, 4]] * [[10], [100]]") == (V{10, 20, 300, 400}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(powers_bind_as_in_python) {
  // Python's grammar: `**` binds tighter than a unary minus on its left, and its right side
  // is a unary expression, grouped from the right.
  BOOST_TEST(values("-row ** 2") == (V{-1, -4, -9}), boost::test_tools::per_element());
  BOOST_TEST(values("2 ** -row") == (V{0.5, 0.25, 0.125}), boost::test_tools::per_element());
  BOOST_TEST(values("2 ** 3 ** 2") == (V{512}), boost::test_tools::per_element());
  BOOST_TEST(values("(2 ** 3) ** 2") == (V{64}), boost::test_tools::per_element());
  BOOST_TEST(values("2 * row ** 2") == (V{2, 8, 18}), boost::test_tools::per_element());
  BOOST_TEST(values("row ** 2 * 2") == (V{2, 8, 18}), boost::test_tools::per_element());
  BOOST_TEST(values("value[0] ** row[0:1]") == (V{0, 1, 2}), boost::test_tools::per_element());
  BOOST_TEST(values("row ** [[1], [2]]") == (V{1, 2, 3, 1, 4, 9}), boost::test_tools::per_element());
  BOOST_TEST(values("floor([-1.5, 0.5, 2]) ** 2") == (V{4, 0, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(matmul_handles_vectors_and_batches) {
  BOOST_TEST(shape("value @ row") == (Shape{4}), boost::test_tools::per_element());
  BOOST_TEST(values("value @ row") == (V{8, 68, 128, 188}), boost::test_tools::per_element());
  BOOST_TEST(shape("row @ transpose(value)") == (Shape{4}), boost::test_tools::per_element());
  BOOST_TEST(values("row @ row") == (V{14}), boost::test_tools::per_element());
  BOOST_TEST(shape("stack(value, value) @ transpose(value)") == (Shape{2, 4, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reductions_and_shapes) {
  BOOST_TEST(values("mean(value, 0)") == (V{15, 16, 17}), boost::test_tools::per_element());
  BOOST_TEST(shape("mean(value, 0, keepdim=1)") == (Shape{1, 3}), boost::test_tools::per_element());
  BOOST_TEST(values("sum(value, dim=1)") == (V{3, 33, 63, 93}), boost::test_tools::per_element());
  BOOST_TEST(values("sum(value)") == (V{192}), boost::test_tools::per_element());
  BOOST_TEST(values("max(value, -1)") == (V{2, 12, 22, 32}), boost::test_tools::per_element());
  BOOST_TEST(values("norm([3, 4])") == (V{5}), boost::test_tools::per_element());
  BOOST_TEST(values("normalize([[3, 4]])") == (V{0.6, 0.8}), boost::test_tools::per_element());
  BOOST_TEST(shape("reshape(value, 2, -1)") == (Shape{2, 6}), boost::test_tools::per_element());
  BOOST_TEST(shape("concat(value, value, dim=1)") == (Shape{4, 6}), boost::test_tools::per_element());
  BOOST_TEST(shape("stack(row, row, dim=1)") == (Shape{3, 2}), boost::test_tools::per_element());
  BOOST_TEST(values("set_row(zeros(2, 3), 1, row)") == (V{0, 0, 0, 1, 2, 3}), boost::test_tools::per_element());
  BOOST_TEST(values("eye(2)") == (V{1, 0, 0, 1}), boost::test_tools::per_element());
  BOOST_TEST(values("ones(2)") == (V{1, 1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(tril_and_triu_keep_a_triangle_like_torch_and_numpy) {
  // np.tril(np.ones((2, 3))), np.triu(np.arange(1, 7).reshape(2, 3), 1),
  // torch.tril(torch.ones(2, 2, 3), -1), torch.triu(torch.arange(1., 7).reshape(2, 3), -1).
  BOOST_TEST(values("tril(ones(2, 3))") == (V{1, 0, 0, 1, 1, 0}), boost::test_tools::per_element());
  BOOST_TEST(values("triu([[1, 2, 3], [4, 5, 6]], 1)") == (V{0, 2, 3, 0, 0, 6}), boost::test_tools::per_element());
  BOOST_TEST(values("tril(ones(2, 2, 3), diagonal=-1)") == (V{0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0}),
             boost::test_tools::per_element());
  BOOST_TEST(values("triu([[1, 2, 3], [4, 5, 6]], -1)") == (V{1, 2, 3, 4, 5, 6}), boost::test_tools::per_element());
  // A causal mask, as attention() takes it: row i keeps keys 0..i.
  BOOST_TEST(
      values("attention_weights(ones(2, 1), ones(2, 1), ones(2, 1), mask=tril(ones(2, 2)))") == (V{1, 0, 0.5, 0.5}),
      boost::test_tools::per_element());
  BOOST_TEST(error_of(*this, "tril(ones(3))").first ==
             "tril(): x must be a matrix or a batch of matrices, got shape (3,)");
}

BOOST_AUTO_TEST_CASE(where_and_inf_mask_scores_before_a_softmax_like_numpy) {
  // np.where([1, 0, 2], [1, 2, 3], -np.inf) == [1, -inf, 3]; np.where(np.tril(np.ones((2, 2))),
  // 5, 0) == [[5, 0], [5, 5]]; np.where(np.nan, 1, 2) == 1 (only 0 selects y).
  const double inf = std::numeric_limits<double>::infinity();
  BOOST_TEST(values("where([1, 0, 2], [1, 2, 3], -inf)") == (V{1, -inf, 3}), boost::test_tools::per_element());
  BOOST_TEST(values("where(tril(ones(2, 2)), 5, 0)") == (V{5, 0, 5, 5}), boost::test_tools::per_element());
  BOOST_TEST(values("where(log(-1), 1, 2)") == (V{1}), boost::test_tools::per_element());
  BOOST_TEST(values("1 / inf + 0 * [1, 2]") == (V{0, 0}), boost::test_tools::per_element());
  // A causal mask over rows, and over columns as the UDL's convention holds scores: the
  // softmax gives -inf no weight.
  BOOST_TEST(values("softmax(where(tril(ones(3, 3)), zeros(3, 3), -inf))") ==
                 (V{1, 0, 0, 0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3}),
             boost::test_tools::per_element());
  BOOST_TEST(values("softmax(where(triu(ones(2, 2)), zeros(2, 2), -inf), 0)") == (V{1, 0.5, 0, 0.5}),
             boost::test_tools::per_element());
  BOOST_TEST(error_of(*this, "where(ones(2, 3), ones(3, 2), 0)").first ==
             "where(): shapes (2, 3) and (3, 2) cannot be broadcast together (NumPy broadcasting: sizes must "
             "match or be 1)");
  BOOST_TEST(error_of(*this, "where(ones(2, 3), 1)").first ==
             "where() is missing its argument 'y' (where(condition, x, y))");
  // `inf` is a number, not a name an expression reads.
  BOOST_TEST(expr::names_used(*expr::parse("where(key, inf, -inf)")) == (std::set<std::string>{"key"}));
}

BOOST_AUTO_TEST_CASE(round_is_half_to_even_like_torch_and_numpy) {
  // np.round([0.5, 1.5, 2.5, -0.5]) == [0, 2, 2, -0]; np.round(0.125, 2) == 0.12.
  BOOST_TEST(values("round([0.5, 1.5, 2.5, -0.5])") == (V{0, 2, 2, 0}), boost::test_tools::per_element());
  BOOST_TEST(values("round(0.125, 2)") == (V{0.12}), boost::test_tools::per_element());
  BOOST_TEST(values("round(0.4699999988079071, decimals=2)") == (V{0.47}), boost::test_tools::per_element());
  BOOST_TEST(values("exp(log(2)) + sqrt(4) + abs(-1)") == (V{5}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(softmax_along_any_axis_sums_to_one) {
  for (double s : values("sum(softmax(value), -1)")) BOOST_TEST(std::abs(s - 1) <= 1e-15);
  for (double s : values("sum(softmax(value, 0), 0)")) BOOST_TEST(std::abs(s - 1) <= 1e-15);
  BOOST_TEST(std::abs(values("softmax([13, 9, 9])[0]")[0] - std::exp(4.0) / (std::exp(4.0) + 2)) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(attention_functions_dispatch_on_rank_and_match_pytorch) {
  const auto cases = test_support::load_fixture("reference_cases.json").at("cases");
  std::size_t checked = 0;
  for (const auto& c : cases) {
    const std::string fn = c.at("function");
    if (fn != "attention" && fn != "batched_attention") continue;
    std::map<std::string, Tensor> inputs;
    for (const auto& [name, t] : c.at("inputs").items())
      inputs.emplace(name, Tensor(t.at("shape").get<Shape>(), t.at("data").get<std::vector<double>>()));
    expr::Scope inputs_scope;
    inputs_scope.add(inputs);
    std::string args = "Q, K, V";
    if (inputs.count("mask")) args += ", mask=mask";
    if (c.contains("scale") && !c.at("scale").is_null())
      args += ", scale=" + std::to_string(c.at("scale").get<double>());
    for (const char* part : {"attention", "attention_weights"}) {
      const Tensor got = expr::evaluate(*expr::parse(std::string(part) + "(" + args + ")"), inputs_scope);
      const auto& want = c.at("outputs").at(std::string(part) == "attention" ? "output" : "weights");
      const auto expected = want.at("data").get<std::vector<double>>();
      BOOST_TEST_CONTEXT(c.at("name").get<std::string>() << " " << part) {
        BOOST_TEST(got.shape() == want.at("shape").get<Shape>(), boost::test_tools::per_element());
        for (std::size_t i = 0; i < expected.size(); ++i)
          BOOST_TEST(got[i] == expected[i], boost::test_tools::tolerance(1e-12));
      }
      ++checked;
    }
  }
  BOOST_TEST(checked >= 50u);
}

BOOST_AUTO_TEST_CASE(errors_name_the_problem_and_point_at_it) {
  using P = std::pair<std::string, std::size_t>;
  BOOST_TEST((error_of(*this, "mean(vaule, 0)") == P{"unknown name 'vaule'; did you mean 'value'?", 5}));
  BOOST_TEST((error_of(*this, "atention(value, value, value)") ==
              P{"unknown function 'atention'; did you mean 'attention'?", 0}));
  BOOST_TEST((error_of(*this, "attention(value, value)") ==
              P{"attention() is missing its argument 'V' (attention(Q, K, V, scale=None, mask=None))", 0}));
  BOOST_TEST((error_of(*this, "softmax(value, dims=0)") ==
              P{"softmax() has no parameter 'dims'; did you mean 'dim'? (softmax(x, dim=-1))", 15}));
  BOOST_TEST(
      (error_of(*this, "value + [1, 2]") ==
       P{"shapes (4, 3) and (2,) cannot be combined with '+' (NumPy broadcasting: sizes must match or be 1)", 6}));
  BOOST_TEST(
      (error_of(*this, "value @ value") == P{"shapes (4, 3) and (4, 3) cannot be multiplied with '@': the last size of "
                                             "the left (3) must equal the size of the right's second-to-last axis (4)",
                                             6}));
  BOOST_TEST((error_of(*this, "value[4]") == P{"index 4 is out of range for axis 0 of size 4 (shape (4, 3))", 5}));
  BOOST_TEST(
      (error_of(*this, "attention(value, value[0:2], value)") == P{"attention(): K has 2 rows (keys) but V has 4", 0}));
  BOOST_TEST((error_of(*this, "softmax") == P{"'softmax' is a function; call it: softmax(...)", 0}));
  // A mask of another rank than the batches it masks says which shapes it may have.
  BOOST_TEST((error_of(*this,
                       "attention(reshape(value, 1, 4, 3), reshape(value, 1, 4, 3), reshape(value, 1, 4, 3), "
                       "mask=tril(ones(4, 4)))") ==
              P{"attention(): mask has shape (4, 4) but Q has rank 3: give the mask as a batch too, (batch, n_q, n_k) "
                "or (batch, 1, n_k) (a causal one: tril(ones(size(Q, 0), size(Q, 1), size(K, 1))))",
                0}));
}

BOOST_AUTO_TEST_CASE(syntax_errors_point_at_the_character) {
  const auto syntax = [](const std::string& text) -> std::pair<std::string, std::size_t> {
    try {
      expr::parse(text);
    } catch (const expr::ExprError& e) {
      return {e.what(), e.offset()};
    }
    return {"<no error>", 0};
  };
  using P = std::pair<std::string, std::size_t>;
  BOOST_TEST((syntax("attention(q, k") == P{"expected ')' to close the call of attention(), found the end", 14}));
  BOOST_TEST((syntax("value[0") == P{"expected ']' to close the index, found the end", 7}));
  BOOST_TEST((syntax("2 ** ") == P{"expected a value, found the end of the expression", 5}));
  BOOST_TEST((syntax("2 *** 3") == P{"unexpected '*'", 4}));
  BOOST_TEST((syntax("a b") == P{"unexpected 'b' after a complete expression", 2}));
  BOOST_TEST((syntax("f(x=1, 2)") == P{"positional argument after a keyword argument", 7}));
  BOOST_TEST((syntax("1.2.1") == P{"unexpected '.' after a complete expression", 3}));
  // Python's attributes, methods and modules, with what to write instead (found by an instructor
  // helper: `Q @ K.T / np.sqrt(8)` was told only "unexpected '.'").
  BOOST_TEST((syntax("Q @ K.T") == P{"unexpected '.' after a complete expression: an expression has no attributes; "
                                     "write transpose(x) for x.T",
                                     5}));
  BOOST_TEST((syntax("S / np.sqrt(8)") == P{"unexpected '.' after a complete expression: functions are written "
                                            "without their module, sqrt(...) for np.sqrt(...)",
                                            6}));
  BOOST_TEST(syntax("torch.triu2(S)").first ==
             "unexpected '.' after a complete expression: functions are written without their module, and there is "
             "no function 'triu2' (docs/spec-format.md lists the functions there are)");
  BOOST_TEST((syntax("softmax(S.sum(0))") == P{"expected ')' to close the call of softmax(), found '.': an expression "
                                               "has no methods or attributes; write sum(x, ...) for x.sum(...)",
                                               9}));
  BOOST_TEST(syntax(std::string(1000, '(') + "1" + std::string(1000, ')')).first == "expression is nested too deeply");
}

BOOST_AUTO_TEST_CASE(long_chains_of_operators_are_refused_not_a_stack_overflow) {
  // Found by fuzz_expr: "s+s+...+s" (4 200 terms) built a tree as deep as the chain, and its
  // evaluation overflowed the stack. Each link of a chain now counts as a level of nesting.
  for (const std::string& link : {std::string("+row"), std::string("*row"), std::string("**row"), std::string("[0:1]"),
                                  std::string("@value[0:3]")}) {
    BOOST_TEST_CONTEXT(link) {
      std::string text = link[0] == '[' ? "value" : "row";
      for (int i = 0; i < 210; ++i) text += link;
      const auto [message, offset] = error_of(*this, text);
      // Whichever bound it reaches first: 200 levels, or 1000 terms.
      BOOST_TEST((message == "expression is nested too deeply" ||
                  message == "an expression may have at most 1000 terms; split it over data entries"),
                 message);
      BOOST_TEST(offset < text.size() - link.size());  // refused where the chain grows too deep, not at its end
    }
  }
  std::string fine = "row";
  for (int i = 0; i < 100; ++i) fine += " + row";
  BOOST_TEST(values(fine) == (V{101, 202, 303}));
}

BOOST_AUTO_TEST_CASE(tensors_larger_than_any_exercise_are_refused_before_allocating) {
  // Found by fuzz_expr: zeros(100000, 100000, 100000) asked for 8 PB (ASan:
  // allocation-size-too-big; otherwise bad_alloc, an "internal error", or the OOM killer).
  using P = std::pair<std::string, std::size_t>;
  BOOST_TEST(
      (error_of(*this, "zeros(100000, 100000, 100000)") ==
       P{"zeros() would have shape (100000, 100000, 100000), more than 16777216 elements; is a size wrong?", 0}));
  BOOST_TEST((error_of(*this, "eye(5000)") ==
              P{"eye() would have shape (5000, 5000), more than 16777216 elements; is a size wrong?", 0}));
  BOOST_TEST(error_of(*this, "arange(0, 1e300, 1e-300)").first ==
             "arange() would have shape (1000000000000000000,), more than 16777216 elements; is a size wrong?");
  BOOST_TEST((error_of(*this, "arange(0, 5, 0)") ==
              P{"arange(): start, stop and step must be finite numbers, and step not 0", 0}));
  BOOST_TEST((error_of(*this, "arange(inf)") ==
              P{"arange(): start, stop and step must be finite numbers, and step not 0", 0}));
  BOOST_TEST(values("arange(5, 2)").empty());
  BOOST_TEST(error_of(*this, "transpose(ones(5000, 1), 0, 1) * ones(5000, 1)").first ==
             "'*' would have shape (5000, 5000), more than 16777216 elements; is a size wrong?");
  BOOST_TEST(error_of(*this, "ones(5000, 1) @ ones(1, 5000)").first ==
             "'@' would have shape (1, 5000, 5000), more than 16777216 elements; is a size wrong?");
  BOOST_TEST(
      error_of(*this, "attention(ones(5000, 1), ones(5000, 1), ones(5000, 1))").first ==
      "attention(): the weights would have shape (1, 5000, 5000), more than 16777216 elements; is a size wrong?");
  std::string zeros = "[0";
  for (int i = 1; i < 5000; ++i) zeros += ", 0";
  zeros += "]";
  // An index list long enough to index 2^24 elements is longer than any expression may be.
  BOOST_TEST(error_of(*this, "value[" + zeros + ", " + zeros + "]").first ==
             "an expression may be at most 10000 characters long; put large values in the data section");
  BOOST_TEST(eval("zeros(4096, 4096)").size() == 16777216u);  // the limit itself is allowed
  // An empty tensor whose other sizes are huge: sum over its empty axis has 10^18 elements.
  BOOST_TEST(error_of(*this, "sum(zeros(1000000000, 0, 1000000000), 1)").first ==
             "zeros() would have shape (1000000000, 0, 1000000000), empty but with other sizes multiplying "
             "to more than 16777216 elements; is a size wrong?");
  BOOST_TEST(error_of(*this, "sum(zeros(4096, 0, 4096), 1)").first == "<no error>");
  BOOST_TEST(shape("sum(zeros(4096, 0, 4096), 1)") == (Shape{4096, 4096}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_tensors_broadcast_to_empty_tensors) {
  // Found by fuzz_expr (ASan/UBSan): (0, 3) / () was given shape (1, 3) and read past the
  // empty tensor. NumPy: a size 1 stretches to the other size, 0 included.
  BOOST_TEST(shape("value[5:] / 0") == (Shape{0, 3}), boost::test_tools::per_element());
  BOOST_TEST(shape("value[4:] + row") == (Shape{0, 3}), boost::test_tools::per_element());
  BOOST_TEST(shape("value[:, 3:] * value[0:1, 0:1]") == (Shape{4, 0}), boost::test_tools::per_element());
  BOOST_TEST(eval("mean(value[5:] / 0, keepdim=1)").size() == 1u);
}

BOOST_AUTO_TEST_CASE(indices_too_large_for_an_integer_are_errors_not_undefined_behaviour) {
  // Found by fuzz_expr (UBSan): value[:2.2e58] converted 2.2e58 to long long.
  using P = std::pair<std::string, std::size_t>;
  BOOST_TEST((error_of(*this, "value[:22222222222222222222222222222222222222222222222]") ==
              P{"a slice bound must be a whole number", 7}));
  BOOST_TEST((error_of(*this, "value[1e300]") == P{"an index must be a whole number", 6}));
  BOOST_TEST((error_of(*this, "value[[0, 1e300]]") == P{"indices must be whole numbers", 6}));
  BOOST_TEST((error_of(*this, "value[[0, 1 / 0]]") == P{"indices must be whole numbers", 6}));
  BOOST_TEST(values("row[-1000000000000000:1000000000000000]") == (V{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(every_function_is_listed_with_its_signature) {
  const auto& fns = expr::functions();
  BOOST_TEST(fns.size() >= 25u);
  const auto stack = std::find_if(fns.begin(), fns.end(), [](auto& f) { return f.name == "stack"; });
  BOOST_REQUIRE(stack != fns.end());
  BOOST_TEST(stack->signature == "stack(*tensors, dim=0)");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(the_spec_format_reference_documents_every_function) {
  const std::string doc = test_support::read_file(test_support::source_path("docs/spec-format.md"));
  for (const auto& f : grader::expr::functions())
    BOOST_TEST(doc.find("| `" + f.signature + "` |") != std::string::npos,
               "docs/spec-format.md does not list " << f.signature);
}

BOOST_AUTO_TEST_CASE(every_function_computes_in_numpy_what_the_grader_computes) {
  // `grader spec check` runs each known mistake of a function exercise as a Python function,
  // its expressions written by to_python() over grader/python/expressions.py. Each function of
  // the language, each operator and each kind of index must give there, in float64, what the
  // grader's own evaluation gives, in a real python3 with NumPy.
  std::map<std::string, Tensor> names;
  const auto filled = [&](const std::string& name, Shape shape) {
    std::vector<double> v(element_count(shape));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(1.7 * static_cast<double>(i + names.size()) + 0.3);
    names.emplace(name, Tensor(shape, v));
  };
  filled("A", {2, 3});
  filled("B", {3, 2});
  filled("Q", {2, 3, 4});
  filled("K", {2, 3, 4});
  filled("V", {2, 3, 4});
  filled("X", {3, 4});
  filled("Wv", {3, 3});
  filled("Wq", {2, 3});
  filled("Wk", {2, 3});
  filled("bv", {3, 1});
  filled("bq", {2, 1});
  filled("bk", {2, 1});
  filled("W", {4, 2});
  filled("w", {2, 4});
  names.emplace("M", Tensor({2, 1, 3}, {1, 1, 1, 1, 0, 0}));
  expr::Scope scope;
  scope.add(names);
  const std::vector<std::string> expressions = {"A + 1",
                                                "A - transpose(B)",
                                                "2 * A",
                                                "A / 3",
                                                "-A",
                                                "A @ B",
                                                "[1, 2.5, 3]",
                                                "[[1, 2], [3, 4]] @ [5, 6]",
                                                "A[0]",
                                                "A[:, 1:]",
                                                "A[-1, ::2]",
                                                "Q[1, 0:2, 3]",
                                                "A[[1, 0]]",
                                                "attention(Q, K, V)",
                                                "attention(Q, K, V, scale=1, mask=M)",
                                                "attention_weights(Q, K, V, mask=M)",
                                                "attention(Q[0], K[0], V[0], 0.5)",
                                                "self_attention(X, Wv, Wq, Wk, bv, bq, bk)",
                                                "self_attention_weights(X, Wv, Wq, Wk, bv, bq, bk)",
                                                "scaled_dot_product_self_attention(X, Wv, Wq, Wk, bv, bq, bk)",
                                                "scaled_dot_product_self_attention_weights(X, Wv, Wq, Wk, bv, bq, bk)",
                                                "project(X, W)",
                                                "compute_keys(X, w)",
                                                "softmax(A)",
                                                "softmax(Q, 1)",
                                                "softmax(Q @ transpose(K) / sqrt(size(Q, -1)), 0)",
                                                "transpose(Q, 0, 2)",
                                                "reshape(A, 3, -1)",
                                                "rows(A, 1, 0, 1)",
                                                "set_row(A, 1, [7, 8, 9])",
                                                "stack(A, A, dim=1)",
                                                "concat(A, 2 * A, dim=0)",
                                                "float32(A)",
                                                "zeros(2, 3)",
                                                "ones(1, 3)",
                                                "size(Q, -1)",
                                                "eye(3)",
                                                "tril(ones(3, 3))",
                                                "triu(Q, 1)",
                                                "tril(A, -1)",
                                                "sum(A)",
                                                "sum(Q, 1)",
                                                "sum(A, 1, keepdim=1)",
                                                "mean(A, 0)",
                                                "norm(A)",
                                                "norm(Q, -1)",
                                                "max(A, 0)",
                                                "min(A)",
                                                "normalize(A, 0)",
                                                "round(10 * A, 2)",
                                                "exp(A)",
                                                "log(abs(A))",
                                                "sqrt(abs(A))",
                                                "abs(A)",
                                                "sin(A)",
                                                "cos(10 * A)",
                                                "A ** 2",
                                                "abs(A) ** 0.5",
                                                "2 ** -A",
                                                "-A ** 2 / 3",
                                                "2 ** 3 ** A",
                                                "A ** [[1], [2]]",
                                                "floor(3 * A)",
                                                "2 * floor(arange(7) / 2)",
                                                "arange(5)",
                                                "arange(1, 4)",
                                                "arange(0, 7, 2)",
                                                "arange(3, 0, -1)",
                                                "arange(0, 1, 0.3)",
                                                "arange(0)",
                                                "reshape(stack(sin(reshape(arange(4), 4, 1) * exp(-log(10000) * "
                                                "arange(0, 6, 2) / 6)), cos(reshape(arange(4), 4, 1) * exp(-log("
                                                "10000) * arange(0, 6, 2) / 6)), dim=2), 4, 6)",
                                                "where(tril(ones(3, 3)), Q @ transpose(K), -inf)",
                                                "softmax(where(triu(ones(3, 3)), Q[0] @ transpose(K[0]), -inf), 0)",
                                                "where(M, 2, -1) + where(A[0], inf, 0)"};
  // Every function but the random draws (the data section's only) is among them.
  for (const auto& name : expr::function_names()) {
    const auto* f = expr::find_function(name);
    if (f->draw) continue;
    BOOST_TEST(std::any_of(expressions.begin(), expressions.end(),
                           [&](const std::string& e) { return e.find(name + "(") != std::string::npos; }),
               name << "() is not tried in NumPy here");
  }
  test_support::TempDir dir;
  std::string script = test_support::read_file(test_support::source_path("grader/python/expressions.py"));
  script += "\nimport sys\nvalues = {}\n";
  for (const auto& [name, t] : names) {
    std::string flat, shape;
    for (std::size_t i = 0; i < t.size(); ++i) flat += fmt::format("{}{:.17g}", i ? ", " : "", t[i]);
    for (std::size_t a = 0; a < t.rank(); ++a) shape += std::to_string(t.dim(a)) + ",";
    script += "values['" + name + "'] = np.reshape(np.array([" + flat + "]), (" + shape + "))\n";
  }
  script += "E = _Env(values, {})\nout = []\n";
  for (const auto& e : expressions)
    script += "r = np.asarray(" + expr::to_python(*expr::parse(e)) +
              ", dtype=np.float64)\nout.append([list(r.shape), [float(v) if math.isfinite(v) else str(v) for v in "
              "r.reshape(-1)]])\n";  // JSON has no infinity
  // But for a softmax over a row masked whole: NaN, as a student's torch.softmax or
  // np.exp(x - x.max()) gives, where the grader's reference gives zeros.
  script +=
      "masked = F['softmax'](np.array([[-np.inf, -np.inf], [0.0, -np.inf]]))\n"
      "json.dump([out, [str(v) for v in masked.reshape(-1)]], sys.stdout)\n";
  const auto path = dir.write("expressions.py", script);
  const auto r = test_support::run_process({"/usr/bin/python3", path.string()});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const auto all = nlohmann::json::parse(r.out);
  BOOST_TEST(all[1].dump() == R"(["nan","nan","1.0","0.0"])");
  BOOST_TEST(expr::evaluate(*expr::parse("softmax(log(zeros(1, 2)))"), scope).values() == std::vector<double>({0, 0}),
             boost::test_tools::per_element());
  const auto& out = all[0];
  BOOST_REQUIRE(out.size() == expressions.size());
  for (std::size_t i = 0; i < expressions.size(); ++i) {
    const Tensor want = expr::evaluate(*expr::parse(expressions[i]), scope);
    const Shape shape = out[i][0].get<Shape>();
    std::vector<double> got;
    for (const auto& v : out[i][1]) got.push_back(v.is_string() ? std::stod(v.get<std::string>()) : v.get<double>());
    BOOST_TEST_CONTEXT(expressions[i]) {
      BOOST_TEST(shape == want.shape(), boost::test_tools::per_element());
      BOOST_REQUIRE(got.size() == want.size());
      for (std::size_t k = 0; k < got.size(); ++k)
        BOOST_TEST((got[k] == want[k] || std::abs(got[k] - want[k]) <= 1e-12 * (1 + std::abs(want[k]))),
                   "at " << k << ": " << got[k] << " vs " << want[k]);
    }
  }
}
