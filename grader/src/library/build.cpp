#include "grader/library/build.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "../digest.hpp"
#include "../sandbox/child.hpp"
#include "../sandbox/fd.hpp"
#include "../sandbox/zygote.hpp"
#include "../text.hpp"
#include "grader/bounded_file.hpp"
#include "grader/error.hpp"
#include "grader/library/run.hpp"
#include "grader/protocol.hpp"
#include "records.hpp"

namespace grader {

namespace fs = std::filesystem;

namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// How much of the compiler's output is kept.
constexpr std::size_t kCompilerOutput = 64 * 1024;

/// The compiler's errors as a student reads them: each error led by the student's own
/// file:line and source line, even when gcc reports it inside the ABI headers (an error in
/// the expansion of GRADER_EXPORT points at solution.hpp, and names the student's line only in
/// a note); the header's own place follows. Without recognizable errors, the first lines.
/// `first` becomes the first error in one line ("solution.c:3: expected ';' before 'return'").
std::string compiler_feedback(const std::string& log, const std::map<std::string, std::string>& sources,
                              std::string& first) {
  static const std::regex diagnostic(R"(^([^: ]+):(\d+):(\d+): (fatal error|error|note): (.*)$)");
  // The linker names the compiler's temporary objects (/tmp/ccmSgrhG.o), new on every run, and
  // places in their code (solution.c:(.text+0x0)): neither helps, and the first made the same
  // hand-in's feedback differ from run to run.
  static const std::regex temporary(R"(/tmp/cc\w+\.o: ?|:\(\.text[^)]*\))");
  static const std::regex linker(R"(^(\S+): ?(multiple definition of|undefined reference to) (.*)$)");
  const auto clean = [](std::string line) {
    line = std::regex_replace(line, temporary, "");
    line = replaced(line, "/build/", "");
    if (line.rfind("./", 0) == 0) line.erase(0, 2);  // sources are passed as ./name
    if (line.rfind("include/grader/", 0) == 0) line.erase(0, 8);
    return line;
  };
  std::vector<std::string> lines;
  {
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) lines.push_back(clean(line.substr(0, 2000)));
  }
  const auto source_line = [&](const std::string& file, std::size_t line) -> std::string {
    const auto it = sources.find(file);
    if (it == sources.end()) return "";
    std::istringstream in(it->second);
    std::string text;
    for (std::size_t n = 1; std::getline(in, text); ++n)
      if (n == line) {
        const auto indent = text.find_first_not_of(" \t");
        return indent == std::string::npos ? "" : text.substr(indent, 200);
      }
    return "";
  };
  std::string out, head;
  int errors = 0;
  for (std::size_t i = 0; i < lines.size() && errors < 8; ++i) {
    if (i < 12) head += lines[i] + "\n";
    std::smatch m;
    if (!std::regex_match(lines[i], m, diagnostic) || m[4] == "note") continue;
    ++errors;
    std::string where = m[1].str() + ":" + m[2].str(), own_file = m[1], message = m[4].str() + ": " + m[5].str();
    std::size_t own_line = std::stoul(m[2].str());
    bool own = sources.count(own_file) > 0;
    // The notes that follow this error, up to the next one: the student's place, if gcc
    // reported the error inside a header.
    for (std::size_t j = i + 1; !own && j < lines.size(); ++j) {
      std::smatch n;
      if (!std::regex_match(lines[j], n, diagnostic)) continue;
      if (n[4] != "note") break;
      if (sources.count(n[1].str())) {
        own = true;
        own_file = n[1];
        own_line = std::stoul(n[2].str());
        message += " (reported at " + where + ", " + n[5].str() + ")";
      }
    }
    if (first.empty()) first = (own ? own_file + ":" + std::to_string(own_line) : where) + ": " + m[5].str();
    if (own) {
      out +=
          own_file + ":" + std::to_string(own_line) + ": " + source_line(own_file, own_line) + "\n  " + message + "\n";
    } else {
      out += where + ": " + message + "\n";
    }
  }
  if (out.empty() && first.empty())  // no compiler error: a linker's, if any, is the first
    for (const auto& line : lines) {
      std::smatch m;
      if (std::regex_match(line, m, linker)) {
        first = m[1].str() + ": " + m[2].str() + " " + m[3].str();
        break;
      }
    }
  return out.empty() ? head : out;
}

