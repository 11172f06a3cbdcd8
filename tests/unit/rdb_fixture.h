/* A small results database with known answers, for the tests of `plan`
 * and `report` (unit tests, and the e2e tests through hl-mkrdb):
 *
 *   alpha (an old row: d0/b0, done)  read required
 *   beta  (done)   read, write, epoll_wait required; accept4, futex stub-only
 *   alpha (d1/b1, done, the newest)  read, write required; openat stub-only;
 *                  futex fake-only; getrandom, clock_gettime both;
 *                  ioctl:TCGETS stub-only; openat:/proc/self/maps fake-only;
 *                  static "0 1 2 3 16 202 257 318" (no clock_gettime: vDSO);
 *                  baseline metric 100, 110, 120; a discovery run; two
 *                  replicas of stub and fake runs for each feature
 *   gamma (exploring)  read required, mmap pending
 */
#ifndef HL_RDB_FIXTURE_H
#define HL_RDB_FIXTURE_H

/* Makes it at path (which must not exist).  0, or -1 with a message on
 * stderr. */
int rdb_fixture(const char *path);

/* A fresh path "/tmp/hl-TAG-XXXXXX" in path (64 bytes) with nothing there
 * yet, for SQLite to create.  0, or -1. */
int rdb_tmp_path(char *path, const char *tag);

/* Removes the database at path with its WAL and shared-memory files. */
void rdb_remove(const char *path);

#endif
