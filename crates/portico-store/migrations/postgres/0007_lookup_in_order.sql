-- Lists filtered by `lookup` (customers by email, events by type) read newest first: the index
-- carries the list order, so the planner picks it over scanning the whole kind in order.
DROP INDEX objects_lookup;
CREATE INDEX objects_lookup ON objects (account_id, kind, lookup, created, seq);

-- Events not yet delivered (`delivery_success=false`) are found from their open deliveries.
CREATE INDEX webhook_deliveries_open ON webhook_deliveries (account_id, event_id)
    WHERE state IN ('pending', 'failed');
