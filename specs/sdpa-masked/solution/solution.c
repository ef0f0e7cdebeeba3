/* A correct solution in plain C, written against grader/solution.h. */
#include <grader/solution.h>
#include <math.h>
#include <stdio.h>

int scaled_dot_product_attention(const grader_tensor *in, int n_in, grader_tensor *out,
                                 int n_out, char *error, size_t error_size) {
  if (n_in < 3 || n_in > 4 || n_out != 2) {
    snprintf(error, error_size, "expected Q, K, V[, mask] and two outputs");
    return 1;
  }
  const grader_tensor *Q = &in[0], *K = &in[1], *V = &in[2], *mask = n_in == 4 ? &in[3] : NULL;
  long long batch = Q->shape[0], n = Q->shape[1], d = Q->shape[2], dv = V->shape[2];
  double scale = 1.0 / sqrt((double)d);
  for (long long b = 0; b < batch; ++b)
    for (long long i = 0; i < n; ++i) {
      double *w = out[1].data + (b * n + i) * n, top = -INFINITY, sum = 0;
      for (long long j = 0; j < n; ++j) {
        double s = 0;
        for (long long k = 0; k < d; ++k) s += Q->data[(b * n + i) * d + k] * K->data[(b * n + j) * d + k];
        w[j] = s * scale;
        if (mask) {
          long long rows = mask->shape[1];
          if (mask->data[(b * rows + (rows == 1 ? 0 : i)) * n + j] == 0) w[j] = -INFINITY;
        }
        if (w[j] > top) top = w[j];
      }
      for (long long j = 0; j < n; ++j) sum += (w[j] = exp(w[j] - top));
      for (long long j = 0; j < n; ++j) w[j] /= sum;
      for (long long k = 0; k < dv; ++k) {
        double acc = 0;
        for (long long j = 0; j < n; ++j) acc += w[j] * V->data[(b * n + j) * dv + k];
        out[0].data[(b * n + i) * dv + k] = acc;
      }
    }
  return 0;
}
