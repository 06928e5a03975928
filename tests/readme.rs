//! The README's "Try the CLI without an account" examples, run verbatim with the real
//! binary against the demo simulator: a reader who copies them must get an answer.

mod common;

use std::process::Output;

use clap::Parser;
use common::TOKEN;
use originpull::cli::{Cli, Command};
use originpull::sim::{SimConfig, Simulator};

const SECTION: &str = "## Try the CLI without an account";

/// The section's text, from its heading to the next `## ` heading.
fn section(readme: &str) -> &str {
    let start = readme
        .find(&format!("\n{SECTION}\n"))
        .unwrap_or_else(|| panic!("README.md has no {SECTION:?} section"));
    let body = &readme[start + 1..];
    let end = body[SECTION.len()..]
        .find("\n## ")
        .map_or(body.len(), |i| SECTION.len() + i);
    &body[..end]
}

/// Every `$ originpull …` line inside the section's fenced code blocks.
fn commands(section: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in section.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if fenced
            && let Some(command) = line.trim().strip_prefix("$ ")
            && command.starts_with("originpull ")
        {
            out.push(command);
        }
    }
    out
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
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable");
    let sim = Simulator::start(SimConfig::demo(TOKEN))
        .await
        .expect("simulator starts");

    let mut ran = 0;
    for line in commands(section(&readme)) {
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
