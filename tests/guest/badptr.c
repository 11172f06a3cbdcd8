/* badptr: hand bad pointers to the kernel and print what each call returns.
 *
 * Every call goes through raw syscall(2) so libc cannot check or rewrite the
 * arguments. The output must be byte-identical natively and under the VMM:
 * the VMM promises to return -EFAULT exactly where Linux does (and to succeed
 * where Linux succeeds, e.g. a zero-length write from NULL, or nanosleep with
 * a bad 'rem' that is never written).
 *
 * Memory layout set up before any test (no mapping is created afterwards, so
 * nothing can land in the hole):
 *   hole  - a page that was mmapped and munmapped again, between two
 *           PROT_NONE guard pages: certainly unmapped;
 *   ro    - a PROT_READ page (the kernel writing there must fail);
 *   none  - a PROT_NONE page;
 *   edge  - a string that runs off a RW page into a PROT_NONE page.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
    static char buf[16];
    switch (e) {
#define E(x) case x: return #x
    E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG);
    E(ENOEXEC); E(EBADF); E(ECHILD); E(EAGAIN); E(ENOMEM); E(EACCES);
    E(EFAULT); E(EBUSY); E(EEXIST); E(EXDEV); E(ENODEV); E(ENOTDIR);
    E(EISDIR); E(EINVAL); E(ENFILE); E(EMFILE); E(ENOTTY); E(EFBIG);
    E(ENOSPC); E(ESPIPE); E(EROFS); E(EPIPE); E(ERANGE); E(ENAMETOOLONG);
    E(ENOSYS); E(ELOOP); E(EOVERFLOW); E(EOPNOTSUPP);
#undef E
    default:
        snprintf(buf, sizeof buf, "E#%d", e);
        return buf;
    }
}

static void report(const char *what, long ret)
{
    if (ret == -1)
        printf("%-34s ret=-1 errno=%s\n", what, errname(errno));
    else
        printf("%-34s ret=%ld\n", what, ret);
}

#define T(what, ...) do { errno = 0; report(what, syscall(__VA_ARGS__)); } while (0)

static void *map(size_t len, int prot)
{
    void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("badptr: mmap");
        exit(2);
    }
    return p;
}

static char stdout_buf[16384];

int main(void)
{
    /* Static stdio buffer: printf must not allocate once the hole exists. */
    setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);

    long pg = sysconf(_SC_PAGESIZE);

    /* A pipe that always holds data (reads never block) and is non-blocking
     * anyway, so a VMM that loses data fails with EAGAIN instead of hanging. */
    int p[2];
    if (pipe2(p, O_NONBLOCK) != 0) {
        perror("badptr: pipe2");
        return 2;
    }
    if (write(p[1], "0123456789abcdef", 16) != 16) {
        perror("badptr: write pipe");
        return 2;
    }

    char *ro = map(pg, PROT_READ);
    char *none = map(pg, PROT_NONE);

    /* "/etc/passwd" without its NUL at the very end of a RW page, followed by
     * a PROT_NONE page: the kernel's path copy runs into the fault. */
    char *edge = map(2 * pg, PROT_READ | PROT_WRITE);
    if (mprotect(edge + pg, pg, PROT_NONE) != 0) {
        perror("badptr: mprotect");
        return 2;
    }
    static const char path[] = "/etc/passwd";
    char *edge_path = edge + pg - (sizeof path - 1);
    memcpy(edge_path, path, sizeof path - 1);

    /* The hole: an unmapped page between two PROT_NONE guards. */
    char *guard = map(3 * pg, PROT_NONE);
    char *hole = guard + pg;
    if (munmap(hole, pg) != 0) {
        perror("badptr: munmap");
        return 2;
    }

    void *low = (void *)16;
    void *noncanon = (void *)(uintptr_t)0x0000800000000000ULL;
    void *kernel = (void *)(uintptr_t)0xffff800000000000ULL;
    struct iovec bad_base = { .iov_base = hole, .iov_len = 10 };
    struct iovec ro_base = { .iov_base = ro, .iov_len = 8 };
    struct timespec tiny = { .tv_sec = 0, .tv_nsec = 1 };

    T("write(1, 16, 10)", SYS_write, 1, low, 10);
    T("write(1, hole, 10)", SYS_write, 1, hole, 10);
    T("write(1, none, 10)", SYS_write, 1, none, 10);
    T("write(1, 0x800000000000, 10)", SYS_write, 1, noncanon, 10);
    T("write(1, 0xffff800000000000, 10)", SYS_write, 1, kernel, 10);
    T("write(1, NULL, 0)", SYS_write, 1, NULL, 0);
    T("write(pipe, ro, 8)", SYS_write, p[1], ro, 8);

    T("read(pipe, hole, 8)", SYS_read, p[0], hole, 8);
    T("read(pipe, ro, 8)", SYS_read, p[0], ro, 8);
    T("read(pipe, 16, 8)", SYS_read, p[0], low, 8);
    T("pread64(pipe, hole, 8, 0)", SYS_pread64, p[0], hole, 8, 0);

    T("open(none)", SYS_open, none, O_RDONLY);
    T("open(hole)", SYS_open, hole, O_RDONLY);
    T("openat(AT_FDCWD, hole)", SYS_openat, AT_FDCWD, hole, O_RDONLY);
    T("open(path running into none)", SYS_open, edge_path, O_RDONLY);
    T("access(hole, F_OK)", SYS_access, hole, F_OK);
    T("stat(\"/\", 8)", SYS_stat, "/", (void *)8);
    T("stat(hole, ro)", SYS_stat, hole, ro);
    T("fstat(1, hole)", SYS_fstat, 1, hole);
    T("fstat(1, ro)", SYS_fstat, 1, ro);

    T("writev(1, {hole,10}, 1)", SYS_writev, 1, &bad_base, 1);
    T("writev(1, iov=hole, 1)", SYS_writev, 1, hole, 1);
    T("readv(pipe, iov=hole, 1)", SYS_readv, p[0], hole, 1);
    T("readv(pipe, {ro,8}, 1)", SYS_readv, p[0], &ro_base, 1);

    T("nanosleep(hole, NULL)", SYS_nanosleep, hole, NULL);
    T("nanosleep({0,1}, rem=hole)", SYS_nanosleep, &tiny, hole);

    T("getcwd(ro, 4096)", SYS_getcwd, ro, 4096);
    T("getcwd(hole, 4096)", SYS_getcwd, hole, 4096);
    T("uname(16)", SYS_uname, low);
    T("uname(ro)", SYS_uname, ro);
    T("clock_gettime(REALTIME, hole)", SYS_clock_gettime, CLOCK_REALTIME, hole);
    T("clock_gettime(MONOTONIC, ro)", SYS_clock_gettime, CLOCK_MONOTONIC, ro);
    T("gettimeofday(hole, NULL)", SYS_gettimeofday, hole, NULL);
    T("pipe(hole)", SYS_pipe, hole);
    T("pipe(ro)", SYS_pipe, ro);
    T("getrandom(hole, 16, 0)", SYS_getrandom, hole, 16, 0);
    T("poll(hole, 1, 0)", SYS_poll, hole, 1, 0);
    T("rt_sigaction(USR1, hole, NULL, 8)", SYS_rt_sigaction, SIGUSR1, hole, NULL, 8);
    T("rt_sigprocmask(BLOCK, hole, NULL)", SYS_rt_sigprocmask, SIG_BLOCK, hole, NULL, 8);

    /* None of the failed reads may have consumed pipe data: 16 + 8 bytes. */
    char drain[64];
    T("read(pipe, buf, 64) [drain]", SYS_read, p[0], drain, sizeof drain);

    fflush(stdout);
    return 0;
}
