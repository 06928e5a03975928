//! How subcommand results are printed: aligned tables for people, the API's own JSON
//! for scripts. Every string from the API is sanitized before it reaches a terminal.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::api::{ApiTime, Certificate, Zone};
use crate::certinfo::CertDetails;
use crate::survey::{self, Expiry, Rules, ZoneState};
use crate::text::{sanitize, sanitize_owned};

/// Prints rows as columns padded to the widest cell; the last column is not padded.
pub fn table(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |out: &mut dyn Write, cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
        let cells: Vec<&str> = cells.collect();
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(w - cell.width() + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &mut header.iter().copied())?;
    for row in rows {
        line(out, &mut row.iter().map(String::as_str))?;
    }
    Ok(())
}

/// `--json`: pretty printed; with a profile in use, the document names it.
pub fn json(out: &mut dyn Write, profile: Option<&str>, value: &impl Serialize) -> io::Result<()> {
    match profile {
        None => serde_json::to_writer_pretty(&mut *out, value)?,
        Some(profile) => {
            let value = stamped(serde_json::to_value(value)?, profile);
            serde_json::to_writer_pretty(&mut *out, &value)?;
        }
    }
    writeln!(out)
}

/// Adds `"profile": NAME` to an object, or to each object of a list (a list's shape
/// stays a list, so scripts that read it need no change).
pub fn stamped(value: serde_json::Value, profile: &str) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(mut map) => {
            map.insert("profile".to_owned(), Value::from(profile));
            Value::Object(map)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| match item {
                    Value::Object(_) => stamped(item, profile),
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}

/// What a delete answered: the certificate as the API returned it (JSON), or a line.
pub fn deleted(
    out: &mut dyn Write,
    what: &str,
    zone: &Zone,
    cert_id: &str,
    cert: &Certificate,
    json_out: bool,
    profile: Option<&str>,
) -> io::Result<()> {
    if json_out {
        return json(out, profile, cert);
    }
    writeln!(
        out,
        "deleted {what} {} from {} (status {})",
        sanitize(cert_id),
        sanitize(&zone.name),
        sanitize(cert.status.as_ref().map_or("deleted", |s| s.as_str()))
    )
}

pub fn zones(out: &mut dyn Write, zones: &[Zone]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = zones
        .iter()
        .map(|z| {
            vec![
                sanitize(&z.name).into_owned(),
                sanitize(z.status.as_deref().unwrap_or("-")).into_owned(),
                sanitize(&z.id).into_owned(),
            ]
        })
        .collect();
    table(out, &["NAME", "STATUS", "ID"], &rows)
}

fn date(t: Option<&ApiTime>) -> String {
    match t {
        Some(t) => sanitize_owned(t.date()),
        None => "-".to_owned(),
    }
}

fn field(v: Option<&str>) -> String {
    sanitize(v.unwrap_or("-")).into_owned()
}

/// Zone-level certificates: the table, the enablement, and what the findings say.
pub fn certificates(
    out: &mut dyn Write,
    certs: &[Certificate],
    enabled: Option<bool>,
    now: DateTime<Utc>,
) -> io::Result<()> {
    certificate_table(out, certs, now)?;
    if let Some(enabled) = enabled {
        writeln!(out, "zone-level AOP: {}", enablement_word(enabled))?;
    }
    let zone = ZoneState {
        certificates: Some(certs.to_vec()),
        enabled,
        ..ZoneState::default()
    };
    for f in survey::findings(&zone, now, Rules::default()) {
        writeln!(out, "{}: {}", f.level.as_str(), sanitize(&f.message))?;
    }
    Ok(())
}

/// Certificates (zone-level or hostname) as a table: status, issuer, expiry, id.
pub fn certificate_table(
    out: &mut dyn Write,
    certs: &[Certificate],
    now: DateTime<Utc>,
) -> io::Result<()> {
    if certs.is_empty() {
        writeln!(out, "no certificates")?;
    } else {
        let rows: Vec<Vec<String>> = certs
            .iter()
            .map(|c| {
                vec![
                    field(c.status.as_ref().map(|s| s.as_str())),
                    field(c.issuer.as_deref()),
                    date(c.expires_on.as_ref()),
                    Expiry::of(c, now).label(),
                    date(c.uploaded_on.as_ref()),
                    field(c.id.as_deref()),
                ]
            })
            .collect();
        table(
            out,
            &["STATUS", "ISSUER", "EXPIRES", "LEFT", "UPLOADED", "ID"],
            &rows,
        )?;
    }
    Ok(())
}

pub fn enablement_word(enabled: bool) -> &'static str {
    if enabled { "Enabled" } else { "Disabled" }
}

