-- When something falls due for an object on the server clock (renewals, retries, expiries).
ALTER TABLE objects ADD COLUMN due_at INTEGER;

CREATE INDEX objects_due ON objects (kind, due_at) WHERE due_at IS NOT NULL;
