#!/usr/bin/python3
"""The baseline a course would otherwise write for Python hand-ins of the masked-attention
homework: for each student, runs their homework .py in this process (exec, no sandbox, no time
limits, one failing cell ends the script) and makes the calls of specs/sdpa-masked.yaml with
float32 torch tensors: per exercise one fixed case, 100 random trials and 2 x 20 property
trials (282 calls), comparing with a float64 reference; prints each student's score.

    bench/baselines/check_notebooks.py FOLDER...

One process for many folders is "a hand-written course script" (torch imported once); one
process per folder is what the anchors do (a fresh interpreter per student).
"""
import io
import contextlib
import math
import os
import sys

import numpy as np
import torch

torch.set_num_threads(1)


def reference(q, k, v, mask):
    scores = q.double() @ k.double().transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float("-inf"))
    w = torch.softmax(scores, dim=-1)
    return w @ v.double(), w


def cases(rng, masked):
    yield 2, 3, 4
    for trial in range(140):
        if trial == 0:
            yield 1, 1, 1
        elif trial == 1:
            yield 4, 8, 16
        else:
            yield int(rng.integers(1, 5)), int(rng.integers(1, 9)), int(rng.integers(1, 17))


def grade(folder):
    source = next(os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".py"))
    namespace = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            exec(compile(open(source).read(), source, "exec"), namespace)
        except Exception:
            pass
    fn = namespace.get("scaled_dot_product_attention")
    rng = np.random.default_rng(0)
    score = 0
    for masked in (False, True):
        for b, n, d in cases(rng, masked):
            q, k, v = (torch.from_numpy(rng.standard_normal((b, n, d))).float() for _ in range(3))
            mask = torch.from_numpy((rng.random((b, 1, n)) > 0.3).astype(np.float32)) if masked else None
            if mask is not None:
                mask[..., 0] = 1
            try:
                out, w = fn(q, k, v, mask=mask) if masked else fn(q, k, v)
                ro, rw = reference(q, k, v, mask)
                score += bool(np.allclose(out.double(), ro, rtol=1e-5, atol=1e-5)
                              and np.allclose(w.double(), rw, rtol=1e-5, atol=1e-5))
            except Exception:
                pass
    return score


for folder in sys.argv[1:]:
    print(os.path.basename(folder), grade(folder))
