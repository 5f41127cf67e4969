package loadutil

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

// RootCredentials returns inkan's root credentials from INKAN_ROOT_ACCESS_KEY_ID and
// INKAN_ROOT_SECRET_ACCESS_KEY when the first is set, else from the server data
// directory's root-credentials.json (what `inkan serve` writes when it generates them).
func RootCredentials(dataDir string) (sigv4.Credentials, error) {
	if k := os.Getenv("INKAN_ROOT_ACCESS_KEY_ID"); k != "" {
		return sigv4.Credentials{AccessKeyID: k, SecretAccessKey: os.Getenv("INKAN_ROOT_SECRET_ACCESS_KEY")}, nil
	}
	data, err := os.ReadFile(filepath.Join(dataDir, "root-credentials.json"))
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("no root credentials in the environment or %s: %w", dataDir, err)
	}
	var c struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return sigv4.Credentials{}, fmt.Errorf("%s: %w", filepath.Join(dataDir, "root-credentials.json"), err)
	}
	return sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}, nil
}

// MintToken asks the test identity provider of a server started with --dev for one
// GitHub-shaped token; claims are the mint request's fields (repository, ref, audience,
// lifetime_seconds…). The token is a secret: it is never part of an error.
func MintToken(ctx context.Context, client *http.Client, endpoint string, claims map[string]any) (string, error) {
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(endpoint, "/")+"/idp/mint", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("minting a token: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("minting a token: %w", err)
	}
	var v struct{ Value string }
	if resp.StatusCode != 200 || json.Unmarshal(data, &v) != nil || v.Value == "" {
		return "", fmt.Errorf("minting a token: the test identity provider answered %d (is inkan running with --dev?)", resp.StatusCode)
	}
	return v.Value, nil
}
