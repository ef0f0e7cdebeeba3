#include "hand_in.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <numeric>
#include <optional>
#include <regex>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "../function_grading.hpp"
#include "../text.hpp"
#include "grader/bounded_file.hpp"
#include "grader/library/build.hpp"

namespace grader::python {

namespace {

/// The largest hand-in read (a notebook with its outputs and pictures), and the most the
/// folder's other files may add up to (the child's scratch folder holds them).
constexpr std::uintmax_t kMaxHandInBytes = 16u << 20;
/// The largest .ipynb read: past kMaxHandInBytes, it is read without its outputs
/// (notebook_code()), which are never graded.
constexpr std::uintmax_t kMaxNotebookBytes = 128u << 20;
constexpr std::uintmax_t kMaxFilesBytes = 32u << 20;
constexpr std::size_t kMaxFiles = 64;
constexpr std::size_t kQuoted = 80;  ///< bytes of a student's file name quoted in a message
/// What a line that imports or runs another file holds (mentioned()).
constexpr std::string_view kUsing[] = {"import ", "%run ", "'run'", "\"run\"", "exec(", "run_path("};

std::string safe_name(const std::string& name) { return one_line(name, kQuoted); }

std::string listed(const std::vector<std::string>& names) {
  std::vector<std::string> quoted(names.size());
  std::transform(names.begin(), names.end(), quoted.begin(), safe_name);
  return first_few(quoted);
}

/// `text` trimmed of spaces and tabs at both ends.
std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

/// A code cell of an .ipynb: its place among all the cells, counted from 1 as a student counts
/// them on screen (markdown ones too), and its lines.
struct CodeCell {
  std::size_t number;
  std::string source;
};

/// A notebook's JSON as the grader's Python reads it: the words Python's json writes for
/// floats that JSON has not (NaN, Infinity, -Infinity: a notebook's outputs or metadata may
/// hold them) made null, outside strings. Nothing where its arrays and objects nest deeper than
/// `limit`: a notebook nests a few levels, and "[[[[..." of a hand-in's 16 MiB, parsed, would
/// hold a value for each level, gigabytes in the grader.
std::optional<std::string> notebook_json(std::string text, int limit = 256) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if ((c == '[' || c == '{') && ++depth > limit) return std::nullopt;
    if (c == ']' || c == '}') --depth;
    for (const std::string_view word : {"-Infinity", "Infinity", "NaN"})
      if (std::string_view(text).substr(i).starts_with(word)) {
        text.replace(i, word.size(), "null");
        i += 3;
        break;
      }
  }
  return text;
}

/// The code cells of `text` if it is a notebook's JSON (an object with a list of cells, each
/// source a string or a list of lines); nullopt for anything else (a .py).
std::optional<std::vector<CodeCell>> code_cells(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '{') return std::nullopt;
  const auto readable = notebook_json(text);
  if (!readable) return std::nullopt;
  const auto doc = nlohmann::json::parse(*readable, nullptr, false);
  if (!doc.is_object() || !doc.contains("cells") || !doc["cells"].is_array()) return std::nullopt;
  std::vector<CodeCell> cells;
  std::size_t number = 0;
  for (const auto& cell : doc["cells"]) {
    ++number;
    // Not cell.value("cell_type", ""): it throws where the type is no string (found by a helper:
    // `"cell_type": 5` beside another candidate was an internal error).
    if (!cell.is_object() || !cell.contains("cell_type") || cell["cell_type"] != "code" || !cell.contains("source"))
      continue;
    const auto& source = cell["source"];
    CodeCell code{number, source.is_string() ? source.get<std::string>() : ""};
    if (source.is_array())
      for (const auto& line : source)
        if (line.is_string()) code.source += line.get_ref<const std::string&>();
    cells.push_back(std::move(code));
  }
  return cells;
}

/// Which of `stems` the statements of `text` (a notebook's or script's lines; an .ipynb's code
/// cells' lines) import or run, read in one pass: `import helpers`, `import a.b as c, helpers`,
/// `from helpers import f`, `from . import helpers`; `%run ./helpers.py`, `%run "week 3.py"`,
/// Colab's `# %run helpers.py`, nbconvert's `get_ipython().run_line_magic('run', 'helpers')`;
/// a file's name in quotes in a statement that runs code from a file (`exec(open("helpers.py")
/// .read())`, `exec(Path('helpers.py').read_text())`, `runpy.run_path("helpers.py")`).
/// A name is looked up among the stems as it is, without its folder (`/` or a Windows `\`),
/// without a notebook's or script's extension, and up to its first dot; never searched for (a
/// folder of long lines full of the others' names kept the grader busy for a minute). Comments
/// and strings name nothing (found by a helper: `import torch  # helper for homework` made the
/// homework a helper's, and the folder two hand-ins). `stems`: each stem's place in the answer.
std::vector<bool> mentioned(const std::string& text, const std::unordered_map<std::string_view, std::size_t>& stems) {
  std::vector<bool> found(stems.size());
  const auto look_up = [&](std::string_view name) {
    if (const auto it = stems.find(name); it != stems.end()) found[it->second] = true;
  };
  const auto look_up_forms = [&](std::string_view piece) {
    piece = trimmed(piece);
    if (piece.size() >= 2 && (piece.front() == '\'' || piece.front() == '"') && piece.back() == piece.front())
      piece = piece.substr(1, piece.size() - 2);
    look_up(piece);
    if (const auto slash = piece.find_last_of("/\\"); slash != std::string_view::npos) piece.remove_prefix(slash + 1);
    for (const std::string_view ext : {".py", ".ipynb", ".ipy"})
      if (piece.size() > ext.size() && piece.ends_with(ext)) {
        look_up(piece.substr(0, piece.size() - ext.size()));
        break;
      }
    look_up(piece);
    look_up(piece.substr(0, piece.find('.')));
  };
  // The names of `a.b as c, d` (an import's), or of `(f, g)` after `from . import`.
  const auto each_name = [&](std::string_view list, bool first_part) {
    for (std::size_t at = 0; at <= list.size();) {
      const std::size_t comma = std::min(list.find(',', at), list.size());
      std::string_view item = trimmed(list.substr(at, comma - at));
      while (!item.empty() && (item.front() == '(' || item.front() == '.')) item = trimmed(item.substr(1));
      item = item.substr(0, item.find_first_of(" \t)"));
      if (!item.empty()) look_up(first_part ? item.substr(0, item.find('.')) : item);
      at = comma + 1;
    }
  };
  // The file a %run's arguments name: the first that is not an option.
  const auto run_arguments = [&](std::string_view args) {
    args = trimmed(args.substr(0, args.find(" #")));
    while (!args.empty()) {
      const bool quoted = args.front() == '\'' || args.front() == '"';
      const std::size_t end = quoted ? args.find(args.front(), 1) : args.find_first_of(" \t");
      const std::string_view word = args.substr(0, end == std::string_view::npos ? args.size() : end + quoted);
      if (!word.starts_with('-')) {  // -i, -m MODULE: the module is the first word after
        look_up_forms(word);
        return;
      }
      args = end == std::string_view::npos ? std::string_view{} : trimmed(args.substr(end + quoted));
    }
  };
  const auto statement = [&](std::string_view line) {
    line = trimmed(line);
    if (line.starts_with("# %run ")) line.remove_prefix(2);  // as Colab's download leaves it
    if (line.starts_with("import ")) {
      each_name(line.substr(7, line.find('#') == std::string_view::npos ? line.npos : line.find('#') - 7), true);
    } else if (line.starts_with("from ")) {
      const std::string_view rest = trimmed(line.substr(5));
      const std::size_t space = rest.find_first_of(" \t");
      const std::string_view module = rest.substr(0, space);
      const std::size_t imports = rest.find(" import ");
      if (module.find_first_not_of('.') == std::string_view::npos && imports != std::string_view::npos)
        each_name(rest.substr(imports + 8, rest.find('#') == rest.npos ? rest.npos : rest.find('#') - imports - 8),
                  false);  // from . import helpers
      else
        each_name(module, true);
    } else if (line.starts_with("%run ")) {
      run_arguments(line.substr(5));
    } else if (!line.starts_with('#') &&
               (line.find("exec(") != std::string_view::npos || line.find("run_path(") != std::string_view::npos)) {
      for (std::size_t at = line.find_first_of("'\""); at != std::string_view::npos;) {
        const std::size_t close = line.find(line[at], at + 1);
        if (close == std::string_view::npos) break;
        const std::string_view name = line.substr(at + 1, close - at - 1);
        if (name.ends_with(".py") || name.ends_with(".ipynb")) look_up_forms(name);
        at = line.find_first_of("'\"", close + 1);
      }
    } else if (const auto call = line.find("run_line_magic("); call != std::string_view::npos) {
      std::string_view args = trimmed(line.substr(call + 15));
      if (args.starts_with("'run'") || args.starts_with("\"run\"")) {
        args = trimmed(args.substr(5));
        if (args.starts_with(',')) args = trimmed(args.substr(1));
        if (!args.empty() && (args.front() == '\'' || args.front() == '"')) {
          const auto close = args.find(args.front(), 1);
          if (close != std::string_view::npos) run_arguments(args.substr(1, close - 1));
        }
      }
    }
  };
  const auto each_line = [&](std::string_view code) {
    for (std::size_t begin = 0; begin < code.size();) {
      const std::size_t stop = std::min(code.find('\n', begin), code.size());
      const std::string_view line = code.substr(begin, stop - begin);
      begin = stop + 1;
      if (std::none_of(std::begin(kUsing), std::end(kUsing),
                       [&](std::string_view how) { return line.find(how) != std::string_view::npos; }))
        continue;
      for (std::size_t at = 0; at <= line.size();) {  // `import a; import b`
        const std::size_t semicolon = std::min(line.find(';', at), line.size());
        statement(line.substr(at, semicolon - at));
        at = semicolon + 1;
      }
    }
  };
  if (const auto cells = code_cells(text)) {
    for (const auto& cell : *cells) each_line(cell.source);
    return found;
  }
  each_line(text);
  return found;
}

