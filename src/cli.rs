//! Command-line flags. Doc comments are the `--help` text, so they are written to teach.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::report::Format;

const EXIT_CODES: &str = "\
Exit codes:
  0  every check ran and every expectation held
  1  an expectation failed, an endpoint could not be probed (see the table), or with
     --fail-on-change a check changed since the baseline
  2  usage or configuration error: nothing was probed
  3  the checks were probed but an output could not be written (the messages name each one;
     every output file is either whole and new or left as it was)
  4  the run stopped early because this machine ran out of file descriptors: the outputs
     hold what was probed (\"complete\": false, the rest listed under \"not_run\")
  130, 143  interrupted by SIGINT / SIGTERM: the outputs hold what was probed, as for 4; a
     second signal ends mtlscheck at once, leaving every output file as it was

Examples:
  mtlscheck demo                              # local lab, no internet needed
  mtlscheck init api.partner.example --cert me.crt --key me.key   # a first checks.yaml
  mtlscheck run checks.yaml                   # table on stdout
  mtlscheck run checks.yaml --format json > report.json
  mtlscheck run checks.yaml -o report.json -o junit.xml   # table on stdout, JSON and JUnit files
  mtlscheck run checks.yaml --baseline last-night.json --fail-on-change
  mtlscheck run checks.yaml --shard 2/4 -o shard-2.json   # one of 4 CI jobs
  mtlscheck merge shard-*.json -o report.json -o junit.xml";

const PROBE_EXIT_CODES: &str = "\
Exit codes:
  0  the endpoint was probed (whatever its verdict)
  1  it could not be probed, or its server certificate did not verify (without --insecure)
  2  usage or configuration error: nothing was probed
  3  the endpoint was probed but standard output could not be written

Examples:
  mtlscheck probe api.partner.example:443 --cacert ca.pem --cert me.crt --key me.key --trace
  mtlscheck probe api.partner.example --http-path /secure
  mtlscheck probe api.partner.example --cert me.crt --key me.key --client java-pkix --explain-client java-pkix";

const VALIDATE_HELP: &str = "\
Exit codes:
  0  every check's credentials are usable (warnings allowed)
  2  the checks file has an error, or a check's credentials are unusable (each one named)

Example:
  mtlscheck validate checks.yaml       # one line per check: ok, warnings, or what to fix";

const COMPARE_EXIT_CODES: &str = "\
Exit codes:
  0  the transcript and the live probe agree on every field
  1  a field differs, or the endpoint could not be probed
  2  usage error, or the transcript cannot be read (the message names the line)
  3  the endpoint was probed but an output could not be written (each one whole or untouched)

Example:
  openssl s_client -connect api.partner.example:443 > taken.txt 2>&1 < /dev/null
  mtlscheck compare taken.txt --target api.partner.example:443";

const INIT_HELP: &str = "\
Exit codes:
  0  the checks file was written (endpoints that could not be probed are in it, without
     expectations)
  2  usage error, or the file exists (use --force) or cannot be written

Example:
  mtlscheck init api.partner.example gw.partner-b.example:8443 --cert me.crt --key me.key
  mtlscheck run checks.yaml";

const MERGE_EXIT_CODES: &str = "\
Exit codes:
  0  every check in the joined reports passed
  1  a check failed or errored, a shard of the run is missing, or a joined report is
     incomplete (its run was interrupted: the checks it did not probe are under not_run)
  2  a report cannot be read, or one check name is in two reports
  3  an output could not be written (each one whole or untouched)

Example:
  mtlscheck merge shard-*.json -o report.json -o junit.xml";

/// Tells, for each TLS endpoint, whether it asks for a client certificate (1-way vs 2-way TLS /
/// mTLS), whether it requires one, which CA names it accepts, and whether our client
/// certificate's CA is among them. Names are printed exactly as `openssl s_client` prints them.
#[derive(Debug, Parser)]
#[command(name = "mtlscheck", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// More log output on stderr (-v: info, -vv: debug). RUST_LOG works too.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Probe every endpoint listed in a checks file and report client-certificate authentication.
    ///
    /// Each endpoint gets a handshake without a client certificate (does the server ask? does it
    /// refuse us without one?) and, if the check has `cert`/`key`, one with our certificate.
    /// Under TLS 1.3 the server's refusal arrives after the handshake, so mtlscheck always reads
    /// after it until the server's session ticket, data or alert decides.
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),

    /// Probe one endpoint and print what `openssl s_client` prints for it, plus the verdict.
    ///
    /// Options mirror s_client's. Without --cert the output matches `openssl s_client -connect
    /// HOST:PORT`; with --cert/--key it matches `s_client ... -cert FILE -key FILE`, and the
    /// verdict block also reports the connection without a certificate.
    #[command(after_help = PROBE_EXIT_CODES)]
    Probe(ProbeArgs),

    /// Compare an operator's saved `openssl s_client` output with a live probe of the endpoint.
    ///
    /// Reports, field by field, where the transcript and the live probe agree: protocol, cipher,
    /// verify code, server chain, whether a certificate was requested, the CA names (compared as
    /// names, so OpenSSL 1.0.2 / 1.1.1 / 3.x spellings agree) and whether the server refused.
    /// Exit 0 when all agree, 1 on any difference, 2 when the transcript cannot be read.
    #[command(after_help = COMPARE_EXIT_CODES)]
    Compare(CompareArgs),

    /// Check a checks file and every check's client credentials without any network traffic.
    ///
    /// For CI on changes to the checks file: the YAML, every referenced file, passphrases
    /// (from their environment variables or files), that each key matches its certificate, the
    /// certificates' dates (expired: error; expiring within 30 days: warning) and that each
    /// chain links our certificate to its issuers. Prints one line per check. Exit 0 when every
    /// check is usable (warnings allowed), 2 otherwise.
    #[command(after_help = VALIDATE_HELP)]
    Validate(ValidateArgs),

    /// Write a first checks file from one probe of each endpoint, its expectations filled in
    /// from what the endpoints did (client auth, the exact CA names, the protocol).
    ///
    /// Give the certificate and key your integration uses (--cert/--key or --p12) and the CA
    /// that signs the partners' certificates (--cacert) if it is not in the system store: they
    /// go into `defaults:`. The file validates as written; `mtlscheck run` then fails when an
    /// endpoint drifts from what it did today. An existing file is kept unless --force.
    #[command(after_help = INIT_HELP)]
    Init(InitArgs),

    /// Start a lab of local TLS servers (1-way, 2-way required/optional, TLS 1.2 and 1.3, no CA
    /// names, wrong CA names, required at the HTTP layer) on 127.0.0.1 and run the checks
    /// against them. No network needed.
    ///
    /// With the table format it first prints the checks file it used, so you can copy it as a
    /// starting point.
    #[command(after_help = EXIT_CODES)]
    Demo(DemoArgs),

    /// Join the JSON reports of a sharded run (`run --shard K/N`) into one report.
    ///
    /// With all N shards of one run the results come back in the order of the checks file;
    /// other reports are joined in the order given. A check name in two reports is refused.
    /// Exit 0 when every check passed, 1 when any failed or errored (or a shard is missing),
    /// 2 when a report cannot be read.
    #[command(after_help = MERGE_EXIT_CODES)]
    Merge(MergeArgs),

    /// Print a shell completion script for bash, zsh or fish.
    ///
    /// bash: `mtlscheck completions bash > ~/.local/share/bash-completion/completions/mtlscheck`;
    /// zsh: save it as `_mtlscheck` in a folder on $fpath; fish:
    /// `mtlscheck completions fish > ~/.config/fish/completions/mtlscheck.fish`. The Debian
    /// package installs all three.
    Completions(CompletionsArgs),

    /// Print the JSON Schema of the checks file or of the JSON report, for editors and CI.
    ///
    /// `checks`: point yaml-language-server (VS Code's YAML extension, Neovim, Helix) at it and
    /// the editor completes, explains and checks checks.yaml as you type: put
    /// `# yaml-language-server: $schema=/usr/share/mtlscheck/schemas/checks.schema.json` (the
    /// Debian package installs both schemas there) as the first line of the file, or save
    /// `mtlscheck schema checks > checks.schema.json` next to it and name that. `report`:
    /// validate reports in CI, e.g. `check-jsonschema --schemafile report.schema.json
    /// report.json`; it accepts keys newer versions add. Both are JSON Schema draft-07;
    /// docs/schemas.md has the details.
    #[command(
        after_help = "Example:\n  mtlscheck schema checks > checks.schema.json\n  mtlscheck schema report > report.schema.json"
    )]
    Schema(SchemaArgs),

    /// Print the man page mtlscheck(1), or write it and one page per subcommand into a folder.
    ///
    /// `mtlscheck man | man -l -` reads it without installing; the Debian package installs them.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: crate::completions::Shell,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which document: `checks` (checks.yaml) or `report` (the JSON report).
    #[arg(value_enum)]
    pub document: crate::schema::Document,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write mtlscheck.1 and mtlscheck-SUBCOMMAND.1 into DIR instead of printing mtlscheck.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The checks file (YAML). Relative paths in it resolve against its folder.
    #[arg(value_name = "CHECKS.yaml")]
    pub checks: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,

    /// How many endpoints to probe at once. Lowered, with a warning, when the open-file limit
    /// (`ulimit -n`, raised to its hard limit at start) cannot carry that many.
    #[arg(short, long, value_name = "N", default_value_t = crate::pipeline::DEFAULT_JOBS,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: u16,

    /// Override every check's timeout (whole probe of one endpoint: connect, handshakes and
    /// reads), e.g. 5s or 500ms.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,

    /// Override every check's `retries`: extra tries, with backoff, after a transient network
    /// error (DNS, refused or timed-out connection); never after a refused handshake.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=5))]
    pub retries: Option<u32>,

    /// Probe every address the host resolves to (A and AAAA) and flag disagreements between
    /// them, as for a load-balancer pool with one misconfigured node.
    #[arg(long)]
    pub all_addresses: bool,

    /// Also compare each check with an operator's saved `openssl s_client` output in
    /// DIR/<check name>.txt, taken without `-cert` and compared with the connection without a
    /// certificate (or DIR/<check name>.with-cert.txt, taken with `-cert`/`-key`, compared with
    /// the connection that presents ours). Checks without a file are not compared. A difference
    /// fails the check; an unreadable transcript stops the run before any probe (exit 2).
    #[arg(long, value_name = "DIR")]
    pub compare_dir: Option<PathBuf>,

    /// Warn about certificates (the server's and ours) that expire within DAYS; overrides the
    /// checks file's `warn_days` (default 30). Warnings do not fail a check.
    #[arg(long, value_name = "DAYS")]
    pub warn_days: Option<u32>,

    /// Compare with a previous JSON report (e.g. last night's) and list, per check, what
    /// changed: client auth, CA names, protocol, cipher, server chain, verify result, the
    /// outcome with our certificate.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,

    /// With --baseline: a check that changed fails (exit 1).
    #[arg(long, requires = "baseline")]
    pub fail_on_change: bool,

    /// Run only shard K of N: the checks at positions K, K+N, K+2N, … of the file (1-based),
    /// for CI matrix jobs or a Kubernetes Indexed Job. Join the reports with `mtlscheck merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::model::Shard>,

    /// Report a server certificate that does not verify without failing the check (as
    /// `insecure: true` on every check).
    #[arg(long)]
    pub insecure: bool,

    /// Write names, alerts and signature algorithms as this version's s_client does: 1.1.1,
    /// 3.0 ... 3.6, 4.0, libressl, or the output of `openssl version` (overrides `name_style`
    /// in the checks file). Default: the OpenSSL mtlscheck runs on.
    #[arg(long, value_name = "VERSION", value_parser = parse_like)]
    pub like: Option<crate::style::Style>,

    /// Also present a certificate forged at run time to every endpoint that asks for one (as
    /// `impostor: true` on every check): a partner that accepts it does not verify client
    /// certificates, which fails the check unless `expect.verifies_client_cert: false`.
    #[arg(long)]
    pub impostor: bool,

    /// Reach every endpoint through this HTTP CONNECT proxy (http://HOST:PORT), whatever the
    /// checks file and HTTPS_PROXY say. Credentials belong in HTTPS_PROXY, not here.
    #[arg(long, value_name = "URL", value_parser = parse_proxy)]
    pub proxy: Option<crate::model::ProxyUrl>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The JSON reports to join (written by `run --format json` or `--output FILE.json`).
    #[arg(value_name = "REPORT.json", required = true)]
    pub reports: Vec<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The checks file (YAML). Relative paths in it resolve against its folder.
    #[arg(value_name = "CHECKS.yaml")]
    pub checks: PathBuf,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The endpoint: HOST[:PORT] (port 443 by default); IPv6 as [::1]:443.
    #[arg(value_name = "HOST[:PORT]")]
    pub target: String,

    #[command(flatten)]
    pub endpoint: EndpointArgs,

    /// Print the handshake message flow in `curl -v` style (`TLSv1.3 (IN), TLS handshake,
    /// Request CERT (13)`) for both connections.
    #[arg(long)]
    pub trace: bool,

    /// Output format; `sclient` prints s_client's lines and the verdict.
    #[arg(short, long, value_enum, default_value = "sclient")]
    pub format: Format,

    /// With `--format table`: as wide as its content, not fitted to the terminal (or to 120
    /// columns in a pipe).
    #[arg(long)]
    pub wide: bool,

    /// Print every certificate of the server's chain as PEM, as s_client -showcerts.
    #[arg(long)]
    pub showcerts: bool,

    /// Explain, step by step, how this client stack decides whether to send our certificate
    /// (in the spirit of `-Djavax.net.debug=ssl:keymanager`).
    #[arg(long, value_enum, value_name = "STACK")]
    pub explain_client: Option<crate::model::ClientStack>,

    /// The client stack our integration runs on (as `client:` in a checks file): the check
    /// fails when it would not send our certificate to a server that requires one.
    #[arg(long, value_enum, value_name = "STACK", default_value = "openssl")]
    pub client: crate::model::ClientStack,
}

