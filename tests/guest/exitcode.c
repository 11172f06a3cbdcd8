/* exitcode N: exit with status N (0..255), nothing else. */
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    exit(atoi(argv[1]));
}
