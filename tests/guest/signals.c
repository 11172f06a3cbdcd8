/* signals MODE: signal delivery, for the e2e tests of a guest's signal
 * handling (rt_sigaction, rt_sigprocmask, rt_sigreturn, signal frames and the
 * FPU state in them, faults turned into signals, timers, signalfd, ...).
 * Only deterministic facts are printed: signal numbers, si_code names,
 * counts, and yes/no for anything that involves a pid or an address. Where a
 * signal comes from a timer, the program waits for it by an event (a count,
 * sigsuspend) rather than for a fixed time, so slow runs print the same.
 * Built with -O0 so every fault is the fault we wrote.
 *
 *   siginfo    SA_SIGINFO for kill (SI_USER), raise (SI_TKILL), sigqueue
 *              (SI_QUEUE + value); sigaction on SIGKILL/SIGSTOP fails
 *   restart    read() on a pipe interrupted by alarm() without SA_RESTART
 *              (EINTR), and with SA_RESTART by a setitimer timer (restarted,
 *              gets the data a child writes after the 3rd signal); nanosleep
 *              is never restarted
 *   altstack   sigaltstack: SA_ONSTACK handler runs on it (SS_ONSTACK,
 *              EPERM when changing it there); recovery from a stack overflow
 *   segv       SIGSEGV + siglongjmp: NULL write (SEGV_MAPERR, si_addr NULL),
 *              read-only page (SEGV_ACCERR), unmapped page, PROT_NONE,
 *              executing a non-executable page, non-canonical address (#GP)
 *   bus        SIGBUS from a memfd mapping beyond the end of the file
 *   fpe        SIGFPE: 1/0 and INT_MIN/-1 (FPE_INTDIV), unmasked SSE division
 *              by zero (FPE_FLTDIV)
 *   ill        SIGILL from ud2 (ILL_ILLOPN, si_addr); resuming after the ud2
 *              by advancing RIP in the ucontext
 *   trap       int3: SIGTRAP (SI_KERNEL), resumes after it
 *   privileged hlt, cli, in, out, mov to/from %cr0 in user mode: SIGSEGV
 *              (SI_KERNEL)
 *   sigchld    SIGCHLD handler counting killed/exited/stopped children;
 *              SA_NOCLDSTOP; SIGCHLD ignored means no zombies (ECHILD)
 *   mask       sigprocmask block + sigpending + unblock delivers; standard
 *              signals coalesce (per thread and per process: raise + kill
 *              give 2), real-time ones queue (in order); delivery
 *              order lowest first; SIGKILL cannot be blocked; SIG_IGN
 *              discards a pending signal
 *   timedwait  sigtimedwait/sigwaitinfo on blocked signals (raise, sigqueue,
 *              a child's kill), EAGAIN on timeout
 *   signalfd   signalfd for blocked signals: EAGAIN, poll, siginfo fields
 *   timer      timer_create(CLOCK_MONOTONIC, SIGEV_SIGNAL) one-shot and
 *              periodic, CLOCK_REALTIME absolute, SIGEV_NONE; setitimer
 *   sigsuspend sigsuspend woken by a child's kill; mask restored
 *   fpu        x87/SSE/AVX(/AVX-512) registers and MXCSR/x87 control word
 *              preserved across handlers that clobber them, from a timer
 *   nested     a handler raising another signal (nested or deferred by
 *              sa_mask), SA_NODEFER recursion, SA_RESETHAND
 *   sigpipe    writing to a pipe without readers: killed / EPIPE / handler
 *   all        all of the above, in that order
 *   term       block SIGTERM, raise it, unblock: killed by SIGTERM (143)
 */
#include <errno.h>
#include <fenv.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "signals: %s: %s\n", what, strerror(errno));
    exit(1);
}

static const char *yesno(int b) { return b ? "yes" : "no"; }

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EINTR: return "EINTR";
    case EAGAIN: return "EAGAIN";
    case EINVAL: return "EINVAL";
    case EPERM: return "EPERM";
    case EPIPE: return "EPIPE";
    case ECHILD: return "ECHILD";
    default: return "other errno";
    }
}

static const char *signame(int s)
{
    static char buf[32];
    switch (s) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGCHLD: return "SIGCHLD";
    case SIGCONT: return "SIGCONT";
    case SIGSTOP: return "SIGSTOP";
    }
    if (s >= SIGRTMIN && s <= SIGRTMAX) {
        snprintf(buf, sizeof(buf), "SIGRTMIN+%d", s - SIGRTMIN);
        return buf;
    }
    snprintf(buf, sizeof(buf), "signal %d", s);
    return buf;
}

static const char *codename(int sig, int code)
{
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TIMER: return "SI_TIMER";
    case SI_TKILL: return "SI_TKILL";
    case SI_KERNEL: return "SI_KERNEL";
    case SI_MESGQ: return "SI_MESGQ";
    case SI_ASYNCIO: return "SI_ASYNCIO";
    }
    switch (sig) {
    case SIGSEGV:
        return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "SEGV_?";
    case SIGBUS:
        return code == BUS_ADRALN ? "BUS_ADRALN" : code == BUS_ADRERR ? "BUS_ADRERR" : "BUS_?";
    case SIGFPE:
        return code == FPE_INTDIV ? "FPE_INTDIV" : code == FPE_FLTDIV ? "FPE_FLTDIV"
             : code == FPE_INTOVF ? "FPE_INTOVF" : "FPE_?";
    case SIGILL:
        return code == ILL_ILLOPN ? "ILL_ILLOPN" : code == ILL_ILLOPC ? "ILL_ILLOPC"
             : code == ILL_PRVOPC ? "ILL_PRVOPC" : "ILL_?";
    case SIGTRAP:
        return code == TRAP_BRKPT ? "TRAP_BRKPT" : code == TRAP_TRACE ? "TRAP_TRACE" : "TRAP_?";
    case SIGCHLD:
        return code == CLD_EXITED ? "CLD_EXITED" : code == CLD_KILLED ? "CLD_KILLED"
             : code == CLD_DUMPED ? "CLD_DUMPED" : code == CLD_STOPPED ? "CLD_STOPPED"
             : code == CLD_CONTINUED ? "CLD_CONTINUED" : "CLD_?";
    }
    return "?";
}

static const char *describe(int st)
{
    static char buf[64];
    if (WIFEXITED(st))
        snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, sizeof(buf), "killed by %s", signame(WTERMSIG(st)));
    else
        snprintf(buf, sizeof(buf), "status 0x%x", st);
    return buf;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags, const sigset_t *mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    if (mask)
        sa.sa_mask = *mask;
    else
        sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        die("sigaction");
}

static void set_default(int sig)
{
    signal(sig, SIG_DFL);
}

static void block(int sig, int how)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    if (sigprocmask(how, &s, NULL) != 0)
        die("sigprocmask");
}

static int is_blocked(int sig)
{
    sigset_t s;
    sigprocmask(SIG_SETMASK, NULL, &s);
    return sigismember(&s, sig);
}

static int is_pending(int sig)
{
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, sig);
}

static pid_t xfork(void)
{
    fflush(stdout);
    fflush(stderr);
    pid_t p = fork();
    if (p < 0)
        die("fork");
    return p;
}

