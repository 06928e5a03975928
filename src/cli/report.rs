//! The audit's output formats. Table, JSON and CSV are written a zone at a time, as
//! the survey finishes each; Prometheus groups every sample of a metric together, so
//! it is written at the end. Every string from the API is sanitized for the table;
//! the other formats carry it as data, escaped by their own rules.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::args::Format;
use super::audit::Totals;
use crate::survey::{CertLevel, Expiry, Finding, LevelState, Rules, ZoneState, findings};
use crate::text::sanitize;

/// One zone as the report prints it.
struct Row<'a> {
    state: &'a ZoneState,
    cached: bool,
    findings: Vec<Finding>,
    now: DateTime<Utc>,
}

pub struct Report<'w> {
    format: Format,
    rules: Rules,
    name_width: usize,
    /// The profile in use: each JSON record names it.
    profile: Option<&'w str>,
    out: &'w mut dyn Write,
    totals: Totals,
    /// Zones written so far (JSON needs commas between them).
    written: usize,
    /// Prometheus samples, by metric, until the end.
    samples: [Vec<String>; 4],
}

const METRICS: [(&str, &str); 4] = [
    (
        "originpull_certificate_expiry_timestamp_seconds",
        "When an AOP client certificate expires, as a Unix time.",
    ),
    (
        "originpull_aop_enabled",
        "Whether an AOP level is on for the zone (1) or off (0).",
    ),
    (
        "originpull_findings",
        "How many findings of a code and level the zone has.",
    ),
    (
        "originpull_survey_timestamp_seconds",
        "When the zone was last surveyed, as a Unix time.",
    ),
];

impl<'w> Report<'w> {
    pub fn new(
        format: Format,
        rules: Rules,
        name_width: usize,
        profile: Option<&'w str>,
        out: &'w mut dyn Write,
    ) -> io::Result<Self> {
        let name_width = name_width.max("ZONE".len());
        match format {
            Format::Table => writeln!(
                out,
                "{:name_width$}  GLOBAL  ZONE-LEVEL  HOSTNAME  ACTIVE  SOONEST EXPIRY           FINDINGS",
                "ZONE"
            )?,
            Format::Csv => out.write_all(&csv_line(&CSV_HEADER.map(String::from))?)?,
            Format::Json => writeln!(out, "[")?,
            Format::Prometheus => {}
        }
        Ok(Self {
            format,
            rules,
            name_width,
            profile,
            out,
            totals: Totals::default(),
            written: 0,
            samples: Default::default(),
        })
    }

    pub fn zone(&mut self, state: &ZoneState, cached: bool, now: DateTime<Utc>) -> io::Result<()> {
        let row = Row {
            state,
            cached,
            findings: findings(state, now, self.rules),
            now,
        };
        for f in &row.findings {
            self.totals.add(f.level);
        }
        match self.format {
            Format::Table => self.table(&row)?,
            Format::Json => {
                if self.written > 0 {
                    writeln!(self.out, ",")?;
                }
                let record = match self.profile {
                    Some(profile) => serde_json::to_string_pretty(&super::output::stamped(
                        serde_json::to_value(Record::of(&row))?,
                        profile,
                    ))?,
                    None => serde_json::to_string_pretty(&Record::of(&row))?,
                };
                // Indented inside the array, so the whole reads as one document.
                write!(self.out, "  {}", record.replace('\n', "\n  "))?;
            }
            Format::Csv => self.out.write_all(&csv_line(&csv_record(&row))?)?,
            Format::Prometheus => self.prometheus(&row),
        }
        self.written += 1;
        self.out.flush()
    }

    /// Closes the document; returns the findings counted by level.
    pub fn finish(self) -> io::Result<Totals> {
        match self.format {
            Format::Json if self.written > 0 => writeln!(self.out, "\n]")?,
            Format::Json => writeln!(self.out, "]")?,
            Format::Prometheus => {
                for ((name, help), samples) in METRICS.iter().zip(&self.samples) {
                    writeln!(self.out, "# HELP {name} {help}")?;
                    writeln!(self.out, "# TYPE {name} gauge")?;
                    for sample in samples {
                        writeln!(self.out, "{name}{sample}")?;
                    }
                }
            }
            Format::Table | Format::Csv => {}
        }
        self.out.flush()?;
        Ok(self.totals)
    }

    fn table(&mut self, row: &Row) -> io::Result<()> {
        let s = row.state;
        let hostname = s
            .hostname_certificates
            .as_ref()
            .map_or_else(|| "?".to_owned(), |c| c.len().to_string());
        let active = s.certificates.as_ref().map_or_else(
            || "?".to_owned(),
            |_| s.active_certificates().count().to_string(),
        );
        let soonest = s.soonest_expiry().map_or_else(
            || "-".to_owned(),
            |t| {
                format!(
                    "{} {}",
                    t.format("%Y-%m-%d"),
                    Expiry::at(t, row.now).label()
                )
            },
        );
        let codes = if row.findings.is_empty() {
            "-".to_owned()
        } else {
            let mut codes: Vec<&str> = row.findings.iter().map(|f| f.code.as_str()).collect();
            codes.dedup();
            codes.join(", ")
        };
        let name = sanitize(&s.zone_name);
        let pad = self.name_width.saturating_sub(name.chars().count());
        writeln!(
            self.out,
            "{name}{:pad$}  {:6}  {:10}  {:8}  {:6}  {:23}  {codes}{}",
            "",
            s.global_state().as_str(),
            s.zone_level_state().as_str(),
            hostname,
            active,
            soonest,
            if row.cached {
                let age = s.age(row.now).unwrap_or_else(|| "age unknown".to_owned());
                format!(" (cached, {age} old)")
            } else {
                String::new()
            },
        )?;
        for f in &row.findings {
            writeln!(
                self.out,
                "    {:7}  {}: {}",
                f.level.as_str(),
                f.code.as_str(),
                sanitize(&f.message)
            )?;
        }
        Ok(())
    }

