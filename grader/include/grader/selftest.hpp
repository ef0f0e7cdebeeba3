#pragma once
/// `grader spec check`: proving a spec before any student sees it. Beyond "the spec loads",
/// it grades the spec's reference solution (which must pass everything, and should still pass
/// in float32) and negative controls (an empty submission, all-zero answers, a library whose
/// functions return their first input, each declared known mistake in float64 and float32),
/// which must fail, so that the tolerances are shown to reject the mistakes students make.

#include <filesystem>
#include <string>
#include <vector>

#include "grader/spec/spec.hpp"

namespace grader::selftest {

/// One line of the report.
struct Finding {
  enum class Kind { ok, warning, failure } kind = Kind::ok;
  std::string what;     ///< the control: "reference solution", "empty submission", ...
  std::string message;  ///< what was found, naming exercises
};

struct Report {
  std::vector<Finding> findings;

  bool failed() const;
  std::size_t count(Finding::Kind kind) const;
};

struct Options {
  /// Where libraries built from sources are kept (default: the user's cache folder).
  std::filesystem::path cache_dir;
};

/// Runs every control on a loaded spec (load_spec has already checked its form). A control
/// that cannot run (no reference solution named) is a warning, never silence.
Report check(const Spec& spec, const Options& options = {});

/// The report as text: one line per finding, `ok`, `warn` or `FAIL` first.
std::string to_text(const Report& report);

}  // namespace grader::selftest
