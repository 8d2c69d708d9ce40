//! The plain-text preamble of `openssl s_client -starttls PROTOCOL`, spoken before each TLS
//! handshake: the same commands in the same order as s_client (apps/s_client.c), but every
//! reply is checked, so a server that does not offer TLS is an error with its own words instead
//! of a failed handshake on a plain-text reply.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::net::{self, is_timeout};
use crate::model::{ProbeError, Starttls};

/// s_client's default for `-name`: the host name it sends in EHLO.
const EHLO_NAME: &str = "mail.example.com";
/// PostgreSQL's SSLRequest: length 8, then the request code 80877103 (1234 << 16 | 5679).
const POSTGRES_SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
/// Bounds on what a server may send before TLS.
const MAX_LINE: usize = 4096;
const MAX_REPLY_LINES: usize = 256;

/// Speaks `protocol`'s preamble on `stream` until the server is ready for a ClientHello.
pub fn negotiate(
    stream: &mut TcpStream,
    protocol: Starttls,
    deadline: Instant,
    budget: Duration,
) -> Result<(), ProbeError> {
    let mut talk = Conversation { stream, buffer: Vec::new(), protocol, deadline, budget };
    match protocol {
        Starttls::Smtp => smtp(&mut talk)?,
        Starttls::Imap => imap(&mut talk)?,
        Starttls::Pop3 => pop3(&mut talk)?,
        Starttls::Ftp => ftp(&mut talk)?,
        Starttls::Postgres => return postgres(&mut talk),
    }
    talk.nothing_left_over()
}

/// SMTP (RFC 3207): greeting, `EHLO`, `STARTTLS`, `220`.
fn smtp(talk: &mut Conversation<'_>) -> Result<(), ProbeError> {
    let greeting = talk.numbered_reply("the greeting")?;
    if greeting.code != 220 {
        return Err(talk.error(format!("the server's greeting is not 220: {}", greeting.last())));
    }
    talk.send(&format!("EHLO {EHLO_NAME}"))?;
    let ehlo = talk.numbered_reply("the reply to EHLO")?;
    if ehlo.code != 250 {
        return Err(talk.error(format!("the server refused EHLO: {}", ehlo.last())));
    }
    // Keywords follow the code and its separator; they are case-insensitive.
    let offered = ehlo.lines.iter().any(|line| {
        line.get(4..)
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|k| k.eq_ignore_ascii_case("STARTTLS"))
    });
    // Like s_client, ask even when it is not advertised: the reply says what the server thinks.
    talk.send("STARTTLS")?;
    let reply = talk.numbered_reply("the reply to STARTTLS")?;
    if reply.code != 220 {
        return Err(talk.not_offered(offered, &reply.last()));
    }
    Ok(())
}

/// IMAP (RFC 2595): greeting, `. CAPABILITY`, `. STARTTLS`, `. OK`.
fn imap(talk: &mut Conversation<'_>) -> Result<(), ProbeError> {
    let greeting = talk.line("the greeting")?;
    if !starts_with_ignore_case(&greeting, "* OK") {
        return Err(talk.error(format!("the server's greeting is not `* OK`: {}", shown(&greeting))));
    }
    talk.send(". CAPABILITY")?;
    let (capabilities, done) = talk.tagged_reply("the reply to CAPABILITY")?;
    let offered = capabilities
        .iter()
        .chain(std::iter::once(&greeting))
        .any(|line| line.split(|c: char| c.is_whitespace() || c == ']').any(|w| w.eq_ignore_ascii_case("STARTTLS")));
    if !starts_with_ignore_case(&done, ". OK") {
        return Err(talk.error(format!("the server refused CAPABILITY: {}", shown(&done))));
    }
    talk.send(". STARTTLS")?;
    let (_, done) = talk.tagged_reply("the reply to STARTTLS")?;
    if !starts_with_ignore_case(&done, ". OK") {
        return Err(talk.not_offered(offered, &shown(&done)));
    }
    Ok(())
}

/// POP3 (RFC 2595): greeting, `STLS`, `+OK`.
fn pop3(talk: &mut Conversation<'_>) -> Result<(), ProbeError> {
    let greeting = talk.line("the greeting")?;
    if !greeting.starts_with("+OK") {
        return Err(talk.error(format!("the server's greeting is not `+OK`: {}", shown(&greeting))));
    }
    talk.send("STLS")?;
    let reply = talk.line("the reply to STLS")?;
    if !reply.starts_with("+OK") {
        return Err(talk.error(format!("the server does not offer STLS: it answered {}", shown(&reply))));
    }
    Ok(())
}