/// The regular files of `dir`'s sub-folders, as `sub/helpers.py`, modules (`.py`) first, then
/// the rest, each by name, appended to `names`. Walked folder by folder, the nearer first:
/// never through a symbolic link, past kMaxDepth folders down, or in a hidden or cached folder
/// (`.git`, `.ipynb_checkpoints`, `__pycache__`, macOS's `__MACOSX`). At most kMaxListed
/// entries of a folder and kMaxWalked in all are kept: a `venv/` or an `images/` of thousands
/// of files is not walked to its end, and does not keep the folders beside it from being walked
/// (found by a helper: 5000 files in `zz_images/` hid `utils/`, met after it in the disk's order;
/// then 4100 files at the top, which are listed already).
constexpr int kMaxDepth = 3;
constexpr std::size_t kMaxListed = 1024;
constexpr std::size_t kMaxWalked = 4096;
void sub_folder_files(const std::filesystem::path& dir, std::vector<std::string>& names) {
  namespace fs = std::filesystem;
  std::vector<std::pair<fs::path, int>> folders{{fs::path(), 0}};  // relative, depth
  std::vector<std::string> found;
  std::size_t kept = 0;
  for (std::size_t next = 0; next < folders.size() && kept < kMaxWalked; ++next) {
    const auto [folder, depth] = folders[next];
    std::vector<std::pair<std::string, bool>> entries;  // name, whether a folder
    std::error_code ec;
    std::size_t looked = 0;  // beyond the top level, whose entries find_hand_in() has listed already
    for (fs::directory_iterator it(dir / folder, ec), end; !ec && it != end && entries.size() < kMaxListed &&
                                                           kept < kMaxWalked && (depth == 0 || looked < 4 * kMaxListed);
         it.increment(ec), ++looked) {
      std::error_code kind;
      const auto type = it->symlink_status(kind).type();
      const std::string name = it->path().filename().string();
      const bool is_folder = type == fs::file_type::directory && depth < kMaxDepth && !name.starts_with(".") &&
                             name != "__pycache__" && name != "__MACOSX";
      if (is_folder || (type == fs::file_type::regular && depth > 0)) {
        entries.emplace_back(name, is_folder);
        ++kept;
      }
    }
    std::sort(entries.begin(), entries.end());
    for (const auto& [name, is_folder] : entries) {
      if (is_folder)
        folders.emplace_back(folder / name, depth + 1);
      else
        found.push_back((folder / name).generic_string());
    }
  }
  std::sort(found.begin(), found.end());
  // Modules first, where not all fit: data files crowded out the helper a notebook imports
  // (found by a helper: data/01.csv ... data/70.csv, then utils/helpers.py).
  std::stable_partition(found.begin(), found.end(), [](const std::string& name) {
    return lower(std::filesystem::path(name).extension().string()) == ".py";
  });
  names.insert(names.end(), found.begin(), found.end());
}

/// The path a file of a Windows zip names with backslashes (`utils\helpers.py`, a file of the
/// folder's top level here): `utils/helpers.py`, without empty, `.` or `..` parts; "" for a name
/// without a backslash, or one with nothing else.
std::string windows_path(const std::string& name) {
  if (name.find('\\') == std::string::npos) return "";
  std::string path;
  for (std::size_t at = 0; at <= name.size();) {
    const std::size_t stop = std::min(name.find('\\', at), name.size());
    const std::string part = name.substr(at, stop - at);
    if (!part.empty() && part != "." && part != "..") path += (path.empty() ? "" : "/") + part;
    at = stop + 1;
  }
  return path.find('/') == std::string::npos ? "" : path;
}