/// One endpoint's connection options, named as in `openssl s_client`.
#[derive(Debug, Clone, Args)]
pub struct EndpointArgs {
    /// SNI to send (s_client -servername). Default: the host, if it is a DNS name with a dot.
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,

    /// Send no SNI (s_client -noservername).
    #[arg(long, conflicts_with = "servername")]
    pub noservername: bool,

    /// Trust anchors for the server chain, PEM (s_client -CAfile). Default: the system store.
    #[arg(long, value_name = "FILE", visible_alias = "CAfile")]
    pub cacert: Option<PathBuf>,

    /// Directory of hashed CA certificates (s_client -CApath).
    #[arg(long, value_name = "DIR", visible_alias = "CApath")]
    pub capath: Option<PathBuf>,

    /// Our client certificate, PEM; may hold intermediates after the leaf.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// The client certificate's private key, PEM.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Extra intermediates to send after our certificate (s_client -cert_chain).
    #[arg(long, value_name = "FILE", visible_alias = "cert_chain")]
    pub chain: Option<PathBuf>,

    /// Our certificate, key and intermediates as one PKCS#12 file (.p12/.pfx), instead of
    /// --cert/--key. Legacy exports (RC2/3DES) work too.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["cert", "key"])]
    pub p12: Option<PathBuf>,

