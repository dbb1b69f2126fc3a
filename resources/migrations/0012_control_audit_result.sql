-- How each audited console action ended (ok, failed, refused) and the
-- console's address: refused commands and failed logins are audited too.
ALTER TABLE control_audit ADD COLUMN result TEXT NOT NULL DEFAULT 'ok';
ALTER TABLE control_audit ADD COLUMN source TEXT NOT NULL DEFAULT '';
