#!/bin/sh
# Print every __NR_ macro of the build host's <asm/unistd_64.h> as a C
# initializer {"name", number}, read through the compiler so the list is
# exactly what the headers define.
cc=${1:-cc}
echo '#include <asm/unistd_64.h>' | "$cc" -dM -E -x c - |
	sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$/{"\1", \2},/p' | sort -t, -k2 -n
