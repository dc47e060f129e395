package main

import (
	"strconv"
	"testing"
)

// vectorsFile holds limit -> rlimit examples that the webhook's tests read too,
// so both sides compute the same budget.
const vectorsFile = "../test/resources/rlimit-vectors.tsv"

func TestBudgetVectors(t *testing.T) {
	for _, c := range vectorRows(t, vectorsFile, 5) {
		lim, err1 := strconv.ParseUint(c[0], 10, 64)
		ratio, err2 := parseRatio(c[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("%q: %v %v", c, err1, err2)
		}
		got := []uint64{headroom(lim), rlimitFor(lim, ratio), goSoftLimit(rlimitFor(lim, ratio))}
		for i, g := range got {
			if strconv.FormatUint(g, 10) != c[i+2] {
				t.Errorf("limit %d ratio %s: column %d is %d, file says %s", lim, c[1], i+3, g, c[i+2])
			}
		}
	}
}

// The budget never exceeds the limit, is none (0) exactly under the floor, and
// grows with the limit and the ratio.
func TestBudgetShape(t *testing.T) {
	prev := uint64(0)
	for lim := uint64(1 << 20); lim <= 1<<40; lim += lim / 7 {
		r := rlimitFor(lim, 1)
		if lim-headroom(lim) < minRlimit {
			if r != 0 {
				t.Fatalf("rlimitFor(%d, 1) = %d, want none under the floor", lim, r)
			}
			continue
		}
		if r > lim || r < lim/2 || r < prev {
			t.Fatalf("rlimitFor(%d, 1) = %d (previous %d)", lim, r, prev)
		}
		if h := rlimitFor(lim, 0.5); h != 0 && (h > r/2+1 || h+1 < r/2) || h == 0 && r/2 >= minRlimit {
			t.Fatalf("rlimitFor(%d, 0.5) = %d, want half of %d", lim, h, r)
		}
		if g := goSoftLimit(r); g >= r || g < r*8/10 {
			t.Fatalf("goSoftLimit(%d) = %d", r, g)
		}
		prev = r
	}
}
