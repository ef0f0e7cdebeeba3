#pragma once
/// Shared by the batch sources: the files of the output folder.

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "grader/batch.hpp"

namespace grader::batch {

/// The fingerprint of a student's graded inputs, written after the student's other files.
inline constexpr const char* kInputsFile = ".inputs";

/// A student's row, or nullopt if the result is of another assignment or other exercises.
std::optional<Row> row_of(const AssignmentResult& result, const std::string& student, const Gradebook& book);

/// The row of a student's native result file, or nullopt if it is absent, incomplete or does
/// not fit the gradebook.
std::optional<Row> read_row(const std::filesystem::path& result_file, const std::string& student,
                            const Gradebook& book);

/// The columns of a spec, with no rows yet.
Gradebook empty_gradebook(const Spec& spec, const RunInputs& inputs);

/// What an input of a grade is, for people: "data" -> "the spec's data files".
std::string_view describe_input(std::string_view name);

/// How a run's seeds were made (RunInputs::seed and seed_secret), for people: "--seed 7", "the
/// seed secret whose SHA-256 begins 8aa7fbee3a1a", "neither --seed nor --seed-secret".
std::string seeding(const std::string& seed, const std::string& secret);

/// Refuses (UsageError) an output folder holding a gradebook.csv or summary.json that no run of
/// the grader wrote (found by a TA helper: a spreadsheet's gradebook.csv in the folder given as
/// --out was replaced without a word): each run replaces them. A gradebook.csv alone is a run's
/// (killed between its two renames) when it starts with the header `book`'s columns make; one
/// beside a run's summary.json is refused when summary.json records another SHA-256 of it
/// (edited since it was written).
void refuse_foreign_class_files(const std::filesystem::path& out, const Gradebook& book);

/// Refuses (UsageError) an output folder whose students/ holds results of students not in
/// `graded`, which the class files of this `run` ("run", "merge") would leave out (found by a
/// TA helper: late hand-ins graded alone into the class's folder replaced a gradebook of 147
/// students with one of 1, exit 0): those `in_class` (another shard's, an entry skipped) always,
/// saying `kept_advice`; the others, saying `advice` and --prune, unless `prune`: then their
/// folders are removed, and said so. Only folders a run wrote count (result.json or .inputs).
void refuse_other_students(const std::filesystem::path& out, const std::set<std::string>& graded,
                           const std::set<std::string>& in_class, bool prune, std::string_view run,
                           std::string_view advice, std::string_view kept_advice);

/// Refuses an output folder that holds a student's result of another assignment than
/// `assignment` (the wrong spec given, or another assignment's --out reused): grading or merging
/// (`merging`) into it would replace those results. Every result is read: a folder already
/// mixed is refused whatever the order of its folders.
void refuse_other_assignment(const std::filesystem::path& out, const std::string& assignment, bool merging = false);

/// Empties a student's folder of OUT/students of what a run writes there, the fingerprint
/// first (a folder without one is graded again), then every report format and any temporary
/// a killed run left: nothing of an earlier result survives beside the new one.
void clear_student_folder(const std::filesystem::path& dir);

/// gradebook.csv and summary.json into `out`: both or neither (grader::Error if not both).
void write_class_files(const Gradebook& book, const std::filesystem::path& out, const std::optional<Shard>& shard);

/// Creates the output folder `out` and `inside` it (none: `out` alone), with their parents, or
/// throws UsageError saying why: `out` a link to a folder that is not there is told so (found by
/// a helper: "cannot create out/students: File exists").
void make_output_folder(const std::filesystem::path& out, const std::filesystem::path& inside = {});

/// OUT/.lock held (flock) while the object lives: one grader writes into an output folder at
/// a time. The kernel drops the lock when the process ends, however it ends (kill -9 too), so
/// no stale lock is left.
class OutputLock {
 public:
  /// Takes the lock for `command` ("grader grade"), or throws UsageError at once naming the
  /// run that holds it.
  OutputLock(const std::filesystem::path& out, const std::string& command);
  /// Shares the lock of a folder read (a shard being merged): any number of readers, no
  /// writer meanwhile. Throws UsageError at once, naming the run, if one is writing into it.
  /// A folder without a lock file (copied without it) is read without one.
  static OutputLock reading(const std::filesystem::path& dir);
  OutputLock(OutputLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)), out_(std::move(other.out_)) {}
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  /// Throws OutputGone unless the folder's lock file is still the one held: a folder moved or
  /// removed while the run writes into it would be written again, by its path, in part (found
  /// by a TA helper: a renamed --out got a new gradebook of four students, three of them
  /// there), and a second run could lock the new one.
  void check_held() const;

 private:
  OutputLock() = default;
  int fd_ = -1;
  std::filesystem::path out_;
};

}  // namespace grader::batch
