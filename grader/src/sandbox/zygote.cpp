#include "zygote.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bitset>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <spdlog/spdlog.h>

#include "grader/error.hpp"
#include "grader/library/build.hpp"
#include "grader/library/run.hpp"

namespace grader::sandbox {

namespace p = protocol;

namespace {

/// How long a zygote may take to start (Python's: importing torch on a loaded machine).
constexpr double kStartSeconds = 120.0;
/// How long a zygote may take to answer a request or report a child it has seen end.
constexpr double kReplySeconds = 30.0;

[[noreturn]] void fault(const std::string& what, int error = errno) {
  throw Error("the sandbox's zygote " + what + ": " + std::strerror(error));
}

/// Slots of grading workers, so that each worker's children get a user of their own.
class Slots {
 public:
  static constexpr std::size_t kCount = 64;
  std::size_t take() {
    const std::lock_guard<std::mutex> hold(lock_);
    for (std::size_t i = 0; i < kCount; ++i)
      if (!used_[i]) {
        used_[i] = true;
        return i;
      }
    return kCount - 1;  // more workers than slots: the last ones share a user
  }
  void give_back(std::size_t i) {
    const std::lock_guard<std::mutex> hold(lock_);
    used_[i] = false;
  }

 private:
  std::mutex lock_;
  std::bitset<kCount> used_;
};

Slots& slots() {
  static Slots s;
  return s;
}

struct Slot {
  std::size_t index = slots().take();
  ~Slot() { slots().give_back(index); }
};

}  // namespace

uid_t worker_uid() {
  if (geteuid() != 0) return getuid();
  thread_local const Slot slot;
  return static_cast<uid_t>((1u << 30) + Slots::kCount * (static_cast<unsigned>(getpid()) % (1u << 22)) + slot.index);
}

Zygote& Zygote::of_this_thread(Kind kind) {
  thread_local std::unique_ptr<Zygote> zygotes[3];
  auto& zygote = zygotes[static_cast<int>(kind)];
  if (!zygote) zygote.reset(new Zygote(kind, worker_uid()));
  return *zygote;
}

Zygote::Zygote(Kind kind, uid_t uid) : kind_(kind), uid_(uid) {}

Zygote::~Zygote() {
  socket_.reset();  // the zygote exits when the grader hangs up; the Child reaps it
}

namespace {

/// The next reply within `seconds`, with a descriptor if one came. False: the zygote hung up.
bool receive(int socket, p::ZygoteReply& reply, std::string& text, Fd* fd, double seconds) {
  pollfd pfd{socket, POLLIN, 0};
  auto deadline = after(seconds);
  Clock::duration stalled{0};
  for (;;) {
    // A second at a time: a grader stopped while it waits (the whole job suspended, the
    // machine paused) wakes that much later than it asked to, and the stop moves the deadline,
    // as it moves a child's (child.hpp).
    const int timeout_ms = static_cast<int>(std::min(1.0, seconds_left(deadline)) * 1000) + 1;
    const auto asked = Clock::now();
    const int ready = poll(&pfd, 1, timeout_ms);
    if (ready > 0) break;
    if (ready < 0 && errno != EINTR) fault("poll");
    const auto overslept = Clock::now() - asked - std::chrono::milliseconds(timeout_ms);
    if (overslept >= span(kStallSeconds) && stalled < span(kMaxStalledSeconds)) {
      stalled += overslept;
      deadline += overslept;
    }
    if (seconds_left(deadline) <= 0) throw Error("the sandbox's zygote did not answer in time");
  }
  char buffer[sizeof reply + p::kMaxReplyText];
  iovec io{buffer, sizeof buffer};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  const ssize_t n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  if (n <= 0) return false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int received;
      std::memcpy(&received, CMSG_DATA(c), sizeof received);
      if (fd)
        *fd = Fd(received);
      else
        close(received);
    }
  if (static_cast<std::size_t>(n) < sizeof reply) throw Error("the sandbox's zygote sent a malformed reply");
  std::memcpy(&reply, buffer, sizeof reply);
  text.assign(buffer + sizeof reply, std::min<std::size_t>(reply.length, static_cast<std::size_t>(n) - sizeof reply));
  return true;
}

}  // namespace

bool Zygote::alive() const { return socket_ && process_ && process_->running(); }

