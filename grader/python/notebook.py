"""Running a student's notebook or script in a confined child (docs/python-hand-ins.md).

Forked from the Python zygote; confines itself first (confine/python_entry.cpp), then reads its
plan, splits the hand-in into units (the cells of a notebook or of a Jupyter export, or the
top-level statements of a script such as a Colab download), runs them in order in one
namespace, and sends back, as records on descriptor 5 and float64 data in the output memory
file (protocol.hpp), which unit runs, how each ended, and the values of the answers the spec
asks for. It never decides anything: every comparison happens in the grader.

A unit that fails (an exception, a failing assert, sys.exit(), a syntax error) ends itself only;
the next unit still runs. A unit that hangs or crashes ends this child: the grader starts a
fresh one that skips it.
"""
import ast
import builtins
import contextlib
import ctypes
import getopt
import importlib
import importlib.util
import inspect
import io
import json
import linecache
import mmap
import opcode
import os
import random
import re
import runpy
import shlex
import signal
import struct
import sys
import textwrap
import tokenize
import traceback
import types

import numpy as np

PLAN_FD, OUTPUT_FD, STATUS_FD, CODE_FD = 3, 4, 5, 6
# Record kinds (grader/include/grader/protocol.hpp).
ISOLATION, LOAD_ERROR, FINISHED = 1, 6, 8
PARSED, UNIT_START, UNIT_END, VALUE, VALUE_ERROR = 9, 10, 11, 12, 13
CALL_START, CALL_END, OUTPUT, VALUE_START, CALL_WHERE, UNIT_QUOTES = 14, 15, 16, 17, 18, 19
UNIT_RAN, UNIT_RAISED, UNIT_UNPARSABLE, UNIT_SKIPPED, UNIT_LEFT_TO_DO = 0, 1, 2, 3, 4
NOT_DEFINED, NOT_NUMBERS, RAISED, NOT_READ_SUBCLASS, LEFT_TO_DO, HAND_IN_UNREADABLE = 1, 2, 3, 4, 5, 6
# How a call ended (kCallEnd).
(RETURNED, CALL_RAISED, RETURNED_NONE, NOT_IMPLEMENTED, RETURNED_WRONG, NO_FUNCTION, UNREADABLE, RETURNED_SHAPE,
 CALL_MISMATCH, READ_SHAPE) = range(10)
MAX_TEXT = 2048
_UNBOUND = object()  # a variable the notebook has not assigned (yet)
MAX_ELEMENTS = 1 << 24  # the most the grader reads of one value; the plan says (max_elements)
# How a child ends when this runner fails (protocol.hpp): by itself (the grader's fault), or
# after the notebook's code ran (the notebook's).
RUNNER_FAILED, BROKEN_BY_NOTEBOOK, SPEC_FAULT = 94, 95, 96

# The grader's own references, taken before any student code runs: a notebook may replace
# json.dumps, struct.pack, numpy.stack or a builtin such as len in its own process, and the
# runner still reports what it finds. Every builtin is a global of this module too, so that
# replacing builtins.len does not reach it.
for _name, _builtin in vars(builtins).items():
    if not _name.startswith("__"):
        globals().setdefault(_name, _builtin)
_type, _isinstance, _issubclass, _len, _float = type, isinstance, issubclass, len, float
_string_buffer = ctypes.create_string_buffer
_BUILTINS = dict(vars(builtins))  # as Python has them: a notebook may add to the module
_AS_TAKEN = {"numpy": dict(vars(np))}  # torch's and NumPy's names before the notebook ran (read_as)
_ndarray = np.ndarray
_ascontiguous, _np_float64, _np_array = np.ascontiguousarray, np.float64, np.array
_np_generic, _np_dtype, _frombuffer, _array_equal = np.generic, np.dtype, np.frombuffer, np.array_equal
_write, _exit = os.write, os._exit
_os_open, _os_read, _os_close, _PAGE_BYTES = os.open, os.read, os.close, os.sysconf("SC_PAGE_SIZE")
_FunctionType = types.FunctionType
_LOAD_GLOBAL, _EXTENDED_ARG = opcode.opmap["LOAD_GLOBAL"], opcode.opmap["EXTENDED_ARG"]
_LOAD_CONST, _CACHE = opcode.opmap["LOAD_CONST"], opcode.opmap.get("CACHE", -1)
# The operations `**` and `/` are, as (opcode, argument or None): BINARY_OP and its argument from
# Python 3.11 on, an opcode of their own before.
if "BINARY_OP" in opcode.opmap:
    _NB = [n for n, _ in opcode._nb_ops]
    _POWER = {(opcode.opmap["BINARY_OP"], _NB.index(n)) for n in ("NB_POWER", "NB_INPLACE_POWER")}
    _DIVIDE = {(opcode.opmap["BINARY_OP"], _NB.index(n)) for n in ("NB_TRUE_DIVIDE", "NB_INPLACE_TRUE_DIVIDE")}
else:
    _POWER = {(opcode.opmap[n], None) for n in ("BINARY_POWER", "INPLACE_POWER")}
    _DIVIDE = {(opcode.opmap[n], None) for n in ("BINARY_TRUE_DIVIDE", "INPLACE_TRUE_DIVIDE")}
_header = struct.Struct("<IIiI").pack
_quote = json.encoder.encode_basestring_ascii  # a JSON string, quoted
_json_loads, _call_at = json.loads, struct.Struct("<QQ").unpack_from


class _NoTorch:
    """What torch's types are while torch is not imported: a class nothing is an instance of."""


# torch's, once imported (take_torch()): by the zygote for a hand-in that names torch, before
# any student code runs; else by the notebook itself, if at all.
torch = None
_Tensor = _Parameter = _NoTorch
_function_modes = _dispatch_modes = None
_seed_torch = None


def take_torch():
    """Takes the grader's references to torch once it is imported: at once when the zygote
    imported it (as every other reference here, before any student code runs), else after the
    first unit or call that imported it. Those are taken after the notebook's code ran, which may
    have replaced what they name: what it reads then is the notebook's own values, whatever its
    code made of them (as for any value: they are only read, the grader decides). A module
    that only poses as torch in sys.modules leaves torch's types unknown: its values are
    unreadable, named by their type."""
    global torch, _Tensor, _Parameter, _detach, _to, _tensor_numpy, _is_complex, _float64, _from_numpy, _numel
    global _tensor_shape, _modes_1_13, _function_modes, _dispatch_modes, _seed_torch
    module = sys.modules.get("torch")
    if torch is not None or module is None:
        return
    try:
        Tensor = module.Tensor
        taken = (module.nn.Parameter, Tensor.detach, Tensor.to, Tensor.numpy, Tensor.is_complex, module.float64,
                 module.from_numpy, Tensor.numel, Tensor.size, module.default_generator.manual_seed)
        C = module._C
    except Exception:  # not torch, or not yet whole (a unit that failed while importing it)
        return
    (_Parameter, _detach, _to, _tensor_numpy, _is_complex, _float64, _from_numpy, _numel, _tensor_shape,
     _seed_torch) = taken
    _AS_TAKEN.update(torch=dict(vars(module)), Tensor=dict(vars(Tensor)))
    _Tensor, torch = Tensor, module
    _modes_1_13 = hasattr(C, "_set_torch_function_mode")  # torch 1.13: one C++ mode runs Python's stack
    try:  # torch's private API: a torch without it has no modes to set aside (without_modes())
        _function_modes = (C._len_torch_function_stack, C._pop_torch_function_stack, C._push_on_torch_function_stack,
                           getattr(C, "_set_torch_function_mode", None),
                           module.overrides._TorchFunctionStackMode if _modes_1_13 else None)
        _dispatch_modes = (C._len_torch_dispatch_stack, C._pop_torch_dispatch_stack, C._push_on_torch_dispatch_stack,
                           getattr(C, "_set_torch_dispatch_mode", None),
                           module.utils._python_dispatch._TorchDispatchStackMode if _modes_1_13 else None)
    except AttributeError:
        _function_modes = _dispatch_modes = None


take_torch()

# ---- records ------------------------------------------------------------------------------


def send(kind, index=0, code=0, text=""):
    data = text.encode("utf-8", "replace")[:MAX_TEXT]
    record = _header(kind, index, code, len(data)) + data
    try:
        _write(STATUS_FD, record)
    except OSError:
        pass


class Output:
    """The output memory file: values go one after the other, as float64."""

    def __init__(self):
        size = os.fstat(OUTPUT_FD).st_size
        self.map = mmap.mmap(OUTPUT_FD, size) if size > 0 else None
        self.size, self.used = size, 0

    def why_not(self, array):
        """Why put() refused `array`, for the student."""
        if array.size * 8 > self.size:
            return f"a tensor far too large (shape {tuple(array.shape)})"
        return (f"a tensor of shape {tuple(array.shape)} that finds no room: the values before it filled the "
                f"{self.size >> 20} MiB the grader takes from one notebook")

    def put(self, array):
        """Writes `array` (float64) after the values before it; returns where, or None when it
        does not fit (or cannot be made contiguous in memory)."""
        at = (self.used + 7) // 8 * 8
        if self.map is None or at + array.size * 8 > self.size:
            return None
        try:
            data = _ascontiguous(array, dtype=_np_float64).tobytes()
        except MemoryError:
            return None
        self.map[at:at + len(data)] = data
        self.used = at + len(data)
        return at


# ---- values -------------------------------------------------------------------------------

REAL_KINDS = "biuf"


class NotNumbers(Exception):
    """A value that is not a tensor of real numbers; the message names its type. `complete`: the
    message says itself what to hand in instead (a subclass of a tensor type), so nothing is added
    after it ("not numbers: make it ...": run.cpp, returned())."""

    def __init__(self, message, complete=False):
        super().__init__(message)
        self.complete = complete


def type_name(value):
    t = _type(value)
    return t.__qualname__ if t.__module__ in ("builtins", None) else f"{t.__module__}.{t.__qualname__}"


def unread_subclass(value):
    """A subclass of a tensor type, worded with what to hand in instead; None for any other value.
    Found by a student helper: a numpy.matrix was "a subclass of numpy.ndarray (hand in a plain
    numpy.ndarray), not a tensor of numbers", which it is, and said nothing of how."""
    t = _type(value)
    for base, what, how in ((_Tensor, "torch.Tensor", "x.as_subclass(torch.Tensor)"),
                            (_ndarray, "numpy.ndarray", "np.asarray(x)")):
        if t is not base and t is not _Parameter and _isinstance(value, base):
            name = type_name(value)
            return f"{article(name)} {name}, a subclass of {what} that the grader does not read: hand in a plain {what} ({how})"
    return None


def describe(value):
    return unread_subclass(value) or f"{article(type_name(value))} {type_name(value)}"


def article(word):
    return "an" if word[:1] in ("a", "e", "i", "o", "u", "A", "E", "I", "O", "U") else "a"


def without_modes(read, value):
    """read(value) with no torch function or dispatch mode the notebook entered
    (`TorchFunctionMode().__enter__()` sees every operation of the reading, and could change
    the values read from those the notebook holds); its modes are back afterwards."""
    if _function_modes is None:
        return read(value)
    if _modes_1_13:  # the stacks stay; the C++ modes that run them are unset, then set again
        for _, _, _, set_mode, _ in (_function_modes, _dispatch_modes):
            set_mode(None)
        try:
            return read(value)
        finally:
            for length, _, _, set_mode, stack_mode in (_function_modes, _dispatch_modes):
                if length():
                    set_mode(stack_mode())
    popped = [[pop() for _ in range(length())] for length, pop, _, _, _ in (_function_modes, _dispatch_modes)]
    try:
        return read(value)
    finally:
        for modes, (_, _, push, _, _) in ((popped[0], _function_modes), (popped[1], _dispatch_modes)):
            for mode in modes[::-1]:
                push(mode)


# A None answer's record, "a NoneType", and where the notebook assigned it that, if known
# (found by an instructor helper: the stub of a later exercise was named instead).
NONE_TYPE, NONE_ASSIGNED_BY = "a NoneType", ", assigned by "


def numbers(value):
    """The value as a float64 array (read_numbers()), past the notebook's torch modes."""
    return without_modes(read_numbers, value)


def read_numbers(value, depth=0):
    """The value as a float64 array, reading only exact, known types: a subclass (which could
    intercept every method) or any other object is refused with its type named."""
    t = _type(value)
    if t is _Tensor or t is _Parameter:
        if _is_complex(value):
            raise NotNumbers("a complex tensor")
        too_large(_numel(value), _tensor_shape(value))
        return _tensor_numpy(_to(_detach(value), "cpu", _float64))
    if t is _ndarray:
        if value.dtype.kind not in REAL_KINDS:
            raise NotNumbers(f"a numpy array of {value.dtype}")
        too_large(value.size, value.shape)
        return _ascontiguous(value, dtype=_np_float64)
    if t is bool or t is int or t is float:
        return _np_array(_float(value), dtype=_np_float64)
    if t.__module__ == "numpy" and _isinstance(value, _np_generic):
        if _np_dtype(t).kind not in REAL_KINDS:
            raise NotNumbers(f"a numpy {t.__name__}")
        return _np_array(_float(value), dtype=_np_float64)
    if t is list or t is tuple:
        if depth > 8:
            raise NotNumbers("a list nested too deeply")
        if _len(value) == 0:
            raise NotNumbers("an empty list")
        items = [read_numbers(v, depth + 1) for v in value]
        shape = items[0].shape
        if any(i.shape != shape for i in items):
            raise NotNumbers("a ragged list (its items have different shapes)")
        return _np_array(items)  # C code: builtins the notebook replaced do not reach it
    subclass = unread_subclass(value)
    raise NotNumbers(subclass, complete=True) if subclass else NotNumbers(describe(value))


def separate_values(value):
    """The shapes of the items of a tuple or list of two or more tensors or arrays that differ in
    shape (so are no rows of one matrix: several values returned where one is expected), as
    text; an empty list otherwise."""
    if _type(value) not in (tuple, list) or _len(value) < 2:
        return []
    shapes = []
    for item in value:
        t = _type(item)
        if t is _Tensor or t is _Parameter:
            shapes.append(tuple(_tensor_shape(item)))
        elif t is _ndarray:
            shapes.append(tuple(item.shape))
        else:
            return []
    return [str(s) for s in shapes] if _len(set(shapes)) > 1 else []


def too_large(count, shape):
    """Refuses a value of more elements than the grader reads, before it is converted (an
    expanded tensor of a billion elements takes no memory until it is)."""
    if count > MAX_ELEMENTS:
        raise NotNumbers(f"a tensor far too large (shape {tuple(shape)}: {count} elements, more than {MAX_ELEMENTS})")


def place(at, array, value, bound_at=(), variable="", stopped=-1, at_test=False):
    """Where a value went in the output memory file, its shape and the dtype it had, as the
    JSON text of its record; for an answer taken at the end, its `variable` and `bound_at`, the
    labels of the units after which it held another object than before (the last few are
    sent, and how many), and the last of those units when it did not finish (`stopped`, -1:
    none), whose failure the grader words; for one taken at a cell, whether at its test line
    (`at_test`: no cell holds its text)."""
    dtype = (without_modes(lambda v: str(v.dtype), value).replace("torch.", "")
             if _type(value) in (_Tensor, _Parameter, _ndarray) else "python")
    shape = ", ".join([str(d) for d in array.shape])
    labels = ", ".join([quoted(label, 200) for label in bound_at[-3:]])
    return (f'{{"offset": {at}, "shape": [{shape}], "dtype": {_quote(dtype)}, "bound_at": [{labels}], '
            f'"bindings": {_len(bound_at)}, "variable": {quoted(variable, 100)}, "stopped": {stopped}, '
            f'"at_test": {"true" if at_test else "false"}}}')


def not_defined(why, units, no_cell=False, cause="", variable="", local_to="", commented=None, names=()):
    """The JSON text of a VALUE_ERROR record for an answer that is not defined: why, the units
    that assign its variable, whether the cell it is taken at is not there at all, what went
    wrong in the first of those units that failed (the grader keeps only the first few hundred
    failures of a notebook), where no unit assigns it, the function that assigns the variable
    as its own local one or the line commented out that assigns it (commented_assignment()),
    and the notebook's variables that hold values (value_names())."""
    place, line, magic = commented or ("", "", False)
    return with_names([f'"why": {quoted(why, 300)}', f'"assigned_in": [{", ".join([str(k) for k in units[:50]])}]',
                       f'"no_cell": {"true" if no_cell else "false"}', f'"cause": {quoted(cause, 600)}',
                       f'"variable": {quoted(variable, 100)}', f'"local_to": {quoted(local_to, 100)}',
                       f'"commented_at": {quoted(place, 100)}', f'"commented_line": {quoted(line, 1200)}',
                       f'"commented_magic": {"true" if magic else "false"}'], names, variable)


