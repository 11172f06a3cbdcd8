-- A rollback-journal database and a WAL one, each with committed
-- transactions: with synchronous=FULL sqlite3 syncs the journal, the
-- database file and the WAL at every commit (fdatasync, fsync on Linux).
PRAGMA journal_mode=DELETE;
PRAGMA synchronous=FULL;
CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT NOT NULL);
BEGIN;
INSERT INTO t(b) VALUES ('one'), ('two'), ('three'), ('four');
COMMIT;
BEGIN;
UPDATE t SET b = upper(b) WHERE a >= 2;
DELETE FROM t WHERE a = 1;
COMMIT;
BEGIN;
INSERT INTO t(b) VALUES ('rolled back');
ROLLBACK;
SELECT a, b FROM t ORDER BY a;
PRAGMA integrity_check;
ATTACH 'wal.db' AS w;
PRAGMA w.journal_mode=WAL;
PRAGMA w.synchronous=FULL;
CREATE TABLE w.u(k TEXT PRIMARY KEY, v INTEGER);
BEGIN;
INSERT INTO w.u SELECT b, a * 10 FROM t;
COMMIT;
SELECT k, v FROM w.u ORDER BY v;
PRAGMA w.wal_checkpoint(TRUNCATE);
PRAGMA w.integrity_check;