/// Which of `names` (files to copy, `utils/helpers.py`) the notebook's text names: by its name
/// (`one.txt`), its stem as a module (`helpers`), or a folder it is in (`utils` of
/// `from utils.helpers import f`, `data` of `open("data/x.csv")`). Read in one pass: each word
/// of the text, and each of its dotted parts, looked up among the names' pieces.
std::vector<bool> named_in(std::string_view text, const std::vector<std::string>& names) {
  std::unordered_map<std::string, std::vector<std::size_t>> pieces;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::filesystem::path path(names[i]);
    pieces[path.filename().string()].push_back(i);
    pieces[path.stem().string()].push_back(i);
    for (auto part = path.begin(); part != path.end() && std::next(part) != path.end(); ++part)
      pieces[part->string()].push_back(i);
  }
  std::vector<bool> named(names.size());
  const auto look_up = [&](std::string_view word) {
    if (const auto it = pieces.find(std::string(word)); it != pieces.end())
      for (const std::size_t i : it->second) named[i] = true;
  };
  const auto in_word = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '.' || c == '-' || c >= 0x80; };
  for (std::size_t at = 0; at < text.size();) {
    if (!in_word(static_cast<unsigned char>(text[at]))) {
      ++at;
      continue;
    }
    std::size_t end = at;
    while (end < text.size() && in_word(static_cast<unsigned char>(text[end]))) ++end;
    const std::string_view word = text.substr(at, end - at);
    if (word.size() <= 255) {  // no file's name is longer
      look_up(word);
      for (std::size_t from = 0, dot = word.find('.'); dot != std::string_view::npos; dot = word.find('.', from)) {
        look_up(word.substr(from, dot - from));
        from = dot + 1;
        if (word.find('.', from) == std::string_view::npos) look_up(word.substr(from));
      }
    }
    at = end;
  }
  return named;
}

/// A file that goes with a notebook and is not one: a package's `__init__.py`, pytest's
/// `conftest.py`, or a test named as pytest names tests (`test_X.py`, `X_test.py`) that is a
/// test of another candidate (`X.py` or `X.ipynb` beside it) or reads as one (`import pytest`, a
/// `def test_` function). A student's tests import the notebook, and its `%run` may run them.
/// A `t_test.py` beside its helpers and no `t.py`, without tests of its own, is a notebook.
bool goes_with_a_notebook(const std::string& name, std::string_view text,
                          const std::unordered_map<std::string_view, std::size_t>& stems) {
  const std::filesystem::path path(name);
  if (path.extension() != ".py") return false;
  const std::string stem = path.stem().string();
  if (stem == "__init__" || stem == "conftest") return true;
  if (!named_as_a_test(stem)) return false;
  const std::string_view tested =
      stem.starts_with("test_") ? std::string_view(stem).substr(5) : std::string_view(stem).substr(0, stem.size() - 5);
  const auto line_starts = [&](std::string_view what) {
    return text.starts_with(what) || text.find("\n" + std::string(what)) != std::string_view::npos;
  };
  return stems.contains(tested) || line_starts("import pytest") || line_starts("def test_");
}

/// A line of code as code_lines() compares it, with where it is and what it says.
struct CodeLine {
  std::string key;         ///< compared: the line without trailing blanks, or a magic's canonical form
  std::string_view shown;  ///< the line, trimmed, for a message
  std::size_t cell;        ///< the .ipynb cell's number (CodeCell); 0 in a .py
  std::size_t line;        ///< from 1, in its cell or in the file
  bool commented = false;  ///< a magic commented out (`# %time x = f()`), or a line of a cell magic's
};

/// `text` with each run of blanks outside quotes made one space, and none at the ends: a
/// magic's words (`'a  b'` keeps its two spaces).
std::string collapsed(std::string_view text) {
  std::string out;
  char quote = 0;
  for (const char c : text) {
    if (quote == 0 && (c == ' ' || c == '\t')) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    if (c == '\'' || c == '"') quote = quote == 0 ? c : quote == c ? 0 : quote;
    out += c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

/// The canonical form of a magic, shell command or request for help as a notebook holds it
/// (a trimmed line, its backslash-continued lines joined): `%time x = f()`, `!pip install x`,
/// `files = !ls`, `x = %time f()`, `torch.zeros?` ("?torch.zeros"); "" for anything else
/// (`!= 0,` continuing a condition, a comment's prose).
std::string magic_key(std::string_view line) {
  const auto is_name = [](std::string_view s) {  // what help is asked for: `value[0]?`
    return !s.empty() && s.find_first_of(" \t#") == std::string_view::npos;
  };
  // A magic has a name (`%time`, `%%time`; VS Code's `# %%` cell marker is none).
  const auto named = [](std::string_view s) {
    s.remove_prefix(std::min(s.find_first_not_of('%'), s.size()));
    return !s.empty() && (std::isalpha(static_cast<unsigned char>(s.front())) || s.front() == '_');
  };
  if ((line.starts_with('%') && named(line)) || (line.starts_with('!') && !line.starts_with("!=")))
    return collapsed(line);
  if (line.starts_with('?') && is_name(trimmed(line.substr(std::min(line.find_first_not_of('?'), line.size())))))
    return collapsed(line);
  if (line.ends_with('?')) {
    const std::string_view name = trimmed(line.substr(0, line.find_last_not_of('?') + 1));
    if (is_name(name)) return std::string(line.ends_with("??") ? "??" : "?") + std::string(name);
  }
  const std::size_t equals = line.find('=');
  if (equals == std::string_view::npos || equals == 0 || equals + 1 >= line.size() || line[equals + 1] == '=')
    return "";
  const std::string_view names = line.substr(0, equals);
  const bool assigned = std::all_of(names.begin(), names.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '.' || c == ',' || c == ' ' || c == '\t' || c >= 0x80;
  });
  const std::string_view value = trimmed(line.substr(equals + 1));
  if (!assigned || !((value.starts_with('%') && named(value)) || (value.starts_with('!') && !value.starts_with("!="))))
    return "";
  return collapsed(std::string(trimmed(names)) + " = " + std::string(value));
}

/// The value of a Python string literal as repr() writes one ('run', "it's", 'a\nb'), read
/// from the start of `text`; `text` is left after it. nullopt for anything else.
std::optional<std::string> python_string(std::string_view& text) {
  if (text.empty() || (text.front() != '\'' && text.front() != '"')) return std::nullopt;
  const char quote = text.front();
  std::string value;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == quote) {
      text.remove_prefix(i + 1);
      return value;
    }
    if (c != '\\') {
      value += c;
      continue;
    }
    if (++i >= text.size()) return std::nullopt;
    const char e = text[i];
    static constexpr std::string_view kPlain = "\\'\"", kFrom = "ntrabfv0", kTo = "\n\t\r\a\b\f\v";
    if (kPlain.find(e) != std::string_view::npos) {
      value += e;
    } else if (const auto k = kFrom.find(e); k != std::string_view::npos) {
      value += e == '0' ? '\0' : kTo[k];
    } else if (e == 'x' || e == 'u' || e == 'U') {
      const std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (i + digits >= text.size()) return std::nullopt;
      char32_t cp = 0;
      for (std::size_t d = 1; d <= digits; ++d) {
        const char h = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i + d])));
        if (!std::isxdigit(static_cast<unsigned char>(h))) return std::nullopt;
        cp = cp * 16 + static_cast<char32_t>(h <= '9' ? h - '0' : h - 'a' + 10);
      }
      i += digits;
      if (cp > 0x10FFFF) return std::nullopt;
      if (cp < 0x80) {
        value += static_cast<char>(cp);
      } else if (cp < 0x800) {
        value += static_cast<char>(0xC0 | (cp >> 6));
        value += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        value += static_cast<char>(0xE0 | (cp >> 12));
        value += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        value += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        value += static_cast<char>(0xF0 | (cp >> 18));
        value += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        value += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        value += static_cast<char>(0x80 | (cp & 0x3F));
      }
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

