#!/usr/bin/env bash
# Writes the throwaway PKI under examples/pki/ that the repository's checks.yaml names, so that
# `mtlscheck validate checks.yaml` passes in a fresh clone. Nothing here is secret or trusted
# anywhere: the keys are committed on purpose. Valid for 100 years, so the example's
# `client_cert_days_left` expectation holds. Re-run only to change the example.
set -euo pipefail
cd "$(dirname "$0")/../examples/pki"
rm -rf ca client && mkdir -p ca client
days=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ca NAME SUBJECT [ISSUER]: a CA certificate (self-signed without ISSUER).
ca() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$1.key" 2>/dev/null
    if [ $# -eq 2 ]; then
        openssl req -x509 -new -key "$tmp/$1.key" -subj "$2" -days "$days" -out "$tmp/$1.pem" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    else
        openssl req -new -key "$tmp/$1.key" -subj "$2" -out "$tmp/$1.csr"
        printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$tmp/ext"
        openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$3.pem" -CAkey "$tmp/$3.key" -days "$days" \
            -extfile "$tmp/ext" -out "$tmp/$1.pem" 2>/dev/null
    fi
}

# leaf NAME SUBJECT ISSUER: a client certificate and its unencrypted key.
leaf() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "client/$1.key" 2>/dev/null
    openssl req -new -key "client/$1.key" -subj "$2" -out "$tmp/$1.csr"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > "$tmp/ext"
    openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$3.pem" -CAkey "$tmp/$3.key" -days "$days" \
        -extfile "$tmp/ext" -out "client/$1.crt" 2>/dev/null
}

ca our-root "/C=US/O=Our Company/CN=Our Root CA"
ca our-issuing "/C=US/O=Our Company/CN=Our Issuing CA" our-root
ca our-issuing-2027 "/C=US/O=Our Company/CN=Our Issuing CA 2027" our-root
leaf our-client "/O=Our Company/CN=our-client (example)" our-issuing
leaf our-client-2027 "/O=Our Company/CN=our-client 2027 (example)" our-issuing-2027
cp "$tmp/our-issuing.pem" client/our-intermediate.pem
# PKCS#12 without a passphrase: the example names no secret file (a real bundle has one).
openssl pkcs12 -export -in client/our-client.crt -inkey client/our-client.key \
    -certfile client/our-intermediate.pem -name "partner-b (example)" -passout pass: -out client/partner-b.p12

# Trust anchors for the partners' servers: stand-ins for the CA files a partner sends.
ca partners-root "/C=CH/O=Partner A/CN=Partner A Server Root CA"
ca internal-root "/O=Our Company/CN=Internal Root CA"
cp "$tmp/partners-root.pem" ca/partners.pem
cp "$tmp/internal-root.pem" ca/internal-root.pem
echo "wrote $(pwd)/{ca,client}"
