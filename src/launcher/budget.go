package main

// The budget: which rlimit a memory limit becomes, and the soft limit a Go
// program gets below it. Both are pure functions of (limit, ratio) so that the
// webhook can show the same numbers; src/test/resources/rlimit-vectors.tsv holds
// examples that the tests on both sides check.

// The pod's memory cgroup is charged more than the program's address space:
// kernel memory that grows with the resident set (page tables, 1/512 of it
// with 4 KiB pages, and slabs) and a fixed part (the launcher's copy in the
// emptyDir, the pause container, the process's own kernel structures). A
// program whose address space is nearly all resident reaches the cgroup limit
// that much before the rlimit; the headroom keeps the rlimit below it.
// Measured with hack/runtime-matrix/headroom.sh (docs/launcher.md).
const (
	headroomShift = 8       // limit/256: twice the page tables of a fully resident program
	headroomFixed = 4 << 20 // the launcher's copy on tmpfs (2 MiB) plus slabs and the pause container
)

// goSoftShare is GOMEMLIMIT as a share of the rlimit: what the Go runtime
// counts (heap, stacks, its metadata) stays below what the rlimit counts
// (every private writable mapping, also heap pages the runtime gave back).
const goSoftShare = 0.9

// minRlimit is the floor: a smaller rlimit is not set at all. The JVM, Node.js
// and Go need 40 to 52 MiB of RLIMIT_DATA just to start, whatever their memory
// limit (hack/launcher-floor.sh, docs/launcher.md); 56 MiB still lets a 64 MiB
// container have its rlimit (59.75 MiB).
const minRlimit = 56 << 20

// headroom is what rlimitFor keeps below limit, at most half of it.
func headroom(limit uint64) uint64 {
	return min(limit>>headroomShift+headroomFixed, limit/2)
}

// rlimitFor is the rlimit for a memory limit: the limit less the headroom,
// times the user's ratio; 0 (none) under the floor.
func rlimitFor(limit uint64, ratio float64) uint64 {
	r := uint64(float64(limit-headroom(limit)) * ratio)
	if r < minRlimit {
		return 0
	}
	return r
}

// goSoftLimit is the GOMEMLIMIT for a Go program under rlimit.
func goSoftLimit(rlimit uint64) uint64 {
	return uint64(float64(rlimit) * goSoftShare)
}
