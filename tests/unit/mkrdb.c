/* hl-mkrdb FILE: writes the test results database (rdb_fixture.h) for
 * the e2e tests of `plan` and `report`. */
#include "rdb_fixture.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: hl-mkrdb FILE\n", stderr);
		return 2;
	}
	rdb_remove(argv[1]);
	return rdb_fixture(argv[1]) ? 1 : 0;
}
