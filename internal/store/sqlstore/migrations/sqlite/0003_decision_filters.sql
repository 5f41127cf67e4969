-- inkan store, schema version 3 (SQLite): the decision log's filter columns,
-- copies of the record's keys that the console's Decisions page filters on.
-- Records written before get their subject and source address from their body; their
-- role column stays empty (it holds a role name, which SQL cannot cut from an ARN simply).
ALTER TABLE decisions ADD COLUMN role      TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN subject   TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN source_ip TEXT NOT NULL DEFAULT '';

UPDATE decisions SET
    subject   = COALESCE(json_extract(CAST(body AS TEXT), '$.subject'), ''),
    source_ip = COALESCE(json_extract(CAST(body AS TEXT), '$.source_ip'), '')
WHERE json_valid(CAST(body AS TEXT));

CREATE INDEX decisions_by_role ON decisions (role, seq);
CREATE INDEX decisions_by_subject ON decisions (subject, seq);
CREATE INDEX decisions_by_source_ip ON decisions (source_ip, seq);
CREATE INDEX decisions_by_outcome ON decisions (outcome, seq);
