"""What a fork and an immediate exit cost a Python process, by what it has imported: the floor
of every Python hand-in's child (bench/README.md). Run: /usr/bin/python3 bench/fork_cost.py"""
import ctypes
import gc
import os
import resource
import subprocess
import sys
import time


def measure(modules, n=30):
    for m in modules:
        __import__(m)
    gc.collect()
    gc.freeze()
    libc = ctypes.CDLL(None)
    mappings = len(open("/proc/self/maps").readlines())
    c0, s0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for _ in range(n):
        pid = libc.fork()
        if pid == 0:
            libc._exit(0)
        os.waitpid(pid, 0)
    c1, s1, t1 = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    cpu = lambda a, b: 1000 * ((b.ru_utime + b.ru_stime) - (a.ru_utime + a.ru_stime)) / n
    print(f"{'+'.join(modules) or 'python only':24s} {mappings:5d} mappings   fork+exit {1000 * (t1 - t0) / n:6.2f} ms "
          f"(child {cpu(c0, c1):5.2f} ms CPU, parent {cpu(s0, s1):5.2f} ms CPU)")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        measure([m for m in sys.argv[1].split(",") if m])
    else:
        for modules in ("", "numpy", "numpy,torch"):
            subprocess.run([sys.executable, __file__, modules or ","], check=True)