    /// Where the passphrase of an encrypted --key or of --p12 comes from: env:VARIABLE or
    /// file:PATH (its first line), as s_client's -pass. A passphrase written on the command line
    /// (pass:...) is refused: every user of the machine can see it in the process list.
    #[arg(long, value_name = "env:VAR|file:PATH")]
    pub pass: Option<String>,

    /// Only TLS 1.2 (s_client -tls1_2).
    #[arg(long = "tls1_2", visible_alias = "tls1-2", conflicts_with = "tls1_3")]
    pub tls1_2: bool,

    /// Only TLS 1.3 (s_client -tls1_3).
    #[arg(long = "tls1_3", visible_alias = "tls1-3")]
    pub tls1_3: bool,

    /// Bound on the whole probe: connect, both handshakes and reads.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
    pub timeout: std::time::Duration,

    /// After each handshake send `METHOD PATH HTTP/1.1` and read the status: shows servers that
    /// ask for a certificate only for some paths (TLS 1.2 renegotiation, TLS 1.3 post-handshake
    /// auth) or enforce it at the HTTP layer (nginx's 400, a 403).
    #[arg(long, value_name = "PATH")]
    pub http_path: Option<String>,

    /// HTTP method for --http-path (default GET).
    #[arg(long, value_name = "METHOD", requires = "http_path")]
    pub http_method: Option<String>,