static int xwaitpid(pid_t pid, int flags)
{
    int st;
    while (waitpid(pid, &st, flags) < 0)
        if (errno != EINTR)
            die("waitpid");
    return st;
}

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The last siginfo a recording handler saw, and how many it saw. */
static siginfo_t last_si;
static volatile sig_atomic_t hits;
static volatile int last_ucontext_ok;

static void record(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    last_si = *si;
    last_ucontext_ok = uc != NULL;
    hits++;
}

/* ---------------------------------------------------------------- siginfo */
static void print_last(const char *what)
{
    printf("siginfo: %s: hits=%d si_signo=%s si_code=%s si_pid is self=%s si_uid is ours=%s ucontext=%s\n",
           what, (int)hits, signame(last_si.si_signo), codename(last_si.si_signo, last_si.si_code),
           yesno(last_si.si_pid == getpid()), yesno(last_si.si_uid == getuid()), yesno(last_ucontext_ok));
}

static void mode_siginfo(void)
{
    install(SIGUSR1, record, 0, NULL);
    install(SIGRTMIN + 3, record, 0, NULL);
    hits = 0;
    kill(getpid(), SIGUSR1); /* delivered before kill returns */
    print_last("kill(getpid(), SIGUSR1)");
    raise(SIGUSR1);
    print_last("raise(SIGUSR1)");
    union sigval v = { .sival_int = 1234 };
    sigqueue(getpid(), SIGUSR1, v);
    print_last("sigqueue(SIGUSR1, 1234)");
    printf("siginfo: si_value=%d\n", last_si.si_value.sival_int);
    v.sival_int = -77;
    sigqueue(getpid(), SIGRTMIN + 3, v);
    print_last("sigqueue(SIGRTMIN+3, -77)");
    printf("siginfo: si_value=%d\n", last_si.si_value.sival_int);

    struct sigaction old;
    sigaction(SIGUSR1, NULL, &old);
    printf("siginfo: sigaction reports SA_SIGINFO: %s, the handler: %s\n",
           yesno(old.sa_flags & SA_SIGINFO), yesno(old.sa_sigaction == record));
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    errno = 0;
    int r1 = sigaction(SIGKILL, &sa, NULL);
    int e1 = errno;
    errno = 0;
    int r2 = sigaction(SIGSTOP, &sa, NULL);
    int e2 = errno;
    errno = 0;
    int r3 = sigaction(65, &sa, NULL);
    int e3 = errno;
    printf("siginfo: sigaction(SIGKILL)=%d %s, sigaction(SIGSTOP)=%d %s, sigaction(65)=%d %s\n",
           r1, errname(e1), r2, errname(e2), r3, errname(e3));
    set_default(SIGUSR1);
    set_default(SIGRTMIN + 3);
}

/* ---------------------------------------------------------------- restart */
static volatile sig_atomic_t alarms;
static int go_fd = -1;

static void alarm_rearm(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    alarms++;
    alarm(1); /* in case it came before read() blocked */
}

static void alarm_tell_child(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    alarms++;
    int saved = errno;
    if (write(go_fd, "t", 1) < 0) {
    }
    errno = saved;
}

static void mode_restart(void)
{
    int p[2];
    char buf[16];
    if (pipe(p) != 0)
        die("pipe");

    /* 1. no SA_RESTART: the blocked read fails with EINTR */
    install(SIGALRM, alarm_rearm, 0, NULL);
    alarms = 0;
    alarm(1);
    errno = 0;
    ssize_t n = read(p[0], buf, sizeof(buf));
    int e = errno;
    alarm(0);
    printf("restart: read without SA_RESTART, alarm(1): returned %d %s, handler ran: %s\n",
           (int)n, errname(e), yesno(alarms > 0));

    /* 2. SA_RESTART: every timer signal is handled, the read goes on and gets
     * the data a child writes after it was told of the third signal */
    int go[2];
    if (pipe(go) != 0)
        die("pipe");
    pid_t child = xfork();
    if (child == 0) {
        char c;
        close(go[1]);
        for (int i = 0; i < 3; i++)
            if (read(go[0], &c, 1) != 1)
                _exit(1);
        if (write(p[1], "data", 4) != 4)
            _exit(2);
        _exit(0);
    }
    close(go[0]);
    go_fd = go[1];
    install(SIGALRM, alarm_tell_child, SA_RESTART, NULL);
    alarms = 0;
    struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    errno = 0;
    n = read(p[0], buf, sizeof(buf));
    e = errno;
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    buf[n > 0 ? n : 0] = 0;
    printf("restart: read with SA_RESTART, 20ms setitimer: returned %d '%s' %s, handler ran >= 3 times: %s\n",
           (int)n, buf, errname(n < 0 ? e : 0), yesno(alarms >= 3));
    printf("restart: child %s\n", describe(xwaitpid(child, 0)));
    close(go[1]);

    /* 3. nanosleep is not restarted, even with SA_RESTART; it reports the rest */
    install(SIGALRM, alarm_rearm, SA_RESTART, NULL);
    struct itimerval once = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &once, NULL);
    struct timespec req = { 20, 0 }, rem = { 0, 0 };
    errno = 0;
    int r = nanosleep(&req, &rem);
    e = errno;
    alarm(0);
    printf("restart: nanosleep(20s) with SA_RESTART: %d %s, remaining time > 10s: %s\n",
           r, errname(e), yesno(rem.tv_sec >= 10));
    set_default(SIGALRM);
    close(p[0]);
    close(p[1]);
}

/* --------------------------------------------------------------- altstack */
#define ALT_SIZE (256 * 1024)
static char *alt_base;
static volatile int on_alt, ss_onstack, change_errno;
static sigjmp_buf jb;

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    char local;
    on_alt = &local >= alt_base && &local < alt_base + ALT_SIZE;
    stack_t cur;
    sigaltstack(NULL, &cur);
    ss_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
    stack_t other = { .ss_sp = alt_base, .ss_size = ALT_SIZE, .ss_flags = 0 };
    errno = 0;
    sigaltstack(&other, NULL);
    change_errno = errno;
}

static void overflow_handler(int sig, siginfo_t *si, void *uc)
{
    (void)si, (void)uc;
    char local;
    on_alt = &local >= alt_base && &local < alt_base + ALT_SIZE;
    hits = sig;
    siglongjmp(jb, 1);
}

static volatile long depth;
static volatile long depth_limit = LONG_MAX; /* the compiler cannot see the end */

static long recurse(long n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    depth = n;
    if (n >= depth_limit)
        return 0;
    return recurse(n + 1) + frame[0]; /* not a tail call */
}

