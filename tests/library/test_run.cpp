// Student libraries run in the sandboxed runner: each attack of the library issue (and of
// ../shared/SANDBOX.md) is built here as a real shared library and must end in its verdict,
// while the grader survives and every other call is still made. Attacks are bounded (a fork
// "bomb" forks a few times, a memory bomb asks for a few GiB) so that a broken sandbox fails
// the test instead of hurting the machine.
#include <elf.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <cstring>

#include "grader/library/run.hpp"
#include "support/build_library.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

using namespace grader;
using test_support::build_library;
using test_support::Language;
using test_support::read_file;
using test_support::TempDir;

namespace {

using test_support::contains;

const char* kHostile = R"(
#define _GNU_SOURCE
#include <grader/solution.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FN(name) int name(const grader_tensor* in, int n_in, grader_tensor* out, int n_out, \
                          char* err, size_t err_size)

static void twice_into(const grader_tensor* in, grader_tensor* out) {
  long long n = 1;
  for (int i = 0; i < in[0].rank; ++i) n *= in[0].shape[i];
  for (long long i = 0; i < n; ++i) out[0].data[i] = 2 * in[0].data[i];
}

FN(good) { twice_into(in, out); return 0; }
FN(segfault) { *(volatile int*)16 = 1; return 0; }
FN(aborts) { abort(); }
FN(loops) { for (volatile unsigned long i = 0;; ++i) {} return 0; }
FN(sleeps) { sleep(1000); return 0; }
FN(fills_then_sleeps) {  /* 400 MiB, populated at once: in its time on any machine */
  char* p = mmap(0, 400 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  sleep(1000);
  return p[7];
}
FN(fills_frees_then_sleeps) {
  munmap(mmap(0, 400 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0), 400 << 20);
  sleep(1000);
  return 0;
}
FN(stops) { raise(SIGSTOP); return 0; }
FN(forks) {
  for (int i = 0; i < 4; ++i) { pid_t p = fork(); if (p == 0) _exit(0); if (p > 0) waitpid(p, 0, 0); }
  twice_into(in, out);
  return 0;
}
static int depth(int n) { volatile char pad[4096]; pad[0] = (char)n; return n == 0 ? pad[0] : depth(n - 1) + pad[0]; }
FN(recurses) { out[0].data[0] = depth(1 << 30); return 0; }
FN(chatters) {
  char line[1024]; memset(line, 'x', sizeof line - 2); line[sizeof line - 2] = '\n'; line[sizeof line - 1] = 0;
  for (int i = 0; i < 20000; ++i) fputs(line, stdout);  /* about 20 MB */
  twice_into(in, out);
  return 0;
}
FN(reads_spec) {
  int fd = open(SPEC_PATH, O_RDONLY);
  out[0].data[0] = fd;
  return 0;
}
FN(opens_socket) { out[0].data[0] = socket(AF_INET, SOCK_STREAM, 0); return 0; }
FN(execs_shell) { char* argv[] = {"/bin/sh", "-c", "true", 0}; execv("/bin/sh", argv); return 0; }
FN(kills_grader) { kill(getppid(), SIGKILL); twice_into(in, out); return 0; }
FN(kills_everyone) { kill(-1, SIGKILL); twice_into(in, out); return 0; }
/* SIGKILL to itself: refused, so that a child ended by it was killed from outside. */
FN(kills_itself) { kill(getpid(), SIGKILL); twice_into(in, out); return 0; }
FN(escapes_group) { setsid(); twice_into(in, out); return 0; }
FN(exits) { exit(0); }
FN(nan_and_inf) { out[0].data[0] = NAN; out[0].data[1] = INFINITY; out[0].data[2] = 1; out[0].data[3] = 2; return 0; }
FN(overruns) { for (long long i = 0; i < 100000; ++i) out[0].data[i] = 1; return 0; }
FN(refuses) { snprintf(err, err_size, "K must have as many rows as V"); return 3; }
static void* spin(void* arg) { for (volatile long i = 0;; ++i) ((grader_tensor*)arg)->data[0] = (double)i; return 0; }
FN(leaves_thread) {
  pthread_t t;
  static grader_tensor scratch; static double cell;
  scratch.data = &cell;
  if (pthread_create(&t, 0, spin, &scratch) != 0) return 9;
  twice_into(in, out);
  return 0;
}
FN(writes_tmp) { int fd = open("/tmp/grader-was-here", O_WRONLY | O_CREAT, 0644); out[0].data[0] = fd; return 0; }
/* Limits of another process: the grader's (its file size limit to 0 would kill it). */
FN(limits_grader) {
  struct rlimit none = {0, 0};
  prlimit(getppid(), RLIMIT_FSIZE, &none, 0);
  prlimit(1, RLIMIT_FSIZE, &none, 0);
  twice_into(in, out);
  return 0;
}
/* Its own CPU limit lowered to 1 s, then a spin: the kernel's SIGKILL at the limit would read
   as a kill from outside, a grader failure. Reading its limits is allowed. */
FN(lowers_own_cpu_limit) {
  struct rlimit second = {1, 1};
  setrlimit(RLIMIT_CPU, &second);
  for (volatile long i = 0;; ++i) out[0].data[0] = (double)i;
  return 0;
}
FN(reads_own_limits) {
  struct rlimit cpu;
  out[0].data[0] = getrlimit(RLIMIT_CPU, &cpu);
  out[0].data[1] = (double)cpu.rlim_cur;
  out[0].data[2] = 0;
  out[0].data[3] = 0;
  return 0;
}
/* Signal-driven I/O on the status pipe: the kernel would send SIGKILL to the owner. */
FN(signals_through_fcntl) {
  fcntl(5, F_SETOWN, getppid());
  fcntl(5, F_SETSIG, SIGKILL);
  fcntl(5, F_SETFL, O_ASYNC | O_NONBLOCK);
  twice_into(in, out);
  return 0;
}
/* As many threads as it can get, each with a small stack, all left sleeping. */
static void* nap(void* arg) { (void)arg; sleep(1000); return 0; }
FN(many_threads) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  int started = 0;
  for (int i = 0; i < 2000; ++i) { pthread_t t; if (pthread_create(&t, &attr, nap, 0) != 0) break; ++started; }
  out[0].data[0] = started;
  return 0;
}
/* Forged records: "call 0 is done", again and again, while the call sleeps. */
FN(forges_records) {
  struct { unsigned kind, call; int code; unsigned length; } done = {4, 0, 0, 0};
  for (int i = 0; i < 1000; ++i) { write(5, &done, sizeof done); usleep(300000); }
  return 0;
}
FN(closes_status) { close(5); twice_into(in, out); return 0; }
/* Signals to itself (raise is tgkill with its own pid) are allowed; they reach its handler. */
static volatile int caught = 0;
static void on_usr1(int sig) { (void)sig; ++caught; }
FN(signals_itself) {
  signal(SIGUSR1, on_usr1);
  out[0].data[0] = raise(SIGUSR1);
  out[0].data[1] = kill(getpid(), SIGUSR1);
  out[0].data[2] = caught;
  out[0].data[3] = 0;
  return 0;
}
FN(naps) { usleep(600000); twice_into(in, out); return 0; }
/* Returns at once; a thread writes 8.0 over the whole output memory (descriptor 4) 300 ms
   later, while the next call waits for it: the outputs this call returned are its zeros. */
