#!/usr/bin/python3
"""Writes N synthetic submissions of the understanding-attention assignment, a mix of right
and wrong answers, as .npy and .csv files: bench/make_class.py OUT_DIR N.

Each student's queries are the textbook answers with a random factor, so no two submissions
are byte-identical; one in six is each of: right (npy), right (csv), scaled too little,
the wrong row, a missing answer, a wrong shape. query132 and the key replacements start from
the bundled sample's (submissions/understanding-attention/correct-torch-npy)."""
import os
import sys

import numpy as np

KEY = np.array([[0.47, 0.65, 0.60], [0.64, 0.50, -0.59], [-0.03, -0.48, -0.88], [0.43, -0.83, 0.35]])


SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "submissions",
                      "understanding-attention", "correct-torch-npy")


def answers(rng, variant):
    big = 1e4 * (1 + rng.random())
    sample = {n: np.load(os.path.join(SAMPLE, n + ".npy")).astype(np.float64).reshape(1, 3)
              for n in ("query132", "m_key2_a", "m_key2_b")}
    a = {
        "query121": big * KEY[0:1],
        "query122": big * KEY,
        "query131": np.zeros((1, 3)) + 1e-3 * rng.random((1, 3)),
        "query132": sample["query132"],
        "m_key2_a": sample["m_key2_a"] * (1 + 1e-3 * rng.random()),
        "m_key2_b": sample["m_key2_b"] * (1 + rng.random()),
    }
    if variant == "too-small":
        a["query121"] = KEY[0:1]
    elif variant == "wrong-row":
        a["query121"] = big * KEY[1:2]
    elif variant == "missing":
        del a["m_key2_b"]
    elif variant == "wrong-shape":
        a["query122"] = a["query122"].T
    return a


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    variants = ["right-npy", "right-csv", "too-small", "wrong-row", "missing", "wrong-shape"]
    rng = np.random.default_rng(2026)
    for i in range(n):
        variant = variants[i % len(variants)]
        folder = os.path.join(out, f"student{i:05d}")
        os.makedirs(folder, exist_ok=True)
        for name, value in answers(rng, variant).items():
            if variant == "right-csv":
                np.savetxt(os.path.join(folder, name + ".csv"), value, delimiter=",")
            else:
                np.save(os.path.join(folder, name + ".npy"), value)


if __name__ == "__main__":
    main()
