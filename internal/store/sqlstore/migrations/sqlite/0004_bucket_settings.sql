-- inkan store, schema version 4 (SQLite): bucket settings other than policies
-- (store.BucketSettings), one document per bucket and sub-resource name.
CREATE TABLE bucket_settings (
    bucket   TEXT NOT NULL,
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (bucket, name)
) STRICT;
