// grader grade: every submission of a class, in parallel, resumable.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "../hash.hpp"
#include "batch_files.hpp"
#include "grader/answers/read.hpp"
#include "grader/atomic_file.hpp"
#include "grader/batch.hpp"
#include "grader/error.hpp"
#include "grader/version.hpp"

namespace grader::batch {

namespace fs = std::filesystem;

namespace {

std::string hex(std::uint64_t v) { return fmt::format("{:016x}", v); }

/// What a student's result depends on: the grader, the spec, the options that change results
/// or files, and every file of the submission (names and contents).
std::string inputs_fingerprint(const std::string& spec_fingerprint, const fs::path& dir, const Options& options) {
  std::uint64_t h = fnv1a(version());
  h = fnv1a(spec_fingerprint, h);
  for (auto f : options.formats) h = fnv1a(report::name(f), h);
  h = fnv1a(options.grading.seed ? std::to_string(*options.grading.seed) : "default seed", h);
  std::vector<std::pair<std::string, fs::path>> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const auto status = it->symlink_status(ec);
    if (fs::is_regular_file(status) || fs::is_symlink(status))
      files.emplace_back(fs::relative(it->path(), dir, ec).generic_string(), it->path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& [name, path] : files) {
    h = fnv1a(name + '\0', h);
    if (fs::is_symlink(fs::symlink_status(path, ec))) {
      h = fnv1a("symlink:" + fs::read_symlink(path, ec).string(), h);
      continue;
    }
    try {
      h = fnv1a(read_bounded(path, options.grading.limits), h);
    } catch (const ReadError&) {  // too large or unreadable: its size and time stand for it
      const auto size = fs::file_size(path, ec);
      const auto time = fs::last_write_time(path, ec).time_since_epoch().count();
      h = fnv1a(fmt::format("unread:{}:{}", size, time), h);
    }
  }
  return hex(h) + "\n";
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  std::size_t index = 0, count = 0;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
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

bool in_shard(const std::string& student, const Shard& shard) {
  return fnv1a(student) % shard.count == shard.index;
}

std::vector<std::string> list_students(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw UsageError(root.string() + " is not a folder; give the folder that holds one folder per student");
  std::vector<std::string> students;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (entry.is_directory(ec))
      students.push_back(name);
    else
      spdlog::warn("{}: not a folder, so not a submission; skipped", entry.path().string());
  }
  if (ec) throw UsageError("cannot list " + root.string() + ": " + ec.message());
  std::sort(students.begin(), students.end());
  return students;
}

Outcome grade_class(const Spec& spec, const fs::path& root, const fs::path& out, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> students;
  for (auto& s : list_students(root))
    if (in_shard(s, options.shard)) students.push_back(std::move(s));

  std::error_code failed;
  fs::create_directories(out / "students", failed);
  if (failed) throw UsageError("cannot create " + (out / "students").string() + ": " + failed.message());
  remove_stale_temporaries(out);
  // The class files describe a finished run; until this one finishes there are none.
  fs::remove(out / "gradebook.csv", failed);
  fs::remove(out / "summary.json", failed);

  const std::string spec_fingerprint = hex(fnv1a(read_bounded(spec.path)));
  Gradebook book = empty_gradebook(spec, spec_fingerprint);
  std::vector<std::optional<Row>> rows(students.size());

  Outcome outcome;
  outcome.students = students.size();
  std::mutex lock;  // guards outcome and the progress callback
  std::atomic<std::size_t> next{0};
  Progress progress;
  progress.total = students.size();

  const auto grade_one = [&](std::size_t i) {
    std::error_code ec;  // this thread's own
    const std::string& id = students[i];
    const fs::path dir = out / "students" / id, result_file = dir / "result.json";
    const std::string fingerprint = inputs_fingerprint(spec_fingerprint, root / id, options);
    if (options.resume) {
      std::string previous;
      try {
        previous = read_bounded(dir / kInputsFile);
      } catch (const ReadError&) {
      }
      bool complete = previous == fingerprint;
      for (auto f : options.formats) complete = complete && fs::is_regular_file(dir / report::file_name(f), ec);
      if (complete)
        if (auto row = read_row(result_file, id, book)) {
          rows[i] = std::move(row);
          return true;
        }
    }
    // The earlier files go first, fingerprint first: the new ones are then linked in place
    // whole, and the folder never holds a fingerprint without its files.
    fs::create_directories(dir, ec);
    fs::remove(dir / kInputsFile, ec);
    for (const auto f : report::all_formats()) fs::remove(dir / report::file_name(f), ec);
    remove_stale_temporaries(dir);
    const AssignmentResult result = grade_submission(spec, root / id, options.grading);
    write_atomically(result_file, report::to_json(result), false);
    for (auto f : options.formats)
      if (f != report::Format::json) write_atomically(dir / report::file_name(f), report::render(f, result, id), false);
    write_atomically(dir / kInputsFile, fingerprint, false);
    rows[i] = read_row(result_file, id, book);
    if (!rows[i]) throw Error("cannot read back " + result_file.string());
    return false;
  };

  const auto work = [&] {
    for (;;) {
      if (options.stop && options.stop->load()) return;
      const std::size_t i = next++;
      if (i >= students.size()) return;
      bool reused = false;
      std::string failure;
      try {
        reused = grade_one(i);
      } catch (const std::exception& e) {
        failure = students[i] + ": " + e.what();
        spdlog::error("cannot grade {}: {}", students[i], e.what());
      }
      const std::lock_guard<std::mutex> hold(lock);
      if (!failure.empty()) {
        outcome.failures.push_back(failure);
      } else {
        ++(reused ? outcome.reused : outcome.graded);
      }
      ++progress.done;
      progress.reused += reused;
      progress.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (options.on_progress) options.on_progress(progress);
    }
  };
  std::size_t jobs = options.jobs > 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = std::min(jobs, std::max<std::size_t>(students.size(), 1));
  {
    std::vector<std::jthread> workers;
    for (std::size_t j = 1; j < jobs; ++j) workers.emplace_back(work);
    work();
  }
  std::sort(outcome.failures.begin(), outcome.failures.end());
  outcome.interrupted = options.stop && options.stop->load() && progress.done < students.size();
  if (std::all_of(rows.begin(), rows.end(), [](auto& r) { return r.has_value(); })) {
    for (auto& r : rows) book.rows.push_back(std::move(*r));
    write_class_files(book, out, options.shard.count > 1 ? std::optional(options.shard) : std::nullopt);
    outcome.gradebook = std::move(book);
  }
  return outcome;
}

}  // namespace grader::batch
