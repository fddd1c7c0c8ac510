-- Rows without a lookup value (portal sessions, configurations, products) or without a parent
-- (customers) no longer have entries in the indexes on those columns: no query looks for a row
-- by a missing value, and every entry is an index page written with the row. Queries compare the
-- column with a value, or say `IS NOT NULL` outright, so the planner still picks these indexes.
DROP INDEX objects_lookup;
CREATE INDEX objects_lookup ON objects (account_id, kind, lookup, created, seq)
    WHERE lookup IS NOT NULL;

DROP INDEX objects_parent;
CREATE INDEX objects_parent ON objects (parent, account_id, kind, created, seq)
    WHERE parent IS NOT NULL;

-- Links' tokens are only ever found by their hash: kept in the hash's own b-tree, a new token is
-- one b-tree insert fewer (no separate table of rows by row id beside the key's index).
CREATE TABLE tokens_by_hash (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind       TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    created    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO tokens_by_hash (token_hash, account_id, kind, object_id, created, expires_at)
    SELECT token_hash, account_id, kind, object_id, created, expires_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_by_hash RENAME TO tokens;
CREATE INDEX tokens_expires_at ON tokens (expires_at);
