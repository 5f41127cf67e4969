// Package awsclient owns a small client of the AWS-compatible APIs inkan serves — STS, IAM,
// S3 and inkan's own admin API — over net/http, signing with internal/sigv4, and must not
// know how the server implements them: it speaks only the wire protocols, so the same
// client works against inkan and against AWS.
//
// It exists for inkan's own commands (`inkan assume`, `inkan demo`, `inkan explain`): a
// handful of calls, no third-party dependency, errors as values. Every call:
//
//   - is signed with SigV4 (Client.Creds, Client.Region) except AssumeRoleWithWebIdentity,
//     which AWS defines as unsigned;
//   - turns an error answer — the Query protocol's <ErrorResponse>, S3's <Error>, the admin
//     API's JSON — into *Error{Code, Message, RequestID, Status};
//   - is retried with full-jitter backoff (random()·2ⁿ·50 ms, the rule of
//     aws-actions/configure-aws-credentials) only when the failure is retryable: a network
//     error, HTTP 5xx or 429, a throttling code, IDPCommunicationError. AccessDenied,
//     InvalidIdentityToken, ValidationError and every other client error are final.
//
// Requests are built from bytes held in memory, so a retry resends exactly the same body;
// callers keep bodies small (the demo uploads a few files). Nothing a call returns or logs
// holds a secret key, session token or web identity token except the credentials
// AssumeRole* deliberately return.
package awsclient
