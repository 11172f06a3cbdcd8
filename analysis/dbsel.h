/* Which workload rows of the results database `plan` and `report` read:
 * the newest row of each name (a changed definition or binary starts a new
 * row, and the old one is history). */
#ifndef HL_DBSEL_H
#define HL_DBSEL_H

#include "analysis/resultsdb.h"

#include <stddef.h>
#include <stdint.h>

/* A workload row copied out of the database: the strings are owned. */
struct dbsel_row {
	int64_t id;
	char *name, *def_hash, *bin_hash, *created, *state;
	char *static_nrs; /* NULL: not analysed */
};

/* Opens a results database that must exist: a reader never creates an
 * empty one (rdb_open would).  NULL with a message in err. */
struct rdb *dbsel_open(const char *path, char *err, size_t errlen);

/* The newest row of each name of names[0..n), in that order (duplicates
 * once), or of every name in the database, sorted, when n == 0.  Their
 * number (*rows malloc'd: dbsel_free), or -1 with a message in err when a
 * name has no row or the database cannot be read. */
int dbsel_rows(struct rdb *db, char *const *names, int n, struct dbsel_row **rows, char *err, size_t errlen);
void dbsel_free(struct dbsel_row *rows, int n);

/* The numbers of a space-separated list (static_nrs) as a set of flags
 * (in[SC_TABLE_SIZE]); the count of distinct numbers, -1 when s is NULL. */
int dbsel_static(const char *s, unsigned char *in, int size);

#endif
