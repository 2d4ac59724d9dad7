-- wrk script: POST a Segment batch of BATCH_SIZE (default 100) track events of ~500 bytes each.
-- Usage: WRITE_KEY=... BATCH_SIZE=100 wrk -t2 -c16 -d10s -s segment-batch.lua http://127.0.0.1:PORT/v1/batch
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("WRITE_KEY")
if key then
  local b64 = io.popen("printf '%s:' '" .. key .. "' | base64 -w0"):read("*a")
  wrk.headers["Authorization"] = "Basic " .. b64
end
local size = tonumber(os.getenv("BATCH_SIZE") or "100")
local n = 0
local prefix = tostring(math.random(1, 1e9))
request = function()
  n = n + 1
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
-- Report events/s too: requests/s times the batch size.
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("events_per_s %.0f\n", summary.requests * size / secs))
  io.write(string.format("non_2xx %d\n", summary.errors.status))
end
