// PyTorch's and NumPy's generators, step by step (the algorithms: ../shared/RNG.md, and the
// sources they describe: PyTorch 1.13 aten/src/ATen/core/{MT19937RNGEngine.h,
// DistributionsHelper.h, TransformationHelper.h}, aten/src/ATen/native/cpu/
// DistributionTemplates.h with avx_mathfun.h; NumPy 1.24 random/src/legacy/legacy-distributions.c
// and random/src/mt19937). Every floating-point step is written out, in the precision and with
// the fused multiply-adds of the code it reproduces; this file is compiled without contraction
// (-ffp-contract=off), so that no other step is fused.
#include "grader/random.hpp"

#include <cmath>
#include <cstring>

namespace grader::random {

// ---- MT19937 ----------------------------------------------------------------------------

Mt19937::Mt19937(std::uint32_t seed) : index_(624) {
  state_[0] = seed;
  for (int i = 1; i < 624; ++i)
    state_[i] = 1812433253u * (state_[i - 1] ^ (state_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
}

std::uint32_t Mt19937::next() {
  if (index_ >= 624) {
    for (int i = 0; i < 624; ++i) {
      const std::uint32_t y = (state_[i] & 0x80000000u) | (state_[(i + 1) % 624] & 0x7fffffffu);
      state_[i] = state_[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    index_ = 0;
  }
  std::uint32_t y = state_[index_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

// ---- PyTorch ----------------------------------------------------------------------------

namespace {

std::uint32_t bits_of(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

float float_of(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/// log256_ps of avx_mathfun.h for one lane (its argument here is in (0, 1]).
float cephes_log(float x) {
  constexpr float kSqrtHalf = 0.707106781186547524f;
  constexpr float p[] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,  -1.2420140846E-1f, +1.4249322787E-1f,
                         -1.6668057665E-1f, +2.0000714765E-1f, -2.4999993993E-1f, +3.3333331174E-1f};
  constexpr float q1 = -2.12194440e-4f, q2 = 0.693359375f;
  const bool invalid = !(x > 0.0f);
  x = std::fmax(x, float_of(0x00800000u));  // no denormals
  std::uint32_t bits = bits_of(x);
  const auto exponent = static_cast<std::int32_t>(bits >> 23) - 0x7f;
  bits = (bits & ~0x7f800000u) | bits_of(0.5f);  // the mantissa, in [0.5, 1)
  x = float_of(bits);
  float e = static_cast<float>(exponent) + 1.0f;
  if (x < kSqrtHalf) {
    e = e - 1.0f;
    x = (x - 1.0f) + x;
  } else {
    x = x - 1.0f;
  }
  const float z = x * x;
  float y = p[0];
  for (int i = 1; i < 9; ++i) y = std::fma(y, x, p[i]);  // each Horner step one FMA
  y = y * x;
  y = std::fma(y, z, e * q1);  // ((y*x)*z) + e*q1: e*q1 rounded first
  y = y - z * 0.5f;
  x = x + y;
  x = std::fma(e, q2, x);  // (x + y) + e*q2
  return invalid ? float_of(0xffffffffu) : x;
}

/// sincos256_ps of avx_mathfun.h for one lane.
void cephes_sincos(float x, float& s, float& c) {
  constexpr float kFourOverPi = 1.27323954473516f;
  constexpr float dp1 = -0.78515625f, dp2 = -2.4187564849853515625e-4f, dp3 = -3.77489497744594108e-8f;
  constexpr float sincof[] = {-1.9515295891E-4f, 8.3321608736E-3f, -1.6666654611E-1f};
  constexpr float coscof[] = {2.443315711809948E-005f, -1.388731625493765E-003f, 4.166664568298827E-002f};
  std::uint32_t sign_sin = bits_of(x) & 0x80000000u;
  x = std::fabs(x);
  float y = x * kFourOverPi;
  std::int32_t j = static_cast<std::int32_t>(y);  // truncation, as cvttps
  j = (j + 1) & ~1;
  y = static_cast<float>(j);
  const std::uint32_t swap_sin = static_cast<std::uint32_t>(j & 4) << 29;
  const bool first_poly_is_cos = (j & 2) == 0;
  x = std::fma(y, dp1, x);  // each reduction step one FMA
  x = std::fma(y, dp2, x);
  x = std::fma(y, dp3, x);
  const std::uint32_t sign_cos = static_cast<std::uint32_t>(~(j - 2) & 4) << 29;
  sign_sin ^= swap_sin;
  const float z = x * x;
  float yc = std::fma(coscof[0], z, coscof[1]);
  yc = std::fma(yc, z, coscof[2]);
  yc = yc * z;
  yc = std::fma(yc, z, -(z * 0.5f));  // ((y*z)*z) - z*0.5: z*0.5 rounded first
  yc = yc + 1.0f;
  float ys = std::fma(sincof[0], z, sincof[1]);
  ys = std::fma(ys, z, sincof[2]);
  ys = ys * z;
  ys = std::fma(ys, x, x);  // (y2*z)*x + x
  const float sin_part = first_poly_is_cos ? ys : yc, cos_part = first_poly_is_cos ? yc : ys;
  s = float_of(bits_of(sin_part) ^ sign_sin);
  c = float_of(bits_of(cos_part) ^ sign_cos);
}

/// normal_fill_16_AVX2 with mean 0 and std 1: eight Box-Muller pairs in float32.
void normal_fill_16(float* d) {
  constexpr float two_pi = static_cast<float>(2.0 * M_PI);
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - d[j];
    const float u2 = d[j + 8];
    const float radius = std::sqrt(-2.0f * cephes_log(u1));
    const float theta = two_pi * u2;
    float s, c;
    cephes_sincos(theta, s, c);
    d[j] = std::fma(radius * c, 1.0f, 0.0f);  // * std + mean, one FMA
    d[j + 8] = std::fma(radius * s, 1.0f, 0.0f);
  }
}

}  // namespace

TorchGenerator::TorchGenerator(std::uint64_t seed) : mt_(static_cast<std::uint32_t>(seed & 0xffffffffu)) {}

std::uint64_t TorchGenerator::next64() {
  const std::uint64_t hi = next32(), lo = next32();
  return (hi << 32) | lo;
}

double TorchGenerator::uniform_double() { return static_cast<double>(next64() & ((1ull << 53) - 1)) * 0x1.0p-53; }

float TorchGenerator::uniform_float() {
  return static_cast<float>(static_cast<double>(next32() & ((1u << 24) - 1)) * 0x1.0p-24);
}

double TorchGenerator::normal_double() {
  if (cached_normal_) {
    const double v = *cached_normal_;
    cached_normal_.reset();
    return v;
  }
  const double u1 = uniform_double(), u2 = uniform_double();
  const double r = std::sqrt(-2.0 * std::log1p(-u2));
  const double theta = 2.0 * M_PI * u1;
  cached_normal_ = r * std::sin(theta);
  return r * std::cos(theta);
}

std::vector<float> TorchGenerator::randn(std::size_t n) {
  std::vector<float> out(n);
  if (n < 16) {
    for (float& v : out) v = static_cast<float>(normal_double());
    return out;
  }
  for (float& v : out) v = uniform_float();
  for (std::size_t i = 0; i + 15 < n; i += 16) normal_fill_16(out.data() + i);
  if (n % 16 != 0) {  // the last 16 again, from new uniforms
    float* tail = out.data() + n - 16;
    for (int i = 0; i < 16; ++i) tail[i] = uniform_float();
    normal_fill_16(tail);
  }
  return out;
}

std::vector<float> TorchGenerator::rand(std::size_t n) {
  std::vector<float> out(n);
  for (float& v : out) v = uniform_float();
  return out;
}

// ---- NumPy ------------------------------------------------------------------------------

NumpyGenerator::NumpyGenerator(std::uint32_t seed) : mt_(seed) {}

double NumpyGenerator::next_double() {
  const std::int32_t a = static_cast<std::int32_t>(mt_.next() >> 5), b = static_cast<std::int32_t>(mt_.next() >> 6);
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double NumpyGenerator::gauss() {
  if (cached_gauss_) {
    const double v = *cached_gauss_;
    cached_gauss_.reset();
    return v;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * next_double() - 1.0;
    x2 = 2.0 * next_double() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  cached_gauss_ = f * x1;
  return f * x2;
}

std::vector<double> NumpyGenerator::random_sample(std::size_t n) {
  std::vector<double> out(n);
  for (double& v : out) v = next_double();
  return out;
}

std::vector<double> NumpyGenerator::uniform(std::size_t n, double low, double high) {
  const double range = high - low;
  std::vector<double> out(n);
  for (double& v : out) v = low + range * next_double();
  return out;
}

std::vector<double> NumpyGenerator::normal(std::size_t n, double loc, double scale) {
  std::vector<double> out(n);
  for (double& v : out) v = loc + scale * gauss();
  return out;
}

}  // namespace grader::random
