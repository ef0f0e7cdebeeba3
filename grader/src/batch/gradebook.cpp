// The class's gradebook and summary, made from the students' native results, and the merge of
// shards.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "../digest.hpp"
#include "../report/feedback.hpp"
#include "../text.hpp"
#include "batch_files.hpp"
#include "grader/atomic_file.hpp"
#include "grader/batch.hpp"
#include "grader/bounded_file.hpp"
#include "grader/error.hpp"

namespace grader::batch {

namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

double mean(double sum, std::size_t n) { return n == 0 ? 0.0 : sum / static_cast<double>(n); }

/// Rounded for the summary, so that it reads well and does not depend on summation order.
double round6(double v) { return std::round(v * 1e6) / 1e6; }

}  // namespace

RunCounts& RunCounts::operator+=(const RunCounts& other) {
  graded += other.graded;
  fresh += other.fresh;
  changed += other.changed;
  again += other.again;
  up_to_date += other.up_to_date;
  rewritten += other.rewritten;
  for (const auto& [name, n] : other.changed_inputs) changed_inputs[name] += n;
  changed_students.insert(changed_students.end(), other.changed_students.begin(), other.changed_students.end());
  rescored.insert(rescored.end(), other.rescored.begin(), other.rescored.end());
  return *this;
}

std::optional<Row> row_of(const AssignmentResult& result, const std::string& student, const Gradebook& book) {
  if (result.assignment != book.assignment || result.exercises.size() != book.columns.size()) return std::nullopt;
  Row row;
  row.student = student;
  for (std::size_t i = 0; i < result.exercises.size(); ++i) {
    const ExerciseResult& e = result.exercises[i];
    if (e.id != book.columns[i].id) return std::nullopt;
    row.scores.push_back(e.score());
    row.verdicts.emplace_back(to_string(e.verdict()));
    row.mistakes.push_back(e.mistake());
  }
  row.total = result.score();
  return row;
}

std::optional<Row> read_row(const fs::path& result_file, const std::string& student, const Gradebook& book) {
  try {
    return row_of(report::from_json(read_bounded(result_file)), student, book);
  } catch (const std::exception&) {  // absent, half a file from a power cut, another format
    return std::nullopt;
  }
}

Gradebook empty_gradebook(const Spec& spec, const RunInputs& inputs) {
  Gradebook book;
  book.assignment = spec.id;
  book.title = spec.title;
  book.version = spec.version;
  book.inputs = inputs;
  for (const auto& e : spec.exercises) book.columns.push_back({e.id, e.title, e.points});
  book.max_score = spec.max_score();
  return book;
}

std::string_view describe_input(std::string_view name) {
  if (name == "submission") return "the submission's files";
  if (name == "spec") return "the spec";
  if (name == "data") return "the spec's data files";
  if (name == "grader") return "the grader (its version or its sources)";
  if (name == "seed") return "the seed (--seed)";
  if (name == "seed_secret") return "the seed secret (--seed-secret)";
  if (name == "read_limit") return "the read limit";
  if (name == "formats") return "the report formats asked for";
  return name;
}

std::string seeding(const std::string& seed, const std::string& secret) {
  if (seed != kSeedPerStudent) return "--seed " + seed;  // the secret seeds only the default seeds
  if (secret == kNoSeedSecret) return "neither --seed nor --seed-secret";
  return "the seed secret whose SHA-256 begins " + secret.substr(0, 12);
}

namespace {

/// gradebook.csv's first line: what a gradebook of these columns starts with.
std::string gradebook_header(const Gradebook& book) {
  std::string out = "student";
  for (const auto& c : book.columns) out += "," + report::csv_field(c.id);
  return out + ",total,max\n";
}

}  // namespace

std::string gradebook_csv(const Gradebook& book) {
  std::string out = gradebook_header(book);
  for (const auto& r : book.rows) {
    out += report::csv_field(r.student);
    for (double s : r.scores) out += "," + report::points(s);
    out += "," + report::points(r.total) + "," + report::points(book.max_score) + "\n";
  }
  return out;
}

