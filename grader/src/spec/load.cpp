#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "../nested_list.hpp"
#include "../text.hpp"
#include "../yaml_access.hpp"
#include "grader/answers/read.hpp"
#include "grader/expr/evaluate.hpp"
#include "grader/spec/spec.hpp"
#include "grader/suggest.hpp"

namespace grader {

namespace {

/// Thrown to abandon the current unit (data entry, exercise) after recording a diagnostic.
struct Abandon {};

/// The longest name (of data, answers, inputs, sizes) a spec may use.
constexpr std::size_t kMaxName = 64;
/// The largest size of an axis, fixed or drawn.
constexpr std::size_t kMaxDim = 4096;
/// The most points an exercise or a check may be worth.
constexpr double kMaxPoints = 1e6;
/// The longest text a spec may give (a description, a message, a command).
constexpr std::size_t kMaxText = 10000;

bool is_identifier(const std::string& s) {
  if (s.empty() || s.size() > kMaxName || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

/// A name that also names folders: letters, digits, '.', '_' or '-', not starting with '.' or '-'.
bool is_folder_name(const std::string& s) {
  if (s.empty() || s.size() > kMaxName || !std::isalnum(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::string node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + n.Scalar() + "'";
    default:
      return "nothing";
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
    if (!root.IsMap())
      throw SpecError(Location{path_.string(), 1, 1}, "a spec is a mapping with keys assignment, data, exercises");

    Spec spec;
    spec.path = path_;
    try {
      Fields top(*this, root, "the spec");
      load_metadata(spec, top.require("assignment"));
      if (auto data = top.take("data")) load_data(spec, data);
      if (auto library = top.take("library")) load_library(spec, library);
      if (auto python = top.take("python")) load_python(spec, python);
      // Only `spec check` reads it: a spec copied without it still grades.
      if (auto solution = top.take("solution")) spec.solution = path_.parent_path() / string_of(solution, "solution");
      const YAML::Node exercises = top.require("exercises");
      top.finish();
      load_exercises(spec, exercises);
    } catch (const Abandon&) {
    }
    if (!diagnostics_.empty()) throw SpecError(std::move(diagnostics_));
    spdlog::debug("loaded {}: {} data tensors, {} exercises", path_.string(), spec.data.size(), spec.exercises.size());
    return spec;
  }

 private:
  std::filesystem::path path_;
  std::vector<std::string> lines_;
  std::vector<Diagnostic> diagnostics_;
  /// The data section's generators, advanced by its draws in document order.
  std::map<std::string, expr::Generator> generators_;

  Location at(const YAML::Mark& mark) const {
    if (mark.is_null()) return Location{path_.string()};
    return Location{path_.string(), mark.line + 1, mark.column + 1};
  }
  Location at(const YAML::Node& node) const { return at(node.Mark()); }

  [[noreturn]] void fail(const Location& where, const std::string& message) {
    diagnostics_.push_back({where, message});
    throw Abandon{};
  }
  void note(const Location& where, const std::string& message) { diagnostics_.push_back({where, message}); }

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
      if (!node.IsMap()) loader.fail(loader.at(node), context_ + " must be a mapping, found " + node_kind(node));
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
      if (!value || value.IsNull()) loader_.fail(loader_.at(node_), context_ + " needs '" + key + "'");
      return value;
    }

    /// Records every key that was never taken.
    void finish() {
      for (const auto& kv : node_) {
        const std::string key = kv.first.Scalar();
        if (std::find(taken_.begin(), taken_.end(), key) == taken_.end())
          loader_.note(loader_.at(kv.first), "unknown key '" + key + "' in " + context_ + did_you_mean(key, taken_) +
                                                 " (allowed: " + allowed() + ")");
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
    if (const auto bad = invalid_utf8_at(s); bad != std::string::npos) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(s[bad]));
      fail(at(node), what + " is not valid UTF-8 (byte " + byte + " at character " + std::to_string(bad + 1) +
                         "); save the spec as UTF-8");
    }
    if (s.size() > kMaxText)
      fail(at(node), what + " is " + std::to_string(s.size()) + " characters long; at most " +
                         std::to_string(kMaxText) + " are allowed");
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

  double points_of(const YAML::Node& node, const std::string& what) {
    const double v = non_negative(node, what);
    if (v > kMaxPoints)
      fail(at(node), what + " must be at most " + fmt_number(kMaxPoints) + ", found " + node.Scalar());
    return v;
  }

  /// A number from `low` to `high`.
  double between(const YAML::Node& node, const std::string& what, double low, double high) {
    const double v = number_of(node, what);
    if (v < low || v > high)
      fail(at(node),
           what + " must be from " + fmt_number(low) + " to " + fmt_number(high) + ", found " + node.Scalar());
    return v;
  }

  // ---- metadata and data ------------------------------------------------------------------

  void load_metadata(Spec& spec, const YAML::Node& node) {
    Fields f(*this, node, "'assignment'");
    spec.id = string_of(f.require("id"), "assignment id");
    if (!is_folder_name(spec.id))
      note(at(node), "assignment id '" + spec.id + "' must be letters, digits, '.', '_' or '-', at most " +
                         std::to_string(kMaxName) + " of them (it names folders)");
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
        if (spec.data.count(name) || generators_.count(name))
          fail(at(kv.first), "data '" + name + "' is defined twice");
        if (kv.second.IsMap() && kv.second["generator"]) {
          generators_.emplace(name, generator(name, kv.second));
          return;
        }
        spec.data.emplace(name, data_value(spec, name, kv.second));
        spec.data_order.push_back(name);
      });
    }
  }

