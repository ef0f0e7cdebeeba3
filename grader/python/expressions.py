# The spec's expression language in NumPy, for `grader spec check`: each known mistake of a
# function exercise becomes a Python hand-in that computes it in the precision a student's
# function is called with (float32 tensors, float64 arrays), so that the check proves it fails
# there, through the same child, transport and tolerances as a student's code. The grader
# writes this file, then the exercise's function, into a notebook of its own (selftest.cpp);
# `expr::to_python` (grader/src/expr/to_python.cpp) writes the expressions, which read names
# from E and call the functions of F. Semantics follow grader/src/expr (NumPy's broadcasting,
# indexing and matmul), but for a softmax over a row masked whole (see _softmax); every result
# is cast to the working precision, as a student's float32 tensors stay float32.
import json  # noqa: F401 (the notebook reads its binding with it)
import math

import numpy as np

_DT = np.float64


def _C(x):
    return np.asarray(x, dtype=_DT)


def _int(x):
    v = float(np.asarray(x).reshape(()))
    if v != int(v):
        raise ValueError(f"{v} is not a whole number")
    return int(v)


def _L(items):
    return _C(np.stack([_C(i) for i in items]))


def _I(x, items):
    def one(i):
        if isinstance(i, slice):
            return slice(*(None if p is None else _int(p) for p in (i.start, i.stop, i.step)))
        a = np.asarray(i)
        return [_int(v) for v in a.reshape(-1)] if a.ndim else _int(a)
    return _C(_C(x)[tuple(one(i) for i in items)])


def _softmax(x, dim=-1):
    # As a student's code computes it: a row whose every score is -inf (masked whole) is NaN, as
    # torch.softmax and np.exp(x - x.max()) make it, where the grader's reference gives zeros.
    x = _C(x)
    dim = _int(dim)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        return _C(e / e.sum(axis=dim, keepdims=True))


def _weights(Q, K, V, scale=None, mask=None):
    Q, K = _C(Q), _C(K)
    s = Q @ np.swapaxes(K, -1, -2)
    s = _C(s / math.sqrt(Q.shape[-1]) if scale is None else s * float(np.asarray(scale)))
    if mask is not None:
        s = np.where(_C(mask) == 0, -np.inf, s)
    return _softmax(s, -1)


def _self_attention(X, omega_v, omega_q, omega_k, beta_v, beta_q, beta_k, scaled, weights):
    X = _C(X)
    V = _C(_C(beta_v) + _C(omega_v) @ X)
    Q = _C(_C(beta_q) + _C(omega_q) @ X)
    K = _C(_C(beta_k) + _C(omega_k) @ X)
    s = _C(K.T @ Q)
    if scaled:
        s = _C(s / math.sqrt(Q.shape[0]))
    A = _softmax(s, 0)
    return A if weights else _C(V @ A)


def _reduction(f):
    def reduce(x, dim=None, keepdim=0):
        return _C(f(_C(x), axis=None if dim is None else _int(dim), keepdims=bool(_int(keepdim))))
    return reduce


def _norm(x, axis=None, keepdims=False):
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))


def _set_row(x, i, row):
    y = _C(x).copy()
    y[_int(i)] = _C(row).reshape(-1)
    return y


def _draw(*_, **__):
    raise NotImplementedError("random draws belong to the data section")


