//! The real binary in a pseudo-terminal: start the demo, open a zone, toggle, delete
//! with confirmation, quit, and check the terminal was given back.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_originpull"));
        cmd.args(args);
        cmd.env_clear();
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", std::env::temp_dir());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(40).unwrap(),
            NonZeroU16::new(120).unwrap(),
            0,
        )));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let sink = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        // The master must outlive the child, or the child's terminal goes away.
        std::mem::forget(pty.master);
        Self {
            parser,
            writer,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`; never a fixed sleep.
    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "timed out waiting for {text:?}; the screen:\n{}",
            self.screen()
        );
    }

    fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the app did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn demo_open_toggle_delete_and_quit() {
    let mut s = Session::start(&["--demo"], &[]);
    s.wait_for("shop.example");
    // Filter to the zone mid-rotation, open it.
    s.keys("/shop-eu");
    s.wait_for("/shop-eu");
    s.keys("\r\r");
    s.wait_for("2 certificates active");
    s.wait_for("Enabled");

    s.keys("e");
    s.wait_for("Disabled");
    s.keys("e");
    s.wait_for("Enabled");

    s.keys("d");
    s.wait_for("Delete certificate?");
    s.keys("n");
    s.wait_for("nothing was sent");
    s.keys("d");
    s.wait_for("Delete certificate?");
    s.keys("y");
    s.wait_for("pending_deletion");

    {
        let parser = s.parser.lock().unwrap();
        assert!(
            parser.screen().alternate_screen(),
            "the TUI runs in the alternate screen"
        );
    }
    s.keys("q");
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}");
    // Give the reader thread a moment to take the last bytes: wait on the condition.
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.parser.lock().unwrap().screen().alternate_screen() {
        assert!(
            Instant::now() < deadline,
            "the alternate screen was not left"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn without_credentials_a_screen_explains_what_to_do() {
    let mut s = Session::start(&[], &[]);
    s.wait_for("CLOUDFLARE_API_TOKEN");
    s.wait_for("--demo");
    s.keys("q");
    assert!(s.wait_exit().success());
}
