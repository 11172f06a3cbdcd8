/* timecalls MODE: the calls a vDSO serves in user mode (clock_gettime,
 * gettimeofday, time, getcpu), for the e2e tests of the host vDSO that
 * hyperloupe mirrors into the guest (the guest's TSC is the host's, so the
 * vDSO's arithmetic on the host's [vvar] data gives the host's clocks).
 * Through libc a call reaches that vDSO (or, under `--no-vdso`, a trapped
 * system call); a raw syscall() always reaches the host kernel, so comparing
 * the two checks the mirrored vDSO against the kernel it was copied from.
 *
 * The output is the same natively and under the VMM: no times, pids or CPU
 * numbers, only "... ok" / "... unsupported" lines. A failed check prints
 * what was read on stderr and exits 1.
 *
 *   agree      each clock id (REALTIME ... TAI) read as libc, raw syscall,
 *              libc again (a, b, c), 3 rounds: a <= b <= c in every round
 *              for clocks that never go back (MONOTONIC*, BOOTTIME*, the
 *              CPU-time clocks), |b - a| and |c - b| below 50 ms in one round
 *              at least for the settable ones (REALTIME*, TAI); an id the
 *              kernel rejects must be rejected by libc with the same errno
 *              ("unsupported", e.g. the *_ALARM clocks without an RTC). The
 *              same for gettimeofday (and its timezone) and time. getcpu:
 *              pinned to each CPU of the affinity mask in turn, libc's getcpu
 *              (vDSO), sched_getcpu and the raw syscall all name that CPU,
 *              and the same node; the mask is restored.
 *   monotonic  CLOCK_MONOTONIC never goes back across 4 threads and 2 forked
 *              children sharing an atomically raised "latest" value, nor
 *              across an execve of /proc/self/exe (see after-exec)
 *   loop N     N rounds of the vDSO calls through libc only, no raw syscall
 *              (clock_gettime on the 7 vDSO clocks, gettimeofday, time,
 *              getcpu): the profile tests count how many became system calls
 *   all        agree, then monotonic
 *   after-exec NS
 *              (run by monotonic) CLOCK_MONOTONIC is now at least NS
 *
 * Built with glibc (getcpu() is its vDSO wrapper) and with musl (which has
 * no getcpu(): sched_getcpu, also the vDSO, stands in and there is no node).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NSEC 1000000000LL
/* A trapped syscall costs 0.1-0.2 ms on the development hosts; 50 ms leaves
 * room for a preemption on a loaded machine, yet a vDSO reading another
 * clock, or a stale copy of the host's data, is off by far more. */
#define MAX_GAP_NS (50 * 1000000LL)
/* Each comparison reads this many rounds, whatever they give, so that the
 * number of system calls is fixed (syscount.sh compares it with strace's).
 * An inversion fails at once; a gap must be small in one round at least (a
 * preemption does not repeat, a wrong clock does). */
#define ROUNDS 3

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
    va_list ap;
    fputs("timecalls: FAIL: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static int64_t ts_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * NSEC + ts->tv_nsec;
}

static int64_t tv_ns(const struct timeval *tv)
{
    return (int64_t)tv->tv_sec * NSEC + (int64_t)tv->tv_usec * 1000;
}

static int64_t gap(int64_t x, int64_t y)
{
    return x > y ? x - y : y - x;
}

/* The settable clocks may be stepped, so only their distance is checked:
 * libc and the kernel must read the same clock, not one off by an offset. */
static int close_enough(const int64_t v[3], int64_t max)
{
    return gap(v[1], v[0]) < max && gap(v[2], v[1]) < max;
}

static int in_order(const int64_t v[3])
{
    return v[0] <= v[1] && v[1] <= v[2];
}

/* ------------------------------------------------------------------ agree */
enum kind { NEVER_BACK, SETTABLE };

struct clock_desc {
    const char *name;
    clockid_t id;
    enum kind kind;
};

