//! One integration-test binary (faster to link than many), grouped by theme.

// Shared PKI, lab servers, s_server processes and the s_client runner.
mod support;

// Verdicts against the in-process lab servers, TLS 1.2 and 1.3.
mod verdicts;

// Verdicts against the real `openssl s_server`, compared with the real `openssl s_client`.
mod s_server;

// The command line: table, JSON keys, exit codes, bad input of every kind.
mod cli;

// `mtlscheck probe` versus the real s_client, line by line; the transcript parser on real output.
mod parity;

// The real s_client of 1.1.1w, 3.0, 3.6 and 4.0 against s_server variants: probe --like byte for
// byte, compare by meaning.
mod versions;

// Real server stacks: nginx, Apache (per-path renegotiation / post-handshake auth), GnuTLS, Java.
mod stacks;

// Batch runs: every address, retries, hard deadlines, order, progress.
mod batch;

// Endpoints that are unreachable, silent, not TLS: each check errors within its timeout.
mod bad_endpoints;

// `expect:` on CA names (any OpenSSL spelling), protocol, verify, lifetimes; expiry warnings.
mod expectations;

// `--baseline`: what changed at each endpoint since last night's report; `--fail-on-change`.
mod baseline;

// Exports: JUnit (validated against tests/JUnit.xsd), CSV, Markdown, `--output`, NO_COLOR.
mod exports;

// `--shard K/N` and `merge`.
mod shards;
// Trust (cacert, capath, system store, insecure), `connect:` and IPv6, HTTP CONNECT proxies.
mod connectivity;

// `starttls:` for SMTP, IMAP, POP3, FTP (in-test responders) and a real PostgreSQL.
mod starttls;
// Client credentials: encrypted PEM keys, PKCS#12 (modern and legacy), `mtlscheck validate`.
mod credentials;

// Our X509_NAME_print_ex against the real `openssl x509 -nameopt`, name by name.
mod names;

// Our side: refused certificates, identities, the impostor, broken credentials, matching transcripts.
mod our_side;

// `init`: a first checks file from one probe of each endpoint.
mod init;

// The table on 80- and 120-column terminals, in pipes and with --wide; the progress bar.
mod terminal;

// Messages: no Rust type names, fixes for common mistakes, s_client spellings, plurals.
mod messages;

// The module graph of src/: one direction of data, no import cycle.
mod architecture;

// Hostile input: unreadable and garbage files, broken credentials, servers that reset
// mid-handshake or send thousands of CA names, odd names or a 200 KB chain; no secret leaks.
mod hostile;

// Real clients (Go, Java SunX509/PKIX, Python, curl, Node, s_client, GnuTLS, NSS) against
// crafted CertificateRequests: what each sent, against mtlscheck's client-stack predictions.
mod client_selection;

// `-o report.html` in headless Chromium without network: DOM, escaping, sorting, filtering,
// drift, timeline, no request leaving the page, screenshots at 1280 and 390 px.
mod html_report;

// `-o metrics.prom`: validated by `promtool check metrics`, read back sample by sample.
mod metrics;

// `completions` loaded by bash, fish and zsh; `man` pages rendered by groff and man.
mod shell_docs;

// JSON Schemas of checks.yaml and the report: committed = generated, examples validate, typos
// refused like `validate`, grammars agree with the loader, old and new reports, check-jsonschema.
mod schemas;

// The Markdown docs: relative links resolve; the README opens with the set-up commands.
mod docs;

// docs/examples/ nightly CI files validated by check-jsonschema's GitHub and GitLab schemas.
mod ci_examples;

// Faults of this machine: device, FIFO, symlink and socket outputs, the umask, a full disk,
// SIGINT/SIGTERM mid-batch, descriptor limits; the same report whatever --jobs.
mod faults;

// Bounded input: /dev/zero, FIFOs and oversized files, the alias bomb, non-UTF-8 text, key
// files others can read, control characters in names.
mod inputs;
