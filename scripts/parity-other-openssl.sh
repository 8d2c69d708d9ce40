#!/usr/bin/env bash
# Proves mtlscheck built against other OpenSSL releases than the system's, with the real s_client
# of every version (tests/integration/versions.rs):
#   1. built with OPENSSL_DIR=<4.0 prefix> (its own target folder), the per-version differential
#      tests run with that binary;
#   2. built against 3.6, the same tests with its library path set; and, run WITHOUT it (so the
#      soname libssl.so.3 resolves to the system's 3.0), it must warn that it runs on another
#      OpenSSL than it was built for, and print like the one it runs on.
# .ci/run calls this after the README's test command. Needs the builds of scripts/build-openssl.sh.
#
#   scripts/parity-other-openssl.sh          # both
#   scripts/parity-other-openssl.sh 4.0      # just one
set -euo pipefail
cd "$(dirname "$0")/.."

target=${MTLSCHECK_OTHER_TARGET:-target/other-openssl}
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(4.0 3.6)

# VERSION PREFIX lines; the cache makes this instant once built.
declare -A prefixes
while read -r version prefix; do
    prefixes[${version%.*}]=$prefix
done < <(scripts/build-openssl.sh "${wanted[@]}")

libdir() { if [ -d "$1/lib64" ]; then echo "$1/lib64"; else echo "$1/lib"; fi; }

for line in "${wanted[@]}"; do
    prefix=${prefixes[$line]:-}
    [ -n "$prefix" ] || { echo "error: scripts/build-openssl.sh gave no prefix for OpenSSL $line" >&2; exit 1; }
    lib=$(libdir "$prefix")
    echo "== mtlscheck built against OpenSSL $line ($prefix)"
    start=$(date +%s)
    OPENSSL_DIR=$prefix cargo build --locked --quiet --target-dir "$target/$line" --bin mtlscheck
    bin=$(realpath "$target/$line/debug/mtlscheck")
    echo "built in $(( $(date +%s) - start )) s: $(LD_LIBRARY_PATH=$lib "$bin" --version)"
    MTLSCHECK_BIN=$bin MTLSCHECK_BIN_LIBRARY_PATH=$lib cargo test --locked --quiet --test integration versions::

    if [ "$line" = 3.6 ]; then
        # On the system's libssl.so.3 (3.0): the warning, and names in 3.0's style.
        checks=$(mktemp -d)
        trap 'rm -rf "$checks"' EXIT
        printf 'checks:\n  - {name: a, host: 127.0.0.1}\n' >"$checks/checks.yaml"
        stderr=$("$bin" validate "$checks/checks.yaml" 2>&1 >/dev/null)
        case "$stderr" in
            *"built against OpenSSL 3.6"*"but runs on OpenSSL 3.0"*"prints like OpenSSL 3.0"*) ;;
            *) echo "error: a 3.6 build on the system's 3.0 did not warn; stderr: $stderr" >&2; exit 1 ;;
        esac
        stderr=$(LD_LIBRARY_PATH=$lib "$bin" validate "$checks/checks.yaml" 2>&1 >/dev/null)
        [ -z "$stderr" ] || { echo "error: a 3.6 build on its own library warned: $stderr" >&2; exit 1; }
        echo "a 3.6 build on the system's 3.0 warns and prints like 3.0"
    fi
done
