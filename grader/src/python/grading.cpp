#include "grading.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "grader/compare.hpp"

namespace grader::python {

Work work_for(const Spec& spec, const FunctionPlan& plan) {
  Work work;
  for (const auto& ex : spec.exercises) {
    // Said in parentheses: without its full stop (found by a student helper: "dim=0).)"); of a
    // hidden exercise, nothing (found by an instructor helper: its description was shown).
    const std::string_view asked =
        ex.visibility == Visibility::hidden
            ? std::string_view()
            : std::string_view(ex.description.data(), ex.description.size() - (ex.description.ends_with('.') ? 1 : 0));
    for (const auto& a : ex.answers)
      work.values.push_back({a.name, a.python_expr.empty() ? a.name : a.python_expr, a.python_cell,
                             asked.empty() ? "" : "exercise " + ex.id + ": " + std::string(asked), a.python_test_line});
  }
  for (const auto& name : spec.python.given) work.values.push_back({name, name, ""});  // after the answers
  const auto binding_of = [&](const Exercise& ex) {
    const FunctionSpec& fn = *ex.function;
    const PythonBinding& b = fn.python;
    std::vector<std::string> outputs;
    for (const auto& o : fn.outputs) outputs.push_back(o.name);
    for (std::size_t i = 0; i < work.bindings.size(); ++i) {
      Binding& known = work.bindings[i];
      if (known.function == b.function && known.cell == b.cell && known.read == b.read && known.outputs == outputs) {
        if (std::find(known.exercises.begin(), known.exercises.end(), ex.id) == known.exercises.end())
          known.exercises.push_back(ex.id);
        return i;
      }
    }
    std::vector<std::string> positional;
    for (const auto& a : b.arguments)
      if (a.keyword.empty()) positional.push_back(a.passes_input() ? fn.inputs[a.input].name : "");
    work.bindings.push_back({b.function, b.cell, std::move(positional), b.read, std::move(outputs), {ex.id}});
    return work.bindings.size() - 1;
  };
  for (std::size_t c = 0; c < plan.calls.size(); ++c) {
    const FunctionSpec& fn = *plan.exercises[c]->function;
    const PythonBinding& b = fn.python;
    FunctionCall call;
    call.binding = binding_of(*plan.exercises[c]);
    call.inputs = plan.calls[c].inputs;
    for (const auto& a : b.arguments)  // a size is the constant of its case
      call.arguments.push_back(
          {a.input, a.keyword, a.rows, a.size.empty() ? a.constant : std::to_string(plan.sizes[c].at(a.size))});
    call.tensors = b.tensors;
    call.dtype = b.dtype;
    for (const auto& o : fn.outputs) call.outputs.push_back(o.name);
    call.output_shapes = plan.calls[c].outputs;
    call.group = plan.calls[c].group;
    call.seed = plan.seeds[c];
    call.masked = plan.exercises[c]->masked();
    work.calls.push_back(std::move(call));
  }
  return work;
}

Limits limits_of(const PythonSpec& spec) {
  Limits limits;
  limits.unit_seconds = spec.cell_seconds;
  limits.call_seconds = spec.call_seconds;
  limits.budget_seconds = spec.budget_seconds;
  limits.cpu_seconds = spec.cpu_seconds;
  limits.memory_bytes = static_cast<unsigned long long>(spec.memory_mb) << 20;
  limits.threads = spec.threads;
  return limits;
}

std::string data_difference(const Tensor& notebook, const Tensor& data) {
  if (notebook.shape() != data.shape())
    return "has shape " + format_shape(notebook.shape()) + ", the given one " + format_shape(data.shape());
  const Comparison c = compare(notebook, data, Tolerance{});
  if (c.passed() || !c.worst) return "";
  const ElementDiff& w = c.worst.value();
  return fmt::format("holds {:.6g} at {}, the given {:.6g}, and differs at {} of {} elements", w.got,
                     format_index(w.index, data.shape()), w.expected, c.mismatched, c.total);
}

}  // namespace grader::python