    /// Host header for --http-path (default: the SNI, else the host).
    #[arg(long, value_name = "HOST", requires = "http_path")]
    pub http_host: Option<String>,

    /// How names are printed (s_client -nameopt). `default`: the default of the s_client
    /// chosen with --like (or of the OpenSSL mtlscheck runs on).
    #[arg(long, value_enum, default_value = "default")]
    pub nameopt: crate::names::NameStyle,

    /// Print what this version's s_client prints: 1.1.1, 3.0 ... 3.6, 4.0 (or a patch release,
    /// e.g. 3.0.13), libressl, or the output of `openssl version`. Default: the OpenSSL
    /// mtlscheck runs on (for `compare`: the version the transcript came from).
    #[arg(long, value_name = "VERSION", value_parser = parse_like)]
    pub like: Option<crate::style::Style>,

    /// Connect to ADDRESS[:PORT] (an IP, e.g. [::1]:8443, or another name; the port defaults
    /// to HOST's) instead of HOST; HOST still gives the SNI and the HTTP Host header. Like
    /// curl's --connect-to.
    #[arg(long, value_name = "ADDRESS[:PORT]")]
    pub connect: Option<String>,

    /// HTTP CONNECT proxy, http://HOST:PORT (s_client -proxy). Default: HTTPS_PROXY unless
    /// NO_PROXY names the host; `--proxy ''` uses none.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// Speak this protocol's plain-text preamble before TLS (s_client -starttls). Without a
    /// port in HOST[:PORT] the protocol's standard port is used.
    #[arg(long, value_enum, value_name = "PROTOCOL")]
    pub starttls: Option<crate::model::Starttls>,

