-- A count of the transactions that changed `objects` or `tokens`. Portico's writer adds one in
-- each such transaction, and a server keeps what it read from these tables in memory with the
-- count it was read at, using it again only while the count has moved by its own writes alone
-- (see the store's read cache). Anything else that changes these tables while servers run on
-- the file (a later migration, a change made by hand) must add one too.
CREATE TABLE changes (n INTEGER NOT NULL);
INSERT INTO changes (n) VALUES (0);
