//! `originpull rotate`: the plan, one question, a progress line per zone, and the
//! result, printed over the rotation engine (`crate::rotate`).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use chrono::Utc;
use serde::Serialize;

use super::args::RotateArgs;
use super::output;
use super::{CliError, ask_yes};
use std::collections::HashMap;

use crate::api::{Association, Client, Zone};
use crate::certinfo;
use crate::config::Settings;
use crate::hostnames::{self, KnownHostnames, Seen, Source};
use crate::origin::verify::{self, Identity, Probe, Report, Verdict};
use crate::rotate::{
    self, Failure, IssuerChange, Journal, NewCert, Options, Outcome, Rotation, Step, ZoneRotation,
    describe,
};
use crate::text::sanitize;

pub async fn rotate(
    client: &Client,
    settings: &Settings,
    args: RotateArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    // Section 5's checks, before anything is sent.
    let upload = certinfo::load_upload(&args.cert, &args.key)?;
    let new = NewCert::of(&upload.details);
    let origin = match &args.origin {
        Some(target) => Some(check_origin(target.clone(), &args, &new, settings).await?),
        None => None,
    };
    let zones = client.resolve_zones(&args.zones).await?;
    // Per zone: its list, the upload, the looks until active, a last list, and the
    // deletes of what it replaces (two old ones at most, as a rule).
    let per_zone = 5 + crate::rotate::steps::polls_within(args.wait);
    client.expect_more(zones.len() as u64 * per_zone);
    let journal = settings.journals().map(|dir| {
        if args.hostnames {
            dir.hostnames_journal(&new.sha256)
        } else {
            dir.journal(&new.sha256)
        }
    });
    let memory = journal.as_ref().map(Journal::load).unwrap_or_default();
    let resumed = memory.values().any(|m| m.done || m.new_id.is_some());
    let options = Options {
        wait: args.wait,
        keep_old: args.keep_old,
        hostnames: args.hostnames,
    };
    let known = settings.known_hostnames();
    let associations = if args.hostnames {
        known_associations(client, known.as_ref(), &zones).await?
    } else {
        HashMap::new()
    };
    let mut rotation = Rotation::new(
        new.clone(),
        options,
        zones.into_iter().map(|z| (z.id, z.name)),
        memory,
    )
    .with_hostnames(associations);
    let progress = io::stderr().is_terminal();
    if progress {
        eprintln!(
            "originpull: reading the certificates of {} zone(s)…",
            rotation.zones().len()
        );
    }
    rotate::run::run(
        client,
        &mut rotation,
        &upload,
        journal.as_ref(),
        rotate::run::CONCURRENCY,
        |_| {},
    )
    .await?;

    let mut plan_text = Vec::new();
    print_plan(&mut plan_text, &rotation, origin.as_ref(), resumed)?;
    if args.json {
        // Standard output is the JSON; the plan and its warnings go where people look.
        io::stderr().write_all(&plan_text)?;
    } else {
        out.write_all(&plan_text)?;
        out.flush()?;
    }
    if rotation.has_work() && !args.yes {
        let n = rotation
            .zones()
            .iter()
            .filter(|z| z.step == Step::Planned)
            .count();
        if !ask_yes(format!(
            "Rotate {n} zone(s)? Type y to go on, anything else cancels: "
        ))
        .await?
        {
            // Only reads were sent: the journal has nothing to resume.
            if let Some(journal) = &journal {
                journal.close()?;
            }
            return Err(CliError::Refused(
                "cancelled: nothing was uploaded or deleted".into(),
            ));
        }
    }
    rotation.approve(Instant::now());
    rotate::run::run(
        client,
        &mut rotation,
        &upload,
        journal.as_ref(),
        rotate::run::CONCURRENCY,
        |zone| {
            if progress {
                eprintln!("{}", progress_line(zone));
            }
        },
    )
    .await?;
    drop(upload);
    if let Some(known) = &known {
        remember_moves(known, &rotation);
    }
    let journal_left = match &journal {
        Some(journal) => match journal.close() {
            Ok(true) => None,
            Ok(false) => Some(journal.path().to_path_buf()),
            Err(e) => {
                tracing::warn!(error = %e, "the journal could not be removed");
                Some(journal.path().to_path_buf())
            }
        },
        None => None,
    };

    if args.json {
        output::json(
            out,
            settings.profile.as_deref(),
            &RotationJson::of(&rotation),
        )?;
    } else {
        writeln!(out)?;
        print_result(out, &rotation)?;
    }
    let failed = rotation.progress().failed;
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::NotRotated {
            failed,
            zones: rotation.zones().len(),
            journal: journal_left,
        })
    }
}

