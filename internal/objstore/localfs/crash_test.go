package localfs

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// The crash tests run a child process (this test binary, re-executed with
// crashEnv set) that writes to a backend and is killed with SIGKILL
// mid-write; the parent then reopens the backend and checks it.
const (
	crashEnv    = "LOCALFS_CRASH_CHILD"
	crashDirEnv = "LOCALFS_CRASH_DIR"
	// crashNamedEnv makes the child write through named temporary files.
	crashNamedEnv = "LOCALFS_CRASH_NAMED"
	crashBucket   = "crash"
	crashKey      = "victim"
	bigSize       = 100 << 20
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(crashEnv); mode != "" {
		err := crashChild(mode, os.Getenv(crashDirEnv))
		fmt.Fprintln(os.Stderr, "crash child ended without being killed:", err)
		os.Exit(3)
	}
	os.Exit(m.Run())
}

// crashChild does the write the parent kills; it reports progress on stdout.
func crashChild(mode, dir string) error {
	ctx := context.Background()
	b, err := Open(ctx, dir, Options{SweepInterval: -1})
	if err != nil {
		return err
	}
	if os.Getenv(crashNamedEnv) != "" {
		b.blobs.anonymous = false
	}
	switch mode {
	case "put":
		_, err = b.PutObject(ctx, crashBucket, crashKey, &stallingReader{left: bigSize, stallAt: bigSize / 2}, bigSize, objstore.PutOptions{})
	case "put-encrypted":
		_, err = b.PutObject(ctx, crashBucket, crashKey, &stallingReader{left: bigSize, stallAt: bigSize / 2}, bigSize,
			objstore.PutOptions{Encrypt: testDataKey()})
	case "multipart":
		err = crashMultipart(ctx, b)
	case "loop":
		err = crashLoop(ctx, b)
	default:
		err = crashVersioned(ctx, b, mode)
	}
	return err
}

func crashMultipart(ctx context.Context, b *Backend) error {
	id, err := b.CreateMultipartUpload(ctx, crashBucket, crashKey, objstore.ObjectMeta{}, nil)
	if err != nil {
		return err
	}
	part := bytes.Repeat([]byte{1}, objstore.MinPartSize)
	if _, err := b.UploadPart(ctx, crashBucket, crashKey, id, 1, bytes.NewReader(part), int64(len(part)), objstore.PartOptions{}); err != nil {
		return err
	}
	fmt.Println("upload", id)
	_, err = b.UploadPart(ctx, crashBucket, crashKey, id, 2, &stallingReader{left: bigSize, stallAt: bigSize / 2}, bigSize, objstore.PartOptions{})
	return err
}

// crashLoop overwrites the key forever, alternating PutObject and
// multipart uploads, so that the kill lands at an arbitrary moment.
func crashLoop(ctx context.Context, b *Backend) error {
	fmt.Println("started")
	for v := uint64(1); ; v++ {
		data := versionBytes(v)
		if v%3 != 0 {
			if _, err := b.PutObject(ctx, crashBucket, crashKey, bytes.NewReader(data), int64(len(data)), objstore.PutOptions{}); err != nil {
				return err
			}
			fmt.Println("acked", v)
			continue
		}
		id, err := b.CreateMultipartUpload(ctx, crashBucket, crashKey, objstore.ObjectMeta{}, nil)
		if err != nil {
			return err
		}
		var parts []objstore.CompletePart
		for i, p := range [][]byte{data[:objstore.MinPartSize], data[objstore.MinPartSize:]} {
			info, err := b.UploadPart(ctx, crashBucket, crashKey, id, i+1, bytes.NewReader(p), int64(len(p)), objstore.PartOptions{})
			if err != nil {
				return err
			}
			parts = append(parts, objstore.CompletePart{Number: i + 1, ETag: info.ETag})
		}
		if _, err := b.CompleteMultipartUpload(ctx, crashBucket, crashKey, id, parts, objstore.CompleteOptions{}); err != nil {
			return err
		}
		fmt.Println("acked", v)
	}
}

