#pragma once
/// What the grader and the runner exchange. Calls run in the plan's order; the first call
/// without a result when the runner ends is the one that was running. The grader writes a plan into a sealed memfd
/// (the runner's fd 3): the library, the symbols, the calls and their input tensors. The
/// student's function writes its outputs into a scratch region followed by a guard page; the
/// runner copies them, once the call has returned, into a second memfd (fd 4), packed at the
/// offsets the plan gives. The runner reports progress as
/// records on a pipe (fd 5). Everything the runner sends is untrusted: once the student's
/// library is loaded it shares the runner's memory, so records are parsed defensively and
/// verdicts rest on what the grader observes itself (exit status, signals, time).

#include <cstdint>

namespace grader::protocol {

constexpr int kPlanFd = 3;
constexpr int kOutputFd = 4;
constexpr int kStatusFd = 5;

constexpr std::uint64_t kMagic = 0x4e414c5052445247ULL;  // "GRDRPLAN"
constexpr std::uint32_t kVersion = 2;

/// At the start of the plan.
struct PlanHeader {
  std::uint64_t magic;
  std::uint32_t version;
  std::uint32_t n_calls;
  std::uint64_t library_offset;  ///< NUL-terminated path of the library, in the plan
  std::uint64_t library_dir_offset;  ///< NUL-terminated folder the library may read
  std::uint64_t calls_offset;    ///< n_calls PlanCall
  std::uint64_t output_bytes;    ///< size of the output memfd
  std::uint64_t memory_bytes;    ///< address-space limit (RLIMIT_AS)
  std::uint32_t cpu_seconds;     ///< CPU-time limit (RLIMIT_CPU, soft; hard is one more)
  std::int32_t parent_pid;       ///< the grader; the runner exits if it is gone
};

struct PlanTensor {
  std::int32_t rank;
  std::int32_t reserved;
  std::int64_t shape[4];
  std::uint64_t offset;  ///< of the data: in the plan (inputs) or the output memfd (outputs)
};

struct PlanCall {
  std::uint64_t symbol_offset;  ///< NUL-terminated symbol name, in the plan
  std::uint32_t n_inputs;
  std::uint32_t n_outputs;
  std::uint64_t tensors_offset;  ///< n_inputs then n_outputs PlanTensor
};

/// Record kinds, runner -> grader.
enum RecordKind : std::uint32_t {
  kIsolation = 1,  ///< text: the isolation achieved (root/uid drop, Landlock, seccomp)
  kReady = 2,      ///< the library is loaded and the strict filter installed
  kDone = 4,       ///< call `call` returned `code`; text: its error message if non-zero
  kThrew = 5,      ///< an exception escaped call `call`; text: its what()
  kLoadError = 6,  ///< code 0: the library could not be loaded; code 1: call `call`'s
                   ///< function is missing; text: why
  kForbidden = 7,  ///< the filter stopped system call number `code`
  kFinished = 8,   ///< every call was made; the runner exits
};

struct RecordHeader {
  std::uint32_t kind;
  std::uint32_t call;
  std::int32_t code;
  std::uint32_t length;  ///< bytes of text that follow
};

constexpr std::uint32_t kMaxText = 2048;

/// The runner's exit statuses when it ends on purpose.
constexpr int kExitOk = 0;
constexpr int kExitLoadError = 90;
constexpr int kExitSetupFailed = 91;

}  // namespace grader::protocol
