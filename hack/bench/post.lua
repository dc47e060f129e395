-- POSTs AdmissionReview bodies to /mutate: the file $BODY, or in turn every file listed in $BODIES (one path a
-- line). With $RATE set, paces each of $CONNECTIONS connections so that together they send RATE req/s.
-- With $MATCH set, also counts the answers whose body contains that text (matched= in the RESULT line).
local bodies = {}
local listing = os.getenv("BODIES")
if listing then
  for path in io.lines(listing) do bodies[#bodies + 1] = path end
else
  bodies[1] = os.getenv("BODY") or "hack/bench/review.json"
end
for i, path in ipairs(bodies) do
  local f = assert(io.open(path, "rb"))
  bodies[i] = f:read("*a")
  f:close()
end

local rate = tonumber(os.getenv("RATE") or "0")
local connections = tonumber(os.getenv("CONNECTIONS") or "1")
local match = os.getenv("MATCH")
local threads = {}
-- Globals, so that setup() can set them per thread.
n = 0
matched = 0

function setup(thread)
  -- Each thread starts at its own offset, so two threads do not send the same body at the same time.
  thread:set("n", #threads * 7919)
  threads[#threads + 1] = thread
end

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

-- Defined only when asked for: wrk then reads every answer's body, which costs throughput.
if match then
  function response(status, headers, body)
    if body and body:find(match, 1, true) then
      matched = matched + 1
    end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (thread:get("matched") or 0) end
  io.write(string.format("RESULT requests=%d errors=%d non2xx=%d duration_s=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f matched=%d\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000, total))
end
