/* sysloop N: call getppid(2) N times through syscall(2) (no libc caching,
 * no vDSO) and print the mean cost of one call:
 *     ns_per_call=X
 * The clock is read (CLOCK_MONOTONIC) only around the loop, so process
 * start-up and the tracer's set-up are not counted. Built static, so it runs
 * the same under every tracer without a dynamic loader. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    if (n <= 0) {
        fprintf(stderr, "usage: sysloop N (N > 0)\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++)
        syscall(SYS_getppid);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
                (double)(t1.tv_nsec - t0.tv_nsec);
    printf("ns_per_call=%.1f\n", ns / (double)n);
    return 0;
}
