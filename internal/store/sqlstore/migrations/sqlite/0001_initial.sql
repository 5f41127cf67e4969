-- inkan store, schema version 1 (SQLite).
-- Times are INTEGER microseconds since the Unix epoch, UTC; NULL where the
-- record's time is optional and unset. Lists are JSON arrays in TEXT columns:
-- they are always read and written with their owner, never queried inside.
-- name_key columns hold store.FoldName(name) and carry case-insensitive
-- uniqueness without a collation that would differ between dialects.

CREATE TABLE providers (
    arn         TEXT    NOT NULL PRIMARY KEY,
    url         TEXT    NOT NULL UNIQUE,
    client_ids  TEXT    NOT NULL,
    thumbprints TEXT    NOT NULL,
    tags        TEXT    NOT NULL,
    claim_tags  TEXT    NOT NULL,
    create_date INTEGER NOT NULL
) STRICT;

CREATE TABLE roles (
    id                   TEXT    NOT NULL PRIMARY KEY,
    name                 TEXT    NOT NULL,
    name_key             TEXT    NOT NULL UNIQUE,
    path                 TEXT    NOT NULL,
    arn                  TEXT    NOT NULL UNIQUE,
    trust_policy         TEXT    NOT NULL,
    description          TEXT    NOT NULL,
    max_session_duration INTEGER NOT NULL,
    permissions_boundary TEXT    NOT NULL,
    tags                 TEXT    NOT NULL,
    create_date          INTEGER NOT NULL,
    sessions_valid_after INTEGER
) STRICT;

CREATE TABLE role_policies (
    role_id  TEXT NOT NULL REFERENCES roles (id),
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (role_id, name)
) STRICT;

CREATE TABLE managed_policies (
    arn                TEXT    NOT NULL PRIMARY KEY,
    id                 TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    name_key           TEXT    NOT NULL UNIQUE,
    path               TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    document           TEXT    NOT NULL,
    default_version_id TEXT    NOT NULL,
    create_date        INTEGER NOT NULL,
    update_date        INTEGER NOT NULL,
    tags               TEXT    NOT NULL
) STRICT;

CREATE TABLE role_policy_attachments (
    role_id    TEXT NOT NULL REFERENCES roles (id),
    policy_arn TEXT NOT NULL REFERENCES managed_policies (arn),
    PRIMARY KEY (role_id, policy_arn)
) STRICT;

CREATE INDEX role_policy_attachments_by_policy ON role_policy_attachments (policy_arn);

CREATE TABLE sealing_keys (
    id          TEXT    NOT NULL PRIMARY KEY,
    secret      BLOB    NOT NULL,
    create_date INTEGER NOT NULL,
    retire_date INTEGER
) STRICT;

CREATE TABLE bucket_policies (
    bucket   TEXT NOT NULL PRIMARY KEY,
    document TEXT NOT NULL
) STRICT;

-- One row: the write generation (store.Store.Generation).
CREATE TABLE generation (
    id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;

INSERT INTO generation (id, value) VALUES (1, 0);
