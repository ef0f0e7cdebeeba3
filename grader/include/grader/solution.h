/* The solution ABI: how a student's compiled library exposes functions to the grader.
   A plain C interface, so that a library built with any compiler, any Armadillo version, or in
   C, Rust or Fortran works the same. See docs/solution-abi.md. */
#ifndef GRADER_SOLUTION_H
#define GRADER_SOLUTION_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest rank a tensor may have, here and everywhere in the grader (specs, answers). */
#define GRADER_MAX_RANK 3

/* A dense tensor of doubles in row-major (C) order, like NumPy and PyTorch. */
typedef struct grader_tensor {
  int rank;           /* 1 to GRADER_MAX_RANK (a number is shape [1]) */
  long long shape[4]; /* shape[0..rank-1]; room for one more axis, kept for the ABI */
  double* data;       /* row-major (C order), like NumPy and PyTorch */
} grader_tensor;

/* Every solution function has this signature. Outputs are allocated by the grader with the
   shapes the spec gives; the function fills them. Returns 0 on success; otherwise writes a
   message into error (NUL-terminated, at most error_size bytes) and returns non-zero. */
typedef int grader_solution_fn(const grader_tensor *inputs, int n_inputs,
                               grader_tensor *outputs, int n_outputs,
                               char *error, size_t error_size);

/* Return codes. Any non-zero value is a failure; these two are told apart in feedback. */
#define GRADER_OK 0
#define GRADER_FAILED 1     /* the function refused its inputs; error says why */
#define GRADER_EXCEPTION 2  /* a C++ exception escaped; error holds its what() */

#ifdef __cplusplus
}
#endif

#endif /* GRADER_SOLUTION_H */
