-- Rows without a lookup value (portal sessions, configurations, products) or without a parent
-- (customers) no longer have entries in the indexes on those columns: no query looks for a row
-- by a missing value, and every entry is index pages written with the row. Queries compare the
-- column with a value (a strict operator, which implies `IS NOT NULL`), so the planner still
-- picks these indexes. (SQLite's migration of the same name also moves tokens into a table
-- keyed by the hash alone; a PostgreSQL table always keeps its rows apart from its indexes.)
DROP INDEX objects_lookup;
CREATE INDEX objects_lookup ON objects (account_id, kind, lookup, created, seq)
    WHERE lookup IS NOT NULL;

DROP INDEX objects_parent;
CREATE INDEX objects_parent ON objects (parent, account_id, kind, created, seq)
    WHERE parent IS NOT NULL;
