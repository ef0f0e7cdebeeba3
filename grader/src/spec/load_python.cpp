// The python section, answers' python keys and function exercises' python bindings (loader.hpp).
#include "loader.hpp"

namespace grader::spec_loading {

void Loader::load_python(Spec& spec, const YAML::Node& node) {
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

namespace {

/// What makes `text` certainly not a Python expression, or "": a bracket never closed or closed
/// by another kind, a string never ended, an operator with nothing after it. A quick check, so
/// that `A[` is the spec's error at load and never a student's "unreadable"; `grader spec
/// check` evaluates every expression on the reference solution.
std::string python_syntax_problem(const std::string& text) {
  std::string open;  // the brackets not yet closed
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'' || c == '"') {
      const std::string quote = text.compare(i, 3, std::string(3, c)) == 0 ? std::string(3, c) : std::string(1, c);
      std::size_t j = i + quote.size();
      while (j < text.size() && text.compare(j, quote.size(), quote) != 0) j += text[j] == '\\' ? 2 : 1;
      if (j >= text.size()) return "the string that starts at " + text.substr(i, 10) + " is never ended";
      i = j + quote.size() - 1;
    } else if (c == '#') {
      return "a comment ('#') leaves no expression after it";
    } else if (c == '(' || c == '[' || c == '{') {
      open += c;
    } else if (c == ')' || c == ']' || c == '}') {
      const char opening = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (open.empty() || open.back() != opening)
        return std::string("'") + c + "' closes " + (open.empty() ? "nothing" : "a '" + std::string(1, open.back()) + "'");
      open.pop_back();
    }
  }
  if (!open.empty()) return std::string("'") + open.back() + "' is never closed";
  const auto last = text.find_last_not_of(" \t");
  if (last != std::string::npos && std::string("+-*/%&|^~<>=.@!").find(text[last]) != std::string::npos)
    return std::string("it ends with '") + text[last] + "', an operator with nothing after it";
  return "";
}

}  // namespace

std::string Loader::python_expression(const YAML::Node& node, const std::string& what) {
  const std::string text = string_of(node, what);
  if (text.empty() || text.size() > 500 || text.find('\n') != std::string::npos)
    fail(at(node), what + " must be one line of Python, at most 500 characters, such as m_key[2]");
  if (const std::string problem = python_syntax_problem(text); !problem.empty())
    fail(at(node), what + " '" + text + "' is not Python: " + problem);
  return text;
}

void Loader::load_answer_python(AnswerSpec& a, const YAML::Node& node, const std::string& context) {
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

PythonBinding Loader::load_binding(const FunctionSpec& fn, const YAML::Node& node, const std::string& context) {
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
    for (std::size_t i = 0; i < fn.inputs.size(); ++i)
      if (!used.count(i)) {
        fail(at(v), context + " python arguments must give every input of the function once: add '" +
                        fn.inputs[i].name + "' (by position, or as {input: " + fn.inputs[i].name +
                        ", keyword: ...})");
        break;
      }
  }
  f.finish();
  return b;
}

}  // namespace grader::spec_loading
