#include "ops.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "reference/softmax.hpp"

namespace grader::expr::ops {

namespace {

using std::invalid_argument;
using std::to_string;

/// Shape split around one axis: element (o, i, k) lives at (o * n + i) * inner + k.
struct Fibers {
  std::size_t outer = 1, n = 1, inner = 1;
  Fibers(const Shape& shape, std::size_t axis) {
    for (std::size_t a = 0; a < shape.size(); ++a) {
      if (a < axis) outer *= shape[a];
      if (a > axis) inner *= shape[a];
    }
    n = shape.empty() ? 1 : shape[axis];
  }
  std::size_t at(std::size_t o, std::size_t i, std::size_t k) const { return (o * n + i) * inner + k; }
};

/// A shape of rank 3 at most, padded on the left with 1s to rank 3.
std::array<std::size_t, 3> padded3(const Shape& shape) {
  std::array<std::size_t, 3> out{1, 1, 1};
  for (std::size_t i = 0; i < shape.size(); ++i) out[3 - shape.size() + i] = shape[i];
  return out;
}

/// Pads a shape on the left to rank 3 and gives its strides, 0 on broadcast axes.
std::array<std::size_t, 3> strides3(const Shape& shape, const std::array<std::size_t, 3>& out) {
  const auto padded = padded3(shape);
  std::array<std::size_t, 3> strides{};
  std::size_t s = 1;
  for (std::size_t a = 3; a-- > 0;) {
    strides[a] = (padded[a] == 1 && out[a] != 1) ? 0 : s;
    s *= padded[a];
  }
  return strides;
}

/// The shape a and b broadcast to, by NumPy's rule; `combined` says how, for the error.
Shape broadcast(const Shape& a, const Shape& b, const std::string& combined) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape shape(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::size_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw invalid_argument("shapes " + format_shape(a) + " and " + format_shape(b) + " cannot be " + combined +
                             " (NumPy broadcasting: sizes must match or be 1)");
    shape[i] = da == 1 ? db : da;  // a size 1 stretches to the other, 0 included
  }
  return shape;
}

using Operation = double (*)(double, double);

Operation operation(const std::string& op) {
  if (op == "+") return [](double a, double b) { return a + b; };
  if (op == "-") return [](double a, double b) { return a - b; };
  if (op == "*") return [](double a, double b) { return a * b; };
  if (op == "/") return [](double a, double b) { return a / b; };
  if (op == "**") return [](double a, double b) { return std::pow(a, b); };
  throw std::logic_error("no element-wise operator " + op);
}

}  // namespace

std::optional<long long> whole_value(double v) {
  if (!std::isfinite(v) || v != std::floor(v) || std::abs(v) > 1e15) return std::nullopt;
  return static_cast<long long>(v);
}

std::size_t checked_count(const Shape& shape, const std::string& what) {
  // Sizes of 0 count as 1: loops over the other axes of an empty tensor still run.
  std::size_t reach = 1;
  for (std::size_t d : shape)
    reach = d > 1 && reach > kMaxElements / d ? kMaxElements + 1 : reach * std::max<std::size_t>(d, 1);
  if (reach > kMaxElements) {
    const bool empty = std::find(shape.begin(), shape.end(), 0) != shape.end();
    throw invalid_argument(what + " would have shape " + format_shape(shape) + ", " +
                           (empty ? "empty but with other sizes multiplying to " : "") + "more than " +
                           to_string(kMaxElements) + " elements; is a size wrong?");
  }
  return element_count(shape);
}

Tensor elementwise(const Tensor& a, const Tensor& b, const std::string& op) {
  const Operation apply = operation(op);
  const Shape shape = broadcast(a.shape(), b.shape(), "combined with '" + op + "'");
  const auto out = padded3(shape);
  const auto sa = strides3(a.shape(), out), sb = strides3(b.shape(), out);
  std::vector<double> values;
  values.reserve(checked_count(shape, "'" + op + "'"));
  for (std::size_t i = 0; i < out[0]; ++i)
    for (std::size_t j = 0; j < out[1]; ++j)
      for (std::size_t k = 0; k < out[2]; ++k)
        values.push_back(apply(a[i * sa[0] + j * sa[1] + k * sa[2]], b[i * sb[0] + j * sb[1] + k * sb[2]]));
  return Tensor(shape, std::move(values));
}