static volatile int written_late = 0;
static void* write_late(void* arg) {
  (void)arg;
  usleep(300000);
  struct stat st;
  if (fstat(4, &st) != 0) return 0;
  double* all = mmap(0, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, 4, 0);
  if (all == MAP_FAILED) return 0;
  for (long long i = 0; i < st.st_size / 8; ++i) all[i] = 8.0;
  written_late = 1;
  return 0;
}
FN(returns_then_writes) { pthread_t t; return pthread_create(&t, 0, write_late, 0); }
FN(waits_for_the_late_write) {
  for (int i = 0; i < 200 && !written_late; ++i) usleep(5000);
  for (int i = 0; i < 4; ++i) out[0].data[i] = written_late;
  return 0;
}
/* What a static constructor can learn of the world while the library loads. */
static double probe[6];
__attribute__((constructor)) static void look_around(void) {
  struct stat st;
  probe[0] = stat(SPEC_PATH, &st); probe[1] = errno;
  probe[2] = stat("/no/such/file", &st); probe[3] = errno;
  char cwd[256] = "";
  probe[4] = getcwd(cwd, sizeof cwd) != 0 && strcmp(cwd, "/") == 0;
  probe[5] = access("/etc/passwd", F_OK);
}
FN(what_loading_saw) { for (int i = 0; i < 4; ++i) out[0].data[i] = probe[i]; return 0; }
FN(what_loading_saw_too) { out[0].data[0] = probe[4]; out[0].data[1] = probe[5]; return 0; }
/* A thread started before the strict filter, waiting to open a file during a call. */
static volatile int go = 0, opened = -2;
static void* lurker(void* arg) { (void)arg; while (!go) usleep(1000); opened = open("/etc/hostname", O_RDONLY); return 0; }
__attribute__((constructor)) static void start_lurker(void) { pthread_t t; pthread_create(&t, 0, lurker, 0); }
FN(wakes_lurker) { go = 1; for (int i = 0; i < 200 && opened == -2; ++i) usleep(5000); out[0].data[0] = opened; return 0; }
)";

