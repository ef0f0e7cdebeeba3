#pragma once
/// Finding a submission folder's Python hand-in (a notebook, or a script downloaded from one)
/// and reading it with the files it may open (docs/python-hand-ins.md).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grader/python/run.hpp"
#include "grader/spec/spec.hpp"

namespace grader::python {

/// The hand-in to run, or why none can be graded, with notes for the student.
struct Found {
  std::optional<HandIn> hand_in;       ///< read, with the folder's other files
  std::optional<std::string> problem;  ///< two candidates, or one that cannot be read
  std::vector<std::string> notes;      ///< "A2S1.ipynb is graded as A2S1.py", files left out
  bool library_files = false;          ///< C/C++ sources or the spec's library are there too
};

/// Whether a file of this name is a Python hand-in (.py or .ipynb, in any case).
bool is_notebook_name(const std::string& name);

/// The folder's `.py` or `.ipynb`: the spec's `python.file` if present; otherwise the single
/// candidate (a file with the spec's name in another case or with the other extension comes
/// first, with a note). None is not a problem: the folder may hand in files or a library.
Found find_hand_in(const Spec& spec, const std::filesystem::path& dir);

}  // namespace grader::python
