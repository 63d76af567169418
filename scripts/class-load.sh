#!/usr/bin/env bash
# Load test of a class: STATIONS real `lighttouch practice` processes (demo
# sensors at 1000 Hz) upload to one PostgreSQL on this machine for DURATION
# seconds while `lighttouch class watch --json` follows them; PostgreSQL is
# crashed and restarted half-way. Prints samples recorded locally against
# samples on the server (they must be equal), the live view's latency
# (from a station's newest sample reaching it to the watch reading the state,
# and the part of it from the station's publishing; p50/p99 outside the
# restart),
# upload throughput, the server's CPU and the database's growth per
# station-hour. Not part of CI (it takes DURATION plus a few minutes).
#
# In a class each station has a computer of its own; here all of them share
# this machine with the server and the view. The stations run at nice
# STATION_NICE (default 10) so that thirty simulated stations do not starve
# the server and the view, which would not compete with them in a class; set
# STATION_NICE=0 to run everything at one priority.
#
#   STATIONS=30 DURATION=600 scripts/class-load.sh
#
# KEEP=1 keeps the work directory (the watch's JSON lines, the stations'
# logs) and says where it is; RESTART=0 leaves the server running, to look
# at the latency without the restart.
set -euo pipefail
cd "$(dirname "$0")/.."
stations=${STATIONS:-30}
duration=${DURATION:-600}
station_nice=${STATION_NICE:-10}
restart=${RESTART:-1}

