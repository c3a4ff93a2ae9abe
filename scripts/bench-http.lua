-- wrk script for scripts/bench-http.sh: POSTs OFREP bodies read from BENCH_BODIES (one JSON per
-- line), cycling through them, to BENCH_TARGET: "single" (one flag of BENCH_DECISIONS,
-- cycling), "bulk", "decide" (/v1/decide with the context as profile) or "constant"
-- (/bench/constant: the same body, a constant answer).
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do
  bodies[#bodies + 1] = line
end
local target = os.getenv("BENCH_TARGET") or "single"
local decisions = tonumber(os.getenv("BENCH_DECISIONS") or "20")
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  local path
  if target == "single" then
    path = "/ofrep/v1/evaluate/flags/slot-" .. (counter % decisions)
  elseif target == "bulk" then
    path = "/ofrep/v1/evaluate/flags"
  elseif target == "decide" then
    path = "/v1/decide"
    body = '{"id":' .. counter .. ',"profile":' .. string.sub(body, 13, -2) .. '}'
  else
    path = "/bench/constant"
  end
  return wrk.format(nil, path, nil, body)
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d rps=%.0f p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