Tensor where(const Tensor& condition, const Tensor& x, const Tensor& y) {
  const std::string how = "broadcast together";
  const Shape shape = broadcast(broadcast(condition.shape(), x.shape(), how), y.shape(), how);
  const auto out = padded3(shape);
  const auto sc = strides3(condition.shape(), out), sx = strides3(x.shape(), out), sy = strides3(y.shape(), out);
  std::vector<double> values;
  values.reserve(checked_count(shape, "where()"));
  for (std::size_t i = 0; i < out[0]; ++i)
    for (std::size_t j = 0; j < out[1]; ++j)
      for (std::size_t k = 0; k < out[2]; ++k) {
        // As NumPy's where: any value but 0 selects x, NaN included.
        const bool keep = condition[i * sc[0] + j * sc[1] + k * sc[2]] != 0.0;
        values.push_back(keep ? x[i * sx[0] + j * sx[1] + k * sx[2]] : y[i * sy[0] + j * sy[1] + k * sy[2]]);
      }
  return Tensor(shape, std::move(values));
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.rank() == 0 || b.rank() == 0) throw invalid_argument("'@' needs tensors of rank 1 to 3, not scalars; use '*'");
  const auto mismatch = [&] {
    return invalid_argument("shapes " + format_shape(a.shape()) + " and " + format_shape(b.shape()) +
                            " cannot be multiplied with '@': the last size of the left (" +
                            to_string(a.shape().back()) + ") must equal the size of the right's " +
                            (b.rank() == 1 ? "only" : "second-to-last") + " axis (" +
                            to_string(b.rank() == 1 ? b.dim(0) : b.dim(b.rank() - 2)) + ")");
  };
  // Vectors become 1 x n (left) or n x 1 (right); the added axis is dropped from the result.
  const Tensor A = a.rank() == 1 ? a.reshaped({1, a.dim(0)}) : a;
  const Tensor B = b.rank() == 1 ? b.reshaped({b.dim(0), 1}) : b;
  if (A.shape().back() != B.dim(B.rank() - 2)) throw mismatch();
  checked_count(
      {std::max(A.rank() == 3 ? A.dim(0) : 1, B.rank() == 3 ? B.dim(0) : 1), A.dim(A.rank() - 2), B.shape().back()},
      "'@'");
  Tensor result;
  if (A.rank() == 2 && B.rank() == 2) {
    result = Tensor::from_mat(A.to_mat() * B.to_mat());
  } else {
    const std::size_t batch = A.rank() == 3 ? A.dim(0) : B.dim(0);
    if (A.rank() == 3 && B.rank() == 3 && A.dim(0) != B.dim(0))
      throw invalid_argument("batched '@': batch sizes differ: " + format_shape(a.shape()) + " and " +
                             format_shape(b.shape()));
    const arma::cube ca = A.rank() == 3 ? A.to_cube() : arma::cube();
    const arma::cube cb = B.rank() == 3 ? B.to_cube() : arma::cube();
    const arma::mat ma = A.rank() == 2 ? A.to_mat() : arma::mat();
    const arma::mat mb = B.rank() == 2 ? B.to_mat() : arma::mat();
    arma::cube out(A.dim(A.rank() - 2), B.shape().back(), batch);
    for (std::size_t i = 0; i < batch; ++i)
      out.slice(i) = (A.rank() == 3 ? ca.slice(i) : ma) * (B.rank() == 3 ? cb.slice(i) : mb);
    result = Tensor::from_cube(out);
  }
  Shape shape = result.shape();
  if (b.rank() == 1) shape.pop_back();
  if (a.rank() == 1) shape.erase(shape.end() - (b.rank() == 1 ? 1 : 2));
  return result.reshaped(shape);
}

