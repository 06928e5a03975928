//! `api_token_command`: the token is a command's output, so it need not sit in a file
//! (`pass show cloudflare`, `op read op://…`, `security find-generic-password -w …`).
//!
//! The command is split as a shell would split it but run without one: no expansion,
//! no pipes, nothing the config file's reader did not write. Its arguments are never
//! quoted back in a message (some people put a secret there), nor is its output.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use secrecy::SecretString;
use wait_timeout::ChildExt;
use zeroize::Zeroizing;

/// How long the command may take: a password manager that waits for a touch or a
/// passphrase answers in seconds; one that hangs must not hang originpull.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// More than any token: a command that prints more is not printing a token.
const MAX_OUTPUT: u64 = 64 * 1024;

/// A parsed `api_token_command`.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenCommand {
    argv: Vec<String>,
    profile: Option<String>,
    timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenCommandError {
    #[error("{} cannot be split into words (an unclosed quote?)", key(profile.as_deref()))]
    Unparsable { profile: Option<String> },
    #[error("{} is empty", key(profile.as_deref()))]
    Empty { profile: Option<String> },
    #[error("{} (`{program}`) could not be run: {reason}", key(profile.as_deref()))]
    Spawn {
        profile: Option<String>,
        program: String,
        reason: String,
    },
    #[error("{} (`{program}`) failed with {status}; its output is not shown", key(profile.as_deref()))]
    Failed {
        profile: Option<String>,
        program: String,
        status: String,
    },
    #[error("{} (`{program}`) did not finish within {} s and was stopped", key(profile.as_deref()), after.as_secs())]
    TimedOut {
        profile: Option<String>,
        program: String,
        after: Duration,
    },
    #[error("{} (`{program}`) printed no token", key(profile.as_deref()))]
    NoToken {
        profile: Option<String>,
        program: String,
    },
    #[error("{} (`{program}`) printed something that is not a token (not one line of text)", key(profile.as_deref()))]
    NotAToken {
        profile: Option<String>,
        program: String,
    },
}

fn key(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!("api_token_command of profile {p}"),
        None => "api_token_command".to_owned(),
    }
}

/// The program alone: an argument may be a secret (`echo …`).
impl std::fmt::Debug for TokenCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCommand")
            .field("program", &self.argv[0])
            .field(
                "arguments",
                &format_args!("[{} redacted]", self.argv.len() - 1),
            )
            .field("profile", &self.profile)
            .finish()
    }
}

/// `api_token_command` as written in the config. Its `Debug` shows the first word
/// only: an argument may be the secret.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct CommandLine(String);

impl CommandLine {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CommandLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let program = self.0.split_whitespace().next().unwrap_or_default();
        write!(f, "{program:?} [arguments redacted]")
    }
}

impl TokenCommand {
    pub fn parse(line: &str, profile: Option<String>) -> Result<Self, TokenCommandError> {
        let Some(argv) = shlex::split(line) else {
            return Err(TokenCommandError::Unparsable { profile });
        };
        if argv.is_empty() {
            return Err(TokenCommandError::Empty { profile });
        }
        Ok(Self {
            argv,
            profile,
            timeout: TIMEOUT,
        })
    }

    /// The program, for messages: never its arguments.
    fn program(&self) -> String {
        self.argv[0].clone()
    }

    #[cfg(test)]
    fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs it and returns its output, trimmed, as the token. Standard error and input
    /// stay the terminal's, so a password manager can ask for a passphrase there.
    pub fn run(&self) -> Result<SecretString, TokenCommandError> {
        let profile = self.profile.clone();
        let program = self.program();
        let mut child = Command::new(&self.argv[0])
            .args(&self.argv[1..])
            .stdin(Stdio::inherit())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| TokenCommandError::Spawn {
                profile: profile.clone(),
                program: program.clone(),
                reason: e.kind().to_string(),
            })?;
        // Read on a thread while waiting here: a command that fills the pipe must not
        // block before it exits, and the wait must be able to give up.
        let stdout = child.stdout.take();
        let reader = std::thread::spawn(move || {
            let mut bytes = Zeroizing::new(Vec::new());
            if let Some(stdout) = stdout {
                let _ = stdout.take(MAX_OUTPUT).read_to_end(&mut bytes);
            }
            bytes
        });
        let status = match child.wait_timeout(self.timeout) {
            Ok(Some(status)) => status,
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(TokenCommandError::TimedOut {
                    profile,
                    program,
                    after: self.timeout,
                });
            }
            Err(e) => {
                return Err(TokenCommandError::Spawn {
                    profile,
                    program,
                    reason: e.kind().to_string(),
                });
            }
        };
        // A grandchild holding the pipe open would keep the reader waiting: its output
        // after our child exits is not the token's anyway.
        let bytes = reader.join().unwrap_or_default();
        if !status.success() {
            return Err(TokenCommandError::Failed {
                profile,
                program,
                status: status.to_string(),
            });
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Err(TokenCommandError::NotAToken { profile, program });
        };
        let token = text.trim();
        if token.is_empty() {
            return Err(TokenCommandError::NoToken { profile, program });
        }
        if token.contains(['\n', '\r']) {
            return Err(TokenCommandError::NotAToken { profile, program });
        }
        Ok(SecretString::from(token.to_owned()))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn run(line: &str) -> Result<SecretString, TokenCommandError> {
        TokenCommand::parse(line, Some("work".into()))
            .unwrap()
            .run()
    }

    #[test]
    fn the_output_trimmed_is_the_token_and_no_shell_expands_it() {
        let token = run("printf '  tok-123\\n'").unwrap();
        assert_eq!(token.expose_secret(), "tok-123");
        // Words are split like a shell's, but `$HOME` and `;` reach the program as
        // written: there is no shell.
        let token = run("printf '%s' '$HOME;x'").unwrap();
        assert_eq!(token.expose_secret(), "$HOME;x");
    }

    #[test]
    fn failures_name_the_program_and_never_its_arguments_or_output() {
        let e = run("sh -c 'echo secret-out; exit 3'").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("profile work") && text.contains("`sh`"),
            "{text}"
        );
        assert!(text.contains("exit status: 3"), "{text}");
        assert!(
            !text.contains("secret-out") && !text.contains("echo"),
            "{text}"
        );

        let e = run("true").unwrap_err();
        assert!(matches!(e, TokenCommandError::NoToken { .. }), "{e}");
        let e = run("printf 'a\\nb\\n'").unwrap_err();
        assert!(matches!(e, TokenCommandError::NotAToken { .. }), "{e}");
        let e = run("/nonexistent/pass show cf").unwrap_err();
        assert!(e.to_string().contains("could not be run"), "{e}");
        assert!(TokenCommand::parse("pass 'open", None).is_err());
        assert!(TokenCommand::parse("  ", None).is_err());
    }

    #[test]
    fn a_command_that_hangs_is_stopped_at_the_timeout() {
        let command = TokenCommand::parse("sleep 30", None)
            .unwrap()
            .with_timeout(Duration::from_millis(200));
        let started = std::time::Instant::now();
        let e = command.run().unwrap_err();
        assert!(matches!(e, TokenCommandError::TimedOut { .. }), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
