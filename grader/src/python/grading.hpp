#pragma once
/// What grading asks of a Python hand-in: the spec's answers as Python values, and the
/// function plan's calls as calls of the notebook's functions (docs/python-hand-ins.md).

#include "../function_grading.hpp"
#include "grader/python/run.hpp"
#include "grader/spec/spec.hpp"

namespace grader::python {

/// Every answer of the spec (its expression, at the end or at its cell), every function its
/// exercises bind (one binding per function and cell), and every call of `plan`, in order.
Work work_for(const Spec& spec, const FunctionPlan& plan);

/// The spec's limits for the children that run one hand-in.
Limits limits_of(const PythonSpec& spec);

/// How a notebook's variable differs from the spec's data entry of the same name, or "" where
/// it is that data (the same shape, within the default tolerance): "has shape (3, 4), the
/// given one (4, 3)", "holds 0.51 at [2, 0], the given -0.03, and differs at 3 of 12
/// elements".
std::string data_difference(const Tensor& notebook, const Tensor& data);

}  // namespace grader::python
