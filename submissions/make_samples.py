#!/usr/bin/python3
"""Writes the bundled sample submissions under submissions/<assignment>/<student>/.

Answers are computed with PyTorch, as students compute them in the notebooks, and saved in the
formats students use. Run with Debian's python3-torch and python3-numpy:
    /usr/bin/python3 submissions/make_samples.py
The expected verdicts of every sample are pinned by its golden case, tests/golden/<assignment>/<sample>/.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def folder(assignment, student, readme):
    """Recreates the folder's answers; hand-written sources (*.c, *.cpp) are kept."""
    path = os.path.join(HERE, assignment, student)
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if not name.endswith((".c", ".cpp")):
            os.remove(os.path.join(path, name))
    with open(os.path.join(path, "README.md"), "w") as f:
        f.write(readme.strip() + "\n")
    return path


def save_npy(path, name, tensor):
    np.save(os.path.join(path, name + ".npy"), tensor.numpy())


def save_csv(path, name, tensor):
    np.savetxt(os.path.join(path, name + ".csv"), np.atleast_2d(tensor.numpy()), delimiter=",")


def yaml_list(tensor):
    return "[" + ", ".join(yaml_list(t) if t.dim() else repr(float(t)) for t in tensor) + "]"


# ---- understanding-attention: the notebook's key and value, in float32 as torch prints them.
key = torch.tensor([[0.47, 0.65, 0.60], [0.64, 0.50, -0.59], [-0.03, -0.48, -0.88],
                    [0.43, -0.83, 0.35]])
value = torch.tensor([[-0.07, -0.88, 0.47], [0.37, -0.93, -0.07], [-0.25, -0.75, 0.61],
                      [0.94, 0.20, 0.28]])


def good_answers():
    """The answers of the solved notebook (S = 1e5, 1e5, 1e-2, 8) and natural 1.4.x answers."""
    query132 = torch.mean(8 * key[:2], dim=0).unsqueeze(0)
    return {
        "query121": 1e5 * key[0].unsqueeze(0),
        "query122": 1e5 * key,
        "query131": torch.mean(1e-2 * key, dim=0).unsqueeze(0),
        "query132": query132,
        "m_key2_a": key[:2].mean(0, keepdim=True),  # scores like key[0] and key[1]
        "m_key2_b": query132.clone(),                # along query132: the best achievable
    }


UA = "understanding-attention"
p = folder(UA, "correct-torch-npy", """
All six answers computed with PyTorch and saved with numpy.save as float32 .npy, as in the
solved notebook. Expected: every exercise passes.""")
for name, t in good_answers().items():
    save_npy(p, name, t)

p = folder(UA, "correct-csv", """
All six answers as CSV text (numpy.savetxt with delimiter=','); query131 is saved as a column
vector, which the spec accepts for vectors (orientation: any). Expected: every exercise passes.""")
for name, t in good_answers().items():
    np.savetxt(os.path.join(p, name + ".csv"),
               t.numpy().reshape(-1, 1) if name == "query131" else t.numpy(), delimiter=",")

p = folder(UA, "correct-answers-yaml", """
All six answers in one answers.yaml, with the 1.3.x queries written as flat lists.
Expected: every exercise passes.""")
with open(os.path.join(p, "answers.yaml"), "w") as f:
    for name, t in good_answers().items():
        f.write(f"{name}: {yaml_list(t[0] if name.startswith('query13') else t)}\n")

p = folder(UA, "scale-too-small", """
Queries along the right keys but scaled by 1 (query121, query122) instead of a large factor:
the softmax does not concentrate, so nothing is selected. Expected: 1.2.1 and 1.2.2 wrong; the
rest passes.""")
answers = good_answers()
answers["query121"] = key[0].unsqueeze(0)
answers["query122"] = key.clone()
for name, t in answers.items():
    save_npy(p, name, t)

p = folder(UA, "wrong-row", """
query121 points along key[1], so attention selects value[1] instead of value[0]. Expected: 1.2.1
wrong, with the known mistake "selects value[1]" named; the rest passes.""")
answers = good_answers()
answers["query121"] = 1e5 * key[1].unsqueeze(0)
for name, t in answers.items():
    save_npy(p, name, t)

