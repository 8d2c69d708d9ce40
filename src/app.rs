//! What each subcommand does, returning the process exit code.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use openssl::ssl::SslVersion;

use crate::cli::{
    Cli, Command, CompareArgs, DemoArgs, EndpointArgs, InitArgs, MergeArgs, OutputArgs, ProbeArgs, RunArgs,
    ValidateArgs,
};
use crate::config::{self, RawCheck, Timeout};
use crate::keep::Keep;
use crate::model::{Check, CheckResult, ProbeOptions, ProtocolRange, Report, Transcript};
use crate::names::NameStyle;
use crate::pipeline::{Stop, StopReason};
use crate::progress::Progress;
use crate::report::output::{Outputs, write_stdout};
use crate::report::{Exporter, Format, SClientExporter};
use crate::style::Style;
use crate::{demo, init, merge, pipeline, signals, transcript, verdict};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
/// The probes ran but an output could not be written; each output is whole or untouched.
pub const EXIT_OUTPUT_FAILED: u8 = 3;
/// The run stopped early because this machine ran out of file descriptors.
pub const EXIT_LOCAL_LIMIT: u8 = 4;

/// Tells the operator `message` on stderr. A closed or full stderr has nowhere to report to,
/// so a failure to write is ignored rather than a panic.
pub fn say(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "mtlscheck: {message}");
}

pub fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let env = env_logger::Env::default().default_filter_or(level);
    // `mtlscheck: warning: ...` like every other message, not `[WARN mtlscheck::app]`.
    let _ = env_logger::Builder::from_env(env)
        .format(|buf, record| {
            use std::io::Write as _;
            let level = match record.level() {
                log::Level::Error => "error: ",
                log::Level::Warn => "warning: ",
                log::Level::Info => "",
                log::Level::Debug | log::Level::Trace => "debug: ",
            };
            writeln!(buf, "mtlscheck: {level}{}", record.args())
        })
        .try_init();
}

