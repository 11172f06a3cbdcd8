/* threads MODE: POSIX threads, for the e2e tests of a multi-threaded guest
 * (clone with CLONE_THREAD, futexes, TLS through %fs, exit_group from any
 * thread). Every line is printed by the main thread after the workers are
 * joined, or is otherwise ordered, so the output is deterministic: no thread
 * ids, addresses or timings are printed, only counts and yes/no checks.
 *
 *   mutex     16 threads increment shared counters under a mutex / atomically;
 *             trylock from another thread while held -> EBUSY; recursive mutex
 *   condvar   bounded-buffer producers/consumers (4+4) with two condition
 *             variables; broadcast to 8 waiters; timedwait -> ETIMEDOUT
 *   join      16 threads return values (return and pthread_exit) to join;
 *             getpid is shared, gettid is per thread
 *   tls       __thread variables (.tdata and .tbss) start with their initial
 *             values in every thread and stay per thread; pthread_key
 *             destructors run once per thread
 *   barrier   8 threads x 100 rounds of pthread_barrier_wait
 *   detached  detached threads (attribute and pthread_detach) signal a
 *             semaphore when done
 *   signals   pthread_kill reaches the target thread; sigwait in a thread;
 *             a process-directed signal goes to the one thread not blocking it
 *   churn     200 create/join cycles with a small stack, 32 alive at once
 *   cancel    pthread_cancel of a thread blocked in read(); cleanup handler
 *   all       all of the above, in that order
 *   exit      12 threads block (condvar, read, nanosleep) and another one calls
 *             exit(7) while main is in pthread_join: status 7, atexit ran
 *   main-exit main calls pthread_exit; the last worker ends the process (0)
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 16

static void die(const char *what, int err)
{
    fprintf(stderr, "threads: %s: %s\n", what, strerror(err));
    exit(1);
}

#define CHECK(call)                                                          \
    do {                                                                     \
        int err_ = (call);                                                   \
        if (err_)                                                            \
            die(#call, err_);                                                \
    } while (0)

static const char *yesno(int b) { return b ? "yes" : "no"; }

static long my_tid(void) { return syscall(SYS_gettid); }

static void start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    CHECK(pthread_create(t, NULL, fn, arg));
}

static void *join(pthread_t t)
{
    void *ret;
    CHECK(pthread_join(t, &ret));
    return ret;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ------------------------------------------------------------------ mutex */
#define MUTEX_ITERS 20000
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long atomic_counter;

static void *mutex_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < MUTEX_ITERS; i++) {
        CHECK(pthread_mutex_lock(&counter_lock));
        counter++;
        CHECK(pthread_mutex_unlock(&counter_lock));
        __atomic_fetch_add(&atomic_counter, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void *trylock_worker(void *arg)
{
    return (void *)(intptr_t)pthread_mutex_trylock((pthread_mutex_t *)arg);
}

static void mode_mutex(void)
{
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        start(&t[i], mutex_worker, NULL);
    for (int i = 0; i < NTHREADS; i++)
        join(t[i]);
    printf("mutex: threads=%d counter=%ld atomic=%ld expected=%d\n",
           NTHREADS, counter, atomic_counter, NTHREADS * MUTEX_ITERS);

    pthread_t tt;
    CHECK(pthread_mutex_lock(&counter_lock));
    start(&tt, trylock_worker, &counter_lock);
    int r = (int)(intptr_t)join(tt);
    CHECK(pthread_mutex_unlock(&counter_lock));
    printf("mutex: trylock from another thread while held: %s\n",
           r == EBUSY ? "EBUSY" : strerror(r));

    pthread_mutexattr_t a;
    pthread_mutex_t rec;
    CHECK(pthread_mutexattr_init(&a));
    CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE));
    CHECK(pthread_mutex_init(&rec, &a));
    CHECK(pthread_mutex_lock(&rec));
    int again = pthread_mutex_lock(&rec);
    start(&tt, trylock_worker, &rec);
    r = (int)(intptr_t)join(tt);
    CHECK(pthread_mutex_unlock(&rec));
    CHECK(pthread_mutex_unlock(&rec));
    start(&tt, trylock_worker, &rec); /* now free: the worker takes it */
    int r2 = (int)(intptr_t)join(tt);
    printf("mutex: recursive relock=%d other thread=%s after unlocks=%d\n",
           again, r == EBUSY ? "EBUSY" : strerror(r), r2);
}

