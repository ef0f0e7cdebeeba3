#include "grader/library/build.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <chrono>
#include <cstdlib>
#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "grader/answers/read.hpp"
#include "grader/atomic_file.hpp"
#include "grader/error.hpp"
#include "grader/library/run.hpp"
#include "../hash.hpp"
#include "../text.hpp"


namespace grader {

namespace {

std::filesystem::path default_cache() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "attention-grader";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "attention-grader";
  return std::filesystem::temp_directory_path() / "attention-grader-cache";
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}


/// The first lines with "error" in them (or the first lines), as a student reads them.
std::string first_errors(const std::string& log, const std::filesystem::path& dir) {
  std::istringstream in(log);
  std::string line, errors, head;
  int n_errors = 0, n_head = 0;
  const std::string prefix = dir.string() + "/";
  while (std::getline(in, line)) {
    line = replaced(line, prefix, "");
    if (n_head < 12) head += line + "\n", ++n_head;
    if (line.find("error") != std::string::npos && n_errors < 8) errors += line + "\n", ++n_errors;
  }
  return errors.empty() ? head : errors;
}

/// Held while a source is compiled, so that threads grading identical submissions at the
/// same time compile it once: the others then find it in the cache.
std::unique_lock<std::mutex> lock_key(std::uint64_t key) {
  static std::mutex guard;
  static std::map<std::uint64_t, std::unique_ptr<std::mutex>> locks;
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

}  // namespace

LibraryBuild find_or_build_library(const LibrarySpec& spec, const std::filesystem::path& folder,
                                   const std::filesystem::path& cache_dir) {
  LibraryBuild build;
  const auto dir = std::filesystem::absolute(folder).lexically_normal();
  const auto handed_in = dir / spec.file;
  std::error_code ec;
  if (std::filesystem::is_regular_file(std::filesystem::symlink_status(handed_in, ec))) {
    build.library = handed_in;
    return build;
  }
  std::vector<std::filesystem::path> sources;
  bool cxx = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto ext = entry.path().extension().string();
    if (ext == ".c" || ext == ".cc" || ext == ".cpp" || ext == ".cxx") {
      sources.push_back(entry.path());
      cxx = cxx || ext != ".c";
    }
  }
  std::sort(sources.begin(), sources.end());
  if (sources.empty()) {
    build.message = "no " + spec.file + " and no C or C++ sources (.c, .cpp) in the submission";
    return build;
  }

  std::string command = cxx ? spec.compile_cxx : spec.compile_c;
  // The key covers everything the build reads of ours too: the command and the ABI headers.
  std::uint64_t key = fnv1a(command);
  for (const char* header : {"solution.h", "solution.hpp"})
    key = fnv1a(read_bounded(std::filesystem::path(GRADER_INCLUDE_DIR) / "grader" / header), key);
  std::vector<std::string> contents;
  for (const auto& s : sources) {
    std::string content;
    try {
      content = read_bounded(s);
    } catch (const ReadError& e) {
      build.message = s.filename().string() + " " + e.what();
      build.compile_failed = true;
      return build;
    }
    key = fnv1a(s.filename().string(), key);
    key = fnv1a(content, key);
    contents.push_back(std::move(content));
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(key));
  const auto cache = (cache_dir.empty() ? default_cache() : cache_dir) / hex;
  const auto library = cache / spec.file;
  const auto held = lock_key(key);
  if (std::filesystem::is_regular_file(library, ec)) {
    build.library = library;
    build.cached = true;
    return build;
  }
  std::filesystem::create_directories(cache, ec);
  if (ec) throw Error("cannot create the build cache " + cache.string() + ": " + ec.message());

  // Build in a private folder holding copies of the sources and of the ABI headers, so that
  // the confined compiler (grader-runner --compile: nobody when root, Landlock) reads nothing
  // of the grader's or other students' files. The result is renamed into the cache: a cached
  // library is always complete.
  const std::string suffix = unique_suffix();
  const auto build_dir = cache / ("build." + suffix);
  std::filesystem::remove_all(build_dir, ec);
  std::filesystem::create_directories(build_dir / "include" / "grader", ec);
  for (const char* header : {"solution.h", "solution.hpp"})
    std::filesystem::copy_file(std::filesystem::path(GRADER_INCLUDE_DIR) / "grader" / header,
                               build_dir / "include" / "grader" / header, ec);
  std::string source_list;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string name = sources[i].filename().string();
    std::ofstream(build_dir / name, std::ios::binary) << contents[i];
    source_list += (source_list.empty() ? "" : " ") + quote(name);
  }
  if (geteuid() == 0)  // the compiler runs as nobody: give it the folder
    for (const auto& entry : std::filesystem::recursive_directory_iterator(build_dir))
      if (lchown(entry.path().c_str(), 65534, 65534) != 0 || lchown(build_dir.c_str(), 65534, 65534) != 0)
        throw Error("cannot hand the build folder to nobody: " + std::string(std::strerror(errno)));
  command = replaced(replaced(replaced(command, "{sources}", source_list), "{output}", quote(spec.file)), "{include}",
                     "include");
  const auto log = cache / ("compile.log." + suffix);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawn_file_actions_addchdir_np(&actions, build_dir.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  const std::string runner = runner_path().string(), parent = std::to_string(getpid()),
                    seconds = std::to_string(static_cast<int>(std::ceil(spec.compile_seconds)));
  std::vector<std::string> args = {"grader-runner", "--compile", parent, build_dir.string(), seconds, command};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  char* envp[] = {nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, runner.c_str(), &actions, &attr, argv.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw Error("cannot start the compiler through " + runner + ": " + std::strerror(rc));

  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(spec.compile_seconds));
  int status = 0;
  bool timed_out = false;
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() >= deadline && !timed_out) {
      kill(-pid, SIGKILL);
      timed_out = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(-pid, SIGKILL);  // anything the build left running
  const auto partial = build_dir / spec.file;
  std::string output;
  try {
    output = read_bounded(log);
  } catch (const ReadError&) {
  }
  std::filesystem::remove(log, ec);
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      !std::filesystem::is_regular_file(partial, ec)) {
    std::filesystem::remove_all(build_dir, ec);  // nothing worth keeping
    std::filesystem::remove(cache, ec);          // only if no other build is in there
    build.compile_failed = true;
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", spec.compile_seconds);
    build.message = timed_out ? std::string("compiling took longer than ") + limit + " s"
                              : "compiling failed:\n" + first_errors(output, build_dir);
    return build;
  }
  std::filesystem::rename(partial, library, ec);
  std::error_code ignored;
  std::filesystem::remove_all(build_dir, ignored);
  if (ec) throw Error("cannot store the built library in " + cache.string() + ": " + ec.message());
  build.library = library;
  return build;
}

}  // namespace grader