/// Held while a source is compiled, so that threads grading identical submissions at the
/// same time compile it once: the others then find it in the cache.
std::unique_lock<std::mutex> lock_key(const std::string& key) {
  static std::mutex guard;
  static std::map<std::string, std::unique_ptr<std::mutex>> locks;
  std::mutex* lock = nullptr;
  {
    const std::lock_guard<std::mutex> hold(guard);
    auto& slot = locks[key];
    if (!slot) slot = std::make_unique<std::mutex>();
    lock = slot.get();
  }
  return std::unique_lock<std::mutex>(*lock);
}

/// "<pid>.<n>": unique to this build among every process and thread sharing the cache.
std::string unique_suffix() {
  static std::atomic<unsigned> counter{0};
  return std::to_string(getpid()) + "." + std::to_string(counter++);
}

/// A source's name the compiler can only take as a file name: it cannot start an option
/// (-fsyntax-only.c) or a response file (@opts.c), and holds no quoting or control characters.
bool plain_source_name(const std::string& name) {
  static const std::regex plain("[A-Za-z0-9_][A-Za-z0-9_.+-]*\\.(c|cc|cpp|cxx|h|hh|hpp|hxx)");
  return name.size() <= 255 && std::regex_match(name, plain);
}

/// True if the disk holding `where` (or the nearest folder above it that exists) has less than
/// 16 MiB free: what a build cannot do without, whatever error the failed call reported (a
/// full tmpfs fails a copy with EIO).
bool disk_nearly_full(fs::path where) {
  std::error_code ec;
  while (!where.empty() && !fs::exists(where, ec) && where.has_relative_path()) where = where.parent_path();
  const fs::space_info space = fs::space(where, ec);
  return !ec && space.available < (16u << 20);
}

/// The build cache's disk is full: the grader's failure, which stops a class (DiskFull).
[[noreturn]] void cache_full(const std::string& what, const fs::path& cache) {
  std::error_code ec;
  const fs::space_info space = fs::space(cache, ec);
  throw DiskFull(what + ": the build cache's disk is full (" + cache.string() +
                 (ec ? "" : ": " + std::to_string(space.available >> 10) + " KiB free") +
                 "): free some space, or point XDG_CACHE_HOME elsewhere");
}

/// A fault of the grader's own disk or folders: never the student's.
[[noreturn]] void disk_fault(const std::string& what, const fs::path& where, const std::error_code& ec) {
  const std::string message = "cannot " + what + " " + where.string() + ": " + ec.message();
  if (ec == std::errc::no_space_on_device || ec.value() == EDQUOT || disk_nearly_full(where))
    cache_full(message, where);
  throw Error(message);
}

/// Removes a folder of the cache; a failure is the grader's.
void remove_folder(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) disk_fault("remove the build folder", dir, ec);
}

/// Keeps the cache's libraries under `most` bytes: when they hold more, those used least
/// recently go (a hit touches its library) until they hold three quarters of it. Never `keep`,
/// nor one of the kInFlight libraries used most recently if it was used in the last minute
/// (another worker may be about to read it; only that many: a class of huge libraries built
/// within a minute went past the limit without bound), nor a key's folder without a library
/// (a build under way), nor anything but keys' folders (the Python zygote's matplotlib cache
/// is there too). Another process trimming at the same time is fine: what it removed first is
/// skipped.
void trim_cache(const fs::path& root, const fs::path& keep, std::uintmax_t most) {
  static const std::regex key("[0-9a-f]{64}");
  struct Entry {
    fs::file_time_type used;
    std::uintmax_t bytes;
    fs::path folder;
  };
  std::vector<Entry> entries;
  std::uintmax_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!std::regex_match(it->path().filename().string(), key)) continue;
    std::uintmax_t bytes = 0;
    std::optional<fs::file_time_type> used;
    std::error_code inner;
    for (fs::directory_iterator f(it->path(), inner), none; !inner && f != none; f.increment(inner)) {
      if (!f->is_regular_file(inner)) continue;  // a build under way: its folder
      const std::uintmax_t size = f->file_size(inner);
      if (inner) break;  // gone meanwhile (another process trimming): not counted
      bytes += size;
      used = f->last_write_time(inner);
    }
    total += bytes;
    if (used && it->path() != keep) entries.push_back({*used, bytes, it->path()});
  }
  if (total <= most) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  constexpr std::size_t kInFlight = 16;  // more than the workers of any machine grading at once
  const std::size_t removable = entries.size() > kInFlight ? entries.size() - kInFlight : 0;
  const auto recent = fs::file_time_type::clock::now() - std::chrono::minutes(1);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (total <= most / 4 * 3 || (i >= removable && e.used > recent)) break;
    std::error_code gone;
    fs::remove_all(e.folder, gone);
    total -= std::min(total, e.bytes);
  }
}

}  // namespace

