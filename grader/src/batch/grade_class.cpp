// grader grade: every submission of a class, in parallel, resumable.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "../digest.hpp"
#include "../hash.hpp"
#include "../text.hpp"
#include "batch_files.hpp"
#include "grader/atomic_file.hpp"
#include "grader/batch.hpp"
#include "grader/bounded_file.hpp"
#include "grader/error.hpp"
#include "grader/grade.hpp"
#include "grader/version.hpp"

namespace grader::batch {

namespace fs = std::filesystem;

namespace {

/// The digest of one text.
std::string digest(std::string_view text) { return Digest().add(text).hex(); }

/// What every grade of the run depends on besides the student's files.
RunInputs run_inputs(const Spec& spec, const Options& options) {
  RunInputs in;
  in.grader = digest(version());
  in.spec = digest(read_bounded(spec.path));
  Digest data;
  for (const auto& relative : spec.data_files) {
    data.add(relative.generic_string());
    try {
      data.add(read_bounded(spec.path.parent_path() / relative));
    } catch (const ReadError& e) {  // read when the spec was loaded; gone since
      throw Error(spec.path.string() + ": cannot read its data file " + relative.string() + ": " + e.what());
    }
  }
  in.data = data.hex();
  const GradeOptions& g = options.grading;
  in.seed = g.seed ? std::to_string(*g.seed) : std::string(kSeedPerStudent);
  // The secret counts by its digest: neither .inputs nor summary.json may hold it.
  in.seed_secret = g.seed_secret.empty() ? std::string(kNoSeedSecret) : sha256_hex(g.seed_secret);
  in.read_limit = std::to_string(g.limits.max_bytes);
  std::string formats;
  for (auto f : options.formats) formats += std::string(report::name(f)) + ",";
  in.formats = digest(formats);
  return in;
}

/// Every entry of the submission folder: names, kinds (a folder's presence decides whether a
/// submission is one folder to unwrap) and the files' contents (past the read limit, in all,
/// their size and time), each a length-prefixed field. Folders deeper than kMaxDepth are not
/// walked (grading reads only the top level; a student's tree of 10 000 nested folders made
/// this walk take gigabytes): that they exist is what is recorded.
std::string submission_fingerprint(const fs::path& dir, const Options& options) {
  constexpr int kMaxDepth = 16;
  std::vector<std::pair<std::string, fs::path>> entries;
  bool too_deep = false;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it.depth() >= kMaxDepth) {
      too_deep = true;
      it.disable_recursion_pending();
      continue;
    }
    entries.emplace_back(it->path().lexically_relative(dir).generic_string(), it->path());
  }
  std::sort(entries.begin(), entries.end());
  Digest h;
  h.add(too_deep ? fmt::format("submission, folders deeper than {} levels not read", kMaxDepth) : "submission");
  ReadBudget budget(options.grading.limits);
  for (const auto& [name, path] : entries) {
    h.add(name);
    const fs::file_status status = fs::symlink_status(path, ec);
    if (fs::is_symlink(status)) {
      h.add("symlink:" + fs::read_symlink(path, ec).string());
      continue;
    }
    if (fs::is_directory(status)) {  // one the grader may not read is graded otherwise
      h.add(readable_folder(path) ? "folder" : "folder, unreadable");
      continue;
    }
    if (!fs::is_regular_file(status)) {
      h.add(fmt::format("kind {}", static_cast<int>(status.type())));
      continue;
    }
    try {
      h.add(budget.read(path));
    } catch (const ReadError&) {
      // Past the read limit, or unreadable: its size, times and mode stand for it. The change
      // time moves with every write and chmod, even when the modification time is put back
      // (touch -r, cp -p, an unzip).
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) st = {};
      h.add(fmt::format("unread:{}:{}.{}:{}.{}:{:o}", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                        st.st_ctim.tv_sec, st.st_ctim.tv_nsec, st.st_mode));
    }
  }
  return h.hex();
}

/// A student's .inputs: what their result depends on, part by part, one "name hash" a line.
using Fingerprint = std::map<std::string, std::string>;

