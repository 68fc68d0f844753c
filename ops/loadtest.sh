#!/usr/bin/env bash
# A flood of wrong-password logins against check-in scans, or the rush on an activity's places,
# measured from outside with wrk.
#
#   ops/loadtest.sh [sqlite|postgres] [scans|signups]
#
# Starts `vledger serve` (release build, or the binary in LOADTEST_BIN) on a fresh database, seeds
# an open activity and volunteers over the API, then runs check-in scans from SCAN_CONNECTIONS
# connections for DURATION seconds while FLOOD_LOGINS logins with unknown names and wrong passwords
# come from FLOOD_CONNECTIONS other connections. It prints scans/s, scan latency, the flood's
# answers by status, and the server's peak memory (VmHWM) and peak thread count.
#
# FLOOD_FROM=one (default): the flood comes from one address. FLOOD_FROM=many: each login
# claims another address in X-Forwarded-For, trusted through VLEDGER_CLIENT_IP_HEADER, as a
# flood from many machines behind the reverse proxy would look (not for binaries older than
# that setting). FLOOD_LOGINS=0 measures scans alone.
#
# signups: the volunteers sign up for one upcoming activity with CAPACITY places (default 50) and
# cancel on their next turn, from SCAN_CONNECTIONS connections for DURATION seconds, so that the
# last places and the waiting list change hands all the time. It prints sign-ups and
# cancellations per second, their latency and answers, and then checks the activity's list: as
# many confirmed as there are places (or sign-ups, if fewer), the rest waiting, positions 1, 2, 3…
# in each.
#
# Needs wrk and curl (Debian: apt-get install wrk curl). PostgreSQL: a scratch database on
# LOADTEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test), dropped afterwards.
set -euo pipefail

backend=${1:-sqlite}
scenario=${2:-scans}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
DURATION=${DURATION:-25}
SCAN_CONNECTIONS=${SCAN_CONNECTIONS:-64}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-64}
FLOOD_LOGINS=${FLOOD_LOGINS:-2000}
FLOOD_FROM=${FLOOD_FROM:-one}
VOLUNTEERS=${VOLUNTEERS:-256}
port=${PORT:-18080}
base=http://127.0.0.1:$port
password=load-test-password

for tool in wrk curl; do
    command -v $tool >/dev/null || { echo "$tool is missing (apt-get install $tool)" >&2; exit 1; }
done
bin=${LOADTEST_BIN:-}
if [ -z "$bin" ]; then
    (cd "$root" && cargo build --release --quiet)
    bin=$root/target/release/vledger
fi

work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    if [ "$backend" = postgres ]; then
        psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