static void mode_altstack(void)
{
    alt_base = malloc(ALT_SIZE);
    if (!alt_base)
        die("malloc");
    stack_t ss = { .ss_sp = alt_base, .ss_size = ALT_SIZE, .ss_flags = 0 }, old;
    if (sigaltstack(&ss, &old) != 0)
        die("sigaltstack");
    printf("altstack: none before: %s\n", yesno(old.ss_flags & SS_DISABLE));
    stack_t cur;
    sigaltstack(NULL, &cur);
    printf("altstack: installed: size matches %s, not on it now: %s\n",
           yesno(cur.ss_size == ALT_SIZE && cur.ss_sp == alt_base), yesno(!(cur.ss_flags & SS_ONSTACK)));

    install(SIGUSR2, alt_handler, SA_ONSTACK, NULL);
    raise(SIGUSR2);
    printf("altstack: SA_ONSTACK handler: on the alternate stack: %s, SS_ONSTACK: %s, "
           "changing it there: %s\n", yesno(on_alt), yesno(ss_onstack), errname(change_errno));
    install(SIGUSR2, alt_handler, 0, NULL);
    raise(SIGUSR2);
    printf("altstack: handler without SA_ONSTACK: on the alternate stack: %s, SS_ONSTACK: %s\n",
           yesno(on_alt), yesno(ss_onstack));
    set_default(SIGUSR2);

    stack_t too_small = { .ss_sp = alt_base, .ss_size = 512, .ss_flags = 0 };
    errno = 0;
    int r = sigaltstack(&too_small, NULL);
    printf("altstack: a 512-byte stack: %d %s\n", r, r ? (errno == ENOMEM ? "ENOMEM" : errname(errno)) : "");

    install(SIGSEGV, overflow_handler, SA_ONSTACK, NULL);
    hits = 0;
    on_alt = 0;
    if (sigsetjmp(jb, 1) == 0) {
        recurse(0);
        printf("altstack: the recursion returned?!\n");
    }
    printf("altstack: stack overflow: %s caught on the alternate stack: %s, deep: %s\n",
           signame(hits), yesno(on_alt), yesno(depth > 1000));
    set_default(SIGSEGV);
    stack_t dis = { .ss_flags = SS_DISABLE };
    sigaltstack(&dis, NULL);
    sigaltstack(NULL, &cur);
    printf("altstack: disabled again: %s\n", yesno(cur.ss_flags & SS_DISABLE));
}

/* ------------------------------------------------------------ faults: segv */
static void fault_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    last_si = *si;
    hits++;
    siglongjmp(jb, 1);
}

/* run fn under a siglongjmp-ing handler for SIG; print what was caught */
static void *expect_addr;
static void fault(const char *mode, const char *what, int sig, void (*fn)(void))
{
    install(sig, fault_handler, 0, NULL);
    memset(&last_si, 0, sizeof(last_si));
    hits = 0;
    if (sigsetjmp(jb, 1) == 0) {
        fn();
        printf("%s: %s: no signal\n", mode, what);
    } else {
        printf("%s: %s: %s %s si_addr %s\n", mode, what, signame(last_si.si_signo),
               codename(last_si.si_signo, last_si.si_code),
               last_si.si_addr == NULL ? "NULL"
               : last_si.si_addr == expect_addr ? "is the address" : "is another address");
    }
    set_default(sig);
}

static volatile long sink;
static volatile char *volatile target_ptr;

static void write_null(void)
{
    int *volatile p = NULL;
    *p = 1;
}
static void write_target(void) { *target_ptr = 1; }
static void read_target(void) { sink = *target_ptr; }
static void call_target(void) { ((void (*)(void))(uintptr_t)target_ptr)(); }

static void mode_segv(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    expect_addr = NULL;
    fault("segv", "write to NULL", SIGSEGV, write_null);
    printf("segv: after siglongjmp, SIGSEGV blocked: %s\n", yesno(is_blocked(SIGSEGV)));

    char *ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *gone = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *data = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ro == MAP_FAILED || gone == MAP_FAILED || none == MAP_FAILED || data == MAP_FAILED)
        die("mmap");
    munmap(gone, pg);
    data[0] = (char)0xc3; /* ret */

    target_ptr = ro + 8;
    expect_addr = ro + 8;
    fault("segv", "write to a read-only page", SIGSEGV, write_target);
    target_ptr = gone + 0x123;
    expect_addr = gone + 0x123;
    fault("segv", "read from an unmapped page", SIGSEGV, read_target);
    target_ptr = none + 5;
    expect_addr = none + 5;
    fault("segv", "read from a PROT_NONE page", SIGSEGV, read_target);
    target_ptr = data;
    expect_addr = data;
    fault("segv", "call into a non-executable page", SIGSEGV, call_target);
    target_ptr = (char *)0x8000000000000000ULL; /* non-canonical: #GP */
    expect_addr = NULL;
    fault("segv", "read from a non-canonical address", SIGSEGV, read_target);
    if (mprotect(data, pg, PROT_READ | PROT_EXEC) != 0)
        die("mprotect");
    target_ptr = data;
    call_target(); /* now it is just a ret */
    printf("segv: the same page after mprotect(PROT_EXEC) runs\n");
    munmap(ro, pg);
    munmap(none, pg);
    munmap(data, pg);
}

/* -------------------------------------------------------------------- bus */
static void mode_bus(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    int fd = memfd_create("hl-signals-bus", MFD_CLOEXEC);
    if (fd < 0)
        die("memfd_create");
    if (ftruncate(fd, 16) != 0)
        die("ftruncate");
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        die("mmap");
    m[0] = 'x'; /* inside the file's first page: fine */
    target_ptr = m + pg + 4; /* a page wholly beyond the end of the file */
    expect_addr = m + pg + 4;
    fault("bus", "read beyond the end of a mapped file", SIGBUS, read_target);
    munmap(m, 2 * pg);
    close(fd);
}

/* -------------------------------------------------------------------- fpe */
static volatile int vi_one = 1, vi_zero = 0, vi_min = INT_MIN, vi_minus1 = -1;
static volatile long vl_one = 1, vl_zero = 0;
static volatile double vd_one = 1.0, vd_zero = 0.0, vd_result;

static void int_div_zero(void) { sink = vi_one / vi_zero; }
static void int_overflow(void) { sink = vi_min / vi_minus1; }
static void long_mod_zero(void) { sink = vl_one % vl_zero; }
static void sse_div_zero(void)
{
    feenableexcept(FE_DIVBYZERO);
    vd_result = vd_one / vd_zero;
}

static void mode_fpe(void)
{
    expect_addr = NULL;
    fault("fpe", "int 1 / 0", SIGFPE, int_div_zero);
    fault("fpe", "int INT_MIN / -1", SIGFPE, int_overflow);
    fault("fpe", "long 1 % 0", SIGFPE, long_mod_zero);
    vd_result = vd_one / vd_zero;
    printf("fpe: double 1.0 / 0.0 with exceptions masked: %s, no signal\n",
           vd_result > 1e308 ? "inf" : "not inf");
    feclearexcept(FE_ALL_EXCEPT);
    fault("fpe", "double 1.0 / 0.0 after feenableexcept(FE_DIVBYZERO)", SIGFPE, sse_div_zero);
    /* the handler started with a clean FPU state and siglongjmp does not
     * restore the interrupted one */
    printf("fpe: exceptions enabled after siglongjmp: 0x%x\n", fegetexcept());
    fedisableexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
}

/* -------------------------------------------------------------------- ill */
static void *volatile ud2_site;

static void run_ud2(void)
{
    __asm__ volatile("lea 1f(%%rip), %%rax\n\t"
                     "mov %%rax, %0\n"
                     "1:\tud2\n"
                     : "=m"(ud2_site)
                     :
                     : "rax", "memory");
}

