//! Real web servers for the origin tests: finding them, saying when one is missing, and
//! running nginx on a free port with a configuration of the test's own.

use std::fs;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Says on the terminal, past the test harness's capture, that a check did not run.
pub fn skip(test: &str, reason: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {reason}");
}

/// A server's binary, where Debian or another distribution puts it.
pub fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        path.split(':')
            .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"])
            .map(|dir| Path::new(dir).join(name))
            .find(|p| p.is_file())
    })
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A whole nginx configuration around one `server { ... }` block, with every path nginx
/// writes inside `dir`, so that it runs without root and leaves nothing behind.
pub fn nginx_config(dir: &Path, server_block: &str) -> String {
    let d = dir.display();
    format!(
        "master_process off;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\nhttp {{\n  access_log off;\n  \
         client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  \
         scgi_temp_path {d}/scgi;\n{server_block}\n}}\n"
    )
}

/// The arguments that point nginx at `dir/nginx.conf`.
pub fn nginx_args(dir: &Path) -> Vec<String> {
    let d = dir.display();
    vec![
        "-p".into(),
        format!("{d}/"),
        "-c".into(),
        format!("{d}/nginx.conf"),
        "-e".into(),
        format!("{d}/error.log"),
    ]
}

/// A running nginx, stopped when dropped.
pub struct Nginx {
    child: Child,
    pub addr: SocketAddr,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nginx {
    /// Writes `dir/nginx.conf` around `server_block` (which must listen on `addr`), starts
    /// nginx and waits until it accepts connections.
    pub fn start(binary: &Path, dir: &Path, addr: SocketAddr, server_block: &str) -> Self {
        fs::write(dir.join("nginx.conf"), nginx_config(dir, server_block)).unwrap();
        let child = Command::new(binary)
            .args(nginx_args(dir))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut nginx = Self { child, addr };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                panic!(
                    "nginx exited ({status}):\n{}",
                    fs::read_to_string(dir.join("error.log")).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not listen within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }
}
