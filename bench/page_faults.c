/* What a page fault costs on this machine: first touches of fresh pages, copy-on-write faults
 * after a fork, and the same two done in one madvise(MADV_POPULATE_WRITE) call (Linux 5.14).
 * Build and run: gcc -O2 -o /tmp/page_faults bench/page_faults.c && /tmp/page_faults
 * (bench/README.md quotes its figures; a forked Python child pays these per page it writes). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  const size_t n = 4096 * 4096UL, pages = n / 4096;
  char* p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char* q = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  double t = now();
  for (size_t i = 0; i < n; i += 4096) p[i] = 1;
  printf("first touch of a fresh page:      %6.2f us\n", (now() - t) * 1e6 / (double)pages);
  t = now();
  madvise(q, n, MADV_POPULATE_WRITE);
  printf("fresh page, populated in one call: %6.2f us\n", (now() - t) * 1e6 / (double)pages);
  const pid_t child = fork();
  if (child == 0) {
    t = now();
    for (size_t i = 0; i < n; i += 4096) p[i] = 2;
    printf("copy-on-write fault after fork:    %6.2f us\n", (now() - t) * 1e6 / (double)pages);
    t = now();
    madvise(q, n, MADV_POPULATE_WRITE);
    printf("copy-on-write, populated at once:  %6.2f us\n", (now() - t) * 1e6 / (double)pages);
    _exit(0);
  }
  waitpid(child, 0, 0);
  return 0;
}
