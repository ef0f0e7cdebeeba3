// Python hand-ins run in a confined child of the Python zygote: notebooks and scripts in every
// form students hand in, each hostile behaviour ending in its verdict while the other answers
// are still taken.
#include <algorithm>
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "grader/python/run.hpp"
#include "support/process.hpp"
#include "support/text.hpp"

using namespace grader;
using python::HandIn;
using python::Request;

namespace {

using test_support::BusyProcesses;
using test_support::contains;
using test_support::occurrences;

python::Run run(const std::string& name, const std::string& source, const std::vector<Request>& requests,
                python::Limits limits = {}) {
  return python::run(HandIn{name, source, {}}, python::Work{requests, {}, {}}, 1, limits);
}

std::string verdict(const python::Value& v) { return v.value ? "value" : std::string(to_string(v.problem)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(notebooks)

BOOST_AUTO_TEST_CASE(a_script_hands_back_its_variables) {
  const auto r = run("A2S1.py",
                     "import torch\n"
                     "query121 = torch.tensor([[1.0, 2.0, 3.0]])\n"
                     "query131 =\n"
                     "x = [1, 2]\n",
                     {{"query121", "query121", ""}, {"query131", "query131", ""}, {"x", "x", ""}});
  BOOST_TEST_MESSAGE(r.isolation);
  BOOST_REQUIRE_EQUAL(r.values.size(), 3u);
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  if (r.values[0].value) BOOST_TEST(r.values[0].value->shape() == (Shape{1, 3}), boost::test_tools::per_element());
  BOOST_TEST(r.values[0].dtype == "float32");
  BOOST_TEST(verdict(r.values[1]) == "missing");
  BOOST_TEST(contains(r.values[1].message, "line 3: SyntaxError"), r.values[1].message);
  BOOST_TEST(verdict(r.values[2]) == "value", r.values[2].message);
}

BOOST_AUTO_TEST_CASE(an_answer_under_another_spelling_is_told_the_name_the_notebook_has) {
  // Found by a helper trying the docs as an instructor: a notebook computing `a1` for the
  // answer `A1` was told only that A1 is not defined.
  const auto r = run("A2S1.py", "import numpy as np\na1 = np.ones((3, 3))\nmodel = np.eye\nquery132 = [1.0]\n",
                     {{"A1", "A1", ""}, {"query131", "query131", ""}, {"query132", "query132", ""}});
  BOOST_TEST(verdict(r.values[0]) == "missing");
  BOOST_TEST(contains(r.values[0].message,
                      "'A1' is not defined at the end of your notebook: assign it in your "
                      "notebook; did you mean 'a1'?"),
             r.values[0].message);
  // query132 is another answer, not a misspelt query131.
  BOOST_TEST(!contains(r.values[1].message, "did you mean"), r.values[1].message);
}

BOOST_AUTO_TEST_CASE(an_answer_of_a_notebook_of_many_variables_is_still_told_the_failure_that_left_it_undefined) {
  // The record saying why an answer is not defined lists the notebook's variables; with 150 of
  // them it was cut at the record's size, its JSON no longer parsed, and the student was told
  // "assign it in your notebook" instead of the line that failed. And the names that fit are
  // those a "did you mean" can offer: `a1`, the last of them, for `A1`.
  std::string notebook = "import numpy as np\n";
  for (int i = 0; i < 150; ++i) notebook += "some_long_variable_name_" + std::to_string(100 + i) + " = 1\n";
  notebook += "query121 = np.ones((1, 3)) @ not_a_thing\na1 = np.eye(3)\n";
  const auto r = run("A2S1.py", notebook, {{"query121", "query121", ""}, {"A1", "A1", ""}});
  BOOST_TEST(verdict(r.values[0]) == "missing");
  BOOST_TEST(contains(r.values[0].message, "line 152: NameError: name 'not_a_thing' is not defined"),
             r.values[0].message);
  BOOST_TEST(contains(r.values[1].message, "did you mean 'a1'?"), r.values[1].message);
}

BOOST_AUTO_TEST_CASE(threads_logging_plots_and_seeding_work_in_a_child_forked_without_pythons_fork_handlers) {
  // The zygote forks with fork(2), not os.fork() (python_entry.cpp): what Python's after-fork
  // handlers would have set up must still work, and each child seeds `random` from its plan.
  const std::string notebook =
      "import logging, random, threading\n"
      "import matplotlib.pyplot as plt\n"
      "box = []\n"
      "t = threading.Thread(target=lambda: box.append(threading.current_thread() is not threading.main_thread()))\n"
      "t.start(); t.join()\n"
      "logging.getLogger('nb').warning('logged')\n"
      "plt.plot([1, 2]); plt.title('a title needs a font'); plt.savefig('plot.png')\n"
      "works = [float(box == [True] and threading.current_thread() is threading.main_thread())]\n"
      "drawn = random.random()\n";
  const std::vector<Request> requests = {{"works", "works", ""}, {"drawn", "drawn", ""}};
  const auto with_seed = [&](std::uint64_t seed) {
    return python::run(HandIn{"A2S1.py", notebook, {}}, python::Work{requests, {}, {}}, seed, {});
  };
  const auto one = with_seed(1), again = with_seed(1), other = with_seed(2);
  BOOST_REQUIRE_EQUAL(one.values.size(), 2u);
  BOOST_TEST(verdict(one.values[0]) == "value", one.values[0].message + "\n" + one.output);
  if (one.values[0].value) BOOST_TEST(one.values[0].value->values()[0] == 1.0, one.output);
  BOOST_TEST(contains(one.output, "logged"), one.output);
  BOOST_TEST(one.failures.empty(), one.output);
  BOOST_REQUIRE(one.values[1].value && again.values[1].value && other.values[1].value);
  BOOST_TEST(one.values[1].value->values()[0] == again.values[1].value->values()[0]);
  BOOST_TEST(one.values[1].value->values()[0] != other.values[1].value->values()[0]);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(forms)

const char* kColab = R"(# -*- coding: utf-8 -*-
"""A2S1.ipynb

Automatically generated by Colab.
"""

from google.colab import drive
drive.mount('/content/drive')

# Commented out IPython magic to ensure Python compatibility.
# %matplotlib inline
import torch
torch.manual_seed(447)
key = torch.randn(4, 3)

"""## 1.2. Selection via Attention"""

# TODO:
query121 = 1e5 * key[0].unsqueeze(0)
print(query121)

"""## 1.3. Averaging"""

# TODO:
query131 =

"""## 1.4. Interactions within Attention

A key that averages the first three value vectors, then one that returns the third.
"""

# Define a replacement ... averages the first three value vectors.
m_key = key.clone()
# TODO:
m_key[2] = torch.tensor([1.0, 2.0, 3.0])

# Define a replacement ... returns the third value vector v[2].
m_key = key.clone()
# TODO:
m_key[2] = torch.tensor([4.0, 5.0, 6.0])
m_key[2] /= m_key[2].norm()
!pip install nothing
%time print("a magic left in by hand")
)";

BOOST_AUTO_TEST_CASE(a_colab_download_runs_statement_by_statement_with_snapshots) {
  const auto r = run("A2S1.py", kColab,
                     {{"query121", "query121", ""},
                      {"query131", "query131", ""},
                      {"m_key2_a", "m_key[2]", "averages the first three value vectors"},
                      {"m_key2_b", "m_key[2]", "returns the third value vector v[2]"}});
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(verdict(r.values[1]) == "missing");
  BOOST_TEST(contains(r.values[1].message, "line 25: SyntaxError"), r.values[1].message);
  // The markdown text that says it too is not the cell.
  BOOST_REQUIRE(r.values[2].value.has_value());
  BOOST_TEST((*r.values[2].value)[2] == 3.0);  // 1.4.1's m_key, although 1.4.2 reassigned it
  BOOST_REQUIRE(r.values[3].value.has_value());
  BOOST_TEST((*r.values[3].value)[0] == 4.0 / std::sqrt(77.0), boost::test_tools::tolerance(1e-6));
  BOOST_TEST(contains(r.output, "tensor([["), r.output);
  // Magics left in by hand are harmless: the unfinished line is the only syntax error.
  std::size_t syntax_errors = 0;
  for (const auto& f : r.failures) syntax_errors += contains(f.message, "SyntaxError");
  BOOST_TEST(syntax_errors == 1u);
}

const char* kJupyter = R"(#!/usr/bin/env python
# coding: utf-8

# # 1. Understanding Attention

# In[1]:


import torch
get_ipython().run_line_magic('matplotlib', 'inline')
get_ipython().system('pip install nothing')


# In[2]:


query121 = torch.ones(1, 3)
assert query121.sum() == 4, "the test cell fails"


# ## 1.2.2 The identity
# 
# Exercise 1.2.2: the identity matrix.

# In[3]:


# Exercise 1.2.2: the identity matrix.
query122 = torch.eye(3)


# In[ ]:


query131 = torch.zeros(1, 3, dtype=torch.float64)
raise NotImplementedError()
)";

BOOST_AUTO_TEST_CASE(a_jupyter_export_runs_cell_by_cell_and_one_failure_ends_only_its_cell) {
  const auto r = run("A2S1.py", kJupyter,
                     {{"query121", "query121", ""},
                      {"query122", "query122", "Exercise 1.2.2"},  // also in the markdown above its cell
                      {"query131", "query131", ""}});
  for (const auto& v : r.values) BOOST_TEST(verdict(v) == "value", v.message);
  BOOST_TEST(r.values[2].dtype == "float64");
  BOOST_REQUIRE_EQUAL(r.failures.size(), 2u);
  BOOST_TEST(contains(r.failures[0].message, "line 18: AssertionError: the test cell fails"), r.failures[0].message);
  BOOST_TEST(contains(r.failures[1].message, "NotImplementedError"), r.failures[1].message);
}

BOOST_AUTO_TEST_CASE(an_answer_whose_instruction_was_deleted_is_taken_at_its_test_line_in_every_form) {
  // Found by a TA helper: a correct notebook whose instruction comments were deleted lost the
  // two answers taken at them, both of the variable `m`. Its test lines stand for them; in a
  // Colab download, whose cells have no marked end, the first is taken at its test even where
  // its instruction is kept and the next one's is gone (it took the next exercise's `m`).
  const std::string helpers = "import numpy as np\ndef check(m, want):\n    assert m[0] == want\n";
  const std::vector<Request> asked{{"first", "m", "the first value", "", "check(m, 1)"},
                                   {"second", "m", "the second value", "", "check(m, 2)"}};
  const auto ipynb = [](const std::vector<std::string>& cells) {
    nlohmann::json nb = {{"nbformat", 4}, {"nbformat_minor", 5}, {"metadata", nlohmann::json::object()}};
    for (const auto& source : cells)
      nb["cells"].push_back({{"cell_type", "code"},
                             {"metadata", nlohmann::json::object()},
                             {"outputs", nlohmann::json::array()},
                             {"source", source},
                             {"execution_count", nullptr}});
    return nb.dump();
  };
  const std::string one = "m = np.array([1.0])\ncheck(m, 1)\n", two = "m = np.array([2.0])\ncheck(m, 2)\n";
  const std::vector<std::pair<std::string, std::string>> forms{
      {"A2S1.py", helpers + one + two},                                 // Colab, both deleted
      {"A2S1.py", helpers + "# the first value\n" + one + "\n" + two},  // Colab, the second's deleted
      {"A2S1.py", "# In[1]:\n\n" + helpers + "\n# In[2]:\n\n" + one + "\n# In[3]:\n\n" + two},  // Jupyter
      {"A2S1.ipynb", ipynb({helpers, one, two})},
  };
  for (std::size_t f = 0; f < forms.size(); ++f) {
    BOOST_TEST_CONTEXT("form " << f) {
      const auto r = run(forms[f].first, forms[f].second, asked);
      BOOST_REQUIRE_EQUAL(r.values.size(), 2u);
      for (std::size_t i = 0; i < 2; ++i) {
        BOOST_TEST(verdict(r.values[i]) == "value", r.values[i].message);
        if (r.values[i].value) BOOST_TEST(r.values[i].value->values()[0] == double(i + 1));
        // Where taken, for the grader's note: at the test line where no cell holds the text.
        BOOST_TEST(r.values[i].at_test == (f != 1 || i == 1));
      }
    }
  }
  // Neither there: both named, and what to do.
  const auto gone = run("A2S1.py", helpers + "m = np.array([1.0])\n", asked);
  BOOST_TEST(verdict(gone.values[1]) == "missing");
  BOOST_TEST(contains(gone.values[1].message,
                      "holds the text 'the second value', nor the line 'check(m, 2)' that tests this answer: the "
                      "answer is taken at the end of the cell with that instruction, or where that line runs, so "
                      "keep one of them as the notebook gives it"),
             gone.values[1].message);
}

BOOST_AUTO_TEST_CASE(an_unfinished_line_and_a_lost_instruction_say_what_to_do_in_every_form) {
  // Found by a helper: a Colab download's SyntaxError said "(the line is unfinished or
  // mistyped)", a Jupyter export's or a notebook's did not; an edited instruction comment cost
  // the answer without saying to put it back.
  const std::string jupyter =
      "import torch\n\n# In[ ]:\n\n# Exercise 1: the ones\nones =\n\n"
      "# In[ ]:\n\n# Exercise 2: zeroes (edited)\nzeros = torch.zeros(2)\n";  // another word: no retyping
  const auto r = run("A2S1.py", jupyter, {{"ones", "ones", ""}, {"zeros", "zeros", "Exercise 2: the zeros"}});
  BOOST_TEST(verdict(r.values[0]) == "missing");
  BOOST_TEST(contains(r.values[0].message, "line 6: SyntaxError: invalid syntax (the line is unfinished or mistyped)"),
             r.values[0].message);
  // Said first, and alone: "'zeros' is not defined" was untrue of the student's notebook.
  BOOST_TEST(r.values[1].message ==
                 "'zeros' cannot be taken: no line of code (markdown text is not searched) holds the text "
                 "'Exercise 2: the zeros': this answer is taken at the end of the cell "
                 "with that instruction, so keep its line as the notebook gives it",
             r.values[1].message);
  // Found by a student helper: a tab among spaces, and a misplaced `global`, are no unfinished
  // line; in a Jupyter export and in a Colab download alike.
  for (const std::string& form : {std::string("# In[ ]:\n\n"), std::string()}) {
    const auto tab = run("A2S1.py", form + "def f(x):\n    y = x\n\treturn y\nones = f(1.0)\n", {{"ones", "ones", ""}});
    BOOST_REQUIRE(!tab.failures.empty());
    BOOST_TEST(contains(tab.failures[0].message,
                        "TabError: inconsistent use of tabs and spaces in indentation (a tab among spaces in the "
                        "indentation: indent with spaces only)"),
               tab.failures[0].message);
    const auto global =
        run("A2S1.py", form + "def f():\n    ones = 1.0\n    global ones\nf()\n", {{"ones", "ones", ""}});
    BOOST_REQUIRE(!global.failures.empty());
    BOOST_TEST(contains(global.failures[0].message, "name 'ones' is assigned to before global declaration"),
               global.failures[0].message);
    BOOST_TEST(!contains(global.failures[0].message, "unfinished"), global.failures[0].message);
  }
}

BOOST_AUTO_TEST_CASE(an_answer_after_a_line_of_the_handout_is_found_where_the_student_retyped_it) {
  // Found by a student helper: `keys = compute_keys(vs, ws)` for the handout's `keys =
  // compute_keys([v_1, v_2, v_3], [W_k1, W_k2, W_k3])` was "no line of code holds the text".
  const std::string jupyter =
      "import numpy as np\ndef compute(vs, ws):\n    return np.array(vs) * np.array(ws)\n\n# In[ ]:\n\n"
      "a, b = [1.0, 2.0], [3.0, 4.0]\nkeys = compute(a, b)  # mine\nout = b[0] * a[0]\n\n# In[ ]:\n\n"
      "keys = 0 * keys\nout = -1.0\nother = compute([1.0], [1.0])\n";
  const auto r = run("lab.py", jupyter,
                     {{"keys", "keys", "keys = compute([1.0, 2.0], [3.0, 4.0])"},
                      {"out", "out", "out = a[0] * b[0]"},
                      {"other", "other", "other = np.ones(1)"}});
  BOOST_REQUIRE(r.values[0].value.has_value());
  BOOST_TEST(r.values[0].value->values()[1] == 8.0);  // the first cell's, not the second's zeros
  BOOST_REQUIRE(r.values[1].value.has_value());
  BOOST_TEST(r.values[1].value->values()[0] == 3.0);  // the same names in another order
  // Another function called: not the same line.
  BOOST_TEST(verdict(r.values[2]) == "missing");
  BOOST_TEST(contains(r.values[2].message, "holds the text 'other = np.ones(1)'"), r.values[2].message);
}

BOOST_AUTO_TEST_CASE(an_answer_a_failed_cell_left_undefined_names_that_failure) {
  // Found by a helper writing a course: a cell that failed before `a, weights = f(...)` said
  // "'weights' is not defined: assign it in your notebook", as if it never was; and an nbgrader
  // stub, which assigns nothing, was not named.
  const std::string jupyter =
      "import torch\n\n# In[ ]:\n\nbig = torch.ones(2)[5]\nout, weights = torch.ones(1, 2), torch.ones(1, 2)\n"
      "for step in range(2):\n    pass\n\n"
      "# In[ ]:\n\n# YOUR CODE HERE\nraise NotImplementedError()\n";
  const auto r = run("A2S1.py", jupyter, {{"weights", "weights", ""}, {"step", "step", ""}, {"heads", "heads", ""}});
  BOOST_TEST(verdict(r.values[0]) == "missing");
  BOOST_TEST(contains(r.values[0].message, "not defined at the end of your notebook: line 5: IndexError"),
             r.values[0].message);
  BOOST_TEST(contains(r.values[1].message, "line 5: IndexError"), r.values[1].message);  // a for loop's name
  BOOST_TEST(r.values[2].message == "'heads' is not defined at the end of your notebook: assign it in your notebook "
                                    "(line 13 still raises NotImplementedError: an exercise left to do?)",
             r.values[2].message);
  // A cell whose first line holds ": " is named whole (found by an instructor helper: the
  // place was cut there, `cell 2 ("# Step 3: exercises left to do?)`).
  const std::string notebook = R"j({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": "x = 1"},
    {"cell_type": "code", "metadata": {}, "source": "# Step 3: weights\n# YOUR CODE HERE\nraise NotImplementedError()"}]})j";
  const auto n = run("hw.ipynb", notebook, {{"weights", "weights", ""}});
  BOOST_TEST(contains(n.values[0].message,
                      "(cell 2 (\"# Step 3: weights\"), line 3 still raises NotImplementedError: "
                      "an exercise left to do?)"),
             n.values[0].message);
  // The placeholder None of a notebook handed out, before its stub: the stub of its own cell
  // is named, not a cell that calls a function still to do, nor one that quotes that failure
  // (found by an instructor helper: "'mask5' is a NoneType, not numbers: make it a
  // torch.Tensor" in a NumPy course, the stub in a note only).
  const std::string handed_out = R"j({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": "import numpy as np\ndef f(x):\n    raise NotImplementedError()"},
    {"cell_type": "code", "metadata": {}, "source": "out = f(1)"},
    {"cell_type": "code", "metadata": {}, "source": "# Exercise B\nmask = None\n# YOUR CODE HERE\nraise NotImplementedError()"},
    {"cell_type": "code", "metadata": {}, "source": "later = out + 1"},
    {"cell_type": "code", "metadata": {}, "source": "text = 'a mask'"}]})j";
  const auto h = run("hw.ipynb", handed_out, {{"mask", "mask", ""}, {"text", "text", ""}});
  BOOST_TEST(h.values[0].message ==
                 "'mask' is None, not numbers: give it its value (cell 3 (\"# Exercise B\"), line 4 "
                 "still raises NotImplementedError: an exercise left to do?)",
             h.values[0].message);
  BOOST_TEST(h.values[1].message == "'text' is a str, not numbers: make it a numpy array or a list of numbers",
             h.values[1].message);
  // A placeholder whose own cell holds no stub is named where it is left, not by another
  // exercise's stub (found by an instructor helper: exercise 2's stub, reached from its test
  // cell, was named for exercise 1's `masked_weights = None`).
  const std::string left = R"j({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": "mask = None  # YOUR CODE HERE"},
    {"cell_type": "code", "metadata": {}, "source": "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"},
    {"cell_type": "code", "metadata": {}, "source": "out = f(1)"}]})j";
  const auto l = run("hw.ipynb", left, {{"mask", "mask", ""}});
  BOOST_TEST(
      l.values[0].message ==
          "'mask' is None, not numbers: give it its value (cell 1 (\"mask = None  # YOUR CODE HERE\") assigns it "
          "None: an exercise left to do?)",
      l.values[0].message);
  // A first line that holds quotes, as a print does (found by a student helper: that cell was
  // not named).
  const std::string printed = R"j({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": "print(\"1.3.1\")\nquery131 = None"}]})j";
  const auto q = run("hw.ipynb", printed, {{"query131", "query131", ""}});
  BOOST_TEST(q.values[0].message ==
                 "'query131' is None, not numbers: give it its value (cell 1 (\"print(\"1.3.1\")\") assigns it "
                 "None: an exercise left to do?)",
             q.values[0].message);
}

BOOST_AUTO_TEST_CASE(an_answer_taken_at_its_cell_is_explained_by_that_cell_never_a_later_one) {
  // Found by a helper writing a course: the answer's own cell still an nbgrader stub, the
  // student was told of the NameError of the next cell, which reads the variable; without a
  // next cell, to declare `global scores` in the function that has a local of that name.
  const std::string stub = "# Exercise 3: scaled scores\n# YOUR CODE HERE\nraise NotImplementedError()\n";
  const std::string jupyter = "import numpy as np\ndef f(Q):\n    scores = Q @ Q.T\n    return scores\n\n# In[ ]:\n\n" +
                              stub + "\n# In[ ]:\n\n# now mask them\nscores = np.tril(scores)\n";
  const Request scores{"scores", "scores", "Exercise 3: scaled scores"};
  for (const auto& [form, source] : std::vector<std::pair<std::string, std::string>>{
           {"a Jupyter export", jupyter},
           {"its cell alone", jupyter.substr(0, jupyter.find("\n# In[ ]:\n\n# now"))},
           {"a Colab download", "import numpy as np\ndef f(Q):\n    scores = Q @ Q.T\n    return scores\n\n" + stub +
                                    "\n# now mask them\nscores = np.tril(scores)\n"}}) {
    BOOST_TEST_CONTEXT(form) {
      const auto r = run("A2S1.py", source, {scores});
      BOOST_TEST(verdict(r.values[0]) == "missing");
      BOOST_TEST(contains(r.values[0].message, "NotImplementedError"), r.values[0].message);
      BOOST_TEST(!contains(r.values[0].message, "NameError"), r.values[0].message);
      BOOST_TEST(!contains(r.values[0].message, "global"), r.values[0].message);
    }
  }
}

BOOST_AUTO_TEST_CASE(old_code_in_quotes_inside_a_colab_cell_does_not_end_it) {
  // Found by a hostile-student helper: a first attempt "commented out" with triple quotes in the
  // middle of exercise A's cell was taken for a markdown cell, and A's answer was taken before
  // the student's last line. A real markdown heading still ends a cell: B is taken before the
  // section after it reassigns m_key.
  const std::string script =
      "import torch\nkey = torch.eye(3)\n\"\"\"## 1.4 Interactions\"\"\"\n\n"
      "# Exercise A: replace key[2]\nm_key = key.clone()\n"
      "\"\"\"\nfirst attempt, kept for reference:\nm_key[2] = key[0]\n\"\"\"\n"
      "m_key[2] = key[0] + key[1]\n\n"
      "# Exercise B: scale key[0]\nm_key = key.clone()\nm_key[2] = key[0] * 5\n\n"
      "\"\"\"## 1.5 The next section\n\nm_key is reused below, try:\n\n    m_key[2] = key[1]\n\"\"\"\n\n"
      "m_key = key * 0\nm_key[2] = key[1]\n"
      // A line nested too deeply for Python's parser, in quotes inside A's cell (found by the
      // re-attack: its RecursionError ended grading with exit 2, the grader's fault).
      "\"\"\"x = " +
      [] {
        std::string deep;
        for (int i = 0; i < 5000; ++i) deep += "1+";
        return deep;
      }() +
      "1\"\"\"\n";
  const auto r = run("A2S1.py", script,
                     {{"a", "m_key[2]", "Exercise A: replace key[2]"}, {"b", "m_key[2]", "Exercise B: scale key[0]"}});
  BOOST_REQUIRE(r.values[0].value.has_value());
  BOOST_REQUIRE(r.values[1].value.has_value());
  BOOST_TEST((*r.values[0].value)[0] == 1.0);  // key[0] + key[1] = [1, 1, 0]
  BOOST_TEST((*r.values[0].value)[1] == 1.0);
  BOOST_TEST((*r.values[1].value)[0] == 5.0);  // not the section after the heading's zeros
}