Fingerprint fingerprint(const RunInputs& run, const fs::path& dir, const Options& options) {
  Fingerprint f{{"submission", submission_fingerprint(dir, options)}};
  for (const auto& [name, member] : kRunInputParts) f[name] = run.*member;
  return f;
}

/// Whether two fingerprints differ in the report formats asked for alone.
bool only_formats_differ(const Fingerprint& a, const Fingerprint& b) {
  if (a == b || a.size() != b.size()) return false;
  for (const auto& [name, hash] : a) {
    const auto other = b.find(name);
    if (other == b.end() || (other->second != hash && name != "formats")) return false;
  }
  return true;
}

std::string to_text(const Fingerprint& f) {
  std::string out;
  for (const auto& [name, hash] : f) out += name + " " + hash + "\n";
  return out;
}

/// The fingerprint an earlier run wrote, or nullopt if there is none. One in another form (an
/// older grader's) comes back empty: it matches nothing.
std::optional<Fingerprint> read_fingerprint(const fs::path& file) {
  std::string text;
  try {
    text = read_bounded(file);
  } catch (const ReadError&) {
    return std::nullopt;
  }
  Fingerprint f;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto space = line.find(' ');
    if (space == std::string::npos) return Fingerprint{};
    f[line.substr(0, space)] = line.substr(space + 1);
  }
  return f;
}

/// Throws UsageError if results under `out` were graded with another seed or seed secret than
/// `now` gives: every student would meet other cases than their feedback shows, and the secret
/// (found by a TA helper: a rerun for a late hand-in without --seed-secret regraded the whole
/// class without it, exit 0). A new seed or secret is a new grading, in a folder of its own.
void refuse_other_seeds(const fs::path& out, const RunInputs& now) {
  std::map<std::string, std::vector<std::string>> others;  // how they were seeded: whose
  std::error_code ec;
  for (fs::directory_iterator it(out / "students", ec), end; !ec && it != end; it.increment(ec)) {
    const auto before = read_fingerprint(it->path() / kInputsFile);
    if (!before || !before->count("seed") || !before->count("seed_secret")) continue;  // none, or an older grader's
    const std::string& seed = before->at("seed");
    const std::string& secret = before->at("seed_secret");
    // With --seed, a secret changes nothing (it only seeds the default seeds).
    if (seed == now.seed && (seed != kSeedPerStudent || secret == now.seed_secret)) continue;
    others[seeding(seed, secret)].push_back(one_line(it->path().filename().string(), 80));
  }
  if (others.empty()) return;
  auto& [how, whose] = *others.begin();
  std::sort(whose.begin(), whose.end());
  throw UsageError(fmt::format(
      "{} holds results graded with {} ({}{}), and this run has {}: its students would meet other random cases than "
      "their feedback shows; give the options of the earlier run (the same --seed-secret FILE, or the same --seed), "
      "or, to grade the class anew, give --out a folder of its own",
      one_line((out / "students").string(), 4096), how, first_few(whose), others.size() > 1 ? ", and others" : "",
      seeding(now.seed, now.seed_secret)));
}

/// The class folder given one level too high (its parent, or the folder the class's zip made
/// around it) would grade the whole class as one student, from whichever hand-in that folder
/// holds itself (found by a helper playing a TA: "1 students, 1 passed everything", exit 0): a
/// root whose one folder holds two folders or more that would each be graded as a hand-in. A
/// student's notebook beside its data/ and utils/ folders is no class (was refused: two folders
/// that are not empty).
void refuse_class_one_level_down(const Spec& spec, const fs::path& root, const std::string& folder,
                                 const ReadLimits& limits) {
  std::vector<std::string> inner;
  try {
    inner = hand_ins_one_folder_down(spec, root / folder, limits);
  } catch (const std::exception&) {  // a folder that cannot be read is that student's verdict
    return;
  }
  if (inner.size() < 2) return;
  throw UsageError(fmt::format(
      "{} holds one folder, '{}', which holds folders that would each be graded as a hand-in "
      "('{}', '{}' and maybe more): if it is the class, with a folder per student, grade it instead (grader grade "
      "--spec ... '{}'); "
      "one student's hand-in is graded with grader check",
      root.string(), one_line(folder, 200), one_line(inner[0], 80), one_line(inner[1], 80), (root / folder).string()));
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  std::size_t index = 0, count = 0;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    // Digits only: stoul alone takes " 1", "+1" and "-2" (as 2^64 - 2).
    const auto digits = [](const std::string& part) {
      return !part.empty() && part.size() <= 9 && part.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!digits(text.substr(0, slash)) || !digits(text.substr(slash + 1))) throw std::invalid_argument("digits");
    std::size_t used = 0;
    index = std::stoul(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    count = std::stoul(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) throw std::invalid_argument("count");
  } catch (const std::exception&) {
    throw UsageError("--shard '" + text + "': expected I/N, e.g. 0/4 for the first of four slices");
  }
  if (count == 0 || index >= count)
    throw UsageError("--shard '" + text + "': I must be between 0 and N-1 (shards are numbered from 0)");
  return {index, count};
}