def quoted(text, limit):
    """`text` as a JSON string of at most `limit` bytes, cut at a character: a character beyond
    ASCII takes 6 or 12 bytes quoted (found by a hostile-student helper: 700 accented letters
    overflowed the record and its JSON no longer parsed). A lone surrogate, which no JSON
    reader takes, becomes '?'."""
    text = str(text).encode("utf-8", "replace").decode("utf-8")
    q = _quote(text[:limit])
    n = _len(text)
    while _len(q) > limit and n > 0:
        n = min(n - 1, _len(text[:limit]) * limit // _len(q))
        q = _quote(text[:n])
    return q


def with_names(fields, names, near=""):
    """A JSON object of the fields (each `"key": value`, of a few hundred bytes at most) and as
    many of the names as fit in one record: a record longer than MAX_TEXT is cut, and its JSON
    would no longer parse (a notebook of a hundred variables lost the failure that left its
    answer undefined). The names of a length nearest to `near`'s go first: a name's edit
    distance to it is at least the difference in length, so those are the ones the grader's
    "did you mean" can offer."""
    if near:
        names = sorted(names, key=lambda n: abs(_len(n) - _len(near)))
    text = "{" + ", ".join(fields) + ', "names": ['
    room = MAX_TEXT - _len(text) - 2  # the closing "]}"
    listed = []
    for n in names:
        q = quoted(n, 600)
        room -= _len(q) + (2 if listed else 0)
        if room < 0:
            break
        listed.append(q)
    return text + ", ".join(listed) + "]}"


def value_names(namespace):
    """The notebook's top-level variables that hold what an answer can be (tensors, arrays,
    lists, numbers), for the grader's "did you mean" when an answer is not defined (`a1` for
    `A1`)."""
    kinds = (_Tensor, _Parameter, _ndarray, list, tuple, int, float)
    return top_level_names(namespace, lambda v, t: any(t is k for k in kinds) or _issubclass(t, _np_generic))


def function_names(namespace):
    """The notebook's top-level functions (anything callable but a class or a module), for the
    grader's "did you mean" when the function an exercise calls is not defined
    (`multihead_attention` for `multi_head_attention`)."""
    return top_level_names(namespace, lambda v, t: callable(v) and not _issubclass(t, (type, types.ModuleType)))


_taking = {}  # (function, positional, keywords) -> functions_taking(): the same for every call that fails alike
_class_dict = type.__dict__["__dict__"].__get__  # a class's own namespace, past any metaclass of the notebook's


def method_of(namespace, fname):
    """A class of the notebook's that defines fname in its own body (an nn.Module's method), for
    a function the notebook does not define at its top level: " it is a method of class
    Attention ...", or "". Found by a student helper: `class Attention(nn.Module)` with the
    method was told "is its cell failing, or its name different?", neither of which it was."""
    owners = top_level_names(namespace, lambda v, t: _issubclass(t, type) and _type(_class_dict(v).get(fname)) in
                             (_FunctionType, staticmethod, classmethod))
    if not owners:
        return ""
    return (f": it is a method of class {owners[0]}, and the exercise calls a function of the notebook: define "
            f"{fname} at the top level, outside the class (the method may call it)")


def alike(namespace, fname, args, kwargs):
    """The notebook's functions that take the call fname was given: asked at every call that
    fails (282 for sdpa-masked), listed once per kind of call."""
    key = (fname, _len(args), tuple(kwargs))
    if key not in _taking:
        _taking[key] = functions_taking(namespace, _len(args), list(kwargs))
    return _taking[key]


def functions_taking(namespace, positional, keywords):
    """The notebook's plain functions whose parameters take a call of `positional` arguments and
    these keywords: for "did you mean" when the function an exercise calls does not take it (a
    helper `dot_product_attention(Q, K)` is no misspelt `scaled_dot_product_attention(Q, K, V,
    mask)` whose parameter was forgotten: found by a hostile-student helper)."""
    return top_level_names(namespace, lambda v, t: t is _FunctionType and takes(v, positional, keywords))


def takes(fn, positional, keywords):
    """Whether a plain function's parameters take such a call, read from its code object and
    defaults only (exact tuples, dicts and strings: a subclass's methods would be the
    notebook's code)."""
    code, defaults, kwdefaults = fn.__code__, fn.__defaults__, fn.__kwdefaults__
    params = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    if _type(params) is not tuple or any(_type(p) is not str for p in params):
        return False
    defaults = defaults if _type(defaults) is tuple else ()
    kwdefaults = kwdefaults if _type(kwdefaults) is dict else {}
    n, flags = code.co_argcount, code.co_flags
    if positional > n and not flags & 0x04:  # CO_VARARGS
        return False
    given = set(range(min(positional, n)))
    for k in keywords:
        at = next((i for i, p in enumerate(params) if p == k), None)
        if at is None or at < code.co_posonlyargcount or at in given:
            if flags & 0x08 and (at is None or at >= n):  # CO_VARKEYWORDS
                continue
            return False
        given.add(at)
    required = [i for i in range(n - tuple.__len__(defaults)) if i not in given]
    required += [i for i in range(n, _len(params)) if i not in given and not dict.__contains__(kwdefaults, params[i])]
    return not required


def top_level_names(namespace, holds):
    """The names of the notebook's namespace (at most 1000, of at most 100 characters, none
    private, none of the runner's own leftovers) whose values `holds(value, its type)` accepts,
    by what runs no code of the notebook's: type(), identity, callable(), issubclass of the
    grader's own classes. isinstance, `in` and `==` run a value's own Python code (its
    __class__, its metaclass's __eq__), which could hang or write records outside any cell
    (found by a hostile-student helper)."""
    names = []
    try:
        for key, value in list(namespace.items()):
            if (_type(key) is str and key[:1] != "_" and _len(key) <= 100 and LEFTOVERS.get(key) is not value
                    and holds(value, _type(value))):
                names.append(key)
                if _len(names) == 1000:
                    break
    except BaseException:  # a namespace a thread of the notebook changes as it is read
        return []
    return names


def send_value(output, index, value, bound_at=(), variable="", stopped=-1, at_test=False):
    if value is None and bound_at:  # the placeholder of a notebook handed out: where it is left
        send(VALUE_ERROR, index, NOT_NUMBERS, f"{NONE_TYPE}{NONE_ASSIGNED_BY}{bound_at[-1]}")
        return
    try:
        array = numbers(value)
    except NotNumbers as e:
        send(VALUE_ERROR, index, NOT_READ_SUBCLASS if e.complete else NOT_NUMBERS, str(e))
        return
    except Exception as e:  # a genuine tensor that cannot be read (on a meta device, say)
        send(VALUE_ERROR, index, NOT_NUMBERS, f"a value that cannot be read: {_type(e).__name__}: {e}")
        return
    if array.ndim > 3:
        send(VALUE_ERROR, index, NOT_NUMBERS, f"a tensor of rank {array.ndim} (shape {tuple(array.shape)})")
        return
    at = output.put(array)
    if at is None:
        send(VALUE_ERROR, index, NOT_NUMBERS, output.why_not(array))
        return
    send(VALUE, index, 0, place(at, array, value, bound_at, variable, stopped, at_test))


# ---- the hand-in, as units ------------------------------------------------------------------


class Unit:
    def __init__(self, first, last, label, code, boundary=False, pad=0, text=None):
        self.first, self.last, self.label = first, last, label
        self._code, self.pad = code, pad  # `pad` empty lines before the text, made when asked
        self.boundary = boundary  # a markdown text: it ends a cell of a script
        self.text = boundary if text is None else text  # a string on its own: text, not run
        self.unparsable = None    # the syntax error, when the unit cannot run
        self.original = ""        # then, in a script, its lines as written (its code raises the error)
        self.names = False        # unit_names(), once asked
        self.filename = None      # what its code is compiled as, when not the hand-in's name
        self.heading = ""         # an .ipynb's markdown cells just before this code cell

    @property
    def code(self):
        """The unit's statements: a syntax tree, or text whose line numbers are the file's (the
        lines before it made empty when asked, not kept for every cell: a Jupyter export of
        thousands of cells would hold millions of them)."""
        return "\n" * self.pad + self._code if self.pad and _isinstance(self._code, str) else self._code

    @code.setter
    def code(self, code):
        self._code, self.pad = code, 0


NOT_PYTHON = {"bash", "sh", "script", "html", "javascript", "js", "latex", "markdown", "svg", "perl", "ruby",
              "system", "sx", "md"}
RUNS_BODY = {"time", "timeit", "capture", "prun", "debug", "python", "python3"}
WRITES_FILE = {"writefile", "file"}


def without_magics(text):
    """A cell's source with IPython's magics made harmless: `%line` and `!shell` lines become
    `pass` (line numbers kept); a cell magic either runs its body (%%time) or skips the cell
    (%%bash: not Python). Returns (source, why skipped or None). As IPython reads a cell, its
    leading empty lines do not count, and the indentation of its first line is taken off every
    line that has it (a cell pasted from inside a function runs); a Jupyter export's
    `# In[ ]:` marker line is not the cell's."""
    lines = text.split("\n")
    start = 1 if lines and JUPYTER_MARKER.match(lines[0]) else 0
    while start < _len(lines) and not lines[start].strip():
        start += 1
    indent = re.match(r"[ \t]*", lines[start]).group(0) if start < _len(lines) else ""
    if indent:
        lines = [line[_len(indent):] if line.startswith(indent) else line for line in lines]
    first = lines[start].rstrip() if start < _len(lines) else ""
    if first.startswith("%%"):
        name = first[2:].split()[0] if first[2:].split() else ""
        if name in WRITES_FILE:  # a module the notebook imports next: written as Jupyter does
            arguments = first[2 + _len(name):].strip()
            body = chr(10).join(lines[start + 1:])
            return "\n" * start + f"get_ipython().run_cell_magic({name!r}, {arguments!r}, {body!r})", None
        if name not in RUNS_BODY:
            return "", f"a %%{name} cell, not Python"
        lines[start] = capture_start(first[2 + _len(name):].split()) if name == "capture" else ""
    for first, last, replacement in magic_lines("\n".join(lines)):
        lines[first:last + 1] = [replacement] + [""] * (last - first)
    return "\n".join(lines), None


# A line that may hold one (a magic's start, an assignment of one, a request for help), or none.
MAGIC_LIKE = re.compile(r"^[ \t]*[%!?]|=[ \t]*[%!]|\?[ \t]*$", re.M)
LINE_MAGICS_RUN = {"time"}  # `%time x = f()` runs its statement, as IPython does


def magic_replaced(line, kind, column, continued):
    """What the first line of a magic (first_magic()'s `kind`, its `%` or `!` at `column`)
    becomes: the assignment of an empty list or None (of its expression, `x = %time f()`), its
    statement for `%time stmt`, else
    `pass`, at its indentation; `pass` too where a backslash continues it (nothing of it runs)."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if continued or kind == "help":
        return indent + "pass"
    # The magic's name and what follows it (`%time\tx = f()` too).
    name, rest = (line[column + 1:].split(None, 1) + ["", ""])[:2]
    if kind == "assign":  # `x = %time f()` assigns f(), as IPython does
        timed = line[column] == "%" and name in LINE_MAGICS_RUN and rest.strip()
        return line[:column] + (rest.strip() if timed else "[]" if line[column] == "!" else "None")
    if stripped.startswith("%") and name in LINE_MAGICS_RUN and rest.strip():
        return indent + rest.strip()
    if stripped.startswith("%") and name == "run":  # as nbconvert writes it (with no file: refused)
        return indent + f"get_ipython().run_line_magic('run', {rest.strip()!r})"
    return indent + "pass"


def magic_lines(text):
    """The magics (`%matplotlib inline`, `%time x = f()`) and shell escapes (`!pip install ...`) of
    `text`, as IPython finds them, each as (first line, last line, what the first becomes), lines
    0-based: a line on which `%` or `!` starts a statement, found by tokens (a line inside a
    string, or one continuing an expression in brackets, `(a\n % b)`, is not one), with the
    lines a backslash at its end continues it on; an assignment of one (`files = !ls`, `here =
    %pwd`: an empty list, None); a request for help (`torch.zeros?`). After each, tokens are read
    again from the next line, as IPython reads a cell again after each magic it replaces: what a
    magic holds (`!echo :(`, an opening triple quote) says nothing of the lines after it."""
    found = []
    if not MAGIC_LIKE.search(text):  # nothing to tokenize
        return found
    lines = [line + "\n" for line in text.split("\n")]
    row = 0
    while row < len(lines):
        magic, resume = first_magic(lines, row)
        if magic is not None:
            first, kind, column = magic
            last = first
            while last + 1 < len(lines) and lines[last].rstrip("\n").endswith("\\"):
                last += 1
            found.append((first, last, magic_replaced(lines[first].rstrip("\n"), kind, column, last > first)))
            row = last + 1
        elif resume is not None and resume > row:
            row = resume
        else:
            break
    return found


def first_magic(lines, row):
    """The first magic from `row` on, read by tokens from `row`, as ((line, kind, column of its
    `%` or `!`), None), kind "magic", "assign" or "help"; else (None, the line to read on from,
    where an indentation read from `row` cannot go on), or (None, None) at the end and where the
    text stops tokenizing (a string never closed)."""
    depth, start, at = 0, True, [row]
    statement = None  # the line (relative) the statement in progress began on
    previous = None  # its last token at depth 0
    helped = None  # a `?` at depth 0 on this line: help, if the line ends there

    def readline():
        if at[0] >= len(lines):
            return ""
        at[0] += 1
        return lines[at[0] - 1]

    try:
        for token in tokenize.generate_tokens(readline):
            kind, string, (line, column) = token.type, token.string, token.start
            if kind == tokenize.ERRORTOKEN and string.isspace():  # the space before a `!`
                continue
            if helped is not None and (kind in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.COMMENT)
                                       or string == "?"):
                if kind in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.COMMENT):
                    return (row + statement - 1, "help", 0), None
                continue
            helped = None
            if kind == tokenize.NEWLINE or (kind == tokenize.NL and depth == 0):
                start, statement, previous = True, None, None
            elif kind in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT):
                continue
            else:
                magic_char = kind in (tokenize.OP, tokenize.ERRORTOKEN) and string in ("%", "!")
                if start:
                    statement = line
                if start and magic_char:
                    return (row + line - 1, "magic", column), None
                if start and kind == tokenize.ERRORTOKEN and string == "?":  # `?torch.zeros`
                    return (row + line - 1, "help", column), None
                if (magic_char and depth == 0 and previous is not None and previous.string == "="
                        and previous.start[0] == line == statement):
                    return (row + line - 1, "assign", column), None
                if kind == tokenize.ERRORTOKEN and string == "?" and depth == 0 and line == statement:
                    helped = line
                if kind == tokenize.OP and string in ("(", "[", "{"):
                    depth += 1
                elif kind == tokenize.OP and string in (")", "]", "}"):
                    depth = max(0, depth - 1)
                elif depth == 0:
                    previous = token
                start = False
    except IndentationError as e:  # a dedent to a level not seen since `row`: read on from there
        return None, row + (e.lineno or 1) - 1
    except Exception:  # TokenError, or anything else: the parser tells the rest
        pass
    return None, None


JUPYTER_MARKER = re.compile(r"^# In\[[ 0-9]*\]:\s*$", re.M)
# Colab's download comments out the magics of a cell under this line, at the cell's top.
COLAB_NOTE = "# Commented out IPython magic to ensure Python compatibility."
# A line magic or shell command (`files = !ls`, `a, b = %time f()` too), indented either side of `# `.
COLAB_LINE_MAGIC = re.compile(r"^([ \t]*)# ([ \t]*(?:[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*)?"
                              r"(?:%[A-Za-z_]|!).*)$")
COLAB_CELL_MAGIC = re.compile(r"^# %%[A-Za-z_][A-Za-z0-9_]*(?:[ \t].*)?$")


def colab_magics_restored(text):
    """A Colab download's magics as the notebook ran them. Under COLAB_NOTE, at the top of a
    cell, Colab comments out the cell's line magics and shell commands in place (`# %run
    helpers.py`, `# %time x = f()`, `# !pip install ...`) and, for a cell magic (`%%time`,
    `%%writefile helpers.py`), the whole cell, each of its lines `# `-prefixed (an empty one
    `# `). A cell magic's lines, up to the blank line that ends the cell, are restored as an
    .ipynb cell's (without_magics(): `%%time` runs its body, `%%writefile` writes it, `%%bash`
    stays a comment); a block of comments that code follows with no blank line between was
    edited by hand, and stays as it is. A line magic or shell command is restored from the note
    to the first blank line (where a cell may end: the next one is the student's own), where it
    starts a statement, as IPython finds magics (magic_lines(); a comment inside brackets stays
    one). Line numbers are kept. A `# %...` comment anywhere else is the student's own."""
    if COLAB_NOTE not in text:
        return text
    lines = text.split("\n")
    at = 0
    while at < _len(lines):
        if lines[at].rstrip() != COLAB_NOTE:
            at += 1
            continue
        at += 1
        if at < _len(lines) and COLAB_CELL_MAGIC.match(lines[at].rstrip()):
            end = at
            while end < _len(lines) and lines[end].startswith("#") and lines[end].rstrip() != COLAB_NOTE:
                end += 1
            cell = [line[2:] if line.startswith("# ") else line[1:] for line in lines[at:end]]
            code, skipped = without_magics("\n".join(cell))
            hand_edited = end < _len(lines) and lines[end].strip() and lines[end].rstrip() != COLAB_NOTE
            if not skipped and not hand_edited:
                code = code.split("\n")
                if code[0].startswith("get_ipython().capture("):  # capture_start(): to the cell's last line
                    code[0] = code[0][:-1] + f", {end})"
                lines[at:end] = code + [""] * (end - at - _len(code))
            at = end
            continue
        end = at
        while end < _len(lines) and lines[end].strip() and lines[end].rstrip() != COLAB_NOTE:
            end += 1
        block = lines[at:end]
        candidates = {}
        for k, line in enumerate(block):
            magic = COLAB_LINE_MAGIC.match(line.rstrip())
            if magic:
                candidates[k] = line
                block[k] = magic.group(1) + magic.group(2)
        if candidates:
            starts = {first for first, _, _ in magic_lines("\n".join(block))}
            for k, line in candidates.items():
                lines[at + k] = block[k] if k in starts else line
        at = end
    return "\n".join(lines)


# `%%writefile helpers.py` commented out where colab_magics_restored() does not restore it.
COMMENTED_WRITEFILE = re.compile(r"^[ \t]*#[ \t]*%%(?:writefile|file)[ \t]+(?:-a[ \t]+|--append[ \t]+)?[\"']?"
                                 r"([A-Za-z_][A-Za-z0-9_]*)\.py[\"']?[ \t]*$", re.M)
COMMENTED_MODULES = set()  # the modules the hand-in's commented-out %%writefile cells would write


def first_line(source):
    """The first line of code of a cell, short, to find it by: '"query121 = np.ar..."'."""
    for line in source.split("\n"):
        line = line.strip()
        if line:
            return '"' + (line if _len(line) <= 30 else line[:27] + "...") + '"'
    return "empty"


def notebook_units(text, name):
    """The code cells of an .ipynb (nbformat 4), each named by its place among all the cells,
    markdown ones included, as a student counts them on screen, and by its first line."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as e:
        # Cut short (an upload or a download that did not finish): said so, not in the JSON
        # parser's words alone (found by a student helper).
        if (_isinstance(e, json.JSONDecodeError) and text.strip() and
                (e.pos >= _len(text.rstrip()) or e.msg.startswith("Unterminated string"))):
            raise HandInError(f"{name} is not a whole Jupyter notebook: it stops after {_len(text)} characters, "
                              f"in the middle of its JSON (a download or an upload cut short?): save it again from "
                              f"Jupyter or Colab and hand it in again")
        raise HandInError(f"{name} is not a Jupyter notebook (nbformat 4 JSON): {e}")
    version = doc.get("nbformat") if _isinstance(doc, dict) else None
    if _isinstance(version, int) and version < 4:
        raise HandInError(f"{name} is an nbformat {version} notebook, from before Jupyter 4 (2015): open it in "
                          "Jupyter or Colab and save it again, which writes nbformat 4")
    cells = doc.get("cells") if _isinstance(doc, dict) else None
    if cells is None:
        raise HandInError(f"{name} is not a Jupyter notebook (nbformat 4 JSON): it has no list of cells")
    if not _isinstance(cells, list):
        raise HandInError(f"{name} is not a Jupyter notebook (nbformat 4 JSON): its cells are not a list")
    units = []
    heading = []  # the markdown since the last code cell
    for number, cell in enumerate(cells, 1):
        source = cell.get("source", "") if _isinstance(cell, dict) else ""
        if _isinstance(source, list) and all(_isinstance(line, str) for line in source):
            source = "".join(source)
        if not _isinstance(cell, dict) or cell.get("cell_type") != "code":
            if _isinstance(source, str) and _len(heading) < 8:
                heading.append(source[:4000])
            continue
        if not _isinstance(source, str):
            raise HandInError(f"{name} is not a Jupyter notebook (nbformat 4 JSON): the source of cell {number} "
                              "is neither text nor a list of lines")
        code, skipped = without_magics(source)
        unit = Unit(1, max(1, source.count("\n") + 1), f"cell {number} ({first_line(source)})", code)
        # Each cell counts its lines from 1: a line of a function defined here, raising when the
        # grader calls it, is said with its cell (in_cell()).
        unit.filename = f"{name}, cell {number}"
        unit.heading, heading = "\n".join(heading), []
        if skipped:
            unit.code, unit.unparsable = "", skipped
        remember_source(unit.filename, unit.code)
        units.append(unit)
    return units


def remember_source(filename, text):
    """Code compiled as `filename` (a cell, "hw.ipynb, cell 4", or the hand-in's text as it runs)
    readable by its lines, as IPython keeps each cell's: `inspect.getsource()` and
    `torch.jit.script`, which reads the function's source, work as in Jupyter (found by a helper:
    "OSError: could not get source code" failed the cell)."""
    if _isinstance(text, str):
        lines = text.splitlines(True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        linecache.cache[filename] = (_len(text), None, lines, filename)  # no time: never checked, never dropped


def jupyter_units(text):
    """The cells of a Jupyter .py export, split at its `# In[ ]:` markers; line numbers are
    the file's."""
    units, starts = [], [m.start() for m in JUPYTER_MARKER.finditer(text)]
    bounds = starts + [len(text)]
    head = text[: starts[0]] if starts else ""
    if head.strip():
        units.append(Unit(1, head.count("\n"), "the lines before the first cell", head))
    first = head.count("\n") + 1  # each cell's first line, counted on from the last one's
    for i, start in enumerate(starts):
        body = text[start:bounds[i + 1]]
        code, skipped = without_magics(body)
        unit = Unit(first, first + body.count("\n") - 1, f"cell {i + 1} (line {first})", code, pad=first - 1)
        if skipped:
            unit.code, unit.unparsable = "", skipped
        units.append(unit)
        first += body.count("\n")
    return units


def recover(lines, name):
    """A script that does not parse (an unfinished `query131 =`) made parsable: each line a
    syntax error points at becomes a statement that raises that error when it runs, so that
    everything else still runs, as it would in a notebook. Returns the module and, per line,
    the error it had."""
    errors, tries = {}, {}
    # Magics left in by hand, all at once: one parse each would take minutes for a long file.
    for first, last, replacement in magic_lines("".join(lines)):
        lines[first:last + 1] = [replacement + "\n"] + ["\n"] * (last - first)
    for _ in range(400):
        try:
            return ast.parse("".join(lines), name), errors
        except (RecursionError, MemoryError, ValueError):
            raise HandInError(f"{name} is nested too deeply to be read as Python")
        except SyntaxError as e:
            line = e.lineno if e.lineno and 1 <= e.lineno <= len(lines) else len(lines)
            while line > 1 and not lines[line - 1].strip():
                line -= 1
            if line == 0 or not lines:
                raise HandInError(f"{name} does not parse: {e.msg}")
            original = lines[line - 1]
            indent = original[: len(original) - len(original.lstrip())]
            if original.lstrip().startswith(("%", "!")) and line not in tries:  # a magic left in: harmless
                tries[line] = 1
                lines[line - 1] = f"{indent}pass\n"
                continue
            errors.setdefault(line, f"{_type(e).__name__}: {e.msg}{syntax_hint(e)}")
            attempt = tries[line] = tries.get(line, 0) + 1
            message = repr(f"{e.msg} (line {line}: {original.strip()[:80]})")
            if attempt == 1:
                lines[line - 1] = f"{indent}raise SyntaxError({message})\n"
            elif attempt == 2:
                lines[line - 1] = f"raise SyntaxError({message})\n"
            else:
                lines[line - 1] = "\n"
    raise HandInError(f"{name} does not parse, even line by line")


UNFINISHED = " (the line is unfinished or mistyped)"  # after a SyntaxError, in every form
# Errors of a line that parses, found when Python compiles it: nothing there is unfinished.
COMPILED = re.compile(r"global declaration|nonlocal|outside (?:a |an )?(?:async )?(?:function|loop)")


def syntax_hint(error):
    """What a SyntaxError asks of the student, said after it (found by a student helper: "TabError:
    inconsistent use of tabs and spaces in indentation" was said to be an unfinished or mistyped
    line, and so was a misplaced `global`)."""
    if _isinstance(error, TabError):
        return " (a tab among spaces in the indentation: indent with spaces only)"
    return "" if COMPILED.search(str(getattr(error, "msg", "") or "")) else UNFINISHED


def script_units(text, name):
    """The top-level statements of a script (a Colab download), each a unit; a markdown text
    (a string on its own) marks the end of a cell."""
    lines = [line + "\n" for line in text.split("\n")]
    if text.endswith("\n"):
        lines.pop()  # the empty piece after the last newline
    written = list(lines)
    tree, errors = recover(lines, name)
    units = []
    for stmt in [s for top in tree.body for s in (top.body if main_guard(top) else [top])]:
        first, last = stmt.lineno, getattr(stmt, "end_lineno", stmt.lineno)
        # A string on its own is text; Colab's download writes a markdown cell as one followed by
        # a blank line, so one followed by code is the student's prose inside a cell, which does
        # not end it (found by a hostile-student helper: a string in an answer's cell, before its
        # code, ended the cell there).
        text = (_isinstance(stmt, ast.Expr) and _isinstance(stmt.value, ast.Constant)
                and _isinstance(stmt.value.value, str))
        markdown = text and (last >= _len(written) or not written[last].strip())
        unit = Unit(first, last, f"line {first}", ast.Module(body=[stmt], type_ignores=[]), boundary=markdown,
                    text=text)
        bad = [errors[n] for n in range(first, last + 1) if n in errors]
        if bad:
            unit.unparsable, unit.original = bad[0], "".join(written[first - 1:last])
        units.append(unit)
    return units, "".join(lines)


def main_guard(stmt):
    """Whether a statement is `if __name__ == "__main__":` (either way round, no else): the body
    of a script made a program, which runs as its top level does, and is run the same way, a
    statement at a time."""
    test = stmt.test if _isinstance(stmt, ast.If) and not stmt.orelse else None
    if not (_isinstance(test, ast.Compare) and _len(test.ops) == 1 and _isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return (any(_isinstance(n, ast.Name) and n.id == "__name__" for n in sides)
            and any(_isinstance(n, ast.Constant) and n.value == "__main__" for n in sides))


class HandInError(Exception):
    pass


def split(name, text):
    """The units of a hand-in, how its lines read (for markers), and its kind."""
    COMMENTED_MODULES.clear()
    if name.lower().endswith(".ipynb"):
        units = notebook_units(text, name)
        TEXTS[:] = [(u.label.split(" (")[0] + ", ", u.code, False, None) for u in units if _isinstance(u.code, str)]
        return units, [u.code for u in units], "notebook"
    if "\0" in text:
        raise HandInError(f"{name} holds NUL bytes: it is not a Python text file (download the notebook as .py or "
                          ".ipynb again)")
    if JUPYTER_MARKER.search(text):
        units = jupyter_units(text)
        TEXTS[:] = [("", text, False, (units, "jupyter"))]
        remember_source(name, text)
        return units, text, "jupyter"
    units, text = script_units(colab_magics_restored(text), name)
    remember_source(name, text)
    COMMENTED_MODULES.update(COMMENTED_WRITEFILE.findall(text))
    TEXTS[:] = [("", text, True, (units, "script"))]
    return units, text, "script"


# The hand-in's text as split() read it: (where, text, whether it is a Colab download, its units
# and kind, for markdown_lines()), one per cell of an .ipynb.
TEXTS = []
MAGIC_PREFIX = re.compile(r"%{1,2}[A-Za-z_]\w*[ \t]+")


def commented_assignment(root):
    """Where the variable `root`, which no code of the notebook assigns, is assigned in a line
    commented out: `# query131 = ...`, Python that binds it (not prose, not a call with a
    keyword argument), or a line with a magic that Colab's download commented out where it is
    not restored (`# query131 = %time f()` after a blank line in its cell:
    colab_magics_restored()). Markdown is no code (a Colab download's strings on their own, a
    Jupyter download's comments after a cell's code). Its place and text, and whether it may be
    Colab's (a magic, in a Colab download: Jupyter's keep magics as calls); or None. Each line
    that holds the name is read once, a long one not at all, and no more than a hundred (found
    by a helper: a pattern took the square of a 300 KB line's length)."""
    tried = 0
    for where, text, colab, split_as in TEXTS:
        at, counted, number, markdown = 0, 0, 1, None
        while tried < 100:
            at = text.find(root, at)
            if at < 0:
                break
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = _len(text) if end < 0 else end
            at = end
            line = text[start:end].strip()
            if not line.startswith("#") or end - start > 1000:
                continue
            tried += 1  # a few lines parsed at most: a hostile hand-in may hold millions
            number += text.count("\n", counted, start)
            counted = start
            if markdown is None:  # found once, when a line is looked at
                markdown = markdown_lines(*split_as, text.split("\n")) if split_as else set()
            if number in markdown:
                continue
            code = line.lstrip("#").strip()
            prefix = MAGIC_PREFIX.match(code) if code.startswith("%") else None
            code = code[prefix.end():] if prefix else code
            equals = next((k for k, c in enumerate(code) if c == "=" and code[k + 1:k + 2] != "="
                           and code[k - 1:k] not in ("=", "<", ">", "!")), -1)
            if equals <= 0 or root not in [t.split(":")[0].strip(" \t()") for t in code[:equals].split(",")]:
                continue
            magic = code[equals + 1:].strip().startswith(("%", "!"))  # `x = %time f()`: no Python
            if not magic:
                try:
                    if not binds(ast.parse(code), root):  # `# check(query131, atol=1e-3)`
                        continue
                except SyntaxError:
                    continue  # prose, not code
            shown = line if _len(line) <= 200 else line[:197] + "..."
            magic = magic or prefix is not None
            return f"{where}line {number}", shown, magic and colab and COLAB_NOTE in text
    return None


def markdown_lines(units, kind, lines):
    """The lines (1-based) of a .py download that were markdown cells, which a marker never
    matches (a heading "Exercise 1.2" above the cell whose comment says it too): a Colab
    download's strings on their own; in a Jupyter download, the comment lines after a cell's
    last line of code (nbconvert writes the markdown cells that follow a cell there)."""
    found = set()
    for u in units:
        if kind == "script" and u.text:
            found.update(range(u.first, u.last + 1))
        elif kind == "jupyter":
            cell = u.label.startswith("cell")  # else the lines before the first cell
            code = [n for n in range(u.first + cell, u.last + 1)
                    if n <= len(lines) and lines[n - 1].strip() and not lines[n - 1].lstrip().startswith("#")]
            if code or not cell:
                found.update(range((code[-1] if code else u.first - 1) + 1, u.last + 1))
    return found


def marker_missing(answer, place):
    """What a student reads when the text an answer is taken after is gone (they edited the
    notebook's instruction comment), and its test line too where the spec gives one: where they
    were looked for, and what to do."""
    marker, test = answer["cell"], answer.get("test_line")
    if test:
        return (f"no {place} holds the text '{marker}', nor the line '{test}' that tests this answer: "
                f"the answer is taken at the end of the cell with that instruction, or where that line "
                f"runs, so keep one of them as the notebook gives it")
    return (f"no {place} holds the text '{marker}': this answer is taken at the end of the cell "
            f"with that instruction, so keep its line as the notebook gives it")


def loose(text):
    """A text as its words read, for a marker a student retyped: its runs of letters and digits,
    in lower case, one space between ("# step 2 - Per-head scores" reads as "# Step 2: per-head
    scores": " step 2 per head scores ")."""
    words = re.findall(r"\w+", text.casefold())  # an identifier is one word: no def matches prose
    return " " + " ".join(words) + " " if words else ""


def loosely_holds(marker, text):
    """Whether `text` holds `marker`'s words (loose()) in order, whatever lies between them; where
    the marker starts (or ends) with punctuation, as a heading or a printed line does
    ("======= Scaled dot-product attention"), the words are not preceded (followed) on their
    line by another word (found by a hostile-student helper: exercise 2's "====== Masked scaled
    dot-product attention" held exercise 1's, which was then graded with exercise 2's function)."""
    words = re.findall(r"\w+", marker.casefold())
    if not words:
        return False
    folded, bare = text.casefold(), marker.strip()
    pattern = r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words) + r"(?!\w)"
    lead = bool(bare) and not (bare[0].isalnum() or bare[0] == "_")
    trail = bool(bare) and not (bare[-1].isalnum() or bare[-1] == "_")
    def word_beside(at, step):  # the first character from `at` on, past blanks, is a word's
        while 0 <= at < _len(folded) and folded[at] in " \t":
            at += step  # each blank is passed at most twice in all: the matches do not overlap
        return 0 <= at < _len(folded) and (folded[at].isalnum() or folded[at] == "_")
    for found in re.finditer(pattern, folded):
        if not (lead and word_beside(found.start() - 1, -1)) and not (trail and word_beside(found.end(), 1)):
            return True
    return False


def first_holding(marker, texts, forgiving=True):
    """The index of the first of `texts` that holds `marker`, else of the first that holds it
    loosely (loose(): found by an instructor helper, a correct notebook lost three exercises to
    "# Step 2 - per-head scores" for "# Step 2: per-head scores", and "#step 3" for "# Step 3";
    in an .ipynb, the code cell whose markdown just above holds it is next: the comment moved
    there), else None."""
    # Whole at its ends: "# Step 1" is no part of "# Step 12".
    exact = re.compile(("(?<!\\w)" if marker[:1].isalnum() else "") + re.escape(marker) +
                       ("(?!\\w)" if marker[-1:].isalnum() else ""))
    for k, text in enumerate(texts):
        if marker in text and exact.search(text):
            return k
    if forgiving and loose(marker):
        for k, text in enumerate(texts):
            if loosely_holds(marker, text):
                return k
    alike = assigning_alike(marker) if forgiving else None
    if alike:
        for k, text in enumerate(texts):
            if alike(text):
                return k
    return None


_NAME = r"[A-Za-z_]\w*"


def assigning_alike(marker):
    """For a marker that is a line of code assigning a name (`keys = compute_keys([v_1, v_2, v_3],
    [W_k1, W_k2, W_k3])`, the handout's own line): a test of a text for a line assigning that
    name as the marker does, retyped: calling the same function, or, where the marker calls
    none, from the same names (`output = encoder_hidden_states * softmax_scores`). Found by a
    student helper: `keys = compute_keys(vs, ws)` lost exercise 2.1, "no line holds the text".
    None for any other marker (an instruction comment)."""
    assigned = re.fullmatch(rf"\s*({_NAME})\s*=(?!=)(.*)", marker)
    if not assigned or not assigned.group(2).strip():
        return None
    target, value = assigned.group(1), assigned.group(2).strip()
    called = re.match(rf"({_NAME}(?:\.{_NAME})*)\s*\(", value)
    names = set(re.findall(_NAME, value))
    line = re.compile(rf"^[ \t]*{re.escape(target)}[ \t]*=(?!=)(.*)$", re.M)

    def alike(text):
        for found in line.finditer(text):
            other = found.group(1).split("#")[0].strip()
            if called and re.match(re.escape(called.group(1)) + r"\s*\(", other):
                return True
            if not called and set(re.findall(_NAME, other)) == names:
                return True
        return False
    return alike


def snapshot_points(units, kind, source, answers, forgiving=True):
    """For each answer taken at the end of a cell (its `cell` marker): the index of the unit
    after which its expression is evaluated, or the reason there is none; and the units of
    that cell (in a script, the statements from its marker to that point), whose failure is
    the first to tell when the answer is not defined there. `forgiving`: found as a student
    may have retyped it too (first_holding). Where no cell holds the marker, an answer's
    `test_line` (the notebook's line that tests it) stands for it (found by a TA helper: a
    correct notebook whose instruction comments were deleted lost two answers); in a script,
    the answer is taken at the latest after that line: a Colab download marks no end of a cell,
    and the next exercise's code may follow before the next marker."""
    points, cells = {}, {}
    markers = [(i, a["cell"]) for i, a in enumerate(answers) if a.get("cell")]
    if kind == "notebook":  # code cells only: markdown cells are not units
        code = [source[k] for k in range(_len(units))]
        for i, marker in markers:
            found = first_holding(marker, code, forgiving)
            if found is None and forgiving:  # the instruction moved into the markdown just above its code
                found = first_holding(marker, [u.heading for u in units])
            if found is None and answers[i].get("test_line"):
                found = first_holding(answers[i]["test_line"], code, forgiving)
                answers[i]["at_test"] = found is not None
            points[i] = found if found is not None else marker_missing(answers[i], "code cell")
            cells[i] = [] if found is None else [found]
        return points, cells
    lines = source.split("\n")
    markdown = markdown_lines(units, kind, lines)
    where = {}  # marker -> its line (1-based)
    tested = {}  # marker -> the line (1-based) of its answer's test, at or after the marker's
    code = ["" if n + 1 in markdown else line for n, line in enumerate(lines)]
    for i, marker in markers:
        found = first_holding(marker, code, forgiving)
        test = answers[i].get("test_line")
        at = first_holding(test, code[found or 0:], forgiving) if test else None
        if at is not None:
            tested[i] = at + (found or 0) + 1
        if found is None and at is not None:
            found = tested[i] - 1
            answers[i]["at_test"] = True
        where[i] = found + 1 if found is not None else marker_missing(answers[i], "line of code (markdown text is not searched)")
    marker_lines = sorted(v for v in where.values() if _isinstance(v, int))
    for i, line in where.items():
        if not _isinstance(line, int):
            points[i] = line
            continue
        if kind == "jupyter":
            found = [k for k, u in enumerate(units) if u.first <= line <= u.last]
            points[i] = found[0] if found else f"the text '{answers[i]['cell']}' is in no cell"
            cells[i] = found[:1]
            continue
        # A script: the cell runs from the marker to the next markdown text or the next
        # answer's marker; the value is taken after its last statement. A string on its own
        # that holds a line changing the answer's variable, after which the variable still
        # changes before the next string or marker, is no markdown cell but an old attempt the
        # student "commented out" with quotes (found by a helper: the answer was taken before
        # the student's last lines of that cell).
        # Only before the next answer's marker: after the last one, the rest of the notebook
        # follows, whose markdown may show code (found by the re-attack: a bonus section's
        # example then took the answer after the section's own code).
        later = [n for n in marker_lines if n > line]
        stop = min(later + [len(lines) + 1])
        strings = sorted((u for u in units if u.boundary and line < u.first < stop), key=lambda u: u.first)
        root = answer_root(answers[i].get("expr") or "") if later else None
        end = stop
        for s, string in enumerate(strings):
            until = strings[s + 1].first if s + 1 < _len(strings) else stop
            after = [u for u in units if string.first < u.first < until and not u.text and not u.unparsable]
            if root is None or not (commented_out(string, root) and any(changes(u.code, root) for u in after)):
                end = string.first
                break
        test_unit = [u for u in units if i in tested and u.first <= tested[i] <= u.last and u.first < end]
        if test_unit:  # the test's statement ends it
            end = test_unit[0].last + 1
        inside = [k for k, u in enumerate(units) if u.first < end and u.last >= line and not u.text]
        before = [k for k, u in enumerate(units) if u.first < end and not u.text]
        points[i] = (inside or before or [None])[-1]
        cells[i] = inside
        if points[i] is None:
            points[i] = f"no statement follows the text '{answers[i]['cell']}'"
    return points, cells


# ---- notebook leftovers ---------------------------------------------------------------------


def capture_start(arguments):
    """The line `%%capture [--no-stdout] [--no-stderr] [NAME]` becomes: the cell's printed text
    goes into NAME (a CapturedIO, as IPython binds it) instead of the output, from that line to
    the cell's end (end_capture(), whether it raised or not). Found by a student helper:
    `%%capture cap` ran its body, printed it, and `cap.stdout` was "name 'cap' is not defined"."""
    names = [a for a in arguments if not a.startswith("-") and a.isidentifier()]
    return (f"get_ipython().capture({names[0] if names else ''!r}, {'--no-stdout' not in arguments}, "
            f"{'--no-stderr' not in arguments})")


class CapturedIO:
    """What `%%capture NAME` binds NAME to, as IPython's: what the cell printed, `.stdout`,
    `.stderr`, `.outputs` (no rich outputs here); `.show()`, or a call, prints it."""

    def __init__(self, stdout, stderr):
        self.stdout, self.stderr, self.outputs = stdout, stderr, []

    def show(self):
        sys.stdout.write(self.stdout)
        sys.stderr.write(self.stderr)

    __call__ = show

    def __str__(self):
        return self.stdout


CAPTURING = []  # a %%capture cell's [name, stdout, stderr, the streams before, its last line], while it runs


def end_capture(namespace, unit=None):
    """The end of a %%capture cell: the streams as they were, its NAME bound. After `unit`, a
    statement of a Colab download, only where it reaches the cell's last line (a Colab download
    runs statement by statement, and its cell's statements are captured together)."""
    if not CAPTURING or (unit is not None and CAPTURING[4] is not None and unit.last < CAPTURING[4]):
        return
    name, out, err, saved, _ = CAPTURING
    CAPTURING.clear()
    sys.stdout, sys.stderr = saved
    if name:
        namespace[name] = CapturedIO(out.getvalue(), err.getvalue())


class FakeIPython:
    """get_ipython() in a script exported from Jupyter: magics and shell commands do nothing,
    a %%time cell's body and a %time line's statement run."""

    def __init__(self, namespace):
        self.namespace = namespace
        self.user_ns = namespace

    def run_line_magic(self, name="", line="", *args, **kwargs):
        if name in LINE_MAGICS_RUN and line.strip():  # nbconvert's `%time x = f()`
            exec(compile(line, "<line magic>", "exec"), self.namespace)
        elif name == "run":
            run_file(self.namespace, line)
        return None

    def magic(self, *args, **kwargs):
        return None

    def capture(self, name, stdout, stderr, until=None):  # capture_start()'s line
        end_capture(self.namespace)
        out, err = io.StringIO(), io.StringIO()
        CAPTURING[:] = [name, out, err, (sys.stdout, sys.stderr), until if _type(until) is int else None]
        if stdout:
            sys.stdout = out
        if stderr:
            sys.stderr = err

    def run_cell_magic(self, name, line, cell):
        if name == "capture":  # a Jupyter download's `%%capture cap` cell, as capture_start() says
            exec(capture_start(str(line).split()), {"get_ipython": lambda: self})
            try:
                exec(compile(cell, "<cell magic>", "exec"), self.namespace)
            finally:
                end_capture(self.namespace)
        elif name in RUNS_BODY:
            exec(compile(cell, "<cell magic>", "exec"), self.namespace)
        elif name in WRITES_FILE:
            write_cell_file(line, cell)

    def system(self, *args, **kwargs):
        return None

    def getoutput(self, *args, **kwargs):
        return []


def run_file(namespace, line):
    """`%run [options] FILE [ARGS]` as IPython runs it. A script runs with `__name__` "__main__"
    (-n: the file's name), `__file__` and sys.argv [FILE, *ARGS], in a namespace of its own whose
    names then join the notebook's (-i: in the notebook's own); its encoding is Python's to read
    (a BOM, a coding line); an error in it is printed, its own frames only, and the cell goes on
    with the names it bound before. A notebook's code cells, or an `.ipy` file's code, run in the
    notebook's namespace with their magics made harmless, and an error stops the cell. `-m
    MODULE` runs a module as `python -m` does. FILE is found as given, else with `.py` added,
    relative to the working folder (the student's own copy), a Windows path with its backslashes
    as slashes, and one in Colab's folders (`/content/drive/MyDrive/helpers.py`) by its name
    there; one not found stops the cell. The
    grader's interrupts are never caught; options that time, profile or debug do nothing more."""
    try:
        options, words = getopt.getopt(shlex.split(line), "nidtN:b:pD:l:rs:T:em:G")
        if words and "\\" in line and not os.path.exists(os.path.expanduser(words[0])):
            # A Windows path (`%run .\helpers.py`, written in Jupyter on Windows), whose
            # backslashes the shell's rules took as escapes.
            options, words = getopt.getopt(shlex.split(line.replace("\\", "/")), "nidtN:b:pD:l:rs:T:em:G")
    except (getopt.GetoptError, ValueError) as e:
        raise Exception(f"%run {line}: {e}") from None
    options = dict(options)
    module_name = options.get("-m")
    pieces = []  # (code, its file name)
    if module_name is None:
        if not words:
            raise Exception("%run needs a file: %run FILE [ARGS]")
        path, arguments = os.path.expanduser(words[0]), words[1:]
        if path.startswith("/content/") and not os.path.exists(path) and not os.path.exists(path + ".py"):
            path = os.path.basename(path)  # Colab's folders (its Drive too): the file handed in beside
        if not os.path.isfile(path) and os.path.isfile(path + ".py"):
            path += ".py"
        try:
            with open(path, "rb") as f:
                raw = f.read()
            if path.endswith(".ipynb"):
                units = notebook_units(raw.decode("utf-8"), os.path.basename(path))
                pieces = [(u.code, u.filename) for u in units if not u.unparsable]
            elif path.endswith(".ipy"):
                encoding = tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
                pieces = [(without_magics(raw.decode(encoding))[0], path)]
            else:
                pieces = [(raw, path)]  # bytes: Python reads its BOM and coding line
        except (OSError, UnicodeDecodeError, SyntaxError, HandInError) as e:
            why = ("not found (files are looked for in the notebook's folder: hand them in beside it)"
                   if _isinstance(e, FileNotFoundError) else f"cannot be read: {e}")
            raise Exception(f"%run: file `{words[0]}` {why}") from None
    else:
        try:
            found = importlib.util.find_spec(module_name)
        except (ImportError, ValueError):
            found = None
        if found is None:
            raise Exception(f"%run -m: {module_name!r} is not a module that can be imported here")
        path, arguments = found.origin or module_name, words
    cells = path.endswith((".ipynb", ".ipy"))  # run as IPython runs cells: an error stops them
    in_notebook = "-i" in options or cells
    name = os.path.splitext(os.path.basename(path))[0] if "-n" in options and not in_notebook else "__main__"
    module = types.ModuleType(name)
    scope = namespace if in_notebook else module.__dict__
    own = ("__name__", "__file__", "__builtins__")
    kept = {key: namespace[key] for key in own if key in namespace}
    scope.update(__name__=name, __file__=path, __builtins__=builtins)
    saved_argv, saved_module = sys.argv, sys.modules.get(name)
    sys.argv = [path] + arguments
    if not in_notebook:
        sys.modules[name] = module  # `import __main__` and pickling see the file's names
    try:
        try:
            if module_name is not None:
                scope.update(runpy.run_module(module_name, run_name=name, alter_sys=True))
            for code, filename in pieces:
                exec(compile(code, filename, "exec"), scope)
        except SystemExit as e:
            note_run_failure(pieces, path, e, scope)
            if e.code and "-e" not in options:
                print(f"SystemExit: {e.code}", file=sys.stderr)
        except BaseException as e:
            # The grader's interrupt, a notebook's error, or what no script should catch: the
            # cell stops, with what the file bound before.
            if not (INTERRUPTED[0] or BUDGET_SPENT[0]):
                note_run_failure(pieces, path, e, scope)
            if cells or not _isinstance(e, (Exception, KeyboardInterrupt)) or INTERRUPTED[0] or BUDGET_SPENT[0]:
                raise
            print_file_error(e)
    finally:
        if not in_notebook:
            namespace.update({key: value for key, value in scope.items() if key not in own})
        sys.argv = saved_argv
        if saved_module is not None:
            sys.modules[name] = saved_module
        elif not in_notebook:
            sys.modules.pop(name, None)
        for key in own:  # IPython keeps the notebook's own (its __file__ too)
            if key in kept:
                namespace[key] = kept[key]
            else:
                namespace.pop(key, None)


RUN_FAILED = {}  # name -> how a file %run ran failed before binding it, for a NameError after


def note_run_failure(pieces, path, error, scope):
    """Remembers, for each name the file %run ran binds at its top level (bound_names) and left
    unbound when `error` stopped it, where and how it stopped: a later NameError, or an answer
    not defined, then points at the file rather than only at the name. Once per error (a file
    that runs itself is told at its deepest run only)."""
    try:
        if getattr(error, "_grader_noted", False):
            return
        error._grader_noted = True
        files = {filename for _, filename in pieces}
        frame = next((f for f in traceback.extract_tb(error.__traceback__) if f.filename in files), None)
        base = os.path.basename(path)
        where = ""
        if frame is not None:  # an .ipynb's cells are compiled as "lab.ipynb, cell 4"
            cell = frame.filename[_len(base) + 2:] if frame.filename.startswith(base + ", cell ") else ""
            where = f" at its {cell + ', ' if cell else ''}line {frame.lineno}"
        text = (f"SystemExit: sys.exit({error.code!r}) was called" if _isinstance(error, SystemExit) else
                " ".join(traceback.format_exception_only(_type(error), error)[-1].split()))
        why = f"{base}, which %run runs, stopped{where} before defining it ({text})"[:300]
        for code, filename in pieces:
            tree = code if _isinstance(code, ast.AST) else ast.parse(code, filename)
            for bound in bound_names(tree):
                if bound not in scope:
                    RUN_FAILED.setdefault(bound, why)
    except Exception:  # a file that does not parse binds nothing here; a notebook that broke ast
        pass


def print_file_error(error):
    """An error of a file that %run runs, as IPython prints it, with the file's frames only (the
    grader's and runpy's are not the student's); said in one line when the traceback itself
    cannot be formatted (too deep a recursion)."""
    try:
        frames = [f for f in traceback.extract_tb(error.__traceback__)
                  if f.filename not in (__file__, runpy.__file__) and not f.filename.startswith("<frozen ")]
        text = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(_type(error), error))
        print("Traceback (most recent call last):\n" + text, end="", file=sys.stderr)
    except Exception:
        print(f"{_type(error).__name__} in a file run by %run", file=sys.stderr)