BOOST_AUTO_TEST_CASE(a_script_made_a_program_is_graded_as_its_top_level_or_told_why_not) {
  // A notebook downloaded as .py and tidied into a program: under `if __name__ == "__main__":`
  // it ran as one statement, so a failing line ended the rest and both exercises' snapshots
  // were taken at its end (A got B's m_key); inside `def main()` its variables are main's, and
  // the message said "assign it in your notebook", which the student had done.
  const std::string guarded =
      "import torch\n\nif \"__main__\" == __name__:\n    key = torch.eye(3)\n"
      "    # Exercise A: replace key[2]\n    m_key = key.clone()\n    m_key[2] = key[0] + key[1]\n"
      "    \"\"\"## Next\"\"\"\n    # Exercise B: scale key[0]\n    m_key = key.clone()\n"
      "    m_key[2] = key[0] * 5\n    broken = key[7]\n    after = key[0]\n";
  const auto r = run("A2S1.py", guarded,
                     {{"a", "m_key[2]", "Exercise A: replace key[2]"},
                      {"b", "m_key[2]", "Exercise B: scale key[0]"},
                      {"after", "after", ""}});
  for (const auto& v : r.values) BOOST_TEST(verdict(v) == "value", v.message);
  if (r.values[0].value) BOOST_TEST((*r.values[0].value)[1] == 1.0);  // key[0] + key[1] = [1, 1, 0]
  if (r.values[1].value) BOOST_TEST((*r.values[1].value)[0] == 5.0);
  BOOST_REQUIRE_EQUAL(r.failures.size(), 1u);
  BOOST_TEST(contains(r.failures[0].message, "line 12: IndexError"), r.failures[0].message);

  const std::string program =
      "import torch\n\ndef main():\n    query131 = torch.ones(1, 3)\n    print(query131)\n\n"
      "if __name__ == '__main__':\n    main()\n";
  const auto p = run("A2S1.py", program, {{"query131", "query131", ""}});
  BOOST_TEST(verdict(p.values[0]) == "missing");
  BOOST_TEST(p.values[0].message ==
                 "'query131' is not defined at the end of your notebook: query131 is assigned only inside main(), "
                 "where it belongs to that function; answers are your notebook's top-level variables: assign it "
                 "outside any function, or declare `global query131` in main()",
             p.values[0].message);

  // An answer the student commented out (left for later, or while trying another): where.
  const std::string ipynb = R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "markdown", "metadata": {}, "source": ["# 1.3.1"]},
    {"cell_type": "code", "metadata": {}, "source": ["import torch\n", "#  query131, other = torch.ones(1, 3), 1\n", "unlike = 1\n"]}
  ]})";
  const auto c = run("A2S1.ipynb", ipynb, {{"query131", "query131", ""}});
  BOOST_TEST(verdict(c.values[0]) == "missing");
  BOOST_TEST(c.values[0].message ==
                 "'query131' is not defined at the end of your notebook: query131 is assigned only in a line "
                 "commented out, cell 2, line 2: `#  query131, other = torch.ones(1, 3), 1`",
             c.values[0].message);
  // Not prose that reads like code, a markdown string's line, a comparison; and a name alike
  // that holds a value comes first (found by a helper: `# query131 = None  # TODO`, the
  // template's, was offered over a misspelt `querry131`). A hostile line of a million bytes
  // is not read (a pattern took 10 s over 300 KB, and the grader blamed the notebook's time).
  const std::string script = "import torch\n# query131 = the mean of the values, see above\n"
                             "\"\"\"\n# query131 = torch.ones(1, 3)\n\"\"\"\n# query131 == 1\n"
                             "# print(torch.allclose(torch.ones(3), query131, atol=1e-3))\n# " +
                             std::string(1 << 20, 'q') + " query131 = 1\n" + "x = 1\n";
  const auto prose = run("A2S1.py", script, {{"query131", "query131", ""}});
  BOOST_TEST(prose.values[0].message == "'query131' is not defined at the end of your notebook: assign it in your "
                                        "notebook",
             prose.values[0].message);
  // A Jupyter download writes a markdown cell as comments after the code of the cell before.
  const auto markdown = run("A2S1.py",
                            "# In[1]:\n\n\nimport torch\nx = 1\n\n\n# Example:\n# query131 = torch.zeros(1, 3)\n\n"
                            "# In[2]:\n\n\ny = 2\n",
                            {{"query131", "query131", ""}});
  BOOST_TEST(markdown.values[0].message == "'query131' is not defined at the end of your notebook: assign it in your "
                                           "notebook",
             markdown.values[0].message);
  const auto annotated = run("A2S1.py", "x = 1\n# query131: list = [1.0]\n", {{"query131", "query131", ""}});
  BOOST_TEST(contains(annotated.values[0].message, "commented out, line 2: `# query131: list = [1.0]`"),
             annotated.values[0].message);
  const auto alike = run("A2S1.py", "# query131 = None  # TODO\nquerry131 = [1.0]\n", {{"query131", "query131", ""}});
  BOOST_TEST(alike.values[0].message == "'query131' is not defined at the end of your notebook: assign it in your "
                                        "notebook; did you mean 'querry131'?",
             alike.values[0].message);
}

BOOST_AUTO_TEST_CASE(a_failed_import_is_named_where_what_it_imports_is_used) {
  // A Colab notebook that imports seaborn in its first cell: the cell failed there, so F was
  // never imported, and every later use said only "NameError: name 'F' is not defined".
  const std::string jupyter =
      "# In[1]:\n\nimport torch\nimport tensorflow as sns\nimport torch.nn.functional as F\n\n"
      "# In[2]:\n\nweights = F.softmax(torch.ones(1, 3), dim=-1)\n";
  const auto r = run("A2S1.py", jupyter, {{"weights", "weights", ""}});
  BOOST_REQUIRE_EQUAL(r.failures.size(), 2u);
  BOOST_TEST(r.failures[0].message ==
                 "line 4: ModuleNotFoundError: No module named 'tensorflow' (it is not installed where "
                 "notebooks are graded, and a notebook is graded alone: use numpy, torch, matplotlib or Python's "
                 "standard library)",
             r.failures[0].message);
  BOOST_TEST(
      contains(r.failures[1].message,
               "line 9: NameError: name 'F' is not defined; F is defined by the cell at line 1, which failed before"),
      r.failures[1].message);
  BOOST_TEST(contains(r.values[0].message, "F is defined by the cell at line 1, which failed before"),
             r.values[0].message);
}

BOOST_AUTO_TEST_CASE(a_function_whose_cell_does_not_parse_is_named_where_it_is_used) {
  // Found by a helper playing a student: a cell left mid-edit with a syntax error defined the
  // function; its later uses said only "name 'attend' is not defined".
  const std::string jupyter =
      "# In[1]:\n\nimport torch\ndef attend(x):\n    return torch.softmax(x,\n\n"
      "# In[2]:\n\nweights = attend(torch.ones(3))\n";
  const auto r = run("A2S1.py", jupyter, {{"weights", "weights", ""}});
  BOOST_TEST(contains(r.values[0].message,
                      "NameError: name 'attend' is not defined; attend is defined by the cell at line 1, which "
                      "failed before"),
             r.values[0].message);
  // A Colab download: its statement that does not parse.
  const auto colab =
      run("A2S1.py", "import torch\ndef attend(x):\n    return torch.softmax(x,\n\nweights = attend(torch.ones(3))\n",
          {{"weights", "weights", ""}});
  BOOST_TEST(contains(colab.values[0].message, "attend is defined by line 2, which failed before"),
             colab.values[0].message);
}

BOOST_AUTO_TEST_CASE(a_name_no_cell_defines_is_tied_to_the_stub_before_it_that_names_it) {
  // Found by an instructor helper: a step left as nbgrader's stub defines nothing, and the next
  // step's "name 'weights' is not defined" named only the cell that used it.
  const std::string stub = "# In[1]:\n\nimport torch\nscores = torch.ones(2, 2)\n\n# In[2]:\n\n# Step 3: weights\n"
                           "raise NotImplementedError()\n\n";
  const auto r = run("A2S1.py", stub + "# In[3]:\n\noutput = weights @ scores\n", {{"output", "output", ""}});
  BOOST_REQUIRE_EQUAL(r.failures.size(), 2u);
  const std::string told =
      "NameError: name 'weights' is not defined; no cell defines weights, and the cell at line 6, which names it, "
      "still raises NotImplementedError: is it the one to?";
  BOOST_TEST(contains(r.failures[1].message, told), r.failures[1].message);
  BOOST_TEST(contains(r.values[0].message, told), r.values[0].message);
  // Found by a student helper: any stub before was blamed, for a typo, for a name a later cell
  // binds, for a name a cell bound and deleted. A stub that does not name it, or a name some
  // cell binds, gets the NameError alone.
  for (const std::string& rest :
       {std::string("# In[3]:\n\noutput = wieghts @ scores\n"),
        std::string("# In[3]:\n\noutput = weights @ scores\n\n# In[4]:\n\nweights = scores\n"),
        std::string("# In[3]:\n\nweights = 1\ndel weights\n\n# In[4]:\n\noutput = weights @ scores\n")}) {
    const auto plain = run("A2S1.py", stub + rest, {{"output", "output", ""}});
    BOOST_TEST_REQUIRE(!plain.failures.empty());
    BOOST_TEST(contains(plain.failures.back().message, "is not defined"), plain.failures.back().message);
    BOOST_TEST(!contains(plain.failures.back().message, "NotImplementedError: is it"), plain.failures.back().message);
  }
}

BOOST_AUTO_TEST_CASE(a_name_error_says_the_name_meant_the_import_left_out_or_the_cell_run_too_late) {
  // Python 3.11, which grades, says only "name 'kye' is not defined" (3.12 suggests a name).
  const std::string jupyter =
      "# In[1]:\n\nimport torch\nkey = torch.ones(3)\n\n# In[2]:\n\nquery = 2 * kye\n\n"
      "# In[3]:\n\nmean = np.mean([1.0, 2.0])\n\n# In[4]:\n\nscaled = S * key\n\n# In[5]:\n\nS = 2.0\n";
  const auto r = run("A2S1.py", jupyter, {{"query", "query", ""}, {"mean", "mean", ""}, {"scaled", "scaled", ""}});
  BOOST_TEST(contains(r.values[0].message, "line 8: NameError: name 'kye' is not defined; did you mean 'key'?"),
             r.values[0].message);
  BOOST_TEST(contains(r.values[1].message,
                      "NameError: name 'np' is not defined (is `import numpy as np` missing? A notebook is graded "
                      "from its first cell)"),
             r.values[1].message);
  BOOST_TEST(contains(r.values[2].message,
                      "NameError: name 'S' is not defined; S is defined only later, by the cell at line 18: a "
                      "notebook is graded from top to bottom, as Restart & Run All runs it"),
             r.values[2].message);
  // The module imported under a name of another case is named first (found by a student helper:
  // `import torch.nn.functional as f`, then `F.softmax`, was asked whether the import was missing).
  const auto cased =
      run("A2S1.py", "import torch\nimport torch.nn.functional as f\nw = F.softmax(torch.ones(2), dim=0)\n",
          {{"w", "w", ""}});
  BOOST_TEST(contains(cased.values[0].message,
                      "NameError: name 'F' is not defined (did you mean 'f'? Or is `import torch.nn.functional as F` "
                      "missing?)"),
             cased.values[0].message);
  // A name none alike is offered nothing: `any` is not a typo of `key` (found by a student
  // helper, whose setup cell had become a markdown cell).
  const auto unset = run("A2S1.py", "import torch\nquery = 2 * key\n", {{"query", "query", ""}});
  BOOST_TEST(contains(unset.values[0].message, "NameError: name 'key' is not defined"), unset.values[0].message);
  BOOST_TEST(!contains(unset.values[0].message, "did you mean"), unset.values[0].message);
  // Nor is a name of one letter another one-letter name (found by a student helper: `print(x)`
  // was asked "did you mean 'F'?"); one of another case is (above).
  const auto letter = run("A2S1.py", "import torch\nimport torch.nn.functional as F\nz = x\n", {{"z", "z", ""}});
  BOOST_TEST(contains(letter.values[0].message, "NameError: name 'x' is not defined"), letter.values[0].message);
  BOOST_TEST(!contains(letter.values[0].message, "did you mean"), letter.values[0].message);
  // input(): nobody types where notebooks are graded (found by a student helper).
  const auto typed = run("A2S1.py", "S = float(input('scale S = '))\n", {{"S", "S", ""}});
  BOOST_TEST(contains(typed.values[0].message,
                      "EOFError: EOF when reading a line (input() gets no answer where notebooks are graded, as "
                      "nobody types there: write the value into your code)"),
             typed.values[0].message);
  // An answer that is a row of a variable names the variable (found by a student helper:
  // "'m_key[2]' is not defined" read as a name); and an earlier failure's own hint stays.
  const auto row = run("A2S1.py", "x = torch.ones(2)\n", {{"m_key2", "m_key[2]", ""}});
  BOOST_TEST(contains(row.values[0].message,
                      "'m_key' is not defined at the end of your notebook (this answer is m_key[2])"),
             row.values[0].message);
  const auto chained = run("A2S1.py", "key = torch.ones(2)\nk = key\n", {{"k", "k", ""}});
  BOOST_TEST(contains(chained.values[0].message,
                      "key is defined by line 1, which failed before: NameError: name 'torch' is not defined (is "
                      "`import torch` missing?"),
             chained.values[0].message);
  // A NameError whose name is no plain str (its __hash__ may be anything: a hostile helper's
  // raised SystemExit in the runner) names nothing, and the notebook goes on.
  const auto odd = run("A2S1.py",
                       "class Evil:\n    def __hash__(self):\n        raise SystemExit(3)\n"
                       "    def __eq__(self, other):\n        raise SystemExit(4)\n"
                       "e = NameError('name x is not defined')\ne.name = Evil()\nraise e\nafter = [1.0]\n",
                       {{"after", "after", ""}});
  BOOST_REQUIRE(!odd.failures.empty());
  BOOST_TEST(contains(odd.failures.back().message, "NameError: name x is not defined"), odd.failures.back().message);
  BOOST_TEST(verdict(odd.values[0]) == "value", odd.values[0].message);
  // A name no cell binds and none resembles: the error alone.
  const auto plain = run("A2S1.py", "import torch\nx = torch.ones(2) * zzz_unknown\n", {{"x", "x", ""}});
  BOOST_TEST(contains(plain.values[0].message, "name 'zzz_unknown' is not defined"), plain.values[0].message);
  BOOST_TEST(!contains(plain.values[0].message, "did you mean"), plain.values[0].message);
  BOOST_TEST(!contains(plain.values[0].message, "later"), plain.values[0].message);
}

BOOST_AUTO_TEST_CASE(a_notebook_failing_at_every_line_costs_the_grader_one_look_at_each) {
  // Naming the earlier failure behind each NameError first searched every part of the file
  // again at each failure: 1 500 failing lines took 51 s, so some thousands would have run
  // out the notebook's own time, the grader's fault charged to the student.
  std::string script = "import torch\nfrom not_a_module_anywhere import F\n";
  for (int i = 0; i < 4000; ++i) script += "x" + std::to_string(i) + " = F(" + std::to_string(i) + ")\n";
  script += "after = torch.ones(1)\n";
  const auto r = run("A2S1.py", script, {{"after", "after", ""}});
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_REQUIRE_GE(r.failures.size(), 2u);
  BOOST_TEST(contains(r.failures[1].message, "line 3: NameError: name 'F' is not defined; F is defined by line 2"),
             r.failures[1].message);
}

BOOST_AUTO_TEST_CASE(an_answer_never_assigned_is_told_what_its_exercise_asks) {
  // Found by a student helper: the handout's cell computes `F.softmax(attention_score.float(),
  // dim=0)` without naming it, and "'attention_weights' is not defined ...: assign it in your
  // notebook" left the student to guess what it should hold. Where a failed cell explains the
  // answer's absence, that is said instead.
  const auto r = run("lab.py", "import torch\nscores = torch.ones(3)\ntorch.softmax(scores, dim=0)\n",
                     {{"attention_weights", "attention_weights", "",
                       "exercise 3.3: F.softmax(attention_score.float(), "
                       "dim=0)"},
                      {"keys", "keys", "", "exercise 2.1: the keys"}});
  BOOST_TEST(r.values[0].message ==
                 "'attention_weights' is not defined at the end of your notebook: assign it in your notebook "
                 "(exercise 3.3: F.softmax(attention_score.float(), dim=0))",
             r.values[0].message);
  const auto failed = run("lab.py", "import torch\nkeys = torch.ones(3) @ torch.ones(2)\n",
                          {{"keys", "keys", "", "exercise 2.1: the keys"}});
  BOOST_TEST(contains(failed.values[0].message, "RuntimeError"), failed.values[0].message);
  BOOST_TEST(!contains(failed.values[0].message, "exercise 2.1"), failed.values[0].message);
}

BOOST_AUTO_TEST_CASE(what_a_notebook_says_of_itself_is_one_line_and_a_late_failure_is_still_named) {
  // Found by the re-attack: a type's name, an exception's text of several lines drew a score
  // table of their own in the report; and past the first 256 failures kept, a failed cell that
  // assigned an answer was no longer named ("assign it in your notebook").
  std::string script =
      "class Q: pass\nQ.__qualname__ = 'Q\\n\\nscore: 6 / 6  (6 of 6 exercises passed)'\nQ.__module__ = 'builtins'\n"
      "query121 = Q()\nsaved = open('my_run.pt')\n";
  for (int i = 0; i < 300; ++i) script += "print(saved)\n";
  script += "x = saved\n";
  const auto r = run("A2S1.py", script, {{"query121", "query121", ""}, {"x", "x", ""}});
  BOOST_TEST(verdict(r.values[0]) == "unreadable");
  BOOST_TEST(r.values[0].message.find('\n') == std::string::npos, r.values[0].message);
  BOOST_TEST(contains(r.values[0].message, "score: 6 / 6"), r.values[0].message);  // shown, on its line
  BOOST_TEST(contains(r.values[1].message, "line 306: NameError: name 'saved' is not defined"), r.values[1].message);
}

BOOST_AUTO_TEST_CASE(lines_are_counted_where_python_ends_them) {
  // Found by a hostile-student helper: a line separator (U+2028) pasted into a comment, or a
  // form feed in a Colab markdown string, split lines where Python does not, and one unfinished
  // line then cost the whole script its answers. Old Mac line ends (\r) are lines to Python.
  const std::string script = "# Homework 3\u2028(copied from the course page)\nimport torch\n"
                             "x = torch.ones(2)\n\"\"\"\nImplement\x0c this.\n\"\"\"\r"
                             "y = torch.ones(3)\r\nextra =\nz = torch.ones(4)\n";
  const auto r = run("A2S1.py", script, {{"x", "x", ""}, {"y", "y", ""}, {"z", "z", ""}});
  for (const auto& v : r.values) BOOST_TEST(verdict(v) == "value", v.message);
  BOOST_REQUIRE_EQUAL(r.failures.size(), 1u);
  BOOST_TEST(contains(r.failures[0].message, "line 8: SyntaxError"), r.failures[0].message);
}

BOOST_AUTO_TEST_CASE(magics_left_in_by_hand_are_found_in_one_pass_and_never_inside_a_string) {
  // Found by a hostile helper: each magic left in a .py cost one parse of the whole file, and a
  // long Colab download with 399 `!pip` lines among 16 000 statements took 73 s to read, which
  // the student was charged as running out of time. As IPython reads them, a line inside a
  // string or continuing an expression in brackets is no magic: it was made `pass`, in a cell
  // of a notebook too, and a template's value changed. From the next hostile helper: a shell
  // line's own bracket (`!echo :(`) hid every magic after it, and `%time x = f()` did not run
  // its statement (it does in IPython, and nbconvert's export of it too), and a cell holding
  // `files = !ls`, `here = %pwd`, `len?` or a shell line continued with a backslash failed whole.
  std::string script = "import numpy as np\n!echo :(\n";
  for (int i = 0; i < 399; ++i) {
    script += "!pip install package" + std::to_string(i) + "\n";
    for (int j = 0; j < 40; ++j) {
      const std::string n = std::to_string(j);
      script += "y" + std::to_string(i) + "_" + n + " = [" + n + ", " + n + " + 1, (" + n + " * 2)]\n";
    }
  }
  const std::string tail = "template = \"\"\"\n%d items\n!done\n\"\"\"\nodd = (3\n  % 2)\n%time last = y398_39\n";
  python::Limits limits;
  limits.budget_seconds = 20;
  const auto r = run("A2S1.py", script + tail, {{"kept", "[len(template), odd]", ""}, {"last", "last", ""}}, limits);
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(verdict(r.values[1]) == "value", r.values[1].message);
  const std::vector<double> kept = {16, 1};  // the template's length, 3 % 2
  if (r.values[0].value) BOOST_TEST(r.values[0].value->values() == kept, boost::test_tools::per_element());
  BOOST_TEST(r.failures.empty());
  // A notebook's cell alike.
  const std::string ipynb = R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": ["!echo :(\n", "%matplotlib inline\n", "template = \"\"\"\n", "%d items\n", "!done\n", "\"\"\"\n", "odd = (3\n", "  % 2)\n", "!pip install a \\\n", "    b\n", "files = !ls\n", "here = %pwd\n", "len?\n", "%time timed = 7\n"]}
  ]})";
  const auto n = run("homework.ipynb", ipynb, {{"kept", "[len(template), odd]", ""}, {"timed", "timed", ""}});
  BOOST_TEST(verdict(n.values[0]) == "value", n.values[0].message);
  if (n.values[0].value) BOOST_TEST(n.values[0].value->values() == kept, boost::test_tools::per_element());
  BOOST_TEST(verdict(n.values[1]) == "value", n.values[1].message);
  BOOST_TEST(n.failures.empty());
  // `%%capture cap` keeps its cell's output out and binds cap to it, as IPython does (found by a
  // student helper: "name 'cap' is not defined; did you mean 'map'?"), in a Jupyter and a Colab
  // download too; the cell after it prints again.
  const std::string captured = R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": ["%%capture cap\n", "print('hidden')\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["n = float(len(cap.stdout))\n", "print('shown')\n"]}
  ]})";
  for (const auto& [file, text] : std::vector<std::pair<std::string, std::string>>{
           {"homework.ipynb", captured},
           {"A2S1.py",
            "\n# In[1]:\n\nget_ipython().run_cell_magic('capture', 'cap', \"print('hidden')\\n\")\n\n\n"
            "# In[2]:\n\nn = float(len(cap.stdout))\nprint('shown')\n"},
           // A Colab download runs statement by statement: the cell's statements are captured together.
           {"A2S1.py",
            "import torch\n\n# Commented out IPython magic to ensure Python compatibility.\n# %%capture cap\n"
            "# print('hidden')\n# y = 1\n\nn = float(len(cap.stdout))\nprint('shown')\n"}}) {
    const auto c = run(file, text, {{"n", "n", ""}});
    BOOST_TEST(c.failures.empty(), file << ": " << (c.failures.empty() ? "" : c.failures[0].message));
    BOOST_REQUIRE(c.values[0].value);
    BOOST_TEST(c.values[0].value->values()[0] == 7.0);  // "hidden\n"
    BOOST_TEST(!contains(c.output, "hidden"), c.output);
    BOOST_TEST(contains(c.output, "shown"), c.output);
  }
  // A Jupyter download writes `%time` as a call of get_ipython().
  const auto j =
      run("A2S1.py", "\n# In[1]:\n\nget_ipython().run_line_magic('time', 'timed = 8')\n", {{"timed", "timed", ""}});
  BOOST_TEST(verdict(j.values[0]) == "value", j.values[0].message);
}

