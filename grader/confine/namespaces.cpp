// Namespaces and the minimal view of the file system a confined process sees.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "confine.hpp"

namespace confine {

namespace {

[[noreturn]] void fail(const std::string& what) { throw SetupError(what + ": " + std::strerror(errno)); }

bool write_file(const char* path, const std::string& text) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

/// mkdir -p, inside the new root being built.
void make_dirs(const std::string& path) {
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string part = path.substr(0, slash);
    if (mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) fail("mkdir " + part);
    if (slash == std::string::npos) break;
  }
}

void make_file(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash > 0) make_dirs(path.substr(0, slash));
  const int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) fail("creating the mount point " + path);
  close(fd);
}

/// The flags a remount must keep: in a user namespace, those of the original mount are locked.
unsigned long locked_flags(int fd) {
  struct statvfs st {};
  if (fstatvfs(fd, &st) != 0) return 0;
  unsigned long flags = 0;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

/// Binds what `fd` (an O_PATH descriptor opened in this mount namespace) names onto `target`,
/// read-only unless `writable`.
void bind(int fd, const std::string& target, bool writable) {
  const std::string source = "/proc/self/fd/" + std::to_string(fd);
  if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) fail("binding " + target);
  const unsigned long flags = MS_REMOUNT | MS_BIND | MS_NOSUID | locked_flags(fd) | (writable ? 0 : MS_RDONLY);
  if (mount(nullptr, target.c_str(), nullptr, flags, nullptr) != 0) fail("remounting " + target);
}

}  // namespace

std::string Namespaces::describe() const {
  if (!user && !pid && !mount && !net && !ipc) return "no namespaces (" + why_not + ")";
  std::string out;
  const auto add = [&](bool on, const char* name) {
    if (on) out += (out.empty() ? "" : ", ") + std::string(name);
  };
  add(user, "user");
  add(pid, "PID");
  add(mount, "mount");
  add(net, "network");
  add(ipc, "IPC");
  return out + " namespaces";
}

Namespaces enter_namespaces(bool pid) {
  Namespaces ns;
  const bool root = geteuid() == 0;
  const uid_t uid = getuid();
  const gid_t gid = getgid();
  const int flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | (pid ? CLONE_NEWPID : 0) | (root ? 0 : CLONE_NEWUSER);
  if (unshare(flags) != 0) {
    ns.why_not = std::string("the system refuses them: ") + std::strerror(errno);
    return ns;
  }
  if (!root) {
    // Inside, the same user as outside: files keep their owners, and nothing is gained. The
    // maps are files of the process's own /proc, writable only while it is dumpable.
    const int dumpable = prctl(PR_GET_DUMPABLE);
    prctl(PR_SET_DUMPABLE, 1);
    const bool mapped = write_file("/proc/self/setgroups", "deny") &&
                        write_file("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1") &&
                        write_file("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1");
    prctl(PR_SET_DUMPABLE, dumpable);
    if (!mapped) fail("mapping the user namespace");
  }
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail("making mounts private");
  ns.user = !root;
  ns.pid = pid;
  ns.mount = ns.net = ns.ipc = true;
  return ns;
}

namespace {

/// A tmpfs's size options: `kib` of data and one file per 4 KiB of it (at least 1024). Files
/// cost the kernel memory the size does not count (an empty file with a long name, about 1 KiB):
/// by default a tmpfs allows millions, and a child creating them held gigabytes of the
/// machine's memory outside every limit.
std::string tmpfs_size(unsigned long kib) {
  return "size=" + std::to_string(kib) + "k,nr_inodes=" + std::to_string(std::max(kib / 4, 1024ul));
}

}  // namespace

void enter_view(const View& view) {
  // Everything is opened first, while the host's paths are still visible; then an empty
  // tmpfs becomes the new root and each piece is bound into it from its descriptor.
  struct Piece {
    std::string path;
    int fd = -1;
    std::string link;  ///< the host's symbolic link, recreated instead of bound
    bool directory = false;
  };
  std::vector<Piece> pieces;
  for (const auto& path : view.read_only) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) continue;  // not on this system
    Piece p;
    p.path = path;
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      const ssize_t n = readlink(path.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      p.link.assign(target, static_cast<std::size_t>(n));
    } else {
      p.fd = open(path.c_str(), O_PATH | O_CLOEXEC);
      if (p.fd < 0) continue;
      p.directory = S_ISDIR(st.st_mode);
    }
    pieces.push_back(std::move(p));
  }
  std::vector<std::pair<std::string, int>> devices;
  for (const auto& path : view.devices) {
    const int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd >= 0) devices.emplace_back(path, fd);
  }
  int writable = -1;
  if (view.writable) {
    writable = open(view.writable->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (writable < 0) fail("opening " + *view.writable);
  }

  const std::string root = "/tmp";  // any existing folder: the mount hides it, in here only
  if (mount("tmpfs", root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,mode=0755") != 0)
    fail("mounting the new root");
  // /tmp first: a piece beneath it (a grader unpacked in /tmp) is bound on top, not hidden.
  if (view.tmp_kib > 0) {
    make_dirs(root + "/tmp");
    const std::string options = tmpfs_size(view.tmp_kib) + ",mode=01777";
    if (mount("tmpfs", (root + "/tmp").c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0)
      fail("mounting /tmp");
  }
  for (const auto& p : pieces) {
    const std::string target = root + p.path;
    if (!p.link.empty()) {
      make_dirs(target.substr(0, target.rfind('/')));
      if (symlink(p.link.c_str(), target.c_str()) != 0) fail("linking " + target);
      continue;
    }
    if (p.directory)
      make_dirs(target);
    else
      make_file(target);
    bind(p.fd, target, false);
    close(p.fd);
  }
  for (const auto& [path, fd] : devices) {
    make_file(root + path);
    bind(fd, root + path, true);
    close(fd);
  }
  if (writable >= 0) {
    make_dirs(root + view.writable_at);
    bind(writable, root + view.writable_at, true);
    close(writable);
  }
  if (view.proc) {
    make_dirs(root + "/proc");
    if (mount("proc", (root + "/proc").c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
      fail("mounting /proc");
  }
  for (const auto& m : view.mount_points) make_dirs(root + m);

  make_dirs(root + "/.old");
  if (syscall(SYS_pivot_root, root.c_str(), (root + "/.old").c_str()) != 0) fail("pivot_root");
  if (chdir("/") != 0) fail("chdir /");
  if (umount2("/.old", MNT_DETACH) != 0) fail("detaching the old root");
  rmdir("/.old");
  if (mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0)
    fail("making the new root read-only");
}

void fresh_tmpfs(const std::string& where, unsigned long kib, uid_t owner) {
  umount2(where.c_str(), MNT_DETACH);  // the previous child's, if any
  const std::string options =
      tmpfs_size(kib) + ",mode=0700,uid=" + std::to_string(owner) + ",gid=" + std::to_string(owner);
  if (mount("tmpfs", where.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) fail("mounting " + where);
}

}  // namespace confine