/* ---------------------------------------------------------------- condvar */
#define PRODUCERS 4
#define CONSUMERS 4
#define ITEMS 1000
#define QCAP 8
static int queue[QCAP];
static int qhead, qlen;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qnotempty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t qnotfull = PTHREAD_COND_INITIALIZER;
static unsigned char seen[PRODUCERS * ITEMS];

static void qput(int v)
{
    CHECK(pthread_mutex_lock(&qlock));
    while (qlen == QCAP)
        CHECK(pthread_cond_wait(&qnotfull, &qlock));
    queue[(qhead + qlen) % QCAP] = v;
    qlen++;
    CHECK(pthread_cond_signal(&qnotempty));
    CHECK(pthread_mutex_unlock(&qlock));
}

static int qget(void)
{
    CHECK(pthread_mutex_lock(&qlock));
    while (qlen == 0)
        CHECK(pthread_cond_wait(&qnotempty, &qlock));
    int v = queue[qhead];
    qhead = (qhead + 1) % QCAP;
    qlen--;
    CHECK(pthread_cond_signal(&qnotfull));
    CHECK(pthread_mutex_unlock(&qlock));
    return v;
}

static void *producer(void *arg)
{
    int p = (int)(intptr_t)arg;
    for (int i = 0; i < ITEMS; i++)
        qput(p * ITEMS + i);
    return NULL;
}

struct consumed {
    long sum;
    long count;
};

static void *consumer(void *arg)
{
    struct consumed *c = arg;
    for (;;) {
        int v = qget();
        if (v < 0)
            return NULL;
        c->sum += v;
        c->count++;
        __atomic_fetch_add(&seen[v], 1, __ATOMIC_RELAXED);
    }
}

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_waiting;

static void *gate_waiter(void *arg)
{
    (void)arg;
    CHECK(pthread_mutex_lock(&gate_lock));
    gate_waiting++;
    CHECK(pthread_cond_broadcast(&gate_cond)); /* tell main */
    while (!gate_open)
        CHECK(pthread_cond_wait(&gate_cond, &gate_lock));
    CHECK(pthread_mutex_unlock(&gate_lock));
    return (void *)1;
}

static void mode_condvar(void)
{
    pthread_t prod[PRODUCERS], cons[CONSUMERS];
    struct consumed c[CONSUMERS];
    memset(c, 0, sizeof(c));
    for (int i = 0; i < CONSUMERS; i++)
        start(&cons[i], consumer, &c[i]);
    for (int i = 0; i < PRODUCERS; i++)
        start(&prod[i], producer, (void *)(intptr_t)i);
    for (int i = 0; i < PRODUCERS; i++)
        join(prod[i]);
    for (int i = 0; i < CONSUMERS; i++)
        qput(-1);
    long sum = 0, count = 0;
    for (int i = 0; i < CONSUMERS; i++) {
        join(cons[i]);
        sum += c[i].sum;
        count += c[i].count;
    }
    int once = 1;
    for (int i = 0; i < PRODUCERS * ITEMS; i++)
        once &= seen[i] == 1;
    long n = PRODUCERS * ITEMS;
    printf("condvar: produced=%ld consumed=%ld sum=%ld expected=%ld each once=%s\n",
           n, count, sum, n * (n - 1) / 2, yesno(once));

    pthread_t w[8];
    for (int i = 0; i < 8; i++)
        start(&w[i], gate_waiter, NULL);
    CHECK(pthread_mutex_lock(&gate_lock));
    while (gate_waiting < 8)
        CHECK(pthread_cond_wait(&gate_cond, &gate_lock));
    gate_open = 1;
    CHECK(pthread_cond_broadcast(&gate_cond));
    CHECK(pthread_mutex_unlock(&gate_lock));
    long woke = 0;
    for (int i = 0; i < 8; i++)
        woke += (long)(intptr_t)join(w[i]);
    printf("condvar: broadcast woke %ld of 8 waiters\n", woke);

    pthread_condattr_t ca;
    pthread_cond_t tc;
    pthread_mutex_t tm = PTHREAD_MUTEX_INITIALIZER;
    CHECK(pthread_condattr_init(&ca));
    CHECK(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC));
    CHECK(pthread_cond_init(&tc, &ca));
    struct timespec t0, t1, dl;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    dl = t0;
    dl.tv_nsec += 50 * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    CHECK(pthread_mutex_lock(&tm));
    int r = pthread_cond_timedwait(&tc, &tm, &dl);
    CHECK(pthread_mutex_unlock(&tm));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("condvar: timedwait 50ms: %s, waited >= 49ms: %s\n",
           r == ETIMEDOUT ? "ETIMEDOUT" : strerror(r), yesno(ms >= 49));
}

