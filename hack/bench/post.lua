-- POSTs the benchmark AdmissionReview; with RATE set, paces each connection so all together send RATE req/s.
local body_file = os.getenv("BODY") or "hack/bench/review.json"
local f = assert(io.open(body_file, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

local rate = tonumber(os.getenv("RATE") or "0")
local connections = tonumber(os.getenv("CONNECTIONS") or "1")

function delay()
  if rate > 0 then
    return 1000 * connections / rate
  end
  return 0
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d non2xx=%d duration_s=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
