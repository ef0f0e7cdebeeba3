#include "sandbox.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "library/protocol.hpp"

namespace runner {

namespace {

constexpr uid_t kNobody = 65534;

void set_limit(int resource, rlim_t soft, rlim_t hard) {
  const rlimit l{soft, hard};
  if (setrlimit(resource, &l) != 0)
    throw std::runtime_error(std::string("setrlimit: ") + std::strerror(errno));
}

/// Reports the system call the filter stopped, then dies of SIGSYS as if untrapped.
void on_sigsys(int, siginfo_t* info, void*) {
  grader::protocol::RecordHeader h{grader::protocol::kForbidden, 0, info->si_syscall, 0};
  [[maybe_unused]] const ssize_t n = write(grader::protocol::kStatusFd, &h, sizeof h);
  raise(SIGSYS);  // the handler was reset on entry (SA_RESETHAND) and SIGSYS is not blocked
  _exit(128 + SIGSYS);
}

class Filter {
 public:
  Filter() : ctx_(seccomp_init(SCMP_ACT_TRAP)) {
    if (!ctx_) throw std::runtime_error("seccomp_init failed");
    // Stacking the second filter needs the seccomp call without a new NO_NEW_PRIVS check.
    seccomp_attr_set(ctx_, SCMP_FLTATR_CTL_NNP, 0);
  }
  ~Filter() { seccomp_release(ctx_); }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  Filter& allow(const char* name) { return rule(SCMP_ACT_ALLOW, name, 0, nullptr); }

  Filter& allow_if(const char* name, scmp_arg_cmp cmp) { return rule(SCMP_ACT_ALLOW, name, 1, &cmp); }

  Filter& fail_with(const char* name, int error) {
    return rule(SCMP_ACT_ERRNO(static_cast<std::uint32_t>(error)), name, 0, nullptr);
  }

  void load() {
    if (seccomp_load(ctx_) != 0) throw std::runtime_error("seccomp_load failed");
  }

 private:
  scmp_filter_ctx ctx_;

  Filter& rule(std::uint32_t action, const char* name, unsigned n, const scmp_arg_cmp* cmp) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return *this;  // not on this architecture
    const int rc = n == 0 ? seccomp_rule_add(ctx_, action, nr, 0)
                          : seccomp_rule_add_array(ctx_, action, nr, n, cmp);
    if (rc != 0) throw std::runtime_error(std::string("seccomp rule for ") + name + " failed");
    return *this;
  }
};

/// What computing needs in both stages.
void allow_computing(Filter& f) {
  for (const char* name :
       {"read", "write", "writev", "close", "fstat", "newfstatat", "lseek", "mmap", "munmap",
        "mprotect", "mremap", "madvise", "brk", "futex", "rt_sigaction", "rt_sigprocmask",
        "rt_sigreturn", "sigaltstack", "exit", "exit_group", "getpid", "getppid", "gettid", "clock_gettime",
        "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "sched_yield",
        "getrandom", "sched_getaffinity", "set_robust_list", "rseq", "prlimit64", "getrusage",
        "membarrier", "mbind", "get_mempolicy", "set_mempolicy"})
    f.allow(name);
  // Signals only to itself, so that abort() and raise() still work.
  f.allow_if("tgkill", SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(getpid())));
  f.allow_if("kill", SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(getpid())));
  // Threads, but no processes; clone3 cannot be inspected, so glibc is told to fall back.
  f.allow_if("clone", SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
  f.fail_with("clone3", ENOSYS);
  // isatty() on stdout, and nothing else of ioctl (no TIOCSTI).
  f.allow_if("ioctl", SCMP_A1(SCMP_CMP_EQ, TCGETS));
}

}  // namespace

