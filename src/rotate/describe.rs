//! A rotation in words, the same for the CLI's tables and the TUI's: what the plan
//! does to each zone, the warnings it carries, and how each zone ended.

use super::plan::IssuerChange;
use super::steps::{Options, Outcome, Progress, Rotation, Step, ZoneRotation};
use crate::text::{sanitize, short_id};

/// The plan table's columns.
pub const PLAN_HEADER: [&str; 3] = ["ZONE", "UPLOAD", "THEN DELETE"];

/// The plan, a row per zone under [`PLAN_HEADER`].
pub fn plan_rows(rotation: &Rotation) -> Vec<Vec<String>> {
    rotation
        .zones()
        .iter()
        .map(|z| {
            let (upload, delete) = plan_cells(z, rotation.options());
            vec![sanitize(&z.zone).into_owned(), upload, delete]
        })
        .collect()
}

/// `3 of 4 zone(s) rotated, 1 failed`.
pub fn summary(p: &Progress) -> String {
    let failed = if p.failed > 0 {
        format!(", {} failed", p.failed)
    } else {
        String::new()
    };
    format!("{} of {} zone(s) rotated{failed}", p.rotated, p.zones)
}

/// What the plan uploads to the zone, and what it deletes after.
fn plan_cells(z: &ZoneRotation, options: &Options) -> (String, String) {
    let plan = z.plan.as_ref();
    let upload = match (&z.step, plan.and_then(|p| p.uploaded.as_ref())) {
        (Step::Done(Outcome::Earlier), _) => "nothing: rotated already".to_owned(),
        (Step::Failed(_), _) => "nothing: it will not rotate (see below)".to_owned(),
        (_, Some(listed)) => format!(
            "none: uploaded earlier as {} ({})",
            short_id(&listed.id),
            sanitize(listed.status.as_deref().unwrap_or("?"))
        ),
        (_, None) if options.hostnames => "the new hostname certificate".to_owned(),
        (_, None) => "the new certificate".to_owned(),
    };
    let replaces = plan.map(|p| p.replaces.as_slice()).unwrap_or_default();
    let delete = if !matches!(z.step, Step::Planned) || replaces.is_empty() {
        "-".to_owned()
    } else {
        let ids: Vec<String> = replaces
            .iter()
            .map(|l| {
                format!(
                    "{} ({}, expires {})",
                    sanitize(&l.id),
                    sanitize(l.issuer.as_deref().unwrap_or("?")),
                    sanitize(
                        l.expires_on
                            .as_deref()
                            .map_or("?", |t| t.get(..10).unwrap_or(t))
                    )
                )
            })
            .collect();
        if options.keep_old {
            format!("nothing (--keep-old keeps {})", ids.join(", "))
        } else {
            ids.join(", ")
        }
    };
    let delete = if options.hostnames && matches!(z.step, Step::Planned) {
        let moves: Vec<String> = z
            .to_move
            .iter()
            .map(|(h, _)| sanitize(h).into_owned())
            .collect();
        match moves.len() {
            0 => format!("{delete} (no known hostname uses the old one: nothing moves)"),
            _ => format!("after moving {}: {delete}", moves.join(", ")),
        }
    } else {
        delete
    };
    (upload, delete)
}

/// One warning per distinct change of CA among the zones still to rotate, with the
/// zones it concerns.
pub fn issuer_warnings(rotation: &Rotation) -> Vec<(String, Vec<String>)> {
    let issuer = &rotation.new_cert().issuer;
    let mut warnings: Vec<(String, Vec<String>)> = Vec::new();
    for z in rotation.zones() {
        if z.step != Step::Planned {
            continue;
        }
        let Some(warning) = z
            .plan
            .as_ref()
            .and_then(|p| p.issuer_change.warning(issuer))
        else {
            continue;
        };
        let warning = sanitize(&warning).into_owned();
        let zone = sanitize(&z.zone).into_owned();
        match warnings.iter_mut().find(|(w, _)| *w == warning) {
            Some((_, zones)) => zones.push(zone),
            None => warnings.push((warning, vec![zone])),
        }
    }
    warnings
}

/// Whether some zone's CA changes: the origin must be checked first.
pub fn any_issuer_change(rotation: &Rotation) -> bool {
    rotation.zones().iter().any(|z| {
        z.step == Step::Planned
            && z.plan
                .as_ref()
                .is_some_and(|p| p.issuer_change != IssuerChange::Same)
    })
}

/// How the zone stands or ended; a failure's reason is in [`failures`].
pub fn outcome(z: &ZoneRotation) -> String {
    match &z.step {
        Step::Failed(f) if f.old_kept => "FAILED (old kept)".to_owned(),
        Step::Failed(_) => "FAILED".to_owned(),
        step => step.label().to_owned(),
    }
}

/// Each zone that failed, or will not rotate, with why.
pub fn failures(rotation: &Rotation) -> Vec<(String, String)> {
    rotation
        .zones()
        .iter()
        .filter_map(|z| match &z.step {
            Step::Failed(f) => Some((
                sanitize(&z.zone).into_owned(),
                sanitize(&f.reason).into_owned(),
            )),
            _ => None,
        })
        .collect()
}

/// The certificates the zone's rotation deleted, or `-`.
pub fn deleted(z: &ZoneRotation) -> String {
    if z.deleted.is_empty() {
        "-".into()
    } else {
        sanitize(&z.deleted.join(", ")).into_owned()
    }
}