def write_cell_file(line, cell):
    """`%%writefile [-a] NAME`: the cell's text written to NAME (appended with -a), relative to
    the working folder, the student's own copy, which `import` searches first."""
    words = shlex.split(line)
    append = any(w in ("-a", "--append") for w in words)
    names = [w for w in words if w not in ("-a", "--append")]
    if _len(names) != 1:
        raise ValueError(f"%%writefile needs one file name, not {line!r}")
    with open(os.path.expanduser(names[0]), "a" if append else "w", encoding="utf-8") as f:
        f.write(cell)
    importlib.invalidate_caches()  # a module written after the folder was first searched


def no_op(*args, **kwargs):
    return None


def torch_compile(model=None, **options):
    """torch.compile as torch 2.x calls it, for notebooks written for Colab's torch when the
    system's is older: the function or module itself, uncompiled (compiling changes how fast it
    runs, not what it computes); `@torch.compile(mode=...)` too. Found by a student helper: a
    correct `@torch.compile` notebook lost every point, told "did you mean 'complex'?"."""
    return model if model is not None else (lambda f: f)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """torch.nn.functional.scaled_dot_product_attention as torch 2.x defines it (without
    dropout), for notebooks written for Colab's torch when the system's is older (Debian 12's
    is 1.13). As torch's own (its math path, a matrix product), a query may be one vector
    (found by a student helper: `attention(torch.zeros(3), keys, values)` failed "Dimension out
    of range" in the course's own helper, where Colab computes it)."""
    import math
    factor = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * factor
    if is_causal:
        causal = torch.ones(query.size(-2), key.size(-2), dtype=torch.bool).tril(diagonal=0)
        scores = scores.masked_fill(causal.logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            attn_mask = torch.zeros(attn_mask.shape, dtype=scores.dtype).masked_fill(attn_mask.logical_not(),
                                                                                     float("-inf"))
        scores = scores + attn_mask
    weights = torch.softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = torch.dropout(weights, dropout_p, train=True)
    return weights @ value


LEFTOVERS = {}  # name -> what install_leftovers() put in the notebook's namespace


class Nothing:
    """Any name of a StandIn module: a call of it does nothing and returns another, as does any
    attribute of it (`google.colab.output.clear()`, `Image("a.png").data`), and it is a context
    that does nothing (`with capture_output():`)."""

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __iter__(self):
        return iter(())

    def __format__(self, spec):
        return ""

    def __mro_entries__(self, bases):  # `class MyHTML(HTML):` is a class of its own
        return ()


class StandIn(types.ModuleType):
    """A module of a notebook's surroundings (IPython, google.colab) as the grader has it: any
    name of its is Nothing (`from IPython.display import HTML`, `from google.colab import
    output`)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Nothing()


class StandIns:
    """Finds IPython, google.colab and their sub-modules (`IPython.core.interactiveshell`) as
    StandIn modules, before anything installed: a notebook runs alike on every grading machine
    (found by a session: on one with Debian's IPython, its import in the zygote failed for want
    of a home folder, and no notebook could be graded), and the zygote imports nothing more
    that each fork would copy."""

    ROOTS = ("IPython", "google.colab")

    def find_spec(self, name, path=None, target=None):
        for root in self.ROOTS:
            if name == root or name.startswith(root + "."):
                return importlib.util.spec_from_loader(name, self, is_package=True)
        return None

    def create_module(self, spec):
        return StandIn(spec.name)

    def exec_module(self, module):
        pass


def torch_stand_ins():
    """torch 2's scaled_dot_product_attention and compile on an older torch, once it is imported:
    by the zygote, or by the notebook's first cell that imports it (take_torch() after it)."""
    try:
        if torch is not None and not hasattr(torch.nn.functional, "scaled_dot_product_attention"):
            torch.nn.functional.scaled_dot_product_attention = scaled_dot_product_attention
        if torch is not None and not hasattr(torch, "compile"):
            torch.compile = torch_compile
    except Exception:  # a module that only poses as torch: nothing to add to it
        pass


def install_leftovers(namespace):
    """What notebooks assume exists: get_ipython(), display(), google.colab, IPython (StandIns),
    and torch 2's names (torch_stand_ins(), when the zygote imported torch)."""
    torch_stand_ins()
    namespace["get_ipython"] = lambda: FakeIPython(namespace)
    namespace["display"] = no_op
    LEFTOVERS.update(get_ipython=namespace["get_ipython"], display=no_op)  # no "did you mean" of them
    builtins.display = no_op
    builtins.get_ipython = namespace["get_ipython"]  # as IPython has it, in a file %run runs too
    sys.meta_path.insert(0, StandIns())
    try:
        import google
    except ImportError:
        google = types.ModuleType("google")
        google.__path__ = []
        sys.modules["google"] = google
    import google.colab.drive
    import google.colab.files
    import IPython.display

    google.colab.files.upload = uploaded
    # As when a script runs outside IPython: the module's get_ipython() is None, so that
    # libraries asking it for a shell (matplotlib's pyplot registers a drawing hook on one) find
    # none; the script's own get_ipython() (a Jupyter export's magics) stays.
    IPython.get_ipython = lambda: None
    IPython.__version__, IPython.version_info = "8.5.0", (8, 5, 0, "")  # Debian 12's


def uploaded(*args, **kwargs):
    """google.colab.files.upload(): the files handed in beside the notebook, by name, as the
    student picked them in Colab (`uploaded["kv.pt"]`)."""
    files = {}
    for name in sorted(os.listdir(".")):
        if os.path.isfile(name) and name != sys.argv[0]:
            with open(name, "rb") as f:
                files[name] = f.read()
    return files


# ---- running --------------------------------------------------------------------------------


def failure(error, name, unit, suggest=True):
    """What went wrong in a unit, as a student reads it: the line in their file, and the error,
    with for a NameError the name likely meant (`suggest`: nothing else explains it)."""
    where, text = failure_parts(error, name, unit)
    return f"{where}: {text}{meant_name(error) if suggest else ''}"[:MAX_TEXT]


# What torch says when code asks for a GPU the machine does not have (a Mac's "mps" too).
_NO_GPU = ("not compiled with CUDA", "no NVIDIA driver", "No CUDA GPUs", "CUDA driver initialization failed",
           "torch.cuda.is_available() is False", "not linked with support for mps devices",
           "from the 'MPS' backend", "from the 'CUDA' backend")
# How torch's NotImplementedError for an operation its build lacks begins (an MPS tensor's).
_TORCH_LACKS = "Could not run '"
_error_args = BaseException.args.__get__  # the exception's own slot: a subclass's property is its code


def left_to_do(error):
    """Whether an error is a stub's (`raise NotImplementedError()`: an exercise left to do), not
    torch's NotImplementedError for an operation its build lacks ("Could not run
    'aten::empty.memory_format' with arguments from the 'MPS' backend", found by trying a Mac's
    device="mps": it was "not implemented yet"). A cell that raises a stub's ends with
    UNIT_LEFT_TO_DO, which run.cpp's unfinished_cells() names."""
    if not _isinstance(error, NotImplementedError):
        return False
    args = _error_args(error, BaseException)
    return not (_type(args) is tuple and args and _type(args[0]) is str and args[0].startswith(_TORCH_LACKS))


def without_gpu(text):
    """For an error of code that asks for a GPU (`.cuda()`, `.to("cuda")`, `device="cuda"`,
    `torch.load` of tensors saved on one), read from its text as failure_parts() words it: that the
    grader has none, and how code runs on both (found by trying a Colab notebook's habit: every
    check `threw` "Torch not compiled with CUDA enabled", and nothing said why); else ""."""
    if not any(s in text for s in _NO_GPU):
        return ""
    if "torch.cuda.is_available() is False" in text:
        return " (the grader runs your code on a CPU, with no GPU: load with torch.load(..., map_location=\"cpu\"))"
    gpu, available = (("mps", "torch.backends.mps.is_available()") if "mps" in text.lower() else
                      ("cuda", "torch.cuda.is_available()"))
    return (f" (the grader runs your code on a CPU, with no GPU: choose the device with "
            f"`torch.device(\"{gpu}\" if {available} else \"cpu\")`, or keep tensors on their inputs' "
            f"device, `x.device`)")


def failure_parts(error, name, unit):
    """failure() in two parts: where (the line in the student's file), and the error, with
    without_gpu()'s words where it asked for a GPU. Plainer when the notebook broke the traceback
    module itself."""
    try:
        where, text = describe_failure(error, name, unit)
        hint = without_gpu(text)
        if hint:  # its first sentence: torch's text for an MPS tensor goes on for 3 000 characters
            end = text.find(". ")
            text = text if end < 0 else text[:end + 1]
        return where, text + hint
    except Exception:
        return unit.label, _type(error).__name__


CONFINE = [None]  # the zygote's library (confine/python_entry.cpp), in the child

# Names a notebook uses from an import it left out (a cell deleted, or an import run once in
# the student's kernel and never written down): the import each asks for.
IMPORTS = {"np": "import numpy as np", "numpy": "import numpy", "torch": "import torch",
           "F": "import torch.nn.functional as F", "nn": "import torch.nn as nn",
           "plt": "import matplotlib.pyplot as plt", "matplotlib": "import matplotlib"}
IMPORTS.update((m, f"import {m}") for m in ("math", "random", "time", "os", "sys", "itertools", "functools",
                                            "collections", "json", "copy", "re", "string", "statistics"))


_name_of = NameError.name.__get__  # the exception's own slot: a subclass's property is its code


def undefined_name(error):
    """The name a NameError says is not defined, or None: for another error, and for a name
    that is no plain str (its __hash__ may be anything: a hostile helper's raised SystemExit in
    the runner), which names nothing. Read from the slot, running no code of the notebook."""
    name = _name_of(error, NameError) if _isinstance(error, NameError) else None
    return name if _type(name) is str and name else None


def meant_name(error):
    """For a NameError: the import that binds the name, or the name likely meant among those
    the failing line could see (its function's locals, the notebook's variables, Python's
    builtins), by the grader's own rule for a misspelt answer (grader::did_you_mean, reached
    through the zygote's library); else "". Python 3.12 says as much; the graded one says
    nothing."""
    try:
        missing = undefined_name(error)
        if missing is None:
            return ""
        tb = error.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        frame, seen = (tb.tb_frame if tb is not None else None), []
        for names in (frame.f_locals, frame.f_globals, frame.f_builtins) if frame is not None else ():
            if _type(names) is dict:  # keys of an exact dict: listing them runs no code of the notebook
                seen += list(names)[:20000]
        if missing in IMPORTS:
            # The module imported under a name of another case (`import torch.nn.functional as f`,
            # then `F.softmax`): that name first (found by a student helper, asked whether the
            # import was missing).
            other = [n for n in seen if _type(n) is str and n != missing and n.lower() == missing.lower()]
            return (f" (did you mean '{other[0]}'? Or is `{IMPORTS[missing]}` missing?)" if other else
                    f" (is `{IMPORTS[missing]}` missing? A notebook is graded from its first cell)")
        return suggested(missing, seen, hidden="__")
    except Exception:  # the notebook broke what this needs
        return ""


def suggested(missing, names, hidden):
    """The grader's own rule for a misspelt name (grader::did_you_mean, reached through the
    zygote's library): "; did you mean 'x'?" for the one of `names` (plain identifiers only, none
    starting with `hidden`) nearest to `missing`, else ""."""
    if CONFINE[0] is None:
        return ""
    plain = [k for k in names if _type(k) is str and _len(k) <= 100 and k.isidentifier() and not k.startswith(hidden)]
    if _len(missing) == 1:
        # One letter for another is no typo: only the same letter of the other case (found by a
        # student helper: an undefined `x` was asked "did you mean 'F'?").
        plain = [k for k in plain if k.lower() == missing.lower()]
    out = _string_buffer(256)
    CONFINE[0].grader_python_did_you_mean(missing.encode(), "\n".join(plain).encode(), out, 256)
    return out.value.decode("utf-8", "replace")


def defined_later(error, units, k, name):
    """For a NameError in unit k: the first later unit that binds the name, run in the wrong
    order where the notebook was written; else ""."""
    try:
        missing = undefined_name(error)
        if missing is None:
            return ""
        later = next((j for j in binders(units).get(missing, ()) if j > k), None)
        if later is None:
            return ""
        return (f"; {missing} is defined only later, by {unit_place(units[later], name)}: a notebook is graded "
                "from top to bottom, as Restart & Run All runs it")
    except Exception:  # the notebook broke what this needs
        return ""


_BINDERS = [None, {}]  # the units, and for each name the units that bind it, in order


def binders(units):
    """For each name, the units that bind it (unit_names), in order: found once per notebook
    (a notebook failing at each of its thousands of lines asks at each failure)."""
    if _BINDERS[0] is not units:
        found = {}
        for j, unit in enumerate(units):
            for bound in unit_names(unit) or ():
                found.setdefault(bound, []).append(j)
        _BINDERS[:] = [units, found]
    return _BINDERS[1]


def in_cell(filename, name):
    """The cell a frame's file name says (an .ipynb's cells are compiled as "A2S1.ipynb, cell
    4"), "" for the hand-in itself, or None for a file that is not the student's. (A notebook
    can compile code under such a name itself, and mislead its own feedback only.)"""
    if filename == name:
        return ""
    cell = filename.startswith(name + ", cell ") and name.lower().endswith(".ipynb")
    return filename[_len(name) + 2:] if cell else None


def own_place(filename, name):
    """in_cell(), or for another file of the student's folder (a helper it imports or runs, one
    a %%writefile cell wrote), its name there: "helpers.py"."""
    cell = in_cell(filename, name)
    home = SUBMISSION_FOLDER[0]
    if cell is not None or home is None or filename.startswith("<"):
        return cell
    full = os.path.normpath(os.path.join(home, filename))  # %run compiles a name as given
    return full[_len(home) + 1:] if full.startswith(home + os.sep) else None


# Names of torch 2 and NumPy 2 that notebooks written for Colab use, which Debian 12's torch 1.13
# and NumPy 1.24 lack: older_version() tells the version, not a name alike.
NEWER_NAMES = {
    "torch": {"set_default_device", "get_default_device", "export", "compiler", "compile"},
    "numpy": {"concat", "pow", "astype", "vecdot", "unstack", "permute_dims", "matrix_transpose", "trapezoid",
              "acos", "asin", "atan", "atan2", "acosh", "asinh", "atanh", "bitwise_invert", "bitwise_left_shift",
              "bitwise_right_shift", "cumulative_sum", "cumulative_prod"},
}
# Attributes of NumPy 2's arrays that NumPy 1.24's lack, each with what to write instead (found by
# a student helper: Colab's `K.mT` was told that its inputs were float64 NumPy arrays).
NEWER_ARRAY_NAMES = {
    "mT": "np.swapaxes(x, -1, -2), or x.T for a matrix",
    "device": "nothing: arrays live on the CPU",
    "to_device": "nothing: arrays live on the CPU",
}


def older_version(error):
    """For `torch.compile` on a machine whose torch has none (Debian's is 1.13): which version
    grades the hand-in, so that the student knows the name is newer than it (found by a helper:
    "module 'torch' has no attribute 'compile'" alone); for a submodule not imported yet
    (`torch.utils.checkpoint`), that it is one to import. The version is read from the module's
    own dictionary, never through its attributes (a notebook's stand-in could run code there)."""
    array = re.match(r"'numpy\.ndarray' object has no attribute '(\w+)'", str(error))
    if array and array.group(1) in NEWER_ARRAY_NAMES:
        version = vars(np).get("__version__")
        return (f" (the grading machine has numpy {version if _isinstance(version, str) else '1.x'}, whose arrays have no "
                f".{array.group(1)}, new in NumPy 2: write {NEWER_ARRAY_NAMES[array.group(1)]})")
    found = re.match(r"module '((?:torch|numpy|matplotlib)(?:\.\w+)*)' has no attribute '(\w+)'", str(error))
    if not found:
        return ""
    name = f"{found.group(1)}.{found.group(2)}"
    try:
        submodule = importlib.util.find_spec(name) is not None
    except Exception:  # a notebook's own finder, or a parent that is no package
        submodule = False
    if submodule:
        return f" ({name} is a module of its own: import {name} first)"
    # A misspelt name (`torch.manuel_seed`) is told the one likely meant, not the version (found by
    # a student helper); a name known to be newer is not (found by a student helper:
    # `torch.compile` was asked "did you mean 'complex'?", `torch.set_default_device` is asked
    # about set_default_dtype).
    owner = sys.modules.get(found.group(1))
    if _type(owner) is types.ModuleType and found.group(2) not in NEWER_NAMES.get(found.group(1), ()):
        try:
            meant = suggested(found.group(2), list(vars(owner))[:20000], hidden="_")
            if meant:
                return meant
        except Exception:  # the notebook broke what this needs
            pass
    package = found.group(1).split(".")[0]
    module = sys.modules.get(package)
    version = vars(module).get("__version__") if _type(module) is types.ModuleType else None
    if not _isinstance(version, str):
        return ""
    return (f" (the grading machine has {package} {version.split('+')[0]}, which has no {name}: write it without, "
            "or check the name)")


def describe_failure(error, name, unit):
    # Where and what. The unit's own line, and the deepest line of the student's file the error came through
    # (inside one of their functions, say); in an .ipynb, with its cell where it is not the
    # unit's own (a function the grader calls, defined in cell 4: "cell 4, line 13").
    frames = [f for f in traceback.extract_tb(error.__traceback__) if own_place(f.filename, name) is not None]
    line = frames[0].lineno if frames else None
    here = own_place(frames[0].filename, name) if frames else ""
    inner = ""
    if _len(frames) > 1 and (frames[-1].lineno != line or frames[-1].filename != frames[0].filename):
        cell = own_place(frames[-1].filename, name)
        inner = f" (in {frames[-1].name}, {cell + ', ' if cell and cell != here else ''}line {frames[-1].lineno})"
    # On one line: the student's text of several lines drew lines of its own in the report,
    # such as a score table (found by a helper).
    text = " ".join(traceback.format_exception_only(_type(error), error)[-1].split())
    if _isinstance(error, SyntaxError) and error.filename is not None and in_cell(error.filename, name) is not None:
        line, inner, text = error.lineno, "", text + syntax_hint(error)
    if _isinstance(error, ModuleNotFoundError) and error.name and error.name.split(".")[0] not in sys.modules:
        module = error.name.split(".")[0]
        text += (f" ({module}.py is written by a %%writefile cell that is commented out: hand in "
                 f"the .ipynb, or {module}.py beside your notebook)" if module in COMMENTED_MODULES else
                 " (it is not installed where notebooks are graded, and a notebook is graded alone: use numpy, "
                 "torch, matplotlib or Python's standard library)" if module in PACKAGES else
                 f" (no module of that name is installed where notebooks are graded, and none was handed in: if "
                 f"{module}.py is a file of yours, hand it in beside your notebook, or put its code in the notebook)")
    if _isinstance(error, RuntimeError) and "<--- HERE" in text and ': File "' in text:
        # TorchScript's compiler: its first sentence, without the excerpt of the source under it,
        # which on one line says nothing (found by a student helper: `@torch.jit.script` on the
        # homework's `-> (Tensor, Tensor)`).
        text = text[:text.find(': File "')] + " (an error of TorchScript, which @torch.jit.script compiles the function " + (
            "with: it reads a return type of two tensors as `-> Tuple[Tensor, Tensor]`, from typing, not `-> (Tensor, "
            "Tensor)`; or leave @torch.jit.script out)" if "tuple-literal" in text else
            "with: write what TorchScript reads, or leave @torch.jit.script out)")
    elif _isinstance(error, (RuntimeError, ValueError, TypeError, AttributeError)):
        text += tensor_hint(str(error))
    # Found by a student helper: K.T of a (batch, block, d_k) batch, a NumPy habit, met only
    # PyTorch's "The size of tensor a (2) must match the size of tensor b (4)".
    # Not for two matrices (PyTorch's "mat1 and mat2"), where .T is right (found by a
    # hostile-student helper: `torch.stack(ws, dim=1).T` was told of batches).
    if (_isinstance(error, (RuntimeError, ValueError)) and frames and re.search(r"\.T\b", frames[-1].line or "")
            and re.search(r"size|shape|dimension", str(error)) and "mat1 and mat2" not in str(error)):
        text += (" (x.T reverses every axis: of a batch (batch, n, d) it makes (d, n, batch); transpose the last two "
                 "instead, K.transpose(-2, -1) in PyTorch or np.swapaxes(K, -1, -2) in NumPy)")
    if _isinstance(error, EOFError) and str(error) == "EOF when reading a line":
        text += (" (input() gets no answer where notebooks are graded, as nobody types there: write the value into "
                 "your code)")
    if _isinstance(error, FileNotFoundError) and _isinstance(error.filename, str):
        text += missing_file(error.filename)
    if _isinstance(error, AttributeError):
        text += older_version(error)
    if _isinstance(error, KeyboardInterrupt) and INTERRUPTED[0] and BUDGET_SPENT[0]:
        text = (f"the notebook's time budget of {BUDGET_SECONDS[0]:g} s (python.budget_seconds) ran out here: stopped "
                "at this line; nothing after it ran, and the answers were taken as they stood")
    elif _isinstance(error, KeyboardInterrupt) and INTERRUPTED[0]:
        why = memory_held() or " (an endless loop, a wait, or far too slow)"
        text = (f"no end after {UNIT_SECONDS[0]:g} s of wall-clock time{why}: stopped at this line, as Jupyter's "
                "interrupt stops a cell; what the cell did before it stands")
    if _isinstance(error, SystemExit):
        text = f"SystemExit: sys.exit({error.code!r}) was called"
    elif _isinstance(error, AssertionError) and not str(error):
        text = "AssertionError (an assert failed)"
    where = f"{here + ', ' if here else ''}line {line}" if line else unit.label
    if unit.label.startswith("cell") and line:
        where = f"{unit.label}, line {line}" if name.lower().endswith(".ipynb") else f"line {line}"
    return where + inner, text[:MAX_TEXT]


# What PyTorch's and NumPy's plainest errors ask of a student (found by a student helper: each
# was given as PyTorch words it alone).
TENSOR_HINTS = (
    (re.compile(r"Boolean value of Tensor with more than one value is ambiguous|truth value of an array with more "
                r"than one element is ambiguous"),
     " (a tensor is used as True or False, in an `if`, `and` or `or`: to test whether an argument was given, write "
     "`if mask is not None:`)"),
    (re.compile(r"not implemented for '(?:Long|Int|Short|Char|Byte|Bool)'"),
     " (the tensor holds integers or booleans: make it floating point first, such as x.float())"),
    # Found by a student helper: a float16 softmax, which a GPU (or a newer PyTorch) runs.
    (re.compile(r"not implemented for '(?:Half|BFloat16)'"),
     " (the tensor is float16 or bfloat16: notebooks are graded on the CPU, whose PyTorch has no half-precision "
     "version of this operation; compute in float32, such as x.float())"),
    (re.compile(r"expected scalar type (\w+) but found (\w+)|expected (?:m1|mat1) and (?:m2|mat2) to have the same "
                r"dtype"),
     " (tensors of two dtypes meet in one operation: make them one, such as a.to(b.dtype), or x.float() of a "
     "tensor of integers)"),
    # torch.bmm of a tensor of another rank (found by a student helper: a mask unsqueezed once
    # too often, told only "batch1 must be a 3D tensor", where `@` of the same is told so);
    # torch 1.13's words, then torch 2's.
    (re.compile(r"batch[12] must be a 3D tensor|Expected 3-dimensional tensor, but got \d+-dimensional tensor for "
                r"argument #\d 'batch[12]'"),
     " (torch.bmm multiplies two 3-D tensors, (batch, n, m) @ (batch, m, p): one here has another rank, such as "
     "scores made 4-D by a mask unsqueezed once too often; print the shapes of what it multiplies, or use `@`, "
     "which broadcasts)"),
    # Found by an instructor helper: softmax(scores) of scores a function left None was told
    # only torch's "invalid combination of arguments - got (NoneType, dim=int)".
    # Or a parameter left at its default None (helper-59: a mask not passed, used unchecked).
    # (Found by an instructor helper: its mask named in a homework whose function has none.)
    (re.compile(r"\bNoneType\b"),
     " (a value here is None: a variable the handout left as None, what a function returns that has no `return` "
     "(its body still `pass`), or an argument not passed that defaults to None, to test with `if x is not None:`)"),
    # PyTorch's Q.size(1) of a NumPy array, whose size is a number (found by an instructor helper).
    (re.compile(r"'(?:int|tuple)' object is not callable"),
     " (a number or a tuple is called here: a NumPy array's .size and .shape are not methods, so the size of its "
     "axis 1 is Q.shape[1], where PyTorch writes Q.size(1); or a name such as sum or max was given a value "
     "before)"),
)


def tensor_hint(message):
    """TENSOR_HINTS' hint for an error's message, or ""."""
    return next((hint for pattern, hint in TENSOR_HINTS if pattern.search(message)), "")


# Packages a notebook may import that the grading machine does not give it (a name of none of
# these is more likely a file of the student's left out: found by a student helper, whose
# `from my_utils import stable_softmax` was told the module "is not installed").
PACKAGES = {"seaborn", "pandas", "sklearn", "scipy", "tensorflow", "keras", "jax", "flax", "einops", "tqdm",
            "transformers", "datasets", "torchvision", "torchaudio", "torchtext", "plotly", "cv2", "PIL", "skimage",
            "sympy", "numba", "tabulate", "ipywidgets", "wandb", "tensorboard", "lightning", "pytorch_lightning",
            "statsmodels", "networkx", "h5py", "yaml", "requests", "bs4", "nltk", "spacy", "gym", "gymnasium"}


def memory_held():
    """What an interrupted unit holds, where it is worth naming (the grader's
    sandbox::no_end_reason says the same of a call): memory filled page by page runs out of
    time before it runs out of memory where page faults are slow. What it holds now, not its
    peak (found by a helper: memory freed before an endless loop was named for the loop)."""
    try:
        fd = _os_open("/proc/self/statm", os.O_RDONLY)
        try:
            held = int(_os_read(fd, 200).split()[1]) * _PAGE_BYTES
        finally:
            _os_close(fd)
    except Exception:  # no /proc here, or the notebook broke what this needs
        return ""
    if not MEMORY[1] or held < MEMORY[1]:
        return ""
    return (f", holding {held >> 20} MiB of memory by then, of the {MEMORY[0]} MiB it may use (memory allocated in a "
            "loop and kept, or far too slow)")


def missing_file(path):
    """Why a file the notebook opens is not there, said so that the student can mend it: a path
    of Colab's (`/content/drive/MyDrive/A2/kv.pt`), of their own computer or out of the
    notebook's folder names a file to open by its name where it is handed in beside the
    notebook; a Windows path of the folder is written with '/'; a path into a folder that is not
    there says so (to hand in, or to make before writing into it)."""
    home = os.getcwd()
    if path.startswith(home + os.sep):  # the folder itself, as os.path.abspath() names it
        path = path[_len(home) + 1:]
    slashed = path.replace("\\", "/")
    base = slashed.rstrip("/").rsplit("/", 1)[-1]
    colab = path.startswith("/content/")
    if colab or os.path.isabs(path) or path.startswith("~") or slashed.startswith("../") or \
            re.match(r"[A-Za-z]:/", slashed):
        where = ("a path in Colab's files" if colab else "a path out of the notebook's folder"
                 if slashed.startswith("../") else "a path on your computer")
        if base and os.path.exists(base):
            return (f" ({where}: open it by its name, '{base}', which is handed in beside your notebook: notebooks "
                    "are graded in a folder of their own)")
        return (f" ({where}: notebooks are graded in a folder of their own, with the files handed in beside them: "
                "open those by their names)")
    if slashed != path and os.path.exists(slashed):
        return f" (write the path with '/', '{slashed}': notebooks are graded on Linux)"
    folder = os.path.dirname(slashed)
    if folder and not os.path.isdir(folder):
        return f" (there is no folder {folder}/ beside your notebook: hand it in, or make it first with os.makedirs)"
    return f" ({path} was not handed in beside your notebook)"


def earlier_cause(error, units, defined_by, stubs, errors, name):
    """For a NameError, the earlier failure of a part that defines the name (an import that
    failed, then every use of what it imports), which is what to fix; else "". `defined_by`:
    name -> the last unit before that failed and binds it. A cell of a .py download is named by its
    line (found by a helper: "cell 10 (line 126)" of a file whose cells show no numbers, where
    the .ipynb calls it cell 13). Where no part of the notebook binds it, the last part before
    that still raises NotImplementedError (`stubs`) and names it in its text: the nbgrader stub
    left where it was to be defined (found by an instructor helper: "name 'weights' is not
    defined" named only the cell that used it, when "# Step 3: weights" was still a stub; then
    by a student helper: without its name in the stub's text, a typo or a later cell was
    blamed on any stub before). `errors`: unit -> its own error, said after it (found by a
    student helper: the FileNotFoundError that says how to open the file was in a note only,
    the answer it left undefined said "saved is defined by line 50, which failed before").
    Returned with the unit whose words it repeats at its end, and how many characters those take
    (with their ": "), or None: the grader's list of failures says "(see above)" in their place
    where that unit's own failure is listed above (its UNIT_QUOTES record)."""
    text, quoted = "", None
    try:
        missing = undefined_name(error)
        if missing is None:
            return text, quoted
        k = defined_by.get(missing)
        if k is None and missing in RUN_FAILED:
            return f"; {missing} is defined by {RUN_FAILED[missing]}", quoted
        if k is None and stubs and missing not in binders(units):
            word = re.compile(r"(?<!\w)" + re.escape(missing) + r"(?!\w)")
            for s in reversed(stubs):
                if word.search(unit_text(units[s])):
                    return (f"; no cell defines {missing}, and {unit_place(units[s], name)}, which names it, still "
                            "raises NotImplementedError: is it the one to?"), quoted
        if k is None:
            return text, quoted
        said = errors.get(k, "")
        # "stopped at this line", of a hang, means that cell's line, not the one quoting it
        # (found by an instructor helper).
        said = said.split(": stopped at this line")[0]
        said = said if _len(said) <= 400 else said[:399] + "…"
        quote = ": " + said if said else ""
        return (f"; {missing} is defined by {unit_place(units[k], name)}, which failed before{quote}",
                (k, _len(quote)) if quote else None)
    except Exception:  # the notebook broke what this needs
        return text, quoted


def unit_place(unit, name):
    """A unit as a student finds it: its label, or in a .py download, where cells show no
    numbers, the line its cell starts at."""
    if unit.label.startswith("cell") and not name.lower().endswith(".ipynb"):
        return f"the cell at line {unit.first}"
    return unit.label


# What a part that does not parse would bind, read from its lines: `def f(`, `class C`, `x =`
# at the start of a line (found by a helper: a function whose cell had a syntax error was then
# only "not defined", where a variable's failed cell was named).
UNPARSED_BINDS = re.compile(r"^(?:(?:async[ \t]+)?def|class)[ \t]+([A-Za-z_]\w*)|^([A-Za-z_]\w*)[ \t]*=(?!=)", re.M)


def unparsed_names(unit):
    """The names a part that does not parse looks like it binds (UNPARSED_BINDS), as written
    (found by a student helper: a Colab download's `query131 =`, run as the statement that
    raises its SyntaxError, bound nothing, and a later use was asked "did you mean
    'query121'?")."""
    try:
        return {a or b for a, b in UNPARSED_BINDS.findall(unit.original or unit_text(unit))}
    except Exception:  # the notebook broke what this needs
        return set()


WARM_UP_NUMPY = """import numpy as np
a = np.random.normal(size=(4, 3))
b = np.exp(a) / np.sum(np.exp(a), axis=0) @ a.T
print(f"{a}\\n{b[1:, :2].round(2)}", np.linalg.norm(a[2]))
"""
WARM_UP_TORCH = """import torch
import torch.nn.functional as F
torch.manual_seed(0)
x = torch.randn(4, 3)
x /= torch.norm(x, dim=1, keepdim=True)
x.round_(decimals=2)
w = torch.softmax(x @ x.transpose(-2, -1) * 2, dim=-1)
y = F.scaled_dot_product_attention(x.unsqueeze(0), x.unsqueeze(0), x.unsqueeze(0), scale=1)
z = torch.mean(3 * x[:2], dim=0).unsqueeze(0)
print(f"{x}\\n{(w @ x - y).abs().max()}", x.clone()[2].norm())
"""


def warm_up():
    """Runs a small notebook once in the zygote, as a child would (split, compile, the usual
    torch and numpy operations, printing, reading values), so that what is lazily set up on
    first use is set up once, before the forks, not in every child."""
    namespace = {"__name__": "__main__"}
    install_leftovers(namespace)
    units, _, _ = split("warm_up.py", WARM_UP_NUMPY + (WARM_UP_TORCH if torch is not None else ""))
    with contextlib.redirect_stdout(io.StringIO()):
        for unit in units:
            exec(compile(unit.code, "warm_up.py", "exec"), namespace)
    for name in ("a", "b", "x", "w"):
        if name in namespace:
            numbers(namespace[name])


NOTEBOOK_RAN = False  # whether the notebook's own code has run in this child
UNIT_RUNNING = [False]  # whether a unit of the notebook runs: the grader's interrupt is for it
INTERRUPTED = [False]  # whether the grader interrupted the unit that runs
UNIT_SECONDS = [10.0]  # the time a unit may take (the plan says)
MEMORY = [0, 0]  # the memory a child may use in MiB, and the bytes held worth naming (the plan says)
BUDGET_SECONDS = [60.0]  # the time the whole hand-in may take (the plan says)
BUDGET_SPENT = [False]  # the grader said the budget ran out: run nothing more, take the answers
ANSWER_VARIABLES = [None]  # the namespace, and the variables the answers are taken from
AT_CUT = [None]  # what each of those variables held when the budget ran out


def on_interrupt(signum, frame):
    """SIGINT from the grader: the unit that runs has used its time. As Jupyter's interrupt
    does, KeyboardInterrupt where the unit is, so what it did before stands and the next unit
    runs in the same child. Outside a unit (one that ended as the grader sent it), nothing. A
    notebook that catches it, or replaces this handler, runs on until the grader ends its child,
    as it did before interrupts."""
    if UNIT_RUNNING[0]:
        INTERRUPTED[0] = True
        raise KeyboardInterrupt


def on_budget_spent(signum, frame):
    """SIGUSR1 from the grader: the hand-in's time budget ran out while a unit ran. The unit
    stops where it is, as at an interrupt; no later unit and no call runs, and the answers are
    taken as they stand, so that those the notebook had made are graded."""
    BUDGET_SPENT[0] = True
    if ANSWER_VARIABLES[0] is not None and AT_CUT[0] is None:
        namespace, roots = ANSWER_VARIABLES[0]
        try:
            AT_CUT[0] = {r: dict.get(namespace, r, _UNBOUND) for r in roots}
        except Exception:
            AT_CUT[0] = {}
    on_interrupt(signum, frame)


CALL_RUNNING = [None]  # the call in progress: its index, and the hand-in's name


def on_where(signum, frame):
    """SIGUSR2 from the grader: the call in progress has used its time, and its child is ended
    next. Where it is, for the student: the innermost line of the student's own code, and its
    text. (A cell is interrupted and says where it stopped; a call is ended, as what it leaves
    is not worth another call of the same child.) Once per call; outside one, nothing."""
    running, CALL_RUNNING[0] = CALL_RUNNING[0], None
    if running is None:
        return
    c, name = running
    try:
        frames = [f for f in traceback.extract_stack(frame) if own_place(f.filename, name) is not None]
        if not frames:
            return
        f = frames[-1]
        cell = own_place(f.filename, name)
        function = f", in {f.name}" if not f.name.startswith("<") else ""
        send(CALL_WHERE, c, 0, f"{cell + ', ' if cell else ''}line {f.lineno}{function}\n{(f.line or '').strip()}")
    except BaseException:  # the notebook broke what this needs: its child is ended all the same
        pass


def as_at_cut(namespace):
    """After the budget's cut, each answer's variable as it stood when the budget ran out (found
    by a hostile helper: a cell that caught the interrupt went on, and bound answers computed
    after it), and Python's own builtins (a notebook's own would compute a name it lacks as it is
    looked up, or add them to the builtins module). What a cell changed in place after the cut,
    in an object it had bound before, stays; and a notebook that replaces this handler keeps its
    variables as they are (the grader's time limit still holds)."""
    if not BUDGET_SPENT[0] or AT_CUT[0] is None:
        return
    for root, held in AT_CUT[0].items():
        if held is _UNBOUND:
            namespace.pop(root, None)
        else:
            namespace[root] = held
    namespace["__builtins__"] = dict(_BUILTINS)


class SpecFault(Exception):
    """An expression of the spec that is not Python: the spec's fault, said before the
    notebook's code is read."""


def check_expressions(answers, functions):
    """The spec's Python expressions, compiled before the notebook is read: an answer's, and what
    the grader reads of a function's outputs (`read`, kept compiled as `read_code`)."""
    for answer in answers:
        try:
            compile(answer["expr"], "<spec>", "eval")
        except SyntaxError as e:
            raise SpecFault(f"the spec's python expression {answer['expr']!r} of the answer '{answer['name']}' is "
                            f"not a Python expression ({e.msg}): fix it in the spec; `grader spec check` tries "
                            "every one") from None
    for function in functions:
        function["read_code"] = []
        for expr, output in zip(function.get("read", []), function.get("outputs", [])):
            try:
                function["read_code"].append(compile(expr, "<spec>", "eval") if expr else None)
            except SyntaxError as e:
                raise SpecFault(f"the spec's python read {expr!r} of {function['name']} is not a Python expression "
                                f"({e.msg}): fix it in the spec") from None
            if expr:
                unknown_name(expr, output, function["name"])


def unknown_name(expr, output, fname):
    """A read names nothing but its output, torch, np, Python's builtins and what it binds
    itself (a comprehension's variable): any other name would fail for every student's output
    alike, and each would be told their output cannot be read (a misspelt `weigths`)."""
    tree = ast.parse(expr, "<spec>", "eval")
    known = {output, "torch", "np"} | set(_BUILTINS)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            known.add(node.id)
        elif isinstance(node, ast.arg):
            known.add(node.arg)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in known:
            raise SpecFault(f"the spec's python read {expr!r} of {fname}'s output {output} names {node.id}, which is "
                            f"not {output}, torch, np or a Python builtin: fix it in the spec"
                            f"{suggested(node.id, [output, 'torch', 'np'], '_')}")


def read_as(array, code, output, tensors):
    """An output as the spec's `read` has the grader read it: its expression evaluated, under the
    output's name, on a plain copy of the values returned (a torch tensor or a NumPy array, as the
    call passes them; the student's own object runs no code here), past the notebook's modes,
    with Python's builtins, torch's and NumPy's functions and torch.Tensor's methods as they were
    before the notebook ran (found by a hostile helper: a notebook that replaced
    torch.Tensor.flatten ran its own code in the grader's read of `weights.flatten(0, 1)`, and
    returned weights it had never returned)."""
    value = _from_numpy(array) if tensors == "torch" and torch is not None else array
    scope = {"__builtins__": _BUILTINS, "torch": as_taken("torch"), "np": as_taken("numpy"), output: value}
    with tensor_as_taken():
        return numbers(without_modes(lambda v: eval(code, scope), value))


_AS_MODULES = {}


def as_taken(name):
    """A module of the names torch or NumPy had before the notebook ran (None: torch never
    imported), made once."""
    if name not in _AS_TAKEN:
        return None
    if name not in _AS_MODULES:
        module = types.ModuleType(name)
        vars(module).update(_AS_TAKEN[name])
        _AS_MODULES[name] = module
    return _AS_MODULES[name]


@contextlib.contextmanager
def tensor_as_taken():
    """torch.Tensor's attributes as they were before the notebook ran, for the time of the
    block: what the notebook set, replaced or deleted is set aside, then back."""
    taken = _AS_TAKEN.get("Tensor")
    if taken is None:
        yield
        return
    now = dict(vars(_Tensor))
    differ = [k for k in now.keys() | taken.keys() if now.get(k, _UNBOUND) is not taken.get(k, _UNBOUND)]
    put = type.__setattr__

    def set_all(values):
        for k in differ:
            if k in values:
                put(_Tensor, k, values[k])
            else:
                type.__delattr__(_Tensor, k)
    set_all(taken)
    try:
        yield
    finally:
        set_all(now)


def run_child(confine, uid, thread_limit, besides):
    """The child's whole life: confine, run, report, exit. When this runner fails after the
    notebook's code ran, the notebook broke it (it replaced a function of a module the runner
    uses, say): the child ends with BROKEN_BY_NOTEBOOK, and the error goes to its output."""
    CONFINE[0] = confine
    if confine.grader_python_confine(uid, int(thread_limit), besides) != 0:
        send(LOAD_ERROR, 0, 0, "the runner could not start: " + confine.grader_python_isolation().decode())
        os._exit(91)
    send(ISOLATION, 0, 0, confine.grader_python_isolation().decode())
    try:
        run_plan()
    except SpecFault as e:  # found before the notebook was read: never the student's fault
        send(LOAD_ERROR, 0, 0, str(e))
        os._exit(SPEC_FAULT)
    except BaseException as e:
        if NOTEBOOK_RAN:
            try:
                _write(2, f"\n[grader: its runner failed after the notebook ran: {_type(e).__name__}: {e}]\n"
                       .encode("utf-8", "replace")[:MAX_TEXT])
            finally:
                _exit(BROKEN_BY_NOTEBOOK)
        send(LOAD_ERROR, 0, 0, f"the notebook runner failed: {_type(e).__name__}: {e}")  # its own fault
        os._exit(RUNNER_FAILED)
    os._exit(0)


SUBMISSION_FOLDER = [None]  # the child's working folder, once made


def submission_folder():
    """Where the student's files go: the scratch folder the zygote mounts for each child."""
    return "/scratch/submission" if os.path.isdir("/scratch") else os.path.abspath("submission")


def environment(home):
    """A child's whole environment: nothing that tells it is being graded."""
    return {"HOME": home, "TMPDIR": home, "LANG": "C.UTF-8", "MPLBACKEND": "Agg"}


def no_cuda_seeding(seed):
    return None


def prepare_zygote():
    """In the zygote, once, before the forks: what each child would otherwise pay for itself.
    The children's environment (changing it costs a child a few milliseconds). And, without
    CUDA, torch.manual_seed without its CUDA part: it queues a seeding for when CUDA starts,
    with a formatted stack trace that reads source files, which costs a notebook's first
    torch.manual_seed more than a millisecond and can never be used here. And output written
    line by line, as a notebook shows it: every line a cell finished printing before it hung
    or crashed reaches the grader (a line left unfinished stays in the child's buffer)."""
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True)
    as_launched("python3")
    os.environ.clear()
    os.environ.update(environment(submission_folder()))
    if torch is not None and not torch.cuda.is_available():
        torch.cuda.manual_seed_all = torch.cuda.manual_seed = no_cuda_seeding
    # Children are forked without Python's after-fork handlers (python_entry.cpp); the one of
    # them that matters here is matplotlib's: a font the zygote opened reads through a
    # descriptor its children do not have, so none stays cached for them.
    font_manager = sys.modules.get("matplotlib.font_manager")
    if hasattr(font_manager, "_get_font"):
        font_manager._get_font.cache_clear()


