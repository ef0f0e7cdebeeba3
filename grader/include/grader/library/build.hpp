#pragma once
/// Finding a submission's compiled library, or building it from the C/C++ sources handed in.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grader/spec/spec.hpp"

namespace grader {

/// The library to load, or why there is none (a compile error or nothing handed in).
struct LibraryBuild {
  std::optional<std::filesystem::path> library;
  bool compile_failed = false;
  /// The library handed in cannot be loaded here (foreign_library()), and there are no sources
  /// to compile instead: `message` says why.
  bool unloadable = false;
  std::string message;  ///< why there is no library; the compiler's first errors
  bool cached = false;  ///< built earlier from identical sources and command
  /// For the student: what of the hand-in was left out of the build, and why (a library of
  /// another system beside the sources, a test of the sources).
  std::vector<std::string> notes;
};

/// How much the build cache may hold: past it, storing a library removes the libraries used
/// least recently (but not the 16 used in the last minute most recently) until it holds three
/// quarters of it.
constexpr std::uintmax_t kMaxCacheBytes = std::uintmax_t{1} << 30;

/// Whether a file of a submission is a C or C++ source the build compiles (.c, .cc, .cpp, .cxx).
bool compiled_source(const std::filesystem::path& file);

/// Whether a file of a submission is a C or C++ header (.h, .hh, .hpp, .hxx): copied into the
/// build beside the sources, for them to include, never compiled on its own (found by a student
/// helper: a solution.c including its own attention.h was "No such file or directory").
bool source_header(const std::filesystem::path& file);

/// The most C/C++ source a submission's build compiles, in all: larger sources are not
/// compiled, nor read (whatever they hold, the verdict says so), which bounds what a build
/// holds in memory and what a submission's seed hashes (found by a hostile helper: 512 MiB of
/// padding sources pushed the compiled code out of its seed).
constexpr std::uintmax_t kMaxSourceBytes = std::uintmax_t{64} << 20;

/// Why `file`, a library handed in, cannot be loaded on this machine, read from its first bytes
/// ("a macOS library (Mach-O)", "a Windows DLL", "built for another processor (aarch64)", ...);
/// nullopt for a shared library of this machine's kind, or a file that cannot be read (loading
/// it says why). Found by a student helper: a Mac's libsolution.so beside correct sources was
/// "invalid ELF header, in every case", 0 points, the sources never compiled.
std::optional<std::string> foreign_library(const std::filesystem::path& file);

/// The spec's library file in `dir` if present and not foreign_library(); otherwise its
/// .c/.cc/.cpp sources compiled (but the student's tests of them, named test_* or *_test, or
/// defining main() and including another source, and a source another includes, compiled
/// there: a note says so) with the spec's command (C++ if any source is C++), under the spec's
/// time limit, into a cache keyed by the sources and the command (`cache_dir`, default
/// $XDG_CACHE_HOME/attention-grader or ~/.cache/attention-grader), so that grading the same
/// sources again does not recompile; the cache is kept under `max_cache_bytes`.
LibraryBuild find_or_build_library(const LibrarySpec& spec, const std::filesystem::path& dir,
                                   const std::filesystem::path& cache_dir = {},
                                   std::uintmax_t max_cache_bytes = kMaxCacheBytes);

/// The grader's cache folder: $XDG_CACHE_HOME/attention-grader, else
/// ~/.cache/attention-grader (built libraries; the Python zygote's matplotlib cache).
std::filesystem::path default_cache_dir();

}  // namespace grader