static void skip_ud2(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    last_si = *si;
    hits++;
    uc->uc_mcontext.gregs[REG_RIP] += 2; /* resume after the ud2 */
}

static void mode_ill(void)
{
    install(SIGILL, fault_handler, 0, NULL);
    hits = 0;
    if (sigsetjmp(jb, 1) == 0) {
        run_ud2();
        printf("ill: ud2: no signal\n");
    } else {
        printf("ill: ud2: %s %s, si_addr is the ud2: %s\n", signame(last_si.si_signo),
               codename(last_si.si_signo, last_si.si_code), yesno(last_si.si_addr == ud2_site));
    }
    install(SIGILL, skip_ud2, 0, NULL);
    hits = 0;
    run_ud2();
    run_ud2();
    printf("ill: resumed after ud2 twice by advancing RIP in the ucontext: hits=%d %s\n",
           (int)hits, codename(last_si.si_signo, last_si.si_code));
    set_default(SIGILL);
}

/* ------------------------------------------------------------------- trap */
static void *volatile after_int3;
static volatile uintptr_t trap_rip;

static void trap_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    last_si = *si;
    trap_rip = uc->uc_mcontext.gregs[REG_RIP];
    hits++;
}

static void mode_trap(void)
{
    install(SIGTRAP, trap_handler, 0, NULL);
    hits = 0;
    __asm__ volatile("lea 1f(%%rip), %%rax\n\t"
                     "mov %%rax, %0\n\t"
                     "int3\n"
                     "1:\n"
                     : "=m"(after_int3)
                     :
                     : "rax", "memory");
    printf("trap: int3: hits=%d %s %s, RIP in the ucontext is after the int3: %s\n", (int)hits,
           signame(last_si.si_signo), codename(last_si.si_signo, last_si.si_code),
           yesno(trap_rip == (uintptr_t)after_int3));
    set_default(SIGTRAP);
}

/* ------------------------------------------------------------- privileged */
static void do_hlt(void) { __asm__ volatile("hlt"); }
static void do_cli(void) { __asm__ volatile("cli"); }
static void do_inb(void) { __asm__ volatile("mov $0x80, %%dx\n\tinb %%dx, %%al" ::: "rax", "rdx"); }
static void do_outb(void) { __asm__ volatile("mov $0x80, %%dx\n\toutb %%al, %%dx" ::: "rdx"); }
static void do_read_cr0(void) { __asm__ volatile("mov %%cr0, %%rax" ::: "rax"); }
static void do_write_cr3(void) { __asm__ volatile("xor %%eax, %%eax\n\tmov %%rax, %%cr3" ::: "rax"); }

static void mode_privileged(void)
{
    expect_addr = NULL;
    fault("privileged", "hlt", SIGSEGV, do_hlt);
    fault("privileged", "cli", SIGSEGV, do_cli);
    fault("privileged", "inb $0x80", SIGSEGV, do_inb);
    fault("privileged", "outb $0x80", SIGSEGV, do_outb);
    fault("privileged", "mov %cr0, %rax", SIGSEGV, do_read_cr0);
    fault("privileged", "mov %rax, %cr3", SIGSEGV, do_write_cr3);
}

/* ---------------------------------------------------------------- sigchld */
static siginfo_t chld_si[8];
static volatile sig_atomic_t chld_count;

static void chld_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    if (chld_count < 8)
        chld_si[chld_count] = *si;
    chld_count++;
}

static void wait_for_chld(int n, const sigset_t *unblocked)
{
    while (chld_count < n)
        sigsuspend(unblocked);
}

static void print_chld(int i, pid_t pid)
{
    siginfo_t *si = &chld_si[i];
    printf("sigchld: #%d: %s %s si_pid is the child: %s si_status=", i + 1, signame(si->si_signo),
           codename(SIGCHLD, si->si_code), yesno(si->si_pid == pid));
    if (si->si_code == CLD_EXITED)
        printf("%d\n", si->si_status);
    else
        printf("%s\n", signame(si->si_status));
}

static void mode_sigchld(void)
{
    sigset_t orig, unblocked;
    block(SIGCHLD, SIG_BLOCK);
    sigprocmask(SIG_SETMASK, NULL, &orig);
    unblocked = orig;
    sigdelset(&unblocked, SIGCHLD);
    install(SIGCHLD, chld_handler, SA_RESTART, NULL);
    chld_count = 0;

    for (int i = 0; i < 3; i++) {
        pid_t p = xfork();
        if (p == 0)
            for (;;)
                pause();
        kill(p, SIGTERM);
        wait_for_chld(i + 1, &unblocked);
        int st = xwaitpid(p, 0);
        print_chld(i, p);
        printf("sigchld: child %d %s, handler count %d\n", i, describe(st), (int)chld_count);
    }
    pid_t p = xfork();
    if (p == 0)
        _exit(7);
    wait_for_chld(4, &unblocked);
    xwaitpid(p, 0);
    print_chld(3, p);

    /* a stopped child sends SIGCHLD, unless SA_NOCLDSTOP */
    p = xfork();
    if (p == 0)
        for (;;)
            pause();
    kill(p, SIGSTOP);
    wait_for_chld(5, &unblocked);
    print_chld(4, p);
    xwaitpid(p, WUNTRACED);
    install(SIGCHLD, chld_handler, SA_RESTART | SA_NOCLDSTOP, NULL);
    kill(p, SIGCONT);
    kill(p, SIGSTOP);
    xwaitpid(p, WUNTRACED);
    printf("sigchld: with SA_NOCLDSTOP, SIGCHLD pending after a stop: %s\n", yesno(is_pending(SIGCHLD)));
    kill(p, SIGKILL);
    xwaitpid(p, 0);
    sigprocmask(SIG_SETMASK, &unblocked, NULL); /* deliver what is pending */
    sigprocmask(SIG_SETMASK, &orig, NULL);
    printf("sigchld: handler count %d\n", (int)chld_count);

    /* SIGCHLD ignored: children are reaped at once, wait() has nothing */
    signal(SIGCHLD, SIG_IGN);
    for (int i = 0; i < 3; i++) {
        p = xfork();
        if (p == 0)
            _exit(i);
    }
    int st;
    errno = 0;
    pid_t r = wait(&st); /* returns when all are gone */
    printf("sigchld: SIGCHLD ignored: wait() = %d %s\n", (int)r, errname(errno));
    set_default(SIGCHLD);
    block(SIGCHLD, SIG_UNBLOCK);
}

/* ------------------------------------------------------------------- mask */
static char order[256];
static volatile int rt_values[8];
static volatile sig_atomic_t rt_count, usr1_count;

static void append(const char *s)
{
    size_t len = strlen(order);
    snprintf(order + len, sizeof(order) - len, "%s%s", len ? " " : "", s);
}

static void order_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (sig == SIGUSR1)
        usr1_count++;
    if (sig == SIGRTMIN + 5 && rt_count < 8)
        rt_values[rt_count++] = si->si_value.sival_int;
    append(signame(sig));
}

