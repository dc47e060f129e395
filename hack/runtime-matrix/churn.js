// Holds argv[2] MiB live in JS arrays, then allocates argv[3] arrays of argv[4] MiB, each dropped:
// a service with a steady live set and short-lived garbage, on the V8 heap (Buffers live outside it).
const [live, rounds, size] = process.argv.slice(2).map(Number);
const mib = () => new Array(128 * 1024).fill(1.5); // 128 Ki doubles: 1 MiB of heap
const kept = [];
for (let i = 0; i < live; i++) kept.push(mib());
let sink;
for (let r = 0; r < rounds; r++) {
  sink = [];
  for (let i = 0; i < size; i++) sink.push(mib());
}
console.log(`OK ${kept.length} MiB live, ${rounds} x ${size} MiB churned`);