/// `--hostnames`: each zone's known hostnames with an association, read afresh (one
/// call each); a hostname whose association cannot be read stops the rotation before
/// anything changes, since it might use the certificate to be deleted.
async fn known_associations(
    client: &Client,
    known: Option<&KnownHostnames>,
    zones: &[Zone],
) -> Result<HashMap<String, Vec<(String, Association)>>, CliError> {
    let mut out = HashMap::new();
    for zone in zones {
        let recorded = known.map(|k| k.zone(&zone.id)).unwrap_or_default();
        let asked = hostnames::merge(&[], recorded.into_iter().map(|(h, s)| (h, s.source)), &[]);
        let states = hostnames::associations(client, &zone.id, asked).await;
        if let Some(unread) = states.iter().find(|s| s.error.is_some()) {
            return Err(CliError::Refused(format!(
                "{}: the association of {} could not be read ({}); nothing was changed",
                sanitize(&zone.name),
                sanitize(&unread.hostname),
                sanitize(unread.error.as_deref().unwrap_or("?"))
            )));
        }
        let associated: Vec<(String, Association)> = states
            .into_iter()
            .filter_map(|s| Some((s.hostname, s.association?)))
            .collect();
        out.insert(zone.id.clone(), associated);
    }
    Ok(out)
}

/// The hostnames a rotation moved are on the new certificate now.
fn remember_moves(known: &KnownHostnames, rotation: &Rotation) {
    let at = Utc::now();
    for z in rotation.zones() {
        let seen = z.moved.iter().map(|h| {
            (
                h.clone(),
                Seen {
                    source: Source::Associated,
                    cert_id: z.new_id.clone(),
                    at,
                },
            )
        });
        if let Err(e) = known.record(&z.zone_id, seen) {
            tracing::warn!(error = %e, "known hostnames not written");
        }
    }
}

/// verify-origin's check with the new certificate. The origin's own certificate is
/// not judged here (it may be self-signed, or from Cloudflare's Origin CA): only
/// whether it takes the new client certificate.
async fn check_origin(
    target: verify::Target,
    args: &RotateArgs,
    new: &NewCert,
    settings: &Settings,
) -> Result<Report, CliError> {
    let identity = Identity::load(&args.cert, &args.key).map_err(verify::VerifyError::from)?;
    let probe = Probe {
        target,
        sni: None,
        identity: Some(identity),
        timeout: settings.timeout,
        insecure: true,
    };
    let report = verify::verify(&probe).await?;
    if report.verdict == Verdict::NotAccepted {
        let refusal = report
            .with_certificate
            .as_ref()
            .and_then(|a| match &a.outcome {
                verify::Outcome::Refused { refusal } => Some(refusal.to_string()),
                verify::Outcome::Admitted { .. } => None,
            })
            .unwrap_or_else(|| "a refusal".into());
        return Err(CliError::Refused(format!(
            "the origin {} refused the new certificate ({refusal}): it does not trust {} yet. \
             Nothing was uploaded: add that CA to the origin (originpull origin-config), \
             then run this again",
            report.origin,
            sanitize(&new.issuer),
        )));
    }
    Ok(report)
}

