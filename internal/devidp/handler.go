package devidp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// maxBodyBytes bounds the JSON bodies of the mint and runner-env endpoints.
const maxBodyBytes = 64 << 10

// Handler serves the issuer, relative to where it is mounted (strip the mount prefix,
// e.g. mux.Handle("/idp/", http.StripPrefix("/idp", issuer.Handler())) for the URL
// http://127.0.0.1:8750/idp):
//
//	GET  /.well-known/openid-configuration         GitHub-shaped discovery document
//	GET  /.well-known/jwks                         the published keys
//	GET  /actions/idtoken?api-version=2.0&audience=X   runner token endpoint; Authorization: Bearer <request token>
//	POST /mint                                     TokenRequest JSON → {"count": n, "value": "<jwt>"}
//	POST /runner-env                               JobContext JSON → RunnerEnv JSON
//	GET  /gitlab/.well-known/openid-configuration  GitLab-shaped discovery document
//	GET  /gitlab/oauth/discovery/keys              the same keys, at GitLab's JWKS path
//	POST /gitlab/mint                              GitLabTokenRequest JSON → {"count": n, "value": "<jwt>"}
//
// Errors are JSON {"error": code, "message": text} (the runner endpoint's 401 included,
// which actions/toolkit reads as error.result.message). /mint and /runner-env are open
// to anyone who can reach the handler: mount it only on a development server.
func (i *Issuer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", i.serveDiscovery)
	mux.HandleFunc("GET /.well-known/jwks", i.serveJWKS)
	mux.HandleFunc("GET "+RunnerTokenPath, i.serveRunnerToken)
	mux.HandleFunc("POST /mint", jsonEndpoint(i, answerToken(i.Mint)))
	mux.HandleFunc("POST /runner-env", jsonEndpoint(i, i.RunnerEnv))
	mux.HandleFunc("GET "+GitLabPath+"/.well-known/openid-configuration", i.serveGitLabDiscovery)
	mux.HandleFunc("GET "+GitLabPath+gitlabJWKSPath, i.serveJWKS)
	mux.HandleFunc("POST "+GitLabPath+"/mint", jsonEndpoint(i, answerToken(i.MintGitLab)))
	return mux
}

// tokenResponse is GitHub's answer to a runner token request. UNCONFIRMED: count is the
// length of value in public captures of GitHub's answer; clients read only value.
type tokenResponse struct {
	Count int    `json:"count"`
	Value string `json:"value"`
}

func (i *Issuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, "public, max-age=300", i.Discovery())
}

func (i *Issuer) serveGitLabDiscovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, "public, max-age=300", i.GitLabDiscovery())
}

// serveJWKS lets caches keep the key set one minute, so a rotation shows within a minute.
func (i *Issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	set, err := i.keys.JWKS()
	if err != nil {
		i.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, "public, max-age=60", set)
}

func (i *Issuer) serveRunnerToken(w http.ResponseWriter, r *http.Request) {
	ctx, err := i.verifyRequestToken(bearerToken(r))
	if err != nil {
		i.writeError(w, r, err)
		return
	}
	// The toolkit appends audience only when the action passes one; absent or
	// empty, GitHub's default audience applies.
	answer, err := answerToken(i.Mint)(TokenRequest{JobContext: ctx, TokenOptions: TokenOptions{Audience: r.URL.Query().Get("audience")}})
	i.render(w, r, answer, err)
}

// jsonEndpoint adapts a method taking one JSON body to a handler: decode strictly, call,
// render the answer or the error.
func jsonEndpoint[Req, Resp any](i *Issuer, call func(Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := decodeBody(w, r, &req); err != nil {
			i.writeError(w, r, err)
			return
		}
		answer, err := call(req)
		i.render(w, r, answer, err)
	}
}

// answerToken wraps a minting method so that it answers GitHub's token response.
func answerToken[Req any](mint func(Req) (string, error)) func(Req) (tokenResponse, error) {
	return func(req Req) (tokenResponse, error) {
		token, err := mint(req)
		return tokenResponse{Count: len(token), Value: token}, err
	}
}

// render writes answer, which may hold a secret and so is never cached, or err.
func (i *Issuer) render(w http.ResponseWriter, r *http.Request, answer any, err error) {
	if err != nil {
		i.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, "no-store", answer)
}

// bearerToken returns the credentials of an "Authorization: Bearer …" header. The scheme
// is case-insensitive (RFC 9110 §11.1): GitHub's docs use "bearer", the toolkit "Bearer".
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// decodeBody strictly decodes one JSON value: unknown fields and trailing data are errors.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fieldErrorf("body", "not a valid JSON request: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fieldErrorf("body", "holds more than one JSON value")
	}
	return nil
}

// wireError is the wire form of one kind of error.
type wireError struct {
	err     error
	status  int
	code    string
	message string // empty: the error's own text, which for these errors holds no secret
}

// errorCatalogue maps each error the handlers can meet to its wire form, in one place.
func errorCatalogue() []wireError {
	return []wireError{
		{ErrInvalidRequest, http.StatusBadRequest, "invalid_request", ""},
		{ErrRequestTokenMissing, http.StatusUnauthorized, "unauthorized", "missing request token: send Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN"},
		{ErrRequestTokenExpired, http.StatusUnauthorized, "unauthorized", "the request token has expired: run `inkan idp runner-env` again"},
		{ErrRequestTokenInvalid, http.StatusUnauthorized, "unauthorized", "the request token is not valid for this issuer"},
	}
}

type errorBody struct {
	Code    string `json:"error"`
	Message string `json:"message"`
}

// writeError renders err from the catalogue; anything else is a 500 whose detail goes to
// the log only.
func (i *Issuer) writeError(w http.ResponseWriter, r *http.Request, err error) {
	for _, entry := range errorCatalogue() {
		if !errors.Is(err, entry.err) {
			continue
		}
		message := entry.message
		if message == "" {
			message = err.Error()
		}
		if entry.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="inkan dev IdP"`)
		}
		writeJSON(w, entry.status, "no-store", errorBody{Code: entry.code, Message: message})
		return
	}
	i.log.Error("devidp: request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	writeJSON(w, http.StatusInternalServerError, "no-store", errorBody{Code: "internal_error", Message: "internal error; see the server log"})
}

func writeJSON(w http.ResponseWriter, status int, cacheControl string, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"internal_error","message":"cannot encode the answer"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", cacheControl)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
