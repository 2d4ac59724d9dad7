#!/usr/bin/env bash
# Batch ingest of a warm server, with or without destinations: the figure behind issue 4's
# "ingest unchanged with two destinations, one down" once the JIT has compiled the hot paths.
# Usage: trackside-bench/warm-ingest.sh DESTINATIONS(0|1) [seconds=15]
# Starts Trackside as run.sh does (with DESTINATIONS=1: a webhook to a live nginx receiver and one
# to a closed port), waits for the user-agent analyzer, sends 10 s of batches of 100 and waits for
# the pipeline to drain them, then measures batches of 100 (16 connections) for the given seconds
# and prints events/s and the CPU each group of threads took meanwhile (/proc, 10 ms ticks).
# Run it alternately with 0 and 1: the host's speed drifts by more than the difference.
set -euo pipefail
dest=${1:?usage: warm-ingest.sh 0|1 [seconds]}
secs=${2:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
port=${BENCH_PORT:-18080}
key=wk_bench_key
token=at_bench_admin_token_0123456789
. "$root/trackside-bench/two-destinations.sh"
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null; }
[ -f "$root/trackside-server/target/trackside-server.jar" ] || (cd "$root" && mvn -q -B -DskipTests install)
work=$(mktemp -d)
: >"$work/trackside.yml"
if [ "$dest" = 1 ]; then two_destinations "$work"; fi
"$root/trackside" serve --config "$work/trackside.yml" --data "$work/data" --host 127.0.0.1 --port "$port" \
  --write-key "$key" --admin-token "$token" >"$work/server.log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  if [ -f "$work/nginx.pid" ]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 1 150); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "$url/readyz" >/dev/null || { cat "$work/server.log"; exit 1; }
jpid=$(pgrep -f "trackside-server.jar.*--port $port" | head -1)
for _ in $(seq 1 100); do curl -s "$url/metrics" | grep -q '^trackside_pipeline_user_agent_ready 1' && break; sleep 1; done
batches() { WRITE_KEY=$key BATCH_SIZE=100 wrk -t2 -c16 -d"$1s" -s "$root/trackside-bench/lua/segment-batch.lua" "$url/v1/batch" |
  awk '/events_per_s/ {print $2}'; }
echo "warm_up_events_per_s $(batches 10)"
for _ in $(seq 1 300); do
  lag=$(curl -s "$url/metrics" | awk '/^trackside_log_consumer_lag\{/ {print $2}')
  [ "${lag%.*}" = 0 ] && break; sleep 1
done
# CPU ticks per thread name (Linux keeps 15 characters; numbered pool threads summed by name).
cpu() { for t in /proc/"$jpid"/task/*; do
  name=$(tr ' ' '_' <"$t/comm" | sed -E 's/#?[0-9]+$//'); set -- $(cut -d')' -f2 "$t/stat"); echo "$name $((${12} + ${13}))"
done | awk '{a[$1]+=$2} END {for (k in a) print k, a[k]}' | sort; }
cpu >"$work/cpu1"
echo "destinations $dest events_per_s $(batches "$secs")"
cpu >"$work/cpu2"
echo "cpu_ticks_by_thread_group (10 ms):"
join -a2 -e0 -o 0,1.2,2.2 "$work/cpu1" "$work/cpu2" | awk '$3-$2 > 0 {print $3-$2, $1}' | sort -rn | head -12 | tr '\n' ';'
echo
