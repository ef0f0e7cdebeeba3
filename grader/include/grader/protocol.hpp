#pragma once
/// What the grader and its confined children exchange (docs/sandbox.md). The grader starts
/// `grader-runner` with exec, never with a bare fork; everything a child sends is untrusted
/// and parsed defensively, and every verdict rests on what the grader observes itself.
///
/// A zygote (one per grading worker) is exec'd once, confines itself (namespaces, a minimal
/// view of the file system), preloads what student code links (libstdc++, Armadillo, OpenBLAS
/// with one thread; or numpy and torch) and then forks one child per submission on request.
/// The child confines itself further (its own user when the grader is root, resource limits,
/// Landlock, seccomp) before it touches the submission. Requests travel on a SOCK_SEQPACKET
/// socket (the zygote's fd 3) with their descriptors attached (SCM_RIGHTS).
///
/// A library child runs a plan: the grader writes a sealed memfd holding the calls and their
/// input tensors; the student's function writes its outputs into a scratch region followed by
/// a guard page, which the child copies, once the call has returned, into a second memfd,
/// packed at the offsets the plan gives. The child reports progress as records on a pipe.

#include <cstdint>

#include "grader/solution.h"

namespace grader::protocol {

// ---- Descriptors of a child, once it has set itself up ----------------------------------
constexpr int kPlanFd = 3;    ///< the plan (sealed memfd), read only
constexpr int kOutputFd = 4;  ///< the outputs (memfd sealed against shrinking)
constexpr int kStatusFd = 5;  ///< records, child -> grader (a pipe)
constexpr int kCodeFd = 6;    ///< the code to run: a library image or a Python source (memfd)

// ---- The zygote ---------------------------------------------------------------------------
constexpr int kZygoteFd = 3;  ///< the zygote's end of the request socket

constexpr std::uint32_t kZygoteMagic = 0x5a594752;  // "RGYZ"
constexpr std::uint32_t kZygoteVersion = 1;

/// What a child runs.
enum ChildKind : std::uint32_t {
  kLibraryChild = 1,  ///< a student's compiled library, the plan's calls
  kPythonChild = 2,   ///< a student's Python source (the Python zygote only)
};

/// Grader -> zygote: start a child. Descriptors attached, in this order: the plan, the
/// outputs, the status pipe's write end, the stdout/stderr pipe's write end, the code.
struct ChildRequest {
  std::uint32_t magic;
  std::uint32_t version;
  std::uint32_t kind;          ///< ChildKind
  std::uint32_t cpu_seconds;   ///< RLIMIT_CPU (soft; hard is one more)
  std::uint64_t memory_bytes;  ///< RLIMIT_AS
  std::uint64_t file_bytes;    ///< RLIMIT_FSIZE (0: it may write no file)
  std::uint32_t threads;       ///< threads it may run besides its first (RLIMIT_NPROC)
  std::uint32_t scratch_kib;   ///< size of its private scratch folder (Python), 0: none
};

/// A request for a child of `kind` under these limits (the rest zero: no files, no scratch).
inline ChildRequest child_request(ChildKind kind, std::uint32_t cpu_seconds, std::uint64_t memory_bytes,
                                  std::uint32_t threads) {
  ChildRequest r{};
  r.magic = kZygoteMagic;
  r.version = kZygoteVersion;
  r.kind = kind;
  r.cpu_seconds = cpu_seconds;
  r.memory_bytes = memory_bytes;
  r.threads = threads;
  return r;
}

/// Zygote -> grader, once after it started: the isolation it achieved (text follows).
/// Then per request: kChildStarted with the child's pidfd attached (or kChildRefused and why),
/// and kChildEnded once the zygote has reaped it.
enum ZygoteReplyKind : std::uint32_t {
  kZygoteReady = 1,
  kChildStarted = 2,
  kChildRefused = 3,
  kChildEnded = 4,
};

struct ZygoteReply {
  std::uint32_t kind;        ///< ZygoteReplyKind
  std::int32_t pid;          ///< the child, as the grader sees it
  std::int32_t status;       ///< kChildEnded: its wait status
  std::uint32_t length;      ///< bytes of text that follow
  std::int64_t user_usec;    ///< kChildEnded: CPU time in user mode, microseconds
  std::int64_t system_usec;  ///< kChildEnded: CPU time in the kernel, microseconds
  std::int64_t max_rss_kib;  ///< kChildEnded: peak resident memory
  std::int64_t page_faults;  ///< kChildEnded: page faults served without I/O (minor)
};

constexpr std::uint32_t kMaxReplyText = 2048;

/// The largest file a build may write (RLIMIT_FSIZE of the compiler): a solution's library is
/// kilobytes to a few megabytes, and what a build leaves is kept in the grader's cache (a
/// 200 MiB initialised array would stay there for good).
constexpr std::uint64_t kMaxBuildFileBytes = 64ull << 20;

/// How the zygote (or the compiler's runner) ends when it cannot set itself up: a grader
/// fault (the machine forbids the confinement asked for), never a student's.
constexpr int kExitSetupFailed = 91;
/// How the Python zygote ends when the machine lacks the Python runtime (python3, numpy,
/// torch, matplotlib): a grader fault too.
constexpr int kExitNoPython = 93;
/// How a Python child ends when the grader's notebook runner fails (grader/python/notebook.py):
/// before the notebook's code ran, the grader's fault (its message is the load-error record);
/// after, the notebook broke the runner (it replaced a function of a module the runner uses).
constexpr int kExitRunnerFailed = 94;
constexpr int kExitBrokenByNotebook = 95;
/// How a Python child ends when an expression of the spec (an answer's `python:`) is not
/// Python, found before the notebook's code is read: the spec's fault, its message the
/// load-error record.
constexpr int kExitSpecFault = 96;

// ---- The plan of a library child ------------------------------------------------------------
constexpr std::uint64_t kMagic = 0x4e414c5052445247ULL;  // "GRDRPLAN"
constexpr std::uint32_t kVersion = 3;

/// The largest rank of a tensor crossing the ABI (grader_tensor::shape has room for it).
constexpr int kMaxRank = GRADER_MAX_RANK;

/// At the start of the plan.
struct PlanHeader {
  std::uint64_t magic;
  std::uint32_t version;
  std::uint32_t n_calls;
  std::uint64_t calls_offset;  ///< n_calls PlanCall
  std::uint64_t output_bytes;  ///< size of the output memfd
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

/// Record kinds, child -> grader. Calls run in the plan's order, and a call's record is only
/// believed when it names the call in progress: the grader's clock, not the child, decides
/// how long each call may take.
enum RecordKind : std::uint32_t {
  kIsolation = 1,  ///< text: the isolation the child achieved (user, limits, Landlock, seccomp)
  kReady = 2,      ///< the library is loaded and the strict filter installed
  kDone = 4,       ///< call `call` returned `code`; text: its error message if non-zero
  kThrew = 5,      ///< an exception escaped call `call`; text: its what()
  kLoadError = 6,  ///< code 0: the library could not be loaded; code 1: call `call`'s
                   ///< function is missing; text: why
  kForbidden = 7,  ///< the filter stopped system call number `code`
  kFinished = 8,   ///< every call was made; the child exits
  // A Python child (grader/python/notebook.py):
  kParsed = 9,       ///< the hand-in was split into `code` units (cells, or statements)
  kUnitStart = 10,   ///< unit `call` starts; text: "FIRST LAST LABEL", its lines and its name
  kUnitEnd = 11,     ///< unit `call` ended: code 0 ran, 1 raised, 2 does not parse, 3 skipped,
                     ///< 4 raised NotImplementedError as a stub does (an exercise left to do);
                     ///< text: what went wrong, for the student
  kValue = 12,       ///< answer `call`'s value: text {"offset", "shape", "dtype", and for an answer taken
                     ///< at the end "variable", "bindings", "bound_at": how many cells gave
                     ///< it a new object, the labels of the last three}, float64 data
                     ///< at offset in the output memfd
  kValueError = 13,  ///< answer `call` has no value: code 1 not defined, 2 not a tensor of real
                     ///< numbers, 3 its expression raised, 4 a subclass of a tensor type (its
                     ///< text says what to hand in instead), 5 its expression raised
                     ///< NotImplementedError as a stub does; text: why
  kCallStart = 14,   ///< function call `call` starts (after the notebook has run)
  kCallEnd = 15,     ///< call `call` ended: code 0 returned (its outputs came as kOutput), 1
                     ///< raised, 2 returned None, 3 not implemented, 4 returned the wrong
                     ///< kind or number of values, 5 no such function, 6 the hand-in cannot
                     ///< be read (not a notebook), 7 an output of more than three axes, 8 its
                     ///< parameters do not take the call, 9 an output the spec's python.read
                     ///< reads in another shape than the exercise's; text: for 0 the facts the grader
                     ///< words its notes from (JSON {"defined_at", "at_end", "reads",
                     ///< "reads_more", "parameters", "parameter_count"}), for 1 JSON {"why",
                     ///< and those of "reads" ...}, for 2, 3, 5 and 8 JSON {"why", "names": the
                     ///< notebook's functions, for "did you mean", and for 2, 3 and 8
                     ///< "defined_at", "at_end"}; else why
  kOutput = 16,      ///< output `code` of the call in progress (`call`): as kValue
  kValueStart = 17,  ///< answer `call` is about to be taken (its expression evaluated, its value
                     ///< read): a hang or crash there is that answer's alone
  kCallWhere = 18,   ///< call `call` in progress has used its time and the grader asked where
                     ///< it is (SIGUSR2): text "PLACE\nSOURCE", the innermost line of the
                     ///< student's own code ("line 44, in f", "cell 5, line 2, in f") and its
                     ///< text; the child is ended next. Unasked (a SIGUSR2 of the notebook's
                     ///< own), it is ignored
  kUnitQuotes = 19,  ///< unit `call` in progress, about to end, repeats at the end of its text
                     ///< what unit `code` (an earlier one) said when it failed: text, its end's
                     ///< text before those words (which add ": " and them)
};

struct RecordHeader {
  std::uint32_t kind;
  std::uint32_t call;
  std::int32_t code;
  std::uint32_t length;  ///< bytes of text that follow
};

constexpr std::uint32_t kMaxText = 2048;

/// A child's exit statuses when it ends on purpose.
constexpr int kExitOk = 0;
constexpr int kExitLoadError = 90;
/// Every call was made, but a record could not be sent: the student's code closed or replaced
/// kStatusFd.
constexpr int kExitStatusLost = 92;

}  // namespace grader::protocol