pub fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    signals::install();
    crate::limits::raise_open_file_limit();
    if let Some(mismatch) = Style::runtime_mismatch() {
        log::warn!("{mismatch}");
    }
    match cli.command {
        Command::Run(args) => run_checks(args, cli.quiet),
        Command::Probe(args) => probe_one(args),
        Command::Compare(args) => compare_one(args),
        Command::Validate(args) => validate_checks(args),
        Command::Demo(args) => run_demo(args),
        Command::Init(args) => init_checks(args),
        Command::Merge(args) => merge_reports(args),
        Command::Completions(args) => {
            write_stdout(&crate::completions::script(args.shell, crate::cli::command()))?;
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Schema(args) => {
            write_stdout(&crate::schema::text(args.document))?;
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Man(args) => write_man_pages(args.dir.as_deref()),
    }
}

fn run_checks(args: RunArgs, quiet: bool) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started_at = crate::dates::now_rfc3339();
    let mut checks = config::load(&args.checks)?;
    let names_in_file: Vec<String> = checks.iter().map(|c| c.name.clone()).collect();
    if let Some(shard) = args.shard {
        checks = shard.select(checks);
        log::info!("shard {shard}: {} of {} checks", checks.len(), names_in_file.len());
    }
    for check in &mut checks {
        if let Some(timeout) = args.timeout {
            check.timeout = timeout;
        }
        if let Some(retries) = args.retries {
            check.retries = retries;
        }
        check.all_addresses |= args.all_addresses;
    }
    if let Some(days) = args.warn_days {
        checks.iter_mut().for_each(|check| check.warn_days = days);
    }
    if let Some(like) = args.like {
        warn_if_cannot_imitate(like);
    }
    for check in &mut checks {
        if let Some(like) = args.like {
            check.like = Some(like);
            check.name_style = NameStyle::Default;
        }
        check.insecure |= args.insecure;
        check.impostor |= args.impostor;
        if let Some(proxy) = &args.proxy {
            check.proxy = Some(proxy.clone());
        }
    }
    warn_once_per_file(&checks);
    let transcripts = match &args.compare_dir {
        Some(dir) => load_transcripts(dir, &checks)?,
        None => checks.iter().map(|_| None).collect(),
    };
    // Read before the outputs are prepared: `--output` may name the baseline's own file.
    let baseline = match &args.baseline {
        Some(path) => {
            Some((path.display().to_string(), config::read_report(path).map_err(|err| format!("--baseline {err}"))?))
        }
        None => None,
    };
    let outputs = prepare_outputs(&args.output)?;
    let all_addresses = checks.iter().any(|check| check.all_addresses);
    let jobs = crate::limits::probes_that_fit(usize::from(args.jobs), checks.len(), all_addresses);
    let progress = Arc::new(Progress::new(checks.len(), quiet));
    let finish = Arc::new(FinishEach::new(progress.clone(), transcripts, outputs.need_observations()));
    let stop = Stop::default();
    signals::stop_on_signal(&stop);
    let batch = pipeline::run_batch(checks, jobs, ProbeOptions::default(), stop, finish);
    progress.finish();
    #[expect(clippy::filter_map_identity, reason = "filter_map collects in place, flatten does not")]
    // In place: a second vector of 20,000 results would double the peak.
    let mut results: Vec<CheckResult> = batch.results.into_iter().filter_map(|result| result).collect();
    let baseline_summary = baseline.map(|(file, previous)| {
        let names: Vec<&str> = names_in_file.iter().map(String::as_str).collect();
        verdict::apply_baseline(&mut results, &previous, &file, &names, args.fail_on_change)
    });
    let mut report = Report::new(results);
    report.started_at = Some(started_at);
    report.shard = args.shard;
    report.baseline = baseline_summary;
    report.complete = batch.not_run.is_empty();
    report.stopped = batch.stopped.as_ref().map(StopReason::describe);
    report.not_run = batch.not_run;
    let code = match (write_outputs(&outputs, &report), &batch.stopped) {
        (Err(code), _) => code,
        (Ok(()), Some(reason)) => {
            let unprobed = report.not_run.len();
            let total = unprobed + report.results.len();
            say(&format!(
                "{}: {unprobed} of {total} checks were not run (the report lists them under not_run)",
                reason.describe()
            ));
            match reason {
                StopReason::Signal { number, .. } => signals::exit_code(*number),
                StopReason::LocalLimit(_) => EXIT_LOCAL_LIMIT,
            }
        }
        (Ok(()), None) => exit_code_of(&report),
    };
    if batch.abandoned {
        // Probes that did not end in time still run on their threads: end without them.
        signals::exit_at_once(code);
    }
    Ok(ExitCode::from(code))
}

/// What happens as each check starts and finishes, on the worker: the progress bar, the
/// comparison with its transcript, and dropping the handshake details unless an output shows
/// them, so a batch of any size keeps only what its report needs.
struct FinishEach {
    progress: Arc<Progress>,
    transcripts: Vec<Option<SavedTranscript>>,
    keep: Keep,
}

impl FinishEach {
    fn new(progress: Arc<Progress>, transcripts: Vec<Option<SavedTranscript>>, keep_observations: bool) -> Self {
        FinishEach { progress, transcripts, keep: Keep::new(keep_observations) }
    }
}

impl pipeline::Watch for FinishEach {
    fn started(&self, _index: usize) {
        self.progress.started();
    }

    fn finished(&self, index: usize, result: CheckResult) -> CheckResult {
        self.progress.done(&result);
        let mut result = match self.transcripts.get(index).and_then(Option::as_ref) {
            Some(saved) => {
                let connection = verdict::connection_for(&saved.transcript, saved.taken_with_cert);
                let comparison = verdict::compare(&saved.file, &saved.transcript, &result, connection);
                verdict::attach_comparison(result, comparison)
            }
            None => result,
        };
        self.keep.trim(&mut result);
        result
    }

    fn ended(&self, _index: usize) {
        self.progress.ended();
    }
}