/* ------------------------------------------------------------------- join */
static long tids[NTHREADS];
static pid_t pids[NTHREADS];

static void *via_pthread_exit(int i)
{
    pthread_exit((void *)(intptr_t)(1000 + i));
}

static void *join_worker(void *arg)
{
    int i = (int)(intptr_t)arg;
    tids[i] = my_tid();
    pids[i] = getpid();
    if (i % 2)
        via_pthread_exit(i);
    return (void *)(intptr_t)(i * i);
}

static void mode_join(void)
{
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        start(&t[i], join_worker, (void *)(intptr_t)i);
    sleep_ms(10); /* some of them have finished before the join */
    printf("join:");
    for (int i = 0; i < NTHREADS; i++)
        printf(" %ld", (long)(intptr_t)join(t[i]));
    printf("\n");
    int distinct = 1, same_pid = 1;
    long main_tid = my_tid();
    for (int i = 0; i < NTHREADS; i++) {
        same_pid &= pids[i] == getpid();
        distinct &= tids[i] != main_tid && tids[i] != getpid();
        for (int j = 0; j < i; j++)
            distinct &= tids[i] != tids[j];
    }
    printf("join: main tid == pid: %s, getpid shared: %s, tids distinct: %s\n",
           yesno(main_tid == getpid()), yesno(same_pid), yesno(distinct));
    printf("join: pthread_equal(self, self)=%d\n",
           pthread_equal(pthread_self(), pthread_self()) != 0);
}

/* -------------------------------------------------------------------- tls */
static __thread int tls_init = 42;             /* .tdata */
static __thread long tls_array[4] = { 1, 2, 3, 4 };
static __thread int tls_zero;                  /* .tbss */
static __thread char tls_buf[512];
static void *tls_addr[NTHREADS + 1];
static int tls_ok[NTHREADS];
static pthread_barrier_t tls_barrier;
static pthread_key_t key;
static int destructor_calls;
static long destructor_sum;
static pthread_mutex_t dlock = PTHREAD_MUTEX_INITIALIZER;

static void destructor(void *v)
{
    pthread_mutex_lock(&dlock);
    destructor_calls++;
    destructor_sum += (long)(intptr_t)v;
    pthread_mutex_unlock(&dlock);
}

static void *tls_worker(void *arg)
{
    int i = (int)(intptr_t)arg;
    int ok = tls_init == 42 && tls_zero == 0 && tls_array[0] == 1 &&
             tls_array[3] == 4;
    for (size_t k = 0; k < sizeof(tls_buf); k++)
        ok &= tls_buf[k] == 0;
    ok &= pthread_getspecific(key) == NULL;
    tls_init = 100 + i;
    tls_zero = i;
    tls_array[2] = i * 3;
    memset(tls_buf, i + 1, sizeof(tls_buf));
    tls_addr[i] = &tls_init;
    CHECK(pthread_setspecific(key, (void *)(intptr_t)(i + 1)));
    /* everyone has written their copy before anyone checks */
    int r = pthread_barrier_wait(&tls_barrier);
    if (r && r != PTHREAD_BARRIER_SERIAL_THREAD)
        die("pthread_barrier_wait", r);
    sched_yield();
    ok &= tls_init == 100 + i && tls_zero == i && tls_array[2] == i * 3 &&
          tls_array[1] == 2;
    for (size_t k = 0; k < sizeof(tls_buf); k++)
        ok &= tls_buf[k] == (char)(i + 1);
    ok &= pthread_getspecific(key) == (void *)(intptr_t)(i + 1);
    tls_ok[i] = ok;
    return NULL;
}

