//! The README's "Try the CLI without an account" examples, run verbatim with the real
//! binary against the demo simulator: a reader who copies them must get an answer.

mod common;

use std::process::Output;

use clap::Parser;
use common::TOKEN;
use originpull::cli::{Cli, Command};
use originpull::sim::{SimConfig, Simulator};

const SECTION: &str = "## Try the CLI without an account";
const WALKTHROUGH: &str = "## Set up AOP on an origin, end to end";

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable")
}

/// A section's text, from its heading to the next `## ` heading.
fn section<'a>(readme: &'a str, heading: &str) -> &'a str {
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README.md has no {heading:?} section"));
    let body = &readme[start + 1..];
    let end = body[heading.len()..]
        .find("\n## ")
        .map_or(body.len(), |i| heading.len() + i);
    &body[..end]
}

/// Every `$ …` line inside the section's fenced code blocks.
fn shell_lines(section: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in section.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if fenced && let Some(command) = line.trim().strip_prefix("$ ") {
            out.push(command);
        }
    }
    out
}

/// Every `$ originpull …` line inside the section's fenced code blocks.
fn commands(section: &str) -> Vec<&str> {
    shell_lines(section)
        .into_iter()
        .filter(|c| c.starts_with("originpull "))
        .collect()
}

/// The section's fenced block of the given language.
fn fenced(section: &str, language: &str) -> String {
    let open = format!("```{language}\n");
    let start = section
        .find(&open)
        .unwrap_or_else(|| panic!("no ```{language} block"));
    let body = &section[start + open.len()..];
    let end = body.find("```").unwrap();
    body[..end].to_owned()
}

/// Splits a command line into words as a shell would, quotes and backslashes included,
/// but without expansion: anything that would make the shell do more than run one
/// command is refused, so an example this test cannot run as written fails it.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_default();
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => panic!("unterminated quote in {line:?}"),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_default();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => w.extend(chars.next()),
                        Some('$' | '`') => panic!("expansion in {line:?}"),
                        Some(c) => w.push(c),
                        None => panic!("unterminated quote in {line:?}"),
                    }
                }
            }
            '\\' => word.get_or_insert_default().extend(chars.next()),
            '$' | '`' | '|' | '&' | ';' | '<' | '>' | '(' | ')' | '*' | '?' | '~' | '#' => {
                panic!("{c:?} in {line:?}: the shell would do more than run one command")
            }
            c => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    words
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(
        words(r#"originpull  show 'a b' "c \"d\"" e\ f"#),
        ["originpull", "show", "a b", "c \"d\"", "e f"]
    );
}

#[test]
#[should_panic(expected = "would do more than run one command")]
fn words_refuse_a_pipeline() {
    words("originpull zones --json | jq .");
}

async fn run(base_url: &str, args: Vec<String>) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    common::run_binary(base_url, Some(TOKEN), &args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_the_cli_examples_work_verbatim() {
    let readme = readme();
    let sim = Simulator::start(SimConfig::demo(TOKEN))
        .await
        .expect("simulator starts");

    let mut ran = 0;
    for line in commands(section(&readme, SECTION)) {
        let argv = words(line);
        let parsed = Cli::try_parse_from(&argv)
            .unwrap_or_else(|e| panic!("README example {line:?} does not parse: {e}"));
        // The simulator the other examples run against: this test has started its own.
        if let Some(Command::Sim { .. }) = parsed.command {
            continue;
        }
        let out = run(&sim.base_url(), argv[1..].to_vec()).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "README example {line:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !stdout.trim().is_empty(),
            "README example {line:?} printed nothing"
        );
        ran += 1;
    }
    assert!(
        ran >= 3,
        "only {ran} runnable examples found in README.md's {SECTION:?} section"
    );
    sim.shutdown().await;
}

