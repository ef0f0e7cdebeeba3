// Every expression of a function exercise, evaluated on the shapes its checks produce (loader.hpp).
#include "loader.hpp"

namespace grader::spec_loading {

namespace {

/// Binds the named dimensions of `decls` to the shapes of `values`; numbers must match.
std::optional<std::string> bind_dims(const std::vector<TensorDecl>& decls, const std::vector<Tensor>& values,
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

/// Sizes of a random check that differ from one another and from 1 wherever their ranges allow:
/// the smallest such (`up`) or the largest. An expression that computes only where two sizes are
/// equal, or where one is 1 and broadcasts, fails on one of them as it would on some random case,
/// where the bounds alone (all small, all large) can agree.
std::map<std::string, std::size_t> spread(const FunctionCheck& c, bool up) {
  std::map<std::string, std::size_t> sizes;
  std::set<std::size_t> used;
  for (const auto& [name, range] : c.dims) {
    const auto [low, high] = range;
    std::size_t pick = up ? low : high;
    if (high >= 2)
      for (std::size_t k = 0; k <= used.size(); ++k) {  // one of the first used + 1 candidates is free
        const std::size_t v = up ? std::max<std::size_t>(low, 2) + k : high - k;
        if (v < std::max<std::size_t>(low, 2) || v > high) break;
        if (!used.count(v)) {
          pick = v;
          break;
        }
      }
    sizes[name] = pick;
    used.insert(pick);
  }
  return c.with_derived(sizes);
}

}  // namespace

void Loader::verify_function_shapes(const Spec& spec, FunctionSpec& fn, const std::string& context) {
  // Expressions see a case's sizes as numbers, after its inputs and before the data: one name
  // for two things would make an expression mean something else than it says.
  std::map<std::string, Location> sizes;
  for (const auto& d : fn.inputs)
    for (const auto& n : d.dims)
      if (!TensorDecl::fixed(n)) sizes.emplace(n, d.where);
  for (const auto& c : fn.checks) sizes.insert(c.own_sizes.begin(), c.own_sizes.end());
  for (const auto& [name, where] : sizes) {
    const bool input =
        std::any_of(fn.inputs.begin(), fn.inputs.end(), [&size = name](auto& d) { return d.name == size; });
    if (input || spec.data.count(name))
      fail(where, context + ": the size '" + name + "' has the name of " + (input ? "an input" : "data") +
                      "; rename one (expressions see sizes as numbers)");
  }
  // A let's name is one thing only, as a size's is.
  for (const auto& let : fn.lets) {
    const auto is = [&let](const std::vector<TensorDecl>& decls) {
      return std::any_of(decls.begin(), decls.end(), [&let](const TensorDecl& d) { return d.name == let.name; });
    };
    const char* other = is(fn.inputs)               ? "an input"
                        : is(fn.outputs)            ? "an output"
                        : sizes.count(let.name)     ? "a size"
                        : spec.data.count(let.name) ? "data"
                                                    : nullptr;
    if (other) fail(let.where, context + " let " + let.name + ": the name is " + other + "'s; rename one");
    for (const auto& c : fn.checks)  // a property sees an extra call's outputs as <call>_<output>
      for (const auto& call : c.calls)
        for (const auto& out : fn.outputs)
          if (call.name + "_" + out.name == let.name)
            fail(let.where, context + " let " + let.name + ": check '" + c.name + "' gives this name to the output " +
                                out.name + " of its call " + call.name + "; rename one");
  }
  const auto at = [](const Expression& e, const expr::ExprError& err) {  // the offending character
    Location where = e.where;
    where.column += static_cast<int>(err.offset());
    return where;
  };
  const auto evaluate_here = [&](const Expression& e, const expr::Scope& scope, const std::string& what) {
    try {
      return expr::evaluate(*e.ast, scope);
    } catch (const expr::ExprError& err) {
      fail_expression(at(e, err), what, err);
    }
  };
  struct Nameable {  // a known mistake's output: whether it can be named at some sizes checked
    bool somewhere = false;
    std::optional<Location> where;  // else its first problem
    std::string problem;
  };
  std::map<std::pair<std::size_t, std::string>, Nameable> mistakes;  // (mistake, output) ->
  for (auto& c : fn.checks) {
    const std::string named = context + " check '" + c.name + "'";  // and, for a random one, its sizes
    std::vector<std::map<std::string, std::size_t>> samples;
    std::vector<Tensor> fixed_values;
    if (!c.random()) {
      expr::Scope data_scope;
      data_scope.add(spec.data);
      for (const auto& d : fn.inputs) fixed_values.push_back(evaluate_here(c.fixed.at(d.name), data_scope, named));
      std::map<std::string, std::size_t> dims;
      if (auto problem = bind_dims(fn.inputs, fixed_values, dims)) fail(c.where, named + ": " + *problem);
      samples.push_back(c.with_derived(dims));
    } else {
      std::map<std::string, std::size_t> low, high;
      for (const auto& [name, range] : c.dims) {
        low[name] = range.first;
        high[name] = range.second;
      }
      samples = {c.with_derived(low), c.with_derived(high)};
      for (const bool up : {true, false})
        if (auto s = spread(c, up); std::find(samples.begin(), samples.end(), s) == samples.end())
          samples.push_back(std::move(s));
    }
    for (const auto& dims : samples) {
      // A fixed check's own sizes (heads) are named too: the inputs' shapes say the others.
      const std::string what =
          named + (c.random() || !c.derived.empty() ? " at sizes " + c.describe(dims) : std::string());
      std::map<std::string, Tensor> names;
      for (std::size_t i = 0; i < fn.inputs.size(); ++i)
        names.emplace(fn.inputs[i].name, c.random() ? Tensor::filled(fn.inputs[i].shape(dims), 0.5) : fixed_values[i]);
      const auto let_failed = [&](const Let& let, const expr::ExprError& err) {
        fail_expression(at(let.expression, err), what + " let " + let.name, err);
      };
      const CaseNames case_names(fn, names, dims, spec.data, {}, nullptr, let_failed);
      const expr::Scope& scope = case_names.scope();
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
      const CaseNames with_outputs(fn, names, dims, spec.data, {}, &outs, let_failed);
      const expr::Scope& full = with_outputs.scope();
      if (c.property_got) {
        const Tensor got = evaluate_here(*c.property_got, full, what + " property got");
        const Tensor expect = evaluate_here(*c.property_expect, full, what + " property expect");
        // One number stands for every element (function_grading.cpp's property_sides()).
        if (got.shape() != expect.shape() && expect.values().size() != 1)
          fail(c.property_expect->where, what + " property: got has shape " + format_shape(got.shape()) +
                                             " but expect has shape " + format_shape(expect.shape()) +
                                             " (the same shape, or a single number that every element must equal)");
      }
      for (std::size_t i = 0; i < fn.mistakes.size(); ++i)
        for (const auto& [out, e] : fn.mistakes[i].outputs) {
          // (a named capture: clang 14, which builds the fuzz targets, cannot capture `out`)
          const auto it =
              std::find_if(fn.outputs.begin(), fn.outputs.end(), [&name = out](auto& d) { return d.name == name; });
          Nameable& m = mistakes[{i, out}];
          if (m.somewhere) continue;
          try {
            const Tensor v = expr::evaluate(*e.ast, scope);
            if (v.shape() == it->shape(dims)) {
              m.somewhere = true;
            } else if (!m.where) {
              m.where = e.where;
              m.problem = "has shape " + format_shape(v.shape()) + " but the output is " +
                          format_shape(it->shape(dims)) + " (in " + what + ")";
            }
          } catch (const expr::ExprError& err) {
            if (reads_failed_data(err)) throw Abandon{};  // said where it failed
            if (!m.where) {
              m.where = at(e, err);
              m.problem = "cannot be computed (in " + what + "): " + err.what();
            }
          }
        }
    }
  }
  // A mistake may be computable, or have the output's shape, at some sizes only (transposed
  // keys, in square cases): it is named where it is, and where it has another shape, beside
  // outputs of that shape. Never the output's shape is a mistake of the spec (mistyped, as a
  // rule).
  for (const auto& [key, m] : mistakes)
    if (!m.somewhere)
      fail(*m.where,
           context + " mistake " + key.second + " " + m.problem +
               "; at no size checked does it give the output's shape, which a known mistake must at some size "
               "(where it has another, it is named only beside outputs of that shape): add a check at sizes where "
               "the shapes agree (a random check whose dims make one size another's, m: n; a check of 0 points "
               "names it all the same), or remove the mistake (an output of another shape is told its shape, "
               "and asked 'is it transposed?' where it is)");
}

}  // namespace grader::spec_loading
