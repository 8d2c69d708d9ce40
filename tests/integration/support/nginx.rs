//! nginx with a private config in the test's folder, on 127.0.0.1 only.

use std::process::Command;

use super::TestPki;
use super::process::{ServerProcess, free_port};

/// nginx's `ssl_verify_client` modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NginxVerify {
    Off,
    On,
    Optional,
    /// Asks without CA names and does not verify (`ssl_trusted_certificate` only).
    OptionalNoCa,
}

pub struct Nginx {
    pub port: u16,
    pub process: ServerProcess,
}

impl Nginx {
    pub fn start(pki: &TestPki, verify: NginxVerify, protocols: &str) -> Nginx {
        Self::start_trusting(pki, verify, protocols, "client-ca.pem")
    }

    /// Like [`Nginx::start`], trusting (and naming) the client CAs in `ca_file` of the PKI's folder.
    pub fn start_trusting(pki: &TestPki, verify: NginxVerify, protocols: &str, ca_file: &str) -> Nginx {
        let dir = pki.dir.path().join(format!("nginx-{}", free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let d = dir.display();
        let ca = pki.path(ca_file);
        let ca = ca.display();
        let client_auth = match verify {
            NginxVerify::Off => String::new(),
            NginxVerify::On => format!("ssl_verify_client on;\n    ssl_client_certificate {ca};"),
            NginxVerify::Optional => format!("ssl_verify_client optional;\n    ssl_client_certificate {ca};"),
            NginxVerify::OptionalNoCa => {
                format!("ssl_verify_client optional_no_ca;\n    ssl_trusted_certificate {ca};")
            }
        };
        let config = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
             server {{\n    listen 127.0.0.1:{port} ssl;\n    ssl_certificate {server};\n    ssl_certificate_key {key};\n    \
             ssl_protocols {protocols};\n    {client_auth}\n    location / {{ return 200 \"ok\\n\"; }}\n  }}\n}}\n",
            server = pki.path("server.pem").display(),
            key = pki.path("server.key").display(),
        );
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, config).unwrap();
        let mut command = Command::new("nginx");
        command.arg("-p").arg(&dir).arg("-c").arg(&conf).arg("-e").arg(dir.join("error.log"));
        let process = ServerProcess::spawn("nginx", command, port, Some(dir.join("error.log")));
        Nginx { port, process }
    }
}