struct Hostile : TempDir {
  std::filesystem::path lib;
  RunLimits limits;
  Hostile() {
    lib = build_library(path(), "hostile", kHostile, Language::c,
                        "-DSPEC_PATH='\"" GRADER_SOURCE_DIR "/specs/attention-basics.yaml\"' -lpthread");
    limits.call_seconds = 1.0;
    limits.load_seconds = 1.0;
    limits.cpu_seconds = 3;
    limits.memory_bytes = 1ull << 30;
    limits.capture_bytes = 4096;
  }
  static Call call(const std::string& symbol, int group) {
    return Call{symbol, {Tensor({2, 2}, {1, 2, 3, 4})}, {{2, 2}}, group};
  }
  /// Runs `symbol` between two good calls; checks the good ones still work.
  CallResult attack(const std::string& symbol) {
    const RunReport r = run_library(lib, {call("good", 0), call(symbol, 1), call("good", 2)}, limits);
    BOOST_REQUIRE_EQUAL(r.calls.size(), 3u);
    for (std::size_t i : {0u, 2u}) {
      BOOST_TEST(!r.calls[i].failure.has_value(), "good call " << i << " failed: " << r.calls[i].message);
      if (!r.calls[i].failure) BOOST_TEST(r.calls[i].outputs.at(0)[3] == 8.0);
    }
    last_output = r.output;
    return r.calls[1];
  }
  std::string last_output;
};

std::string verdict(const CallResult& r) { return r.failure ? std::string(to_string(*r.failure)) : "returned"; }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(hostile_libraries, Hostile)

BOOST_AUTO_TEST_CASE(a_correct_call_returns_its_outputs_from_a_confined_process) {
  const RunReport r = run_library(lib, {call("good", 0)}, limits);
  BOOST_REQUIRE(!r.calls[0].failure);
  BOOST_TEST(r.calls[0].outputs[0].shape() == (Shape{2, 2}), boost::test_tools::per_element());
  BOOST_TEST(r.calls[0].outputs[0][1] == 4.0);
  BOOST_TEST(r.processes == 1);
  BOOST_TEST(contains(r.isolation, "seccomp"));
  BOOST_TEST(contains(r.isolation, "Landlock"));
}

BOOST_AUTO_TEST_CASE(crashes_name_their_signal) {
  auto r = attack("segfault");
  BOOST_TEST(verdict(r) == "crashed");
  BOOST_TEST(contains(r.message, "SIGSEGV"));
  r = attack("aborts");
  BOOST_TEST(verdict(r) == "crashed");
  BOOST_TEST(contains(r.message, "SIGABRT"));
  r = attack("recurses");
  BOOST_TEST(verdict(r) == "crashed");
  BOOST_TEST(contains(r.message, "SIGSEGV"));
  r = attack("overruns");
  BOOST_TEST(verdict(r) == "crashed");
}