namespace {

/// Counts sorted by count (most common first), then by name.
json ranked(const std::map<std::string, std::size_t>& counts) {
  std::vector<std::pair<std::string, std::size_t>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
  json out = json::array();
  for (const auto& [name, n] : v) out.push_back({{"name", name}, {"count", n}});
  return out;
}

constexpr int kBins = 10;
constexpr double kMostWholeScores = 20;  ///< of a histogram of one bin per score

/// The score histogram: one bin per score where every score is a whole number and the maximum
/// at most kMostWholeScores (found by a TA helper: of 6 points, tenths of the maximum put the
/// scores 1 and 2 in "0.6 - 1.2" and "1.8 - 2.4", and left bins that no score can reach);
/// else tenths of the maximum, [0, 10%), ..., [90%, 100%], the maximum in the last.
json histogram_of(const std::vector<double>& totals, double max) {
  const auto whole = [](double x) { return std::abs(x - std::round(x)) < 1e-9; };
  const bool by_score =
      max >= 1 && max <= kMostWholeScores && whole(max) && std::all_of(totals.begin(), totals.end(), whole);
  const int bins = by_score ? static_cast<int>(std::round(max)) + 1 : kBins;
  std::vector<std::size_t> counts(static_cast<std::size_t>(bins), 0);
  for (double t : totals) {
    const double at = by_score ? std::round(t) : max <= 0 ? kBins - 1 : std::floor(t / max * kBins + 1e-9);
    ++counts[static_cast<std::size_t>(std::clamp(static_cast<int>(at), 0, bins - 1))];
  }
  json histogram = json::array();
  for (int b = 0; b < bins; ++b)
    histogram.push_back({{"from", by_score ? json(b) : json(round6(max * b / kBins))},
                         {"to", by_score ? json(b) : json(round6(max * (b + 1) / kBins))},
                         {"count", counts[static_cast<std::size_t>(b)]}});
  return histogram;
}

}  // namespace

std::string summary_json(const Gradebook& book, const std::optional<Shard>& shard) {
  const std::size_t n = book.rows.size();
  json exercises = json::array();
  for (std::size_t c = 0; c < book.columns.size(); ++c) {
    std::size_t passed = 0;
    double sum = 0;
    std::map<std::string, std::size_t> verdicts, mistakes;
    for (const auto& r : book.rows) {
      passed += r.verdicts[c] == "passed";
      sum += r.scores[c];
      ++verdicts[r.verdicts[c]];
      if (r.mistakes[c]) ++mistakes[*r.mistakes[c]];
    }
    exercises.push_back({{"id", book.columns[c].id},
                         {"title", book.columns[c].title},
                         {"max_score", book.columns[c].max_score},
                         {"pass_rate", round6(mean(static_cast<double>(passed), n))},
                         {"mean_score", round6(mean(sum, n))},
                         {"verdicts", ranked(verdicts)},
                         {"mistakes", ranked(mistakes)}});
  }
  std::vector<double> totals;
  for (const auto& r : book.rows) totals.push_back(r.total);
  std::sort(totals.begin(), totals.end());
  double sum = 0;
  for (double t : totals) sum += t;
  const double median = n == 0 ? 0 : n % 2 ? totals[n / 2] : (totals[n / 2 - 1] + totals[n / 2]) / 2;
  std::size_t all_passed = 0;
  for (const auto& r : book.rows) {
    bool all = true;
    for (std::size_t c = 0; c < book.columns.size() && c < r.verdicts.size(); ++c)
      all = all && (r.verdicts[c] == "passed" || !counts_toward(book.columns[c].max_score, book.max_score));
    all_passed += all;
  }
  json students = json::array();
  for (const auto& r : book.rows) students.push_back(r.student);
  json doc = {{"format_version", 1},
              {"assignment", book.assignment},
              {"title", book.title},
              {"version", book.version},
              {"inputs", json::object()}};
  for (const auto& [name, member] : kRunInputParts) doc["inputs"][name] = book.inputs.*member;
  if (shard) doc["shard"] = {{"index", shard->index}, {"count", shard->count}};
  doc["class"] = {{"students", book.whole_class.students},
                  {"digest", book.whole_class.digest},
                  {"skipped", book.whole_class.skipped}};
  doc["students"] = n;
  doc["all_passed"] = all_passed;
  doc["max_score"] = book.max_score;
  doc["mean_score"] = round6(mean(sum, n));
  doc["median_score"] = round6(median);
  doc["histogram"] = histogram_of(totals, book.max_score);
  doc["exercises"] = std::move(exercises);
  doc["roster"] = std::move(students);
  doc["gradebook_sha256"] = sha256_hex(gradebook_csv(book));  // a gradebook.csv edited since is never replaced
  json changed_inputs = json::object();
  const auto count = [&](const char* name) {
    const auto it = book.run.changed_inputs.find(name);
    changed_inputs[name] = it == book.run.changed_inputs.end() ? 0 : it->second;
  };
  count("submission");
  for (const auto& part : kRunInputParts) count(part.first);
  std::vector<std::string> changed_students = book.run.changed_students;
  std::sort(changed_students.begin(), changed_students.end());
  std::vector<Rescored> rescored = book.run.rescored;
  std::sort(rescored.begin(), rescored.end(), [](const auto& a, const auto& b) { return a.student < b.student; });
  json rescored_json = json::array();
  for (const auto& r : rescored)
    rescored_json.push_back({{"student", r.student}, {"before", round6(r.before)}, {"after", round6(r.after)}});
  doc["run"] = {{"graded", book.run.graded},
                {"new", book.run.fresh},
                {"changed", book.run.changed},
                {"again", book.run.again},
                {"up_to_date", book.run.up_to_date},
                {"rewritten", book.run.rewritten},
                {"changed_inputs", std::move(changed_inputs)},
                {"changed_students", changed_students},
                {"rescored", std::move(rescored_json)}};
  return report::json_text(doc);
}

