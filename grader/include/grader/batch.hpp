#pragma once
/// Grading a whole class: every immediate subfolder of a root is one submission, named by its
/// student id. Parallel, resumable, shardable; every file written atomically. The layout of
/// the output folder (docs/batch.md):
///
///   OUT/students/<id>/result.json       the native result, plus one file per extra format
///   OUT/students/<id>/.inputs           the fingerprint of what was graded, written last
///   OUT/gradebook.csv, OUT/summary.json the class, written once every student is graded

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "grader/grade.hpp"
#include "grader/report/report.hpp"
#include "grader/spec/spec.hpp"

namespace grader::batch {

/// Slice `index` (from 0) of `count`: a student belongs to the slice its id hashes to, so
/// adding a student moves no other.
struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
};

/// "I/N" with 0 <= I < N; throws UsageError otherwise.
Shard parse_shard(const std::string& text);
bool in_shard(const std::string& student, const Shard& shard);

/// The student ids under `root`: its immediate subfolders, sorted, hidden ones skipped.
/// Throws UsageError if `root` is not a folder.
std::vector<std::string> list_students(const std::filesystem::path& root);

struct Progress {
  std::size_t done = 0;    ///< graded or reused so far
  std::size_t reused = 0;  ///< of which up to date from an earlier run (--resume)
  std::size_t total = 0;
  double seconds = 0;
};

struct Options {
  std::size_t jobs = 0;  ///< parallel submissions; 0: one per core
  bool resume = false;   ///< keep up-to-date results of an earlier run
  Shard shard;
  std::vector<report::Format> formats;  ///< written besides the native JSON
  GradeOptions grading;
  /// Called after each submission (serialized: never twice at once).
  std::function<void(const Progress&)> on_progress;
  /// Set (by a signal handler) to stop starting submissions; running ones finish.
  const std::atomic<bool>* stop = nullptr;
};

/// One exercise's column of the gradebook.
struct Column {
  std::string id;
  std::string title;
  double max_score = 0;
};

/// One student's row, read back from their native result.
struct Row {
  std::string student;
  std::vector<double> scores;                         ///< per column
  std::vector<std::string> verdicts;                  ///< per column
  std::vector<std::optional<std::string>> mistakes;   ///< per column
  double total = 0;
};

/// The class: what gradebook.csv and summary.json are made from.
struct Gradebook {
  std::string assignment, title, version;
  std::string spec_fingerprint;  ///< of the spec's bytes; shards must agree
  std::vector<Column> columns;
  double max_score = 0;
  std::vector<Row> rows;  ///< sorted by student id
};

struct Outcome {
  std::size_t students = 0;  ///< in this shard
  std::size_t graded = 0;    ///< graded now
  std::size_t reused = 0;    ///< kept from an earlier run
  std::vector<std::string> failures;  ///< "<id>: why": the grader's failures, never a verdict
  bool interrupted = false;
  std::optional<Gradebook> gradebook;  ///< when every student of the shard has a result
};

/// Grades every submission of `root` (in `options.shard`) into `out`. Student problems are
/// verdicts; a submission the grader itself could not grade (disk full, say) is listed in
/// failures and written nowhere, so that --resume retries it.
Outcome grade_class(const Spec& spec, const std::filesystem::path& root, const std::filesystem::path& out,
                    const Options& options);

/// Combines the outputs of shards (each graded with --shard I/N into its own folder) into
/// `out`: the student folders, gradebook.csv and summary.json, exactly as one run writes them.
/// Throws UsageError for shards of different specs, a missing or repeated shard, or a student
/// in two shards.
Gradebook merge(const std::vector<std::filesystem::path>& shard_dirs, const std::filesystem::path& out);

/// gradebook.csv: student, one column per exercise (its score), total, max.
std::string gradebook_csv(const Gradebook& book);

/// summary.json: per exercise the pass rate, mean score, verdict counts and matched known
/// mistakes; the score histogram (10 bins of the maximum); with `shard`, which one.
std::string summary_json(const Gradebook& book, const std::optional<Shard>& shard = std::nullopt);

/// The same, as a table for a terminal.
std::string summary_text(const Gradebook& book);

}  // namespace grader::batch