static void mode_tls(void)
{
    pthread_t t[NTHREADS];
    tls_init = 7; /* main's copy only */
    tls_zero = -1;
    CHECK(pthread_key_create(&key, destructor));
    CHECK(pthread_setspecific(key, (void *)(intptr_t)-5)); /* main never exits a thread */
    CHECK(pthread_barrier_init(&tls_barrier, NULL, NTHREADS));
    for (int i = 0; i < NTHREADS; i++)
        start(&t[i], tls_worker, (void *)(intptr_t)i);
    for (int i = 0; i < NTHREADS; i++)
        join(t[i]);
    tls_addr[NTHREADS] = &tls_init;
    int all_ok = 1, distinct = 1;
    for (int i = 0; i < NTHREADS; i++) {
        all_ok &= tls_ok[i];
        for (int j = i + 1; j <= NTHREADS; j++)
            distinct &= tls_addr[i] != tls_addr[j];
    }
    printf("tls: per-thread values correct: %s, addresses distinct: %s\n",
           yesno(all_ok), yesno(distinct));
    printf("tls: main's copy untouched: %s\n", yesno(tls_init == 7 && tls_zero == -1));
    printf("tls: key destructors ran %d times, sum of values %ld\n",
           destructor_calls, destructor_sum);
    CHECK(pthread_barrier_destroy(&tls_barrier));
}

/* ---------------------------------------------------------------- barrier */
#define BTHREADS 8
#define ROUNDS 100
static pthread_barrier_t barrier;
static volatile int slot[BTHREADS];
static int serial_count, mismatches;
static pthread_mutex_t block = PTHREAD_MUTEX_INITIALIZER;

static void bwait(void)
{
    int r = pthread_barrier_wait(&barrier);
    if (r == PTHREAD_BARRIER_SERIAL_THREAD) {
        pthread_mutex_lock(&block);
        serial_count++;
        pthread_mutex_unlock(&block);
    } else if (r) {
        die("pthread_barrier_wait", r);
    }
}

static void *barrier_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int round = 1; round <= ROUNDS; round++) {
        slot[id] = round;
        bwait();
        for (int j = 0; j < BTHREADS; j++) {
            if (slot[j] != round) {
                pthread_mutex_lock(&block);
                mismatches++;
                pthread_mutex_unlock(&block);
            }
        }
        bwait();
    }
    return NULL;
}

static void mode_barrier(void)
{
    pthread_t t[BTHREADS];
    CHECK(pthread_barrier_init(&barrier, NULL, BTHREADS));
    for (int i = 0; i < BTHREADS; i++)
        start(&t[i], barrier_worker, (void *)(intptr_t)i);
    for (int i = 0; i < BTHREADS; i++)
        join(t[i]);
    printf("barrier: threads=%d rounds=%d serial=%d (expected %d) mismatches=%d\n",
           BTHREADS, ROUNDS, serial_count, 2 * ROUNDS, mismatches);
    CHECK(pthread_barrier_destroy(&barrier));
}

/* --------------------------------------------------------------- detached */
static sem_t done_sem;
static long detached_results[8];

static void *detached_worker(void *arg)
{
    int i = (int)(intptr_t)arg;
    long s = 0;
    for (int k = 1; k <= 1000 * (i + 1); k++)
        s += k;
    detached_results[i] = s;
    if (sem_post(&done_sem) != 0)
        die("sem_post", errno);
    return NULL;
}

static void mode_detached(void)
{
    pthread_attr_t a;
    pthread_t t;
    if (sem_init(&done_sem, 0, 0) != 0)
        die("sem_init", errno);
    CHECK(pthread_attr_init(&a));
    CHECK(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED));
    int st = -1;
    CHECK(pthread_attr_getdetachstate(&a, &st));
    for (int i = 0; i < 4; i++)
        CHECK(pthread_create(&t, &a, detached_worker, (void *)(intptr_t)i));
    for (int i = 4; i < 8; i++) {
        start(&t, detached_worker, (void *)(intptr_t)i);
        CHECK(pthread_detach(t));
    }
    CHECK(pthread_attr_destroy(&a));
    for (int i = 0; i < 8; i++)
        while (sem_wait(&done_sem) != 0)
            if (errno != EINTR)
                die("sem_wait", errno);
    printf("detached: attr state detached: %s, results:", yesno(st == PTHREAD_CREATE_DETACHED));
    for (int i = 0; i < 8; i++)
        printf(" %ld", detached_results[i]);
    printf("\n");
}

