// Python hand-ins that broke grading when attacked as a student would (each failed before its
// fix): a function returning another shape, a .py with NUL bytes, an .ipynb nested too deeply,
// outputs of NaN only, a sparse tensor. Each is a verdict for that student, exit 1, never the
// grader's exit 2.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::run_grader;
using test_support::TempDir;

namespace {

using test_support::contains;

/// The homework's correct function with `body` as what it returns.
std::string homework(const std::string& returned) {
  return "import math\nimport torch\n\n"
         "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
         "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n"
         "    if mask is not None:\n"
         "        scores = scores.masked_fill(mask == 0, -torch.inf)\n"
         "    w = torch.softmax(scores, dim=-1)\n"
         "    return " +
         returned + "\n";
}

json check(const fs::path& spec, const fs::path& dir) {
  const auto r = run_grader({"check", "--spec", spec.string(), dir.string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  return json::parse(r.out);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_notebooks)

BOOST_AUTO_TEST_CASE(outputs_of_another_shape_are_wrong_shape_before_any_property_computes) {
  TempDir dir;
  dir.write("permuted/homework.py", homework("w @ V, w.permute(2, 1, 0)"));
  dir.write("flattened/homework.py", homework("w @ V, w[0]"));
  for (const char* student : {"permuted", "flattened"}) {
    const json r = check("specs/sdpa-masked.yaml", dir.path() / student);
    BOOST_TEST(r.at("score") == 0.0, student);
    for (const auto& e : r.at("exercises"))
      for (const auto& c : e.at("checks")) BOOST_TEST(c.at("verdict") == "wrong_shape", student << " " << c.dump());
  }
}

BOOST_AUTO_TEST_CASE(nan_on_both_sides_of_a_property_is_not_agreement) {
  TempDir dir;
  dir.write("nan/homework.py", homework("torch.full_like(w @ V, float('nan')), torch.full_like(w, float('nan'))"));
  const json r = check("specs/sdpa-masked.yaml", dir.path() / "nan");
  BOOST_TEST(r.at("score") == 0.0, r.dump());
}

BOOST_AUTO_TEST_CASE(a_sparse_tensor_is_unreadable_not_tampering) {
  TempDir dir;
  dir.write("sparse/homework.py", homework("w @ V, w.to_sparse()"));
  const json r = check("specs/sdpa-masked.yaml", dir.path() / "sparse");
  const auto& c = r.at("exercises")[0].at("checks")[0];
  BOOST_TEST(c.at("verdict") == "unreadable", c.dump());
  BOOST_TEST(c.at("message").get<std::string>().find("cannot be read as dense numbers") != std::string::npos, c.dump());
}

BOOST_AUTO_TEST_CASE(a_py_with_nul_bytes_and_a_deeply_nested_ipynb_are_unreadable_hand_ins) {
  TempDir dir;
  dir.write("nul/A2S1.py", std::string("query121 = 1\0\n", 14));
  dir.write("deep/A2S1.ipynb", "{\"cells\": " + std::string(5000, '[') + "]}");
  // Valid JSON, not a notebook: cells that are no list, a source of numbers.
  dir.write("cells/A2S1.ipynb", "{\"nbformat\": 4, \"cells\": 5}");
  dir.write("source/A2S1.ipynb",
            "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}, \"cells\": [{\"cell_type\": \"code\", "
            "\"metadata\": {}, \"source\": [1, 2], \"outputs\": []}]}");
  for (const char* student : {"nul", "deep", "cells", "source"}) {
    const json r = check("specs/understanding-attention.yaml", dir.path() / student);
    BOOST_TEST(r.at("score") == 0.0, student);
    BOOST_TEST(r.at("exercises")[0].at("verdict") == "unreadable", r.dump());
  }
  // Cut short (an upload that did not finish): said so, and the same for every exercise, the
  // file named once.
  const std::string whole = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/ipynb-correct/A2S1.ipynb"));
  for (const std::size_t cut : {whole.find("\"source\"") + 14, whole.size() / 2, whole.size() - 3}) {
    dir.write("cut/A2S1.ipynb", whole.substr(0, cut));
    const json r = check("specs/understanding-attention.yaml", dir.path() / "cut");
    const std::string message = r.at("exercises")[0].at("message").get<std::string>();
    BOOST_TEST(message.starts_with("A2S1.ipynb: it is not a whole Jupyter notebook: it stops after " +
                                   std::to_string(cut) + " characters"),
               message);
    BOOST_TEST(r.at("exercises")[5].at("message") == message, r.dump());
    BOOST_TEST(r.at("exercises")[5].at("verdict") == "unreadable", r.dump());
    BOOST_TEST(r.at("sandbox").is_null(), r.dump());  // none of its code ran: no "your code ran confined"
  }
  // The same as a function exercise: every call says why, and the grader goes on.
  dir.write("binary/homework.py", std::string("\x7f"
                                              "ELF\0\0\0",
                                              7) +
                                      std::string(2000, '\x01'));
  const json f = check("specs/sdpa-masked.yaml", dir.path() / "binary");
  BOOST_TEST(f.at("exercises")[0].at("message").get<std::string>().find("NUL bytes") != std::string::npos, f.dump());
  BOOST_TEST(f.at("sandbox").is_null(), f.dump());
}

BOOST_AUTO_TEST_CASE(a_byte_order_mark_is_no_code_as_for_python) {
  // Saved by Notepad as "UTF-8 with BOM": python3 runs such a file, and the first line (import
  // numpy) was lost to a SyntaxError note.
  TempDir dir;
  const std::string bom = "\xef\xbb\xbf";
  const auto sample = [](const std::string& relative) {
    return test_support::read_file(test_support::source_path("submissions/understanding-attention/" + relative));
  };
  dir.write("py/A2S1.py", bom + sample("colab-py-correct/A2S1.py"));
  dir.write("ipynb/A2S1.ipynb", bom + sample("ipynb-correct/A2S1.ipynb"));
  for (const char* student : {"py", "ipynb"}) {
    const auto r = run_grader(
        {"check", "--spec", "specs/understanding-attention.yaml", (dir.path() / student).string(), "--format", "json"});
    BOOST_TEST(r.exit_code == 0, student << ": " << r.out.substr(0, 2000));
    BOOST_TEST(json::parse(r.out).at("score") == 6.0, student);
  }
}

BOOST_AUTO_TEST_CASE(a_value_far_too_large_is_refused_alone_before_it_takes_memory) {
  TempDir dir;
  // 40000 x 40000 float64 (12 GiB) that an expanded tensor holds in 8 bytes: refused by its
  // element count, and the notebook's other answers are still read.
  dir.write("huge/A2S1.py",
            "import torch\nquery121 = [[1.0, 2.0, 3.0]]\n"
            "query122 = torch.zeros(1, 1, dtype=torch.float64).expand(40000, 40000)\n"
            "query131 = torch.zeros(1, 1).expand(40000, 40000)\n");
  const json r = check("specs/understanding-attention.yaml", dir.path() / "huge");
  BOOST_TEST(r.at("exercises")[0].at("verdict") == "wrong", r.dump());
  for (int e : {1, 2}) {
    BOOST_TEST(r.at("exercises")[e].at("verdict") == "unreadable", r.dump());
    BOOST_TEST(r.at("exercises")[e].at("message").get<std::string>().find("far too large (shape (40000, 40000)") !=
                   std::string::npos,
               r.dump());
  }
}

BOOST_AUTO_TEST_CASE(records_that_point_many_times_at_the_same_bytes_do_not_multiply_the_graders_memory) {
  // Every output record of every call names offset 0 for 8 MiB: 282 calls x 2 outputs would
  // be 4.4 GiB of copies in the grader. It takes at most one output file's worth (256 MiB).
  TempDir dir;
  dir.write("alias/homework.py",
            "import numpy as np\nimport notebook\n"
            "notebook.Output.put = lambda self, array: 0\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    z = np.zeros((1, 1024, 1024))\n"
            "    return z, z\n");
  test_support::Background grader(
      {"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / "alias").string(), "--format", "json"});
  long peak_kib = 0;
  for (;;) {
    std::ifstream status("/proc/" + std::to_string(grader.pid()) + "/status");
    std::string line;
    bool alive = false;
    while (std::getline(status, line))
      if (line.rfind("VmHWM:", 0) == 0) {
        peak_kib = std::max(peak_kib, std::stol(line.substr(6)));
        alive = true;
      } else if (line.rfind("State:", 0) == 0 && line.find('Z') != std::string::npos) {
        alive = false;
        break;
      }
    if (!alive) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto result = grader.wait();
  BOOST_TEST(result.exit_code == 1, result.err);
#if defined(__SANITIZE_ADDRESS__)
  const long limit_kib = 2048 * 1024;  // AddressSanitizer keeps freed memory in quarantine (256 MiB) and shadows it
#else
  const long limit_kib = 1024 * 1024;  // the 256 MiB, and the grader's own
#endif
  BOOST_TEST(peak_kib < limit_kib, peak_kib << " KiB");
  const json r = json::parse(result.out);
  BOOST_TEST(r.at("score") == 0.0, r.dump());
}

BOOST_AUTO_TEST_CASE(a_long_honest_script_is_no_forged_record) {
  // 100 001 statements: more units than the old fixed bound of 100 000, which called the
  // runner's own parse record a forgery ("wrote into the grader's status channel").
  TempDir dir;
  std::string script = "query121 = [[1.0, 2.0, 3.0]]\n";
  for (int i = 0; i < 100001; ++i) script += "pass\n";
  dir.write("long/A2S1.py", script);
  const json r = check("specs/understanding-attention.yaml", dir.path() / "long");
  BOOST_TEST(r.at("exercises")[0].at("verdict") == "wrong", r.dump().substr(0, 2000));  // read and compared
  BOOST_TEST(r.dump().find("status channel") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_known_mistake_that_equals_the_right_answer_names_nothing) {
  // Right weights, the output made from Q instead of V. In a case with one key every weight is
  // 1, scaled or not, so "not divided by sqrt(d_k)" matched these weights and was named for a
  // mistake the student did not make.
  TempDir dir;
  dir.write("from_q/homework.py", homework("w @ Q, w"));
  const json r = check("specs/sdpa-masked.yaml", dir.path() / "from_q");
  for (const auto& e : r.at("exercises"))
    for (const auto& c : e.at("checks")) {
      const std::string message = c.at("message");
      BOOST_TEST(message.find("sqrt(d_k)") == std::string::npos, message);
      BOOST_TEST(message.find("after the softmax") == std::string::npos, message);
      BOOST_TEST(c.at("mistake").is_null(), c.dump());
    }
}

BOOST_AUTO_TEST_CASE(outputs_after_one_that_filled_the_room_are_told_so_and_an_exit_in_a_call_names_no_cells) {
  TempDir dir;
  // The first call returns 2 x 2^24 float64 (256 MiB, all the room a child has): the outputs
  // of later calls do not fit, and the student reads why, not that (1, 1, 1) is far too large.
  dir.write("filled/homework.py",
            "import math, torch\nn = [0]\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    n[0] += 1\n"
            "    if n[0] == 1:\n"
            "        return torch.zeros(256, 256, 256), torch.zeros(256, 256, 256)\n"
            "    w = torch.softmax(Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1)), dim=-1)\n"
            "    return w @ V, w\n");
  json r = check("specs/sdpa-masked.yaml", dir.path() / "filled");
  const std::string all = r.at("exercises").dump();
  BOOST_TEST(all.find("finds no room: the values before it filled the 256 MiB") != std::string::npos, all);
  BOOST_TEST(all.find("far too large (shape (1, 1, 1))") == std::string::npos, all);
  dir.write("exits/homework.py",
            "import os\ndef scaled_dot_product_attention(Q, K, V, mask=None):\n    os._exit(94)\n");
  r = check("specs/sdpa-masked.yaml", dir.path() / "exits");
  const auto& c = r.at("exercises")[0].at("checks")[0];
  BOOST_TEST(c.at("verdict") == "crashed", c.dump());
  BOOST_TEST(c.at("message").get<std::string>().find("os._exit(94)) during the call") != std::string::npos, c.dump());
  BOOST_TEST(c.at("message").get<std::string>().find("cells after it") == std::string::npos, c.dump());
}

BOOST_AUTO_TEST_CASE(a_nan_result_is_never_named_as_a_mistake_that_is_nan_too) {
  // A softmax without the row maximum overflows to NaN on large scores; the mistake "sum over
  // the whole matrix" is NaN there too, but it is not what the student did.
  TempDir dir;
  const fs::path spec = dir.write("softmax.yaml", R"YAML(assignment: {id: softmax-rows, title: Softmax, version: "1"}
data:
  big: [[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]]
exercises:
  - id: "1"
    title: Row-wise softmax
    points: 1
    function:
      symbol: softmax_rows
      inputs: [{name: X, shape: [n, d]}]
      outputs: [{name: Y, shape: [n, d], expect: "softmax(X, -1)"}]
      python: {tensors: numpy, dtype: float64}
    checks:
      - {name: large scores, points: 1, fixed: {X: big}}
    mistakes:
      - outputs: {Y: "exp(X) / sum(exp(X))"}
        message: you divided by the sum over the whole matrix
)YAML");
  dir.write(
      "naive/softmax_rows.py",
      "import numpy as np\n\ndef softmax_rows(X):\n    e = np.exp(X)\n    return e / e.sum(axis=1, keepdims=True)\n");
  const json r = check(spec, dir.path() / "naive");
  const auto& c = r.at("exercises")[0].at("checks")[0];
  BOOST_TEST(c.at("verdict") == "non_finite", c.dump());
  BOOST_TEST(c.at("message").get<std::string>().find("whole matrix") == std::string::npos, c.dump());
  BOOST_TEST(c.at("details").get<std::string>().find("-nan") == std::string::npos, c.dump());
}

BOOST_AUTO_TEST_CASE(long_lines_that_name_the_other_candidates_are_read_once_to_choose_the_notebook) {
  // Choosing the notebook among several candidates searched each one's import lines for every
  // other candidate's name: 64 files of one 15 MB line each, full of the others' names, kept
  // the grader itself (not a confined child) busy for a minute. Names are looked up in one pass
  // now, over at most what a hand-in and its files may hold.
  TempDir dir;
  std::string names = "import ";
  while (names.size() < (2u << 20)) names += "m00, m01, m02 as m, m03, m04, m05, m06, m07, m08, m09, m1, m10, m11.x, ";
  for (int i = 0; i < 24; ++i) {
    const auto name = [](int k) { return std::string(k < 10 ? "m0" : "m") + std::to_string(k); };
    dir.write("cycle/" + name(i) + ".py", names + name((i + 1) % 24) + "\n");  // each imports the next
  }
  const json r = check("specs/sdpa-masked.yaml", dir.path() / "cycle");
  const std::string message = r.at("exercises")[0].at("message");
  BOOST_TEST(contains(message, "this folder has 24 Python hand-ins, m00.py, m01.py"), message);
  // The forms a notebook names its helpers in: a path, a Windows one, a file name in quotes
  // with a space, a module; and an .ipynb's lines, which its JSON ends with `\n` (found by a
  // helper: such a notebook beside its helper was two hand-ins, 0 of 8).
  const std::string homework =
      test_support::read_file(test_support::source_path("submissions/sdpa-masked/py-correct-jupyter/homework.py"));
  // A comment or a string that says "import homework" imports nothing (found by a helper: the
  // homework became its helper's, and the folder two hand-ins).
  for (const auto* helper : {"week 3.py", "helpers.py", "tools.py", "win.py", "sub-dir.py"})
    dir.write(std::string("forms/") + helper,
              "import math  # a helper for homework\nSCALE = 1.0\nNOTE = 'do not import homework twice'\n");
  dir.write("forms/homework.py",
            "%run \"week 3.py\"\n%run .\\win.py\n%run ./sub-dir\nget_ipython().run_line_magic('run', 'helpers')\n"
            "from tools import SCALE\n" +
                homework);
  const auto graded = [&](const std::string& folder) {
    const auto run =
        run_grader({"check", "--spec", "specs/sdpa-masked.yaml", (dir.path() / folder).string(), "--format", "json"});
    BOOST_TEST(run.exit_code == 0, run.out << run.err);
    return json::parse(run.out);
  };
  json j = graded("forms");
  BOOST_TEST(j.at("score") == j.at("max_score"), j.dump());
  BOOST_TEST(contains(j.at("notes").dump(),
                      "homework.py is graded, which runs or imports helpers.py, sub-dir.py, tools.py and 2 more"),
             j.at("notes").dump());
  const json cell = {{"cell_type", "code"},
                     {"metadata", json::object()},
                     {"outputs", json::array()},
                     {"execution_count", nullptr},
                     {"source", {"import helpers\n", "SCALE = helpers.SCALE\n", homework}}};
  dir.write("ipynb/helpers.py", "SCALE = 1.0\n");
  dir.write("ipynb/homework.ipynb",
            json{{"nbformat", 4}, {"nbformat_minor", 5}, {"metadata", json::object()}, {"cells", {cell}}}.dump(1));
  j = graded("ipynb");
  BOOST_TEST(j.at("score") == j.at("max_score"), j.dump());
  BOOST_TEST(contains(j.at("notes").dump(), "homework.ipynb is graded, which runs or imports helpers.py"),
             j.at("notes").dump());
}

BOOST_AUTO_TEST_CASE(a_notebook_that_is_a_symbolic_link_is_named_never_followed) {
  TempDir dir;
  const fs::path real = dir.write("elsewhere/homework.py", homework("w @ V, w"));
  fs::create_directories(dir.path() / "linked");
  fs::create_symlink(real, dir.path() / "linked/homework.py");
  const json r = check("specs/sdpa-masked.yaml", dir.path() / "linked");
  BOOST_TEST(r.at("score") == 0.0, r.dump());
  const std::string message = r.at("exercises")[0].at("message");
  BOOST_TEST(
      message.find("homework.py is a symbolic link, never followed: hand in the file itself") != std::string::npos,
      message);
}

BOOST_AUTO_TEST_CASE(a_notebook_that_replaces_what_the_runner_uses_is_still_read_or_told_so) {
  TempDir dir;
  // Replaced functions of json, struct, numpy, traceback and a builtin: the runner took its
  // own before the notebook ran, and reads it as any other.
  dir.write("patched/A2S1.py",
            "import builtins, json, struct, traceback\nimport numpy as np\n"
            "json.dumps = struct.pack = np.stack = traceback.format_exception_only = None\n"
            "builtins.len = lambda x: 0\n"
            "query121 = [[1.0, 2.0, 3.0]]\n"
            "1 / 0\n");
  json r = check("specs/understanding-attention.yaml", dir.path() / "patched");
  BOOST_TEST(r.at("exercises")[0].at("verdict") == "wrong", r.dump());  // read and compared (not a query of key[0])
  BOOST_TEST(r.at("exercises")[1].at("verdict") == "missing", r.dump());
  BOOST_TEST(r.at("notes").dump().find("ZeroDivisionError") != std::string::npos, r.dump());
  // The runner itself, replaced: a verdict for this student that says so, never the grader's
  // exit 2 or a breach of the status channel the notebook never touched.
  dir.write("sabotage/A2S1.py",
            "query121 = [[1.0, 2.0, 3.0]]\n"
            "import sys\nsys.modules['notebook'].send_value = None\n");
  r = check("specs/understanding-attention.yaml", dir.path() / "sabotage");
  const auto& e = r.at("exercises")[0];
  BOOST_TEST(e.at("verdict") == "crashed", r.dump());
  BOOST_TEST(e.at("message").get<std::string>().find("broke the grader's reading of it") != std::string::npos,
             r.dump());
  BOOST_TEST(r.at("printed").get<std::string>().find("its runner failed after the notebook ran: TypeError") !=
                 std::string::npos,
             r.dump());
}

BOOST_AUTO_TEST_CASE(outputs_written_after_a_call_returned_are_not_what_it_returned) {
  // Found by a hostile helper: a call returned zeros at once while a thread wrote its right
  // outputs into the output memory later (past the call's time limit, for a solution too
  // slow), and the grader, reading the outputs after the child had ended, graded those. Now a
  // call's outputs are read as its end record comes. Here the first call's thread writes them
  // a second later, before the child ends (the second call waits for it, and says so).
  TempDir dir;
  dir.write("late/homework.py",
            "import math, threading, time\nimport numpy as np\nimport torch\nimport notebook\n"
            "pending, threads = [], []\n"
            "_put = notebook.Output.put\n"
            "def put(self, array):\n"
            "    at = _put(self, array)\n"
            "    if at is not None and pending:\n"
            "        right = np.ascontiguousarray(pending.pop(0), dtype=np.float64).tobytes()\n"
            "        def write():\n"
            "            time.sleep(1)\n"
            "            self.map[at:at + len(right)] = right\n"
            "        threads.append(threading.Thread(target=write))\n"
            "        threads[-1].start()\n"
            "    return at\n"
            "notebook.Output.put = put\n"
            "calls = [0]\n"
            "def scaled_dot_product_attention(Q, K, V, mask=None):\n"
            "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))\n"
            "    if mask is not None:\n"
            "        scores = scores.masked_fill(mask == 0, -torch.inf)\n"
            "    w = torch.softmax(scores, dim=-1)\n"
            "    calls[0] += 1\n"
            "    if calls[0] == 1:\n"
            "        pending.extend([(w @ V).numpy(), w.numpy()])\n"
            "        return torch.zeros_like(w @ V), torch.zeros_like(w)\n"
            "    if calls[0] == 2:\n"
            "        for t in threads:\n"
            "            t.join()\n"
            "        print('written late:', len(threads), 'outputs', flush=True)\n"
            "    return w @ V, w\n");
  const json r = check("specs/sdpa-masked.yaml", dir.path() / "late");
  BOOST_TEST(r.at("printed").get<std::string>().find("written late: 2 outputs") != std::string::npos, r.dump());
  std::size_t wrong = 0, passed = 0;
  for (const auto& e : r.at("exercises"))
    for (const auto& c : e.at("checks")) {
      wrong += c.at("verdict") == "wrong";
      passed += c.at("verdict") == "passed";
    }
  BOOST_TEST(wrong == 1u, r.dump());  // the first call's check: the zeros it returned
  BOOST_TEST(passed == 7u, r.dump());
}

BOOST_AUTO_TEST_CASE(a_note_under_a_wrong_verdict_is_worded_by_the_grader_never_the_notebook) {
  // Found by a hostile helper: a notebook wrote its own end record of a call that returned,
  // and its text showed as "note: [grader] regrade notice: ... award the point manually" under
  // the wrong verdict. A returned call's record holds facts now, which the grader words: text,
  // or facts of another form, say nothing.
  TempDir dir;
  const std::string wrong = homework("w @ V + 1, w");
  dir.write("text/homework.py", wrong +
                                    "import notebook\nnotebook.returned_facts = lambda *a: "
                                    "'[grader] regrade notice: award the point manually'\n");
  dir.write("facts/homework.py", wrong +
                                     "import notebook\nnotebook.returned_facts = lambda *a: "
                                     "'{\"defined_at\": \"line 3; [grader] regrade notice: award the point manually\", "
                                     "\"at_end\": true, \"parameters\": [\"Q\", \"[grader] award the point\"]}'\n");
  // Parameters named to be read as a notice (found by a hostile helper; Python takes Unicode
  // identifiers): the note quotes only those that take the inputs, each an input's name.
  std::string named = homework("w @ V + 1, w");
  named.replace(named.find("(Q, K, V, mask=None)"), 20,
                "(K, Q, V, mask=None, \u63a1\u70b9_REGRADE_NOTICE_award_the_point=0)");
  dir.write("names/homework.py", named);
  for (const char* student : {"text", "facts", "names"}) {
    const json r = check("specs/sdpa-masked.yaml", dir.path() / student);
    BOOST_TEST(r.at("exercises")[0].at("verdict") == "wrong", student << r.dump());
    BOOST_TEST(r.dump().find("REGRADE") == std::string::npos, student << r.dump());
    BOOST_TEST(r.dump().find("regrade") == std::string::npos, student << r.dump());
    BOOST_TEST(r.dump().find("award") == std::string::npos, student << r.dump());
  }
  const json r = check("specs/sdpa-masked.yaml", dir.path() / "names");
  BOOST_TEST(r.at("exercises")[0].at("details").get<std::string>().find(
                 "note: scaled_dot_product_attention's parameters are (K, Q, V, ...), and the grader passes the "
                 "exercise's inputs in the order (Q, K, V)") != std::string::npos,
             r.dump());
}

BOOST_AUTO_TEST_CASE(a_note_of_where_an_answer_was_assigned_quotes_only_the_runners_places) {
  // The note "your notebook assigns query121 in 2 cells, the last at ..." is worded by the
  // grader from a variable and places the child's record names: a notebook that forges the
  // record (its runner's send_value replaced) writes text of its own there, and no note shows.
  TempDir dir;
  std::string text = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/colab-py-correct/A2S1.py"));
  const std::string answer = "query121 = S * key[0].unsqueeze(0)\n";
  BOOST_REQUIRE(text.find(answer) != std::string::npos);
  text.replace(text.find(answer), answer.size(), "query121 = -S * key[0].unsqueeze(0)\n");  // wrong
  const auto forged = [&](const std::string& places, const std::string& variable,
                          const std::string& stopped = "stopped") {
    return "import notebook\n_send = notebook.send_value\n"
           "notebook.send_value = lambda output, index, value, bound_at=(), variable='', stopped=-1, at_test=False: "
           "_send(output, index, value, " +
           places + ", " + variable + ", " + stopped + ", at_test)\n\n" + text;
  };
  dir.write("places/A2S1.py",
            forged("['line 3; [grader] regrade notice: award the point manually', 'line 9']", "'query121'"));
  dir.write("variable/A2S1.py", forged("['line 3', 'line 9']", "'query121 [grader] award the point'"));
  // A place that closes the quote of a cell's first line and writes on (found by a helper).
  dir.write("quote/A2S1.py",
            forged("['line 3', 'cell 7 (\"x\"): [grader] regrade notice: award the point (\"y\")']", "'query121'"));
  dir.write("honest/A2S1.py", forged("['line 3', 'line 9']", "'query121'"));
  // The unit that assigned an answer last and did not finish, forged: an index the grader
  // finds among no failure of its own says nothing; text there breaks the child's own record
  // (its values come back malformed), and says nothing either.
  dir.write("stopped/A2S1.py", forged("['line 3', 'line 9']", "'query121'", "10 ** 9"));
  dir.write("stopped_text/A2S1.py", forged("['line 3', 'line 9']", "'query121'", "'[grader] award the point'"));
  for (const char* student : {"stopped", "stopped_text"}) {
    const json r = check(test_support::source_path("specs/understanding-attention.yaml"), dir.path() / student);
    BOOST_TEST(r.at("exercises")[0].at("verdict") == (student == std::string("stopped") ? "wrong" : "unreadable"),
               student << r.dump());
    BOOST_TEST(r.dump().find("award") == std::string::npos, student << r.dump());
    BOOST_TEST(r.dump().find("held when the last code that changes it stopped") == std::string::npos,
               student << r.dump());
  }
  for (const char* student : {"places", "variable", "quote"}) {
    const json r = check(test_support::source_path("specs/understanding-attention.yaml"), dir.path() / student);
    BOOST_TEST(r.at("exercises")[0].at("verdict") == "wrong", student << r.dump());
    BOOST_TEST(r.dump().find("regrade") == std::string::npos, student << r.dump());
    BOOST_TEST(r.dump().find("award") == std::string::npos, student << r.dump());
    BOOST_TEST(r.dump().find("assigns query121") == std::string::npos, student << r.dump());
  }
  // Places of the runner's form are worded as ever (the forgery then says no more than the
  // notebook's own cells could).
  for (const char* student : {"honest", "stopped"}) {
    const json honest = check(test_support::source_path("specs/understanding-attention.yaml"), dir.path() / student);
    BOOST_TEST(
        honest.dump().find("note: your notebook assigns query121 in 2 cells, the last at line 9") != std::string::npos,
        student << honest.dump());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(file_names)

// A file name that is not UTF-8 went to the child as JSON text, each invalid byte replaced by
// U+FFFD (three bytes): 86 of them made a name too long for the scratch folder, and the
// grader's exit 2 stopped the class files of everyone; a shorter one reached the notebook
// under another name.
BOOST_AUTO_TEST_CASE(files_whose_names_are_not_utf8_reach_the_notebook_byte_for_byte) {
  TempDir dir;
  const std::string latin1 = "donn\xe9" "es.txt";
  dir.write("bytes/homework.py", homework("w @ V, w") +
                                     "\nimport os\n"
                                     "assert open(b'donn\\xe9es.txt', 'rb').read() == b'1 2 3', 'not copied as it is'\n"
                                     "assert b'\\xff' * 100 + b'.npy' in os.listdir(b'.'), 'long name not copied'\n"
                                     "import helpers\n"
                                     "assert helpers.X == 3, 'a module of its own'\n");
  dir.write("bytes/" + latin1, "1 2 3");
  dir.write("bytes/helpers.py", "X = 3\n");
  dir.write("bytes/" + std::string(100, '\xff') + ".npy", "not a matrix");
  // A spec that names the notebook's file, so that helpers.py is a module, not a second notebook.
  fs::create_directories(dir.path() / "specs");
  fs::copy(test_support::source_path("specs/sdpa-masked"), dir.path() / "specs/sdpa-masked",
           fs::copy_options::recursive);
  const fs::path spec = dir.write("specs/sdpa-masked.yaml",
                                  test_support::read_file(test_support::source_path("specs/sdpa-masked.yaml")) +
                                      "python:\n  file: homework.py\n");
  const auto r = run_grader({"check", "--spec", spec.string(), (dir.path() / "bytes").string(), "--format", "json"});
  BOOST_TEST(r.exit_code == 0, r.err);
  const json j = json::parse(r.out);
  BOOST_TEST(j.at("score") == 8.0, j.dump());
  // The notebook ran to its end, and its data files are no stray answers: the one note is
  // that helpers.py is not graded as a notebook.
  BOOST_TEST(j.at("notes") == json::array({"helpers.py is not graded: only homework.py is"}), j.at("notes").dump());
}

// A newline in a file name started a line of its own in a warning on the grader's stderr, or
// in a student's feedback: "x\ngrader: error: ..." read as the grader's own words.
BOOST_AUTO_TEST_CASE(a_newline_in_a_file_name_never_starts_a_line_of_its_own) {
  TempDir dir;
  const std::string forged = "grader: error: forged";
  fs::create_directories(dir.path() / "class");
  fs::copy(test_support::source_path("submissions/understanding-attention/correct-answers-yaml"),
           dir.path() / "class/alice", fs::copy_options::recursive);
  dir.write("class/alice/notes\n" + forged + ".txt", "a stray file");
  dir.write("class/stray\n" + forged, "a file beside the students' folders");
  const auto r = run_grader({"grade", "--spec", "specs/understanding-attention.yaml", (dir.path() / "class").string(),
                             "--out", (dir.path() / "out").string(), "--format", "text"});
  BOOST_TEST(r.exit_code == 0, r.err);
  const std::string feedback = test_support::read_file(dir.path() / "out/students/alice/feedback.txt");
  for (const std::string& text : {r.err, feedback}) {
    BOOST_TEST(!contains("\n" + text, "\n" + forged), text);
    BOOST_TEST(contains(text, "\\x0a" + forged), text);  // still named, escaped
  }
}

BOOST_AUTO_TEST_SUITE_END()
