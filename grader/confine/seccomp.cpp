// The seccomp filters of each kind of confined process.
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "confine.hpp"
#include "grader/protocol.hpp"

namespace confine {

namespace {

constexpr std::uint64_t kNamespaceFlags =
    CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;

/// Stands for the process's own pid in a compiled filter, replaced when it is installed: a
/// zygote compiles once for children whose pids it cannot know. Above any pid (PID_MAX_LIMIT
/// is 2^22), so it matches nothing else.
constexpr std::uint32_t kOwnPid = 0x7a11ed01;

using Program = std::vector<sock_filter>;

class Filter {
 public:
  /// A filter built with libseccomp and exported as a program; install_filter() loads it.
  explicit Filter(std::uint32_t default_action) : ctx_(seccomp_init(default_action)) {
    if (!ctx_) throw SetupError("seccomp_init failed");
  }
  ~Filter() { seccomp_release(ctx_); }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  Filter& allow(std::initializer_list<const char*> names) {
    for (const char* name : names) rule(SCMP_ACT_ALLOW, name, {});
    return *this;
  }
  Filter& allow_if(const char* name, std::initializer_list<scmp_arg_cmp> cmp) {
    return rule(SCMP_ACT_ALLOW, name, cmp);
  }
  Filter& fail_with(int error, std::initializer_list<const char*> names) {
    for (const char* name : names) rule(SCMP_ACT_ERRNO(static_cast<std::uint32_t>(error)), name, {});
    return *this;
  }
  Filter& fail_if(int error, const char* name, std::initializer_list<scmp_arg_cmp> cmp) {
    return rule(SCMP_ACT_ERRNO(static_cast<std::uint32_t>(error)), name, cmp);
  }

  /// The BPF program libseccomp generates, as the kernel takes it.
  Program program() {
    const int fd = memfd_create("grader-seccomp", MFD_CLOEXEC);
    if (fd < 0) throw SetupError(std::string("seccomp: memfd_create: ") + std::strerror(errno));
    Program out;
    const off_t size = seccomp_export_bpf(ctx_, fd) == 0 ? lseek(fd, 0, SEEK_END) : -1;
    if (size > 0 && size % static_cast<off_t>(sizeof(sock_filter)) == 0) {
      out.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
      if (pread(fd, out.data(), static_cast<std::size_t>(size), 0) != size) out.clear();
    }
    close(fd);
    if (out.empty()) throw SetupError("seccomp: the filter could not be compiled");
    return out;
  }

 private:
  scmp_filter_ctx ctx_;

