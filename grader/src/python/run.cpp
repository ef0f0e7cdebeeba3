#include "grader/python/run.hpp"

#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string_view>
#include <tuple>

#include "../library/records.hpp"
#include "../sandbox/memory_file.hpp"
#include "../sandbox/zygote.hpp"
#include "../text.hpp"
#include "grader/error.hpp"
#include "grader/protocol.hpp"
#include "grader/suggest.hpp"
#include "records.hpp"

namespace grader::python {

namespace {

namespace p = protocol;
using sandbox::Fd;
using json = nlohmann::json;

/// The most a child's values may take, together (a sparse memory file: only what is written
/// costs memory).
constexpr std::uint64_t kOutputBytes = 256ull << 20;

/// A None answer's record, and where the notebook assigned it None when the child knows
/// (notebook.py's NONE_TYPE, NONE_ASSIGNED_BY).
constexpr std::string_view kNoneType = "a NoneType", kNoneAssignedBy = ", assigned by ";

/// Whether the hand-in is given a zygote that has imported torch: when the spec passes torch
/// tensors, or when "torch" is anywhere in the hand-in, its other files (modules it may import)
/// or the spec's expressions. Only a matter of speed: a notebook that imports torch under a name
/// this does not see (`__import__("tor" + "ch")`) imports it in its own child, about a second
/// later, and is graded all the same (docs/python-hand-ins.md).
bool needs_torch(const HandIn& h, const Work& work) {
  const auto names = [](std::string_view text) { return text.find("torch") != std::string_view::npos; };
  return names(h.source) ||
         std::any_of(h.files.begin(), h.files.end(), [&](const auto& file) { return names(file.second); }) ||
         std::any_of(work.values.begin(), work.values.end(), [&](const Request& r) { return names(r.expr); }) ||
         std::any_of(work.bindings.begin(), work.bindings.end(),
                     [&](const Binding& b) { return std::any_of(b.read.begin(), b.read.end(), names); }) ||
         std::any_of(work.calls.begin(), work.calls.end(), [](const FunctionCall& c) { return c.tensors == "torch"; });
}

/// A child's plan: its JSON's length (8 bytes, little-endian) and the JSON (`head`), then the
/// bytes it points into (`blobs`): the student's files, and the calls' inputs as float64.
struct Plan {
  std::string head;
  std::string blobs;
};

/// The plan of a child. The units before `quiet_before` run without printing: an earlier child
/// of this hand-in ran them, and its output is kept; the answers `taken` are not taken again.
Plan make_plan(const HandIn& h, const Work& work, std::uint64_t seed, const std::set<std::size_t>& skip,
               std::size_t quiet_before, std::size_t calls_from, const std::set<std::size_t>& skip_calls,
               const std::vector<bool>& taken, const Limits& limits) {
  Plan out;
  std::string& blobs = out.blobs;
  {  // one allocation: the inputs of a function exercise's calls are hundreds of kilobytes
    std::size_t size = 0;
    for (const auto& file : h.files) size += file.second.size();
    for (const FunctionCall& call : work.calls) {
      size += 512 + 24;  // its JSON (about 300 bytes), its place in the index
      for (const auto& t : call.inputs) size += t.size() * sizeof(double) + 8;
    }
    blobs.reserve(size);
  }
  json plan;
  plan["file"] = h.name;
  plan["seed"] = seed;
  // Said when an interrupted cell is told where it stopped.
  plan["unit_seconds"] = limits.unit_seconds;
  plan["budget_seconds"] = limits.budget_seconds;
  plan["memory_mib"] = limits.memory_bytes >> 20;  // for a cell it interrupts: sandbox::no_end_reason
  plan["memory_worth_naming"] = sandbox::memory_worth_naming(limits.memory_bytes);
  plan["skip"] = json(skip);
  plan["quiet_before"] = quiet_before;
  plan["taken"] = json::array();
  for (std::size_t i = 0; i < taken.size(); ++i)
    if (taken[i]) plan["taken"].push_back(i);
  plan["answers"] = json::array();
  for (const auto& r : work.values)
    plan["answers"].push_back({{"name", r.name}, {"expr", r.expr}, {"cell", r.cell}, {"test_line", r.test_line}});
  plan["files"] = json::array();
  for (const auto& [name, bytes] : h.files) {
    // The name's bytes as they are (JSON text would replace what is not UTF-8, and could
    // lengthen a name past what a folder holds), as hexadecimal digits.
    std::string hex;
    for (const unsigned char c : name) hex += fmt::format("{:02x}", c);
    plan["files"].push_back({{"name_hex", hex}, {"offset", blobs.size()}, {"size", bytes.size()}});
    blobs += bytes;
  }
  plan["functions"] = json::array();
  for (const auto& b : work.bindings)
    plan["functions"].push_back({{"name", b.function},
                                 {"cell", b.cell},
                                 {"positional", b.positional},
                                 {"read", b.read},
                                 {"outputs", b.outputs}});
  // Each call's JSON goes with the blobs, and the plan says where: an index of (offset, length)
  // pairs, 8 bytes each. The child parses a call when it makes it; parsing all of them at once
  // cost each child hundreds of page faults for the objects it holds (6 ms, for 282 calls).
  std::vector<std::uint64_t> index;
  for (std::size_t c = 0; c < work.calls.size(); ++c) {
    const FunctionCall& call = work.calls[c];
    json args = json::array();
    std::vector<std::size_t> offsets;  // inputs go in only for the calls still to make
    for (const auto& t : call.inputs) {
      blobs.resize((blobs.size() + 7) / 8 * 8);
      offsets.push_back(blobs.size());
      if (c >= calls_from && !skip_calls.count(c))
        blobs.append(reinterpret_cast<const char*>(t.values().data()), t.size() * sizeof(double));
      else
        offsets.back() = 0;
    }
    for (const auto& a : call.arguments)
      if (!a.constant.empty())
        args.push_back({{"value", json::parse(a.constant)}, {"keyword", a.keyword}});
      else
        args.push_back({{"offset", offsets.at(a.input)},
                        {"shape", call.inputs.at(a.input).shape()},
                        {"keyword", a.keyword},
                        {"as", a.rows ? "rows" : "tensor"}});
    const std::string text = json{
        {"function", call.binding},
        {"args", args},
        {"tensors", call.tensors},
        {"dtype", call.dtype},
        {"output_names", call.outputs},
        {"output_shapes", call.output_shapes},
        {"seed", call.seed}}.dump(-1, ' ', false, json::error_handler_t::replace);
    index.insert(index.end(), {blobs.size(), text.size()});
    blobs += text;
  }
  blobs.resize((blobs.size() + 7) / 8 * 8);
  plan["calls"] = {{"count", work.calls.size()}, {"index", blobs.size()}};
  blobs.append(reinterpret_cast<const char*>(index.data()), index.size() * sizeof(std::uint64_t));
  plan["calls_from"] = calls_from;
  plan["max_elements"] = kMaxElements;  // the most the grader reads of one value
  plan["skip_calls"] = json(skip_calls);
  const std::string text = plan.dump(-1, ' ', false, json::error_handler_t::replace);
  const std::uint64_t length = text.size();
  out.head.assign(reinterpret_cast<const char*>(&length), sizeof length);
  out.head += text;
  return out;
}

/// How a child ended while unit `label` ran (or, without one, while it read the hand-in or
/// took the values), as a verdict and a message for the student.
std::pair<Verdict, std::string> abnormal_end(const sandbox::Observation& seen, const Records& records,
                                             const Limits& limits, const std::string& during) {
  if (records.breach())
    return {Verdict::forbidden,
            "the notebook wrote into the grader's status channel (descriptor 5) " + during + ": " + *records.breach()};
  if (seen.killed) {
    const std::string no_end = "no end after " + seconds_text(limits.unit_seconds) + " s of wall-clock time " + during;
    // Interrupted at its time, a unit had kInterruptSeconds more to stop: a unit that caught the
    // interrupt was told only of its own limit, as if it had been ended then.
    if (records.interrupted_in_progress())
      return {Verdict::timed_out, no_end + ", nor within " + seconds_text(Records::kInterruptSeconds) +
                                      " s of the interrupt that followed: it caught KeyboardInterrupt and went on, "
                                      "or was inside one long operation that an interrupt cannot stop"};
    return {Verdict::timed_out,
            no_end + sandbox::no_end_reason(seen, limits.memory_bytes, ": an endless loop, a wait, or far too slow")};
  }
  const int status = seen.exit.status;
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGXCPU || (sig == SIGKILL && seen.exit.cpu_seconds >= limits.cpu_seconds)) {
      // The limit is of the whole child: the notebook and every call it made (found by a
      // helper: a function printing its weights 10 000 times a call ran out in a later call,
      // which alone took no time to speak of).
      const std::uint64_t printed = seen.output.size() + seen.output_tail.size() + seen.output_left_out;
      return {
          Verdict::timed_out,
          "used up the " + std::to_string(limits.cpu_seconds) +
              " s of CPU time a run of the notebook may take, its cells and the calls of its functions "
              "together (python.cpu_seconds), " +
              during +
              (printed >= (1u << 20) ? fmt::format(", having printed {} MiB: printing takes time too", printed >> 20)
                                     : "")};
    }
    if (sig == SIGKILL)
      return {Verdict::out_of_memory, sandbox::killed_by_the_system(seen.exit, during, limits.memory_bytes)};
    const char* name = sigabbrev_np(sig);
    return {Verdict::crashed, "Python crashed with " +
                                  (name ? "SIG" + std::string(name) : "signal " + std::to_string(sig)) + " " + during};
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == p::kExitBrokenByNotebook)
    return {Verdict::crashed,
            "the notebook broke the grader's reading of it " + during +
                ": it replaced or changed something of Python's that the grader uses too (a function of "
                "json, struct, re, numpy or torch, say), so nothing more could be taken from it; the end of "
                "what it printed says what failed"};
  // A status channel closed early (os.close(5)) looks the same: the runner's own os._exit(0)
  // at the end, with its last records unsent.
  const bool in_unit = during.rfind("in ", 0) == 0;  // not during a call, nor while values were taken
  return {Verdict::crashed, "the notebook ended Python itself (os._exit(" + std::to_string(code) + ")" +
                                (code == 0 ? ", or closed the grader's descriptor 5" : "") + ") " + during +
                                (in_unit ? "; the cells after it still ran" : "")};
}

