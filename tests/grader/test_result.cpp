// The result model: what an exercise says is derived from its checks; every text is made safe
// where it enters; the native JSON reads back into the same result.
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "grader/error.hpp"
#include "grader/report/report.hpp"
#include "grader/result.hpp"
#include "support/inert.hpp"

using namespace grader;

namespace {

ExerciseResult three_checks() {
  ExerciseResult e{"1", "One", Visibility::visible, 4, {}};
  e.checks.push_back({"a", Verdict::passed, 1, 1, "", "", std::nullopt, 0.1, ""});
  e.checks.push_back({"b", Verdict::wrong, 0, 2, "bad", "b details", "a known mistake", 0.2, ""});
  e.checks.push_back({"c", Verdict::crashed, 0, 1, "boom", "c details", std::nullopt, 0.3, ""});
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(result_model)

BOOST_AUTO_TEST_CASE(an_exercise_says_what_its_checks_say) {
  const ExerciseResult e = three_checks();
  BOOST_TEST(!e.passed());
  BOOST_TEST(to_string(e.verdict()) == "wrong");  // the first failing check's
  BOOST_TEST(e.score() == 1.0);
  BOOST_TEST(e.message() == "b: bad");
  BOOST_TEST(e.details() == "b details");
  BOOST_TEST(e.mistake().value_or("") == "a known mistake");
  BOOST_TEST(e.seconds() == 0.6, boost::test_tools::tolerance(1e-12));
  AssignmentResult r;
  r.exercises = {e, e};
  r.exercises[1].max_score = 2;
  BOOST_TEST(r.score() == 2.0);
  BOOST_TEST(r.max_score() == 6.0);
  BOOST_TEST(!r.all_passed());
}

BOOST_AUTO_TEST_CASE(a_later_check_naming_the_known_mistake_is_shown_before_numbers_only) {
  // Outputs judged wrong without a diagnosis (NaN in the printed example), then a check that
  // names the mistake they follow: the diagnosis is what the exercise says.
  ExerciseResult e{"2", "Masked", Visibility::visible, 4, {}};
  e.checks.push_back({"example", Verdict::non_finite, 0, 1, "12 NaN", "example details", std::nullopt, 0.1, ""});
  e.checks.push_back({"random", Verdict::wrong, 0, 2, "the mask is inverted", "random details", "inverted", 0.2, ""});
  BOOST_TEST(to_string(e.verdict()) == "wrong");
  BOOST_TEST(e.message() == "random: the mask is inverted");
  BOOST_TEST(e.details() == "random details");
  // A check that names none comes first as before; so does code that did not run (a crash, a
  // hang, an exception), whatever a later check names.
  e.checks[1].mistake.reset();
  BOOST_TEST(e.message() == "example: 12 NaN");
  e.checks[1].mistake = "inverted";
  e.checks[0].verdict = Verdict::crashed;
  BOOST_TEST(e.message() == "example: 12 NaN");
  BOOST_TEST(to_string(e.verdict()) == "crashed");
}

BOOST_AUTO_TEST_CASE(a_reason_every_check_shares_is_not_named_after_one_of_them) {
  ExerciseResult e{"1", "One", Visibility::visible, 2, {}};
  e.checks.push_back({"a", Verdict::compile_error, 0, 1, "compiling failed", "", std::nullopt, 0, ""});
  e.checks.push_back({"b", Verdict::compile_error, 0, 1, "compiling failed", "", std::nullopt, 0, ""});
  BOOST_TEST(e.message() == "compiling failed");
  e.checks.resize(1);
  e.checks[0] = {"output", Verdict::passed, 2, 2, "", "", std::nullopt, 0, ""};
  BOOST_TEST(e.passed());
  BOOST_TEST(e.message() == "");
  BOOST_TEST(!e.mistake().has_value());
  // A check for information only (no points) that names a mistake: the exercise passed, and
  // names none (found by a TA helper: the class summary counted it).
  e.checks.push_back({"causal", Verdict::wrong, 0, 0, "first key only", "", "first key only", 0, ""});
  BOOST_TEST(e.passed());
  BOOST_TEST(!e.mistake().has_value());
  e.checks[0].verdict = Verdict::wrong;
  e.checks[0].mistake = "no scaling";
  BOOST_TEST(e.mistake().value_or("") == "no scaling");
}

BOOST_AUTO_TEST_CASE(the_native_json_reads_back_into_the_same_result) {
  AssignmentResult r;
  r.assignment = "x";
  r.title = "X";
  r.version = "1";
  r.submission = "s";
  r.notes = {"a note"};
  r.printed = "hello\n";
  r.exercises = {three_checks()};
  r.exercises[0].visibility = Visibility::hidden;
  const AssignmentResult back = report::from_json(report::to_json(r));
  BOOST_TEST(report::to_json(back) == report::to_json(r));
  BOOST_TEST(back.exercises[0].checks[1].mistake.value_or("") == "a known mistake");
  BOOST_TEST(back.printed == "hello\n");
  // A result of grader 0.1.0 has no `printed`: it reads as printing nothing.
  auto old = nlohmann::json::parse(report::to_json(r));
  old.erase("printed");
  BOOST_TEST(report::from_json(old.dump()).printed == "");
  BOOST_CHECK_THROW(report::from_json("{\"format_version\": 1}"), Error);
  BOOST_CHECK_THROW(report::from_json("not json"), Error);
}

BOOST_AUTO_TEST_CASE(what_the_code_printed_comes_last_in_every_format_and_never_as_a_note) {
  AssignmentResult r;
  r.title = "X";
  r.notes = {"a note"};
  r.printed = "step 1 <ok> & done\n";
  r.exercises = {three_checks()};
  const std::string heading = "What your code printed (standard output and error; never graded)";
  const std::string text = report::to_text(r, false);
  BOOST_TEST(text.find(heading) > text.find("c details"), text);  // after every failure
  BOOST_TEST(text.find("  step 1 <ok> & done") > text.find(heading), text);
  const std::string markdown = report::to_markdown(r);
  BOOST_TEST(markdown.find("<details><summary>" + heading + "</summary>") > markdown.find("c details"), markdown);
  BOOST_TEST(report::to_junit(r).find("step 1 &lt;ok&gt; &amp; done") != std::string::npos);
  const auto gradescope = nlohmann::json::parse(report::to_gradescope(r));
  BOOST_TEST(gradescope.at("output").get<std::string>().find(heading + ":\nstep 1") != std::string::npos);
  const auto prairielearn = nlohmann::json::parse(report::to_prairielearn(r));
  BOOST_TEST(prairielearn.at("output") == heading + ":\nstep 1 <ok> & done\n");
  BOOST_TEST(prairielearn.at("message").get<std::string>().find("step 1") == std::string::npos);
  BOOST_TEST(nlohmann::json::parse(report::to_json(r)).at("notes").size() == 1u);
  // Nothing printed: no heading anywhere, no PrairieLearn output.
  r.printed.clear();
  for (const std::string& report : {report::to_text(r, false), report::to_markdown(r), report::to_junit(r),
                                    report::to_gradescope(r), report::to_prairielearn(r)})
    BOOST_TEST(report.find("What your code printed") == std::string::npos, report);
  BOOST_TEST(!nlohmann::json::parse(report::to_prairielearn(r)).contains("output"));
}

BOOST_AUTO_TEST_CASE(prairielearn_shows_an_exercises_message_once) {
  // PrairieLearn shows a test's message above its output: an exercise of one check said its
  // message twice there. Gradescope has one field for both.
  AssignmentResult r;
  r.title = "X";
  ExerciseResult one{"1", "One", Visibility::visible, 2, {}};
  one.checks.push_back(
      {"b", Verdict::wrong, 0, 2, "your query selects value[1]", "got 1, expected 2", std::nullopt, 0.1, ""});
  r.exercises = {one, three_checks()};
  const auto pl = nlohmann::json::parse(report::to_prairielearn(r)).at("tests");
  BOOST_TEST(pl[0].at("message") == "your query selects value[1]");
  BOOST_TEST(pl[0].at("output") == "got 1, expected 2");
  // Several checks: the output is the list of them, each failing one with its message.
  BOOST_TEST(
      pl[1].at("output").get<std::string>().find("wrong (0 / 2 points): b\n  bad\n  b details") != std::string::npos,
      pl[1].at("output"));
  const auto gradescope = nlohmann::json::parse(report::to_gradescope(r)).at("tests");
  BOOST_TEST(gradescope[0].at("output") == "your query selects value[1]\ngot 1, expected 2");
}

BOOST_AUTO_TEST_CASE(the_text_report_says_feedback_repeated_word_for_word_once) {
  // Found by a student helper: two notebooks handed in gave six exercises the same paragraph.
  AssignmentResult r;
  r.title = "X";
  ExerciseResult one{"1", "One", Visibility::visible, 1, {}};
  one.checks.push_back({"output", Verdict::unreadable, 0, 1, "keep only one notebook", "", std::nullopt, 0, ""});
  ExerciseResult two = one, three = one;
  two.id = "2";
  three.id = "3";
  three.checks[0].message = "something else";
  r.exercises = {one, two, three};
  const std::string all = report::to_text(r, false), text = all.substr(all.find("\nfailures\n"));
  BOOST_TEST(text.find("keep only one notebook") == text.rfind("keep only one notebook"), all);
  BOOST_TEST(text.find("2 One: unreadable\n  the same as 1\n") != std::string::npos, text);
  BOOST_TEST(text.find("3 One: unreadable\n  something else") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_random_case_failing_word_for_word_as_one_above_is_said_once) {
  // Found by a student helper: a wrong shape's message, then "(the same as above)" under it.
  // A message that differs only in its case's number is kept, for what it says of the case.
  const std::string seed = "seed 7: quote it when you ask about this case";
  const std::string shape = "random case 1 of 20 (block=2): the result has shape 2 x 3; expected 2 x 2";
  ExerciseResult e{"1", "One", Visibility::visible, 3, {}};
  e.checks.push_back({"a", Verdict::wrong_shape, 0, 1, shape, "inputs\n" + seed, std::nullopt, 0, ""});
  e.checks.push_back({"b", Verdict::wrong_shape, 0, 1, shape, seed, std::nullopt, 0, ""});
  auto other = shape;
  other.replace(other.find("of 20"), 5, "of 50");
  e.checks.push_back({"c", Verdict::wrong_shape, 0, 1, other, seed, std::nullopt, 0, ""});
  AssignmentResult r;
  r.title = "X";
  r.exercises = {e};
  const std::string all = report::to_text(r, false), text = all.substr(all.find("\nfailures\n"));
  BOOST_TEST(text.find("b\n    the same as above\n    " + seed) != std::string::npos, text);
  BOOST_TEST(text.find("c\n    " + other + "\n    (the same failure as above, in another case)\n    " + seed) !=
                 std::string::npos,
             text);
  BOOST_TEST(text.find(shape) == text.rfind(shape), text);
}

BOOST_AUTO_TEST_CASE(every_text_is_made_safe_and_bounded) {
  AssignmentResult r;
  r.submission = "dir/\x1b[2J\xff\xfe";
  r.notes = {"ok\n  ::set-output name=a::b\n\xc2\xa0::warning::x\nx##[error]y\n\xc0\xaf\xc2\x9b",
             std::string(kMaxResultText + 100, 'a') + "\xc3\xa9"};
  r.exercises = {three_checks()};
  r.exercises[0].checks[2].details = "\xe2\x82";  // a character cut short
  make_safe(r);
  BOOST_TEST(r.submission == "dir/\\x1b[2J\\xff\\xfe");
  BOOST_TEST(r.notes[0] == "ok\n  \\::set-output name=a::b\n\xc2\xa0\\::warning::x\nx#\\#[error]y\n\\xc0\\xaf\\u009b");
  BOOST_TEST(r.notes[1].size() == kMaxResultText);
  BOOST_TEST(r.notes[1].substr(r.notes[1].size() - 3) == "...");
  BOOST_TEST(r.exercises[0].checks[2].details == "\\xe2\\x82");
  for (const auto& n : r.notes) BOOST_TEST(test_support::why_unsafe(n) == "");
  AssignmentResult again = r;
  make_safe(again);  // idempotent
  BOOST_TEST(again.notes == r.notes);
  BOOST_TEST(again.submission == r.submission);
}

BOOST_AUTO_TEST_CASE(a_student_id_is_the_folder_name_on_one_safe_line) {
  BOOST_TEST(student_id("class/alice") == "alice");
  BOOST_TEST(student_id("class/alice/") == "alice");
  BOOST_TEST(student_id("class/a\nb\tc\x1b") == "a\\x0ab\\x09c\\x1b");
  BOOST_TEST(student_id("class/\xff=x") == "\\xff=x");
  BOOST_TEST(student_id("class/::x") == "\\::x");
}

BOOST_AUTO_TEST_SUITE_END()