    /// A server certificate that does not verify is reported but does not fail the check
    /// (exit code 0 instead of 1). `compare` never fails on verification alone: the verify
    /// code is one of the fields it compares.
    #[arg(long)]
    pub insecure: bool,

    /// Also present a certificate forged at run time (a fresh key, issued in the name of the
    /// first CA the server lists): if the server accepts it, it does not verify client
    /// certificates.
    #[arg(long)]
    pub impostor: bool,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The saved output of `openssl s_client` (any version; -showcerts and -msg are fine).
    #[arg(value_name = "TRANSCRIPT")]
    pub transcript: PathBuf,

    /// The endpoint the transcript was taken from: HOST[:PORT].
    #[arg(long, value_name = "HOST[:PORT]")]
    pub target: String,

    /// The transcript was taken with `s_client -cert ... -key ...`: compare it with the live
    /// connection that presents our certificate (give --cert/--key or --p12 too). Without it the
    /// connection without a certificate is compared, unless the transcript shows (in `-msg`
    /// output) that a certificate was sent.
    #[arg(long)]
    pub with_cert: bool,

    #[command(flatten)]
    pub endpoint: EndpointArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The endpoints, HOST[:PORT] each (port 443 by default).
    #[arg(value_name = "HOST[:PORT]", required = true)]
    pub targets: Vec<String>,

    #[command(flatten)]
    pub endpoint: EndpointArgs,

