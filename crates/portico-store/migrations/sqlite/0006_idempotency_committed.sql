-- Whether a request running under an idempotency key committed a change (SQLite). Set in the
-- change's own transaction: a key whose process died after committing, before its response
-- was saved, must never run again.
ALTER TABLE idempotency_keys ADD COLUMN committed INTEGER NOT NULL DEFAULT 0;
