"""The Python zygote (docs/sandbox.md, docs/python-hand-ins.md).

Started by grader-runner (`grader-runner zygote python ...`), already inside its namespaces and
its view of the file system, with the request socket on descriptor 3. It imports numpy and
matplotlib once, and torch too when GRADER_TORCH is 1 (the grader starts that zygote for
hand-ins that name torch: run.cpp, needs_torch()), with one thread each (a fork after a parallel
region hangs), warms them up, tells the grader it is ready and then forks one child per
submission. The zygote itself never runs a student's code and never holds grading data: each
child confines itself before it reads the student's file (notebook.run_child).
"""
import ctypes
import importlib.util
import os
import platform
import re
import sys


def version_unimported(name):
    """The version of the package `name` as its version.py says, without importing it (torch,
    in a zygote that does not import it); ImportError when it is not installed."""
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise ImportError(f"No module named {name!r}")
    for folder in spec.submodule_search_locations or ():
        try:
            with open(os.path.join(folder, "version.py"), encoding="utf-8") as f:
                found = re.search(r"""__version__\s*=\s*['"]([^'"]+)""", f.read())
        except OSError:
            continue
        if found:
            return found.group(1)
    return "of an unknown version"


def main():
    # Not dumpable: a child cannot read the zygote's memory or environment through /proc.
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    # What grader-runner passed: read, then gone from the environment children inherit.
    env = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("GRADER_")}
    confine = ctypes.PyDLL(env["GRADER_CONFINE_LIBRARY"])  # PyDLL: the GIL stays held
    confine.grader_python_ready.argtypes = [ctypes.c_char_p]
    confine.grader_python_next.argtypes = [ctypes.c_uint]
    confine.grader_python_confine.argtypes = [ctypes.c_uint, ctypes.c_int, ctypes.c_uint]
    confine.grader_python_confine.restype = ctypes.c_int
    confine.grader_python_isolation.restype = ctypes.c_char_p
    confine.grader_python_did_you_mean.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    with_torch = env["GRADER_TORCH"] == "1"
    try:
        import numpy
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401  (imported once, here: its font cache is built once)

        if with_torch:
            import torch

            torch.set_num_threads(1)
            torch.set_num_interop_threads(1)
            # The first operations read /sys and /proc lazily, and allocate their pools: here, once.
            (torch.ones(8, 8) @ torch.ones(8, 8)).softmax(-1).sum().item()
            torch_version = torch.__version__
        else:  # installed all the same: a notebook may import it where the grader did not see
            torch_version = f"{version_unimported('torch')} (imported only if the notebook does)"
        numpy.ones((8, 8)) @ numpy.ones((8, 8))
    except Exception as e:  # the machine lacks the Python runtime: the grader's fault
        print(f"grader-runner: the Python runtime is incomplete: {e!r}", file=sys.stderr)
        os._exit(93)
    sys.path.insert(0, env["GRADER_PYTHON_DIR"])
    import notebook

    sys.path.remove(env["GRADER_PYTHON_DIR"])
    notebook.warm_up()
    notebook.prepare_zygote()
    threads = confine.grader_python_prepare()
    if threads != 1:  # children are forked with fork(2), which copies one thread (python_entry.cpp)
        print(f"grader-runner: the Python runtime started {threads} threads; the zygote needs one", file=sys.stderr)
        os._exit(91)  # kExitSetupFailed: the grader's fault
    versions = (f"Python {platform.python_version()}, numpy {numpy.__version__}, "
                f"torch {torch_version}, matplotlib {matplotlib.__version__}")
    confine.grader_python_ready(f"{env['GRADER_ISOLATION']}; {versions}".encode())
    # Everything imported so far stays where it is: children's garbage collections do not
    # walk it, so they do not write (and copy) the zygote's pages.
    import gc

    gc.collect()
    gc.freeze()
    uid = int(env["GRADER_UID"])
    thread_limit = env["GRADER_THREAD_LIMIT"] == "1"
    besides = int(env["GRADER_BESIDES"])
    children = 0
    while True:
        confine.grader_python_next(uid)  # exits the process when the grader hangs up
        if confine.grader_python_fork() == 0:  # in the zygote: once the child has ended
            notebook.run_child(confine, uid, thread_limit, besides)  # never returns
        children += 1
        if children == 1:  # after the first child, which a `grader check` waits for alone
            huge_pages()


def huge_pages():
    """Folds the zygote's anonymous memory (torch's operator tables, Python's heap: about 100 MB
    with torch) into 2 MiB pages where whole ones fit (MADV_COLLAPSE, Linux 6.1; nothing where
    the kernel lacks it). A fork then copies one entry of the page tables per 2 MiB instead of
    512, and a child's exit frees as few; a child that writes to such a page still copies only
    its 4 KiB (the kernel splits the mapping in the child). Measured in bench/README.md."""
    madvise = ctypes.CDLL(None).madvise
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    huge, collapse = 1 << 21, 25  # MADV_COLLAPSE
    try:
        with open("/proc/self/maps") as maps:
            regions = [line.split() for line in maps]
    except OSError:
        return
    for fields in regions:
        # Private writable memory of no file (malloc's and Python's), and the heap.
        if not fields[1].startswith("rw") or (len(fields) > 5 and fields[5] != "[heap]"):
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        start, end = (start + huge - 1) & -huge, end & -huge
        if end > start:
            madvise(start, end - start, collapse)


if __name__ == "__main__":
    main()
