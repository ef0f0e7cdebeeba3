/* compute_keys in plain C through grader/solution.h: keys = vs ws^T. */
#include <grader/solution.h>
#include <stdio.h>

int compute_keys(const grader_tensor *in, int n_in, grader_tensor *out, int n_out,
                 char *error, size_t error_size) {
  if (n_in != 2 || n_out != 1) {
    snprintf(error, error_size, "expected vs, ws and one output");
    return 1;
  }
  long long n = in[0].shape[0], d = in[0].shape[1], k = in[1].shape[0];
  for (long long i = 0; i < n; ++i)
    for (long long j = 0; j < k; ++j) {
      double s = 0;
      for (long long t = 0; t < d; ++t) s += in[0].data[i * d + t] * in[1].data[j * d + t];
      out[0].data[i * k + j] = s;
    }
  return 0;
}