BOOST_AUTO_TEST_CASE(loops_sleeps_and_stops_time_out) {
  for (const char* attackname : {"loops", "sleeps", "stops"}) {
    BOOST_TEST_CONTEXT(attackname) {
      const auto r = attack(attackname);
      BOOST_TEST(verdict(r) == "timed_out");
      BOOST_TEST(contains(r.message, "1 s of wall-clock time during the call: an endless loop, a wait"), r.message);
    }
  }
  // Holding a quarter of its memory or more (found by a helper: memory filled page by page ran
  // out of time first, and was told of an endless loop).
  const auto r = attack("fills_then_sleeps");
  BOOST_TEST(verdict(r) == "timed_out");
  BOOST_TEST(contains(r.message, "1 s of wall-clock time during the call, holding "), r.message);
  BOOST_TEST(
      contains(r.message, " MiB of memory by then, of the 1024 MiB it may use: memory allocated in a loop and kept"),
      r.message);
  // What it holds, not its peak (found by a helper: memory freed before was named for a hang).
  const auto freed = attack("fills_frees_then_sleeps");
  BOOST_TEST(contains(freed.message, "during the call: an endless loop, a wait, or far too slow"), freed.message);
}

BOOST_AUTO_TEST_CASE(cpu_limit_is_a_timeout_too) {
  limits.call_seconds = 30;  // let the CPU limit (3 s) strike first
  const auto r = attack("loops");
  BOOST_TEST(verdict(r) == "timed_out");
  BOOST_TEST(contains(r.message, "CPU time"));
}

BOOST_AUTO_TEST_CASE(files_sockets_processes_and_signals_are_forbidden) {
  const std::pair<const char*, const char*> cases[] = {
      {"reads_spec", "'openat'"},   {"writes_tmp", "'openat'"},    {"opens_socket", "'socket'"},
      {"execs_shell", "'execve'"},  {"forks", "'clone'"},          {"kills_grader", "'kill'"},
      {"kills_everyone", "'kill'"}, {"escapes_group", "'setsid'"}, {"kills_itself", "'kill'"}};
  for (const auto& [name, call_name] : cases) {
    BOOST_TEST_CONTEXT(name) {
      const auto r = attack(name);
      BOOST_TEST(verdict(r) == "forbidden");
      BOOST_TEST(contains(r.message, call_name), r.message);
    }
  }
  BOOST_TEST(!std::filesystem::exists("/tmp/grader-was-here"));
}

