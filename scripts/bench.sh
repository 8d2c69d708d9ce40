#!/usr/bin/env bash
# Benchmark: mtlscheck versus a sequential `openssl s_client` loop doing the same work, side by
# side in one run, on 127.0.0.1 only, against real nginx servers (several ports mixing required,
# optional and no client auth). Not a test: it prints numbers for the README.
#
#   scripts/bench.sh            # builds the release binary first
#
# Measures:
#   1. 200 checks with a client certificate: wall and CPU time of `mtlscheck run` versus a
#      sequential loop of `openssl s_client` doing the same two handshakes per check.
#   2. 200 checks of which 40 point at a port that accepts TCP and never answers, timeout 2s,
#      --jobs 64: wall time (target < 4 s, not 40 x 2 s).
#   3. Peak RSS of `mtlscheck run` over 1000 checks (target < 50 MB).
#   4. sslyze on the same endpoints, where installed.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in nginx openssl python3; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required (apt-get install nginx-light openssl python3)" >&2; exit 1; }
done
if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time for CPU and peak-RSS figures" >&2
    apt-get install -y -qq time >/dev/null
fi

cargo build --release --quiet
bin=$PWD/target/release/mtlscheck
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

# --- PKI (throwaway, generated now) ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Bench Server CA" \
    -keyout server-ca.key -out server-ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
openssl x509 -req -in server.csr -CA server-ca.pem -CAkey server-ca.key -CAcreateserial -days 2 \
    -extfile san.ext -out server.pem 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/O=Bench/CN=Client CA" \
    -keyout client-ca.key -out client-ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=bench-client" \
    -keyout client.key -out client.csr 2>/dev/null
openssl x509 -req -in client.csr -CA client-ca.pem -CAkey client-ca.key -CAcreateserial -days 2 \
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
    servers+="server { listen 127.0.0.1:$port ssl; ssl_certificate $work/server.pem; ssl_certificate_key $work/server.key;
      ssl_protocols TLSv1.2 TLSv1.3; $auth location / { return 200 \"ok\\n\"; } }
"
done
mkdir -p logs
cat > nginx.conf <<CONF
daemon off; master_process off; worker_processes 1; pid $work/nginx.pid; error_log $work/logs/error.log;
events { worker_connections 4096; }
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

write_checks() { # count file blackholes
    local count=$1 file=$2 holes=${3:-0}
    printf 'defaults:\n  cacert: %s/server-ca.pem\n  cert: %s/client.pem\n  key: %s/client.key\n  timeout: %s\nchecks:\n' \
        "$work" "$work" "$work" "${4:-5s}" > "$file"
    for i in $(seq 1 "$count"); do
        if [ "$i" -le "$holes" ]; then port=$blackhole; else port=${ports[$((i % 4))]}; fi
        printf '  - {name: c%04d, host: 127.0.0.1, port: %s}\n' "$i" "$port" >> "$file"
    done
}

# CPU seconds nginx (the server side, on the same cores) has used so far.
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$nginx_pid/stat"; }

measure() { # command...  → prints wall, user+sys CPU, peak RSS
    # Exit codes are not the point here (silent endpoints make `run` exit 1).
    /usr/bin/time -o "$work/time.out" -f '%e %U %S %M' "$@" >/dev/null 2>&1 || true
    read -r wall user sys rss < <(tail -1 "$work/time.out")
    echo "$wall $(python3 -c "print(round($user+$sys,2))") $rss"
}

echo "OpenSSL: $(openssl version)   nginx: $(nginx -v 2>&1 | cut -d/ -f2)   cores: $(nproc)"
echo

# 1. 200 checks with a client certificate.
write_checks 200 checks-200.yaml
before=$(server_cpu)
read -r m_wall m_cpu m_rss < <(measure "$bin" run checks-200.yaml --format json)
m_server=$(python3 -c "print(round($(server_cpu) - $before, 2))")
cat > loop.sh <<LOOP
for i in \$(seq 1 200); do
  port=\$(( i % 4 )); port=\${PORTS[\$port]}
  openssl s_client -connect 127.0.0.1:\$port -CAfile $work/server-ca.pem </dev/null >/dev/null 2>&1
  openssl s_client -connect 127.0.0.1:\$port -CAfile $work/server-ca.pem -cert $work/client.pem -key $work/client.key </dev/null >/dev/null 2>&1
done
LOOP
before=$(server_cpu)
read -r s_wall s_cpu _ < <(measure bash -c "PORTS=(${ports[*]}); $(cat loop.sh)")
s_server=$(python3 -c "print(round($(server_cpu) - $before, 2))")
echo "1. 200 checks with a client certificate (two handshakes each), nginx on 4 ports"
printf '   mtlscheck run (--jobs 32):     %6.2f s wall, %6.2f s CPU (%5.1f ms CPU/check); nginx used %.2f s CPU\n' \
    "$m_wall" "$m_cpu" "$(python3 -c "print($m_cpu*1000/200)")" "$m_server"
printf '   sequential openssl s_client:   %6.2f s wall, %6.2f s CPU (%5.1f ms CPU/check); nginx used %.2f s CPU\n' \
    "$s_wall" "$s_cpu" "$(python3 -c "print($s_cpu*1000/200)")" "$s_server"
printf '   speed-up (wall):               %6.1fx\n' "$(python3 -c "print($s_wall/$m_wall)")"
echo

# 2. 40 of 200 endpoints never answer; timeout 2s; --jobs 64.
write_checks 200 checks-holes.yaml 40 2s
read -r h_wall _ _ < <(measure "$bin" run checks-holes.yaml --jobs 64 --format json)
printf '2. 200 checks, 40 silent endpoints, timeout 2s, --jobs 64: %.2f s wall (target < 4 s)\n\n' "$h_wall"

# 3. Peak RSS over 1000 checks.
write_checks 1000 checks-1000.yaml
read -r k_wall _ k_rss < <(measure "$bin" run checks-1000.yaml --format json)
printf '3. 1000 checks: %.2f s wall, peak RSS %.1f MB (target < 50 MB)\n\n' "$k_wall" "$(python3 -c "print($k_rss/1024)")"

# 4. sslyze, for the record.
if command -v sslyze >/dev/null; then
    targets=$(for p in "${ports[@]}"; do printf '127.0.0.1:%s ' "$p"; done)
    read -r y_wall y_cpu _ < <(measure sslyze --certinfo $targets)
    printf '4. sslyze --certinfo on the 4 endpoints: %.2f s wall, %.2f s CPU\n' "$y_wall" "$y_cpu"
else
    echo "4. sslyze: not installed (pip install sslyze to include it)"
fi
