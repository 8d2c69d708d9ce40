//! Apache httpd with mod_ssl and a private config in the test's folder, on 127.0.0.1 only.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use super::TestPki;
use super::process::{ServerProcess, free_port};

/// Where `SSLVerifyClient require|optional` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApacheVerify {
    VhostRequire,
    VhostOptional,
    /// No client auth on the vhost; `SSLVerifyClient require` inside `<Location /secure>`, which
    /// Apache enforces by TLS 1.2 renegotiation or TLS 1.3 post-handshake authentication.
    LocationRequire,
}

pub struct Apache {
    pub port: u16,
    pub process: ServerProcess,
}

const MODULES: &str = "/usr/lib/apache2/modules";

impl Apache {
    /// `protocol` is mod_ssl's name: `TLSv1.2` or `TLSv1.3`.
    pub fn start(pki: &TestPki, verify: ApacheVerify, protocol: &str) -> Apache {
        let port = free_port();
        let dir = pki.dir.path().join(format!("apache-{port}"));
        std::fs::create_dir_all(dir.join("htdocs/secure")).unwrap();
        std::fs::write(dir.join("htdocs/index.html"), "ok\n").unwrap();
        std::fs::write(dir.join("htdocs/secure/index.html"), "secret\n").unwrap();
        // Apache serves files as `nobody` after dropping root: the folders must be readable.
        for path in [pki.dir.path().to_path_buf(), dir.clone(), dir.join("htdocs"), dir.join("htdocs/secure")] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        for file in ["htdocs/index.html", "htdocs/secure/index.html"] {
            std::fs::set_permissions(dir.join(file), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let d = dir.display();
        let verify_lines = match verify {
            ApacheVerify::VhostRequire => "SSLVerifyClient require\n  SSLVerifyDepth 3".to_string(),
            ApacheVerify::VhostOptional => "SSLVerifyClient optional\n  SSLVerifyDepth 3".to_string(),
            ApacheVerify::LocationRequire => {
                "SSLVerifyClient none\n  <Location /secure>\n    SSLVerifyClient require\n    SSLVerifyDepth 3\n  </Location>"
                    .to_string()
            }
        };
        let config = format!(
            "ServerRoot {d}\nListen 127.0.0.1:{port}\nPidFile {d}/httpd.pid\nDefaultRuntimeDir {d}\n\
             ErrorLog {d}/error.log\nLogLevel info ssl:debug\n\
             LoadModule mpm_event_module {MODULES}/mod_mpm_event.so\n\
             LoadModule authz_core_module {MODULES}/mod_authz_core.so\n\
             LoadModule socache_shmcb_module {MODULES}/mod_socache_shmcb.so\n\
             LoadModule ssl_module {MODULES}/mod_ssl.so\n\
             LoadModule mime_module {MODULES}/mod_mime.so\nTypesConfig /dev/null\n\
             LoadModule dir_module {MODULES}/mod_dir.so\n\
             User nobody\nGroup nogroup\nServerName localhost\nDocumentRoot {d}/htdocs\nDirectoryIndex index.html\n\
             Mutex file:{d} default\nSSLSessionCache shmcb:{d}/scache(512000)\n\
             <VirtualHost 127.0.0.1:{port}>\n  SSLEngine on\n  SSLCertificateFile {server}\n  \
             SSLCertificateKeyFile {key}\n  SSLCACertificateFile {ca}\n  SSLProtocol -all +{protocol}\n  \
             {verify_lines}\n</VirtualHost>\n",
            server = pki.path("server.pem").display(),
            key = pki.path("server.key").display(),
            ca = pki.path("client-ca.pem").display(),
        );
        let conf = dir.join("httpd.conf");
        std::fs::write(&conf, config).unwrap();
        let mut command = Command::new("apache2");
        command.arg("-f").arg(&conf).arg("-DFOREGROUND");
        let process = ServerProcess::spawn("apache2", command, port, Some(dir.join("error.log")));
        Apache { port, process }
    }
}
