-- The webhook outbox (SQLite): one row per (event, endpoint) to deliver, written in the same
-- transaction as the event, and one row per HTTP attempt. A worker leases a due row
-- (lease_owner/lease_until) before sending, so instances sharing the database split the work
-- and a crashed worker's rows are picked up once its lease runs out.
CREATE TABLE webhook_deliveries (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    event_id     TEXT NOT NULL,
    endpoint_id  TEXT NOT NULL,
    created      INTEGER NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER,
    lease_owner  TEXT,
    lease_until  INTEGER,
    last_attempt INTEGER,
    last_status  INTEGER,
    last_error   TEXT
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (account_id, event_id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (account_id, endpoint_id, created);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    status      INTEGER,
    error       TEXT,
    response    TEXT,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
