-- Run as `sqlite3 -batch test.db '.read sqlite-procs.sql'` in a fresh, empty
-- directory (PATH must find sqlite3 and tr). Besides a file database in WAL
-- mode (the -shm file is shared memory, mmap'ed MAP_SHARED), this starts
-- processes: .shell/.system run `sh -c`, and `.once |cmd` pipes a result
-- through a command (popen). One child is another sqlite3 that reads the
-- database while this one has it open: both map the same -shm file.
.bail on
PRAGMA journal_mode = WAL;
CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, s TEXT);
BEGIN;
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 2000)
INSERT INTO t(x, s) SELECT (i * 7919) % 1000, printf('row%04d', i) FROM seq;
COMMIT;
SELECT count(*), sum(x), min(s), max(s) FROM t;
.shell echo "shell: a child process ran"
.system sqlite3 -batch test.db "SELECT 'child sqlite3 sees', count(*), sum(x) FROM t"
UPDATE t SET x = x + 1 WHERE id % 2 = 0;
.system sqlite3 -batch test.db "SELECT 'child sqlite3 after update', sum(x) FROM t"
.once '|tr a-z A-Z'
SELECT 'piped through tr', count(*) FROM t WHERE x > 500;
SELECT 'back on stdout';
PRAGMA wal_checkpoint(TRUNCATE);
PRAGMA integrity_check;
.shell sh -c 'exit 3'
SELECT 'done';
