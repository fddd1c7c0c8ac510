-- The portal's sign-in page finds a customer by email in any case: an index of customers'
-- emails folded to lower case (ASCII, as the query folds the address typed).
CREATE INDEX objects_customer_email_folded ON objects (account_id, lower(lookup), created, seq)
    WHERE kind = 'customer' AND lookup IS NOT NULL;