_seed_random, _seed_numpy = random.seed, np.random.seed


def seed_all(seed):
    """Seeds random, numpy and torch as a notebook's own seeding would. torch's generator is
    seeded directly: torch.manual_seed also queues a CUDA seeding with a formatted stack trace,
    which reads source files and costs a child far more than the seeding itself."""
    _seed_random(seed)
    _seed_numpy(seed % (1 << 32))
    if _seed_torch is not None:
        _seed_torch(seed)


def read_all(fd):
    """A memory file's whole content (read at explicit offsets: the grader's write left the
    shared file offset at its end)."""
    chunks, offset = [], 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def mapped(fd):
    """A memory file's whole content, mapped read-only rather than read: the calls' inputs are
    most of a plan, and a copy would cost the child a page fault for each of its pages."""
    size = os.fstat(fd).st_size
    return memoryview(mmap.mmap(fd, size, access=mmap.ACCESS_READ)) if size else memoryview(b"")


def run_plan():
    global NOTEBOOK_RAN, MAX_ELEMENTS
    raw = mapped(PLAN_FD)
    (length,) = struct.unpack_from("<Q", raw, 0)
    plan = json.loads(str(raw[8:8 + length], "utf-8"))
    MAX_ELEMENTS = int(plan.get("max_elements", MAX_ELEMENTS))
    blobs = raw[8 + length:]
    os.close(PLAN_FD)
    code = read_all(CODE_FD)
    os.close(CODE_FD)
    name = plan["file"]
    # The student's folder, copied into the scratch folder, which becomes the working folder.
    home = submission_folder()
    os.makedirs(home, exist_ok=True)
    for f in plan.get("files", []):
        path = os.path.join(os.fsencode(home), bytes.fromhex(f["name_hex"]))  # the name's own bytes
        try:
            if b"/" in path[_len(os.fsencode(home)) + 1:]:  # a sub-folder's (`utils/helpers.py`)
                os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as out:
                out.write(blobs[f["offset"]:f["offset"] + f["size"]])
        except OSError:  # a name this folder cannot hold: the notebook finds no such file
            pass
    os.chdir(home)
    SUBMISSION_FOLDER[0] = home
    sys.path.insert(0, home)  # as for `python A2S1.py`: the notebook's folder comes first
    if os.environ != environment(home):  # the zygote has normally set it (prepare_zygote)
        os.environ.clear()
        os.environ.update(environment(home))
    sys.argv = [name]
    as_launched("python3", name)
    seed_all(int(plan.get("seed", 0)))

    # A byte order mark (Notepad's UTF-8) is no code, for python3 and json.load alike. Lines
    # end where Python ends them, at \n, \r\n or \r, which its parser reads all as \n; only
    # \n is split at below (str.splitlines also splits at a form feed, U+2028 and others,
    # which Python reads as a blank or a character: line numbers went wrong, and a SyntaxError's
    # repair overwrote good lines).
    text = code.decode("utf-8", "replace").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    output = Output()
    answers = plan.get("answers", [])
    check_expressions(answers, plan.get("functions", []))
    try:
        units, source, kind = split(name, text)
    except HandInError as e:
        send(PARSED, 0, 0)
        # Said the same for every answer, the hand-in's name left to the grader, which puts it
        # before each (found by a student helper: "A2S1.ipynb: 'query121': A2S1.ipynb is not a
        # Jupyter notebook", once per exercise, each worded apart).
        whole = str(e)
        said = "it " + whole[_len(name) + 1:] if whole.startswith(name + " ") else whole
        for i, _ in enumerate(answers):
            send(VALUE_ERROR, i, HAND_IN_UNREADABLE, said)
        for c in range(int(plan.get("calls_from", 0)), plan["calls"]["count"]):
            if c in set(plan.get("skip_calls", [])):
                continue
            send(CALL_START, c)
            send(CALL_END, c, UNREADABLE, str(e))
        send(FINISHED)
        return
    functions = plan.get("functions", [])
    points, cells = snapshot_points(units, kind, source, answers)
    # A function's text is found as written; else as a student may have retyped it, where a
    # definition of the function comes at or before that place (found by a student helper:
    # `print("=== Scaled Dot-Product Attention ===")` called the stub of exercise 2 for exercise
    # 1); else the definition at the end is called. A loose match before any definition (a
    # heading's words) would only make that worse.
    function_points, function_cells = snapshot_points(units, kind, source, functions, forgiving=False)
    if any(not _isinstance(function_points.get(j), int) for j, f in enumerate(functions) if f.get("cell")):
        loose_points, loose_cells = snapshot_points(units, kind, source, functions)
        for j, f in enumerate(functions):
            point = loose_points.get(j)
            if (not _isinstance(function_points.get(j), int) and _isinstance(point, int) and
                    any(k <= point for k in binders(units).get(f["name"], ()))):
                function_points[j], function_cells[j] = point, loose_cells.get(j)
    # In a script (a Colab download), code cells with no text between them are one cell: a
    # function defined before its text and again after it in that cell is taken as it was
    # before the next definition, the exercise's, not the next exercise's (found by a student
    # helper: the homework downloaded without the text between its exercises graded exercise 1
    # with exercise 2's definition, a wrong one passing and a right one failing).
    if kind == "script":
        for j, f in enumerate(functions):
            inside, point = function_cells.get(j) or [], function_points.get(j)
            if not inside or not _isinstance(point, int):
                continue
            bound = binders(units).get(f["name"], ())
            again = [k for k in bound if inside[0] < k <= point]
            # Its text before the definition, or inside it (a docstring a retyped text matches:
            # found by a student helper, whose download without the test cells' lines graded
            # exercise 1 with exercise 2's definition).
            if again and any(k <= inside[0] for k in bound):
                function_points[j] = again[0] - 1
                f["before_next"] = True  # as definition_facts() says
    # No line holds an exercise's text, the notebook defines the function more than once, and
    # another exercise takes it at the end (the homework's exercise 2): this one takes the
    # definition before the last, the last being the other's (found by a student helper: the
    # test cell's print line replaced, exercise 1's unscaled definition passed through exercise
    # 2's, and a right one failed for exercise 2's mask parameter without a default). Not a
    # stub left there, where an earlier definition does the work (found by a student helper:
    # exercise 2's nbgrader stub, left above the student's own, was called for exercise 1).
    for j, f in enumerate(functions):
        bound = binders(units).get(f["name"], ())
        if (f.get("cell") and not _isinstance(function_points.get(j), int) and _len(bound) >= 2 and
                any(g["name"] == f["name"] and not g.get("cell") for g in functions)):
            worked = [n for n in range(_len(bound) - 1) if not stubbed(units[bound[n]], f["name"])]
            taken = worked[-1] if worked else _len(bound) - 2
            function_points[j] = bound[taken + 1] - 1
            f["before_last"] = True  # as definition_facts() says
            f["past_stub"] = taken < _len(bound) - 2
    send(PARSED, 0, _len(units))
    for i, point in points.items():
        if not _isinstance(point, int):
            send(VALUE_ERROR, i, NOT_DEFINED, not_defined(point, [], no_cell=True))
    after, functions_after = {}, {}
    for i, point in points.items():
        if _isinstance(point, int):
            after.setdefault(point, []).append(i)
    for j, point in function_points.items():
        if _isinstance(point, int):
            functions_after.setdefault(point, []).append(j)
    bound = [None] * _len(functions)  # the function objects, as each binding takes them

    namespace = {"__name__": "__main__", "__builtins__": builtins}
    install_leftovers(namespace)
    UNIT_SECONDS[0] = float(plan.get("unit_seconds", UNIT_SECONDS[0]))
    BUDGET_SECONDS[0] = float(plan.get("budget_seconds", BUDGET_SECONDS[0]))
    MEMORY[:] = [int(plan.get("memory_mib", 0)), int(plan.get("memory_worth_naming", 0))]
    signal.signal(signal.SIGINT, on_interrupt)
    signal.signal(signal.SIGUSR1, on_budget_spent)
    signal.signal(signal.SIGUSR2, on_where)
    skip = set(plan.get("skip", []))
    taken = set(plan.get("taken", []))  # by an earlier child of this hand-in
    quiet_before = int(plan.get("quiet_before", 0))
    muted = mute() if quiet_before > 0 else None
    failed = {}  # unit -> what went wrong in it, for a function it left undefined
    unrun = set()  # the units none of which ran: they do not parse
    errors = {}  # unit -> its error alone, said with a NameError after
    # name -> the last unit so far that failed and binds it, for a NameError after: the attempt
    # nearest before (found by a student helper: a name both cell 3 and cell 6 failed to define
    # was told of cell 3)
    defined_by = {}
    stubs = []  # the units that raised NotImplementedError, for a NameError after
    # The variables of the answers taken at the end: the object each holds, and the units after
    # which it held another (a later cell that reassigns an answer is named with its value).
    watched, roots = {}, {}
    for i, answer in enumerate(answers):
        root = None if answer.get("cell") or i in taken else answer_root(answer["expr"])
        if root is not None:
            roots[i] = root
            watched.setdefault(root, [_UNBOUND, []])
    ANSWER_VARIABLES[0] = (namespace, {r for r in map(answer_root, (a["expr"] for a in answers)) if r})
    for k, unit in enumerate(units):
        if BUDGET_SPENT[0]:
            break
        if muted and k >= quiet_before:
            muted = unmute(muted)
        if k in skip:
            send(UNIT_END, k, UNIT_SKIPPED)
        elif unit.unparsable:
            failed[k], errors[k] = f"{unit.label}: {unit.unparsable}", unit.unparsable
            for bound_name in unparsed_names(unit):
                defined_by[bound_name] = k
            mark_failure(unit.label, unit.unparsable)
            send(UNIT_END, k, UNIT_UNPARSABLE, failed[k])
        elif unit.code == "" or unit.text:
            pass  # nothing to run (a markdown text, an empty cell)
        else:
            send(UNIT_START, k, 0, f"{unit.first} {unit.last} {unit.label}")
            NOTEBOOK_RAN = True
            INTERRUPTED[0] = False
            compiled = None
            try:
                UNIT_RUNNING[0] = True
                compiled = compile(unit.code, unit.filename or name, "exec")
                exec(compiled, namespace)
                UNIT_RUNNING[0] = False
                end_capture(namespace, unit)
                ended, why = UNIT_RAN, ""
            except BaseException as e:  # SystemExit and KeyboardInterrupt end the cell too
                UNIT_RUNNING[0] = False
                end_capture(namespace, unit)
                cause, quoted = earlier_cause(e, units, defined_by, stubs, errors, name)
                cause = cause or defined_later(e, units, k, name)
                where, text = failure_parts(e, name, unit)
                errors[k] = text + ("" if cause else meant_name(e))
                full = f"{where}: {errors[k]}{cause}"
                why = full[:MAX_TEXT]
                if quoted and why == full:
                    send(UNIT_QUOTES, k, quoted[0], why[:_len(why) - quoted[1]])
                ended = UNIT_RAISED
                failed[k] = why
                if compiled is None:
                    unrun.add(k)  # it does not compile: none of it ran
                if left_to_do(e):
                    stubs.append(k)
                    ended = UNIT_LEFT_TO_DO
                names = unit_names(unit)  # None: the cell does not parse (a SyntaxError)
                for bound_name in names if names is not None else unparsed_names(unit):
                    defined_by[bound_name] = k
            for root, held in watched.items():
                now = namespace.get(root, _UNBOUND)
                if now is not held[0]:
                    held[0] = now
                    # Statements of one cell of a Colab download (no markdown between them)
                    # bind it once, as the cell does.
                    if (held[1] and kind == "script" and
                            not any(units[m].boundary for m in range(held[1][-1] + 1, k))):
                        held[1][-1] = k
                    else:
                        held[1].append(k)
            flush()
            if ended in (UNIT_RAISED, UNIT_LEFT_TO_DO):
                mark_failure(where, text)
            if torch is None:
                take_torch()
                torch_stand_ins()
            send(UNIT_END, k, ended, why)
            as_at_cut(namespace)
        for i in after.get(k, []):
            if i not in taken:
                # A cell none of which parses never ran: what the expression holds there is what
                # earlier cells left (found by a student helper: 1.4.2's cell, left as
                # `m_key[2] =`, passed with 1.4.1's m_key).
                code = [m for m in cells[i] if m <= k and units[m].code and not units[m].text]
                if code and all(units[m].unparsable or m in unrun for m in code):
                    send(VALUE_ERROR, i, NOT_DEFINED, not_defined(
                        f"the cell with '{answers[i]['cell']}' never ran, as Python cannot read it "
                        f"({failed[code[-1]]}): finish that line; the answer is {answers[i]['expr']} as that cell "
                        "leaves it", [],
                        no_cell=True))
                    continue
                own = cell_assignments(units, answers[i]["expr"], cells[i], k)
                root = answer_root(answers[i]["expr"])
                # The last code of its cell that changes the variable and failed: the value is
                # what the variable held before (found by a student helper: 1.4.2's
                # `m_key[2] = unit(query132)`, a NameError, was told "the cell changes nothing
                # yet" alone, and the idea behind it was changed).
                stopped = next((m for m in reversed(cells[i]) if m <= k and m in failed and root and
                                unit_tree(units[m]) is not None and changes(unit_tree(units[m]), root)), -1)
                evaluate(output, namespace, answers, i, units, failed, (cells[i], k),
                         bound_at=[units[m].label for m in own], variable=root or "", stopped=stopped, name=name)
        for j in functions_after.get(k, []):
            bound[j] = namespace.get(functions[j]["name"])
    end_capture(namespace)  # a Colab cell whose last statements never ran
    if muted:
        muted = unmute(muted)
    as_at_cut(namespace)
    for i, answer in enumerate(answers):
        if not answer.get("cell") and i not in taken:
            bound_in = watched[roots[i]][1] if i in roots else ()
            # The unit that bound it last, when that unit did not finish (a cell stopped after its
            # time, an exception after the assignment): the grader says so with the value.
            stopped = bound_in[-1] if bound_in and bound_in[-1] in failed else -1
            evaluate(output, namespace, answers, i, units, failed, bound_at=[units[k].label for k in bound_in],
                     variable=roots.get(i, ""), stopped=stopped, name=name)
    for j, f in enumerate(functions):
        if not f.get("cell") or not _isinstance(function_points.get(j), int):
            # No cell named, or no line holds its text (a hand-in of the functions alone, without
            # the test cells): the definition in force at the end.
            bound[j] = namespace.get(f["name"])
            f["taken_at_end"] = True  # as definition_facts() says
        if bound[j] is None:
            # The last definition that failed up to where the function is taken: the one that
            # would be in force (found by a helper: exercise 2 was told of exercise 1's cell).
            point = function_points.get(j) if f.get("cell") else None
            point = point if _isinstance(point, int) else _len(units)
            broken = [k for k in assigners(units, f["name"]) if k in failed and k <= point]
            # Or one defined after the cell it is taken at (found by a student helper: a correct
            # definition moved below its test cell was "not defined (is its name different?)").
            later = [k for k in binders(units).get(f["name"], ()) if k > point] if point < _len(units) else []
            bound[j] = (Unbound(f"the notebook defines no function '{f['name']}': the cell that defines it "
                                f"failed, {failed[broken[-1]]}") if broken else
                        Unbound(f"the notebook defines no function '{f['name']}' up to "
                                f"{unit_place(units[point], name)}, where this exercise takes it: it is defined only "
                                f"later, by {unit_place(units[later[0]], name)}; move the definition above (a notebook "
                                "is graded from top to bottom)") if later else
                        Unbound(f"the notebook defines no function '{f['name']}'" +
                                (method_of(namespace, f["name"]) or
                                 " (is its cell failing, or its name different?)"), function_names(namespace), f["name"],
                                # Found by a student helper: `scaled_self_attention` for
                                # scaled_dot_product_self_attention, too far for "did you mean".
                                # (Not for a call of keywords only: any function of no
                                # parameters would take it.)
                                [n for n in functions_taking(namespace, _len(f.get("positional", ())), [])
                                 if not any(g["name"] == n for g in functions)] if f.get("positional") else []))
    for f in functions:  # how many of the spec's exercises take a function of its name
        f["bindings"] = sum(1 for g in functions if g["name"] == f["name"])
    skip_calls = set(plan.get("skip_calls", []))
    announced = announce_calls(plan.get("calls_from", 0)) if plan["calls"]["count"] > plan.get("calls_from", 0) else None
    for c in range(plan.get("calls_from", 0), plan["calls"]["count"]):
        if c in skip_calls or BUDGET_SPENT[0]:
            continue
        call = planned_call(plan, blobs, c)
        send(CALL_START, c)
        ended, why = make_call(output, c, call, functions[call["function"]], bound[call["function"]], blobs, name,
                               namespace, units, (defined_by, stubs, errors))
        flush()
        send(CALL_END, c, ended, why)
    if announced is not None and not announced[0]:  # the header was printed: the calls' lines end here
        try:
            _write(1, CALLS_END.encode())
        except OSError:  # the notebook closed its output: nothing of it is shown anyway
            pass
    flush()
    send(FINISHED)


