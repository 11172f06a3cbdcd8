/* forkexec MODE: processes, for the e2e tests of fork/vfork/clone, execve,
 * posix_spawn and the wait family. Only deterministic facts are printed (no
 * pids: "same: yes" instead). Children print before they exit and the parent
 * prints only after it has reaped them, so the lines are always in the same
 * order. stdout is flushed before every fork (see xfork), except in `wait`,
 * which checks that a non-flushed stdio buffer is inherited by the child.
 *
 *   wait       fork + waitpid: exit codes, getppid, WNOHANG, ECHILD; the
 *              inherited stdio buffer is written twice
 *   signal     children killed by SIGTERM (from the parent), SIGSEGV, abort,
 *              SIGKILL: WIFSIGNALED/WTERMSIG
 *   vfork      vfork + execve of /bin/echo; vfork + _exit (shared memory)
 *   spawn      posix_spawn of /bin/true, of /bin/sh with stdout on a pipe,
 *              of a missing program (ENOENT), of a directory (EACCES);
 *              posix_spawnp of a missing name; popen/pclose
 *   script     execve of #! scripts created in a temporary directory under
 *              the working directory; ENOEXEC, EACCES, ENOENT
 *   waitid     waitid: WNOHANG, WSTOPPED, WCONTINUED, WNOWAIT, P_ALL;
 *              waitpid WUNTRACED
 *   pgid       getpgid/setpgid/setsid/getsid in children
 *   pipe       256 KiB through a pipe to a child and a result back; a child's
 *              stdout on a pipe (dup2 + execve)
 *   multi      8 children exiting in reverse order; waitpid in sorted pid
 *              order, results printed by creation index
 *   memory     copy-on-write after fork, MAP_SHARED shared with the child, a
 *              grandchild
 *   exec       execve of this program: close-on-exec fds, signal
 *              dispositions and mask, argv and envp across execve
 *   exec-thread  a non-main thread calls execve: the other threads go away,
 *              the pid stays
 *   thread-fork  a non-main thread forks; the child starts its own thread
 *   all        all of the above, in that order
 * (exec-target is the program image the exec modes run.)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *self_path;

static void die(const char *what)
{
    fprintf(stderr, "forkexec: %s: %s\n", what, strerror(errno));
    exit(1);
}

static const char *yesno(int b) { return b ? "yes" : "no"; }

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case ENOEXEC: return "ENOEXEC";
    case ECHILD: return "ECHILD";
    case EPERM: return "EPERM";
    case EBADF: return "EBADF";
    case EINTR: return "EINTR";
    case EAGAIN: return "EAGAIN";
    case ESRCH: return "ESRCH";
    default: return "other errno";
    }
}

static const char *signame(int s)
{
    switch (s) {
    case SIGHUP: return "SIGHUP";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGSTOP: return "SIGSTOP";
    case SIGCONT: return "SIGCONT";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGCHLD: return "SIGCHLD";
    default: return "another signal";
    }
}

/* "exited N" / "killed by SIGX" / ... */
static const char *describe(int st)
{
    static char buf[64];
    if (WIFEXITED(st))
        snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, sizeof(buf), "killed by %s", signame(WTERMSIG(st)));
    else if (WIFSTOPPED(st))
        snprintf(buf, sizeof(buf), "stopped by %s", signame(WSTOPSIG(st)));
    else
        snprintf(buf, sizeof(buf), "status 0x%x", st);
    return buf;
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

static void child_exit(int code)
{
    fflush(stdout);
    _exit(code);
}