static void mode_mask(void)
{
    sigset_t all;
    sigfillset(&all);
    install(SIGUSR1, order_handler, 0, &all);
    install(SIGUSR2, order_handler, 0, &all);
    install(SIGRTMIN, order_handler, 0, &all);
    install(SIGRTMIN + 1, order_handler, 0, &all);
    install(SIGRTMIN + 5, order_handler, 0, &all);

    block(SIGUSR1, SIG_BLOCK);
    usr1_count = 0;
    raise(SIGUSR1);
    printf("mask: SIGUSR1 blocked and raised: handled=%d pending=%s\n", (int)usr1_count,
           yesno(is_pending(SIGUSR1)));
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    /* 2, not 1: raise (tgkill) pends it for the thread, kill for the process,
     * and each of the two pending sets holds one SIGUSR1 */
    block(SIGUSR1, SIG_UNBLOCK);
    printf("mask: raised three times, unblocked: handled=%d pending=%s\n", (int)usr1_count,
           yesno(is_pending(SIGUSR1)));

    block(SIGRTMIN + 5, SIG_BLOCK);
    for (int i = 1; i <= 4; i++)
        sigqueue(getpid(), SIGRTMIN + 5, (union sigval){ .sival_int = i * 11 });
    printf("mask: SIGRTMIN+5 queued 4 times while blocked: handled=%d\n", (int)rt_count);
    block(SIGRTMIN + 5, SIG_UNBLOCK);
    printf("mask: unblocked: handled=%d values=%d %d %d %d\n", (int)rt_count, rt_values[0],
           rt_values[1], rt_values[2], rt_values[3]);

    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN);
    sigaddset(&s, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &s, &old);
    order[0] = 0;
    raise(SIGRTMIN + 1);
    raise(SIGUSR2);
    raise(SIGRTMIN);
    raise(SIGUSR1);
    printf("mask: raised SIGRTMIN+1 SIGUSR2 SIGRTMIN SIGUSR1 while blocked: handled '%s'\n", order);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("mask: delivery order after unblocking all: %s\n", order);

    sigprocmask(SIG_BLOCK, &all, &old);
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("mask: blocking everything: SIGKILL blocked %s, SIGSTOP blocked %s, SIGTERM blocked %s\n",
           yesno(sigismember(&cur, SIGKILL)), yesno(sigismember(&cur, SIGSTOP)),
           yesno(sigismember(&cur, SIGTERM)));
    sigprocmask(SIG_SETMASK, &old, NULL);

    block(SIGUSR2, SIG_BLOCK);
    raise(SIGUSR2);
    int before = is_pending(SIGUSR2);
    signal(SIGUSR2, SIG_IGN);
    printf("mask: pending SIGUSR2 %s, discarded by SIG_IGN: %s\n", yesno(before),
           yesno(!is_pending(SIGUSR2)));
    block(SIGUSR2, SIG_UNBLOCK);

    /* a blocked signal stays pending even when ignored (the disposition may
     * change before it is unblocked) */
    block(SIGUSR2, SIG_BLOCK);
    raise(SIGUSR2);
    printf("mask: ignored SIGUSR2 raised while blocked: pending %s\n", yesno(is_pending(SIGUSR2)));
    block(SIGUSR2, SIG_UNBLOCK);

    set_default(SIGUSR1);
    set_default(SIGUSR2);
    set_default(SIGRTMIN);
    set_default(SIGRTMIN + 1);
    set_default(SIGRTMIN + 5);
}