  Filter& rule(std::uint32_t action, const char* name, std::initializer_list<scmp_arg_cmp> cmp) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return *this;  // not on this architecture
    const int rc = seccomp_rule_add_array(ctx_, action, nr, static_cast<unsigned>(cmp.size()), cmp.begin());
    if (rc != 0) throw SetupError(std::string("seccomp rule for ") + name + ": " + std::strerror(-rc));
    return *this;
  }
};

scmp_datum_t datum(long v) { return static_cast<scmp_datum_t>(v); }

/// Memory, threads, clocks and signals to itself: what computing needs, in every policy.
void allow_computing(Filter& f) {
  f.allow({"read",
           "write",
           "readv",
           "writev",
           "pread64",
           "close",
           "fstat",
           "newfstatat",
           "lseek",
           "mmap",
           "munmap",
           "mprotect",
           "mremap",
           "madvise",
           "brk",
           "futex",
           "rt_sigaction",
           "rt_sigprocmask",
           "rt_sigreturn",
           "sigaltstack",
           "exit",
           "exit_group",
           "getpid",
           "getppid",
           "gettid",
           "getuid",
           "geteuid",
           "getgid",
           "getegid",
           "clock_gettime",
           "clock_getres",
           "clock_nanosleep",
           "nanosleep",
           "gettimeofday",
           "time",
           "sched_yield",
           "getrandom",
           "sched_getaffinity",
           "set_robust_list",
           "get_robust_list",
           "rseq",
           "getrusage",
           "membarrier",
           "mbind",
           "get_mempolicy",
           "set_mempolicy",
           "restart_syscall"});
  // Limits and signals of itself only: never of another process (other students' runners,
  // the grader). Nor SIGKILL: a child ended by it was then killed from outside (the OOM killer,
  // a person), which the grader tells apart from the child's own doing (sandbox.md). Its limits
  // are read, never set: a CPU limit lowered to 1 s made the kernel send that SIGKILL, and a
  // hand-in that would fail was a grader failure, which stopped its class's gradebook (found
  // by a hostile-student helper).
  f.allow_if("prlimit64", {SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A2(SCMP_CMP_EQ, 0)});
  f.allow_if("tgkill", {SCMP_A0(SCMP_CMP_EQ, kOwnPid), SCMP_A2(SCMP_CMP_NE, SIGKILL)});
  f.allow_if("kill", {SCMP_A0(SCMP_CMP_EQ, kOwnPid), SCMP_A1(SCMP_CMP_NE, SIGKILL)});
  // Threads, but no processes; clone3 cannot be inspected, so glibc is told to fall back.
  f.allow_if("clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD | kNamespaceFlags, CLONE_THREAD)});
  f.fail_with(ENOSYS, {"clone3"});
  // isatty() on stdout, and nothing else of ioctl (no TIOCSTI).
  f.allow_if("ioctl", {SCMP_A1(SCMP_CMP_EQ, TCGETS)});
}

/// fcntl without the commands that reach other processes (F_SETOWN makes the kernel signal
/// one) or other runs (locks).
void allow_plain_fcntl(Filter& f) {
  for (const int cmd : {F_GETFD, F_SETFD, F_GETFL, F_DUPFD, F_DUPFD_CLOEXEC, F_GET_SEALS})
    f.allow_if("fcntl", {SCMP_A1(SCMP_CMP_EQ, datum(cmd))});
  // F_SETFL, but never O_ASYNC (signal-driven I/O).
  f.allow_if("fcntl", {SCMP_A1(SCMP_CMP_EQ, F_SETFL), SCMP_A2(SCMP_CMP_MASKED_EQ, O_ASYNC, 0)});
}

Program library_loading() {
  Filter f(SCMP_ACT_TRAP);
  allow_computing(f);
  allow_plain_fcntl(f);
  // dlopen and static constructors: read-only opens and what the loader looks at.
  f.allow_if("openat", {SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY)});
  f.allow({"access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents64", "uname", "sysinfo", "getcwd",
           "statfs", "fstatfs", "statx", "seccomp"});
  f.allow_if("sched_setaffinity", {SCMP_A0(SCMP_CMP_EQ, 0)});
  return f.program();
}

Program library_computing() {
  Filter f(SCMP_ACT_TRAP);
  allow_computing(f);
  return f.program();
}

Program python() {
  Filter f(SCMP_ACT_TRAP);  // reported, then failed with EPERM (report_forbidden_calls)
  allow_computing(f);
  allow_plain_fcntl(f);
  // Files: which ones is for the view and Landlock to decide.
  f.allow({"open",       "openat",          "creat",     "stat",       "lstat",      "statx",     "access",
           "faccessat",  "faccessat2",      "readlink",  "readlinkat", "getdents64", "getcwd",    "chdir",
           "fchdir",     "mkdir",           "mkdirat",   "rmdir",      "unlink",     "unlinkat",  "rename",
           "renameat",   "renameat2",       "ftruncate", "fsync",      "fdatasync",  "fallocate", "fadvise64",
           "pwrite64",   "preadv",          "pwritev",   "dup",        "dup2",       "dup3",      "pipe",
           "pipe2",      "umask",           "fchmod",    "chmod",      "fchmodat",   "utimensat", "statfs",
           "fstatfs",    "copy_file_range", "sendfile",  "getxattr",   "lgetxattr",  "fgetxattr", "listxattr",
           "llistxattr", "flistxattr",      "uname",     "sysinfo",    "times",      "poll",      "ppoll",
           "select",     "pselect6",        "getpgrp",   "getpgid",    "getsid",     "getgroups", "getresuid",
           "getresgid",  "getitimer",       "setitimer", "alarm",      "eventfd2"});
  // No POSIX timers: one may signal SIGKILL (the kernel takes any signal a timer names), and
  // seccomp cannot read the signal a timer_create names. setitimer and alarm signal SIGALRM.
  f.allow_if("ioctl", {SCMP_A1(SCMP_CMP_EQ, FIONREAD)});
  f.allow_if("ioctl", {SCMP_A1(SCMP_CMP_EQ, FIOCLEX)});
  // A new process fails plainly (os.fork and subprocess raise PermissionError, os.system
  // returns -1): posix_spawn blocks every signal around its clone, and a trapped call with
  // SIGSYS blocked would kill the child instead of failing one cell.
  f.fail_if(EPERM, "clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)});
  f.fail_with(EPERM, {"fork", "vfork"});
  // Memory in a file of its own: nothing counts it against the child's address space (48
  // unmapped memfds held 3 GiB beyond a 4 GiB limit), and the OOM killer would pick another.
  f.fail_with(EPERM, {"memfd_create"});
  f.allow_if("sched_setaffinity", {SCMP_A0(SCMP_CMP_EQ, 0)});
  return f.program();
}

Program compiler(bool contained) {
  Filter f(SCMP_ACT_ALLOW);
  f.fail_with(EPERM, {"socket",
                      "socketpair",
                      "connect",
                      "bind",
                      "listen",
                      "accept",
                      "accept4",
                      "ptrace",
                      "process_vm_readv",
                      "process_vm_writev",
                      "setsid",
                      "setpgid",
                      "unshare",
                      "setns",
                      "mount",
                      "umount2",
                      "pivot_root",
                      "chroot",
                      "move_mount",
                      "open_tree",
                      "fsopen",
                      "fsmount",
                      "fsconfig",
                      "fspick",
                      "mount_setattr",
                      "keyctl",
                      "add_key",
                      "request_key",
                      "bpf",
                      "perf_event_open",
                      "io_uring_setup",
                      "io_uring_enter",
                      "io_uring_register",
                      "userfaultfd",
                      "kexec_load",
                      "kexec_file_load",
                      "init_module",
                      "finit_module",
                      "delete_module",
                      "pidfd_open",
                      "pidfd_getfd",
                      "kcmp",
                      "move_pages",
                      "migrate_pages",
                      "syslog",
                      "quotactl",
                      "swapon",
                      "swapoff",
                      "reboot",
                      "acct",
                      "settimeofday",
                      "clock_settime",
                      "adjtimex",
                      "clock_adjtime",
                      "msgget",
                      "semget",
                      "shmget",
                      "name_to_handle_at",
                      "open_by_handle_at",
                      "lookup_dcookie",
                      "vhangup",
                      "iopl",
                      "ioperm",
                      "mknod",
                      "mknodat",
                      "ioprio_set",
                      "personality",
                      "setpriority",
                      "flock",
                      "fanotify_init",
                      "inotify_init",
                      "inotify_init1"});
  f.fail_with(ENOSYS, {"clone3"});
  // No namespaces from clone either (clone3 falls back to clone, which can be inspected).
  for (const std::uint64_t flag :
       {CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP})
    f.fail_if(EPERM, "clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)});
  // Limits and scheduling of no process but the caller's own (0).
  for (const char* name : {"prlimit64", "sched_setaffinity", "sched_setscheduler", "sched_setparam", "sched_setattr"})
    f.fail_if(EPERM, name, {SCMP_A0(SCMP_CMP_NE, 0)});
  for (const int cmd :
       {F_SETOWN, F_SETOWN_EX, F_SETSIG, F_SETLEASE, F_NOTIFY, F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW})
    f.fail_if(EPERM, "fcntl", {SCMP_A1(SCMP_CMP_EQ, datum(cmd))});
  f.fail_if(EPERM, "ioctl", {SCMP_A1(SCMP_CMP_EQ, TIOCSTI)});
  // Inside its own PID namespace a signal reaches only the build's own processes.
  if (!contained)
    f.fail_with(EPERM, {"kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal"});
  else
    f.fail_with(EPERM, {"pidfd_send_signal"});
  return f.program();
}

int g_status_fd = -1;

/// Reports the system call the filter stopped, then dies of SIGSYS as if untrapped.
void on_sigsys(int, siginfo_t* info, void*) {
  grader::protocol::RecordHeader h{grader::protocol::kForbidden, 0, info->si_syscall, 0};
  [[maybe_unused]] const ssize_t n = write(g_status_fd, &h, sizeof h);
  raise(SIGSYS);  // the handler was reset on entry (SA_RESETHAND) and SIGSYS is not blocked
  _exit(128 + SIGSYS);
}

/// Reports the system call the filter stopped, and makes it fail with EPERM: the program goes
/// on (a Python cell gets a PermissionError).
void on_sigsys_deny(int, siginfo_t* info, void* context) {
  grader::protocol::RecordHeader h{grader::protocol::kForbidden, 0, info->si_syscall, 0};
  [[maybe_unused]] const ssize_t n = write(g_status_fd, &h, sizeof h);
  auto* uc = static_cast<ucontext_t*>(context);
#if defined(__x86_64__)
  uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#elif defined(__aarch64__)
  uc->uc_mcontext.regs[0] = static_cast<unsigned long long>(-EPERM);
#else
#error "set the return register of a trapped system call for this architecture"
#endif
}

Program compile(Policy policy, bool contained) {
  switch (policy) {
    case Policy::library_loading:
      return library_loading();
    case Policy::library_computing:
      return library_computing();
    case Policy::python:
      return python();
    case Policy::compiler:
      return compiler(contained);
  }
  throw SetupError("seccomp: unknown policy");
}

/// The places of kOwnPid in a program (the comparisons of kill's and tgkill's pid).
std::vector<std::size_t> own_pid_slots(const Program& program) {
  std::vector<std::size_t> slots;
  for (std::size_t i = 0; i < program.size(); ++i)
    if (program[i].code == (BPF_JMP | BPF_JEQ | BPF_K) && program[i].k == kOwnPid) slots.push_back(i);
  return slots;
}

struct Compiled {
  Policy policy;
  bool contained;
  Program program;
};
std::vector<Compiled> g_compiled;  // by prepare_filter(), in a zygote

}  // namespace

void prepare_filter(Policy policy, bool contained) noexcept {
  for (const auto& c : g_compiled)
    if (c.policy == policy && c.contained == contained) return;
  try {
    Program program = compile(policy, contained);
    g_compiled.push_back({policy, contained, std::move(program)});
  } catch (const std::exception&) {
    // install_filter() compiles it then, and reports what fails.
  }
}

void install_filter(Policy policy, bool contained) {
  Program program;
  for (const auto& c : g_compiled)
    if (c.policy == policy && c.contained == contained) program = c.program;
  if (program.empty()) program = compile(policy, contained);
  // Computing policies let a process signal itself only (kill and tgkill with its own pid;
  // libseccomp may share one comparison between both).
  const std::vector<std::size_t> slots = own_pid_slots(program);
  if (slots.empty() != (policy == Policy::compiler))
    throw SetupError("seccomp: the compiled filter does not compare pids as expected");
  for (const std::size_t i : slots) program[i].k = static_cast<std::uint32_t>(getpid());
  if (program.size() > BPF_MAXINSNS) throw SetupError("seccomp: the filter is too long");
  const sock_fprog fprog{static_cast<unsigned short>(program.size()), program.data()};
  // TSYNC: every thread, including those a static constructor started, takes the filter;
  // a positive result names a thread that could not.
  const long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog);
  if (rc > 0) throw SetupError("seccomp: thread " + std::to_string(rc) + " could not take the filter");
  if (rc < 0) throw SetupError(std::string("seccomp: ") + std::strerror(errno));
}

void report_forbidden_calls(int status_fd, bool deny_and_go_on) {
  g_status_fd = status_fd;
  struct sigaction sa {};
  sa.sa_sigaction = deny_and_go_on ? on_sigsys_deny : on_sigsys;
  sa.sa_flags = SA_SIGINFO | (deny_and_go_on ? 0 : SA_RESETHAND | SA_NODEFER);
  sigaction(SIGSYS, &sa, nullptr);
}

}  // namespace confine
