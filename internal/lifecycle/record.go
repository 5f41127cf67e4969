package lifecycle

import (
	"strconv"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/reqid"
)

// auditCaller is the caller of the records of lifecycle actions: no principal asked for
// them, the bucket's configuration did.
const auditCaller = "inkan-lifecycle"

// record appends the audit record of one action taken under a rule. A record that cannot
// be written is logged; the action has happened and stays counted.
func (p *pass) record(action, bucket, key, ruleID, reason string) {
	if p.w.o.Audit == nil {
		return
	}
	rec := &audit.Record{Time: p.w.o.Now().UTC(), RequestID: reqid.New(), Service: "s3", Action: action,
		Caller: auditCaller, Resource: "arn:aws:s3:::" + bucket + "/" + key, Outcome: "allow",
		Code: ruleID, Reason: "lifecycle rule " + strconv.Quote(ruleID) + ": " + reason}
	if err := p.w.o.Audit.Append(rec); err != nil {
		p.w.o.Logger.Error("lifecycle audit record lost", "bucket", bucket, "key", key, "rule", ruleID, "err", err)
	}
}