  Tensor data_value(Spec& spec, const std::string& name, const YAML::Node& node) {
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
  expr::Generator generator(const std::string& name, const YAML::Node& node) {
    const std::string what = "generator '" + name + "'";
    Fields f(*this, node, what);
    const YAML::Node kind = f.require("generator");
    const YAML::Node seed_node = f.require("seed");
    f.finish();
    const std::string library = string_of(kind, what + " kind");
    if (library != "torch" && library != "numpy")
      fail(at(kind), what + ": '" + library +
                         "' is not a generator; use torch (torch.manual_seed) or numpy "
                         "(np.random.seed, NumPy's legacy global generator)");
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
  Tensor literal(const YAML::Node& node, const std::string& what) {
    static constexpr std::size_t kMaxLiteralValues = 1u << 16;
    try {
      return tensor_from_nested(node, YamlAccess{}, kMaxLiteralValues);
    } catch (const NestedListTooLarge& e) {
      fail(Location{path_.string(), e.line(), e.column()},
           what + " " + e.what() + "; put large data in a file: {file: name.npy}");
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
    if (!node.IsScalar()) fail(at(node), what + " must be an expression (text), found " + node_kind(node));
    return node.Scalar();
  }

  Tensor evaluate_at(const YAML::Node& node, const Expression& e, const expr::Scope& scope, const std::string& what) {
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
    scope.draw_from(generators_);
    return evaluate_at(node, e, scope, what);
  }

  // ---- exercises --------------------------------------------------------------------------

  struct Pending {
    YAML::Node output, expect;
    struct PendingMistake {
      YAML::Node matches;
      std::string message;
      Tolerance tolerance;
    };
    std::vector<PendingMistake> mistakes;
    bool ok = false;
  };

  void load_exercises(Spec& spec, const YAML::Node& node) {
    if (!node.IsSequence() || node.size() == 0) fail(at(node), "'exercises' must be a non-empty list");
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
      if (pending[i].ok && !spec.exercises[i].function)
        unit([&] { compile_exercise(spec, spec.exercises[i], pending[i], scope); });
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
        fail(at(id_node), "exercise id '" + ex.id + "' is used twice (first at " + other.where.str() + ")");
    const std::string context = "exercise " + ex.id;
    ex.title = string_of(f.require("title"), context + " title");
    ex.points = points_of(f.require("points"), context + " points");
    if (auto d = f.take("description")) ex.description = string_of(d, context + " description");
    if (auto v = f.take("visibility")) {
      const std::string s = string_of(v, context + " visibility");
      if (s != "visible" && s != "hidden")
        fail(at(v), context + " visibility must be 'visible' or 'hidden', found '" + s + "'");
      ex.visibility = s == "hidden" ? Visibility::hidden : Visibility::visible;
    }
    if (auto t = f.take("tolerance")) ex.tolerance = load_tolerance(t, context, Tolerance{});
    if (auto fn = f.take("function")) {
      const YAML::Node points = node["points"];
      ex.function = load_function(spec, fn, f.require("checks"), f.take("mistakes"), ex.tolerance, context);
      double total = 0;
      for (const auto& c : ex.function->checks) total += c.points;
      if (std::abs(total - ex.points) > 1e-9)
        fail(at(points), context + " points (" + fmt_number(ex.points) +
                             ") must equal the sum of "
                             "its checks' points (" +
                             fmt_number(total) + ")");
      f.finish();
      return;
    }
    load_answers(spec, ex, f.require("answers"), context);
    pending.output = f.require("output");
    pending.expect = f.require("expect");
    if (auto m = f.take("mistakes")) {
      if (!m.IsSequence()) fail(at(m), context + " mistakes must be a list");
      for (const auto& item : m) {
        Fields mf(*this, item, context + " mistake");
        Pending::PendingMistake pm{mf.require("matches"),
                                   string_of(mf.require("message"), context + " mistake message"), ex.tolerance};
        if (auto t = mf.take("tolerance")) pm.tolerance = load_tolerance(t, context + " mistake", ex.tolerance);
        mf.finish();
        pending.mistakes.push_back(std::move(pm));
      }
    }
    f.finish();
  }

  /// A tolerance: what it gives replaces `base` (the exercise's, for a check).
  Tolerance load_tolerance(const YAML::Node& node, const std::string& context, const Tolerance& base) {
    Fields f(*this, node, context + " tolerance");
    Tolerance t = base;
    bool changed = false;
    if (auto a = f.take("atol")) t.atol = non_negative(a, context + " atol"), changed = true;
    if (auto r = f.take("rtol")) t.rtol = non_negative(r, context + " rtol"), changed = true;
    if (auto m = f.take("max_abs")) t.max_abs = non_negative(m, context + " max_abs"), changed = true;
    // A rule given without float32 is for every precision (the notebook's printed digits,
    // say); with float32, what that gives replaces the base's float32 rule.
    if (changed) t.float32.reset();
    if (auto single = f.take("float32")) {
      Fields sf(*this, single, context + " tolerance float32");
      Tolerance::Single s = changed || !base.float32 ? Tolerance::Single{t.atol, t.rtol, t.max_abs} : *base.float32;
      if (auto a = sf.take("atol")) s.atol = non_negative(a, context + " float32 atol");
      if (auto r = sf.take("rtol")) s.rtol = non_negative(r, context + " float32 rtol");
      if (auto m = sf.take("max_abs")) s.max_abs = non_negative(m, context + " float32 max_abs");
      sf.finish();
      t.float32 = s;
    }
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
        fail(at(item), "answer name '" + a.name + "' must be letters, digits and '_' (it names the student's file)");
      if (spec.data.count(a.name)) fail(at(item), "answer name '" + a.name + "' is also a data name; rename one");
      if (spec.answer(a.name))  // also sees this exercise's earlier answers
        fail(at(item), "answer name '" + a.name + "' is declared twice");
      const YAML::Node shape = f.require("shape");
      if (!shape.IsSequence() || shape.size() > kMaxRank)
        fail(at(shape),
             context + " answer shape must be a list of 0 to " + std::to_string(kMaxRank) + " sizes, like [1, 3]");
      for (const auto& d : shape) {
        const double v = non_negative(d, context + " answer size");
        if (v != std::floor(v) || v < 1 || v > kMaxDim)
          fail(at(d), "answer sizes must be whole numbers from 1 to " + std::to_string(kMaxDim));
        a.shape.push_back(static_cast<std::size_t>(v));
      }
      try {
        element_count(a.shape);
      } catch (const std::length_error& e) {
        fail(at(shape), context + " answer " + a.name + ": " + e.what());
      }
      a.python_expr = a.name;
      if (auto py = f.take("python")) load_answer_python(a, py, context + " answer " + a.name);
      if (auto o = f.take("orientation")) {
        const std::string s = string_of(o, "orientation");
        if (s != "exact" && s != "any") fail(at(o), "orientation must be 'exact' or 'any', found '" + s + "'");
        a.any_orientation = s == "any";
        const std::size_t longest = a.shape.empty() ? 1 : *std::max_element(a.shape.begin(), a.shape.end());
        if (a.any_orientation && element_count(a.shape) != longest)
          fail(at(o), "orientation: any is only for vectors; shape " + format_shape(a.shape) + " is not a vector");
      }
      f.finish();
      ex.answers.push_back(std::move(a));
    }
  }

  Expression compile(const YAML::Node& node, const std::string& what, const Spec& spec, const expr::Scope& scope) {
    Expression e = parse_expression(node, what);
    for (const auto& name : expr::names_used(*e.ast))
      if (!spec.data.count(name) && spec.answer(name)) e.answers.insert(name);
    const Tensor value = evaluate_at(node, e, scope, what);
    e.shape = value.shape();
    if (e.answers.empty()) e.value = value;
    return e;
  }

  void compile_exercise(const Spec& spec, Exercise& ex, const Pending& p, const expr::Scope& scope) {
    const std::string context = "exercise " + ex.id;
    ex.output = compile(p.output, context + " output", spec, scope);
    ex.expect = compile(p.expect, context + " expect", spec, scope);
    for (const auto& a : ex.answers)
      if (!ex.output.answers.count(a.name))
        fail(at(p.output), context + " output does not use its answer '" + a.name + "': the student's '" + a.name +
                               "' would never be graded");
    if (ex.output.shape != ex.expect.shape)
      fail(at(p.expect), context + ": output has shape " + format_shape(ex.output.shape) + " but expect has shape " +
                             format_shape(ex.expect.shape) +
                             "; they must match exactly (value[0:1] keeps a row's axis, "
                             "reshape() changes a shape)");
    for (const auto& pm : p.mistakes) {
      Mistake m{compile(pm.matches, context + " mistake", spec, scope), pm.message, pm.tolerance};
      if (m.expression.shape != ex.expect.shape)
        fail(at(pm.matches), context + ": mistake has shape " + format_shape(m.expression.shape) +
                                 " but expect has shape " + format_shape(ex.expect.shape));
      ex.mistakes.push_back(std::move(m));
    }
  }

  // ---- compiled libraries and function exercises -----------------------------------------

  static std::string fmt_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
  }

  void load_library(Spec& spec, const YAML::Node& node) {
    Fields f(*this, node, "'library'");
    if (auto v = f.take("file")) spec.library.file = string_of(v, "library file");
    if (auto v = f.take("compile_c")) spec.library.compile_c = string_of(v, "compile_c");
    if (auto v = f.take("compile_cxx")) spec.library.compile_cxx = string_of(v, "compile_cxx");
    if (auto v = f.take("compile_seconds")) spec.library.compile_seconds = between(v, "compile_seconds", 1, 3600);
    // A call's deadline is checked every few milliseconds and a child needs some to start:
    // below a tenth of a second, a correct solution could time out.
    if (auto v = f.take("call_seconds")) spec.library.call_seconds = between(v, "call_seconds", 0.1, 3600);
    if (auto v = f.take("budget_seconds")) spec.library.budget_seconds = between(v, "budget_seconds", 1, 86400);
    if (auto v = f.take("threads")) {
      const double t = non_negative(v, "threads");
      if (t != std::floor(t) || t > 1024) fail(at(v), "threads must be a whole number from 0 to 1024");
      spec.library.threads = static_cast<unsigned>(t);
    }
    if (auto v = f.take("cpu_seconds"))
      spec.library.cpu_seconds = static_cast<unsigned>(between(v, "cpu_seconds", 1, 86400));
    if (auto v = f.take("memory_mb"))
      spec.library.memory_mb = static_cast<unsigned>(between(v, "memory_mb", 256, 1 << 20));
    f.finish();
    if (spec.library.budget_seconds < spec.library.call_seconds)
      fail(at(node), "budget_seconds (" + fmt_number(spec.library.budget_seconds) +
                         ") must be at least call_seconds (" + fmt_number(spec.library.call_seconds) + ")");
    if (!is_identifier(std::filesystem::path(spec.library.file).stem().string()) ||
        spec.library.file.find('/') != std::string::npos)
      fail(at(node), "library file '" + spec.library.file + "' must be a plain file name");
    for (const auto* command : {&spec.library.compile_c, &spec.library.compile_cxx})
      for (const char* placeholder : {"{sources}", "{output}"})
        if (command->find(placeholder) == std::string::npos)
          fail(at(node), std::string("compile command '") + *command + "' lacks " + placeholder);
  }

  /// The `python` section: how a Python hand-in is found and run.
  void load_python(Spec& spec, const YAML::Node& node) {
    Fields f(*this, node, "'python'");
    PythonSpec& py = spec.python;
    if (auto v = f.take("file")) {
      py.file = string_of(v, "python file");
      const std::string ext = std::filesystem::path(py.file).extension().string();
      if (py.file.find('/') != std::string::npos || (ext != ".py" && ext != ".ipynb") ||
          !is_folder_name(std::filesystem::path(py.file).stem().string()))
        fail(at(v), "python file '" + py.file + "' must be a plain file name ending in .py or .ipynb");
    }
    if (auto v = f.take("cell_seconds")) py.cell_seconds = between(v, "cell_seconds", 0.1, 3600);
    if (auto v = f.take("call_seconds")) py.call_seconds = between(v, "call_seconds", 0.1, 3600);
    if (auto v = f.take("budget_seconds")) py.budget_seconds = between(v, "budget_seconds", 1, 86400);
    if (auto v = f.take("cpu_seconds")) py.cpu_seconds = static_cast<unsigned>(between(v, "cpu_seconds", 1, 86400));
    // Importing torch maps about a gigabyte: less would fail every hand-in.
    if (auto v = f.take("memory_mb")) py.memory_mb = static_cast<unsigned>(between(v, "memory_mb", 2048, 1 << 20));
    if (auto v = f.take("threads")) {
      const double t = between(v, "threads", 0, 1024);
      if (t != std::floor(t)) fail(at(v), "threads must be a whole number from 0 to 1024");
      py.threads = static_cast<unsigned>(t);
    }
    f.finish();
    if (py.budget_seconds < py.cell_seconds || py.budget_seconds < py.call_seconds)
      fail(at(node), "python budget_seconds (" + fmt_number(py.budget_seconds) +
                         ") must be at least cell_seconds and call_seconds");
  }

  /// A Python expression of the spec: checked to parse as one, in words, at load.
  std::string python_expression(const YAML::Node& node, const std::string& what) {
    const std::string text = string_of(node, what);
    if (text.empty() || text.size() > 500 || text.find('\n') != std::string::npos)
      fail(at(node), what + " must be one line of Python, at most 500 characters, such as m_key[2]");
    return text;
  }

  /// An answer's `python` key: an expression, or {expr, cell}.
  void load_answer_python(AnswerSpec& a, const YAML::Node& node, const std::string& context) {
    if (node.IsScalar()) {
      a.python_expr = python_expression(node, context + " python");
      return;
    }
    Fields f(*this, node, context + " python");
    if (auto e = f.take("expr")) a.python_expr = python_expression(e, context + " python expr");
    if (auto c = f.take("cell")) {
      a.python_cell = string_of(c, context + " python cell");
      if (a.python_cell.empty() || a.python_cell.find('\n') != std::string::npos)
        fail(at(c), context + " python cell must be text on one line from the cell, such as its instruction comment");
    }
    f.finish();
  }

  /// A function exercise's `python` binding (its defaults when absent).
  PythonBinding load_binding(const FunctionSpec& fn, const YAML::Node& node, const std::string& context) {
    PythonBinding b;
    b.function = fn.symbol;
    b.where = node ? at(node) : Location{};
    for (std::size_t i = 0; i < fn.inputs.size(); ++i) b.arguments.push_back({i, "", false});
    if (!node) return b;
    Fields f(*this, node, context + " python");
    if (auto v = f.take("function")) {
      b.function = string_of(v, context + " python function");
      if (!is_identifier(b.function))
        fail(at(v), context + " python function '" + b.function + "' must be a Python name");
    }
    if (auto v = f.take("tensors")) {
      b.tensors = string_of(v, context + " python tensors");
      if (b.tensors != "torch" && b.tensors != "numpy")
        fail(at(v), context + " python tensors must be torch or numpy, found '" + b.tensors + "'");
    }
    b.dtype = b.tensors == "numpy" ? "float64" : "float32";
    if (auto v = f.take("dtype")) {
      b.dtype = string_of(v, context + " python dtype");
      if (b.dtype != "float32" && b.dtype != "float64")
        fail(at(v), context + " python dtype must be float32 or float64, found '" + b.dtype + "'");
    }
    if (auto v = f.take("cell")) b.cell = string_of(v, context + " python cell");
    if (auto v = f.take("arguments")) {
      if (!v.IsSequence()) fail(at(v), context + " python arguments must be a list of inputs");
      b.arguments.clear();
      std::set<std::size_t> used;
      for (const auto& item : v) {
        PythonBinding::Argument a;
        std::string input;
        if (item.IsScalar()) {
          input = string_of(item, "an argument");
        } else {
          Fields af(*this, item, context + " python argument");
          input = string_of(af.require("input"), context + " python argument input");
          if (auto k = af.take("keyword")) {
            a.keyword = string_of(k, context + " python argument keyword");
            if (!is_identifier(a.keyword)) fail(at(k), "keyword '" + a.keyword + "' must be a Python name");
          }
          if (auto as = af.take("as")) {
            const std::string how = string_of(as, context + " python argument as");
            if (how != "tensor" && how != "rows")
              fail(at(as),
                   context + " python argument as must be tensor or rows (a list of its rows), found '" + how + "'");
            a.rows = how == "rows";
          }
          af.finish();
        }
        const auto it =
            std::find_if(fn.inputs.begin(), fn.inputs.end(), [&](const TensorDecl& d) { return d.name == input; });
        if (it == fn.inputs.end()) {
          std::vector<std::string> names;
          for (const auto& d : fn.inputs) names.push_back(d.name);
          fail(at(item), context + " python argument '" + input + "' is not an input" + did_you_mean(input, names));
        }
        a.input = static_cast<std::size_t>(it - fn.inputs.begin());
        if (!used.insert(a.input).second) fail(at(item), context + " python argument '" + input + "' is given twice");
        b.arguments.push_back(a);
      }
      if (used.size() != fn.inputs.size())
        fail(at(v), context + " python arguments must give every input of the function once");
    }
    f.finish();
    return b;
  }

  /// The name and shape of one input or output, from its mapping (the caller owns `f`, takes
  /// any other keys, and finishes it). Names must be unique among `taken`.
  TensorDecl load_decl(Fields& f, const YAML::Node& item, const std::string& what,
                       const std::vector<TensorDecl>& taken) {
    TensorDecl d;
    d.where = at(item);
    d.name = string_of(f.require("name"), what + " name");
    if (!is_identifier(d.name)) fail(at(item), what + " name '" + d.name + "' must be a name");
    for (const auto& o : taken)
      if (o.name == d.name) fail(at(item), "'" + d.name + "' is used twice among the inputs and outputs");
    const YAML::Node shape = f.require("shape");
    if (!shape.IsSequence() || shape.size() == 0 || shape.size() > kMaxRank)
      fail(at(shape),
           what + " shape must list 1 to " + std::to_string(kMaxRank) + " sizes: names like d_k, or numbers");
    for (const auto& dim : shape) {
      const std::string text = string_of(dim, "a size");
      const bool number = !text.empty() && std::all_of(text.begin(), text.end(), ::isdigit);
      if (number && (text.size() > 4 || std::stoul(text) < 1 || std::stoul(text) > kMaxDim))
        fail(at(dim), "size " + text.substr(0, 24) + " must be from 1 to " + std::to_string(kMaxDim));
      if (!number && !is_identifier(text))
        fail(at(dim), "size '" + text.substr(0, 24) + "' must be a name (at most " + std::to_string(kMaxName) +
                          " letters, digits and '_') or a number");
      d.dims.push_back(text);
    }
    return d;
  }

  /// Binds the named dimensions of `decls` to the shapes of `values`; numbers must match.
  static std::optional<std::string> bind_dims(const std::vector<TensorDecl>& decls, const std::vector<Tensor>& values,
                                              std::map<std::string, std::size_t>& dims) {
    for (std::size_t i = 0; i < decls.size(); ++i) {
      const auto& d = decls[i];
      const Shape& shape = values[i].shape();
      if (shape.size() != d.dims.size())
        return d.name + " has shape " + format_shape(shape) + " but is declared with " + std::to_string(d.dims.size()) +
               " sizes";
      for (std::size_t k = 0; k < shape.size(); ++k) {
        const std::string& name = d.dims[k];
        if (TensorDecl::fixed(name)) {
          if (std::stoull(name) != shape[k])
            return d.name + " has shape " + format_shape(shape) + " but size " + std::to_string(k) + " must be " + name;
        } else if (const auto it = dims.find(name); it != dims.end() && it->second != shape[k]) {
          return d.name + " has " + name + " = " + std::to_string(shape[k]) + " but another input has " + name + " = " +
                 std::to_string(it->second);
        } else {
          dims[name] = shape[k];
        }
      }
    }
    return std::nullopt;
  }

  Distribution load_distribution(const YAML::Node& node, const std::string& what) {
    const std::string text = string_of(node, what);
    static const std::regex call(R"(\s*(normal|uniform)\s*\(\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*\)\s*)");
    std::smatch m;
    Distribution d;
    if (text == "normal") return d;
    if (text == "padding_mask") return {Distribution::Kind::padding_mask, 0, 0};
    if (text == "causal_mask") return {Distribution::Kind::causal_mask, 0, 0};
    if (std::regex_match(text, m, call)) {
      d.kind = m[1] == "normal" ? Distribution::Kind::normal : Distribution::Kind::uniform;
      try {
        d.a = std::stod(m[2]);
        d.b = std::stod(m[3]);
        if (d.kind == Distribution::Kind::uniform ? d.b > d.a : d.b > 0) return d;
      } catch (const std::exception&) {
      }
    }
    fail(at(node), what + " '" + text +
                       "' is not a distribution: normal, normal(mean, std), "
                       "uniform(low, high), padding_mask or causal_mask");
  }

  std::map<std::string, Expression> expression_map(const YAML::Node& node, const std::string& what,
                                                   const std::vector<TensorDecl>& allowed) {
    if (!node.IsMap()) fail(at(node), what + " must be a mapping of names to expressions");
    std::map<std::string, Expression> out;
    std::vector<std::string> names;
    for (const auto& d : allowed) names.push_back(d.name);
    for (const auto& kv : node) {
      const std::string name = kv.first.Scalar();
      if (std::find(names.begin(), names.end(), name) == names.end())
        fail(at(kv.first), what + ": '" + name + "' is not one of them" + did_you_mean(name, names));
      out.emplace(name, parse_expression(kv.second, what + " " + name));
    }
    return out;
  }

  FunctionSpec load_function(const Spec& spec, const YAML::Node& node, const YAML::Node& checks,
                             const YAML::Node& mistakes, const Tolerance& tolerance, const std::string& context) {
    FunctionSpec fn;
    Fields f(*this, node, context + " function");
    fn.symbol = string_of(f.require("symbol"), context + " symbol");
    if (!is_identifier(fn.symbol)) fail(at(node), "symbol '" + fn.symbol + "' must be a C name");
    const YAML::Node inputs = f.require("inputs");
    const YAML::Node outputs = f.require("outputs");
    const YAML::Node python = f.take("python");
    f.finish();
    for (const auto& [list, what] : {std::pair{inputs, "input"}, std::pair{outputs, "output"}})
      if (!list.IsSequence() || list.size() == 0)
        fail(at(list), context + " " + what + "s must be a non-empty list of {name, shape" +
                           (std::string(what) == "output" ? ", expect}" : "}"));
    for (const auto& item : inputs) {
      Fields df(*this, item, context + " input");
      fn.inputs.push_back(load_decl(df, item, context + " input", fn.inputs));
      df.finish();
    }
    std::vector<YAML::Node> expect_nodes;
    for (const auto& item : outputs) {
      Fields df(*this, item, context + " output");
      std::vector<TensorDecl> taken = fn.inputs;
      taken.insert(taken.end(), fn.outputs.begin(), fn.outputs.end());
      fn.outputs.push_back(load_decl(df, item, context + " output", taken));
      const YAML::Node expect = df.take("expect");
      df.finish();  // first, so that a misspelt 'expect' is named
      if (!expect) fail(at(item), context + " output " + fn.outputs.back().name + " needs 'expect'");
      expect_nodes.push_back(expect);
    }
    for (std::size_t i = 0; i < fn.outputs.size(); ++i)
      fn.expect.push_back(parse_expression(expect_nodes[i], context + " output " + fn.outputs[i].name + " expect"));
    std::set<std::string> dim_names;
    for (const auto& d : fn.inputs)
      for (const auto& n : d.dims)
        if (!TensorDecl::fixed(n)) dim_names.insert(n);
    for (const auto& d : fn.outputs)
      for (const auto& n : d.dims)
        if (!TensorDecl::fixed(n) && !dim_names.count(n))
          fail(d.where, "output " + d.name + " uses size '" + n + "', which no input has");

    if (!checks.IsSequence() || checks.size() == 0) fail(at(checks), context + " checks must be a non-empty list");
    for (const auto& item : checks) fn.checks.push_back(load_check(fn, item, tolerance, dim_names, context));
    if (mistakes) {
      if (!mistakes.IsSequence()) fail(at(mistakes), context + " mistakes must be a list");
      for (const auto& item : mistakes) {
        Fields mf(*this, item, context + " mistake");
        FunctionMistake m;
        m.outputs = expression_map(mf.require("outputs"), context + " mistake outputs", fn.outputs);
        m.message = string_of(mf.require("message"), context + " mistake message");
        m.tolerance = tolerance;
        if (auto t = mf.take("tolerance")) m.tolerance = load_tolerance(t, context + " mistake", tolerance);
        mf.finish();
        fn.mistakes.push_back(std::move(m));
      }
    }
    fn.python = load_binding(fn, python, context);
    verify_function_shapes(spec, fn, context);
    return fn;
  }

  FunctionCheck load_check(const FunctionSpec& fn, const YAML::Node& node, const Tolerance& tolerance,
                           const std::set<std::string>& dim_names, const std::string& context) {
    Fields f(*this, node, context + " check");
    FunctionCheck c;
    c.where = at(node);
    c.tolerance = tolerance;
    c.name = string_of(f.require("name"), context + " check name");
    const std::string what = context + " check '" + c.name + "'";
    c.points = points_of(f.require("points"), what + " points");
    if (auto t = f.take("tolerance")) c.tolerance = load_tolerance(t, what, tolerance);
    const YAML::Node fixed = f.take("fixed");
    const YAML::Node random = f.take("random");
    if (bool(fixed) == bool(random)) fail(at(node), what + " needs exactly one of 'fixed' or 'random'");
    if (fixed) {
      c.fixed = expression_map(fixed, what + " fixed inputs", fn.inputs);
      for (const auto& d : fn.inputs)
        if (!c.fixed.count(d.name)) fail(at(fixed), what + " gives no fixed value for input " + d.name);
      if (auto e = f.take("expect")) c.expect_override = expression_map(e, what + " expect", fn.outputs);
    } else {
      Fields rf(*this, random, what + " random");
      const double trials = non_negative(rf.require("trials"), what + " trials");
      if (trials < 1 || trials > 100000 || trials != std::floor(trials))
        fail(at(random), what + " trials must be a whole number from 1 to 100000");
      c.trials = static_cast<int>(trials);
      const YAML::Node dims = rf.require("dims");
      if (!dims.IsMap()) fail(at(dims), what + " dims must map each size name to [low, high]");
      for (const auto& kv : dims) {
        const std::string name = kv.first.Scalar();
        if (!dim_names.count(name))
          fail(at(kv.first), what + ": no input has a size named '" + name + "'" +
                                 did_you_mean(name, {dim_names.begin(), dim_names.end()}));
        if (kv.second.IsScalar() && dim_names.count(kv.second.Scalar())) {
          c.same_as[name] = kv.second.Scalar();  // e.g. a causal mask's rows: block
          continue;
        }
        if (!kv.second.IsSequence() || kv.second.size() != 2)
          fail(at(kv.second), what + " dims: " + name + " must be [low, high] or another size's name");
        const double lo = non_negative(kv.second[0], "low"), hi = non_negative(kv.second[1], "high");
        if (lo < 1 || hi < lo || hi > kMaxDim || lo != std::floor(lo) || hi != std::floor(hi))
          fail(at(kv.second),
               what + " dims: " + name + " must be whole numbers with 1 <= low <= high <= " + std::to_string(kMaxDim));
        c.dims[name] = {static_cast<std::size_t>(lo), static_cast<std::size_t>(hi)};
      }
      for (const auto& n : dim_names)
        if (!c.dims.count(n) && !c.same_as.count(n)) fail(at(dims), what + " dims: give a range for '" + n + "'");
      for (const auto& [n, other] : c.same_as)
        if (!c.dims.count(other))
          fail(at(dims), what + " dims: '" + n + "' follows '" + other + "', which needs a range");
      std::map<std::string, std::size_t> largest;  // every tensor of a case must fit, at the largest sizes
      for (const auto& [name, range] : c.dims) largest[name] = range.second;
      for (const auto& [name, other] : c.same_as) largest[name] = c.dims.at(other).second;
      for (const auto* decls : {&fn.inputs, &fn.outputs})
        for (const auto& d : *decls) {
          try {
            element_count(d.shape(largest));
          } catch (const std::length_error& e) {
            fail(at(dims), what + ": at the largest sizes, " + d.name + "'s " + e.what() + "; lower the ranges");
          }
        }
      if (auto v = rf.take("values")) {
        if (!v.IsMap()) fail(at(v), what + " values must map inputs to distributions");
        for (const auto& kv : v) {
          const std::string name = kv.first.Scalar();
          if (std::none_of(fn.inputs.begin(), fn.inputs.end(), [&](auto& d) { return d.name == name; }))
            fail(at(kv.first), what + " values: '" + name + "' is not an input");
          c.values[name] = load_distribution(kv.second, what + " values of " + name);
        }
      }
      rf.finish();
    }
    if (auto prop = f.take("property")) {
      Fields pf(*this, prop, what + " property");
      c.property_got = parse_expression(pf.require("got"), what + " property got");
      c.property_expect = parse_expression(pf.require("expect"), what + " property expect");
      if (auto calls = pf.take("calls")) {
        if (!calls.IsMap()) fail(at(calls), what + " property calls must map names to replaced inputs");
        for (const auto& kv : calls) {
          ExtraCall call;
          call.name = kv.first.Scalar();
          if (!is_identifier(call.name)) fail(at(kv.first), "call name '" + call.name + "' must be a name");
          call.inputs = expression_map(kv.second, what + " call " + call.name, fn.inputs);
          c.calls.push_back(std::move(call));
        }
      }
      pf.finish();
    }
    f.finish();
    return c;
  }

  /// Evaluates every expression of a function exercise on the shapes its checks produce.
  void verify_function_shapes(const Spec& spec, FunctionSpec& fn, const std::string& context) {
    const auto evaluate_here = [&](const Expression& e, const expr::Scope& scope, const std::string& what) {
      try {
        return expr::evaluate(*e.ast, scope);
      } catch (const expr::ExprError& err) {
        Location where = e.where;
        where.column += static_cast<int>(err.offset());
        fail(where, what + ": " + err.what());
      }
    };
    for (auto& c : fn.checks) {
      const std::string what = context + " check '" + c.name + "'";
      std::vector<std::map<std::string, std::size_t>> samples;
      std::vector<Tensor> fixed_values;
      if (!c.random()) {
        expr::Scope data_scope;
        data_scope.add(spec.data);
        for (const auto& d : fn.inputs) fixed_values.push_back(evaluate_here(c.fixed.at(d.name), data_scope, what));
        std::map<std::string, std::size_t> dims;
        if (auto problem = bind_dims(fn.inputs, fixed_values, dims)) fail(c.where, what + ": " + *problem);
        samples.push_back(dims);
      } else {
        std::map<std::string, std::size_t> low, high;
        for (const auto& [name, range] : c.dims) {
          low[name] = range.first;
          high[name] = range.second;
        }
        for (const auto& [name, other] : c.same_as) {
          low[name] = low.at(other);
          high[name] = high.at(other);
        }
        samples = {low, high};
      }
      for (const auto& dims : samples) {
        std::map<std::string, Tensor> names;
        for (std::size_t i = 0; i < fn.inputs.size(); ++i)
          names.emplace(fn.inputs[i].name,
                        c.random() ? Tensor::filled(fn.inputs[i].shape(dims), 0.5) : fixed_values[i]);
        expr::Scope scope;  // inputs first: they may share a name with data (Q, K, V)
        scope.add(names);
        scope.add(spec.data);
        std::map<std::string, Tensor> outs;
        for (std::size_t o = 0; o < fn.outputs.size(); ++o) {
          const Tensor e = evaluate_here(fn.expect[o], scope, what + " expect of " + fn.outputs[o].name);
          const Shape declared = fn.outputs[o].shape(dims);
          if (e.shape() != declared)
            fail(fn.expect[o].where, context + " output " + fn.outputs[o].name + ": expect has shape " +
                                         format_shape(e.shape()) + " but the output is declared " +
                                         format_shape(declared) + " (in " + what + ")");
          outs.emplace(fn.outputs[o].name, e);
          if (const auto ov = c.expect_override.find(fn.outputs[o].name); ov != c.expect_override.end()) {
            expr::Scope data_scope;
            data_scope.add(spec.data);
            const Tensor v = evaluate_here(ov->second, data_scope, what + " expect");
            if (v.shape() != declared)
              fail(ov->second.where, what + " expect " + fn.outputs[o].name + " has shape " + format_shape(v.shape()) +
                                         ", not " + format_shape(declared));
          }
        }
        for (const auto& call : c.calls) {
          for (const auto& [input, e] : call.inputs) {
            const Tensor v = evaluate_here(e, scope, what + " call " + call.name);
            if (v.shape() != names.at(input).shape())
              fail(e.where, what + " call " + call.name + ": " + input + " becomes " + format_shape(v.shape()) +
                                " but must keep its shape " + format_shape(names.at(input).shape()));
          }
          for (const auto& [out, v] : std::map<std::string, Tensor>(outs)) outs.emplace(call.name + "_" + out, v);
        }
        expr::Scope full;
        full.add(names);
        full.add(outs);
        full.add(spec.data);
        if (c.property_got) {
          const Tensor got = evaluate_here(*c.property_got, full, what + " property got");
          const Tensor expect = evaluate_here(*c.property_expect, full, what + " property expect");
          if (got.shape() != expect.shape())
            fail(c.property_expect->where, what + " property: got has shape " + format_shape(got.shape()) +
                                               " but expect has shape " + format_shape(expect.shape()));
        }
        for (const auto& m : fn.mistakes)
          for (const auto& [out, e] : m.outputs) {
            // (a named capture: clang 14, which builds the fuzz targets, cannot capture `out`)
            const auto it =
                std::find_if(fn.outputs.begin(), fn.outputs.end(), [&name = out](auto& d) { return d.name == name; });
            const Tensor v = evaluate_here(e, scope, context + " mistake " + out);
            if (v.shape() != it->shape(dims))
              fail(e.where, context + " mistake " + out + " has shape " + format_shape(v.shape()) +
                                " but the output is " + format_shape(it->shape(dims)));
          }
      }
    }
  }
};

}  // namespace

Spec load_spec(const std::filesystem::path& path) { return Loader(path).load(); }

}  // namespace grader