bool in_shard(const std::string& student, const Shard& shard) { return fnv1a(student) % shard.count == shard.index; }

std::vector<Student> list_students(const fs::path& root, std::vector<std::string>* skipped) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw UsageError(root.string() + " is not a folder; give the folder that holds one folder per student");
  std::vector<Student> students;
  std::vector<std::string> files;  // said after the listing: all at once where no folder is there
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (not_handed_in(name)) continue;  // hidden, or a zip's __MACOSX/ (found by a hostile helper: a student)
    std::error_code kind;  // a link to nothing: not a folder, and no reason to stop listing
    if (entry.is_directory(kind)) {
      students.push_back({student_id(entry.path()), name});
    } else if (std::error_code link; entry.is_symlink(link) && !fs::exists(entry.path(), link)) {
      // Found by a TA helper: a student's folder on a share not mounted was told "not a folder".
      spdlog::warn("{}: a link to {}, which does not exist (a share not mounted?), so not graded; skipped",
                   one_line(entry.path().string(), 4096),
                   one_line(fs::read_symlink(entry.path(), link).string(), 4096));
      if (skipped) skipped->push_back(student_id(entry.path()));
    } else {
      files.push_back(entry.path().string());
      if (skipped) skipped->push_back(student_id(entry.path()));
    }
  }
  if (ec) throw UsageError("cannot list " + root.string() + ": " + ec.message());
  if (skipped) std::sort(skipped->begin(), skipped->end());
  std::sort(files.begin(), files.end());
  if (students.empty() && !files.empty()) {  // found by a TA helper: a flat download, one warning per file
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(one_line(fs::path(f).filename().string(), 80));
    throw UsageError(fmt::format(
        "{} holds no submission folders but {} {} ({}): each student's files go in a folder of their own, named "
        "by the student id; a download of one file per student (as an LMS names them, `name_id_A2S1.py`) must be "
        "sorted into such folders first",
        one_line(root.string(), 4096), files.size(), files.size() == 1 ? "file" : "files", first_few(names)));
  }
  if (students.empty())  // a wrong path would otherwise replace a class's gradebook with an empty one
    throw UsageError(root.string() +
                     " holds no submission folders (one folder per student, named by the student id); "
                     "is it the right folder?");
  for (const auto& f : files) spdlog::warn("{}: not a folder, so not a submission; skipped", one_line(f, 4096));
  // Folders whose names differ only in bytes that ids escape (`eve\x1b` holding an ESC, and
  // one named with those four characters), or in Unicode normalization, share an id: a folder
  // named exactly its id keeps it, each other one gets `~` and a digest of its name, then a
  // count if even that is taken (a folder can be named like another's digested id), and
  // everyone is graded (one student's folder name stopped the run).
  const auto by_id = [](auto& a, auto& b) { return a.id != b.id ? a.id < b.id : a.folder < b.folder; };
  for (std::size_t round = 0;; ++round) {
    std::sort(students.begin(), students.end(), by_id);
    std::vector<bool> shared(students.size(), false), first(students.size(), false);
    bool any = false;
    for (std::size_t i = 1; i < students.size(); ++i)
      if (students[i].id == students[i - 1].id) {
        shared[i] = shared[i - 1] = any = true;
        first[i - 1] = i == 1 || students[i - 2].id != students[i - 1].id;
      }
    if (!any) break;
    for (std::size_t i = 0; i < students.size(); ++i) {
      // First a digest for each folder not named exactly its id; then a count for all but the
      // first of a group that still shares one.
      if (!shared[i] || (round == 0 ? students[i].folder == students[i].id : first[i])) continue;
      students[i].id +=
          "~" + (round == 0 ? Digest().add(students[i].folder).hex().substr(0, 16) : std::to_string(round + 1));
      // Its bytes too, where a name shown looks like another's (found by a TA helper: 'José'
      // in NFC and in NFD, and which got the digest could not be told).
      std::string bytes;
      for (const unsigned char c : students[i].folder.substr(0, 200))
        bytes +=
            c < 0x80 && c >= 0x20 && c != 0x7f ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
      spdlog::warn(
          "the submission folder shown as '{}' (its bytes: '{}') has a name that differs from another's only in bytes "
          "that ids escape (a control character, invalid UTF-8, a newline) or in how its accented letters are encoded "
          "(NFD, as macOS writes them, where ids use NFC), or is named like its id: graded as '{}'",
          one_line(students[i].folder, 200), bytes, students[i].id);
    }
  }
  return students;
}

