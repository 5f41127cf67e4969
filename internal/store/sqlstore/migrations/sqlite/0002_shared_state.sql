-- inkan store, schema version 2 (SQLite): what nodes sharing a store must agree
-- on besides the configuration, and the decision log.

-- Small named documents (store.Blobs): generated root credentials, the test
-- identity provider's key file. version increases with every write.
CREATE TABLE blobs (
    name    TEXT    NOT NULL PRIMARY KEY,
    data    BLOB    NOT NULL,
    version INTEGER NOT NULL
) STRICT;

-- The decision log (store.Decisions). seq orders records written in the same
-- microsecond; body is the audit record as JSON.
CREATE TABLE decisions (
    seq        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    request_id TEXT    NOT NULL,
    time       INTEGER NOT NULL,
    service    TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    body       BLOB    NOT NULL
) STRICT;

CREATE INDEX decisions_by_request_id ON decisions (request_id);
CREATE INDEX decisions_by_time ON decisions (time);