// versionBytes is version v of the key: its number, then bytes derived from it.
func versionBytes(v uint64) []byte {
	r := rand.New(rand.NewPCG(v, v))
	data := make([]byte, objstore.MinPartSize+1+int(v%7)*1000)
	binary.BigEndian.PutUint64(data, v)
	for i := 8; i+8 <= len(data); i += 8 {
		binary.LittleEndian.PutUint64(data[i:], r.Uint64())
	}
	return data
}

// stallingReader yields left bytes, but after stallAt of them tells the
// parent on stdout and blocks forever.
type stallingReader struct{ left, stallAt, read int64 }

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if r.read >= r.stallAt {
		fmt.Println("stalled")
		select {}
	}
	n := int(min(int64(len(p)), r.left, r.stallAt-r.read))
	for i := range p[:n] {
		p[i] = byte(r.read + int64(i))
	}
	r.read += int64(n)
	r.left -= int64(n)
	return n, nil
}

// runChild starts the child in mode on dir, waits until it prints a line
// starting with want, then for delay, kills it with SIGKILL and returns
// every line it printed.
func runChild(t *testing.T, mode, dir string, named bool, want string, delay time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+mode, crashDirEnv+"="+dir)
	if named {
		cmd.Env = append(cmd.Env, crashNamedEnv+"=1")
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var seen []string
	deadline := time.After(2 * time.Minute)
	for reached := false; !reached; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("child exited before printing %q", want)
			}
			seen = append(seen, line)
			reached = strings.HasPrefix(line, want)
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("child did not print %q in time", want)
		}
	}
	time.Sleep(delay)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for line := range lines {
		seen = append(seen, line)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child was not killed: %v", err)
	}
	return seen
}

