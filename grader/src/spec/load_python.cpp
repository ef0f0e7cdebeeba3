// The python section, answers' python keys and function exercises' python bindings (loader.hpp).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "../text.hpp"
#include "loader.hpp"

namespace grader::spec_loading {

void Loader::load_python(Spec& spec, const YAML::Node& node) {
  Fields f(*this, node, "'python'");
  PythonSpec& py = spec.python;
  py.declared = true;
  if (auto v = f.take("file")) {
    py.file = string_of(v, "python file");
    const std::string ext = std::filesystem::path(py.file).extension().string();
    if (py.file.find('/') != std::string::npos || (ext != ".py" && ext != ".ipynb") ||
        !is_folder_name(std::filesystem::path(py.file).stem().string()))
      fail(at(v), "python file '" + py.file + "' must be a plain file name ending in .py or .ipynb");
  }
  if (auto v = f.take("only")) py.only = boolean_of(v, "python only");
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
  if (auto v = f.take("given")) {
    const std::string what = "python given";
    if (!v.IsSequence() || v.size() == 0)
      fail(at(v), what +
                      " must be a list of the data entries the notebook defines itself under the same names, "
                      "such as [" +
                      (spec.data_order.empty() ? std::string("key") : spec.data_order.front()) + "]");
    for (const auto& item : v) {
      const std::string name = string_of(item, what);
      if (generators_.count(name))
        fail(at(item), what + ": '" + name + "' is a generator, not a tensor the notebook holds; name what it draws");
      if (!spec.data.count(name))
        fail(at(item),
             what + ": '" + name + "' is not an entry of the data section" + did_you_mean(name, spec.data_order));
      if (std::find(py.given.begin(), py.given.end(), name) != py.given.end())
        fail(at(item), what + ": '" + name + "' is named twice");
      py.given.push_back(name);
    }
  }
  f.finish();
  if (py.budget_seconds < py.cell_seconds || py.budget_seconds < py.call_seconds)
    fail(at(node), "python budget_seconds (" + fmt_number(py.budget_seconds) +
                       ") must be at least cell_seconds and call_seconds");
}

namespace {

/// What makes `text` certainly not a Python expression, or "": a bracket never closed or closed
/// by another kind, a string never ended, an operator with nothing after it, two values side by
/// side (`A B`). A quick check, so that `A[` is the spec's error at load and never a student's
/// "unreadable"; `grader spec check` evaluates every expression on the reference solution.
std::string python_syntax_problem(const std::string& text) {
  static const std::set<std::string> keywords = {"and", "or",     "not",   "in",    "is",   "if",  "else",
                                                 "for", "lambda", "await", "async", "yield", "from"};
  const auto word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
  };
  std::string open;  // the brackets not yet closed
  enum { nothing, value, string, other } last = nothing;
  // Two values side by side: a name, number or closed bracket, then a name, number or string
  // (strings side by side are one string in Python).
  const auto side_by_side = [&](const std::string& token, bool is_string) -> std::string {
    if (last == value || (last == string && !is_string))
      return "'" + token.substr(0, 20) + "' follows a value with nothing between them (an operator or a comma missing?)";
    return "";
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t') continue;
    std::size_t quote_at = std::string::npos;
    if (c == '\'' || c == '"') {
      quote_at = i;
    } else if (word_char(c)) {
      std::size_t j = i;
      while (j < text.size() && (word_char(text[j]) || (std::isdigit(static_cast<unsigned char>(c)) && text[j] == '.')))
        ++j;
      const std::string word = lower(text.substr(i, j - i));
      const bool prefix = word.size() <= 2 && word.find_first_not_of("rbuf") == std::string::npos;
      if (j < text.size() && (text[j] == '\'' || text[j] == '"') && prefix) {
        quote_at = j;  // r"...", f'...': a string
      } else if (keywords.count(word)) {
        last = other;
        i = j - 1;
        continue;
      } else {
        if (auto problem = side_by_side(text.substr(i, j - i), false); !problem.empty()) return problem;
        last = value;
        i = j - 1;
        continue;
      }
    }
    if (quote_at != std::string::npos) {
      const char q = text[quote_at];
      const std::string quote = text.compare(quote_at, 3, std::string(3, q)) == 0 ? std::string(3, q) : std::string(1, q);
      std::size_t j = quote_at + quote.size();
      while (j < text.size() && text.compare(j, quote.size(), quote) != 0) j += text[j] == '\\' ? 2 : 1;
      if (j >= text.size()) return "the string that starts at " + text.substr(i, 10) + " is never ended";
      if (auto problem = side_by_side(text.substr(i, j + quote.size() - i), true); !problem.empty()) return problem;
      last = string;
      i = j + quote.size() - 1;
    } else if (c == '#') {
      return "a comment ('#') leaves no expression after it";
    } else if (c == '(' || c == '[' || c == '{') {
      open += c;
      last = other;
    } else if (c == ')' || c == ']' || c == '}') {
      const char opening = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (open.empty() || open.back() != opening)
        return std::string("'") + c + "' closes " + (open.empty() ? "nothing" : "a '" + std::string(1, open.back()) + "'");
      open.pop_back();
      last = value;
    } else {
      last = other;
    }
  }
  if (!open.empty()) return std::string("'") + open.back() + "' is never closed";
  const auto last_char = text.find_last_not_of(" \t");
  if (last_char != std::string::npos && std::string("+-*/%&|^~<>=.@!").find(text[last_char]) != std::string::npos)
    return std::string("it ends with '") + text[last_char] + "', an operator with nothing after it";
  return "";
}

/// A constant argument as JSON text: a YAML number is an int or a float, true/false a bool, null
/// None, anything else (and anything quoted) a string. Empty when `node` is not a scalar or
/// null, or is a number that is not finite.
std::string constant_json(const YAML::Node& node) {
  using json = nlohmann::json;
  if (node.IsNull()) return json(nullptr).dump();
  if (!node.IsScalar()) return "";
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return json(text).dump();  // quoted: a string whatever it holds
  if (text == "true" || text == "True" || text == "TRUE") return json(true).dump();
  if (text == "false" || text == "False" || text == "FALSE") return json(false).dump();
  const char* begin = text.c_str();
  char* end = nullptr;
  const bool integer = text.find_first_not_of("+-0123456789") == std::string::npos;
  if (integer) {
    errno = 0;
    const long long i = std::strtoll(begin, &end, 10);
    if (*end == '\0' && end != begin && errno == 0) return json(i).dump();
  }
  const double d = std::strtod(begin, &end);
  if (end != begin && *end == '\0' && text.find_first_of("xXpP") == std::string::npos)
    return std::isfinite(d) ? json(d).dump() : "";
  if (text == ".inf" || text == "-.inf" || text == ".nan" || text == ".Inf" || text == ".NaN") return "";
  return json(text).dump();
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
  if (auto t = f.take("test_line")) {
    a.python_test_line = string_of(t, context + " python test_line");
    if (a.python_test_line.empty() || a.python_test_line.size() > 500 ||
        a.python_test_line.find('\n') != std::string::npos)
      fail(at(t), context +
                      " python test_line must be one line of the notebook's code that tests the answer, at "
                      "most 500 characters, such as check_query(query131, value.mean(0))");
    if (a.python_cell.empty())
      fail(at(t), context +
                      " python test_line is where the answer is found when no cell holds the text of `cell`: "
                      "give `cell` too (the text of the cell the answer is taken at, such as its instruction "
                      "comment)");
  }
  f.finish();
}

PythonBinding Loader::load_binding(const FunctionSpec& fn, const YAML::Node& node, const std::string& context) {
  PythonBinding b;
  b.function = fn.symbol;
  b.where = node ? at(node) : Location{};
  for (std::size_t i = 0; i < fn.inputs.size(); ++i) b.arguments.push_back({i, "", false, "", ""});
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
  b.read.assign(fn.outputs.size(), "");
  if (auto v = f.take("read")) {
    // What the grader reads of an output, where the notebook's has more axes than a tensor may
    // (found by an instructor helper: multi-head weights (batch, heads, n, n) could be graded
    // only through a wrapper in a test cell).
    if (!v.IsMap())
      fail(at(v), context + " python read must map outputs to Python expressions of them, such as {weights: "
                      "\"weights.flatten(0, 1)\"}");
    std::vector<std::string> names;
    for (const auto& o : fn.outputs) names.push_back(o.name);
    for (const auto& entry : v) {
      const std::string output = string_of(entry.first, context + " python read");
      const auto o = std::find(names.begin(), names.end(), output);
      if (o == names.end())
        fail(at(entry.first), context + " python read '" + output + "' is not an output" + did_you_mean(output, names));
      const std::string expression = string_of(entry.second, context + " python read " + output);
      if (expression.empty() || expression.size() > 300 || expression.find('\n') != std::string::npos)
        fail(at(entry.second), context + " python read " + output +
                                   " must be a Python expression of it on one line (at most 300 characters), such "
                                   "as \"" +
                                   output + ".flatten(0, 1)\"");
      b.read[static_cast<std::size_t>(o - names.begin())] = expression;
    }
  }
  if (auto v = f.take("arguments")) {
    if (!v.IsSequence()) fail(at(v), context + " python arguments must be a list of inputs");
    b.arguments.clear();
    std::set<std::size_t> used;
    std::set<std::string> keywords;
    // The sizes a case of every check knows: its inputs' and, for random checks, their own.
    std::set<std::string> sizes;
    for (const auto& d : fn.inputs)
      for (const auto& n : d.dims)
        if (!TensorDecl::fixed(n)) sizes.insert(n);
    std::set<std::string> some_sizes = sizes;  // those of some check
    for (const auto& c : fn.checks)
      for (const auto& [n, _] : c.own_sizes) some_sizes.insert(n);
    for (const auto& item : v) {
      PythonBinding::Argument a;
      std::string input;
      if (item.IsScalar()) {
        input = string_of(item, "an argument");
      } else {
        Fields af(*this, item, context + " python argument");
        if (auto k = af.take("keyword")) {
          a.keyword = string_of(k, context + " python argument keyword");
          if (!is_identifier(a.keyword)) fail(at(k), "keyword '" + a.keyword + "' must be a Python name");
          if (!keywords.insert(a.keyword).second) fail(at(k), "keyword '" + a.keyword + "' is given twice");
        }
        if (const YAML::Node value = af.take("value")) {
          // A constant the Python function takes and the C function does not: n_heads=2.
          if (item["input"]) fail(at(item), context + " python argument gives an input or a value, not both");
          a.constant = constant_json(value);
          if (a.constant.empty())
            fail(at(value), context + " python argument value must be a number, true, false, null or a string");
          if (value.IsScalar() && some_sizes.count(value.Scalar()))
            fail(at(value), context + " python argument value '" + value.Scalar() + "' is the text '" + value.Scalar() +
                                "'; to pass the size " + value.Scalar() +
                                " of each case, write {size: " + value.Scalar() + "}");
          af.finish();
          b.arguments.push_back(a);
          continue;
        }
        if (const YAML::Node size = af.take("size")) {
          // A size of each case, as a Python int: n_heads=heads.
          if (item["input"]) fail(at(item), context + " python argument gives an input or a size, not both");
          a.size = string_of(size, context + " python argument size");
          for (const auto& c : fn.checks) {
            if (sizes.count(a.size) || c.own_sizes.count(a.size)) continue;
            const std::string what =
                context + " python argument size '" + a.size + "' is not a size of check '" + c.name + "'";
            // Misspelt (no check has it, one of a name alike), or missing from this check: one fix.
            if (!some_sizes.count(a.size))
              if (const auto alike = did_you_mean(a.size, {some_sizes.begin(), some_sizes.end()}); !alike.empty())
                fail(at(size), what + alike);
            std::string example = "2";  // the smallest another check draws, else any
            for (const auto& other : fn.checks)
              if (const auto d = other.dims.find(a.size); d != other.dims.end())
                example = std::to_string(d->second.first);
            fail(at(size), what + (c.random() ? ": give it in the check's dims"
                                              : ": give it in the check's sizes ({" + a.size + ": " + example + "})"));
          }
          af.finish();
          b.arguments.push_back(a);
          continue;
        }
        input = string_of(af.require("input"), context + " python argument input");
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
