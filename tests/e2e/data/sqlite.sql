-- Run as `sqlite3 test.db < sqlite.sql` in a fresh, empty directory.
PRAGMA page_size = 4096;
CREATE TABLE words(id INTEGER PRIMARY KEY, word TEXT NOT NULL, n INTEGER);
BEGIN;
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 3000)
INSERT INTO words(word, n)
  SELECT printf('w%03d', (i * 7919) % 500), (i * 104729) % 1000 FROM seq;
COMMIT;
CREATE INDEX words_word ON words(word);
SELECT count(*), count(DISTINCT word), sum(n), min(word), max(word) FROM words;
SELECT word, count(*) AS c, sum(n) FROM words GROUP BY word ORDER BY c DESC, word LIMIT 5;
UPDATE words SET n = n + 1 WHERE word LIKE 'w1%';
DELETE FROM words WHERE n % 3 = 0;
SELECT count(*), sum(n) FROM words;
CREATE TABLE kv(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
INSERT INTO kv SELECT word, zeroblob(n) FROM words WHERE id <= 200;
SELECT count(*), sum(length(v)), hex(substr(max(k), 1, 4)) FROM kv;
PRAGMA integrity_check;
SELECT 'done';
