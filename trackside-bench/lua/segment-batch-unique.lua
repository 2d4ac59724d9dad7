-- wrk script for scale-out.sh: segment-batch.lua's events (Segment batches of BATCH_SIZE track
-- events of ~500 bytes), with messageIds unique across wrk threads and processes (PREFIX and the
-- thread's number), so that no event is dropped as a duplicate and count(*) can be checked.
-- Usage: WRITE_KEY=... PREFIX=a BATCH_SIZE=100 wrk -t1 -c8 -d20s -s segment-batch-unique.lua http://HOST:PORT/v1/batch
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("WRITE_KEY")
if key then
  local b64 = io.popen("printf '%s:' '" .. key .. "' | base64 -w0"):read("*a")
  wrk.headers["Authorization"] = "Basic " .. b64
end
local size = tonumber(os.getenv("BATCH_SIZE") or "100")
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local prefix = (os.getenv("PREFIX") or "w") .. "-" .. tostring(tid)
  local parts = {}
  for i = 1, size do
    parts[i] = '{"type":"track","event":"Product Viewed","anonymousId":"anon-' .. ((n * size + i) % 5000) ..
      '","messageId":"wrkb-' .. prefix .. '-' .. n .. '-' .. i ..
      '","properties":{"product_id":"sku-123","price":19.99,"currency":"EUR"},' ..
      '"context":{"page":{"url":"https://shop.example.com/p/sku-123","referrer":"https://www.google.com/"},' ..
      '"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"},' ..
      '"timestamp":"2026-11-28T12:00:00.000Z"}'
  end
  return wrk.format(nil, nil, nil, '{"batch":[' .. table.concat(parts, ",") .. ']}')
end
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("events_per_s %.0f\n", summary.requests * size / secs))
  io.write(string.format("acked_events %d\n", (summary.requests - summary.errors.status) * size))
  io.write(string.format("non_2xx %d\n", summary.errors.status))
end