/// A magic as nbconvert's download writes it, read back: `[x = ]get_ipython().run_line_magic(
/// 'time', 'f()')`, `.system('pip ...')`, `.getoutput('ls')`, `.run_cell_magic('time', '',
/// 'body')`, as the magic_key() of the line the notebook held, and for a cell magic its body.
struct DownloadedMagic {
  std::string key;
  std::optional<std::string> body;
};
std::optional<DownloadedMagic> downloaded_magic(std::string_view line) {
  constexpr std::string_view kCall = "get_ipython().";
  const std::size_t at = line.find(kCall);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view before = trimmed(line.substr(0, at));
  std::string_view rest = line.substr(at + kCall.size());
  const std::size_t open = rest.find('(');
  if (open == std::string_view::npos) return std::nullopt;
  const std::string_view method = rest.substr(0, open);
  rest.remove_prefix(open + 1);
  std::vector<std::string> args;
  while (true) {
    rest = trimmed(rest);
    auto arg = python_string(rest);
    if (!arg) return std::nullopt;
    args.push_back(std::move(*arg));
    rest = trimmed(rest);
    if (rest.starts_with(',')) {
      rest.remove_prefix(1);
      continue;
    }
    if (rest != ")") return std::nullopt;
    break;
  }
  std::string magic;
  if (method == "run_line_magic" && args.size() == 2)
    magic = args[0] == "pinfo" ? "?" + args[1] : args[0] == "pinfo2" ? "??" + args[1] : "%" + args[0] + " " + args[1];
  else if ((method == "system" || method == "getoutput") && args.size() == 1)
    magic = "!" + args[0];
  else if (method == "run_cell_magic" && args.size() == 3 && before.empty())
    return DownloadedMagic{collapsed("%%" + args[0] + " " + args[1]), args[2]};
  else
    return std::nullopt;
  if (!before.empty() && !before.ends_with('=')) return std::nullopt;
  std::string key = magic_key(std::string(before) + (before.empty() ? "" : " ") + magic);
  if (key.empty()) return std::nullopt;  // `x = f(); y = get_ipython()...`: compared as it is
  return DownloadedMagic{std::move(key), std::nullopt};
}

/// Where a string that starts at column 0 of lines[i] ends: its last line, and the column after
/// its closing quotes; nullopt if the line does not start with one, or it is never closed.
std::optional<std::pair<std::size_t, std::size_t>> string_end(const std::vector<std::string_view>& lines,
                                                              std::size_t i) {
  const std::string_view first = lines[i];
  if (!first.starts_with('"') && !first.starts_with('\'')) return std::nullopt;
  const std::string_view quotes = first.substr(0, first.starts_with("\"\"\"") || first.starts_with("'''") ? 3 : 1);
  std::size_t column = quotes.size();
  for (std::size_t j = i; j < lines.size(); ++j, column = 0) {
    const std::string_view line = lines[j];
    while (column < line.size()) {
      if (line[column] == '\\') {
        column += 2;
      } else if (line.substr(column).starts_with(quotes)) {
        return std::pair(j, column + quotes.size());
      } else {
        ++column;
      }
    }
    if (quotes.size() == 1) return std::nullopt;  // a string of one line
  }
  return std::nullopt;
}

/// Whether `script` is Jupyter's download of a notebook: it marks its cells `# In[3]:`.
bool jupyter_download(std::string_view script) {
  for (std::size_t begin = 0; begin < script.size();) {
    const std::size_t stop = std::min(script.find('\n', begin), script.size());
    std::string_view line = script.substr(begin, stop - begin);
    begin = stop + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.starts_with("# In[") && line.ends_with("]:") &&
        line.substr(5, line.size() - 7).find_first_not_of(" 0123456789") == std::string_view::npos)
      return true;
  }
  return false;
}

/// How a line ends for the lines after it, read as Python reads it: in a string (the quotes
/// that would end it), inside brackets, or continued with a backslash.
struct LineState {
  std::string_view quotes;  ///< "\"\"\"", "'''", or "" outside a string
  int depth = 0;
  bool continued = false;
};

