#!/usr/bin/python3
"""The baseline a course would otherwise write for compiled solutions: loads each
submission's libsolution.so with ctypes (no sandbox, no time limits) and makes the calls of
specs/sdpa-masked.yaml: per exercise one fixed case, 100 random trials and 2 x 20 property
trials (282 calls), comparing with a NumPy or PyTorch reference; prints each student's score.

    bench/baselines/check_library.py numpy|torch FOLDER...
"""
import ctypes
import os
import sys

import numpy as np

KIND = sys.argv[1]
if KIND == "torch":
    import torch


class Tensor(ctypes.Structure):
    _fields_ = [("rank", ctypes.c_int), ("shape", ctypes.c_longlong * 4), ("data", ctypes.POINTER(ctypes.c_double))]


def as_tensor(a):
    t = Tensor()
    t.rank = a.ndim
    for i, n in enumerate(a.shape):
        t.shape[i] = n
    t.data = a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    return t


def reference(q, k, v, mask):
    if KIND == "torch":
        q, k, v = (torch.from_numpy(x) for x in (q, k, v))
        scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
        if mask is not None:
            scores = scores.masked_fill(torch.from_numpy(mask) == 0, float("-inf"))
        w = torch.softmax(scores, dim=-1)
        return (w @ v).numpy(), w.numpy()
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask == 0, -np.inf, scores)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ v, w


def call(fn, inputs, batch, block, d_k):
    out = np.zeros((batch, block, d_k))
    weights = np.zeros((batch, block, block))
    ins = (Tensor * len(inputs))(*[as_tensor(x) for x in inputs])
    outs = (Tensor * 2)(as_tensor(out), as_tensor(weights))
    error = ctypes.create_string_buffer(1024)
    rc = fn(ins, len(inputs), outs, 2, error, 1024)
    return rc, out, weights


def check(folder, rng):
    lib = ctypes.CDLL(os.path.join(os.path.abspath(folder), "libsolution.so"))
    fn = lib.scaled_dot_product_attention
    fn.restype = ctypes.c_int
    score = 0
    for masked in (False, True):
        for trials, kind in ((1, "fixed"), (100, "random"), (20, "property"), (20, "property2")):
            ok = True
            for _ in range(trials):
                batch, block, d_k = (2, 3, 4) if kind == "fixed" else (
                    rng.integers(1, 5), rng.integers(1, 9), rng.integers(1, 17))
                q, k, v = (rng.standard_normal((batch, block, d_k)) for _ in range(3))
                mask = None
                if masked:
                    keep = rng.integers(1, block + 1, size=batch)
                    mask = (np.arange(block)[None, None, :] < keep[:, None, None]).astype(np.float64)
                rc, out, w = call(fn, [q, k, v] + ([mask] if masked else []), batch, block, d_k)
                want_out, want_w = reference(q, k, v, mask)
                if kind == "property":
                    ok = ok and rc == 0 and np.allclose(w.sum(-1), 1, atol=1e-9)
                elif kind == "property2":
                    ok = ok and rc == 0 and np.allclose(out, w @ v, atol=1e-9)
                else:
                    ok = ok and rc == 0 and np.allclose(out, want_out, atol=1e-9) and np.allclose(w, want_w, atol=1e-9)
            score += ok
    return score


rng = np.random.default_rng(0)
for folder in sys.argv[2:]:
    print(f"{os.path.basename(folder)},{check(folder, rng)}")
