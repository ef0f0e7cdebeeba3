#pragma once
/// Grading a whole class: every immediate subfolder of a root is one submission, named by its
/// student id. Parallel, resumable, shardable; every file written atomically; one run at a
/// time per output folder. The layout of the output folder (docs/grading-a-class.md):
///
///   OUT/students/<id>/result.json       the native result, plus one file per extra format
///   OUT/students/<id>/.inputs           the fingerprint of what was graded, written last
///   OUT/gradebook.csv, OUT/summary.json the class, written once every student is graded
///   OUT/.lock                           held (flock) by the run writing into OUT

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

/// A submission of the class.
struct Student {
  std::string id;      ///< student_id() of the folder: what the gradebook and OUT/students/ use
  std::string folder;  ///< the folder's name under the class root, byte for byte
};

/// The students under `root`: its immediate subfolders, sorted by id, hidden ones skipped;
/// what else it holds (files: a submission is a folder) named in `skipped`, if given, sorted.
/// Throws UsageError if `root` is not a folder or holds no submission folder. (A root whose one
/// folder is a class, given one level too high, is refused by grade_class, which knows what the
/// spec grades.)
std::vector<Student> list_students(const std::filesystem::path& root, std::vector<std::string>* skipped = nullptr);

/// Throws UsageError if `out` is, holds or lies inside one of `sources` (the class folder of
/// `grade`, the shards of `merge`, called `what` in the message): results written there would
/// be graded, merged or overwritten as input.
void refuse_overlap(const std::filesystem::path& out, const std::vector<std::filesystem::path>& sources,
                    const std::string& what);

/// What every grade of a run depends on besides the student's own files: each as a hash, but
/// the options that are short and no secret, which summary.json shows as they were given. Shards
/// must agree on all of them.
struct RunInputs {
  std::string grader;   ///< the grader's version
  std::string spec;     ///< the spec file's bytes
  std::string data;     ///< the data files the spec reads (Spec::data_files), names and bytes
  std::string seed;     ///< --seed N given: N; else "per-student" (each student's own seeds)
  std::string seed_secret;  ///< --seed-secret: the SHA-256 of the secret (never the secret); else "none"
  std::string read_limit;   ///< the bytes read of a hand-in at most (ReadLimits::max_bytes)
  std::string formats;      ///< the report formats written for every student (--format)
  bool operator==(const RunInputs&) const = default;
};

/// RunInputs::seed of a run without --seed, and RunInputs::seed_secret of one without
/// --seed-secret, as summary.json shows them.
inline constexpr std::string_view kSeedPerStudent = "per-student";
inline constexpr std::string_view kNoSeedSecret = "none";

/// Each part of RunInputs by its name in summary.json's "inputs" and in a student's .inputs.
inline constexpr std::pair<const char*, std::string RunInputs::*> kRunInputParts[] = {
    {"grader", &RunInputs::grader},
    {"spec", &RunInputs::spec},
    {"data", &RunInputs::data},
    {"seed", &RunInputs::seed},
    {"seed_secret", &RunInputs::seed_secret},
    {"read_limit", &RunInputs::read_limit},
    {"formats", &RunInputs::formats},
};

/// A student whose result, graded again, has another score than before.
struct Rescored {
  std::string student;
  double before = 0, after = 0;
  bool operator==(const Rescored&) const = default;
};

/// How the students of a run came by their results.
struct RunCounts {
  std::size_t graded = 0;      ///< graded by the run: fresh + changed + again
  std::size_t fresh = 0;       ///< never graded before (no earlier fingerprint)
  std::size_t changed = 0;     ///< regraded because what they depend on changed
  std::size_t again = 0;       ///< graded again with unchanged inputs (no --resume, or files lost)
  std::size_t up_to_date = 0;  ///< kept from an earlier run (--resume)
  std::size_t rewritten = 0;   ///< of up_to_date: their reports written again, for other --format
  /// For `changed`: how many each input concerns, by name ("submission", "spec", "data",
  /// "grader", "seed", "formats", ...); one student can count under several.
  std::map<std::string, std::size_t> changed_inputs;
  /// Of `changed`: who, by id (found by a TA helper: a student asked why their result changed,
  /// and the counts did not say whose had).
  std::vector<std::string> changed_students;
  /// Of `graded`: those whose earlier result had another score (what a TA uploads again after
  /// a spec's fix or a late resubmission; the counts said whom the run regraded, not whose
  /// grade moved).
  std::vector<Rescored> rescored;

