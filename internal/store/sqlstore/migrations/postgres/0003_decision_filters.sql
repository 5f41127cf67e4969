-- inkan store, schema version 3 (PostgreSQL): the decision log's filter columns,
-- copies of the record's keys that the console's Decisions page filters on.
-- Records written before keep what their body holds.
ALTER TABLE decisions ADD COLUMN role      TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN subject   TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN source_ip TEXT COLLATE "C" NOT NULL DEFAULT '';

UPDATE decisions SET
    role      = COALESCE(convert_from(body, 'UTF8')::jsonb->>'role', ''),
    subject   = COALESCE(convert_from(body, 'UTF8')::jsonb->>'subject', ''),
    source_ip = COALESCE(convert_from(body, 'UTF8')::jsonb->>'source_ip', '');

CREATE INDEX decisions_by_role ON decisions (role, seq);
CREATE INDEX decisions_by_subject ON decisions (subject, seq);
CREATE INDEX decisions_by_source_ip ON decisions (source_ip, seq);
CREATE INDEX decisions_by_outcome ON decisions (outcome, seq);
