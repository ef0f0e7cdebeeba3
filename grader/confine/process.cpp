// The confined process itself: its parent, its limits, its user and capabilities.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "confine.hpp"

namespace confine {

namespace {

[[noreturn]] void fail(const std::string& what) { throw SetupError(what + ": " + std::strerror(errno)); }

void set_limit(int resource, rlim_t soft, rlim_t hard, const char* name) {
  const rlimit l{soft, hard};
  if (setrlimit(resource, &l) == 0) return;
  rlimit own{};
  if (errno == EPERM && getrlimit(resource, &own) == 0 && own.rlim_max != RLIM_INFINITY && own.rlim_max < hard)
    throw SetupError(std::string("setting ") + name + " to " + std::to_string(hard) +
                     ": the grader was started with a lower hard limit (" + std::to_string(own.rlim_max) +
                     "; ulimit -H -a shows them): start it without that limit, or with one above the spec's");
  fail(std::string("setting ") + name);
}

std::string mib(unsigned long long bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

void bind_to_parent(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("PR_SET_PDEATHSIG");
  if (parent != 0 && getppid() != parent) throw SetupError("the grader is gone");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("PR_SET_NO_NEW_PRIVS");
  if (prctl(PR_SET_DUMPABLE, 0) != 0) fail("PR_SET_DUMPABLE");
}

std::string set_limits(const Limits& limits) {
  set_limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
  set_limit(RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes, "RLIMIT_FSIZE");
  set_limit(RLIMIT_NOFILE, limits.open_files, limits.open_files, "RLIMIT_NOFILE");
  std::string out = "limits: ";
  if (limits.memory_bytes > 0) {
    set_limit(RLIMIT_AS, limits.memory_bytes, limits.memory_bytes, "RLIMIT_AS");
    out += "memory " + mib(limits.memory_bytes) + ", ";
  }
  if (limits.cpu_seconds > 0) {
    set_limit(RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1, "RLIMIT_CPU");
    out += "CPU " + std::to_string(limits.cpu_seconds) + " s, ";
  }
  if (limits.processes > 0) {
    set_limit(RLIMIT_NPROC, limits.processes, limits.processes, "RLIMIT_NPROC");
    out += std::to_string(limits.processes) + " processes and threads, ";
  }
  out += limits.file_bytes == 0 ? std::string("no files written") : "files up to " + mib(limits.file_bytes);
  out += ", no core dumps";
  // Set by the zygote at the fork (arrange_child), and told where it holds.
  char adj[8] = {};
  if (const int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC); fd >= 0) {
    if (read(fd, adj, sizeof adj - 1) < 0) adj[0] = 0;
    close(fd);
  }
  return out + (std::string(adj) == "1000\n" ? ", the OOM killer's first choice" : "");
}

void keep_mounting_across_exec() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) fail("capget");
  data[CAP_TO_INDEX(CAP_SYS_ADMIN)].inheritable |= CAP_TO_MASK(CAP_SYS_ADMIN);
  if (syscall(SYS_capset, &header, data) != 0) fail("capset");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0) != 0) fail("keeping CAP_SYS_ADMIN");
}

std::string drop_privileges(uid_t uid) {
  const int death_signal = [] {
    int sig = 0;
    prctl(PR_GET_PDEATHSIG, &sig);
    return sig;
  }();
  std::string out;
  // Root, unless inside a user namespace that does not map the worker's user (a rootless
  // container): then, as for an ordinary user, every capability goes.
  if (geteuid() == 0 && setgroups(0, nullptr) == 0 && setresgid(uid, uid, uid) == 0) {
    if (setresuid(uid, uid, uid) != 0) fail("setresuid");
    // Not its number, which follows the worker's process id: the same hand-in gets the same
    // feedback, word for word, on every run.
    out = "a user of its own";
  } else {
    // Inside its user namespace the process holds every capability: give them all up.
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (syscall(SYS_capset, &header, data) != 0) fail("dropping capabilities");
    out = "the grader's user, no capabilities";
  }
  // A change of user clears the parent-death signal: set it again.
  if (death_signal != 0 && prctl(PR_SET_PDEATHSIG, death_signal) != 0) fail("PR_SET_PDEATHSIG");
  return out;
}

}  // namespace confine
