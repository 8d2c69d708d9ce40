#!/usr/bin/env bash
# The Debian package end to end, as .ci/run runs it on a fresh Debian 12 machine (systemd
# installed, not running as PID 1): build it, install it with dpkg -i, check what it installed
# and `systemd-analyze verify` its units, run `mtlscheck demo` from /usr/bin (its checks file
# names the installed JSON Schema), validate the example checks file and a nightly report with
# check-jsonschema against the installed schemas, run the nightly
# script twice as the service's user against a real `openssl s_server` (the second night is
# compared with the first, whose server asked for a certificate differently), then purge it.
# Every server started here is stopped by its PID; the package is purged on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { echo "== test-deb: $*"; }
fail() { echo "error: test-deb: $*" >&2; exit 1; }

deb=$(scripts/build-deb.sh | tail -n 1)
[ -f "$deb" ] || fail "scripts/build-deb.sh built no package (last line: $deb)"
step "built $deb ($(stat -c %s "$deb") bytes)"

work=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    dpkg --purge mtlscheck >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

step "dpkg -i"
dpkg -i "$deb"
for file in /usr/bin/mtlscheck /usr/libexec/mtlscheck/nightly /usr/share/man/man1/mtlscheck-run.1.gz \
    /usr/share/bash-completion/completions/mtlscheck /usr/share/zsh/vendor-completions/_mtlscheck \
    /usr/share/fish/vendor_completions.d/mtlscheck.fish /usr/share/doc/mtlscheck/examples/checks.yaml \
    /usr/share/mtlscheck/schemas/checks.schema.json /usr/share/mtlscheck/schemas/report.schema.json \
    /etc/default/mtlscheck /usr/share/doc/mtlscheck/docs/guide.md /usr/share/doc/mtlscheck/CHANGELOG.md; do
    [ -e "$file" ] || fail "the package did not install $file"
done
# The units' Documentation= pages are installed.
for unit in /usr/lib/systemd/system/mtlscheck-nightly.service /usr/lib/systemd/system/mtlscheck-nightly.timer; do
    for page in $(sed -n 's/^Documentation=//p' "$unit" | tr ' ' '\n' | sed -n 's/^file://p'); do
        [ -e "$page" ] || fail "$unit names $page, which the package does not install"
    done
done
[ -d /etc/mtlscheck ] || fail "postinst did not create /etc/mtlscheck"
id mtlscheck >/dev/null || fail "postinst did not create the user mtlscheck"
[ -L /etc/systemd/system/timers.target.wants/mtlscheck-nightly.timer ] || fail "the timer is not enabled"
man -w mtlscheck-run >/dev/null || fail "man does not find mtlscheck-run(1)"

step "systemd-analyze verify"
units=(/usr/lib/systemd/system/mtlscheck-nightly.service /usr/lib/systemd/system/mtlscheck-nightly.timer)
verify_output=$(systemd-analyze verify "${units[@]}" 2>&1) || fail "systemd-analyze verify: $verify_output"
[ -z "$verify_output" ] || fail "systemd-analyze verify warns: $verify_output"

step "mtlscheck demo from /usr/bin"
(cd "$work" && /usr/bin/mtlscheck demo >demo.txt) || fail "mtlscheck demo failed: $(cat "$work/demo.txt")"
# With the schemas installed, the checks files mtlscheck writes name them for editors.
grep -qx '# yaml-language-server: $schema=/usr/share/mtlscheck/schemas/checks.schema.json' "$work/demo.txt" \
    || fail "the demo's checks file does not name the installed schema: $(head -n 5 "$work/demo.txt")"

step "the installed schemas validate the example checks file"
check-jsonschema --schemafile /usr/share/mtlscheck/schemas/checks.schema.json \
    /usr/share/doc/mtlscheck/examples/checks.yaml || fail "the example checks file does not validate"
grep -qx '# yaml-language-server: $schema=/usr/share/mtlscheck/schemas/checks.schema.json' \
    /usr/share/doc/mtlscheck/examples/checks.yaml || fail "the example checks file does not name the installed schema"
/usr/bin/mtlscheck validate /usr/share/doc/mtlscheck/examples/checks.yaml >"$work/validate.txt" \
    || fail "mtlscheck validate rejects the installed example: $(cat "$work/validate.txt")"

# A real server that requires a client certificate (first night), then one that only asks;
# sets server_pid and port (0: any free port, then the one it got).
port=0
start_server() {
    local verify_flag=$1
    openssl s_server -accept "127.0.0.1:$port" -cert "$work/server.pem" -key "$work/server.key" \
        "$verify_flag" 1 -www </dev/null >"$work/s_server.out" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        grep -q '^ACCEPT' "$work/s_server.out" && break
        sleep 0.1
    done
    grep -q '^ACCEPT' "$work/s_server.out" || fail "openssl s_server did not start: $(cat "$work/s_server.out")"
    port=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$work/s_server.out")
}
stop_server() {
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}

step "the nightly script, twice, as the user mtlscheck"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=nightly.example \
    -keyout "$work/server.key" -out "$work/server.pem" 2>/dev/null
start_server -Verify
cat >"$work/checks.yaml" <<EOF
checks:
  - name: nightly-smoke
    host: 127.0.0.1
    port: $port
    insecure: true
EOF
state="$work/state"
install -d -o mtlscheck -g mtlscheck "$state"
chmod 755 "$work"
night() {
    runuser -u mtlscheck -- env STATE_DIRECTORY="$state" MTLSCHECK_CHECKS="$work/checks.yaml" \
        /usr/libexec/mtlscheck/nightly >"$work/night.txt" 2>&1 || fail "the nightly run failed: $(cat "$work/night.txt")"
}
night
for report in report.json report.html junit.xml metrics/mtlscheck.prom; do
    [ -s "$state/$report" ] || fail "the first night wrote no $report"
done
[ ! -e "$state/baseline.json" ] || fail "the first night has no baseline to keep"
grep -q '"client_auth": "required"' "$state/report.json" || fail "the first night did not see a required certificate"
promtool check metrics <"$state/metrics/mtlscheck.prom" || fail "promtool rejects the nightly metrics"
check-jsonschema --schemafile /usr/share/mtlscheck/schemas/report.schema.json "$state/report.json" \
    || fail "the nightly report does not validate against the installed schema"

stop_server
start_server -verify
night
grep -q '"file": "baseline.json"' "$state/report.json" || fail "the second night was not compared with the first"
grep -q '"summary": "client auth: required -> optional"' "$state/report.json" \
    || fail "the second night did not report the change: $(cat "$work/night.txt")"
grep -q 'changed' "$state/report.html" || fail "the HTML report does not show the change"
stop_server

step "dpkg --purge"
dpkg --purge mtlscheck
[ ! -e /usr/bin/mtlscheck ] || fail "dpkg --purge left /usr/bin/mtlscheck"
[ ! -e /etc/systemd/system/timers.target.wants/mtlscheck-nightly.timer ] || fail "purge left the timer enabled"
step "ok"
