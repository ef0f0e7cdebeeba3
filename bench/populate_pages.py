"""Whether a forked Python child (the zygote's model: torch imported, one thread, gc frozen)
would pay less for the pages it writes if it populated them in one call first
(madvise(MADV_POPULATE_WRITE), Linux 5.14) instead of taking a fault for each
(bench/README.md). A learning child runs the hand-in and reports which of the parent's
writable pages it made its own (/proc/self/pagemap: present and exclusively mapped); then
children run it alternately plainly and after populating those pages. Prints, per kind, the
median of the parent's wall time from fork to reap and of the child's minor faults and CPU
(populating counts as faults too).

Run: /usr/bin/python3 bench/populate_pages.py submissions/understanding-attention/colab-py-correct/A2S1.py [ROUNDS]"""
import contextlib
import ctypes
import gc
import io
import os
import resource
import struct
import sys
import time

os.environ["OMP_NUM_THREADS"] = "1"
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
torch.ones(2) @ torch.ones(2)
if not hasattr(F, "scaled_dot_product_attention"):  # as the grader's notebook runner gives it (torch 1.13)
    F.scaled_dot_product_attention = lambda q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None: (
        torch.softmax(q @ k.transpose(-2, -1) * (scale if scale is not None else q.size(-1) ** -0.5), -1) @ v)
PATH = sys.argv[1]
CODE = compile(open(PATH).read(), PATH, "exec")
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
PAGE = os.sysconf("SC_PAGE_SIZE")
MADV_POPULATE_WRITE = 23
gc.collect()
gc.freeze()


def writable_private():
    """The parent's private writable mappings (heap, anonymous memory, data of libraries)."""
    spans = []
    for line in open("/proc/self/maps"):
        parts = line.split()
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        name = parts[5] if len(parts) > 5 else ""
        if parts[1].startswith("rw") and parts[1][3] == "p" and name not in ("[vvar]", "[vsyscall]", "[stack]"):
            spans.append((lo, hi))
    return spans


PARENT = writable_private()


def workload():
    with contextlib.redirect_stdout(io.StringIO()):
        exec(CODE, {"__name__": "__main__"})


def own_pages():
    """(address, bytes) runs of the parent's pages this process holds alone: written since the fork."""
    runs = []
    with open("/proc/self/pagemap", "rb") as pagemap:
        for lo, hi in PARENT:
            pagemap.seek(lo // PAGE * 8)
            data = pagemap.read((hi - lo) // PAGE * 8)
            start = None
            for i, entry in enumerate(struct.unpack(f"<{len(data) // 8}Q", data) + (0,)):
                own = (entry >> 63) & 1 and (entry >> 56) & 1  # present, exclusively mapped
                if own and start is None:
                    start = i
                elif not own and start is not None:
                    runs.append((lo + start * PAGE, (i - start) * PAGE))
                    start = None
    return runs


def in_child(body):
    """Runs body() in a forked child; returns the parent's wall seconds and what body returned."""
    r, w = os.pipe()
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.write(w, repr(body()).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 1 << 20):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return time.perf_counter() - t0, eval(data)


def learn():
    workload()
    return own_pages()


RUNS = in_child(learn)[1]
print(f"learned: {len(RUNS)} runs, {sum(n for _, n in RUNS) // PAGE} pages", file=sys.stderr)


def run(populate):
    def body():
        if populate:
            for address, size in RUNS:
                LIBC.madvise(address, size, MADV_POPULATE_WRITE)
        workload()
        u = resource.getrusage(resource.RUSAGE_SELF)
        return u.ru_minflt, u.ru_utime + u.ru_stime
    wall, (faults, cpu) = in_child(body)
    return wall, faults, cpu


results = {False: [], True: []}
for i in range(ROUNDS):
    for populate in (False, True) if i % 2 == 0 else (True, False):
        results[populate].append(run(populate))
for populate in (False, True):
    a = np.array(results[populate])
    wall, faults, cpu = np.median(a, axis=0)
    print(f"{'populated first' if populate else 'plain':16s} wall {wall * 1e3:6.1f} ms (min {a[:, 0].min() * 1e3:.1f}), "
          f"faults {faults:.0f}, child CPU {cpu * 1e3:.1f} ms")