/* -------------------------------------------------------------- timedwait */
static void mode_timedwait(void)
{
    sigset_t s;
    siginfo_t si;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &s, NULL);

    raise(SIGUSR2); /* tgkill: SI_TKILL, which glibc's sigtimedwait reports as SI_USER */
    struct timespec ts = { 5, 0 };
    int r = sigtimedwait(&s, &si, &ts);
    printf("timedwait: raise then sigtimedwait: %s %s, pending after: %s\n", signame(r),
           codename(si.si_signo, si.si_code), yesno(is_pending(SIGUSR2)));

    sigqueue(getpid(), SIGRTMIN + 2, (union sigval){ .sival_int = 99 });
    r = sigwaitinfo(&s, &si);
    printf("timedwait: sigqueue then sigwaitinfo: %s %s value=%d\n", signame(r),
           codename(si.si_signo, si.si_code), si.si_value.sival_int);

    struct timespec short_ts = { 0, 30 * 1000000L };
    long t0 = now_ms();
    errno = 0;
    r = sigtimedwait(&s, &si, &short_ts);
    int e = errno;
    long waited = now_ms() - t0;
    printf("timedwait: nothing pending, 30ms: %d %s, waited >= 29ms: %s\n", r, errname(e),
           yesno(waited >= 29));
    struct timespec zero = { 0, 0 };
    errno = 0;
    r = sigtimedwait(&s, &si, &zero);
    printf("timedwait: nothing pending, zero timeout: %d %s\n", r, errname(errno));

    pid_t p = xfork();
    if (p == 0) {
        sleep_ms(10);
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    r = sigtimedwait(&s, &si, &ts);
    printf("timedwait: from a child's kill: %s %s si_pid is the child: %s\n", signame(r),
           codename(si.si_signo, si.si_code), yesno(si.si_pid == p));
    xwaitpid(p, 0);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* --------------------------------------------------------------- signalfd */
static void mode_signalfd(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN + 4);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int fd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        die("signalfd");
    struct signalfd_siginfo info[4];
    errno = 0;
    ssize_t n = read(fd, info, sizeof(info));
    printf("signalfd: nothing pending: read %d %s\n", (int)n, errname(errno));
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    printf("signalfd: poll before: %d\n", poll(&pfd, 1, 0));

    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR1);
    sigqueue(getpid(), SIGRTMIN + 4, (union sigval){ .sival_int = 4242 });
    pfd.revents = 0;
    int pr = poll(&pfd, 1, 1000);
    printf("signalfd: poll after kill: %d POLLIN=%s\n", pr, yesno(pfd.revents & POLLIN));
    n = read(fd, info, sizeof(info));
    printf("signalfd: read %d bytes = %d records\n", (int)n, (int)(n / (ssize_t)sizeof(info[0])));
    for (int i = 0; i < n / (ssize_t)sizeof(info[0]); i++)
        printf("signalfd:   %s %s ssi_pid is self=%s ssi_uid is ours=%s ssi_int=%d\n",
               signame(info[i].ssi_signo), codename(info[i].ssi_signo, info[i].ssi_code),
               yesno(info[i].ssi_pid == (uint32_t)getpid()), yesno(info[i].ssi_uid == getuid()),
               info[i].ssi_int);
    printf("signalfd: still pending: %s\n",
           yesno(is_pending(SIGUSR1) || is_pending(SIGUSR2) || is_pending(SIGRTMIN + 4)));

    /* blocking read, the signal comes from a child */
    int bfd = signalfd(-1, &s, SFD_CLOEXEC);
    if (bfd < 0)
        die("signalfd");
    pid_t p = xfork();
    if (p == 0) {
        sleep_ms(10);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    n = read(bfd, info, sizeof(info[0]));
    printf("signalfd: blocking read: %d bytes %s %s ssi_pid is the child: %s\n", (int)n,
           signame(info[0].ssi_signo), codename(info[0].ssi_signo, info[0].ssi_code),
           yesno(info[0].ssi_pid == (uint32_t)p));
    xwaitpid(p, 0);
    close(bfd);
    close(fd);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* ------------------------------------------------------------------ timer */
static void mode_timer(void)
{
    int sig = SIGRTMIN + 6;
    install(sig, record, 0, NULL);
    install(SIGALRM, record, 0, NULL);
    sigset_t blocked, waitmask;
    sigemptyset(&blocked);
    sigaddset(&blocked, sig);
    sigaddset(&blocked, SIGALRM);
    sigprocmask(SIG_BLOCK, &blocked, &waitmask);
    sigdelset(&waitmask, sig);
    sigdelset(&waitmask, SIGALRM);

    timer_t t;
    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = sig;
    sev.sigev_value.sival_int = 77;
    if (timer_create(CLOCK_MONOTONIC, &sev, &t) != 0)
        die("timer_create");
    struct itimerspec its = { { 0, 0 }, { 0, 30 * 1000000L } };
    hits = 0;
    long t0 = now_ms();
    if (timer_settime(t, 0, &its, NULL) != 0)
        die("timer_settime");
    struct itimerspec cur;
    timer_gettime(t, &cur);
    printf("timer: armed: %s\n", yesno(cur.it_value.tv_sec || cur.it_value.tv_nsec));
    while (hits == 0)
        sigsuspend(&waitmask);
    long waited = now_ms() - t0;
    printf("timer: one-shot CLOCK_MONOTONIC 30ms: hits=%d %s %s si_value=%d overrun=%d "
           "waited >= 29ms: %s\n", (int)hits, signame(last_si.si_signo),
           codename(last_si.si_signo, last_si.si_code), last_si.si_value.sival_int,
           last_si.si_overrun, yesno(waited >= 29));
    timer_gettime(t, &cur);
    printf("timer: disarmed after firing: %s\n", yesno(!cur.it_value.tv_sec && !cur.it_value.tv_nsec));

    struct itimerspec per = { { 0, 5 * 1000000L }, { 0, 5 * 1000000L } };
    hits = 0;
    timer_settime(t, 0, &per, NULL);
    while (hits < 5)
        sigsuspend(&waitmask);
    struct itimerspec off = { { 0, 0 }, { 0, 0 } };
    timer_settime(t, 0, &off, NULL);
    printf("timer: periodic 5ms: got %d signals, then disarmed\n", (int)hits);
    printf("timer: timer_delete: %d\n", timer_delete(t));

    sev.sigev_value.sival_int = 88;
    if (timer_create(CLOCK_REALTIME, &sev, &t) != 0)
        die("timer_create");
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    its.it_value = now;
    its.it_value.tv_nsec += 20 * 1000000L;
    if (its.it_value.tv_nsec >= 1000000000L) {
        its.it_value.tv_sec++;
        its.it_value.tv_nsec -= 1000000000L;
    }
    hits = 0;
    timer_settime(t, TIMER_ABSTIME, &its, NULL);
    while (hits == 0)
        sigsuspend(&waitmask);
    printf("timer: CLOCK_REALTIME absolute: %s si_value=%d\n",
           codename(last_si.si_signo, last_si.si_code), last_si.si_value.sival_int);
    timer_delete(t);

    sev.sigev_notify = SIGEV_NONE;
    if (timer_create(CLOCK_MONOTONIC, &sev, &t) != 0)
        die("timer_create");
    struct itimerspec ten = { { 0, 0 }, { 10, 0 } };
    timer_settime(t, 0, &ten, NULL);
    timer_gettime(t, &cur);
    printf("timer: SIGEV_NONE: remaining between 1s and 10s: %s\n",
           yesno(cur.it_value.tv_sec >= 1 && cur.it_value.tv_sec < 10));
    timer_delete(t);

    hits = 0;
    struct itimerval iv = { { 0, 0 }, { 0, 10000 } };
    setitimer(ITIMER_REAL, &iv, NULL);
    while (hits == 0)
        sigsuspend(&waitmask);
    printf("timer: setitimer(ITIMER_REAL): %s %s\n", signame(last_si.si_signo),
           codename(last_si.si_signo, last_si.si_code));
    sigprocmask(SIG_UNBLOCK, &blocked, NULL);
    set_default(sig);
    set_default(SIGALRM);
}

/* ------------------------------------------------------------- sigsuspend */
static volatile sig_atomic_t usr_hits;
static void count_handler(int sig) { (void)sig; usr_hits++; }

static void mode_sigsuspend(void)
{
    signal(SIGUSR1, count_handler);
    sigset_t orig, empty;
    block(SIGUSR1, SIG_BLOCK);
    sigprocmask(SIG_SETMASK, NULL, &orig);
    sigemptyset(&empty);
    usr_hits = 0;
    pid_t p = xfork();
    if (p == 0) {
        sleep_ms(10);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    errno = 0;
    int r = sigsuspend(&empty);
    printf("sigsuspend: woken by the child's SIGUSR1: %d %s, handled=%d, SIGUSR1 blocked again: %s\n",
           r, errname(errno), (int)usr_hits, yesno(is_blocked(SIGUSR1)));
    xwaitpid(p, 0);

    raise(SIGUSR1); /* pending before the call: returns at once */
    errno = 0;
    r = sigsuspend(&empty);
    printf("sigsuspend: with the signal already pending: %d %s, handled=%d\n", r, errname(errno),
           (int)usr_hits);
    block(SIGUSR1, SIG_UNBLOCK);

    signal(SIGALRM, count_handler);
    alarm(1);
    r = pause();
    printf("sigsuspend: pause() woken by alarm(1): %d, handled=%d\n", r, (int)usr_hits);
    set_default(SIGUSR1);
    set_default(SIGALRM);
}

/* -------------------------------------------------------------------- fpu */
static volatile int fpu_hits;
static int have_avx, have_avx512;

static void fpu_handler(int sig)
{
    (void)sig;
    /* work with doubles, change the rounding modes and the x87 stack, wipe
     * the vector registers: the interrupted code must not notice any of it */
    volatile double d = 0;
    for (int i = 1; i < 50; i++)
        d += 1.0 / i;
    fesetround(FE_UPWARD);
    unsigned short cw = 0x0c7f; /* round toward zero, single precision */
    __asm__ volatile("fldcw %0\n\tfninit\n\tfldpi\n\tfldz" ::"m"(cw));
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\t"
                     "pcmpeqd %%xmm1, %%xmm1\n\tpcmpeqd %%xmm2, %%xmm2\n\t"
                     "pcmpeqd %%xmm3, %%xmm3\n\tpcmpeqd %%xmm4, %%xmm4\n\t"
                     "pcmpeqd %%xmm5, %%xmm5\n\tpcmpeqd %%xmm6, %%xmm6\n\t"
                     "pcmpeqd %%xmm7, %%xmm7\n\tpcmpeqd %%xmm8, %%xmm8\n\t"
                     "pcmpeqd %%xmm9, %%xmm9\n\tpcmpeqd %%xmm10, %%xmm10\n\t"
                     "pcmpeqd %%xmm11, %%xmm11\n\tpcmpeqd %%xmm12, %%xmm12\n\t"
                     "pcmpeqd %%xmm13, %%xmm13\n\tpcmpeqd %%xmm14, %%xmm14\n\t"
                     "pcmpeqd %%xmm15, %%xmm15\n\t"
                     ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                     "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    if (have_avx)
        __asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"
                         "vpcmpeqd %%ymm7, %%ymm7, %%ymm7\n\t"
                         "vpcmpeqd %%ymm15, %%ymm15, %%ymm15" ::: "xmm0", "xmm7", "xmm15");
    if (have_avx512)
        __asm__ volatile("vpternlogd $0xff, %%zmm16, %%zmm16, %%zmm16\n\t"
                         "vpternlogd $0xff, %%zmm31, %%zmm31, %%zmm31\n\t"
                         "vpternlogd $0xff, %%zmm3, %%zmm3, %%zmm3\n\t"
                         "kxnorw %%k1, %%k1, %%k1\n\tkxnorw %%k7, %%k7, %%k7" ::: "xmm3");
    fpu_hits++;
}

/* Load known values, spin until `need` more handlers ran, store them back.
 * The spin is bounded (a few seconds or more, depending on the CPU's pause)
 * so that a VMM that never delivers the timer signal fails instead of
 * hanging. */
#define SPIN_LIMIT 500000000UL
static int sse_spin(const unsigned char *in, unsigned char *out, int need)
{
    int target = fpu_hits + need;
    unsigned long spins = SPIN_LIMIT;
    __asm__ volatile(
        "movdqu 0x00(%[in]), %%xmm0\n\tmovdqu 0x10(%[in]), %%xmm1\n\t"
        "movdqu 0x20(%[in]), %%xmm2\n\tmovdqu 0x30(%[in]), %%xmm3\n\t"
        "movdqu 0x40(%[in]), %%xmm4\n\tmovdqu 0x50(%[in]), %%xmm5\n\t"
        "movdqu 0x60(%[in]), %%xmm6\n\tmovdqu 0x70(%[in]), %%xmm7\n\t"
        "movdqu 0x80(%[in]), %%xmm8\n\tmovdqu 0x90(%[in]), %%xmm9\n\t"
        "movdqu 0xa0(%[in]), %%xmm10\n\tmovdqu 0xb0(%[in]), %%xmm11\n\t"
        "movdqu 0xc0(%[in]), %%xmm12\n\tmovdqu 0xd0(%[in]), %%xmm13\n\t"
        "movdqu 0xe0(%[in]), %%xmm14\n\tmovdqu 0xf0(%[in]), %%xmm15\n\t"
        "fldl 0x100(%[in])\n\tfldl 0x108(%[in])\n"
        "1:\tpause\n\t"
        "sub $1, %[spins]\n\t"
        "jz 2f\n\t"
        "cmpl %[target], %[hits]\n\t"
        "jl 1b\n"
        "2:\t"
        "fstpl 0x108(%[out])\n\tfstpl 0x100(%[out])\n\t"
        "movdqu %%xmm0, 0x00(%[out])\n\tmovdqu %%xmm1, 0x10(%[out])\n\t"
        "movdqu %%xmm2, 0x20(%[out])\n\tmovdqu %%xmm3, 0x30(%[out])\n\t"
        "movdqu %%xmm4, 0x40(%[out])\n\tmovdqu %%xmm5, 0x50(%[out])\n\t"
        "movdqu %%xmm6, 0x60(%[out])\n\tmovdqu %%xmm7, 0x70(%[out])\n\t"
        "movdqu %%xmm8, 0x80(%[out])\n\tmovdqu %%xmm9, 0x90(%[out])\n\t"
        "movdqu %%xmm10, 0xa0(%[out])\n\tmovdqu %%xmm11, 0xb0(%[out])\n\t"
        "movdqu %%xmm12, 0xc0(%[out])\n\tmovdqu %%xmm13, 0xd0(%[out])\n\t"
        "movdqu %%xmm14, 0xe0(%[out])\n\tmovdqu %%xmm15, 0xf0(%[out])\n\t"
        : [spins] "+r"(spins)
        : [in] "r"(in), [out] "r"(out), [hits] "m"(fpu_hits), [target] "r"(target)
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st", "st(1)", "memory", "cc");
    return spins != 0; /* 0: gave up waiting for the signals */
}

static int avx_spin(const unsigned char *in, unsigned char *out, int need)
{
    int target = fpu_hits + need;
    unsigned long spins = SPIN_LIMIT;
    __asm__ volatile(
        "vmovdqu 0x00(%[in]), %%ymm0\n\tvmovdqu 0x20(%[in]), %%ymm3\n\t"
        "vmovdqu 0x40(%[in]), %%ymm7\n\tvmovdqu 0x60(%[in]), %%ymm15\n"
        "1:\tpause\n\t"
        "sub $1, %[spins]\n\t"
        "jz 2f\n\t"
        "cmpl %[target], %[hits]\n\t"
        "jl 1b\n"
        "2:\t"
        "vmovdqu %%ymm0, 0x00(%[out])\n\tvmovdqu %%ymm3, 0x20(%[out])\n\t"
        "vmovdqu %%ymm7, 0x40(%[out])\n\tvmovdqu %%ymm15, 0x60(%[out])\n\t"
        "vzeroupper\n"
        : [spins] "+r"(spins)
        : [in] "r"(in), [out] "r"(out), [hits] "m"(fpu_hits), [target] "r"(target)
        : "xmm0", "xmm3", "xmm7", "xmm15", "memory", "cc");
    return spins != 0; /* 0: gave up waiting for the signals */
}

static int avx512_spin(const unsigned char *in, unsigned char *out, int need)
{
    int target = fpu_hits + need;
    unsigned long spins = SPIN_LIMIT;
    /* zmm16-31 and the mask registers: only the handler and this touch them */
    __asm__ volatile(
        "vmovdqu64 0x00(%[in]), %%zmm16\n\tvmovdqu64 0x40(%[in]), %%zmm31\n\t"
        "vmovdqu64 0x80(%[in]), %%zmm3\n\t"
        "movl $0x1234, %%eax\n\tkmovw %%eax, %%k1\n\t"
        "movl $0x0f0f, %%eax\n\tkmovw %%eax, %%k7\n"
        "1:\tpause\n\t"
        "sub $1, %[spins]\n\t"
        "jz 2f\n\t"
        "cmpl %[target], %[hits]\n\t"
        "jl 1b\n"
        "2:\t"
        "vmovdqu64 %%zmm16, 0x00(%[out])\n\tvmovdqu64 %%zmm31, 0x40(%[out])\n\t"
        "vmovdqu64 %%zmm3, 0x80(%[out])\n\t"
        "kmovw %%k1, %%eax\n\tmovw %%ax, 0xc0(%[out])\n\t"
        "kmovw %%k7, %%eax\n\tmovw %%ax, 0xc2(%[out])\n\t"
        "vzeroupper\n"
        : [spins] "+r"(spins)
        : [in] "r"(in), [out] "r"(out), [hits] "m"(fpu_hits), [target] "r"(target)
        : "rax", "xmm3", "memory", "cc");
    return spins != 0; /* 0: gave up waiting for the signals */
}

static double series(int n)
{
    double s = 0;
    for (int i = 1; i <= n; i++)
        s += 1.0 / ((double)i * i) + (i % 3 ? 0.1 : -0.1) / 3.0;
    return s;
}

static void mode_fpu(void)
{
    __builtin_cpu_init();
    have_avx = __builtin_cpu_supports("avx");
    have_avx512 = __builtin_cpu_supports("avx512f");
    double ref = series(2000000); /* with no signals */

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fpu_handler;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
    fpu_hits = 0;
    setitimer(ITIMER_REAL, &it, NULL);

    unsigned char in[0x110], out[0x110];
    for (size_t i = 0; i < 0x100; i++)
        in[i] = (unsigned char)(i * 13 + 7);
    double x87[2] = { 3.25, -1.5e10 };
    memcpy(in + 0x100, x87, sizeof(x87));
    unsigned int mxcsr_before, mxcsr_after;
    unsigned short cw_before, cw_after;
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr_before), "=m"(cw_before));
    int round_before = fegetround();
    memset(out, 0, sizeof(out));
    int ok = sse_spin(in, out, 20);
    ok = ok && memcmp(in, out, sizeof(in)) == 0;
    printf("fpu: xmm0-15 and the x87 stack preserved across 20 handlers: %s\n", yesno(ok));

    int vok = 1;
    if (have_avx) {
        memset(out, 0, sizeof(out));
        vok &= avx_spin(in, out, 10);
        vok &= memcmp(in, out, 0x80) == 0;
    }
    if (have_avx512) {
        memset(out, 0, sizeof(out));
        vok &= avx512_spin(in, out, 10);
        vok &= memcmp(in, out, 0xc0) == 0 && out[0xc0] == 0x34 && out[0xc1] == 0x12 &&
               out[0xc2] == 0x0f && out[0xc3] == 0x0f;
    }
    printf("fpu: wider vector registers (those the CPU has) preserved: %s\n", yesno(vok));

    int target = fpu_hits + 10;
    double with = 0;
    int rounds = 0;
    do {
        with = series(2000000);
        rounds++;
    } while (fpu_hits < target && rounds < 1000);
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr_after), "=m"(cw_after));
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("fpu: double computation interrupted by handlers gives the same result: %s\n",
           yesno(with == ref));
    printf("fpu: MXCSR, x87 control word and rounding mode preserved: %s %s %s\n",
           yesno(mxcsr_before == mxcsr_after), yesno(cw_before == cw_after),
           yesno(fegetround() == round_before));
    set_default(SIGALRM);
}