F = {
    "attention": lambda Q, K, V, scale=None, mask=None: _C(_weights(Q, K, V, scale, mask) @ _C(V)),
    "attention_weights": _weights,
    "self_attention": lambda *a: _self_attention(*a, scaled=False, weights=False),
    "self_attention_weights": lambda *a: _self_attention(*a, scaled=False, weights=True),
    "scaled_dot_product_self_attention": lambda *a: _self_attention(*a, scaled=True, weights=False),
    "scaled_dot_product_self_attention_weights": lambda *a: _self_attention(*a, scaled=True, weights=True),
    "project": lambda x, W: _C(_C(x) @ _C(W)),
    "compute_keys": lambda vs, ws: _C(_C(vs) @ _C(ws).T),
    "softmax": _softmax,
    "transpose": lambda x, dim0=-2, dim1=-1: _C(np.swapaxes(_C(x), _int(dim0), _int(dim1))),
    "reshape": lambda x, *sizes: _C(np.reshape(_C(x), [_int(s) for s in sizes])),
    "rows": lambda x, *rows: _C(_C(x)[[_int(r) for r in rows]]),
    "set_row": _set_row,
    "stack": lambda *xs, dim=0: _C(np.stack([_C(x) for x in xs], axis=_int(dim))),
    "concat": lambda *xs, dim=0: _C(np.concatenate([_C(x) for x in xs], axis=_int(dim))),
    "float32": lambda x: _C(np.asarray(x, dtype=np.float32)),
    "zeros": lambda *sizes: np.zeros([_int(s) for s in sizes], dtype=_DT),
    "ones": lambda *sizes: np.ones([_int(s) for s in sizes], dtype=_DT),
    "size": lambda x, dim: np.shape(x)[_int(dim)],
    "eye": lambda n: np.eye(_int(n), dtype=_DT),
    "tril": lambda x, diagonal=0: _C(np.tril(_C(x), _int(diagonal))),
    "triu": lambda x, diagonal=0: _C(np.triu(_C(x), _int(diagonal))),
    "sum": _reduction(np.sum),
    "mean": _reduction(np.mean),
    "norm": _reduction(_norm),
    "max": _reduction(np.max),
    "min": _reduction(np.min),
    "normalize": lambda x, dim=-1: _C(_C(x) / _norm(_C(x), axis=_int(dim), keepdims=True)),
    "round": lambda x, decimals=0: _C(np.round(_C(x), _int(decimals))),
    "exp": lambda x: _C(np.exp(_C(x))),
    "log": lambda x: _C(np.log(_C(x))),
    "sqrt": lambda x: _C(np.sqrt(_C(x))),
    "abs": lambda x: _C(np.abs(_C(x))),
    "sin": lambda x: _C(np.sin(_C(x))),
    "cos": lambda x: _C(np.cos(_C(x))),
    "floor": lambda x: _C(np.floor(_C(x))),
    "arange": lambda start, stop=None, step=1: _C(np.arange(float(start), float(stop), float(step)) if stop is not None
                                                  else np.arange(float(start))),
    "where": lambda condition, x, y: _C(np.where(_C(condition) != 0, _C(x), _C(y))),
}
for _name in ("randn", "rand", "normal", "standard_normal", "uniform", "random_sample"):
    F[_name] = _draw


class _Env:
    """The names an expression sees: the inputs, their sizes, the lets (computed when first
    read), the data."""

    def __init__(self, values, lets):
        self.values, self.lets = values, lets

    def __getitem__(self, name):
        if name not in self.values:
            if name not in self.lets:
                raise NameError(f"the expression reads {name}, which the function cannot know")
            self.values[name] = _C(self.lets[name](self))
        return self.values[name]


def _array(x):
    if hasattr(x, "detach"):  # a torch tensor
        x = x.detach().cpu().numpy()
    return _C(x)


def _call(binding, lets, outputs, data, args, kwargs):
    """The exercise's function: its arguments as the binding passes them, then each output's
    expression (a known mistake's, or the reference's for the outputs the mistake leaves)."""
    global _DT
    # The precision it is called with, as a student's torch or NumPy code follows its inputs'.
    _DT = np.float64
    for value in list(args) + list(kwargs.values()):
        first = value[0] if isinstance(value, (list, tuple)) and value else value
        if hasattr(first, "dtype"):
            _DT = np.float32 if str(first.dtype) in ("float32", "torch.float32") else np.float64
            break
    values = {name: _C(np.reshape(np.asarray(flat, dtype=np.float64), shape)) for name, (flat, shape) in data.items()}
    position = 0
    for a in binding["arguments"]:
        if a["keyword"]:
            if a["keyword"] not in kwargs:
                continue  # an optional input the check leaves out
            value = kwargs[a["keyword"]]
        else:
            if position >= len(args):
                continue  # an optional input the check leaves out
            value = args[position]
            position += 1
        if a["size"]:
            values[a["size"]] = int(value)
        elif a["input"]:
            value = np.stack([_array(r) for r in value]) if a["rows"] else _array(value)
            values[a["input"]] = value
            for dim, n in zip(binding["shapes"][a["input"]], value.shape):
                if not dim.isdigit():
                    values[dim] = n
    E = _Env(values, lets)
    results = [_C(f(E)) for f in outputs]
    if binding["tensors"] == "torch":
        import torch
        results = [torch.from_numpy(np.ascontiguousarray(r)) for r in results]
    return tuple(results) if len(results) > 1 else results[0]
