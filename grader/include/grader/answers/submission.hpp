#pragma once
/// Finding and reading a student's answers in a submission folder.
///
/// An answer named N comes from exactly one of: N.npy, N.csv, N.txt, N.arma, N.bin, or the
/// key N of a top-level answers.yaml / answers.yml / answers.json. Two sources for one name
/// make that answer unreadable (the message names both). Problems are results, never
/// exceptions: one bad file never stops the others from being read.
///
/// What a student hands in costs at most what the spec asks for: each answer is read knowing
/// its declared shape (a header declaring another element count is refused unread, text and
/// nested lists stop a little past the expected count), answers.yaml/json are refused beyond a
/// size in proportion to the answers, and the notes about stray files and unknown entries are
/// few and short. Everything a note or message quotes from the folder is valid, printable
/// UTF-8 (utf8_safe).

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "grader/answers/read.hpp"
#include "grader/result.hpp"
#include "grader/tensor.hpp"

namespace grader {

/// An answer the spec asks for, with the shape it declares.
struct AnswerRequest {
  std::string name;
  Shape shape;
};

/// One answer as found in the folder.
struct Answer {
  std::optional<Tensor> value;  ///< set when it was read
  /// Why value is empty: missing, unreadable, or wrong_shape (its header or its size alone
  /// rules out the declared shape, so its values were not read).
  Verdict problem = Verdict::missing;
  std::string message;  ///< why it could not be used, for the student
  std::string source;   ///< where it came from, relative to the folder
  /// Said beside a failing check of it: where a notebook's value came from, when its variable
  /// was assigned in more than one cell ("your notebook assigns query121 in 2 cells, ...").
  std::string note;
  /// A notebook's answer taken where its test line runs, no cell holding the text it is taken
  /// at (AnswerSpec::python_test_line).
  bool at_test_line = false;
};

/// One answer handed in twice (two files, or a file and a notebook), each read from its own
/// source: `first` when both were read and hold the same numbers in the same shape (a
/// notebook's answer saved with np.save as well), with a note; else unreadable, naming both
/// ("keep only one").
Answer one_answer_of_two(const std::string& name, Answer first, const Answer& second);

struct Submission {
  std::filesystem::path dir;
  std::map<std::string, Answer> answers;  ///< one entry per name asked for
  std::vector<std::string> notes;         ///< unknown names of answers files, with suggestions
  /// Answer-like files no answer reads ("file quer121.npy is not an answer ...; did you mean"):
  /// worth a note unless a notebook is graded, whose data they may be.
  std::vector<std::string> stray_files;
};

/// How many stray files, and how many unknown entries of each answers file, get a note of their
/// own; one more note counts the rest.
constexpr std::size_t kMaxListedNotes = 10;

/// Reads the answers `requested` from folder `dir`. Throws UsageError only if `dir` itself is
/// not a folder (a grader usage problem, not the student's).
/// example: load_submission("alice", {{"query121", {1, 3}}, {"query122", {4, 3}}})
Submission load_submission(const std::filesystem::path& dir, const std::vector<AnswerRequest>& requested,
                           const ReadLimits& limits = {});

/// "'q' (q.npy) has shape (3, 1) but (1, 3) is expected: is it transposed?": the message for
/// answer `name`, read from `source`, whose shape `got` is not the declared `expected`.
std::string wrong_shape_message(const std::string& name, const std::string& source, const Shape& got,
                                const Shape& expected);

}  // namespace grader
