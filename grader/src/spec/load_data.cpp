// The data section of a spec: files, literals, generators, constant expressions (loader.hpp).
#include "loader.hpp"

#include "../nested_list.hpp"
#include "../yaml_access.hpp"
#include "grader/answers/read.hpp"

namespace grader::spec_loading {

namespace {

/// What to do with an array a notebook draws from NumPy's Generator API, which no generator
/// here reproduces (found by an instructor helper: `{generator: default_rng}` was told only to
/// use another one, `default_rng(7)` "unknown function").
std::string generator_api_advice(const std::string& name) {
  return "NumPy's Generator API (np.random.default_rng) is not reproduced: save the array the notebook draws "
         "(np.save('" +
         name + ".npy', " + name + ")) beside the spec and read it: " + name + ": {file: " + name +
         ".npy}; or draw it in the notebook after np.random.seed(N), which {generator: numpy, seed: N} reproduces";
}

}  // namespace

void Loader::load_data(Spec& spec, const YAML::Node& node) {
  if (!node.IsMap()) fail(at(node), "'data' must be a mapping of names to tensors");
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    bool defined = false;
    unit([&] {
      if (!is_identifier(name))
        fail(at(kv.first), "data name '" + name +
                               "' must be a name: letters, digits and '_', not starting "
                               "with a digit");
      claim_name(kv.first, name, "data name");
      if (spec.data.count(name) || generators_.count(name)) fail(at(kv.first), "data '" + name + "' is defined twice");
      if (kv.second.IsMap() && kv.second["generator"]) {
        generators_.emplace(name, generator(name, kv.second));
      } else {
        spec.data.emplace(name, data_value(spec, name, kv.second));
        spec.data_order.push_back(name);
      }
      defined = true;
    });
    if (!defined && !spec.data.count(name) && !generators_.count(name)) failed_data_.insert(name);
  }
}

Tensor Loader::data_value(Spec& spec, const std::string& name, const YAML::Node& node) {
  if (node.IsSequence()) return literal(node, "data '" + name + "'");
  const auto expression = [&](const YAML::Node& text) {
    if (text.IsScalar() && text.Scalar().find("default_rng") != std::string::npos)
      fail(at(text), "data '" + name + "': " + generator_api_advice(name));
    return constant_expression(spec, name, text);
  };
  if (node.IsScalar()) return expression(node);
  if (node.IsMap()) {
    Fields f(*this, node, "data '" + name + "'");
    const YAML::Node file = f.take("file");
    const YAML::Node expr = f.take("expr");
    f.finish();
    if (file && expr) fail(at(node), "data '" + name + "' has both 'file' and 'expr'; keep one");
    if (expr) return expression(expr);
    if (file) {
      const std::filesystem::path relative = string_of(file, "file");
      const std::filesystem::path p = path_.parent_path() / relative;
      try {
        Tensor t = read_tensor_file(p);
        spec.data_files.push_back(relative);
        return t;
      } catch (const ReadError& e) {
        fail(at(file), "data '" + name + "': cannot read " + p.string() + ": " + e.what());
      }
    }
    fail(at(node), "data '" + name + "' needs 'file' or 'expr'");
  }
  fail(at(node), "data '" + name + "' must be a nested list, an expression or a mapping");
}

/// `{generator: torch, seed: 0}` (torch.manual_seed(0)) or `{generator: numpy, seed: 3}`
/// (np.random.seed(3)).
expr::Generator Loader::generator(const std::string& name, const YAML::Node& node) {
  const std::string what = "generator '" + name + "'";
  Fields f(*this, node, what);
  const YAML::Node kind = f.require("generator");
  const YAML::Node seed_node = f.require("seed");
  f.finish();
  const std::string library = string_of(kind, what + " kind");
  if (library != "torch" && library != "numpy")
    fail(at(kind), what + ": '" + library +
                       "' is not a generator; use torch (torch.manual_seed) or numpy "
                       "(np.random.seed, NumPy's legacy global generator). " +
                       generator_api_advice("W"));
  const std::string text = string_of(seed_node, what + " seed");
  const unsigned long long limit = library == "numpy" ? 0xffffffffull : ~0ull;
  unsigned long long seed = 0;
  std::size_t used = 0;
  try {
    if (text.empty() || text[0] == '-' || text[0] == '+') throw std::invalid_argument("sign");
    seed = std::stoull(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || used == 0 || seed > limit)
    fail(at(seed_node), what + ": seed '" + text + "' must be a whole number from 0 to " + std::to_string(limit) +
                            (library == "numpy" ? " (np.random.seed refuses larger ones)" : ""));
  if (library == "torch") return random::TorchGenerator(seed);
  return random::NumpyGenerator(static_cast<std::uint32_t>(seed));
}

/// A nested YAML list of numbers, rank 1 to 3, of at most kMaxLiteralValues numbers (YAML
/// aliases could otherwise repeat a list without end).
Tensor Loader::literal(const YAML::Node& node, const std::string& what) {
  static constexpr std::size_t kMaxLiteralValues = 1u << 16;
  try {
    Tensor t = tensor_from_nested(node, YamlAccess{}, kMaxLiteralValues);
    // Its numbers as YAML 1.1 readers take them: as many nodes as it has values, and lists.
    std::vector<YAML::Node> todo = {node};
    for (std::size_t seen = 0; !todo.empty() && seen < 2 * kMaxLiteralValues; ++seen) {
      const YAML::Node n = todo.back();
      todo.pop_back();
      if (n.IsSequence())
        for (const auto& item : n) todo.push_back(item);
      else
        portable(n);
    }
    return t;
  } catch (const NestedListTooLarge& e) {
    fail(Location{path_.string(), e.line(), e.column()},
         what + " " + e.what() + "; put large data in a file: {file: name.npy}");
  } catch (const NestedListError& e) {
    fail(Location{path_.string(), e.line(), e.column()}, what + " " + e.what());
  }
}

Expression Loader::parse_expression(const YAML::Node& node, const std::string& what) {
  Expression e;
  e.text = number_or_text(node, what);
  e.where = expression_at(node, 0);
  try {
    e.ast = expr::parse(e.text);
  } catch (const expr::ExprError& err) {
    fail(expression_at(node, err.offset()), what + ": " + err.what());
  }
  return e;
}

std::string Loader::number_or_text(const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) fail(at(node), what + " must be an expression (text), found " + node_kind(node));
  return node.Scalar();
}

Tensor Loader::evaluate_at(const YAML::Node& node, const Expression& e, const expr::Scope& scope,
                           const std::string& what) {
  try {
    return expr::evaluate(*e.ast, scope);
  } catch (const expr::ExprError& err) {
    fail_expression(expression_at(node, err.offset()), what, err);
  }
}

/// Data entry `name`'s expression, over the data before it (whose names it reads are kept in
/// Spec::data_reads) and the generators.
Tensor Loader::constant_expression(Spec& spec, const std::string& name, const YAML::Node& node) {
  const std::string what = "data '" + name + "'";
  const Expression e = parse_expression(node, what);
  for (const auto& n : expr::names_used(*e.ast))
    if (spec.data.count(n)) spec.data_reads[name].insert(n);
  expr::Scope scope;
  scope.add(spec.data);
  scope.draw_from(generators_);
  return evaluate_at(node, e, scope, what);
}

}  // namespace grader::spec_loading