fs::path default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "attention-grader";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "attention-grader";
  return fs::temp_directory_path() / "attention-grader-cache";
}

bool compiled_source(const std::filesystem::path& file) {
  const auto ext = file.extension().string();
  return ext == ".c" || ext == ".cc" || ext == ".cpp" || ext == ".cxx";
}

bool source_header(const std::filesystem::path& file) {
  const auto ext = file.extension().string();
  return ext == ".h" || ext == ".hh" || ext == ".hpp" || ext == ".hxx";
}

namespace {

/// An ELF e_machine in words.
std::string processor(std::uint16_t machine) {
  switch (machine) {
    case EM_X86_64:
      return "x86-64";
    case EM_AARCH64:
      return "aarch64 (ARM: an Apple silicon Mac's Linux, a Raspberry Pi)";
    case EM_RISCV:
      return "RISC-V";
    case EM_PPC64:
      return "POWER";
    case EM_S390:
      return "s390x";
    default:
      return "machine " + std::to_string(machine);
  }
}

#if defined(__x86_64__)
constexpr std::uint16_t kThisMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr std::uint16_t kThisMachine = EM_AARCH64;
#else
#error "foreign_library() knows no ELF machine for this processor"
#endif

/// What the grader loads, in words.
std::string library_built_here() { return "a library built on Linux for " + processor(kThisMachine); }

}  // namespace

