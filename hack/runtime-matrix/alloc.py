# Allocates and touches argv[1] MiB in chunks of argv[2] KiB (default 65536, 64 MiB); reports how far it
# got. With argv[3] == "one" it grows one bytearray by a chunk at a time instead of keeping a list.
import sys
target, chunk = int(sys.argv[1]) << 10, int(sys.argv[2]) if len(sys.argv) > 2 else 65536
one = len(sys.argv) > 3 and sys.argv[3] == "one"
chunks, whole, done = [], bytearray(), 0
try:
    while done < target:
        if one:
            whole += b"\x01" * (chunk << 10)
        else:
            chunks.append(bytearray(b"\x01") * (chunk << 10))  # written, so touched
        done += chunk
except MemoryError as e:
    print(f"ERROR MemoryError at {done >> 10} MiB", flush=True)
    sys.exit(1)
print(f"OK allocated {done >> 10} MiB", flush=True)