/// The certificate's fields, then what was parsed from its PEM, then the PEM itself.
pub fn certificate_detail(
    out: &mut dyn Write,
    cert: &Certificate,
    details: Option<&CertDetails>,
    now: DateTime<Utc>,
) -> io::Result<()> {
    let time = |t: Option<&ApiTime>| t.map_or("-".to_owned(), |t| sanitize(t.raw()).into_owned());
    let mut rows = vec![
        ("id", field(cert.id.as_deref())),
        ("status", field(cert.status.as_ref().map(|s| s.as_str()))),
        ("issuer", field(cert.issuer.as_deref())),
        ("signature", field(cert.signature.as_deref())),
        ("serial_number", field(cert.serial_number.as_deref())),
        (
            "expires_on",
            format!(
                "{} ({})",
                time(cert.expires_on.as_ref()),
                Expiry::of(cert, now).label()
            ),
        ),
        ("uploaded_on", time(cert.uploaded_on.as_ref())),
    ];
    if let Some(d) = details {
        rows.extend([
            ("subject", sanitize(&d.subject).into_owned()),
            ("SANs", sanitize_owned(d.sans.join(", "))),
            ("serial", d.serial.clone()),
            ("sha256", d.sha256.clone()),
            ("key", d.key.clone()),
            (
                "validity",
                format!(
                    "{} → {}",
                    d.not_before.format("%Y-%m-%d %H:%M:%S UTC"),
                    d.not_after.format("%Y-%m-%d %H:%M:%S UTC")
                ),
            ),
        ]);
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        writeln!(out, "{k:width$}  {v}")?;
    }
    if let Some(pem) = &cert.certificate {
        writeln!(out)?;
        for line in pem.trim_end().lines() {
            writeln!(out, "{}", sanitize(line))?;
        }
    }
    Ok(())
}

/// `show --json`: the API's object, plus what was parsed locally under `details`.
#[derive(Serialize)]
pub struct ShownCertificate<'a> {
    #[serde(flatten)]
    pub certificate: &'a Certificate,
    pub details: Option<DetailsJson>,
}

#[derive(Serialize)]
pub struct DetailsJson {
    subject: String,
    issuer: String,
    sans: Vec<String>,
    serial: String,
    sha256_fingerprint: String,
    key: String,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    days_left: i64,
}

impl DetailsJson {
    pub fn new(d: &CertDetails, now: DateTime<Utc>) -> Self {
        Self {
            subject: d.subject.clone(),
            issuer: d.issuer.clone(),
            sans: d.sans.clone(),
            serial: d.serial.clone(),
            sha256_fingerprint: d.sha256.clone(),
            key: d.key.clone(),
            not_before: d.not_before,
            not_after: d.not_after,
            days_left: d.days_left(now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut out = Vec::new();
        table(
            &mut out,
            &["NAME", "ID"],
            &[
                vec!["a.example".into(), "1".into()],
                vec!["bb".into(), "22".into()],
            ],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "NAME       ID\na.example  1\nbb         22\n"
        );
    }

    #[test]
    fn hostile_zone_names_cannot_drive_the_terminal() {
        let mut out = Vec::new();
        zones(
            &mut out,
            &[Zone {
                id: "x".into(),
                name: "evil\u{1b}[2J.example".into(),
                ..Default::default()
            }],
        )
        .unwrap();
        assert!(!String::from_utf8(out).unwrap().contains('\u{1b}'));
    }
}
