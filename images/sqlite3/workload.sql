-- The default workload: a small but real SQLite session (DDL, inserts in a
-- transaction, an index, aggregation, a join, a recursive CTE).
CREATE TABLE author(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE paper(id INTEGER PRIMARY KEY, author INTEGER REFERENCES author(id),
                   title TEXT, year INTEGER, pages INTEGER);
BEGIN;
INSERT INTO author(name) VALUES ('Lamport'), ('Liskov'), ('Ritchie'), ('Thompson');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO paper(author, title, year, pages)
SELECT 1 + i % 4, 'paper ' || i, 1970 + i % 50, 5 + i % 23 FROM n;
COMMIT;
CREATE INDEX paper_year ON paper(year);
SELECT a.name, count(*), sum(p.pages) FROM paper p JOIN author a ON a.id = p.author
GROUP BY a.name ORDER BY a.name;
SELECT year, count(*) FROM paper WHERE year BETWEEN 1990 AND 1994 GROUP BY year;
PRAGMA integrity_check;
