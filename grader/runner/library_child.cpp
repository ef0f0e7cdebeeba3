// A library child: loads one student library, confined, and runs the calls of its plan
// (grader/include/grader/protocol.hpp). Forked by the library zygote for one submission.
#include "library_child.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "confine.hpp"
#include "grader/protocol.hpp"
#include "grader/solution.h"

namespace runner {

namespace p = grader::protocol;

namespace {

/// Set when a record could not be sent whole: the student's code closed or replaced the pipe.
bool g_status_lost = false;

/// One write per record: atomic on a pipe (records are shorter than PIPE_BUF).
void send(std::uint32_t kind, std::uint32_t call, std::int32_t code, const char* text = "") {
  char buffer[sizeof(p::RecordHeader) + p::kMaxText];
  const std::size_t length = strnlen(text, p::kMaxText);
  const p::RecordHeader h{kind, call, code, static_cast<std::uint32_t>(length)};
  std::memcpy(buffer, &h, sizeof h);
  std::memcpy(buffer + sizeof h, text, length);
  if (write(p::kStatusFd, buffer, sizeof h + length) != static_cast<ssize_t>(sizeof h + length)) g_status_lost = true;
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
  std::vector<std::uint64_t> output_offsets;  ///< in the output memfd
  std::vector<std::uint64_t> output_sizes;    ///< bytes
  std::uint64_t output_bytes = 0;             ///< of all of this call's outputs
};

std::uint64_t round_up(std::uint64_t n, std::uint64_t to) { return (n + to - 1) / to * to; }

/// The functions a library exports (defined, global or weak, of default visibility), read from
/// the dynamic symbol table of its image at `fd`; nothing where that table cannot be read whole
/// (no section headers, or headers whose offsets, sizes or links lie: the loader never reads
/// them, so a library loads without). Every offset is checked against the image's size: the
/// image is the student's.
std::optional<std::vector<std::string>> exported_functions(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Elf64_Ehdr))) return std::nullopt;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  void* mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (mapped == MAP_FAILED) return std::nullopt;
  const auto* image = static_cast<const unsigned char*>(mapped);
  const auto within = [&](std::uint64_t at, std::uint64_t bytes) { return at <= size && bytes <= size - at; };
  std::vector<std::string> names;
  bool read = false;  // a dynamic symbol table, every name of it readable
  Elf64_Ehdr eh{};
  std::memcpy(&eh, image, sizeof eh);
  const bool headers = std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
                       eh.e_shentsize == sizeof(Elf64_Shdr) && within(eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr));
  for (std::uint16_t i = 0; headers && i < eh.e_shnum; ++i) {
    Elf64_Shdr sh{}, strings{};
    std::memcpy(&sh, image + eh.e_shoff + i * sizeof sh, sizeof sh);
    if (sh.sh_type != SHT_DYNSYM) continue;
    if (sh.sh_entsize != sizeof(Elf64_Sym) || !within(sh.sh_offset, sh.sh_size) || sh.sh_link >= eh.e_shnum) break;
    std::memcpy(&strings, image + eh.e_shoff + sh.sh_link * sizeof strings, sizeof strings);
    if (!within(strings.sh_offset, strings.sh_size)) break;
    const char* text = reinterpret_cast<const char*>(image + strings.sh_offset);
    read = true;
    for (std::uint64_t k = 0; read && k < sh.sh_size / sizeof(Elf64_Sym) && names.size() < 10000; ++k) {
      Elf64_Sym sym{};
      std::memcpy(&sym, image + sh.sh_offset + k * sizeof sym, sizeof sym);
      const int bind = ELF64_ST_BIND(sym.st_info);
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
          (bind != STB_GLOBAL && bind != STB_WEAK) || ELF64_ST_VISIBILITY(sym.st_other) != STV_DEFAULT)
        continue;
      const std::size_t length =
          sym.st_name < strings.sh_size ? strnlen(text + sym.st_name, strings.sh_size - sym.st_name) : 0;
      read = length > 0 && length < strings.sh_size - sym.st_name;
      if (read) names.emplace_back(text + sym.st_name, length);
    }
    break;  // a library has one dynamic symbol table
  }
  munmap(mapped, size);
  if (!read) return std::nullopt;
  return names;
}

