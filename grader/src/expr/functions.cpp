#include "functions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "ops.hpp"
#include "reference/attention.hpp"
#include "reference/projection.hpp"
#include "reference/self_attention.hpp"

namespace grader::expr {

namespace {

using std::invalid_argument;

std::string where(const Arguments& args) { return args.function() + "(): "; }

long long whole(const Tensor& t, const std::string& context) {
  const auto v = t.rank() == 0 ? ops::whole_value(t[0]) : std::nullopt;
  if (!v)
    throw invalid_argument(
        context + " must be a whole number, got a tensor of shape " + format_shape(t.shape()) +
        (t.rank() == 1 ? ": give the numbers one by one, without brackets (f(x, 6, 6), not f(x, [6, 6]))" : ""));
  return *v;
}

Parameter required(std::string name) { return {std::move(name), true, std::nullopt, false}; }
Parameter optional(std::string name) { return {std::move(name), false, std::nullopt, false}; }
Parameter defaulted(std::string name, double value) { return {std::move(name), false, value, false}; }
Parameter keyword(std::string name, double value) { return {std::move(name), false, value, true}; }

// ---- the reference operations ----------------------------------------------------------

/// Checks that every named argument is a matrix (rank 2).
void require_matrices(const Arguments& args, std::initializer_list<std::size_t> which,
                      const std::vector<Parameter>& params) {
  for (std::size_t i : which)
    if (args.tensor(i).rank() != 2)
      throw invalid_argument(where(args) + params[i].name + " must be a matrix (rank 2), got shape " +
                             format_shape(args.tensor(i).shape()));
}

/// Whether two tensors hold the same shape and bits.
bool identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.values().data(), b.values().data(), a.size() * sizeof(double)) == 0;
}

/// The last attention this thread computed, with its arguments: a spec's outputs are
/// `attention(...)` and `attention_weights(...)` of the same arguments, of every case, and
/// each computes both (a third of the grader's work on a class of libraries).
struct LastAttention {
  std::vector<Tensor> inputs;  ///< Q, K, V, then the mask if any
  std::optional<double> scale;
  Tensor output, weights;

  bool holds(const std::vector<const Tensor*>& args, std::optional<double> s) const {
    if (inputs.size() != args.size() || scale != s) return false;
    for (std::size_t i = 0; i < args.size(); ++i)
      if (!identical(inputs[i], *args[i])) return false;
    return true;
  }
};

Tensor attention_part(const Arguments& args, bool weights) {
  const Tensor &Q = args.tensor(0), &K = args.tensor(1), &V = args.tensor(2);
  std::optional<double> scale;
  if (args.optional(3)) scale = args.number(3, "scale");
  const Tensor* mask = args.optional(4);
  if (Q.rank() != K.rank() || K.rank() != V.rank() || (Q.rank() != 2 && Q.rank() != 3))
    throw invalid_argument(where(args) +
                           "Q, K and V must all be matrices (n, d) or all batches "
                           "(batch, n, d); got shapes " +
                           format_shape(Q.shape()) + ", " + format_shape(K.shape()) + ", " + format_shape(V.shape()));
  if (mask && mask->rank() != Q.rank())
    // What shapes it takes, said (found by an instructor helper, whose causal mask made with
    // tril(ones(n, n)) for batches was told only "Q has rank 3").
    throw invalid_argument(where(args) + "mask has shape " + format_shape(mask->shape()) + " but Q has rank " +
                           std::to_string(Q.rank()) + ": give the mask " +
                           (Q.rank() == 3 ? "as a batch too, (batch, n_q, n_k) or (batch, 1, n_k) (a causal one: "
                                            "tril(ones(size(Q, 0), size(Q, 1), size(K, 1))))"
                                          : "as a matrix (n_q, n_k)"));
  ops::checked_count({Q.rank() == 3 ? Q.dim(0) : 1, Q.dim(Q.rank() - 2), K.dim(K.rank() - 2)},
                     where(args) + "the weights");
  thread_local LastAttention last;
  std::vector<const Tensor*> inputs = {&Q, &K, &V};
  if (mask) inputs.push_back(mask);
  if (!last.holds(inputs, scale)) {
    last.inputs.clear();  // until both are computed: a call that throws leaves nothing behind
    if (Q.rank() == 2) {
      const auto r = mask ? reference::attention(Q.to_mat(), K.to_mat(), V.to_mat(), mask->to_mat(), scale)
                          : reference::attention(Q.to_mat(), K.to_mat(), V.to_mat(), scale);
      last.output = Tensor::from_mat(r.output);
      last.weights = Tensor::from_mat(r.weights);
    } else {
      const auto r = mask ? reference::attention(Q.to_cube(), K.to_cube(), V.to_cube(), mask->to_cube(), scale)
                          : reference::attention(Q.to_cube(), K.to_cube(), V.to_cube(), scale);
      last.output = Tensor::from_cube(r.output);
      last.weights = Tensor::from_cube(r.weights);
    }
    for (const Tensor* t : inputs) last.inputs.push_back(*t);
    last.scale = scale;
  }
  return weights ? last.weights : last.output;
}

