-- A large sort and join, then close the database. $rows sets the size (default 300000).
-- phase: work
-- In memory on both sides: sql.js keeps its main database as a file of its JavaScript file
-- system, outside the module's linear memory; an attached ':memory:' one lives in SQLite's heap.
ATTACH DATABASE ':memory:' AS mem;
CREATE TABLE mem.a(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
CREATE TABLE mem.b(id INTEGER PRIMARY KEY, k INTEGER, w TEXT);
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < coalesce($rows, 300000))
INSERT INTO mem.a SELECT x, x * 48271 % 2147483647, printf('%.*c', 20 + x % 40, 'v') FROM n;
INSERT INTO mem.b SELECT id, k % 100003, printf('%.*c', 20 + id % 30, 'w') FROM a ORDER BY k;
SELECT count(*), max(length(s)) FROM
  (SELECT a.v || b.w AS s FROM a JOIN b ON b.id = a.k % (SELECT count(*) FROM a) + 1
   ORDER BY a.v || b.w, a.k);
SELECT count(*) FROM (SELECT k FROM a ORDER BY v DESC, k);
-- phase: free
-- The runner closes the database (sql.js: db.close()); natively the sqlite3 CLI exits.
