#include "zygote.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "confine.hpp"

namespace confine {

namespace p = grader::protocol;

namespace {

constexpr int kRequestFds = 5;  // plan, outputs, status, capture, code

bool send_reply(p::ZygoteReply reply, const std::string& text = "", int fd = -1) {
  reply.length = static_cast<std::uint32_t>(std::min<std::size_t>(text.size(), p::kMaxReplyText));
  char buffer[sizeof reply + p::kMaxReplyText];
  std::memcpy(buffer, &reply, sizeof reply);
  std::memcpy(buffer + sizeof reply, text.data(), reply.length);
  iovec io{buffer, sizeof reply + reply.length};
  msghdr msg{};
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  for (;;) {
    if (sendmsg(p::kZygoteFd, &msg, MSG_NOSIGNAL) >= 0) return true;
    if (errno != EINTR) return false;
  }
}

/// The next request and its descriptors; false when the grader has hung up.
bool receive(p::ChildRequest& request, int (&fds)[kRequestFds], int& n_fds) {
  iovec io{&request, sizeof request};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kRequestFds)] = {};
  msghdr msg{};
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = recvmsg(p::kZygoteFd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  n_fds = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const auto count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (n_fds < kRequestFds)
        fds[n_fds++] = fd;
      else
        close(fd);
    }
  }
  if (static_cast<std::size_t>(n) != sizeof request || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) n_fds = -1;
  return true;
}

}  // namespace

void announce_ready(const std::string& isolation) {
  p::ZygoteReply reply{};
  reply.kind = p::kZygoteReady;
  reply.pid = getpid();
  if (!send_reply(reply, isolation)) _exit(0);
}

Request next_request(const ZygoteConfig& config) {
  for (;;) {
    Request r;
    int n_fds = 0;
    if (!receive(r.header, r.fds, n_fds)) _exit(0);  // the grader is done (or gone)
    p::ZygoteReply reply{};
    reply.kind = p::kChildRefused;
    const auto refuse = [&](const std::string& why) {
      for (int i = 0; i < std::max(n_fds, 0); ++i) close(r.fds[i]);
      if (!send_reply(reply, why)) _exit(0);
    };
    if (n_fds != kRequestFds || r.header.magic != p::kZygoteMagic || r.header.version != p::kZygoteVersion ||
        r.header.kind != config.kind) {
      refuse("malformed request");
      continue;
    }
    try {
      if (config.scratch && r.header.scratch_kib > 0) fresh_tmpfs("/scratch", r.header.scratch_kib, config.uid);
    } catch (const SetupError& e) {
      refuse(e.what());
      continue;
    }
    return r;
  }
}

void arrange_child(const Request& request) {
  close(p::kZygoteFd);
  // The OOM killer's first choice: a hand-in that fills the machine's memory ends, not the
  // zygote, the grader or anything else running there. Raising it needs no privilege, only
  // the file, which is the process's own while it is dumpable (an ordinary user's zygote is
  // not); without a /proc (a mount namespace without a PID namespace) set_limits() does not
  // claim it.
  prctl(PR_SET_DUMPABLE, 1);
  if (const int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC); adj >= 0) {
    if (write(adj, "1000", 4) != 4) _exit(p::kExitSetupFailed);
    close(adj);
  }
  if (prctl(PR_SET_DUMPABLE, 0) != 0) _exit(p::kExitSetupFailed);
  // First out of the way (some may already sit on 0..6), then into place.
  int high[kRequestFds];
  for (int i = 0; i < kRequestFds; ++i) {
    high[i] = fcntl(request.fds[i], F_DUPFD_CLOEXEC, 20);
    if (high[i] < 0) _exit(p::kExitSetupFailed);
  }
  const int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0 || dup2(null, 0) < 0) _exit(p::kExitSetupFailed);
  const int targets[kRequestFds] = {p::kPlanFd, p::kOutputFd, p::kStatusFd, 1, p::kCodeFd};
  for (int i = 0; i < kRequestFds; ++i)
    if (dup2(high[i], targets[i]) < 0) _exit(p::kExitSetupFailed);
  if (dup2(1, 2) < 0) _exit(p::kExitSetupFailed);
  syscall(SYS_close_range, p::kCodeFd + 1, ~0u, 0);
}

void report_child(const Request& request, pid_t child) {
  for (const int fd : request.fds) close(fd);
  p::ZygoteReply reply{};
  if (child < 0) {
    reply.kind = p::kChildRefused;
    if (!send_reply(reply, std::string("fork: ") + std::strerror(errno))) _exit(0);
    return;
  }
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  reply.kind = p::kChildStarted;
  reply.pid = child;
  const bool told = pidfd >= 0 && send_reply(reply, "", pidfd);
  if (pidfd >= 0) close(pidfd);
  if (!told) kill(child, SIGKILL);
  int status = 0;
  rusage usage{};
  while (wait4(child, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  if (!told) _exit(0);
  reply = {};
  reply.kind = p::kChildEnded;
  reply.pid = child;
  reply.status = status;
  reply.user_usec = usage.ru_utime.tv_sec * 1000000 + usage.ru_utime.tv_usec;
  reply.system_usec = usage.ru_stime.tv_sec * 1000000 + usage.ru_stime.tv_usec;
  reply.max_rss_kib = usage.ru_maxrss;
  reply.page_faults = usage.ru_minflt;
  if (!send_reply(reply)) _exit(0);
}

grader::protocol::ChildRequest serve(const ZygoteConfig& config) {
  for (;;) {
    const Request request = next_request(config);
    const pid_t child = fork();
    if (child == 0) {
      arrange_child(request);
      return request.header;
    }
    report_child(request, child);
  }
}

}  // namespace confine