std::optional<std::string> foreign_library(const fs::path& file) {
  // The ELF header and, as linkers lay them out, the program headers after it.
  unsigned char head[4096] = {};
  const sandbox::Fd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  std::size_t n = 0;
  while (n < sizeof head) {
    const ssize_t got = ::read(fd.get(), head + n, sizeof head - n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    n += static_cast<std::size_t>(got);
  }
  const auto little = [&](std::size_t at, std::size_t bytes) {  // an ELF field, little-endian
    std::uint64_t v = 0;
    for (std::size_t b = bytes; b-- > 0;) v = v << 8 | head[at + b];
    return v;
  };
  if (n >= 4) {
    const std::uint32_t magic = std::uint32_t{head[0]} << 24 | std::uint32_t{head[1]} << 16 |
                                std::uint32_t{head[2]} << 8 | head[3];  // either byte order
    if (magic == 0xfeedfaceu || magic == 0xfeedfacfu || magic == 0xcefaedfeu || magic == 0xcffaedfeu ||
        magic == 0xcafebabeu)
      return "a macOS library (Mach-O)";
  }
  if (n >= 2 && head[0] == 'M' && head[1] == 'Z') return "a Windows DLL";
  if (n < sizeof(Elf64_Ehdr) || std::memcmp(head, ELFMAG, SELFMAG) != 0)
    return "no compiled library (its first bytes are not a shared library's: a text file, an archive or a "
           "download's web page?)";
  if (head[EI_CLASS] != ELFCLASS64) return "a 32-bit library";
  const auto machine = static_cast<std::uint16_t>(little(18, 2));
  if (head[EI_DATA] != ELFDATA2LSB || machine != kThisMachine)
    return "built for another processor, " + processor(machine);
  const auto type = little(16, 2);
  if (type == ET_REL) return "an object file (.o), not a shared library (link it with -shared)";
  if (type != ET_DYN) return "a program, not a shared library (build it with -shared -fPIC)";
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t section_headers = little(40, 8), section_count = little(60, 2), section_size = little(58, 2);
  bool truncated = section_headers > size || section_count * section_size > size - section_headers;
  const std::uint64_t program_headers = little(32, 8), program_size = little(54, 2), programs = little(56, 2);
  for (std::uint64_t i = 0; i < programs && program_size >= sizeof(Elf64_Phdr); ++i) {
    const std::uint64_t at = program_headers + i * program_size;
    if (at + sizeof(Elf64_Phdr) > n) break;  // beyond what was read: not looked at
    const auto kind = little(at, 4), offset = little(at + 8, 8), bytes = little(at + 32, 8);
    // A position-independent program is ET_DYN too: its interpreter tells it (found by a
    // student helper: `gcc -o libsolution.so solution.c` was "cannot dynamically load
    // position-independent executable", the sources beside it never compiled).
    if (kind == PT_INTERP) return "a program, not a shared library (build it with -shared -fPIC)";
    truncated = truncated || offset > size || bytes > size - offset;
  }
  if (truncated) return "a damaged library: the file is shorter than its own headers say (copied or uploaded in part?)";
  return std::nullopt;
}

namespace {

/// The sources of a hand-in, what each holds, and which are compiled (each is copied into the
/// build folder, where another may include it).
struct Sources {
  std::vector<fs::path> paths;
  std::vector<std::string> contents;
  std::vector<bool> compiled;

  /// Compiles none of those `drop` names (with why, "" to keep it), each with a note in `notes`,
  /// unless that would leave none compiled.
  void leave_out(const std::function<std::string(std::size_t)>& drop, std::vector<std::string>& notes) {
    std::vector<std::string> why(paths.size());
    bool any_left = false;
    for (std::size_t i = 0; i < paths.size(); ++i)
      if (compiled[i]) {
        why[i] = drop(i);
        any_left = any_left || why[i].empty();
      }
    if (!any_left) return;
    for (std::size_t i = 0; i < paths.size(); ++i)
      if (compiled[i] && !why[i].empty()) {
        compiled[i] = false;
        notes.push_back(one_line(paths[i].filename().string(), 80) + " " + why[i]);
      }
  }
};

/// C/C++ source without its comments (each made a space), string and character literals kept:
/// what the preprocessor reads, but for `#if 0` blocks.
std::string without_comments(const std::string& code) {
  std::string out;
  out.reserve(code.size());
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"' || c == '\'') {  // a literal, to its unescaped end or the line's
      out += c;
      for (++i; i < code.size() && code[i] != c && code[i] != '\n'; ++i) {
        out += code[i];
        if (code[i] == '\\' && i + 1 < code.size()) out += code[++i];
      }
      if (i < code.size()) out += code[i];
    } else if (c == '/' && i + 1 < code.size() && code[i + 1] == '/') {
      while (i < code.size() && code[i] != '\n') ++i;
      out += '\n';
    } else if (c == '/' && i + 1 < code.size() && code[i + 1] == '*') {
      const std::size_t end = code.find("*/", i + 2);
      i = end == std::string::npos ? code.size() : end + 1;
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

/// Whether `code` (without comments) defines main(): `int main(` or `void main(`, spaced any way.
bool defines_main(std::string_view code) {
  const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = code.find("main"); at != std::string_view::npos; at = code.find("main", at + 1)) {
    std::size_t after = at + 4;
    while (after < code.size() && std::isspace(static_cast<unsigned char>(code[after]))) ++after;
    if ((at > 0 && word(code[at - 1])) || after >= code.size() || code[after] != '(') continue;
    std::size_t before = at;
    while (before > 0 && std::isspace(static_cast<unsigned char>(code[before - 1]))) --before;
    for (const std::string_view type : {"int", "void"})
      if (before >= type.size() && code.substr(before - type.size(), type.size()) == type &&
          (before == type.size() || !word(code[before - type.size() - 1])) && before < at)
        return true;
  }
  return false;
}

/// A preprocessor line's directive and what follows it, blanks skipped (`# include "a.c"`:
/// "include" and `"a.c"`); nothing for another line.
std::optional<std::pair<std::string_view, std::string_view>> directive(std::string_view line) {
  const auto skip_blanks = [&line] {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  };
  skip_blanks();
  if (!line.starts_with('#')) return std::nullopt;
  line.remove_prefix(1);
  skip_blanks();
  const std::string_view name = line.substr(0, std::min(line.find_first_of(" \t(\"<"), line.size()));
  line.remove_prefix(name.size());
  skip_blanks();
  return std::pair{name, line};
}

/// What the preprocessor reads of a source, near enough to see its includes and its main():
/// without comments, the lines it may compile (`maybe`: all but those of `#if 0` blocks and the
/// `#else` of `#if 1`) and those it surely compiles (`surely`: outside any other conditional,
/// `#ifdef UNITY_BUILD` say; a header guard, `#ifndef X` then `#define X`, is no condition).
struct Compiled {
  std::string maybe, surely;
};

Compiled what_compiles(const std::string& content) {
  struct Branch {
    bool known, taken;  // whether it is known to be compiled or not, and which
  };
  std::vector<Branch> open;
  std::size_t dead = 0, unsure = 0;  // of the open branches: known not taken; not known taken
  const auto count = [&](const Branch& b, int sign) {
    const auto add = [sign](std::size_t& n) { n = sign > 0 ? n + 1 : n - 1; };
    if (b.known && !b.taken) add(dead);
    if (!(b.known && b.taken)) add(unsure);
  };
  const auto push = [&](Branch b) {
    open.push_back(b);
    count(b, 1);
  };
  Compiled out;
  std::vector<std::string> lines;
  std::istringstream in(without_comments(content));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto d = directive(lines[i]);
    const std::string_view name = d ? d->first : "", rest = d ? d->second : "";
    const auto word = [](std::string_view text) { return text.substr(0, text.find_first_of(" \t")); };
    if (name == "if") {
      const std::string_view value = word(rest);
      push({value == "0" || value == "1", value == "1"});
    } else if (name == "ifndef") {  // a header guard is always compiled
      const auto next = i + 1 < lines.size() ? directive(lines[i + 1]) : std::nullopt;
      const bool guard = next && next->first == "define" && word(next->second) == word(rest);
      push({guard, guard});
    } else if (name == "ifdef") {
      push({false, false});
    } else if ((name == "else" || name == "elif") && !open.empty()) {
      const Branch other{name == "else" && open.back().known, !open.back().taken};
      count(open.back(), -1);
      open.pop_back();
      push(other);
    } else if (name == "endif" && !open.empty()) {
      count(open.back(), -1);
      open.pop_back();
    }
    // Counted, not searched: a hostile source may open a million conditionals.
    out.maybe += (dead > 0 ? "" : lines[i]) + "\n";
    out.surely += (unsure == 0 ? lines[i] : "") + "\n";
  }
  return out;
}

/// The sources of the hand-in, of `names`, that `code` includes by name (`#include
/// "solution.c"`, `#include "./solution.c"`).
std::vector<std::string> included_sources(const std::string& code, const std::vector<std::string>& names) {
  std::vector<std::string> included;
  std::istringstream lines(code);
  for (std::string line; std::getline(lines, line);) {
    const auto d = directive(line);
    if (!d || d->first != "include" || !d->second.starts_with('"')) continue;
    std::string_view file = d->second.substr(1);
    file = file.substr(0, file.find('"'));
    if (file.starts_with("./")) file.remove_prefix(2);
    if (!file.empty() && std::find(names.begin(), names.end(), file) != names.end()) included.emplace_back(file);
  }
  return included;
}

/// Found by student helpers: a test_solution.c whose main() included solution.c, compiled with
/// it, was a compile_error ("multiple definition"), 0 points; so was a solution.c that includes
/// its helpers.c. Left out of the build, when other sources remain: the student's tests (named
/// as tests are: named_as_a_test()), test programs that include another source (a main.c with
/// `#include "solution.c"`), and then a source that another compiled source includes, which is
/// compiled there. A library needs no main(): a solution.c with a main() of its own for trying
/// it is built as it is.
void leave_out_tests_and_included(Sources& sources, const std::string& library, std::vector<std::string>& notes) {
  std::vector<Compiled> code;
  for (const auto& c : sources.contents) code.push_back(what_compiles(c));
  std::string solution_stem = fs::path(library).stem().string();
  if (solution_stem.starts_with("lib")) solution_stem.erase(0, 3);
  // The sources compiled, by name ("" for the others): what an include may name.
  const auto compiled_names = [&] {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < sources.paths.size(); ++i)
      names.push_back(sources.compiled[i] ? sources.paths[i].filename().string() : "");
    return names;
  };
  std::vector<std::string> names = compiled_names();
  sources.leave_out(
      [&](std::size_t i) -> std::string {
        if (named_as_a_test(sources.paths[i].stem().string()))
          return "is not compiled: named as a test (test_*, *_test), it is taken for your own tests (rename it "
                 "if it belongs to your solution)";
        // The source named as the library is (solution.c for libsolution.so) is the solution,
        // its main() one for trying it (found by a student helper: a solution.c with a main()
        // and `#include "helpers.c"` was left out, 0 of 8).
        if (!defines_main(code[i].maybe) || sources.paths[i].stem() == solution_stem) return "";
        for (const auto& other : included_sources(code[i].surely, names))
          if (other != names[i])
            return "is not compiled: it defines main() and includes " + one_line(other, 80) +
                   ", as a test program does, and built with it would define its functions twice; " +
                   one_line(other, 80) + " is compiled on its own (a library needs no main())";
        return "";
      },
      notes);
  names = compiled_names();
  std::map<std::string, std::string> includer;  // a compiled source another includes: which one
  for (std::size_t i = 0; i < names.size(); ++i)
    if (sources.compiled[i])
      for (const auto& other : included_sources(code[i].surely, names))
        if (other != names[i]) includer.emplace(other, names[i]);
  sources.leave_out(
      [&](std::size_t i) -> std::string {
        const auto by = includer.find(names[i]);
        if (by == includer.end()) return "";
        return "is not compiled on its own: " + one_line(by->second, 80) +
               " includes it, and built on its own as well its functions would be defined twice";
      },
      notes);
}

}  // namespace

