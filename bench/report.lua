-- wrk reporter: one JSON line with requests/s and latency percentiles (milliseconds).
-- Method, body and headers come from the environment so one script serves every scenario.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
wrk.headers["Content-Type"] = "application/json"

-- BENCH_WALK = a path with one %d: request n of a thread takes path
-- (BENCH_WALK_START + n * BENCH_THREADS + thread) mod BENCH_WALK_SIZE, so no two requests of a run
-- share a path until the walk wraps (every request a cache miss).
local walk = os.getenv("BENCH_WALK")
if walk then
  local threads, size, stride = 0, tonumber(os.getenv("BENCH_WALK_SIZE")), tonumber(os.getenv("BENCH_THREADS"))
  local start = tonumber(os.getenv("BENCH_WALK_START") or "0")
  local counter = 0
  setup = function(thread)
    thread:set("offset", threads)
    threads = threads + 1
  end
  request = function()
    local n = (start + counter * stride + offset) % size
    counter = counter + 1
    return wrk.format(nil, string.format(walk, n))
  end
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status
  io.write(string.format(
    '{"requests": %d, "rps": %.1f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "errors": %d}\n',
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors))
end