case $backend in
    sqlite) export VLEDGER_DATABASE_URL=sqlite://$work/load.db ;;
    postgres)
        admin_url=${LOADTEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
        db=vledger_load_$$
        psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
        export VLEDGER_DATABASE_URL=${admin_url%/*}/$db
        ;;
    *) echo "usage: $0 [sqlite|postgres] [scans|signups]" >&2; exit 2 ;;
esac
case $scenario in
    scans) ;;
    signups)
        FLOOD_LOGINS=0
        # Each volunteer's sign-up must be answered before their cancellation is sent.
        [ "$VOLUNTEERS" -gt $((2 * SCAN_CONNECTIONS)) ] \
            || { echo "signups needs VOLUNTEERS > 2 × SCAN_CONNECTIONS" >&2; exit 2; } ;;
    *) echo "usage: $0 [sqlite|postgres] [scans|signups]" >&2; exit 2 ;;
esac
CAPACITY=${CAPACITY:-50}
export VLEDGER_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export VLEDGER_LISTEN=127.0.0.1:$port VLEDGER_LOG=warn VLEDGER_JOBS=false
if [ "$FLOOD_FROM" = many ]; then
    export VLEDGER_CLIENT_IP_HEADER=X-Forwarded-For
fi

"$bin" admin create --login load-admin --password "$password" >/dev/null
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

# One JSON request: prints the body; fails on an error status.
api() { # METHOD PATH [BODY] [TOKEN]
    curl -sf -X "$1" "$base$2" -H 'content-type: application/json' \
        ${4:+-H "authorization: Bearer $4"} ${3:+-d "$3"}
}
# The first value of FIELD in a JSON text (a number or a plain string).
field() { grep -o "\"$1\":\"\{0,1\}[^,\"}]*" | head -1 | sed "s/^\"$1\":\"\{0,1\}//"; }

admin=$(api POST /api/v1/auth/login "{\"login\":\"load-admin\",\"password\":\"$password\"}" | field token)
district=$(api GET /api/v1/units '' "$admin" | field id | head -1)
street=$(api POST /api/v1/units "{\"name\":\"压测街道\",\"kind\":\"street\",\"parent_id\":$district}" "$admin" | field id)
community=$(api POST /api/v1/units "{\"name\":\"压测社区\",\"kind\":\"community\",\"parent_id\":$street}" "$admin" | field id)
starts=$(date -u -d '-10 min' +%FT%TZ)
ends=$(date -u -d '+3 hour' +%FT%TZ)
activity=$(api POST /api/v1/activities "{\"title\":\"压测活动\",\"unit_id\":$community,\"place\":\"广场\",\"content\":\"扫码\",\"category\":\"社区服务\",\"starts_at\":\"$starts\",\"ends_at\":\"$ends\",\"qr_mode\":\"static\"}" "$admin" | field id)
qr=$(api GET "/api/v1/activities/$activity/qr" '' "$admin" | field url)

# Volunteers registered by the admin (ID numbers of region 340104 with valid check digits).
id_number() { # N: born 1970-01-01 + N/1000 days, sequence N%1000
    local body
    body=340104$(date -u -d "1970-01-01 +$(($1 / 1000)) day" +%Y%m%d)$(printf %03d $(($1 % 1000)))
    local weights=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) sum=0 i
    for i in $(seq 0 16); do sum=$((sum + ${body:$i:1} * ${weights[$i]})); done
    local checks=(1 0 X 9 8 7 6 5 4 3 2)
    echo "$body${checks[$((sum % 11))]}"
}
: >"$work/tokens"
for n in $(seq 1 "$VOLUNTEERS"); do
    phone=137$(printf %08d "$n")
    api POST /api/v1/volunteers "{\"name\":\"志愿者\",\"id_number\":\"$(id_number "$n")\",\"phone\":\"$phone\",\"password\":\"$password\",\"community_id\":$community,\"consent\":true}" "$admin" >/dev/null
    api POST /api/v1/auth/login "{\"login\":\"$phone\",\"password\":\"$password\"}" | field token >>"$work/tokens"
    echo >>"$work/tokens"
done

# The statements of a sign-up and its cancellation (ops/loadtest-signup.sql) straight on the
# database, after the run: PostgreSQL from RAW_CLIENTS pgbench clients (default 8, the service's
# pool, db_max_connections), each client one volunteer, for DURATION seconds; SQLite from one
# sqlite3 connection (the service too writes through one), RAW_PAIRS (default 10,000) pairs in
# turn by the volunteers.
raw_signups() {
    local sql=$here/loadtest-signup.sql started ended pairs
    case $backend in
        postgres)
            local first
            first=$(psql "$VLEDGER_DATABASE_URL" -Atc "SELECT MIN(id) FROM volunteers")
            { echo '\set v :first + :client_id'; grep -v '^--' "$sql"; } >"$work/raw.sql"
            pairs=$(pgbench -n -M simple -c "${RAW_CLIENTS:-8}" -j 2 -T "$DURATION" -f "$work/raw.sql" \
                -D rush="$rush" -D first="$first" -D begin=BEGIN -D lock='FOR UPDATE' -D now='now()' \
                "$VLEDGER_DATABASE_URL" >"$work/pgbench.out" 2>&1 && awk '/^tps = / {print $3}' "$work/pgbench.out") \
                || { cat "$work/pgbench.out" >&2; return 1; }
            echo "the same statements straight on PostgreSQL (pgbench, ${RAW_CLIENTS:-8} clients): $(awk "BEGIN {printf \"%.0f\", 2 * $pairs}")/s"
            ;;
        sqlite)
            local count=${RAW_PAIRS:-10000} db=${VLEDGER_DATABASE_URL#sqlite://}
            sqlite3 "$db" "SELECT id FROM volunteers ORDER BY id" >"$work/volunteers"
            grep -v '^--' "$sql" | sed "s/:begin/BEGIN IMMEDIATE/; s/ :lock//; s/:rush/$rush/g; \
                s/:now/strftime('%Y-%m-%dT%H:%M:%fZ', 'now')/g" >"$work/pair.sql"
            { echo 'PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;'
              awk -v count="$count" 'NR == FNR {v[n++] = $1; next} {pair = pair $0 "\n"}
                  END {for (i = 0; i < count; i++) {p = pair; gsub(/:v/, v[i % n], p); printf "%s", p}}' \
                  "$work/volunteers" "$work/pair.sql"
            } >"$work/raw.sql"
            started=$(date +%s.%N)
            sqlite3 "$db" <"$work/raw.sql" >/dev/null
            ended=$(date +%s.%N)
            echo "the same statements straight on SQLite (sqlite3, one connection, $count pairs): $(awk "BEGIN {printf \"%.0f\", 2 * $count / ($ended - $started)}")/s"
            ;;
    esac
}

# Peak thread count, sampled while the load runs.
(peak=0; while kill -0 "$server" 2>/dev/null; do
    t=$(awk '/^Threads:/ {print $2}' "/proc/$server/status" 2>/dev/null || echo 0)
    [ "${t:-0}" -gt "$peak" ] && peak=$t && echo "$peak" >"$work/threads"
    sleep 0.1
done) &
sampler=$!

rss_before=$(awk '/^VmHWM:/ {print $2}' "/proc/$server/status")
if [ "$scenario" = signups ]; then
    starts=$(date -u -d '+1 day' +%FT%TZ)
    ends=$(date -u -d '+1 day 2 hour' +%FT%TZ)
    rush=$(api POST /api/v1/activities "{\"title\":\"压测招募\",\"unit_id\":$community,\"place\":\"广场\",\"content\":\"报名\",\"category\":\"社区服务\",\"starts_at\":\"$starts\",\"ends_at\":\"$ends\",\"qr_mode\":\"static\",\"capacity\":$CAPACITY,\"signup_required\":true}" "$admin" | field id)
    wrk -t2 -c"$SCAN_CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$here/loadtest-signup.lua" \
        "$base" -- "$work/tokens" "$rush" 2 >"$work/scans.out" 2>&1 &
else
    wrk -t2 -c"$SCAN_CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$here/loadtest-scan.lua" \
        "$base" -- "$work/tokens" "$qr" >"$work/scans.out" 2>&1 &
fi
scans=$!
if [ "$FLOOD_LOGINS" -gt 0 ]; then
    sleep 1
    wrk -t4 -c"$FLOOD_CONNECTIONS" -d"${DURATION}s" --timeout 30s -s "$here/loadtest-flood.lua" \
        "$base" -- "$FLOOD_LOGINS" "$FLOOD_FROM" 4 >"$work/flood.out" 2>&1
fi
wait "$scans" || true
kill "$sampler" 2>/dev/null || true

if [ "$scenario" = signups ]; then
    echo "== $backend, $VOLUNTEERS volunteers rushing for $CAPACITY places from $SCAN_CONNECTIONS connections for ${DURATION} s"
    grep -E '^sign-up' "$work/scans.out" || cat "$work/scans.out"
    # The list afterwards: states and positions, in the order of the list (by state, then position).
    api GET "/api/v1/activities/$rush/signups" '' "$admin" \
        | grep -o '"state":"[a-z]*","position":[0-9]*' | sed 's/"state":"//; s/","position":/ /' >"$work/list"
    confirmed=$(grep -c '^confirmed ' "$work/list" || true)
    waiting=$(grep -c '^waitlisted ' "$work/list" || true)
    expected=$(( confirmed + waiting < CAPACITY ? confirmed + waiting : CAPACITY ))
    in_order=yes
    for state in confirmed waitlisted; do
        { grep "^$state " "$work/list" || true; } | awk '{print $2}' | sort -n \
            | awk '$1 != NR {exit 1}' || in_order=no
    done
    echo "afterwards: $confirmed confirmed, $waiting waiting; positions 1, 2, 3… in each: $in_order"
    [ "$confirmed" -eq "$expected" ] && [ "$in_order" = yes ] \
        || { echo "the list is wrong: $expected should be confirmed" >&2; exit 1; }
    raw_signups
else
    echo "== $backend, $SCAN_CONNECTIONS scan connections for ${DURATION} s, $FLOOD_LOGINS logins from $FLOOD_CONNECTIONS connections (from $FLOOD_FROM address/es)"
    grep -E '^(scans|scan latency|scan answers)' "$work/scans.out" || cat "$work/scans.out"
fi
if [ "$FLOOD_LOGINS" -gt 0 ]; then
    grep -E '^(logins|login answers)' "$work/flood.out" || cat "$work/flood.out"
fi
echo "server VmHWM: $((rss_before / 1024)) MiB before the load, $(awk '/^VmHWM:/ {print int($2/1024)}' "/proc/$server/status") MiB peak"
echo "server threads: $(cat "$work/threads" 2>/dev/null || echo '?') at most"
