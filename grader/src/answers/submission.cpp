#include "grader/answers/submission.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string_view>

#include "../nested_list.hpp"
#include "../text.hpp"
#include "document.hpp"
#include "grader/error.hpp"
#include "grader/suggest.hpp"

namespace grader {

namespace {

const std::vector<std::string> kStructuredFiles = {"answers.yaml", "answers.yml", "answers.json"};

/// How much of a file name or key a note quotes.
constexpr std::size_t kQuotedName = 60;

/// The element count a request declares, for the readers.
Expected expected_for(const AnswerRequest& request) {
  Expected e;
  try {
    e.count = element_count(request.shape);
  } catch (const std::length_error&) {
  }
  return e;
}

/// answers.yaml/json are refused unread beyond 1 MiB plus 64 bytes per number asked for:
/// parsing costs in proportion to the text (YAML about 0.3 s per MiB), and an answer written
/// out in full takes about 20 bytes per number.
ReadLimits structured_limits(const ReadLimits& limits, const std::vector<AnswerRequest>& requested) {
  std::uintmax_t bytes = 1u << 20;
  for (const auto& r : requested) bytes += 64 * std::min<std::uintmax_t>(expected_for(r).count, 1u << 24);
  ReadLimits l = limits;
  l.max_bytes = std::min(limits.max_bytes, bytes);
  return l;
}

/// "'q' (q.csv) has more than 4096 values but (1, 3) is expected", or with the shape a header
/// declares.
std::string mismatch_message(const std::string& name, const std::string& source, const ShapeMismatch& e,
                             const Shape& expected) {
  if (e.shape()) return wrong_shape_message(name, source, *e.shape(), expected);
  return "'" + name + "' (" + source + ") " + e.what() + " but " + format_shape(expected) + " is expected";
}

Answer unreadable(std::string message) {
  Answer a;
  a.problem = Verdict::unreadable;
  a.message = std::move(message);
  return a;
}

/// The entries of answers.yaml/json: the names asked for, read, and the other keys.
struct Structured {
  std::string file;
  std::map<std::string, Answer> entries;  ///< the names asked for that it holds
  std::vector<std::string> unknown;       ///< the first kMaxListedNotes other keys, safe to show
  std::size_t unknown_count = 0;          ///< all other keys
  std::optional<std::string> broken;      ///< the whole file is unreadable
};

Answer read_entry(const Structured& s, const std::string& name, const Document& doc, Document::Id value,
                  const AnswerRequest& request) {
  Answer answer;
  answer.source = s.file;
  const Expected expected = expected_for(request);
  try {
    answer.value = tensor_from_nested(value, DocumentAccess{doc}, expected.budget());
  } catch (const NestedListTooLarge& e) {
    answer.problem = Verdict::wrong_shape;
    answer.message = mismatch_message(name, s.file, ShapeMismatch(e.max_values()), request.shape);
  } catch (const NestedListError& e) {
    const std::string where = e.line() > 0 ? " (line " + std::to_string(e.line()) + ")" : "";
    answer = unreadable("'" + name + "'" + where + " " + e.what());
    answer.source = s.file;
  }
  return answer;
}

Structured read_structured(const std::filesystem::path& path, const std::vector<AnswerRequest>& requested,
                           const ReadLimits& limits) {
  Structured s;
  s.file = path.filename().string();
  try {
    const bool json = path.extension() == ".json";
    const std::string text = read_bounded(path, structured_limits(limits, requested));
    const Document doc = json ? Document::from_json(text) : Document::from_yaml(text);
    if (!doc.root() || doc.kind(*doc.root()) != Document::Kind::map)
      throw ReadError(json ? "must be a JSON object mapping answer names to lists"
                           : "must be a mapping of answer names to nested lists");
    const auto items = doc.items(*doc.root());
    std::set<std::string_view> others;
    for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
      const Document::Id key = items[i], value = items[i + 1];
      const std::string_view name = doc.text(key).value_or("");
      const auto request =
          std::find_if(requested.begin(), requested.end(), [&](const AnswerRequest& r) { return r.name == name; });
      if (request == requested.end()) {
        if (!others.insert(name).second) continue;
        if (s.unknown.size() < kMaxListedNotes)
          s.unknown.push_back(doc.text(key) ? one_line(name, kQuotedName) : doc.show(key));
        ++s.unknown_count;
        continue;
      }
      const std::string n(name);
      if (s.entries.count(n)) {
        const int line = doc.mark(key).first;
        s.entries[n] = unreadable("'" + n + "' appears twice" +
                                  (line > 0 ? " (line " + std::to_string(line) + ")" : "") + "; keep one");
        s.entries[n].source = s.file;
      } else {
        s.entries.emplace(n, read_entry(s, n, doc, value, *request));
      }
    }
  } catch (const ReadError& e) {
    s.broken = e.what();
  }
  return s;
}

}  // namespace

