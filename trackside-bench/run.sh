#!/usr/bin/env bash
# Trackside's benchmark, side by side with this machine's HTTP ceiling in the same run.
# Usage: trackside-bench/run.sh [seconds=10]        (results: paste into docs/BENCHMARKS.md)
#  1. nginx `return 200` under the single-event wrk load (../shared/bench/http-ceiling.sh)
#  2. Trackside under the same load: POST /v1/track, ~500 B, 64 keep-alive connections
#  3. Trackside with batches of 100 events (16 connections)
#  4. Trackside at a steady 10,000 events/s for 30 s, after a restart and a warm-up of
#     BENCH_WARM_UP=20 s at that rate: p99 from receipt to queryable in DuckDB
#  and the server's peak resident memory throughout.
# BENCH_DESTINATIONS=1 runs the same with two destinations configured: a webhook to a live
# receiver (nginx) and one to a closed port (down the whole time), to show ingest is unchanged.
set -euo pipefail
secs=${1:-10}
warm=${BENCH_WARM_UP:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${TRACKSIDE_SHARED:-$root/../shared}
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null; }
(cd "$root" && mvn -q -B -DskipTests install)
port=${BENCH_PORT:-18080}
work=$(mktemp -d)
key=wk_bench_key
token=at_bench_admin_token_0123456789
. "$root/trackside-bench/two-destinations.sh"
if [ "${BENCH_DESTINATIONS:-0}" = 1 ]; then two_destinations "$work"; fi
"$root/trackside" serve \
  --config "$work/trackside.yml" --data "$work/data" --host 127.0.0.1 --port "$port" \
  --write-key "$key" --admin-token "$token" >"$work/server.log" 2>&1 &
pid=$!
peak=0
sample_rss() { local r; r=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' '); [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r; true; }
# Each step may fail (the server already stopped, wait reporting its signal): none may skip the rest.
cleanup() {
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  if [ -f "$work/nginx.pid" ]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/server.log"; exit 1; }
url="http://127.0.0.1:$port"
echo "machine: $(nproc) cores, $(uname -r); java: $(java -version 2>&1 | head -1)"

echo "== 1. HTTP ceiling: nginx return 200, same wrk load"
ceiling=$("$shared/bench/http-ceiling.sh" "$secs" 64 | awk '{print $2}')
echo "nginx_req_per_s $ceiling"

echo "== 2. Trackside POST /v1/track, 64 connections"
WRITE_KEY=$key wrk -t2 -c64 -d2s -s "$shared/bench/segment-track.lua" "$url/v1/track" >/dev/null
( while sleep 0.5; do ps -o rss= -p "$pid"; done ) >"$work/rss1" &
sampler=$!
single=$(WRITE_KEY=$key wrk -t2 -c64 -d"${secs}s" --latency -s "$shared/bench/segment-track.lua" "$url/v1/track")
kill $sampler
echo "$single" | grep -E "Requests/sec|Non-2xx|99%|50%" || true
single_rps=$(echo "$single" | awk '/Requests\/sec/ {print $2}')
echo "ratio_to_nginx $(awk -v a="$single_rps" -v b="$ceiling" 'BEGIN {printf "%.2f", a/b}')"

echo "== 3. Trackside POST /v1/batch, 100 events per batch, 16 connections"
( while sleep 0.5; do ps -o rss= -p "$pid"; done ) >"$work/rss2" &
sampler=$!
WRITE_KEY=$key BATCH_SIZE=100 wrk -t2 -c16 -d"${secs}s" --latency -s "$root/trackside-bench/lua/segment-batch.lua" "$url/v1/batch" |
  grep -E "Requests/sec|events_per_s|non_2xx|99%" || true
kill $sampler

echo "== waiting for the warehouse to catch up"
for _ in $(seq 1 600); do
  lag=$(curl -s "$url/metrics" | awk '/^trackside_log_consumer_lag\{/ {print $2}')
  [ "${lag%.*}" = "0" ] && break; sleep 1
done
echo "lag $lag"

echo "== 4. steady 10,000 events/s (batches of 50), receive → queryable: ${warm}s warm-up, then 30 s measured"
# Restart, as an operator would before a new load, and wait until the user-agent analyzer is built
# (the workers' events wait for it, ~10 s) and the log is drained; then a warm-up at the same rate
# (the JIT compiles the hot paths, the backlog it leaves clears), then the measured 30 s: their
# latency is the difference of the histogram before and after.
kill "$pid"; wait "$pid" 2>/dev/null || true
"$root/trackside" serve \
  --config "$work/trackside.yml" --data "$work/data" --host 127.0.0.1 --port "$port" \
  --write-key "$key" --admin-token "$token" >>"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.2; done
for _ in $(seq 1 600); do
  metrics=$(curl -s "$url/metrics")
  lag=$(echo "$metrics" | awk '/^trackside_log_consumer_lag\{/ {print $2}')
  [ "${lag%.*}" = "0" ] && echo "$metrics" | grep -q '^trackside_pipeline_user_agent_ready 1' && break; sleep 1
done
( while sleep 0.5; do ps -o rss= -p "$pid"; done ) >"$work/rss3" &
sampler=$!
steady() { java -cp "$root/trackside-bench/target/classes" io.trackside.bench.SteadyLoad "$url" "$key" 10000 "$1" 50 | tail -3; }
latency() { curl -s "$url/metrics" | grep -E '^trackside_pipeline_latency_seconds_(bucket|count|max)'; }
steady "$warm" >/dev/null
latency >"$work/latency-before"
steady 30
sleep 3
kill $sampler
latency >"$work/latency-after"
# p99 receive → queryable: the upper bound of the first histogram bucket holding 99 % of the events
# stored in the measured window; and over the whole run, warm-up included.
p99() { awk -F'[{}" ]+' '/_bucket/ {le=$3; n=$NF; if (le=="+Inf") next; les[++k]=le; cnt[k]=n} /_count/ {total=$NF}
  END {for (i=1;i<=k;i++) if (cnt[i] >= 0.99*total) {printf "%s (of %d events)\n", les[i], total; exit}}'; }
echo "pipeline_latency_p99_at_most_s $(paste -d' ' "$work/latency-before" "$work/latency-after" |
  awk '$1 !~ /_max/ {print $1, $4-$2}' | p99)"
echo "pipeline_latency_p99_with_warm_up_at_most_s $(grep -v _max "$work/latency-after" | p99)"
grep _max "$work/latency-after" || true
for f in rss1 rss2 rss3; do echo "peak_rss_mb_$f $(sort -n "$work/$f" | tail -1 | awk '{printf "%.0f", $1/1024}')"; done
if [ "${BENCH_DESTINATIONS:-0}" = 1 ]; then
  curl -s -H "Authorization: Bearer $token" "$url/api/destinations" |
    python3 -c 'import json,sys; [print("destination", d["id"], "state", d["state"], "delivered", d["delivered"], "lag", d["lag"]) for d in json.load(sys.stdin)["destinations"]]'
fi
