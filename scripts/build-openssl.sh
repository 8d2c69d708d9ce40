#!/usr/bin/env bash
# Builds real `openssl` binaries (s_client, s_server) and libraries of the OpenSSL versions
# operators run, from the sources the `openssl-src` crates carry, into a cache outside the
# checkout. A version already built is reused. Prints one line per version: VERSION PREFIX.
#
#   scripts/build-openssl.sh            # 1.1.1w, 3.6.x, 4.0.x
#   scripts/build-openssl.sh 4.0        # just one
#
# Cache: $MTLSCHECK_OPENSSL_CACHE, default ~/.cache/mtlscheck/openssl. About 6-10 minutes per
# version on 2 cores, once per machine. Notes: ../shared/reference/openssl-versions.md and
# vendor-notes.md ("OpenSSL builds").
set -euo pipefail

cache=${MTLSCHECK_OPENSSL_CACHE:-$HOME/.cache/mtlscheck/openssl}
jobs=${MTLSCHECK_BUILD_JOBS:-$(nproc)}
# crate version -> the OpenSSL it carries. Newest of each line on crates.io when written.
declare -A crates=(
    [1.1.1]="111.28.2+1.1.1w"
    [3.6]="300.6.1+3.6.3"
    [4.0]="400.0.2+4.0.3"
)
# The 3.5+ crates leave out util/mkdef.pl (the linker version script generator); the 3.4 crate has
# one that understands their Makefile (`--type lib`).
mkdef_crate="300.4.2+3.4.1"

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(1.1.1 3.6 4.0)

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9   # two runs (CI and a developer) never build into one prefix at once

# Fetches one crate version's source through cargo (the registry the machine already uses)
# and prints the folder holding the OpenSSL tree.
crate_source() {
    local version=$1 scratch="$cache/fetch-$1"
    mkdir -p "$scratch/src"
    cat >"$scratch/Cargo.toml" <<TOML
[package]
name = "fetch-openssl-src"
version = "0.0.0"
edition = "2021"
[dependencies]
openssl-src = "=$version"
TOML
    echo 'fn main() {}' >"$scratch/src/main.rs"
    (cd "$scratch" && cargo fetch --quiet >&2)
    local registry=${CARGO_HOME:-$HOME/.cargo}/registry/src
    local dir
    dir=$(ls -d "$registry"/*/"openssl-src-$version"/openssl 2>/dev/null | head -n 1)
    [ -n "$dir" ] || { echo "error: openssl-src $version was fetched but its source is not under $registry" >&2; exit 1; }
    echo "$dir"
}

build_one() {
    local line=$1 crate=${crates[$1]:-}
    [ -n "$crate" ] || { echo "error: unknown version $line (known: ${!crates[*]})" >&2; exit 2; }
    local openssl_version=${crate#*+}
    local prefix="$cache/$openssl_version"
    if [ -x "$prefix/bin/openssl" ] && [ -f "$prefix/.complete" ]; then
        echo "$openssl_version $prefix"
        return
    fi
    local source work log
    source=$(crate_source "$crate")
    work="$cache/build-$openssl_version"
    log="$cache/build-$openssl_version.log"
    rm -rf "$work" "$prefix"
    cp -r "$source" "$work"
    chmod -R u+w "$work"
    echo "building OpenSSL $openssl_version into $prefix (log: $log)" >&2
    (
        cd "$work"
        if [ "$line" = 1.1.1 ]; then
            ./Configure linux-x86_64 --prefix="$prefix" --openssldir="$prefix/ssl" shared
            make -j"$jobs" build_libs
            make -j"$jobs" build_engines
            make -j"$jobs" build_programs
            make install_sw
        else
            if [ ! -f util/mkdef.pl ]; then
                cp "$(crate_source "$mkdef_crate")/util/mkdef.pl" util/mkdef.pl
            fi
            ./Configure --prefix="$prefix" --openssldir="$prefix/ssl" no-tests no-docs no-legacy shared
            make -j"$jobs" build_sw
            make install_sw
        fi
    ) >"$log" 2>&1 || { echo "error: building OpenSSL $openssl_version failed; the end of $log:" >&2; tail -n 30 "$log" >&2; exit 1; }
    # Each binary must run on its own libraries, not the system's libssl.so.3.
    local libdir="$prefix/lib64"
    [ -d "$libdir" ] || libdir="$prefix/lib"
    local reported
    reported=$(LD_LIBRARY_PATH="$libdir" "$prefix/bin/openssl" version)
    case "$reported" in
        "OpenSSL $openssl_version "*) ;;
        *) echo "error: $prefix/bin/openssl reports '$reported', not OpenSSL $openssl_version" >&2; exit 1 ;;
    esac
    rm -rf "$work"
    touch "$prefix/.complete"
    echo "$openssl_version $prefix"
}

for line in "${wanted[@]}"; do
    build_one "$line"
done
