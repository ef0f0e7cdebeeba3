#include "hand_in.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include "../text.hpp"
#include "grader/bounded_file.hpp"
#include "grader/library/build.hpp"

namespace grader::python {

namespace {

/// The largest hand-in read (a notebook with its outputs and pictures), and the most the
/// folder's other files may add up to (the child's scratch folder holds them).
constexpr std::uintmax_t kMaxHandInBytes = 16u << 20;
constexpr std::uintmax_t kMaxFilesBytes = 32u << 20;
constexpr std::size_t kMaxFiles = 64;
constexpr std::size_t kQuoted = 80;  ///< bytes of a student's file name quoted in a message
/// What a line that imports or runs another file holds (mentioned()).
constexpr std::string_view kUsing[] = {"import ", "%run ", "'run'", "\"run\""};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string safe_name(const std::string& name) { return one_line(name, kQuoted); }

std::string listed(const std::vector<std::string>& names) {
  std::vector<std::string> quoted(names.size());
  std::transform(names.begin(), names.end(), quoted.begin(), safe_name);
  return first_few(quoted);
}

/// Which of `stems` the lines of `text` (a notebook or script; an .ipynb's JSON too) that import
/// or run something mention (`import helpers`, `from helpers import f`, `%run ./helpers.py`,
/// `%run "week 3.py"`, `get_ipython().run_line_magic('run', 'helpers')`), in one pass: each
/// piece between spaces, quotes, brackets, commas, semicolons, `=` and backslashes (a JSON
/// string's `\n`, a Windows path), and each text in quotes, is looked up among the stems as it
/// is, without its folder, without a notebook's or script's extension, and up to its first dot
/// (`helpers.sub`); never searched for (a folder of long lines full of the others' names kept
/// the grader busy for a minute). `stems`: each stem's place in the answer.
std::vector<bool> mentioned(const std::string& text, const std::unordered_map<std::string_view, std::size_t>& stems) {
  std::vector<bool> found(stems.size());
  const auto look_up = [&](std::string_view name) {
    if (const auto it = stems.find(name); it != stems.end()) found[it->second] = true;
  };
  const auto look_up_forms = [&](std::string_view piece) {
    look_up(piece);
    if (piece.find_first_of("./\\") == std::string_view::npos) return;
    if (const auto slash = piece.find_last_of("/\\"); slash != std::string_view::npos) piece.remove_prefix(slash + 1);
    for (const std::string_view ext : {".py", ".ipynb", ".ipy"})
      if (piece.size() > ext.size() && piece.ends_with(ext)) {
        look_up(piece.substr(0, piece.size() - ext.size()));
        break;
      }
    look_up(piece);
    look_up(piece.substr(0, piece.find('.')));
  };
  const auto separator = [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) ||
           std::string_view("'\"()[]{},;=\\").find(c) != std::string_view::npos;
  };
  for (std::size_t begin = 0; begin < text.size();) {
    const std::size_t stop = std::min(text.find('\n', begin), text.size());
    const std::string_view line(text.data() + begin, stop - begin);
    begin = stop + 1;
    if (std::none_of(std::begin(kUsing), std::end(kUsing),
                     [&](std::string_view how) { return line.find(how) != std::string_view::npos; }))
      continue;
    for (std::size_t at = 0; at < line.size();) {
      if (line[at] == '\'' || line[at] == '"') {  // a name in quotes, spaces and all
        if (const auto close = line.find(line[at], at + 1); close != std::string_view::npos) {
          std::string_view quoted = line.substr(at + 1, close - at - 1);
          while (quoted.ends_with('\\')) quoted.remove_suffix(1);  // JSON's \" around it
          look_up_forms(quoted);
        }
      }
      if (separator(line[at])) {
        ++at;
        continue;
      }
      std::size_t end = at;
      while (end < line.size() && !separator(line[end])) ++end;
      look_up_forms(line.substr(at, end - at));
      at = end;
    }
  }
  return found;
}

/// Of several candidates, the one no other runs or imports, if there is exactly one: the
/// notebook, beside the helpers it runs with `%run` or imports (an unreadable one runs or
/// imports nothing, and so do those past the bytes a hand-in and its files may have). Not
/// tried beyond kMaxFiles candidates.
std::optional<std::string> user_of_the_others(const std::filesystem::path& dir,
                                              const std::vector<std::string>& candidates) {
  if (candidates.size() > kMaxFiles) return std::nullopt;
  std::vector<std::string> stems;
  for (const auto& c : candidates) stems.push_back(std::filesystem::path(c).stem().string());
  std::unordered_map<std::string_view, std::size_t> index;  // each stem once (a.py and a.ipynb share one)
  for (const auto& stem : stems) index.emplace(stem, index.size());
  std::vector<bool> used(candidates.size());  // run or imported by another candidate
  std::uintmax_t left = kMaxHandInBytes + kMaxFilesBytes;
  for (std::size_t j = 0; j < candidates.size(); ++j) {
    std::string text;
    try {
      text = read_bounded(dir / candidates[j], ReadLimits{std::min(left, kMaxHandInBytes)});
      left -= text.size();
    } catch (const ReadError&) {
    }
    const auto found = mentioned(text, index);
    for (std::size_t i = 0; i < candidates.size(); ++i)
      used[i] = used[i] || (i != j && !stems[i].empty() && found[index.at(stems[i])]);
  }
  std::vector<std::string> unused;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    if (!used[i]) unused.push_back(candidates[i]);
  if (unused.size() != 1) return std::nullopt;
  return unused.front();
}

}  // namespace