def stub_left(error, fn, name):
    """Where a function raises NotImplementedError (in a function of the notebook's it calls, that
    one and its line), and whether code of the function comes before that line: then the stub was left below finished work, and is the line to delete
    (found by a student helper: "not implemented yet" of a function the student had written,
    its nbgrader stub left at its end). Read from the code object's lines: a docstring has
    none."""
    try:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if own_place(f.filename, name) is not None]
        if not frames:
            return ""
        place = failure_parts(error, name, Unit(0, 0, "", ""))[0]
        where = place.split(" (in ")[0]
        code, line = fn.__code__, frames[-1].lineno
        mine = frames[-1].filename == code.co_filename and frames[-1].name == code.co_name
        if not mine and " (in " in place:
            # A function of the notebook's it calls raises (found by an instructor helper: the
            # line of the call was named, in a cell the students were told not to edit).
            return f" (in {place.split(' (in ', 1)[1][:-1]}, which it calls)"
        before = mine and any(n is not None and code.co_firstlineno < n < line for _, _, n in code.co_lines())
        return (f" ({where}, after the function's code: that code never returns; delete the raise" if before else
                f" ({where}, above your code: the lines below it never run; delete the raise" if mine and
                code_below(code, line) else f" ({where}") + ")"
    except Exception:  # the notebook broke what this needs
        return ""