void Zygote::launch() {
  socket_.reset();
  process_.reset();
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) fault("socketpair");
  Fd ours(pair[0]), theirs(pair[1]);
  Spawn how;
  how.program = runner_path();
  how.args = {"zygote", kind_ == Kind::library ? "library" : "python", std::to_string(getpid()), std::to_string(uid_)};
  if (kind_ != Kind::library) {
    // The interpreter, and a cache folder of its own for matplotlib's font list.
    const char* python = std::getenv("GRADER_PYTHON");
    const auto cache = default_cache_dir() / "python";
    std::error_code ec;
    std::filesystem::create_directories(cache / "matplotlib", ec);
    if (ec) throw Error("cannot create the cache folder " + cache.string() + ": " + ec.message());
    how.args.push_back(cache.string());
    how.args.push_back(python && *python ? python : "/usr/bin/python3");
    how.args.push_back(kind_ == Kind::python_torch ? "torch" : "numpy");
  }
  // One thread: OpenBLAS and OpenMP pools must not exist when the zygote forks.
  how.env = {"OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1"};
  how.fds = {{theirs.get(), p::kZygoteFd}};
  process_ = std::make_unique<Child>(spawn(how));
  theirs.reset();
  p::ZygoteReply reply{};
  std::string text;
  if (!receive(ours.get(), reply, text, nullptr, kStartSeconds) || reply.kind != p::kZygoteReady) {
    const Observation seen = process_->watch(after(5), nullptr, 8192);
    process_.reset();
    std::string why = seen.output;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    const int code = WIFEXITED(seen.exit.status) ? WEXITSTATUS(seen.exit.status) : -1;
    if (code == p::kExitNoPython)
      throw Error(
          "grading a Python hand-in needs Debian's python3 with numpy, torch and matplotlib; install them "
          "with `scripts/install-deps.sh --python` (or apt-get install python3 python3-numpy python3-torch "
          "python3-matplotlib): " +
          (why.empty() ? "no message" : why));
    throw Error("the sandbox could not be set up (grader-runner exited with status " + std::to_string(code) +
                "): " + (why.empty() ? "no message" : why));
  }
  isolation_ = text;
  socket_ = std::move(ours);
  spdlog::debug("zygote {} ready: {}", process_->pid(), isolation_);
}

Child Zygote::start(const p::ChildRequest& request, int plan, int outputs, int code) {
  for (int attempt = 0;; ++attempt) {
    if (!alive()) launch();
    int status_pipe[2], output_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0) fault("pipe");
    Fd status_r(status_pipe[0]), status_w(status_pipe[1]);
    if (pipe2(output_pipe, O_CLOEXEC) != 0) fault("pipe");
    Fd output_r(output_pipe[0]), output_w(output_pipe[1]);

    const int fds[] = {plan, outputs, status_w.get(), output_w.get(), code};
    iovec io{const_cast<p::ChildRequest*>(&request), sizeof request};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
    msghdr msg{};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fds);
    std::memcpy(CMSG_DATA(c), fds, sizeof fds);
    if (sendmsg(socket_.get(), &msg, MSG_NOSIGNAL) < 0) {
      if ((errno == EPIPE || errno == ECONNRESET) && attempt == 0) {
        socket_.reset();  // it died since it last answered: once more, with a new one
        continue;
      }
      fault("refused a request");
    }
    status_w.reset();
    output_w.reset();

    p::ZygoteReply reply{};
    std::string text;
    Fd pidfd;
    const bool answered = receive(socket_.get(), reply, text, &pidfd, kReplySeconds);
    if (!answered) {
      socket_.reset();
      if (attempt == 0) continue;
      throw Error("the sandbox's zygote ended unexpectedly");
    }
    if (reply.kind == p::kChildRefused) throw Error("the sandbox could not start a child: " + text);
    if (reply.kind != p::kChildStarted || !pidfd) throw Error("the sandbox's zygote sent an unexpected reply");
    return Child(
        reply.pid, std::move(pidfd), std::move(status_r), std::move(output_r), [this](pid_t pid) { return reap(pid); },
        false);
  }
}

Exit Zygote::reap(pid_t pid) {
  p::ZygoteReply reply{};
  std::string text;
  if (!receive(socket_.get(), reply, text, nullptr, kReplySeconds) || reply.kind != p::kChildEnded ||
      reply.pid != pid) {
    socket_.reset();
    throw Error("the sandbox's zygote did not report how a child ended");
  }
  Exit e;
  e.status = reply.status;
  e.cpu_seconds = static_cast<double>(reply.user_usec + reply.system_usec) * 1e-6;
  e.max_rss_kib = static_cast<long>(reply.max_rss_kib);
  e.page_faults = static_cast<long>(reply.page_faults);
  return e;
}

}  // namespace grader::sandbox