std::string summary_text(const Gradebook& book) {
  const json s = json::parse(summary_json(book));
  // A mean to two decimals: 0.666667 pushed the table's columns over (summary.json keeps it whole).
  const auto mean = [](const json& v) { return report::points(std::round(v.get<double>() * 100) / 100); };
  std::string out = fmt::format("{} ({}): {} student{}, {} passed everything; mean {} / {}, median {}\n\n", book.title,
                                book.assignment, book.rows.size(), book.rows.size() == 1 ? "" : "s",
                                s["all_passed"].get<std::size_t>(), mean(s["mean_score"]),
                                report::points(book.max_score), report::points(s["median_score"]));
  if (const auto& skipped = book.whole_class.skipped; !skipped.empty()) {
    std::vector<std::string> shown;
    for (const auto& name : skipped) shown.push_back(one_line(name, 80));
    out += fmt::format(
        "not graded: {} {} of the class folder, not a folder (a submission is a folder: put {} in "
        "the student's own): {}\n\n",
        skipped.size(), skipped.size() == 1 ? "file" : "files", skipped.size() == 1 ? "it" : "each", first_few(shown));
  }
  std::size_t width = 8;
  for (const auto& c : book.columns) width = std::max(width, c.id.size());
  out += fmt::format("  {:<{}}  {:>6}  {:>11}  {}\n", "exercise", width, "passed", "mean score", "most common");
  for (const auto& e : s["exercises"]) {
    // Every failing verdict (a dozen kinds at most: none dropped for length, found by a helper
    // whose wrong_shape went unseen), and the most common known mistake, if one is.
    std::string common;
    for (const auto& v : e["verdicts"]) {
      if (v["name"] == "passed") continue;
      common += (common.empty() ? "" : ", ") +
                fmt::format("{} x{}", v["name"].get<std::string>(), v["count"].get<std::size_t>());
    }
    if (const json& mistakes = e["mistakes"]; !mistakes.empty()) {
      const auto count = [&](std::size_t i) { return mistakes[i]["count"].get<std::size_t>(); };
      std::string m = mistakes[0]["name"].get<std::string>();
      if (m.size() > 50) m = m.substr(0, 47) + "...";
      if (mistakes.size() == 1)
        common += fmt::format("; mistake x{}: {}", count(0), m);
      else if (count(1) < count(0))
        common += fmt::format("; mistake x{}: {} (and {} more)", count(0), m, mistakes.size() - 1);
      else {  // a tie: whichever came first is no more common than the others tied with it
        std::size_t tied = 1;
        while (tied < mistakes.size() && count(tied) == count(0)) ++tied;
        common +=
            tied == mistakes.size()
                ? fmt::format("; {} known mistakes, x{} each (summary.json lists them)", mistakes.size(), count(0))
                : fmt::format("; {} known mistakes, the {} most common x{} each (summary.json lists them)",
                              mistakes.size(), tied, count(0));
      }
    }
    out += fmt::format("  {:<{}}  {:>5.0f}%  {:>11}  {}\n", e["id"].get<std::string>(), width,
                       100 * e["pass_rate"].get<double>(),
                       mean(e["mean_score"]) + " / " + report::points(e["max_score"]), common);
  }
  out += "\n  score histogram\n";
  std::size_t most = 1;
  for (const auto& h : s["histogram"]) most = std::max(most, h["count"].get<std::size_t>());
  std::vector<std::string> scores;  // a bin's: "3", or "0.6 - 1.2"
  for (const auto& h : s["histogram"])
    scores.push_back(h["from"] == h["to"] ? report::points(h["from"])
                                          : report::points(h["from"]) + " - " + report::points(h["to"]));
  std::size_t label_width = 0;
  for (const auto& label : scores) label_width = std::max(label_width, label.size());
  for (std::size_t b = 0; b < scores.size(); ++b) {
    const auto count = s["histogram"][b]["count"].get<std::size_t>();
    out += fmt::format("  {:<{}} {:>5}  {}\n", scores[b], label_width, count, std::string(count * 40 / most, '#'));
  }
  // How the cases were drawn, where an option changed it: which secret graded a class is asked
  // when a student's case is replayed (found by an instructor helper: nothing said it).
  const std::string seeds = seeding(book.inputs.seed, book.inputs.seed_secret);
  if (book.inputs.seed != kSeedPerStudent)
    out += fmt::format("\nseeds: {}, every student's random cases alike\n", seeds);
  else if (book.inputs.seed_secret != kNoSeedSecret)
    out += fmt::format("\nseeds: each student's own, mixed with {}\n", seeds);
  const RunCounts& run = book.run;
  out += fmt::format("\n{} graded, {} up to date from an earlier run\n", run.graded, run.up_to_date);
  if (run.changed > 0) {
    std::string why;
    for (const auto& [name, n] : run.changed_inputs)
      if (n > 0) why += fmt::format("{}{}: {}", why.empty() ? "" : ", ", describe_input(name), n);
    std::vector<std::string> whom;
    for (const auto& id : s["run"]["changed_students"]) whom.push_back(one_line(id.get<std::string>(), 80));
    out += fmt::format("  {} regraded because what they depend on changed ({}){}\n", run.changed, why,
                       whom.empty() ? "" : ": " + first_few(whom, 5));
  }
  if (run.fresh > 0) out += fmt::format("  {} graded for the first time\n", run.fresh);
  if (run.rewritten > 0)  // found by a TA helper: "0 graded" alone hid that every report changed
    out += fmt::format("  {} kept, {} reports written again for the formats asked for (--format)\n", run.rewritten,
                       run.rewritten == 1 ? "its" : "their");
  if (run.again > 0)
    out += fmt::format("  {} graded again with unchanged inputs (without --resume, or their files were lost)\n",
                       run.again);
  if (const json& rescored = s["run"]["rescored"]; !rescored.empty()) {
    std::vector<std::string> whose;
    for (const auto& r : rescored)
      whose.push_back(fmt::format("{} {} -> {}", one_line(r["student"].get<std::string>(), 80),
                                  report::points(r["before"].get<double>()), report::points(r["after"].get<double>())));
    out += fmt::format("  {} with another score than before: {}\n", rescored.size(), first_few(whose, 5));
  }
  return out;
}