def code_below(code, line):
    """Whether the function of `code` holds work below its line `line`, a statement other than a
    `return` or `pass` (an nbgrader stub's own `return X_prime, attentions` is no work): read
    from its source, since the compiler drops what follows a raise (found by a student helper:
    a stub left above the student's finished code was told "not implemented yet")."""
    try:
        first = code.co_firstlineno
        block = inspect.getblock(linecache.getlines(code.co_filename)[first - 1:])
        tree = ast.parse(textwrap.dedent("".join(block)))
        return any(_isinstance(n, ast.stmt) and not _isinstance(n, (ast.Return, ast.Pass)) and
                   n.lineno + first - 1 > line for n in ast.walk(tree))
    except Exception:  # no source, or not one that parses alone: say nothing more
        return False


def planned_call(plan, blobs, c):
    """Call c of the plan: its JSON, which the blobs hold and the plan's index finds (parsed
    one call at a time, when it is made: run.cpp says why)."""
    offset, length = _call_at(blobs, plan["calls"]["index"] + 16 * c)
    return _json_loads(str(blobs[offset:offset + length], "utf-8"))


def why_and_names(why, names=(), function="", facts=""):
    """The JSON text of a call's end the grader may add "did you mean" to (the function is not
    there, does not take the call, returned None, is not implemented): why, the facts of the
    definition called (definition_facts()), and the notebook's functions where its name may be
    misspelt."""
    return with_names([f'"why": {quoted(why, 600)}'] + ([facts] if facts else []), names, function)