static int xwaitpid(pid_t pid, int flags)
{
    int st;
    pid_t r;
    while ((r = waitpid(pid, &st, flags)) < 0 && errno == EINTR)
        ;
    if (r < 0)
        die("waitpid");
    if (r != pid && !(flags & WNOHANG)) {
        fprintf(stderr, "forkexec: waitpid returned another child\n");
        exit(1);
    }
    return st;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void xpipe(int p[2])
{
    if (pipe(p) != 0)
        die("pipe");
}

/* ------------------------------------------------------------------- wait */
static void mode_wait(void)
{
    static const int codes[] = { 0, 3, 42, 255 };
    pid_t me = getpid();
    for (int i = 0; i < 4; i++) {
        pid_t p = xfork();
        if (p == 0) {
            printf("wait: child %d: getppid is the parent: %s\n", i, yesno(getppid() == me));
            child_exit(codes[i]);
        }
        int st = xwaitpid(p, 0);
        printf("wait: child %d %s (WIFEXITED=%d)\n", i, describe(st), WIFEXITED(st) != 0);
    }

    /* WNOHANG on a running child, then a blocking wait() */
    int go[2];
    xpipe(go);
    pid_t p = xfork();
    if (p == 0) {
        char c;
        close(go[1]);
        ssize_t n = read(go[0], &c, 1);
        child_exit(n == 1 ? c : 99);
    }
    close(go[0]);
    int st = 0;
    pid_t r = waitpid(p, &st, WNOHANG);
    printf("wait: WNOHANG on a running child returns %d\n", (int)r);
    if (write(go[1], "\x11", 1) != 1)
        die("write");
    close(go[1]);
    r = wait(&st);
    printf("wait: wait() returned the child: %s, %s\n", yesno(r == p), describe(st));
    errno = 0;
    r = wait(&st);
    printf("wait: wait() without children: %d %s\n", (int)r, errname(errno));

    /* A stdio buffer that was not flushed before fork is inherited. */
    fflush(stdout);
    printf("wait: buffered before fork, then ");
    p = fork();
    if (p < 0)
        die("fork");
    if (p == 0) {
        printf("child\n");
        exit(0); /* flushes the inherited buffer too */
    }
    st = xwaitpid(p, 0);
    printf("parent (child %s)\n", describe(st));
}

/* ----------------------------------------------------------------- signal */
static void mode_signal(void)
{
    int go[2];
    xpipe(go);
    pid_t p = xfork();
    if (p == 0) {
        close(go[0]);
        close(go[1]); /* tell the parent we are running */
        for (;;)
            pause();
    }
    close(go[1]);
    char c;
    if (read(go[0], &c, 1) != 0) /* EOF once the child closed it */
        die("read");
    close(go[0]);
    kill(p, SIGTERM);
    int st = xwaitpid(p, 0);
    printf("signal: child sent SIGTERM: WIFSIGNALED=%d WTERMSIG=%d (%s)\n",
           WIFSIGNALED(st) != 0, WIFSIGNALED(st) ? WTERMSIG(st) : -1, describe(st));

    p = xfork();
    if (p == 0) {
        volatile int *volatile np = NULL;
        *np = 1;
        child_exit(98);
    }
    st = xwaitpid(p, 0);
    printf("signal: child writing to NULL: WIFSIGNALED=%d WTERMSIG=%d (%s)\n",
           WIFSIGNALED(st) != 0, WIFSIGNALED(st) ? WTERMSIG(st) : -1, describe(st));

    p = xfork();
    if (p == 0)
        abort();
    st = xwaitpid(p, 0);
    printf("signal: child calling abort: %s\n", describe(st));

    p = xfork();
    if (p == 0) {
        raise(SIGKILL);
        child_exit(98);
    }
    st = xwaitpid(p, 0);
    printf("signal: child raising SIGKILL: %s\n", describe(st));

    /* a handled signal does not kill; an ignored one neither */
    p = xfork();
    if (p == 0) {
        signal(SIGTERM, SIG_IGN);
        raise(SIGTERM);
        child_exit(12);
    }
    st = xwaitpid(p, 0);
    printf("signal: child ignoring SIGTERM: %s\n", describe(st));
}

/* ------------------------------------------------------------------ vfork */
static volatile int vfork_shared;

static void mode_vfork(void)
{
    char *argv[] = { "echo", "hello", "from", "vfork+execve", NULL };
    fflush(stdout);
    pid_t p = vfork();
    if (p < 0)
        die("vfork");
    if (p == 0) {
        execve("/bin/echo", argv, environ);
        _exit(127);
    }
    int st = xwaitpid(p, 0);
    printf("vfork: /bin/echo %s\n", describe(st));

    vfork_shared = 1;
    p = vfork();
    if (p < 0)
        die("vfork");
    if (p == 0) {
        vfork_shared = 2; /* the parent is suspended and shares our memory */
        _exit(5);
    }
    st = xwaitpid(p, 0);
    printf("vfork: _exit(5) child %s, its write is visible to the parent: %s\n",
           describe(st), yesno(vfork_shared == 2));

    p = vfork();
    if (p < 0)
        die("vfork");
    if (p == 0) {
        execve("/nonexistent/hl-program", argv, environ);
        _exit(errno == ENOENT ? 20 : 21);
    }
    st = xwaitpid(p, 0);
    printf("vfork: execve of a missing program: child %s (20: ENOENT)\n", describe(st));
}

/* ------------------------------------------------------------------ spawn */
static void mode_spawn(void)
{
    pid_t p;
    int st;
    char *true_argv[] = { "true", NULL };
    fflush(stdout);
    int r = posix_spawn(&p, "/bin/true", NULL, NULL, true_argv, environ);
    printf("spawn: /bin/true: posix_spawn returned %s", errname(r));
    if (r == 0)
        printf(", child %s", describe(xwaitpid(p, 0)));
    printf("\n");

    int out[2];
    xpipe(out);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, out[1]);
    char *sh_argv[] = { "sh", "-c", "echo spawned with \"$1\"; exit 3", "sh", "an arg", NULL };
    fflush(stdout);
    r = posix_spawn(&p, "/bin/sh", &fa, NULL, sh_argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    char buf[256];
    size_t len = 0;
    ssize_t n;
    while ((n = read(out[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += n;
    buf[len] = 0;
    close(out[0]);
    if (len && buf[len - 1] == '\n')
        buf[len - 1] = 0;
    printf("spawn: /bin/sh with stdout on a pipe: %s, read '%s'", errname(r), buf);
    if (r == 0)
        printf(", child %s", describe(xwaitpid(p, 0)));
    printf("\n");

    char *missing_argv[] = { "hl-no-such-program", NULL };
    fflush(stdout);
    r = posix_spawn(&p, "/nonexistent/hl-no-such-program", NULL, NULL, missing_argv, environ);
    printf("spawn: missing program: posix_spawn returned %s\n", errname(r));
    if (r == 0)
        printf("spawn: (child %s)\n", describe(xwaitpid(p, 0)));
    fflush(stdout);
    r = posix_spawnp(&p, "hl-no-such-program-xyz", NULL, NULL, missing_argv, environ);
    printf("spawn: posix_spawnp of a name not in PATH returned %s\n", errname(r));
    if (r == 0)
        printf("spawn: (child %s)\n", describe(xwaitpid(p, 0)));
    fflush(stdout);
    char *noexec_argv[] = { "/", NULL };
    r = posix_spawn(&p, "/", NULL, NULL, noexec_argv, environ);
    printf("spawn: a directory: posix_spawn returned %s\n", errname(r));
    if (r == 0)
        printf("spawn: (child %s)\n", describe(xwaitpid(p, 0)));

    fflush(stdout);
    FILE *f = popen("echo popen line; exit 6", "r");
    if (!f)
        die("popen");
    if (!fgets(buf, sizeof(buf), f))
        buf[0] = 0;
    buf[strcspn(buf, "\n")] = 0;
    st = pclose(f);
    printf("spawn: popen read '%s', pclose: %s\n", buf, describe(st));
}

/* ----------------------------------------------------------------- script */
static char tmpdir[64];

static void write_file(const char *name, const char *text, mode_t mode)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die("open");
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len)
        die("write");
    if (fchmod(fd, mode) != 0)
        die("fchmod");
    close(fd);
}

/* fork; the child execve()s tmpdir/NAME; report its fate */
static void run_script(const char *name, char *arg)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    char *argv[] = { path, arg, NULL };
    char *envp[] = { "HL_SCRIPT_VAR=from-envp", NULL };
    pid_t p = xfork();
    if (p == 0) {
        execve(path, arg ? argv : (char *[]){ path, NULL }, envp);
        printf("script: %s: execve failed: %s\n", name, errname(errno));
        child_exit(127);
    }
    printf("script: %s: child %s\n", name, describe(xwaitpid(p, 0)));
}

static void mode_script(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "./hl-forkexec.XXXXXX");
    if (!mkdtemp(tmpdir))
        die("mkdtemp");
    write_file("plain.sh",
               "#!/bin/sh\n"
               "echo \"script: plain.sh runs: name=${0##*/} argc=$# arg1=$1 var=$HL_SCRIPT_VAR\"\n"
               "exit 5\n", 0755);
    write_file("with-arg.sh", "#!/bin/sh -e\nfalse\necho not reached\n", 0755);
    write_file("bad-interp.sh", "#!/nonexistent/hl-interpreter\necho hi\n", 0755);
    write_file("no-shebang", "echo this file has no #! line\n", 0755);
    write_file("not-executable.sh", "#!/bin/sh\necho hi\n", 0644);
    write_file("spaces.sh", "#!/bin/sh   \necho \"script: spaces.sh: trailing blanks after the interpreter\"\n", 0755);

    run_script("plain.sh", "first arg");
    run_script("with-arg.sh", NULL);
    run_script("bad-interp.sh", NULL);
    run_script("no-shebang", NULL);
    run_script("not-executable.sh", NULL);
    run_script("spaces.sh", NULL);
    run_script("does-not-exist.sh", NULL);

    /* the directory itself */
    pid_t p = xfork();
    if (p == 0) {
        execve(tmpdir, (char *[]){ tmpdir, NULL }, environ);
        printf("script: execve of a directory: %s\n", errname(errno));
        child_exit(0);
    }
    xwaitpid(p, 0);

    static const char *names[] = { "plain.sh", "with-arg.sh", "bad-interp.sh",
                                   "no-shebang", "not-executable.sh", "spaces.sh" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
        if (unlink(path) != 0)
            die("unlink");
    }
    if (rmdir(tmpdir) != 0)
        die("rmdir");
}

/* ----------------------------------------------------------------- waitid */
static void print_siginfo(const char *what, int r, const siginfo_t *si, pid_t pid)
{
    const char *code;
    switch (si->si_code) {
    case CLD_EXITED: code = "CLD_EXITED"; break;
    case CLD_KILLED: code = "CLD_KILLED"; break;
    case CLD_DUMPED: code = "CLD_DUMPED"; break;
    case CLD_STOPPED: code = "CLD_STOPPED"; break;
    case CLD_CONTINUED: code = "CLD_CONTINUED"; break;
    default: code = si->si_pid ? "other" : "-"; break;
    }
    int status = si->si_status;
    printf("waitid: %s: ret=%d si_pid is child=%s si_signo=%s si_code=%s si_status=%d",
           what, r, si->si_pid == 0 ? "zero" : yesno(si->si_pid == pid),
           si->si_signo ? signame(si->si_signo) : "0", code,
           si->si_code == CLD_EXITED ? status : -1);
    if (si->si_code != CLD_EXITED && si->si_pid)
        printf(" (%s)", signame(status));
    printf("\n");
}

static void mode_waitid(void)
{
    int go[2];
    siginfo_t si;
    xpipe(go);
    pid_t p = xfork();
    if (p == 0) {
        char c;
        close(go[1]);
        ssize_t n;
        while ((n = read(go[0], &c, 1)) < 0 && errno == EINTR)
            ;
        child_exit(n == 1 ? 9 : 99);
    }
    close(go[0]);

    memset(&si, 0, sizeof(si));
    int r = waitid(P_PID, p, &si, WEXITED | WNOHANG);
    print_siginfo("WNOHANG, running", r, &si, p);

    kill(p, SIGSTOP);
    memset(&si, 0, sizeof(si));
    r = waitid(P_PID, p, &si, WSTOPPED);
    print_siginfo("WSTOPPED after SIGSTOP", r, &si, p);

    kill(p, SIGCONT);
    memset(&si, 0, sizeof(si));
    r = waitid(P_PID, p, &si, WCONTINUED);
    print_siginfo("WCONTINUED after SIGCONT", r, &si, p);

    kill(p, SIGSTOP);
    int st = xwaitpid(p, WUNTRACED);
    printf("waitid: waitpid WUNTRACED: WIFSTOPPED=%d %s\n", WIFSTOPPED(st) != 0, describe(st));
    kill(p, SIGCONT);
    st = xwaitpid(p, WCONTINUED);
    printf("waitid: waitpid WCONTINUED: WIFCONTINUED=%d\n", WIFCONTINUED(st) != 0);

    if (write(go[1], "x", 1) != 1)
        die("write");
    close(go[1]);
    memset(&si, 0, sizeof(si));
    r = waitid(P_PID, p, &si, WEXITED | WNOWAIT);
    print_siginfo("WEXITED|WNOWAIT", r, &si, p);
    memset(&si, 0, sizeof(si));
    r = waitid(P_ALL, 0, &si, WEXITED);
    print_siginfo("P_ALL WEXITED", r, &si, p);
    memset(&si, 0, sizeof(si));
    errno = 0;
    r = waitid(P_ALL, 0, &si, WEXITED);
    printf("waitid: again: ret=%d %s\n", r, errname(errno));

    /* a killed child */
    p = xfork();
    if (p == 0)
        for (;;)
            pause();
    kill(p, SIGKILL);
    memset(&si, 0, sizeof(si));
    r = waitid(P_PID, p, &si, WEXITED);
    print_siginfo("after SIGKILL", r, &si, p);
}

/* ------------------------------------------------------------------- pgid */
static void mode_pgid(void)
{
    pid_t parent = getpid();
    pid_t p = xfork();
    if (p == 0) {
        printf("pgid: child 1: pgid same as parent's: %s\n",
               yesno(getpgid(0) == getpgid(parent)));
        int r = setpgid(0, 0);
        printf("pgid: child 1: setpgid(0, 0)=%d, now its own group: %s %s\n", r,
               yesno(getpgid(0) == getpid()), yesno(getpgrp() == getpid()));
        errno = 0;
        r = setsid();
        printf("pgid: child 1: setsid() as a group leader: %d %s\n", r < 0 ? -1 : 0,
               errname(errno));
        child_exit(0);
    }
    xwaitpid(p, 0);

    p = xfork();
    if (p == 0) {
        pid_t sid_before = getsid(0);
        pid_t s = setsid();
        printf("pgid: child 2: setsid() returns its pid: %s, session changed: %s\n",
               yesno(s == getpid()), yesno(sid_before != s));
        printf("pgid: child 2: getsid(0) == pid: %s, getpgrp() == pid: %s\n",
               yesno(getsid(0) == getpid()), yesno(getpgrp() == getpid()));
        errno = 0;
        int r = setpgid(0, 0);
        /* a session leader cannot change its group, even to the same one */
        printf("pgid: child 2: setpgid(0, 0) as session leader: %d %s\n", r, errname(errno));
        errno = 0;
        r = setpgid(0, getpgid(parent));
        printf("pgid: child 2: joining the parent's group from another session: %d %s\n",
               r, errname(errno));
        child_exit(0);
    }
    xwaitpid(p, 0);

    /* the parent moves a child (that has not exec'd) into a new group */
    int go[2];
    xpipe(go);
    p = xfork();
    if (p == 0) {
        char c;
        close(go[1]);
        ssize_t n = read(go[0], &c, 1);
        printf("pgid: child 3: moved by the parent into its own group: %s\n",
               yesno(n == 0 && getpgrp() == getpid()));
        child_exit(0);
    }
    close(go[0]);
    int r = setpgid(p, p);
    printf("pgid: parent: setpgid(child, child)=%d, getpgid(child) == child: %s\n",
           r, yesno(getpgid(p) == p));
    close(go[1]);
    xwaitpid(p, 0);
    errno = 0;
    r = getpgid(p);
    printf("pgid: getpgid of a reaped child: %d %s\n", r < 0 ? -1 : 0, errname(errno));
}

/* ------------------------------------------------------------------- pipe */
#define PIPE_BYTES (256 * 1024)

static void mode_pipe(void)
{
    int down[2], up[2];
    xpipe(down);
    xpipe(up);
    pid_t p = xfork();
    if (p == 0) {
        close(down[1]);
        close(up[0]);
        unsigned char buf[8192];
        unsigned long sum = 0, count = 0;
        ssize_t n;
        while ((n = read(down[0], buf, sizeof(buf))) > 0) {
            for (ssize_t i = 0; i < n; i++)
                sum = sum * 31 + buf[i];
            count += n;
        }
        char msg[64];
        int len = snprintf(msg, sizeof(msg), "%lu %lu\n", count, sum);
        if (write(up[1], msg, len) != len)
            child_exit(1);
        child_exit(0);
    }
    close(down[0]);
    close(up[1]);
    static unsigned char data[PIPE_BYTES];
    unsigned long sum = 0;
    for (int i = 0; i < PIPE_BYTES; i++) {
        data[i] = (unsigned char)(i * 7 + i / 1000);
        sum = sum * 31 + data[i];
    }
    size_t off = 0;
    while (off < sizeof(data)) {
        ssize_t n = write(down[1], data + off, sizeof(data) - off);
        if (n < 0)
            die("write");
        off += n;
    }
    close(down[1]);
    char reply[64] = "";
    size_t len = 0;
    ssize_t n;
    while ((n = read(up[0], reply + len, sizeof(reply) - 1 - len)) > 0)
        len += n;
    reply[len] = 0;
    close(up[0]);
    unsigned long ccount = 0, csum = 0;
    sscanf(reply, "%lu %lu", &ccount, &csum);
    printf("pipe: child read %lu bytes, checksum matches: %s, child %s\n",
           ccount, yesno(csum == sum), describe(xwaitpid(p, 0)));

    int out[2];
    xpipe(out);
    p = xfork();
    if (p == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execl("/bin/echo", "echo", "line", "through", "a", "pipe", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char buf[128];
    len = 0;
    while ((n = read(out[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += n;
    buf[len] = 0;
    close(out[0]);
    buf[strcspn(buf, "\n")] = 0;
    printf("pipe: read '%s' from the child's stdout, child %s\n", buf, describe(xwaitpid(p, 0)));
}

/* ------------------------------------------------------------------ multi */
#define NCHILD 8

static int cmp_pid(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}

static void mode_multi(void)
{
    pid_t pids[NCHILD], sorted[NCHILD];
    int status[NCHILD];
    for (int i = 0; i < NCHILD; i++) {
        pids[i] = xfork();
        if (pids[i] == 0) {
            sleep_ms((NCHILD - i) * 5); /* the last one exits first */
            _exit(10 + i);
        }
    }
    memcpy(sorted, pids, sizeof(pids));
    qsort(sorted, NCHILD, sizeof(pid_t), cmp_pid);
    for (int k = 0; k < NCHILD; k++) {
        int st = xwaitpid(sorted[k], 0);
        for (int i = 0; i < NCHILD; i++)
            if (pids[i] == sorted[k])
                status[i] = st;
    }
    for (int i = 0; i < NCHILD; i++)
        printf("multi: child %d %s\n", i, describe(status[i]));
    errno = 0;
    int st;
    pid_t r = waitpid(-1, &st, 0);
    printf("multi: then waitpid(-1): %d %s\n", (int)r, errname(errno));

    /* reaping in completion order with wait(): collect them all */
    int seen = 0;
    for (int i = 0; i < NCHILD; i++) {
        pids[i] = xfork();
        if (pids[i] == 0)
            _exit(i);
    }
    for (int k = 0; k < NCHILD; k++) {
        pid_t w = wait(&st);
        for (int i = 0; i < NCHILD; i++)
            if (pids[i] == w && WIFEXITED(st) && WEXITSTATUS(st) == i)
                seen |= 1 << i;
    }
    printf("multi: wait() reaped each of %d children once: %s\n", NCHILD,
           yesno(seen == (1 << NCHILD) - 1));
}

/* ----------------------------------------------------------------- memory */
static int global_value = 1;

static void mode_memory(void)
{
    size_t big = 1 << 20;
    unsigned char *heap = malloc(big);
    if (!heap)
        die("malloc");
    memset(heap, 0x5a, big);
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        die("mmap");
    shared[0] = 1;

    pid_t p = xfork();
    if (p == 0) {
        global_value = 2;
        memset(heap, 0xa5, big);
        shared[0] = 2;
        pid_t g = xfork();
        if (g == 0) {
            printf("memory: grandchild sees the child's values: %s\n",
                   yesno(global_value == 2 && heap[big - 1] == 0xa5 && shared[0] == 2));
            shared[1] = 33;
            child_exit(4);
        }
        int st = xwaitpid(g, 0);
        printf("memory: child: grandchild %s\n", describe(st));
        child_exit(0);
    }
    int st = xwaitpid(p, 0);
    int heap_ok = 1;
    for (size_t i = 0; i < big; i += 4096)
        heap_ok &= heap[i] == 0x5a;
    printf("memory: child %s; parent's global and heap unchanged: %s %s\n",
           describe(st), yesno(global_value == 1), yesno(heap_ok && heap[big - 1] == 0x5a));
    printf("memory: MAP_SHARED written by child and grandchild: %d %d\n", shared[0], shared[1]);
    munmap(shared, 4096);
    free(heap);
}

/* ------------------------------------------------------------------- exec */
static void usr2_handler(int sig) { (void)sig; }

static const char *disposition(int sig)
{
    struct sigaction sa;
    sigaction(sig, NULL, &sa);
    if (sa.sa_handler == SIG_DFL)
        return "default";
    if (sa.sa_handler == SIG_IGN)
        return "ignored";
    return "handler";
}

static int exec_target(int argc, char **argv)
{
    /* argv: self exec-target CLOEXEC_FD PLAIN_FD OLD_PID [extra...] */
    if (argc < 5) {
        fprintf(stderr, "forkexec: exec-target: bad arguments\n");
        return 2;
    }
    int cfd = atoi(argv[2]), pfd = atoi(argv[3]);
    long old_pid = atol(argv[4]);
    int envc = 0;
    for (char **e = environ; *e; e++)
        envc++;
    errno = 0;
    int cl = fcntl(cfd, F_GETFD);
    int cl_errno = errno;
    int pl = fcntl(pfd, F_GETFD);
    sigset_t mask;
    sigprocmask(SIG_SETMASK, NULL, &mask);
    printf("exec: new image: argc=%d argv[5]='%s' envc=%d HL_EXEC_VAR=%s\n", argc,
           argc > 5 ? argv[5] : "", envc, getenv("HL_EXEC_VAR") ? getenv("HL_EXEC_VAR") : "(unset)");
    printf("exec: new image: close-on-exec fd closed: %s (%s), plain fd open: %s\n",
           yesno(cl < 0), errname(cl_errno), yesno(pl >= 0));
    printf("exec: new image: SIGUSR1 %s, SIGUSR2 %s, SIGHUP blocked: %s, SIGTERM blocked: %s\n",
           disposition(SIGUSR1), disposition(SIGUSR2), yesno(sigismember(&mask, SIGHUP)),
           yesno(sigismember(&mask, SIGTERM)));
    printf("exec: new image: same pid as before execve: %s\n", yesno(getpid() == old_pid));
    return 0;
}

static void mode_exec(void)
{
    int p1[2], p2[2];
    if (pipe2(p1, O_CLOEXEC) != 0 || pipe(p2) != 0)
        die("pipe");
    pid_t p = xfork();
    if (p == 0) {
        char a[16], b[16], c[24];
        snprintf(a, sizeof(a), "%d", p1[0]);
        snprintf(b, sizeof(b), "%d", p2[0]);
        snprintf(c, sizeof(c), "%ld", (long)getpid());
        signal(SIGUSR1, SIG_IGN);
        signal(SIGUSR2, usr2_handler);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGHUP);
        sigprocmask(SIG_BLOCK, &s, NULL);
        char *argv[] = { (char *)self_path, "exec-target", a, b, c, "arg with spaces", NULL };
        char *envp[] = { "HL_EXEC_VAR=passed", "OTHER=1", NULL };
        errno = 0;
        execve("/nonexistent/hl-program", argv, envp);
        printf("exec: execve of a missing program fails with %s, the process goes on\n",
               errname(errno));
        fflush(stdout);
        execve(self_path, argv, envp);
        printf("exec: execve of self failed: %s\n", strerror(errno));
        child_exit(127);
    }
    close(p1[0]);
    close(p1[1]);
    close(p2[0]);
    close(p2[1]);
    printf("exec: child %s\n", describe(xwaitpid(p, 0)));
}

/* ------------------------------------------------------------ exec-thread */
static void *blocked_thread(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void *exec_thread(void *arg)
{
    (void)arg;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        die("pipe2");
    int plain = dup(fds[0]);
    if (plain < 0)
        die("dup");
    char a[16], b[16], c[24];
    snprintf(a, sizeof(a), "%d", fds[1]);
    snprintf(b, sizeof(b), "%d", plain);
    snprintf(c, sizeof(c), "%ld", (long)getpid());
    char *argv[] = { (char *)self_path, "exec-target", a, b, c, "from a thread", NULL };
    char *envp[] = { NULL };
    fflush(stdout);
    execve(self_path, argv, envp);
    printf("exec-thread: execve failed: %s\n", strerror(errno));
    child_exit(127);
    return NULL;
}

static void mode_exec_thread(void)
{
    pid_t p = xfork();
    if (p == 0) {
        pthread_t t;
        for (int i = 0; i < 3; i++)
            if (pthread_create(&t, NULL, blocked_thread, NULL) != 0)
                child_exit(90);
        if (pthread_create(&t, NULL, exec_thread, NULL) != 0)
            child_exit(91);
        pthread_join(t, NULL); /* never returns: execve replaces everything */
        child_exit(92);
    }
    printf("exec-thread: child %s\n", describe(xwaitpid(p, 0)));
}

/* ------------------------------------------------------------ thread-fork */
static void *child_thread(void *arg)
{
    return (void *)((intptr_t)arg * 2);
}

static void *forking_thread(void *arg)
{
    (void)arg;
    pid_t p = xfork();
    if (p == 0) {
        pthread_t t;
        void *ret = NULL;
        int ok = pthread_create(&t, NULL, child_thread, (void *)21) == 0 &&
                 pthread_join(t, &ret) == 0 && ret == (void *)42;
        printf("thread-fork: child of a non-main thread runs a new thread: %s\n", yesno(ok));
        child_exit(ok ? 0 : 1);
    }
    return (void *)(intptr_t)xwaitpid(p, 0);
}

static void mode_thread_fork(void)
{
    pthread_t t;
    void *st;
    if (pthread_create(&t, NULL, forking_thread, NULL) != 0 || pthread_join(t, &st) != 0)
        die("pthread");
    printf("thread-fork: child %s\n", describe((int)(intptr_t)st));
}

/* ------------------------------------------------------------------- main */
static const struct {
    const char *name;
    void (*fn)(void);
} modes[] = {
    { "wait", mode_wait },       { "signal", mode_signal },
    { "vfork", mode_vfork },     { "spawn", mode_spawn },
    { "script", mode_script },   { "waitid", mode_waitid },
    { "pgid", mode_pgid },       { "pipe", mode_pipe },
    { "multi", mode_multi },     { "memory", mode_memory },
    { "exec", mode_exec },       { "exec-thread", mode_exec_thread },
    { "thread-fork", mode_thread_fork },
};

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    self_path = argv[0];
    if (strcmp(mode, "exec-target") == 0)
        return exec_target(argc, argv);
    if (!strchr(self_path, '/')) {
        fprintf(stderr, "forkexec: run me with a path (argv[0] is execve'd)\n");
        return 2;
    }
    int all = strcmp(mode, "all") == 0;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (all || strcmp(mode, modes[i].name) == 0)
            modes[i].fn();
        if (!all && strcmp(mode, modes[i].name) == 0)
            return 0;
    }
    if (all)
        return 0;
    fprintf(stderr, "usage: forkexec all|wait|signal|vfork|spawn|script|waitid|pgid|"
                    "pipe|multi|memory|exec|exec-thread|thread-fork\n");
    return 2;
}
