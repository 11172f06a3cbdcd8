/* Built and run by the e2e test make.build-and-run (see Makefile). */
#include "greet.h"

int main(int argc, char **argv)
{
    greet(argc > 1 ? argv[argc - 1] : "world", argc);
    return 0;
}
