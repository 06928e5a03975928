//! `new-cert`, `origin-config` and `verify-origin`: thin printers over `crate::origin`.
//! None of them needs an account.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use chrono::Utc;

use super::CliError;
use super::args::{NewCertArgs, OriginConfigArgs, VerifyOriginArgs};
use super::output;
use crate::origin::new_cert::{self, CaFiles, Request};
use crate::origin::server_config;
use crate::origin::shared_ca;
use crate::origin::verify::{self, Attempt, Identity, Outcome, Probe, Report, Verdict};

/// `new-cert --json`: what was made, and where.
#[derive(serde::Serialize)]
struct MadeJson<'a> {
    certificate: output::DetailsJson,
    ca: output::DetailsJson,
    new_ca: bool,
    files: Vec<FileJson<'a>>,
}

#[derive(serde::Serialize)]
struct FileJson<'a> {
    path: &'a Path,
    what: &'a str,
    /// The file's permission bits, as `ls -l` shows them in octal: "600".
    mode: String,
}

impl<'a> MadeJson<'a> {
    fn of(made: &'a new_cert::Made, now: chrono::DateTime<Utc>) -> Self {
        Self {
            certificate: output::DetailsJson::new(&made.leaf, now),
            ca: output::DetailsJson::new(&made.ca, now),
            new_ca: made.new_ca,
            files: made
                .files
                .iter()
                .map(|f| FileJson {
                    path: &f.path,
                    what: f.what,
                    mode: format!("{:o}", f.mode),
                })
                .collect(),
        }
    }
}

pub fn new_cert(args: NewCertArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let request = Request {
        cn: args.cn,
        days: args.days,
        key_type: args.key_type,
        ca: args
            .ca_cert
            .zip(args.ca_key)
            .map(|(cert, key)| CaFiles { cert, key }),
        out: args.out,
    };
    let now = Utc::now();
    let made = new_cert::new_cert(&request, now)?;
    if args.json {
        return Ok(output::json(out, None, &MadeJson::of(&made, now))?);
    }
    let signer = if made.new_ca {
        format!("a new private CA ({})", made.ca.subject)
    } else {
        made.ca.subject.clone()
    };
    writeln!(
        out,
        "made a client certificate for {}: {}, valid until {} ({} days), signed by {signer}",
        made.leaf.subject,
        made.leaf.key,
        made.leaf.not_after.format("%Y-%m-%d"),
        request.days,
    )?;
    let width = made
        .files
        .iter()
        .map(|f| f.path.display().to_string().len())
        .max()
        .unwrap_or(0);
    for file in &made.files {
        writeln!(
            out,
            "  {:width$}  {} (mode {:o})",
            file.path.display(),
            file.what,
            file.mode
        )?;
    }
    let ca_path = request
        .ca
        .as_ref()
        .map_or_else(|| request.out.join(new_cert::CA_CERT), |ca| ca.cert.clone());
    let cert_path = request.out.join(new_cert::CLIENT_CERT);
    let key_path = request.out.join(new_cert::CLIENT_KEY);
    writeln!(
        out,
        "\nnext: make the origin require it, then give it to Cloudflare:\n  \
         originpull origin-config --server nginx --ca {}\n  \
         originpull upload ZONE --cert {} --key {}",
        shell_word(&ca_path),
        shell_word(&cert_path),
        shell_word(&key_path),
    )?;
    if made.new_ca {
        writeln!(
            out,
            "keep {} safe and offline if you can: it signs the next certificate without \
             touching the origin's configuration",
            request.out.join(new_cert::CA_KEY).display()
        )?;
    }
    Ok(())
}

pub fn origin_config(args: OriginConfigArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let trust = match (&args.ca, args.shared) {
        (Some(ca), _) => server_config::trust_file(ca, Utc::now())?,
        (None, _) => {
            let trust = server_config::shared(args.write_ca.as_deref())?;
            if args.write_ca.is_some() {
                // Standard output is the configuration itself: notes go to stderr.
                eprintln!(
                    "originpull: Cloudflare's shared CA (SHA-256 {}) is at {}",
                    shared_ca::SHA256,
                    trust.path.display()
                );
            }
            trust
        }
    };
    out.write_all(server_config::snippet(args.server, &trust).as_bytes())?;
    Ok(())
}