void refuse_overlap(const fs::path& out, const std::vector<fs::path>& sources, const std::string& what) {
  // Links resolved where they exist; where that fails (a folder on the way not searchable),
  // the path as written, normalized: never an empty path, which would lie "inside" everything.
  const auto resolved = [](const fs::path& p) {
    std::error_code ec;
    fs::path absolute = fs::absolute(p, ec).lexically_normal();
    if (!absolute.has_filename()) absolute = absolute.parent_path();  // "class/": class
    const fs::path real = fs::weakly_canonical(absolute, ec);
    return ec || real.empty() ? absolute : real;
  };
  const fs::path o = resolved(out);
  // By name, and by the folder itself: one folder reached by two paths (a bind mount, an NFS
  // export mounted twice) has one device and inode (found by a TA helper: an --out inside the
  // class folder through a bind mount was graded, on the next run, as a student).
  const auto inside = [](const fs::path& inner, const fs::path& outer) {
    const auto [end, _] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
    if (end == outer.end()) return true;
    std::error_code ec;
    for (fs::path p = inner; !p.empty(); p = p.parent_path()) {
      if (fs::equivalent(p, outer, ec)) return true;
      if (p == p.root_path()) break;
    }
    return false;
  };
  for (const auto& source : sources) {
    const fs::path s = resolved(source);
    std::error_code ec;
    if (inside(o, s) || inside(s, o))
      throw UsageError(
          "--out " + out.string() + " and " + what + " " + source.string() +
          (o == s || fs::equivalent(o, s, ec) ? " are the same folder"
           : inside(o, s)                     ? ": --out is inside it"
                                              : ": it is inside --out") +
          "; results must go to a folder apart from what is graded or merged (e.g. --out results/ next to it)");
  }
}

