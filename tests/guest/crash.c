/* crash KIND: die of a signal, so the e2e test can check that the VMM
 * reproduces the native termination (shell status 128 + signo).
 *   segv  - store through a NULL pointer   -> SIGSEGV (139)
 *   ud2   - __builtin_trap (ud2)           -> SIGILL  (132)
 *   div0  - integer division by zero       -> SIGFPE  (136)
 *   abort - abort()                        -> SIGABRT (134)
 *   nullcall - a call through a NULL function pointer -> SIGSEGV (139); under
 *           sud's zpoline form that lands in the monitor's sled at page 0,
 *           which must fault it as natively
 * Built with -O0; the pointers/operands are volatile as well so no
 * optimisation level can turn one fault into another (gcc may rewrite a
 * NULL store into ud2 at -O2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: crash segv|ud2|div0|abort|nullcall\n");
        return 2;
    }
    const char *kind = argv[1];
    if (strcmp(kind, "segv") == 0) {
        int *volatile p = NULL;
        *p = 42;
    } else if (strcmp(kind, "ud2") == 0) {
        __builtin_trap();
    } else if (strcmp(kind, "div0") == 0) {
        volatile int a = 1, b = 0;
        volatile int c = a / b;
        (void)c;
    } else if (strcmp(kind, "abort") == 0) {
        abort();
    } else if (strcmp(kind, "nullcall") == 0) {
        void (*volatile f)(void) = NULL;
        f();
    } else {
        fprintf(stderr, "crash: unknown kind '%s'\n", kind);
        return 2;
    }
    fprintf(stderr, "crash: still alive after '%s'\n", kind);
    return 1;
}
