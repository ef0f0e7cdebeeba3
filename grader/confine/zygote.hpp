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
  uid_t uid = 0;                                         ///< the user children become when the zygote runs as root
  bool scratch = false;  ///< mount a fresh /scratch tmpfs for each child that asks for one
};

/// Sends the grader the zygote's readiness and the isolation it achieved.
void announce_ready(const std::string& isolation);

/// A request received, with its descriptors.
struct Request {
  grader::protocol::ChildRequest header{};
  int fds[5] = {-1, -1, -1, -1, -1};  ///< plan, outputs, status, capture, code
};

/// Waits for the next valid request (refusing malformed ones, and preparing the child's
/// scratch folder); exits the process when the grader hangs up.
Request next_request(const ZygoteConfig& config);

/// In the new child: the request's descriptors at their protocol numbers (protocol::kPlanFd
/// ... kCodeFd, stdout and stderr to the capture pipe, stdin /dev/null), nothing else open;
/// the OOM killer's first choice (oom_score_adj 1000) where there is a /proc.
void arrange_child(const Request& request);

/// In the zygote, once `child` is forked (or not: -1): tells the grader its pidfd, closes the
/// request's descriptors, reaps the child and reports how it ended. Exits when the grader is
/// gone.
void report_child(const Request& request, pid_t child);

/// next_request(), fork, arrange_child() / report_child(), until the grader hangs up (then the
/// process exits). Returns only in a newly forked child, with its descriptors in place, not
/// yet confined beyond what the zygote itself was.
grader::protocol::ChildRequest serve(const ZygoteConfig& config);

}  // namespace confine