/// Reads `line` from `state` on, to where its strings, brackets and backslash take the next line.
/// Returns where a comment starts in it (outside strings), or npos.
std::size_t read_line(std::string_view line, LineState& state) {
  std::size_t i = 0;
  state.continued = false;
  while (i < line.size()) {
    if (!state.quotes.empty()) {
      if (line[i] == '\\') {
        i += 2;
        continue;
      }
      if (line.substr(i).starts_with(state.quotes)) {
        i += state.quotes.size();
        state.quotes = {};
        continue;
      }
      ++i;
      continue;
    }
    const char c = line[i];
    if (c == '#') return i;
    if (c == '"' || c == '\'') {
      const bool triple = line.substr(i).starts_with(c == '"' ? "\"\"\"" : "'''");
      if (triple) {
        state.quotes = c == '"' ? "\"\"\"" : "'''";
        i += 3;
        continue;
      }
      // A string on one line: to its closing quote, past escapes.
      std::size_t j = i + 1;
      while (j < line.size() && line[j] != c) j += line[j] == '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++state.depth;
    if ((c == ')' || c == ']' || c == '}') && state.depth > 0) --state.depth;
    ++i;
  }
  state.continued = state.quotes.empty() && line.ends_with('\\');
  return std::string_view::npos;
}

/// A line of code as compared: without its comment and the blanks before it (found by a student
/// helper: a comment added in the notebook was named as where it and its download differ, and
/// hid the change of code after it); nothing for a line that is a comment alone.
void push_code(std::string_view raw, LineState& state, const std::function<void(std::string)>& push) {
  std::string_view code = raw.substr(0, std::min(read_line(raw, state), raw.size()));
  while (!code.empty() && (code.back() == ' ' || code.back() == '\t')) code.remove_suffix(1);
  if (!trimmed(code).empty()) push(std::string(code));
}

/// The lines of code of a notebook's cell or of a .py, appended to `out` for code_difference(),
/// read alike on both sides so that a notebook and its download compare equal: blank lines,
/// comments (Jupyter's `# In[3]:` and markdown) and strings alone on lines of their own from
/// the left edge (Colab's markdown, a notebook's docstring) are left out; a magic counts as
/// what it runs, whether the notebook holds it (`%time x = f()`, a `%%time` cell), Jupyter's
/// download as a call (`get_ipython().run_line_magic('time', 'x = f()')`) or, where
/// `commented` (the download is no Jupyter one), Colab's download commented out (`# %time x =
/// f()`, a cell magic's every line). A line inside a string or brackets is compared as it is.
/// Indentation counts; blanks at a line's end do not. `depth`: of cell magics in cell magics,
/// whose lines are compared as they are past kMaxMagicDepth (a hostile `# # # %%x` nest).
constexpr int kMaxMagicDepth = 4;
void code_lines(std::string_view source, std::size_t cell, std::size_t first_line, bool commented,
                std::vector<CodeLine>& out, int depth = 0) {
  std::vector<std::string_view> lines;
  for (std::size_t begin = 0; begin <= source.size();) {
    const std::size_t stop = std::min(source.find('\n', begin), source.size());
    std::string_view line = source.substr(begin, stop - begin);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    lines.push_back(line);
    begin = stop + 1;
  }
  const auto at = [&](std::size_t i) { return cell != 0 ? i + 1 : first_line + i; };
  const auto push = [&](std::string key, std::string_view shown, std::size_t i, bool hidden = false) {
    out.push_back({std::move(key), trimmed(shown), cell, at(i), hidden});
  };
  LineState state;
  bool started = false;  // a line of code was met: a cell magic only starts a cell
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view raw = lines[i];
    const auto code = [&](std::string key) { push(std::move(key), raw, i); };
    if (!state.quotes.empty() || state.depth > 0 || state.continued) {  // inside a statement
      push_code(raw, state, code);
      continue;
    }
    const std::string_view line = trimmed(raw);
    if (line.empty()) continue;
    const bool opens = !started;  // the first line of the cell
    started = true;
    // A magic, and the lines a backslash at its end continues it on.
    const auto joined = [&](std::string_view first, bool strip_comment) {
      std::string text(first);
      while (!text.empty() && text.back() == '\\' && i + 1 < lines.size()) {
        text.pop_back();
        std::string_view next = trimmed(lines[++i]);
        if (strip_comment && next.starts_with('#')) next = trimmed(next.substr(1));
        text += " " + std::string(next);
      }
      return text;
    };
    const auto cell_body = [&](std::string body, std::size_t where, bool hidden) {
      std::vector<CodeLine> inner;
      code_lines(body, 0, 0, commented, inner, depth + 1);
      for (auto& c : inner) out.push_back({std::move(c.key), lines[where], cell, at(where), hidden || c.commented});
    };
    if (line.starts_with('#')) {
      const std::string_view rest = trimmed(line.substr(1));
      std::string key = commented ? magic_key(rest) : "";
      if (key.empty()) continue;
      if (rest.starts_with("%%") &&
          depth < kMaxMagicDepth) {  // Colab's commented-out cell magic: its lines follow, commented
        push(key, raw, i, true);
        std::string body;
        const std::size_t where = i;
        while (i + 1 < lines.size() && trimmed(lines[i + 1]).starts_with('#')) {
          std::string_view next = trimmed(lines[++i]).substr(1);
          if (next.starts_with(' ')) next.remove_prefix(1);
          body += std::string(next) + "\n";
        }
        cell_body(std::move(body), where, true);
        continue;
      }
      push(magic_key(joined(rest, true)), raw, i, true);
      continue;
    }
    if (line.starts_with("%%") && opens && depth < kMaxMagicDepth) {  // a cell magic: its key, then its body
      push(collapsed(line), raw, i);
      std::string body;
      for (std::size_t j = i + 1; j < lines.size(); ++j) body += std::string(lines[j]) + "\n";
      std::vector<CodeLine> inner;
      code_lines(body, 0, 1, commented, inner, depth + 1);
      for (auto& c : inner)
        out.push_back({std::move(c.key), trimmed(lines[i + c.line]), cell, at(i + c.line), c.commented});
      return;
    }
    if (const std::string key = magic_key(line); !key.empty()) {
      push(magic_key(joined(line, false)), raw, i);
      continue;
    }
    if (const auto magic = downloaded_magic(line)) {
      push(magic->key, raw, i);
      if (magic->body && depth < kMaxMagicDepth) cell_body(*magic->body, i, false);
      if (magic->body && depth >= kMaxMagicDepth) push(*magic->body, raw, i);
      continue;
    }
    // A string alone from the left edge to the end of its last line (Colab's markdown): not
    // one followed by more (`"""Scratch"""; x = 1`), nor one never closed.
    if (const auto end = string_end(lines, i)) {
      const std::string_view after = trimmed(lines[end->first].substr(end->second));
      if (after.empty() || after.starts_with('#')) {
        i = end->first;
        continue;
      }
    }
    push_code(raw, state, code);
  }
}

/// An .ipynb past kMaxHandInBytes (at most kMaxNotebookBytes) as JSON without its cells'
/// outputs and attachments, and its size; nothing if it does not read as a notebook, or is
/// still too large without them. The outputs are never held: the parser drops them as it goes.
std::optional<std::pair<std::string, std::uintmax_t>> notebook_code(const std::filesystem::path& path) {
  std::optional<std::string> text;
  std::uintmax_t size = 0;
  try {
    std::string raw = read_bounded(path, ReadLimits{kMaxNotebookBytes});
    size = raw.size();
    text = notebook_json(std::move(raw));
  } catch (const ReadError&) {
    return std::nullopt;
  }
  if (!text) return std::nullopt;
  using json = nlohmann::json;
  const json doc = json::parse(
      *text,
      [](int depth, json::parse_event_t event, json& parsed) {
        // A key of a cell: the document's object (1), "cells" (2), a cell's object (3).
        return !(event == json::parse_event_t::key && depth == 3 && parsed.is_string() &&
                 (parsed == "outputs" || parsed == "attachments"));
      },
      false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  std::string code = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  if (code.size() > kMaxHandInBytes) return std::nullopt;
  return std::make_pair(std::move(code), size);
}

/// How a notebook and its download compare (download_difference()).
struct Difference {
  std::string where;     ///< where their code first differs; "" where it is the same
  bool compared = true;  ///< false where one cannot be read: `where` says why
  bool same() const { return compared && where.empty(); }
};

/// `text` with Python's line ends (\r\n, \r) made \n, without a byte order mark; for a cell,
/// with the indentation of its first line taken off every line that has it, as IPython runs a
/// cell pasted from inside a function (and Jupyter's download writes it).
std::string python_lines(std::string_view text, bool cell) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r')
      out += text[i];
    else if (i + 1 >= text.size() || text[i + 1] != '\n')
      out += '\n';
  }
  if (!cell) return out;
  std::size_t first = out.find_first_not_of(" \t\n");
  if (first == std::string::npos) return out;
  first = out.rfind('\n', first) == std::string::npos ? 0 : out.rfind('\n', first) + 1;
  const std::string indent = out.substr(first, out.find_first_not_of(" \t", first) - first);
  if (indent.empty()) return out;
  std::string dedented;
  for (std::size_t begin = 0; begin <= out.size();) {
    const std::size_t stop = std::min(out.find('\n', begin), out.size());
    std::string_view line = std::string_view(out).substr(begin, stop - begin);
    if (line.starts_with(indent)) line.remove_prefix(indent.size());
    dedented += std::string(line) + (stop < out.size() ? "\n" : "");
    begin = stop + 1;
  }
  return dedented;
}

