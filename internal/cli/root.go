package cli

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/inkan-dev/inkan/internal/store"
)

// rootCredentialsFile holds generated root credentials inside the data directory.
const rootCredentialsFile = "root-credentials.json"

type rootCredentials struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

// rootCredentialsBlob names the store blob that keeps generated root credentials, so that
// every node sharing the store accepts the same.
const rootCredentialsBlob = "root-credentials"

// loadRootCredentials returns the root credentials: from the environment when given; else
// the store's (blob root-credentials), which every node sharing the store agrees on; else
// those of the data directory's root-credentials.json, copied into the store (a data
// directory from before the store kept them keeps its credentials); else freshly generated.
// Of several nodes generating at once exactly one wins: it stores them, writes them to its
// data directory (mode 0600) and prints them once to out, the only time inkan prints a
// secret; the others use the winner's and print nothing.
func loadRootCredentials(ctx context.Context, blobs store.Blobs, dataDir, envKey, envSecret string, out io.Writer, logger *slog.Logger) (rootCredentials, error) {
	if envKey != "" {
		return rootCredentials{envKey, envSecret}, nil
	}
	path := filepath.Join(dataDir, rootCredentialsFile)
	shared, found, err := sharedRootCredentials(ctx, blobs)
	if err != nil {
		return rootCredentials{}, err
	}
	local, haveFile, fileErr := readRootCredentialsFile(path)
	if found {
		if haveFile && local != shared {
			logger.Warn("the data directory's root credentials differ from the store's, which every node uses; remove the file",
				"file", path, "file_access_key_id", local.AccessKeyID, "store_access_key_id", shared.AccessKeyID)
		}
		return shared, nil
	}
	if fileErr != nil {
		return rootCredentials{}, fileErr
	}
	if !haveFile {
		if local, err = generateRootCredentials(); err != nil {
			return rootCredentials{}, err
		}
	}
	won, err := putRootCredentials(ctx, blobs, local)
	if err != nil {
		return rootCredentials{}, err
	}
	if !won {
		return firstOf(sharedRootCredentials(ctx, blobs))
	}
	if !haveFile {
		announceRootCredentials(path, local, out, logger)
	}
	return local, nil
}

// sharedRootCredentials reads the store's root credentials; found is false when it has none.
func sharedRootCredentials(ctx context.Context, blobs store.Blobs) (c rootCredentials, found bool, err error) {
	data, _, err := blobs.GetBlob(ctx, rootCredentialsBlob)
	if errors.Is(err, store.ErrNotFound) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("reading the root credentials from the store: %w", err)
	}
	if json.Unmarshal(data, &c) != nil || c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, false, fmt.Errorf("the store's blob %s is damaged", rootCredentialsBlob)
	}
	return c, true, nil
}

// putRootCredentials creates the store's root credentials; won is false when another node
// created them first.
func putRootCredentials(ctx context.Context, blobs store.Blobs, c rootCredentials) (won bool, err error) {
	data, _ := json.Marshal(c)
	_, err = blobs.PutBlob(ctx, rootCredentialsBlob, data, 0)
	if errors.Is(err, store.ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("storing the root credentials: %w", err)
	}
	return true, nil
}

// firstOf returns the credentials of sharedRootCredentials, an error if there are none.
func firstOf(c rootCredentials, found bool, err error) (rootCredentials, error) {
	if err == nil && !found {
		err = errors.New("the store's root credentials vanished while being created")
	}
	return c, err
}

// readRootCredentialsFile reads a data directory's root-credentials.json; exists is false
// when there is none.
func readRootCredentialsFile(path string) (c rootCredentials, exists bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if err := json.Unmarshal(data, &c); err != nil || c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, false, fmt.Errorf("%s is damaged; remove it to generate new root credentials", path)
	}
	return c, true, nil
}

func generateRootCredentials() (rootCredentials, error) {
	b := make([]byte, 10+30)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return rootCredentials{}, err
	}
	return rootCredentials{AccessKeyID: "AKIA" + base32.StdEncoding.EncodeToString(b[:10]), SecretAccessKey: base64.StdEncoding.EncodeToString(b[10:])}, nil
}

// announceRootCredentials writes newly generated credentials to the data directory, for
// the local commands that act as root (demo, explain), and prints them once. They are in
// the store already: failing to write the file is only a warning.
func announceRootCredentials(path string, c rootCredentials, out io.Writer, logger *slog.Logger) {
	data, _ := json.MarshalIndent(c, "", "  ")
	where := "in the store and in " + path
	if err := writeFileAtomic(path, append(data, '\n'), 0o600); err != nil {
		logger.Warn("writing the root credentials to the data directory failed; they are in the store", "file", path, "err", err)
		where = "in the store"
	}
	fmt.Fprintf(out, "Generated root credentials (stored %s, shown only this once):\n", where)
	fmt.Fprintf(out, "  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n", c.AccessKeyID, c.SecretAccessKey)
}

// readRootCredentials reads the stored root credentials of a data directory, for commands
// that act as the administrator against a local server (demo, explain).
func readRootCredentials(dataDir string) (rootCredentials, error) {
	var c rootCredentials
	data, err := os.ReadFile(filepath.Join(dataDir, rootCredentialsFile))
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(data, &c)
	return c, err
}

// writeFileAtomic writes a file through a temporary file, fsync and rename.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
