-- Capability tokens behind hosted-page links (stored as SHA-256 hashes), and server settings.
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind       TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    created    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX tokens_expires_at ON tokens (expires_at);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