// crashSetup creates the bucket and the key's previous version in dir.
func crashSetup(t *testing.T, dir string, previous []byte) {
	t.Helper()
	b, err := Open(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.CreateBucket(t.Context(), crashBucket); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(t.Context(), crashBucket, crashKey, bytes.NewReader(previous), int64(len(previous)), objstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

// readKey returns the key's bytes and description.
func readKey(t *testing.T, b *Backend) ([]byte, objstore.ObjectInfo) {
	t.Helper()
	obj, err := b.GetObject(t.Context(), crashBucket, crashKey, objstore.GetOptions{})
	if err != nil {
		t.Fatalf("GetObject after the crash: %v", err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatalf("reading after the crash: %v", err)
	}
	return data, obj.Info
}

// wantCrashLeftovers checks what the kill left on disk before any sweep,
// which shows the child died mid-write: a partial file in tmp/ when it
// wrote through named temporary files, nothing at all (dataFiles data files
// and an empty tmp/) when it wrote anonymous ones.
func wantCrashLeftovers(t *testing.T, dir string, named bool, dataFiles int) {
	t.Helper()
	names := tempFiles(t, dir)
	if !named {
		if len(names) != 0 || len(dataFilesOn(t, dir)) != dataFiles {
			t.Fatalf("anonymous writes left temporary files %q and %d data files, want none and %d",
				names, len(dataFilesOn(t, dir)), dataFiles)
		}
		return
	}
	if len(names) != 1 {
		t.Fatalf("the crash left temporary files %q, want the one being written", names)
	}
	fi, err := os.Stat(dir + "/" + tmpDir + "/" + names[0])
	if err != nil || fi.Size() == 0 || fi.Size() >= bigSize {
		t.Fatalf("temporary file after the crash: %v, %v", fi, err)
	}
}

// eachTempKind runs a crash test with anonymous (where the file system
// allows them) and with named temporary files.
func eachTempKind(t *testing.T, f func(t *testing.T, named bool)) {
	if anonymousAvailable(t) {
		t.Run("anonymous temporary files", func(t *testing.T) { f(t, false) })
	}
	t.Run("named temporary files", func(t *testing.T) { f(t, true) })
}

func TestCrashMidPutObjectLeavesThePreviousVersionAndNoTemporaryFiles(t *testing.T) {
	eachTempKind(t, func(t *testing.T, named bool) {
		dir := t.TempDir()
		previous := []byte("the previous version")
		crashSetup(t, dir, previous)
		runChild(t, "put", dir, named, "stalled", 0)
		wantCrashLeftovers(t, dir, named, 1)
		b := openTest(t, dir, Options{})
		if data, _ := readKey(t, b); !bytes.Equal(data, previous) {
			t.Fatalf("after the crash the key holds %d bytes, want the previous version", len(data))
		}
		fsck(t, b)
	})
}

func TestCrashMidMultipartUploadKeepsCommittedPartsUntilTheSweepExpiresThem(t *testing.T) {
	eachTempKind(t, func(t *testing.T, named bool) {
		dir := t.TempDir()
		previous := []byte("the previous version")
		crashSetup(t, dir, previous)
		lines := runChild(t, "multipart", dir, named, "stalled", 0)
		wantCrashLeftovers(t, dir, named, 2)
		now := time.Now()
		b := openTest(t, dir, Options{Now: func() time.Time { return now }, UploadMaxAge: time.Hour})
		if data, _ := readKey(t, b); !bytes.Equal(data, previous) {
			t.Fatalf("after the crash the key holds %d bytes, want the previous version", len(data))
		}
		id := strings.TrimPrefix(lines[0], "upload ")
		parts, err := b.ListParts(t.Context(), crashBucket, crashKey, id, objstore.ListPartsOptions{MaxParts: 10})
		if err != nil || len(parts.Parts) != 1 || parts.Parts[0].Number != 1 || parts.Parts[0].Size != objstore.MinPartSize {
			t.Fatalf("parts after the crash: %+v, %v; want the committed part 1 only", parts.Parts, err)
		}
		fsck(t, b)
		now = now.Add(2 * time.Hour)
		st, err := b.Sweep(t.Context())
		if err != nil || st != (SweepStats{Uploads: 1}) {
			t.Fatalf("Sweep = %+v, %v; want one expired upload", st, err)
		}
		_, err = b.ListParts(t.Context(), crashBucket, crashKey, id, objstore.ListPartsOptions{MaxParts: 10})
		if !errors.Is(err, objstore.ErrNoSuchUpload) {
			t.Fatalf("ListParts after the sweep: %v, want ErrNoSuchUpload", err)
		}
		fsck(t, b)
	})
}

func TestCrashAtRandomMomentsLeavesOneWholeVersionNoOlderThanTheLastAcknowledged(t *testing.T) {
	eachTempKind(t, crashAtRandomMoments)
}

func crashAtRandomMoments(t *testing.T, named bool) {
	dir := t.TempDir()
	crashSetup(t, dir, versionBytes(0))
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range 4 {
		delay := time.Duration(50+rng.IntN(500)) * time.Millisecond
		lines := runChild(t, "loop", dir, named, "started", delay)
		acked := uint64(0)
		for _, l := range lines {
			fmt.Sscanf(l, "acked %d", &acked)
		}
		b, err := Open(t.Context(), dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		data, info := readKey(t, b)
		v := binary.BigEndian.Uint64(data)
		if !bytes.Equal(data, versionBytes(v)) || v < acked {
			t.Fatalf("round %d (kill after %v): key holds %d bytes claiming version %d, last acknowledged %d",
				round, delay, len(data), v, acked)
		}
		if want := expectedETag(v); info.ETag != want {
			t.Fatalf("round %d: version %d has ETag %s, want %s", round, v, info.ETag, want)
		}
		t.Logf("round %d: killed after %v, found version %d, last acknowledged %d", round, delay, v, acked)
		fsck(t, b)
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// expectedETag is the ETag crashLoop's version v gets: a multipart ETag for
// the versions it uploads in two parts.
func expectedETag(v uint64) string {
	data := versionBytes(v)
	if v == 0 || v%3 != 0 {
		sum := md5.Sum(data)
		return hex.EncodeToString(sum[:])
	}
	h := md5.New()
	for _, p := range [][]byte{data[:objstore.MinPartSize], data[objstore.MinPartSize:]} {
		sum := md5.Sum(p)
		h.Write(sum[:])
	}
	return hex.EncodeToString(h.Sum(nil)) + "-2"
}