    fn prometheus(&mut self, row: &Row) {
        let s = row.state;
        let zone = label(&s.zone_name);
        for (level, cert) in s.all_certificates() {
            if let (Some(expires), Some(id)) = (
                cert.expires_on.as_ref().and_then(|t| t.datetime()),
                &cert.id,
            ) {
                self.samples[0].push(format!(
                    "{{zone=\"{zone}\",level=\"{}\",id=\"{}\"}} {}",
                    level.as_str(),
                    label(id),
                    expires.timestamp()
                ));
            }
        }
        for (level, state) in [
            ("global", s.global_state()),
            ("zone", s.zone_level_state()),
            ("hostname", s.hostname_state()),
        ] {
            if state != LevelState::Unknown {
                self.samples[1].push(format!(
                    "{{zone=\"{zone}\",level=\"{level}\"}} {}",
                    u8::from(state == LevelState::On)
                ));
            }
        }
        let mut counted: Vec<(&str, &str, usize)> = Vec::new();
        for f in &row.findings {
            match counted.iter_mut().find(|(c, ..)| *c == f.code.as_str()) {
                Some(entry) => entry.2 += 1,
                None => counted.push((f.code.as_str(), f.level.as_str(), 1)),
            }
        }
        for (code, level, n) in counted {
            self.samples[2].push(format!(
                "{{zone=\"{zone}\",code=\"{code}\",level=\"{level}\"}} {n}"
            ));
        }
        if let Some(at) = s.surveyed_at {
            self.samples[3].push(format!("{{zone=\"{zone}\"}} {}", at.timestamp()));
        }
    }
}

/// A label value in the text exposition format: backslash, quote and newline escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// One zone in `--format json`.
#[derive(Serialize)]
struct Record<'a> {
    zone: &'a str,
    zone_id: &'a str,
    surveyed_at: Option<DateTime<Utc>>,
    cached: bool,
    levels: Levels,
    global_editable: Option<bool>,
    ssl: Option<&'a str>,
    presented: String,
    certificates: Vec<CertRecord<'a>>,
    soonest_expiry: Option<DateTime<Utc>>,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct Levels {
    global: Option<bool>,
    zone: Option<bool>,
    hostname: Option<bool>,
}

#[derive(Serialize)]
struct CertRecord<'a> {
    id: Option<&'a str>,
    level: CertLevel,
    status: Option<&'a str>,
    expires_on: Option<&'a str>,
}

fn on(state: LevelState) -> Option<bool> {
    match state {
        LevelState::On => Some(true),
        LevelState::Off => Some(false),
        LevelState::Unknown => None,
    }
}

impl<'a> Record<'a> {
    fn of(row: &'a Row<'a>) -> Self {
        let s = row.state;
        Self {
            zone: &s.zone_name,
            zone_id: &s.zone_id,
            surveyed_at: s.surveyed_at,
            cached: row.cached,
            levels: Levels {
                global: on(s.global_state()),
                zone: on(s.zone_level_state()),
                hostname: on(s.hostname_state()),
            },
            global_editable: s.global.as_ref().and_then(|g| g.editable),
            ssl: s.ssl.as_ref().map(|m| m.as_str()),
            presented: s.presented().to_string(),
            certificates: s
                .all_certificates()
                .map(|(level, c)| CertRecord {
                    id: c.id.as_deref(),
                    level,
                    status: c.status.as_ref().map(|st| st.as_str()),
                    expires_on: c.expires_on.as_ref().map(|t| t.raw()),
                })
                .collect(),
            soonest_expiry: s.soonest_expiry(),
            findings: &row.findings,
        }
    }
}

const CSV_HEADER: [&str; 12] = [
    "zone",
    "zone_id",
    "surveyed_at",
    "cached",
    "global",
    "zone_level",
    "hostname",
    "ssl",
    "certificates",
    "soonest_expiry",
    "findings",
    "worst",
];

fn level_word(state: LevelState) -> &'static str {
    match state {
        LevelState::Unknown => "",
        other => other.as_str(),
    }
}

/// One zone in `--format csv`; certificates as `level:id:status:expires_on` and
/// findings as `level:code`, each list joined with `;`.
fn csv_record(row: &Row) -> [String; 12] {
    let s = row.state;
    let certificates = s
        .all_certificates()
        .map(|(level, c)| {
            format!(
                "{}:{}:{}:{}",
                level.as_str(),
                c.id.as_deref().unwrap_or(""),
                c.status.as_ref().map_or("", |st| st.as_str()),
                c.expires_on.as_ref().map_or("", |t| t.raw())
            )
        })
        .collect::<Vec<_>>()
        .join(";");
    let findings = row
        .findings
        .iter()
        .map(|f| format!("{}:{}", f.level.as_str(), f.code.as_str()))
        .collect::<Vec<_>>()
        .join(";");
    [
        s.zone_name.clone(),
        s.zone_id.clone(),
        s.surveyed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        row.cached.to_string(),
        level_word(s.global_state()).to_owned(),
        level_word(s.zone_level_state()).to_owned(),
        level_word(s.hostname_state()).to_owned(),
        s.ssl
            .as_ref()
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default(),
        certificates,
        s.soonest_expiry()
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        findings,
        crate::survey::findings::worst(&row.findings)
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default(),
    ]
}

fn csv_line(fields: &[String]) -> io::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(fields).map_err(io::Error::other)?;
    writer
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))
}