void clear_student_folder(const fs::path& dir) {
  std::error_code ec;
  fs::remove(dir / kInputsFile, ec);
  for (const auto f : report::all_formats()) fs::remove(dir / report::file_name(f), ec);
  remove_stale_temporaries(dir);
}

void write_class_files(const Gradebook& book, const fs::path& out, const std::optional<Shard>& shard) {
  write_all_or_none({{out / "gradebook.csv", gradebook_csv(book)}, {out / "summary.json", summary_json(book, shard)}});
}

namespace {

/// The inputs a shard's summary.json records; UsageError if it has none (an older grader).
RunInputs inputs_of(const json& summary, const fs::path& dir) {
  if (!summary.contains("inputs") || !summary["inputs"].is_object())
    throw UsageError((dir / "summary.json").string() +
                     " does not say what its grades depend on (an older grader wrote it); grade that shard again");
  RunInputs inputs;
  for (const auto& [name, member] : kRunInputParts) inputs.*member = summary["inputs"].value(name, "");
  return inputs;
}

/// The class a shard's summary.json says it graded; UsageError if it says none (an older grader).
WholeClass whole_class_of(const json& summary, const fs::path& dir) {
  if (!summary.contains("class"))
    throw UsageError((dir / "summary.json").string() +
                     " does not say which class it graded (an older grader wrote it); grade that shard again");
  return {summary["class"]["students"].get<std::size_t>(), summary["class"]["digest"].get<std::string>(),
          summary["class"].value("skipped", std::vector<std::string>{})};
}

/// A roster entry is a student's folder under the shard's students/: one plain name.
bool plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

RunCounts run_of(const json& summary) {
  RunCounts run;
  if (!summary.contains("run")) return run;
  const json& r = summary["run"];
  run.graded = r.value("graded", std::size_t{0});
  run.fresh = r.value("new", std::size_t{0});
  run.changed = r.value("changed", std::size_t{0});
  run.again = r.value("again", std::size_t{0});
  run.up_to_date = r.value("up_to_date", std::size_t{0});
  run.rewritten = r.value("rewritten", std::size_t{0});
  if (r.contains("changed_inputs"))
    for (const auto& [name, n] : r["changed_inputs"].items()) run.changed_inputs[name] = n.get<std::size_t>();
  run.changed_students = r.value("changed_students", std::vector<std::string>{});
  if (r.contains("rescored"))  // absent from the summaries of earlier graders
    for (const auto& x : r["rescored"])
      run.rescored.push_back(
          {x.at("student").get<std::string>(), x.at("before").get<double>(), x.at("after").get<double>()});
  return run;
}

}  // namespace

