// Landlock: file access beneath the allowed paths only, and (ABI 6) signals and abstract Unix
// sockets scoped to the process's own domain. Probed at run time: the system's headers may be
// older than its kernel, so the newer constants are spelled out here.
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "confine.hpp"

namespace confine {

namespace {

// Access rights by the ABI that introduced them (linux/landlock.h of Linux 6.12).
constexpr std::uint64_t kReadFile = 1ull << 2, kReadDir = 1ull << 3, kExecute = 1ull << 0, kWriteFile = 1ull << 1;
constexpr std::uint64_t kAbi1 = (1ull << 13) - 1;                                        // execute .. make_sym
constexpr std::uint64_t kRefer = 1ull << 13;                                             // ABI 2
constexpr std::uint64_t kTruncate = 1ull << 14;                                          // ABI 3
constexpr std::uint64_t kNetBindTcp = 1ull << 0, kNetConnectTcp = 1ull << 1;             // ABI 4
constexpr std::uint64_t kScopeAbstractUnixSocket = 1ull << 0, kScopeSignal = 1ull << 1;  // ABI 6

/// landlock_ruleset_attr as of ABI 6; the kernel is told how much of it to read.
struct RulesetAttr {
  std::uint64_t handled_access_fs;
  std::uint64_t handled_access_net;
  std::uint64_t scoped;
};

struct PathBeneath {
  std::uint64_t allowed_access;
  std::int32_t parent_fd;
} __attribute__((packed));

}  // namespace

const std::vector<std::string>& system_paths() {
  static const std::vector<std::string> paths = {"/usr",
                                                 "/bin",
                                                 "/sbin",
                                                 "/lib",
                                                 "/lib32",
                                                 "/lib64",
                                                 "/libx32",
                                                 "/etc/ld.so.cache",
                                                 "/etc/alternatives",
                                                 "/sys/devices/system/cpu"};
  return paths;
}

int landlock_abi() {
  static const int abi = [] {
    const long v = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return v < 0 ? 0 : static_cast<int>(v);
  }();
  return abi;
}

std::string restrict_files(const std::vector<std::string>& readable, const std::vector<std::string>& writable) {
  const int abi = landlock_abi();
  if (abi < 1) return "no Landlock (the kernel lacks it)";
  RulesetAttr attr{};
  attr.handled_access_fs = kAbi1 | (abi >= 2 ? kRefer : 0) | (abi >= 3 ? kTruncate : 0);
  std::size_t size = sizeof(std::uint64_t);
  if (abi >= 4) {
    attr.handled_access_net = kNetBindTcp | kNetConnectTcp;  // no rule: no TCP at all
    size = 2 * sizeof(std::uint64_t);
  }
  if (abi >= 6) {
    attr.scoped = kScopeAbstractUnixSocket | kScopeSignal;
    size = sizeof attr;
  }
  const int ruleset = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, size, 0));
  if (ruleset < 0) return "no Landlock (ruleset refused)";
  const auto allow = [&](const std::string& path, std::uint64_t file_rights, std::uint64_t dir_rights) {
    const int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) return;  // not on this system: nothing to allow
    struct stat st {};
    fstat(fd, &st);
    PathBeneath rule{(file_rights | (S_ISDIR(st.st_mode) ? dir_rights : 0)) & attr.handled_access_fs, fd};
    syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    close(fd);
  };
  const std::uint64_t read_file = kReadFile | kExecute;
  for (const auto& path : readable) allow(path, read_file, kReadDir);
  // A folder: everything inside it; a file (/dev/null): reading and writing.
  for (const auto& path : writable) allow(path, read_file | kWriteFile | kTruncate, attr.handled_access_fs);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    close(ruleset);
    return "no Landlock (no-new-privileges refused)";
  }
  const long rc = syscall(SYS_landlock_restrict_self, ruleset, 0);
  close(ruleset);
  if (rc != 0) return "no Landlock (restriction refused)";
  std::string out = "Landlock ABI " + std::to_string(abi) + " (files: read " + std::to_string(readable.size()) +
                    " paths" + (writable.empty() ? "" : ", write " + std::to_string(writable.size())) + ")";
  if (abi >= 4) out += ", no TCP";
  if (abi >= 6) out += ", signals and abstract sockets scoped to itself";
  return out;
}

}  // namespace confine
