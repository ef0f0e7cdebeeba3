// C entry points of the Python zygote (grader/python/zygote.py loads this library with
// ctypes): the same request loop and the same confinement as the library zygote's children,
// for a Python interpreter that has already imported numpy and torch.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "confine.hpp"
#include "grader/protocol.hpp"
#include "grader/suggest.hpp"
#include "zygote.hpp"

namespace p = grader::protocol;

namespace {

confine::ZygoteConfig g_config;
confine::Request g_pending;   // the request being forked for (zygote)
p::ChildRequest g_request{};  // the child's own request
std::string g_isolation;      // of the last confinement, or why it failed

/// What a Python child may read: the system (with the Python installation), Python's and
/// matplotlib's settings, /proc, the matplotlib cache, the grader's Python files, and
/// /dev/urandom (which torch reads to seed itself when a notebook imports it in its child).
std::vector<std::string> readable() {
  std::vector<std::string> paths = confine::system_paths();
  paths.insert(paths.end(), {"/etc/python3", "/etc/matplotlibrc", "/proc", "/cache", "/dev/urandom"});
  if (const char* dir = std::getenv("GRADER_PYTHON_DIR")) paths.emplace_back(dir);
  return paths;
}

}  // namespace

extern "C" {

/// Announces the zygote ready to the grader, with what it achieved and imported.
void grader_python_ready(const char* isolation) { confine::announce_ready(isolation ? isolation : ""); }

/// Waits for the next request (the process exits when the grader hangs up); then
/// grader_python_fork() makes its child. `uid`: the children's user when the zygote is root.
void grader_python_next(unsigned uid) {
  g_config.kind = p::kPythonChild;
  g_config.uid = static_cast<uid_t>(uid);
  g_config.scratch = true;
  g_pending = confine::next_request(g_config);
}

/// Forks the child for the pending request. Returns 0 in the child, its descriptors in place
/// (protocol.hpp) and nothing else open; in the zygote, reports the child to the grader, reaps
/// it, reports how it ended, and returns its pid (-1 when fork failed, also reported).
///
/// fork(2) itself, not os.fork(): the zygote holds one thread (grader_python_prepare() checks)
/// and runs no Python code between its requests, so the child's interpreter is consistent as
/// it is, and what os.fork() adds is Python's after-fork handlers (threading's new locks,
/// logging's, random's reseeding), which cost a child about 250 page faults (7 ms here) to
/// repair nothing: each child seeds random, numpy and torch itself before its notebook runs.
/// The caller holds the GIL (the library is loaded with ctypes.PyDLL), in the child as well.
int grader_python_fork() {
  const pid_t pid = fork();
  if (pid == 0) {
    g_request = g_pending.header;
    confine::arrange_child(g_pending);
    return 0;
  }
  confine::report_child(g_pending, pid);
  return pid;
}

/// Confines the child: its user, limits, files, system calls. Returns 0, or -1 with the reason
/// in grader_python_isolation(). `thread_limit`: RLIMIT_NPROC counts this child alone;
/// `besides`: tasks sharing its count (itself, and the zygote in a user namespace).
int grader_python_confine(unsigned uid, int thread_limit, unsigned besides) {
  try {
    g_isolation = confine::drop_privileges(static_cast<uid_t>(uid));
    confine::bind_to_parent(0);
    confine::Limits limits;
    limits.memory_bytes = g_request.memory_bytes;
    limits.cpu_seconds = g_request.cpu_seconds;
    limits.file_bytes = g_request.file_bytes;
    limits.open_files = 256;
    if (thread_limit) limits.processes = g_request.threads + besides;
    g_isolation += "; " + confine::set_limits(limits);
    if (!thread_limit) g_isolation += " (no thread limit: an ordinary user without user namespaces)";
    struct stat st {};
    std::vector<std::string> writable = {"/dev/null"};
    if (stat("/scratch", &st) == 0) writable.emplace_back("/scratch");
    g_isolation += "; " + confine::restrict_files(readable(), writable);
    confine::report_forbidden_calls(p::kStatusFd, true);
    confine::install_filter(confine::Policy::python);
    g_isolation += "; seccomp allow-list (other calls fail with EPERM)";
    return 0;
  } catch (const std::exception& e) {
    g_isolation = e.what();
    return -1;
  }
}

/// In the zygote, once, before it forks any child: compiles the children's seccomp filter.
/// Returns the zygote's number of threads, which must be 1 for grader_python_fork().
int grader_python_prepare() {
  confine::prepare_filter(confine::Policy::python);
  int threads = 0;
  if (DIR* tasks = opendir("/proc/self/task")) {
    while (const dirent* entry = readdir(tasks))
      if (entry->d_name[0] != '.') ++threads;
    closedir(tasks);
  }
  return threads;
}

/// The isolation the last grader_python_confine() achieved, or why it failed.
const char* grader_python_isolation() { return g_isolation.c_str(); }

/// The request's scratch size in KiB (0: none) and CPU seconds, for the child's own use.
unsigned grader_python_request_scratch_kib() { return g_request.scratch_kib; }

/// The grader's "; did you mean 'x'?" (grader/suggest.hpp), or "", for `word` among
/// `candidates` (names, one per line), written to `out` (`size` bytes, cut to fit): for a
/// NameError in a notebook, by the rule that suggests a misspelt answer's name.
void grader_python_did_you_mean(const char* word, const char* candidates, char* out, std::size_t size) {
  if (size == 0) return;
  out[0] = '\0';
  try {
    std::vector<std::string> names;
    for (const char* at = candidates; *at;) {
      const char* end = std::strchr(at, '\n');
      if (!end) end = at + std::strlen(at);
      names.emplace_back(at, end);
      at = *end ? end + 1 : end;
    }
    const std::string text = grader::did_you_mean(word, names);
    std::strncpy(out, text.c_str(), size - 1);
    out[size - 1] = '\0';
  } catch (const std::exception&) {  // out of memory: no suggestion
  }
}

}  // extern "C"