Outcome grade_class(const Spec& spec, const fs::path& root, const fs::path& out, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  refuse_overlap(out, {root}, "the class folder");
  std::vector<Student> students;
  WholeClass whole_class;
  Digest ids_of_class;
  std::vector<Student> listed = list_students(root, &whole_class.skipped);
  // A student's folder that is a link may lead anywhere, --out too (found by a helper: a link
  // to the results folder was graded, on --resume, as a student).
  std::vector<fs::path> links;
  for (const auto& s : listed)
    if (std::error_code ec; fs::is_symlink(root / s.folder, ec)) links.push_back(root / s.folder);
  refuse_overlap(out, links, "the student folder");
  if (listed.size() == 1) refuse_class_one_level_down(spec, root, listed[0].folder, options.grading.limits);
  std::set<std::string> in_class(whole_class.skipped.begin(), whole_class.skipped.end());
  for (auto& s : listed) {
    ++whole_class.students;
    ids_of_class.add(s.id);
    in_class.insert(s.id);
    if (in_shard(s.id, options.shard)) students.push_back(std::move(s));
  }
  whole_class.digest = ids_of_class.hex();

  std::error_code failed;
  const bool had_out = fs::exists(out, failed), had_students = fs::exists(out / "students", failed);
  make_output_folder(out, "students");
  const OutputLock lock(out, "grader grade");
  std::set<std::string> ids;
  for (const auto& s : students) ids.insert(s.id);
  RunInputs inputs;
  try {
    refuse_other_assignment(out, spec.id);
    inputs = run_inputs(spec, options);
    refuse_other_seeds(out, inputs);
    refuse_foreign_class_files(out, empty_gradebook(spec, {}));
    refuse_other_students(
        out, ids, in_class, options.prune, "run",
        "to add late or changed hand-ins, put them in the class folder and grade the whole class with --resume "
        "(only what changed is graded)",
        options.shard.count > 1 ? "a shard's --out holds its own students only: when the number of shards changes, "
                                  "start from empty folders"
                                : "they are skipped (see the warnings above: a link to a folder that is not there?): "
                                  "make them folders the grader can read, or move them out of the class folder");
  } catch (const UsageError&) {
    // A refused run changes nothing: what it made to lock and look is removed again (found by
    // a hostile helper: a refused run left students/ behind).
    std::error_code ignored;
    if (!had_out)
      fs::remove_all(out, ignored);
    else if (!had_students)
      fs::remove(out / "students", ignored);
    throw;
  }
  remove_stale_temporaries(out);
  // The class files describe a finished run; until this one finishes there are none.
  fs::remove(out / "gradebook.csv", failed);
  fs::remove(out / "summary.json", failed);

  Gradebook book = empty_gradebook(spec, inputs);
  book.whole_class = whole_class;
  std::vector<std::optional<Row>> rows(students.size());

  Outcome outcome;
  outcome.students = students.size();
  std::mutex lock_outcome;  // guards outcome and the progress callback
  std::atomic<std::size_t> next{0};
  Progress progress;
  progress.total = students.size();

  /// Grades (or, with --resume, keeps) student i; returns how its result was come by.
  const auto grade_one = [&](std::size_t i) {
    std::error_code ec;  // this thread's own
    const Student& student = students[i];
    const fs::path dir = out / "students" / student.id, result_file = dir / "result.json";
    const Fingerprint now = fingerprint(book.inputs, root / student.folder, options);
    const std::optional<Fingerprint> before = read_fingerprint(dir / kInputsFile);
    RunCounts how;
    if (options.resume && before == now) {
      bool complete = true;
      for (auto f : options.formats) complete = complete && fs::is_regular_file(dir / report::file_name(f), ec);
      if (complete)
        if (auto row = read_row(result_file, student.id, book)) {
          rows[i] = std::move(row);
          how.up_to_date = 1;
          return how;
        }
    }
    // Only the formats asked for changed: each report is rewritten from the result kept, which
    // is graded again only if it cannot be read (found by an instructor helper: a run without
    // --format after one with it graded every notebook again).
    if (options.resume && before && only_formats_differ(*before, now)) {
      lock.check_held();
      try {
        const AssignmentResult kept = report::from_json(read_bounded(result_file));
        if (auto row = row_of(kept, student.id, book)) {
          fs::remove(dir / kInputsFile, ec);  // no fingerprint over files of two runs
          for (const auto f : report::all_formats())
            if (f != report::Format::json) fs::remove(dir / report::file_name(f), ec);
          for (auto f : options.formats)
            if (f != report::Format::json)
              write_atomically(dir / report::file_name(f), report::render(f, kept, student.id), false);
          write_atomically(dir / kInputsFile, to_text(now), false);
          rows[i] = std::move(row);
          how.up_to_date = how.rewritten = 1;
          return how;
        }
      } catch (const std::exception&) {  // absent, half a file from a power cut: graded again
      }
    }
    how.graded = 1;
    if (!before) {
      how.fresh = 1;
    } else if (*before == now) {
      how.again = 1;
    } else {
      how.changed = 1;
      how.changed_students = {student.id};
      // Parts of other names were written by another grader (one that recorded "options").
      const bool same_parts =
          before->size() == now.size() && std::equal(now.begin(), now.end(), before->begin(),
                                                     [](const auto& a, const auto& b) { return a.first == b.first; });
      for (const auto& [name, hash] : now)
        if (!same_parts ? name == "grader" : before->at(name) != hash) how.changed_inputs[name] = 1;
    }
    std::optional<double> earlier;  // the score of the result this one replaces
    try {
      if (fs::exists(result_file, ec)) earlier = report::from_json(read_bounded(result_file)).score();
    } catch (const std::exception&) {  // half a file from a power cut: no score to compare
    }
    AssignmentResult result = grade_submission(spec, root / student.folder, options.grading);
    // The student's folder as the class knows it: the results go to students, who need not
    // read the grader's paths (found by a TA helper: every feedback.txt began with one), and
    // shards graded on other machines merge alike.
    result.submission = student.folder;
    if (earlier && *earlier != result.score()) how.rescored = {{student.id, *earlier, result.score()}};
    rows[i] = row_of(result, student.id, book);
    if (!rows[i]) throw Error("the result of " + student.id + " does not fit the gradebook of " + spec.id);
    // Still the folder locked, just before writing (the folder is not made again by its path
    // after it moved, but in the moment between this check and the writes). The earlier files
    // go first: the new ones are then linked in place whole, and the folder never holds a
    // fingerprint without its files.
    lock.check_held();
    fs::create_directories(dir, ec);
    clear_student_folder(dir);
    write_atomically(result_file, report::to_json(result), false);
    for (auto f : options.formats)
      if (f != report::Format::json)  // written above, always
        write_atomically(dir / report::file_name(f), report::render(f, result, student.id), false);
    write_atomically(dir / kInputsFile, to_text(now), false);
    return how;
  };

  std::atomic<bool> disk_full{false}, gone{false};  // then no submission is started for nothing
  const auto work = [&] {
    for (;;) {
      if ((options.stop && options.stop->load()) || disk_full || gone) return;
      const std::size_t i = next++;
      if (i >= students.size()) return;
      RunCounts how;
      std::string failure;
      try {
        how = grade_one(i);
      } catch (const std::exception& e) {
        rows[i].reset();
        failure = students[i].id + ": " + one_line(e.what(), 4096);
        spdlog::error("cannot grade {}", failure);
        gone = gone || dynamic_cast<const OutputGone*>(&e);
        if (!gone) {  // written nowhere: --resume retries
          const fs::path dir = out / "students" / students[i].id;
          clear_student_folder(dir);
          std::error_code ignored;
          fs::remove(dir, ignored);  // if empty now (found by a TA helper: a full disk left empty folders)
        }
        if (dynamic_cast<const DiskFull*>(&e)) disk_full = true;
      }
      const std::lock_guard<std::mutex> hold(lock_outcome);
      if (!failure.empty())
        outcome.failures.push_back(failure);
      else
        outcome.run += how;
      ++progress.done;
      progress.reused += how.up_to_date;
      progress.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (options.on_progress) options.on_progress(progress);
    }
  };
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  std::size_t jobs = options.jobs > 0 ? options.jobs : cores;
  jobs = std::min(jobs, std::max<std::size_t>(students.size(), 1));
  if (jobs > cores)  // found by a TA helper: -j 8 on two cores, 3 to 6 times slower, without a word
    spdlog::warn(
        "--jobs {} is more than this machine's {} cores: the jobs take turns on them, each with its own "
        "sandbox (and, for notebooks, its own Python), so the class takes longer than with the default",
        jobs, cores);
  {
    std::vector<std::jthread> workers;
    for (std::size_t j = 1; j < jobs; ++j) workers.emplace_back(work);
    work();
  }
  std::sort(outcome.failures.begin(), outcome.failures.end());
  outcome.interrupted = options.stop && options.stop->load() && progress.done < students.size();
  outcome.disk_full = disk_full;
  if (std::all_of(rows.begin(), rows.end(), [](auto& r) { return r.has_value(); })) {
    for (auto& r : rows) book.rows.push_back(std::move(*r));
    book.run = outcome.run;
    lock.check_held();
    write_class_files(book, out, options.shard.count > 1 ? std::optional(options.shard) : std::nullopt);
    outcome.gradebook = std::move(book);
  }
  return outcome;
}

}  // namespace grader::batch