p = folder(UA, "wrong-shape", """
query122 has only three rows (shape (3, 3)) and query121 is saved transposed as (3, 1) -- which
the spec accepts for a vector. Expected: 1.2.2 wrong_shape; the rest passes.""")
answers = good_answers()
answers["query122"] = 1e5 * key[:3]
answers["query121"] = answers["query121"].T
for name, t in answers.items():
    save_npy(p, name, t)

p = folder(UA, "missing-answer", """
query132 is not handed in, and m_key2_a is misnamed m_key2a.npy. Expected: 1.3.2 missing; 1.4.1
and 1.4.2 missing too (they use query132 from 1.3.2, and say so); a note about m_key2a.npy.""")
answers = good_answers()
for name, t in answers.items():
    if name == "query132":
        continue
    save_npy(p, "m_key2a" if name == "m_key2_a" else name, t)

p = folder(UA, "corrupt-file", """
query121.npy is truncated (half its data bytes are cut off) and query131.csv contains a word.
Expected: 1.2.1 and 1.3.1 unreadable, with messages saying why; the rest passes.""")
for name, t in good_answers().items():
    if name == "query131":
        with open(os.path.join(p, "query131.csv"), "w") as f:
            f.write("0.0038, -0.0004, oops\n")
        continue
    save_npy(p, name, t)
with open(os.path.join(p, "query121.npy"), "rb") as f:
    data = f.read()
with open(os.path.join(p, "query121.npy"), "wb") as f:
    f.write(data[:-6])

# ---- attention-basics.
H = torch.tensor([[0.21, 0.51, 1.25], [4.13, -41.3, 0.31], [3.2, 0.02, 9.44]])
v = torch.tensor([[1, 0, 1, 0], [0, 2, 0, 2], [1, 1, 1, 1]])
W_k = torch.tensor([[0, 0, 1], [1, 1, 0], [0, 1, 0], [1, 1, 0]])
W_q = torch.tensor([[1, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 1]])
W_v = torch.tensor([[0, 2, 0], [0, 3, 0], [1, 0, 3], [1, 1, 0]])


def compute_keys(vs, ws):
    return torch.stack([*vs]) @ torch.stack([*ws], dim=1)


def basics():
    softmax_scores = F.softmax(torch.tensor([13, 9, 9], dtype=torch.float), dim=0)
    keys = compute_keys([v[0], v[1], v[2]], [W_k[:, 0], W_k[:, 1], W_k[:, 2]])
    queries = v @ W_q
    score = queries[0] @ keys.t()
    return {
        "softmax_scores": softmax_scores,
        "weighted_states": softmax_scores * H,
        "keys": keys,
        "queries": queries,
        "values": v @ W_v,
        "attention_score": score,
        "attention_weights": F.softmax(score.float(), dim=0),
    }


AB = "attention-basics"
p = folder(AB, "correct-torch-npy", """
Every tensor as the notebook computes it with PyTorch (integers stay int64, floats float32),
saved with numpy.save, and compute_keys in C (solution.c, written by hand). Expected: every
exercise passes.""")
for name, t in basics().items():
    save_npy(p, name, t)

p = folder(AB, "typical-mistakes", """
Weighted rows instead of columns (1.2), keys computed with W_q (2.1), scores against keys
instead of keys.t() (3.2), saved as CSV; compute_keys writes its result transposed (solution.c,
written by hand). Expected: 1.2, 2.1, 3.2 and 2.2 wrong, each naming its known mistake; the
rest passes.""")
answers = basics()
answers["weighted_states"] = (answers["softmax_scores"].unsqueeze(1) * H)
answers["keys"] = v @ W_q
answers["attention_score"] = (v @ W_q)[0] @ compute_keys(
    [v[0], v[1], v[2]], [W_k[:, 0], W_k[:, 1], W_k[:, 2]])
for name, t in answers.items():
    save_csv(p, name, t)

print("samples written")
