#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "grader/answers/read.hpp"
#include "grader/expr/evaluate.hpp"
#include "grader/spec/spec.hpp"
#include "grader/suggest.hpp"
#include "../nested_list.hpp"
#include "../yaml_access.hpp"

namespace grader {

namespace {

/// Thrown to abandon the current unit (data entry, exercise) after recording a diagnostic.
struct Abandon {};

bool is_identifier(const std::string& s) {
  static const std::regex re("[A-Za-z_][A-Za-z0-9_]*");
  return std::regex_match(s, re);
}

std::string node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "'" + n.Scalar() + "'";
    default: return "nothing";
  }
}

class Loader {
 public:
  explicit Loader(std::filesystem::path path) : path_(std::move(path)) {}

  Spec load() {
    std::string text;
    try {
      text = read_bounded(path_);
    } catch (const ReadError& e) {
      throw SpecError(Location{path_.string()}, e.what());
    }
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) lines_.push_back(line);

    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw SpecError(at(e.mark), "this is not valid YAML: " + e.msg);
    }
    if (!root.IsMap()) throw SpecError(Location{path_.string(), 1, 1},
                                       "a spec is a mapping with keys assignment, data, exercises");

    Spec spec;
    spec.path = path_;
    try {
      Fields top(*this, root, "the spec");
      load_metadata(spec, top.require("assignment"));
      if (auto data = top.take("data")) load_data(spec, data);
      const YAML::Node exercises = top.require("exercises");
      top.finish();
      load_exercises(spec, exercises);
    } catch (const Abandon&) {
    }
    if (!diagnostics_.empty()) throw SpecError(std::move(diagnostics_));
    spdlog::debug("loaded {}: {} data tensors, {} exercises", path_.string(), spec.data.size(),
                  spec.exercises.size());
    return spec;
  }

 private:
  std::filesystem::path path_;
  std::vector<std::string> lines_;
  std::vector<Diagnostic> diagnostics_;

  Location at(const YAML::Mark& mark) const {
    if (mark.is_null()) return Location{path_.string()};
    return Location{path_.string(), mark.line + 1, mark.column + 1};
  }
  Location at(const YAML::Node& node) const { return at(node.Mark()); }

  [[noreturn]] void fail(const Location& where, const std::string& message) {
    diagnostics_.push_back({where, message});
    throw Abandon{};
  }
  void note(const Location& where, const std::string& message) {
    diagnostics_.push_back({where, message});
  }

  /// Runs one unit, recording its first error and carrying on with the next unit.
  template <class F>
  void unit(F f) {
    try {
      f();
    } catch (const Abandon&) {
    }
  }

  /// A mapping whose keys are consumed one by one; what is left over is an error.
  class Fields {
   public:
    Fields(Loader& loader, const YAML::Node& node, std::string context)
        : loader_(loader), node_(node), context_(std::move(context)) {
      if (!node.IsMap())
        loader.fail(loader.at(node), context_ + " must be a mapping, found " + node_kind(node));
      for (const auto& kv : node) {
        const std::string key = kv.first.Scalar();
        if (std::find(seen_.begin(), seen_.end(), key) != seen_.end())
          loader.fail(loader.at(kv.first), "key '" + key + "' appears twice in " + context_);
        seen_.push_back(key);
      }
    }

    YAML::Node take(const std::string& key) {
      taken_.push_back(key);
      for (const auto& kv : node_)
        if (kv.first.Scalar() == key) return kv.second;
      return YAML::Node(YAML::NodeType::Undefined);
    }

    YAML::Node require(const std::string& key) {
      YAML::Node value = take(key);
      if (!value || value.IsNull())
        loader_.fail(loader_.at(node_), context_ + " needs '" + key + "'");
      return value;
    }

    /// Records every key that was never taken.
    void finish() {
      for (const auto& kv : node_) {
        const std::string key = kv.first.Scalar();
        if (std::find(taken_.begin(), taken_.end(), key) == taken_.end())
          loader_.note(loader_.at(kv.first), "unknown key '" + key + "' in " + context_ +
                                                 did_you_mean(key, taken_) + " (allowed: " +
                                                 allowed() + ")");
      }
    }

   private:
    Loader& loader_;
    YAML::Node node_;
    std::string context_;
    std::vector<std::string> seen_, taken_;

    std::string allowed() const {
      std::string out;
      for (const auto& k : taken_) out += (out.empty() ? "" : ", ") + k;
      return out;
    }
  };

  /// A text field, without the trailing newline that YAML's folded and literal styles keep.
  std::string string_of(const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar()) fail(at(node), what + " must be text, found " + node_kind(node));
    std::string s = node.Scalar();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
  }

  double number_of(const YAML::Node& node, const std::string& what) {
    if (node.IsScalar()) {
      try {
        const double v = node.as<double>();
        if (std::isfinite(v)) return v;
      } catch (const YAML::Exception&) {
      }
    }
    fail(at(node), what + " must be a finite number, found " + node_kind(node));
  }

  double non_negative(const YAML::Node& node, const std::string& what) {
    const double v = number_of(node, what);
    if (v < 0) fail(at(node), what + " must not be negative, found " + node.Scalar());
    return v;
  }

  // ---- metadata and data ------------------------------------------------------------------

  void load_metadata(Spec& spec, const YAML::Node& node) {
    Fields f(*this, node, "'assignment'");
    spec.id = string_of(f.require("id"), "assignment id");
    if (!std::regex_match(spec.id, std::regex("[A-Za-z0-9][A-Za-z0-9._-]*")))
      note(at(node), "assignment id '" + spec.id +
                         "' must be letters, digits, '.', '_' or '-' (it names folders)");
    spec.title = string_of(f.require("title"), "assignment title");
    spec.version = string_of(f.require("version"), "assignment version");
    f.finish();
  }

  void load_data(Spec& spec, const YAML::Node& node) {
    if (!node.IsMap()) fail(at(node), "'data' must be a mapping of names to tensors");
    for (const auto& kv : node) {
      unit([&] {
        const std::string name = kv.first.Scalar();
        if (!is_identifier(name))
          fail(at(kv.first), "data name '" + name +
                                 "' must be a name: letters, digits and '_', not starting "
                                 "with a digit");
        if (spec.data.count(name)) fail(at(kv.first), "data '" + name + "' is defined twice");
        spec.data.emplace(name, data_value(spec, name, kv.second));
        spec.data_order.push_back(name);
      });
    }
  }

  Tensor data_value(const Spec& spec, const std::string& name, const YAML::Node& node) {
    if (node.IsSequence()) return literal(node, "data '" + name + "'");
    if (node.IsScalar()) return constant_expression(spec, node, "data '" + name + "'");
    if (node.IsMap()) {
      Fields f(*this, node, "data '" + name + "'");
      const YAML::Node file = f.take("file");
      const YAML::Node expr = f.take("expr");
      f.finish();
      if (file && expr) fail(at(node), "data '" + name + "' has both 'file' and 'expr'; keep one");
      if (expr) return constant_expression(spec, expr, "data '" + name + "'");
      if (file) {
        const std::filesystem::path p = path_.parent_path() / string_of(file, "file");
        try {
          return read_tensor_file(p);
        } catch (const ReadError& e) {
          fail(at(file), "data '" + name + "': cannot read " + p.string() + ": " + e.what());
        }
      }
      fail(at(node), "data '" + name + "' needs 'file' or 'expr'");
    }
    fail(at(node), "data '" + name + "' must be a nested list, an expression or a mapping");
  }

  /// A nested YAML list of numbers, rank 1 to 3.
  Tensor literal(const YAML::Node& node, const std::string& what) {
    try {
      return tensor_from_nested(node, YamlAccess{});
    } catch (const NestedListError& e) {
      fail(Location{path_.string(), e.line(), e.column()}, what + " " + e.what());
    }
  }

  // ---- expressions ------------------------------------------------------------------------

  /// The location of character `offset` of a scalar's text.
  Location expression_at(const YAML::Node& node, std::size_t offset) const {
    Location where = at(node);
    const auto line = static_cast<std::size_t>(where.line - 1);
    if (where.line <= 0 || line >= lines_.size()) return where;
    const auto col = static_cast<std::size_t>(where.column - 1);
    const char first = col < lines_[line].size() ? lines_[line][col] : '\0';
    if (first == '|' || first == '>') return where;  // block scalar: its first line
    where.column += static_cast<int>(offset) + ((first == '"' || first == '\'') ? 1 : 0);
    return where;
  }

  Expression parse_expression(const YAML::Node& node, const std::string& what) {
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

  std::string number_or_text(const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar())
      fail(at(node), what + " must be an expression (text), found " + node_kind(node));
    return node.Scalar();
  }

  Tensor evaluate_at(const YAML::Node& node, const Expression& e, const expr::Scope& scope,
                     const std::string& what) {
    try {
      return expr::evaluate(*e.ast, scope);
    } catch (const expr::ExprError& err) {
      fail(expression_at(node, err.offset()), what + ": " + err.what());
    }
  }

  Tensor constant_expression(const Spec& spec, const YAML::Node& node, const std::string& what) {
    const Expression e = parse_expression(node, what);
    expr::Scope scope;
    scope.add(spec.data);
    return evaluate_at(node, e, scope, what);
  }

  // ---- exercises --------------------------------------------------------------------------

  struct Pending {
    YAML::Node output, expect;
    std::vector<std::pair<YAML::Node, std::string>> mistakes;  // node of 'matches', message
    bool ok = false;
  };

  void load_exercises(Spec& spec, const YAML::Node& node) {
    if (!node.IsSequence() || node.size() == 0)
      fail(at(node), "'exercises' must be a non-empty list");
    std::vector<Pending> pending(node.size());
    // Pass 1: everything but expressions, so that any exercise can read any answer.
    for (std::size_t i = 0; i < node.size(); ++i) {
      spec.exercises.emplace_back();
      unit([&] {
        load_exercise_fields(spec, spec.exercises.back(), node[i], pending[i]);
        pending[i].ok = true;
      });
    }
    // Placeholder answers (zeros of the declared shapes) let every expression be evaluated
    // once now, which checks names, arity and shapes before any student is graded.
    std::map<std::string, Tensor> placeholders;
    for (const auto& ex : spec.exercises)
      for (const auto& a : ex.answers) placeholders.emplace(a.name, Tensor::filled(a.shape, 0.0));
    expr::Scope scope;
    scope.add(spec.data);
    scope.add(placeholders);
    for (std::size_t i = 0; i < spec.exercises.size(); ++i)
      if (pending[i].ok) unit([&] { compile_exercise(spec, spec.exercises[i], pending[i], scope); });
  }

  void load_exercise_fields(Spec& spec, Exercise& ex, const YAML::Node& node, Pending& pending) {
    ex.where = at(node);
    if (!node.IsMap()) fail(at(node), "each exercise must be a mapping, found " + node_kind(node));
    const YAML::Node id_node = node["id"];
    ex.id = id_node && id_node.IsScalar() ? id_node.Scalar() : "";
    Fields f(*this, node, ex.id.empty() ? "an exercise" : "exercise " + ex.id);
    ex.id = string_of(f.require("id"), "exercise id");
    for (const auto& other : spec.exercises)
      if (&other != &ex && other.id == ex.id)
        fail(at(id_node), "exercise id '" + ex.id + "' is used twice (first at " +
                              other.where.str() + ")");
    const std::string context = "exercise " + ex.id;
    ex.title = string_of(f.require("title"), context + " title");
    ex.points = non_negative(f.require("points"), context + " points");
    if (auto d = f.take("description")) ex.description = string_of(d, context + " description");
    if (auto v = f.take("visibility")) {
      const std::string s = string_of(v, context + " visibility");
      if (s != "visible" && s != "hidden")
        fail(at(v), context + " visibility must be 'visible' or 'hidden', found '" + s + "'");
      ex.visibility = s == "hidden" ? Visibility::hidden : Visibility::visible;
    }
    if (auto t = f.take("tolerance")) ex.tolerance = load_tolerance(t, context);
    load_answers(spec, ex, f.require("answers"), context);
    pending.output = f.require("output");
    pending.expect = f.require("expect");
    if (auto m = f.take("mistakes")) {
      if (!m.IsSequence()) fail(at(m), context + " mistakes must be a list");
      for (const auto& item : m) {
        Fields mf(*this, item, context + " mistake");
        pending.mistakes.emplace_back(mf.require("matches"),
                                      string_of(mf.require("message"), context + " mistake message"));
        mf.finish();
      }
    }
    f.finish();
  }

  Tolerance load_tolerance(const YAML::Node& node, const std::string& context) {
    Fields f(*this, node, context + " tolerance");
    Tolerance t;
    if (auto a = f.take("atol")) t.atol = non_negative(a, context + " atol");
    if (auto r = f.take("rtol")) t.rtol = non_negative(r, context + " rtol");
    if (auto m = f.take("max_abs")) t.max_abs = non_negative(m, context + " max_abs");
    f.finish();
    return t;
  }

  void load_answers(Spec& spec, Exercise& ex, const YAML::Node& node, const std::string& context) {
    if (!node.IsSequence() || node.size() == 0)
      fail(at(node), context + " answers must be a non-empty list of {name, shape}");
    for (const auto& item : node) {
      Fields f(*this, item, context + " answer");
      AnswerSpec a;
      a.where = at(item);
      a.name = string_of(f.require("name"), context + " answer name");
      if (!is_identifier(a.name))
        fail(at(item), "answer name '" + a.name +
                           "' must be letters, digits and '_' (it names the student's file)");
      if (spec.data.count(a.name))
        fail(at(item), "answer name '" + a.name + "' is also a data name; rename one");
      if (spec.answer(a.name))  // also sees this exercise's earlier answers
        fail(at(item), "answer name '" + a.name + "' is declared twice");
      const YAML::Node shape = f.require("shape");
      if (!shape.IsSequence() || shape.size() > kMaxRank)
        fail(at(shape), context + " answer shape must be a list of 0 to 3 sizes, like [1, 3]");
      for (const auto& d : shape) {
        const double v = non_negative(d, context + " answer size");
        if (v != std::floor(v) || v < 1) fail(at(d), "answer sizes must be whole numbers >= 1");
        a.shape.push_back(static_cast<std::size_t>(v));
      }
      if (auto o = f.take("orientation")) {
        const std::string s = string_of(o, "orientation");
        if (s != "exact" && s != "any")
          fail(at(o), "orientation must be 'exact' or 'any', found '" + s + "'");
        a.any_orientation = s == "any";
        const std::size_t longest = a.shape.empty() ? 1 : *std::max_element(a.shape.begin(), a.shape.end());
        if (a.any_orientation && element_count(a.shape) != longest)
          fail(at(o), "orientation: any is only for vectors; shape " + format_shape(a.shape) +
                          " is not a vector");
      }
      f.finish();
      ex.answers.push_back(std::move(a));
    }
  }

  Expression compile(const YAML::Node& node, const std::string& what, const Spec& spec,
                     const expr::Scope& scope) {
    Expression e = parse_expression(node, what);
    for (const auto& name : expr::names_used(*e.ast))
      if (!spec.data.count(name) && spec.answer(name)) e.answers.insert(name);
    const Tensor value = evaluate_at(node, e, scope, what);
    e.shape = value.shape();
    if (e.answers.empty()) e.value = value;
    return e;
  }

  void compile_exercise(const Spec& spec, Exercise& ex, const Pending& p,
                        const expr::Scope& scope) {
    const std::string context = "exercise " + ex.id;
    ex.output = compile(p.output, context + " output", spec, scope);
    ex.expect = compile(p.expect, context + " expect", spec, scope);
    for (const auto& a : ex.answers)
      if (!ex.output.answers.count(a.name))
        fail(at(p.output), context + " output does not use its answer '" + a.name +
                               "': the student's '" + a.name + "' would never be graded");
    if (ex.output.shape != ex.expect.shape)
      fail(at(p.expect), context + ": output has shape " + format_shape(ex.output.shape) +
                             " but expect has shape " + format_shape(ex.expect.shape) +
                             "; they must match exactly (value[0:1] keeps a row's axis, "
                             "reshape() changes a shape)");
    for (const auto& [node, message] : p.mistakes) {
      Mistake m{compile(node, context + " mistake", spec, scope), message};
      if (m.expression.shape != ex.expect.shape)
        fail(at(node), context + ": mistake has shape " + format_shape(m.expression.shape) +
                           " but expect has shape " + format_shape(ex.expect.shape));
      ex.mistakes.push_back(std::move(m));
    }
  }
};

}  // namespace

double Tolerance::allowance(double expected) const {
  const double a = atol + rtol * std::abs(expected);
  return max_abs ? std::min(a, *max_abs) : a;
}

std::string Tolerance::formula() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "|got - expected| <= %g + %g * |expected|", atol, rtol);
  std::string out = buf;
  if (max_abs) {
    std::snprintf(buf, sizeof buf, " (at most %g)", *max_abs);
    out += buf;
  }
  return out;
}

const Exercise* Spec::owner_of(const std::string& answer) const {
  for (const auto& ex : exercises)
    for (const auto& a : ex.answers)
      if (a.name == answer) return &ex;
  return nullptr;
}

const AnswerSpec* Spec::answer(const std::string& name) const {
  for (const auto& ex : exercises)
    for (const auto& a : ex.answers)
      if (a.name == name) return &a;
  return nullptr;
}

double Spec::max_score() const {
  double total = 0;
  for (const auto& ex : exercises) total += ex.points;
  return total;
}

Spec load_spec(const std::filesystem::path& path) { return Loader(path).load(); }

}  // namespace grader