/// Why the library has no function `symbol`, from what it exports: the function as C++ named it
/// (declared without extern "C"), the functions it has (found by a TA helper: a C library that
/// exported `sdpa` was asked whether the function is declared extern "C"), or that it has none;
/// only that it lacks it where its symbol table could not be read.
std::string no_function(const char* symbol, const std::optional<std::vector<std::string>>& table) {
  const std::string name = symbol;
  const std::string head = "the library has no function '" + name + "'";
  if (!table) return head;
  const auto& exported = *table;
  const std::string mangled = std::to_string(name.size()) + name;
  std::vector<std::string> shown;  // its own functions, not the C runtime's (_init, _fini)
  for (const auto& f : exported) {
    if (f.starts_with("_Z") && f.find(mangled) != std::string::npos)
      return head + ": it has " + name + " as a C++ function (" + f.substr(0, 120) +
             "), whose name C++ changes unless it is declared extern \"C\": declare it so";
    if (!f.starts_with("_") && shown.size() < 6) shown.push_back(f.substr(0, 80));
  }
  if (shown.empty()) return head + ", nor any function others can call (is " + name + " static?)";
  std::string list;
  for (std::size_t i = 0; i < shown.size() && i < 5; ++i) list += (i ? ", " : "") + shown[i];
  return head + "; the functions it has: " + list + (shown.size() > 5 ? ", ..." : "") +
         " (name the function as the assignment does)";
}

}  // namespace