std::size_t normalize_axis(long long axis, std::size_t rank, const char* function) {
  const auto r = static_cast<long long>(rank);
  if (axis < -r || axis >= r)
    throw invalid_argument(std::string(function) + "(): dim " + to_string(axis) +
                           " is out of range for a tensor of rank " + to_string(rank));
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

Tensor index(const Tensor& x, const std::vector<IndexItem>& items) {
  if (items.size() > x.rank())
    throw invalid_argument("too many indices (" + to_string(items.size()) + ") for a tensor of shape " +
                           format_shape(x.shape()));
  std::vector<std::vector<std::size_t>> picks(x.rank());
  Shape shape;
  for (std::size_t axis = 0; axis < x.rank(); ++axis) {
    const auto n = static_cast<long long>(x.dim(axis));
    const auto position = [&](long long i) {
      if (i < -n || i >= n)
        throw invalid_argument("index " + to_string(i) + " is out of range for axis " + to_string(axis) + " of size " +
                               to_string(n) + " (shape " + format_shape(x.shape()) + ")");
      return static_cast<std::size_t>(i < 0 ? i + n : i);
    };
    if (axis >= items.size()) {
      for (long long i = 0; i < n; ++i) picks[axis].push_back(static_cast<std::size_t>(i));
      shape.push_back(x.dim(axis));
      continue;
    }
    const IndexItem& item = items[axis];
    switch (item.kind) {
      case IndexItem::Kind::integer:
        picks[axis].push_back(position(item.integer));
        break;
      case IndexItem::Kind::list:
        for (long long i : item.list) picks[axis].push_back(position(i));
        shape.push_back(item.list.size());
        break;
      case IndexItem::Kind::slice: {
        const long long step = item.step.value_or(1);
        if (step == 0) throw invalid_argument("slice step cannot be zero");
        // Python's slice.indices(n).
        const auto clamp = [&](std::optional<long long> v, long long fallback) {
          if (!v) return fallback;
          long long i = *v < 0 ? *v + n : *v;
          return step > 0 ? std::clamp(i, 0LL, n) : std::clamp(i, -1LL, n - 1);
        };
        const long long start = clamp(item.start, step > 0 ? 0 : n - 1);
        const long long stop = clamp(item.stop, step > 0 ? n : -1);
        for (long long i = start; step > 0 ? i < stop : i > stop; i += step)
          picks[axis].push_back(static_cast<std::size_t>(i));
        shape.push_back(picks[axis].size());
        break;
      }
    }
  }
  std::vector<double> values;
  values.reserve(checked_count(shape, "the index"));
  std::vector<std::size_t> strides(x.rank(), 1);
  for (std::size_t a = x.rank(); a-- > 1;) strides[a - 1] = strides[a] * x.dim(a);
  // Odometer over every combination of picked positions.
  std::vector<std::size_t> counter(x.rank(), 0);
  const bool empty = std::any_of(picks.begin(), picks.end(), [](auto& p) { return p.empty(); });
  while (!empty) {
    std::size_t flat = 0;
    for (std::size_t a = 0; a < x.rank(); ++a) flat += picks[a][counter[a]] * strides[a];
    values.push_back(x[flat]);
    std::size_t a = x.rank();
    while (a > 0 && ++counter[a - 1] == picks[a - 1].size()) counter[--a] = 0;
    if (a == 0) break;
  }
  return Tensor(std::move(shape), std::move(values));
}

Tensor reduce(const Tensor& x, std::optional<long long> axis, bool keepdim, Reduction how, const char* function) {
  const auto fold = [&](auto get, std::size_t n) {
    if (n == 0 && (how == Reduction::max || how == Reduction::min))
      throw invalid_argument(std::string(function) + "(): reduction over an empty axis");
    double acc = how == Reduction::max   ? -std::numeric_limits<double>::infinity()
                 : how == Reduction::min ? std::numeric_limits<double>::infinity()
                                         : 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = get(i);
      switch (how) {
        case Reduction::sum:
        case Reduction::mean:
          acc += v;
          break;
        case Reduction::norm:
          acc += v * v;
          break;
        case Reduction::max:
          acc = (std::isnan(v) || v > acc) ? v : acc;
          break;
        case Reduction::min:
          acc = (std::isnan(v) || v < acc) ? v : acc;
          break;
      }
    }
    if (how == Reduction::mean) acc /= static_cast<double>(n);
    if (how == Reduction::norm) acc = std::sqrt(acc);
    return acc;
  };
  if (!axis) {
    const double v = fold([&](std::size_t i) { return x[i]; }, x.size());
    return keepdim ? Tensor(Shape(x.rank(), 1), {v}) : Tensor::scalar(v);
  }
  const std::size_t a = normalize_axis(*axis, x.rank(), function);
  const Fibers f(x.shape(), a);
  Shape out = x.shape();
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(a));
  std::vector<double> values;
  values.reserve(checked_count(out, std::string(function) + "()"));
  for (std::size_t o = 0; o < f.outer; ++o)
    for (std::size_t k = 0; k < f.inner; ++k)
      values.push_back(fold([&](std::size_t i) { return x[f.at(o, i, k)]; }, f.n));
  Shape shape = x.shape();
  if (keepdim)
    shape[a] = 1;
  else
    shape.erase(shape.begin() + static_cast<std::ptrdiff_t>(a));
  return Tensor(std::move(shape), std::move(values));
}

