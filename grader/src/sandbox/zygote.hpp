#pragma once
/// The grader's side of a zygote (grader/include/grader/protocol.hpp): one per grading
/// worker and kind, exec'd once (on first use), asked for one confined child per submission.

#include <sys/types.h>

#include <array>
#include <memory>
#include <string>

#include "child.hpp"
#include "grader/protocol.hpp"

namespace grader::sandbox {

class Zygote {
 public:
  /// What the zygote has loaded for its children: a student's library's usual dependencies
  /// (libstdc++, Armadillo, OpenBLAS); Python with numpy and matplotlib; or Python with torch
  /// as well, for a hand-in that names torch (importing it costs about a second: `grader check`
  /// of a NumPy notebook need not wait for it).
  enum class Kind { library, python, python_torch };

  /// This thread's zygote of `kind`, started on first use and again if it died.
  static Zygote& of_this_thread(Kind kind);

  ~Zygote();
  Zygote(const Zygote&) = delete;
  Zygote& operator=(const Zygote&) = delete;

  /// How the zygote confined itself (namespaces, the view of the file system).
  const std::string& isolation() const { return isolation_; }

  /// Starts a child on `request` with its plan, outputs and code (the zygote passes them on
  /// as protocol::kPlanFd, kOutputFd, kCodeFd). Throws grader::Error if the zygote cannot.
  /// Launching the zygote first (the first child of a worker, or after it died) and waiting
  /// for its answer are the grader's time, which no sandbox::Budget counts.
  Child start(const protocol::ChildRequest& request, int plan, int outputs, int code);

 private:
  Zygote(Kind kind, uid_t uid);
  void launch();
  bool alive() const;
  Exit reap(pid_t pid);

  Kind kind_;
  uid_t uid_;
  Fd socket_;
  std::unique_ptr<Child> process_;  ///< the zygote itself
  std::string isolation_;
};

/// The user a grading worker's children become when the grader runs as root: one of their own
/// per worker, so that one student's code can never signal, trace or count against another's
/// (2^30 + 64 * (the grader's pid mod 2^22) + the worker's slot: distinct among concurrently
/// running graders). As an ordinary user, that user.
uid_t worker_uid();

}  // namespace grader::sandbox