/// FTP (RFC 4217): greeting, `AUTH TLS`, `234`.
fn ftp(talk: &mut Conversation<'_>) -> Result<(), ProbeError> {
    let greeting = talk.numbered_reply("the greeting")?;
    if greeting.code != 220 {
        return Err(talk.error(format!("the server's greeting is not 220: {}", greeting.last())));
    }
    talk.send("AUTH TLS")?;
    let reply = talk.numbered_reply("the reply to AUTH TLS")?;
    if reply.code != 234 {
        return Err(talk.error(format!("the server does not offer AUTH TLS: it answered {}", reply.last())));
    }
    Ok(())
}

/// PostgreSQL: an SSLRequest packet, answered by one byte, `S` (TLS follows) or `N` (no TLS).
fn postgres(talk: &mut Conversation<'_>) -> Result<(), ProbeError> {
    talk.write(&POSTGRES_SSL_REQUEST)?;
    // Exactly one byte: anything after it would be TLS (or an injection attempt the handshake
    // then rejects).
    let answer = talk.byte("the answer to SSLRequest")?;
    match answer {
        b'S' => Ok(()),
        b'N' => {
            Err(talk
                .error("the server does not accept TLS connections: it answered 'N' to SSLRequest (ssl = off)".into()))
        }
        b'E' => Err(talk.error(
            "the server answered SSLRequest with an error message: it is older than PostgreSQL 7.0 or not PostgreSQL"
                .into(),
        )),
        other => Err(talk.error(format!(
            "the answer to SSLRequest is {:?}, not 'S' or 'N': not a PostgreSQL server",
            char::from(other)
        ))),
    }
}

/// An SMTP/FTP reply: its code and every line of it.
struct NumberedReply {
    code: u16,
    lines: Vec<String>,
}

impl NumberedReply {
    fn last(&self) -> String {
        shown(self.lines.last().map(String::as_str).unwrap_or_default())
    }
}

fn starts_with_ignore_case(line: &str, prefix: &str) -> bool {
    line.get(..prefix.len()).is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// A server's line as shown in messages: quoted, control characters escaped, bounded.
fn shown(line: &str) -> String {
    let bounded: String = line.chars().take(200).collect();
    format!("{bounded:?}")
}

struct Conversation<'a> {
    stream: &'a mut TcpStream,
    /// Bytes read but not yet consumed as lines.
    buffer: Vec<u8>,
    protocol: Starttls,
    deadline: Instant,
    budget: Duration,
}

