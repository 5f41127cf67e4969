package console

import "github.com/inkan-dev/inkan/internal/lifecycle"

// lifecycleRow is one lifecycle rule as the bucket page shows it.
type lifecycleRow struct {
	ID, Status, Applies, Actions string
}

// lifecycleRows describes the bucket's lifecycle rules; nil when it has none, or when its
// configuration does not parse (the worker logs that and leaves the bucket alone).
func (c *Console) lifecycleRows(bucket string) []lifecycleRow {
	doc, ok := c.o.Domain.BucketSetting(bucket, lifecycle.Setting)
	if !ok {
		return nil
	}
	_, cfg, err := lifecycle.Decode(doc)
	if err != nil {
		return nil
	}
	rows := make([]lifecycleRow, 0, len(cfg.Rules))
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		applies, actions := r.Describe()
		rows = append(rows, lifecycleRow{ID: r.ID, Status: r.Status, Applies: applies, Actions: actions})
	}
	return rows
}
