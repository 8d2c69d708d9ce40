#!/usr/bin/env bash
# Benchmark: mtlscheck side by side with what it is measured against, in one run, on 127.0.0.1
# only, against real nginx servers (several ports mixing required, optional and no client
# auth). Not a test: it prints the numbers in docs/testing.md.
#
#   scripts/bench.sh                 # every section; builds the release binary first
#   scripts/bench.sh cpu latency     # only those sections (cpu, latency, scale)
#
# Sections:
#   cpu      1. 200 checks with a client certificate: wall and CPU of `mtlscheck run` and of a
#               sequential `openssl s_client` loop doing the same two handshakes per check; then
#               the CPU per check over 1,000 checks of mtlscheck and of handshake-floor.c, a
#               minimal in-process OpenSSL client doing the same two handshakes: the CPU floor
#               of any OpenSSL-based prober (target: mtlscheck <= 1.3x the floor).
#            2. 200 checks of which 40 point at a port that accepts TCP and never answers,
#               timeout 2s, --jobs 64: wall time (target < 4 s, not 40 x 2 s).
#            3. Peak RSS of `mtlscheck run` over 1000 checks (target < 50 MB).
#            4. sslyze on the same endpoints, where installed.
#   latency  5. 1,000 endpoints behind relay.c, each with a 100 ms round trip: mtlscheck
#               --jobs 256 against the floor (waves x round trips per check x 100 ms) and
#               against `xargs -P 256` over s_client doing the same two connections (target:
#               mtlscheck <= 1.5x the floor); the CPU all three use, which on few cores
#               bounds the wall time too; and --jobs 64, where the cores are not saturated.
#   scale    6. 20,000 checks: peak RSS (target < 150 MB) and wall.
set -euo pipefail
cd "$(dirname "$0")/.."
sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(cpu latency scale)
wants() { [[ " ${sections[*]} " == *" $1 "* ]]; }

for tool in nginx openssl python3 cc xargs; do
    command -v "$tool" >/dev/null || {
        echo "error: $tool is required (apt-get install nginx-light openssl python3 gcc findutils)" >&2; exit 1; }
