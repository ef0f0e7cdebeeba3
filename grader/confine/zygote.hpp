#pragma once
/// The zygote's side of the request socket (grader/include/grader/protocol.hpp): it waits for
/// requests, forks one child per request, tells the grader the child's pidfd, reaps it and
/// reports its exit status and resource use. Shared by the library zygote (grader-runner) and
/// the Python zygote (through its C entry points).

#include <sys/types.h>

#include <string>

#include "grader/protocol.hpp"

namespace confine {

struct ZygoteConfig {
  std::uint32_t kind = grader::protocol::kLibraryChild;  ///< the only kind it serves
  uid_t uid = 0;             ///< the user children become when the zygote runs as root
  bool scratch = false;      ///< mount a fresh /scratch tmpfs for each child that asks for one
};

/// Sends the grader the zygote's readiness and the isolation it achieved.
void announce_ready(const std::string& isolation);

/// Serves requests on kZygoteFd until the grader hangs up, then exits the process. Returns
/// only in a newly forked child, with its descriptors in place (protocol::kPlanFd ... kCodeFd,
/// stdout and stderr to the capture pipe, stdin /dev/null, nothing else open), not yet
/// confined beyond what the zygote itself was.
grader::protocol::ChildRequest serve(const ZygoteConfig& config);

}  // namespace confine