/* ---------------------------------------------------------------- signals */
static volatile long handled_tid;
static volatile int handled_sig;

static void record_handler(int sig)
{
    handled_tid = my_tid();
    handled_sig = sig;
}

static volatile long target_tid;
static volatile int target_stop;

static void *spin_target(void *arg)
{
    (void)arg;
    target_tid = my_tid();
    while (!target_stop)
        sleep_ms(1);
    return NULL;
}

static void *sigwait_worker(void *arg)
{
    sigset_t *set = arg;
    int sig = 0;
    int r = sigwait(set, &sig);
    return (void *)(intptr_t)(r ? -r : sig);
}

static void *unblocked_worker(void *arg)
{
    (void)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    CHECK(pthread_sigmask(SIG_UNBLOCK, &s, NULL));
    target_tid = my_tid();
    while (!handled_sig)
        sleep_ms(1);
    return NULL;
}

static void mode_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = record_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);

    /* pthread_kill: the handler runs on the target thread */
    pthread_t t;
    target_tid = 0;
    start(&t, spin_target, NULL);
    while (!target_tid)
        sleep_ms(1);
    CHECK(pthread_kill(t, SIGUSR1));
    while (!handled_sig)
        sleep_ms(1);
    target_stop = 1;
    join(t);
    printf("signals: pthread_kill SIGUSR1 handled on the target thread: %s\n",
           yesno(handled_sig == SIGUSR1 && handled_tid == target_tid));

    /* sigwait in a thread, everyone blocks SIGUSR1 */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, &old));
    start(&t, sigwait_worker, &set);
    sleep_ms(10);
    CHECK(pthread_kill(t, SIGUSR1));
    long got = (long)(intptr_t)join(t);
    printf("signals: sigwait in a thread returned %s\n",
           got == SIGUSR1 ? "SIGUSR1" : "something else");
    CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL));

    /* process-directed SIGUSR2: only the worker does not block it (main
     * blocked it for every thread at startup) */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, &old));
    handled_sig = 0;
    target_tid = 0;
    start(&t, unblocked_worker, NULL); /* inherits the mask, then unblocks */
    while (!target_tid)
        sleep_ms(1);
    kill(getpid(), SIGUSR2);
    join(t);
    printf("signals: kill(getpid) SIGUSR2 handled by the only thread not blocking it: %s\n",
           yesno(handled_sig == SIGUSR2 && handled_tid == target_tid));
    sigset_t pend;
    sigpending(&pend);
    printf("signals: SIGUSR2 still pending afterwards: %s\n",
           yesno(sigismember(&pend, SIGUSR2)));
    CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL));
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

/* ------------------------------------------------------------------ churn */
static void *churn_worker(void *arg)
{
    volatile char buf[4096]; /* touch the small stack */
    memset((char *)buf, 1, sizeof(buf));
    return (void *)((intptr_t)arg + buf[100]);
}

static void mode_churn(void)
{
    pthread_attr_t a;
    CHECK(pthread_attr_init(&a));
    CHECK(pthread_attr_setstacksize(&a, 64 * 1024));
    pthread_t t[32];
    long sum = 0;
    int created = 0;
    for (int round = 0; round < 200 / 32 + 1; round++) {
        int n = 200 - created < 32 ? 200 - created : 32;
        for (int i = 0; i < n; i++)
            CHECK(pthread_create(&t[i], &a, churn_worker, (void *)(intptr_t)(created + i)));
        for (int i = 0; i < n; i++)
            sum += (long)(intptr_t)join(t[i]);
        created += n;
    }
    CHECK(pthread_attr_destroy(&a));
    printf("churn: created and joined %d threads, sum=%ld\n", created, sum);
}

/* ----------------------------------------------------------------- cancel */
static int cancel_pipe[2];
static volatile int cleanup_ran;
static volatile int reading;

static void cleanup(void *arg)
{
    (void)arg;
    cleanup_ran = 1;
}

static void *cancel_worker(void *arg)
{
    (void)arg;
    char c;
    pthread_cleanup_push(cleanup, NULL);
    reading = 1;
    ssize_t n = read(cancel_pipe[0], &c, 1); /* blocks: nobody writes */
    (void)n;
    pthread_cleanup_pop(0);
    return (void *)2;
}

