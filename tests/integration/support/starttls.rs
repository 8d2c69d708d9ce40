//! The plain-text side of SMTP, IMAP, POP3 and FTP STARTTLS, as a lab server preamble: the
//! lab's real OpenSSL acceptor takes the socket once the responder has said "go ahead". Each
//! responder records the command lines it received, so tests can compare what mtlscheck sends
//! with what the real `openssl s_client -starttls` sends.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use mtlscheck::lab::Preamble;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Smtp,
    Imap,
    Pop3,
    Ftp,
}

impl Protocol {
    pub const ALL: [Protocol; 4] = [Protocol::Smtp, Protocol::Imap, Protocol::Pop3, Protocol::Ftp];

    /// The name for `starttls:` and `s_client -starttls`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Smtp => "smtp",
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
            Protocol::Ftp => "ftp",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Offers TLS and agrees to start it.
    Offers,
    /// Does not list it and refuses the command (what a server without TLS configured does).
    Refuses,
    /// SMTP only: agrees, and sends extra plain-text bytes with the go-ahead (the RFC 3207 §4.2
    /// injection case).
    InjectsAfterGoAhead,
}

/// What a responder received: one entry per command line, connection after connection.
pub type Received = Arc<Mutex<Vec<String>>>;

/// A preamble for `protocol` that records the commands it receives into `received`.
pub fn responder(protocol: Protocol, behaviour: Behaviour, received: Received) -> Preamble {
    Arc::new(move |stream: &mut TcpStream| {
        let mut talk = Talk { stream, received: received.clone() };
        let go = match protocol {
            Protocol::Smtp => smtp(&mut talk, behaviour)?,
            Protocol::Imap => imap(&mut talk, behaviour)?,
            Protocol::Pop3 => pop3(&mut talk, behaviour)?,
            Protocol::Ftp => ftp(&mut talk, behaviour)?,
        };
        if go { Ok(()) } else { Err(io::Error::other("TLS refused")) }
    })
}

struct Talk<'a> {
    stream: &'a mut TcpStream,
    received: Received,
}

impl Talk<'_> {
    fn send(&mut self, text: &str) -> io::Result<()> {
        self.stream.write_all(format!("{text}\r\n").as_bytes())
    }

    /// One command line, read byte by byte so the ClientHello that follows stays in the socket.
    fn command(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\n") {
            if self.stream.read(&mut byte)? == 0 || line.len() > 1024 {
                return Err(io::Error::other("client went away"));
            }
            line.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        if let Ok(mut received) = self.received.lock() {
            received.push(text.clone());
        }
        Ok(text)
    }
}

fn smtp(talk: &mut Talk<'_>, behaviour: Behaviour) -> io::Result<bool> {
    talk.send("220-mail.lab.test ESMTP lab responder\r\n220 mail.lab.test ready")?;
    loop {
        let command = talk.command()?;
        let verb = command.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" if behaviour == Behaviour::Refuses => {
                talk.send("250-mail.lab.test\r\n250-PIPELINING\r\n250 8BITMIME")?
            }
            "EHLO" => talk.send("250-mail.lab.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME")?,
            "STARTTLS" if behaviour == Behaviour::Refuses => {
                talk.send("502 5.5.1 Unrecognized command")?;
                return Ok(false);
            }
            "STARTTLS" => {
                // One write, so the extra bytes arrive with the go-ahead.
                let extra = if behaviour == Behaviour::InjectsAfterGoAhead { "\r\nINJECTED" } else { "" };
                talk.send(&format!("220 2.0.0 Ready to start TLS{extra}"))?;
                return Ok(true);
            }
            _ => talk.send("500 5.5.2 Error: command not recognized")?,
        }
    }
}

fn imap(talk: &mut Talk<'_>, behaviour: Behaviour) -> io::Result<bool> {
    let capabilities = if behaviour == Behaviour::Refuses {
        "IMAP4rev1 LITERAL+"
    } else {
        "IMAP4rev1 LITERAL+ STARTTLS LOGINDISABLED"
    };
    talk.send(&format!("* OK [CAPABILITY {capabilities}] lab IMAP ready"))?;
    loop {
        let command = talk.command()?;
        let (tag, verb) = command.split_once(' ').unwrap_or((command.as_str(), ""));
        match verb.to_ascii_uppercase().as_str() {
            "CAPABILITY" => talk.send(&format!("* CAPABILITY {capabilities}\r\n{tag} OK CAPABILITY completed"))?,
            "STARTTLS" if behaviour == Behaviour::Refuses => {
                talk.send(&format!("{tag} BAD Unknown command"))?;
                return Ok(false);
            }
            "STARTTLS" => {
                talk.send(&format!("{tag} OK Begin TLS negotiation now"))?;
                return Ok(true);
            }
            _ => talk.send(&format!("{tag} BAD Unknown command"))?,
        }
    }
}

fn pop3(talk: &mut Talk<'_>, behaviour: Behaviour) -> io::Result<bool> {
    talk.send("+OK lab POP3 ready")?;
    loop {
        match talk.command()?.to_ascii_uppercase().as_str() {
            "STLS" if behaviour == Behaviour::Refuses => {
                talk.send("-ERR Unknown command: STLS")?;
                return Ok(false);
            }
            "STLS" => {
                talk.send("+OK Begin TLS negotiation")?;
                return Ok(true);
            }
            _ => talk.send("-ERR Unknown command")?,
        }
    }
}

fn ftp(talk: &mut Talk<'_>, behaviour: Behaviour) -> io::Result<bool> {
    talk.send("220-lab FTP responder\r\n220 ready")?;
    loop {
        match talk.command()?.to_ascii_uppercase().as_str() {
            "AUTH TLS" if behaviour == Behaviour::Refuses => {
                talk.send("500 AUTH not understood")?;
                return Ok(false);
            }
            "AUTH TLS" => {
                talk.send("234 AUTH TLS successful")?;
                return Ok(true);
            }
            _ => talk.send("500 Unknown command")?,
        }
    }
}
