// answers.yaml / answers.json in a submission folder, read by load_submission() as the grader
// does. The first byte picks the file: even answers.yaml, odd answers.json. Every message and
// note must be short, valid UTF-8, and no answer larger than its budget.
#include "fuzz_support.hpp"
#include "grader/answers/submission.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool json = data[0] & 1;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto& dir = fuzz::scratch();
  std::filesystem::remove(dir / (json ? "answers.yaml" : "answers.json"));
  fuzz::write(dir / (json ? "answers.json" : "answers.yaml"), text);
  static const std::vector<grader::AnswerRequest> requested = {
      {"a", {1, 3}}, {"b", {2, 2}}, {"c", {3}}, {"query121", {1, 3}}, {"s", {}}};
  const grader::Submission s = grader::load_submission(dir, requested);
  fuzz::require(s.notes.size() <= 2 * grader::kMaxListedNotes + 3, "too many notes");
  for (const auto& note : s.notes) {
    fuzz::require_printable(note);
    fuzz::require(note.size() < 1000, "a long note");
  }
  for (const auto& [name, answer] : s.answers) {
    fuzz::require_printable(answer.message);
    fuzz::require(answer.message.size() < 1000, "a long message");
    fuzz::require(!answer.value || answer.value->size() <= grader::Expected::kReadAtLeast,
                  "an answer read past its budget");
  }
  return 0;
}