BOOST_AUTO_TEST_CASE(run_runs_a_file_of_the_folder_as_ipython_does) {
  // Left by the magics' hostile helper: `%run helpers.py` did nothing, so every name the file
  // defines was "not defined". As IPython runs it: in a namespace of its own, as `__main__`,
  // with sys.argv its arguments, whose names then join the notebook's (-i: in the notebook's
  // own); `.py` added when missing; an error in it printed with the file's own frames, its names
  // bound before the error kept, and the cell going on; a file not found stops the cell. From
  // the next helper: a file saved with a BOM, or calling get_ipython(), failed whole; a
  // KeyboardInterrupt it raised lost its names; `__file__` leaked into the notebook; a `.ipynb`
  // runs its cells in the notebook's own namespace (a function there reads the notebook's
  // names). And `%time` followed by a tab runs its statement, as with a space. From the
  // next session's note: a name the failing file would have bound, used later, was only "not
  // defined", and a bare `%run` did nothing.
  const std::string helpers =
      "\xEF\xBB\xBFimport sys\nimport numpy as np\nget_ipython().run_line_magic('matplotlib', 'inline')\n"
      "def ones():\n    return np.ones(2)\nmain = __name__\nargs = sys.argv[1:]\n";
  const std::string failing = "seen = base\nearly = 5.0\nraise ValueError('half done')\nlate = 6.0\n";
  const std::string interrupted = "bound = 9.0\nraise KeyboardInterrupt\n";
  const std::string cells = R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": ["%matplotlib inline\n", "def from_notebook():\n", "    return base + 7.0\n"]}
  ]})";
  const std::string script =
      "base = 1.0\n%run helpers.py 1 two\n%run -i failing\n%run interrupted.py\nafter = 7.0\nx = ones()\n"
      "%time\ty = 3\n%run nothing_here.py\n%run parts.ipynb\nnamed = from_notebook()\n"
      "leaked = float('__file__' in globals())\n%run\nuses = late + 1.0\n%run exits.py\nuses2 = LATE2 + 1.0\n"
      "import broken_helper\ny2 = broken_helper.f()\n";
  const auto r = python::run(HandIn{"A2S1.py",
                                    script,
                                    {{"helpers.py", helpers},
                                     {"failing.py", failing},
                                     {"interrupted.py", interrupted},
                                     {"parts.ipynb", cells},
                                     {"exits.py", "import sys\nsys.exit(1)\nLATE2 = 2.0\n"},
                                     {"broken_helper.py", "def f():\n    return missing_name\n"}}},
                             python::Work{{{"x", "x", ""},
                                           {"main", "[float(main == '__main__'), float(__name__ == '__main__')]", ""},
                                           {"args", "[len(args), float(args[1] == 'two')]", ""},
                                           {"early", "[seen, early, bound]", ""},
                                           {"late", "late", ""},
                                           {"after", "after", ""},
                                           {"y", "y", ""},
                                           {"named", "[named, leaked]", ""}},
                                          {},
                                          {}},
                             1, {});
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 7}) BOOST_TEST(verdict(r.values[i]) == "value", r.values[i].message);
  const auto values = [&](std::size_t i) {
    return r.values[i].value
               ? std::vector<double>(r.values[i].value->values().begin(), r.values[i].value->values().end())
               : std::vector<double>{};
  };
  BOOST_TEST(values(1) == (std::vector<double>{1, 1}), boost::test_tools::per_element());
  BOOST_TEST(values(2) == (std::vector<double>{2, 1}), boost::test_tools::per_element());
  BOOST_TEST(values(3) == (std::vector<double>{1, 5, 9}), boost::test_tools::per_element());
  // After the error: what is missing says why, and so does a later use of it.
  const std::string why =
      "late is defined by failing.py, which %run runs, stopped at its line 3 before defining it "
      "(ValueError: half done)";
  BOOST_TEST(verdict(r.values[4]) == "missing", r.values[4].message);
  BOOST_TEST(contains(r.values[4].message, why), r.values[4].message);
  BOOST_TEST(values(7) == (std::vector<double>{8, 0}), boost::test_tools::per_element());
  // A file not found stops its cell, as in IPython, and so does a %run of nothing.
  BOOST_REQUIRE_EQUAL(r.failures.size(), 5u);
  BOOST_TEST(contains(r.failures[0].message, "line 8: Exception: %run: file `nothing_here.py` not found"),
             r.failures[0].message);
  BOOST_TEST(contains(r.failures[1].message, "line 12: Exception: %run needs a file"), r.failures[1].message);
  BOOST_TEST(contains(r.failures[2].message, "line 13: NameError: name 'late' is not defined; " + why),
             r.failures[2].message);
  // So does one after a sys.exit(), and an error inside a helper the notebook imports is shown
  // in the helper, by name and line.
  BOOST_TEST(contains(r.failures[3].message,
                      "LATE2 is defined by exits.py, which %run runs, stopped at its line 2 "
                      "before defining it (SystemExit: sys.exit(1) was called)"),
             r.failures[3].message);
  BOOST_TEST(contains(r.failures[4].message,
                      "line 17 (in f, broken_helper.py, line 2): NameError: name 'missing_name' is not defined"),
             r.failures[4].message);
  BOOST_TEST(contains(r.output, "ValueError: half done"), r.output);
  BOOST_TEST(contains(r.output, "failing.py\", line 3"), r.output);
  BOOST_TEST(!contains(r.output, "notebook.py"), r.output);  // the grader's own frames are not the student's
}

BOOST_AUTO_TEST_CASE(an_ipynb_runs_its_code_cells_with_magics_made_harmless) {
  const std::string ipynb = R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "markdown", "metadata": {}, "source": ["# Title"]},
    {"cell_type": "code", "metadata": {}, "source": ["%matplotlib inline\n", "!pip install torch\n", "import torch\n"]},
    {"cell_type": "code", "metadata": {}, "source": "%%time\nx = torch.ones(2)\n"},
    {"cell_type": "code", "metadata": {}, "source": "%%bash\necho not python\n"},
    {"cell_type": "code", "metadata": {"nbgrader": {"solution": true}}, "source": ["def f(a):\n", "    # YOUR CODE HERE\n", "    raise NotImplementedError()\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["import sys\n", "y = 3\n", "sys.exit(0)\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["import matplotlib.pyplot as plt\n", "plt.plot([1, 2]); plt.title('t'); plt.show()\n", "z = [[1, 2], [3, 4]]\n"]}
  ]})";
  const auto r = run("homework.ipynb", ipynb, {{"x", "x", ""}, {"y", "y", ""}, {"z", "z", ""}});
  for (const auto& v : r.values) BOOST_TEST(verdict(v) == "value", v.message);
  BOOST_REQUIRE(r.values[2].value.has_value());
  BOOST_TEST(r.values[2].value->shape() == (Shape{2, 2}), boost::test_tools::per_element());
  bool exit_reported = false;
  // Cells are counted as the student sees them, markdown ones included, and named by their
  // first line (found by a helper: "cell 5" counted code cells only).
  for (const auto& f : r.failures)
    exit_reported = exit_reported || contains(f.message, "cell 6 (\"import sys\"), line 3: SystemExit");
  BOOST_TEST(exit_reported);
  // A plot is drawn nowhere and fails nothing (matplotlib asks IPython for a shell: none).
  for (const auto& f : r.failures) BOOST_TEST(!contains(f.message, "cell 7"), f.message);
}

BOOST_AUTO_TEST_CASE(ipython_and_colab_are_stand_ins_whatever_the_machine_has_installed) {
  // What notebooks call of IPython and Colab does nothing, on every grading machine (found by
  // a helper: `IPython.version_info`, `with capture_output():`, an Image's data failed). Before,
  // only a few names were there where IPython is not installed (`from google.colab import
  // output` failed the cell), and where Debian's python3-ipython is, its import in the zygote
  // failed for want of a home folder: no notebook could be graded on that machine.
  const std::string script =
      "from IPython.display import display, HTML, Image, clear_output\n"
      "from IPython.utils.capture import capture_output\n"
      "with capture_output() as captured:\n    print('quiet')\n"
      "picture = Image('plot.png').data\n"
      "from IPython.core.interactiveshell import InteractiveShell\n"
      "InteractiveShell.ast_node_interactivity = 'all'\n"
      "import IPython\n"
      "shell = IPython.get_ipython()\n"
      "display(HTML('<b>attention</b>'), Image('plot.png', width=300)); clear_output(wait=True)\n"
      "from google.colab import drive, files, output\n"
      "from google.colab.patches import cv2_imshow\n"
      "drive.mount('/content/drive'); output.clear(); cv2_imshow(None)\n"
      "uploaded = files.upload()\n"
      "import IPython\nnew = IPython.version_info >= (7, 0) and IPython.__version__ >= '7'\n"
      "x = [1.0 if shell is None else 2.0, float(len(uploaded)), 1.0 if new else 0.0]\n"
      "kv = list(uploaded['kv.pt'])\n";
  // files.upload(): the files handed in beside the notebook, as the student picked them.
  const auto r = python::run(HandIn{"homework.py", script, {{"kv.pt", std::string("\x01\x02", 2)}}},
                             python::Work{{{"x", "x", ""}, {"kv", "kv", ""}}, {}, {}}, 1, {});
  BOOST_TEST(r.failures.empty(), (r.failures.empty() ? "" : r.failures[0].message));
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_REQUIRE(r.values[0].value.has_value());
  const std::vector<double> x(r.values[0].value->values().begin(), r.values[0].value->values().end());
  BOOST_TEST(x == (std::vector<double>{1.0, 1.0, 1.0}), boost::test_tools::per_element());
  BOOST_TEST(verdict(r.values[1]) == "value", r.values[1].message);
  BOOST_REQUIRE(r.values[1].value.has_value());
  BOOST_TEST(r.values[1].value->values()[1] == 2.0);
}

BOOST_AUTO_TEST_CASE(a_functions_source_is_readable_as_in_jupyter) {
  // Found by a student helper: `inspect.getsource(f)` and `@torch.jit.script`, which reads the
  // function's source, failed the cell ("could not get source code") in every form, though they
  // work in Jupyter, Colab and `python homework.py`.
  const std::string code =
      "import inspect, torch\n"
      "def twice(x):\n    return x * 2\n"
      "@torch.jit.script\ndef thrice(x: torch.Tensor) -> torch.Tensor:\n    return x * 3\n";
  const std::string use = "lines = [float(len(inspect.getsource(twice).splitlines())), thrice(torch.ones(1)).item()]\n";
  const std::string notebook =
      R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": )" +
      nlohmann::json(code).dump() + R"(}, {"cell_type": "code", "metadata": {}, "source": )" +
      nlohmann::json(use).dump() + "}]}";
  for (const auto& hand_in :
       {HandIn{"homework.py", code + use, {}}, HandIn{"homework.py", "# In[1]:\n" + code + "\n# In[2]:\n" + use, {}},
        HandIn{"homework.ipynb", notebook, {}}}) {
    BOOST_TEST_CONTEXT(hand_in.name << ": " << hand_in.source.substr(0, 12)) {
      const auto r = python::run(hand_in, python::Work{{{"lines", "lines", ""}}, {}, {}}, 1, {});
      BOOST_TEST(r.failures.empty(), (r.failures.empty() ? "" : r.failures[0].message));
      BOOST_REQUIRE(r.values[0].value.has_value());
      const std::vector<double> got(r.values[0].value->values().begin(), r.values[0].value->values().end());
      BOOST_TEST(got == (std::vector<double>{2.0, 3.0}), boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(torch_2s_attention_function_takes_one_query_vector_and_masks_as_torch_does) {
  // The grader's torch (1.13) lacks F.scaled_dot_product_attention; the stand-in computes what
  // torch 2 computes, with the softmax written out here: a query of one vector too (found by a
  // student helper: "Dimension out of range" in the course's own helper), a boolean mask, a
  // float one, is_causal and scale.
  const std::string code =
      "import math, torch\nimport torch.nn.functional as F\n"
      "q = torch.tensor([1.0, -2.0, 0.5])\n"
      "K = torch.tensor([[0.3, 1.0, -1.0], [2.0, 0.1, 0.4], [-0.7, 0.2, 1.5]])\n"
      "V = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])\n"
      "Q = torch.stack([q, K[1], -q])\n"
      "keep = torch.tensor([[True, False, True]] * 3)\n"
      "def by_hand(Q, s=None, bias=0.0):\n"
      "    w = torch.exp(Q @ K.T * (1 / math.sqrt(3) if s is None else s) + bias)\n"
      "    return (w / w.sum(-1, keepdim=True)) @ V\n"
      "causal = torch.tensor([[0.0, -1e30, -1e30], [0.0, 0.0, -1e30], [0.0, 0.0, 0.0]])\n"
      "vector = F.scaled_dot_product_attention(q, K, V) - by_hand(q)\n"
      "masked = F.scaled_dot_product_attention(Q, K, V, attn_mask=keep) - by_hand(Q, bias=(~keep) * -1e30)\n"
      "added = F.scaled_dot_product_attention(Q, K, V, attn_mask=causal, scale=0.5) - by_hand(Q, 0.5, causal)\n"
      "lower = F.scaled_dot_product_attention(Q[None], K[None], V[None], is_causal=True)[0] - by_hand(Q, bias=causal)\n"
      "shape = torch.tensor(F.scaled_dot_product_attention(q, K, V).shape)\n";
  const auto r = python::run(HandIn{"attention.py", code, {}},
                             python::Work{{{"vector", "vector", ""},
                                           {"masked", "masked", ""},
                                           {"added", "added", ""},
                                           {"lower", "lower", ""},
                                           {"shape", "shape", ""}},
                                          {},
                                          {}},
                             1, {});
  BOOST_TEST(r.failures.empty(), (r.failures.empty() ? "" : r.failures[0].message));
  for (std::size_t i = 0; i < 4; ++i) {
    BOOST_REQUIRE_MESSAGE(r.values[i].value.has_value(), r.values[i].message);
    for (double d : r.values[i].value->values()) BOOST_TEST(std::abs(d) < 1e-6, i << ": " << d);
  }
  BOOST_REQUIRE(r.values[4].value.has_value());
  const std::vector<double> shape(r.values[4].value->values().begin(), r.values[4].value->values().end());
  BOOST_TEST(shape == (std::vector<double>{2.0}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_name_the_graders_torch_lacks_says_which_version_grades) {
  // Found by a student helper: `torch.compile` (torch 2) on Debian's torch 1.13 failed the cell
  // with "module 'torch' has no attribute 'compile'" alone.
  const auto r = python::run(HandIn{"homework.py", "import torch\nf = torch.compile_newer(len)\nx = 1.0\n", {}},
                             python::Work{{{"x", "x", ""}}, {}, {}}, 1, {});
  BOOST_REQUIRE_EQUAL(r.failures.size(), 1u);
  BOOST_TEST(contains(r.failures[0].message,
                      "AttributeError: module 'torch' has no attribute 'compile_newer' "
                      "(the grading machine has torch "),
             r.failures[0].message);
  BOOST_TEST(
      contains(r.failures[0].message, ", which has no torch.compile_newer: write it without, or check the name)"),
      r.failures[0].message);
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  // A misspelt name is told the one meant, not the version (found by a student helper:
  // `torch.manuel_seed` was told that torch 1.13 has none).
  const auto m = python::run(HandIn{"homework.py", "import torch\ntorch.manuel_seed(0)\nx = 1.0\n", {}},
                             python::Work{{{"x", "x", ""}}, {}, {}}, 1, {});
  BOOST_REQUIRE_EQUAL(m.failures.size(), 1u);
  BOOST_TEST(contains(m.failures[0].message,
                      "AttributeError: module 'torch' has no attribute 'manuel_seed'; did you mean 'manual_seed'?"),
             m.failures[0].message);
  BOOST_TEST(!contains(m.failures[0].message, "grading machine"), m.failures[0].message);
  // A name known to be newer is told the version, not a name alike (set_default_dtype).
  const auto d = python::run(HandIn{"homework.py", "import torch\ntorch.set_default_device('cpu')\nx = 1.0\n", {}},
                             python::Work{{{"x", "x", ""}}, {}, {}}, 1, {});
  BOOST_REQUIRE_EQUAL(d.failures.size(), 1u);
  BOOST_TEST(contains(d.failures[0].message, ", which has no torch.set_default_device: write it without, or check the "
                                             "name)"),
             d.failures[0].message);
  BOOST_TEST(!contains(d.failures[0].message, "did you mean"), d.failures[0].message);
  // torch.compile itself runs the function uncompiled, as a decorator and as a call (found by a
  // student helper: a correct `@torch.compile` notebook lost every point, "did you mean
  // 'complex'?").
  const auto c = python::run(HandIn{"homework.py",
                                    "import torch\n@torch.compile\ndef f(x):\n    return x * 2\n"
                                    "@torch.compile(mode='reduce-overhead')\ndef g(x):\n    return x + 1\n"
                                    "h = torch.compile(f, fullgraph=True)\nx = g(h(torch.ones(2)))\n",
                                    {}},
                             python::Work{{{"x", "x", ""}}, {}, {}}, 1, {});
  BOOST_TEST(c.failures.empty(), (c.failures.empty() ? "" : c.failures[0].message));
  BOOST_REQUIRE(c.values[0].value);
  BOOST_TEST(c.values[0].value->values()[0] == 3.0);
  // TorchScript's compiler error is its first sentence and what TorchScript reads, not its
  // excerpt of the source on one line (found by a student helper: the homework's
  // `-> (Tensor, Tensor)` under @torch.jit.script).
  const auto j = python::run(HandIn{"homework.py",
                                    "import torch\nfrom torch import Tensor\n@torch.jit.script\n"
                                    "def f(x: Tensor) -> (Tensor, Tensor):\n    return x, x\nx = 1.0\n",
                                    {}},
                             python::Work{{{"x", "x", ""}}, {}, {}}, 1, {});
  BOOST_REQUIRE_EQUAL(j.failures.size(), 1u);
  BOOST_TEST(contains(j.failures[0].message,
                      "RuntimeError: Expression of type tuple-literal cannot be used in a type expression (an error of "
                      "TorchScript, which @torch.jit.script compiles the function with: it reads a return type of two "
                      "tensors as `-> Tuple[Tensor, Tensor]`"),
             j.failures[0].message);
  BOOST_TEST(!contains(j.failures[0].message, "<--- HERE"), j.failures[0].message);
  // A submodule the notebook did not import is no newer name (found by a helper: "torch 1.13 has
  // no torch.utils.checkpoint", which it has).
  const auto s = python::run(HandIn{"homework.py", "import torch\nf = torch.utils.checkpoint\nx = 1.0\n", {}},
                             python::Work{{{"x", "x", ""}}, {}, {}}, 1, {});
  BOOST_REQUIRE_EQUAL(s.failures.size(), 1u);
  BOOST_TEST(contains(s.failures[0].message,
                      "(torch.utils.checkpoint is a module of its own: import "
                      "torch.utils.checkpoint first)"),
             s.failures[0].message);
}

BOOST_AUTO_TEST_CASE(a_file_not_found_says_how_to_open_it_where_notebooks_are_graded) {
  // A Colab notebook opens its data from Google Drive; graded, that path is not there, and
  // "FileNotFoundError" alone did not say that the file handed in beside it is opened by name.
  const std::string script =
      "from IPython.display import HTML\n"
      "open('/content/drive/MyDrive/A2/kv.txt')\n"
      "open(r'C:\\Users\\me\\weights.csv')\n"
      "open('data/values.csv')\n"
      "open('missing.csv')\n"
      "open('data2\\\\kv2.txt')\n"
      "open('../kv.txt')\n"
      "class Shown(HTML):\n    pass\n"
      "x = [1.0 if f'{HTML()}' == '' else 0.0]\n";
  const auto r = python::run(HandIn{"A2S1.py", script, {{"kv.txt", "1 2"}, {"data2/kv2.txt", "3"}}},
                             python::Work{{{"x", "x", ""}}, {}, {}}, 1, {});
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_REQUIRE(r.values[0].value.has_value());
  BOOST_TEST(r.values[0].value->values()[0] == 1.0);  // a stand-in formats as nothing
  BOOST_REQUIRE_EQUAL(r.failures.size(), 6u);         // the class statement too runs
  BOOST_TEST(contains(r.failures[0].message,
                      "line 2: FileNotFoundError: [Errno 2] No such file or directory: "
                      "'/content/drive/MyDrive/A2/kv.txt' (a path in Colab's files: open it by its name, 'kv.txt', "
                      "which is handed in beside your notebook: notebooks are graded in a folder of their own)"),
             r.failures[0].message);
  BOOST_TEST(contains(r.failures[1].message,
                      "(a path on your computer: notebooks are graded in a folder of their own, with the files "
                      "handed in beside them: open those by their names)"),
             r.failures[1].message);
  BOOST_TEST(contains(r.failures[2].message,
                      "(there is no folder data/ beside your notebook: hand it in, or make it first with os.makedirs)"),
             r.failures[2].message);
  BOOST_TEST(contains(r.failures[3].message, "(missing.csv was not handed in beside your notebook)"),
             r.failures[3].message);
  BOOST_TEST(
      contains(r.failures[4].message, "(write the path with '/', 'data2/kv2.txt': notebooks are graded on Linux)"),
      r.failures[4].message);
  BOOST_TEST(contains(r.failures[5].message, "(a path out of the notebook's folder: open it by its name, 'kv.txt'"),
             r.failures[5].message);
}

BOOST_AUTO_TEST_CASE(a_module_written_with_writefile_is_imported_as_in_jupyter) {
  // A notebook that writes its helpers with %%writefile and imports them lost every answer
  // from them ("ModuleNotFoundError ... not installed where notebooks are graded").
  const std::string ipynb = R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": ["%%writefile attention_helpers.py\n", "def ones():\n", "    return [1.0, 2.0]\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["%%writefile -a attention_helpers.py\n", "def twos():\n", "    return [2.0, 4.0, 6.0]\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["import attention_helpers\n", "x = attention_helpers.ones()\n", "y = attention_helpers.twos()\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["%%writefile\n", "nowhere\n"]}
  ]})";
  const auto r = run("homework.ipynb", ipynb, {{"x", "x", ""}, {"y", "y", ""}});
  for (const auto& v : r.values) BOOST_TEST(verdict(v) == "value", v.message);
  BOOST_REQUIRE(r.values[1].value.has_value());
  BOOST_TEST(r.values[1].value->shape() == (Shape{3}), boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(r.failures.size(), 1u);  // the magic without a file name, said so
  BOOST_TEST(contains(r.failures[0].message, "cell 4 (\"%%writefile\")"), r.failures[0].message);
  BOOST_TEST(contains(r.failures[0].message, "%%writefile needs one file name"), r.failures[0].message);
  // A Jupyter download writes the same cell as a call of get_ipython().
  const std::string script =
      "\n# In[1]:\n\nget_ipython().run_cell_magic('writefile', 'helpers2.py', 'def three():\\n    return 3.0\\n')\n"
      "\n# In[2]:\n\nfrom helpers2 import three\nz = three()\n";
  const auto j = run("A2S1.py", script, {{"z", "z", ""}});
  BOOST_TEST(verdict(j.values[0]) == "value", j.values[0].message);
  BOOST_TEST(j.failures.empty());
  // A %%writefile commented out by hand, its body left as code, writes nothing: said so.
  const auto c = run("A2S1.py",
                     "# Commented out IPython magic to ensure Python compatibility.\n# %%writefile helpers3.py\n"
                     "def four():\n    return 4.0\n\nimport helpers3\nw = helpers3.four()\n",
                     {{"w", "w", ""}});
  BOOST_TEST(contains(c.values[0].message, "helpers3 is defined by line 6, which failed before"),
             c.values[0].message);
  BOOST_REQUIRE_EQUAL(c.failures.size(), 2u);  // the import, then its use
  BOOST_TEST(contains(c.failures[0].message, "line 6: ModuleNotFoundError: No module named 'helpers3' (helpers3.py is "
                                             "written by a %%writefile cell that is commented out: hand in the "
                                             ".ipynb, or helpers3.py beside your notebook)"),
             c.failures[0].message);
}

BOOST_AUTO_TEST_CASE(a_colab_download_runs_the_magics_colab_commented_out) {
  // A Colab download comments out a cell's magics under a note of its own: a `%%time` cell
  // whole, so its answer was "not defined" though the notebook ran it in Colab; `%run` and
  // `%%writefile` did nothing. They run as in the notebook; a `# %...` comment the student
  // wrote elsewhere stays a comment, and so does a `%%bash` cell. From a hostile helper: a
  // line magic is restored up to the first blank line only (the cells after are the student's),
  // where it starts a statement (not a comment inside brackets), and a commented block that
  // code follows was edited by hand; `x = %time f()` assigns f(); a file in Colab's folders is
  // the one handed in beside.
  const std::string note = "# Commented out IPython magic to ensure Python compatibility.\n";
  const std::string script = "import numpy as np\n\n" + note +
                             "# %%time\n# timed = np.ones(3)\n# \n# also = 2 * timed\n\n" +  // lines 3-8
                             note +
                             "x = 1.0\n# %run '/content/drive/MyDrive/Colab Notebooks/helpers.py'\n"
                             "# %time t = 5.0\n\n" +  // lines 9-13
                             note +
                             "# %%writefile helpers4.py\n# def four():\n#     return 4.0\n\n" +
                             "import helpers4\nw = helpers4.four()\n\n" +                            // 14-21
                             note + "# %%bash\n# echo not python\n\n" +                              // 22-25
                             "\"\"\"## Exercise 2\"\"\"\n\n# %time own = 1.0\n\n" +                  // 26-29
                             note + "# %%time\n# broken = 1 +\n\n" +                                 // 30-33
                             note + "for k in range(2):\n#     %time acc = k\n    # !echo $k\n\n" +  // 34-38
                             "# %time own2 = 1.0\n\n" +                                              // 39-40
                             note + "vals = [1.0,\n    # !! not a command\n    2.0]\n" +             // 41-44
                             "# product, _unused = %time 2.0 * 3, 0\n\n" +                           // 45-46
                             note + "# %%time\n# first we edit\nedited = 4.0\n";                     // 47-50
  const auto r = python::run(HandIn{"A2S1.py", script, {{"helpers.py", "from_helpers = 3.0\n"}}},
                             python::Work{{{"timed", "[float(v) for v in also]", ""},
                                           {"helpers", "[from_helpers, t, w]", ""},
                                           {"own", "own", ""},
                                           {"acc", "acc", ""},
                                           {"own2", "own2", ""},
                                           {"later", "vals + [product, edited]", ""}},
                                          {},
                                          {}},
                             1, {});
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  if (r.values[0].value)
    BOOST_TEST(r.values[0].value->values() == (std::vector<double>{2, 2, 2}), boost::test_tools::per_element());
  BOOST_TEST(verdict(r.values[1]) == "value", r.values[1].message);
  if (r.values[1].value)
    BOOST_TEST(r.values[1].value->values() == (std::vector<double>{3, 5, 4}), boost::test_tools::per_element());
  BOOST_TEST(verdict(r.values[2]) == "missing", r.values[2].message);  // the student's own comment
  BOOST_TEST(verdict(r.values[3]) == "value", r.values[3].message);    // a magic in a loop, indented
  if (r.values[3].value) BOOST_TEST(r.values[3].value->values()[0] == 1.0);
  BOOST_TEST(verdict(r.values[4]) == "missing", r.values[4].message);  // past a blank line: the student's
  // ... or Colab's, which no download tells apart: said so (found by a helper: only "not defined").
  BOOST_TEST(contains(r.values[4].message, "own2 is assigned only in a line commented out, line 39: `# %time own2 = "
                                           "1.0`: Colab's download comments out a line that uses a magic (%time, !): "
                                           "write that line without the magic, or hand in the .ipynb"),
             r.values[4].message);
  BOOST_TEST(verdict(r.values[5]) == "value", r.values[5].message);
  if (r.values[5].value)
    BOOST_TEST(r.values[5].value->values() == (std::vector<double>{1, 2, 6, 4}), boost::test_tools::per_element());
  // The restored cell keeps the file's line numbers.
  BOOST_REQUIRE_EQUAL(r.failures.size(), 1u);
  BOOST_TEST(contains(r.failures[0].message, "line 32"), r.failures[0].message);
  BOOST_TEST(contains(r.failures[0].message, "SyntaxError"), r.failures[0].message);
}

BOOST_AUTO_TEST_CASE(cells_are_read_as_ipython_reads_them_after_empty_lines_and_without_their_indentation) {
  // Found by a hostile-student helper: a %%writefile after an empty first line ran its body as
  // Python (the file was never written), and an indented cell, which Jupyter runs, was an
  // IndentationError; so was a %%writefile cell pasted with its indentation.
  const std::string ipynb = R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": ["\n", "  \n", "%%writefile data.csv\n", "1,2,3\n", "4,5,6\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["import numpy as np\n", "data = np.loadtxt('data.csv', delimiter=',')\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["  %%writefile helpers.py\n", "  def twice(v):\n", "      return 2 * v\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["    from helpers import twice\n", "    doubled = twice(data)\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["\n", "  x = 1\n", "  y = 1 +\n"]}
  ]})";
  const auto r = run("homework.ipynb", ipynb, {{"data", "data", ""}, {"doubled", "doubled", ""}});
  for (const auto& v : r.values) BOOST_TEST(verdict(v) == "value", v.message);
  BOOST_REQUIRE(r.values[1].value.has_value());
  BOOST_TEST(r.values[1].value->shape() == (Shape{2, 3}), boost::test_tools::per_element());
  BOOST_TEST(r.values[1].value->values()[5] == 12.0);
  // Line numbers are still the cell's own.
  BOOST_REQUIRE_EQUAL(r.failures.size(), 1u);
  BOOST_TEST(contains(r.failures[0].message, "cell 5"), r.failures[0].message);
  BOOST_TEST(contains(r.failures[0].message, "line 3"), r.failures[0].message);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hostile_notebooks)

/// A Jupyter export of `cells`, each a cell, then one that defines the answer `good`.
std::string cells(const std::vector<std::string>& body) {
  std::string out = "import os, sys, torch\n";
  for (const auto& c : body) out += "\n# In[ ]:\n" + c + "\n";
  return out + "\n# In[ ]:\ngood = torch.ones(2)\n";
}

python::Limits quick() {
  python::Limits limits;
  limits.unit_seconds = 2;
  limits.budget_seconds = 30;
  return limits;
}

/// The failure reported for the cell whose message contains `part`, or "".
/// A cell that catches the grader's interrupt and goes on: ended with its child.
const char* const kUninterruptible =
    "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass";

std::string failure_with(const python::Run& r, const std::string& part) {
  for (const auto& f : r.failures)
    if (contains(f.message, part)) return f.message;
  return "";
}

BOOST_AUTO_TEST_CASE(files_processes_and_the_network_are_refused_and_the_rest_still_runs) {
  const std::string spec = GRADER_SOURCE_DIR "/specs/understanding-attention.yaml";
  const auto r =
      run("A2S1.py",
          cells({"open('" + spec + "').read()", "open('/etc/passwd').read()",
                 "open('/tmp/grader-python-was-here', 'w').write('x')", "import socket; socket.socket()",
                 "os.system('true')", "import subprocess; subprocess.run(['/bin/true'])",
                 "for i in range(4): os.fork()", "os.kill(1, 9)", "import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0)",
                 "os.memfd_create('outside-the-limit')",
                 "try:\n    os.chroot('/')\nexcept OSError:\n    pass\nopen('missing.txt')",
                 "with open('scratch.txt', 'w') as f: f.write('mine')\nmine = open('scratch.txt').read()"}),
          {{"good", "good", ""}, {"mine", "len(mine)", ""}}, quick());
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(verdict(r.values[1]) == "value", r.values[1].message);  // its own scratch folder works
  BOOST_TEST(contains(failure_with(r, "understanding-attention.yaml"), "FileNotFoundError"));
  BOOST_TEST(contains(failure_with(r, "/etc/passwd"), "FileNotFoundError"));
  BOOST_TEST(contains(failure_with(r, "grader-python-was-here"), "Error"));
  BOOST_TEST(contains(failure_with(r, "socket"), "PermissionError"));
  BOOST_TEST(contains(failure_with(r, "line 31:"), "PermissionError"));  // memfd_create, the 10th cell
  // socket, subprocess.run, os.fork and os.kill: refused with EPERM (os.system: 127 << 8, no shell).
  BOOST_TEST(std::count_if(r.failures.begin(), r.failures.end(),
                           [](const auto& f) { return contains(f.message, "PermissionError"); }) >= 4);
  BOOST_TEST(r.failures.size() >= 7u);
  // A refusal the cell caught, before it failed for another reason: named beside that reason,
  // and the verdict is the sandbox's.
  const auto caught = std::find_if(r.failures.begin(), r.failures.end(),
                                   [](const auto& f) { return contains(f.message, "missing.txt"); });
  BOOST_REQUIRE(caught != r.failures.end());
  BOOST_TEST(std::string(to_string(caught->verdict)) == "forbidden", caught->message);
  BOOST_TEST(contains(caught->message,
                      "FileNotFoundError: [Errno 2] No such file or directory: 'missing.txt' (missing.txt was not "
                      "handed in beside your notebook); while it ran, the sandbox also refused chroot: a notebook may "
                      "compute, print, and read and write its own folder, but not use the network, start programs or "
                      "reach other processes"),
             caught->message);
  BOOST_TEST(r.processes == 1);  // refused, not killed: no cell needed a fresh child
  BOOST_TEST(!std::filesystem::exists("/tmp/grader-python-was-here"));
}

BOOST_AUTO_TEST_CASE(what_a_notebook_sees_of_its_process_is_what_python3_a2s1_py_shows) {
  // Found by a hostile-student helper: /proc/self/cmdline and /proc/1/cmdline (the zygote's)
  // named the zygote's script, in the grader's folder. Now as `python3 A2S1.py` starts it; the
  // environment was already clean.
  const auto r = run("A2S1.py",
                     R"(import os, sys, torch
seen = {"self": open("/proc/self/cmdline", "rb").read(), "zygote": open("/proc/1/cmdline", "rb").read(),
        "orig_argv": repr(sys.orig_argv), "argv": repr(sys.argv), "environ": repr(dict(os.environ))}
revealed = [k for k, v in seen.items() for word in ("grader", "zygote", "notebook.py", )"
                     "\"" GRADER_SOURCE_DIR
                     "\""
                     R"() if word in str(v)]
assert not revealed, revealed
assert seen["self"].rstrip(b"\0").split(b"\0") == [b"python3", b"A2S1.py"], seen["self"]
assert seen["zygote"].rstrip(b"\0") == b"python3", seen["zygote"]
assert sys.orig_argv == ["python3", "A2S1.py"] and sys.argv == ["A2S1.py"], (sys.orig_argv, sys.argv)
last = torch.ones(1)
)",
                     {{"last", "last", ""}}, quick());
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(r.failures.empty(), (r.failures.empty() ? "" : r.failures[0].message));
}

BOOST_AUTO_TEST_CASE(a_cell_marker_retyped_or_moved_into_the_markdown_above_still_finds_its_cell) {
  // Found by an instructor helper: a correct notebook lost three exercises to "# Step 2 -
  // per-head scores" for "# Step 2: per-head scores", "#step 3" for "# Step 3", and a comment
  // moved into the markdown cell above its code. Each is read as it was meant; later cells
  // reassign both variables, so only the right cell gives the right value.
  const std::string ipynb = R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "source": "# step 1 - The  first\nx = [1.0]"},
    {"cell_type": "markdown", "metadata": {}, "source": ["## Step 2: scores\n", "Compute them below."]},
    {"cell_type": "code", "metadata": {}, "source": "s = [2.0]"},
    {"cell_type": "code", "metadata": {}, "source": "# Step 12: later\nx = [9.0]\ns = [9.0]"}]})";
  const auto r = run("hw.ipynb", ipynb, {{"x", "x", "# Step 1: the first"}, {"s", "s", "## Step 2: scores"}});
  for (const auto& v : r.values) BOOST_TEST(verdict(v) == "value", v.message);
  BOOST_TEST_REQUIRE(r.values.size() == 2u);
  if (r.values[0].value) BOOST_TEST((*r.values[0].value)[0] == 1.0);
  if (r.values[1].value) BOOST_TEST((*r.values[1].value)[0] == 2.0);
  // A Jupyter download, retyped; and "# Step 1" is no part of "# Step 12".
  const auto py = run("hw.py", "# In[1]:\n\n#STEP 1 -- the first\nx = [1.0]\n\n# In[2]:\n\n# Step 12\nx = [9.0]\n",
                      {{"x", "x", "# Step 1: the first"}, {"twelve", "x", "# Step 1"}});
  BOOST_TEST_REQUIRE(py.values.size() == 2u);
  BOOST_TEST_REQUIRE(py.values[0].value.has_value(), py.values[0].message);
  BOOST_TEST((*py.values[0].value)[0] == 1.0, py.values[0].message);
  if (py.values[1].value) BOOST_TEST((*py.values[1].value)[0] == 1.0, py.values[1].message);
  const auto gone = run("hw.py", "# In[1]:\n\n# Step 12\nx = [9.0]\n", {{"x", "x", "# Step 1"}});
  BOOST_TEST(verdict(gone.values[0]) == "missing", gone.values[0].message);
  // An identifier is one word: a def is no retyped heading.
  const auto def = run("hw.py", "def per_head_scores():\n    pass\nx = [9.0]\n", {{"x", "x", "Per head scores"}});
  BOOST_TEST(verdict(def.values[0]) == "missing", def.values[0].message);
  // A heading's words after another word are another heading (found by a hostile-student
  // helper: "====== Masked scaled dot-product attention" was taken for "======= Scaled
  // dot-product attention", and exercise 1 graded with exercise 2's function); retyped, it is it.
  const std::string printed = "======= Scaled dot-product attention";
  const auto masked = run("hw.py", "# In[1]:\n\nprint('====== Masked scaled dot-product attention')\nx = [9.0]\n",
                          {{"x", "x", printed}});
  BOOST_TEST(verdict(masked.values[0]) == "missing", masked.values[0].message);
  const auto retyped =
      run("hw.py", "# In[1]:\n\nprint('=== scaled  dot product attention ===')\nx = [1.0]\n", {{"x", "x", printed}});
  BOOST_TEST(verdict(retyped.values[0]) == "value", retyped.values[0].message);
}

