-- inkan store, schema version 1 (PostgreSQL), the same tables as SQLite's.
-- Times are BIGINT microseconds since the Unix epoch, UTC; NULL where the
-- record's time is optional and unset. Lists are JSON arrays in TEXT columns:
-- they are always read and written with their owner, never queried inside.
-- name_key columns hold store.FoldName(name) and carry case-insensitive
-- uniqueness without a collation that would differ between dialects.
-- Every text column is COLLATE "C": ORDER BY then sorts byte by byte, as
-- SQLite does, whatever the database's default locale.

CREATE TABLE providers (
    arn         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    url         TEXT COLLATE "C" NOT NULL UNIQUE,
    client_ids  TEXT COLLATE "C" NOT NULL,
    thumbprints TEXT COLLATE "C" NOT NULL,
    tags        TEXT COLLATE "C" NOT NULL,
    claim_tags  TEXT COLLATE "C" NOT NULL,
    create_date BIGINT           NOT NULL
);

CREATE TABLE roles (
    id                   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name                 TEXT COLLATE "C" NOT NULL,
    name_key             TEXT COLLATE "C" NOT NULL UNIQUE,
    path                 TEXT COLLATE "C" NOT NULL,
    arn                  TEXT COLLATE "C" NOT NULL UNIQUE,
    trust_policy         TEXT COLLATE "C" NOT NULL,
    description          TEXT COLLATE "C" NOT NULL,
    max_session_duration INTEGER          NOT NULL,
    permissions_boundary TEXT COLLATE "C" NOT NULL,
    tags                 TEXT COLLATE "C" NOT NULL,
    create_date          BIGINT           NOT NULL,
    sessions_valid_after BIGINT
);

CREATE TABLE role_policies (
    role_id  TEXT COLLATE "C" NOT NULL REFERENCES roles (id),
    name     TEXT COLLATE "C" NOT NULL,
    document TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (role_id, name)
);

CREATE TABLE managed_policies (
    arn                TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    id                 TEXT COLLATE "C" NOT NULL UNIQUE,
    name               TEXT COLLATE "C" NOT NULL,
    name_key           TEXT COLLATE "C" NOT NULL UNIQUE,
    path               TEXT COLLATE "C" NOT NULL,
    description        TEXT COLLATE "C" NOT NULL,
    document           TEXT COLLATE "C" NOT NULL,
    default_version_id TEXT COLLATE "C" NOT NULL,
    create_date        BIGINT           NOT NULL,
    update_date        BIGINT           NOT NULL,
    tags               TEXT COLLATE "C" NOT NULL
);

CREATE TABLE role_policy_attachments (
    role_id    TEXT COLLATE "C" NOT NULL REFERENCES roles (id),
    policy_arn TEXT COLLATE "C" NOT NULL REFERENCES managed_policies (arn),
    PRIMARY KEY (role_id, policy_arn)
);

CREATE INDEX role_policy_attachments_by_policy ON role_policy_attachments (policy_arn);

CREATE TABLE sealing_keys (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    secret      BYTEA            NOT NULL,
    create_date BIGINT           NOT NULL,
    retire_date BIGINT
);

CREATE TABLE bucket_policies (
    bucket   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    document TEXT COLLATE "C" NOT NULL
);

-- One row: the write generation (store.Store.Generation). Every
-- configuration write updates it first, so its row lock also serialises
-- configuration writers across nodes.
CREATE TABLE generation (
    id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    value BIGINT  NOT NULL
);

INSERT INTO generation (id, value) VALUES (1, 0);
