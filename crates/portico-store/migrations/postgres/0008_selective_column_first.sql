-- Lists by parent (a customer's subscriptions, cards, invoices) and reads by unique key: each
-- index now leads with the column that tells rows apart. An index's key comparison stops at the
-- first column that differs; led by the account id, which nearly every row of an account shares,
-- every comparison went on to the next columns. The columns and the uniqueness they enforce are
-- the same, so every query these indexes served they still serve.
DROP INDEX objects_parent;
CREATE INDEX objects_parent ON objects (parent, account_id, kind, created, seq);

DROP INDEX objects_unique_key;
CREATE UNIQUE INDEX objects_unique_key ON objects (unique_key, account_id, kind)
    WHERE unique_key IS NOT NULL;