class Unbound:
    """Why a function of the spec is not there to call (the cell it is taken at is not there,
    the cell that defines it failed, the notebook has no such name), as the text of its
    NO_FUNCTION end; with the notebook's functions that take the exercise's call (`taking`), where
    one may be it under a name no "did you mean" reaches."""

    def __init__(self, why, names=(), function="", taking=()):
        facts = '"taking": [' + ", ".join(quoted(n, 100) for n in taking[:5]) + "]" if taking else ""
        self.text = why_and_names(why, names, function, facts)


def sent_array(blobs, arg, dtype):
    """The numbers of a tensor argument, from its float64 bytes, as a new numpy array of the
    dtype the spec names (float32 or float64)."""
    shape = tuple(arg["shape"])
    count = 1
    for d in shape:
        count *= d
    return _frombuffer(blobs, dtype=_np_float64, count=count, offset=arg["offset"]).reshape(shape).astype(dtype)


def argument(blobs, arg, tensors, dtype):
    """One argument and the numpy array that holds its numbers (None for a constant): a tensor
    (torch or numpy, in the dtype the spec names: float32 or float64, the torch tensor sharing
    the array's memory), or a list of its rows (as the notebook passes [v_1, v_2, v_3]); or a
    constant of the spec (a number, True/False, None or a string)."""
    if "value" in arg:
        return arg["value"], None
    array = sent_array(blobs, arg, dtype)  # a writable copy, converted in the same pass
    value = _from_numpy(array) if tensors == "torch" else array
    if arg.get("as") == "rows":
        return [value[i] for i in range(_len(value))], array
    return value, array


def changed_arguments(blobs, args, arrays, dtype):
    """The places, in the call's arguments, of the tensors the function changed in place (`Q /=
    x`, `Q[...] = x`, `Q.div_(x)`): their numbers are no longer those sent. The notebook's own
    tensors would change the same way when it calls the function (found by a student helper:
    a masked call after an unmasked one on the same Q got other results in the notebook, and
    nothing said why)."""
    changed = []
    for i, array in enumerate(arrays):
        try:
            if array is not None and not _array_equal(array, sent_array(blobs, args[i], dtype)):
                changed.append(i)
        except Exception:  # the notebook broke what this needs: nothing to say
            pass
    return changed


def defined_at(fn, name):
    """Where the hand-in defined a plain function ("cell 3, line 5" in an .ipynb, "line 12"),
    or "" (another callable, or one not defined in the hand-in's own text). Reads only a
    function's code object, which runs no code of the notebook's."""
    if _type(fn) is not _FunctionType:
        return ""
    code = fn.__code__
    filename = code.co_filename  # a str subclass's methods would be the notebook's code
    if _type(filename) is not str:
        return ""
    cell = in_cell(filename, name)
    return "" if cell is None else f"{cell + ', ' if cell else ''}line {code.co_firstlineno}"


def taken_at_end(function):
    """Whether the definition an exercise calls is the one in force at the end of the notebook
    (no cell named, or none holds the cell's text)."""
    return bool(function.get("taken_at_end") or not function.get("cell"))


def definition_facts(fn, function, units, name):
    """For a function the notebook defines in several places (the homework redefines it for its
    second exercise; a student redefines it in a scratch cell at the end): where the definition
    the grader calls is, and whether it is the one in force at the end of the notebook (no cell
    named, or none holds the cell's text), as JSON fields the grader words (run.cpp,
    definition_note()); else "". Said with a call that went wrong (a student whose first
    definition is still `pass` reads why the exercise took it), and, where the notebook defines
    it more often than the spec takes it, with outputs the grader finds wrong (found by a helper:
    a scratch redefinition was graded silently, while the notebook's own test cell, run before
    it, had passed). Found once per function."""
    if "definition" not in function:
        where = defined_at(fn, name)
        at_end = taken_at_end(function)
        function["definition"] = ("" if not where or _len(assigners(units, function["name"])) < 2 else
                                  f'"defined_at": {quoted(where, 100)}, "at_end": {"true" if at_end else "false"}, '
                                  f'"before_next": {"true" if function.get("before_next") else "false"}, '
                                  f'"before_last": {"true" if function.get("before_last") else "false"}, '
                                  f'"past_stub": {"true" if function.get("past_stub") else "false"}')
    return function["definition"]


_DEFINITION_TAKING = {}  # (function, positional, keywords) -> definition_taking(): once per kind of call


def definition_taking(units, fname, name, positional, keywords, errors):
    """Where the notebook's last definition of `fname` whose parameters take `positional`
    arguments and the names of `keywords` is ("cell 4, line 43", "line 43"), read from its
    text (a top-level `def`), or "". Not one in a part that failed (`errors`: it may never
    have run), an `async def`, nor a stub (`pass`, `...`, `raise NotImplementedError`): found
    by a hostile-student helper, each offered as the one meant. Runs no code of the notebook's;
    asked once per kind of call (a helper's 5000 definitions made every failing call slow)."""
    key = (fname, positional, tuple(keywords))
    if key not in _DEFINITION_TAKING:
        _DEFINITION_TAKING[key] = ""
        try:
            for k in range(_len(units) - 1, -1, -1):
                tree = None if k in errors else unit_tree(units[k])
                for node in reversed(tree.body if tree is not None else []):
                    if (_type(node) is ast.FunctionDef and node.name == fname and not stub(node)
                            and takes(parameters_of(node), positional, keywords)):
                        cell = in_cell(units[k].filename or name, name)
                        _DEFINITION_TAKING[key] = "" if cell is None else f"{cell + ', ' if cell else ''}line {node.lineno}"
                        return _DEFINITION_TAKING[key]
        except Exception:  # the notebook broke the modules this needs
            pass
    return _DEFINITION_TAKING[key]


def stubbed(unit, fname):
    """Whether the last `def` of `fname` in a unit is a stub(); False for a unit that binds the
    name otherwise, or does not parse."""
    tree = unit_tree(unit)
    defs = [n for n in (tree.body if tree is not None else []) if _type(n) is ast.FunctionDef and n.name == fname]
    return bool(defs) and stub(defs[-1])


def stub(node):
    """Whether a `def` does nothing yet: its body (a docstring aside) only `pass`, `...` or
    `raise NotImplementedError`."""
    body = node.body
    if body and _type(body[0]) is ast.Expr and _type(body[0].value) is ast.Constant and _type(body[0].value.value) is str:
        body = body[1:]

    def empty(s):
        if _type(s) is ast.Pass:
            return True
        if _type(s) is ast.Expr and _type(s.value) is ast.Constant and s.value.value is Ellipsis:
            return True
        raised = s.exc.func if _type(s) is ast.Raise and _type(s.exc) is ast.Call else getattr(s, "exc", None)
        return _type(s) is ast.Raise and _type(raised) is ast.Name and raised.id == "NotImplementedError"

    return all(empty(s) for s in body)


def parameters_of(node):
    """A function of a `def` node's parameters alone (no body, decorators or annotations, and
    None for each default: made without running any of the notebook's code), for takes()."""
    a = node.args

    def bare(params):
        return [ast.arg(p.arg) for p in params]

    args = ast.arguments(posonlyargs=bare(a.posonlyargs), args=bare(a.args),
                         vararg=a.vararg and ast.arg(a.vararg.arg), kwonlyargs=bare(a.kwonlyargs),
                         kw_defaults=[None if d is None else ast.Constant(None) for d in a.kw_defaults],
                         kwarg=a.kwarg and ast.arg(a.kwarg.arg), defaults=[ast.Constant(None) for _ in a.defaults])
    tree = ast.fix_missing_locations(ast.Module([ast.FunctionDef(name="f", args=args, body=[ast.Pass()],
                                                                 decorator_list=[])], []))
    scope = {"__builtins__": {}}
    _BUILTINS["exec"](_BUILTINS["compile"](tree, "<parameters>", "exec"), scope)
    return scope["f"]


def surprising_definition(fn, function, units, name):
    """Whether the notebook defines the function more often than the spec takes it (a scratch
    redefinition, not the homework's second exercise, which the spec ties to a cell of its
    own), or the exercise is tied to a cell no line holds and so calls the last of several
    definitions, or the one before it (found by a student helper: exercise 1's wrong definition
    passed through exercise 2's right one, the test cell's print line deleted, and nothing said so):
    definition_facts() are then said with outputs the grader may find wrong or right."""
    facts = definition_facts(fn, function, units, name)
    if facts and "definitions" not in function:
        function["definitions"] = _len(assigners(units, function["name"]))
    return bool(facts) and (function["definitions"] > function.get("bindings", 1) or
                            bool(function.get("cell") and (function.get("taken_at_end") or function.get("before_last"))))


def returned_facts(fn, function, units, name, namespace, changed):
    """What the grader may say of a call that returned, as JSON facts it words itself (the
    notebook can write this record too: found by a hostile helper, a forged note "[grader]
    regrade notice: ... award the point manually" shown under a wrong verdict; facts of a
    fixed form can say nothing else): where the definition called is, if surprising_definition();
    the function's parameter names (plain ones, read from its code object), which the grader
    compares with the order it passes the inputs in (found by a student helper:
    `self_attention(X, omega_q, omega_k, omega_v, ...)` got numbers only); the notebook's
    tensors it reads beside them (reads_facts()); the places of the arguments it changed in place
    (`changed`, a function of no arguments: changed_arguments()). Once per function, at the
    first call that returned."""
    if "facts" not in function:
        facts = []
        places = changed()
        if places:
            facts.append(f'"changed": [{", ".join(str(i) for i in places)}]')
        if surprising_definition(fn, function, units, name):
            facts.append(definition_facts(fn, function, units, name))
        reads = reads_facts(fn, function, namespace)  # with the parameters
        facts.append(reads or parameters_facts(fn))
        powers = power_facts(fn, name)
        if powers:
            facts.append(powers)
        function["facts"] = "{" + ", ".join(facts) + "}" if facts else ""
    return function["facts"]


def reads_facts(fn, function, namespace):
    """The notebook's tensors and arrays the function reads as globals (arrays_read()), the
    first four whole (a name of ASCII letters, digits and underscores, at most 60 of them: the
    grader names no other) and how many more, and its parameters (parameters_facts()), as JSON
    fields ("" when it reads none), for the grader to say to a call that raised or returned
    wrong outputs: an exercise's inputs reach the function only through its parameters (found
    by a student helper: compute_keys(vs, ws) that stacked the notebook's W_k1, W_k2, W_k3 was
    told only that the shapes cannot be multiplied; one whose sizes fit the grader's got wrong
    numbers with nothing said). Found once per function (a function that raises at each of 282
    calls walked the notebook's namespace and its code each time)."""
    if "reads" not in function:
        read = arrays_read(fn, namespace)
        named = [n for n in read if plain_name(n)][:4]
        function["reads"] = "" if not read else (
            f'"reads": [{", ".join(_quote(n) for n in named)}], "reads_more": {_len(read) - _len(named)}, '
            f'{parameters_facts(fn)}')
    return function["reads"]


def plain_name(name):
    """Whether a name is one the grader words (run.cpp, reads_note()): ASCII letters, digits and
    underscores, at most 60."""
    return _type(name) is str and name.isascii() and name.isidentifier() and _len(name) <= 60


def parameters_facts(fn):
    """The function's parameters (parameter_names()), the first 16 in their places ("" for one
    the grader would not name: plain_name()), and how many it has, as JSON fields."""
    params = parameter_names(fn)
    shown = ", ".join(_quote(p if plain_name(p) else "") for p in params[:16])
    return f'"parameters": [{shown}], "parameter_count": {_len(params)}'


_INTEGERS = (int, np.int64, np.int32)


def is_array(value, kind):
    """Whether a value is a tensor or an array, or a list or tuple of a few of them (the
    notebook's `key_weights = [W_k1, W_k2, W_k3]`), or an integer (a size, `D = 4`, that the
    inputs' shapes should give: found by a student helper; a float may be a constant of the
    notebook's, `scale = 2.0`, and is not), by exact types only (not a bool)."""
    if kind is _Tensor or kind is _Parameter or kind is _ndarray or any(kind is t for t in _INTEGERS):
        return True
    return ((kind is list or kind is tuple) and 0 < _len(value) <= 64 and
            all(_type(v) is _Tensor or _type(v) is _Parameter or _type(v) is _ndarray for v in value))


def arrays_read(fn, namespace):
    """The notebook's top-level tensors, arrays and integers (is_array()) that the function `fn` reads as
    globals, in its own code, the code nested in it and the notebook's functions it calls by
    name (a helper `scale(Q)` that divides by the notebook's `d_k`): an exercise's inputs reach
    it only through its parameters (found by a student helper: compute_keys(vs, ws) that
    stacked the notebook's W_k1, W_k2, W_k3 was told only of shapes that cannot be multiplied).
    Read from the bytecode itself, not through dis, whose listing calls repr() on the code's
    constants (a notebook's own class; found by a reviewing helper), each code object once and
    at most 1000 of them; the names matched by identity against top_level_names(): no code of
    the notebook's runs. Only a function of the notebook itself (its globals are the namespace)."""
    try:
        if _type(fn) is not _FunctionType or fn.__globals__ is not namespace:
            return []
        arrays = set(top_level_names(namespace, is_array))
        names, codes, seen = [], [fn.__code__], set()
        while codes and _len(seen) < 1000:
            code = codes.pop()
            if id(code) in seen:
                continue
            seen.add(id(code))
            for n in global_names(code):
                if n in arrays:
                    if n not in names:
                        names.append(n)
                    continue
                helper = dict.get(namespace, n)
                if _type(helper) is _FunctionType and helper.__globals__ is namespace:
                    codes.append(helper.__code__)
            codes += [c for c in code.co_consts if _type(c) is types.CodeType]
        return names
    except Exception:  # a code object the notebook made odd
        return []


def power_facts(fn, name):
    """Where the function's own code (and the code nested in it) raises to a power that cannot
    be meant, as JSON fields for the grader to word ("" where it does not): `** 0`, which makes 1,
    as `** (1//2)` compiles to (`//` rounds down: found by a student helper, whose scale divided
    by 1 was told only "not divided by sqrt(D_q)"); and `x ** 1 / k`, which is x / k (`**` comes
    before `/`). Read from the bytecode, where Python has already folded `1//2` to 0; at most
    three places, each "cell 4, line 7" or "line 7" as defined_at() says."""
    try:
        if _type(fn) is not _FunctionType:
            return ""
        found, codes, seen = [], [fn.__code__], set()
        while codes and _len(seen) < 100 and _len(found) < 3:
            code = codes.pop()
            if id(code) in seen or _type(code) is not types.CodeType:
                continue
            seen.add(id(code))
            cell = in_cell(code.co_filename, name)
            if cell is None:
                continue
            lines = {}
            for start, end, line in code.co_lines():
                for at in range(start, end, 2):
                    lines[at] = line
            co_code, consts, ops, extended = code.co_code, code.co_consts, [], 0
            for i in range(0, _len(co_code) - 1, 2):
                op, arg = co_code[i], co_code[i + 1] | extended
                extended = arg << 8 if op == _EXTENDED_ARG else 0
                if op not in (_CACHE, _EXTENDED_ARG):
                    ops.append((op, arg, i))
            for j, (op, arg, at) in enumerate(ops):
                if (op, arg) not in _POWER and (op, None) not in _POWER or j == 0 or ops[j - 1][0] != _LOAD_CONST:
                    continue
                exponent = consts[ops[j - 1][1]] if ops[j - 1][1] < _len(consts) else None
                if _type(exponent) not in (int, float):
                    continue
                place = f"{cell + ', ' if cell else ''}line {lines.get(at) or code.co_firstlineno}"
                if exponent == 0:
                    found.append(f'{{"at": {_quote(place)}, "power": 0}}')
                elif exponent == 1:
                    # `X / d ** 1/2` divides by d first: the constant comes an operation later.
                    for k in range(j + 1, min(j + 3, _len(ops) - 1)):
                        if ops[k][0] == _LOAD_CONST:
                            divided = (ops[k + 1][0], ops[k + 1][1]) in _DIVIDE or (ops[k + 1][0], None) in _DIVIDE
                            divisor = consts[ops[k][1]] if ops[k][1] < _len(consts) else None
                            if divided and _type(divisor) is int and 1 < divisor < 100:
                                found.append(f'{{"at": {_quote(place)}, "power": 1, "divisor": {divisor}}}')
                            break
            codes += [c for c in consts if _type(c) is types.CodeType]
        return f'"powers": [{", ".join(found[:3])}]' if found else ""
    except Exception:  # a code object the notebook made odd
        return ""


