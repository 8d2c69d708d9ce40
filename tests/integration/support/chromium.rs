//! Debian's headless Chromium driven over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`: NUL-separated JSON, commands on its fd 3, answers on its fd 4),
//! started in its own empty network namespace (`unshare --net`) so a page cannot reach any
//! network, and stopped by its PID. Every wait is bounded.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long one DevTools command or event may take.
const WAIT: Duration = Duration::from_secs(30);

/// The flags that let Chromium run here as root, headless, and quiet on a closed network.
const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
];

pub struct Chromium {
    child: Child,
    commands: std::io::PipeWriter,
    answers: Receiver<Value>,
    next_id: u64,
    /// The attached page's session.
    session: Option<String>,
    /// The viewport's width in CSS pixels.
    width: u32,
    /// Every event received so far, in order.
    pub events: Vec<Value>,
    _profile: tempfile::TempDir,
}

/// Makes `commands` and `answers` the child's descriptors 3 and 4 (dup2 clears
/// close-on-exec), after moving both above 10 so that neither overwrites the other.
fn place_fds(commands: i32, answers: i32) -> std::io::Result<()> {
    // SAFETY: plain descriptor calls in the forked child before exec; async-signal-safe.
    let moved = unsafe { [libc::fcntl(commands, libc::F_DUPFD, 10), libc::fcntl(answers, libc::F_DUPFD, 10)] };
    if moved.contains(&-1) || unsafe { libc::dup2(moved[0], 3) < 0 || libc::dup2(moved[1], 4) < 0 } {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

impl Chromium {
    /// Starts Chromium with a fresh profile and attaches to its first page.
    pub fn launch() -> Chromium {
        let profile = tempfile::Builder::new().prefix("mtlscheck-chromium-").tempdir().expect("temp dir");
        let (to_browser_read, to_browser_write) = std::io::pipe().expect("pipe");
        let (from_browser_read, from_browser_write) = std::io::pipe().expect("pipe");
        let (command_fd, answer_fd) = (to_browser_read.as_raw_fd(), from_browser_write.as_raw_fd());
        let mut command = Command::new("unshare");
        command
            .args(["--net", "chromium"])
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only async-signal-safe descriptor calls between fork and exec.
        unsafe {
            command.pre_exec(move || place_fds(command_fd, answer_fd));
        }
        let child = command.spawn().expect("chromium and unshare must be installed (.ci/run installs them)");
        drop((to_browser_read, from_browser_write));
        let (sender, answers) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(from_browser_read);
            let mut message = Vec::new();
            while reader.read_until(0, &mut message).map(|n| n > 0).unwrap_or(false) {
                message.pop_if(|b| *b == 0);
                if let Ok(value) = serde_json::from_slice::<Value>(&message)
                    && sender.send(value).is_err()
                {
                    return;
                }
                message.clear();
            }
        });
        let mut browser = Chromium {
            child,
            commands: to_browser_write,
            answers,
            next_id: 0,
            session: None,
            width: 800,
            events: Vec::new(),
            _profile: profile,
        };
        browser.attach_to_page();
        browser
    }

    fn attach_to_page(&mut self) {
        let deadline = Instant::now() + WAIT;
        let target = loop {
            let targets = self.browser_call("Target.getTargets", json!({}));
            let page = targets["targetInfos"].as_array().and_then(|t| t.iter().find(|t| t["type"] == "page")).cloned();
            match page {
                Some(page) => break page["targetId"].clone(),
                None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
                None => panic!("Chromium opened no page within {WAIT:?}"),
            }
        };
        let attached = self.browser_call("Target.attachToTarget", json!({"targetId": target, "flatten": true}));
        self.session = Some(attached["sessionId"].as_str().expect("a session id").to_string());
        for domain in ["Page", "Network", "Runtime", "Log"] {
            self.call(&format!("{domain}.enable"), json!({}));
        }
    }

    fn send(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).expect("JSON");
        bytes.push(0);
        self.commands.write_all(&bytes).unwrap_or_else(|err| panic!("Chromium closed its pipe ({err})"));
        let deadline = Instant::now() + WAIT;
        loop {
            let message = self.next_message(deadline, method);
            if message["id"] == id {
                if let Some(error) = message.get("error") {
                    panic!("DevTools {method} failed: {error}");
                }
                return message["result"].clone();
            }
            self.events.push(message);
        }
    }

    fn next_message(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        match self.answers.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!("Chromium did not answer {waiting_for} within {WAIT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("Chromium exited while waiting for {waiting_for}"),
        }
    }

    fn browser_call(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None)
    }

    /// A DevTools command to the page; its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, session)
    }

    /// Waits for the page event `method` (counting those already received after `from`).
    pub fn wait_for_event(&mut self, method: &str, from: usize) -> Value {
        if let Some(event) = self.events[from..].iter().find(|e| e["method"] == method) {
            return event.clone();
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let message = self.next_message(deadline, method);
            self.events.push(message.clone());
            if message["method"] == method {
                return message;
            }
        }
    }

    /// Sets the viewport (a phone's when narrow) and loads `url`, returning once its load
    /// event fired.
    pub fn open(&mut self, url: &str, width: u32, height: u32) {
        self.set_viewport(width, height);
        let from = self.events.len();
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for_event("Page.loadEventFired", from);
    }

    pub fn set_viewport(&mut self, width: u32, height: u32) {
        let mobile = width < 600;
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
        // A scrollbar would take its width off the page in the screenshots.
        self.call("Emulation.setScrollbarsHidden", json!({"hidden": true}));
        self.width = width;
    }

    /// Evaluates `expression` in the page (after its scripts ran); its value as JSON. A
    /// JavaScript exception fails the test.
    pub fn eval(&mut self, expression: &str) -> Value {
        let answer = self
            .call("Runtime.evaluate", json!({"expression": expression, "returnByValue": true, "awaitPromise": true}));
        if let Some(exception) = answer.get("exceptionDetails") {
            panic!("{expression} threw: {exception:#}");
        }
        answer["result"]["value"].clone()
    }

    /// A PNG of the whole page's height (not only the viewport) at the viewport's width.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let metrics = self.call("Page.getLayoutMetrics", json!({}));
        let height = &metrics["cssContentSize"]["height"];
        let clip = json!({"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1});
        let shot =
            self.call("Page.captureScreenshot", json!({"format": "png", "captureBeyondViewport": true, "clip": clip}));
        openssl::base64::decode_block(shot["data"].as_str().expect("screenshot data")).expect("base64 PNG")
    }

    /// The events named `method` received so far.
    pub fn events_named(&self, method: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["method"] == method).collect()
    }

    fn stop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.commands.write_all(b"{\"id\":0,\"method\":\"Browser.close\"}\0");
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.stop();
    }
}
