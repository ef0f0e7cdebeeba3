#!/usr/bin/python3
"""Seed corpora of the fuzz targets: the bundled samples, and the hostile inputs that were bugs.

Run with Debian's python3 (numpy, yaml): /usr/bin/python3 fuzz/corpus/make_corpus.py
Rewrites fuzz/corpus/<target>/ from specs/, submissions/, tests/fixtures/ and the regression
cases below (kept small: libFuzzer mutates the seeds, and the full-size cases are tests in
tests/cli/test_hostile_answers.cpp). Inputs libFuzzer finds are kept in the build tree, not here.
"""
import glob
import hashlib
import os
import shutil
import struct

import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "fuzz", "corpus")


def reset(target):
    path = os.path.join(HERE, target)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    with open(os.path.join(HERE, target, name), "wb") as f:
        f.write(data)


def copy(target, pattern, prefix=b""):
    for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
        with open(path, "rb") as f:
            data = prefix + f.read()
        rel = os.path.relpath(path, ROOT).replace(os.sep, "_")
        put(target, rel, data)


def npy_header(shape, fortran=False, descr="<f8"):
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    d += " " * ((64 - (10 + len(d) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode()


def nested(depth):
    return "[" * depth + "]" * depth


# ---- npy ----
reset("npy")
copy("npy", "tests/fixtures/npy/*.npy")
copy("npy", "submissions/**/*.npy")
put("npy", "regression_header_declares_64MiB_fortran", npy_header("(2047, 4096)", True) + b"\0" * 16)
put("npy", "regression_header_overflows", npy_header("(4294967296, 4294967296, 4294967296)"))
put("npy", "regression_header_length_lies", b"\x93NUMPY\x01\x00\xff\xff{'descr'")
dict_v1 = npy_header("(1, 3)")[10:]
put("npy", "regression_empty_fortran_huge_sizes", npy_header("(6007777777700000, 0, 429496727296)", True))
put("npy", "version_2_header", b"\x93NUMPY\x02\x00" + struct.pack("<I", len(dict_v1)) + dict_v1 +
    np.arange(3.0).tobytes())

# ---- text ----
reset("text")
copy("text", "submissions/**/*.csv")
copy("text", "tests/fixtures/text/*.txt")
copy("text", "tests/fixtures/text/*.csv")
put("text", "regression_comma_in_header", "# query, 1.2.1\n4.7e4 6.5e4 6.0e4\n")
put("text", "regression_utf8_bom", b"\xef\xbb\xbf1,2,3\r\n4,5,6\r\n")
put("text", "regression_invalid_utf8_and_escape", b"1 2 \xff\x1b[31m\n")
put("text", "regression_long_line", " ".join(["1"] * 5000) + "\n")

# ---- armadillo ----
reset("armadillo")
m = np.array([[1.5, -2.0, 3.25], [4.0, 5.5, -6.0]])
c = np.arange(24.0).reshape(4, 2, 3) * 0.25 - 1.0  # slices, rows, cols
put("armadillo", "mat_bin_f8", b"ARMA_MAT_BIN_FN008\n2 3\n" + m.T.astype("<f8").tobytes())
put("armadillo", "mat_bin_f4", b"ARMA_MAT_BIN_FN004\n2 3\n" + m.T.astype("<f4").tobytes())
put("armadillo", "mat_bin_i2", b"ARMA_MAT_BIN_IS002\n2 3\n" + m.T.astype("<i2").tobytes())
put("armadillo", "mat_txt", "ARMA_MAT_TXT_FN008\n2 3\n  1.5 -2 3.25\n  4 5.5 -6\n")
put("armadillo", "cube_bin", b"ARMA_CUB_BIN_FN008\n2 3 4\n" + np.transpose(c, (0, 2, 1)).astype("<f8").tobytes())
put("armadillo", "cube_txt", "ARMA_CUB_TXT_FN008\n2 3 4\n" +
    "".join(" ".join(repr(v) for v in row) + "\n" for s in c for row in s))
put("armadillo", "regression_header_lies", b"ARMA_MAT_BIN_FN008\n100000 100000\n12345678")
put("armadillo", "regression_empty_huge_sizes", b"ARMA_CUB_BIN_FN008\n0 100000000000000 100000000000000\n")
put("armadillo", "regression_text_longer_than_declared", "ARMA_MAT_TXT_FN008\n1 3\n" + "1 2 3\n" * 2000)

# ---- answers (first byte: even answers.yaml, odd answers.json) ----
reset("answers")
YAML, JSON = b"\x00", b"\x01"
copy("answers", "submissions/**/answers.yaml", YAML)
put("answers", "flat_and_nested.yaml", YAML + b"a: [[1, 2, 3]]\nb: [[1, 2], [3, 4]]\nc: [1, 2, 3]\ns: 2.5\n")
put("answers", "flat_and_nested.json", JSON + b'{"a": [[1, 2, 3]], "b": [[1, 2], [3, 4]], "c": [1, 2, 3], "s": 2.5}')
put("answers", "regression_deep_json", JSON + ('{"a": ' + nested(20000) + "}").encode())
put("answers", "regression_deep_yaml", YAML + ("a: " + nested(600) + "\n").encode())
put("answers", "regression_deep_yaml_just_parsed", YAML + ("a: " + nested(498) + "\n").encode())
put("answers", "regression_alias_bomb", YAML + (
    "a0: &a0 [" + ", ".join(["1"] * 100) + "]\n" +
    "a1: &a1 [" + ", ".join(["*a0"] * 100) + "]\n" +
    "a: [" + ", ".join(["*a1"] * 100) + "]\nb: *a1\n").encode())
put("answers", "regression_self_alias", YAML + b"a: &x [*x]\n")
put("answers", "regression_unknown_keys", YAML + "".join("k%d: 1\n" % i for i in range(2000)).encode())
put("answers", "regression_invalid_utf8", YAML + b"a: [1, 2, 3]\n\xff\xfe: [1]\nb: [\"\xc3(\"]\n")
put("answers", "regression_invalid_utf8.json", JSON + b'{"a": ["\xff"]}')
put("answers", "regression_long_scalar", YAML + b"a: [" + b"x" * 20000 + b"]\n")
put("answers", "regression_number_then_list", YAML + b"a: [2,[ 2, 4]]\n: 1\nk1426: 1\nk1427: 1\nk14$ (2.5\n")
put("answers", "duplicate_keys.json", JSON + b'{"a": [1, 2, 3], "a": [4, 5, 6]}')

# ---- spec ----
reset("spec")
copy("spec", "specs/*.yaml")
put("spec", "regression_deep_literal", "assignment: {id: d, title: D, version: '1'}\ndata:\n  x: " +
    nested(600) + "\nexercises: []\n")
put("spec", "regression_alias_literal", "assignment: {id: d, title: D, version: '1'}\ndata:\n"
    "  a0: &a0 [" + ", ".join(["1"] * 100) + "]\n  a1: &a1 [" + ", ".join(["*a0"] * 100) + "]\n"
    "  x: [" + ", ".join(["*a1"] * 100) + "]\nexercises: []\n")

# ---- expr: every expression of the bundled specs ----
reset("expr")
expressions = set()
for path in sorted(glob.glob(os.path.join(ROOT, "specs", "*.yaml"))):
    with open(path) as f:
        spec = yaml.safe_load(f)
    for value in (spec.get("data") or {}).values():
        if isinstance(value, str):
            expressions.add(value)
        elif isinstance(value, dict) and isinstance(value.get("expr"), str):
            expressions.add(value["expr"])
    for ex in spec.get("exercises") or []:
        for key in ("output", "expect"):
            if isinstance(ex.get(key), str):
                expressions.add(ex[key])
        for mistake in ex.get("mistakes") or []:
            if isinstance(mistake.get("matches"), str):
                expressions.add(mistake["matches"])
for e in sorted(expressions):
    put("expr", "spec_" + hashlib.sha1(e.encode()).hexdigest()[:12], e)
put("expr", "names", "attention(q, key, value, scale=1) + mean(value[0:2], 0) @ transpose(key) - s * cube[1]")
put("expr", "regression_deep_parentheses", "(" * 300 + "s" + ")" * 300)
put("expr", "regression_long_chain", "+".join(["s"] * 3000))
put("expr", "regression_long_index_chain", "cube" + "[0]" * 3000)
put("expr", "regression_huge_zeros", "zeros(100000, 100000, 100000)")
put("expr", "regression_empty_with_huge_sizes", "sum(zeros(1000000000, 0, 1000000000), 1)")
put("expr", "regression_empty_broadcast", "mean(value[5:]/ 0, keepdim=1)")
put("expr", "regression_huge_slice_bound", "value[ :22222222222222222222222222222222222222222222222222222222222]")