    /// Where to write the checks file (`-`: standard output).
    #[arg(short, long, value_name = "FILE", default_value = "checks.yaml")]
    pub output: PathBuf,

    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format on standard output: `table` for people, `json` for machines (described in
    /// docs/json-report.md), `junit` (XML for Jenkins/GitLab), `csv`, `markdown`, `sclient` (what
    /// `openssl s_client` prints for each endpoint, then the verdict; verdicts only for `merge`),
    /// `html` (one self-contained page) or `metrics` (Prometheus textfile-collector format).
    #[arg(short, long, value_enum, default_value = "table")]
    pub format: Format,

    /// Also write the report to FILE, in the format its extension says (.json, .xml = JUnit,
    /// .csv, .md, .txt = table, .html, .prom = metrics) or as FORMAT:FILE (e.g.
    /// junit:results.dat); `-` (or
    /// FORMAT:-) is standard output. Repeat for several files. Checked before any probe.
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<crate::report::output::OutputSpec>,

    /// Let the table be as wide as its content. Without it the table fits the terminal (short
    /// columns first, more as width allows; long texts under the table, wrapped) and, in files
    /// and pipes, 120 columns.
    #[arg(long)]
    pub wide: bool,
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    crate::config::parse_duration(text)
}

fn parse_like(text: &str) -> Result<crate::style::Style, String> {
    crate::style::Style::parse(text).map_err(|err| err.to_string())
}

fn parse_proxy(text: &str) -> Result<crate::model::ProxyUrl, String> {
    let proxy = crate::model::ProxyUrl::parse(text)?;
    if proxy.has_password() {
        return Err("a password on the command line is visible in `ps`: set HTTPS_PROXY instead".into());
    }
    Ok(proxy)
}

/// The version line of `--version`: ours, the OpenSSL we run on (whose s_client we print like
/// by default) and, when different, the one we were built against.
pub fn long_version() -> String {
    let built = crate::style::Style::built_against()
        .filter(|built| {
            (built.major, built.minor) != {
                let running = crate::style::Style::runtime();
                (running.major, running.minor)
            }
        })
        .map(|built| format!(", built against OpenSSL {}", built.label()))
        .unwrap_or_default();
    format!("{} (linked with {}{built})", env!("CARGO_PKG_VERSION"), openssl::version::version())
}

/// The command-line definition, with the `--version` that names the linked OpenSSL; also the
/// source of the man pages and completion scripts.
pub fn command() -> clap::Command {
    // clap keeps `&'static str`s: the version is built once per process.
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    Cli::command().version(VERSION.get_or_init(long_version).as_str())
}

/// `openssl s_client` options operators type out of habit, and their mtlscheck spelling.
const S_CLIENT_SPELLINGS: [(&str, &str); 17] = [
    ("-connect", "the endpoint itself, HOST:PORT (e.g. mtlscheck probe api.partner.example:443)"),
    ("-servername", "--servername"),
    ("-noservername", "--noservername"),
    ("-CAfile", "--cacert (or --CAfile)"),
    ("-CApath", "--capath (or --CApath)"),
    ("-cert", "--cert"),
    ("-key", "--key"),
    ("-cert_chain", "--chain"),
    ("-pass", "--pass"),
    ("-tls1_2", "--tls1_2"),
    ("-tls1_3", "--tls1_3"),
    ("-starttls", "--starttls"),
    ("-proxy", "--proxy"),
    ("-nameopt", "--nameopt"),
    ("-msg", "--trace (the handshake messages, curl style)"),
    ("-showcerts", "nothing: probe prints the chain as s_client does"),
    ("-verify_return_error", "nothing: a chain that does not verify fails the check unless --insecure"),
];

/// s_client's single-dash options among `args`, answered with mtlscheck's spelling.
fn s_client_spellings(args: &[String]) -> Option<String> {
    let found: Vec<String> = args
        .iter()
        .filter_map(|arg| S_CLIENT_SPELLINGS.iter().find(|(theirs, _)| arg == theirs))
        .map(|(theirs, ours)| format!("`{theirs}` is {ours}"))
        .collect();
    (!found.is_empty()).then(|| format!("these are openssl s_client's options: {}", found.join("; ")))
}

/// Parses the process arguments.
pub fn parse() -> Cli {
    let args: Vec<String> = std::env::args().collect();
    if let Some(message) = s_client_spellings(&args) {
        eprintln!("mtlscheck: {message}");
        std::process::exit(2);
    }
    let matches = match command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(err) => {
            let compare_without_target = args.get(1).is_some_and(|a| a == "compare")
                && !args.iter().any(|a| a == "--target" || a.starts_with("--target="))
                && err.kind() == clap::error::ErrorKind::UnknownArgument;
            if compare_without_target {
                let _ = err.print();
                eprintln!("\n  tip: the endpoint goes in --target: mtlscheck compare TRANSCRIPT --target HOST:PORT");
                std::process::exit(2);
            }
            err.exit()
        }
    };
    Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