void refuse_foreign_class_files(const fs::path& out, const Gradebook& book) {
  std::error_code ec;
  std::vector<std::string> found;
  for (const char* name : {"gradebook.csv", "summary.json"})
    if (fs::exists(out / name, ec)) found.push_back(name);
  if (found.empty()) return;
  std::optional<std::string> edited;  // the gradebook.csv beside our summary.json, changed since
  try {
    if (found.size() == 1 && found[0] == "gradebook.csv") {
      // A run killed between its two renames leaves its gradebook.csv alone: ours if it has the
      // header this run writes (found by a hostile helper: refused as no run's).
      if (read_bounded(out / "gradebook.csv").rfind(gradebook_header(book), 0) == 0) return;
    } else {  // ours: a summary.json with the fields every run writes, and has since the first version
      const json doc = json::parse(read_bounded(out / "summary.json"));
      if (doc.is_object() && doc.contains("assignment") && doc.contains("students") && doc.contains("exercises")) {
        // Written with the digest of its gradebook.csv (by this version on), which must still
        // match: found by a hostile helper, a gradebook.csv a TA had edited in place (a column of
        // notes) was replaced by the next run without a word.
        const auto digest = doc.find("gradebook_sha256");
        if (found.size() == 1 || digest == doc.end() || !digest->is_string() ||
            *digest == sha256_hex(read_bounded(out / "gradebook.csv")))
          return;
        edited = digest->get<std::string>();
      }
    }
  } catch (const std::exception&) {
  }
  if (edited)
    throw UsageError(
        fmt::format("{} was changed after the grader wrote it (summary.json beside it records another SHA-256): a run "
                    "replaces it, and the changes would be lost; save it under another name or in another folder, then "
                    "run again (or remove it, if the changes are not needed)",
                    one_line((out / "gradebook.csv").string(), 4096)));
  throw UsageError(
      fmt::format("{} holds {} that no run of the grader wrote: a run replaces {}; give --out a folder of its own",
                  one_line(out.string(), 4096), fmt::join(found, " and "), found.size() == 1 ? "it" : "them"));
}