const std::vector<Parameter> kAttentionParams = {required("Q"), required("K"), required("V"), optional("scale"),
                                                 optional("mask")};
const std::vector<Parameter> kSelfAttentionParams = {required("X"),       required("omega_v"), required("omega_q"),
                                                     required("omega_k"), required("beta_v"),  required("beta_q"),
                                                     required("beta_k")};

Tensor self_attention_part(const Arguments& args, bool scaled, bool weights) {
  require_matrices(args, {0, 1, 2, 3, 4, 5, 6}, kSelfAttentionParams);
  const std::size_t n = args.tensor(0).dim(1);
  ops::checked_count({n, n}, where(args) + "the attentions");
  auto m = [&](std::size_t i) { return args.tensor(i).to_mat(); };
  const auto r = scaled ? reference::scaled_dot_product_self_attention(m(0), m(1), m(2), m(3), m(4), m(5), m(6))
                        : reference::self_attention(m(0), m(1), m(2), m(3), m(4), m(5), m(6));
  return Tensor::from_mat(weights ? r.attentions : r.X_prime);
}

/// The shape of a draw: 0 to kMaxRank sizes (none: one value, a scalar), each at least 1.
Shape draw_shape(const Arguments& a) {
  Shape shape;
  for (long long d : a.rest_integers("sizes")) {
    if (d < 1) throw invalid_argument(where(a) + "sizes must be at least 1");
    shape.push_back(static_cast<std::size_t>(d));
  }
  if (shape.size() > kMaxRank) throw invalid_argument(where(a) + "give at most " + std::to_string(kMaxRank) + " sizes");
  ops::checked_count(shape, a.function() + "()");
  return shape;
}

/// float32 values, held exactly as float64.
std::vector<double> doubles(const std::vector<float>& values) { return {values.begin(), values.end()}; }

