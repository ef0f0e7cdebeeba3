// Matrix exercises: answers, output, expect, mistakes and tolerances (loader.hpp).
#include "loader.hpp"

#include <cmath>

namespace grader::spec_loading {

void Loader::load_exercises(Spec& spec, const YAML::Node& node) {
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

void Loader::load_exercise_fields(Spec& spec, Exercise& ex, const YAML::Node& node, Pending& pending) {
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
    ex.function = load_function(spec, fn, f.require("checks"), f.take("mistakes"), f.take("property_points_need"),
                                ex.tolerance, context);
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
      Pending::PendingMistake pm{mf.require("matches"), string_of(mf.require("message"), context + " mistake message"),
                                 ex.tolerance};
      if (auto t = mf.take("tolerance")) pm.tolerance = load_tolerance(t, context + " mistake", ex.tolerance);
      mf.finish();
      pending.mistakes.push_back(std::move(pm));
    }
  }
  f.finish();
}

Tolerance Loader::load_tolerance(const YAML::Node& node, const std::string& context, const Tolerance& base) {
  Fields f(*this, node, context + " tolerance");
  // A key given outside `float32` is for every precision (the notebook's printed digits, say):
  // it replaces the base's in both rules. A key not given keeps the base's for each precision,
  // and `float32` then replaces keys of the float32 rule only.
  Tolerance t = base;
  Tolerance::Single s = base.float32 ? *base.float32 : Tolerance::Single{base.atol, base.rtol, base.max_abs};
  if (auto a = f.take("atol")) t.atol = s.atol = non_negative(a, context + " atol");
  if (auto r = f.take("rtol")) t.rtol = s.rtol = non_negative(r, context + " rtol");
  if (auto m = f.take("max_abs")) t.max_abs = s.max_abs = non_negative(m, context + " max_abs");
  const YAML::Node single = f.take("float32");
  if (single) {
    Fields sf(*this, single, context + " tolerance float32");
    if (auto a = sf.take("atol")) s.atol = non_negative(a, context + " float32 atol");
    if (auto r = sf.take("rtol")) s.rtol = non_negative(r, context + " float32 rtol");
    if (auto m = sf.take("max_abs")) s.max_abs = non_negative(m, context + " float32 max_abs");
    sf.finish();
  }
  f.finish();
  const bool same = s.atol == t.atol && s.rtol == t.rtol && s.max_abs == t.max_abs;
  t.float32 = same ? std::nullopt : std::optional<Tolerance::Single>(s);
  t.float32_same_given = same && (single || base.float32_same_given);
  return t;
}

void Loader::load_answers(Spec& spec, Exercise& ex, const YAML::Node& node, const std::string& context) {
  if (!node.IsSequence() || node.size() == 0)
    fail(at(node), context + " answers must be a non-empty list of {name, shape}");
  for (const auto& item : node) {
    Fields f(*this, item, context + " answer");
    AnswerSpec a;
    a.where = at(item);
    a.name = string_of(f.require("name"), context + " answer name");
    if (!is_identifier(a.name))
      fail(at(item), "answer name '" + a.name + "' must be letters, digits and '_' (it names the student's file)");
    claim_name(item, a.name, "answer name");
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

Expression Loader::compile(const YAML::Node& node, const std::string& what, const Spec& spec,
                           const expr::Scope& scope) {
  Expression e = parse_expression(node, what);
  for (const auto& name : expr::names_used(*e.ast))
    if (!spec.data.count(name) && spec.answer(name)) e.answers.insert(name);
  const Tensor value = evaluate_at(node, e, scope, what);
  e.shape = value.shape();
  if (e.answers.empty()) e.value = value;
  return e;
}

void Loader::compile_exercise(const Spec& spec, Exercise& ex, const Pending& p, const expr::Scope& scope) {
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

}  // namespace grader::spec_loading
