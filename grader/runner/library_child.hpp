#pragma once
/// The child that runs a student library's calls (protocol.hpp), forked by the library zygote.

#include <sys/types.h>

#include <string>
#include <vector>

#include "grader/protocol.hpp"

namespace runner {

/// Who a child becomes, decided by the zygote from the isolation it achieved.
struct ChildIdentity {
  uid_t uid = 0;                   ///< its user, when the zygote runs as root
  bool thread_limit = true;        ///< RLIMIT_NPROC counts only this child's tasks
  unsigned processes_besides = 1;  ///< tasks that share its count: itself (and the zygote)
  std::string no_thread_limit;     ///< why there is no thread limit
};

/// Confines the child (user, limits, Landlock, seccomp), loads the library from kCodeFd and
/// runs the plan's calls. Never returns.
[[noreturn]] void run_library_child(const grader::protocol::ChildRequest& request, const ChildIdentity& who);

}  // namespace runner
