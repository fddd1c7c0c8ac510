-- A customer's lookup is its email folded to lower case (ASCII letters), so that the portal's
-- sign-in page finds an address in any case through the lookup index; the API's `email` filter
-- compares the exact address besides. SQLite's lower() folds ASCII letters only, as Portico does.
UPDATE objects SET lookup = lower(lookup) WHERE kind = 'customer' AND lookup IS NOT NULL;
