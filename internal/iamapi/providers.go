package iamapi

import (
	"context"
	"strings"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/store"
)

type createProviderResult struct {
	OpenIDConnectProviderArn string
	Tags                     list[tagXML] `xml:",omitempty"`
}

func (a *api) createOpenIDConnectProvider(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	req := iam.CreateProviderInput{URL: in.required("Url"), ClientIDs: in.list("ClientIDList", false),
		Thumbprints: in.list("ThumbprintList", false), Tags: in.tags("Tags")}
	if in.err != nil {
		return nil, in.err
	}
	if err := a.allow(ctx, c, "CreateOpenIDConnectProvider", a.svc.ProviderARN(req.URL), tagKeys(req.Tags)); err != nil {
		return nil, err
	}
	p, err := a.svc.CreateOpenIDConnectProvider(ctx, &req)
	if err != nil {
		return nil, err
	}
	return createProviderResult{OpenIDConnectProviderArn: p.ARN, Tags: tagList(p.Tags)}, nil
}

// providerARN reads OpenIDConnectProviderArn and authorizes action on it.
func (a *api) providerARN(ctx context.Context, c *awsquery.Call, in *params, action string) (string, error) {
	arn := in.required("OpenIDConnectProviderArn")
	if in.err != nil {
		return "", in.err
	}
	return arn, a.allow(ctx, c, action, arn, nil)
}

type getProviderResult struct {
	Url            string
	ClientIDList   list[string]
	ThumbprintList list[string]
	CreateDate     string
	Tags           list[tagXML] `xml:",omitempty"`
}

func (a *api) getOpenIDConnectProvider(ctx context.Context, c *awsquery.Call) (any, error) {
	arn, err := a.providerARN(ctx, c, newParams(c), "GetOpenIDConnectProvider")
	if err != nil {
		return nil, err
	}
	p, err := a.svc.GetOpenIDConnectProvider(ctx, arn)
	if err != nil {
		return nil, err
	}
	// IAM returns the URL without its scheme (reference §3.2).
	url := strings.TrimPrefix(strings.TrimPrefix(p.URL, "https://"), "http://")
	return getProviderResult{Url: url, ClientIDList: p.ClientIDs, ThumbprintList: p.Thumbprints,
		CreateDate: isoTime(p.CreateDate), Tags: tagList(p.Tags)}, nil
}

type providerEntry struct{ Arn string }

type listProvidersResult struct {
	OpenIDConnectProviderList list[providerEntry]
}

func (a *api) listOpenIDConnectProviders(ctx context.Context, c *awsquery.Call) (any, error) {
	if err := a.allow(ctx, c, "ListOpenIDConnectProviders", allResources, nil); err != nil {
		return nil, err
	}
	all, err := a.svc.ListOpenIDConnectProviders(ctx)
	if err != nil {
		return nil, err
	}
	out := make(list[providerEntry], len(all))
	for i, p := range all {
		out[i] = providerEntry{p.ARN}
	}
	return listProvidersResult{OpenIDConnectProviderList: out}, nil
}

func (a *api) deleteOpenIDConnectProvider(ctx context.Context, c *awsquery.Call) (any, error) {
	arn, err := a.providerARN(ctx, c, newParams(c), "DeleteOpenIDConnectProvider")
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteOpenIDConnectProvider(ctx, arn)
}

func (a *api) addClientID(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	id := in.required("ClientID")
	arn, err := a.providerARN(ctx, c, in, "AddClientIDToOpenIDConnectProvider")
	if err != nil {
		return nil, err
	}
	return nil, a.svc.AddClientIDToOpenIDConnectProvider(ctx, arn, id)
}

func (a *api) removeClientID(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	id := in.required("ClientID")
	arn, err := a.providerARN(ctx, c, in, "RemoveClientIDFromOpenIDConnectProvider")
	if err != nil {
		return nil, err
	}
	return nil, a.svc.RemoveClientIDFromOpenIDConnectProvider(ctx, arn, id)
}

func (a *api) updateThumbprint(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	thumbprints := in.list("ThumbprintList", true)
	arn, err := a.providerARN(ctx, c, in, "UpdateOpenIDConnectProviderThumbprint")
	if err != nil {
		return nil, err
	}
	return nil, a.svc.UpdateOpenIDConnectProviderThumbprint(ctx, arn, thumbprints)
}

func (a *api) tagOpenIDConnectProvider(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	tags := in.tags("Tags")
	arn := in.required("OpenIDConnectProviderArn")
	if in.err != nil {
		return nil, in.err
	}
	if err := a.allow(ctx, c, "TagOpenIDConnectProvider", arn, tagKeys(tags)); err != nil {
		return nil, err
	}
	return nil, a.svc.TagOpenIDConnectProvider(ctx, arn, tags)
}

func (a *api) untagOpenIDConnectProvider(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	keys := in.list("TagKeys", true)
	arn := in.required("OpenIDConnectProviderArn")
	if in.err != nil {
		return nil, in.err
	}
	if err := a.allow(ctx, c, "UntagOpenIDConnectProvider", arn, untagKeys(keys)); err != nil {
		return nil, err
	}
	return nil, a.svc.UntagOpenIDConnectProvider(ctx, arn, keys)
}

// untagKeys are the condition keys of a request that removes tags: aws:TagKeys.
func untagKeys(keys []string) map[string][]string {
	if len(keys) == 0 {
		return nil
	}
	return map[string][]string{"aws:tagkeys": keys}
}

type listTagsResult struct {
	Tags list[tagXML]
	paged
}

func (a *api) listOpenIDConnectProviderTags(ctx context.Context, c *awsquery.Call) (any, error) {
	in := newParams(c)
	pr := in.page()
	arn, err := a.providerARN(ctx, c, in, "ListOpenIDConnectProviderTags")
	if err != nil {
		return nil, err
	}
	tags, err := a.svc.ListOpenIDConnectProviderTags(ctx, arn)
	if err != nil {
		return nil, err
	}
	return tagPage(tags, pr), nil
}

func tagPage(tags []store.Tag, pr pageRequest) listTagsResult {
	items, pg := pageOf(tags, func(t store.Tag) string { return t.Key }, pr)
	return listTagsResult{Tags: tagList(items), paged: pg}
}