BOOST_AUTO_TEST_CASE(a_string_of_prose_inside_a_colab_cell_does_not_end_the_cell) {
  // Found by a hostile-student helper: a string the student wrote in an answer's cell, before
  // its code, was read as a markdown cell (which Colab's download writes followed by a blank
  // line), and the answer taken before the code.
  const std::string colab =
      "x = [0.0]\n\n\"\"\"## Part 1\"\"\"\n\n# Set x to one\n"
      "\"\"\"My idea: one is one.\"\"\"\nx = [1.0]\n\n\"\"\"## Part 2\"\"\"\n\nx = [9.0]\n";
  const auto r = run("A2S1.py", colab, {{"x", "x", "# Set x to one"}});
  BOOST_REQUIRE(r.values[0].value.has_value());
  BOOST_TEST((*r.values[0].value)[0] == 1.0, r.values[0].message);
}

BOOST_AUTO_TEST_CASE(an_answer_whose_expression_hangs_is_its_own_verdict_and_the_others_are_taken) {
  // Found by a hostile-student helper: `m_key[2]` of an object whose __getitem__ loops ended
  // the child while the values were taken, and every answer, the right ones too, was
  // timed_out "while its values were taken".
  const auto r =
      run("A2S1.py",
          cells({"first = [1.0, 2.0]\n"
                 "class Endless:\n"
                 "    def __getitem__(self, i):\n"
                 "        while True:\n"
                 "            pass\n"
                 "m_key = Endless()\n"
                 "last = [3.0]"}),
          {{"first", "first", ""}, {"key", "m_key[2]", ""}, {"last", "last", ""}, {"good", "good", ""}}, quick());
  BOOST_REQUIRE_EQUAL(r.values.size(), 4u);
  BOOST_TEST(verdict(r.values[1]) == "timed_out", r.values[1].message);
  BOOST_TEST(contains(r.values[1].message, "'m_key[2]' could not be taken: no end after 2 s"), r.values[1].message);
  for (const std::size_t i : {0u, 2u, 3u}) BOOST_TEST(verdict(r.values[i]) == "value", r.values[i].message);
  BOOST_TEST(r.failures.empty());  // no cell failed
}

BOOST_AUTO_TEST_CASE(a_child_may_not_send_itself_sigkill) {
  // A hostile-student helper's notebook sent itself SIGKILL and was told it most likely used
  // too much memory. Refused now: a child ended by SIGKILL was killed from outside, which the
  // grader tells apart (found by a TA helper: an OOM kill of a correct notebook at 147 MiB was
  // charged to the student). Other signals to itself still go. Nor does the kernel send it for
  // the child (found by the next hostile-student helper: RLIMIT_CPU lowered to 1 s, then a
  // spin, and the class's gradebook was never written): its limits are read, never set, and a
  // POSIX timer, which may name SIGKILL, is refused.
  const std::string timer =
      "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
      "class Event(ctypes.Structure):\n"
      "    _fields_ = [('value', ctypes.c_void_p), ('signo', ctypes.c_int), ('notify', ctypes.c_int),\n"
      "                ('pad', ctypes.c_char * 48)]\n"
      "class Spec(ctypes.Structure):\n"
      "    _fields_ = [('interval_s', ctypes.c_long), ('interval_ns', ctypes.c_long), ('s', ctypes.c_long),\n"
      "                ('ns', ctypes.c_long)]\n"
      "timer = ctypes.c_void_p()\n"
      "if libc.timer_create(1, ctypes.byref(Event(None, 9, 0)), ctypes.byref(timer)) != 0:\n"
      "    raise PermissionError(ctypes.get_errno(), 'timer_create refused')\n"
      "libc.timer_settime(timer, 0, ctypes.byref(Spec(0, 0, 0, 100000000)), None)\n"
      "time.sleep(1)";
  const auto r = run("A2S1.py",
                     cells({"import signal\nos.kill(os.getpid(), signal.SIGKILL)",
                            "import signal, threading\nsignal.pthread_kill(threading.get_ident(), signal.SIGKILL)",
                            "import resource\nsoft, hard = resource.getrlimit(resource.RLIMIT_CPU)\n"
                            "resource.setrlimit(resource.RLIMIT_CPU, (1, 1))\nwhile True: pass",
                            "import time\n" + timer,
                            "import signal\nsignal.signal(signal.SIGUSR1, lambda *a: None)\n"
                            "os.kill(os.getpid(), signal.SIGUSR1)\nsent = 1"}),
                     {{"good", "good", ""}, {"sent", "sent", ""}, {"soft", "soft", ""}}, quick());
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);  // the next cells still ran
  BOOST_TEST(verdict(r.values[1]) == "value", r.values[1].message);
  BOOST_TEST(verdict(r.values[2]) == "value", r.values[2].message);  // read
  BOOST_REQUIRE_EQUAL(r.failures.size(), 4u);
  for (const auto& f : r.failures)  // resource.setrlimit raises ValueError for EPERM
    BOOST_TEST((contains(f.message, "PermissionError") || contains(f.message, "the sandbox also refused prlimit64")),
               f.message);
  BOOST_TEST(contains(failure_with(r, "timer_create refused"), "PermissionError"), failure_with(r, "timer"));
  BOOST_TEST(contains(failure_with(r, "refused prlimit64"), "line 14:"), failure_with(r, "prlimit64"));
  BOOST_TEST(r.processes == 1);  // refused, not killed
}

