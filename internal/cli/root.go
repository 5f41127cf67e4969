package cli

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// rootCredentialsFile holds generated root credentials inside the data directory.
const rootCredentialsFile = "root-credentials.json"

type rootCredentials struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

// loadRootCredentials returns the root credentials: from the environment when given, else
// from the data directory, else freshly generated, stored with mode 0600 and printed once to
// out (the only time inkan ever prints a secret).
func loadRootCredentials(dataDir, envKey, envSecret string, out io.Writer) (rootCredentials, error) {
	if envKey != "" {
		return rootCredentials{envKey, envSecret}, nil
	}
	path := filepath.Join(dataDir, rootCredentialsFile)
	data, err := os.ReadFile(path)
	if err == nil {
		var c rootCredentials
		if err := json.Unmarshal(data, &c); err != nil || c.AccessKeyID == "" || c.SecretAccessKey == "" {
			return rootCredentials{}, fmt.Errorf("%s is damaged; remove it to generate new root credentials", path)
		}
		return c, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return rootCredentials{}, err
	}
	b := make([]byte, 10+30)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return rootCredentials{}, err
	}
	c := rootCredentials{AccessKeyID: "AKIA" + base32.StdEncoding.EncodeToString(b[:10]), SecretAccessKey: base64.StdEncoding.EncodeToString(b[10:])}
	data, _ = json.MarshalIndent(c, "", "  ")
	if err := writeFileAtomic(path, append(data, '\n'), 0o600); err != nil {
		return rootCredentials{}, err
	}
	fmt.Fprintf(out, "Generated root credentials (stored in %s, shown only this once):\n", path)
	fmt.Fprintf(out, "  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n", c.AccessKeyID, c.SecretAccessKey)
	return c, nil
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