/// The end-to-end walkthrough, as written: every command of it run in a fresh directory,
/// against the simulator and (where installed) a real nginx configured with the
/// section's own server block. Only the port and the directory differ from the text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_origin_walkthrough_works_as_written() {
    use common::servers::{Nginx, find, free_port, skip};
    use std::net::SocketAddr;

    const TOKEN: &str = "demo";
    let readme = readme();
    let text = section(&readme, WALKTHROUGH);
    let sim = Simulator::start(SimConfig::demo(TOKEN)).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let nginx = find(&["nginx"]);
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut server = None;
    let mut verified = false;
    for line in shell_lines(text) {
        // `command > file`: the one redirection the walkthrough uses.
        let (command, into) = match line.split_once(" > ") {
            Some((command, file)) => (command, Some(work.path().join(file.trim()))),
            None => (line, None),
        };
        let mut argv = words(command);
        if argv[0] == "openssl" {
            let out = std::process::Command::new("openssl")
                .args(&argv[1..])
                .current_dir(work.path())
                .output();
            match out {
                Ok(out) => assert!(
                    out.status.success(),
                    "{line}: {}",
                    String::from_utf8_lossy(&out.stderr)
                ),
                Err(_) => {
                    // No openssl here: the same self-signed certificate, made in the test.
                    let (cert, key) = common::test_origin::server_identity();
                    std::fs::write(work.path().join("aop/origin.pem"), cert).unwrap();
                    std::fs::write(work.path().join("aop/origin.key"), key).unwrap();
                }
            }
            continue;
        }
        assert_eq!(
            argv[0], "originpull",
            "{line}: a command this test cannot run"
        );
        let parsed = Cli::try_parse_from(&argv)
            .unwrap_or_else(|e| panic!("README example {line:?} does not parse: {e}"));
        match parsed.command {
            Some(Command::Sim { .. }) => continue,
            Some(Command::Rotate(_)) => match &nginx {
                Some(_) => {
                    for word in &mut argv {
                        *word = word.replace("127.0.0.1:8443", &addr.to_string());
                    }
                }
                None => {
                    // No origin to check against: the rotation goes ahead unchecked.
                    skip(
                        "the_origin_walkthrough_works_as_written (rotate --origin)",
                        "nginx is not installed",
                    );
                    let at = argv.iter().position(|w| w == "--origin").unwrap();
                    argv.drain(at..at + 2);
                }
            },
            Some(Command::VerifyOrigin(_)) => {
                // The origin of step 3: nginx with the section's server block.
                let Some(binary) = &nginx else {
                    skip(
                        "the_origin_walkthrough_works_as_written (verify-origin)",
                        "nginx is not installed",
                    );
                    continue;
                };
                let aop = work.path().join("aop").display().to_string();
                let block = fenced(text, "nginx")
                    .replace("/home/you/aop", &aop)
                    .replace("127.0.0.1:8443", &addr.to_string());
                server = Some(Nginx::start(binary, work.path(), addr, &block));
                for word in &mut argv {
                    *word = word.replace("127.0.0.1:8443", &addr.to_string());
                }
            }
            _ => {}
        }
        let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
        let mut cmd = common::bare(
            &args,
            &[
                ("CLOUDFLARE_BASE_URL", sim.base_url().as_str()),
                ("CLOUDFLARE_API_TOKEN", TOKEN),
                ("HOME", work.path().to_str().unwrap()),
            ],
        );
        cmd.current_dir(work.path());
        let out = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "README step {line:?} failed ({}): {}{stdout}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(file) = into {
            std::fs::write(file, &out.stdout).unwrap();
        }
        if stdout.contains("✓ required and accepted") {
            verified = true;
        }
    }
    drop(server);
    if nginx.is_some() {
        assert!(
            verified,
            "verify-origin did not find nginx requiring and accepting"
        );
    }
    let zone = sim.control().zone_id("shop.example").unwrap();
    let next = std::fs::read_to_string(work.path().join("aop-next/client.pem")).unwrap();
    let active: Vec<_> = sim
        .control()
        .certificates(&zone)
        .into_iter()
        .filter(|c| c.status == Some(originpull::api::CertStatus::Active))
        .collect();
    assert_eq!(active.len(), 1, "{active:?}");
    assert_eq!(
        active[0].certificate.as_deref(),
        Some(next.as_str()),
        "the walkthrough's rotation left the next certificate the one active"
    );
    let posts: Vec<_> = sim
        .control()
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 2, "step 5's upload and step 6's");
    assert_eq!(sim.control().enabled(&zone), Some(true));
    sim.shutdown().await;
}