/// Where the code of `notebook` (an .ipynb's text) and of `script` (a .py's) first differ,
/// said for a student ("cell 5, line 2 of homework.ipynb has `x = 1` where line 48 of
/// homework.py has `x = 2`"): `script` is the notebook's download where they hold the same
/// code (code_lines()). A magic the notebook has commented out is no line the .py runs.
/// `names`: the notebook's and the script's file names.
Difference code_difference(const std::string& notebook, std::string_view script,
                           const std::pair<std::string, std::string>& names) {
  const auto cells = code_cells(notebook);
  if (!cells) return {safe_name(names.first) + " is not a notebook's JSON", false};
  std::vector<std::string> texts;  // what the lines look into; never reallocated
  texts.reserve(cells->size() + 1);
  texts.push_back(python_lines(script, false));
  // A Jupyter download keeps magics as calls: its comments are only comments.
  const bool commented = !jupyter_download(texts.front());
  std::vector<CodeLine> ours, theirs;
  for (const auto& cell : *cells) {
    texts.push_back(python_lines(cell.source, true));
    code_lines(texts.back(), cell.number, 1, commented, ours);
  }
  code_lines(texts.front(), 0, 1, commented, theirs);
  // A shell command, an install or a setting of the notebook's (`!pip install torch`, `%pip
  // install numpy`, `%matplotlib inline`) runs nothing where a hand-in is graded: one side's is
  // no difference (found by a student helper: a download that kept commented-out `!pip` and
  // `%matplotlib` lines was told those differ, not the change of code after them).
  const auto settings = [](const CodeLine& c) {
    if (c.key.starts_with('!')) return true;
    for (const char* magic : {"%pip", "%conda", "%matplotlib", "%load_ext", "%reload_ext", "%autoreload", "%config"})
      if (c.key == magic || c.key.starts_with(std::string(magic) + " ")) return true;
    return false;
  };
  std::erase_if(ours, settings);
  std::erase_if(theirs, settings);
  const auto [a, b] = std::mismatch(
      ours.begin(), ours.end(), theirs.begin(), theirs.end(),
      [](const CodeLine& x, const CodeLine& y) { return x.key == y.key && (!x.commented || y.commented); });
  if (a == ours.end() && b == theirs.end()) return {};
  const auto where = [&](const CodeLine& c) {
    return c.cell != 0
               ? "cell " + std::to_string(c.cell) + ", line " + std::to_string(c.line) + " of " + safe_name(names.first)
               : "line " + std::to_string(c.line) + " of " + safe_name(names.second);
  };
  // Quoted from a little before where the two differ, where that is far into the line.
  std::size_t from = 0;
  if (a != ours.end() && b != theirs.end() && a->shown != b->shown) {
    const auto [x, y] = std::mismatch(a->shown.begin(), a->shown.end(), b->shown.begin(), b->shown.end());
    const std::size_t differ = static_cast<std::size_t>(x - a->shown.begin());
    if (differ == static_cast<std::size_t>(y - b->shown.begin()) && differ > kQuoted / 2) from = differ - 20;
  }
  const auto code = [&](const CodeLine& c) {
    const std::string_view part = c.shown.substr(std::min(from, c.shown.size()));
    return code_quoted((from ? "..." : "") + one_line(part, kQuoted));
  };
  if (a == ours.end()) return {where(*b) + " has " + code(*b) + " after the last line of " + safe_name(names.first)};
  if (b == theirs.end()) return {where(*a) + " has " + code(*a) + " after the last line of " + safe_name(names.second)};
  return {where(*a) + " has " + code(*a) + " where " + where(*b) + " has " + code(*b) +
          (a->shown == b->shown ? ", indented differently" : "")};
}

/// A notebook's name as its copies and downloads keep it, to pair them: in any case, spaces as
/// underscores (Colab's download of "Copy of A2S1.ipynb" is copy_of_a2s1.py), without the
/// "copy of" before it or a browser's " (1)" after it.
std::string pair_stem(const std::string& name) {
  std::string stem = lower(std::filesystem::path(name).stem().string());
  std::replace(stem.begin(), stem.end(), ' ', '_');
  if (stem.starts_with("copy_of_")) stem.erase(0, 8);
  // "homework (1)" (Chrome), "homework(1)" (Firefox)
  if (const std::size_t open = stem.rfind('('); open != std::string::npos && open > 0 && stem.ends_with(')') &&
                                                open + 2 < stem.size() &&
                                                stem.find_first_not_of("0123456789", open + 1) == stem.size() - 1)
    stem.erase(stem[open - 1] == '_' ? open - 1 : open);
  return stem;
}

/// Of a notebook and its download, the notebook (the .ipynb).
const std::string& notebook_of(const std::string& a, const std::string& b) {
  return lower(std::filesystem::path(a).extension().string()) == ".ipynb" ? a : b;
}

/// Whether `a` and `b` (files of `dir`) are a notebook and its download, an .ipynb and a .py of
/// one name (pair_stem()); if so, how they compare (code_difference()).
std::optional<Difference> download_difference(const std::filesystem::path& dir, const std::string& a,
                                              const std::string& b) {
  const std::filesystem::path x(a), y(b);
  if (pair_stem(a) != pair_stem(b)) return std::nullopt;
  const std::string ex = lower(x.extension().string()), ey = lower(y.extension().string());
  if (!((ex == ".ipynb" && ey == ".py") || (ex == ".py" && ey == ".ipynb"))) return std::nullopt;
  const std::string& notebook = notebook_of(a, b);
  const std::string& script = &notebook == &a ? b : a;
  std::string texts[2];
  for (int i : {0, 1}) try {
      texts[i] = read_bounded(dir / (i == 0 ? notebook : script), ReadLimits{kMaxHandInBytes});
    } catch (const ReadError& e) {
      return Difference{safe_name(i == 0 ? notebook : script) + " " + e.what(), false};
    }
  return code_difference(texts[0], texts[1], {notebook, script});
}

/// The note of a download set aside for its notebook.
std::string same_code(const std::string& download, const std::string& notebook) {
  return safe_name(download) + " is not graded: it holds the same code as " + safe_name(notebook) +
         " (a notebook's download as a Python file), which is";
}

/// "a.ipynb and a.py, a notebook and a .py of the same name whose code differs: ...", for a
/// refusal: `difference` is download_difference()'s.
std::string differing(const std::string& a, const std::string& b, const Difference& difference) {
  return safe_name(a) + " and " + safe_name(b) + ", a notebook and a .py of the same name " +
         (difference.compared ? "whose code differs: " : "that cannot be compared: ") + difference.where;
}

/// Whether `text` names one of `words` as a whole word (an identifier), or, unless
/// `attributes`, not as an attribute (`lib.f`).
bool names_any(const std::string& text, const std::vector<std::string>& words, bool attributes) {
  const auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  return std::any_of(words.begin(), words.end(), [&](const std::string& f) {
    for (std::size_t at = f.empty() ? std::string::npos : text.find(f); at != std::string::npos;
         at = text.find(f, at + 1)) {
      // At a line's start in an .ipynb's one-string source, the JSON text has `\nf`.
      const bool line_start = at >= 2 && text[at - 1] == 'n' && text[at - 2] == '\\';
      if ((at == 0 || line_start || (!word(text[at - 1]) && (attributes || text[at - 1] != '.'))) &&
          (at + f.size() == text.size() || !word(text[at + f.size()])))
        return true;
    }
    return false;
  });
}

