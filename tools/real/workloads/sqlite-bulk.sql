-- Bulk insert plus an index, then close the database. $rows sets the size (default 400000);
-- '-- phase:' lines mark where the WebAssembly runner samples between phases (comments to SQLite).
-- phase: work
-- In memory on both sides: sql.js keeps its main database as a file of its JavaScript file
-- system, outside the module's linear memory; an attached ':memory:' one lives in SQLite's heap.
ATTACH DATABASE ':memory:' AS mem;
CREATE TABLE mem.item(id INTEGER PRIMARY KEY, name TEXT, price REAL, note TEXT);
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < coalesce($rows, 400000))
INSERT INTO mem.item SELECT x, 'item-' || x, (x * 7919 % 10007) / 100.0, printf('%.*c', 40 + x % 60, 'n')
  FROM n;
CREATE INDEX mem.item_name ON item(name);
CREATE INDEX mem.item_price ON item(price);
SELECT count(*), sum(price) FROM item;
-- phase: free
-- The runner closes the database (sql.js: db.close()); the sqlite3 CLI cannot be told to close
-- one and keep running, so natively this is its exit.
