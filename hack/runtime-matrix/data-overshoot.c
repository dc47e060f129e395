/* Shows where RLIMIT_DATA lets a process past it: a writable mapping placed with MAP_FIXED over an
 * existing PROT_NONE reservation (how Go and the JVM commit their heaps) is checked against the limit
 * less the pages it replaces, so one such mapping of any size passes while the process is under the
 * limit. Run: gcc -o /tmp/data-overshoot hack/runtime-matrix/data-overshoot.c && /tmp/data-overshoot */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>

static const char *outcome(void *p) { return p == MAP_FAILED ? "refused" : "allowed"; }

int main(void) {
    struct rlimit limit = {64 << 20, 64 << 20};
    if (setrlimit(RLIMIT_DATA, &limit) != 0) {
        perror("setrlimit");
        return 1;
    }
    char *reserved = mmap(NULL, 256 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int rw = PROT_READ | PROT_WRITE, fixed = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
    printf("RLIMIT_DATA 64 MiB; a new 128 MiB writable mapping: %s\n",
           outcome(mmap(NULL, 128 << 20, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)));
    printf("128 MiB writable, MAP_FIXED over the reservation: %s\n", outcome(mmap(reserved, 128 << 20, rw, fixed, -1, 0)));
    printf("64 MiB more the same way: %s\n", outcome(mmap(reserved + (128 << 20), 64 << 20, rw, fixed, -1, 0)));
    return 0;
}
