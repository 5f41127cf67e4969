-- inkan store, schema version 2 (PostgreSQL): what nodes sharing a store must
-- agree on besides the configuration, and the decision log.

-- Small named documents (store.Blobs): generated root credentials, the test
-- identity provider's key file. version increases with every write.
CREATE TABLE blobs (
    name    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    data    BYTEA            NOT NULL,
    version BIGINT           NOT NULL
);

-- The decision log (store.Decisions). seq orders records written in the same
-- microsecond; body is the audit record as JSON.
CREATE TABLE decisions (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id TEXT COLLATE "C" NOT NULL,
    time       BIGINT           NOT NULL,
    service    TEXT COLLATE "C" NOT NULL,
    action     TEXT COLLATE "C" NOT NULL,
    outcome    TEXT COLLATE "C" NOT NULL,
    body       BYTEA            NOT NULL
);

CREATE INDEX decisions_by_request_id ON decisions (request_id);
CREATE INDEX decisions_by_time ON decisions (time);