fn print_plan(
    out: &mut dyn Write,
    rotation: &Rotation,
    origin: Option<&Report>,
    resumed: bool,
) -> io::Result<()> {
    let new = rotation.new_cert();
    let now = Utc::now();
    writeln!(
        out,
        "rotate {} zone(s) to {}",
        rotation.zones().len(),
        sanitize(&new.subject)
    )?;
    writeln!(out, "  issuer   {}", sanitize(&new.issuer))?;
    writeln!(
        out,
        "  expires  {} ({} days)",
        new.expires.format("%Y-%m-%d"),
        (new.expires - now).num_days()
    )?;
    writeln!(out, "  sha256   {}", new.sha256)?;
    if let Some(report) = origin {
        let verdict = match report.verdict {
            Verdict::RequiredAndAccepted => "requires a client certificate and accepts this one",
            _ => {
                "accepts this one, but does not require a client certificate: AOP is not \
                 enforced there"
            }
        };
        writeln!(
            out,
            "  origin   {} {verdict} (its own certificate was not checked)",
            report.origin
        )?;
    }
    if resumed {
        writeln!(
            out,
            "  resuming a rotation to this certificate that an earlier run began"
        )?;
    }
    writeln!(out)?;
    output::table(out, &describe::PLAN_HEADER, &describe::plan_rows(rotation))?;

    for (zone, reason) in describe::failures(rotation) {
        writeln!(out, "\n{zone} will not rotate: {reason}")?;
    }
    for (warning, zones) in describe::issuer_warnings(rotation) {
        writeln!(out, "\nWARNING ({}): {warning}", zones.join(", "))?;
    }
    if describe::any_issuer_change(rotation) && origin.is_none() {
        writeln!(
            out,
            "  check first with: originpull rotate … --origin HOST (or originpull verify-origin)"
        )?;
    }
    Ok(())
}

fn progress_line(z: &ZoneRotation) -> String {
    match &z.step {
        Step::Failed(Failure { reason, .. }) => {
            format!("{}: failed: {}", sanitize(&z.zone), sanitize(reason))
        }
        step => format!("{}: {}", sanitize(&z.zone), step.label()),
    }
}

fn print_result(out: &mut dyn Write, rotation: &Rotation) -> io::Result<()> {
    let rows: Vec<Vec<String>> = rotation
        .zones()
        .iter()
        .map(|z| {
            vec![
                sanitize(&z.zone).into_owned(),
                z.new_id
                    .as_deref()
                    .map_or("-".into(), |id| sanitize(id).into_owned()),
                describe::deleted(z),
                describe::outcome(z),
            ]
        })
        .collect();
    output::table(out, &["ZONE", "NEW ID", "OLD DELETED", "OUTCOME"], &rows)?;
    for (zone, reason) in describe::failures(rotation) {
        writeln!(out, "\n{zone}: {reason}")?;
    }
    writeln!(out, "\n{}", describe::summary(&rotation.progress()))
}

#[derive(Serialize)]
struct RotationJson<'a> {
    certificate: &'a NewCert,
    zones: Vec<ZoneJson<'a>>,
    rotated: usize,
    failed: usize,
}

#[derive(Serialize)]
struct ZoneJson<'a> {
    zone: &'a str,
    zone_id: &'a str,
    /// `rotated`, `kept_old`, `earlier` or `failed`.
    outcome: &'static str,
    new_id: Option<&'a str>,
    deleted: &'a [String],
    kept: &'a [String],
    /// `--hostnames`: the hostnames moved onto the new certificate.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    moved: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<&'a Failure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer_change: Option<&'a IssuerChange>,
}

impl<'a> RotationJson<'a> {
    fn of(rotation: &'a Rotation) -> Self {
        let p = rotation.progress();
        Self {
            certificate: rotation.new_cert(),
            zones: rotation
                .zones()
                .iter()
                .map(|z| ZoneJson {
                    zone: &z.zone,
                    zone_id: &z.zone_id,
                    outcome: match &z.step {
                        Step::Done(Outcome::Rotated) => "rotated",
                        Step::Done(Outcome::KeptOld) => "kept_old",
                        Step::Done(Outcome::Earlier) => "earlier",
                        _ => "failed",
                    },
                    new_id: z.new_id.as_deref(),
                    deleted: &z.deleted,
                    kept: &z.kept,
                    moved: &z.moved,
                    failure: match &z.step {
                        Step::Failed(f) => Some(f),
                        _ => None,
                    },
                    issuer_change: z.plan.as_ref().map(|p| &p.issuer_change),
                })
                .collect(),
            rotated: p.rotated,
            failed: p.failed,
        }
    }
}

/// The journal left behind for a failed rotation, for the error's hint.
pub fn resume_hint(journal: Option<&PathBuf>) -> String {
    let then = "do what each zone's reason above says, if anything, then run the same command \
                again: it resumes where each zone stood";
    match journal {
        Some(path) => format!("{then} (journal: {})", path.display()),
        None => format!("{then}, finding what was uploaded"),
    }
}
