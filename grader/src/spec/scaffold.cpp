#include "grader/spec/scaffold.hpp"

#include <algorithm>
#include <cctype>

#include "../text.hpp"
#include "grader/atomic_file.hpp"
#include "grader/error.hpp"

namespace grader {

namespace {

constexpr const char* kTemplate = R"YAML(# yaml-language-server: $schema=@SCHEMA@
# @NAME@: a new assignment. The spec format: docs/spec-format.md; a tutorial: docs/authoring.md.
# Check it with `grader spec check @FILE@` before students see it.
assignment:
  id: @NAME@
  title: "@NAME@"
  version: "1.0"

# The reference solution, graded by `grader spec check`: put the right answers in it (query.npy,
# or an answers.yaml with `query: [[...]]`) and, for exercise 2, a solution (solution.c or
# solution.cpp, see docs/solution-abi.md); or a notebook, a .py or .ipynb graded as a student's
# (docs/python-hand-ins.md).
solution: @NAME@/solution

data:
  # Tensors in document order: nested lists, {file: x.npy}, expressions over the data above,
  # or draws from a seeded generator, exactly as the notebook draws them.
  torch0: {generator: torch, seed: 0}              # torch.manual_seed(0)
  key: round(normalize(randn(torch0, 4, 3), dim=1), 2)
  value: round(normalize(randn(torch0, 4, 3), dim=1), 2)

exercises:
  # A matrix exercise: the student hands in a tensor (query.npy, query.csv or answers.yaml, or
  # the variable `query` at the end of a notebook), the output is computed from it and
  # compared with the target.
  - id: "1"
    title: Select the first value vector
    points: 1
    description: >
      Hand in a query (shape (1, 3)) such that attention(query, key, value, scale=1) returns
      value[0].
    answers:
      - {name: query, shape: [1, 3], orientation: any}
      # In a notebook that reassigns it later: `python: {cell: "Exercise 1"}` takes it at the
      # end of the cell holding that text (its instruction comment).
    output: attention(query, key, value, scale=1)
    expect: value[0:1]
    tolerance: {atol: 1.0e-3, rtol: 0}
    mistakes:                                      # wrong results students produce, named
      - matches: value[1:2]
        message: your query selects value[1]; a query selects the value whose key it points along

  # A function exercise: the student hands in a library (or its C/C++ source) exporting the
  # symbol below, or a notebook defining a Python function of that name; it runs sandboxed on
  # fixed and random inputs, each check with its points.
  - id: "2"
    title: Scaled dot-product attention
    points: 2
    function:
      symbol: scaled_dot_product_attention
      inputs:
        - {name: Q, shape: [n, d_k]}
        - {name: K, shape: [n, d_k]}
        - {name: V, shape: [n, d_k]}
      outputs:
        - {name: output, shape: [n, d_k], expect: "attention(Q, K, V)"}
        - {name: weights, shape: [n, n], expect: "attention_weights(Q, K, V)"}
      # A notebook's function gets torch float32 tensors (or `tensors: numpy`, float64).
      python: {tensors: torch, dtype: float32}
    # float64 results (C/C++, NumPy) to 1e-9; float32 ones (PyTorch) to 1e-5.
    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-5, rtol: 1.0e-5}}
    checks:
      - name: the data's keys and values
        points: 1
        fixed: {Q: key, K: key, V: value}
      - name: random shapes and values
        points: 1
        random:
          trials: 50
          dims: {n: [1, 8], d_k: [1, 16]}
    mistakes:
      - outputs: {weights: "attention_weights(Q, K, V, scale=1)"}
        message: the scores are not divided by sqrt(d_k)
)YAML";

}  // namespace

std::filesystem::path scaffold_spec(const std::string& name, const std::filesystem::path& dir) {
  const bool valid = !name.empty() && std::isalnum(static_cast<unsigned char>(name[0])) &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
                     });
  if (!valid)
    throw UsageError("'" + name +
                     "' cannot name an assignment: use letters, digits, '.', '_' and '-', "
                     "starting with a letter or digit");
  const auto spec = dir / (name + ".yaml");
  std::error_code ec;
  if (std::filesystem::exists(spec, ec)) throw UsageError(spec.string() + " exists already; choose another name");
  std::filesystem::create_directories(dir / name / "solution", ec);
  if (ec) throw UsageError("cannot create " + (dir / name / "solution").string() + ": " + ec.message());
  // The schema editors validate the spec with: relative to the spec inside the grader's
  // tree (as the bundled specs have it), else absolute.
  const std::filesystem::path source = GRADER_SOURCE_DIR;
  auto schema = source / "docs" / "spec.schema.json";
  const auto inside = std::filesystem::absolute(dir).lexically_normal().lexically_relative(source);
  if (!inside.empty() && *inside.begin() != "..")
    schema = schema.lexically_relative(std::filesystem::absolute(dir).lexically_normal());
  std::string text = replaced(kTemplate, "@NAME@", name);
  text = replaced(text, "@FILE@", spec.string());
  text = replaced(text, "@SCHEMA@", schema.string());
  write_atomically(spec, text);
  return spec;
}

}  // namespace grader
