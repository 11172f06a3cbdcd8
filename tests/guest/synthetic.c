/* synthetic: the paper's synthetic benchmark (multi-os-speedup-model §IV-A)
 * for the empirical check of the speedup model (bench/model_check.sh).
 *
 *   synthetic GAMMA [DIR [PHASES [TRIALS [BLOCK_KIB]]]]
 *
 * PHASES times (10): a compute phase, a Monte Carlo estimate of pi with
 * TRIALS / GAMMA points (TRIALS 60000000 by default): floating point in
 * user mode, no system call, so that dividing the work by GAMMA stands for
 * a specialized OS that runs the compute part GAMMA times faster; then a
 * system call phase whose profile is skewed like bzip2's (the paper's
 * Figure 12): write() very often, read() often, a handful of calls rarely:
 *
 *   per phase: 96 write + 32 read of BLOCK_KIB KiB (2048) on a scratch
 *   file in DIR (default: $TMPDIR or /tmp), 2 lseek, 2 fstat, and once
 *   each getpid, uname, getrusage, openat + close (DIR), getcwd
 *
 * The system call phase is the same whatever GAMMA is, and the random
 * numbers are a fixed xorshift64* sequence, so every run with the same
 * arguments makes the same calls and prints the same line:
 *   pi 3.141... points N phases P calls C
 * Exit status 0, 1 when a call fails, 2 for a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define WRITES 96
#define READS 32

static unsigned long calls;

static void die(const char *what)
{
    fprintf(stderr, "synthetic: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* Points in the quarter circle among n from the generator at *s. */
static uint64_t monte_carlo(uint64_t n, uint64_t *s)
{
    uint64_t in = 0;
    for (uint64_t i = 0; i < n; i++) {
        double xy[2];
        for (int k = 0; k < 2; k++) {
            *s ^= *s >> 12;
            *s ^= *s << 25;
            *s ^= *s >> 27;
            xy[k] = (double)((*s * 0x2545f4914f6cdd1dull) >> 11) * 0x1.0p-53;
        }
        in += xy[0] * xy[0] + xy[1] * xy[1] <= 1.0;
    }
    return in;
}

/* The frequent calls: bzip2 reads its input and writes its output. */
static void io_phase(int fd, char *buf, size_t block)
{
    if (lseek(fd, 0, SEEK_SET) < 0)
        die("lseek");
    for (int i = 0; i < WRITES; i++)
        if (write(fd, buf, block) != (ssize_t)block)
            die("write");
    if (lseek(fd, 0, SEEK_SET) < 0)
        die("lseek");
    for (int i = 0; i < READS; i++)
        if (read(fd, buf, block) != (ssize_t)block)
            die("read");
    calls += 2 + WRITES + READS;
}

/* The rare ones. */
static void misc_phase(int fd, const char *dir)
{
    struct stat st;
    struct utsname u;
    struct rusage ru;
    char cwd[4096];
    if (fstat(fd, &st) < 0 || fstat(fd, &st) < 0 || uname(&u) < 0 || getrusage(RUSAGE_SELF, &ru) < 0 ||
        !getcwd(cwd, sizeof(cwd)))
        die("fstat/uname/getrusage/getcwd");
    /* glibc caches nothing for getpid nowadays, but say it explicitly */
    syscall(SYS_getpid);
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    if (d < 0 || close(d) < 0)
        die(dir);
    calls += 8;
}

static double number(const char *s, const char *what)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > 0) || !isfinite(v)) {
        fprintf(stderr, "synthetic: %s '%s': a number above 0\n", what, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 6) {
        fprintf(stderr, "usage: synthetic GAMMA [DIR [PHASES [TRIALS [BLOCK_KIB]]]]\n");
        return 2;
    }
    double gamma = number(argv[1], "GAMMA");
    const char *tmp = getenv("TMPDIR");
    const char *dir = argc > 2 ? argv[2] : tmp && *tmp ? tmp : "/tmp";
    int phases = argc > 3 ? (int)number(argv[3], "PHASES") : 10;
    double trials = argc > 4 ? number(argv[4], "TRIALS") : 60e6;
    size_t block = (size_t)(argc > 5 ? number(argv[5], "BLOCK_KIB") : 2048) * 1024;
    uint64_t per_phase = (uint64_t)llround(trials / gamma), in = 0, seed = 0x9e3779b97f4a7c15ull;

    char path[4096];
    snprintf(path, sizeof(path), "%s/synthetic.%ld.dat", dir, (long)getpid());
    char *buf = malloc(block);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (!buf || fd < 0)
        die(path);
    memset(buf, 'x', block);
    calls += 2; /* getpid, open */
    for (int p = 0; p < phases; p++) {
        in += monte_carlo(per_phase, &seed);
        io_phase(fd, buf, block);
        misc_phase(fd, dir);
    }
    if (close(fd) < 0 || unlink(path) < 0)
        die(path);
    calls += 2;
    uint64_t points = per_phase * (uint64_t)phases;
    printf("pi %.6f points %llu phases %d calls %lu\n", points ? 4.0 * (double)in / (double)points : 0.0,
           (unsigned long long)points, phases, calls);
    return 0;
}