/* ----------------------------------------------------------------- nested */
static volatile int nest_depth;

static void nest_usr1(int sig)
{
    (void)sig;
    append("usr1-enter");
    raise(SIGUSR2);
    append("usr1-exit");
}

static void nest_usr2(int sig)
{
    (void)sig;
    append("usr2");
}

static void recursive(int sig)
{
    char buf[32];
    int d = ++nest_depth;
    snprintf(buf, sizeof(buf), "enter%d", d);
    append(buf);
    if (d < 3)
        raise(sig);
    snprintf(buf, sizeof(buf), "exit%d", d);
    append(buf);
}

static void mode_nested(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = nest_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    sa.sa_handler = nest_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    order[0] = 0;
    raise(SIGUSR1);
    printf("nested: SIGUSR2 raised in the SIGUSR1 handler: %s\n", order);

    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    order[0] = 0;
    raise(SIGUSR1);
    printf("nested: the same with SIGUSR2 in sa_mask: %s\n", order);

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = recursive;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR1, &sa, NULL);
    order[0] = 0;
    nest_depth = 0;
    raise(SIGUSR1);
    printf("nested: SA_NODEFER, the handler raising its own signal: %s\n", order);

    sa.sa_flags = 0;
    sigaction(SIGUSR1, &sa, NULL);
    order[0] = 0;
    nest_depth = 0;
    raise(SIGUSR1);
    printf("nested: without SA_NODEFER: %s\n", order);

    sa.sa_handler = nest_usr2;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    order[0] = 0;
    raise(SIGUSR1);
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    printf("nested: SA_RESETHAND: ran '%s', disposition now default: %s\n", order,
           yesno(now.sa_handler == SIG_DFL));

    set_default(SIGUSR1);
    set_default(SIGUSR2);
}

