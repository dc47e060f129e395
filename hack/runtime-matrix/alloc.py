# Allocates and touches MiB megabytes in 64 MiB chunks (argv[1]); reports how far it got.
import sys
target, chunk, chunks, done = int(sys.argv[1]), 64, [], 0
try:
    while done < target:
        chunks.append(bytearray(b"\x01") * (chunk << 20))  # written, so touched
        done += chunk
except MemoryError as e:
    print(f"ERROR MemoryError at {done} MiB", flush=True)
    sys.exit(1)
print(f"OK allocated {done} MiB", flush=True)
