#pragma once
/// The grader's own failures: a broken spec, bad usage, or an internal fault. These are never
/// charged to a student: main() catches them once and exits with status 2. A student's fault
/// is a Verdict in the result, never an exception.

#include <stdexcept>
#include <string>
#include <vector>

namespace grader {

/// Base of every exception the grader throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The command line is wrong (unknown format, missing folder, ...).
class UsageError : public Error {
 public:
  using Error::Error;
};

/// A file could not be written because its disk is full (or the user's quota spent).
class DiskFull : public Error {
 public:
  using Error::Error;
};

/// The results folder a run writes into was moved or removed meanwhile (its lock file is not
/// the one the run holds): nothing more may be written there by its path.
class OutputGone : public Error {
 public:
  using Error::Error;
};

/// A child running a submission was ended by a SIGKILL that neither the grader nor the child
/// sent (a child may not send itself one): the OOM killer of a machine short of memory, or a
/// person. Not the student's doing; grade_submission() grades such a submission once more.
class KilledFromOutside : public Error {
 public:
  using Error::Error;
};

/// A place in a file: 1-based line and column; 0 when unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  /// "file:line:column", leaving out what is unknown.
  std::string str() const;
};

/// One problem found in a spec.
struct Diagnostic {
  Location where;
  std::string message;
};

/// A spec cannot be used: every problem found, each with its file:line:column.
class SpecError : public Error {
 public:
  explicit SpecError(std::vector<Diagnostic> diagnostics);
  SpecError(Location where, const std::string& message);

  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace grader