static void mode_cancel(void)
{
    if (pipe(cancel_pipe) != 0)
        die("pipe", errno);
    pthread_t t;
    start(&t, cancel_worker, NULL);
    while (!reading)
        sleep_ms(1);
    sleep_ms(20); /* it is (most likely) in read() now; either way it is cancelled */
    CHECK(pthread_cancel(t));
    void *ret = join(t);
    printf("cancel: joined %s, cleanup handler ran: %s\n",
           ret == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "a value", yesno(cleanup_ran));
    close(cancel_pipe[0]);
    close(cancel_pipe[1]);
}

/* ------------------------------------------------------------------- exit */
#define BLOCKERS 12
static pthread_mutex_t elock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t econd = PTHREAD_COND_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static int eready;
static int epipe[2];

static void ready(void)
{
    pthread_mutex_lock(&elock);
    eready++;
    pthread_cond_broadcast(&econd);
    pthread_mutex_unlock(&elock);
}

static void *blocker(void *arg)
{
    int kind = (int)(intptr_t)arg % 3;
    if (kind == 0) {
        pthread_mutex_lock(&elock);
        eready++;
        pthread_cond_broadcast(&econd);
        for (;;)
            pthread_cond_wait(&never, &elock);
    } else if (kind == 1) {
        char c;
        ready();
        for (;;)
            if (read(epipe[0], &c, 1) >= 0)
                break;
    } else {
        ready();
        for (;;)
            sleep(60);
    }
    printf("threads: a blocker woke up\n");
    return NULL;
}

static void at_exit_handler(void) { printf("exit: atexit handler ran\n"); }

static void *exiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&elock);
    while (eready < BLOCKERS)
        pthread_cond_wait(&econd, &elock);
    pthread_mutex_unlock(&elock);
    sleep_ms(50); /* let them reach their blocking calls */
    printf("exit: %d threads blocked, calling exit(7) from a thread\n", BLOCKERS);
    exit(7);
}

static void mode_exit(void)
{
    if (pipe(epipe) != 0)
        die("pipe", errno);
    atexit(at_exit_handler);
    pthread_t t;
    for (int i = 0; i < BLOCKERS; i++)
        start(&t, blocker, (void *)(intptr_t)i);
    start(&t, exiter, NULL);
    join(t); /* never returns: the process exits in the exiter */
    printf("exit: pthread_join returned\n");
}

/* -------------------------------------------------------------- main-exit */
static pthread_t main_thread;

static void *last_worker(void *arg)
{
    (void)arg;
    /* main is gone (or going): joining it waits for its exit */
    int r = pthread_join(main_thread, NULL);
    printf("main-exit: worker joined the main thread: %s\n", r ? strerror(r) : "ok");
    printf("main-exit: worker returns, the process exits with 0\n");
    return NULL;
}

static void mode_main_exit(void)
{
    pthread_t t;
    main_thread = pthread_self();
    printf("main-exit: main calls pthread_exit\n");
    fflush(stdout);
    start(&t, last_worker, NULL);
    pthread_exit(NULL);
}

/* ------------------------------------------------------------------- main */
static const struct {
    const char *name;
    void (*fn)(void);
} modes[] = {
    { "mutex", mode_mutex },     { "condvar", mode_condvar },
    { "join", mode_join },       { "tls", mode_tls },
    { "barrier", mode_barrier }, { "detached", mode_detached },
    { "signals", mode_signals }, { "churn", mode_churn },
    { "cancel", mode_cancel },
};

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    /* SIGUSR2 is blocked in every thread but one in `signals` (threads left
     * over from earlier modes, e.g. detached ones still exiting, inherit
     * this): a process-directed SIGUSR2 can only go to that one */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    CHECK(pthread_sigmask(SIG_BLOCK, &usr2, NULL));
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(mode, modes[i].name) == 0 || strcmp(mode, "all") == 0)
            modes[i].fn();
        if (strcmp(mode, modes[i].name) == 0)
            return 0;
    }
    if (strcmp(mode, "all") == 0)
        return 0;
    if (strcmp(mode, "exit") == 0)
        mode_exit();
    else if (strcmp(mode, "main-exit") == 0)
        mode_main_exit();
    fprintf(stderr, "usage: threads all|mutex|condvar|join|tls|barrier|detached|"
                    "signals|churn|cancel|exit|main-exit\n");
    return 2;
}