Answer one_answer_of_two(const std::string& name, Answer first, const Answer& second) {
  // A vector is the same in every orientation: (n,), (1, n) and (n, 1) hold its numbers alike.
  const auto is_vector = [](const Tensor& t) {
    return std::count_if(t.shape().begin(), t.shape().end(), [](std::size_t d) { return d != 1; }) <= 1;
  };
  const bool same =
      first.value && second.value && first.value->size() == second.value->size() &&
      (first.value->shape() == second.value->shape() || (is_vector(*first.value) && is_vector(*second.value))) &&
      std::equal(first.value->values().begin(), first.value->values().end(), second.value->values().begin());
  const std::string both = "as " + first.source + " and " + second.source;
  if (same) {  // the notebook's answer saved with np.save as well (found by a TA helper: a point lost)
    first.note = "'" + name + "' is handed in twice, " + both + ", with the same numbers: graded once" +
                 (first.note.empty() ? "" : "; " + first.note);
    return first;
  }
  Answer twice = unreadable("'" + name + "' is handed in twice, " + both +
                            (first.value && second.value ? ", which differ" : "") + "; keep only one");
  twice.source = first.source;
  return twice;
}

namespace {

Answer read_answer(const std::filesystem::path& dir, const AnswerRequest& request,
                   const std::vector<std::string>& sources, const std::vector<Structured>& structured,
                   const std::vector<std::string>& meant, const ReadLimits& limits) {
  const std::string& name = request.name;
  if (sources.size() > 1) {  // each read on its own, then one of them kept if they agree
    Answer kept = read_answer(dir, request, {sources[0]}, structured, {}, limits);
    for (std::size_t k = 1; k < sources.size(); ++k)
      kept = one_answer_of_two(name, std::move(kept), read_answer(dir, request, {sources[k]}, structured, {}, limits));
    return kept;
  }
  if (sources.size() == 1) {
    const auto s =
        std::find_if(structured.begin(), structured.end(), [&](const Structured& st) { return st.file == sources[0]; });
    if (s != structured.end()) {
      Answer entry(s->entries.at(name));
      if (!entry.value && entry.problem == Verdict::unreadable) entry.message = s->file + ": " + entry.message;
      return entry;
    }
  }
  Answer answer;
  if (sources.size() == 1) {
    answer.source = sources[0];
    try {
      answer.value = read_tensor_file(dir / sources[0], limits, expected_for(request));
    } catch (const ShapeMismatch& e) {
      answer.problem = Verdict::wrong_shape;
      answer.message = mismatch_message(name, sources[0], e, request.shape);
    } catch (const ReadError& e) {
      answer.problem = Verdict::unreadable;
      answer.message = sources[0] + " " + e.what();
    }
    return answer;
  }
  for (const auto& s : structured)
    if (s.broken) {
      Answer broken = unreadable("'" + name + "' was not found as a file, and " + s.file + " " + *s.broken);
      broken.source = s.file;
      return broken;
    }
  answer.problem = Verdict::missing;
  answer.message =
      "no answer '" + name + "': hand in " + name + ".npy (or .csv, .txt, or an entry '" + name + "' in answers.yaml)";
  std::vector<std::string> stems;
  for (const auto& f : meant) stems.push_back(std::filesystem::path(f).stem().string());
  if (const auto near = closest(name, stems)) {
    const auto i = static_cast<std::size_t>(std::find(stems.begin(), stems.end(), *near) - stems.begin());
    answer.message += "; is " + one_line(meant[i], kQuotedName) + " meant to be it?";
  }
  return answer;
}

/// The folder's file names, sorted; a folder that cannot be listed to the end lists what it can.
/// One the grader may not list at all, or holding a file (not a hidden one) of another owner
/// that the grader may not read, is a fault of the machine or of whoever copied the
/// submissions (as root, mode 600), never the student's "no answer" or "unreadable" for every
/// exercise. A file of the grader's own user that it may not read has the mode the student's
/// archive gave it (000): read as any file, it is unreadable, and says why.
std::vector<std::string> list_files(const std::filesystem::path& dir) {
  const std::string fix =
      "; the grader must be able to read every submission: check the owner and permissions of its files as "
      "copied (chmod -R a+rX), then run again (grader grade --resume grades only what failed)";
  std::vector<std::string> files;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec), end;
  if (ec) throw Error("cannot list the submission folder " + dir.string() + ": " + ec.message() + fix);
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code kind;
    const bool forbidden =
        name.front() != '.' && it->symlink_status(kind).type() == std::filesystem::file_type::regular &&
        ::faccessat(AT_FDCWD, it->path().c_str(), R_OK, AT_EACCESS) != 0 && (errno == EACCES || errno == EPERM);
    const int error = errno;
    struct stat st {};
    if (forbidden && ::lstat(it->path().c_str(), &st) == 0 && st.st_uid != ::geteuid())
      throw Error("cannot read " + one_line(name, kQuotedName) + " in the submission folder " + dir.string() + ": " +
                  std::strerror(error) + fix);
    files.push_back(std::move(name));
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::string wrong_shape_message(const std::string& name, const std::string& source, const Shape& got,
                                const Shape& expected) {
  std::string message = "'" + name + "' (" + source + ") has shape " + format_shape(got) + " but " +
                        format_shape(expected) + " is expected";
  if (const std::string hint = reordered_shape_hint(got, expected); !hint.empty())
    message += hint;
  else if (element_count_within_limit(got) == element_count_within_limit(expected))
    message += ": reshape it to " + format_shape(expected);  // a file or a notebook's variable
  return message;
}

Submission load_submission(const std::filesystem::path& dir, const std::vector<AnswerRequest>& requested,
                           const ReadLimits& limits) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw UsageError("submission folder " + dir.string() + " does not exist or is not a folder");

