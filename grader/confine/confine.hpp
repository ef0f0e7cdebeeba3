#pragma once
/// Confining a process that will run a student's code (docs/sandbox.md): used inside the
/// children the grader starts (the compiler's runner, the library zygote and its children, the
/// Python zygote through its C entry points), never inside the grader. Each step says what it
/// achieved, for the result; a step the machine does not offer degrades to the next layer
/// instead of failing, except where the grader asked for it outright.
///
/// The layers, outermost first: namespaces (user when not root, PID, mount, network, IPC) with
/// a minimal view of the file system; a user of its own per grading worker when started as
/// root; resource limits (memory, CPU, file size, descriptors, threads); Landlock (file access,
/// and signals and abstract sockets scoped to the process's own domain where the kernel has
/// it); seccomp filters.

#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace confine {

/// A step that was required could not be taken: the grader's fault, never the student's.
class SetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- Namespaces and the view of the file system -------------------------------------------

/// What enter_namespaces() achieved.
struct Namespaces {
  bool user = false;    ///< a user namespace (the way an ordinary user gets the others)
  bool pid = false;     ///< a PID namespace: the caller must fork; its child is process 1
  bool mount = false;   ///< a private mount namespace, for enter_view()
  bool net = false;     ///< no network at all
  bool ipc = false;     ///< no System V IPC shared with anyone
  std::string why_not;  ///< when none could be had

  std::string describe() const;
};

/// Unshares the user (when not root), PID (if `pid`), mount, network and IPC namespaces, and
/// makes every mount private. Without permission for namespaces (a rootless container, say)
/// it returns what it got, possibly nothing.
Namespaces enter_namespaces(bool pid);

/// The file system a confined process sees, built on an empty read-only root.
struct View {
  /// Host paths visible read-only at the same place (missing ones are skipped). A path that
  /// is a symbolic link on the host (/lib -> usr/lib on merged-/usr systems) becomes the same
  /// link.
  std::vector<std::string> read_only;
  /// A host folder visible read-write at `writable_at`.
  std::optional<std::string> writable;
  std::string writable_at = "/build";
  /// Character devices bound from the host: /dev/null and friends.
  std::vector<std::string> devices = {"/dev/null", "/dev/zero", "/dev/urandom"};
  /// A fresh /proc (needs the PID namespace).
  bool proc = false;
  /// Empty mount points for tmpfs a process mounts later (e.g. /scratch).
  std::vector<std::string> mount_points;
  /// A tmpfs /tmp of this many KiB (0: none).
  unsigned long tmp_kib = 0;
};

/// Builds the view in the private mount namespace and makes it the root (pivot_root), then
/// changes to `/`. Throws SetupError on failure.
void enter_view(const View& view);

/// Mounts a fresh, empty tmpfs of `kib` KiB at `where`, owned by `owner` (user and group),
/// replacing what was mounted there.
void fresh_tmpfs(const std::string& where, unsigned long kib, uid_t owner);

// ---- The process itself --------------------------------------------------------------------

/// Dies with its parent (checked against `parent`, 0 to skip), no new privileges, not dumpable.
void bind_to_parent(pid_t parent);

/// Resource limits. `threads` becomes RLIMIT_NPROC, which the kernel enforces only for an
/// unprivileged user (hence drop_privileges() first).
struct Limits {
  unsigned long long memory_bytes = 0;  ///< RLIMIT_AS; 0: unlimited
  unsigned cpu_seconds = 0;             ///< RLIMIT_CPU soft (hard one more); 0: unlimited
  unsigned long long file_bytes = 0;    ///< RLIMIT_FSIZE
  unsigned long long open_files = 64;   ///< RLIMIT_NOFILE
  unsigned long long processes = 0;     ///< RLIMIT_NPROC (threads count); 0: unchanged
};
/// Sets them; says which hold (and whether the process is the OOM killer's first choice).
std::string set_limits(const Limits& limits);

/// Keeps the capability to mount (CAP_SYS_ADMIN, held in the process's own user namespace)
/// across the next execve: an ordinary user's capabilities inside a user namespace are lost at
/// exec otherwise. For the Python zygote, which mounts each child's scratch folder.
void keep_mounting_across_exec();

/// As root: becomes `uid` (and its own group), with no supplementary groups. Otherwise drops
/// every capability (held inside a user namespace). Returns what it did.
std::string drop_privileges(uid_t uid);

// ---- Landlock ------------------------------------------------------------------------------

/// The Landlock ABI the kernel offers (0: none).
int landlock_abi();

/// The system's libraries and what loading them needs: readable by every confined child.
const std::vector<std::string>& system_paths();

/// Restricts file access to reading beneath `readable` and reading and writing beneath
/// `writable` (paths; missing ones are skipped), and, where the kernel has it (ABI 6), scopes
/// signals and abstract Unix sockets to this process's own domain. Returns what was achieved.
std::string restrict_files(const std::vector<std::string>& readable, const std::vector<std::string>& writable = {});

// ---- seccomp -------------------------------------------------------------------------------

enum class Policy {
  /// A library being loaded: computing, plus read-only opens for the loader and static
  /// constructors. Forbidden calls stop the process (SIGSYS, reported as a record).
  library_loading,
  /// A library's calls: memory, its own descriptors, threads, clocks; nothing else.
  library_computing,
  /// Python: files (Landlock and the view decide which), memory, threads; no processes,
  /// network, or signals to others. Forbidden calls trap (report_forbidden_calls with
  /// deny_and_go_on), so that one cell fails and the notebook goes on.
  python,
  /// The compiler: everything a build needs, including starting processes, but no network,
  /// no new sessions or process groups, no namespaces, no tracing, no signals or limits for
  /// processes outside its own PID namespace (`contained`) or at all (not `contained`).
  compiler,
};

/// Installs the policy's filter on every thread of the process (TSYNC). `contained`: the
/// process is in its own PID namespace. Throws SetupError if it cannot.
void install_filter(Policy policy, bool contained = false);

/// Compiles the policy's filter now, for the processes this one forks: their install_filter()
/// then only writes their own pid into it and loads it (compiling takes a child about 10 ms
/// of its life). A zygote calls it once, before serving; if it fails, install_filter()
/// compiles and reports the failure itself.
void prepare_filter(Policy policy, bool contained = false) noexcept;

/// Installs the SIGSYS handler that reports a stopped system call as a record on `status_fd`,
/// then either lets the process die of SIGSYS, or (`deny_and_go_on`, for Policy::python) makes
/// the call fail with EPERM and lets the program go on.
void report_forbidden_calls(int status_fd, bool deny_and_go_on = false);

}  // namespace confine
