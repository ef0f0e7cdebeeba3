// grader-runner: the small program the grader execs to run what a student handed in, confined
// (docs/sandbox.md). Never started by hand:
//
//   grader-runner zygote library PARENT UID
//       the library zygote: the request socket on fd 3; forks one child per submission
//   grader-runner zygote python PARENT UID CACHE PYTHON MODULES
//       a Python zygote: confines itself as the library zygote does, then becomes the
//       interpreter PYTHON running grader/python/zygote.py (matplotlib's cache in CACHE),
//       which imports numpy and matplotlib, and torch as well when MODULES is `torch`
//   grader-runner compile PARENT UID SECONDS BUILD_DIR COMMAND
//       runs a student's build (COMMAND, through /bin/sh) in BUILD_DIR, confined
#include <dlfcn.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "confine.hpp"
#include "grader/protocol.hpp"
#include "library_child.hpp"
#include "zygote.hpp"

namespace p = grader::protocol;

namespace {

[[noreturn]] void setup_failed(const std::string& what) {
  std::fprintf(stderr, "grader-runner: cannot confine itself: %s\n", what.c_str());
  _exit(p::kExitSetupFailed);
}

/// After unsharing a PID namespace: forks. The parent waits for the child (process 1 of the
/// namespace), holding nothing, and ends as it ended; when either is killed the namespace
/// and everything in it dies. Returns in the child.
void fork_into_namespace() {
  const pid_t child = fork();
  if (child < 0) throw confine::SetupError(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) throw confine::SetupError("PR_SET_PDEATHSIG");
    return;
  }
  syscall(SYS_close_range, 3, ~0u, 0);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/// The system a build needs: compilers, headers, libraries, and the alternatives that name
/// them (cc -> gcc), nothing else of /etc.
std::vector<std::string> build_paths() {
  std::vector<std::string> paths = confine::system_paths();
  paths.erase(std::remove(paths.begin(), paths.end(), "/sys/devices/system/cpu"), paths.end());
  return paths;
}

[[noreturn]] void exec_build(const std::string& dir, const std::string& command) {
  if (chdir(dir.c_str()) != 0) setup_failed("chdir " + dir);
  std::string tmp = "TMPDIR=" + std::string(dir == "/build" ? "/tmp" : ".");
  char path[] = "PATH=/usr/local/bin:/usr/bin:/bin", lang[] = "LANG=C", home[] = "HOME=/nonexistent";
  char* envp[] = {path, lang, home, tmp.data(), nullptr};
  char sh[] = "sh", dash_c[] = "-c";
  char* args[] = {sh, dash_c, const_cast<char*>(command.c_str()), nullptr};
  execve("/bin/sh", args, envp);
  std::perror("grader-runner: /bin/sh");
  _exit(127);
}

/// Confines the build process itself: its user, limits, files, system calls.
void confine_build(uid_t uid, unsigned seconds, const std::vector<std::string>& readable,
                   const std::vector<std::string>& writable, bool contained) {
  // RLIMIT_NPROC counts every process of a user: only a user of its own (root's worker user,
  // or the user namespace's) makes it a limit of this build alone.
  const bool own_count = geteuid() == 0 || contained;
  confine::drop_privileges(uid);
  confine::bind_to_parent(0);
  confine::Limits limits;
  limits.memory_bytes = 4ull << 30;
  limits.cpu_seconds = seconds;
  limits.file_bytes = p::kMaxBuildFileBytes;
  limits.open_files = 256;
  limits.processes = own_count ? 128 : 0;
  confine::set_limits(limits);
  confine::restrict_files(readable, writable);
  confine::install_filter(confine::Policy::compiler, contained);
}

int compile(pid_t parent, uid_t uid, unsigned seconds, const std::string& build_dir, const std::string& command) {
  try {
    confine::bind_to_parent(parent);
    const confine::Namespaces ns = confine::enter_namespaces(true);
    if (!ns.pid) {
      // No namespaces here: the build's process group is all it may use (no setsid, no
      // setpgid), so the grader's kill of the group ends every process it started.
      std::vector<std::string> readable = build_paths();
      confine_build(uid, seconds, readable, {build_dir, "/dev/null"}, false);
      exec_build(build_dir, command);
    }
    fork_into_namespace();
    confine::View view;
    view.read_only = build_paths();
    view.writable = build_dir;
    view.writable_at = "/build";
    view.tmp_kib = 256 * 1024;
    confine::enter_view(view);
    const pid_t build = fork();
    if (build < 0) setup_failed("fork");
    if (build == 0) {
      confine_build(uid, seconds, {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"},
                    {"/build", "/tmp", "/dev/null"}, true);
      exec_build("/build", command);
    }
    // Process 1 of the namespace: reap, and end with the build; the kernel then kills
    // anything the build left behind.
    for (;;) {
      int status = 0;
      const pid_t done = wait(&status);
      if (done < 0 && errno == EINTR) continue;
      if (done < 0) _exit(p::kExitSetupFailed);
      if (done == build) _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
  } catch (const std::exception& e) {
    setup_failed(e.what());
  }
}

/// What the library zygote loads once, so that children need not: the libraries student
/// solutions link (OpenBLAS with one thread, by the environment the grader gives).
void preload() {
  for (const char* library : {"libstdc++.so.6", "libm.so.6", GRADER_ARMADILLO_LIBRARY})
    if (!dlopen(library, RTLD_NOW | RTLD_GLOBAL))
      std::fprintf(stderr, "grader-runner: preloading %s: %s\n", library, dlerror());
}

int zygote(pid_t parent, uid_t uid) {
  runner::ChildIdentity who;
  who.uid = uid;
  std::string isolation;
  try {
    confine::bind_to_parent(parent);
    const confine::Namespaces ns = confine::enter_namespaces(true);
    isolation = ns.describe();
    if (ns.pid) fork_into_namespace();
    preload();
    if (ns.mount) {
      confine::View view;
      view.read_only = confine::system_paths();
      view.proc = ns.pid;
      confine::enter_view(view);
      isolation += "; a file system of system libraries only";
    } else {
      isolation += "; the host's file system, limited by Landlock";
    }
    const bool root = geteuid() == 0;
    who.thread_limit = root || ns.user;
    who.processes_besides = root ? 1 : 2;  // in its user namespace, the zygote counts too
    if (!who.thread_limit) who.no_thread_limit = "an ordinary user without user namespaces";
  } catch (const std::exception& e) {
    setup_failed(e.what());
  }
  confine::prepare_filter(confine::Policy::library_loading);
  confine::prepare_filter(confine::Policy::library_computing);
  confine::announce_ready(isolation);
  confine::ZygoteConfig config;
  config.kind = p::kLibraryChild;
  config.uid = uid;
  const p::ChildRequest request = confine::serve(config);
  runner::run_library_child(request, who);
}

/// The Python zygote: namespaces and a view holding the system, the Python installation and
/// the grader's Python files; then the interpreter, which imports numpy and matplotlib (and
/// torch, when `modules` is "torch") and serves requests through grader_python_next() and
/// grader_python_fork() (confine/python_entry.cpp).
int python_zygote(pid_t parent, uid_t uid, const std::string& cache, const std::string& python,
                  const std::string& modules) {
  std::string isolation, matplotlib = cache + "/matplotlib";
  bool thread_limit = false;
  unsigned besides = 1;
  try {
    confine::bind_to_parent(parent);
    const confine::Namespaces ns = confine::enter_namespaces(true);
    isolation = ns.describe();
    if (ns.pid) fork_into_namespace();
    if (ns.mount) {
      confine::View view;
      view.read_only = confine::system_paths();
      for (const char* path : {"/etc/python3", "/etc/python3.11", "/etc/python3.12", "/etc/python3.13",
                               "/etc/matplotlibrc", "/etc/ssl/certs", GRADER_PYTHON_DIR, GRADER_CONFINE_DIR})
        view.read_only.emplace_back(path);
      view.writable = cache;
      view.writable_at = "/cache";
      view.proc = ns.pid;
      view.tmp_kib = 16 * 1024;
      view.mount_points = {"/scratch"};
      confine::enter_view(view);
      matplotlib = "/cache/matplotlib";
      isolation += "; a file system of the system and its Python only";
    } else {
      isolation += "; the host's file system, limited by Landlock";
    }
    const bool root = geteuid() == 0;
    thread_limit = root || ns.user;
    besides = root ? 1 : 2;  // in its user namespace, the zygote counts too
    if (ns.user) confine::keep_mounting_across_exec();
  } catch (const std::exception& e) {
    setup_failed(e.what());
  }
  std::vector<std::string> env = {"GRADER_CONFINE_LIBRARY=" GRADER_CONFINE_LIBRARY,
                                  "GRADER_PYTHON_DIR=" GRADER_PYTHON_DIR,
                                  "GRADER_UID=" + std::to_string(uid),
                                  "GRADER_ISOLATION=" + isolation,
                                  "GRADER_THREAD_LIMIT=" + std::string(thread_limit ? "1" : "0"),
                                  "GRADER_BESIDES=" + std::to_string(besides),
                                  "GRADER_TORCH=" + std::string(modules == "torch" ? "1" : "0"),
                                  "MPLCONFIGDIR=" + matplotlib,
                                  "MPLBACKEND=Agg",
                                  "OMP_NUM_THREADS=1",
                                  "OPENBLAS_NUM_THREADS=1",
                                  "MKL_NUM_THREADS=1",
                                  "LANG=C.UTF-8",
                                  "PATH=/usr/bin:/bin"};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string script = std::string(GRADER_PYTHON_DIR) + "/zygote.py";
  std::string interpreter = python;
  char isolated[] = "-I", no_bytecode[] = "-B";
  char* args[] = {interpreter.data(), isolated, no_bytecode, script.data(), nullptr};
  execve(python.c_str(), args, envp.data());
  std::fprintf(stderr, "grader-runner: cannot start %s: %s\n", python.c_str(), std::strerror(errno));
  _exit(p::kExitNoPython);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  if (args.size() == 5 && args[1] == "zygote" && args[2] == "library")
    return zygote(static_cast<pid_t>(std::atol(argv[3])), static_cast<uid_t>(std::atoll(argv[4])));
  if (args.size() == 8 && args[1] == "zygote" && args[2] == "python" && (args[7] == "numpy" || args[7] == "torch"))
    return python_zygote(static_cast<pid_t>(std::atol(argv[3])), static_cast<uid_t>(std::atoll(argv[4])), args[5],
                         args[6], args[7]);
  if (args.size() == 7 && args[1] == "compile")
    return compile(static_cast<pid_t>(std::atol(argv[2])), static_cast<uid_t>(std::atoll(argv[3])),
                   static_cast<unsigned>(std::max(1, std::atoi(argv[4]))), args[5], args[6]);
  std::fprintf(stderr, "grader-runner: started by the grader only (see docs/sandbox.md)\n");
  return 2;
}
