#include "grader/spec/show.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>

#include "../function_grading.hpp"
#include "../text.hpp"
#include "grader/answers/read.hpp"
#include "grader/atomic_file.hpp"
#include "grader/compare.hpp"
#include "grader/error.hpp"
#include "grader/expr/evaluate.hpp"

namespace grader {

namespace {

std::string shape_text(const TensorDecl& d) {
  std::string out = "(";
  for (std::size_t i = 0; i < d.dims.size(); ++i) out += (i ? ", " : "") + d.dims[i];
  return out + ")";
}

std::string points_text(double p) { return fmt::format("{:g} point{}", p, p == 1 ? "" : "s"); }

std::string tolerance_text(const Tolerance& t) {
  return t.formula() + (t.float32 ? "; float32 results " + t.in("float32").formula() : "");
}

/// A constant argument's JSON text as Python writes it.
std::string python_literal(const std::string& json) {
  return json == "true" ? "True" : json == "false" ? "False" : json == "null" ? "None" : json;
}

/// How a notebook's function is called: `sdpa(Q, K, V, mask=mask)` on torch float32 tensors.
std::string python_call(const FunctionSpec& fn) {
  const PythonBinding& b = fn.python;
  std::vector<std::string> arguments;
  for (const auto& a : b.arguments) {
    const std::string name = a.passes_input() ? fn.inputs[a.input].name : "";
    const std::string value = !a.constant.empty() ? python_literal(a.constant)
                              : !a.size.empty()   ? a.size
                              : a.rows            ? "[rows of " + name + "]"
                                                  : name;
    arguments.push_back(a.keyword.empty() ? value : a.keyword + "=" + value);
  }
  std::string read;
  for (std::size_t o = 0; o < b.read.size() && o < fn.outputs.size(); ++o)
    if (!b.read[o].empty()) read += "; " + fn.outputs[o].name + " read as " + b.read[o];
  return fmt::format("{}({}) on {} {} {}{}{}", b.function, fmt::join(arguments, ", "), b.tensors, b.dtype,
                     b.tensors == "torch" ? "tensors" : "arrays",
                     b.cell.empty() ? ""
                                    : ", as defined at the end of the cell holding '" + b.cell +
                                          "' (at the end of the notebook where no line holds it)",
                     read);
}

/// Where a notebook's answer comes from, when it is not simply its variable at the end.
std::string python_source(const AnswerSpec& a) {
  if (a.python_expr == a.name && a.python_cell.empty()) return "";
  return "; from a notebook: " + a.python_expr +
         (a.python_cell.empty() ? "" : " at the end of the cell holding '" + a.python_cell + "'") +
         (a.python_test_line.empty() ? "" : " (else where '" + a.python_test_line + "' runs)");
}

/// Every tensor the spec computes that does not depend on a student, in order: (label, file
/// stem, tensor). Targets of hidden exercises only with reveal; `hidden` collects what was left out.
void for_each_target(
    const Spec& spec, const ShowOptions& options, std::vector<std::string>* hidden,
    const std::function<void(const Exercise&, const std::string&, const std::string&, const Tensor&)>& visit) {
  for (const auto& ex : spec.exercises) {
    if (options.exercise && *options.exercise != ex.id) continue;
    if (ex.visibility == Visibility::hidden && !options.reveal) {
      if (hidden) hidden->push_back(ex.id);
      continue;
    }
    if (!ex.function) {
      if (ex.expect.value) visit(ex, "target", ex.id, *ex.expect.value);
      continue;
    }
    const FunctionSpec& fn = *ex.function;
    for (std::size_t k = 0; k < fn.checks.size(); ++k) {
      const FunctionCheck& c = fn.checks[k];
      if (c.random() || c.property_got) continue;
      const Case fixed = check_cases(spec, fn, k, 0).front();  // a fixed check's one case
      const CaseNames names(fn, fixed.inputs, fixed.dims, spec.data);
      for (std::size_t o = 0; o < fn.outputs.size(); ++o) {
        const auto& name = fn.outputs[o].name;
        visit(ex, fmt::format("check '{}': {}", c.name, name), fmt::format("{}.check{}.{}", ex.id, k + 1, name),
              expected_output(spec, fn, c, o, names));
      }
    }
  }
}

/// A tensor as `spec show` prints it: whole up to NumPy's threshold of 1000 elements (or with
/// --full), else summarized as NumPy summarizes (found by an instructor helper: a spec's data
/// printed 100 KB).
std::string shown(const Tensor& t, bool full) {
  constexpr std::size_t kWhole = 1000, kEdge = 3;
  if (full || t.size() <= kWhole) return format_tensor(t);
  return format_tensor(t, 6, kEdge) +
         fmt::format("\n({} elements, shown in part: --full prints them all, --npy DIR writes them as .npy files)",
                     t.size());
}

}  // namespace

std::string show_spec(const Spec& spec, const ShowOptions& options) {
  if (options.exercise && std::none_of(spec.exercises.begin(), spec.exercises.end(),
                                       [&](const Exercise& e) { return e.id == *options.exercise; }))
    throw UsageError("no exercise '" + *options.exercise + "' in " + spec.path.string());
  std::string out = fmt::format("{}: {} (version {}), {}, {}\n", spec.id, spec.title, spec.version,
                                counted(spec.exercises.size(), "exercise"), points_text(spec.max_score()));
  const PythonSpec& py = spec.python;
  out += fmt::format(
      "Python hand-ins{}: {}; limits: {:g} s a cell, {:g} s a call, {:g} s in all, {} s of CPU, {} MB, {} threads\n",
      py.only ? " only (no answer files, libraries or C/C++ sources)" : "",
      py.file.empty() ? "the single .py or .ipynb handed in" : py.file + " (or the single .py/.ipynb, with a note)",
      py.cell_seconds, py.call_seconds, py.budget_seconds, py.cpu_seconds, py.memory_mb, py.threads);
  if (!py.given.empty())
    out += fmt::format("  given: the notebook makes {} itself; a hand-in whose own differ at its end is told so\n",
                       fmt::join(py.given, ", "));
  if (spec.uses_library() && !py.only) {
    const LibrarySpec& lib = spec.library;
    out += fmt::format(
        "Libraries: {}, or built from the C/C++ sources handed in (at most {:g} s to compile); limits: {:g} s a "
        "call, {:g} s in all, {} s of CPU, {} MB, {} threads\n",
        lib.file, lib.compile_seconds, lib.call_seconds, lib.budget_seconds, lib.cpu_seconds, lib.memory_mb,
        lib.threads);
  }
  if (!options.exercise) {
    out += "\ndata\n";
    for (const auto& name : spec.data_order) {
      const Tensor& t = spec.data.at(name);
      out += fmt::format("  {} {}\n", name, format_shape(t.shape()));
      out += indented(shown(t, options.full), "    ");
    }
  }
  // The targets, computed once, by exercise.
  std::map<std::string, std::vector<std::pair<std::string, Tensor>>> targets;
  std::vector<std::string> hidden;
  for_each_target(spec, options, &hidden,
                  [&](const Exercise& ex, const std::string& label, const std::string&, const Tensor& t) {
                    targets[ex.id].emplace_back(label, t);
                  });
  out += "\nexercises\n";
  for (const auto& ex : spec.exercises) {
    if (options.exercise && *options.exercise != ex.id) continue;
    const bool concealed = std::find(hidden.begin(), hidden.end(), ex.id) != hidden.end();
    out += fmt::format("\n  {} {} ({}{})\n", ex.id, ex.title, points_text(ex.points),
                       ex.visibility == Visibility::hidden ? ", hidden" : "");
    if (ex.function) {
      const FunctionSpec& fn = *ex.function;
      std::string inputs, outputs;
      for (const auto& d : fn.inputs) inputs += (inputs.empty() ? "" : ", ") + d.name + " " + shape_text(d);
      for (std::size_t o = 0; o < fn.outputs.size(); ++o)
        outputs += (outputs.empty() ? "" : ", ") + fn.outputs[o].name + " " + shape_text(fn.outputs[o]);
      if (!spec.python.only)
        out += fmt::format("    the library's {}({}) -> {}\n", fn.symbol, inputs, outputs);
      else
        out += fmt::format("    shapes: ({}) -> {}\n", inputs, outputs);
      out += "    a notebook's " + python_call(fn) + "\n";
      for (const auto& let : fn.lets) out += fmt::format("    let {} = {}\n", let.name, let.expression.text);
      for (std::size_t o = 0; o < fn.outputs.size(); ++o)
        out += fmt::format("    {} = {}\n", fn.outputs[o].name, fn.expect[o].text);
      for (const auto& c : fn.checks) {
        std::string how;
        if (c.random()) {
          std::string dims;
          for (const auto& [n, r] : c.dims)
            dims += fmt::format("{}{} {}..{}", dims.empty() ? "" : ", ", n, r.first, r.second);
          for (const auto& [n, e] : c.derived) dims += fmt::format(", {} = {}", n, e.text);
          how = fmt::format("{} random cases ({})", c.trials, dims);
          // How each input's values are drawn (normal(0, 1) unless the check says otherwise).
          std::string values;
          for (const auto& [n, d] : c.values) values += (values.empty() ? "" : ", ") + n + " " + d.text();
          const bool others = std::any_of(fn.inputs.begin(), fn.inputs.end(),
                                          [&](const TensorDecl& d) { return !c.values.count(d.name); });
          if (others) values += (values.empty() ? "" : ", others ") + Distribution{}.text();
          how += " of values " + values;
        } else {
          for (const auto& d : fn.inputs)  // in the order the function takes them
            how += (how.empty() ? "fixed inputs " : ", ") + d.name + " = " + c.fixed.at(d.name).text;
          for (const auto& [name, e] : c.derived)  // its own sizes, which no input has (heads)
            how += ", size " + name + " = " + e.text;
        }
        if (c.property_got) how += ", property " + c.property_got->text + " = " + c.property_expect->text;
        out += fmt::format("    check '{}' ({}): {}; tolerance {}\n", c.name, points_text(c.points), how,
                           tolerance_text(c.tolerance));
      }
      if (!fn.property_needs.empty())
        out += fmt::format(
            "    property points need: {} (a case of each random property check is called again with the same "
            "inputs, then with each drawn anew; outputs that stay the same, where the right ones change, earn "
            "nothing)\n",
            fmt::join(fn.property_needs, ", "));
      // Each known mistake as the outputs it gives, in the function's order, as a matrix
      // exercise's shows its expression: what the spec says, for whoever writes the next one.
      for (const auto& m : fn.mistakes) {
        std::string gives;
        for (const auto& d : fn.outputs)
          if (const auto e = m.outputs.find(d.name); e != m.outputs.end())
            gives += (gives.empty() ? "" : ", ") + d.name + " = " + e->second.text;
        for (const auto& [name, e] : m.outputs)  // of an extra call (<call>_<output>)
          if (std::none_of(fn.outputs.begin(), fn.outputs.end(), [&](const TensorDecl& d) { return d.name == name; }))
            gives += (gives.empty() ? "" : ", ") + name + " = " + e.text;
        out += "    known mistake: " + gives + ": " + m.message + "\n";
      }
    } else {
      for (const auto& a : ex.answers)
        out += fmt::format("    hands in {} {}{}{}\n", a.name, format_shape(a.shape),
                           a.any_orientation ? ", any orientation" : "", python_source(a));
      out += "    output: " + ex.output.text + "\n";
      out += "    target: " + ex.expect.text + "\n";
      if (!ex.expect.value) {
        out += fmt::format("      (computed from the student's own {})\n", fmt::join(ex.expect.answers, ", "));
      }
      out += "    tolerance: " + tolerance_text(ex.tolerance) + "\n";
      for (const auto& m : ex.mistakes) out += "    known mistake: " + m.expression.text + ": " + m.message + "\n";
    }
    if (concealed) out += "    targets: hidden (--reveal shows them)\n";
    for (const auto& [label, t] : targets[ex.id]) {
      out += fmt::format("    {} {}\n", label, format_shape(t.shape()));
      out += indented(shown(t, options.full), "      ");
    }
  }
  return out;
}

std::size_t write_spec_npy(const Spec& spec, const ShowOptions& options, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir / "targets", ec);
  if (!options.exercise) std::filesystem::create_directories(dir / "data", ec);
  if (ec) throw UsageError("cannot create " + dir.string() + ": " + ec.message());
  std::size_t written = 0;
  if (!options.exercise)
    for (const auto& name : spec.data_order) {
      write_atomically(dir / "data" / (name + ".npy"), encode_npy(spec.data.at(name)), false);
      ++written;
    }
  for_each_target(spec, options, nullptr,
                  [&](const Exercise&, const std::string&, const std::string& stem, const Tensor& t) {
                    write_atomically(dir / "targets" / (stem + ".npy"), encode_npy(t), false);
                    ++written;
                  });
  return written;
}

}  // namespace grader