/// The names a hand-in of `spec` defines: its functions, and the variables its answers are
/// taken from (the names in their Python expressions, else their own).
std::vector<std::string> names_graded(const Spec& spec) {
  std::vector<std::string> names = python_functions(spec);
  static const std::regex identifier("[A-Za-z_][A-Za-z0-9_]*");
  for (const auto& ex : spec.exercises)
    for (const auto& a : ex.answers) {
      const std::string& expr = a.python_expr.empty() ? a.name : a.python_expr;
      for (std::sregex_iterator it(expr.begin(), expr.end(), identifier), end; it != end; ++it)
        if (std::find(names.begin(), names.end(), it->str()) == names.end()) names.push_back(it->str());
    }
  return names;
}

/// `files` of `dir` split into those that name one of `words` (names_any()) and those that do
/// not; one that cannot be read (or is too large) is among the first, a candidate as ever.
std::pair<std::vector<std::string>, std::vector<std::string>> by_naming(const std::filesystem::path& dir,
                                                                        const std::vector<std::string>& files,
                                                                        const std::vector<std::string>& words,
                                                                        bool attributes) {
  std::pair<std::vector<std::string>, std::vector<std::string>> split;
  for (const auto& f : files) {
    bool names = true;
    try {
      names = names_any(read_bounded(dir / f, ReadLimits{kMaxHandInBytes}), words, attributes);
    } catch (const ReadError&) {
    }
    (names ? split.first : split.second).push_back(f);
  }
  return split;
}

/// Of several files that could each be the hand-in, the one that names what the assignment
/// grades (names_graded()), where exactly one does: the others (an empty Untitled.ipynb, a
/// scratch.py) are then set aside, and `note` says so (found by a TA helper: a correct
/// homework.py beside Jupyter's empty Untitled.ipynb scored 0 of 8, "2 Python hand-ins").
std::optional<std::string> only_naming(const Spec& spec, const std::filesystem::path& dir,
                                       const std::vector<std::string>& rivals, std::string& note) {
  if (rivals.size() < 2 || rivals.size() > kMaxFiles) return std::nullopt;
  const std::vector<std::string> names = names_graded(spec);
  const auto [naming, other] = by_naming(dir, rivals, names, true);
  if (naming.size() != 1) return std::nullopt;
  note = listed(other) + (other.size() == 1 ? " is not graded: it names" : " are not graded: they name") +
         " none of what the assignment grades (" + first_few(names) + "), and " + safe_name(naming.front()) + " does";
  return naming.front();
}