static const struct clock_desc clocks[] = {
    {"REALTIME", CLOCK_REALTIME, SETTABLE},
    {"MONOTONIC", CLOCK_MONOTONIC, NEVER_BACK},
    {"PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID, NEVER_BACK},
    {"THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID, NEVER_BACK},
    {"MONOTONIC_RAW", CLOCK_MONOTONIC_RAW, NEVER_BACK},
    {"REALTIME_COARSE", CLOCK_REALTIME_COARSE, SETTABLE},
    {"MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE, NEVER_BACK},
    {"BOOTTIME", CLOCK_BOOTTIME, NEVER_BACK},
    {"REALTIME_ALARM", CLOCK_REALTIME_ALARM, SETTABLE},
    {"BOOTTIME_ALARM", CLOCK_BOOTTIME_ALARM, NEVER_BACK},
    {"TAI", CLOCK_TAI, SETTABLE},
};

static const char *errname(int e)
{
    return e == 0 ? "success" : e == EINVAL ? "EINVAL" : strerror(e);
}

/* libc, the kernel, libc: v[] gets the three readings. Returns 0, or the
 * errno that all three gave (they must give the same one). */
static int clock_sandwich(const struct clock_desc *c, int64_t v[3])
{
    struct timespec ts[3] = {{0, 0}, {0, 0}, {0, 0}};
    int e[3];
    e[0] = clock_gettime(c->id, &ts[0]) ? errno : 0;
    e[1] = syscall(SYS_clock_gettime, c->id, &ts[1]) ? errno : 0;
    e[2] = clock_gettime(c->id, &ts[2]) ? errno : 0;
    if (e[0] != e[1] || e[1] != e[2])
        fail("clock %s: libc gives %s, the kernel %s, libc again %s", c->name,
             errname(e[0]), errname(e[1]), errname(e[2]));
    for (int i = 0; i < 3; i++)
        v[i] = ts_ns(&ts[i]);
    return e[1];
}

static void agree_clock(const struct clock_desc *c)
{
    int64_t v[3];
    int close = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int err = clock_sandwich(c, v);
        if (err == EINVAL) {
            printf("clock %s: unsupported\n", c->name);
            return;
        }
        if (err)
            fail("clock %s: %s", c->name, strerror(err));
        if (c->kind == NEVER_BACK && !in_order(v))
            fail("clock %s goes back: libc %lld ns, kernel %lld ns, libc %lld ns",
                 c->name, (long long)v[0], (long long)v[1], (long long)v[2]);
        close |= close_enough(v, MAX_GAP_NS);
    }
    if (c->kind == SETTABLE && !close)
        fail("clock %s: libc and the kernel more than %lld ns apart in %d rounds; "
             "last: libc %lld ns, kernel %lld ns, libc %lld ns", c->name, MAX_GAP_NS,
             ROUNDS, (long long)v[0], (long long)v[1], (long long)v[2]);
    printf("clock %s: ok\n", c->name);
}

/* The timezone comes from the vDSO's data page too (sys_tz). */
static void agree_gettimeofday(void)
{
    struct timeval tv[3];
    struct timezone tz[3];
    int64_t v[3];
    int close = 0;
    for (int round = 0; round < ROUNDS; round++) {
        if (gettimeofday(&tv[0], &tz[0]) ||
            syscall(SYS_gettimeofday, &tv[1], &tz[1]) ||
            gettimeofday(&tv[2], &tz[2]))
            fail("gettimeofday: %s", strerror(errno));
        for (int i = 0; i < 3; i++)
            v[i] = tv_ns(&tv[i]);
        close |= close_enough(v, MAX_GAP_NS);
    }
    if (!close)
        fail("gettimeofday: libc and the kernel apart in %d rounds; last: libc %lld ns, "
             "kernel %lld ns, libc %lld ns", ROUNDS, (long long)v[0], (long long)v[1],
             (long long)v[2]);
    printf("gettimeofday: ok\n");
    if (memcmp(&tz[0], &tz[1], sizeof(tz[0])) || memcmp(&tz[1], &tz[2], sizeof(tz[0])))
        fail("gettimeofday: timezone: libc %d/%d, kernel %d/%d", tz[0].tz_minuteswest,
             tz[0].tz_dsttime, tz[1].tz_minuteswest, tz[1].tz_dsttime);
    printf("gettimeofday timezone: ok\n");
}

/* Whole seconds: a second boundary may fall between two readings. */
static void agree_time(void)
{
    int64_t v[3];
    int close = 0;
    for (int round = 0; round < ROUNDS; round++) {
        time_t stored = 0;
        v[0] = time(&stored);
        v[1] = syscall(SYS_time, NULL);
        v[2] = time(NULL);
        if (v[0] != stored)
            fail("time: returned %lld but stored %lld", (long long)v[0], (long long)stored);
        close |= close_enough(v, 2);
    }
    if (!close)
        fail("time: libc and the kernel apart in %d rounds; last: libc %lld s, "
             "kernel %lld s, libc %lld s", ROUNDS, (long long)v[0], (long long)v[1],
             (long long)v[2]);
    printf("time: ok\n");
}

/* The vDSO's getcpu: glibc's getcpu(), or musl's sched_getcpu (no node). */
static int libc_getcpu(unsigned *cpu, unsigned *node)
{
#ifdef __GLIBC__
    return getcpu(cpu, node);
#else
    int c = sched_getcpu();
    *cpu = (unsigned)c;
    *node = 0;
    return c < 0 ? -1 : 0;
#endif
}

/* Pinned to one CPU, the thread is on it when sched_setaffinity returns. */
static void agree_getcpu_on(int cpu)
{
    cpu_set_t one;
    unsigned c_libc, n_libc, c_sys, n_sys;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof(one), &one))
        fail("sched_setaffinity to CPU %d: %s", cpu, strerror(errno));
    if (libc_getcpu(&c_libc, &n_libc))
        fail("getcpu (libc): %s", strerror(errno));
    if (syscall(SYS_getcpu, &c_sys, &n_sys, NULL))
        fail("getcpu (kernel): %s", strerror(errno));
    int c_sched = sched_getcpu();
#ifndef __GLIBC__
    n_libc = n_sys; /* musl: no node to compare */
#endif
    if (c_libc != (unsigned)cpu || c_sys != (unsigned)cpu || c_sched != cpu ||
        n_libc != n_sys)
        fail("pinned to CPU %d: libc getcpu says CPU %u node %u, the kernel "
             "CPU %u node %u, sched_getcpu CPU %d", cpu, c_libc, n_libc, c_sys,
             n_sys, c_sched);
}

