#!/usr/bin/env bash
# Scale-out benchmark (issue 7): Trackside on Kafka and PostgreSQL, side by side with Kafka's own
# kafka-producer-perf-test in the same run, everything on this machine.
# Usage: trackside-bench/scale-out.sh [seconds=20]     (results: docs/BENCHMARKS.md, "Scale-out")
#  0. a KRaft broker (kafka_2.13 from Maven, in a child JVM like the tests' KafkaBroker) and a
#     fresh PostgreSQL database on 127.0.0.1:5432 (user postgres; PGHOST/PGPORT/PGUSER override);
#     two Trackside processes with --roles collect on one topic; a warm-up measures the size of
#     one Trackside log record (key + value) for the benchmark's event
#  1. kafka-producer-perf-test (org.apache.kafka.tools.ProducerPerformance), one producer,
#     that record size, acks=all, idempotence on, linger.ms=1 (as KafkaEventLog), unthrottled;
#     its own 5-second windows after the first are averaged
#  2. wrk with Segment batches of 100 against both collectors (8 connections each): events/s
#     acknowledged, checked against the topic's end offsets
#  3. one --roles process node drains the topic into PostgreSQL: events/s from its first
#     committed batch until every record is written (the warehouse writer's COPY load rate)
#  4. the same with two process nodes (they lease half the partitions each), on a fresh database
#     with the consumer group reset
#  5. one process node again with the smallest heap the launcher gives (384 MB, on machines under 1.5 GB)
# CPU of each party is read from /proc (ticks of 10 ms) for per-core figures.
# MVN_FLAGS=-o builds offline; SCALE_PARTITIONS (4) sets the topic's partitions.
set -euo pipefail
secs=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
partitions=${SCALE_PARTITIONS:-4}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
command -v wrk >/dev/null || {
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v psql >/dev/null || {
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }
# package, never install: the broker and the perf tool come from trackside-bench's test classpath.
(cd "$root" && mvn ${MVN_FLAGS:-} -q -B package -DskipTests -pl trackside-bench -am \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test)
cp="$root/trackside-bench/target/classes:$(cat "$root/trackside-bench/target/classpath.txt")"
jar="$root/trackside-server/target/trackside-server.jar"
work=$(mktemp -d)
db="trackside_scale_$$"
key=wk_bench_key
token=at_bench_admin_token_0123456789
topic=trackside-scale
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  if [ -n "${KEEP_WORK:-}" ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { local p; while :; do p=$((20000 + RANDOM % 40000)) # a port nothing answers on
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
ticks() { # utime+stime of the given pids (10 ms ticks), children included only where they are separate pids
  local t=0 p; for p in "$@"; do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat")))
  done; echo "$t"; }
pg_pids() { pgrep -x postgres || true; } # the server and its backends (all of this machine's PostgreSQL)
pg_ticks() { local t=0 p; for p in $(pg_pids); do
  [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
hz=$(getconf CLK_TCK)
threads() { # tid|name|ticks of each thread of a pid, sorted by tid (for join)
  local f; for f in /proc/"$1"/task/*/stat; do
    awk '{match($0, /\(.*\)/); name = substr($0, RSTART + 1, RLENGTH - 2); rest = substr($0, RSTART + RLENGTH + 1)
      split(rest, a, " "); print $1 "|" name "|" a[12] + a[13]}' "$f" 2>/dev/null; done | sort -t'|' -k1,1; }
echo "machine: $(nproc) cores, $(uname -r); java: $(java -version 2>&1 | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== 0. broker, database, two collectors"
kport=$(free_port); cport=$(free_port)
mkdir -p "$work/kafka"
cat >"$work/kafka/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$kport,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$kport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$work/kafka/data
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
PROPS
kjava() { java -Xms256m -Xmx1g -DTRACKSIDE_LOG_LEVEL=WARN -cp "$cp" "$@"; }
kjava kafka.tools.StorageTool format -t "$(kjava kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
  -c "$work/kafka/server.properties" --ignore-formatted >"$work/kafka/format.log" 2>&1
java -Xms256m -Xmx1g -DTRACKSIDE_LOG_LEVEL=WARN -cp "$cp" kafka.Kafka "$work/kafka/server.properties" >"$work/kafka/broker.log" 2>&1 &
broker=$!; pids+=("$broker")
bootstrap="127.0.0.1:$kport"
topics() { java -Xmx256m -DTRACKSIDE_LOG_LEVEL=WARN -cp "$cp" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" "$@"; }
for _ in $(seq 1 90); do topics --list >/dev/null 2>&1 && break; sleep 1; done
topics --list >/dev/null || { tail -40 "$work/kafka/broker.log"; exit 1; }
psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null
cat >"$work/trackside.yml" <<YML
log:
  type: kafka
  kafka:
    bootstrap-servers: $bootstrap
    topic: $topic
    partitions: $partitions
    replication: 1
warehouse:
  type: postgresql
  postgresql:
    url: jdbc:postgresql://$PGHOST:$PGPORT/$db?user=$PGUSER
YML
node() { # name roles -> starts a Trackside node, sets $node_pid and $node_url
  local port; port=$(free_port)
  java ${node_java_opts:-$("$root/trackside" java-opts)} -jar "$jar" serve \
    --config "$work/trackside.yml" --data "$work/data-$1" --host 127.0.0.1 --port "$port" --roles "$2" \
    --write-key "$key" --admin-token "$token" >"$work/$1.log" 2>&1 &
  node_pid=$!; pids+=("$node_pid"); node_url="http://127.0.0.1:$port"
}
ready() { # url pid log
  for _ in $(seq 1 300); do curl -sf "$1/readyz" >/dev/null && return 0; kill -0 "$2" 2>/dev/null || break; sleep 0.2; done
  echo "node $1 not ready:"; tail -30 "$3"; exit 1; }
node a collect; a_pid=$node_pid; a_url=$node_url
ready "$a_url" "$a_pid" "$work/a.log" # the first creates the topic
node b collect; b_pid=$node_pid; b_url=$node_url
ready "$b_url" "$b_pid" "$work/b.log"
lua="$root/trackside-bench/lua/segment-batch-unique.lua"
load() { # seconds tag -> two wrk processes, one per collector; output in $work/wrk-{a,b}-tag
  WRITE_KEY=$key PREFIX="a$2" BATCH_SIZE=100 wrk -t1 -c8 -d"$1s" -s "$lua" "$a_url/v1/batch" >"$work/wrk-a-$2" 2>&1 &
  local w1=$!
  wrk_pids=("$w1")
  WRITE_KEY=$key PREFIX="b$2" BATCH_SIZE=100 wrk -t1 -c8 -d"$1s" -s "$lua" "$b_url/v1/batch" >"$work/wrk-b-$2" 2>&1 &
  local w2=$!
  wrk_pids+=("$w2")
  if [ "$2" = run ]; then
    sleep $(( $1 - 1 )); wrk_ticks=$(ticks "${wrk_pids[@]}")
  fi
  wait $w1 $w2
}
stats() { java -Xmx256m -DTRACKSIDE_LOG_LEVEL=WARN -cp "$cp" io.trackside.bench.TopicStats "$bootstrap" "$@"; }
load 3 warm
size_line=$(stats "$topic" sizes 2>/dev/null | grep '^record_bytes')
record_bytes=$(echo "$size_line" | awk '{print $2}')
echo "trackside log record: $size_line"

echo "== 1. kafka-producer-perf-test, $record_bytes-byte records, acks=all, idempotent, linger.ms=1"
topics --create --topic perf --partitions "$partitions" --replication-factor 1 >/dev/null
t0=$(ticks "$broker")
java -Xms64m -Xmx512m -DTRACKSIDE_LOG_LEVEL=WARN -cp "$cp" org.apache.kafka.tools.ProducerPerformance \
  --topic perf --num-records 1000000000 --record-size "$record_bytes" --throughput -1 \
  --producer-props bootstrap.servers="$bootstrap" acks=all enable.idempotence=true linger.ms=1 \
  >"$work/perf.out" 2>&1 &
perf=$!; pids+=("$perf")
sleep $((secs + 8))
perf_ticks=$(ticks "$perf")
kill "$perf" 2>/dev/null; wait "$perf" 2>/dev/null || true
perf_broker_ticks=$(( $(ticks "$broker") - t0 ))
grep "records/sec" "$work/perf.out" | sed 's/^/  /'
# Its windows are 5 s; the first (connection, JIT) is dropped, as wrk's warm-up is for Trackside.
perf_rate=$(awk '/records sent/ {n++; if (n > 1) {s += $4; k++}} END {if (k) printf "%.0f", s / k; else print 0}' "$work/perf.out")
echo "perf_test_records_per_s $perf_rate"
perf_sent=$(awk '/records sent/ {s += $1} END {print s + 0}' "$work/perf.out")
echo "perf-test CPU: producer $(awk -v t="$perf_ticks" -v h="$hz" -v s="$((secs + 8))" 'BEGIN {printf "%.2f", t/h/s}') cores, broker $(awk -v t="$perf_broker_ticks" -v h="$hz" -v s="$((secs + 8))" 'BEGIN {printf "%.2f", t/h/s}') cores (whole phase, JVM start included)"

echo "== 2. Trackside: two collectors, wrk Segment batches of 100, 8 connections each"
before=$(stats "$topic" 2>/dev/null | awk '/^end_offsets/ {print $2}')
ta=$(ticks "$a_pid"); tb=$(ticks "$b_pid"); tk=$(ticks "$broker")
# SCALE_JFR=1: a JFR profile of collector a during the run (jfr print --events jdk.ExecutionSample)
[ -n "${SCALE_JFR:-}" ] && jcmd "$a_pid" JFR.start duration="${secs}s" settings=profile filename="$work/collector-a.jfr" >/dev/null
load "$secs" run
coll_ticks=$(( $(ticks "$a_pid") + $(ticks "$b_pid") - ta - tb )); coll_broker_ticks=$(( $(ticks "$broker") - tk ))
after=$(stats "$topic" 2>/dev/null | awk '/^end_offsets/ {print $2}')
grep -hE "Requests/sec|events_per_s|acked_events|non_2xx|Socket errors" "$work/wrk-a-run" "$work/wrk-b-run" | sed 's/^/  /'
ts_rate=$(cat "$work/wrk-a-run" "$work/wrk-b-run" | awk '/^events_per_s/ {s += $2} END {printf "%.0f", s}')
acked=$(cat "$work/wrk-a-run" "$work/wrk-b-run" | awk '/^acked_events/ {s += $2} END {print s}')
echo "trackside_events_per_s $ts_rate (acknowledged $acked; the topic grew by $((after - before)))"
total=$after
echo "wrk CPU: $(awk -v t="$wrk_ticks" -v h="$hz" -v s="$((secs - 1))" 'BEGIN {printf "%.2f cores", t/h/s}')"
echo "collector CPU: $(awk -v t="$coll_ticks" -v h="$hz" -v s="$secs" 'BEGIN {printf "%.2f cores", t/h/s}'), broker $(awk -v t="$coll_broker_ticks" -v h="$hz" -v s="$secs" 'BEGIN {printf "%.2f cores", t/h/s}') (perf-test phase: broker $(awk -v t="$perf_broker_ticks" -v h="$hz" -v s="$((secs + 8))" 'BEGIN {printf "%.2f cores", t/h/s}'))"
kill "$a_pid" "$b_pid"; wait "$a_pid" "$b_pid" 2>/dev/null || true
us() { awk -v t="$1" -v h="$hz" -v n="$2" 'BEGIN {printf "%.1f", t / h * 1e6 / n}'; } # CPU µs per record
grown=$((after - before))

written() { psql -tA -d "$db" -c "SELECT coalesce(sum(next_offset), 0) FROM log_positions WHERE consumer = 'warehouse'" 2>/dev/null || echo 0; }
drain() { # label node-names... -> starts process nodes, times the drain of $total records
  local names=("${@:2}") started=() n first_t="" first_n=0 now w t_pg t_nodes=0 p
  for n in "${names[@]}"; do node "$n" process; started+=("$node_pid"); done
  t_pg=$(pg_ticks)
  for p in "${started[@]}"; do t_nodes=$((t_nodes + $(ticks "$p"))); done
  local deadline=$((SECONDS + 900))
  while [ $SECONDS -lt $deadline ]; do
    w=$(written); now=$(date +%s.%N)
    if [ -z "$first_t" ] && [ "${w:-0}" -gt 0 ]; then first_t=$now; first_n=$w
      [ -n "${SCALE_PROFILE:-}" ] && for p in "${started[@]}"; do threads "$p" >"$work/threads-$p.0"
        jcmd "$p" JFR.start duration=30s settings=profile filename="$work/process-$p.jfr" >/dev/null; done
      t_pg=$(pg_ticks); t_nodes=0; for p in "${started[@]}"; do t_nodes=$((t_nodes + $(ticks "$p"))); done; fi
    [ "${w:-0}" -ge "$total" ] && break
    for p in "${started[@]}"; do kill -0 "$p" 2>/dev/null || { echo "a process node died"; tail -30 "$work"/*.log; exit 1; }; done
    sleep 0.25
  done
  local pg_used nodes_used=0; pg_used=$(( $(pg_ticks) - t_pg ))
  if [ -n "${SCALE_PROFILE:-}" ]; then for p in "${started[@]}"; do # busiest threads while draining
    threads "$p" | join -t'|' "$work/threads-$p.0" - |
      awk -F'|' -v s="$(awk -v a="$(date +%s.%N)" -v b="$first_t" 'BEGIN {print a - b}')" -v h="$hz" \
        '{printf "  %5.0f%% of a core  %s\n", ($5 - $3) / h / s * 100, $2}' | sort -rn | head -8; done; fi
  for p in "${started[@]}"; do nodes_used=$((nodes_used + $(ticks "$p"))); done; nodes_used=$((nodes_used - t_nodes))
  local secs_used; secs_used=$(awk -v a="$now" -v b="$first_t" 'BEGIN {printf "%.2f", a - b}')
  local rows; rows=$(psql -tA -d "$db" -c "SELECT count(*) FROM events")
  local q; q=$(psql -tA -d "$db" -c "SELECT count(*) FROM quarantine")
  local rate; rate=$(awk -v t="$total" -v f="$first_n" -v s="$secs_used" 'BEGIN {printf "%.0f", (t - f) / s}')
  echo "$1: $((total - first_n)) records in ${secs_used}s after the first commit = $rate events/s;" \
    "count(*) $rows of $total (quarantine $q);" \
    "CPU: nodes $(awk -v t="$nodes_used" -v h="$hz" -v s="$secs_used" 'BEGIN {printf "%.2f", t/h/s}') cores," \
    "PostgreSQL $(awk -v t="$pg_used" -v h="$hz" -v s="$secs_used" 'BEGIN {printf "%.2f", t/h/s}') cores"
  eval "$2_rate=$rate"
  eval "$2_us=$(us "$nodes_used" "$((total - first_n))")"
  eval "$2_pgus=$(us "$pg_used" "$((total - first_n))")"
  for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${started[@]}"; do wait "$p" 2>/dev/null || true; done
}
echo "== 3. one process node drains $total records into PostgreSQL"
drain "one process node" p1
reset() { # a fresh database and the warehouse's consumer group back to the start of the topic
  psql -q -d postgres -c "DROP DATABASE $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  java -Xmx256m -DTRACKSIDE_LOG_LEVEL=WARN -cp "$cp" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
    --bootstrap-server "$bootstrap" --group warehouse --topic "$topic" --reset-offsets --to-earliest --execute >/dev/null
}
echo "== 4. two process nodes, fresh database, consumer group reset"
reset
drain "two process nodes" p2 p3
echo "== 5. one process node with a 384 MB heap (the others have the launcher's: $("$root/trackside" java-opts)), fresh database"
reset
node_java_opts="-Xms64m -Xmx384m -XX:MaxDirectMemorySize=128m" drain "one process node, -Xmx384m" p4

echo "== summary ($secs s phases, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '| %-52s | %12s |\n' "what" "per second"
printf '| %-52s | %12s |\n' "kafka-producer-perf-test, $record_bytes B, acks=all, idempotent" "$perf_rate"
printf '| %-52s | %12s |\n' "Trackside, 2 collectors, Segment batches of 100" "$ts_rate"
printf '| %-52s | %11s× |\n' "ratio Trackside ÷ perf-test" "$(awk -v a="$ts_rate" -v b="$perf_rate" 'BEGIN {printf "%.2f", a/b}')"
printf '| %-52s | %12s |\n' "CPU µs/record: perf producer | Trackside collectors" "$(us "$perf_ticks" "$perf_sent") | $(us "$coll_ticks" "$grown")"
printf '| %-52s | %12s |\n' "CPU µs/record: broker under perf-test | under Trackside" "$(us "$perf_broker_ticks" "$perf_sent") | $(us "$coll_broker_ticks" "$grown")"
printf '| %-52s | %12s |\n' "warehouse writer, 1 process node → PostgreSQL" "$p1_rate"
printf '| %-52s | %12s |\n' "warehouse writer, 2 process nodes → PostgreSQL" "$p2_rate"
printf '| %-52s | %12s |\n' "warehouse writer, 1 process node, -Xmx384m" "$p4_rate"
printf '| %-52s | %12s |\n' "CPU µs/event: process node(s), 1 | 2 | 1 at 384 MB" "$p1_us | $p2_us | $p4_us"
printf '| %-52s | %12s |\n' "CPU µs/event: PostgreSQL, 1 | 2 | 1 at 384 MB" "$p1_pgus | $p2_pgus | $p4_pgus"