done
[ -e /usr/include/openssl/ssl.h ] || { echo "error: libssl-dev is required for handshake-floor.c" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time for CPU and peak-RSS figures" >&2
    apt-get install -y -qq time >/dev/null
fi

cargo build --release --quiet
bin=$PWD/target/release/mtlscheck
scripts=$PWD/scripts
work=$(mktemp -d /tmp/mtlscheck-bench-XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
[ -n "${BENCH_KEEP:-}" ] && trap - EXIT
cd "$work"
cc -O2 -o handshake-floor "$scripts/handshake-floor.c" -lssl -lcrypto

# --- PKI (throwaway, generated now; valid for a year, as a fleet's certificates mostly are: a
# certificate within the warning window adds a warning and a note to every result) ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/CN=Bench Server CA" \
    -keyout server-ca.key -out server-ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
openssl x509 -req -in server.csr -CA server-ca.pem -CAkey server-ca.key -CAcreateserial -days 365 \
    -extfile san.ext -out server.pem 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/O=Bench/CN=Client CA" \
    -keyout client-ca.key -out client-ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=bench-client" \
    -keyout client.key -out client.csr 2>/dev/null
openssl x509 -req -in client.csr -CA client-ca.pem -CAkey client-ca.key -CAcreateserial -days 365 \
    -out client.pem 2>/dev/null

# --- nginx: four ports, one per client-auth mode ---
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=()
servers=""
for mode in on optional off optional_no_ca; do
    port=$(free_port); ports+=("$port")
    case $mode in
        on|optional) auth="ssl_verify_client $mode; ssl_client_certificate $work/client-ca.pem;" ;;
        optional_no_ca) auth="ssl_verify_client optional_no_ca; ssl_trusted_certificate $work/client-ca.pem;" ;;
        off) auth="" ;;
    esac
    servers+="server { listen 127.0.0.1:$port ssl backlog=4096; ssl_certificate $work/server.pem;
      ssl_certificate_key $work/server.key; ssl_protocols TLSv1.2 TLSv1.3; $auth location / { return 200 \"ok\\n\"; } }
"
done
required_port=${ports[0]}
mkdir -p logs
cat > nginx.conf <<CONF
daemon off; master_process off; worker_processes 1; pid $work/nginx.pid; error_log $work/logs/error.log;
worker_rlimit_nofile 20000;
events { worker_connections 8192; }
http { access_log off; client_body_temp_path $work/body; proxy_temp_path $work/proxy; fastcgi_temp_path $work/fcgi;
  uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
$servers}
CONF
nginx -p "$work" -c "$work/nginx.conf" -e "$work/logs/error.log" &
nginx_pid=$!
pids+=($nginx_pid)

# A port that accepts TCP and never answers (bounded: exits after 120 s).
blackhole=$(free_port)
python3 - "$blackhole" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(512); s.settimeout(1)
held, end = [], time.time() + 120
while time.time() < end:
    try: held.append(s.accept()[0])
    except socket.timeout: pass
PY
pids+=($!)
sleep 1

write_checks() { # count file [blackholes] [timeout] [ports...]: the checks, spread over the ports
    local count=$1 file=$2 holes=${3:-0} timeout=${4:-5s}
    shift 4 2>/dev/null || shift $#
    local targets=("$@")
    [ ${#targets[@]} -eq 0 ] && targets=("${ports[@]}")
    printf 'defaults:\n  cacert: %s/server-ca.pem\n  cert: %s/client.pem\n  key: %s/client.key\n  timeout: %s\nchecks:\n' \
        "$work" "$work" "$work" "$timeout" > "$file"
    awk -v n="$count" -v holes="$holes" -v hole="$blackhole" -v ports="${targets[*]}" 'BEGIN {
        k = split(ports, p, " ")
        for (i = 1; i <= n; i++) printf "  - {name: c%05d, host: 127.0.0.1, port: %s}\n", i, (i <= holes ? hole : p[(i % k) + 1])
    }' >> "$file"
}
endpoints_of() { # checks file → one HOST:PORT a line, in order
    sed -n 's/.*host: \([^,]*\), port: \([0-9]*\)}/\1:\2/p' "$1"
}

# CPU seconds nginx (the server side, on the same cores) has used so far.
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$nginx_pid/stat"; }
calc() { python3 -c "print(round($1, ${2:-2}))"; }

measure() { # command...  → prints wall, user+sys CPU, peak RSS (KB)
    # Exit codes are not the point here (silent endpoints make `run` exit 1).
    /usr/bin/time -o "$work/time.out" -f '%e %U %S %M' "$@" >/dev/null 2>"$work/stderr.out" || true
    read -r wall user sys rss < <(tail -1 "$work/time.out")
    echo "$wall $(calc "$user+$sys") $rss"
}

echo "OpenSSL: $(openssl version)   nginx: $(nginx -v 2>&1 | cut -d/ -f2)   cores: $(nproc)"
echo

if wants cpu; then
    # 1. 200 checks with a client certificate.
    write_checks 200 checks-200.yaml
    before=$(server_cpu)
    read -r m_wall m_cpu m_rss < <(measure "$bin" run checks-200.yaml --format json)
    m_server=$(calc "$(server_cpu) - $before")
    cat > loop.sh <<LOOP
for i in \$(seq 1 200); do
  port=\$(( i % 4 )); port=\${PORTS[\$port]}
  openssl s_client -connect 127.0.0.1:\$port -CAfile $work/server-ca.pem </dev/null >/dev/null 2>&1
  openssl s_client -connect 127.0.0.1:\$port -CAfile $work/server-ca.pem -cert $work/client.pem -key $work/client.key </dev/null >/dev/null 2>&1
done
LOOP
    before=$(server_cpu)
    read -r s_wall s_cpu _ < <(measure bash -c "PORTS=(${ports[*]}); $(cat loop.sh)")
    s_server=$(calc "$(server_cpu) - $before")
    echo "1. 200 checks with a client certificate (two handshakes each), nginx on 4 ports"
    printf '   mtlscheck run (--jobs 32):       %6.2f s wall, %6.2f s CPU (%5.2f ms CPU/check); nginx used %.2f s CPU\n' \
        "$m_wall" "$m_cpu" "$(calc "$m_cpu*1000/200")" "$m_server"
    printf '   sequential openssl s_client:     %6.2f s wall, %6.2f s CPU (%5.2f ms CPU/check); nginx used %.2f s CPU\n' \
        "$s_wall" "$s_cpu" "$(calc "$s_cpu*1000/200")" "$s_server"
    printf '   speed-up over s_client (wall):   %6.1fx\n' "$(calc "$s_wall/$m_wall" 1)"
    # The CPU per check against the floor: 1,000 checks (200 are too few for the clock's
    # resolution), three runs each, alternating, the median of each.
    write_checks 1000 checks-cpu.yaml
    endpoints_of checks-cpu.yaml > endpoints-cpu.txt
    m_runs=() f_runs=()
    for _ in 1 2 3; do
        read -r _ cpu _ < <(measure "$bin" run checks-cpu.yaml --format json); m_runs+=("$cpu")
        read -r _ cpu _ < <(measure sh -c "./handshake-floor server-ca.pem client.pem client.key < endpoints-cpu.txt")
        f_runs+=("$cpu")
    done
    median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
    m_cpu=$(median "${m_runs[@]}") f_cpu=$(median "${f_runs[@]}")
    printf '   1,000 checks, CPU per check (median of 3 runs): mtlscheck %.2f ms (runs: %s s), floor (handshake-floor.c) %.2f ms (runs: %s s)\n' \
        "$(calc "$m_cpu")" "${m_runs[*]}" "$(calc "$f_cpu")" "${f_runs[*]}"
    printf '   mtlscheck CPU / floor CPU:       %6.2fx (target <= 1.3x)\n' "$(calc "$m_cpu/max($f_cpu,0.01)")"
    echo

    # 2. 40 of 200 endpoints never answer; timeout 2s; --jobs 64.
    write_checks 200 checks-holes.yaml 40 2s
    read -r h_wall _ _ < <(measure "$bin" run checks-holes.yaml --jobs 64 --format json)
    printf '2. 200 checks, 40 silent endpoints, timeout 2s, --jobs 64: %.2f s wall (target < 4 s)\n\n' "$h_wall"

    # 3. Peak RSS over 1000 checks.
    write_checks 1000 checks-1000.yaml
    read -r k_wall _ k_rss < <(measure "$bin" run checks-1000.yaml --format json)
    printf '3. 1000 checks: %.2f s wall, peak RSS %.1f MB (target < 50 MB)\n\n' "$k_wall" "$(calc "$k_rss/1024" 1)"

    # 4. sslyze, for the record.
    if command -v sslyze >/dev/null; then
        targets=$(for p in "${ports[@]}"; do printf '127.0.0.1:%s ' "$p"; done)
        read -r y_wall y_cpu _ < <(measure sslyze --certinfo $targets)
        printf '4. sslyze --certinfo on the 4 endpoints: %.2f s wall, %.2f s CPU\n\n' "$y_wall" "$y_cpu"
    else
        echo "4. sslyze: not installed (pip install sslyze to include it)"
        echo
    fi
fi

if wants latency; then
    # 5. 1,000 far endpoints: relay.c gives each its own port and a 100 ms round trip (50 ms
    # each way) to nginx's `ssl_verify_client on` port. TLS 1.3, so each connection takes two
    # round trips (the handshake, then our Finished and the server's verdict: its ticket) and
    # a check, two connections, four. The client, nginx and the relay share the same cores:
    # their CPU seconds over the core count bound the wall time too, whatever the latency.
    count=1000 jobs=256 rtt_ms=100 trips_per_check=4
    cc -O2 -o relay "$scripts/relay.c"
    ./relay "$count" "$required_port" $((rtt_ms / 2)) relay-ports.txt 600 &
    relay_pid=$!
    pids+=($relay_pid)
    for _ in $(seq 1 100); do [ -s relay-ports.txt ] && [ "$(wc -l < relay-ports.txt)" -eq "$count" ] && break; sleep 0.1; done
    mapfile -t relay_ports < relay-ports.txt
    write_checks "$count" checks-far.yaml 0 10s "${relay_ports[@]}"
    relay_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$relay_pid/stat"; }
    far_run() { # jobs → wall, mtlscheck CPU, nginx CPU, relay CPU, errors
        local before_server before_relay
        before_server=$(server_cpu) before_relay=$(relay_cpu)
        read -r wall cpu _ < <(measure "$bin" run checks-far.yaml --jobs "$1" -o far.json)
        errors=$(python3 -c 'import json; print(sum(r["status"] == "error" for r in json.load(open("far.json"))["results"]))')
        echo "$wall $cpu $(calc "$(server_cpu) - $before_server") $(calc "$(relay_cpu) - $before_relay") $errors"
    }
    floor_for() { python3 -c "import math; print(round(math.ceil($count / $1) * $trips_per_check * $rtt_ms / 1000, 2))"; }
    floor=$(floor_for "$jobs")
    read -r l_wall l_cpu l_server l_relay l_errors < <(far_run "$jobs")
    cpu_bound=$(calc "($l_cpu + $l_server + $l_relay) / $(nproc)")
    floor64=$(floor_for 64)
    read -r m_wall m_cpu _ _ m_errors < <(far_run 64)
    endpoints_of checks-far.yaml > endpoints-far.txt
    cat > one-endpoint.sh <<ONE
openssl s_client -connect "\$1" -CAfile $work/server-ca.pem </dev/null >/dev/null 2>&1
openssl s_client -connect "\$1" -CAfile $work/server-ca.pem -cert $work/client.pem -key $work/client.key </dev/null >/dev/null 2>&1
ONE
    read -r x_wall x_cpu _ < <(measure sh -c "xargs -P $jobs -n 1 sh $work/one-endpoint.sh < endpoints-far.txt")
    echo "5. $count endpoints, each ${rtt_ms} ms away (relay.c), TLS 1.3 ssl_verify_client on, one run"
    printf '   floor at --jobs %d: %d waves x %d round trips x %d ms = %.2f s\n' \
        "$jobs" "$(( (count + jobs - 1) / jobs ))" "$trips_per_check" "$rtt_ms" "$floor"
    printf '   mtlscheck run --jobs %d:          %6.2f s wall (%.2fx the floor, target <= 1.5x), %s errors\n' \
        "$jobs" "$l_wall" "$(calc "$l_wall/$floor")" "$l_errors"
    printf '      CPU: mtlscheck %.2f s + nginx %.2f s + relay %.2f s over %d cores = %.2f s at least\n' \
        "$l_cpu" "$l_server" "$l_relay" "$(nproc)" "$cpu_bound"
    printf '   xargs -P %d over 2x s_client:     %6.2f s wall (%.2fx the floor), %.2f s CPU\n' \
        "$jobs" "$x_wall" "$(calc "$x_wall/$floor")" "$x_cpu"
    printf '   mtlscheck run --jobs 64:           %6.2f s wall (%.2fx its floor of %.2f s), %s errors\n' \
        "$m_wall" "$(calc "$m_wall/$floor64")" "$floor64" "$m_errors"
    echo
fi

if wants scale; then
    # 6. 20,000 checks over the four nginx ports: what a big nightly run keeps in memory.
    write_checks 20000 checks-20000.yaml
    before=$(server_cpu)
    read -r g_wall g_cpu g_rss < <(measure "$bin" run checks-20000.yaml --jobs 64 -o report.json -o junit.xml)
    g_server=$(calc "$(server_cpu) - $before")
    results=$(python3 -c 'import json; r = json.load(open("report.json")); print(len(r["results"]), sum(x["status"] == "error" for x in r["results"]))')
    read -r j_wall _ j_rss < <(measure "$bin" run checks-20000.yaml --jobs 64 --format json)
    echo "6. 20,000 checks, --jobs 64, nginx on 4 ports"
    printf '   table on stdout, -o report.json -o junit.xml: %6.1f s wall, peak RSS %.1f MB (target < 150 MB), %.1f s CPU (%.2f ms/check); nginx %.1f s CPU\n' \
        "$g_wall" "$(calc "$g_rss/1024" 1)" "$g_cpu" "$(calc "$g_cpu*1000/20000")" "$g_server"
    printf '   --format json on stdout:                      %6.1f s wall, peak RSS %.1f MB\n' "$j_wall" "$(calc "$j_rss/1024" 1)"
    printf '   results, errors: %s\n' "$results"
fi
