#pragma once
/// Confining the runner before and after it loads a student's library (see
/// ../shared/SANDBOX.md and docs/solution-abi.md): resource limits, a dedicated user when
/// started as root, Landlock read-only access to what loading needs, and two seccomp filters.

#include <string>
#include <vector>

namespace runner {

struct Limits {
  unsigned long long memory_bytes;
  unsigned cpu_seconds;
  unsigned long long file_bytes = 0;  ///< largest file it may write (0: none)
  unsigned long long open_files = 64;
};

/// Dies with the parent, no new privileges, resource limits, and (as root) user "nobody".
/// Returns a description of what was achieved, for the result.
std::string confine_process(const Limits& limits, int parent_pid);

/// Opens (O_PATH) the folders and files the library may read, while the runner still has the
/// grader's privileges: the library's own folder may be reachable only by them.
std::vector<int> open_readable(const std::vector<std::string>& paths);

/// Restricts file access to reading beneath `readable` and reading and writing beneath
/// `writable` (both from open_readable), with Landlock if the kernel has it; closes the
/// descriptors. Returns what was achieved.
std::string restrict_files(const std::vector<int>& readable, const std::vector<int>& writable = {});

/// Installs the SIGSYS reporter and the first seccomp filter: what dlopen and static
/// constructors need (read-only opens), nothing that writes files, networks or starts
/// processes. Throws std::runtime_error if the filter cannot be installed.
void install_loading_filter();

/// The second, strict filter for the student's calls: memory, reading and writing the
/// descriptors it has, threads, clocks. Everything else stops the process with SIGSYS.
void install_computing_filter();

}  // namespace runner
