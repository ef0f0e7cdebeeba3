// grader-runner: loads one student library in a confined process and runs the calls of a plan
// (see grader/src/library/protocol.hpp). Started only by the grader, fresh with posix_spawn,
// with the plan on fd 3, the output memfd on fd 4 and the status pipe on fd 5.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "grader/solution.h"
#include "library/protocol.hpp"
#include "sandbox.hpp"

namespace p = grader::protocol;

namespace {

/// One write per record: atomic on a pipe (records are shorter than PIPE_BUF).
void send(std::uint32_t kind, std::uint32_t call, std::int32_t code, const char* text = "") {
  char buffer[sizeof(p::RecordHeader) + p::kMaxText];
  const std::size_t length = strnlen(text, p::kMaxText);
  const p::RecordHeader h{kind, call, code, static_cast<std::uint32_t>(length)};
  std::memcpy(buffer, &h, sizeof h);
  std::memcpy(buffer + sizeof h, text, length);
  [[maybe_unused]] const ssize_t n = write(p::kStatusFd, buffer, sizeof h + length);
}

[[noreturn]] void fail_setup(const std::string& why) {
  send(p::kLoadError, 0, 0, ("the runner could not start: " + why).c_str());
  _exit(p::kExitSetupFailed);
}

const char* text_at(const char* plan, std::size_t size, std::uint64_t offset) {
  if (offset >= size || !memchr(plan + offset, '\0', size - offset)) fail_setup("malformed plan");
  return plan + offset;
}

struct Call {
  grader_solution_fn* fn = nullptr;
  std::vector<grader_tensor> inputs, outputs;
  char* region = nullptr;  ///< where this call's outputs are mapped
};

}  // namespace

/// grader-runner --compile PARENT_PID BUILD_DIR SECONDS COMMAND: runs a student's build in the
/// build folder (the grader copied the sources and headers there), confined: as nobody when
/// root, reading only system folders and writing only the build folder.
int compile(char** argv) {
  const int parent = std::atoi(argv[2]);
  const std::string build_dir = argv[3];
  const auto seconds = static_cast<unsigned>(std::max(1, std::atoi(argv[4])));
  const std::vector<int> readable =
      runner::open_readable({"/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/dev/urandom"});
  const std::vector<int> writable = runner::open_readable({build_dir, "/dev/null"});
  try {
    runner::confine_process({4ull << 30, seconds, 512ull << 20, 256}, parent);
    runner::restrict_files(readable, writable);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "grader-runner: cannot confine the compiler: %s\n", e.what());
    return 127;
  }
  const std::string tmpdir = "TMPDIR=.";  // the build folder, relative: nobody may not reach it by path
  char path[] = "PATH=/usr/local/bin:/usr/bin:/bin", lang[] = "LANG=C";
  char* envp[] = {path, lang, const_cast<char*>(tmpdir.c_str()), nullptr};
  char sh[] = "sh", dash_c[] = "-c";
  char* args[] = {sh, dash_c, argv[5], nullptr};
  execve("/bin/sh", args, envp);
  std::perror("grader-runner: /bin/sh");
  return 127;
}

