#pragma once
/// The random generators of the notebooks, reproduced bit for bit, so that a spec can say
/// `torch.manual_seed(0); torch.randn(2, 3, 4)` and get exactly the notebook's numbers
/// (docs/spec-format.md#generated-data). Values come in row-major order.
///
/// - TorchGenerator: PyTorch's CPU generator (1.13) on x86-64 with AVX2: torch.manual_seed,
///   then torch.randn and torch.rand in float32.
/// - NumpyGenerator: NumPy's legacy global generator (RandomState, 1.24): np.random.seed, then
///   normal, randn, standard_normal, rand, random_sample, uniform in float64.

#include <cstdint>
#include <optional>
#include <vector>

namespace grader::random {

/// The reference MT19937 (Matsumoto and Nishimura), seeded with init_genrand.
class Mt19937 {
 public:
  explicit Mt19937(std::uint32_t seed);
  std::uint32_t next();

 private:
  std::uint32_t state_[624];
  int index_;
};

class TorchGenerator {
 public:
  /// torch.manual_seed(seed): MT19937 seeded with the seed's low 32 bits, no cached Gaussian.
  explicit TorchGenerator(std::uint64_t seed);

  /// torch.randn(n) in float32: under 16 elements, double Gaussians (Box-Muller, one cached
  /// between calls) cast to float; from 16, float uniforms transformed 16 at a time as the
  /// AVX2 kernel does (Cephes log and sincos in float32, with its fused multiply-adds), the
  /// last 16 positions redrawn when n is not a multiple of 16.
  std::vector<float> randn(std::size_t n);

  /// torch.rand(n) in float32: 24-bit uniforms in [0, 1).
  std::vector<float> rand(std::size_t n);

 private:
  std::uint32_t next32() { return mt_.next(); }
  std::uint64_t next64();
  double uniform_double();
  float uniform_float();
  double normal_double();

  Mt19937 mt_;
  std::optional<double> cached_normal_;
};

class NumpyGenerator {
 public:
  /// np.random.seed(seed), seed below 2^32: MT19937 init_genrand, no cached Gaussian.
  explicit NumpyGenerator(std::uint32_t seed);

  /// np.random.random_sample / rand: 53-bit uniforms in [0, 1).
  std::vector<double> random_sample(std::size_t n);
  /// np.random.uniform(low, high, n): low + (high - low) * random_sample.
  std::vector<double> uniform(std::size_t n, double low, double high);
  /// np.random.normal(loc, scale, n) (and randn, standard_normal with 0, 1): loc + scale *
  /// a polar Box-Muller Gaussian, the second of each pair cached between calls.
  std::vector<double> normal(std::size_t n, double loc = 0.0, double scale = 1.0);

 private:
  double next_double();
  double gauss();

  Mt19937 mt_;
  std::optional<double> cached_gauss_;
};

}  // namespace grader::random