std::string confine_process(const Limits& limits, int parent_pid) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent_pid)
    throw std::runtime_error("the grader is gone");
  set_limit(RLIMIT_CORE, 0, 0);
  set_limit(RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes);
  set_limit(RLIMIT_NOFILE, limits.open_files, limits.open_files);
  set_limit(RLIMIT_AS, limits.memory_bytes, limits.memory_bytes);
  set_limit(RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1);
  std::string isolation;
  if (geteuid() == 0) {
    if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0)
      throw std::runtime_error(std::string("dropping to user nobody: ") + std::strerror(errno));
    isolation = "user nobody";
  } else {
    isolation = "user " + std::to_string(getuid());
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_DUMPABLE, 0) != 0)
    throw std::runtime_error("prctl failed");
  return isolation + ", no new privileges, rlimits (cpu " + std::to_string(limits.cpu_seconds) +
         " s, memory " + std::to_string(limits.memory_bytes >> 20) + " MiB, " +
         (limits.file_bytes == 0 ? std::string("no files") : "files up to " + std::to_string(limits.file_bytes >> 20) + " MiB") +
         ", no core)";
}

std::vector<int> open_readable(const std::vector<std::string>& paths) {
  std::vector<int> fds;
  for (const auto& path : paths) {
    const int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd >= 0) fds.push_back(fd);  // absent on this system: nothing to allow
  }
  return fds;
}

std::string restrict_files(const std::vector<int>& readable, const std::vector<int>& writable) {
  struct Closer {
    const std::vector<int>& fds;
    ~Closer() {
      for (int fd : fds) close(fd);
    }
  } close_readable{readable}, close_writable{writable};
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 1) return "no Landlock (kernel without it)";
  __u64 handled = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                  LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
                  LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
                  LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
                  LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
                  LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
                  LANDLOCK_ACCESS_FS_MAKE_SYM;
#ifdef LANDLOCK_ACCESS_FS_REFER
  if (abi >= 2) handled |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
  if (abi >= 3) handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
  landlock_ruleset_attr attr{};
  attr.handled_access_fs = handled;
  const int ruleset = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0));
  if (ruleset < 0) return "no Landlock (ruleset refused)";
  const auto allow = [&](int fd, __u64 file_rights, __u64 dir_rights) {
    struct stat st {};
    fstat(fd, &st);
    landlock_path_beneath_attr rule{};
    rule.allowed_access = (file_rights | (S_ISDIR(st.st_mode) ? dir_rights : 0)) & handled;
    rule.parent_fd = fd;
    syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
  };
  const __u64 read_file = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_EXECUTE;
  for (const int fd : readable) allow(fd, read_file, LANDLOCK_ACCESS_FS_READ_DIR);
  __u64 write_file = read_file | LANDLOCK_ACCESS_FS_WRITE_FILE;
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
  if (abi >= 3) write_file |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
  // A folder: everything inside it; a file (/dev/null): read and write.
  for (const int fd : writable) allow(fd, write_file, handled);
  const long rc = syscall(SYS_landlock_restrict_self, ruleset, 0);
  close(ruleset);
  if (rc != 0) return "no Landlock (restriction refused)";
  return "Landlock ABI " + std::to_string(abi) +
         (writable.empty() ? " (read-only: system libraries and the library's folder)"
                           : " (read: system folders; write: the build folder only)");
}

void install_loading_filter() {
  struct sigaction sa {};
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
  sigaction(SIGSYS, &sa, nullptr);
  Filter f;
  allow_computing(f);
  // dlopen and static constructors: read-only opens and what the loader looks at.
  f.allow_if("openat", SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY));
  for (const char* name : {"pread64", "access", "faccessat", "faccessat2", "readlink",
                           "readlinkat", "getdents64", "uname", "sysinfo", "getcwd", "fcntl",
                           "statfs", "fstatfs", "statx", "seccomp", "getuid",
                           "geteuid", "getgid", "getegid", "sched_setaffinity"})
    f.allow(name);
  f.load();
}

void install_computing_filter() {
  Filter f;
  allow_computing(f);
  f.load();
}

}  // namespace runner
