-- Accounts, the objects they own, and idempotency keys (PostgreSQL).
CREATE TABLE accounts (
    id       TEXT PRIMARY KEY,
    livemode BIGINT NOT NULL,
    created  BIGINT NOT NULL
);

CREATE TABLE objects (
    seq        BIGSERIAL PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    created    BIGINT NOT NULL,
    version    BIGINT NOT NULL,
    deleted    BIGINT NOT NULL DEFAULT 0,
    parent     TEXT,
    lookup     TEXT,
    status     TEXT,
    unique_key TEXT,
    data       TEXT NOT NULL,
    CONSTRAINT objects_account_kind_id UNIQUE (account_id, kind, id)
);

CREATE INDEX objects_list ON objects (account_id, kind, created, seq);
CREATE INDEX objects_parent ON objects (account_id, kind, parent, created, seq);
CREATE INDEX objects_lookup ON objects (account_id, kind, lookup);
CREATE UNIQUE INDEX objects_unique_key ON objects (account_id, kind, unique_key) WHERE unique_key IS NOT NULL;

CREATE TABLE idempotency_keys (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state       TEXT NOT NULL,
    status      BIGINT,
    body        TEXT,
    created     BIGINT NOT NULL,
    PRIMARY KEY (account_id, key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created);