BOOST_AUTO_TEST_CASE(values_are_read_past_torch_function_and_dispatch_modes_which_stay_the_notebooks) {
  // Found by a hostile-student helper: a TorchFunctionMode entered at the end of a notebook saw
  // the runner's detach/to/numpy of a plain tensor and zeroed what it read, so the grader
  // contradicted what the notebook printed: a "grader bug" to show around.
  const auto r = run("A2S1.py",
                     cells({"from torch.overrides import TorchFunctionMode\n"
                            "from torch.utils._python_dispatch import TorchDispatchMode\n"
                            "class Zero(TorchFunctionMode):\n"
                            "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
                            "        return func(*args, **(kwargs or {})) * 0\n"
                            "class Half(TorchDispatchMode):\n"
                            "    def __torch_dispatch__(self, func, types, args=(), kwargs=None):\n"
                            "        return func(*args, **(kwargs or {})) / 2\n"
                            "held = torch.tensor([[3.0, 4.0]])\n"
                            "Zero().__enter__(); Half().__enter__()",
                            "modes = [float(torch._C._len_torch_function_stack()), "
                            "float(torch._C._len_torch_dispatch_stack())]"}),
                     // `held` is read at the end of its own cell, before the next one counts the modes.
                     {{"held", "held", "class Half"}, {"modes", "modes", ""}}, quick());
  BOOST_REQUIRE_EQUAL(r.values.size(), 2u);
  for (const auto& v : r.values) BOOST_REQUIRE_MESSAGE(v.value, v.message + "\n" + r.output);
  BOOST_TEST(r.values[0].value->values() == (std::vector<double>{3.0, 4.0}), boost::test_tools::per_element());
  BOOST_TEST(r.values[1].value->values() == (std::vector<double>{1.0, 1.0}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_files_in_the_scratch_folder_stop_at_its_file_count_and_the_oom_killer_ends_the_child_first) {
  // Found by a hostile-student helper: empty files with long names cost the kernel about 1 KiB
  // each and no byte of the scratch folder's size; a tmpfs allows millions by default, and one
  // notebook held 3.9 GB of the machine's memory outside every limit, the zygote as likely as
  // the child to be chosen by the OOM killer.
  const auto r =
      run("A2S1.py",
          cells({"import errno, os\nmade, why = 0, 0\n"
                 "try:\n"
                 "    while made < 200000:\n"
                 "        os.close(os.open('x' * 200 + str(made), os.O_CREAT | os.O_WRONLY, 0o600)); made += 1\n"
                 "except OSError as e:\n"
                 "    why = e.errno\n"
                 "full = float(why == errno.ENOSPC)\n"
                 "adj = int(open('/proc/self/oom_score_adj').read())"}),
          {{"made", "made", ""}, {"full", "full", ""}, {"adj", "adj", ""}}, quick());
  BOOST_REQUIRE_EQUAL(r.values.size(), 3u);
  for (const auto& v : r.values) BOOST_REQUIRE_MESSAGE(v.value, v.message + "\n" + r.output);
  // 64 MiB of scratch: one file per 4 KiB, 16384 in all (a few are the hand-in's own).
  BOOST_TEST(r.values[0].value->values()[0] <= 16384.0);
  BOOST_TEST(r.values[0].value->values()[0] >= 16000.0);
  BOOST_TEST(r.values[1].value->values()[0] == 1.0);
  BOOST_TEST(r.values[2].value->values()[0] == 1000.0);
  BOOST_TEST(contains(r.isolation, "the OOM killer's first choice"), r.isolation);
}

BOOST_AUTO_TEST_CASE(an_answer_whose_expression_reaches_a_stub_is_left_to_do_and_says_where) {
  // Found by an instructor helper: `multi_head_attention(Q, K, V, 2)[1]` of a stub read
  // "raised NotImplementedError: ", unreadable, with no place.
  const auto r = run("A2S1.py",
                     cells({"def f(n):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
                            "def g(n):\n    return [1.0, 2.0][n]"}),
                     {{"a", "f(2)", ""}, {"b", "g(5)", ""}, {"c", "[1.0][3]", ""}}, quick());
  BOOST_TEST(verdict(r.values[0]) == "missing", r.values[0].message);
  BOOST_TEST(contains(r.values[0].message,
                      "'a': f(2) cannot be computed yet: your code still raises "
                      "NotImplementedError (line "),
             r.values[0].message);
  BOOST_TEST(verdict(r.values[1]) == "unreadable", r.values[1].message);
  BOOST_TEST(contains(r.values[1].message, "'b': g(5) raised IndexError: list index out of range (line "),
             r.values[1].message);
  // Raised by the expression itself: no place in the notebook to name.
  BOOST_TEST(r.values[2].message == "'c': [1.0][3] raised IndexError: list index out of range", r.values[2].message);
}

BOOST_AUTO_TEST_CASE(a_failure_repeating_an_earlier_one_says_which_unit_it_repeats) {
  // A NameError of a name an earlier cell failed to define ends with that cell's words: the
  // records say which unit they repeat, and where the repetition starts (the list of failures
  // says "(see above)" in its place, from these facts, never from the words).
  const auto r = run("A2S1.py", cells({"import no_such_module_here as nm", "x = nm.ones(1)", "y = 1.0"}),
                     {{"x", "x", ""}, {"y", "y", ""}}, quick());
  BOOST_REQUIRE_EQUAL(r.failures.size(), 2u);
  const auto& f = r.failures[1];
  BOOST_REQUIRE(f.quotes.has_value());
  BOOST_TEST(*f.quotes == r.failures[0].index);
  BOOST_TEST(f.before_quote.ends_with(", which failed before"), f.before_quote);
  BOOST_TEST(f.message.starts_with(f.before_quote + ": ModuleNotFoundError"), f.message);
  BOOST_TEST(!r.failures[0].quotes.has_value());
  // Forged by the notebook (its third unit, 2, in progress): a quote of itself, of a later unit
  // or of a unit not in progress is a breach of that unit (its child ended, a fresh one runs the
  // rest); one of an earlier unit, by a unit that then runs to its end, says nothing.
  for (const std::string forged : {"2, 2", "2, 5", "1, 0", "2, 1"}) {
    const auto g = run(
        "A2S1.py",
        cells({"y = 1.0", "import struct\nos.write(5, struct.pack('<IIiI', 19, " + forged + ", 1) + b'x')", "z = 2.0"}),
        {{"y", "y", ""}, {"z", "z", ""}}, quick());
    BOOST_TEST(verdict(g.values[0]) == "value", g.values[0].message);
    BOOST_TEST(verdict(g.values[1]) == "value", g.values[1].message);
    if (forged == "2, 1") {
      BOOST_TEST(g.failures.empty());
    } else {
      BOOST_REQUIRE_EQUAL(g.failures.size(), 1u);
      BOOST_TEST(contains(g.failures[0].message, "a quote out of place"), forged << ": " << g.failures[0].message);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_million_failing_statements_cost_the_grader_a_few_hundred_kept) {
  // Found by a hostile-student helper: the grader kept every unit's record, so a script of
  // many statements that each fail (or a child forging their records) took it to gigabytes.
  std::string script = "good = 1.0\n";
  for (int i = 0; i < 3000; ++i) script += "1/0\n";
  const auto r = run("A2S1.py", script, {{"good", "good", ""}}, quick());
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(r.failures.size() == 256u);
  BOOST_TEST(r.more_failures == 3000u - 256u);
  BOOST_TEST(contains(r.failures.back().message, "ZeroDivisionError"), r.failures.back().message);
}

BOOST_AUTO_TEST_CASE(failures_kept_stay_a_few_hundred_over_every_child_of_a_hand_in) {
  // Found by the re-attack: the cap held per child, and a hand-in whose children each failed in
  // other units (then ended, so that another started) grew the grader's map by as many each
  // time. Here 594 statements fail at random, and six end their child: seven children.
  std::string script = "import os\ngood = 1.0\n";
  for (int i = 1; i <= 600; ++i)
    script += i % 100 == 0 ? "os._exit(3)\n" : "if os.urandom(1)[0] % 2: raise ValueError('unlucky')\n";
  const auto r = run("A2S1.py", script, {{"good", "good", ""}}, quick());
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(r.processes == 7);                 // the first child and one after each of the six ends
  BOOST_TEST(r.failures.size() <= 256u + 6u);  // the kept ones, and the six ends
  BOOST_TEST(r.more_failures > 0u);
}

BOOST_AUTO_TEST_CASE(records_forged_in_their_thousands_are_read_in_order_and_counted_not_kept) {
  // Found by the same helper: a child ended its own unit, then claimed every later one did
  // not parse (what its code may do: it shares the process), 2 KB of text each, and the grader
  // kept them all; written as fast as the grader read them, status bytes past 1 MiB waiting
  // were dropped, and the records' framing with them ("a record longer than the protocol
  // allows" after about 500 records, every run, before the fix).
  const std::string code =
      "import os, struct, time\n"
      "t = b'y' * 2000\n"
      "m = memoryview(b''.join(struct.pack('<IIiI', 11, k, 2, len(t)) + t for k in range(3000)))\n"
      "while len(m):\n"
      "    try:\n"
      "        m = m[os.write(5, m):]\n"
      "    except BlockingIOError:\n"
      "        time.sleep(0.0002)\n"
      "os._exit(0)\n";
  std::string script = "exec(" + nlohmann::json(code).dump() + ")\n";
  for (int i = 1; i < 3000; ++i) script += "0\n";
  const auto r = run("A2S1.py", script, {{"x", "x", ""}}, quick());
  BOOST_TEST(contains(r.values[0].message, "ended Python itself"), r.values[0].message);
  BOOST_TEST(!contains(r.values[0].message, "longer than the protocol"), r.values[0].message);
  BOOST_TEST(r.failures.size() == 256u);
  BOOST_TEST(r.more_failures == 3000u - 256u);
}

BOOST_AUTO_TEST_CASE(a_cell_slowed_by_other_processes_is_not_timed_out_but_a_hang_still_is) {
  // Found by a hostile-student helper: a classmate's notebook spinning 15 threads at -j 2 made
  // an honest, slow notebook run out of its wall-clock limits. Time spent waiting for a CPU
  // that others held moves the deadlines. Twelve busy processes on this machine's cores, for at
  // most 60 s, while a cell needs 1.5 s of CPU under a 3 s limit: without the credit it would
  // need ten times that. (Before the wait still under way at a sample was carried to the next
  // one, the credit fell short here and this failed. Under a 2 s limit it failed twice in CI,
  // beside test_cli on two cores, where a wall of 10 to 15 s left 0.5 s for all the kernel does
  // not count as waiting for a CPU; measured here, the credit was within 60 ms of the wait the
  // kernel counted, in 13 s, with and without test_cli beside it.)
  std::optional<BusyProcesses> busy(std::in_place, 60);
  python::Limits limits = quick();
  limits.unit_seconds = 3;
  const auto start = std::chrono::steady_clock::now();
  const auto r = run("A2S1.py",
                     cells({"import time\nstart = time.process_time()\n"
                            "while time.process_time() - start < 1.5: pass\nslow = torch.ones(1)",
                            "import time\ntime.sleep(100)"}),
                     {{"slow", "slow", ""}, {"good", "good", ""}}, limits);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  busy.reset();
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message << " (" << seconds << " s)");
  BOOST_TEST(verdict(r.values[1]) == "value", r.values[1].message);
  // The sleep (a wait, no CPU) is interrupted where it is.
  BOOST_TEST(contains(failure_with(r, "no end after 3 s"), "line 11: no end after 3 s"), failure_with(r, "no end"));
}

BOOST_AUTO_TEST_CASE(waiting_under_cells_that_ended_in_time_still_moves_the_budget) {
  // Found by a hostile-student helper: after waiting under cells that ended in time stopped
  // moving later cells' limits, it stopped moving the budget too, and a classmate's spinning
  // threads at -j 2 ran an honest notebook of many short calls out of its budget. Forty cells
  // of 0.1 s of CPU each, every one in time under its 2 s even with twelve busy processes on
  // this machine's cores, and a budget of 8 s: the waiting they did moves it.
  std::optional<BusyProcesses> busy(std::in_place, 90);
  python::Limits limits = quick();
  limits.budget_seconds = 8;
  std::vector<std::string> body(40, "start = time.process_time()\nwhile time.process_time() - start < 0.1: pass");
  body.front() = "import time\n" + body.front();
  body.push_back("done = 1.0");
  const auto start = std::chrono::steady_clock::now();
  const auto r = run("A2S1.py", cells(body), {{"done", "done", ""}}, limits);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  busy.reset();
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message << " (" << seconds << " s)");
  BOOST_TEST(r.failures.size() == 0u, (r.failures.empty() ? "" : r.failures.front().message));
}

/// What the freezers below share: the processes under `root` (this test's process), all but
/// the freezer itself, and `python(p)`, whether one is a Python interpreter (the zygote or its
/// children).
const std::string kProcessTree = R"(import os, signal, sys, time
root, me = int(sys.argv[1]), os.getpid()
def tree():
    parents, names = {}, {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                s = open(f'/proc/{d}/stat').read()
            except OSError:
                continue
            parents[int(d)], names[int(d)] = int(s[s.rindex(')') + 2:].split()[1]), s[s.index('(') + 1:s.rindex(')')]
    under = []
    for p in parents:
        q = p
        while q in parents and q not in (root, me) and q > 1:
            q = parents[q]
        if q == root:
            under.append(p)
    return under, parents, names
def signal_all(under, sig):
    for p in under:
        os.kill(p, sig)
)";

/// Starts `script` (after kProcessTree) with this process as its root and `more` arguments.
pid_t start_freezer(const std::string& script, std::vector<std::string> more = {}) {
  std::vector<std::string> argv_text = {"/usr/bin/python3", "-c", kProcessTree + script, std::to_string(getpid())};
  argv_text.insert(argv_text.end(), more.begin(), more.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  BOOST_REQUIRE(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
  return pid;
}

bool ended_well(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// Runs a hand-in so that the zygote runs, then a freezer (start_freezer) that stops every
/// zygote under this process and runs `then`; returns once the zygotes are stopped, so that
/// the test's next hand-in waits for them. The freezer fails if it found no zygote.
pid_t stop_the_zygotes_then(const std::string& then) {
  run("A2S1.py", "warm = 1", {{"warm", "warm", ""}}, quick());
  const auto flag = std::filesystem::temp_directory_path() / ("zygotes-stopped-" + std::to_string(getpid()));
  std::filesystem::remove(flag);
  const pid_t freezer = start_freezer(R"(
under, parents, names = tree()
zygotes = [p for p in under if names[p].startswith('python') and not names.get(parents[p], '').startswith('python')]
signal_all(zygotes, signal.SIGSTOP)
open(sys.argv[2], 'w').close()  # the test now asks the zygote for a child
)" + then + "sys.exit(0 if zygotes else 1)\n",
                                      {flag.string()});
  for (int i = 0; i < 600 && !std::filesystem::exists(flag); ++i) usleep(100000);
  BOOST_REQUIRE(std::filesystem::exists(flag));
  std::filesystem::remove(flag);
  return freezer;
}

BOOST_AUTO_TEST_CASE(a_cell_stopped_with_the_whole_grader_is_not_timed_out_but_a_hang_still_is) {
  // Found by a helper: the whole job stopped for 11 s (SIGSTOP of every process, as a Slurm
  // suspend or a paused virtual machine does) timed out an honest notebook, and --resume kept
  // the zero. Here a process outside the tree stops this test's process and every process under
  // it for 4 s, once the Python child runs its first cell (1.5 s of sleep under a 2 s limit).
  const pid_t frozen_by = start_freezer(R"(
for _ in range(600):  # a Python child of the zygote, for at most 60 s
    under, parents, names = tree()
    if any(names[p].startswith('python') and names.get(parents[p], '').startswith('python') for p in under):
        break
    time.sleep(0.1)
time.sleep(0.5)
under, _, _ = tree()
signal_all(under, signal.SIGSTOP)
time.sleep(4)
signal_all(under, signal.SIGCONT)
)");
  const auto start = std::chrono::steady_clock::now();
  const auto r =
      run("A2S1.py", cells({"import time\ntime.sleep(1.5)\nslow = torch.ones(1)", "import time\ntime.sleep(100)"}),
          {{"slow", "slow", ""}, {"good", "good", ""}}, quick());
  BOOST_TEST(ended_well(frozen_by));
  BOOST_TEST(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > 4.0);  // stopped
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(verdict(r.values[1]) == "value", r.values[1].message);
  BOOST_TEST(contains(failure_with(r, "no end after 2 s"), "line 10: no end after 2 s"), failure_with(r, "no end"));
}

BOOST_AUTO_TEST_CASE(a_grader_stopped_while_it_waits_for_the_zygote_does_not_give_up_on_it) {
  // The grader waits at most 30 s for the zygote to answer a request. Stopped for longer while it
  // waits (the whole job suspended), it found that time past and ended with "did not answer in
  // time". Here the zygote is stopped first, so that the grader waits for it, then the grader
  // and everything under it for 32 s.
  const pid_t frozen_by = stop_the_zygotes_then(R"(
time.sleep(1)
under, _, _ = tree()
signal_all(under, signal.SIGSTOP)
time.sleep(32)
signal_all(under, signal.SIGCONT)
print(len(zygotes), 'zygote(s)')
)");
  const auto start = std::chrono::steady_clock::now();
  const auto r = run("A2S1.py", "after = [1.0, 2.0]", {{"after", "after", ""}}, quick());
  BOOST_TEST(ended_well(frozen_by));
  BOOST_TEST(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > 32.0);  // stopped
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
}

BOOST_AUTO_TEST_CASE(a_zygote_slow_to_answer_spends_none_of_the_notebooks_budget) {
  // The budget is spent only while the hand-in's children run: the grader's wait for the zygote
  // (slow to fork on a loaded machine; here stopped for 6 s) and its own work between children
  // are not the notebook's time. Before, the budget ran from the grader's first step, and a
  // stop of the whole job that landed outside the waits that credit it ran an honest notebook
  // out of its budget (seen in CI beside a sanitizer build).
  const pid_t slowed_by = stop_the_zygotes_then(R"(
time.sleep(6)
signal_all(zygotes, signal.SIGCONT)
)");
  python::Limits limits = quick();
  limits.budget_seconds = 4;
  const auto start = std::chrono::steady_clock::now();
  const auto r = run("A2S1.py", "import time\ntime.sleep(1)\nafter = [1.0, 2.0]", {{"after", "after", ""}}, limits);
  BOOST_TEST(ended_well(slowed_by));
  BOOST_TEST(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > 5.0);  // it waited
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
}

BOOST_AUTO_TEST_CASE(blank_lines_alone_are_nothing_printed) {
  // Found by a student helper: a notebook whose only prints were empty `print()`s showed the
  // heading of what it printed over nothing. A line with words keeps the blank ones beside it.
  const auto blank =
      run("A2S1.py", cells({"print()\nprint('   ')", "done = torch.ones(1)"}), {{"done", "done", ""}}, quick());
  BOOST_TEST(verdict(blank.values[0]) == "value", blank.values[0].message);
  BOOST_TEST(blank.output == "", blank.output);
  const auto words =
      run("A2S1.py", cells({"print()\nprint('shape')", "done = torch.ones(1)"}), {{"done", "done", ""}}, quick());
  BOOST_TEST(words.output == "\nshape\n", words.output);
}

BOOST_AUTO_TEST_CASE(printed_output_past_the_limit_keeps_its_start_and_its_end_in_whole_lines) {
  // Found by a helper trying the homework as a student: debug prints past the limit were cut in
  // the middle of a line, the test cells' last prints were lost, and "[... output truncated]"
  // said nothing of how much.
  const auto r =
      run("A2S1.py", cells({"for i in range(20000): print(f'line {i}')", "print('the end')", "done = torch.ones(1)"}),
          {{"done", "done", ""}}, quick());
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(r.output.size() <= python::Limits{}.capture_bytes + 64);
  BOOST_TEST(r.output.rfind("line 0\nline 1\n", 0) == 0u, r.output.substr(0, 40));
  BOOST_TEST(r.output.size() >= 8u);
  BOOST_TEST(r.output.substr(r.output.size() - 8) == "the end\n");
  std::size_t total = std::string("the end\n").size(), kept = 0, left_out = 0, markers = 0;
  for (int i = 0; i < 20000; ++i) total += ("line " + std::to_string(i) + "\n").size();
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("[... ", 0) == 0) {
      ++markers;
      BOOST_TEST(contains(line, " bytes of output left out ...]"), line);
      left_out = std::stoul(line.substr(5));
      continue;
    }
    kept += line.size() + 1;
    const bool whole = line == "the end" || (line.rfind("line ", 0) == 0 && line.size() > 5 &&
                                             line.find_first_not_of("0123456789", 5) == std::string::npos);
    BOOST_TEST(whole, "a line cut short: '" << line << "'");
  }
  BOOST_TEST(markers == 1u);
  BOOST_TEST(kept + left_out == total);
  // Across children: a cell that crashes ends the first, a fresh one prints the rest (found by
  // a hostile-student helper: its lines came before the first child's end, over the limit, and
  // the lines between were lost without a count).
  const auto two = run("A2S1.py",
                       cells({"for i in range(2000): print(f'a {i:05}')", "import os; os.abort()",
                              "for i in range(2000): print(f'b {i:05}')", "print('the end')", "done = torch.ones(1)"}),
                       {{"done", "done", ""}}, quick());
  BOOST_TEST(two.processes == 2);
  BOOST_TEST(two.output.size() <= python::Limits{}.capture_bytes + 64);
  BOOST_TEST(two.output.rfind("a 00000\n", 0) == 0u, two.output.substr(0, 40));
  BOOST_TEST(two.output.substr(two.output.size() - 8) == "the end\n");
  std::istringstream in_order(two.output);
  std::string previous;
  kept = left_out = markers = 0;
  for (std::string line; std::getline(in_order, line);) {
    if (line.rfind("[... ", 0) == 0) {
      ++markers;
      left_out = std::stoul(line.substr(5));
      continue;
    }
    kept += line.size() + 1;
    BOOST_TEST((line == "the end" || (line.size() == 7 && line < "c")), "a line cut short: '" << line << "'");
    BOOST_TEST(previous < line, previous << " then " << line);  // a, then b, in order, then "the end"
    previous = line;
  }
  BOOST_TEST(markers == 1u);
  BOOST_TEST(kept + left_out == 2u * 2000u * 8u + 8u);
}

BOOST_AUTO_TEST_CASE(a_cell_that_hangs_or_crashes_is_skipped_and_the_others_are_graded) {
  const auto r =
      run("A2S1.py",
          cells({"first = torch.zeros(3)", "while True: pass", "os._exit(0)", "import ctypes; ctypes.string_at(0)",
                 "x = bytearray(10 * 1024**3)", "print('x' * 10_000_000)", "torch.softmax = lambda *a, **k: 'patched'",
                 "last = torch.ones(1)"}),
          {{"first", "first", ""}, {"good", "good", ""}, {"last", "last", ""}}, quick());
  for (const auto& v : r.values) BOOST_TEST(verdict(v) == "value", v.message);
  // The endless loop is interrupted, as Jupyter's interrupt does: told where, in the same child.
  BOOST_TEST(contains(failure_with(r, "wall-clock"), "line 7: no end after 2 s of wall-clock time"),
             failure_with(r, "wall-clock"));
  BOOST_TEST(contains(failure_with(r, "wall-clock"), "stopped at this line"), failure_with(r, "wall-clock"));
  BOOST_TEST(!failure_with(r, "os._exit(0)").empty());
  BOOST_TEST(!failure_with(r, "SIGSEGV").empty());
  BOOST_TEST((!failure_with(r, "MemoryError").empty() || !failure_with(r, "memory").empty()));
  BOOST_TEST(r.output.size() < 17000u);
  BOOST_TEST(contains(r.output, " bytes of output left out ...]"), r.output.substr(0, 200));
  BOOST_TEST(r.processes == 3);  // the exit and the crash each end a child
}

BOOST_AUTO_TEST_CASE(an_interrupted_cell_keeps_what_it_did_before_and_one_that_ignores_it_ends_its_child) {
  // Found by a helper playing a student: a debugging loop that never ends, after the answers in
  // the same cell, cost both answers, where Jupyter's interrupt keeps them.
  const auto r = run(
      "A2S1.py",
      cells({"before = torch.ones(2)\nwhile True: pass\nafter = torch.ones(2)", "import time\nx = 1\ntime.sleep(100)",
             "y = 2\n" + std::string(kUninterruptible), "last = torch.ones(1)"}),
      {{"before", "before", ""}, {"after", "after", ""}, {"x", "x", ""}, {"y", "y", ""}, {"last", "last", ""}},
      quick());
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(verdict(r.values[1]) == "timed_out", r.values[1].message);
  BOOST_TEST(contains(r.values[1].message, "no end after 2 s of wall-clock time"), r.values[1].message);
  BOOST_TEST(verdict(r.values[2]) == "value", r.values[2].message);  // a wait is interrupted too
  // A cell that catches the interrupt is ended with its child 2 s later: as before interrupts,
  // what it did is lost, and a fresh child runs the cells after it.
  BOOST_TEST(verdict(r.values[3]) == "timed_out", r.values[3].message);
  // It is told that it had the interrupt's 2 s too.
  BOOST_TEST(contains(failure_with(r, "nor within"),
                      "no end after 2 s of wall-clock time in cell 3 (line 13), nor within 2 s of the interrupt"),
             failure_with(r, "no end"));
  BOOST_TEST(verdict(r.values[4]) == "value", r.values[4].message);
  BOOST_TEST(r.processes == 2);
}

BOOST_AUTO_TEST_CASE(a_budget_spent_by_hung_cells_says_where_it_ran_out_and_what_spent_it) {
  // Found by a helper: a notebook whose cells all hung told each answer only that the budget
  // ran out, never that its cells had spent it.
  python::Limits limits = quick();
  limits.unit_seconds = 1;
  limits.budget_seconds = 2.5;
  const auto r = run("A2S1.py",
                     cells({"import time\nwhile True: time.sleep(0.01)", "import time\nwhile True: time.sleep(0.01)",
                            "import time\nwhile True: time.sleep(0.01)", "last = torch.ones(1)"}),
                     {{"last", "last", ""}}, limits);
  BOOST_TEST(verdict(r.values[0]) == "timed_out", verdict(r.values[0]) << ": " << r.values[0].message);
  BOOST_TEST(contains(r.values[0].message, "time budget of 2.5 s (python.budget_seconds) ran out before its end, in cell"),
             r.values[0].message);
  BOOST_TEST(contains(r.values[0].message, "before it had spent most of it, each ending only at its time limit"),
             r.values[0].message);
}

BOOST_AUTO_TEST_CASE(a_hang_quoted_by_a_later_cell_is_not_told_at_that_cells_line) {
  // Found by an instructor helper: "weights is defined by cell 7 (...), which failed before: no
  // end after 10 s ...: stopped at this line", in cell 11's message, read as cell 11's line.
  python::Limits limits = quick();
  limits.unit_seconds = 1;
  const auto r = run("A2S1.py", cells({"import time\nweights = time.sleep(30)", "later = weights + 1"}),
                     {{"later", "later", ""}}, limits);
  BOOST_TEST(contains(r.values[0].message, "weights is defined by the cell at line 3, which failed before: no end "
                                           "after 1 s of wall-clock time"),
             r.values[0].message);
  BOOST_TEST(!contains(r.values[0].message, "this line"), r.values[0].message);
}

BOOST_AUTO_TEST_CASE(answers_made_before_the_budget_ran_out_are_still_taken) {
  // A notebook whose slow cells spent its budget lost every answer, those of the cells before
  // them too (issue 12: "answers defined before it are still graded"). The cell the budget runs
  // out in is stopped as an interrupt stops it; nothing after it runs, and the answers are taken
  // as they stand: those made before, and the cell's own work up to where it stopped.
  // Two cells of 2 s each spend 4 s; the budget runs out 1.2 s into the fourth cell.
  python::Limits limits = quick();
  limits.unit_seconds = 2;
  limits.budget_seconds = 5.2;
  const std::string slow = "import time\nwhile True: time.sleep(0.01)";
  const auto r = run(
      "A2S1.py",
      cells({"first = torch.ones(2)", slow, slow, "partial = [1.0]\nimport time\nwhile True: time.sleep(0.01)",
             "last = torch.ones(1)", "def f(x):\n    return x"}),
      {{"first", "first", ""}, {"partial", "partial", ""}, {"last", "last", ""}, {"snap", "first", "def f"}}, limits);
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(verdict(r.values[1]) == "value", r.values[1].message);  // made before it stopped
  BOOST_TEST(verdict(r.values[2]) == "timed_out", r.values[2].message);
  BOOST_TEST(contains(r.values[2].message,
                      "'last' is not defined where your notebook stopped: the notebook's time "
                      "budget of 5.2 s (python.budget_seconds) ran out before its end, in cell"),
             r.values[2].message);
  BOOST_TEST(contains(r.values[2].message, "; 2 places before it had spent most of it"), r.values[2].message);
  // Taken at a cell that never ran: the budget, not the value the name held before.
  BOOST_TEST(verdict(r.values[3]) == "timed_out", r.values[3].message);
  BOOST_TEST(contains(r.values[3].message, "time budget of 5.2 s"), r.values[3].message);
  BOOST_TEST(contains(failure_with(r, "ran out here"),
                      ": the notebook's time budget of 5.2 s (python.budget_seconds) ran out here: stopped at "
                      "this line; nothing after it ran, and the answers were taken as they stood"),
             failure_with(r, "ran out"));
  BOOST_TEST(r.processes == 1);
  // A cell that ignores the interrupt ends its child, as before: every answer not taken is the
  // budget's.
  const auto caught =
      run("A2S1.py", cells({"first = torch.ones(2)", slow, kUninterruptible}), {{"first", "first", ""}}, limits);
  BOOST_TEST(verdict(caught.values[0]) == "timed_out", caught.values[0].message);
  BOOST_TEST(contains(caught.values[0].message, "time budget of 5.2 s"), caught.values[0].message);
}

BOOST_AUTO_TEST_CASE(a_budget_running_out_as_an_interrupted_cell_stops_still_takes_the_answers) {
  // Found by a hostile helper: still stopping in the 2 s more it has after its own time ran
  // out (inside one long C operation), a cell was ended as the budget ran out, and every answer
  // was lost. Here the cell's own time runs out 3 s into it, it goes on, and the budget runs out
  // about 3.5 s into it, within those 2 s (with room on both sides for a busy machine, which
  // moves the budget by the waiting before the cell too).
  python::Limits limits = quick();
  limits.unit_seconds = 3;
  limits.budget_seconds = 4;
  const std::string going_on = "import time\ntry:\n    time.sleep(100)\nexcept KeyboardInterrupt:\n    time.sleep(100)";
  const auto r = run("A2S1.py", cells({"first = torch.ones(2)", going_on, "last = torch.ones(1)"}),
                     {{"first", "first", ""}, {"last", "last", ""}}, limits);
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(verdict(r.values[1]) == "timed_out", r.values[1].message);
  BOOST_TEST(
      contains(failure_with(r, "(python.budget_seconds)"), "time budget of 4 s (python.budget_seconds) ran out here"),
      failure_with(r, "line"));
}

BOOST_AUTO_TEST_CASE(answers_bound_after_the_budget_ran_out_are_not_taken) {
  // Found by a hostile helper: the cell the budget ran out in caught the interrupt and bound
  // the answers then; and a notebook's own builtins computed an answer as it was looked up.
  // Answers are taken as their variables stood when the budget ran out, with Python's builtins.
  python::Limits limits = quick();
  limits.unit_seconds = 4;
  limits.budget_seconds = 2;
  const auto r =
      run("A2S1.py",
          cells({"before = torch.ones(2)\nlater = torch.ones(3)",
                 "import builtins, time\nclass Hook(dict):\n    def __getitem__(self, name):\n"
                 "        return torch.ones(4) if name == 'hooked' else dict.__getitem__(self, name)\n"
                 "globals()['__builtins__'] = Hook(vars(builtins))\n"
                 "builtins.hooked = torch.ones(6)\n"
                 "try:\n    time.sleep(100)\nexcept KeyboardInterrupt:\n"
                 "    later = torch.zeros(3)\n    after = torch.ones(5)\n    before.mul_(7)"}),
          {{"before", "before", ""}, {"later", "later", ""}, {"after", "after", ""}, {"hooked", "hooked", ""}}, limits);
  BOOST_REQUIRE(r.values[1].value.has_value());
  BOOST_TEST(r.values[1].value->values()[0] == 1.0);  // as it stood, not the zeros bound after
  BOOST_TEST(verdict(r.values[2]) == "timed_out", r.values[2].message);
  // No cell assigns it (a hook or the builtins module computed it): not the budget's to blame.
  BOOST_TEST(verdict(r.values[3]) == "missing", r.values[3].message);
  BOOST_TEST(!contains(r.values[3].message, "budget"), r.values[3].message);
  // Changed in place after the cut: what the notebook had bound before, as it is at the end.
  BOOST_REQUIRE(r.values[0].value.has_value());
  BOOST_TEST(r.values[0].value->values()[0] == 7.0);
  BOOST_TEST(contains(failure_with(r, "caught the interrupt"),
                      "the notebook's time budget of 2 s (python.budget_seconds) ran out as this cell ended, or in "
                      "it and it caught the interrupt (KeyboardInterrupt) and went on"),
             failure_with(r, "line"));
}

BOOST_AUTO_TEST_CASE(waiting_under_cells_that_ended_in_time_buys_later_cells_nothing) {
  // Found by a hostile-student helper: cells that ended in time, whose threads on one CPU made
  // their main thread wait (in 20 ms slots, then all asleep, so that the wait looked like
  // another process's), banked that waiting, and every later cell and call ran that much
  // longer: a call too slow by 2 s passed. A cell's deadline is moved only by its own waiting.
  const std::string earn = R"(import os, threading, time
import numpy as np
M = np.random.rand(160, 160)
def worker(stop_at):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    while time.monotonic() < stop_at:
        now = time.monotonic()
        slot = int(now * 1000) // 20
        if slot % 2 == 0:
            while time.monotonic() < min((slot + 1) * 20 / 1000, stop_at):
                M @ M
        else:
            time.sleep(max(0, (slot + 1) * 20 / 1000 - now))
def earn(seconds):
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=worker, args=(stop_at,)) for _ in range(3)]
    for t in threads: t.start()
    worker(stop_at)
    for t in threads: t.join()
    os.sched_setaffinity(0, set(range(os.cpu_count())))
earn(1.6))";
  const auto r =
      run("A2S1.py",
          cells({earn, "earn(1.6)", "earn(1.6)", "earn(1.6)", "earn(1.6)", "earn(1.6)",
                 "import time\nt0 = time.monotonic()\ntry:\n    while True:\n        x = 1\n"
                 "except KeyboardInterrupt:\n    print('interrupted after', round(time.monotonic() - t0, 2))"}),
          {}, quick());
  const auto at = r.output.find("interrupted after ");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, r.output);
  const double after = std::stod(r.output.substr(at + 18));
  // Not 2 s and the waiting of the six cells before: 0.45 s banked by each would pass 4.6 s
  // (three cells before, under a bound of 3.6 s, needed 0.55 s each); some waiting of its own,
  // on a machine busy with other tests (3.17 s in a CI run beside test_cli, 3.7 s beside a
  // build as well, which failed that bound).
  BOOST_TEST(after < 4.6, after << " s for a cell of 2 s");
}