pub async fn verify_origin(
    args: VerifyOriginArgs,
    timeout: Duration,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let identity = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => {
            Some(Identity::load(cert, key).map_err(verify::VerifyError::from)?)
        }
        _ => None,
    };
    let probe = Probe {
        target: args.target,
        sni: args.sni,
        identity,
        timeout,
        insecure: args.insecure,
    };
    let report = verify::verify(&probe).await?;
    if args.json {
        output::json(out, None, &report)?;
    } else {
        print_report(out, &report)?;
    }
    if report.verdict.passed() {
        Ok(())
    } else {
        Err(CliError::NotEnforced)
    }
}

fn print_report(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let mut about = Vec::new();
    if r.address.to_string() != r.origin {
        about.push(r.address.to_string());
    }
    if let Some(sni) = &r.sni {
        about.push(format!("SNI {sni}"));
    }
    if let Some(version) = &r.tls_version {
        about.push(version.clone());
    }
    writeln!(out, "origin {} ({})", r.origin, about.join(", "))?;
    let mut rows: Vec<(String, String)> = Vec::new();
    if let Some(cert) = &r.server_certificate {
        rows.push((
            "its certificate".to_owned(),
            format!(
                "{}, expires {} ({} days), {}",
                cert.subject,
                cert.not_after.format("%Y-%m-%d"),
                cert.days_left,
                if cert.checked {
                    "trusted"
                } else {
                    "NOT checked (--insecure)"
                }
            ),
        ));
    }
    rows.push((
        "without a certificate".to_owned(),
        attempt_words(&r.without_certificate),
    ));
    if let (Some(attempt), Some(cert)) = (&r.with_certificate, &r.client_certificate) {
        rows.push((
            format!("with {}", cert.file.display()),
            attempt_words(attempt),
        ));
    }
    let width = rows
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    for (label, text) in rows {
        writeln!(out, "  {label:width$}  {text}")?;
    }
    let verdict = match r.verdict {
        Verdict::RequiredAndAccepted => "✓ required and accepted: the origin turns away a \
            connection without a client certificate and admits this one"
            .to_owned(),
        Verdict::Required => "✓ required: the origin turns away a connection without a client \
            certificate (add --cert and --key to check that it admits yours)"
            .to_owned(),
        Verdict::NotRequired => format!(
            "✗ not required: the origin serves a connection without a client certificate, so \
             anyone who reaches it directly goes round Cloudflare{}; make it require one: \
             originpull origin-config --server SERVER --ca CA.pem",
            if r.without_certificate.asked {
                " (it asks for one but does not insist, like nginx's `ssl_verify_client optional`)"
            } else {
                ""
            }
        ),
        Verdict::NotAccepted => format!(
            "✗ not accepted: the origin requires a client certificate and turns this one away{}: \
             it does not trust {}, which signed it; configure the origin with that CA \
             (originpull origin-config --ca CA.pem), or try a certificate from a CA it trusts",
            r.with_certificate
                .as_ref()
                .map(|a| match &a.outcome {
                    Outcome::Refused { refusal } => format!(" ({refusal})"),
                    Outcome::Admitted { .. } => String::new(),
                })
                .unwrap_or_default(),
            r.client_certificate
                .as_ref()
                .map_or("the CA", |c| c.issuer.as_str()),
        ),
    };
    writeln!(out, "{verdict}")?;
    if r.trusts_shared_ca {
        writeln!(
            out,
            "! the origin names Cloudflare's shared CA among those it trusts. {}",
            shared_ca::WHAT_IT_PROVES
        )?;
    }
    Ok(())
}

fn attempt_words(a: &Attempt) -> String {
    let asked = match (a.asked, a.acceptable_cas.as_slice()) {
        (false, _) => "not asked for one".to_owned(),
        (true, []) => "asked for one (naming no CA)".to_owned(),
        (true, cas) => format!("asked for one, naming {}", cas.join("; ")),
    };
    let outcome = match &a.outcome {
        Outcome::Admitted {
            http_status: Some(status),
        } => format!("admitted (HTTP {status})"),
        Outcome::Admitted { http_status: None } => {
            "admitted (the connection stood; no HTTP answer)".to_owned()
        }
        Outcome::Refused { refusal } => format!("turned away: {refusal}"),
    };
    format!("{asked}; {outcome}")
}

/// A path as a shell reads it back: quoted when it holds anything but the plain
/// characters of a path.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,=:@%".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