impl Conversation<'_> {
    fn error(&self, detail: String) -> ProbeError {
        ProbeError::Starttls { protocol: self.protocol.display_name(), detail }
    }

    fn not_offered(&self, offered: bool, reply: &str) -> ProbeError {
        let detail = if offered {
            format!("the server advertises STARTTLS but refused it: {reply}")
        } else {
            format!("the server does not offer STARTTLS: it answered {reply}")
        };
        self.error(detail)
    }

    fn timeout(&self, waiting_for: &str) -> ProbeError {
        ProbeError::Timeout {
            waiting_for: format!("{waiting_for} from the {} server", self.protocol.display_name()).into(),
            after: self.budget,
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), ProbeError> {
        net::set_deadline(self.stream, self.deadline);
        self.stream.write_all(bytes).map_err(|err| match is_timeout(&err) {
            true => self.timeout("accepting our command"),
            false => self.error(format!("cannot send to the server: {err}")),
        })
    }

    fn send(&mut self, command: &str) -> Result<(), ProbeError> {
        self.write(format!("{command}\r\n").as_bytes())
    }

    /// Reads more bytes into the buffer, within the deadline.
    fn fill(&mut self, waiting_for: &str) -> Result<(), ProbeError> {
        let mut chunk = [0u8; 1024];
        loop {
            if self.deadline.saturating_duration_since(Instant::now()).is_zero() {
                return Err(self.timeout(waiting_for));
            }
            net::set_deadline(self.stream, self.deadline);
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    return Err(
                        self.error(format!("the server closed the connection while we waited for {waiting_for}"))
                    );
                }
                Ok(n) => {
                    self.buffer.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(err) if is_timeout(&err) => {
                    return Err(self.timeout(waiting_for));
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(self.error(format!("reading {waiting_for} failed: {err}"))),
            }
        }
    }

    fn byte(&mut self, waiting_for: &str) -> Result<u8, ProbeError> {
        if self.buffer.is_empty() {
            // One byte only, so nothing that follows it is taken from the TLS handshake.
            let mut one = [0u8; 1];
            loop {
                if self.deadline.saturating_duration_since(Instant::now()).is_zero() {
                    return Err(self.timeout(waiting_for));
                }
                net::set_deadline(self.stream, self.deadline);
                match self.stream.read(&mut one) {
                    Ok(0) => {
                        return Err(
                            self.error(format!("the server closed the connection instead of sending {waiting_for}"))
                        );
                    }
                    Ok(_) => return Ok(one[0]),
                    Err(err) if is_timeout(&err) => {
                        return Err(self.timeout(waiting_for));
                    }
                    Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(err) => return Err(self.error(format!("reading {waiting_for} failed: {err}"))),
                }
            }
        }
        Ok(self.buffer.remove(0))
    }

    /// One line without its CRLF (a bare LF is accepted too).
    fn line(&mut self, waiting_for: &str) -> Result<String, ProbeError> {
        loop {
            if let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
                let raw: Vec<u8> = self.buffer.drain(..=end).collect();
                let text = String::from_utf8_lossy(&raw);
                return Ok(text.trim_end_matches(['\r', '\n']).to_string());
            }
            if self.buffer.len() > MAX_LINE {
                let start = String::from_utf8_lossy(&self.buffer[..60]).into_owned();
                return Err(self.error(format!("{waiting_for} is not a line of text: {}", shown(&start))));
            }
            self.fill(waiting_for)?;
        }
    }

    /// An SMTP or FTP reply: `NNN-text` lines continue it, `NNN text` (or `NNN`) ends it.
    fn numbered_reply(&mut self, waiting_for: &str) -> Result<NumberedReply, ProbeError> {
        let mut lines = Vec::new();
        let mut code = None;
        loop {
            let line = self.line(waiting_for)?;
            let line_code =
                line.get(..3).filter(|c| c.bytes().all(|b| b.is_ascii_digit())).and_then(|c| c.parse::<u16>().ok());
            if code.is_none() {
                // The first line must carry a code; FTP allows free text between the first and
                // last lines of a multi-line reply.
                let Some(first) = line_code else {
                    let what = self.protocol.display_name();
                    return Err(self.error(format!("{waiting_for} is not an {what} reply: {}", shown(&line))));
                };
                code = Some(first);
            }
            let ends = line_code.is_some() && matches!(line.as_bytes().get(3), None | Some(b' '));
            lines.push(line);
            if ends {
                return Ok(NumberedReply { code: code.unwrap_or_default(), lines });
            }
            if lines.len() >= MAX_REPLY_LINES {
                return Err(self.error(format!("{waiting_for} goes on for more than {MAX_REPLY_LINES} lines")));
            }
        }
    }

    /// IMAP: untagged `*` lines, then our `.` tag's completion line.
    fn tagged_reply(&mut self, waiting_for: &str) -> Result<(Vec<String>, String), ProbeError> {
        let mut untagged = Vec::new();
        loop {
            let line = self.line(waiting_for)?;
            if line.starts_with(". ") {
                return Ok((untagged, line));
            }
            untagged.push(line);
            if untagged.len() >= MAX_REPLY_LINES {
                return Err(self.error(format!("{waiting_for} goes on for more than {MAX_REPLY_LINES} lines")));
            }
        }
    }

    /// Data after the go-ahead would be read by the TLS layer as if the server had sent it
    /// encrypted (the STARTTLS command-injection problem of RFC 3207 §4.2 / CVE-2011-0411).
    fn nothing_left_over(&self) -> Result<(), ProbeError> {
        if self.buffer.is_empty() {
            Ok(())
        } else {
            Err(self.error(format!(
                "the server sent {} more bytes after agreeing to start TLS; a client must not use them",
                self.buffer.len()
            )))
        }
    }
}
