-- Cycles through the AdmissionReview bodies listed in $BODIES (one path a line), paced to $RATE req/s overall.
local bodies = {}
for path in io.lines(os.getenv("BODIES")) do
  local f = assert(io.open(path, "rb"))
  bodies[#bodies + 1] = f:read("*a")
  f:close()
end
local rate = tonumber(os.getenv("RATE") or "0")
local connections = tonumber(os.getenv("CONNECTIONS") or "1")
local n = 0

function request()
  n = n + 1
  return wrk.format("POST", "/mutate", {["Content-Type"] = "application/json"}, bodies[(n % #bodies) + 1])
end

function delay()
  if rate > 0 then
    return 1000 * connections / rate
  end
  return 0
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d non2xx=%d p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000))
end
