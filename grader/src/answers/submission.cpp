#include "grader/answers/submission.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <variant>

#include "grader/error.hpp"
#include "grader/suggest.hpp"
#include "../nested_list.hpp"
#include "../yaml_access.hpp"

namespace grader {

namespace {

const std::vector<std::string> kStructuredFiles = {"answers.yaml", "answers.yml", "answers.json"};

/// How tensor_from_nested() reads nlohmann::json values (positions are not kept).
struct JsonAccess {
  bool is_list(const nlohmann::json& n) const { return n.is_array(); }
  std::vector<nlohmann::json> items(const nlohmann::json& n) const { return {n.begin(), n.end()}; }
  std::optional<double> number(const nlohmann::json& n) const {
    if (n.is_number()) return n.get<double>();
    return std::nullopt;
  }
  std::string show(const nlohmann::json& n) const { return n.dump().substr(0, 40); }
  std::pair<int, int> mark(const nlohmann::json&) const { return {0, 0}; }
};

/// An entry of answers.yaml/json as a tensor, or the reason it is not one.
template <class Node, class Access>
std::variant<Tensor, std::string> entry(const std::string& name, const Node& node,
                                        const Access& access) {
  try {
    return tensor_from_nested(node, access);
  } catch (const NestedListError& e) {
    const std::string where = e.line() > 0 ? " (line " + std::to_string(e.line()) + ")" : "";
    return "'" + name + "'" + where + " " + e.what();
  }
}

/// The entries of answers.yaml/json: name -> tensor, or the reason it cannot be read.
struct Structured {
  std::string file;
  std::map<std::string, std::variant<Tensor, std::string>> entries;
  std::optional<std::string> broken;  ///< the whole file is unreadable
};

Structured read_structured(const std::filesystem::path& path, const ReadLimits& limits) {
  Structured s;
  s.file = path.filename().string();
  try {
    const std::string text = read_bounded(path, limits);
    if (path.extension() == ".json") {
      nlohmann::json doc;
      try {
        doc = nlohmann::json::parse(text);
      } catch (const nlohmann::json::exception& e) {
        throw ReadError(std::string("is not valid JSON: ") + e.what());
      }
      if (!doc.is_object()) throw ReadError("must be a JSON object mapping answer names to lists");
      for (const auto& [name, value] : doc.items()) s.entries.emplace(name, entry(name, value, JsonAccess{}));
    } else {
      YAML::Node doc;
      try {
        doc = YAML::Load(text);
      } catch (const YAML::Exception& e) {
        throw ReadError("is not valid YAML (line " + std::to_string(e.mark.line + 1) + "): " +
                        e.msg);
      }
      if (!doc.IsMap()) throw ReadError("must be a mapping of answer names to nested lists");
      for (const auto& kv : doc) {
        const std::string name = kv.first.Scalar();
        if (s.entries.count(name))
          s.entries[name] = "'" + name + "' appears twice (line " +
                            std::to_string(kv.first.Mark().line + 1) + "); keep one";
        else
          s.entries.emplace(name, entry(name, kv.second, YamlAccess{}));
      }
    }
  } catch (const ReadError& e) {
    s.broken = e.what();
  }
  return s;
}

Answer read_answer(const std::filesystem::path& dir, const std::string& name,
                   const std::vector<std::string>& sources,
                   const std::vector<Structured>& structured,
                   const std::vector<std::string>& unused_files, const ReadLimits& limits) {
  Answer answer;
  if (sources.size() > 1) {
    answer.problem = Verdict::unreadable;
    answer.message = "'" + name + "' is handed in twice, as " + sources[0] + " and " +
                     sources[1] + "; keep only one";
    return answer;
  }
  if (sources.size() == 1) {
    answer.source = sources[0];
    const auto s = std::find_if(structured.begin(), structured.end(),
                                [&](const Structured& st) { return st.file == sources[0]; });
    if (s != structured.end()) {
      const auto& entry = s->entries.at(name);
      if (std::holds_alternative<Tensor>(entry)) {
        answer.value = std::get<Tensor>(entry);
      } else {
        answer.problem = Verdict::unreadable;
        answer.message = s->file + ": " + std::get<std::string>(entry);
      }
      return answer;
    }
    try {
      answer.value = read_tensor_file(dir / sources[0], limits);
    } catch (const ReadError& e) {
      answer.problem = Verdict::unreadable;
      answer.message = sources[0] + " " + e.what();
    }
    return answer;
  }
  for (const auto& s : structured)
    if (s.broken) {
      answer.problem = Verdict::unreadable;
      answer.message = "'" + name + "' was not found as a file, and " + s.file + " " + *s.broken;
      return answer;
    }
  answer.problem = Verdict::missing;
  answer.message = "no answer '" + name + "': hand in " + name +
                   ".npy (or .csv, .txt, or an entry '" + name + "' in answers.yaml)";
  std::vector<std::string> stems;
  for (const auto& f : unused_files) stems.push_back(std::filesystem::path(f).stem().string());
  if (const auto near = closest(name, stems)) {
    const auto i = static_cast<std::size_t>(std::find(stems.begin(), stems.end(), *near) - stems.begin());
    answer.message += "; is " + unused_files[i] + " meant to be it?";
  }
  return answer;
}

}  // namespace

Submission load_submission(const std::filesystem::path& dir, const std::vector<std::string>& names,
                           const ReadLimits& limits) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw UsageError("submission folder " + dir.string() + " does not exist or is not a folder");

  Submission sub;
  sub.dir = dir;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());

  std::vector<Structured> structured;
  for (const auto& f : kStructuredFiles)
    if (std::find(files.begin(), files.end(), f) != files.end())
      structured.push_back(read_structured(dir / f, limits));

  // First the sources of every name, so that suggestions only point at files no answer uses.
  const auto& exts = tensor_file_extensions();
  std::map<std::string, std::vector<std::string>> sources;
  std::set<std::string> used_files;
  for (const auto& name : names) {
    for (const auto& ext : exts)
      if (std::find(files.begin(), files.end(), name + ext) != files.end())
        sources[name].push_back(name + ext);
    for (const auto& s : structured)
      if (s.entries.count(name)) sources[name].push_back(s.file);
    for (const auto& s : sources[name]) used_files.insert(s);
  }
  std::vector<std::string> unused_files;  // answer-like files no answer reads
  for (const auto& f : files)
    if (!used_files.count(f) &&
        std::find(exts.begin(), exts.end(), std::filesystem::path(f).extension().string()) != exts.end())
      unused_files.push_back(f);

  for (const auto& name : names)
    sub.answers.emplace(name, read_answer(dir, name, sources[name], structured, unused_files, limits));

  // Stray files and unknown keys: likely typos, worth telling the student.
  for (const auto& s : structured) {
    if (s.broken) {
      sub.notes.push_back(s.file + " " + *s.broken);
      continue;
    }
    for (const auto& [key, value] : s.entries)
      if (std::find(names.begin(), names.end(), key) == names.end())
        sub.notes.push_back(s.file + " has an entry '" + key + "' that no exercise asks for" +
                            did_you_mean(key, names));
  }
  for (const auto& f : unused_files)
    sub.notes.push_back("file " + f + " is not an answer to any exercise" +
                        did_you_mean(std::filesystem::path(f).stem().string(), names));
  return sub;
}

}  // namespace grader