std::vector<Function> make_table() {
  std::vector<Function> t;
  auto add = [&](std::string name, std::vector<Parameter> params, std::string summary,
                 std::function<Tensor(const Arguments&)> call, std::string rest = "") {
    const auto describe = [](const Parameter& p) {
      if (p.required) return p.name;
      if (!p.default_number) return p.name + "=None";
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", *p.default_number);
      return p.name + "=" + buf;
    };
    std::vector<std::string> parts;
    for (const auto& p : params)
      if (!p.keyword_only) parts.push_back(describe(p));
    if (!rest.empty()) parts.push_back("*" + rest);
    for (const auto& p : params)
      if (p.keyword_only) parts.push_back(describe(p));
    std::string signature = name + "(";
    for (std::size_t i = 0; i < parts.size(); ++i) signature += (i ? ", " : "") + parts[i];
    signature += ")";
    t.push_back({{name, signature, std::move(summary)}, std::move(params), std::move(rest), std::move(call), nullptr});
  };

  add("attention", kAttentionParams,
      "output of softmax(scale * Q K^T) V; scale defaults to 1/sqrt(d_k); mask 1 keep, 0 drop; "
      "matrices or batches",
      [](const Arguments& a) { return attention_part(a, false); });
  add("attention_weights", kAttentionParams, "the weights softmax(scale * Q K^T) of attention()",
      [](const Arguments& a) { return attention_part(a, true); });
  add("self_attention", kSelfAttentionParams, "X_prime of the UDL column-convention self-attention (X is D x N)",
      [](const Arguments& a) { return self_attention_part(a, false, false); });
  add("self_attention_weights", kSelfAttentionParams, "the N x N attentions of self_attention() (columns sum to 1)",
      [](const Arguments& a) { return self_attention_part(a, false, true); });
  add("scaled_dot_product_self_attention", kSelfAttentionParams,
      "X_prime of self-attention with scores scaled by 1/sqrt(D_q)",
      [](const Arguments& a) { return self_attention_part(a, true, false); });
  add("scaled_dot_product_self_attention_weights", kSelfAttentionParams,
      "the attentions of scaled_dot_product_self_attention()",
      [](const Arguments& a) { return self_attention_part(a, true, true); });
  add("project", {required("x"), required("W")}, "embeddings (one per row) times W: x @ W", [](const Arguments& a) {
    require_matrices(a, {0, 1}, {required("x"), required("W")});
    ops::checked_count({a.tensor(0).dim(0), a.tensor(1).dim(1)}, "project()");
    return Tensor::from_mat(reference::project(a.tensor(0).to_mat(), a.tensor(1).to_mat()));
  });
  add("compute_keys", {required("vs"), required("ws")},
      "keys of embeddings vs (n x d) under key weight vectors ws (k x d, one per row): n x k", [](const Arguments& a) {
        require_matrices(a, {0, 1}, {required("vs"), required("ws")});
        ops::checked_count({a.tensor(0).dim(0), a.tensor(1).dim(0)}, "compute_keys()");
        return Tensor::from_mat(reference::compute_keys(a.tensor(0).to_mat(), a.tensor(1).to_mat()));
      });
  add("softmax", {required("x"), defaulted("dim", -1)}, "softmax along dim (default: the last)",
      [](const Arguments& a) { return ops::softmax(a.tensor(0), a.integer(1, "dim")); });

  // ---- shapes and selection ----
  add("transpose", {required("x"), defaulted("dim0", -2), defaulted("dim1", -1)},
      "swaps two axes (default: the last two)",
      [](const Arguments& a) { return ops::transpose(a.tensor(0), a.integer(1, "dim0"), a.integer(2, "dim1")); });
  add(
      "reshape", {required("x")}, "the same values in another shape; one size may be -1",
      [](const Arguments& a) { return ops::reshape(a.tensor(0), a.rest_integers("sizes")); }, "sizes");
  add(
      "rows", {required("x")}, "the rows with the given indices, in that order: rows(value, 0, 2)",
      [](const Arguments& a) {
        ops::IndexItem item;
        item.kind = ops::IndexItem::Kind::list;
        item.list = a.rest_integers("row indices");
        if (item.list.empty()) throw invalid_argument("rows(): give at least one row index");
        return ops::index(a.tensor(0), {item});
      },
      "indices");
  add("set_row", {required("x"), required("i"), required("row")}, "a copy of matrix x with row i replaced",
      [](const Arguments& a) { return ops::set_row(a.tensor(0), a.integer(1, "i"), a.tensor(2)); });
  add(
      "stack", {keyword("dim", 0)}, "joins equally shaped tensors along a new axis",
      [](const Arguments& a) { return ops::stack(a.rest(), a.integer(0, "dim")); }, "tensors");
  add(
      "concat", {keyword("dim", 0)}, "joins tensors along an existing axis",
      [](const Arguments& a) { return ops::concat(a.rest(), a.integer(0, "dim")); }, "tensors");
  auto filled = [](double value) {
    return [value](const Arguments& a) {
      Shape shape;
      for (long long d : a.rest_integers("sizes")) {
        if (d < 0) throw invalid_argument(where(a) + "sizes must not be negative");
        shape.push_back(static_cast<std::size_t>(d));
      }
      if (shape.empty() || shape.size() > kMaxRank)
        throw invalid_argument(where(a) + "give 1 to " + std::to_string(kMaxRank) + " sizes");
      ops::checked_count(shape, a.function() + "()");
      return Tensor::filled(shape, value);
    };
  };
  // Random draws, in the data section only: the first argument names a generator. Each
  // draws n values, in row-major order, for the shape the sizes give.
  using Draw = std::function<std::vector<double>(Generator&, const Arguments&, std::size_t n)>;
  auto add_draw = [&](const std::string& name, std::vector<Parameter> params, std::string summary, Draw draw) {
    add(name, std::move(params), std::move(summary), nullptr, "sizes");
    std::string& signature = t.back().info.signature;
    signature.insert(name.size() + 1, "generator, ");
    t.back().draw = [draw = std::move(draw)](Generator& g, const Arguments& a) {
      const Shape shape = draw_shape(a);
      return Tensor(shape, draw(g, a, element_count(shape)));
    };
  };
  const auto numpy_only = [](Generator& g, const Arguments& a) -> random::NumpyGenerator& {
    if (auto* n = std::get_if<random::NumpyGenerator>(&g)) return *n;
    throw invalid_argument(where(a) + "is NumPy's (np.random." + a.function() +
                           "); a torch generator offers randn and rand");
  };
  add_draw("randn", {}, "standard normal values: torch.randn(*sizes) (float32) or np.random.randn(*sizes)",
           [](Generator& g, const Arguments&, std::size_t n) {
             if (auto* torch = std::get_if<random::TorchGenerator>(&g)) return doubles(torch->randn(n));
             return std::get<random::NumpyGenerator>(g).normal(n);
           });
  add_draw("rand", {}, "uniform values in [0, 1): torch.rand(*sizes) (float32) or np.random.rand(*sizes)",
           [](Generator& g, const Arguments&, std::size_t n) {
             if (auto* torch = std::get_if<random::TorchGenerator>(&g)) return doubles(torch->rand(n));
             return std::get<random::NumpyGenerator>(g).random_sample(n);
           });
  add_draw("normal", {keyword("loc", 0), keyword("scale", 1)}, "NumPy: np.random.normal(loc, scale, size=sizes)",
           [numpy_only](Generator& g, const Arguments& a, std::size_t n) {
             return numpy_only(g, a).normal(n, a.number(0, "loc"), a.number(1, "scale"));
           });
  add_draw("standard_normal", {}, "NumPy: np.random.standard_normal(size=sizes)",
           [numpy_only](Generator& g, const Arguments& a, std::size_t n) { return numpy_only(g, a).normal(n); });
  add_draw("uniform", {keyword("low", 0), keyword("high", 1)}, "NumPy: np.random.uniform(low, high, size=sizes)",
           [numpy_only](Generator& g, const Arguments& a, std::size_t n) {
             return numpy_only(g, a).uniform(n, a.number(0, "low"), a.number(1, "high"));
           });
  add_draw("random_sample", {}, "NumPy: np.random.random_sample(size=sizes), uniform in [0, 1)",
           [numpy_only](Generator& g, const Arguments& a, std::size_t n) { return numpy_only(g, a).random_sample(n); });
  add("float32", {required("x")},
      "each element rounded to the nearest float32, as a NumPy or PyTorch float32 tensor holds it",
      [](const Arguments& a) { return to_float32(a.tensor(0)); });

  add("zeros", {}, "a tensor of zeros: zeros(4, 3)", filled(0.0), "sizes");
  add("ones", {}, "a tensor of ones: ones(1, 3)", filled(1.0), "sizes");
  add("size", {required("x"), required("dim")}, "the size of x along dim: size(Q, -1) is d_k", [](const Arguments& a) {
    const Tensor& x = a.tensor(0);
    return Tensor::scalar(static_cast<double>(x.dim(ops::normalize_axis(a.integer(1, "dim"), x.rank(), "size"))));
  });
  add("arange", {required("start"), optional("stop"), defaulted("step", 1)},
      "start, start + step, ... below stop, as numpy.arange and torch.arange; arange(n) is 0, 1, ..., n - 1",
      [](const Arguments& a) {
        double start = a.number(0, "start"), stop = start, step = a.number(2, "step");
        if (a.optional(1))
          stop = a.number(1, "stop");
        else
          start = 0;
        if (!std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step) || step == 0)
          throw invalid_argument(where(a) + "start, stop and step must be finite numbers, and step not 0");
        const double steps = std::ceil((stop - start) / step);
        const auto n = static_cast<std::size_t>(std::max(0.0, std::min(steps, 1e18)));
        ops::checked_count({n}, "arange()");
        std::vector<double> values(n);
        for (std::size_t i = 0; i < n; ++i) values[i] = start + static_cast<double>(i) * step;
        return Tensor({n}, std::move(values));
      });
  add("eye", {required("n")}, "the n x n identity matrix", [](const Arguments& a) {
    const long long n = a.integer(0, "n");
    if (n < 0) throw invalid_argument("eye(): n must not be negative");
    ops::checked_count({static_cast<std::size_t>(n), static_cast<std::size_t>(n)}, "eye()");
    arma::mat m(static_cast<arma::uword>(n), static_cast<arma::uword>(n), arma::fill::eye);
    return Tensor::from_mat(m);
  });
  // torch.tril / numpy.tril and their upper twins: a causal mask is tril(ones(n, n)).
  auto triangle = [&](const char* name, bool lower, std::string summary) {
    add(name, {required("x"), defaulted("diagonal", 0)}, std::move(summary), [name, lower](const Arguments& a) {
      Tensor x = a.tensor(0);
      if (x.rank() < 2)
        throw invalid_argument(std::string(name) + "(): x must be a matrix or a batch of matrices, got shape " +
                               format_shape(x.shape()));
      const long long diagonal = a.integer(1, "diagonal");
      const std::size_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
      for (std::size_t flat = 0; flat < x.size(); ++flat) {
        const auto i = static_cast<long long>(flat / cols % rows), j = static_cast<long long>(flat % cols);
        if (lower ? j - i > diagonal : j - i < diagonal) x[flat] = 0.0;
      }
      return x;
    });
  };
  triangle("tril", true,
           "x with the elements above its diagonal (j - i > diagonal, over the last two axes) set to 0, as "
           "torch.tril: tril(ones(n, n)) is a causal mask");
  triangle("triu", false,
           "x with the elements below its diagonal (j - i < diagonal, over the last two axes) set to 0, as "
           "torch.triu");

  // ---- reductions ----
  auto reduction = [&](const char* name, ops::Reduction how, std::string summary) {
    add(name, {required("x"), optional("dim"), defaulted("keepdim", 0)}, std::move(summary),
        [name, how](const Arguments& a) {
          return ops::reduce(a.tensor(0), a.optional_integer(1, "dim"), a.integer(2, "keepdim") != 0, how, name);
        });
  };
  reduction("sum", ops::Reduction::sum, "sum over dim, or over everything");
  reduction("mean", ops::Reduction::mean, "mean over dim, or over everything");
  reduction("norm", ops::Reduction::norm, "Euclidean norm over dim, or over everything");
  reduction("max", ops::Reduction::max, "maximum over dim, or over everything");
  reduction("min", ops::Reduction::min, "minimum over dim, or over everything");
  add("normalize", {required("x"), defaulted("dim", -1)}, "x divided by its norm along dim",
      [](const Arguments& a) { return ops::normalize(a.tensor(0), a.integer(1, "dim")); });

  // ---- element-wise ----
  add("round", {required("x"), defaulted("decimals", 0)},
      "rounds half to even at the given decimals, as torch.round and numpy.round",
      [](const Arguments& a) { return ops::round(a.tensor(0), a.integer(1, "decimals")); });
  add("where", {required("condition"), required("x"), required("y")},
      "x where condition is not 0, y elsewhere, the three broadcast together as numpy.where: "
      "softmax(where(mask, scores, -inf)) masks scores",
      [](const Arguments& a) { return ops::where(a.tensor(0), a.tensor(1), a.tensor(2)); });
  auto unary = [&](const char* name, double (*f)(double), std::string summary) {
    add(name, {required("x")}, std::move(summary), [f](const Arguments& a) { return ops::map(a.tensor(0), f); });
  };
  unary(
      "exp", [](double v) { return std::exp(v); }, "e to the power of each element");
  unary(
      "log", [](double v) { return std::log(v); }, "natural logarithm of each element");
  unary(
      "sqrt", [](double v) { return std::sqrt(v); }, "square root of each element");
  unary(
      "abs", [](double v) { return std::abs(v); }, "absolute value of each element");
  unary(
      "sin", [](double v) { return std::sin(v); }, "sine of each element (radians)");
  unary(
      "cos", [](double v) { return std::cos(v); }, "cosine of each element (radians)");
  unary(
      "floor", [](double v) { return std::floor(v); },
      "the largest whole number not above each element: 2 * floor(arange(d) / 2) is 0, 0, 2, 2, ...");

  std::sort(t.begin(), t.end(), [](const Function& a, const Function& b) { return a.info.name < b.info.name; });
  return t;
}

