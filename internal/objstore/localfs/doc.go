// Package localfs owns the local-disk objstore.Backend: object bytes in
// files under one directory and their metadata in an embedded SQLite index
// beside them. It must not know about HTTP, S3 wire formats or
// authorization.
//
// # Layout
//
//	<dir>/LOCK           flock(2)ed while a process has the backend open
//	<dir>/index.db       SQLite (WAL) index: buckets, objects (current
//	                     versions), versions (noncurrent versions and delete
//	                     markers, see versions.go), uploads, parts, and blobs
//	                     (a reference count per data file)
//	<dir>/blobs/XX/ID    data files, named by random 128-bit IDs (XX is the
//	                     ID's first byte); keys never become paths
//	<dir>/tmp/           temporary files, where O_TMPFILE is unavailable
//
// An object is a list of segments (data file, offset, length): one for
// PutObject, one per part for a completed multipart upload (completion
// copies nothing), and CopyObject shares the source's data files.
//
// # Encryption at rest
//
// A write given an objstore.DataKey stores its data file as AES-256-GCM
// chunks of 64 KiB (crypt.go: each chunk authenticated with its index, its
// file's ID and whether it is the last) and keeps the key's sealed form in
// the object's metadata row; segment offsets and lengths count plaintext
// bytes. Reads open the key through the caller's objstore.KeyOpener and
// decrypt only the chunks a range or part covers (cryptbody.go); they cannot
// use sendfile. The parts of an encrypted upload share the upload's key,
// each in its own data file with its own nonce prefix. Unencrypted objects
// are stored and served exactly as before.
//
// # Durability and atomicity
//
// A write streams the body into a temporary file while hashing it (MD5,
// the ETag), fdatasyncs it, then gives it its final name: an O_TMPFILE file
// linked into blobs/ on Linux (nothing is left behind by a crash, and no
// cross-directory rename lock is taken), else a file in tmp/ renamed into
// blobs/. The index transaction that makes it the current version commits
// only after the data file's directory is fsynced, and the call returns
// only after that commit's WAL fsync (synchronous=FULL; see index for why
// SIGKILL alone would need less). Writes from concurrent callers are group
// committed: one directory fsync and one WAL fsync serve a whole batch, and
// the directory fsync of one batch overlaps the commit of the previous one.
// Data files of a replaced or deleted version are deleted after the commit,
// once no reader that may have opened them is still reading (see keeper);
// large ones stay open, unlinked, for a minute at most, for a large write to
// take over their page-cache pages (see spares).
//
// A crash therefore leaves at most: a temporary file, or a data file no
// index row references (written but not committed, or freed but not yet
// deleted). Sweep removes both, and aborts multipart uploads older than
// Options.UploadMaxAge; Open runs it, and so does a timer.
//
// # Tests, fuzzing and benchmarks
//
// localfs_test.go runs objstoretest.Run on both temporary-file paths and
// checks the files against the index after every case (fsck_test.go);
// crash_test.go kills a child process with SIGKILL mid-write. Fuzz the
// index row decoders longer with
//
//	go test -run '^$' -fuzz FuzzDecodeMeta -fuzztime 10m ./internal/objstore/localfs/
//	go test -run '^$' -fuzz FuzzDecodeSegments -fuzztime 10m ./internal/objstore/localfs/
//
// and benchmark with
//
//	go test -run '^$' -bench . -benchtime 5s ./internal/objstore/localfs/
package localfs
