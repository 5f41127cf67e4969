package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrNotFound is returned by Find when no record carries the request id.
var ErrNotFound = errors.New("audit: no record for that request id")

// Record is one decision.
type Record struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id"`
	Service   string    `json:"service"` // sts, iam, s3
	Action    string    `json:"action"`  // e.g. sts:AssumeRoleWithWebIdentity
	Caller    string    `json:"caller,omitempty"`
	Role      string    `json:"role,omitempty"`
	Provider  string    `json:"provider,omitempty"`
	Subject   string    `json:"subject,omitempty"`
	Audience  string    `json:"audience,omitempty"`
	Resource  string    `json:"resource,omitempty"`
	SourceIP  string    `json:"source_ip,omitempty"`
	Outcome   string    `json:"outcome"` // allow, deny, error
	Code      string    `json:"code,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	// Claims are the token's non-secret claims that a trust policy can test.
	Claims map[string]any `json:"claims,omitempty"`
	// Trace is the evaluator's trace, as JSON.
	Trace json.RawMessage `json:"trace,omitempty"`
}

// Log appends records to a directory, rotating the current file when it grows past MaxBytes
// and keeping at most MaxFiles rotated files. Safe for concurrent use.
type Log struct {
	dir      string
	maxBytes int64
	maxFiles int
	now      func() time.Time

	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	size int64

	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

// FlushInterval bounds how long a record waits in the buffer: a process killed outright
// loses at most this much, and `inkan explain --data-dir` sees a decision this soon.
const FlushInterval = time.Second

const current = "audit.log"

// Open opens (creating) the audit directory.
func Open(dir string, maxBytes int64, maxFiles int, now func() time.Time) (*Log, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	l := &Log{dir: dir, maxBytes: maxBytes, maxFiles: maxFiles, now: now, stop: make(chan struct{}), done: make(chan struct{})}
	if err := l.openCurrent(); err != nil {
		return nil, err
	}
	go l.flushLoop()
	return l, nil
}

func (l *Log) flushLoop() {
	defer close(l.done)
	t := time.NewTicker(FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.Flush()
		}
	}
}

func (l *Log) openCurrent() error {
	f, err := os.OpenFile(filepath.Join(l.dir, current), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("audit: %w", err)
	}
	l.f, l.w, l.size = f, bufio.NewWriterSize(f, 64<<10), st.Size()
	return nil
}

// Append writes one record. Records are buffered and flushed every FlushInterval, by Flush,
// by Close, or when the buffer fills; a decision is never delayed by the disk.
func (l *Log) Append(r *Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return l.AppendEncoded(line)
}

// AppendEncoded is Append for a record already encoded as its JSON (one line, no newline),
// for callers that send the same encoding elsewhere too. The log does not keep line.
func (l *Log) AppendEncoded(line []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("audit: log is closed")
	}
	if l.size+int64(len(line))+1 > l.maxBytes && l.size > 0 {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	n, err := l.w.Write(line)
	if err == nil {
		err = l.w.WriteByte('\n')
		n++
	}
	l.size += int64(n)
	return err
}

func (l *Log) rotate() error {
	if err := l.w.Flush(); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	l.f.Close()
	name := "audit-" + l.now().UTC().Format("20060102T150405.000000000") + ".log"
	if err := os.Rename(filepath.Join(l.dir, current), filepath.Join(l.dir, name)); err != nil {
		return fmt.Errorf("audit: rotate: %w", err)
	}
	rotated, _ := l.rotated()
	for len(rotated) > l.maxFiles {
		os.Remove(filepath.Join(l.dir, rotated[0]))
		rotated = rotated[1:]
	}
	return l.openCurrent()
}

// rotated lists rotated files, oldest first.
func (l *Log) rotated() ([]string, error) {
	ents, err := os.ReadDir(l.dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "audit-") && strings.HasSuffix(e.Name(), ".log") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Flush writes buffered records to the file.
func (l *Log) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil {
		return nil
	}
	return l.w.Flush()
}

// Close flushes and closes the log.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.f == nil {
		l.mu.Unlock()
		return nil
	}
	l.mu.Unlock()
	l.stopOnce.Do(func() { close(l.stop) })
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	err := errors.Join(l.w.Flush(), l.f.Close())
	l.f, l.w = nil, nil
	return err
}

// Find returns the newest record with the request id, searching the current file and then the
// rotated ones, newest first. It flushes pending records first so a decision just made is found.
// ctx only cancels the search before it starts: the files are local.
func (l *Log) Find(ctx context.Context, requestID string) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := l.Flush(); err != nil {
		return nil, err
	}
	return FindIn(l.dir, requestID)
}

// FindIn searches an audit directory that may belong to another process (inkan explain).
func FindIn(dir, requestID string) (*Record, error) {
	if requestID == "" {
		return nil, ErrNotFound
	}
	l := &Log{dir: dir}
	rotated, err := l.rotated()
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	files := []string{current}
	for i := len(rotated) - 1; i >= 0; i-- {
		files = append(files, rotated[i])
	}
	needle := []byte(`"request_id":` + mustJSON(requestID))
	for _, name := range files {
		rec, err := findInFile(filepath.Join(dir, name), needle)
		if err == nil {
			return rec, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	return nil, ErrNotFound
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func findInFile(path string, needle []byte) (*Record, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var found *Record
	for _, line := range bytes.Split(data, []byte("\n")) {
		if !bytes.Contains(line, needle) {
			continue
		}
		var r Record
		if json.Unmarshal(line, &r) == nil {
			found = &r
		}
	}
	if found == nil {
		return nil, ErrNotFound
	}
	return found, nil
}
