/* Allocates and touches argv[1] MiB in 64 MiB chunks; reports how far it got. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    long target = argc > 1 ? atol(argv[1]) : 0, done = 0;
    const long chunk = 64;
    while (done < target) {
        char *p = malloc(chunk << 20);
        if (p == NULL) {
            printf("ERROR malloc-NULL at %ld MiB\n", done);
            return 1;
        }
        memset(p, 1, chunk << 20);
        done += chunk;
    }
    printf("OK allocated %ld MiB\n", done);
    return 0;
}