BOOST_AUTO_TEST_CASE(a_notebook_whose_own_threads_starve_its_main_thread_gets_no_more_time) {
  // Found by a helper: each cell pinned the child to one CPU and started spinning threads, so
  // that its main thread waited 7/8 of the time; that wait was credited as a busy machine's,
  // and a 8 s budget lasted 51 s. Only time in which none of a child's threads ran is credited.
  python::Limits limits = quick();
  limits.unit_seconds = 1;
  limits.budget_seconds = 3;
  // numpy's matrix product lets go of the GIL: the threads spin on the CPU, not on the lock.
  const std::string hog = R"(import os, threading
import numpy as np
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
def spin():
    a = np.random.rand(200, 200)
    while True: a @ a
for _ in range(7): threading.Thread(target=spin, daemon=True).start()
spin())";
  const auto start = std::chrono::steady_clock::now();
  const auto r =
      run("A2S1.py", cells({hog, hog, hog, hog, hog, hog, "last = torch.ones(1)"}), {{"last", "last", ""}}, limits);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Each cell is interrupted, then its threads hold the child's threads up to its limit: the
  // last cells fail at once, and `last` is defined; or the budget ran out before.
  BOOST_TEST((verdict(r.values[0]) == "value" || contains(r.values[0].message, "time budget of 3 s")),
             verdict(r.values[0]) << ": " << r.values[0].message);
  // The budget, a child's start and the zygote's (the first hand-in of this process may start
  // it), not the 8 x 1 s per cell the credit gave before.
  BOOST_TEST(seconds < 12.0, seconds << " s for a budget of 3 s");
}

BOOST_AUTO_TEST_CASE(waiting_behind_its_own_threads_then_sleeping_buys_no_time_either) {
  // Found by a helper after the fix above: cells that spin (the main thread waiting behind the
  // child's own threads), then cells that sleep (no thread running), paired the one's waiting
  // with the other's idle time in the totals, and finished 8.8 s of cells in a 6 s budget.
  // Waiting and idle time are now compared over each short sample.
  python::Limits limits = quick();
  limits.unit_seconds = 3;
  limits.budget_seconds = 6;
  const std::string spin = R"(import os, threading, time, hashlib
buffer = bytes(1 << 22)
cpu = {min(os.sched_getaffinity(0))}
os.sched_setaffinity(0, cpu)
stop = time.monotonic() + SECONDS
def work():
    while time.monotonic() < stop: hashlib.sha256(buffer)
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads: t.start()
work()
for t in threads: t.join())";
  const auto seconds = [&](const char* s) { return std::string(spin).replace(spin.find("SECONDS"), 7, s); };
  const auto r = run("A2S1.py",
                     cells({seconds("2.0"), seconds("1.8"), "import time\ntime.sleep(2.5)",
                            "import time\ntime.sleep(2.5)", "last = torch.ones(1)"}),
                     {{"last", "last", ""}}, limits);
  BOOST_TEST(verdict(r.values[0]) == "timed_out", verdict(r.values[0]) << ": " << r.values[0].message);
}

BOOST_AUTO_TEST_CASE(what_a_cell_printed_is_kept_once_when_a_later_cell_ends_the_child) {
  // Each hang or crash ends a child; the next runs the earlier cells again, silently.
  const auto r = run("A2S1.py",
                     cells({"print('from cell 1 \u2713 caf\u00e9')", kUninterruptible, "print('from cell 3')",
                            "import ctypes; ctypes.string_at(0)", "print('from cell 5')\nlast = torch.ones(1)"}),
                     {{"last", "last", ""}}, quick());
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(r.processes == 3);
  for (const char* line : {"from cell 1 \u2713 caf\u00e9\n", "from cell 3\n", "from cell 5\n"}) {
    const auto first = r.output.find(line);
    BOOST_TEST((first != std::string::npos && r.output.find(line, first + 1) == std::string::npos),
               line << " once in: " << r.output);
  }
  BOOST_TEST(r.output.find("from cell 1") < r.output.find("from cell 3"));
  // A notebook that closes every descriptor it can while the replacement child silences it
  // (the copies of its output among them) loses its own later output, and nothing else.
  const auto closing = run("A2S1.py",
                           cells({"import os\nfor fd in range(6, 64):\n    try: os.close(fd)\n    except OSError: pass",
                                  kUninterruptible, "print('after')\nlast = torch.ones(1)"}),
                           {{"last", "last", ""}}, quick());
  BOOST_TEST(verdict(closing.values[0]) == "value", closing.values[0].message);
  BOOST_TEST(closing.processes == 2);
}

BOOST_AUTO_TEST_CASE(a_failed_cell_is_marked_where_it_failed_among_what_was_printed) {
  // Found by a student helper: a Colab download runs statement by statement, and what it printed
  // after a failed line showed the values of before, with nothing to say so.
  const auto r =
      run("A2S1.py", "import torch\nx = torch.ones(1)\nprint('before')\nx, y = None\nprint('after', x)\nlast = x\n",
          {{"last", "last", ""}}, quick());
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  BOOST_TEST(r.output ==
                 "before\n[failed here, at line 4: TypeError: cannot unpack non-iterable NoneType object]\n"
                 "after tensor([1.])\n",
             r.output);
  // A cell that does not parse too; each once, though a cell that hangs and ignores its
  // interrupt makes a fresh child run the cells before it again.
  const auto again = run(
      "A2S1.py", cells({"print('one')\n1 / 0", "m_key[2] =", kUninterruptible, "print('two')\nlast = torch.ones(1)"}),
      {{"last", "last", ""}}, quick());
  BOOST_TEST(again.processes == 2);
  BOOST_TEST(occurrences(again.output, "[failed here, at") == 2, again.output);
  BOOST_TEST(contains(again.output,
                      "one\n[failed here, at line 5: ZeroDivisionError: division by zero]\n"
                      "[failed here, at line 8: SyntaxError: invalid syntax]\ntwo\n"),
             again.output);
}

BOOST_AUTO_TEST_CASE(an_answer_whose_own_cell_hung_or_crashed_takes_that_verdict) {
  // Found by a hostile-student helper: the cell an answer is taken at hung (a stub replaced by
  // a loop that never ends); it was skipped by the next child, and the answer was told to
  // "assign it in your notebook; did you mean 'key'?".
  auto limits = python::Limits{};
  limits.unit_seconds = 1;
  const auto r = run("A2S1.py",
                     "import torch\nkey = torch.eye(3)\n\n# Exercise A: replace key[2]\nwhile True:\n    pass\n\n"
                     "\"\"\"## Next\"\"\"\nx = 1\n",
                     {{"m_key", "m_key", "Exercise A"}}, limits);
  BOOST_TEST(verdict(r.values[0]) == "timed_out", r.values[0].message);
  BOOST_TEST(contains(r.values[0].message, "line 5"), r.values[0].message);
  BOOST_TEST(!contains(r.values[0].message, "did you mean"), r.values[0].message);
}

BOOST_AUTO_TEST_CASE(lying_objects_are_refused_with_their_type_named) {
  const auto r = run("A2S1.py",
                     "import numpy as np, torch\n"
                     "class Liar(torch.Tensor):\n"
                     "    @classmethod\n"
                     "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
                     "        return torch.zeros(3)\n"
                     "class Fake(np.ndarray):\n"
                     "    def __array_function__(self, *a, **k): return True\n"
                     "liar = Liar(torch.ones(3))\n"
                     "fake = np.ones(3).view(Fake)\n"
                     "text = 'a string'\n"
                     "nothing = None\n"
                     "complex_ = torch.ones(2, dtype=torch.complex64)\n"
                     "param = torch.nn.Parameter(torch.ones(2, 2))\n"
                     "half = torch.ones(2, dtype=torch.bfloat16)\n"
                     "strided = torch.arange(6.).reshape(2, 3).t()\n",
                     {{"liar", "liar", ""},
                      {"fake", "fake", ""},
                      {"text", "text", ""},
                      {"nothing", "nothing", ""},
                      {"complex_", "complex_", ""},
                      {"param", "param", ""},
                      {"half", "half", ""},
                      {"strided", "strided", ""}});
  BOOST_TEST(verdict(r.values[0]) == "unreadable");
  BOOST_TEST(contains(r.values[0].message, "Liar, a subclass of torch.Tensor"), r.values[0].message);
  BOOST_TEST(contains(r.values[1].message, "Fake, a subclass of numpy.ndarray"), r.values[1].message);
  // Said with what to hand in instead, and no "not numbers" after it.
  BOOST_TEST(contains(r.values[1].message, "hand in a plain numpy.ndarray (np.asarray(x))"), r.values[1].message);
  BOOST_TEST(contains(r.values[0].message, "x.as_subclass(torch.Tensor)"), r.values[0].message);
  BOOST_TEST(!contains(r.values[1].message, "not numbers"), r.values[1].message);
  BOOST_TEST(contains(r.values[2].message, "'text' is a str"), r.values[2].message);
  BOOST_TEST(r.values[3].message ==
                 "'nothing' is None, not numbers: give it its value (line 11 assigns it None: an exercise left to do?)",
             r.values[3].message);
  BOOST_TEST(contains(r.values[2].message,
                      "'text' is a str, not numbers: make it a torch.Tensor, a numpy array, or a "
                      "list of numbers"),
             r.values[2].message);
  BOOST_TEST(contains(r.values[4].message, "complex"), r.values[4].message);
  for (std::size_t i = 5; i < 8; ++i) BOOST_TEST(verdict(r.values[i]) == "value", r.values[i].message);
  BOOST_REQUIRE(r.values[7].value.has_value());
  BOOST_TEST((*r.values[7].value)[1] == 3.0);  // the transpose, read in its own order
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(functions)

/// Calls of `function` on (batch, block, d) inputs of ones and twos.
python::Work calls_of(const std::string& function, std::size_t n, std::vector<std::string> outputs,
                      const std::string& cell = "") {
  python::Work work;
  work.bindings.push_back({function, cell, {}});
  for (std::size_t i = 0; i < n; ++i) {
    python::FunctionCall call;
    call.inputs = {Tensor::filled({1, 2, 3}, 1.0), Tensor::filled({1, 2, 3}, 2.0), Tensor::filled({1, 2, 3}, 0.5)};
    call.arguments = {{0, "", false, ""}, {1, "", false, ""}, {2, "", false, ""}};
    call.outputs = outputs;
    call.group = static_cast<int>(i);
    call.seed = i;
    work.calls.push_back(call);
  }
  return work;
}

python::Run call(const std::string& source, const python::Work& work, python::Limits limits = {}) {
  limits.call_seconds = 2;
  return python::run(HandIn{"hw.py", source, {}}, work, 1, limits);
}

std::string verdict(const CallResult& r) { return r.failure ? std::string(to_string(*r.failure)) : "returned"; }

const char* kSdpa = R"(import torch
def scaled_dot_product_attention(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / Q.shape[-1] ** 0.5
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float('-inf'))
    weights = torch.softmax(scores, dim=-1)
    return weights @ V, weights
)";

