//! Issue 16 from outside: profiles, a token from a command, JSON errors, completion and
//! the man page, through the real binary against simulators started here.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{TOKEN, bare};
use originpull::sim::{SimConfig, Simulator};

const TOKEN_B: &str = "token-from-a-password-manager-42";

async fn sim_with(token: &str, zones: usize) -> Simulator {
    let mut config = SimConfig::demo(token);
    config.zones = Some(zones);
    Simulator::start(config).await.expect("simulator starts")
}

/// A home of its own, with a config file of two profiles (and a third limited to an
/// account that is not the simulator's).
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(a: &Simulator, b: &Simulator) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join(".config/originpull/config.toml");
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        std::fs::write(
            &config,
            format!(
                "[profiles.a]\napi_token = \"{TOKEN}\"\nbase_url = \"{}\"\n\
                 [profiles.b]\napi_token_command = \"printf '%s\\\\n' {TOKEN_B}\"\nbase_url = \"{}\"\n\
                 [profiles.elsewhere]\napi_token = \"{TOKEN}\"\nbase_url = \"{}\"\naccount_id = \"{}\"\n",
                a.base_url(),
                b.base_url(),
                a.base_url(),
                "0".repeat(32),
            ),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = bare(args, env);
        cmd.env("HOME", self.path())
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    }

    async fn ok(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run(args, env).await;
        assert!(
            out.status.success(),
            "originpull {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn names(zones: &serde_json::Value) -> Vec<String> {
    zones
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_profiles_show_two_accounts_and_each_keeps_its_own_cache() {
    let (a, b) = (sim_with(TOKEN, 3).await, sim_with(TOKEN_B, 40).await);
    let home = Home::new(&a, &b);

    let zones_a = json(&home.ok(&["--profile", "a", "zones", "--json"], &[]).await);
    let zones_b = json(
        &home
            .ok(&["zones", "--json"], &[("ORIGINPULL_PROFILE", "b")])
            .await,
    );
    assert_eq!(names(&zones_a).len(), 3);
    assert_eq!(names(&zones_b).len(), 40);
    // Every record names the profile it came from.
    assert!(
        zones_a
            .as_array()
            .unwrap()
            .iter()
            .all(|z| z["profile"] == "a")
    );
    assert!(
        zones_b
            .as_array()
            .unwrap()
            .iter()
            .all(|z| z["profile"] == "b")
    );
    // account_id limits the listing: the simulator's zones are all in another account.
    let none = json(
        &home
            .ok(&["--profile", "elsewhere", "zones", "--json"], &[])
            .await,
    );
    assert_eq!(names(&none).len(), 0);

    let cache = |p: &str| home.path().join(".cache/originpull/profiles").join(p);
    let files = |dir: PathBuf| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert!(files(cache("a")).iter().all(|f| f.starts_with("zones-")));
    assert_eq!(files(cache("b")).len(), 1);

    // An object output names the profile too.
    let zone = &names(&zones_b)[0];
    let status = json(
        &home
            .ok(&["--profile", "b", "status", zone, "--json"], &[])
            .await,
    );
    assert_eq!(status["profile"], "b");
    assert!(status["enabled"].is_boolean());
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_from_a_command_works_and_is_never_printed_even_at_trace() {
    let (a, b) = (sim_with(TOKEN, 3).await, sim_with(TOKEN_B, 5).await);
    let home = Home::new(&a, &b);
    let log = home.path().join("trace.log");
    let log_arg = log.to_str().unwrap();
    let args = [
        "--profile",
        "b",
        "--log-level",
        "trace",
        "--log-file",
        log_arg,
        "zones",
        "--json",
    ];
    let out = home.run(&args, &[]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(names(&json(&String::from_utf8_lossy(&out.stdout))).len(), 5);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("GET"), "the log is on: {logged}");
    for (what, text) in [
        ("stdout", String::from_utf8_lossy(&out.stdout).into_owned()),
        ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
        ("log", logged),
    ] {
        assert!(!text.contains(TOKEN_B), "the token is in {what}");
    }
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_token_command_names_the_program_and_not_its_output() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        "[profiles.x]\napi_token_command = \"sh -c 'echo leaked-secret; exit 2'\"\n",
    )
    .unwrap();
    let path = config.to_str().unwrap();
    let home_path = home.path().to_str().unwrap();
    let env = [("HOME", home_path), ("ORIGINPULL_CONFIG", path)];
    let out = bare(&["--profile", "x", "zones"], &env).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("api_token_command of profile x (`sh`)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("leaked-secret") && !stderr.contains("echo"),
        "{stderr}"
    );

    // The demo uses no account: the command is not run at all.
    let out = bare(&["--profile", "x", "new-cert", "--help"], &env)
        .output()
        .unwrap();
    assert!(out.status.success());

    // Under --json the error is JSON on stderr.
    let out = bare(&["--profile", "x", "zones", "--json"], &env)
        .output()
        .unwrap();
    let error = json(String::from_utf8_lossy(&out.stderr).trim());
    assert_eq!(error["error"]["code"], "config", "{error}");
    assert!(error["error"]["message"].as_str().unwrap().contains("`sh`"));
    assert!(out.stdout.is_empty());

    let out = bare(&["--profile", "nope", "zones"], &env)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the profiles are: x"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_errors_carry_a_code_the_message_and_the_hint() {
    let a = sim_with(TOKEN, 3).await;
    let home = tempfile::tempdir().unwrap();
    let base = a.base_url();
    let home_path = home.path().to_str().unwrap();
    let env = [
        ("HOME", home_path),
        ("CLOUDFLARE_BASE_URL", base.as_str()),
        ("CLOUDFLARE_API_TOKEN", "wrong-token"),
    ];
    let out = bare(&["certs", "shop.example", "--json"], &env)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let error = json(String::from_utf8_lossy(&out.stderr).trim());
    let error = &error["error"];
    assert!(
        matches!(error["code"].as_str(), Some("unauthorized" | "forbidden")),
        "{error}"
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("Cloudflare error")
    );
    assert!(error["hint"].as_str().unwrap().contains("API token"));
    assert!(!error["cloudflare_codes"].as_array().unwrap().is_empty());

    // Without --json, the same error is for people.
    let out = bare(&["certs", "shop.example"], &env).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("originpull: error: "), "{stderr}");

    let env = [
        ("HOME", home_path),
        ("CLOUDFLARE_API_TOKEN", TOKEN),
        ("CLOUDFLARE_BASE_URL", base.as_str()),
    ];
    let out = bare(&["certs", "nosuch.example", "--json"], &env)
        .output()
        .unwrap();
    let error = json(String::from_utf8_lossy(&out.stderr).trim());
    assert_eq!(error["error"]["code"], "zone_not_found", "{error}");
    a.shutdown().await;
}

/// Completes the last of `words` the way bash does on TAB, with the script
/// `originpull completions bash` printed.
fn bash_complete(home: &Path, words: &[&str]) -> Vec<String> {
    let script = bare(&["completions", "bash"], &[]).output().unwrap();
    assert!(script.status.success());
    let script_path = home.join("originpull.bash");
    std::fs::write(&script_path, &script.stdout).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source {}\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_TYPE=9\n\
         _clap_complete_originpull originpull '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script_path.display(),
        quoted.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(program)
        .env_clear()
        .env("HOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bash_completes_cached_zone_names_without_a_call() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = bare(&["completions", shell], &[]).output().unwrap();
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
    let script = bare(&["completions", "bash"], &[]).output().unwrap();
    let check = std::process::Command::new("bash")
        .args(["-n", "/dev/stdin"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(&script.stdout)?;
            child.wait()
        })
        .unwrap();
    assert!(check.success(), "bash -n rejects the script");

    let (a, b) = (sim_with(TOKEN, 3).await, sim_with(TOKEN_B, 40).await);
    let home = Home::new(&a, &b);
    home.ok(&["--profile", "a", "zones"], &[]).await;
    let zones_b = json(&home.ok(&["--profile", "b", "zones", "--json"], &[]).await);
    let mut expected: Vec<String> = names(&zones_b)
        .into_iter()
        .filter(|n| n.starts_with("sh"))
        .collect();
    expected.sort();
    assert!(expected.len() >= 2, "the demo has shop zones: {expected:?}");
    // The simulators are gone: whatever completes comes from the caches.
    a.shutdown().await;
    b.shutdown().await;

    let mut offered = bash_complete(
        home.path(),
        &["originpull", "--profile", "b", "certs", "sh"],
    );
    offered.sort();
    assert_eq!(offered, expected, "profile b's zones starting with sh");
    // An empty word: profile a's three zones (and the flags).
    let offered = bash_complete(home.path(), &["originpull", "--profile", "a", "status", ""]);
    let zones: Vec<&String> = offered.iter().filter(|w| !w.starts_with('-')).collect();
    assert_eq!(zones.len(), 3, "{offered:?}");
    // Subcommands and flags complete too.
    let offered = bash_complete(home.path(), &["originpull", "hostn"]);
    assert_eq!(offered, ["hostnames"]);
}

#[test]
fn the_man_page_covers_every_subcommand_and_renders() {
    let out = bare(&["man"], &[]).output().unwrap();
    assert!(out.status.success());
    let roff = String::from_utf8(out.stdout).unwrap();
    assert!(
        roff.starts_with(".ie ") || roff.contains(".TH originpull"),
        "{}",
        &roff[..200]
    );
    use clap::CommandFactory;
    let cli = originpull::cli::Cli::command();
    for sub in cli.get_subcommands().filter(|s| s.get_name() != "help") {
        assert!(
            roff.contains(&format!(".SS \"originpull {}\"", sub.get_name()))
                || roff.contains(&format!(".SS originpull {}", sub.get_name())),
            "no section for {}",
            sub.get_name()
        );
    }
    assert!(roff.contains("originpull hostnames set"));
    if std::process::Command::new("man")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED rendering: no man here (tests/servers/install.sh installs man-db)");
        return;
    }
    let mut child = std::process::Command::new("man")
        .args(["-l", "-"])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(roff.as_bytes())
            .unwrap();
    }
    let rendered = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&rendered.stdout);
    let warnings = String::from_utf8_lossy(&rendered.stderr);
    assert!(rendered.status.success(), "{warnings}");
    assert!(warnings.trim().is_empty(), "man warns: {warnings}");
    assert!(
        text.contains("COMMANDS IN DETAIL") && text.contains("api_token_command"),
        "{text}"
    );
}