/// Warnings about the credentials (a key others can read, a certificate expiring soon) once
/// on stderr, however many checks share them; each check's notes repeat them in the report.
fn warn_once_per_file(checks: &[Check]) {
    let mut said = std::collections::HashSet::new();
    for warning in checks.iter().flat_map(|check| &check.warnings) {
        if said.insert(warning.as_str()) {
            log::warn!("{warning}");
        }
    }
}

/// Writes the report to every output; on failure says what for each output and gives the
/// exit code for it.
fn write_outputs(outputs: &Outputs, report: &Report) -> Result<(), u8> {
    outputs.write(report).map_err(|failure| {
        for problem in &failure.problems {
            say(problem);
        }
        EXIT_OUTPUT_FAILED
    })
}

fn merge_reports(args: MergeArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for path in &args.reports {
        match config::read_report(path) {
            Ok(report) => inputs.push(merge::Input { file: path.display().to_string(), report }),
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n").into());
    }
    let outputs = prepare_outputs(&args.output)?;
    let merged = merge::merge(inputs)?;
    log::info!("merged {} results in {}", merged.report.results.len(), merged.order);
    if let Err(code) = write_outputs(&outputs, &merged.report) {
        return Ok(ExitCode::from(code));
    }
    if !merged.report.not_run.is_empty() {
        log::error!(
            "{} checks of the joined reports were not run (listed under not_run): {}",
            merged.report.not_run.len(),
            merged.report.stopped.as_deref().unwrap_or("their run stopped early")
        );
    }
    if !merged.missing_shards.is_empty() {
        let missing: Vec<String> = merged.missing_shards.iter().map(ToString::to_string).collect();
        log::error!("no report for shard {}: its checks are not in the merged report", missing.join(", "));
        return Ok(ExitCode::from(EXIT_FAILED));
    }
    Ok(exit_code(&merged.report))
}

/// `validate`: everything `run` checks before its first probe, and nothing after it.
fn validate_checks(args: ValidateArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let checks = config::load(&args.checks)?;
    let lines: String = checks.iter().map(|check| format!("{}\n", validation_line(check))).collect();
    write_stdout(&lines)?;
    let usable = checks.iter().all(|check| check.identities.iter().all(|identity| identity.problem.is_none()));
    Ok(ExitCode::from(if usable { EXIT_OK } else { EXIT_USAGE }))
}

/// `name: ok`, `name: ok (no client certificate)`, or the problems and warnings, on one line.
pub fn validation_line(check: &Check) -> String {
    let mut parts = Vec::new();
    let problems: Vec<String> = check
        .identities
        .iter()
        .filter_map(|identity| {
            let problem = identity.problem.as_ref()?;
            Some(match &identity.name {
                Some(name) => format!("error: identity '{name}': {problem}"),
                None => format!("error: {problem}"),
            })
        })
        .collect();
    if !problems.is_empty() {
        parts.extend(problems);
    } else if check.identities.is_empty() {
        parts.push("ok (no client certificate)".to_string());
    } else {
        parts.push("ok".to_string());
    }
    parts.extend(check.warnings.iter().map(|warning| format!("warning: {warning}")));
    format!("{}: {}", check.name, parts.join("; "))
}

fn probe_one(args: ProbeArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let (mut check, options) = endpoint_check(&args.target, &args.endpoint)?;
    check.client = args.client;
    let report = Report::new(vec![pipeline::run_one_with(&check, &options)]);
    let written = if args.format == Format::Sclient {
        let exporter = SClientExporter { trace: args.trace, showcerts: args.showcerts, explain: args.explain_client };
        write_stdout(&exporter.render(&report))
    } else {
        print_report(&report, args.format, args.wide)
    };
    if let Err(err) = written {
        say(&format!("cannot write to standard output: {err}"));
        return Ok(ExitCode::from(EXIT_OUTPUT_FAILED));
    }
    Ok(exit_code(&report))
}

fn compare_one(args: CompareArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let transcript = read_transcript(&args.transcript)?;
    let (mut check, options) = endpoint_check(&args.target, &args.endpoint)?;
    // `compare` judges agreement with the transcript; the verify code is one of the compared
    // fields, so a failed verification alone does not fail it.
    check.insecure = true;
    // The live side in the words of the s_client that wrote the transcript, unless --like says.
    if check.like.is_none() {
        check.like = transcript.style.like;
    }
    let outputs = prepare_outputs(&args.output)?;
    let mut result = pipeline::run_one_with(&check, &options);
    // The note would credit an `insecure: true` the user never set; the verify_code row of the
    // comparison shows the failure.
    result.notes.retain(|note| !note.starts_with(verdict::VERIFY_NOTE_START));
    let connection = verdict::connection_for(&transcript, args.with_cert);
    let comparison = verdict::compare(&args.transcript.display().to_string(), &transcript, &result, connection);
    let report = Report::new(vec![verdict::attach_comparison(result, comparison)]);
    if let Err(code) = write_outputs(&outputs, &report) {
        return Ok(ExitCode::from(code));
    }
    Ok(exit_code(&report))
}

/// Reads and parses one transcript; errors name the file and line.
fn read_transcript(path: &Path) -> Result<Transcript, String> {
    let bytes = crate::files::read_regular("transcript", path, crate::files::MAX_TRANSCRIPT, "s_client output")?;
    // s_client escapes what is not ASCII in names; anything else undecodable is only shown.
    let text = String::from_utf8_lossy(&bytes);
    transcript::parse(&text).map_err(|err| format!("{}:{}: {}", path.display(), err.line, err.message))
}

/// An operator's transcript for one check, and how it was taken.
struct SavedTranscript {
    file: String,
    transcript: Transcript,
    /// Named `<check>.with-cert.txt`: taken with `s_client -cert ... -key ...`.
    taken_with_cert: bool,
}

/// The transcript of each check that has one in `dir` (`<name>.txt`, or `<name>.with-cert.txt`
/// when it was taken with our certificate), read before any network traffic.
fn load_transcripts(dir: &Path, checks: &[Check]) -> Result<Vec<Option<SavedTranscript>>, String> {
    if !dir.is_dir() {
        return Err(format!("--compare-dir {} is not a directory", dir.display()));
    }
    let mut problems = Vec::new();
    let mut transcripts = Vec::new();
    for check in checks {
        let plain = dir.join(format!("{}.txt", check.name));
        let with_cert = dir.join(format!("{}.with-cert.txt", check.name));
        let (path, taken_with_cert) = match (plain.exists(), with_cert.exists()) {
            (true, _) => (plain, false),
            (false, true) => (with_cert, true),
            (false, false) => {
                log::info!("{}: no transcript at {}, not compared", check.name, plain.display());
                transcripts.push(None);
                continue;
            }
        };
        match read_transcript(&path) {
            Ok(transcript) => transcripts.push(Some(SavedTranscript {
                file: path.display().to_string(),
                transcript,
                taken_with_cert,
            })),
            Err(problem) => {
                problems.push(problem);
                transcripts.push(None);
            }
        }
    }
    if problems.is_empty() { Ok(transcripts) } else { Err(problems.join("\n")) }
}

/// Builds the check (through the same validation as a checks file) and probe options from
/// s_client-style flags.
pub fn endpoint_check(target: &str, args: &EndpointArgs) -> Result<(Check, ProbeOptions), Box<dyn std::error::Error>> {
    let (host, port) = crate::hostport::split(target)
        .map_err(|why| format!("invalid target {target:?}: {why}; write HOST, HOST:PORT or [IPv6]:PORT"))?;
    // With --starttls and no port in the target, the protocol's port is the default.
    let port = port.or(args.starttls.is_none().then_some(config::DEFAULT_PORT));
    let servername = if args.noservername { Some(String::new()) } else { args.servername.clone() };
    let raw = RawCheck {
        name: Some(target.to_string()),
        host: Some(host),
        port,
        servername,
        cacert: args.cacert.clone(),
        capath: args.capath.clone(),
        cert: args.cert.clone(),
        key: args.key.clone(),
        chain: args.chain.clone(),
        p12: args.p12.clone(),
        timeout: Some(Timeout(args.timeout)),
        expect: None,
        http_path: args.http_path.clone(),
        http_method: args.http_method.clone(),
        http_host: args.http_host.clone(),
        connect: args.connect.clone(),
        proxy: args.proxy.clone(),
        starttls: args.starttls,
        insecure: Some(args.insecure),
        impostor: Some(args.impostor),
        ..RawCheck::default()
    };
    let raw = with_pass_source(raw, args.pass.as_deref())?;
    let mut check = config::single_check(raw)?;
    check.name_style = args.nameopt;
    check.like = args.like;
    if let Some(like) = args.like {
        warn_if_cannot_imitate(like);
    }
    let version = match (args.tls1_2, args.tls1_3) {
        (true, _) => Some(SslVersion::TLS1_2),
        (_, true) => Some(SslVersion::TLS1_3),
        _ => None,
    };
    let options = ProbeOptions { protocols: ProtocolRange { min: version, max: version } };
    Ok((check, options))
}

/// `--like` a version whose client offers what the OpenSSL mtlscheck runs on cannot (3.5+'s
/// post-quantum groups and ML-DSA schemes): the server negotiates something else with us, and
/// the lines about the key exchange say so.
fn warn_if_cannot_imitate(like: Style) {
    let runtime = Style::runtime();
    if like.offers_post_quantum_groups() && !runtime.offers_post_quantum_groups() {
        log::warn!(
            "--like {}: mtlscheck runs on OpenSSL {}, which cannot offer the post-quantum groups (X25519MLKEM768) \
             OpenSSL {}'s s_client offers first: against a server that supports them, the key-exchange line \
             (`Negotiated TLS1.3 group`) shows what this OpenSSL negotiated instead",
            like.label(),
            runtime.label(),
            like.label()
        );
    }
}

/// Applies `--pass env:VAR|file:PATH` to the key or the p12. The value is never echoed: it may
/// be a passphrase typed in the wrong place.
fn with_pass_source(mut raw: RawCheck, pass: Option<&str>) -> Result<RawCheck, String> {
    let Some(pass) = pass else { return Ok(raw) };
    let for_p12 = raw.p12.is_some();
    if let Some(var) = pass.strip_prefix("env:") {
        let var = Some(var.to_string());
        if for_p12 { raw.p12_password_env = var } else { raw.key_password_env = var }
    } else if let Some(path) = pass.strip_prefix("file:") {
        let path = Some(std::path::PathBuf::from(path));
        if for_p12 { raw.p12_password_file = path } else { raw.key_password_file = path }
    } else {
        return Err("--pass takes env:VARIABLE or file:PATH; a passphrase written on the command line is refused \
                    because every user of the machine can see it in the process list"
            .into());
    }
    Ok(raw)
}

/// `demo`: the outputs are checked first, then the lab runs and its report is written.
fn run_demo(args: DemoArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let outputs = prepare_outputs(&args.output)?;
    let demo = demo::run()?;
    let table_on_stdout = args.output.format == Format::Table && args.output.output.iter().all(|o| o.path.is_some());
    if table_on_stdout {
        let preface = format!("The checks file this demo ran ({}):\n\n{}\n", demo.checks_file.display(), demo.yaml);
        if let Err(err) = write_stdout(&preface) {
            say(&format!("cannot write to standard output: {err}"));
            return Ok(ExitCode::from(EXIT_OUTPUT_FAILED));
        }
    }
    if let Err(code) = write_outputs(&outputs, &demo.report) {
        return Ok(ExitCode::from(code));
    }
    Ok(exit_code(&demo.report))
}

/// `man`: mtlscheck(1) on stdout, or every page into a folder (listed on stdout).
fn write_man_pages(dir: Option<&Path>) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match dir {
        None => write_stdout(&crate::manpage::main_page())?,
        Some(dir) => {
            let written = crate::manpage::write_all(dir)
                .map_err(|err| format!("cannot write man pages into {}: {err}", dir.display()))?;
            let listing: String = written.iter().map(|path| format!("{}\n", path.display())).collect();
            write_stdout(&listing)?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// `init`: one probe of each target, then a checks file with what they did as expectations.
fn init_checks(args: InitArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let to_stdout = args.output.as_os_str() == "-";
    if !to_stdout && args.output.exists() && !args.force {
        return Err(
            format!("{} exists: give another file with -o, or --force to replace it", args.output.display()).into()
        );
    }
    let folder = match args.output.parent() {
        Some(parent) if !to_stdout && !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(
            format!("cannot write {}: the folder {} does not exist", args.output.display(), folder.display()).into()
        );
    }
    let mut checks = Vec::new();
    let mut options = ProbeOptions::default();
    for target in &args.targets {
        let (check, probe_options) = endpoint_check(target, &args.endpoint)?;
        options = probe_options;
        checks.push(check);
    }
    let results = pipeline::run_all(&checks, checks.len(), &options);
    let mut names: Vec<String> = Vec::new();
    let mut probed = Vec::new();
    for (check, result) in checks.iter().zip(&results) {
        let name = init::check_name(&check.host, check.port, &names);
        names.push(name.clone());
        probed.push(init::Probed {
            name,
            host: &check.host,
            port: check.port,
            http_path: check.http.as_ref().map(|h| h.path.as_str()),
            result,
        });
    }
    let pass = args.endpoint.pass.as_deref().and_then(|pass| {
        let field = if args.endpoint.p12.is_some() { "p12" } else { "key" };
        let (kind, value) = pass.split_once(':')?;
        let suffix = match kind {
            "env" => "password_env",
            "file" => "password_file",
            _ => return None,
        };
        Some((format!("{field}_{suffix}"), value.to_string()))
    });
    let defaults = init::Defaults {
        cacert: args.endpoint.cacert.clone(),
        capath: args.endpoint.capath.clone(),
        cert: args.endpoint.cert.clone(),
        key: args.endpoint.key.clone(),
        chain: args.endpoint.chain.clone(),
        p12: args.endpoint.p12.clone(),
        passphrase: pass,
        timeout: humantime::format_duration(args.endpoint.timeout).to_string(),
    };
    let today = crate::dates::now_rfc3339();
    let yaml = crate::schema::editor_lines()
        + &init::checks_yaml(&defaults, &folder, &probed, today.get(..10).unwrap_or(&today));
    if to_stdout {
        write_stdout(&yaml)?;
        return Ok(ExitCode::from(EXIT_OK));
    }
    crate::report::output::replace_file(&args.output, &yaml)
        .map_err(|err| format!("cannot write {}: {err}", args.output.display()))?;
    // The file must be usable as written.
    config::load(&args.output)?;
    let unreachable = results.iter().filter(|r| r.status == crate::model::Status::Error).count();
    eprintln!(
        "mtlscheck: wrote {} with {} check{}{}; next: mtlscheck run {}",
        args.output.display(),
        results.len(),
        if results.len() == 1 { "" } else { "s" },
        match unreachable {
            0 => String::new(),
            n => format!(" ({n} could not be probed: see the comments in the file)"),
        },
        args.output.display()
    );
    Ok(ExitCode::from(EXIT_OK))
}

/// Writes the report to stdout.
pub fn print_report(report: &Report, format: Format, wide: bool) -> std::io::Result<()> {
    write_stdout(&crate::report::output::stdout_exporter(format, wide).render(report))
}

/// Checks the `--output` files of a command before it probes anything.
pub fn prepare_outputs(args: &OutputArgs) -> Result<Outputs, String> {
    Outputs::prepare(args.format, &args.output, args.wide)
}

pub fn exit_code(report: &Report) -> ExitCode {
    ExitCode::from(exit_code_of(report))
}

fn exit_code_of(report: &Report) -> u8 {
    if report.all_passed() { EXIT_OK } else { EXIT_FAILED }
}