BOOST_AUTO_TEST_CASE(no_other_process_can_be_reached) {
  // Another process's limits (the grader's file size limit set to 0 would kill it; other
  // students' compilers failed), or the kernel made to signal the grader through the pipe.
  for (const auto& [name, call_name] :
       {std::pair{"limits_grader", "'prlimit64'"}, {"signals_through_fcntl", "'fcntl'"}}) {
    BOOST_TEST_CONTEXT(name) {
      const auto r = attack(name);
      BOOST_TEST(verdict(r) == "forbidden");
      BOOST_TEST(contains(r.message, call_name), r.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_library_reads_its_limits_and_never_sets_them) {
  // Found by a hostile-student helper: RLIMIT_CPU lowered to 1 s made the kernel end the child
  // with SIGKILL, which the grader took for a kill from outside (exit status 2, no gradebook
  // for the class). Setting any limit of its own is forbidden; reading them is not.
  const auto lowered = attack("lowers_own_cpu_limit");
  BOOST_TEST(verdict(lowered) == "forbidden", lowered.message);
  BOOST_TEST(contains(lowered.message, "'prlimit64'"), lowered.message);
  const auto r = attack("reads_own_limits");
  BOOST_REQUIRE(!r.failure);
  BOOST_TEST(r.outputs[0][0] == 0.0);
  BOOST_TEST(r.outputs[0][1] == static_cast<double>(limits.cpu_seconds));
}

BOOST_AUTO_TEST_CASE(a_library_may_signal_itself) {
  // The filter compares kill's and tgkill's pid with the child's own, written into the
  // program the zygote compiled once for every child.
  const auto r = attack("signals_itself");
  BOOST_REQUIRE(!r.failure);
  BOOST_TEST(r.outputs[0][0] == 0.0);
  BOOST_TEST(r.outputs[0][1] == 0.0);
  BOOST_TEST(r.outputs[0][2] == 2.0);
}

BOOST_AUTO_TEST_CASE(threads_are_limited_as_root_too) {
  const auto r = attack("many_threads");
  BOOST_REQUIRE(!r.failure);
  BOOST_TEST(r.outputs[0][0] >= 1.0);
  BOOST_TEST(r.outputs[0][0] <= static_cast<double>(limits.threads), "started " << r.outputs[0][0] << " threads");
}

BOOST_AUTO_TEST_CASE(forged_records_end_the_child_instead_of_its_deadline) {
  const auto start = std::chrono::steady_clock::now();
  const RunReport r = run_library(lib, {call("good", 0), call("forges_records", 1), call("good", 2)}, limits);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST(took < 10.0, "took " << took << " s");
  BOOST_TEST(verdict(r.calls[0]) == "returned");
  BOOST_TEST(verdict(r.calls[2]) == "returned", r.calls[2].message);
  // The first forged record passes for the call's own; the second gives the library away.
  BOOST_TEST(verdict(r.calls[1]) == "forbidden", r.calls[1].message);
  BOOST_TEST(contains(r.calls[1].message, "status channel"), r.calls[1].message);
}

BOOST_AUTO_TEST_CASE(a_submission_has_a_time_budget_for_all_its_calls) {
  limits.budget_seconds = 2.0;
  std::vector<Call> calls;
  for (int i = 0; i < 10; ++i) calls.push_back(call("naps", i));  // 0.6 s each: under call_seconds
  const auto start = std::chrono::steady_clock::now();
  const RunReport r = run_library(lib, calls, limits);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST(took < 4.0, "took " << took << " s");
  BOOST_TEST(verdict(r.calls[0]) == "returned");
  BOOST_TEST(verdict(r.calls[9]) == "timed_out");
  BOOST_TEST(contains(r.calls[9].message, "time budget of 2 s"), r.calls[9].message);
  BOOST_TEST(contains(r.calls[9].message, "budget_seconds"), r.calls[9].message);
}

BOOST_AUTO_TEST_CASE(closing_the_status_pipe_is_named) {
  const auto r = attack("closes_status");
  BOOST_TEST(verdict(r) == "crashed");
  BOOST_TEST(contains(r.message, "descriptor 5"), r.message);
  BOOST_TEST(!contains(r.message, "ended the process"), r.message);
}

BOOST_AUTO_TEST_CASE(nothing_about_other_files_is_observable_while_loading) {
  auto r = attack("what_loading_saw");
  BOOST_REQUIRE(!r.failure);
  // The spec exists, but a constructor cannot tell it from a file that does not.
  BOOST_TEST(r.outputs[0][0] == -1.0);
  BOOST_TEST(r.outputs[0][1] == static_cast<double>(ENOENT));
  BOOST_TEST(r.outputs[0][2] == -1.0);
  BOOST_TEST(r.outputs[0][3] == static_cast<double>(ENOENT));
  r = attack("what_loading_saw_too");
  BOOST_REQUIRE(!r.failure);
  BOOST_TEST(r.outputs[0][0] == 1.0);   // its working folder is the root of its own view
  BOOST_TEST(r.outputs[0][1] == -1.0);  // /etc/passwd is not there
}

BOOST_AUTO_TEST_CASE(threads_started_while_loading_are_bound_by_the_strict_filter) {
  const auto r = attack("wakes_lurker");
  BOOST_TEST(verdict(r) == "forbidden", r.message);
  BOOST_TEST(contains(r.message, "'openat'"), r.message);
}

BOOST_AUTO_TEST_CASE(exiting_during_a_call_is_a_crash) {
  const auto r = attack("exits");
  BOOST_TEST(verdict(r) == "crashed");
  BOOST_TEST(contains(r.message, "ended the process (exit status 0)"));
}

BOOST_AUTO_TEST_CASE(a_non_zero_return_carries_its_message) {
  const auto r = attack("refuses");
  BOOST_TEST(verdict(r) == "solution_error");
  BOOST_TEST(r.message == "the function returned 3: K must have as many rows as V");
}

BOOST_AUTO_TEST_CASE(nan_and_inf_come_back_as_numbers_for_the_comparison) {
  const auto r = attack("nan_and_inf");
  BOOST_REQUIRE(!r.failure);
  BOOST_TEST(std::isnan(r.outputs[0][0]));
  BOOST_TEST(std::isinf(r.outputs[0][1]));
}

BOOST_AUTO_TEST_CASE(megabytes_of_output_are_truncated) {
  const auto r = attack("chatters");
  BOOST_TEST(!r.failure);
  BOOST_TEST(last_output.size() < 4200u);
  BOOST_TEST(contains(last_output, " bytes of output left out ...]\n"), last_output.substr(0, 200));
}

BOOST_AUTO_TEST_CASE(a_thread_left_running_does_not_outlive_the_runner) {
  const auto r = attack("leaves_thread");  // the next good call runs: the spinner was ended
  BOOST_TEST(!r.failure, r.message);
}

BOOST_AUTO_TEST_CASE(outputs_written_after_a_call_returned_are_not_what_it_returned) {
  // Found by a hostile helper: a call returned at once while a thread computed its outputs and
  // wrote them into the output memory past the call's time limit; the grader read them after
  // the child ended. Now a call's outputs are read as its end record comes.
  const RunReport r = run_library(lib, {call("returns_then_writes", 0), call("waits_for_the_late_write", 1)}, limits);
  BOOST_REQUIRE(!r.calls[1].failure);
  BOOST_TEST(r.calls[1].outputs.at(0)[0] == 1.0);  // the thread did write, before the child ended
  BOOST_REQUIRE(!r.calls[0].failure);
  for (std::size_t i = 0; i < 4; ++i) BOOST_TEST(r.calls[0].outputs.at(0)[i] == 0.0);
}

BOOST_AUTO_TEST_CASE(after_a_crash_the_rest_of_its_group_is_skipped_and_others_run) {
  const RunReport r = run_library(
      lib, {call("segfault", 0), call("good", 0), call("good", 1), call("loops", 2), call("good", 2), call("good", 3)},
      limits);
  BOOST_TEST(verdict(r.calls[0]) == "crashed");
  BOOST_TEST(verdict(r.calls[1]) == "skipped");
  BOOST_TEST(verdict(r.calls[2]) == "returned");
  BOOST_TEST(verdict(r.calls[3]) == "timed_out");
  BOOST_TEST(verdict(r.calls[4]) == "skipped");
  BOOST_TEST(verdict(r.calls[5]) == "returned");
  BOOST_TEST(r.processes == 3);
}

BOOST_AUTO_TEST_CASE(missing_functions_and_non_libraries_are_load_errors) {
  const RunReport r = run_library(lib, {call("good", 0), call("no_such_function", 1)}, limits);
  BOOST_TEST(verdict(r.calls[0]) == "returned");
  BOOST_TEST(verdict(r.calls[1]) == "load_error");
  // With the functions it has (found by a TA helper: a C library exporting `sdpa` was asked
  // whether the function is declared extern "C").
  BOOST_TEST(r.calls[1].message.starts_with("the library has no function 'no_such_function'; the functions it has: "),
             r.calls[1].message);
  BOOST_TEST(contains(r.calls[1].message, "good"), r.calls[1].message);
  const auto text = write("libtext.so", "this is not a library\n");
  const RunReport t = run_library(text, {call("good", 0)}, limits);
  BOOST_TEST(verdict(t.calls[0]) == "load_error");
  BOOST_TEST(contains(t.calls[0].message, "the library could not be loaded: libtext.so: "), t.calls[0].message);
  const RunReport none = run_library(path() / "libnothing.so", {call("good", 0)}, limits);
  BOOST_TEST(verdict(none.calls[0]) == "load_error");
}

// The functions a library has are read from its section headers, which the loader never
// reads: a student's library loads with headers that lie, and the runner must read none of
// their offsets, sizes or links blindly. Each lie still leaves a loadable library whose other
// functions run; the function it lacks is said to be missing, without a list read from garbage.
BOOST_AUTO_TEST_CASE(a_library_whose_section_headers_lie_is_told_only_the_function_it_lacks) {
  const std::string image = read_file(lib);
  Elf64_Ehdr eh{};
  std::memcpy(&eh, image.data(), sizeof eh);
  BOOST_REQUIRE(eh.e_shoff + eh.e_shnum * sizeof(Elf64_Shdr) <= image.size());
  const auto header_at = [&](int i) { return eh.e_shoff + i * sizeof(Elf64_Shdr); };
  int dynsym = -1;
  Elf64_Shdr sym{};
  for (int i = 0; i < eh.e_shnum && dynsym < 0; ++i) {
    std::memcpy(&sym, image.data() + header_at(i), sizeof sym);
    if (sym.sh_type == SHT_DYNSYM) dynsym = i;
  }
  BOOST_REQUIRE(dynsym >= 0);
  Elf64_Shdr str{};
  std::memcpy(&str, image.data() + header_at(sym.sh_link), sizeof str);

  const auto lying = [&](const std::string& name, std::uint64_t at, const auto& value) {
    std::string copy = image;
    std::memcpy(copy.data() + at, &value, sizeof value);
    return write("lie-" + name + "/libsolution.so", copy);
  };
  const std::uint64_t huge = 0xfffffffffffff000ull;
  const std::uint16_t no_section = 0xfffe;
  const std::uint32_t past_the_sections = eh.e_shnum + 3;
  const std::uint64_t one_byte = 1;
  const std::vector<std::filesystem::path> liars{
      lying("e_shoff", offsetof(Elf64_Ehdr, e_shoff), huge),
      lying("e_shnum", offsetof(Elf64_Ehdr, e_shnum), no_section),
      lying("sh_offset", header_at(dynsym) + offsetof(Elf64_Shdr, sh_offset), huge),
      lying("sh_size", header_at(dynsym) + offsetof(Elf64_Shdr, sh_size), huge),
      lying("sh_link", header_at(dynsym) + offsetof(Elf64_Shdr, sh_link), past_the_sections),
      lying("strings", header_at(sym.sh_link) + offsetof(Elf64_Shdr, sh_size), one_byte),
      lying("strings-offset", header_at(sym.sh_link) + offsetof(Elf64_Shdr, sh_offset), image.size() - 1),
  };
  for (const auto& liar : liars) {
    BOOST_TEST_CONTEXT(liar.parent_path().filename()) {
      const RunReport r = run_library(liar, {call("good", 0), call("no_such_function", 1)}, limits);
      BOOST_TEST(verdict(r.calls[0]) == "returned");
      BOOST_TEST(verdict(r.calls[1]) == "load_error");
      BOOST_TEST(r.calls[1].message == "the library has no function 'no_such_function'");
    }
  }
}

BOOST_AUTO_TEST_CASE(an_exception_escaping_cpp_is_reported_with_its_text) {
  const auto cpp = build_library(path(), "throws", R"(
#include <grader/solution.h>
#include <new>
#include <stdexcept>
#include <vector>
extern "C" int boom(const grader_tensor*, int, grader_tensor*, int, char*, size_t) {
  throw std::runtime_error("d_k must be positive");
}
int plain_cpp(const grader_tensor*, int, grader_tensor*, int, char*, size_t) { return 0; }
extern "C" int hog(const grader_tensor*, int, grader_tensor*, int, char*, size_t) {
  std::vector<std::vector<char>> blocks;
  for (int i = 0; i < 64; ++i) blocks.emplace_back(std::size_t(256) << 20, 1);  // 16 GiB
  return 0;
}
)",
                                 Language::cxx);
  // Page faults are slow on small machines (about 300 MB/s on ours): time enough to hit the
  // memory limit before the wall clock.
  limits.call_seconds = 20;
  limits.memory_bytes = 512ull << 20;
  const RunReport r = run_library(cpp, {call("boom", 0), call("hog", 1), call("plain_cpp", 2)}, limits);
  BOOST_TEST(verdict(r.calls[0]) == "threw");
  BOOST_TEST(r.calls[0].message == "an exception escaped the function: d_k must be positive");
  BOOST_TEST(verdict(r.calls[1]) == "out_of_memory");
  // A function not declared extern "C": its C++ name is found, and the fix said.
  BOOST_TEST(verdict(r.calls[2]) == "load_error");
  BOOST_TEST(r.calls[2].message.starts_with("the library has no function 'plain_cpp': it has plain_cpp as a C++ "
                                            "function (_Z9plain_cpp"),
             r.calls[2].message);
  BOOST_TEST(contains(r.calls[2].message, "declared extern \"C\": declare it so"), r.calls[2].message);
}

BOOST_AUTO_TEST_CASE(static_constructors_are_confined_and_timed) {
  const auto stuck = build_library(path(), "stuck", R"(
#include <grader/solution.h>
__attribute__((constructor)) static void never_returns(void) { for (volatile int i = 0;; ++i) {} }
int good(const grader_tensor* in, int n, grader_tensor* out, int m, char* e, size_t s) { return 0; }
)");
  const RunReport r = run_library(stuck, {call("good", 0), call("good", 1)}, limits);
  BOOST_TEST(verdict(r.calls[0]) == "timed_out");
  BOOST_TEST(contains(r.calls[0].message, "while the library was loading"));
  BOOST_TEST(verdict(r.calls[1]) == "timed_out");
  BOOST_TEST(r.processes == 1);  // a library that cannot load is not retried

  // A constructor may open files for reading (the loader needs to), but Landlock confines it
  // to system libraries and the library's own folder: the spec stays out of reach.
  const auto snoop = build_library(path(), "snoop", R"(
#include <grader/solution.h>
#include <fcntl.h>
static double opened = -2;
__attribute__((constructor)) static void snoop(void) { opened = open(SPEC_PATH, O_RDONLY); }
int seen(const grader_tensor* in, int n, grader_tensor* out, int m, char* e, size_t s) {
  out[0].data[0] = opened; return 0;
}
)",
                                   Language::c, "-DSPEC_PATH='\"" GRADER_SOURCE_DIR "/specs/attention-basics.yaml\"'");
  const RunReport s = run_library(snoop, {call("seen", 0)}, limits);
  BOOST_REQUIRE(!s.calls[0].failure);
  BOOST_TEST(s.calls[0].outputs[0][0] == -1.0);  // open() failed

  // Nor may it make the kernel signal the grader (signal-driven I/O on the status pipe).
  const auto owner = build_library(path(), "owner", R"(
#define _GNU_SOURCE
#include <grader/solution.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
__attribute__((constructor)) static void own_the_pipe(void) {
  fcntl(5, F_SETOWN, getppid());
  fcntl(5, F_SETSIG, SIGKILL);
  fcntl(5, F_SETFL, O_ASYNC);
}
int seen(const grader_tensor* in, int n, grader_tensor* out, int m, char* e, size_t s) { return 0; }
)");
  const RunReport o = run_library(owner, {call("seen", 0)}, limits);
  BOOST_TEST(verdict(o.calls[0]) == "forbidden", o.calls[0].message);
  BOOST_TEST(contains(o.calls[0].message, "'fcntl'"), o.calls[0].message);
  BOOST_TEST(contains(o.calls[0].message, "while the library was loading"), o.calls[0].message);
}

BOOST_AUTO_TEST_CASE(one_hostile_library_does_not_affect_the_next_student) {
  attack("kills_grader");
  const auto other = build_library(path(), "other", R"(
#include <grader/solution.h>
int good(const grader_tensor* in, int n, grader_tensor* out, int m, char* e, size_t s) {
  for (int i = 0; i < 4; ++i) out[0].data[i] = in[0].data[i] + 1;
  return 0;
}
)");
  const RunReport r = run_library(other, {call("good", 0)}, limits);
  BOOST_REQUIRE(!r.calls[0].failure);
  BOOST_TEST(r.calls[0].outputs[0][3] == 5.0);
}

BOOST_AUTO_TEST_SUITE_END()
