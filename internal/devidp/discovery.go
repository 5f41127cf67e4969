package devidp

// gitlabJWKSPath is GitLab's JWKS path, relative to the GitLab issuer.
const gitlabJWKSPath = "/oauth/discovery/keys"

// Discovery is an OpenID Provider Metadata document (OpenID Connect Discovery 1.0 §3)
// with the fields GitHub publishes, in GitHub's order. AWS fetches it to find jwks_uri;
// a document without the three *_supported fields has been reported to fail with
// "Couldn't retrieve verification key" (aws-federation.md §2.3), so all are present.
type Discovery struct {
	Issuer                           string   `json:"issuer"`
	JWKSURI                          string   `json:"jwks_uri"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	ResponseTypesSupported           []string `json:"response_types_supported"`
	ClaimsSupported                  []string `json:"claims_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	ScopesSupported                  []string `json:"scopes_supported"`
}

// standardClaims are the registered claims every token of this issuer carries.
func standardClaims() []string {
	return []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf"}
}

// Discovery returns the GitHub-shaped issuer's discovery document. claims_supported
// lists every claim Mint can issue except the open-ended repo_property_* family.
func (i *Issuer) Discovery() Discovery {
	return Discovery{
		Issuer:                           i.url,
		JWKSURI:                          i.url + "/.well-known/jwks",
		SubjectTypesSupported:            []string{"public", "pairwise"},
		ResponseTypesSupported:           []string{"id_token"},
		ClaimsSupported:                  append(standardClaims(), claimNames(Job{})...),
		IDTokenSigningAlgValuesSupported: []string{"RS256"},
		ScopesSupported:                  []string{"openid"},
	}
}

// GitLabDiscovery returns the GitLab-shaped issuer's discovery document.
func (i *Issuer) GitLabDiscovery() Discovery {
	return Discovery{
		Issuer:                           i.GitLabURL(),
		JWKSURI:                          i.GitLabURL() + gitlabJWKSPath,
		SubjectTypesSupported:            []string{"public"},
		ResponseTypesSupported:           []string{"id_token"},
		ClaimsSupported:                  append(standardClaims(), claimNames(GitLabJob{})...),
		IDTokenSigningAlgValuesSupported: []string{"RS256"},
		ScopesSupported:                  []string{"openid"},
	}
}
