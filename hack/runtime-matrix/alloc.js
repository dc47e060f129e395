// Allocates and touches argv[2] MiB in chunks of argv[3] KiB (default 65536, 64 MiB); reports how far it got.
const target = Number(process.argv[2]) * 1024;
const chunk = Number(process.argv[3] || 65536);
const keep = [];
let done = 0;
try {
  while (done < target) {
    keep.push(Buffer.alloc(chunk * 1024, 1));
    done += chunk;
  }
} catch (e) {
  console.log(`ERROR ${e.name} (${e.message}) at ${Math.floor(done / 1024)} MiB`);
  process.exit(1);
}
console.log(`OK allocated ${Math.floor(done / 1024)} MiB`);
