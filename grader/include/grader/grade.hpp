#pragma once
/// Grading one submission folder against a loaded spec.

#include <filesystem>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grader/answers/read.hpp"
#include "grader/result.hpp"
#include "grader/spec/spec.hpp"

namespace grader {

struct GradeOptions {
  ReadLimits limits;
  /// The seed of every randomized check; by default one per student and exercise.
  std::optional<std::uint64_t> seed;
  /// Where libraries built from sources are kept (default: the user's cache folder).
  std::filesystem::path cache_dir;
  /// Every answer rounded to float32 as it is read, files and notebook alike, as a student
  /// computing in float32 hands it in (`grader spec check`'s "reference in float32").
  bool answers_in_float32 = false;
  /// An instructor's secret (`--seed-secret`, read_seed_secret), mixed into every default
  /// seed: a student who has the spec and the grader cannot compute offline which cases a
  /// hand-in meets, nor vary one until its cases avoid a bug of theirs. Empty: none. A seed
  /// given (`seed`) is used as it is, so the seed feedback shows replays with or without it.
  std::string seed_secret;
};

/// The secret of `file` for GradeOptions::seed_secret: its bytes, trailing white space (an
/// editor's newline) aside. Throws UsageError, naming the file and how to make one, for a file
/// that cannot be read or holds fewer than 16 characters (few enough to guess from a seed).
std::string read_seed_secret(const std::filesystem::path& file);

/// Reads the student's answers and grades every exercise. A student's problems (missing,
/// unreadable, wrong shape, wrong values) are verdicts in the result; only a folder that does
/// not exist (UsageError) or a broken spec (SpecError) throws. A folder that holds one folder
/// and nothing else (a zipped folder; macOS's __MACOSX/ and hidden entries aside) is graded
/// from that folder, with a note. A submission whose child was killed from outside
/// (KilledFromOutside) is graded once more, with a warning; killed again, that throws.
/// example: AssignmentResult r = grade_submission(load_spec("specs/x.yaml"), "submissions/x/alice");
AssignmentResult grade_submission(const Spec& spec, const std::filesystem::path& dir, const GradeOptions& options = {});

/// Whether a folder's entry is made by tools, never by a student: hidden (.git, .DS_Store) or
/// the __MACOSX/ of a zip made on macOS (Finder's metadata only). Not a file of a submission,
/// nor a student of a class folder.
bool not_handed_in(const std::string& name);

/// The first two of a folder's first eight subfolders that would be graded, by the same rules,
/// if each were given as a submission: a hand-in zipped with its folder, a student's attempts,
/// or a class given one level too high. (A folder of data files, or hidden, is none.)
std::vector<std::string> hand_ins_one_folder_down(const Spec& spec, const std::filesystem::path& dir,
                                                  const ReadLimits& limits);

}  // namespace grader
