-- A patient account's display name is PHI: it is kept sealed under the patient-records data
-- key (bound to the account), as the registry keeps demographics, and the plain display_name
-- column then holds only the placeholder '(sealed)'. Staff names stay plain. Rows written
-- plain by an earlier version are sealed by the server at start (audited user.name_sealed).
ALTER TABLE users ADD COLUMN sealed_display_name BYTEA;