  Submission sub;
  sub.dir = dir;
  const std::vector<std::string> files = list_files(dir);
  const auto has_file = [&](const std::string& f) { return std::binary_search(files.begin(), files.end(), f); };

  std::vector<Structured> structured;
  for (const auto& f : kStructuredFiles)
    if (has_file(f)) structured.push_back(read_structured(dir / f, requested, limits));

  // First the sources of every name, so that suggestions only point at files no answer uses.
  const auto& exts = tensor_file_extensions();
  std::map<std::string, std::vector<std::string>> sources;
  std::set<std::string> used_files;
  for (const auto& r : requested) {
    for (const auto& ext : exts)
      if (has_file(r.name + ext)) sources[r.name].push_back(r.name + ext);
    for (const auto& s : structured)
      if (s.entries.count(r.name)) sources[r.name].push_back(s.file);
    for (const auto& s : sources[r.name]) used_files.insert(s);
  }
  std::vector<std::string> unused_files;  // answer-like files no answer reads
  for (const auto& f : files)
    if (!used_files.count(f) &&
        std::find(exts.begin(), exts.end(), std::filesystem::path(f).extension().string()) != exts.end())
      unused_files.push_back(f);

  // A stray file is suggested to the one answer whose name it is most like (quer121.npy to
  // query121, not to query122 as well).
  std::vector<std::string> names;
  for (const auto& r : requested) names.push_back(r.name);
  std::map<std::string, std::vector<std::string>> meant;
  for (const auto& f : unused_files)
    if (const auto name = closest(std::filesystem::path(f).stem().string(), names)) meant[*name].push_back(f);

  for (const auto& r : requested)
    sub.answers.emplace(r.name, read_answer(dir, r, sources[r.name], structured, meant[r.name], limits));

  // Stray files and unknown keys: likely typos, worth telling the student, a few at a time.
  for (const auto& s : structured) {
    if (s.broken) {
      sub.notes.push_back(s.file + " " + *s.broken);
      continue;
    }
    for (const auto& key : s.unknown)
      sub.notes.push_back(s.file + " has an entry '" + key + "' that no exercise asks for" + did_you_mean(key, names));
    if (s.unknown_count > s.unknown.size())
      sub.notes.push_back(s.file + " has " + std::to_string(s.unknown_count - s.unknown.size()) +
                          " more entries that no exercise asks for");
  }
  if (requested.empty()) return sub;  // a spec of functions only: no file is an answer
  for (std::size_t i = 0; i < std::min(unused_files.size(), kMaxListedNotes); ++i)
    sub.stray_files.push_back("file " + one_line(unused_files[i], kQuotedName) + " is not an answer to any exercise" +
                              did_you_mean(std::filesystem::path(unused_files[i]).stem().string(), names));
  if (unused_files.size() > kMaxListedNotes)
    sub.stray_files.push_back("and " + std::to_string(unused_files.size() - kMaxListedNotes) +
                              " more files that are not answers to any exercise");
  return sub;
}

}  // namespace grader
