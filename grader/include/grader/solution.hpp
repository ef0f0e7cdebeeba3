// Writing a solution in natural Armadillo code and exporting it under the C ABI with one line.
//
//   #include <grader/solution.hpp>
//
//   std::tuple<arma::mat, arma::mat> my_self_attention(const arma::mat& X, ...) { ... }
//   GRADER_EXPORT(self_attention, my_self_attention)
//
// The macro defines `extern "C" int self_attention(...)` with the signature of solution.h. It
// converts each input (row-major grader_tensor) to the parameter's type, calls the function,
// and writes the result (one value, or a std::tuple of several) into the outputs, checking
// shapes. An exception escaping the function becomes the return code GRADER_EXCEPTION with its
// what() as the error message. See docs/solution-abi.md.
//
// Types: rank 1 <-> arma::vec (or arma::rowvec), rank 2 <-> arma::mat (rows x cols),
// rank 3 (d0, d1, d2) <-> arma::cube with d0 slices of d1 x d2 (slice b is item b of a batch),
// rank 0 or 1 of one element <-> double. Armadillo is column-major; the conversion reorders.
// A trailing std::optional<T> parameter is empty when the grader passes fewer inputs (the
// masked-attention homework calls the same function with and without a mask).
#ifndef GRADER_SOLUTION_HPP
#define GRADER_SOLUTION_HPP

#include <armadillo>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>

#include "grader/solution.h"

namespace grader_solution {

/// An error the wrapper reports as GRADER_FAILED, e.g. a shape mismatch.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline long long count(const grader_tensor& t) {
  long long n = 1;
  for (int i = 0; i < t.rank; ++i) n *= t.shape[i];
  return n;
}

inline std::string shape_of(const grader_tensor& t) {
  std::string s = "(";
  for (int i = 0; i < t.rank; ++i) s += (i ? ", " : "") + std::to_string(t.shape[i]);
  return s + (t.rank == 1 ? ",)" : ")");
}

template <class T>
struct Convert;

template <>
struct Convert<double> {
  static double from(const grader_tensor& t) {
    if (count(t) != 1) throw Failure("expected a single number, got shape " + shape_of(t));
    return t.data[0];
  }
  static bool fits(double, const grader_tensor& t) { return count(t) == 1; }
  static void to(double v, grader_tensor& t) {
    if (!fits(v, t)) throw Failure("result is a number but the output has shape " + shape_of(t));
    t.data[0] = v;
  }
};

template <>
struct Convert<arma::mat> {
  static arma::mat from(const grader_tensor& t) {
    const arma::uword rows = t.rank == 2 ? static_cast<arma::uword>(t.shape[0]) : 1;
    const arma::uword cols = static_cast<arma::uword>(t.rank >= 1 ? t.shape[t.rank - 1] : 1);
    if (t.rank > 2) throw Failure("expected a matrix, got shape " + shape_of(t));
    // Row-major data is the column-major storage of the transpose.
    return arma::mat(t.data, cols, rows).t();
  }
  static bool fits(const arma::mat& m, const grader_tensor& t) {
    const long long rows = t.rank == 2 ? t.shape[0] : 1;
    const long long cols = t.rank >= 1 ? t.shape[t.rank - 1] : 1;
    return t.rank <= 2 && static_cast<long long>(m.n_rows) == rows && static_cast<long long>(m.n_cols) == cols;
  }
  static void to(const arma::mat& m, grader_tensor& t) {
    if (!fits(m, t))
      throw Failure("result is " + std::to_string(m.n_rows) + " x " + std::to_string(m.n_cols) +
                    " but the output has shape " + shape_of(t));
    const arma::mat mt = m.t();
    std::memcpy(t.data, mt.memptr(), sizeof(double) * mt.n_elem);
  }
};

template <>
struct Convert<arma::vec> {
  static arma::vec from(const grader_tensor& t) {
    return arma::vec(t.data, static_cast<arma::uword>(count(t)));
  }
  static bool fits(const arma::vec& v, const grader_tensor& t) { return static_cast<long long>(v.n_elem) == count(t); }
  static void to(const arma::vec& v, grader_tensor& t) {
    if (!fits(v, t))
      throw Failure("result has " + std::to_string(v.n_elem) + " elements but the output has shape " +
                    shape_of(t));
    std::memcpy(t.data, v.memptr(), sizeof(double) * v.n_elem);
  }
};

template <>
struct Convert<arma::rowvec> {
  static arma::rowvec from(const grader_tensor& t) { return Convert<arma::vec>::from(t).t(); }
  static bool fits(const arma::rowvec& v, const grader_tensor& t) { return Convert<arma::vec>::fits(v.t(), t); }
  static void to(const arma::rowvec& v, grader_tensor& t) { Convert<arma::vec>::to(v.t(), t); }
};

