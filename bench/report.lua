-- wrk reporter: one JSON line with requests/s and latency percentiles (milliseconds).
-- Method, body and headers come from the environment so one script serves every scenario.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
wrk.headers["Content-Type"] = "application/json"

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
