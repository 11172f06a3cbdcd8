/* hello: the simplest guest. Prints a greeting and its argument vector, so
 * an e2e comparison checks that the VMM builds argv exactly like execve(2).
 * Built with glibc (dynamic PIE, static, static-pie) and musl (static,
 * dynamic) to exercise every kind of loader the VMM must handle. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("hello, world\n");
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    return 0;
}
