-- inkan store, schema version 4 (PostgreSQL): bucket settings other than policies
-- (store.BucketSettings), one document per bucket and sub-resource name.
CREATE TABLE bucket_settings (
    bucket   TEXT COLLATE "C" NOT NULL,
    name     TEXT COLLATE "C" NOT NULL,
    document TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (bucket, name)
);
