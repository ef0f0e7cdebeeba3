#!/usr/bin/python3
"""The baseline a course would otherwise write: checks understanding-attention submissions
(the same six exercises, targets and tolerances as specs/understanding-attention.yaml) with
NumPy or PyTorch, and prints each student's score.

    bench/baselines/check_matrix.py numpy|torch FOLDER...

Whole process, like `grader check`: interpreter start, import, loading, checking."""
import os
import sys

KIND = sys.argv[1]
if KIND == "torch":
    import torch
    import numpy as np

    def tensor(a):
        return torch.tensor(a, dtype=torch.float64)

    def softmax(x):
        return torch.softmax(x, dim=-1)

    def close(got, want, atol):
        return got.shape == want.shape and bool(torch.allclose(got, want, atol=atol, rtol=0))

    def mean(x):
        return x.mean(dim=0, keepdim=True)

    def norm(x):
        return x / torch.linalg.norm(x)
else:
    import numpy as np

    def tensor(a):
        return np.asarray(a, dtype=np.float64)

    def softmax(x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def close(got, want, atol):
        return got.shape == want.shape and bool(np.allclose(got, want, atol=atol, rtol=0))

    def mean(x):
        return x.mean(axis=0, keepdims=True)

    def norm(x):
        return x / np.linalg.norm(x)

KEY = tensor([[0.47, 0.65, 0.60], [0.64, 0.50, -0.59], [-0.03, -0.48, -0.88], [0.43, -0.83, 0.35]])
VALUE = tensor([[-0.07, -0.88, 0.47], [0.37, -0.93, -0.07], [-0.25, -0.75, 0.61], [0.94, 0.20, 0.28]])


def attention(q, k, v):
    return softmax(q @ k.T) @ v


def with_row(k, i, row):
    k = k.clone() if KIND == "torch" else k.copy()
    k[i] = row.reshape(-1)
    return k


def load(folder, name):
    for ext in (".npy", ".csv"):
        path = os.path.join(folder, name + ext)
        if os.path.exists(path):
            try:
                a = np.load(path) if ext == ".npy" else np.loadtxt(path, delimiter=",", ndmin=2)
                return tensor(a)
            except Exception:
                return None
    return None


def row(x):
    return x.reshape(1, 3) if x is not None and tuple(x.shape) in ((1, 3), (3, 1), (3,)) else x


def check(folder):
    a = {n: load(folder, n) for n in ("query121", "query122", "query131", "query132", "m_key2_a", "m_key2_b")}
    for n in ("query121", "query131", "query132", "m_key2_a", "m_key2_b"):
        a[n] = row(a[n])
    score = 0
    tests = [
        ("query121", lambda: (attention(a["query121"], KEY, VALUE), VALUE[0:1], 1e-3)),
        ("query122", lambda: (attention(a["query122"], KEY, VALUE), VALUE, 1e-3)),
        ("query131", lambda: (attention(a["query131"], KEY, VALUE), mean(VALUE), 1e-3)),
        ("query132", lambda: (attention(a["query132"], KEY, VALUE), mean(VALUE[0:2]), 5e-3)),
        ("m_key2_a", lambda: (attention(a["query132"], with_row(KEY, 2, a["m_key2_a"]), VALUE), mean(VALUE[0:3]), 5e-3)),
        ("m_key2_b", lambda: (attention(a["query132"], with_row(KEY, 2, norm(a["m_key2_b"])), VALUE),
                              attention(a["query132"], with_row(KEY, 2, norm(a["query132"])), VALUE), 1e-3)),
    ]
    for name, make in tests:
        if a[name] is None or a["query132"] is None:
            continue
        try:
            got, want, atol = make()
            score += close(got, want, atol)
        except Exception:
            pass
    return score


for folder in sys.argv[2:]:
    print(f"{os.path.basename(folder)},{check(folder)}")