namespace {

/// Applies f to the matrix whose rows are the fibers of x along axis, and scatters back.
template <class F>
Tensor along_axis(const Tensor& x, long long axis, const char* function, F f) {
  if (x.rank() == 0) throw invalid_argument(std::string(function) + "(): needs rank 1 to 3");
  const std::size_t a = normalize_axis(axis, x.rank(), function);
  const Fibers fib(x.shape(), a);
  arma::mat rows(fib.outer * fib.inner, fib.n);
  for (std::size_t o = 0; o < fib.outer; ++o)
    for (std::size_t k = 0; k < fib.inner; ++k)
      for (std::size_t i = 0; i < fib.n; ++i) rows(o * fib.inner + k, i) = x[fib.at(o, i, k)];
  const arma::mat result = f(rows);
  Tensor out = x;
  for (std::size_t o = 0; o < fib.outer; ++o)
    for (std::size_t k = 0; k < fib.inner; ++k)
      for (std::size_t i = 0; i < fib.n; ++i) out[fib.at(o, i, k)] = result(o * fib.inner + k, i);
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, long long axis) {
  return along_axis(x, axis, "softmax", [](const arma::mat& rows) { return reference::softmax_rows(rows); });
}

Tensor normalize(const Tensor& x, long long axis) {
  return along_axis(x, axis, "normalize", [](const arma::mat& rows) {
    arma::mat out = rows;
    out.each_col() /= arma::sqrt(arma::sum(arma::square(rows), 1));
    return out;
  });
}

Tensor round(const Tensor& x, long long decimals) {
  if (decimals < -300 || decimals > 300) throw invalid_argument("round(): decimals must be between -300 and 300");
  const double scale = std::pow(10.0, static_cast<double>(decimals));
  return map(x, [&](double v) { return decimals == 0 ? std::nearbyint(v) : std::nearbyint(v * scale) / scale; });
}

Tensor transpose(const Tensor& x, long long dim0, long long dim1) {
  if (x.rank() < 2)
    throw invalid_argument("transpose(): needs a tensor of rank 2 or 3, got shape " + format_shape(x.shape()));
  const std::size_t a = normalize_axis(dim0, x.rank(), "transpose");
  const std::size_t b = normalize_axis(dim1, x.rank(), "transpose");
  Shape shape = x.shape();
  std::swap(shape[a], shape[b]);
  Tensor out = Tensor::filled(shape, 0.0);
  for (std::size_t flat = 0; flat < x.size(); ++flat) {
    auto idx = unravel(flat, x.shape());
    std::swap(idx[a], idx[b]);
    std::size_t target = 0;
    for (std::size_t i = 0; i < idx.size(); ++i) target = target * shape[i] + idx[i];
    out[target] = x[flat];
  }
  return out;
}

Tensor concat(const std::vector<Tensor>& xs, long long axis) {
  if (xs.empty()) throw invalid_argument("concat(): needs at least one tensor");
  const Tensor& first = xs.front();
  if (first.rank() == 0) throw invalid_argument("concat(): cannot join scalars; use stack()");
  const std::size_t a = normalize_axis(axis, first.rank(), "concat");
  Shape shape = first.shape();
  shape[a] = 0;
  for (const Tensor& t : xs) {
    Shape expect = first.shape(), got = t.shape();
    if (got.size() == expect.size()) expect[a] = got[a];
    if (got != expect)
      throw invalid_argument("concat(): shapes " + format_shape(first.shape()) + " and " + format_shape(t.shape()) +
                             " differ outside dim " + to_string(a));
    shape[a] += t.dim(a);
  }
  const Fibers out_f(shape, a);
  std::vector<double> values(checked_count(shape, "concat()"));
  std::size_t offset = 0;
  for (const Tensor& t : xs) {
    const Fibers f(t.shape(), a);
    for (std::size_t o = 0; o < f.outer; ++o)
      for (std::size_t i = 0; i < f.n; ++i)
        for (std::size_t k = 0; k < f.inner; ++k) values[out_f.at(o, offset + i, k)] = t[f.at(o, i, k)];
    offset += f.n;
  }
  return Tensor(std::move(shape), std::move(values));
}

Tensor stack(const std::vector<Tensor>& xs, long long axis) {
  if (xs.empty()) throw invalid_argument("stack(): needs at least one tensor");
  if (xs.front().rank() + 1 > kMaxRank)
    throw invalid_argument("stack(): the result would have rank " + to_string(xs.front().rank() + 1) +
                           "; at most 3 is supported");
  const std::size_t a = normalize_axis(axis, xs.front().rank() + 1, "stack");
  std::vector<Tensor> expanded;
  for (const Tensor& t : xs) {
    if (t.shape() != xs.front().shape())
      throw invalid_argument("stack(): shapes " + format_shape(xs.front().shape()) + " and " + format_shape(t.shape()) +
                             " differ");
    Shape shape = t.shape();
    shape.insert(shape.begin() + static_cast<std::ptrdiff_t>(a), 1);
    expanded.push_back(t.reshaped(shape));
  }
  return concat(expanded, static_cast<long long>(a));
}

Tensor from_elements(const std::vector<Tensor>& elements) {
  if (elements.empty()) throw invalid_argument("an empty list has no shape");
  for (const Tensor& t : elements)
    if (t.shape() != elements.front().shape())
      throw invalid_argument("list elements have different shapes: " + format_shape(elements.front().shape()) +
                             " and " + format_shape(t.shape()));
  return stack(elements, 0);
}

Tensor set_row(const Tensor& x, long long i, const Tensor& row) {
  if (x.rank() != 2) throw invalid_argument("set_row(): needs a matrix, got shape " + format_shape(x.shape()));
  const std::size_t cols = x.dim(1);
  const bool fits =
      (row.rank() == 1 && row.dim(0) == cols) || (row.rank() == 2 && row.dim(0) == 1 && row.dim(1) == cols);
  if (!fits)
    throw invalid_argument("set_row(): the new row has shape " + format_shape(row.shape()) + ", expected (" +
                           to_string(cols) + ",) or (1, " + to_string(cols) + ")");
  const std::size_t r = normalize_axis(i, x.dim(0), "set_row");
  Tensor out = x;
  for (std::size_t c = 0; c < cols; ++c) out[r * cols + c] = row[c];
  return out;
}

Tensor reshape(const Tensor& x, const std::vector<long long>& dims) {
  Shape shape;
  std::optional<std::size_t> free_axis;
  std::size_t known = 1;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1 && !free_axis) {
      free_axis = i;
      shape.push_back(1);
    } else if (dims[i] < 0) {
      throw invalid_argument("reshape(): sizes must be non-negative, with at most one -1");
    } else {
      shape.push_back(static_cast<std::size_t>(dims[i]));
      known *= shape.back();
    }
  }
  if (free_axis) {
    std::string target;  // as written: (1, 2, -1)
    for (const long long d : dims) target += (target.empty() ? "(" : ", ") + to_string(d);
    target += dims.size() == 1 ? ",)" : ")";
    if (known == 0)
      throw invalid_argument("reshape(): cannot reshape " + format_shape(x.shape()) + " into " + target +
                             ": beside a size 0, -1 could be any size");
    if (x.size() % known != 0)
      throw invalid_argument("reshape(): cannot reshape " + format_shape(x.shape()) + " into " + target + ": its " +
                             to_string(x.size()) + " elements are not a multiple of " + to_string(known));
    shape[*free_axis] = x.size() / known;
  }
  if (element_count(shape) != x.size())
    throw invalid_argument("reshape(): cannot reshape " + format_shape(x.shape()) + " (" + to_string(x.size()) +
                           " elements) into " + format_shape(shape));
  return x.reshaped(shape);
}

}  // namespace grader::expr::ops