/// "; while it ran, the sandbox also refused socket, connect: ..." for system calls the sandbox
/// refused during a unit, or "": the unit may have caught the refusal and failed for another reason
/// (after a message that may end in a hint in parentheses: no second pair).
std::string refused(const std::vector<int>& calls) {
  if (calls.empty()) return "";
  std::set<std::string> names;
  for (const int nr : calls) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    names.insert(name ? name : "system call " + std::to_string(nr));
    std::free(name);
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return "; while it ran, the sandbox also refused " + list +
         ": a notebook may compute, print, and read and write its own folder, but not use the network, "
         "start programs or reach other processes";
}

/// Whether a child's text is a label of one of its units as the runner writes them ("cell 14
/// (\"# scratch\")", "line 61"), of its form and short: a notebook that forges records could
/// otherwise write "the last at [grader] regrade notice: ..." into a note. A cell's first line is
/// quoted as the runner quotes it: at most 30 characters on one line (helper-59: a forged place
/// closed its quote and wrote on), a '"' among them (`print("1.3.1")` is a cell's first line: its
/// label was not taken, and the answer it assigned None was told no more).
bool unit_label(const std::string& text) {
  static const std::regex label(
      R"re((cell [0-9]{1,9} \(("([^\n]{1,130})"|line [0-9]{1,9}|empty)\)|line [0-9]{1,9}|the lines before the first cell))re");
  std::smatch m;
  if (!std::regex_match(text, m, label)) return false;
  const std::string quoted = m[3].str();
  return std::count_if(quoted.begin(), quoted.end(), [](char c) { return (c & 0xC0) != 0x80; }) <= 30;
}

/// An answer without a value, and why.
Value unusable(Verdict problem, const std::string& message) {
  Value v;
  v.problem = problem;
  v.message = message;
  return v;
}