static void agree_getcpu(void)
{
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof(mask), &mask))
        fail("sched_getaffinity: %s", strerror(errno));
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &mask))
            agree_getcpu_on(cpu);
    if (sched_setaffinity(0, sizeof(mask), &mask))
        fail("sched_setaffinity (restore): %s", strerror(errno));
    printf("getcpu: ok on every allowed CPU\n");
}

static void mode_agree(void)
{
    for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
        agree_clock(&clocks[i]);
    agree_gettimeofday();
    agree_time();
    agree_getcpu();
}

/* -------------------------------------------------------------- monotonic */
#define MONO_THREADS 4
#define MONO_CHILDREN 2

/* Shared by the threads and (MAP_SHARED) the forked children. */
struct shared {
    int64_t latest;     /* the largest CLOCK_MONOTONIC any worker has read */
    int go;             /* every worker exists: start together */
    int64_t inversions; /* readings below a "latest" loaded just before */
    int64_t bad_read, bad_latest; /* the first of them */
};

static struct shared *sh;
static long mono_iters;

static int64_t mono_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts))
        fail("clock_gettime(CLOCK_MONOTONIC): %s", strerror(errno));
    return ts_ns(&ts);
}

static void raise_latest(int64_t t)
{
    int64_t cur = __atomic_load_n(&sh->latest, __ATOMIC_RELAXED);
    while (cur < t && !__atomic_compare_exchange_n(&sh->latest, &cur, t, 1,
                                                   __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        ;
}

/* The load happens before the clock read (acquire; the vDSO orders its
 * rdtsc after earlier loads), and whoever stored v read its clock before
 * the store: a monotonic clock gives t >= v, on any CPU, in any process. */
static void mono_worker(void)
{
    while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
        sched_yield();
    for (long i = 0; i < mono_iters; i++) {
        int64_t v = __atomic_load_n(&sh->latest, __ATOMIC_ACQUIRE);
        int64_t t = mono_ns();
        if (t < v && __atomic_fetch_add(&sh->inversions, 1, __ATOMIC_RELAXED) == 0) {
            sh->bad_read = t;
            sh->bad_latest = v;
        }
        raise_latest(t);
    }
}

static void *mono_thread(void *arg)
{
    (void)arg;
    mono_worker();
    return NULL;
}

static void wait_ok(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            fail("waitpid: %s", strerror(errno));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("monotonic: a child worker failed (wait status %#x)", st);
}

/* A child must not outlive a parent that died before releasing the
 * workers: it would wait for sh->go for ever. */
static void child_worker(pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
        _exit(1);
    mono_worker();
    _exit(0);
}

/* Workers in 2 children and 4 threads, all released at once by sh->go. */
static void run_mono_workers(void)
{
    pid_t kids[MONO_CHILDREN];
    pthread_t threads[MONO_THREADS];
    pid_t parent = getpid();
    fflush(stdout); /* the children must not print our buffer again */
    for (int i = 0; i < MONO_CHILDREN; i++) {
        kids[i] = fork();
        if (kids[i] < 0)
            fail("fork: %s", strerror(errno));
        if (kids[i] == 0)
            child_worker(parent);
    }
    for (int i = 0; i < MONO_THREADS; i++) {
        int err = pthread_create(&threads[i], NULL, mono_thread, NULL);
        if (err)
            fail("pthread_create: %s", strerror(err));
    }
    __atomic_store_n(&sh->go, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < MONO_THREADS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < MONO_CHILDREN; i++)
        wait_ok(kids[i]);
}

/* Hands the last reading to a new image of this program: the clock must
 * not restart or go back across an execve (a new VM under hyperloupe). */
static void exec_after(char *argv0)
{
    int64_t now = mono_ns();
    char ns[32];
    if (now < sh->latest)
        fail("monotonic: %lld ns read after the workers' %lld ns",
             (long long)now, (long long)sh->latest);
    snprintf(ns, sizeof(ns), "%lld", (long long)now);
    char *args[] = {argv0, "after-exec", ns, NULL};
    fflush(stdout);
    execv("/proc/self/exe", args);
    fail("execv /proc/self/exe: %s", strerror(errno));
}

static void mode_monotonic(char *argv0)
{
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    /* Without a vDSO (--no-vdso) each reading is a trapped system call, at
     * ~0.2 ms: fewer of them keep the test within seconds. */
    mono_iters = getauxval(AT_SYSINFO_EHDR) ? 20000 : 2000;
    run_mono_workers();
    if (sh->inversions)
        fail("CLOCK_MONOTONIC went back %lld times; first: %lld ns read after "
             "another worker had read %lld ns", (long long)sh->inversions,
             (long long)sh->bad_read, (long long)sh->bad_latest);
    printf("monotonic: %d threads and %d processes: ok\n", MONO_THREADS, MONO_CHILDREN);
    exec_after(argv0);
}

static long parse_num(const char *what, const char *s)
{
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno || end == s || *end || n < 0)
        fail("%s: not a non-negative number: '%s'", what, s);
    return (long)n;
}

static void mode_after_exec(const char *arg)
{
    int64_t before = parse_num("after-exec", arg);
    int64_t now = mono_ns();
    if (now < before)
        fail("monotonic: %lld ns after execve, %lld ns before it",
             (long long)now, (long long)before);
    printf("monotonic: across execve: ok\n");
}

/* ------------------------------------------------------------------- loop */
/* The clocks the x86-64 vDSO serves itself (the others are syscalls). */
static const clockid_t vdso_clocks[] = {
    CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
    CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI,
};
#define N_VDSO_CLOCKS (sizeof(vdso_clocks) / sizeof(vdso_clocks[0]))

static void mode_loop(long n)
{
    struct timespec ts;
    struct timeval tv;
    unsigned cpu, node;
    for (long i = 0; i < n; i++) {
        for (size_t k = 0; k < N_VDSO_CLOCKS; k++)
            if (clock_gettime(vdso_clocks[k], &ts))
                fail("clock_gettime(%d): %s", (int)vdso_clocks[k], strerror(errno));
        if (gettimeofday(&tv, NULL))
            fail("gettimeofday: %s", strerror(errno));
        if (time(NULL) == (time_t)-1)
            fail("time: %s", strerror(errno));
        if (libc_getcpu(&cpu, &node))
            fail("getcpu: %s", strerror(errno));
    }
    printf("loop: %ld rounds of clock_gettime (%zu clocks), gettimeofday, time, "
           "getcpu: ok\n", n, N_VDSO_CLOCKS);
}

/* ------------------------------------------------------------------- main */
int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (argc == 2 && strcmp(mode, "agree") == 0) {
        mode_agree();
    } else if (argc == 2 && strcmp(mode, "monotonic") == 0) {
        mode_monotonic(argv[0]);
    } else if (argc == 2 && strcmp(mode, "all") == 0) {
        mode_agree();
        mode_monotonic(argv[0]);
    } else if (argc == 3 && strcmp(mode, "loop") == 0) {
        mode_loop(parse_num("loop", argv[2]));
    } else if (argc == 3 && strcmp(mode, "after-exec") == 0) {
        mode_after_exec(argv[2]);
    } else {
        fprintf(stderr, "usage: timecalls agree|monotonic|all|loop N\n");
        return 2;
    }
    return 0;
}