int main(int argc, char** argv) {
  if (argc == 6 && std::strcmp(argv[1], "--compile") == 0) return compile(argv);
  // The plan, mapped privately: the student may scribble on its inputs without effect.
  struct stat st {};
  if (fstat(p::kPlanFd, &st) != 0 || static_cast<std::size_t>(st.st_size) < sizeof(p::PlanHeader))
    fail_setup("no plan");
  const auto plan_size = static_cast<std::size_t>(st.st_size);
  auto* plan = static_cast<char*>(
      mmap(nullptr, plan_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, p::kPlanFd, 0));
  if (plan == MAP_FAILED) fail_setup("cannot map the plan");
  p::PlanHeader header{};
  std::memcpy(&header, plan, sizeof header);
  if (header.magic != p::kMagic || header.version != p::kVersion) fail_setup("wrong plan version");
  const std::string library = text_at(plan, plan_size, header.library_offset);
  const std::string library_dir = text_at(plan, plan_size, header.library_dir_offset);

  // Opened before dropping privileges, so that any folder the grader can read works; loaded
  // through /proc/self/fd.
  const int library_fd = open(library.c_str(), O_RDONLY | O_CLOEXEC);
  if (library_fd < 0) {
    send(p::kLoadError, 0, 0, ("cannot open " + library + ": " + std::strerror(errno)).c_str());
    _exit(p::kExitLoadError);
  }
  const std::string fd_path = "/proc/self/fd/" + std::to_string(library_fd);

  const std::vector<int> readable = runner::open_readable(
      {"/usr", "/lib", "/lib64", "/lib32", "/etc/ld.so.cache", "/etc/ld.so.preload",
       "/sys/devices/system/cpu", "/proc/cpuinfo", library_dir});
  std::string isolation;
  try {
    isolation = runner::confine_process({header.memory_bytes, header.cpu_seconds}, header.parent_pid);
    isolation += "; " + runner::restrict_files(readable);
    runner::install_loading_filter();
  } catch (const std::exception& e) {
    fail_setup(e.what());
  }
  send(p::kIsolation, 0, 0, (isolation + "; seccomp allow-list").c_str());

  // Static constructors run here, already confined.
  void* handle = dlopen(fd_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    std::string message = why ? why : "dlopen failed";
    if (message.rfind(fd_path, 0) == 0) message = library + message.substr(fd_path.size());
    send(p::kLoadError, 0, 0, message.c_str());
    _exit(p::kExitLoadError);
  }

  std::vector<Call> calls(header.n_calls);
  const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  // One reservation for every call's output region and the guard page after it; each region
  // is then mapped from the output memfd into its place. Writing past a call's last output
  // faults at once.
  const std::uint64_t reserve = header.output_bytes + static_cast<std::uint64_t>(header.n_calls) * page;
  auto* space = static_cast<char*>(
      mmap(nullptr, reserve > 0 ? reserve : page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (space == MAP_FAILED) fail_setup("cannot reserve address space for the outputs");
  std::uint64_t placed = 0;  // bytes of `space` used so far
  for (std::uint32_t i = 0; i < header.n_calls; ++i) {
    p::PlanCall pc{};
    const std::uint64_t at = header.calls_offset + i * sizeof pc;
    if (at + sizeof pc > plan_size) fail_setup("malformed plan");
    std::memcpy(&pc, plan + at, sizeof pc);
    const char* symbol = text_at(plan, plan_size, pc.symbol_offset);
    dlerror();
    calls[i].fn = reinterpret_cast<grader_solution_fn*>(dlsym(handle, symbol));
    if (!calls[i].fn)  // only this call fails; the others still run
      send(p::kLoadError, i, 1, (std::string("the library has no function '") + symbol +
                                 "' (is it declared extern \"C\"?)").c_str());
    for (std::uint32_t t = 0; t < pc.n_inputs + pc.n_outputs; ++t) {
      p::PlanTensor pt{};
      const std::uint64_t tat = pc.tensors_offset + t * sizeof pt;
      if (tat + sizeof pt > plan_size || pt.rank > 4) fail_setup("malformed plan");
      std::memcpy(&pt, plan + tat, sizeof pt);
      grader_tensor g{};
      g.rank = pt.rank;
      for (int d = 0; d < 4; ++d) g.shape[d] = pt.shape[d];
      if (t < pc.n_inputs) {
        g.data = reinterpret_cast<double*>(plan + pt.offset);
        calls[i].inputs.push_back(g);
        continue;
      }
      // An output, in its call's region (mapped once, with the first output of the call).
      if (pt.region_bytes > 0) {
        if (calls[i].outputs.empty()) {
          if (placed + pt.region_bytes + page > reserve ||
              mmap(space + placed, pt.region_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                   p::kOutputFd, static_cast<off_t>(pt.region)) == MAP_FAILED)
            fail_setup("cannot map an output");
          calls[i].region = space + placed;
          placed += pt.region_bytes + page;  // the page after stays PROT_NONE: the guard
        }
        if (pt.offset < pt.region || pt.offset - pt.region >= pt.region_bytes) fail_setup("malformed plan");
        g.data = reinterpret_cast<double*>(calls[i].region + (pt.offset - pt.region));
      }
      calls[i].outputs.push_back(g);
    }
  }

  try {
    runner::install_computing_filter();
  } catch (const std::exception& e) {
    fail_setup(e.what());
  }
  send(p::kReady, 0, 0);

  char error[1024];
  for (std::uint32_t i = 0; i < calls.size(); ++i) {
    Call& c = calls[i];
    if (!c.fn) continue;
    error[0] = '\0';
    try {
      const int rc = c.fn(c.inputs.data(), static_cast<int>(c.inputs.size()), c.outputs.data(),
                          static_cast<int>(c.outputs.size()), error, sizeof error);
      error[sizeof error - 1] = '\0';
      send(p::kDone, i, rc, rc == 0 ? "" : error);
    } catch (const std::exception& e) {
      send(p::kThrew, i, 0, e.what());
    } catch (...) {
      send(p::kThrew, i, 0, "an exception that is not a std::exception");
    }
    std::fflush(nullptr);  // the student's printf output, before a later call can crash
  }
  send(p::kFinished, 0, 0);
  _exit(p::kExitOk);
}