bool is_notebook_name(const std::string& name) {
  const std::string ext = lower(std::filesystem::path(name).extension().string());
  return ext == ".py" || ext == ".ipynb";
}

Found find_hand_in(const Spec& spec, const std::filesystem::path& dir) {
  Found found;
  std::vector<std::string> regular;  // the folder's regular files (no links), sorted
  std::vector<std::string> links;    // notebooks that are symbolic links: never followed
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code kind;
    const auto type = it->symlink_status(kind).type();
    const std::string name = it->path().filename().string();
    if (type == std::filesystem::file_type::regular) regular.push_back(name);
    if (type == std::filesystem::file_type::symlink && is_notebook_name(name)) links.push_back(name);
  }
  std::sort(regular.begin(), regular.end());
  std::sort(links.begin(), links.end());
  const std::string linked =
      links.empty() ? "" : listed(links) + (links.size() == 1 ? " is a symbolic link" : " are symbolic links");
  std::vector<std::string> candidates;
  for (const auto& name : regular) {
    if (is_notebook_name(name)) candidates.push_back(name);
    if (compiled_source(name) || name == spec.library.file) found.library_files = true;
  }
  if (candidates.empty()) {
    if (!links.empty()) found.problem = linked + ", never followed: hand in the file itself";
    return found;
  }
  if (!links.empty()) found.notes.push_back(linked + ", never followed: it is not graded");

  const auto others_than = [&](const std::string& chosen) {
    std::vector<std::string> others;
    for (const auto& c : candidates)
      if (c != chosen) others.push_back(c);
    return others;
  };
  const std::string& asked = spec.python.file;
  std::string chosen;
  if (!asked.empty()) {
    const std::string stem = lower(std::filesystem::path(asked).stem().string());
    std::vector<std::string> alike;  // A2S1.ipynb, a2s1.py
    for (const auto& c : candidates) {
      if (c == asked) {
        chosen = c;
        break;
      }
      if (lower(std::filesystem::path(c).stem().string()) == stem) alike.push_back(c);
    }
    if (chosen.empty() && alike.size() == 1) chosen = alike.front();
    if (chosen.empty() && alike.empty() && candidates.size() == 1) chosen = candidates.front();
    if (chosen.empty()) {
      found.problem = "the assignment asks for " + asked + ", and this folder has " +
                      listed(alike.empty() ? candidates : alike) + ": keep only the one to grade";
      return found;
    }
    if (chosen != asked) {
      // Said so that a student who handed in the notebook itself does not think it wrong.
      const bool other_form = lower(std::filesystem::path(chosen).extension().string()) !=
                              lower(std::filesystem::path(asked).extension().string());
      found.notes.push_back(safe_name(chosen) + " is graded as the " + asked + " the assignment names" +
                            (other_form ? ": a notebook (.ipynb) and its .py download are both accepted" : ""));
    }
    if (const auto others = others_than(chosen); !others.empty())
      found.notes.push_back(listed(others) + (others.size() == 1 ? " is" : " are") + " not graded: only " +
                            safe_name(chosen) + " is");
  } else if (candidates.size() == 1) {
    chosen = candidates.front();
  } else if (const auto user = user_of_the_others(dir, candidates)) {
    chosen = *user;
    found.notes.push_back(safe_name(chosen) + " is graded, which runs or imports " + listed(others_than(chosen)));
  } else {
    found.problem = "this folder has " + std::to_string(candidates.size()) + " Python hand-ins, " + listed(candidates) +
                    ": keep only the one to grade";
    return found;
  }

  HandIn h;
  h.name = chosen;
  try {
    h.source = read_bounded(dir / chosen, ReadLimits{kMaxHandInBytes});
  } catch (const ReadError& e) {
    std::string why = e.what();
    if (why.find("more than the limit") != std::string::npos)
      why += "; clear the notebook's outputs (Edit > Clear all outputs) and hand it in again";
    found.problem = safe_name(chosen) + " " + why;
    return found;
  }
  // The other files, as the notebook may open them (data it loads, a module it imports).
  std::uintmax_t total = 0;
  std::vector<std::string> left_out;
  for (const auto& name : regular) {
    if (name == chosen) continue;
    if (h.files.size() >= kMaxFiles) {
      left_out.push_back(name);
      continue;
    }
    try {
      std::string bytes = read_bounded(dir / name, ReadLimits{kMaxFilesBytes - total});
      total += bytes.size();
      h.files.emplace_back(name, std::move(bytes));
    } catch (const ReadError&) {
      left_out.push_back(name);
    }
  }
  if (!left_out.empty())
    found.notes.push_back("your notebook cannot open " + listed(left_out) + ": at most " + std::to_string(kMaxFiles) +
                          " files of " + std::to_string(kMaxFilesBytes >> 20) + " MiB in all are copied next to it");
  found.hand_in = std::move(h);
  return found;
}

}  // namespace grader::python
