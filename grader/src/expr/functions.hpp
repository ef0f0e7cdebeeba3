#pragma once
/// The function table of the expression language: names, parameters and implementations.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "grader/expr/evaluate.hpp"

namespace grader::expr {

/// Arguments bound to a function's parameters by position and by keyword.
class Arguments {
 public:
  Arguments(std::string function, std::vector<const Tensor*> bound, std::vector<Tensor> rest)
      : function_(std::move(function)), bound_(std::move(bound)), rest_(std::move(rest)) {}

  /// A required tensor parameter, by position in the signature.
  const Tensor& tensor(std::size_t i) const { return *bound_.at(i); }
  /// An optional parameter; nullptr when neither given nor defaulted.
  const Tensor* optional(std::size_t i) const { return bound_.at(i); }
  /// A parameter that must be a scalar number.
  double number(std::size_t i, const char* what) const;
  /// A parameter that must be a whole number.
  long long integer(std::size_t i, const char* what) const;
  std::optional<long long> optional_integer(std::size_t i, const char* what) const;
  /// Extra positional arguments of a variadic function.
  const std::vector<Tensor>& rest() const { return rest_; }
  /// Every extra positional argument as a whole number.
  std::vector<long long> rest_integers(const char* what) const;
  const std::string& function() const { return function_; }

 private:
  std::string function_;
  std::vector<const Tensor*> bound_;
  std::vector<Tensor> rest_;
};

struct Parameter {
  std::string name;
  bool required = true;
  std::optional<double> default_number;  ///< for optional numeric parameters
  bool keyword_only = false;             ///< after the extra arguments of a variadic function
};

struct Function {
  FunctionInfo info;
  std::vector<Parameter> parameters;
  std::string rest;  ///< if not empty, extra positional arguments (named so) go to Arguments::rest()
  std::function<Tensor(const Arguments&)> call;
  /// Set for the functions that draw random numbers: they take a generator first (not among
  /// `parameters`), and are called through this instead of `call`.
  std::function<Tensor(Generator&, const Arguments&)> draw;
};

/// The function of that name, or nullptr.
const Function* find_function(const std::string& name);

/// Names of all functions.
std::vector<std::string> function_names();

}  // namespace grader::expr
