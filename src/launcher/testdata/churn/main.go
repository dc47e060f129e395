// Command churn holds argv[1] MiB live and then allocates argv[2] buffers of argv[3] MiB, each
// touched and dropped: a service with a steady live set and short-lived garbage. Go's collector
// lets the heap grow to twice the live set unless GOMEMLIMIT says otherwise.
package main

import (
	"fmt"
	"os"
	"strconv"
)

var sink []byte

func main() {
	live, _ := strconv.Atoi(os.Args[1])
	rounds, _ := strconv.Atoi(os.Args[2])
	size, _ := strconv.Atoi(os.Args[3])
	kept := make([][]byte, live)
	for i := range kept {
		kept[i] = touched(1 << 20)
	}
	for i := 0; i < rounds; i++ {
		sink = touched(size << 20)
	}
	fmt.Printf("OK %d MiB live, %d x %d MiB churned\n", len(kept), rounds, size)
}

func touched(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 4096 {
		b[i] = 1
	}
	return b
}
