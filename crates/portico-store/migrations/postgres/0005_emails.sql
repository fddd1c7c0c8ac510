-- Outgoing email (postgres): every message Portico sends (portal login links), written in the same
-- transaction as what caused it. Without an SMTP server the row stays in the outbox for the
-- operator to read; with one, a sender claims it (lease_until), sends it and records the result.
CREATE TABLE emails (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    created     BIGINT NOT NULL,
    to_addr     TEXT NOT NULL,
    from_addr   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    lease_until BIGINT,
    sent_at     BIGINT,
    last_error  TEXT
);

CREATE INDEX emails_created ON emails (created);
CREATE INDEX emails_to ON emails (to_addr, created);
CREATE INDEX emails_queued ON emails (status, created);
