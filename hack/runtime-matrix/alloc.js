// Allocates and touches argv[2] MiB in 64 MiB chunks; reports how far it got.
const target = Number(process.argv[2]);
const chunk = 64;
const keep = [];
let done = 0;
try {
  while (done < target) {
    keep.push(Buffer.alloc(chunk << 20, 1));
    done += chunk;
  }
} catch (e) {
  console.log(`ERROR ${e.name} (${e.message}) at ${done} MiB`);
  process.exit(1);
}
console.log(`OK allocated ${done} MiB`);
