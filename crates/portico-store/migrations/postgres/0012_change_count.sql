-- SQLite counts the changes to objects and tokens here for its server's read cache. PostgreSQL
-- servers read the database every time, so there is nothing to count; this migration keeps the
-- two lists of migrations alike.
SELECT 1;