def global_names(code):
    """The names `code` loads as globals (LOAD_GLOBAL: its argument indexes co_names, shifted
    by one bit from Python 3.11 on), exact strings only."""
    co_code, co_names, found, extended = code.co_code, code.co_names, [], 0
    for i in range(0, _len(co_code) - 1, 2):
        op, arg = co_code[i], co_code[i + 1] | extended
        extended = arg << 8 if op == _EXTENDED_ARG else 0
        if op == _LOAD_GLOBAL:
            index = arg >> 1 if sys.version_info >= (3, 11) else arg
            if index < _len(co_names) and _type(co_names[index]) is str:
                found.append(co_names[index])
    return found


def parameter_names(fn):
    """The plain parameters of a function, as its code names them (none of another kind)."""
    try:
        code = fn.__code__
        params = code.co_varnames[:code.co_argcount]
        return [p for p in params if _type(p) is str] if _type(params) is tuple else []
    except Exception:  # no plain function, or one the notebook made odd
        return []


def make_call(output, c, call, function, fn, blobs, name, namespace, units, causes):
    """Calls the student's function on the call's inputs; sends its outputs. Returns how the
    call ended and what went wrong, for the student."""
    fname = function["name"]
    if _isinstance(fn, Unbound):
        return NO_FUNCTION, fn.text
    if not callable(fn):
        return NO_FUNCTION, Unbound(f"'{fname}' is {describe(fn)}, not a function").text
    tensors, dtype = call.get("tensors", "torch"), call.get("dtype", "float32")
    args, kwargs, arrays = [], {}, []
    for arg in call["args"]:
        value, array = argument(blobs, arg, tensors, dtype)
        arrays.append(array)
        if arg.get("keyword"):
            kwargs[arg["keyword"]] = value
        else:
            args.append(value)
    seed_all(int(call.get("seed", 0)))
    try:
        CALL_RUNNING[0] = (c, name)
        try:
            result = fn(*args, **kwargs)
        finally:
            CALL_RUNNING[0] = None
    except BaseException as e:
        if left_to_do(e):
            # With the notebook's function of a name alike that takes the call (the work done in a
            # misspelt copy, the stub left): found by a hostile-student helper.
            return NOT_IMPLEMENTED, why_and_names(
                f"{fname} is not implemented yet: it still raises NotImplementedError{stub_left(e, fn, name)}",
                alike(namespace, fname, args, kwargs), fname, definition_facts(fn, function, units, name))
        # A name the function uses that a failed cell left undefined: that failure (found by a
        # student helper: a helper module not handed in was named in a note only).
        cause = earlier_cause(e, units, *causes, name)[0]
        why = (failure(e, name, Unit(0, 0, f"{fname}()", ""), suggest=not cause) + cause)[:MAX_TEXT]
        # Raised by the call itself, before any line of the function ran: its parameters do not
        # take what the exercise passes. Perhaps another function is the one meant for this
        # exercise, misnamed (the homework's second definition, `scaled_dot_prodcut_attention`,
        # leaves the first in force): the grader offers it.
        if _isinstance(e, TypeError) and e.__traceback__ is not None and e.__traceback__.tb_next is None:
            passed = [f"{_len(args)} positional argument{'' if _len(args) == 1 else 's'}"] if args else []
            passed += [f"{k}={v!r}" if _type(v) in (int, float, bool, str, type(None)) else k for k, v in kwargs.items()]
            # Of a function defined more than once, which definition, and why that one (found
            # by a student helper: a first definition of other parameters, still in force for
            # exercise 1, was named without the reason).
            where, facts = defined_at(fn, name), definition_facts(fn, function, units, name)
            # The one in force at the end does not take the call, another does: a scratch
            # redefinition replaced the one meant (found by a student helper: a three-parameter
            # test version at the end cost exercise 2, the masked one).
            taking = (definition_taking(units, fname, name, _len(args), kwargs, causes[2])
                      if facts and taken_at_end(function) else "")
            if taking and taking != where:
                facts += f', "taking_at": {quoted(taking, 100)}'
            why = (f"{why} (the grader calls {fname}{', defined at ' + where + ',' if where and not facts else ''} "
                   f"with {' and '.join(passed) or 'no arguments'}, as the exercise asks)")
            return CALL_MISMATCH, why_and_names(why, alike(namespace, fname, args, kwargs), fname, facts)
        elif _isinstance(e, TypeError) and any(s in str(e) for s in (
                "cannot be interpreted as an integer", "indices must be integers",  # Python's, NumPy's
                "found element of type float", "must be int, not float")):  # torch's
            # A Python float where a size or an index goes, not the inputs' dtype (found by a
            # student helper: d_head = d_model / n_heads was told the inputs were float64).
            why = f"{why} (a size or an index must be an int: `/` gives a float, `//` an int)"
        elif (_isinstance(e, (TypeError, AttributeError)) and "NoneType" not in str(e)
              and not (_isinstance(e, AttributeError) and older_version(e))):
            # NumPy code given torch tensors (X.transpose(0, 2, 1), X.astype), or the other way round.
            kind = "torch tensors" if tensors == "torch" else "numpy arrays"
            why = f"{why} (its inputs are {dtype} {kind}, as the exercise passes them)"
        # The notebook's tensors it reads, which the grader words (run.cpp, reads_note()), as for
        # a call that returned wrong outputs.
        reads = reads_facts(fn, function, namespace)
        return CALL_RAISED, "{" + ", ".join([f'"why": {quoted(why, MAX_TEXT - 20 - _len(reads))}'] +
                                            ([reads] if reads else [])) + "}"
    if torch is None:  # the function imported it
        take_torch()

    def wrong(why):
        # With where the definition called is, where the notebook defines it more than once (found
        # by a student helper: "returned 3 values" of a scratch cell's redefinition, said without it).
        return RETURNED_WRONG, why_and_names(why, (), fname, definition_facts(fn, function, units, name))

    names = call.get("output_names", [])
    shapes = [tuple(s) for s in call.get("output_shapes", [])]
    n = _len(names) or 1
    # A named tuple (typing.NamedTuple, collections.namedtuple) is the tuple it is: read through
    # tuple's own iterator, which a subclass cannot override (found by a helper: 0 of 8 for
    # `return Result(output, weights)`).
    for base in (tuple, list):
        if _type(result) is not base and _issubclass(_type(result), base):
            result = base(base.__iter__(result))
    if result is None:
        return RETURNED_NONE, why_and_names(
            f"{fname} returned None: is its body still `pass`, or does it lack a return?",
            alike(namespace, fname, args, kwargs), fname, definition_facts(fn, function, units, name))
    if n == 1:
        # [keys] or (keys,): the one output in a list; but [row] is a matrix of one row.
        if (_type(result) in (tuple, list) and _len(result) == 1 and _type(result[0]) in (_Tensor, _Parameter, _ndarray)
                and not (shapes and _len(_tensor_shape(result[0]) if _isinstance(result[0], _Tensor)
                                          else result[0].shape) == _len(shapes[0]) - 1)):
            result = result[0]
        shapes = separate_values(result)
        if shapes:  # (output, weights) where only the output is asked for; rows of one shape stay rows
            return wrong(f"{fname} returned {_len(result)} values of shapes {', '.join(shapes)}, where one "
                         f"is expected ({names[0] if names else 'its result'}): return it alone")
        outputs = [result]
    else:
        if _type(result) not in (tuple, list):
            return wrong(f"{fname} returned {describe(result)}, where {n} values are expected ({', '.join(names)})")
        if _len(result) != n:
            return wrong(f"{fname} returned {_len(result)} values, where {n} are expected ({', '.join(names)})")
        outputs = list(result)
    for o, value in enumerate(outputs):
        # "f's output weights"; "f's output" for one named output (found by a helper: "output output").
        what = (f"{fname}'s output" + ("" if names[o] == "output" else f" {names[o]}") if _len(names) > 1
                else f"what {fname} returned")
        try:
            array = numbers(value)
        except NotNumbers as e:
            return wrong(f"{what} is {e}" + ("" if e.complete else ", not a tensor of numbers"))
        except Exception:  # a genuine tensor that cannot be read densely (sparse, meta, ...)
            return wrong(f"{what} is {describe(value)} that cannot be read as dense numbers")
        codes = function.get("read_code", [])
        if o < _len(codes) and codes[o] is not None:
            returned = tuple(array.shape)
            try:
                array = read_as(array, codes[o], function["outputs"][o], tensors)
            except Exception as e:
                return wrong(f"{what}, of shape {returned}, cannot be read as {function['read'][o]} (the "
                             f"exercise's own form of it): {_type(e).__name__}: {e}")
            if o < _len(shapes) and tuple(array.shape) != shapes[o]:
                # Said with the shape returned (found by a hostile helper: weights returned already
                # folded, (4, 4, 4), were told "has shape (16, 4) but (4, 4, 4) is expected").
                return READ_SHAPE, (f"{names[o]} has shape {returned}, which the grader reads as "
                                        f"{function['read'][o]} (the exercise's own form of it), of shape "
                                        f"{tuple(array.shape)} but {shapes[o]} is expected: return {names[o]} in "
                                        "the form the exercise asks for")
        if array.ndim > 3:  # more axes than any output has: a wrong shape, said as the grader says it
            expected = f" but {shapes[o]} is expected" if o < _len(shapes) else ""
            return RETURNED_SHAPE, f"{names[o] if names else what} has shape {tuple(array.shape)}{expected}"
        at = output.put(array)
        if at is None:
            return wrong(f"{what} is {output.why_not(array)}")
        send(OUTPUT, c, o, place(at, array, value))
    return RETURNED, returned_facts(fn, function, units, name, namespace,
                                    lambda: changed_arguments(blobs, call["args"], arrays, dtype))


CALLS_BEGIN = ("[the grader's calls of your functions begin here: what follows was printed during them, "
               "on the grader's inputs]\n")
CALLS_GO_ON = "[the grader's calls go on here, after a fresh run of your notebook]\n"
# Also after the calls' last line, which a long output keeps where it may leave the header out
# (found by a hostile-student helper).
CALLS_END = "[the grader's calls of your functions end here]\n"


def as_launched(*args):
    """The process as `python3 A2S1.py` starts it, to the notebook's eyes (`args`: "python3",
    "A2S1.py"; the zygote, whose command line its children see as /proc/1/cmdline, "python3"):
    sys.orig_argv, and the command line in /proc, which named the zygote's script in the grader's
    folder (found by a hostile-student helper). The kernel reads that from the memory of the
    arguments the zygote was started with: they are written over, where they fit, the rest of it
    zeros."""
    sys.orig_argv = list(args)
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])  # arg_start and arg_end: fields 48 and 49 (proc(5))
        text = "".join(a + "\0" for a in args).encode("utf-8", "replace")[:end - start - 1]
        ctypes.memmove(start, text + b"\0" * (end - start - _len(text)), end - start)
    except (OSError, ValueError, IndexError):  # no /proc: nothing there to hide
        pass


def mark_failure(where, error):
    """Where a unit failed, in what the notebook printed, as Jupyter shows an error below its
    cell (found by a student helper: a Colab download, run statement by statement, printed the
    values of before after a failed line, with nothing to say so): "line 49: TypeError: ...", on
    one short line, the error without the hints its note gives in full."""
    text = " ".join(f"{where}: {error.split(' (')[0]}".split())
    text = text if _len(text) <= 200 else text[:197] + "..."
    try:
        _write(1, f"[failed here, at {text}]\n".encode("utf-8", "replace"))
    except OSError:  # the notebook closed its output: nothing of it is shown anyway
        pass


class Announced:
    """sys.stdout or sys.stderr, which writes `header` once (for both) before the first text
    printed during the grader's calls (found by a helper: a student read thousands of lines of
    debugging prints, made on the grader's random inputs, as their notebook's)."""

    def __init__(self, stream, pending, header):
        self._stream, self._pending, self._header = stream, pending, header

    def write(self, text):
        if self._pending[0] and text:
            self._pending[0] = False
            self._stream.write(self._header)
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def announce_calls(first):
    """What is printed from here on, during the calls, comes after CALLS_BEGIN, or CALLS_GO_ON
    when an earlier child made the `first` calls. The notebook may have replaced sys.stdout or
    sys.stderr with anything: then they stay as they are. Returns [whether the header is still
    to be written]."""
    flush()
    pending = [True]
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if stream is not None and _isinstance(stream, io.TextIOWrapper):
            setattr(sys, name, Announced(stream, pending, CALLS_GO_ON if first else CALLS_BEGIN))
    return pending


def mute():
    """Standard output and error sent nowhere, for the units an earlier child of this hand-in
    ran (the grader has their output: a unit that hung or crashed ended that child, and this
    one runs the notebook again without it). Returns what unmute() restores."""
    flush()
    try:
        saved = (os.dup(1), os.dup(2))
        null = os.open("/dev/null", os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
        return saved
    except Exception:  # printed twice then, nothing worse
        return None


def unmute(saved):
    """Output goes where it went before mute(). The notebook's own code ran in between: if it
    closed or replaced the saved descriptors, what it prints from here on may be lost, which
    harms nobody but itself."""
    flush()
    for fd, copy in zip((1, 2), saved):
        try:
            os.dup2(copy, fd)
            os.close(copy)
        except Exception:  # OSError, or os.dup2 replaced by the notebook
            pass
    return None


def flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def assigners(units, expr):
    """The units that assign the variable an answer's expression starts from (query131 in
    `query131`, m_key in `m_key[2]`): where to look when it is not defined. None found when
    the notebook broke the modules this needs (re, ast)."""
    try:
        return find_assigners(units, expr)
    except Exception:
        return []


def cell_assignments(units, expr, own, point):
    """The units of an answer's cell, up to the one it is taken after, that assign its variable,
    when more than one does; else none. A Colab download's cell is its statements, and code
    cells with no text cell between them are one: a scratch line after the answer decides it
    (found by an instructor helper: 0 points, and nothing said why; the .ipynb scored 2/2)."""
    try:
        assigning = assigners(units, expr)
        mine = [k for k in own if k <= point and k in assigning]
        return mine if _len(mine) > 1 else []
    except Exception:  # the notebook broke the modules this needs
        return []


def answer_root(expr):
    """The variable an answer's expression starts from (query131 in `query131`, m_key in
    `m_key[2]`), or None."""
    try:
        return next(n.id for n in ast.walk(ast.parse(expr, mode="eval")) if _isinstance(n, ast.Name))
    except (SyntaxError, StopIteration):
        return None


def unit_tree(unit):
    """A unit's statements as a syntax tree (a script's unit is one), or None when they do not
    parse."""
    if unit.unparsable:
        return None
    if not _isinstance(unit.code, str):
        return unit.code
    try:
        return ast.parse(unit.code)
    except SyntaxError:
        return None


def unit_text(unit):
    return unit.code if _isinstance(unit.code, str) else ast.unparse(unit.code)


def find_assigners(units, expr):
    root = answer_root(expr)
    if root is None:
        return []
    found = []
    for k, unit in enumerate(units):
        names = unit_names(unit)
        # A unit that does not parse (an unfinished `query131 =`; a script's is a statement
        # raising its SyntaxError, which quotes the line) is named if it mentions the name.
        if root in names if names is not None else root in (unit.unparsable or "") + unit_text(unit):
            found.append(k)
    return found


def local_assigner(units, root):
    """The function that assigns `root` as its own local variable (`def main(): query131 = ...`),
    where no unit assigns it for the notebook: its name, or "" (also when the notebook broke the
    modules this needs)."""
    try:
        for unit in units:
            tree = unit_tree(unit)
            for node in ast.walk(tree) if tree else []:
                if (_isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and any(binds(stmt, root) for stmt in node.body)):
                    return node.name
    except Exception:
        pass
    return ""


def commented_out(string, root):
    """Whether a string on its own (a unit of a script) holds a line of code that changes the
    variable `root`: old code put in quotes, not a markdown cell."""
    try:
        text = string.code.body[0].value.value
    except (AttributeError, IndexError):
        return False
    for line in text.split("\n"):
        try:
            if changes(ast.parse(line.strip()), root):
                return True
        except Exception:  # not code, or code nested too deeply to read (RecursionError, MemoryError)
            continue
    return False


def changes(tree, root):
    """Whether the statements of `tree` assign the variable `root` or into it (`root = ...`,
    `root[2] = ...`, `root.data = ...`, `root += ...`), outside any function or class body."""
    todo = [tree]
    while todo:
        node = todo.pop()
        targets = []
        if _isinstance(node, ast.Assign):
            targets = node.targets
        elif _isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.NamedExpr)):
            targets = [node.target]
        for target in targets:
            while _isinstance(target, (ast.Subscript, ast.Attribute, ast.Starred)):
                target = target.value
            if any(_isinstance(n, ast.Name) and n.id == root for n in ast.walk(target)):
                return True
        if not _isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return False


def binds(tree, root):
    """Whether the statements of `tree` bind `root` where the notebook's variables live
    (bound_names)."""
    return root in bound_names(tree)


def bound_names(tree):
    """The names the statements of `tree` bind where the notebook's variables live: assigned (in
    a tuple too, `a, root = f()`, by a for loop, `with ... as`, `:=`, `+=`), defined (def,
    class), imported, or declared global in a function; not those local to a function, a class
    body, a lambda or a comprehension."""
    names = set()
    todo = [tree]
    while todo:
        node = todo.pop()
        if _isinstance(node, ast.Name):
            if _isinstance(node.ctx, ast.Store):
                names.add(node.id)
        elif _isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            names.update(n for g in ast.walk(node) if _isinstance(g, ast.Global) for n in g.names)
            todo.extend(node.decorator_list)
        elif _isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif not _isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            todo.extend(ast.iter_child_nodes(node))
    return names


def unit_names(unit):
    """bound_names of a unit, computed once (a notebook whose every cell fails asks for them
    at every failure); None when it does not parse, or when the notebook broke the modules
    this needs."""
    if unit.names is False:
        try:
            tree = unit_tree(unit)
            unit.names = bound_names(tree) if tree else None
        except Exception:
            unit.names = None
    return unit.names


def evaluate(output, namespace, answers, i, units, failed, cell=None, bound_at=(), variable="", stopped=-1, name=""):
    """Sends answer i's value, or why it has none. `cell`: for an answer taken at the end of a
    cell, that cell's units and the unit it is taken after; a failure of that cell explains it
    first, then one of a unit up to it that assigns the variable, never a later one (found by a
    helper: an nbgrader stub left in the answer's cell was passed over for the NameError of a
    later cell that reads the answer's variable). An expression that raises says where in the
    notebook's code (`name`: the hand-in's), and a stub's NotImplementedError is an exercise left
    to do (found by an instructor helper: `multi_head_attention(Q, K, V, 2)[1]` of a stub read
    "raised NotImplementedError: ", the verdict unreadable)."""
    send(VALUE_START, i)  # a hang or crash from here on is this answer's alone
    expr = answers[i]["expr"]
    try:
        value = eval(compile(expr, "<answer>", "eval"), namespace)
    except NameError as e:
        where = assigning = assigners(units, expr)
        if cell is not None:  # its own cell first, whether or not its code names the variable
            own, point = cell    # (a unit of it an earlier child ended, hung, is failed for the grader)
            where = list(dict.fromkeys(own + [k for k in assigning if k <= point]))
        cause = next((failed[k] for k in where if k in failed), "")
        try:
            root = answer_root(expr) or ""
        except Exception:  # the notebook broke the modules this needs
            root = ""
        if not cause and root in RUN_FAILED:
            cause = f"{root} is defined by {RUN_FAILED[root]}"
        local_to = "" if assigning or not root else local_assigner(units, root)
        try:
            commented = None if assigning or local_to or not root else commented_assignment(root)
        except Exception:  # the notebook broke the modules this needs (re)
            commented = None
        send(VALUE_ERROR, i, NOT_DEFINED, not_defined(str(e), where, cause=cause, variable=root, local_to=local_to,
                                                      commented=commented, names=value_names(namespace)))
        return
    except BaseException as e:
        where, text = failure_parts(e, name, Unit(0, 0, "", ""))
        where = f" ({where})" if where else ""
        if left_to_do(e):
            send(VALUE_ERROR, i, LEFT_TO_DO, f"{expr} cannot be computed yet: your code still raises "
                                             f"NotImplementedError{where}")
        else:
            send(VALUE_ERROR, i, RAISED, f"{expr} raised {text}{where}")
        return
    send_value(output, i, value, bound_at, variable, stopped, bool(answers[i].get("at_test")))