/// A value from its record: the numbers Records copied when the record came (bounded, for all
/// of a hand-in's children together: the honest runner writes each value once, one after
/// another, so its values fit in one output file; records that point many times at the same
/// bytes do not multiply the grader's memory), and what the record says of them; nullopt if
/// the record lies. `expr`: the answer's expression, whose variable the record may name.
std::optional<Value> read_value(const ValueRecord& r, const std::string& expr = "") {
  if (!r.value) return std::nullopt;
  Value v;
  try {
    const json place = json::parse(r.text);
    v.value = *r.value;
    v.dtype = library::printable(place.at("dtype").get<std::string>(), 40);
    // Its variable and the places that bound it, which the grader words into a note: a name
    // of the answer's expression, and labels of the child's units (unit_label()). A value
    // without them is still the value.
    static const std::regex name("[A-Za-z_][A-Za-z0-9_]{0,99}");
    try {
      v.variable = place.value("variable", std::string());
      v.bindings = place.value("bindings", std::size_t{0});
      if (const json stopped = place.value("stopped", json(-1)); stopped.is_number_unsigned())
        v.stopped = stopped.get<std::size_t>();
      v.at_test = place.value("at_test", false);
      for (const auto& text : place.value("bound_at", json::array()))
        if (v.bound_at.size() < 3) v.bound_at.push_back(flattened(library::printable(text.get<std::string>(), 200)));
      const bool named = std::regex_match(v.variable, name) &&
                         std::regex_search(expr, std::regex("(^|[^A-Za-z0-9_])" + v.variable + "($|[^A-Za-z0-9_])"));
      if (!named || !std::all_of(v.bound_at.begin(), v.bound_at.end(), unit_label))
        throw std::invalid_argument("not the runner's");
    } catch (const std::exception&) {
      v.variable.clear();
      v.bound_at.clear();
      v.bindings = 0;
      v.stopped.reset();
      v.at_test = false;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return v;
}

/// Where a unit's failure says it failed: its text up to the ": " after the unit's label
/// ("cell 8 (\"# Step 3: weights\"), line 3"), which may hold one itself (found by an
/// instructor helper: the place was cut at the label's own ": ").
std::string place_of(const UnitRecord& u) {
  const std::size_t from = u.text.rfind(u.label, 0) == 0 ? u.label.size() : 0;
  return u.text.substr(0, u.text.find(": ", from));
}

/// For an answer no cell assigns (or one left None): the cells that still raise
/// NotImplementedError (an nbgrader stub, which replaces the answer's code), where it is likely
/// to belong; or nothing. Those that raise it on a line of their own, where there are any: a
/// cell that calls a function still to do is not where an answer is assigned (found by an
/// instructor helper, whose mask's stub was named after the cell calling an unfinished function).
std::string unfinished_cells(const std::map<std::size_t, UnitFailure>& failures) {
  std::vector<std::string> stubs, own;
  for (const auto& [_, f] : failures)
    if (f.left_to_do) {
      stubs.push_back(f.place);
      if (f.place.find(" (in ") == std::string::npos) own.push_back(f.place);
    }
  if (!own.empty()) stubs = std::move(own);
  if (stubs.empty()) return "";
  if (stubs.size() == 1) return " (" + stubs.front() + " still raises NotImplementedError: an exercise left to do?)";
  return " (" + std::to_string(stubs.size()) + " cells still raise NotImplementedError, the first at " +
         stubs.front() + ": exercises left to do?)";
}

/// The notebook's names a child's record lists (for "did you mean"), each on one line: a name
/// can hold a newline (globals()["x\n  1 4/4"]).
std::vector<std::string> names_in(const json& record) {
  std::vector<std::string> names;
  for (const auto& n : record.value("names", json::array()))
    if (n.is_string() && names.size() < 200) names.push_back(flattened(library::printable(n.get<std::string>(), 100)));
  return names;
}

/// Whether a child's text is a place in the hand-in as notebook.py's defined_at() says it: "line
/// 12", "cell 3, line 5"; nothing else of a child's is quoted as a place.
bool a_place(const std::string& text) {
  static const std::regex place("(cell [0-9]{1,7}, )?line [0-9]{1,9}");
  return std::regex_match(text, place);
}

/// What the grader says of powers in a function's code that cannot be meant, worded from a
/// child's facts (notebook.py's power_facts()): `** 0` (as `** (1//2)` compiles to) and
/// `** 1 / k`; "" for none, or facts of another form.
std::vector<std::string> power_notes(const json& facts) {
  std::vector<std::string> notes;
  const json powers = facts.value("powers", json::array());
  if (!powers.is_array()) return notes;
  for (const auto& p : powers) {
    if (notes.size() == 3 || !p.is_object() || !p.value("at", json()).is_string()) break;
    const std::string at = p.at("at").get<std::string>();
    const json power = p.value("power", json()), divisor = p.value("divisor", json());
    if (!a_place(at) || !power.is_number_integer()) break;
    if (power.get<int>() == 0)
      notes.push_back("at " + at +
                      ", a number is raised to the power 0, which makes 1: `** (1//2)` is `** 0`, as `//` "
                      "rounds down to a whole number; write `** 0.5`, or take a square root");
    else if (power.get<int>() == 1 && divisor.is_number_integer() && divisor.get<int>() > 1 &&
             divisor.get<int>() < 100) {
      const std::string k = std::to_string(divisor.get<int>());
      notes.push_back("at " + at + ", `** 1/" + k + "` raises to the power 1 and then divides by " + k +
                      ", as `**` comes before `/`; write `** (1/" + k + ")`" + (k == "2" ? " or `** 0.5`" : ""));
    }
  }
  return notes;
}

/// Whether a child's facts say the definition called is not the one before the last, a stub
/// (`raise NotImplementedError()`) being between them.
bool past_stub(const json& facts) { return facts.value("past_stub", json()) == json(true); }

/// For a function the notebook defines more than once, called by exercises tied to a test cell
/// whose text no line holds (the print line deleted with the expected output): that they were
/// graded with the definition in force at the end, maybe not their own, said once for the
/// hand-in whatever the outputs (found by a student helper: exercise 1's wrong definition
/// passed through exercise 2's right one, and nothing said so); "" otherwise. A call that
/// returned leaves it to this note (returned_note()).
std::string cell_missing_note(const json& facts, const Binding& b) {
  const bool before_last = facts.value("before_last", json()) == json(true);
  if (b.cell.empty() || (facts.value("at_end", json()) != json(true) && !before_last) ||
      !facts.value("defined_at", json()).is_string())
    return "";
  const auto where = facts.at("defined_at").get<std::string>();
  if (!a_place(where)) return "";
  const bool one = b.exercises.size() == 1;
  return (one ? "exercise " : "exercises ") + first_few(b.exercises, b.exercises.size()) + (one ? " is" : " are") +
         " graded with the definition of " + b.function + " at " + where +
         (!before_last ? ", the one in force at the end of the notebook"
          : past_stub(facts)
              ? ", the last one that is no stub before the notebook's last definition (another exercise takes the last)"
              : ", the one before the notebook's last definition (another exercise takes the last)") +
         ", maybe not " + (one ? "its" : "their") +
         " own: the grader finds the definition an exercise tests by its test cell's line '" + b.cell +
         "', and no line holds it; put that line back as the handout gives it";
}

/// Which definition of a function the notebook defines more than once an exercise calls, and
/// why that one, worded from a child's facts (notebook.py's definition_facts(): where it is,
/// and whether it is the one in force at the end of the notebook); "" for facts of another
/// form.
std::string definition_note(const json& facts, const Binding& b) {
  if (!facts.contains("defined_at") || !facts.at("defined_at").is_string() ||
      !facts.value("at_end", json()).is_boolean())
    return "";
  const auto where = facts.at("defined_at").get<std::string>();
  if (!a_place(where)) return "";
  std::string note =
      "the notebook defines " + b.function + " more than once; this exercise calls its definition at " + where +
      ", the one in force at the end of " +
      (b.cell.empty() ? std::string("the notebook")
       : facts.value("before_last", json()) == json(true)
           ? "the notebook but for the last" + std::string(past_stub(facts) ? " and the stubs before it" : "") +
                 ": no line of it holds '" + b.cell +
                 "', the text of this exercise's test cell, and the last is another exercise's"
       : facts.at("at_end").get<bool>()
           ? "the notebook: no line of it holds '" + b.cell + "', the text of this exercise's test cell"
       : facts.value("before_next", json()) == json(true)
           ? "the cell holding '" + b.cell +
                 "', before the definition after it (in a download, code cells with no text between "
                 "them are one cell)"
           : "the cell holding '" + b.cell + "'");
  // Another definition takes what the call passes: the last one only tries something out?
  if (const auto taking = facts.value("taking_at", json()); taking.is_string() && a_place(taking.get<std::string>()))
    note += "; its definition at " + taking.get<std::string>() + " takes these arguments: if the one at " + where +
            " only tries something out, give it another name";
  return note;
}

/// Why the function of `binding` failed the call (it is not there, does not take the
/// exercise's arguments, returned None or the wrong kind or number of values, is not
/// implemented), from the JSON a child sends (why, where the definition called is, and the
/// notebook's functions), with
/// the one of them its name may be a misspelling of: not another binding's function
/// (compute_keys is no misspelt compute_values).
std::string no_function(const std::string& text, const std::vector<Binding>& bindings, std::size_t binding) {
  std::string why = text, note;
  std::vector<std::string> names, taking;
  try {
    const json j = json::parse(text);
    why = j.at("why").get<std::string>();
    names = names_in(j);
    for (const auto& n : j.value("taking", json::array()))
      if (n.is_string() && taking.size() < 5)
        taking.push_back(flattened(library::printable(n.get<std::string>(), 100)));
    if (binding < bindings.size()) note = definition_note(j, bindings[binding]);
  } catch (const std::exception&) {  // a child that says it in words: those words
  }
  const auto other_exercises = [&](const std::string& n) {
    return std::any_of(bindings.begin(), bindings.end(), [&](const Binding& b) { return n == b.function; });
  };
  std::erase_if(names, other_exercises);
  std::erase_if(taking, other_exercises);
  const std::string function = binding < bindings.size() ? bindings[binding].function : "";
  std::string alike = did_you_mean(function, names);
  // A function of another name that takes the exercise's arguments, where no name is near
  // enough for "did you mean" (found by a student helper: `scaled_self_attention` for
  // scaled_dot_product_self_attention was told only that the name is missing).
  if (alike.empty() && taking.size() == 1)
    alike = "; the notebook's " + taking.front() +
            " takes this exercise's arguments: if it is this exercise's function, "
            "name it '" +
            function + "'";
  return flattened(library::printable(why, 600)) + (note.empty() ? "" : " (" + note + ")") + alike;
}

/// The notebook's tensors a function reads beside its parameters, worded from a child's facts
/// (notebook.py's reads_facts()): "compute_keys reads W_k1, W_k2, of the notebook, beside its
/// parameters: the grader's inputs reach it only through vs, ws", or "". Names are ASCII
/// identifiers of at most 60 characters (a record the notebook writes itself can name nothing
/// else), at most four, then how many more; a parameter of another name is left out, with
/// "...".
std::string reads_note(const json& facts, const std::string& function) {
  static const std::regex identifier("[A-Za-z_][A-Za-z0-9_]{0,59}");
  const auto named = [&](const json& n) {
    return n.is_string() && std::regex_match(n.get_ref<const std::string&>(), identifier);
  };
  const auto count = [&](const char* key) {
    const json n = facts.value(key, json(0));
    return n.is_number_unsigned() ? std::min<std::size_t>(n.get<std::size_t>(), 99999) : std::size_t{0};
  };
  const json reads = facts.value("reads", json::array()), parameters = facts.value("parameters", json::array());
  if (!reads.is_array() || !parameters.is_array()) return "";
  std::vector<std::string> read, through;
  std::size_t more = count("reads_more");
  for (const auto& n : reads)
    if (named(n) && read.size() < 4)
      read.push_back(n.get<std::string>());
    else
      ++more;
  if (read.empty() && more == 0) return "";
  bool all = count("parameter_count") <= parameters.size();
  for (const auto& p : parameters)
    if (named(p) && through.size() < 16)
      through.push_back(p.get<std::string>());
    else
      all = false;
  std::string text = function + " reads " +
                     (read.empty() ? fmt::format("{} of the notebook's tensors by name", more)
                                   : first_few(read, read.size()) + (more ? fmt::format(" and {} more", more) : "") +
                                         ", of the notebook");
  if (through.empty()) return text + ": the grader's inputs reach it only through its parameters";
  return text + ", beside its parameters: the grader's inputs reach it only through " +
         first_few(through, through.size()) + (all ? "" : ", ...");
}

/// What the grader says of a call that returned, worded here from the facts the child sent
/// (notebook.py's returned_facts(): powers that cannot be meant; where the definition called is,
/// when the notebook defines the function more often than the spec takes it; the function's
/// parameter names; the notebook's tensors it reads), so that a notebook that writes the record itself can say
/// nothing else (found by a hostile helper: a note "[grader] regrade notice: ... award the
/// point manually" shown under a wrong verdict). Facts of another form say nothing. Each note
/// on a line of its own.
std::string returned_note(const json& facts, const Binding& b) {
  std::vector<std::string> notes;
  try {
    notes = power_notes(facts);
    if (auto defined = cell_missing_note(facts, b).empty() ? definition_note(facts, b) : ""; !defined.empty())
      notes.push_back(std::move(defined));
    // Parameters that take the inputs passed by position in another order (names alike but for
    // ASCII case): both orders. Only those parameters are quoted, each then a spec's input name
    // but for case: a parameter's name can be any text (`co_varnames` replaced, or a Unicode
    // identifier; found by a hostile helper: "(K, Q, V, 【GRADER】 REGRADE NOTICE: ...)").
    const json listed = facts.value("parameters", json::array());
    if (listed.is_array() && listed.size() >= b.positional.size()) {
      std::vector<std::string> own, passed;
      for (std::size_t i = 0; i < b.positional.size(); ++i)
        if (!b.positional[i].empty()) {
          own.push_back(listed[i].get<std::string>());
          passed.push_back(b.positional[i]);
        }
      const auto same = [](const std::string& x, const std::string& y) { return lower(x) == lower(y); };
      if (!std::equal(own.begin(), own.end(), passed.begin(), passed.end(), same) &&
          std::is_permutation(own.begin(), own.end(), passed.begin(), passed.end(), same))
        notes.push_back(b.function + "'s parameters are (" + first_few(own, own.size()) +
                        (listed.size() > own.size() ? ", ..." : "") +
                        "), and the grader passes the exercise's inputs in the order (" +
                        first_few(passed, passed.size()) + "), as the exercise calls it: are some swapped?");
    }
  } catch (const std::exception&) {  // facts not of this form
    return "";
  }
  std::string out;
  for (const auto& n : notes) out += (out.empty() ? "" : "\nnote: ") + n;
  return out;
}

/// What the grader says of a function that changed its tensor arguments in place, worded from
/// the places a child's facts list (notebook.py's changed_arguments()) and the spec's names of
/// the arguments at those places (an input passed by position, or the keyword it goes by), or
/// "": "scaled_dot_product_attention changes its argument Q in place ...". Outputs are graded as
/// returned; the note is for the notebook, whose own tensors change with each call.
std::string changed_note(const json& facts, const Binding& b, const FunctionCall& call) {
  const json places = facts.value("changed", json::array());
  if (!places.is_array()) return "";
  std::vector<std::string> names;
  for (const auto& place : places) {
    if (!place.is_number_unsigned() || place.get<std::size_t>() >= call.arguments.size()) return "";
    const std::size_t i = place.get<std::size_t>();
    const auto& a = call.arguments[i];
    const auto before = static_cast<std::size_t>(std::count_if(
        call.arguments.begin(), call.arguments.begin() + static_cast<std::ptrdiff_t>(i),
        [](const Argument& x) { return x.keyword.empty(); }));
    if (!a.keyword.empty())
      names.push_back(a.keyword);
    else if (before < b.positional.size() && !b.positional[before].empty())
      names.push_back(b.positional[before]);
  }
  if (names.empty()) return "";
  const std::string& n = names.front();
  const bool torch = call.tensors == "torch";
  const std::string kind = torch ? "tensor" : "array";
  return b.function + " changes its argument" + (names.size() > 1 ? "s " : " ") + first_few(names, names.size()) +
         " in place (as `" + n + " /= x` or `" + n + "[...] = x` do), so the caller's " + kind +
         (names.size() > 1 ? "s change" : " changes") + " too: your notebook's own " + n +
         " is not the same after a call, and a second call on it gets other results; compute a new " + kind +
         " (`" + n + " = " + n + " / x`) or work on a copy (`" + n + (torch ? ".clone()" : ".copy()") +
         "`). Its outputs are graded as returned";
}

/// Why a call raised, from the JSON its child sent (why, and the facts reads_note() words), or
/// the words of a record of another form as they are.
std::string raised(const std::string& text, const std::string& function) {
  try {
    const json j = json::parse(text);
    const std::string why = flattened(library::printable(j.at("why").get<std::string>()));
    // The notebook's tensors the function reads first: they are the likelier cause, and the
    // error's own hint may only treat its symptom (found by a student helper: `torch.stack([W_k1,
    // W_k2, W_k3])` of the notebook's integer weights raised on dtypes, and x.to(b.dtype) was
    // tried first).
    const std::string read = reads_note(j, function);
    return read.empty() ? why : read + "; the error: " + why;
  } catch (const std::exception&) {  // not JSON, or not of this form
    return flattened(library::printable(text));
  }
}

/// The values a child sent (or why it has none), for the requests not taken yet. `cut`: the
/// unit the budget ran out in (Records::cut()), and `cut_message` why the notebook stopped there.
/// `torch`: whether the hand-in uses torch (needs_torch()), which the advice for a value that is
/// not numbers then offers.
void take_values(const Records& records, const std::vector<Request>& requests,
                 const std::map<std::size_t, UnitFailure>& failures, Run& out, std::vector<bool>& taken,
                 std::optional<std::size_t> cut, const std::string& cut_message, bool torch) {
  const auto settle = [&](std::size_t i, Verdict verdict, const std::string& message) {
    out.values[i] = unusable(verdict, message);
    taken[i] = true;
  };
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = records.values()[i];
    if (!r || taken[i]) continue;
    if (r->ok) {
      if (auto v = read_value(*r, requests[i].expr)) {
        out.values[i] = std::move(*v);
        taken[i] = true;
      } else {
        settle(i, Verdict::unreadable, "the value of '" + requests[i].name + "' came back malformed");
      }
      continue;
    }
    std::string why = r->text;
    std::vector<std::size_t> assigned_in;
    bool no_cell = false;     // the cell it is taken at is not there: nothing else to say
    std::string child_cause;  // the child's word for the failure of a unit that assigns it
    std::string variable, local_to;  // the function assigning it as a local of its own
    std::string commented_at, commented_line;  // a line commented out that assigns it
    bool commented_magic = false;              // ... with a magic (Colab's download comments them out)
    std::vector<std::string> names;  // the notebook's variables that hold values
    if (r->code == 1) {
      try {
        const json j = json::parse(r->text);
        why = j.at("why").get<std::string>();
        for (const auto& k : j.at("assigned_in")) assigned_in.push_back(k.get<std::size_t>());
        no_cell = j.value("no_cell", false);
        child_cause = j.value("cause", std::string());
        // Each on one line: a name can hold a newline (globals()["x\n  1 4/4"]), and a
        // notebook that writes its own records can say anything (found by a hostile helper).
        variable = flattened(library::printable(j.value("variable", std::string()), 100));
        local_to = flattened(library::printable(j.value("local_to", std::string()), 100));
        commented_at = flattened(library::printable(j.value("commented_at", std::string()), 100));
        commented_line = flattened(library::printable(j.value("commented_line", std::string()), 300));
        commented_magic = j.value("commented_magic", false);
        names = names_in(j);
      } catch (const std::exception&) {
      }
    }
    why = flattened(library::printable(why, 600));  // a type's name, an exception's text: one line
    if (r->code == 1 && no_cell) {
      settle(i, Verdict::missing, "'" + requests[i].expr + "' cannot be taken: " + why);
    } else if (r->code == 1) {
      // Named as the notebook names it (`python: A` takes the answer 'weights' from A).
      // The variable, where the answer is an expression of it (found by a student helper:
      // "'m_key[2]' is not defined" read as if m_key[2] were a name).
      const std::string& expr = requests[i].expr;
      const bool indexed = !variable.empty() && expr.size() > variable.size() && expr.starts_with(variable) &&
                           expr[variable.size()] == '[' &&
                           expr.find_first_not_of("0123456789[]:, -", variable.size()) == std::string::npos;
      std::string message = "'" + (indexed ? variable : expr) + "' is not defined" +
                            (!requests[i].cell.empty() ? " at the end of the cell with '" + requests[i].cell + "'"
                             : !cut                    ? " at the end of your notebook"
                                                       : " where your notebook stopped") +
                            (indexed ? " (this answer is " + expr + ")" : "");
      std::string cause;
      Verdict verdict = Verdict::missing;  // an exception left it undefined: the notebook says where
      for (const auto k : assigned_in)
        if (const auto f = failures.find(k); f != failures.end()) {
          cause = f->second.message;
          if (cause.rfind(f->second.place, 0) != 0) cause = f->second.place + ": " + cause;
          // A cell the grader ended (it hung, crashed, ran out of memory) gives its own verdict.
          if (f->second.verdict == Verdict::timed_out || f->second.verdict == Verdict::crashed ||
              f->second.verdict == Verdict::out_of_memory)
            verdict = f->second.verdict;
          break;
        }
      // A failure past the first few hundred kept here: the child's own word for it.
      if (cause.empty() && !child_cause.empty()) cause = flattened(library::printable(child_cause, 600));
      // Assigned in the cell the budget ran out in, or one after it, which did not run: the
      // budget's (found by a reviewing helper: a misspelt answer was blamed on it).
      if (cause.empty() && cut &&
          std::any_of(assigned_in.begin(), assigned_in.end(), [&](std::size_t k) { return k >= *cut; })) {
        cause = cut_message;
        verdict = Verdict::timed_out;
      }
      if (!cause.empty())
        message += ": " + cause;
      else if (why.find("is not defined") == std::string::npos)
        message += ": " + why;
      else if (!local_to.empty() && !variable.empty())
        // A notebook made a program (`def main(): ...`): its variables are the function's.
        message += ": " + variable + " is assigned only inside " + local_to +
                   "(), where it belongs to that function; answers are your notebook's top-level "
                   "variables: assign it outside any function, or declare `global " +
                   variable + "` in " + local_to + "()";
      else {
        // A name alike that is not another answer's (query132 is no misspelt query131).
        std::erase_if(names, [&](const std::string& n) {
          return std::any_of(requests.begin(), requests.end(),
                             [&](const Request& q) { return n == q.name || n == q.expr; });
        });
        const std::string alike = did_you_mean(variable.empty() ? requests[i].expr : variable, names);
        const std::string unfinished = unfinished_cells(failures);
        if (!commented_at.empty() && !variable.empty() && alike.empty())
          // Commented out by the student, or by Colab's download (a magic it did not restore).
          message += ": " + variable + " is assigned only in a line commented out, " + commented_at + ": " +
                     code_quoted(commented_line) +
                     (commented_magic ? ": Colab's download comments out a line that uses a magic (%time, !): "
                                        "write that line without the magic, or hand in the .ipynb"
                                      : "") +
                     unfinished;
        else
          // With what the exercise asks where nothing else explains it: the handout's cell may
          // compute the value without naming it (found by a student helper, who had to guess
          // from the section's title).
          message += ": assign it in your notebook" + alike + unfinished +
                     (alike.empty() && unfinished.empty() && !requests[i].asked.empty()
                          ? " (" + one_line(requests[i].asked, 200) + ")"
                          : "");
      }
      settle(i, verdict, message);
    } else if (r->code == 2 && why.starts_with(kNoneType) &&
               (why.size() == kNoneType.size() || why.substr(kNoneType.size()).starts_with(kNoneAssignedBy))) {
      // The placeholder of a notebook handed out (`mask = None`), before an nbgrader stub that
      // still raises (found by an instructor helper: "is a NoneType, not numbers: make it a
      // torch.Tensor" in a NumPy course, the stub named in a note only). Where the child says
      // which part assigned it, that part's stub, or that part (found by the next: a later
      // exercise's stub was named, a student sent to fix exercise 2 for exercise 1).
      std::string by = why.size() > kNoneType.size() ? why.substr(kNoneType.size() + kNoneAssignedBy.size()) : "";
      if (!unit_label(by)) by.clear();
      std::map<std::size_t, UnitFailure> own;
      for (const auto& [k, f] : failures)
        if (!by.empty() && (f.place == by || f.place.starts_with(by + ","))) own.emplace(k, f);
      const std::string there = unfinished_cells(own);
      settle(i, Verdict::unreadable,
             "'" + requests[i].name + "' is None, not numbers: give it its value" +
                 (by.empty()       ? unfinished_cells(failures)
                  : !there.empty() ? there
                                   : " (" + by + " assigns it None: an exercise left to do?)"));
    } else if (r->code == 4) {
      // A subclass of a tensor type, worded with what to hand in instead (notebook.py's
      // unread_subclass()).
      settle(i, Verdict::unreadable, "'" + requests[i].name + "' is " + why);
    } else if (r->code == 5) {  // its expression reached an nbgrader stub: an exercise left to do
      settle(i, Verdict::missing, "'" + requests[i].name + "': " + why);
    } else if (r->code == 6) {  // the hand-in as a whole cannot be read: the same for every answer
      settle(i, Verdict::unreadable, why);
    } else if (r->code == 2) {
      settle(i, Verdict::unreadable,
             "'" + requests[i].name + "' is " + why + ", not numbers: make it " +
                 (torch ? "a torch.Tensor, a numpy array," : "a numpy array") + " or a list of numbers");
    } else {
      settle(i, Verdict::unreadable, "'" + requests[i].name + "': " + why);
    }
  }
}

}  // namespace

