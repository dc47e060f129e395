package main

import (
	"strings"
	"testing"
)

// goMemLimitVectors holds GOMEMLIMIT values and whether Go's runtime lets a Go
// program start with them; the webhook's parser is checked against the same rows.
const goMemLimitVectors = "../test/resources/gomemlimit-vectors.tsv"

// The launcher is a Go program: Go's runtime reads GOMEMLIMIT before main, and a
// value it refuses ends the launcher before it can exec the program. The webhook
// leaves such containers unwrapped, so the table must say what the runtime does.
func TestGoMemLimitValuesTheRuntimeRefuses(t *testing.T) {
	for _, c := range vectorRows(t, goMemLimitVectors, 2) {
		value, verdict := c[0], c[1]
		if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
			t.Fatalf("%q: the value must be between double quotes", c)
		}
		value = value[1 : len(value)-1]
		stdout, stderr, code := launch(t, []string{envGoMemLimit + "=" + value}, "--", "/bin/echo", "ran")
		switch verdict {
		case "runs":
			if code != 0 || stdout != "ran\n" {
				t.Errorf("GOMEMLIMIT=%q: exit %d, stdout %q, stderr %.120q; the table says the program runs",
					value, code, stdout, stderr)
			}
		case "aborts":
			if code != 2 || stdout != "" || !strings.Contains(stderr, "fatal error: malformed GOMEMLIMIT") {
				t.Errorf("GOMEMLIMIT=%q: exit %d, stdout %q, stderr %.80q; the table says Go's runtime aborts",
					value, code, stdout, stderr)
			}
		default:
			t.Fatalf("%q: verdict must be runs or aborts", c)
		}
	}
}