void refuse_other_students(const fs::path& out, const std::set<std::string>& graded,
                           const std::set<std::string>& in_class, bool prune, std::string_view run,
                           std::string_view advice, std::string_view kept_advice) {
  std::vector<std::string> gone, kept;
  std::error_code ec;
  for (fs::directory_iterator it(out / "students", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // A student's result folder, as a run writes it: not a file, a link, a hidden entry (a file
    // browser's .DS_Store) nor a folder of something else (found by a hostile helper: --prune
    // removed a folder of backups).
    std::error_code kind, has;
    if (graded.count(name) || name.front() == '.' || it->symlink_status(kind).type() != fs::file_type::directory ||
        !(fs::exists(it->path() / "result.json", has) || fs::exists(it->path() / kInputsFile, has)))
      continue;
    (in_class.count(name) ? kept : gone).push_back(name);
  }
  const auto count = [](const std::vector<std::string>& names) {
    return fmt::format("{} {}", names.size(), names.size() == 1 ? "student" : "students");
  };
  const auto few = [](std::vector<std::string>& names) {
    std::sort(names.begin(), names.end());
    std::vector<std::string> shown;
    for (const auto& name : names) shown.push_back(one_line(name, 80));
    return first_few(shown);
  };
  const std::string students = one_line((out / "students").string(), 4096);
  // Students of the class not graded now (another shard's, an entry skipped) are never removed
  // (found by a hostile helper: --prune in a shard run removed the other shards' students).
  if (!kept.empty())
    throw UsageError(
        fmt::format("{} holds the results of {} of the class folder not graded in this {} ({}): it "
                    "would leave them out of gradebook.csv and summary.json; {}",
                    students, count(kept), run, few(kept), kept_advice));
  if (gone.empty()) return;
  // More results to remove than the class folder holds students is a wrong folder given, not
  // students who left (found by a TA helper: a folder of one late hand-in, then --prune as the
  // refusal advised, removed the whole class's results): --prune does not do it.
  const bool most = gone.size() > in_class.size();
  if (!prune || most)
    throw UsageError(fmt::format(
        "{} holds the results of {} not in this {} ({}): it would leave them out of gradebook.csv and summary.json; "
        "{}; {}",
        students, count(gone), run, few(gone), advice,
        most ? fmt::format("they are more than the {} {}: is that the whole class? (--prune removes "
                           "results only of fewer students than there are; to start over with these alone, give "
                           "--out a folder of its own)",
                           in_class.size(), run == "run" ? "the class folder has" : "the shards hold")
             : "if they have left the class, add --prune to remove their results"));
  for (const auto& name : gone)
    if (fs::remove_all(out / "students" / name, ec); ec)
      throw Error(
          fmt::format("cannot remove {}: {}", one_line((out / "students" / name).string(), 4096), ec.message()));
  spdlog::warn("removed the results of {} not in this {} (--prune): {}", count(gone), run, few(gone));
}

namespace {

/// The --format a shard was graded with, as its first student's report files show it
/// ("json,junit"), or "?" where it has none to show.
std::string formats_of_shard(const fs::path& dir) {
  try {
    const json summary = json::parse(read_bounded(dir / "summary.json"));
    const auto& roster = summary.at("roster");
    if (roster.empty()) return "?";
    std::error_code ec;
    std::vector<std::string_view> names;
    for (const auto f : report::all_formats())
      if (fs::is_regular_file(dir / "students" / roster[0].get<std::string>() / report::file_name(f), ec))
        names.push_back(report::name(f));
    return names.empty() ? "?" : fmt::format("{}", fmt::join(names, ","));
  } catch (const std::exception&) {
    return "?";
  }
}

/// merge(), its output folder locked: checks every shard, then writes.
Gradebook merge_into(const std::vector<fs::path>& shard_dirs, const fs::path& out, bool prune) {
  std::error_code ec;
  std::vector<OutputLock> reading;  // no run writes into a shard while it is merged
  for (const auto& dir : shard_dirs) reading.push_back(OutputLock::reading(dir));
  std::optional<Gradebook> book;
  std::set<std::size_t> seen_shards;
  std::optional<std::size_t> count;
  std::map<std::string, fs::path> owner;  // student -> shard folder
  for (const auto& dir : shard_dirs) {
    try {
      json summary;
      try {
        summary = json::parse(read_bounded(dir / "summary.json"));
      } catch (const std::exception& e) {
        throw UsageError((dir / "summary.json").string() + ": " + e.what() +
                         "; is this the --out folder of a finished `grader grade` run?");
      }
      const std::size_t index = summary.contains("shard") ? summary["shard"]["index"].get<std::size_t>() : 0;
      const std::size_t n = summary.contains("shard") ? summary["shard"]["count"].get<std::size_t>() : 1;
      if (n == 0 || index >= n)
        throw UsageError((dir / "summary.json").string() + " says it is shard " + std::to_string(index) + "/" +
                         std::to_string(n) +
                         ", which no --shard makes; it is not what `grader grade` writes: grade that shard again");
      if (count && *count != n)
        throw UsageError(dir.string() + " is shard " + std::to_string(index) + "/" + std::to_string(n) +
                         ", but other folders are shards of " + std::to_string(*count));
      count = n;
      if (!seen_shards.insert(index).second)
        throw UsageError(dir.string() + " repeats shard " + std::to_string(index) + "/" + std::to_string(n));
      const RunInputs inputs = inputs_of(summary, dir);
      const WholeClass graded = whole_class_of(summary, dir);
      if (!book) {
        book.emplace();
        book->assignment = summary["assignment"];
        book->title = summary["title"];
        book->version = summary["version"];
        book->inputs = inputs;
        book->whole_class = graded;
        book->max_score = summary["max_score"];
        for (const auto& e : summary["exercises"]) book->columns.push_back({e["id"], e["title"], e["max_score"]});
      } else if (summary["assignment"] != book->assignment) {
        throw UsageError(dir.string() + " grades assignment " + summary["assignment"].get<std::string>() + ", " +
                         shard_dirs[0].string() + " grades " + book->assignment);
      } else if (!(inputs == book->inputs)) {
        std::string which;
        for (const auto& [name, member] : kRunInputParts)
          if (inputs.*member == book->inputs.*member)
            continue;
          else if (std::string_view(name) == "formats")  // its hashes tell a TA nothing (found by a TA helper)
            which += fmt::format("{}{} (--format {} against {})", which.empty() ? "" : ", ", describe_input(name),
                                 formats_of_shard(dir), formats_of_shard(shard_dirs[0]));
          else
            which += fmt::format("{}{} ({} vs {})", which.empty() ? "" : ", ", describe_input(name), inputs.*member,
                                 book->inputs.*member);
        throw UsageError(dir.string() + " was graded against other inputs than " + shard_dirs[0].string() + ": " +
                         which +
                         "; grade every shard against the same ones, with the same --format (--resume regrades only "
                         "what changed; for another --format alone, nobody is graded again)");
      } else if (!(graded == book->whole_class)) {
        throw UsageError(fmt::format(
            "{} and {} were graded over different classes ({} students against {}): a student folder was added, "
            "removed or renamed between their runs, or another class folder was given; grade every shard again "
            "over the same class folder (--resume regrades only what changed)",
            dir.string(), shard_dirs[0].string(), graded.students, book->whole_class.students));
      }
      book->run += run_of(summary);
      for (const auto& s : summary["roster"]) {
        const std::string student = s;
        if (!plain_name(student) || !fs::is_directory(dir / "students" / student, ec))
          throw UsageError(fmt::format(
              "{}: its roster names '{}', which is not a student folder of {}; it is not what `grader grade` "
              "writes: grade that shard again (--resume is quick)",
              (dir / "summary.json").string(), one_line(student, 200), (dir / "students").string()));
        if (!in_shard(student, {index, n}))
          throw UsageError(fmt::format(
              "{}: its roster names '{}', a student of another shard than {}/{}; it is not what `grader grade` "
              "writes: grade that shard again (--resume is quick)",
              (dir / "summary.json").string(), one_line(student, 200), index, n));
        if (const auto [it, fresh] = owner.emplace(student, dir); !fresh)
          throw UsageError("student " + student + " is in both " + it->second.string() + " and " + dir.string());
        const auto row = read_row(dir / "students" / student / "result.json", student, *book);
        if (!row)
          throw UsageError((dir / "students" / student / "result.json").string() +
                           " is missing or unreadable; grade that shard again with --resume");
        book->rows.push_back(*row);
      }
    } catch (const json::exception& e) {  // a field missing or of another type: edited by hand?
      throw UsageError((dir / "summary.json").string() + ": " + e.what() +
                       "; it is not what `grader grade` writes: grade that shard again (--resume is quick)");
    }
  }
  for (std::size_t i = 0; i < *count; ++i)
    if (!seen_shards.count(i))
      throw UsageError("shard " + std::to_string(i) + "/" + std::to_string(*count) + " is missing");
  if (book->rows.size() != book->whole_class.students)  // the checks above leave no way to this
    throw UsageError(fmt::format("the shards hold {} students, but the class they graded has {}; grade them again",
                                 book->rows.size(), book->whole_class.students));
  std::sort(book->rows.begin(), book->rows.end(), [](auto& a, auto& b) { return a.student < b.student; });

  // Found by a TA helper: merged into another assignment's results folder, the shards replaced
  // its gradebook and mixed the two classes' student folders.
  refuse_other_assignment(out, book->assignment, true);
  std::set<std::string> ids;
  for (const auto& [student, dir] : owner) ids.insert(student);
  refuse_foreign_class_files(out, *book);
  refuse_other_students(out, ids, ids, prune, "merge", "merge into a folder of its own", "");
  // Every shard checked (a refused merge leaves an earlier one whole), the class files of an
  // earlier merge go first: stopped midway, this one leaves none that describe a mix of old
  // and new results.
  remove_stale_temporaries(out);
  fs::remove(out / "gradebook.csv", ec);
  fs::remove(out / "summary.json", ec);

  // The student folders, emptied of an earlier merge's files first (a format no longer asked
  // for would keep its old scores).
  for (const auto& [student, dir] : owner) {
    const fs::path from = dir / "students" / student, to = out / "students" / student;
    fs::create_directories(to, ec);
    clear_student_folder(to);
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(from, ec))
      if (f.is_regular_file() && f.path().filename() != kInputsFile) files.push_back(f.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) write_atomically(to / f.filename(), read_bounded(f), false);
    if (fs::exists(from / kInputsFile))  // last: the folder is complete
      write_atomically(to / kInputsFile, read_bounded(from / kInputsFile), false);
  }
  write_class_files(*book, out, std::nullopt);
  return *book;
}

}  // namespace

