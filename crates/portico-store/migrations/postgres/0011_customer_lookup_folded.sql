-- A customer's lookup is its email folded to lower case (ASCII letters only, as Portico folds
-- it), so that the portal's sign-in page finds an address in any case through the lookup index;
-- the API's `email` filter compares the exact address besides.
UPDATE objects
SET lookup = translate(lookup, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
WHERE kind = 'customer' AND lookup IS NOT NULL;