const std::vector<Function>& table() {
  static const std::vector<Function> t = make_table();
  return t;
}

}  // namespace

double Arguments::number(std::size_t i, const char* what) const {
  const Tensor& t = tensor(i);
  if (t.rank() != 0)
    throw invalid_argument(where(*this) + what + " must be a number, got a tensor of shape " + format_shape(t.shape()));
  return t[0];
}

long long Arguments::integer(std::size_t i, const char* what) const { return whole(tensor(i), where(*this) + what); }

std::optional<long long> Arguments::optional_integer(std::size_t i, const char* what) const {
  if (!optional(i)) return std::nullopt;
  return integer(i, what);
}

std::vector<long long> Arguments::rest_integers(const char* what) const {
  std::vector<long long> out;
  for (const Tensor& t : rest_) out.push_back(whole(t, where(*this) + what));
  return out;
}

const Function* find_function(const std::string& name) {
  const auto& t = table();
  const auto it = std::lower_bound(t.begin(), t.end(), name,
                                   [](const Function& f, const std::string& n) { return f.info.name < n; });
  return it != t.end() && it->info.name == name ? &*it : nullptr;
}

std::vector<std::string> function_names() {
  std::vector<std::string> names;
  for (const auto& f : table()) names.push_back(f.info.name);
  return names;
}

const std::vector<FunctionInfo>& functions() {
  static const std::vector<FunctionInfo> infos = [] {
    std::vector<FunctionInfo> out;
    for (const auto& f : table()) out.push_back(f.info);
    return out;
  }();
  return infos;
}

}  // namespace grader::expr