/// Which of several candidates is the notebook: the one no other runs or imports, if there is
/// exactly one, beside the helpers it runs with `%run` or imports (an unreadable one runs or
/// imports nothing, and so do those past the bytes a hand-in and its files may have). The files
/// that go with a notebook (goes_with_a_notebook()) are set aside first, where something else
/// is left: a test imports the notebook, and names it for nothing (found by helpers:
/// `test_homework.py` was graded for the homework it tests; `homework.py` beside an empty
/// `__init__.py` was two hand-ins). Not tried beyond kMaxFiles candidates.
struct Choice {
  std::vector<std::string> unused;   ///< the notebook, if it is the only one; none in a cycle
  std::vector<std::string> helpers;  ///< the others it runs or imports
  std::vector<std::string> aside;    ///< tests, a conftest.py, an __init__.py
};
std::optional<Choice> choice_of_several(const std::filesystem::path& dir, const std::vector<std::string>& candidates) {
  if (candidates.size() > kMaxFiles) return std::nullopt;
  std::vector<std::string> stems;
  for (const auto& c : candidates) stems.push_back(std::filesystem::path(c).stem().string());
  std::unordered_map<std::string_view, std::size_t> index;  // each stem once (a.py and a.ipynb share one)
  for (const auto& stem : stems) index.emplace(stem, index.size());
  std::vector<std::vector<bool>> found;  // what each runs or imports, by stem
  std::vector<bool> aside;               // goes with a notebook
  std::uintmax_t left = kMaxHandInBytes + kMaxFilesBytes;
  for (std::size_t j = 0; j < candidates.size(); ++j) {
    std::string text;
    try {
      text = read_bounded(dir / candidates[j], ReadLimits{std::min(left, kMaxHandInBytes)});
      left -= text.size();
    } catch (const ReadError&) {
    }
    found.push_back(mentioned(text, index));
    aside.push_back(goes_with_a_notebook(candidates[j], text, index));
  }
  const auto uses = [&](std::size_t j, std::size_t i) {
    return i != j && !stems[i].empty() && found[j][index.at(stems[i])];
  };
  if (std::find(aside.begin(), aside.end(), false) == aside.end()) aside.assign(candidates.size(), false);
  std::vector<bool> used(candidates.size());  // run or imported by another candidate (not set aside)
  for (std::size_t j = 0; j < candidates.size(); ++j)
    for (std::size_t i = 0; i < candidates.size(); ++i) used[i] = used[i] || (!aside[j] && uses(j, i));
  Choice choice;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    (aside[i] ? choice.aside : used[i] ? choice.helpers : choice.unused).push_back(candidates[i]);
  return choice;
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
    // Not macOS's AppleDouble files (`._homework.py`), nor a Windows zip's `utils\helpers.py`.
    if (is_notebook_name(name) && !name.starts_with("._") && windows_path(name).empty()) candidates.push_back(name);
    if (compiled_source(name) || name == spec.library.file) found.library_files = true;
  }
  if (candidates.empty()) {
    if (!links.empty()) found.problem = linked + ", never followed: hand in the file itself";
    return found;
  }
  if (!links.empty()) found.notes.push_back(linked + ", never followed: it is not graded");
  // Beside C/C++ files, a .py or .ipynb that names none of the assignment's functions (but as
  // an attribute, lib.f: the library's) is the student's own test or scratch file, not the
  // hand-in (found by a TA helper: a correct solution.c beside a run_tests.py that loads it
  // with ctypes scored 0, graded as a notebook that defines nothing). One that names one is
  // graded, the C/C++ files not (a note says so).
  if (found.library_files && spec.uses_library() && !spec.python.only) {
    // Not as an attribute: a ctypes script's lib.scaled_dot_product_attention is the C one.
    auto [naming, other] = by_naming(dir, candidates, python_functions(spec), false);
    if (!other.empty())
      found.notes.push_back(listed(other) +
                            (other.size() == 1 ? " is not graded: it names" : " are not graded: they name") +
                            " none of the assignment's functions (" + python_function_names(spec) + ")" +
                            (naming.empty() ? ", and the C/C++ files beside it are graded" : ""));
    candidates = std::move(naming);
    if (candidates.empty()) return found;
  }

  const auto others_than = [&](const std::string& chosen) {
    std::vector<std::string> others;
    for (const auto& c : candidates)
      if (c != chosen) others.push_back(c);
    return others;
  };
  const std::string& asked = spec.python.file;
  std::string chosen;
  if (!asked.empty()) {
    const std::string stem = pair_stem(asked);
    std::vector<std::string> alike;  // A2S1.py, A2S1.ipynb, a2s1.py, Copy of A2S1.ipynb
    for (const auto& c : candidates)
      if (pair_stem(c) == stem) alike.push_back(c);
    const bool exact = std::find(candidates.begin(), candidates.end(), asked) != candidates.end();
    // A notebook beside its download: the notebook where they hold the same code (its cells run
    // as the student ran them; a download may have lost a magic's line), else the file named.
    const auto difference = alike.size() == 2 ? download_difference(dir, alike[0], alike[1]) : std::nullopt;
    if (difference && difference->same())
      chosen = notebook_of(alike[0], alike[1]);
    else if (exact)
      chosen = asked;
    else if (alike.size() == 1)
      chosen = alike.front();
    else if (alike.empty() && candidates.size() == 1)
      chosen = candidates.front();
    std::string aside_note;
    if (chosen.empty())
      if (auto only = only_naming(spec, dir, alike.empty() ? candidates : alike, aside_note)) {
        chosen = *only;
        found.notes.push_back(aside_note);
      }
    if (chosen.empty()) {
      found.problem =
          "the assignment asks for " + asked + ", and this folder has " +
          (difference ? differing(alike[0], alike[1], *difference) : listed(alike.empty() ? candidates : alike)) +
          ": keep only the one to grade";
      return found;
    }
    if (chosen != asked) {
      // Said so that a student who handed in the notebook itself does not think it wrong.
      const bool other_form = lower(std::filesystem::path(chosen).extension().string()) !=
                              lower(std::filesystem::path(asked).extension().string());
      found.notes.push_back(safe_name(chosen) + " is graded as the " + asked + " the assignment names" +
                            (other_form ? ": a notebook (.ipynb) and its .py download are both accepted" : ""));
    }
    if (const auto others = others_than(chosen); !others.empty() && aside_note.empty()) {
      // Said where the notebook and its download differ: a student who changed one after
      // downloading it learns which was graded.
      const bool pair = difference.has_value() && others.size() == 1;
      found.notes.push_back(
          !pair ? listed(others) + (others.size() == 1 ? " is" : " are") + " not graded: only " + safe_name(chosen) +
                      " is"
          : difference->same()
              ? same_code(others.front(), chosen)
              : safe_name(others.front()) + " is not graded: only " + safe_name(chosen) + " is, and " +
                    (difference->compared ? "their code differs: " : "they cannot be compared: ") + difference->where);
    }
  } else if (candidates.size() == 1) {
    chosen = candidates.front();
  } else {
    const auto choice = choice_of_several(dir, candidates);
    // homework.ipynb beside its download homework.py: one notebook, where they hold the same code.
    const auto difference = choice && choice->unused.size() == 2
                                ? download_difference(dir, choice->unused[0], choice->unused[1])
                                : std::nullopt;
    if (!choice || (choice->unused.size() != 1 && !(difference && difference->same()))) {
      // The rivals, without what goes with them (a test of either), or all where each runs another.
      const auto& rivals = !choice                     ? candidates
                           : choice->unused.size() > 1 ? choice->unused
                                                       : choice->helpers;  // each runs another
      std::string aside_note;
      if (auto only = only_naming(spec, dir, rivals, aside_note)) {
        chosen = *only;
        found.notes.push_back(aside_note);
      } else {
        found.problem = "this folder has " +
                        (difference ? differing(rivals[0], rivals[1], *difference)
                                    : std::to_string(rivals.size()) + " Python hand-ins, " + listed(rivals)) +
                        ": keep only the one to grade";
        return found;
      }
    } else {
      chosen = choice->unused.front();
      if (difference) {  // the notebook itself, its cells as the student ran them
        chosen = notebook_of(choice->unused[0], choice->unused[1]);
        found.notes.push_back(same_code(choice->unused[chosen == choice->unused[0] ? 1 : 0], chosen));
      }
      if (!choice->helpers.empty())
        found.notes.push_back(safe_name(chosen) + " is graded, which runs or imports " + listed(choice->helpers));
      if (!choice->aside.empty())
        found.notes.push_back(listed(choice->aside) + (choice->aside.size() == 1 ? " is" : " are") +
                              " not graded: tests of a notebook (test_*.py, *_test.py beside it), conftest.py and "
                              "__init__.py go with it, and " +
                              safe_name(chosen) + " is the notebook");
    }
  }

  HandIn h;
  h.name = chosen;
  try {
    h.source = read_bounded(dir / chosen, ReadLimits{kMaxHandInBytes});
  } catch (const ReadError& e) {
    std::string why = e.what();
    // A notebook made large by its saved outputs (plots, pictures) is graded by its code (found
    // by a helper playing a TA: a correct 30 MB notebook scored 0, and nothing but editing the
    // student's file could change that).
    const bool large = why.find("more than the limit") != std::string::npos;
    if (large && lower(std::filesystem::path(chosen).extension().string()) == ".ipynb")
      if (auto code = notebook_code(dir / chosen)) {
        h.source = std::move(code->first);
        found.notes.push_back(
            fmt::format("{} is {} MB, its saved outputs (plots, pictures) mostly: they are never "
                        "graded, and were left out ({} KB of code and text remain)",
                        safe_name(chosen), code->second >> 20, (h.source.size() + 1023) >> 10));
      }
    if (h.source.empty()) {
      if (large) why += "; clear the notebook's outputs (Edit > Clear all outputs) and hand it in again";
      found.problem = safe_name(chosen) + " " + why;
      return found;
    }
  }
  // The other files, as the notebook may open them (data it loads, a module it imports), then
  // those of its sub-folders (`from utils.helpers import f`, `data/x.csv`).
  std::uintmax_t total = 0;
  std::vector<std::string> left_out;
  std::vector<std::string> names;
  for (const auto& name : regular)
    if (name != chosen) names.push_back(name);
  sub_folder_files(dir, names);
  // Where not all fit, the files the notebook names go first, its modules before its data;
  // then the top level's, then the sub-folders' (found by helpers: 72 modules of lectures/
  // kept out the one.txt the notebook opens; 4100 images at the top, utils/helpers.py).
  std::vector<std::string> paths;  // where each is copied (a Windows zip's `utils\helpers.py` too)
  for (const auto& name : names) {
    const std::string path = windows_path(name);
    paths.push_back(path.empty() ? name : path);
  }
  const std::vector<bool> named = named_in(h.source, paths);
  std::vector<int> rank(names.size(), 2);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (named[i]) rank[i] = lower(std::filesystem::path(paths[i]).extension().string()) == ".py" ? 0 : 1;
  std::vector<std::size_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rank[a] < rank[b]; });
  std::vector<std::pair<std::string, std::string>> ordered;  // name, path
  for (const std::size_t i : order) ordered.emplace_back(std::move(names[i]), std::move(paths[i]));
  for (const auto& [name, path] : ordered) {
    if (h.files.size() >= kMaxFiles) {
      left_out.push_back(name);
      continue;
    }
    try {
      std::string bytes = read_bounded(dir / name, ReadLimits{kMaxFilesBytes - total});
      total += bytes.size();
      h.files.emplace_back(path, std::move(bytes));
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
