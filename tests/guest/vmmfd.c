/* vmmfd [--require-foreign]: the VMM's own file descriptors must be invisible
 * to the guest.
 *
 * Lists /proc/self/fd. Every fd > 2 that this program did not open itself
 * (the directory stream's fd is skipped) is "foreign": under the VMM it
 * belongs to the VMM (KVM fds, stats file, ...). For each foreign fd,
 * close, dup2/dup3 onto it, read, fcntl(F_GETFD) and fstat must all fail
 * with EBADF; anything else prints a "FAIL ..." line. Then
 * close_range(3, ~0U, 0) must succeed and stdout must still work, and "ok"
 * is printed.
 *
 * Natively (run from a harness that closed its stray fds) there is no
 * foreign fd and the output is just "ok". With --require-foreign, finding
 * no foreign fd is itself a failure, so the test cannot pass trivially
 * under the VMM.
 *
 * Exit status: 0 ok, 1 failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define MAX_FOREIGN 256

static int failures;

static void expect_ebadf(int fd, const char *what, long ret)
{
    int e = errno;
    if (ret == -1 && e == EBADF)
        return;
    failures++;
    if (ret == -1)
        printf("FAIL fd %d: %s: errno %d (%s), expected EBADF\n",
               fd, what, e, strerror(e));
    else
        printf("FAIL fd %d: %s returned %ld, expected -1/EBADF\n",
               fd, what, ret);
}

int main(int argc, char **argv)
{
    int require_foreign = argc > 1 && strcmp(argv[1], "--require-foreign") == 0;
    if (argc > 1 && !require_foreign) {
        fprintf(stderr, "usage: vmmfd [--require-foreign]\n");
        return 2;
    }

    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        printf("FAIL opendir /proc/self/fd: %s\n", strerror(errno));
        return 1;
    }
    int self = dirfd(d);
    int foreign[MAX_FOREIGN];
    int nforeign = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        int fd = atoi(de->d_name);
        if (fd <= 2 || fd == self)
            continue;
        if (nforeign < MAX_FOREIGN)
            foreign[nforeign++] = fd;
    }
    closedir(d);

    char buf[16];
    struct stat st;
    for (int i = 0; i < nforeign; i++) {
        int fd = foreign[i];
        errno = 0;
        expect_ebadf(fd, "read", syscall(SYS_read, fd, buf, sizeof buf));
        errno = 0;
        expect_ebadf(fd, "fcntl(F_GETFD)", syscall(SYS_fcntl, fd, F_GETFD));
        errno = 0;
        expect_ebadf(fd, "fstat", syscall(SYS_fstat, fd, &st));
        errno = 0;
        expect_ebadf(fd, "close", syscall(SYS_close, fd));
        errno = 0;
        expect_ebadf(fd, "dup2(1, fd)", syscall(SYS_dup2, 1, fd));
        errno = 0;
        expect_ebadf(fd, "dup3(1, fd, 0)", syscall(SYS_dup3, 1, fd, 0));
    }
    if (require_foreign) {
        printf("foreign fds: %d\n", nforeign);
        if (nforeign == 0) {
            printf("FAIL no foreign fd found (--require-foreign)\n");
            failures++;
        }
    }
    fflush(stdout);

    if (syscall(SYS_close_range, 3, ~0U, 0) != 0) {
        printf("FAIL close_range(3, ~0U, 0): %s\n", strerror(errno));
        failures++;
    }
    /* stdout must survive close_range; write(2) directly, no stdio. */
    if (write(1, failures ? "not ok\n" : "ok\n", failures ? 7 : 3) !=
        (failures ? 7 : 3)) {
        fprintf(stderr, "vmmfd: stdout broken after close_range: %s\n",
                strerror(errno));
        return 1;
    }
    return failures ? 1 : 0;
}
