package transform

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshterious/warehouse/platform/render"
)

func (x *Executor) printf(format string, args ...any) {
	if x.cfg.Progress == nil {
		return
	}
	fmt.Fprintf(x.cfg.Progress, time.Now().UTC().Format("15:04:05")+"  "+format+"\n", args...)
}

func (x *Executor) header(plan []step) {
	n := map[string]int{}
	for _, s := range plan {
		n[s.kind()]++
	}
	x.printf("Running %s on %s: %d models, %d seeds, %d data tests", x.cfg.Command, x.project.Name, n["model"], n["seed"], n["test"])
}

func (x *Executor) describe(s step) string {
	switch {
	case s.model != nil:
		return fmt.Sprintf("%s model %s", s.model.Config.Materialized, x.modelIdent(s.model))
	case s.seed != nil:
		return fmt.Sprintf("seed file %s", x.seedIdent(s.seed))
	default:
		return "test " + s.test.Name
	}
}

func dots(left string, width int) string {
	if n := width - len(left); n > 2 {
		return left + " " + strings.Repeat(".", n-1)
	}
	return left + " ..."
}

func (x *Executor) startLine(i, n int, s step) {
	x.printf("%s [RUN]", dots(fmt.Sprintf("%d of %d START %s", i, n, x.describe(s)), 72))
}

func (x *Executor) line(i, n int, r NodeResult) {
	var verb, tail string
	switch r.Status {
	case "success":
		verb = "OK"
		tail = fmt.Sprintf("[%s in %.2fs]", r.Message, r.Took.Seconds())
	case "pass":
		verb = "PASS"
		tail = fmt.Sprintf("[PASS in %.2fs]", r.Took.Seconds())
	case "fail", "warn":
		verb = strings.ToUpper(r.Status)
		tail = fmt.Sprintf("[%s %d in %.2fs]", strings.ToUpper(r.Status), r.Failures, r.Took.Seconds())
	case "skipped":
		verb = "SKIP"
		tail = "[SKIP: " + r.Message + "]"
	default:
		verb = "ERROR"
		tail = fmt.Sprintf("[ERROR in %.2fs]", r.Took.Seconds())
	}
	x.printf("%s %s", dots(fmt.Sprintf("%d of %d %s %s %s", i, n, verb, r.Kind, r.Name), 72), tail)
}

func (x *Executor) summary(rep *Report) {
	if x.cfg.Progress == nil {
		return
	}
	c := rep.Counts()
	x.printf("")
	x.printf("Finished %s in %.2fs.", x.cfg.Command, rep.Took.Seconds())
	for _, r := range rep.Results {
		switch r.Status {
		case "error":
			x.printf("ERROR in %s %s:\n  %s", r.Kind, r.Name, strings.ReplaceAll(r.Message, "\n", "\n  "))
		case "fail", "warn":
			x.printf("%s in test %s: %d failing row(s); sample:", strings.ToUpper(r.Status), r.Name, r.Failures)
			if len(r.Sample) > 0 {
				cols := make([]string, len(r.Sample[0]))
				for i := range cols {
					cols[i] = fmt.Sprintf("col%d", i+1)
				}
				_ = render.Table(x.cfg.Progress, cols, r.Sample)
			}
		}
	}
	done := c["success"] + c["pass"]
	total := len(rep.Results)
	x.printf("Done. PASS=%d WARN=%d ERROR=%d FAIL=%d SKIP=%d TOTAL=%d", done, c["warn"], c["error"], c["fail"], c["skipped"], total)
}
