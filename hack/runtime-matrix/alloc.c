/* Allocates and touches argv[1] MiB in chunks of argv[2] KiB (default 65536, 64 MiB); reports how far
 * it got. Chunks of 1024 KiB are each an mmap; chunks of a few KiB grow the brk heap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    long target = argc > 1 ? atol(argv[1]) << 10 : 0, chunk = argc > 2 ? atol(argv[2]) : 65536, done = 0;
    while (done < target) {
        char *p = malloc(chunk << 10);
        if (p == NULL) {
            printf("ERROR malloc-NULL at %ld MiB\n", done >> 10);
            return 1;
        }
        memset(p, 1, chunk << 10);
        done += chunk;
    }
    printf("OK allocated %ld MiB\n", done >> 10);
    return 0;
}
