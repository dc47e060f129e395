// Command alloc allocates and touches argv[1] MiB in chunks of argv[2] KiB (default 65536, 64 MiB) and
// reports how far it got, like hack/runtime-matrix/alloc.c. Under RLIMIT_DATA the Go runtime cannot
// recover from a failed mmap: it dies with "fatal error: out of memory", its own error.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	target, _ := strconv.Atoi(os.Args[1])
	chunk := 65536
	if len(os.Args) > 2 {
		chunk, _ = strconv.Atoi(os.Args[2])
	}
	var keep [][]byte
	for done := 0; done < target<<10; done += chunk {
		b := make([]byte, chunk<<10)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1 // a fresh span is not zeroed by the runtime: touch every page
		}
		keep = append(keep, b)
	}
	fmt.Printf("OK allocated %d MiB\n", len(keep)*chunk>>10)
}
