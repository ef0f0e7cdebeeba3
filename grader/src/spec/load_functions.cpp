// The library section and function exercises: inputs, outputs, checks, mistakes (loader.hpp).
#include "loader.hpp"

#include <cmath>
#include <regex>

namespace grader::spec_loading {

namespace {

/// A check's size that no input has, most likely a misspelling of one that does.
std::string no_input_size(const std::string& check, const std::string& name, const std::set<std::string>& dim_names) {
  return check + ": no input has a size named '" + name + "'" +
         did_you_mean(name, {dim_names.begin(), dim_names.end()});
}

}  // namespace

void Loader::load_library(Spec& spec, const YAML::Node& node) {
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
    fail(at(node), "budget_seconds (" + fmt_number(spec.library.budget_seconds) + ") must be at least call_seconds (" +
                       fmt_number(spec.library.call_seconds) + ")");
  if (!is_identifier(std::filesystem::path(spec.library.file).stem().string()) ||
      spec.library.file.find('/') != std::string::npos)
    fail(at(node), "library file '" + spec.library.file + "' must be a plain file name");
  for (const auto* command : {&spec.library.compile_c, &spec.library.compile_cxx})
    for (const char* placeholder : {"{sources}", "{output}"})
      if (command->find(placeholder) == std::string::npos)
        fail(at(node), std::string("compile command '") + *command + "' lacks " + placeholder);
}

TensorDecl Loader::load_decl(Fields& f, const YAML::Node& item, const std::string& what,
                             const std::vector<TensorDecl>& taken) {
  TensorDecl d;
  d.where = at(item);
  d.name = string_of(f.require("name"), what + " name");
  if (!is_identifier(d.name)) fail(at(item), what + " name '" + d.name + "' must be a name");
  claim_name(item, d.name, what + " name");
  for (const auto& o : taken)
    if (o.name == d.name) fail(at(item), "'" + d.name + "' is used twice among the inputs and outputs");
  const YAML::Node shape = f.require("shape");
  if (!shape.IsSequence() || shape.size() == 0 || shape.size() > kMaxRank)
    fail(at(shape), what + " shape must list 1 to " + std::to_string(kMaxRank) + " sizes: names like d_k, or numbers");
  for (const auto& dim : shape) {
    const std::string text = string_of(dim, "a size");
    const bool number = !text.empty() && std::all_of(text.begin(), text.end(), ::isdigit);
    if (number && (text.size() > 4 || std::stoul(text) < 1 || std::stoul(text) > kMaxDim))
      fail(at(dim), "size " + text.substr(0, 24) + " must be from 1 to " + std::to_string(kMaxDim));
    if (!number && !is_identifier(text))
      fail(at(dim), "size '" + text.substr(0, 24) + "' must be a name (at most " + std::to_string(kMaxName) +
                        " letters, digits and '_') or a number");
    if (!number) claim_name(dim, text, "size");
    d.dims.push_back(text);
  }
  return d;
}

Distribution Loader::load_distribution(const YAML::Node& node, const std::string& what) {
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

std::map<std::string, Expression> Loader::expression_map(const YAML::Node& node, const std::string& what,
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

FunctionSpec Loader::load_function(const Spec& spec, const YAML::Node& node, const YAML::Node& checks,
                                   const YAML::Node& mistakes, const YAML::Node& needs, const Tolerance& tolerance,
                                   const std::string& context) {
  FunctionSpec fn;
  Fields f(*this, node, context + " function");
  fn.symbol = string_of(f.require("symbol"), context + " symbol");
  if (!is_identifier(fn.symbol)) fail(at(node), "symbol '" + fn.symbol + "' must be a C name");
  const YAML::Node inputs = f.require("inputs");
  const YAML::Node outputs = f.require("outputs");
  const YAML::Node python = f.take("python");
  const YAML::Node lets = f.take("let");
  f.finish();
  // No inputs is a function of sizes alone (positional encodings, a causal mask of n): its
  // checks give the sizes, and a Python function takes them as ints (found by an instructor
  // helper: sinusoidal_positions(n, d) could be graded only as fixed tables).
  if (!inputs.IsSequence())
    fail(at(inputs), context + " inputs must be a list of {name, shape}: [] for a function of sizes alone");
  if (!outputs.IsSequence() || outputs.size() == 0)
    fail(at(outputs), context + " outputs must be a non-empty list of {name, shape, expect}");
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
  if (lets) {  // names for the expressions below, in order: {Q: "X @ W_q", scores: "Q @ transpose(K)"}
    if (!lets.IsMap())
      fail(at(lets), context +
                         " let must map names to expressions, each over the inputs, sizes, data and the "
                         "names before it: {Q: \"X @ W_q\"}");
    for (const auto& kv : lets) {
      const std::string name = kv.first.Scalar();
      if (!is_identifier(name))
        fail(at(kv.first), context + " let '" + name +
                               "' must be a name: letters, digits and '_', not starting "
                               "with a digit");
      claim_name(kv.first, name, context + " let");
      if (std::any_of(fn.lets.begin(), fn.lets.end(), [&name](const Let& l) { return l.name == name; }))
        fail(at(kv.first), context + " let " + name + " is given twice");
      fn.lets.push_back({name, at(kv.first), parse_expression(kv.second, context + " let " + name)});
    }
  }
  for (std::size_t i = 0; i < fn.outputs.size(); ++i)
    fn.expect.push_back(parse_expression(expect_nodes[i], context + " output " + fn.outputs[i].name + " expect"));
  std::set<std::string> dim_names;
  for (const auto& d : fn.inputs)
    for (const auto& n : d.dims)
      if (!TensorDecl::fixed(n)) dim_names.insert(n);
  if (!checks.IsSequence() || checks.size() == 0) fail(at(checks), context + " checks must be a non-empty list");
  for (const auto& item : checks) fn.checks.push_back(load_check(fn, item, tolerance, dim_names, context));
  if (mistakes) {
    if (!mistakes.IsSequence()) fail(at(mistakes), context + " mistakes must be a list");
    for (const auto& item : mistakes) {
      Fields mf(*this, item, context + " mistake");
      FunctionMistake m;
      if (item.IsMap() && item["matches"] && !item["outputs"])  // the form of an answer exercise's mistake
        fail(at(item["matches"]), context + " mistake gives what the function returns when it makes the mistake, "
                                            "as 'outputs: {" + fn.outputs.front().name +
                                            ": <expression>}'; 'matches' is for exercises graded by their answers");
      m.outputs = expression_map(mf.require("outputs"), context + " mistake outputs", fn.outputs);
      m.message = string_of(mf.require("message"), context + " mistake message");
      m.tolerance = tolerance;
      if (auto t = mf.take("tolerance")) m.tolerance = load_tolerance(t, context + " mistake", tolerance);
      if (auto v = mf.take("property_points")) m.property_points = boolean_of(v, context + " mistake property_points");
      mf.finish();
      fn.mistakes.push_back(std::move(m));
    }
  }
  if (needs) {
    const std::string what = context + " property_points_need";
    if (fn.inputs.empty()) fail(at(needs), what + ": the function has no inputs to follow; remove it");
    if (!needs.IsSequence() || needs.size() == 0)
      fail(at(needs), what + " must be a list of the function's inputs, such as [" + fn.inputs.front().name + "]");
    std::vector<std::string> names;
    for (const auto& d : fn.inputs) names.push_back(d.name);
    for (const auto& item : needs) {
      const std::string name = string_of(item, what);
      if (std::find(names.begin(), names.end(), name) == names.end())
        fail(at(item), what + ": '" + name + "' is not an input of " + fn.symbol + did_you_mean(name, names));
      if (std::find(fn.property_needs.begin(), fn.property_needs.end(), name) != fn.property_needs.end())
        fail(at(item), what + ": '" + name + "' is named twice");
      fn.property_needs.push_back(name);
    }
    // Only a random property check worth points calls the function with an input drawn anew.
    if (std::none_of(fn.checks.begin(), fn.checks.end(), [](const FunctionCheck& c) { return c.needs_followed(); }))
      fail(at(needs), what +
                          ": no random property check of this exercise is worth points, and only those need "
                          "the outputs to follow an input; give it one, or remove property_points_need");
  }
  fn.python = load_binding(fn, python, context);
  // A size no input has is for something to read: else it is most likely misspelt.
  const auto add_names = [](std::set<std::string>& to, const Expression& e) {
    const auto used = expr::names_used(*e.ast);
    to.insert(used.begin(), used.end());
  };
  // A let only known mistakes read (through other lets too) may fail to compute where they do.
  std::set<std::string> referenced;
  for (const auto& e : fn.expect) add_names(referenced, e);
  for (const auto& c : fn.checks) {
    if (c.property_got) add_names(referenced, *c.property_got);
    if (c.property_expect) add_names(referenced, *c.property_expect);
    for (const auto& call : c.calls)
      for (const auto& [_, e] : call.inputs) add_names(referenced, e);
  }
  for (auto let = fn.lets.rbegin(); let != fn.lets.rend(); ++let) {
    let->for_mistakes_only = !referenced.count(let->name);
    if (!let->for_mistakes_only) add_names(referenced, let->expression);
  }
  std::set<std::string> read;
  for (const auto& e : fn.expect) add_names(read, e);
  for (const auto& m : fn.mistakes)
    for (const auto& [_, e] : m.outputs) add_names(read, e);
  for (const auto& a : fn.python.arguments) read.insert(a.size);
  for (const auto& d : fn.outputs) read.insert(d.dims.begin(), d.dims.end());
  std::set<std::string> anywhere = read;  // what reads a let, but the lets
  for (const auto& let : fn.lets) add_names(read, let.expression);
  for (const auto& c : fn.checks) {
    std::set<std::string> here = read;
    for (const auto& [_, e] : c.derived) add_names(here, e);
    if (c.property_got) add_names(here, *c.property_got);
    if (c.property_expect) add_names(here, *c.property_expect);
    for (const auto& call : c.calls)
      for (const auto& [_, e] : call.inputs) add_names(here, e);
    anywhere.insert(here.begin(), here.end());
    for (const auto& [name, where] : c.own_sizes)
      if (!here.count(name))
        fail(where, no_input_size(context + " check '" + c.name + "'", name, dim_names) +
                        ", and nothing reads it (a size of its own is for a derived size, an expression or a Python "
                        "argument {size: " +
                        name + "})");
  }
  for (auto let = fn.lets.rbegin(); let != fn.lets.rend(); ++let) {
    let->unread = !anywhere.count(let->name);
    if (!let->unread) add_names(anywhere, let->expression);
  }
  verify_function_shapes(spec, fn, context);
  return fn;
}

FunctionCheck Loader::load_check(const FunctionSpec& fn, const YAML::Node& node, const Tolerance& tolerance,
                                 const std::set<std::string>& dim_names, const std::string& context) {
  Fields f(*this, node, context + " check");
  FunctionCheck c;
  c.where = at(node);
  c.tolerance = tolerance;
  c.name = string_of(f.require("name"), context + " check name");
  const std::string what = context + " check '" + c.name + "'";
  // An output's size is an input's, or one every check gives (heads, for weights per head).
  const auto gives_output_sizes = [&] {
    for (const auto& d : fn.outputs)
      for (const auto& n : d.dims)
        if (!TensorDecl::fixed(n) && !dim_names.count(n) && !c.dims.count(n) && !c.derived.count(n)) {
          const std::string uses = context + " output " + d.name + " uses size '" + n + "', which no input has";
          if (const auto alike = did_you_mean(n, {dim_names.begin(), dim_names.end()}); !alike.empty())
            fail(d.where, uses + alike);  // misspelt, most likely
          fail(d.where, uses + " and check '" + c.name + "' does not give" +
                            (c.random() ? " (in its dims: {" + n + ": [1, 4]})" : " (in its sizes: {" + n + ": 2})"));
        }
  };
  c.points = points_of(f.require("points"), what + " points");
  if (auto t = f.take("tolerance")) c.tolerance = load_tolerance(t, what, tolerance);
  YAML::Node fixed = f.take("fixed");
  const YAML::Node random = f.take("random");
  if (!fixed && !random && fn.inputs.empty()) fixed = YAML::Node(YAML::NodeType::Map);  // a case of sizes alone
  if (bool(fixed) == bool(random)) fail(at(node), what + " needs exactly one of 'fixed' or 'random'");
  if (fixed) {
    c.fixed = expression_map(fixed, what + " fixed inputs", fn.inputs);
    for (const auto& d : fn.inputs)
      if (!c.fixed.count(d.name)) fail(at(fixed), what + " gives no fixed value for input " + d.name);
    if (auto e = f.take("expect")) c.expect_override = expression_map(e, what + " expect", fn.outputs);
    if (auto sizes = f.take("sizes")) {  // sizes no input has, for expressions and Python: {heads: 2}
      if (!sizes.IsMap()) fail(at(sizes), what + " sizes must map size names to numbers: {heads: 2}");
      for (const auto& kv : sizes) {
        const std::string name = kv.first.Scalar();
        if (dim_names.count(name))
          fail(at(kv.first), what + " sizes: '" + name + "' is a size of the inputs, which their shapes give");
        Expression e = parse_expression(kv.second, what + " sizes: " + name);
        if (e.ast->kind != expr::Node::Kind::number || e.ast->number < 1 || e.ast->number > kMaxDim ||
            e.ast->number != std::floor(e.ast->number))
          fail(at(kv.second),
               what + " sizes: " + name + " must be a whole number from 1 to " + std::to_string(kMaxDim));
        c.own_sizes.emplace(name, at(kv.first));
        c.derived.emplace(name, std::move(e));
      }
    }
    gives_output_sizes();
  } else {
    Fields rf(*this, random, what + " random");
    const double trials = non_negative(rf.require("trials"), what + " trials");
    if (trials < 1 || trials > 100000 || trials != std::floor(trials))
      fail(at(random), what + " trials must be a whole number from 1 to 100000");
    c.trials = static_cast<int>(trials);
    if (auto sizes = f.take("sizes"))
      fail(at(sizes), what + ": a random check gives every size in its dims (heads: [1, 4], or heads: 2)");
    const YAML::Node dims = rf.require("dims");
    if (!dims.IsMap()) fail(at(dims), what + " dims must map each size name to [low, high]");
    std::map<std::string, YAML::Node> derived;  // name -> what it equals, checked once every range is known
    for (const auto& kv : dims) {
      const std::string name = kv.first.Scalar();
      if (!dim_names.count(name)) c.own_sizes.emplace(name, at(kv.first));  // read by something, checked later
      if (kv.second.IsScalar()) {  // another size (a causal mask's rows: block), a number, or heads * d_head
        derived.emplace(name, kv.second);
        continue;
      }
      if (!kv.second.IsSequence() || kv.second.size() != 2)
        fail(at(kv.second),
             what + " dims: " + name + " must be [low, high], or what it equals (another size, 2 * half)");
      const double lo = non_negative(kv.second[0], "low"), hi = non_negative(kv.second[1], "high");
      if (lo < 1 || hi < lo || hi > kMaxDim || lo != std::floor(lo) || hi != std::floor(hi))
        fail(at(kv.second),
             what + " dims: " + name + " must be whole numbers with 1 <= low <= high <= " + std::to_string(kMaxDim));
      c.dims[name] = {static_cast<std::size_t>(lo), static_cast<std::size_t>(hi)};
    }
    for (const auto& n : dim_names)
      if (!c.dims.count(n) && !derived.count(n)) {
        for (const auto& [own, where] : c.own_sizes)  // most likely a misspelling of n
          if (!derived.count(own) && !did_you_mean(own, {n}).empty()) fail(where, no_input_size(what, own, dim_names));
        fail(at(dims), what + " dims: give a range for '" + n + "'");
      }
    std::map<std::string, std::size_t> largest, any;  // every tensor of a case must fit, at the largest sizes
    for (const auto& [name, range] : c.dims) largest[name] = range.second;
    for (const auto& [name, equals] : derived) {
      Expression e = parse_expression(equals, what + " dims: " + name);
      any.emplace(name, 1);
      c.derived.emplace(name, std::move(e));
    }
    for (const auto& [name, range] : c.dims) any.emplace(name, 1);
    for (const auto& [name, e] : c.derived) {
      try {  // its syntax and names, whatever their values
        FunctionCheck::derived_size(*e.ast, any);
      } catch (const expr::ExprError& err) {
        fail(expression_at(derived.at(name), err.offset()),
             what + " dims: " + name + " = " + e.text + ": " + err.what());
      }
    }
    try {  // + and * of whole numbers: the largest values are at the highs
      largest = c.with_derived(largest);
    } catch (const expr::ExprError& err) {
      fail(at(dims), what + " dims: " + err.what());
    }
    for (const auto& [name, e] : c.derived)
      if (largest.at(name) > kMaxDim)
        fail(at(derived.at(name)), what + " dims: " + name + " = " + e.text + " reaches " +
                                       std::to_string(largest.at(name)) + " at the largest sizes, above " +
                                       std::to_string(kMaxDim) + "; lower the ranges");
    gives_output_sizes();
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

}  // namespace grader::spec_loading