/* ---------------------------------------------------------------- sigpipe */
static void mode_sigpipe(void)
{
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    close(p[0]);
    pid_t c = xfork();
    if (c == 0) {
        set_default(SIGPIPE);
        if (write(p[1], "x", 1) < 0) {
        }
        _exit(0);
    }
    printf("sigpipe: default action: child %s\n", describe(xwaitpid(c, 0)));

    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    ssize_t n = write(p[1], "x", 1);
    printf("sigpipe: ignored: write %d %s\n", (int)n, errname(errno));

    install(SIGPIPE, record, 0, NULL);
    hits = 0;
    errno = 0;
    n = write(p[1], "x", 1);
    printf("sigpipe: handled: write %d %s, handler ran %d: %s %s si_pid is self: %s\n", (int)n,
           errname(errno), (int)hits, signame(last_si.si_signo),
           codename(last_si.si_signo, last_si.si_code), yesno(last_si.si_pid == getpid()));
    set_default(SIGPIPE);
    close(p[1]);
}

/* ------------------------------------------------------------------- term */
static void mode_term(void)
{
    block(SIGTERM, SIG_BLOCK);
    raise(SIGTERM);
    printf("term: SIGTERM blocked and pending: %s; unblocking it now\n", yesno(is_pending(SIGTERM)));
    fflush(stdout); /* death by a signal does not flush stdio */
    block(SIGTERM, SIG_UNBLOCK);
    printf("term: still alive?!\n");
}

/* ------------------------------------------------------------------- main */
static const struct {
    const char *name;
    void (*fn)(void);
} modes[] = {
    { "siginfo", mode_siginfo },     { "restart", mode_restart },
    { "altstack", mode_altstack },   { "segv", mode_segv },
    { "bus", mode_bus },             { "fpe", mode_fpe },
    { "ill", mode_ill },             { "trap", mode_trap },
    { "privileged", mode_privileged }, { "sigchld", mode_sigchld },
    { "mask", mode_mask },           { "timedwait", mode_timedwait },
    { "signalfd", mode_signalfd },   { "timer", mode_timer },
    { "sigsuspend", mode_sigsuspend }, { "fpu", mode_fpu },
    { "nested", mode_nested },       { "sigpipe", mode_sigpipe },
};

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int all = strcmp(mode, "all") == 0;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (all || strcmp(mode, modes[i].name) == 0)
            modes[i].fn();
        if (!all && strcmp(mode, modes[i].name) == 0)
            return 0;
    }
    if (all)
        return 0;
    if (strcmp(mode, "term") == 0) {
        mode_term();
        return 1;
    }
    fprintf(stderr, "usage: signals all|siginfo|restart|altstack|segv|bus|fpe|ill|trap|"
                    "privileged|sigchld|mask|timedwait|signalfd|timer|sigsuspend|fpu|"
                    "nested|sigpipe|term\n");
    return 2;
}