LibraryBuild find_or_build_library(const LibrarySpec& spec, const fs::path& folder, const fs::path& cache_dir,
                                   std::uintmax_t max_cache_bytes) {
  LibraryBuild build;
  const auto dir = fs::absolute(folder).lexically_normal();
  const auto handed_in = dir / spec.file;
  std::error_code ec;
  std::optional<std::string> foreign;  // the library handed in, which cannot be loaded here: why
  const fs::file_status handed_in_status = fs::symlink_status(handed_in, ec);
  if (fs::is_regular_file(handed_in_status)) {
    foreign = foreign_library(handed_in);
    if (!foreign) {
      build.library = handed_in;
      return build;
    }
  } else if (fs::is_symlink(handed_in_status)) {  // found by a student helper: told there was none
    foreign = "a symbolic link, not the library itself (hand in the file)";
  } else if (fs::exists(handed_in_status)) {
    foreign = "no file (a folder, a pipe)";
  }
  std::vector<fs::path> sources, headers;
  std::vector<std::string> odd;
  fs::directory_iterator it(dir, ec);
  if (ec) disk_fault("list the submission", dir, ec);
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) disk_fault("list the submission", dir, ec);
    const std::string name = it->path().filename().string();
    if (source_header(it->path())) {  // an odd name is not copied: the compiler names what is missing
      if (plain_source_name(name)) headers.push_back(it->path());
      continue;
    }
    if (!compiled_source(it->path())) continue;
    if (!plain_source_name(name)) {
      odd.push_back(name);
      continue;
    }
    sources.push_back(it->path());
  }
  std::sort(sources.begin(), sources.end());
  std::sort(headers.begin(), headers.end());
  if (!odd.empty()) {
    std::sort(odd.begin(), odd.end());
    build.compile_failed = true;
    build.message = "the source file name '" + one_line(odd.front(), 80) +
                    "' is not compiled: a source's name must start with a letter, a digit or '_' and hold only "
                    "letters, digits, '_', '-', '+' and '.' (rename it, e.g. to solution.cpp)";
    return build;
  }
  if (sources.empty() && foreign) {
    build.unloadable = true;
    build.message = spec.file + " is " + *foreign + ", which the grader cannot load: hand in your C/C++ sources (.c, " +
                    ".cpp), which it compiles, or " + library_built_here();
    return build;
  }
  if (sources.empty()) {
    build.message = "no " + spec.file + " and no C or C++ sources (.c, .cpp) in the submission";
    return build;
  }
  if (foreign)
    build.notes.push_back(spec.file + " is " + *foreign + ", which the grader cannot load (it loads " +
                          library_built_here() +
                          "): your C/C++ sources beside it are compiled instead; leave the library out of your "
                          "hand-in");
  std::uintmax_t total = 0;
  sources.insert(sources.end(), headers.begin(), headers.end());  // compiled, then copied beside them
  for (const auto& s : sources) {
    std::error_code unsized;
    const std::uintmax_t size = fs::file_size(s, unsized);
    if (!unsized) total += size;  // a source that is not a file is refused when it is read
  }
  if (total > kMaxSourceBytes) {
    build.compile_failed = true;
    build.message = "not compiled: the C/C++ sources hold " + std::to_string(total) + " bytes in all, more than the " +
                    std::to_string(kMaxSourceBytes >> 20) +
                    " MiB a build compiles; hand in your code alone (values belong in code that computes them)";
    return build;
  }

  Sources read;
  for (const auto& s : sources) {
    try {
      read.contents.push_back(read_bounded(s));
      read.paths.push_back(s);
      read.compiled.push_back(compiled_source(s));
    } catch (const ReadError& e) {
      build.message = s.filename().string() + " " + e.what();
      build.compile_failed = true;
      return build;
    }
  }
  leave_out_tests_and_included(read, spec.file, build.notes);
  const std::vector<std::string>& contents = read.contents;
  bool cxx = false;  // C++ if any source compiled is
  for (std::size_t i = 0; i < sources.size(); ++i) cxx = cxx || (read.compiled[i] && sources[i].extension() != ".c");
  std::string command = cxx ? spec.compile_cxx : spec.compile_c;
  // The key covers everything the build reads of ours too: the command and the ABI headers.
  // A SHA-256 of length-prefixed fields: a hit hands over a compiled library, so no other
  // submission's files may be made to match it.
  Digest key;
  key.add(command);
  for (const char* header : {"solution.h", "solution.hpp"})
    key.add(read_bounded(fs::path(GRADER_INCLUDE_DIR) / "grader" / header));
  for (std::size_t i = 0; i < sources.size(); ++i)
    key.add(sources[i].filename().string()).add(contents[i]).add(read.compiled[i] ? "compiled" : "copied");
  const std::string hex = key.hex();
  const auto cache = (cache_dir.empty() ? default_cache_dir() : cache_dir) / hex;
  const auto library = cache / spec.file;
  const auto held = lock_key(hex);
  if (fs::is_regular_file(library, ec)) {
    fs::last_write_time(library, fs::file_time_type::clock::now(), ec);  // used: the last to go
    build.library = library;
    build.cached = true;
    return build;
  }
  fs::create_directories(cache, ec);
  if (ec) disk_fault("create the build cache", cache, ec);

  // Build in a private folder holding copies of the sources and of the ABI headers, so that
  // the confined compiler reads nothing of the grader's or other students' files. The result
  // is renamed into the cache: a cached library is always complete.
  const auto build_dir = cache / ("build." + unique_suffix());
  remove_folder(build_dir);
  fs::create_directories(build_dir / "include" / "grader", ec);
  if (ec) disk_fault("create the build folder", build_dir, ec);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ignored;  // on the way out of an error already being reported
      fs::remove_all(dir, ignored);
      fs::remove(dir.parent_path(), ignored);  // the key's folder, if no library is in it
    }
  } cleanup{build_dir};
  for (const char* header : {"solution.h", "solution.hpp"}) {
    fs::copy_file(fs::path(GRADER_INCLUDE_DIR) / "grader" / header, build_dir / "include" / "grader" / header, ec);
    if (ec) disk_fault("copy the ABI headers into", build_dir, ec);
  }
  std::string source_list;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string name = sources[i].filename().string();
    const auto path = build_dir / name;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    bool written = fd >= 0;
    for (std::size_t done = 0; written && done < contents[i].size();) {
      const ssize_t n = ::write(fd, contents[i].data() + done, contents[i].size() - done);
      written = n > 0;
      done += written ? static_cast<std::size_t>(n) : 0;
    }
    const int error = errno;
    if (fd >= 0 && ::close(fd) != 0) written = false;
    if (!written) disk_fault("write the sources into", build_dir, std::error_code(error, std::generic_category()));
    if (read.compiled[i]) source_list += (source_list.empty() ? "" : " ") + quote("./" + name);
  }
  const uid_t uid = sandbox::worker_uid();
  if (geteuid() == 0)  // the compiler runs as the worker's own user: give it the folder
    for (auto e = fs::recursive_directory_iterator(build_dir); e != fs::recursive_directory_iterator(); ++e)
      if (lchown(e->path().c_str(), uid, uid) != 0 || lchown(build_dir.c_str(), uid, uid) != 0)
        disk_fault("hand the build folder to the compiler's user", build_dir,
                   std::error_code(errno, std::generic_category()));
  command = replaced(replaced(replaced(command, "{sources}", source_list), "{output}", quote(spec.file)), "{include}",
                     "include");

  const auto seconds = static_cast<int>(std::ceil(spec.compile_seconds));
  sandbox::Spawn how;
  how.program = runner_path();
  how.args = {"compile",           std::to_string(getpid()),
              std::to_string(uid), std::to_string(std::max(1, seconds)),
              build_dir.string(),  command};
  const auto partial = build_dir / spec.file;
  // A compiler killed by SIGKILL while its driver ran on (the driver says so), and not by the
  // grader's time limit (the compiler's memory is limited: an allocation fails first), was
  // killed from outside: the OOM killer on a machine short of memory, or a person (found by a
  // TA helper: a correct C++ hand-in scored 0, and --resume kept it). Its build is run once
  // more. The driver's words are no proof, the student's own can print them (`#error Killed
  // signal terminated program cc1`, found by a hostile-student helper, made every run of its
  // class a grader failure): said twice, they are the build's output, the student's verdict.
  const auto compile = [&] {
    sandbox::Child compiler = sandbox::spawn(how);
    return compiler.watch(sandbox::after(spec.compile_seconds), nullptr, kCompilerOutput);
  };
  const auto killed_from_outside = [](const sandbox::Observation& seen) {
    return !seen.killed && seen.output.find("Killed signal terminated program") != std::string::npos;
  };
  // Whether the build made the library; a failure of the sandbox or of the cache's disk is the
  // grader's (the disk's free space tells it from the student's own `#error No space left`).
  const auto built = [&](const sandbox::Observation& seen) {
    const int status = seen.exit.status;
    if (WIFEXITED(status) && WEXITSTATUS(status) == protocol::kExitSetupFailed &&
        seen.output.rfind("grader-runner: cannot confine itself", 0) == 0)
      throw Error("the sandbox could not confine the compiler: " + library::printable(seen.output));
    if (!seen.killed && WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::is_regular_file(partial, ec)) return true;
    if ((seen.output.find("No space left on device") != std::string::npos ||
         seen.output.find("Disk quota exceeded") != std::string::npos) &&
        disk_nearly_full(cache))
      cache_full("the compiler could not write its output", cache);
    return false;
  };
  sandbox::Observation seen = compile();
  bool ok = built(seen);
  const bool killed_once = !ok && killed_from_outside(seen);
  if (killed_once) {
    spdlog::warn("the compiler was killed from outside (SIGKILL) while building {}: building it again",
                 sources.front().parent_path().string());
    fs::remove(partial, ec);
    seen = compile();
    ok = built(seen);
  }
  if (!ok) {
    build.compile_failed = true;
    std::map<std::string, std::string> own;
    for (std::size_t i = 0; i < sources.size(); ++i) own.emplace(sources[i].filename().string(), contents[i]);
    std::string first;  // the first error, for the line a table shows
    const std::string feedback = compiler_feedback(library::printable(seen.output, kCompilerOutput), own, first);
    build.message = seen.killed ? "compiling took longer than " + seconds_text(spec.compile_seconds) + " s"
                                : "compiling failed" + (first.empty() ? ":" : " at " + first) + "\n" + feedback;
    if (killed_once && killed_from_outside(seen))
      build.message += std::string(build.message.ends_with('\n') ? "" : "\n") +
                       "(the compiler said it was killed (SIGKILL), twice: if your code does not print that, ask "
                       "for your hand-in to be graded again)\n";
    if (!seen.killed && (seen.output.find("File size limit exceeded") != std::string::npos ||
                         seen.output.find("File too large") != std::string::npos))
      build.message = "compiling failed: the build wrote a file larger than " +
                      std::to_string(protocol::kMaxBuildFileBytes >> 20) +
                      " MiB, the most a build may write; is a large array initialised in your source? "
                      "(allocate it when the function runs)\n" +
                      build.message.substr(build.message.find('\n') + 1);
    return build;
  }
  fs::rename(partial, library, ec);
  if (ec) disk_fault("store the built library in", cache, ec);
  // The cache's files are the grader's again: a later worker with the same user must not own them.
  if (geteuid() == 0 && lchown(library.c_str(), 0, 0) != 0)
    disk_fault("take back the built library", library, std::error_code(errno, std::generic_category()));
  trim_cache(cache.parent_path(), cache, max_cache_bytes);
  build.library = library;
  return build;
}

}  // namespace grader