[[noreturn]] void run_library_child(const grader::protocol::ChildRequest& request, const ChildIdentity& who) {
  std::string isolation;
  try {
    isolation = confine::drop_privileges(who.uid);
    confine::bind_to_parent(0);
    confine::Limits limits;
    limits.memory_bytes = request.memory_bytes;
    limits.cpu_seconds = request.cpu_seconds;
    limits.open_files = 64;
    if (who.thread_limit) limits.processes = request.threads + who.processes_besides;
    isolation += "; " + confine::set_limits(limits);
    if (!who.thread_limit) isolation += " (no thread limit: " + who.no_thread_limit + ")";
    isolation += "; " + confine::restrict_files(confine::system_paths());
    confine::report_forbidden_calls(p::kStatusFd);
    // Compiled before the loading filter, which forbids what compiling needs (the zygote has
    // normally done it already).
    confine::prepare_filter(confine::Policy::library_computing);
    confine::install_filter(confine::Policy::library_loading);
  } catch (const std::exception& e) {
    fail_setup(e.what());
  }
  send(p::kIsolation, 0, 0, (isolation + "; seccomp allow-list").c_str());
  struct stat channel {};  // the status pipe as given, to notice if the library replaces it
  fstat(p::kStatusFd, &channel);

  // The plan, mapped privately: the student may scribble on its inputs without effect.
  struct stat st {};
  if (fstat(p::kPlanFd, &st) != 0 || static_cast<std::size_t>(st.st_size) < sizeof(p::PlanHeader))
    fail_setup("no plan");
  const auto plan_size = static_cast<std::size_t>(st.st_size);
  auto* plan = static_cast<char*>(mmap(nullptr, plan_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, p::kPlanFd, 0));
  if (plan == MAP_FAILED) fail_setup("cannot map the plan");
  p::PlanHeader header{};
  std::memcpy(&header, plan, sizeof header);
  if (header.magic != p::kMagic || header.version != p::kVersion) fail_setup("wrong plan version");

  // Static constructors run here, already confined.
  const std::string code = "/proc/self/fd/" + std::to_string(p::kCodeFd);
  void* handle = dlopen(code.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    std::string message = why ? why : "dlopen failed";
    if (message.rfind(code + ": ", 0) == 0) message.erase(0, code.size() + 2);  // the grader names the file
    send(p::kLoadError, 0, 0, message.c_str());
    _exit(p::kExitLoadError);
  }

  std::vector<Call> calls(header.n_calls);
  std::optional<std::vector<std::string>> exported;  // read once, for a function it lacks
  bool exports_read = false;
  std::uint64_t largest = 0;  // bytes of outputs of one call
  for (std::uint32_t i = 0; i < header.n_calls; ++i) {
    p::PlanCall pc{};
    const std::uint64_t at = header.calls_offset + i * sizeof pc;
    if (at + sizeof pc > plan_size) fail_setup("malformed plan");
    std::memcpy(&pc, plan + at, sizeof pc);
    const char* symbol = text_at(plan, plan_size, pc.symbol_offset);
    dlerror();
    calls[i].fn = reinterpret_cast<grader_solution_fn*>(dlsym(handle, symbol));
    if (!calls[i].fn) {  // only this call fails; the others still run
      if (!exports_read) {
        exported = exported_functions(p::kCodeFd);
        exports_read = true;
      }
      send(p::kLoadError, i, 1, no_function(symbol, exported).c_str());
    }
    for (std::uint32_t t = 0; t < pc.n_inputs + pc.n_outputs; ++t) {
      p::PlanTensor pt{};
      const std::uint64_t tat = pc.tensors_offset + t * sizeof pt;
      if (tat + sizeof pt > plan_size) fail_setup("malformed plan");
      std::memcpy(&pt, plan + tat, sizeof pt);
      if (pt.rank < 0 || pt.rank > p::kMaxRank) fail_setup("malformed plan");
      grader_tensor g{};
      g.rank = pt.rank;
      std::uint64_t bytes = sizeof(double);
      for (int d = 0; d < 4; ++d) g.shape[d] = d < pt.rank ? pt.shape[d] : 0;
      for (int d = 0; d < pt.rank; ++d) bytes *= static_cast<std::uint64_t>(pt.shape[d]);
      const std::uint64_t limit = t < pc.n_inputs ? plan_size : header.output_bytes;
      if (pt.offset > limit || bytes > limit - pt.offset) fail_setup("malformed plan");
      if (t < pc.n_inputs) {
        g.data = reinterpret_cast<double*>(plan + pt.offset);
        calls[i].inputs.push_back(g);
      } else {
        calls[i].outputs.push_back(g);
        calls[i].output_offsets.push_back(pt.offset);
        calls[i].output_sizes.push_back(bytes);
        calls[i].output_bytes += bytes;
      }
    }
    largest = std::max(largest, calls[i].output_bytes);
  }
  // The outputs of every call, packed, shared with the grader.
  char* shared = nullptr;
  if (header.output_bytes > 0) {
    struct stat out {};
    if (fstat(p::kOutputFd, &out) != 0 || static_cast<std::uint64_t>(out.st_size) < header.output_bytes)
      fail_setup("no output memory");
    // Populated at once: every page is written, and one call into the kernel is far cheaper
    // than a page fault per page (about 90 of them for sdpa-masked; bench/README.md).
    shared = static_cast<char*>(
        mmap(nullptr, header.output_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, p::kOutputFd, 0));
    if (shared == MAP_FAILED) fail_setup("cannot map the outputs");
  }
  // The student's function writes into a scratch region whose end meets a guard page, each
  // call's outputs packed against it: writing past the last output faults at once.
  const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  const std::uint64_t scratch_bytes = round_up(largest, page);
  auto* scratch =
      static_cast<char*>(mmap(nullptr, scratch_bytes + page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (scratch == MAP_FAILED || (scratch_bytes > 0 && mprotect(scratch, scratch_bytes, PROT_READ | PROT_WRITE) != 0))
    fail_setup("cannot reserve memory for the outputs");
  char* const guard = scratch + scratch_bytes;
  for (Call& c : calls) {
    char* at = guard - c.output_bytes;
    for (std::size_t o = 0; o < c.outputs.size(); ++o) {
      c.outputs[o].data = reinterpret_cast<double*>(at);
      at += c.output_sizes[o];
    }
  }

  try {
    // Every thread, including any a static constructor started, takes the strict filter.
    confine::install_filter(confine::Policy::library_computing);
  } catch (const std::exception& e) {
    fail_setup(e.what());
  }
  send(p::kReady, 0, 0);

  char error[1024];
  std::vector<grader_tensor> inputs, outputs;  // fresh copies for each call: the function may change them
  for (std::uint32_t i = 0; i < calls.size(); ++i) {
    const Call& c = calls[i];
    if (!c.fn) continue;
    error[0] = '\0';
    inputs = c.inputs;
    outputs = c.outputs;
    char* const first = guard - c.output_bytes;
    std::memset(first, 0, c.output_bytes);  // outputs start as zeros
    try {
      const int rc = c.fn(inputs.data(), static_cast<int>(inputs.size()), outputs.data(),
                          static_cast<int>(outputs.size()), error, sizeof error);
      error[sizeof error - 1] = '\0';
      const char* from = first;
      for (std::size_t o = 0; o < c.outputs.size(); ++o) {
        std::memcpy(shared + c.output_offsets[o], from, c.output_sizes[o]);
        from += c.output_sizes[o];
      }
      send(p::kDone, i, rc, rc == 0 ? "" : error);
    } catch (const std::exception& e) {
      send(p::kThrew, i, 0, e.what());
    } catch (...) {
      send(p::kThrew, i, 0, "an exception that is not a std::exception");
    }
    std::fflush(nullptr);  // the student's printf output, before a later call can crash
  }
  struct stat now {};
  if (fstat(p::kStatusFd, &now) != 0 || now.st_ino != channel.st_ino || now.st_dev != channel.st_dev)
    g_status_lost = true;
  send(p::kFinished, 0, 0);
  _exit(g_status_lost ? p::kExitStatusLost : p::kExitOk);
}

}  // namespace runner