  RunCounts& operator+=(const RunCounts& other);
};

struct Progress {
  std::size_t done = 0;    ///< graded or reused so far
  std::size_t reused = 0;  ///< of which up to date from an earlier run (--resume)
  std::size_t total = 0;
  double seconds = 0;
};

struct Options {
  std::size_t jobs = 0;  ///< parallel submissions; 0: one per core
  bool resume = false;   ///< keep up-to-date results of an earlier run
  bool prune = false;    ///< remove results in the output folder of students not in this run
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

/// One student's row, from their result.
struct Row {
  std::string student;
  std::vector<double> scores;                        ///< per column
  std::vector<std::string> verdicts;                 ///< per column
  std::vector<std::optional<std::string>> mistakes;  ///< per column
  double total = 0;
};

/// The class folder a run graded, all its shards: its students, counted and digested (their
/// ids), so that shards graded over different classes, or over one class before and after a
/// student was added, are not merged.
struct WholeClass {
  std::size_t students = 0;
  std::string digest;
  std::vector<std::string> skipped;  ///< entries of the class folder that are no folders, not graded
  bool operator==(const WholeClass&) const = default;
};

/// The class: what gradebook.csv and summary.json are made from.
struct Gradebook {
  std::string assignment, title, version;
  RunInputs inputs;
  WholeClass whole_class;  ///< whichever shard the rows are of
  RunCounts run;  ///< how the rows were come by
  std::vector<Column> columns;
  double max_score = 0;
  std::vector<Row> rows;  ///< sorted by student id
};

struct Outcome {
  std::size_t students = 0;           ///< in this shard
  RunCounts run;                      ///< of the students that have a result
  std::vector<std::string> failures;  ///< "<id>: why": the grader's failures, never a verdict
  bool interrupted = false;
  /// A result could not be written for a full disk: no submission was started after it.
  bool disk_full = false;
  std::optional<Gradebook> gradebook;  ///< when every student of the shard has a result
};

/// Grades every submission of `root` (in `options.shard`) into `out`. Student problems are
/// verdicts; a submission the grader itself could not grade (disk full, say) is listed in
/// failures and written nowhere, so that --resume retries it. Throws UsageError at once if
/// another run holds `out` (naming it), grader::Error if gradebook.csv and summary.json
/// cannot both be written (then neither is).
Outcome grade_class(const Spec& spec, const std::filesystem::path& root, const std::filesystem::path& out,
                    const Options& options);

/// Combines the outputs of shards (each graded with --shard I/N into its own folder) into
/// `out`: the student folders, gradebook.csv and summary.json, exactly as one run writes them.
/// Throws UsageError for shards graded against different inputs (RunInputs) or over different
/// classes (WholeClass), a missing or repeated shard, a student in two shards or in the wrong
/// one, a roster naming something other than a student folder of its shard, an `out` another
/// run holds, or an `out` holding results of students in none of the shards (unless `prune`:
/// then they are removed).
Gradebook merge(const std::vector<std::filesystem::path>& shard_dirs, const std::filesystem::path& out,
                bool prune = false);

/// gradebook.csv: student, one column per exercise (its score), total, max.
std::string gradebook_csv(const Gradebook& book);

/// summary.json: per exercise the pass rate, mean score, verdict counts and matched known
/// mistakes; the score histogram (a bin per whole score, or tenths of the maximum); the run's
/// inputs and counts; with `shard`, which one.
std::string summary_json(const Gradebook& book, const std::optional<Shard>& shard = std::nullopt);

/// The same, as a table for a terminal, then how the run came by its results.
std::string summary_text(const Gradebook& book);

}  // namespace grader::batch