template <>
struct Convert<arma::cube> {
  static arma::cube from(const grader_tensor& t) {
    if (t.rank != 3) throw Failure("expected rank 3 (batch, rows, cols), got shape " + shape_of(t));
    const auto b = static_cast<arma::uword>(t.shape[0]), r = static_cast<arma::uword>(t.shape[1]),
               c = static_cast<arma::uword>(t.shape[2]);
    arma::cube out(r, c, b);
    for (arma::uword s = 0; s < b; ++s)
      out.slice(s) = arma::mat(t.data + s * r * c, c, r).t();
    return out;
  }
  static bool fits(const arma::cube& cube, const grader_tensor& t) {
    return t.rank == 3 && static_cast<long long>(cube.n_slices) == t.shape[0] &&
           static_cast<long long>(cube.n_rows) == t.shape[1] && static_cast<long long>(cube.n_cols) == t.shape[2];
  }
  static void to(const arma::cube& cube, grader_tensor& t) {
    if (!fits(cube, t))
      throw Failure("result is " + std::to_string(cube.n_slices) + " x " +
                    std::to_string(cube.n_rows) + " x " + std::to_string(cube.n_cols) +
                    " (slices x rows x cols) but the output has shape " + shape_of(t));
    for (arma::uword s = 0; s < cube.n_slices; ++s) {
      const arma::mat mt = cube.slice(s).t();
      std::memcpy(t.data + s * mt.n_elem, mt.memptr(), sizeof(double) * mt.n_elem);
    }
  }
};

/// A trailing std::optional parameter may be left out by the caller (e.g. an optional mask).
template <class T>
struct Convert<std::optional<T>> {
  static std::optional<T> from(const grader_tensor& t) { return Convert<T>::from(t); }
};

template <class T>
using Plain = std::remove_cv_t<std::remove_reference_t<T>>;

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

/// How many parameters must be given: those before the trailing optional ones.
template <class... Args>
constexpr int required_inputs() {
  constexpr bool optional[] = {IsOptional<Plain<Args>>::value..., false};
  int n = static_cast<int>(sizeof...(Args));
  while (n > 0 && optional[n - 1]) --n;
  return n;
}

/// Input i converted to the parameter type, or an empty optional when it was left out.
template <class T>
Plain<T> argument(const grader_tensor* inputs, int n_inputs, int i) {
  if constexpr (IsOptional<Plain<T>>::value) {
    if (i >= n_inputs) return std::nullopt;
  }
  return Convert<Plain<T>>::from(inputs[i]);
}

template <class R>
struct Results {
  static constexpr int size = 1;
  static void write(const R& r, grader_tensor* out) { Convert<Plain<R>>::to(r, out[0]); }
};

template <class... Ts>
struct Results<std::tuple<Ts...>> {
  static constexpr int size = sizeof...(Ts);
  static void write(const std::tuple<Ts...>& r, grader_tensor* out) {
    write_each(r, out, std::index_sequence_for<Ts...>{});
  }
  template <std::size_t... I>
  static void write_each(const std::tuple<Ts...>& r, grader_tensor* out, std::index_sequence<I...>) {
    (write_one<I>(r, out), ...);
  }
  /// Result I, or why not, with the output whose shape it has where that is another's: the
  /// results returned in another order (found by an instructor helper: `return {W, out};` was
  /// told only that the shapes differ).
  template <std::size_t I>
  static void write_one(const std::tuple<Ts...>& r, grader_tensor* out) {
    using T = Plain<std::tuple_element_t<I, std::tuple<Ts...>>>;
    try {
      Convert<T>::to(std::get<I>(r), out[I]);
    } catch (const Failure& e) {
      for (std::size_t j = 0; j < sizeof...(Ts); ++j)
        if (j != I && Convert<T>::fits(std::get<I>(r), out[j]))
          throw Failure(std::string(e.what()) + ": that is the shape of output " + std::to_string(j + 1) +
                        ", where this is output " + std::to_string(I + 1) +
                        " of what the function returns: are the outputs in another order?");
      throw;
    }
  }
};

inline void set_error(char* error, size_t size, const std::string& text) {
  if (error && size > 0) std::snprintf(error, size, "%s", text.c_str());
}

/// Calls f with converted inputs and writes its results: the body of GRADER_EXPORT.
template <class R, class... Args>
int call(R (*f)(Args...), const grader_tensor* inputs, int n_inputs, grader_tensor* outputs,
         int n_outputs, char* error, size_t error_size) {
  try {
    constexpr int total = static_cast<int>(sizeof...(Args));
    constexpr int required = required_inputs<Args...>();
    if (n_inputs < required || n_inputs > total)
      throw Failure("expected " + std::to_string(required) +
                    (required == total ? "" : " to " + std::to_string(total)) + " inputs, got " +
                    std::to_string(n_inputs));
    if (n_outputs != Results<R>::size)
      throw Failure("returns " + std::to_string(Results<R>::size) + " outputs but " +
                    std::to_string(n_outputs) + " are expected");
    int i = 0;
    // Braced initialization evaluates the conversions in order.
    std::tuple<Plain<Args>...> args{argument<Args>(inputs, n_inputs, i++)...};
    Results<R>::write(std::apply(f, args), outputs);
    return GRADER_OK;
  } catch (const Failure& e) {
    set_error(error, error_size, e.what());
    return GRADER_FAILED;
  } catch (const std::exception& e) {
    set_error(error, error_size, e.what());
    return GRADER_EXCEPTION;
  } catch (...) {
    set_error(error, error_size, "an exception that is not a std::exception");
    return GRADER_EXCEPTION;
  }
}

}  // namespace grader_solution

/// Exports the C++ function `function` under the C name `symbol`, with the solution.h
/// signature. The two names must differ (C has no overloading).
#define GRADER_EXPORT(symbol, function)                                                       \
  extern "C" int symbol(const grader_tensor* inputs, int n_inputs, grader_tensor* outputs,   \
                        int n_outputs, char* error, size_t error_size) {                      \
    return grader_solution::call(&function, inputs, n_inputs, outputs, n_outputs, error,     \
                                 error_size);                                                 \
  }

#endif  // GRADER_SOLUTION_HPP
