/* hl-mkrdb FILE: writes the test results database (rdb_fixture.h) for
 * the e2e tests of `plan` and `report`. */
#include "rdb_fixture.h"

#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: hl-mkrdb FILE\n", stderr);
		return 2;
	}
	char side[4096];
	unlink(argv[1]);
	snprintf(side, sizeof(side), "%s-wal", argv[1]);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", argv[1]);
	unlink(side);
	return rdb_fixture(argv[1]) ? 1 : 0;
}
