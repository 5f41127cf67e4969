-- inkan store, schema version 3 (PostgreSQL): the decision log's filter columns,
-- copies of the record's keys that the console's Decisions page filters on.
-- Records written before get their subject and source address from their body; their
-- role column stays empty (it holds a role name, which SQL cannot cut from an ARN simply).
ALTER TABLE decisions ADD COLUMN role      TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN subject   TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN source_ip TEXT COLLATE "C" NOT NULL DEFAULT '';

UPDATE decisions SET
    subject   = COALESCE(convert_from(body, 'UTF8')::jsonb->>'subject', ''),
    source_ip = COALESCE(convert_from(body, 'UTF8')::jsonb->>'source_ip', '');

CREATE INDEX decisions_by_role ON decisions (role, seq);
CREATE INDEX decisions_by_subject ON decisions (subject, seq);
CREATE INDEX decisions_by_source_ip ON decisions (source_ip, seq);
CREATE INDEX decisions_by_outcome ON decisions (outcome, seq);