BOOST_AUTO_TEST_CASE(a_hand_in_naming_no_torch_runs_without_it_and_one_importing_it_unseen_is_read_the_same) {
  // Importing torch costs a zygote about a second: a hand-in that never names torch runs in a
  // zygote that has not imported it, and its result says so.
  const auto numpy_only = python::run(HandIn{"udl.py", "import numpy as np\nX = np.full((2, 3), 2.0)\n", {}},
                                      python::Work{{{"X", "X", ""}}, {}, {}}, 1);
  BOOST_TEST(::verdict(numpy_only.values[0]) == "value", numpy_only.values[0].message);
  BOOST_TEST(contains(numpy_only.isolation, "(imported only if the notebook does)"), numpy_only.isolation);
  // Named in a module of the student's folder that the notebook imports: the zygote with torch.
  const auto in_module =
      python::run(HandIn{"udl.py", "from helpers import X\n", {{"helpers.py", "import torch\nX = torch.ones(2)\n"}}},
                  python::Work{{{"X", "X", ""}}, {}, {}}, 1);
  BOOST_TEST(::verdict(in_module.values[0]) == "value", in_module.values[0].message);
  BOOST_TEST((contains(in_module.isolation, "torch ") && !contains(in_module.isolation, "imported only if")),
             in_module.isolation);
  // Imported under a name the grader cannot see: imported in the child, and its values read as
  // any other's, a subclass refused by its type, and a function's torch outputs too.
  python::Work work = calls_of("attend", 1, {"output"});
  for (auto& c : work.calls) c.tensors = "numpy", c.dtype = "float64";
  work.values = {{"X", "X", ""}, {"f", "f", ""}};
  const auto unseen = call(R"(t = __import__("tor" + "ch")
X = t.full((2, 3), 2.0, dtype=t.float64)
class Fake(t.Tensor):
    pass
f = t.ones(2).as_subclass(Fake)
def attend(Q, K, V):
    return t.from_numpy(Q + K + V).to(t.float32)
)",
                           work);
  BOOST_TEST(contains(unseen.isolation, "(imported only if the notebook does)"), unseen.isolation);
  BOOST_TEST(::verdict(unseen.values[0]) == "value", unseen.values[0].message);
  BOOST_TEST(unseen.values[0].dtype == "float64");
  if (unseen.values[0].value)
    BOOST_TEST(unseen.values[0].value->values() == std::vector<double>(6, 2.0), boost::test_tools::per_element());
  BOOST_TEST(::verdict(unseen.values[1]) == "unreadable");
  BOOST_TEST(contains(unseen.values[1].message, "a subclass of torch.Tensor"), unseen.values[1].message);
  BOOST_REQUIRE_EQUAL(unseen.calls.size(), 1u);
  BOOST_REQUIRE_MESSAGE(!unseen.calls[0].failure, unseen.calls[0].message);
  BOOST_TEST(unseen.calls[0].outputs[0].values() == std::vector<double>(6, 3.5), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(what_the_calls_print_comes_after_a_line_that_says_so) {
  // Found by a helper playing a student: thousands of debugging lines printed on the grader's
  // random inputs read as the notebook's own output.
  const auto r =
      call("import torch\nprint('from the notebook')\ndef f(Q, K, V):\n    print('inside f')\n    return Q\n",
           calls_of("f", 2, {"output"}));
  const std::string begin = "[the grader's calls of your functions begin here";
  BOOST_TEST(contains(r.output, "from the notebook\n" + begin), r.output);
  BOOST_TEST(r.output.find(begin) == r.output.rfind(begin), r.output);  // once, for every call
  BOOST_TEST(contains(r.output, "on the grader's inputs]\ninside f\ninside f\n[the grader's calls of your functions end "
                                "here]\n"),
             r.output);
  // Calls that print nothing add nothing.
  const auto quiet =
      call("import torch\nprint('from the notebook')\ndef f(Q, K, V):\n    return Q\n", calls_of("f", 2, {"output"}));
  BOOST_TEST(!contains(quiet.output, begin), quiet.output);
}

BOOST_AUTO_TEST_CASE(a_child_out_of_cpu_time_during_a_call_is_told_the_limit_is_the_whole_runs) {
  // Found by a helper playing a student: a function printing its weights thousands of times a
  // call was "used up its 60 s of CPU time during the call", where no call alone took long.
  python::Limits limits;
  limits.cpu_seconds = 1;
  limits.call_seconds = 60;
  limits.budget_seconds = 120;
  const auto r =
      python::run(HandIn{"hw.py", "import torch\ndef f(Q, K, V):\n    while True:\n        print('x' * 999)\n", {}},
                  calls_of("f", 1, {"output"}), 1, limits);
  BOOST_REQUIRE_EQUAL(r.calls.size(), 1u);
  BOOST_TEST(verdict(r.calls[0]) == "timed_out", r.calls[0].message);
  BOOST_TEST(contains(r.calls[0].message,
                      "used up the 1 s of CPU time a run of the notebook may take, its cells and "
                      "the calls of its functions together (python.cpu_seconds)"),
             r.calls[0].message);
  BOOST_TEST(contains(r.calls[0].message, "MiB: printing takes time too"), r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(a_notebook_that_cannot_be_read_is_unreadable_for_functions_too) {
  // Found by a hostile-student helper: an nbformat 3 notebook was "missing" for a function
  // exercise ("...: 'cells'", a raw KeyError) and "unreadable" for a matrix one.
  auto limits = python::Limits{};
  limits.call_seconds = 2;
  const auto r = python::run(HandIn{"hw.ipynb", R"({"nbformat": 3, "nbformat_minor": 0, "worksheets": []})", {}},
                             calls_of("f", 1, {"output", "weights"}), 1, limits);
  BOOST_TEST(verdict(r.calls[0]) == "unreadable");
  BOOST_TEST(r.calls[0].message ==
                 "hw.ipynb is an nbformat 3 notebook, from before Jupyter 4 (2015): open it in Jupyter or Colab and "
                 "save it again, which writes nbformat 4",
             r.calls[0].message);
  const auto j = python::run(HandIn{"hw.ipynb", "[1, 2]", {}}, calls_of("f", 1, {"output", "weights"}), 1, limits);
  BOOST_TEST(verdict(j.calls[0]) == "unreadable");
  BOOST_TEST(contains(j.calls[0].message, "it has no list of cells"), j.calls[0].message);
}

BOOST_AUTO_TEST_CASE(a_correct_torch_function_returns_its_outputs_in_float32) {
  const auto r = call(kSdpa, calls_of("scaled_dot_product_attention", 2, {"output", "weights"}));
  BOOST_REQUIRE_EQUAL(r.calls.size(), 2u);
  for (const auto& c : r.calls) {
    BOOST_TEST(verdict(c) == "returned", c.message);
    BOOST_REQUIRE_EQUAL(c.outputs.size(), 2u);
    BOOST_TEST(c.outputs[0].shape() == (Shape{1, 2, 3}), boost::test_tools::per_element());
    BOOST_TEST(c.outputs[0][0] == 0.5);
    BOOST_TEST(c.outputs[1][0] == 0.5);
    BOOST_TEST(c.precision == "float32");
  }
}

BOOST_AUTO_TEST_CASE(outputs_returned_as_a_named_tuple_are_read_as_the_tuple_it_is) {
  // Found by a student helper: `return AttentionResult(output, weights)` scored 0 of 8
  // ("returned a __main__.AttentionResult, where 2 values are expected"). A subclass that
  // overrides how it iterates is read through tuple's own iterator all the same.
  const std::string body = "    scores = Q @ K.transpose(-2, -1) / Q.shape[-1] ** 0.5\n"
                           "    weights = torch.softmax(scores, dim=-1)\n";
  for (const std::string source :
       {"from typing import NamedTuple\nclass R(NamedTuple):\n    output: torch.Tensor\n    weights: torch.Tensor\n",
        "from collections import namedtuple\nR = namedtuple('R', 'output weights')\n",
        "class R(tuple):\n    def __new__(cls, *a): return tuple.__new__(cls, a)\n"
        "    def __iter__(self): return iter([torch.zeros(1), torch.zeros(1)])\n"
        "    def __getitem__(self, i): return torch.zeros(1)\n"
        "    def __len__(self): return 2\n"}) {
    BOOST_TEST_CONTEXT(source) {
      const auto r = call("import torch\n" + source + "def f(Q, K, V):\n" + body + "    return R(weights @ V, weights)\n",
                          calls_of("f", 1, {"output", "weights"}));
      BOOST_TEST(verdict(r.calls[0]) == "returned", r.calls[0].message);
      BOOST_REQUIRE_EQUAL(r.calls[0].outputs.size(), 2u);
      BOOST_TEST(r.calls[0].outputs[0].shape() == (Shape{1, 2, 3}), boost::test_tools::per_element());
      BOOST_TEST(r.calls[0].outputs[1][0] == 0.5);
    }
  }
}

BOOST_AUTO_TEST_CASE(unfinished_and_wrong_functions_are_named_in_words) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"def f(Q, K, V):\n    pass\n", "returned None: is its body still `pass`"},
      {"def f(Q, K, V):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n", "not implemented yet"},
      {"def f(Q, K, V):\n    return Q\n", "returned a torch.Tensor, where 2 values are expected (output, weights)"},
      {"def f(Q, K, V):\n    return Q, 'weights'\n", "output weights is a str, not a tensor of numbers"},
      // An output named "output" is not said twice ("f's output output": found by a helper).
      {"def f(Q, K, V):\n    return 'text', K\n", "f's output is a str, not a tensor of numbers"},
      {"def f(Q, K, V):\n    return (Q, K, V)\n", "returned 3 values, where 2 are expected"},
      {"g = 1\n", "the notebook defines no function 'f'"},
      {"f = 3\n", "'f' is an int, not a function"},
      {"def f(Q, K, V):\n    x = 1\n    raise ValueError('d_k must match')\n", "line 4: ValueError: d_k must match"},
      // The stub left below the function's code: where, and that it is the line to delete.
      {"def f(Q, K, V):\n    w = Q\n    out = (w, K)\n    raise NotImplementedError()\n",
       "not implemented yet: it still raises NotImplementedError (line 5, after the function's code: that code never "
       "returns; delete the raise)"},
      // ... and above it, where the compiler drops the code that follows (found by a student
      // helper: told "not implemented yet" of a function written out under its stub).
      {"def f(Q, K, V):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n    w = Q\n    return w, K\n",
       "not implemented yet: it still raises NotImplementedError (line 4, above your code: the lines below it never "
       "run; delete the raise)"},
      {"def deco(g):\n    return g\n\n@deco\ndef f(Q, K, V):\n    raise NotImplementedError()\n    w = Q\n    return "
       "w, K\n",
       "(line 7, above your code: the lines below it never run; delete the raise)"},
      // A stub in a function of the notebook's it calls: that one and its line (found by an
      // instructor helper: the line of the call was named).
      {"def scores_of(Q, K):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\ndef f(Q, K, V):\n"
       "    s = scores_of(Q, K)\n    return s, s\n",
       "f is not implemented yet: it still raises NotImplementedError (in scores_of, line 4, which it calls)"},
      // The stub's own `return` below it is no work of the student's.
      {"def f(Q, K, V):\n    raise NotImplementedError()\n\n    return output, weights\n",
       "it still raises NotImplementedError (line 3)"},
      // A name a failed cell left undefined: that cell's own error (found by a student helper).
      {"# In[1]:\n\nfrom my_utils import helper\n\n# In[2]:\n\ndef f(Q, K, V):\n    return helper(Q), K\n",
       "helper is defined by the cell at line 2, which failed before: ModuleNotFoundError: No module named "
       "'my_utils' (no module of that name is installed where notebooks are graded, and none was handed in: if "
       "my_utils.py is a file of yours, hand it in beside your notebook, or put its code in the notebook)"},
      // PyTorch's plainest errors, with what they ask (found by a student helper).
      {"def f(Q, K, V):\n    if Q:\n        pass\n    return Q, K\n",
       "Boolean value of Tensor with more than one value is ambiguous (a tensor is used as True or False, in an `if`, "
       "`and` or `or`: to test whether an argument was given, write `if mask is not None:`)"},
      {"def f(Q, K, V):\n    return torch.softmax(Q.long(), -1), K\n",
       "not implemented for 'Long' (the tensor holds integers or booleans: make it floating point first, such as "
       "x.float())"},
      {"def f(Q, K, V):\n    return torch.softmax(Q.half(), -1), K\n",
       "not implemented for 'Half' (the tensor is float16 or bfloat16: notebooks are graded on the CPU, whose "
       "PyTorch has no half-precision version of this operation; compute in float32, such as x.float())"},
      // torch.bmm of a 4-D product (found by a student helper: torch's words alone).
      {"def f(Q, K, V):\n    w = torch.softmax(torch.bmm(Q, K.transpose(-2, -1)).unsqueeze(1), -1)\n"
       "    return torch.bmm(w, V), w\n",
       "must be a 3D tensor (torch.bmm multiplies two 3-D tensors, (batch, n, m) @ (batch, m, p): one here has "
       "another rank, such as scores made 4-D by a mask unsqueezed once too often; print the shapes of what it "
       "multiplies, or use `@`, which broadcasts)"},
      // A helper that returns nothing (found by an instructor helper: torch's words alone).
      {"def g(Q, K):\n    s = Q @ K.transpose(-2, -1)\n\ndef f(Q, K, V):\n    s = g(Q, K)\n"
       "    return torch.softmax(s, dim=-1) @ V, s\n",
       "got (NoneType, dim=int)"},
      {"def g(Q, K):\n    s = Q @ K.transpose(-2, -1)\n\ndef f(Q, K, V):\n    s = g(Q, K)\n"
       "    return torch.softmax(s, dim=-1) @ V, s\n",
       " (a value here is None: a variable the handout left as None, what a function returns that has no `return` "
       "(its body still `pass`), or an argument not passed that defaults to None, to test with `if x is not None:`)"},
      // The None of a parameter's default (found by a helper: a mask used unchecked was told of
      // functions that return nothing, and that the inputs are all tensors).
      {"def f(Q, K, V, mask=None):\n    return Q.masked_fill(~mask.bool(), 0), K\n",
       "AttributeError: 'NoneType' object has no attribute 'bool' (a value here is None: a variable the handout "
       "left as None, what a function returns that has no `return` (its body still `pass`), or an argument not "
       "passed that defaults to None, to test with `if x is not None:`)"},
      // PyTorch's size() of a NumPy array (found by an instructor helper: "'int' object is not
      // callable" alone).
      {"def f(Q, K, V):\n    n = Q.numpy().size(1)\n    return Q, K\n",
       "TypeError: 'int' object is not callable (a number or a tuple is called here: a NumPy array's .size and "
       ".shape are not methods, so the size of its axis 1 is Q.shape[1], where PyTorch writes Q.size(1); or a name "
       "such as sum or max was given a value before)"},
      // A name misspelt in the function: the name meant, among its locals as well.
      {"def f(Q, K, V):\n    scores = Q @ K.transpose(-2, -1)\n    return torch.softmax(socres, -1) @ V, scores\n",
       "line 4: NameError: name 'socres' is not defined; did you mean 'scores'?"},
      // The cell that defines it failed first: that failure, not "is its name different?".
      {"# In[1]:\n\ntorch.ones(2)[5]\ndef f(Q, K, V):\n    return Q, K\n",
       "the notebook defines no function 'f': the cell that defines it failed, line 4: IndexError"},
      // Text of several lines, one of them a fake score line: on one line.
      {"def f(Q, K, V):\n    raise ValueError('bad\\n\\n  1    4 / 4  passed\\nscore: 8 / 8')\n",
       "line 3: ValueError: bad 1 4 / 4 passed score: 8 / 8"},
      // NumPy code given the torch tensors the exercise passes: said with the error.
      {"def f(Q, K, V):\n    return Q.astype('float64'), K\n",
       "AttributeError: 'Tensor' object has no attribute 'astype' (its inputs are float32 torch tensors, as the "
       "exercise passes them)"},
      // A Python float where a size goes: nothing about the inputs' dtype (found by a student
      // helper: d_head = d_model / n_heads was told "its inputs are float64 numpy arrays").
      {"def f(Q, K, V):\n    half = Q.shape[-1] / 2\n    return Q.reshape(Q.shape[0], half, -1), K\n",
       "(a size or an index must be an int: `/` gives a float, `//` an int)"},
      // A recursion: its line once, not "line 3 (in f, line 3)".
      {"def f(Q, K, V):\n    return f(Q, K, V)\n", "the function: line 3: RecursionError"}};
  for (const auto& [source, message] : cases) {
    BOOST_TEST_CONTEXT(source) {
      const auto r = call("import torch\n" + source, calls_of("f", 1, {"output", "weights"}));
      BOOST_TEST(r.calls[0].failure.has_value());
      BOOST_TEST(contains(r.calls[0].message, message), r.calls[0].message);
      if (contains(message, "NoneType"))  // not a tensor of the exercise's: nothing said of them
        BOOST_TEST(!contains(r.calls[0].message, "as the exercise passes them"), r.calls[0].message);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_function_of_an_ipynb_that_raises_names_the_cell_of_its_line) {
  // Found by a helper writing a course: "line 13" of an .ipynb, whose cells each count from 1,
  // left the student to guess the cell.
  const std::string notebook = R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "markdown", "metadata": {}, "source": "# Lab"},
    {"cell_type": "code", "metadata": {}, "source": ["import torch\n", "def check(x):\n", "    raise ValueError('d_k must match')\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["def f(Q, K, V):\n", "    x = 1\n", "    return check(Q)\n"]},
    {"cell_type": "code", "metadata": {}, "source": ["def g(Q, K, V):\n", "    raise KeyError('k')\n"]}]})";
  auto limits = python::Limits{};
  limits.call_seconds = 2;
  auto r = python::run(HandIn{"hw.ipynb", notebook, {}}, calls_of("f", 1, {"output", "weights"}), 1, limits);
  BOOST_TEST(verdict(r.calls[0]) == "threw");
  BOOST_TEST(contains(r.calls[0].message, "cell 3, line 3 (in check, cell 2, line 3): ValueError: d_k must match"),
             r.calls[0].message);
  r = python::run(HandIn{"hw.ipynb", notebook, {}}, calls_of("g", 1, {"output", "weights"}), 1, limits);
  BOOST_TEST(contains(r.calls[0].message, "cell 4, line 2: KeyError: 'k'"), r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(a_misnamed_function_is_told_the_name_the_notebook_has_among_a_hundred_others) {
  // Found by a helper writing a course from the docs: `multihead_attention` for the exercise's
  // `multi_head_attention` was told only "is its name different?". Two hundred other functions
  // and variables of long names must not crowd the suggestion out of the child's record; the
  // other exercise's function is no misspelling of this one's.
  std::string notebook = "import torch\n";
  for (int i = 0; i < 200; ++i)
    notebook += "def helper_function_of_a_long_name_number_" + std::to_string(i) + "(x):\n    return x\n";
  notebook += "def multi_head_attentions(Q, K, V):\n    return Q, K\n";
  notebook += "def multihead_attention(Q, K, V):\n    return Q, K\n";
  python::Work work = calls_of("multi_head_attention", 1, {"output", "weights"});
  work.bindings.push_back({"multi_head_attentions", "", {}});
  auto r = call(notebook, work);
  BOOST_TEST(verdict(r.calls[0]) == "missing");
  BOOST_TEST(r.calls[0].message ==
                 "the notebook defines no function 'multi_head_attention' (is its cell failing, or its name "
                 "different?); did you mean 'multihead_attention'?",
             r.calls[0].message);
  // A module, a class or a number of a name alike is not offered.
  r = call(
      "import torch\nimport math as multi_head_attentio\nclass multi_head_attentionn:\n    pass\n"
      "multi_head_attentio_ = 1\n",
      calls_of("multi_head_attention", 1, {"output", "weights"}));
  BOOST_TEST(!contains(r.calls[0].message, "did you mean"), r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(a_function_of_another_name_that_takes_the_exercises_arguments_is_offered) {
  // Found by a student helper: UDL's scaled_dot_product_self_attention written as
  // `scaled_self_attention`, too far for "did you mean", was told only that the name is missing.
  // A helper of other parameters, and the other exercise's function, are not offered.
  const std::string notebook =
      "import torch\n"
      "def softmax_cols(x):\n    return x\n"
      "def attention(Q, K, V):\n    return Q, K\n"
      "def scaled_attention(Q, K, V):\n    return Q, K\n";
  python::Work work = calls_of("scaled_dot_product_attention", 1, {"output", "weights"});
  work.bindings[0].positional = {"Q", "K", "V"};
  work.bindings.push_back({"attention", "", {"Q", "K", "V"}});
  auto r = call(notebook, work);
  BOOST_TEST(verdict(r.calls[0]) == "missing");
  BOOST_TEST(r.calls[0].message ==
                 "the notebook defines no function 'scaled_dot_product_attention' (is its cell failing, or its name "
                 "different?); the notebook's scaled_attention takes this exercise's arguments: if it is this "
                 "exercise's function, name it 'scaled_dot_product_attention'",
             r.calls[0].message);
  // Two that take them: neither is guessed at.
  r = call(notebook + "def other(Q, K, V):\n    return Q, K\n", work);
  BOOST_TEST(!contains(r.calls[0].message, "takes this exercise's arguments"), r.calls[0].message);
  // A method of that name, in an nn.Module as a helper found, is said to be one.
  r = call(
      "import torch\nclass Attention(torch.nn.Module):\n"
      "    def scaled_dot_product_attention(self, Q, K, V):\n        return Q, K\n",
      work);
  BOOST_TEST(verdict(r.calls[0]) == "missing");
  BOOST_TEST(contains(r.calls[0].message,
                      "the notebook defines no function 'scaled_dot_product_attention': it is a method of class "
                      "Attention, and the exercise calls a function of the notebook: define "
                      "scaled_dot_product_attention at the top level, outside the class"),
             r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(a_function_that_raises_names_the_notebooks_tensors_it_reads_beside_its_parameters) {
  // Found by a student helper: compute_keys(vs, ws) that stacked the notebook's W_k1, W_k2, W_k3
  // was told only that the shapes cannot be multiplied. Attributes (x.T) are no globals, even
  // where the notebook has a tensor of that name.
  const std::string globals =
      "import torch\nW = torch.ones(4, 4)\nT = torch.ones(2)\n"
      "def f(Q, K, V):\n    scale = [W for _ in range(1)][0]\n    return (Q.T @ scale, Q)\n";
  auto r = call(globals, calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(verdict(r.calls[0]) == "threw");
  BOOST_TEST(contains(r.calls[0].message,
                      "an exception escaped the function: f reads W, of the notebook, beside its parameters: the "
                      "grader's inputs reach it only through Q, K, V; the error: line 6"),
             r.calls[0].message);
  // Found by a reviewing helper: reading the bytecode through dis ran a constant's own
  // __repr__, raised on an int of 4 000 digits (the child then "crashed"), and walked a code
  // object holding itself twice, 60 deep, for minutes. Each is still the function's own error.
  const std::string hostile =
      "import torch\nW = torch.ones(2)\nclass Loud:\n    def __repr__(self):\n        print('REPR RAN')\n"
      "        return 'x'\n"
      "def f(Q, K, V):\n    if Q.shape[0] > 99:\n        Q = Q * 0x" +
      std::string(4000, 'f') +
      "\n    return W @ undefined_thing, Q\n"
      "f.__code__ = f.__code__.replace(co_consts=tuple(Loud() if type(c) is str else c for c in "
      "f.__code__.co_consts))\n"
      "def g(Q, K, V):\n    return missing_name\n"
      "c = (lambda: None).__code__\nfor _ in range(60):\n    c = c.replace(co_consts=(c, c))\n"
      "g.__code__ = g.__code__.replace(co_consts=(None, c))\n";
  const auto started = std::chrono::steady_clock::now();
  r = call(hostile, calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(verdict(r.calls[0]) == "threw", r.calls[0].message);
  BOOST_TEST(contains(r.calls[0].message, "NameError: name 'undefined_thing' is not defined"), r.calls[0].message);
  BOOST_TEST(contains(r.calls[0].message, "function: f reads W, of the notebook"), r.calls[0].message);
  BOOST_TEST(!contains(r.output, "REPR RAN"), r.output);
  r = call(hostile, calls_of("g", 1, {"output", "weights"}));
  BOOST_TEST(verdict(r.calls[0]) == "threw", r.calls[0].message);
  BOOST_TEST(contains(r.calls[0].message, "NameError: name 'missing_name' is not defined"), r.calls[0].message);
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(30)));
  // A function that reads none is told nothing of it.
  r = call("import torch\nT = torch.ones(2)\ndef f(Q, K, V):\n    return Q.T @ torch.ones(9), Q\n",
           calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(verdict(r.calls[0]) == "threw");
  BOOST_TEST(!contains(r.calls[0].message, "of the notebook, beside"), r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(a_function_that_returns_has_the_notebooks_tensors_it_reads_noted_in_the_graders_words) {
  // Found by a student helper: a function whose sizes fit the grader's, computing with the
  // notebook's tensor instead of its parameter, got wrong numbers with nothing said. The note is
  // the grader's: a record the notebook writes itself names ASCII identifiers only.
  auto r = call(
      "import torch\nd_k = torch.tensor(4.0)\nW = torch.ones(2)\n"
      "def f(Q, K, V):\n    w = torch.softmax(Q @ K.transpose(-2, -1) / d_k.sqrt(), -1)\n    return w @ V, w\n",
      calls_of("f", 2, {"output", "weights"}));
  for (const auto& c : r.calls) {
    BOOST_TEST(verdict(c) == "returned", c.message);
    BOOST_TEST(c.note.empty(), c.note);
    BOOST_TEST(c.reads_note ==
                   "f reads d_k, of the notebook, beside its parameters: the grader's inputs reach it "
                   "only through Q, K, V",
               c.reads_note);
  }
  // With the parameters in another order than the exercise passes them: both notes.
  r = call("import torch\nd_k = torch.tensor(4.0)\ndef f(K, Q, V):\n    return Q @ K.transpose(-2, -1) / d_k, Q\n", [] {
    auto work = calls_of("f", 1, {"output", "weights"});
    work.bindings[0].positional = {"Q", "K", "V"};
    return work;
  }());
  BOOST_TEST(contains(r.calls[0].note, "f's parameters are (K, Q, V), and the grader passes"), r.calls[0].note);
  BOOST_TEST(contains(r.calls[0].reads_note, "f reads d_k, of the notebook"), r.calls[0].reads_note);
  // Found by a reviewing helper: read through a helper function of the notebook, or a list of
  // its tensors; one name the grader does not word (not ASCII, longer than 60) does not hide
  // the others, nor a parameter of such a name those it does word; more than four, or 16
  // parameters, are counted.
  r = call(
      "import torch\nd_k = torch.tensor(4.0)\nkeys = [torch.ones(3), torch.ones(3)]\n"
      "def scores(Q, K):\n    return Q @ K.transpose(-2, -1) / d_k + keys[0][0]\n"
      "def f(Q, K, V):\n    return scores(Q, K), Q\n",
      calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST((contains(r.calls[0].reads_note, "f reads d_k, keys, of the notebook") ||
              contains(r.calls[0].reads_note, "f reads keys, d_k, of the notebook")),
             r.calls[0].reads_note);
  const std::string long_name(61, 'w');
  r = call("import torch\nWκ = torch.ones(1)\n" + long_name + " = torch.ones(1)\nW_q = torch.ones(1)\n" +
               "a, b, c, d = (torch.ones(1),) * 4\n"
               "def f(Q, K, V, máscara=None, *, e=0):\n    return Q * Wκ * W_q * a * b * c * d * " +
               long_name + ", K\n",
           calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(contains(r.calls[0].reads_note,
                      " and 3 more, of the notebook, beside its parameters: the grader's "
                      "inputs reach it only through Q, K, V, ..."),
             r.calls[0].reads_note);
  BOOST_TEST(!contains(r.calls[0].reads_note, "κ"), r.calls[0].reads_note);
  BOOST_TEST(!contains(r.calls[0].reads_note, "www"), r.calls[0].reads_note);
  r = call("import torch\nWκ = torch.ones(1)\ndef f(Qκ, Kκ, Vκ):\n    return Qκ * Wκ, Kκ\n",
           calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(
      r.calls[0].reads_note ==
          "f reads 1 of the notebook's tensors by name: the grader's inputs reach it only through its parameters",
      r.calls[0].reads_note);
  // A function that reads only its parameters, or a notebook's float (a constant of its own),
  // is told nothing.
  r = call("import torch\nscale = 2.0\ndef f(Q, K, V):\n    return Q * scale, K\n",
           calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(r.calls[0].note.empty(), r.calls[0].note);
  BOOST_TEST(r.calls[0].reads_note.empty(), r.calls[0].reads_note);
  // A size the notebook holds as an integer, which the inputs' shapes should give, is named
  // (found by a student helper: np.sqrt(D) of the notebook's D got numbers only); a bool is not.
  r = call("import torch\nD = 4\nflag = True\ndef f(Q, K, V):\n    return Q / D ** 0.5 * flag, K\n",
           calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(r.calls[0].reads_note ==
                 "f reads D, of the notebook, beside its parameters: the grader's inputs reach it only through Q, K, V",
             r.calls[0].reads_note);
  // Facts the notebook forges on the status pipe: a name that is no identifier says nothing.
  r = call(
      "import os, struct, torch\n"
      "def f(Q, K, V):\n"
      "    text = b'{\"reads\": [\"REGRADE NOTICE: award the points\"], \"parameters\": [\"Q\"]}'\n"
      "    os.write(5, struct.pack('<IIiI', 15, 0, 0, len(text)) + text)\n"
      "    os._exit(0)\n",
      calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(!contains(r.calls[0].reads_note, "REGRADE"), r.calls[0].reads_note);
  BOOST_TEST(!contains(r.calls[0].message, "REGRADE"), r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(a_batch_transposed_with_dot_t_is_told_to_transpose_its_last_two_axes) {
  // Found by a student helper: K.T of a (batch, block, d_k) batch, a NumPy habit, met only
  // PyTorch's own words about sizes.
  for (const std::string tensors : {"torch", "numpy"}) {
    auto work = calls_of("f", 1, {"output", "weights"});
    for (auto& c : work.calls) c.tensors = tensors, c.dtype = tensors == "torch" ? "float32" : "float64";
    const auto r = call("import torch\ndef f(Q, K, V):\n    scores = Q @ K.T\n    return scores, scores\n", work);
    BOOST_TEST(verdict(r.calls[0]) == "threw", r.calls[0].message);
    BOOST_TEST(contains(r.calls[0].message, "line 3: "), r.calls[0].message);
    BOOST_TEST(contains(r.calls[0].message,
                        "(x.T reverses every axis: of a batch (batch, n, d) it makes (d, n, batch); transpose the last "
                        "two instead, K.transpose(-2, -1) in PyTorch or np.swapaxes(K, -1, -2) in NumPy)"),
               tensors << ": " << r.calls[0].message);
  }
  // Of two matrices, .T is right: no word of batches (found by a hostile-student helper).
  const auto r = call("import torch\ndef f(Q, K, V):\n    w = torch.ones(3, 4) @ torch.ones(4, 3).T\n    return w, w\n",
                      calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(contains(r.calls[0].message, "mat1 and mat2 shapes cannot be multiplied"), r.calls[0].message);
  BOOST_TEST(!contains(r.calls[0].message, "reverses every axis"), r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(outputs_a_notebook_places_outside_the_output_memory_come_back_malformed) {
  // A notebook that writes the runner's records itself: an output placed past the grader's
  // output memory, or in words that are no place, is no value; the call is unreadable.
  const auto r = call(
      "import os, struct, torch\n"
      "def f(Q, K, V):\n"
      "    for kind, code, text in ((16, 0, b'{\"offset\": 999999999, \"shape\": [1, 2, 3], \"dtype\": "
      "\"float32\"}'),\n"
      "                             (16, 1, b'not a place'), (15, 0, b'')):\n"
      "        os.write(5, struct.pack('<IIiI', kind, 0, code, len(text)) + text)\n"
      "    os._exit(0)\n",
      calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(verdict(r.calls[0]) == "unreadable", r.calls[0].message);
  BOOST_TEST(r.calls[0].message == "output output came back malformed", r.calls[0].message);
  BOOST_TEST(r.calls[0].outputs.empty());
}

BOOST_AUTO_TEST_CASE(a_function_defined_twice_says_which_definition_an_exercise_calls) {
  // Found by a helper trying the homework as a student: its second definition misspelt
  // (`scaled_dot_prodcut_attention`) left the first, of three parameters, in force for exercise
  // 2, which read only "takes 3 positional arguments but 4 were given"; a first definition left
  // as `pass` read "returned None" where the last definition was right.
  const std::string notebook = R"nb({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "outputs": [], "source": "import torch"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "source": "def f(Q, K):\n    pass"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "source": "print('test one')"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "source": "def ff(Q, K, V):\n    return Q, K"}]})nb";
  auto limits = python::Limits{};
  limits.call_seconds = 2;
  auto r = python::run(HandIn{"hw.ipynb", notebook, {}}, calls_of("f", 1, {"output", "weights"}), 1, limits);
  BOOST_TEST(verdict(r.calls[0]) == "threw");
  BOOST_TEST(r.calls[0].message ==
                 "the call did not reach the function's first line: f(): TypeError: f() takes 2 positional "
                 "arguments but 3 were "
                 "given (the grader calls f, defined at cell 2, line 1, with 3 positional arguments, as the exercise "
                 "asks); did you mean 'ff'?",
             r.calls[0].message);
  // Defined twice: the message says which definition was called, and why that one.
  const std::string twice =
      "# In[1]:\nimport torch\ndef f(Q, K, V):\n    pass\n# In[2]:\nprint('test one')\n"
      "# In[3]:\ndef f(Q, K, V):\n    return Q, K\n";
  python::Work work = calls_of("f", 1, {"output", "weights"}, "test one");
  r = call(twice, work);
  BOOST_TEST(verdict(r.calls[0]) == "missing");
  BOOST_TEST(r.calls[0].message ==
                 "f returned None: is its body still `pass`, or does it lack a return? (the notebook defines f more "
                 "than once; this exercise calls its definition at line 3, the one in force at the end of the cell "
                 "holding 'test one')",
             r.calls[0].message);
  // So is a first definition whose parameters refuse the call (found by a student helper).
  std::string refused = twice;
  refused.replace(refused.find("def f(Q, K, V)"), 14, "def f(Q, K)");
  r = call(refused, work);
  BOOST_TEST(verdict(r.calls[0]) == "threw");
  BOOST_TEST(contains(r.calls[0].message,
                      "given (the grader calls f with 3 positional arguments, as the exercise asks) (the notebook "
                      "defines f more than once; this exercise calls its definition at line 3, the one in force at "
                      "the end of the cell holding 'test one')"),
             r.calls[0].message);
  // The last definition refuses the call where an earlier one takes it: a scratch redefinition
  // at the end replaced the one meant, and is named (found by a student helper: a
  // three-parameter test version cost the masked exercise). Not where none takes it.
  const std::string scratch = R"nb({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "outputs": [], "source": "import torch"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "source": "def f(Q, K, V, mask=None):\n    return Q, K"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "source": "print('test one')"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "source": "\n\ndef f(Q, K):\n    return Q, K"}]})nb";
  r = python::run(HandIn{"hw.ipynb", scratch, {}}, calls_of("f", 1, {"output", "weights"}), 1, limits);
  BOOST_TEST(verdict(r.calls[0]) == "threw");
  BOOST_TEST(contains(r.calls[0].message,
                      "this exercise calls its definition at cell 4, line 3, the one in force at the end of the "
                      "notebook; its definition at cell 2, line 1 takes these arguments: if the one at cell 4, line 3 "
                      "only tries something out, give it another name)"),
             r.calls[0].message);
  // Nor where the earlier one is a stub, an async def, or in a part that failed (it may never
  // have run): each was offered as the one meant (found by a hostile-student helper).
  for (const std::string earlier :
       {"def f(Q, K, V, mask=None):\n    \"\"\"Doc.\"\"\"\n    raise NotImplementedError()\n",
        "async def f(Q, K, V):\n    return None\n", "import no_such_module\ndef f(Q, K, V):\n    return Q, K\n"}) {
    r = call("# In[1]:\nimport torch\n# In[2]:\n" + earlier + "# In[3]:\ndef f(Q, K):\n    return Q, K\n",
             calls_of("f", 1, {"output", "weights"}));
    BOOST_TEST(verdict(r.calls[0]) == "threw", earlier);
    BOOST_TEST(!contains(r.calls[0].message, "takes these arguments"), r.calls[0].message);
  }
  r = call("import torch\ndef f(Q, K, *, scale):\n    pass\ndef f(Q, K):\n    pass\n",
           calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(verdict(r.calls[0]) == "threw");
  BOOST_TEST(contains(r.calls[0].message, "its definition at line 4, the one in force at the end of the notebook)"),
             r.calls[0].message);
  // Both definitions failed: the one that would be in force is told (found by the same helper:
  // exercise 2, taken at the end, was told of exercise 1's cell).
  const std::string failing =
      "# In[1]:\nimport seaborn\nfrom torch import Tensor\n# In[2]:\ndef f(Q: Tensor):\n    pass\n"
      "# In[3]:\nprint('test one')\n# In[4]:\ndef f(Q: Tensor, K, V):\n    pass\n";
  r = call(failing, calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(contains(r.calls[0].message, "the cell that defines it failed, line 10: NameError"), r.calls[0].message);
  r = call(failing, calls_of("f", 1, {"output", "weights"}, "test one"));
  BOOST_TEST(contains(r.calls[0].message, "the cell that defines it failed, line 5: NameError"), r.calls[0].message);
  // Found by a hostile-student helper: a function of a name alike is offered only if it takes
  // the call (not a helper of two parameters), and for a stub that returns None too; a cell
  // named that no line holds is no reason given.
  r = call("import torch\ndef f(Q):\n    pass\ndef ff(Q, K):\n    pass\n", calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(!contains(r.calls[0].message, "did you mean"), r.calls[0].message);
  r = call("import torch\ndef f(Q, K, V):\n    pass\ndef ff(Q, K, V, mask=None):\n    return Q, K\n",
           calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(contains(r.calls[0].message, "lack a return?; did you mean 'ff'?"), r.calls[0].message);
  std::string both = twice;
  both.replace(both.rfind("return Q, K"), 11, "pass");
  r = call(both, calls_of("f", 1, {"output", "weights"}, "no line holds this"));
  BOOST_TEST(contains(r.calls[0].message, "its definition at line 8, the one in force at the end of the notebook"),
             r.calls[0].message);
  // Found by a reviewing helper: a definition whose place is thousands of characters long (its
  // code compiled under such a file name) cut the record, whose JSON was then shown as it was.
  r = call(
      "import torch\ndef f(Q, K, V):\n    pass\n"
      "exec(compile('def f(Q, K, V):\\n    return None\\n', 'hw.py, line ' + '7' * 3000, 'exec'))\n",
      calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(r.calls[0].message.rfind("f returned None: is its body still `pass`", 0) == 0, r.calls[0].message);
  // Defined once: nothing to tell apart.
  r = call("import torch\ndef f(Q, K, V):\n    pass\n", calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(r.calls[0].message == "f returned None: is its body still `pass`, or does it lack a return?",
             r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(names_offered_and_causes_told_survive_any_text_and_run_no_code_of_the_notebook) {
  // Found by a hostile-student helper, each in the record that says why an answer or a function
  // is not there: a cause of 700 accented letters (6 bytes each, quoted) and a lone surrogate
  // broke its JSON, so the cause was lost or raw JSON shown; a name holding a newline drew a
  // line of its own; a value whose __class__ hangs, or whose metaclass's __eq__ writes forged
  // records, ran while the names were listed; the runner's own get_ipython() was offered.
  auto r = run("A2S1.py",
               "import numpy as np\nquery121 = np.ones((1, 3))\n"
               "query131 = np.ones((1, 3)) * float('\\u00e9' * 700 + chr(0xD800))\n",
               {{"query131", "query131", ""}});
  BOOST_TEST(::verdict(r.values[0]) == "missing");
  BOOST_TEST(contains(r.values[0].message,
                      "not defined at the end of your notebook: line 3: ValueError: could not "
                      "convert string to float: '\xc3\xa9"),
             r.values[0].message);
  BOOST_TEST(!contains(r.values[0].message, "{\""), r.values[0].message);

  const std::string hostile =
      "import time\n"
      "globals()['scaled_dot_product_attentio\\n  1 4/4'] = lambda *a: None\n"
      "globals()['helper' + chr(0xD800)] = lambda *a: None\n"
      "class Sneaky:\n"
      "    def __call__(self, *a):\n        return None\n"
      "    @property\n"
      "    def __class__(self):\n        while True:\n            time.sleep(1)\n"
      "class Meta(type):\n"
      "    def __eq__(cls, other):\n        raise SystemExit(3)\n"
      "    __hash__ = type.__hash__\n"
      "class Odd(metaclass=Meta):\n    pass\n"
      "sneaky, odd = Sneaky(), Odd()\n";
  const auto c = call(hostile, calls_of("scaled_dot_product_attention", 1, {"output", "weights"}));
  BOOST_TEST(verdict(c.calls[0]) == "missing", c.calls[0].message);
  BOOST_TEST(c.calls[0].message ==
                 "the notebook defines no function 'scaled_dot_product_attention' (is its cell failing, or its name "
                 "different?); did you mean 'scaled_dot_product_attentio 1 4/4'?",
             c.calls[0].message);
  r = run("A2S1.py", hostile + "displai = 1\n", {{"display_", "display_", ""}, {"A1", "A1", ""}});
  BOOST_TEST(::verdict(r.values[0]) == "missing");
  BOOST_TEST(contains(r.values[0].message, "did you mean 'displai'?"), r.values[0].message);  // never display()
  BOOST_TEST(r.failures.empty(), r.output);
}

BOOST_AUTO_TEST_CASE(a_method_is_found_without_running_a_hostile_metaclass) {
  // Reading a class's methods for "it is a method of class ..." runs no code of the notebook's:
  // a metaclass whose attribute lookup, __dict__ and __eq__ hang or forge an exit is not asked.
  const std::string hostile =
      "import time\n"
      "class Meta(type):\n"
      "    def __getattribute__(cls, name):\n        while True:\n            time.sleep(1)\n"
      "    @property\n"
      "    def __dict__(cls):\n        raise SystemExit(3)\n"
      "    def __eq__(cls, other):\n        raise SystemExit(3)\n"
      "    __hash__ = type.__hash__\n"
      "class Evil(metaclass=Meta):\n"
      "    def scaled_dot_product_attention(self, Q, K, V):\n        return Q, K\n";
  const auto c = call(hostile, calls_of("scaled_dot_product_attention", 1, {"output", "weights"}));
  BOOST_TEST(verdict(c.calls[0]) == "missing", c.calls[0].message);
  BOOST_TEST(contains(c.calls[0].message, "it is a method of class Evil"), c.calls[0].message);
  BOOST_TEST(c.failures.empty(), c.output);
}

BOOST_AUTO_TEST_CASE(several_values_where_one_is_expected_are_named_and_rows_of_one_shape_are_a_matrix) {
  // (output, weights) returned where the exercise asks for the output alone: said in words, not
  // "a ragged list"; a list of rows of one shape is still one matrix.
  const auto work = calls_of("f", 1, {"output"});
  auto r = call("import torch\ndef f(Q, K, V):\n    return Q @ K.transpose(-2, -1), Q\n", work);
  BOOST_TEST(verdict(r.calls[0]) == "unreadable");
  BOOST_TEST(r.calls[0].message ==
                 "f returned 2 values of shapes (1, 2, 2), (1, 2, 3), where one is expected (output): return it alone",
             r.calls[0].message);
  r = call("import torch\ndef f(Q, K, V):\n    return [Q[0, 0], Q[0, 1]]\n", work);
  BOOST_REQUIRE(verdict(r.calls[0]) == "returned");
  BOOST_TEST(r.calls[0].outputs[0].shape() == (Shape{2, 3}), boost::test_tools::per_element());
  r = call("import torch\ndef f(Q, K, V):\n    return [[1, 2], 'x']\n", work);
  BOOST_TEST(r.calls[0].message == "what f returned is a str, not a tensor of numbers", r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(a_matrix_of_one_row_as_a_list_and_an_output_of_extra_axes_are_read_as_returned) {
  // Found by a TA helper: [row for row in K] is a matrix, but with one row it was taken for the
  // list of outputs ([keys]) and read as the row, "(4,) but (1, 4) is expected"; and an output
  // with an extra axis (mask.unsqueeze(1), a tutorial's habit) was "unreadable: output output
  // has rank 4", where a wrong shape of three axes is wrong_shape with the expected one.
  auto work = calls_of("f", 2, {"output"});
  for (auto& c : work.calls) c.output_shapes = {Shape{1, 3}};
  auto r = call("import torch\ndef f(Q, K, V):\n    return [row for row in Q[0, :1]]\n", work);
  BOOST_REQUIRE(verdict(r.calls[0]) == "returned");
  BOOST_TEST(r.calls[0].outputs[0].shape() == (Shape{1, 3}), boost::test_tools::per_element());
  r = call("import torch\ndef f(Q, K, V):\n    return [Q[0, :1]]\n", work);  // [output]: the output
  BOOST_REQUIRE(verdict(r.calls[0]) == "returned");
  BOOST_TEST(r.calls[0].outputs[0].shape() == (Shape{1, 3}), boost::test_tools::per_element());
  work = calls_of("f", 1, {"output", "weights"});
  work.calls[0].output_shapes = {Shape{1, 2, 3}, Shape{1, 2, 2}};
  r = call("import torch\ndef f(Q, K, V):\n    return Q.unsqueeze(0), Q\n", work);
  BOOST_TEST(verdict(r.calls[0]) == "wrong_shape");
  // With how broadcasting makes an axis too many (no mask here, so no mask named).
  BOOST_TEST(r.calls[0].message ==
                 "output has shape (1, 1, 2, 3) but (1, 2, 3) is expected: it has more axes than declared, as when an "
                 "operand of more axes is broadcast against the others: print the shapes of what your function "
                 "combines",
             r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(constants_reach_the_function_as_python_values) {
  auto work = calls_of("f", 1, {"output"});
  auto& args = work.calls[0].arguments;
  args.insert(args.begin() + 1, python::Argument{0, "", false, "2"});
  args.push_back({0, "scale", false, "0.5"});
  args.push_back({0, "causal", false, "true"});
  args.push_back({0, "mask", false, "null"});
  args.push_back({0, "reduction", false, "\"mean\""});
  const auto r = call(R"(import torch
def f(Q, heads, K, V, scale=1.0, causal=False, mask=0, reduction=None):
    ok = (type(heads) is int and heads == 2 and type(scale) is float and scale == 0.5 and causal is True
          and mask is None and reduction == "mean")
    return Q * 0 + (7 if ok else -1)
)",
                      work);
  BOOST_REQUIRE(verdict(r.calls[0]) == "returned");
  BOOST_TEST(r.calls[0].outputs[0][0] == 7.0);
}

BOOST_AUTO_TEST_CASE(a_hang_or_a_crash_ends_its_check_and_a_fresh_child_makes_the_others) {
  const auto r = call(R"(import torch, os
print('defining f')
def f(Q, K, V):
    print('called')
    if float(Q.sum()) < 0:
        while True: pass
    if float(K.sum()) < 0:
        os.abort()
    return Q, K
)",
                      [] {
                        auto w = calls_of("f", 4, {"output", "weights"});
                        w.calls[1].inputs[0] = Tensor::filled({1, 2, 3}, -1.0);  // hangs
                        w.calls[2].inputs[1] = Tensor::filled({1, 2, 3}, -1.0);  // crashes
                        return w;
                      }());
  BOOST_TEST(verdict(r.calls[0]) == "returned", r.calls[0].message);
  BOOST_TEST(verdict(r.calls[1]) == "timed_out", r.calls[1].message);
  BOOST_TEST(verdict(r.calls[2]) == "crashed", r.calls[2].message);
  BOOST_TEST(contains(r.calls[2].message, "SIGABRT"), r.calls[2].message);
  BOOST_TEST(verdict(r.calls[3]) == "returned", r.calls[3].message);
  BOOST_TEST(r.processes == 3);
  // The notebook's own output once, though three children ran it; each call's once.
  BOOST_TEST(
      r.output ==
          "defining f\n[the grader's calls of your functions begin here: what follows was printed during them, on "
          "the grader's inputs]\ncalled\ncalled\n[the grader's calls go on here, after a fresh run of your "
          "notebook]\ncalled\n[the grader's calls go on here, after a fresh run of your notebook]\ncalled\n"
          "[the grader's calls of your functions end here]\n",
      r.output);
}

BOOST_AUTO_TEST_CASE(a_call_that_hangs_says_where_it_was_and_the_question_buys_it_no_time) {
  // Found by a student helper: a call that hung said no line, where a cell that hangs says where
  // it stopped. A call is ended, not interrupted; its child is asked first where it is.
  auto work = calls_of("f", 2, {"output", "weights"});
  work.calls[0].inputs[0] = Tensor::filled({1, 2, 3}, -1.0);  // hangs in a helper
  auto r = call(
      "import torch\ndef spin(n):\n    while n > 0:\n        n = n + 1\ndef f(Q, K, V):\n"
      "    if float(Q.sum()) < 0:\n        spin(1)\n    return Q, K\n",
      work);
  BOOST_TEST(verdict(r.calls[0]) == "timed_out", r.calls[0].message);
  BOOST_TEST(contains(r.calls[0].message, "no result after 2 s of wall-clock time during the call"),
             r.calls[0].message);
  BOOST_TEST((r.calls[0].message.ends_with("; when its time ran out it was at line 3, in spin (`while n > 0:`)") ||
              r.calls[0].message.ends_with("; when its time ran out it was at line 4, in spin (`n = n + 1`)")),
             r.calls[0].message);
  BOOST_TEST(verdict(r.calls[1]) == "returned", r.calls[1].message);  // in a fresh child
  BOOST_TEST(r.processes == 2);
  // In an .ipynb, with its cell.
  const std::string notebook = R"nb({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "outputs": [], "source": "import time, torch"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "source": "def f(Q, K, V):\n    time.sleep(100)\n    return Q, K"}]})nb";
  auto limits = python::Limits{};
  limits.call_seconds = 2;
  r = python::run(HandIn{"hw.ipynb", notebook, {}}, calls_of("f", 1, {"output", "weights"}), 1, limits);
  BOOST_TEST(verdict(r.calls[0]) == "timed_out", r.calls[0].message);
  BOOST_TEST(r.calls[0].message.ends_with("; when its time ran out it was at cell 2, line 2, in f (`time.sleep(100)`)"),
             r.calls[0].message);
  // A line of more than 200 bytes is cut where a character starts (found by a hostile-student
  // helper: a comment in Chinese ended in '?').
  std::string comment;
  for (int i = 0; i < 80; ++i) comment += "\u7b49";  // three bytes each
  r = call("import time, torch\ndef f(Q, K, V):\n    time.sleep(100)  # " + comment + "\n    return Q, K\n",
           calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(verdict(r.calls[0]) == "timed_out", r.calls[0].message);
  BOOST_TEST(contains(r.calls[0].message, " (`time.sleep(100)  # \u7b49"), r.calls[0].message);
  BOOST_TEST(r.calls[0].message.ends_with("\u7b49...`)"), r.calls[0].message);
  // A notebook that takes the question as its cue to return gets nothing for it: the call's time
  // was up. One that makes the question end its child is timed out too, not crashed; one that
  // ignores it is ended all the same.
  for (const char* handler : {"lambda *a: asked.append(1)", "signal.SIG_DFL", "signal.SIG_IGN"}) {
    r = call(std::string("import signal, torch\nasked = []\nsignal.signal(signal.SIGUSR2, ") + handler +
                 ")\ndef f(Q, K, V):\n    while not asked:\n        pass\n    return Q, K\n",
             calls_of("f", 1, {"output", "weights"}));
    BOOST_TEST(verdict(r.calls[0]) == "timed_out", handler << ": " << r.calls[0].message);
    BOOST_TEST(contains(r.calls[0].message, "no result after 2 s of wall-clock time during the call"),
               r.calls[0].message);
    BOOST_TEST(!contains(r.calls[0].message, "when its time ran out"), r.calls[0].message);
    BOOST_TEST(r.calls[0].outputs.empty());
  }
  // Where a call is, said before anyone asked (a record forged, or a SIGUSR2 the notebook sent
  // itself, which the runner answers): nothing, and the call goes on.
  r = call(
      "import os, signal, struct, torch\n"
      "def f(Q, K, V):\n"
      "    text = b'line 1, in f\\nall points awarded'\n"
      "    os.write(5, struct.pack('<IIiI', 18, 0, 0, len(text)) + text)\n"
      "    os.kill(os.getpid(), signal.SIGUSR2)\n"
      "    return Q, K\n",
      calls_of("f", 1, {"output", "weights"}));
  BOOST_TEST(verdict(r.calls[0]) == "returned", r.calls[0].message);
  BOOST_TEST(!contains(r.calls[0].message, "all points awarded"), r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(a_call_or_a_cell_that_filled_memory_when_its_time_ran_out_is_told_of_the_memory) {
  // Found by a hostile-student helper: a list of tensors growing without end ran out of its
  // time before its memory (on a machine whose page faults cost 12 us), and was told of an
  // endless loop. Here each takes 700 MiB at once (populated in one call: fast on any
  // machine), then waits.
  python::Limits limits = hostile_notebooks::quick();
  limits.memory_bytes = 2ull << 30;  // told from a quarter of it: 512 MiB
  const std::string fill = "mmap.mmap(-1, 700 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE)";
  auto work = calls_of("f", 3, {"output", "weights"});
  work.calls[1].inputs[0] = Tensor::filled({1, 2, 3}, -1.0);  // fills memory, then waits
  work.calls[2].inputs[1] = Tensor::filled({1, 2, 3}, -1.0);  // fills memory, frees it, then waits
  const auto calls =
      call("import mmap, time, torch\ndef f(Q, K, V):\n    if float(Q.sum()) < 0:\n        held = " + fill +
               "\n        time.sleep(100)\n    if float(K.sum()) < 0:\n        freed = " + fill +
               "\n        freed.close()\n        time.sleep(100)\n    return Q, K\n",
           work, limits);
  BOOST_TEST(verdict(calls.calls[0]) == "returned", calls.calls[0].message);
  BOOST_TEST(verdict(calls.calls[1]) == "timed_out", calls.calls[1].message);
  BOOST_TEST(contains(calls.calls[1].message, "no result after 2 s of wall-clock time during the call, holding "),
             calls.calls[1].message);
  BOOST_TEST(
      contains(
          calls.calls[1].message,
          " MiB of memory by then, of the 2048 MiB it may use: memory allocated in a loop and kept, or far too slow"),
      calls.calls[1].message);
  BOOST_TEST(verdict(calls.calls[2]) == "timed_out", calls.calls[2].message);
  // What it holds, not its peak (found by the next helper: memory freed before an endless loop
  // was named for the loop).
  BOOST_TEST(contains(calls.calls[2].message, "during the call: an endless loop, a wait, or far too slow"),
             calls.calls[2].message);
  // A cell, interrupted by the child itself.
  const auto cell = python::run(
      HandIn{"A2S1.py", "import mmap, time, torch\nheld = " + fill + "\ntime.sleep(100)\nlast = torch.ones(1)\n", {}},
      python::Work{{{"last", "last", ""}}, {}, {}}, 1, limits);
  BOOST_REQUIRE_EQUAL(cell.failures.size(), 1u);
  BOOST_TEST(contains(cell.failures[0].message, "no end after 2 s of wall-clock time, holding "),
             cell.failures[0].message);
  BOOST_TEST(contains(cell.failures[0].message,
                      " MiB of memory by then, of the 2048 MiB it may use (memory allocated in a loop and kept, or far "
                      "too slow): stopped"),
             cell.failures[0].message);
  const auto freed = python::run(
      HandIn{"A2S1.py", "import mmap, time, torch\nheld = " + fill + "\nheld.close()\ntime.sleep(100)\n", {}},
      python::Work{{}, {}, {}}, 1, limits);
  BOOST_REQUIRE_EQUAL(freed.failures.size(), 1u);
  BOOST_TEST(contains(freed.failures[0].message, "of wall-clock time (an endless loop, a wait, or far too slow)"),
             freed.failures[0].message);
}

BOOST_AUTO_TEST_CASE(a_cell_that_ran_out_of_its_time_is_hurried_when_a_fresh_child_runs_it_again) {
  // Found by an instructor helper: the notebook's own test of a function that hangs ran out of
  // its time in every fresh child a hung call made, until the budget was spent and the calls of
  // another function, which was right, lost their points. Run again, it has 1 s.
  python::Limits limits = hostile_notebooks::quick();
  limits.unit_seconds = 3;
  limits.call_seconds = 1;
  limits.budget_seconds = 12;  // 4 children: 3 + 3 x 1 s of that cell and 3 x 1 s of calls; 4 x 3 + 3 x 1 s before
  auto work = calls_of("f", 4, {"output", "weights"});
  for (std::size_t c = 0; c < 3; ++c) work.calls[c].inputs[0] = Tensor::filled({1, 2, 3}, -1.0);  // they hang
  const auto r = python::run(HandIn{"hw.py",
                                    "import torch\ndef f(Q, K, V):\n    while float(Q.sum()) < 0: pass\n"
                                    "    return Q, K\nf(-torch.ones(1), 0, 0)\n",
                                    {}},
                             work, 1, limits);
  for (std::size_t c = 0; c < 3; ++c) BOOST_TEST(verdict(r.calls[c]) == "timed_out", r.calls[c].message);
  BOOST_TEST(verdict(r.calls[3]) == "returned", r.calls[3].message);
  BOOST_TEST(r.processes == 4);
  // The cell is told once, with the time it had the first time.
  BOOST_REQUIRE_EQUAL(r.failures.size(), 1u);
  BOOST_TEST(contains(r.failures[0].message, "line 5 (in f, line 3): no end after 3 s of wall-clock time"),
             r.failures[0].message);
}

BOOST_AUTO_TEST_CASE(a_function_that_writes_into_the_plan_of_later_calls_crashes_its_own_call_only) {
  // The child maps its plan read-only (notebook.py, mapped()): a function that finds it (in its
  // caller's frame) and overwrites the inputs of the calls after it ends its own call; the
  // fresh child that makes the others reads them intact.
  auto work = calls_of("f", 3, {"output"});
  work.calls[0].inputs[0] = Tensor::filled({1, 2, 3}, 3.0);  // the call that attacks
  const auto r = call(R"(import ctypes, sys
import numpy as np
def f(Q, K, V):
    if float(Q[0, 0, 0]) == 3.0:
        blobs = sys._getframe(1).f_locals['blobs']
        ctypes.memset(np.frombuffer(blobs, dtype=np.uint8).ctypes.data, 0xff, len(blobs))
    return Q
)",
                      work);
  BOOST_TEST(verdict(r.calls[0]) == "crashed", r.calls[0].message);
  BOOST_TEST(contains(r.calls[0].message, "SIGSEGV"), r.calls[0].message);
  for (std::size_t c : {1, 2}) {
    BOOST_REQUIRE(verdict(r.calls[c]) == "returned");
    BOOST_TEST(r.calls[c].outputs[0][0] == 1.0);
  }
}

BOOST_AUTO_TEST_CASE(a_function_defined_twice_is_taken_at_the_end_or_at_its_cell) {
  const std::string source = R"(# In[1]:
import torch
# Exercise 1
def f(Q, K, V):
    return Q, Q

# In[2]:
# Exercise 2
def f(Q, K, V):
    return K, K
)";
  auto work = calls_of("f", 1, {"output", "weights"});
  work.bindings.push_back({"f", "Exercise 1", {}});
  work.calls.push_back(work.calls[0]);
  work.calls[1].binding = 1;
  const auto r = call(source, work);
  BOOST_REQUIRE(!r.calls[0].failure);
  BOOST_REQUIRE(!r.calls[1].failure);
  BOOST_TEST(r.calls[0].outputs[0][0] == 2.0);  // the definition in force at the end
  BOOST_TEST(r.calls[1].outputs[0][0] == 1.0);  // the one of its own cell
  // The functions handed in without their test cells, whose text the spec names (exercise 1
  // was "missing" for want of the text): the definition before the last, the last being the
  // one the other binding takes at the end (found by a student helper: exercise 1 graded with
  // exercise 2's definition).
  std::string bare = source;
  bare.replace(bare.find("# Exercise 1\n"), 13, "");
  const auto b = call(bare, work);
  BOOST_REQUIRE(!b.calls[1].failure);
  BOOST_TEST(b.calls[1].outputs[0][0] == 1.0, b.calls[1].message);
  // With no binding taken at the end, the definition at the end, as without a cell.
  auto alone = work;
  alone.bindings.erase(alone.bindings.begin());
  alone.calls.erase(alone.calls.begin());
  alone.calls[0].binding = 0;
  const auto a = call(bare, alone);
  BOOST_REQUIRE(!a.calls[0].failure);
  BOOST_TEST(a.calls[0].outputs[0][0] == 2.0, a.calls[0].message);
}

BOOST_AUTO_TEST_CASE(a_function_defined_only_after_the_cell_it_is_taken_at_says_so) {
  // Found by a student helper: a correct definition moved below its test cell was told "the
  // notebook defines no function 'f' (is its cell failing, or its name different?)".
  const std::string source =
      "# In[1]:\nimport torch\n# Exercise 1\nprint(f)\n\n# In[2]:\ndef f(Q, K, V):\n"
      "    return Q, Q\n";
  auto work = calls_of("f", 1, {"output", "weights"});
  work.bindings.push_back({"f", "Exercise 1", {}});
  work.calls[0].binding = 1;
  const auto r = call(source, work);
  BOOST_REQUIRE(r.calls[0].failure.has_value());
  BOOST_TEST(contains(r.calls[0].message,
                      "the notebook defines no function 'f' up to the cell at line 1, where this exercise takes it: "
                      "it is defined only later, by the cell at line 6; move the definition above"),
             r.calls[0].message);
}

BOOST_AUTO_TEST_CASE(inputs_can_be_lists_of_rows_and_numpy_arrays) {
  python::Work work;
  work.bindings.push_back({"compute_keys", "", {}});
  python::FunctionCall c;
  c.inputs = {Tensor({3, 4}, {1, 0, 1, 0, 0, 2, 0, 2, 1, 1, 1, 1}),
              Tensor({3, 4}, {0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0})};
  c.arguments = {{0, "", true, ""}, {1, "", true, ""}};
  c.outputs = {"keys"};
  work.calls.push_back(c);
  c.tensors = "numpy";
  c.dtype = "float64";
  work.bindings.push_back({"compute_keys_np", "", {}});
  c.binding = 1;
  work.calls.push_back(c);
  const auto r = call(R"(import torch, numpy as np
def compute_keys(vs, ws):
    return torch.stack([*vs]) @ torch.stack([*ws], dim=1)
def compute_keys_np(vs, ws):
    assert isinstance(vs, list) and isinstance(vs[0], np.ndarray)
    return np.stack(vs) @ np.stack(ws, axis=1)
)",
                      work);
  for (const auto& res : r.calls) {
    BOOST_REQUIRE_MESSAGE(!res.failure, res.message);
    BOOST_TEST(res.outputs[0].values() == (std::vector<double>{0, 1, 1, 4, 4, 0, 2, 3, 1}),
               boost::test_tools::per_element());
  }
  // The precision is read from the values, never from the child's word: whole numbers are
  // float32 values, whatever array held them.
  BOOST_TEST(r.calls[1].precision == "float32");
}

BOOST_AUTO_TEST_SUITE_END()