void refuse_other_assignment(const fs::path& out, const std::string& assignment, bool merging) {
  std::error_code ec;
  for (fs::directory_iterator it(out / "students", ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path file = it->path() / "result.json";
    json doc;
    try {
      doc = json::parse(read_bounded(file));
    } catch (const std::exception&) {
      continue;  // none, or unreadable: --resume grades that student again
    }
    const auto found = doc.find("assignment");
    if (found == doc.end() || !found->is_string()) continue;
    const std::string theirs = found->get<std::string>();
    if (theirs == assignment) continue;
    throw UsageError(fmt::format(
        "{} holds results of assignment '{}' ({}), and {} '{}': {} here would replace them; give each assignment "
        "its own --out (or remove {} first, if those results are not wanted)",
        out.string(), one_line(theirs, 200), file.string(), merging ? "the shards grade" : "this spec grades",
        one_line(assignment, 200), merging ? "merging" : "grading", out.string()));
  }
}

Gradebook merge(const std::vector<fs::path>& shard_dirs, const fs::path& out, bool prune) {
  if (shard_dirs.empty()) throw UsageError("grader merge needs at least one shard folder");
  // A shard stays a shard: merged into, it would lose its own summary.json.
  refuse_overlap(out, shard_dirs, "the shard folder");
  std::error_code ec;
  // A refused merge changes nothing: a folder it made to lock is removed again (found by a
  // helper: a refused merge left an empty students/ behind).
  const bool made = !fs::exists(out, ec);
  make_output_folder(out);
  std::optional<OutputLock> lock;
  try {
    lock.emplace(out, "grader merge");
    return merge_into(shard_dirs, out, prune);
  } catch (const UsageError&) {
    lock.reset();
    std::error_code ignored;
    if (made && !fs::exists(out / "students", ignored)) fs::remove_all(out, ignored);  // its lock file alone
    throw;
  }
}

}  // namespace grader::batch