if [ -z "${LIGHTTOUCH_TEST_PG:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi

bin=${LIGHTTOUCH_BIN:-$PWD/.build/release/lighttouch}
if [ ! -x "$bin" ]; then
  echo "class-load: building the release binary (swift build -c release)" >&2
  swift build -c release --product lighttouch >&2
fi

work=$(mktemp -d /tmp/lighttouch-class-load.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "class-load: the work directory is kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

base=${LIGHTTOUCH_TEST_PG%%\?*}
server=${base%/*}
psql_admin() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$server/postgres" -c "$1"; }
psql_class() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$server/classload" -c "$1"; }
psql_admin "DROP DATABASE IF EXISTS classload" >/dev/null
psql_admin "CREATE DATABASE classload"
url="$server/classload?sslmode=disable"
"$bin" class init "$url" >/dev/null
suffix=$RANDOM
for i in $(seq 1 "$stations"); do
  "$bin" class add-station "load-$suffix-$i" --class "$url" --out "$work/s$i.cred" >/dev/null
done
"$bin" class add-instructor "watch-$suffix" --class "$url" --out "$work/watch.cred" >/dev/null
size_before=$(psql_class "SELECT pg_database_size(current_database())")

# The server's CPU: the postmaster with its reaped backends (cutime, cstime),
# plus the backends alive now; clock ticks.
server_ticks() {
  local pm total=0
  pm=$(head -1 "$LIGHTTOUCH_TEST_PGDATA/postmaster.pid")
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for child in $(pgrep -P "$pm"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)
# The machine's CPU time taken by the hypervisor (steal) against all of it, from /proc/stat.
cpu_times() { awk '/^cpu /{print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
read -r steal_before total_before < <(cpu_times)

"$bin" class watch --json --class "$work/watch.cred" --duration $((duration + 60)) >"$work/watch.jsonl" 2>"$work/watch.err" &
watch_pid=$!
pids+=("$watch_pid")
start=$(date +%s)
station_pids=()
for i in $(seq 1 "$stations"); do
  nice -n "$station_nice" "$bin" practice --sensor demo --scenario steady --duration "$duration" --plain --student "student-$i" \
    --data-dir "$work/d$i" --class "$work/s$i.cred" >/dev/null 2>"$work/e$i.log" &
  station_pids+=("$!")
  pids+=("$!")
done

# How full PostgreSQL's notification queue gets (a listener that falls behind fills it), every 10 s.
(
  while sleep 10; do
    psql_class "SELECT round(pg_notification_queue_usage()::numeric * 100, 4)" 2>/dev/null || true
  done >"$work/queue.txt"
) &
pids+=("$!")
# What keeps old row versions (the oldest open transaction, and what it runs), and the live log's size
# and dead versions, every 10 s: the live view reads around them, the server carries them.
(
  while sleep 10; do
    psql_class "SELECT coalesce((SELECT round(extract(epoch FROM clock_timestamp() - xact_start)::numeric, 1) || ' s, ' ||
        backend_type || ': ' || left(regexp_replace(query, '\s+', ' ', 'g'), 70)
        FROM pg_stat_activity WHERE (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL) AND pid <> pg_backend_pid()
        ORDER BY xact_start LIMIT 1), '-') || '|' ||
      (SELECT n_dead_tup || '|' || pg_total_relation_size(relid) FROM pg_stat_user_tables WHERE relname = 'live_log')" \
      2>/dev/null || true
  done >"$work/horizon.txt"
) &
pids+=("$!")

sleep $((duration / 2))
cpu_first=$(server_ticks)
restart_from=$(date +%s%3N)
if [ "$restart" = 1 ]; then
  bash scripts/with-postgres.sh ctl restart
  restart_to=$(date +%s%3N)
  echo "class-load: PostgreSQL crashed and restarted in $((restart_to - restart_from)) ms, $((duration / 2)) s in" >&2
else
  restart_from=0
  restart_to=0
fi

failed=0
for pid in "${station_pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
elapsed=$(( $(date +%s) - start ))
cpu_second=$(server_ticks)
read -r steal_after total_after < <(cpu_times)
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true

pending=0
for i in $(seq 1 "$stations"); do
  if "$bin" sessions --json --data-dir "$work/d$i" | grep -q '"upload":"pending"'; then
    pending=$((pending + 1))
    "$bin" class sync --data-dir "$work/d$i" --class "$work/s$i.cred" >/dev/null
  fi
done

local_samples=0
for i in $(seq 1 "$stations"); do
  n=$("$bin" sessions --json --data-dir "$work/d$i" | python3 -c 'import json,sys; print(sum(s["samples"] for s in json.load(sys.stdin)))')
  local_samples=$((local_samples + n))
done
server_samples=$(psql_class "SELECT coalesce(sum(samples), 0) FROM lighttouch.blocks")
duplicates=$(psql_class "SELECT count(*) - count(DISTINCT (session_uuid, idx)) FROM lighttouch.blocks")
blocks=$(psql_class "SELECT count(*) FROM lighttouch.blocks")
size_after=$(psql_class "SELECT pg_database_size(current_database())")

python3 - "$work/watch.jsonl" "$restart_from" "$restart_to" "$work/minutes.txt" <<'PY' >"$work/latency.txt"
import json, sys
path, lo, hi = sys.argv[1], int(sys.argv[2]) - 1000, int(sys.argv[3]) + 5000
outside, during, publish, server, notify = [], [], [], [], []
minutes = {}
first = None
for line in open(path):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if o.get("latency_ms") is None or o.get("quiet"):
        continue
    if lo <= o["sent_at_ms"] <= hi:
        during.append(o["latency_ms"])
    else:
        outside.append(o["latency_ms"])
        publish.append(o["publish_latency_ms"])
        server.append(o["server_latency_ms"])
        if o.get("notify_latency_ms") is not None:
            notify.append(o["notify_latency_ms"])
        first = first if first is not None else o["sent_at_ms"]
        minutes.setdefault((o["sent_at_ms"] - first) // 60000, []).append(o["latency_ms"])
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100 * len(v)))] if v else float("nan")
print(len(outside), pct(outside, 50), pct(outside, 99), max(outside or [0]), len(during), pct(during, 99), pct(publish, 50), pct(publish, 99), pct(server, 50), pct(server, 99), pct(notify, 50), pct(notify, 99))
with open(sys.argv[4], "w") as out:
    out.write(" ".join(f"{m + 1}:{pct(v, 50)}/{pct(v, 99)}" for m, v in sorted(minutes.items())) + "\n")
PY
read -r n p50 p99 pmax nd p99d pp50 pp99 sp50 sp99 np50 np99 <"$work/latency.txt"

echo "class-load: $stations stations x ${duration} s of 1000 Hz demo sensors (at nice $station_nice), $([ "$restart" = 1 ] && echo "PostgreSQL restarted half-way" || echo "no restart")"
echo "  stations that failed:            $failed (stderr lines: $(cat "$work"/e*.log | wc -l))"
echo "  sessions left for class sync:    $pending"
echo "  samples recorded locally:        $local_samples"
echo "  samples on the server:           $server_samples (duplicate blocks: $duplicates, lost: $((local_samples - server_samples)))"
echo "  live view latency, sample to watch, outside the restart: p50 $p50 ms, p99 $p99 ms, max $pmax ms over $n updates"
echo "    of which station publishing to watch:                 p50 $pp50 ms, p99 $pp99 ms"
echo "    of which the server writing the state to watch:       p50 $sp50 ms, p99 $sp99 ms"
echo "    of which the server writing it to its notification:   p50 $np50 ms, p99 $np99 ms"
echo "    minute by minute (p50/p99 ms):   $(cat "$work/minutes.txt")"
echo "  notification queue, fullest:     $(sort -g "$work/queue.txt" | tail -1) % (sampled every 10 s)"
echo "  oldest open transaction seen:    $(sort -t'|' -g -k1 "$work/horizon.txt" | tail -1 | cut -d'|' -f1) (sampled every 10 s)"
echo "  live log, most dead versions:    $(sort -t'|' -g -k2 "$work/horizon.txt" | tail -1 | cut -d'|' -f2) (at the end: $(tail -1 "$work/horizon.txt" | cut -d'|' -f2) dead, $(( $(tail -1 "$work/horizon.txt" | cut -d'|' -f3) / 1024 )) KiB)"
echo "  live view latency during the restart window: p99 $p99d ms over $nd updates"
echo "  upload throughput:               $((server_samples / elapsed)) samples/s, $((blocks / elapsed)) blocks/s over ${elapsed} s"
echo "  CPU taken by the hypervisor:     $(python3 -c "print(round(100 * ($steal_after - $steal_before) / max(1, $total_after - $total_before), 1))") % (steal)"
echo "  server CPU:                      $(python3 -c "print(round(($cpu_first + $cpu_second) / $hz / $elapsed * 100, 1))") % of one core"
echo "  database growth:                 $(( (size_after - size_before) / 1048576 )) MiB, $(python3 -c "print(round(($size_after - $size_before) / 1048576 / ($stations * $elapsed / 3600), 1))") MiB per station-hour"
