#include <stdio.h>
#include "greet.h"

void greet(const char *who, int argc)
{
    printf("hello, %s (argc=%d)\n", who, argc);
}