Run run(const HandIn& h, const Work& work, std::uint64_t seed, const Limits& limits) {
  static const bool undumpable = prctl(PR_SET_DUMPABLE, 0) == 0;
  (void)undumpable;
  const auto& requests = work.values;
  Run out;
  out.values.resize(requests.size());
  out.calls.resize(work.calls.size());
  const Fd code = sandbox::sealed_memory_file("hand-in", {h.source}, 0, sandbox::kSealedForGood);
  sandbox::Budget budget(limits.budget_seconds);
  const std::string budget_text =
      "the notebook's time budget of " + seconds_text(limits.budget_seconds) + " s (python.budget_seconds)";
  const std::string budget_spent_message = budget_text + " ran out before its end";
  std::set<std::size_t> skip, resolved_calls;
  std::set<std::size_t> ran_out;   // units interrupted for their time: hurried when run again (Records::hurry)
  std::string unreadable_hand_in;  // why the hand-in could not be read, if it could not
  std::size_t most_units = 0;      // of the hand-in's parts any child parsed: none, and none of its code ran
  std::size_t calls_from = 0;
  std::size_t quiet_before = 0;  // the units whose output an earlier child printed
  std::map<std::size_t, UnitFailure> failures;
  sandbox::CapturedOutput printed(limits.capture_bytes);
  const bool uses_torch = needs_torch(h, work);
  auto& zygote =
      sandbox::Zygote::of_this_thread(uses_torch ? sandbox::Zygote::Kind::python_torch : sandbox::Zygote::Kind::python);
  std::vector<bool> taken(requests.size(), false);
  std::uint64_t value_room = kOutputBytes;  // what Records may still copy, all children together
  const auto settle = [&](std::size_t i, Verdict verdict, const std::string& message) {
    out.values[i] = unusable(verdict, message);
    taken[i] = true;
  };
  const auto resolve_call = [&](std::size_t c, Verdict verdict, const std::string& message) {
    out.calls[c].failure = verdict;
    out.calls[c].message = message;
    resolved_calls.insert(c);
  };
  const auto settle_rest = [&](Verdict verdict, const std::string& message) {
    for (std::size_t i = 0; i < requests.size(); ++i)
      if (!taken[i]) settle(i, verdict, message);
    for (std::size_t c = 0; c < work.calls.size(); ++c)
      if (!resolved_calls.count(c)) resolve_call(c, verdict, message);
  };

  for (;;) {
    if (budget.spent()) {
      settle_rest(Verdict::timed_out, budget_spent_message);
      break;
    }
    const Plan plan = make_plan(h, work, seed, skip, quiet_before, calls_from, resolved_calls, taken, limits);
    const Fd plan_fd = sandbox::sealed_memory_file("grader-plan", {plan.head, plan.blobs}, 0, sandbox::kSealedForGood);
    const Fd out_fd = sandbox::sealed_memory_file("grader-values", {}, kOutputBytes, sandbox::kSealedSize);
    p::ChildRequest request =
        p::child_request(p::kPythonChild, limits.cpu_seconds, limits.memory_bytes, limits.threads);
    request.file_bytes = static_cast<std::uint64_t>(limits.scratch_mib) << 20;
    request.scratch_kib = limits.scratch_mib * 1024;
    sandbox::Child child = zygote.start(request, plan_fd.get(), out_fd.get(), code.get());
    const auto deadline = budget.deadline();
    const auto first_unit_by = std::min(sandbox::after(limits.unit_seconds), deadline);
    // The grader's view of the values, copied from as their records come (Records).
    const sandbox::Mapping values(out_fd.get(), kOutputBytes, false, "a Python hand-in's values");
    Records records(requests.size(), work.calls.size(), h.source.size() + 1, limits.unit_seconds, limits.call_seconds,
                    first_unit_by, deadline, values.data(), kOutputBytes, value_room);
    records.hurry(ran_out);
    const std::size_t room = printed.room();
    const sandbox::Observation seen = child.watch(first_unit_by, &records, room);
    for (const auto& [k, u] : records.unit_records())
      if (u.ended && u.interrupted) ran_out.insert(k);
    budget.charge(seen);
    spdlog::debug("Python child {} ended after {:.2f} ms (CPU {:.2f} ms, {} page faults)", child.pid(),
                  1e3 * seen.seconds, 1e3 * seen.exit.cpu_seconds, seen.exit.page_faults);
    printed.add(seen);
    ++out.processes;
    const int code_of_exit = WIFEXITED(seen.exit.status) ? WEXITSTATUS(seen.exit.status) : -1;
    if (!records.isolated() && code_of_exit == p::kExitSetupFailed)
      throw Error("the sandbox could not confine a Python child: " +
                  records.load_error().value_or(library::printable(seen.output)));
    if (code_of_exit == p::kExitSpecFault && !records.breach() && records.load_error() && !records.parsed())
      throw Error(*records.load_error());
    if (code_of_exit == p::kExitRunnerFailed && !records.breach() && records.load_error())
      throw Error("the grader's notebook runner failed: " + *records.load_error());
    out.isolation = zygote.isolation() + "; " + records.isolation();
    most_units = std::max(most_units, records.units());
    if (records.load_error()) unreadable_hand_in = *records.load_error();

    // Units that raised or do not parse: their messages begin with their place. A refusal of
    // the sandbox is named: "Operation not permitted" alone does not say what was refused.
    // At most Records::kKeptFailures in all, over every child (a child forging failures, then
    // ending so that another starts, grew the map by as many each time); the rest are counted.
    // A child that starts again runs the units before again: the most any child counted.
    std::size_t not_kept = records.failures_not_kept();
    for (const auto& [k, u] : records.unit_records()) {
      if (!u.ended || (u.code != 1 && u.code != 2 && u.code != 4) || failures.count(k)) continue;
      if (failures.size() >= Records::kKeptFailures) {
        ++not_kept;
        continue;
      }
      // A unit the grader interrupted is timed out: the child said where it stopped.
      failures[k] = UnitFailure{k,
                                place_of(u),
                                u.interrupted         ? Verdict::timed_out
                                : u.forbidden.empty() ? (u.code == 2 ? Verdict::unreadable : Verdict::threw)
                                                      : Verdict::forbidden,
                                u.text + refused(u.forbidden),
                                u.code == 4,
                                u.forbidden.empty() ? u.quotes : std::nullopt,
                                u.before_quote};
    }
    out.more_failures = std::max(out.more_failures, not_kept);
    const bool ended_well = records.finished() && !seen.killed && !records.breach();
    // The cell the budget ran out in, run again after a later cell ended the first child, is no
    // hang of its own (found by a hostile helper: "ran out here" read as one).
    const std::string again = records.cut() && *records.cut() < quiet_before
                                  ? " (it was running again: a fresh process runs a notebook from its start, after a "
                                    "later cell ended the first one)"
                                  : "";
    if (const auto k = records.cut()) {
      // Its note, said from what this child reported of it, never from its text (found by
      // hostile and reviewing helpers: no note where it caught the interrupt; "caught" where it
      // was ended or had ended just before).
      const auto u = records.unit_records().find(*k);
      const bool failed_here = u != records.unit_records().end() && u->second.ended;
      const std::string place = failed_here ? place_of(u->second) : records.cut_label();
      const std::string as_they_stood = ended_well ? ", and the answers were taken as they stood when it ran out" : "";
      std::string what;
      if (records.in_progress() == k)
        what = " ran out in this cell, which did not stop within " + seconds_text(Records::kInterruptSeconds) +
               " s of the interrupt: its process was ended, and no answer was taken from it";
      else if (failed_here && u->second.interrupted)
        what = " ran out here: stopped at this line; nothing after it ran" + as_they_stood;
      else if (failed_here)
        what = " ran out as it ended (" + u->second.text + "): nothing after it ran" + as_they_stood;
      else
        what =
            " ran out as this cell ended, or in it and it caught the interrupt (KeyboardInterrupt) and went on: "
            "nothing after it ran" +
            as_they_stood;
      failures[*k] = UnitFailure{*k, place, Verdict::timed_out, place + ": " + budget_text + what + again};
    }
    // Told to stop where the budget ran out, a child that ends well has taken its answers.
    const bool budget_spent =
        !records.breach() && (records.cut() ? !ended_well : seen.killed && records.budget_binds());
    // Where the budget ran out, and what had spent it (found by a helper: every answer of a
    // notebook whose cells all hung blamed the budget, none the cells).
    const auto spent = [&] {
      std::string message = budget_spent_message;
      const auto at = records.cut() ? records.cut() : records.in_progress();
      if (at) message += ", in " + (records.cut() ? records.cut_label() + again : records.unit_records().at(*at).label);
      const auto hung = std::count_if(failures.begin(), failures.end(), [&](const auto& f) {
        return f.second.verdict == Verdict::timed_out && f.first != at;
      });
      if (hung > 0)
        message += "; " + std::to_string(hung) + (hung == 1 ? " place" : " places") +
                   " before it had spent most of it, each ending only at its time limit (see the notes)";
      return message;
    };
    if (!ended_well && records.in_progress() && !budget_spent) {
      // The unit in progress hung or crashed: its verdict, and a fresh child without it.
      const std::string& place = records.unit_records().at(*records.in_progress()).label;
      auto [verdict, message] = abnormal_end(seen, records, limits, "in " + place);
      failures[*records.in_progress()] = UnitFailure{*records.in_progress(), place, verdict, place + ": " + message};
      skip.insert(*records.in_progress());
      quiet_before = *records.in_progress() + 1;
      continue;
    }
    if (!ended_well && records.value_in_progress() && !budget_spent) {
      // Taking an answer hung or crashed (its expression runs the notebook's code: a property,
      // a __getitem__): that answer's verdict, and a fresh child for the others.
      const std::size_t i = *records.value_in_progress();
      const auto [verdict, message] = abnormal_end(seen, records, limits, "while it was evaluated");
      settle(i, verdict, "'" + requests[i].expr + "' could not be taken: " + message);
      quiet_before = records.units_reached();
      continue;
    }
    take_values(records, requests, failures, out, taken, records.cut(), records.cut() ? spent() : std::string(),
                uses_torch);
    // The calls this child made.
    // A function's facts are the same for each of its calls: worded once.
    std::map<std::pair<std::size_t, std::string>, std::pair<std::string, std::string>> notes;
    for (const auto& [c, r] : records.call_records()) {
      if (!r.ended || resolved_calls.count(c)) continue;
      const FunctionCall& call = work.calls[c];
      switch (r.code) {
        case 0: {
          CallResult result;
          const auto facts = std::pair(call.binding, r.text);
          if (!notes.count(facts)) {
            const Binding& b = work.bindings.at(call.binding);
            json parsed;
            try {
              parsed = json::parse(r.text);
            } catch (const std::exception&) {  // no facts (or not JSON): nothing to note
            }
            notes[facts] = parsed.is_object() ? std::pair(returned_note(parsed, b), reads_note(parsed, b.function))
                                              : std::pair(std::string(), std::string());
            // Outputs read through the spec's expressions: what the shapes and positions are of.
            for (std::size_t o = 0; o < b.read.size() && o < call.outputs.size(); ++o)
              if (!b.read[o].empty())
                notes[facts].first += (notes[facts].first.empty() ? "" : "\nnote: ") +
                                      std::string("the grader reads ") + call.outputs[o] + " as `" + b.read[o] +
                                      "` (the exercise's own form of it): its shapes and positions here are of that";
            for (const std::string& note : {parsed.is_object() ? changed_note(parsed, b, call) : "",
                                            parsed.is_object() ? cell_missing_note(parsed, b) : ""})
              if (!note.empty() && std::find(out.notes.begin(), out.notes.end(), note) == out.notes.end())
                out.notes.push_back(note);
          }
          std::tie(result.note, result.reads_note) = notes.at(facts);
          // float32 inputs make a float32 result, even when NumPy promotes it to float64 on the
          // way; the outputs' precision is what their values show, not what the child says.
          // An output's value is there when its place parsed and fits the output memory
          // (Records::copied()): nothing else of the place is read for a call.
          for (std::size_t o = 0; o < call.outputs.size(); ++o) {
            const auto value = r.values.find(static_cast<int>(o));
            if (value == r.values.end()) {
              result.failure = Verdict::unreadable;
              result.message = "output " + call.outputs[o] + " came back malformed";
              break;
            }
            result.outputs.push_back(value->second);
          }
          if (!result.failure) result.precision = result_precision(call.dtype, result.outputs);
          out.calls[c] = std::move(result);
          resolved_calls.insert(c);
          break;
        }
        case 1:
          resolve_call(c, Verdict::threw,
                       "an exception escaped the function: " + raised(r.text, work.bindings.at(call.binding).function));
          break;
        case 4:  // the wrong kind or number of values (and which definition was called)
          resolve_call(c, Verdict::unreadable, no_function(r.text, work.bindings, call.binding));
          break;
        case 6:  // a hand-in that cannot be read: unreadable, as its answers are
          resolve_call(c, Verdict::unreadable, flattened(library::printable(r.text)));
          break;
        case 7:  // an output of more axes than an output can have
          resolve_call(c, Verdict::wrong_shape, flattened(library::printable(r.text)) + more_axes_hint(call.masked));
          break;
        case 9:  // an output that the spec's read gives in another shape: the child says both
          resolve_call(c, Verdict::wrong_shape, flattened(library::printable(r.text)));
          break;
        case 5:  // no such function
          resolve_call(c, Verdict::missing, no_function(r.text, work.bindings, call.binding));
          break;
        case 8:  // the function does not take the exercise's arguments: perhaps another is meant
          resolve_call(
              c, Verdict::threw,
              "the call did not reach the function's first line: " + no_function(r.text, work.bindings, call.binding));
          break;
        default:  // None, not implemented: with the notebook's function of a name alike
          resolve_call(c, Verdict::missing, no_function(r.text, work.bindings, call.binding));
          break;
      }
    }
    if (budget_spent || (ended_well && records.cut())) {  // what was not taken, and every call not made
      settle_rest(Verdict::timed_out, spent());
      break;
    }
    if (ended_well) break;
    if (const auto c = records.call_in_progress()) {
      // The call hung or crashed: its verdict, the rest of its group skipped, and a fresh child
      // (which runs the notebook again) for the other calls.
      auto [verdict, message] = abnormal_end(seen, records, limits, "during the call");
      // Its time was up once it was asked where it is, however its child ended then (a notebook
      // may make that question end it).
      if (!records.breach() && (records.asked_where(*c) || (verdict == Verdict::timed_out && seen.killed))) {
        verdict = Verdict::timed_out;
        message = "no result after " + seconds_text(limits.call_seconds) + " s of wall-clock time during the call" +
                  sandbox::no_end_reason(seen, limits.memory_bytes, ": an endless loop, a wait, or far too slow");
        const auto& where = records.call_records().at(*c).where;
        if (where)
          message += "; when its time ran out it was at " + where->first +
                     (where->second.empty() ? std::string() : " (`" + where->second + "`)");
      }
      resolve_call(*c, verdict, message);
      for (std::size_t later = *c + 1; later < work.calls.size(); ++later)
        if (work.calls[later].group == work.calls[*c].group && !resolved_calls.count(later))
          resolve_call(
              later, Verdict::skipped,
              "not run: an earlier call of this check ended abnormally (" + std::string(to_string(verdict)) + ")");
      calls_from = *c + 1;
      quiet_before = records.units();
      continue;
    }
    // Ended outside a unit and a call: while it read the hand-in, or took the values.
    const auto [verdict, message] =
        abnormal_end(seen, records, limits, records.parsed() ? "while its values were taken" : "while it was read");
    settle_rest(verdict, message);
    break;
  }
  for (std::size_t i = 0; i < requests.size(); ++i)
    if (!taken[i]) settle(i, Verdict::missing, "'" + requests[i].name + "' was not taken from the notebook");
  // Every call has a result: one the child never reached was not made.
  for (std::size_t c = 0; c < work.calls.size(); ++c)
    if (!resolved_calls.count(c))
      resolve_call(
          c, unreadable_hand_in.empty() ? Verdict::missing : Verdict::unreadable,
          unreadable_hand_in.empty() ? "the function was not called: the notebook ended first" : unreadable_hand_in);
  for (auto& [k, f] : failures) out.failures.push_back(f);
  out.output = library::printable(printed.text(), limits.capture_bytes + 64);
  // No code of the hand-in ran (a notebook cut short, or without code): no confinement of the
  // student's code to report (found by trying a truncated .ipynb: "your code ran confined").
  if (most_units == 0) out.isolation.clear();
  return out;
}

}  // namespace grader::python
