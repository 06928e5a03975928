//! `originpull audit`: the survey engine run over the zones asked for, printed as it
//! goes (table, JSON, CSV) or at the end (Prometheus), with progress on stderr when it
//! is a terminal and a summary line after.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};

use super::CliError;
use super::args::AuditArgs;
use super::report::Report;
use crate::api::{Client, NameFilter, Zone};
use crate::hostnames::{self, KnownHostnames};
use crate::survey::{self, Level, Progress, Rules, Survey, SurveyCache};

/// The window the budget is counted over, for the ETA.
const WINDOW: Duration = crate::api::limit::WINDOW;

pub async fn run(
    client: &Client,
    args: AuditArgs,
    budget: usize,
    cache: Option<SurveyCache>,
    known: Option<KnownHostnames>,
    profile: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let started = Instant::now();
    let zones = zones(client, &args).await?;
    client.expect_more((zones.len() * survey::CALLS_PER_ZONE) as u64);
    let earlier = cache.as_ref().map(SurveyCache::load).unwrap_or_default();
    let now = Utc::now();
    let mut survey = Survey::new(
        zones.iter().map(|z| (z.id.clone(), z.name.clone())),
        earlier,
        args.max_age,
        now,
    );
    // Where originpull knows a zone's hostnames, their associations are read too (one
    // call each): nothing else says a hostname points at a certificate that is gone.
    if let Some(known) = &known {
        for zone in &zones {
            let recorded = known.zone(&zone.id);
            if recorded.is_empty() {
                continue;
            }
            let asked =
                hostnames::merge(&[], recorded.into_iter().map(|(h, s)| (h, s.source)), &[]);
            let states = hostnames::associations(client, &zone.id, asked).await;
            survey.set_hostnames(&zone.id, states);
        }
    }
    let rules = Rules {
        expiring_within_days: args.expiring_within,
    };
    let name_width = zones
        .iter()
        .map(|z| z.name.chars().count())
        .max()
        .unwrap_or(4);
    let mut report = Report::new(args.format, rules, name_width, profile, out)?;
    // Zones fresh in the cache are printed at once, before any call.
    for state in survey.finished() {
        report.zone(state, true, now)?;
    }
    let bar = progress_bar(&survey.progress());
    let mut failed: io::Result<()> = Ok(());
    survey::run::run(client, &mut survey, survey::run::CONCURRENCY, |done, progress| {
        if let Some(bar) = &bar {
            bar.set_position(progress.done as u64);
            bar.set_message(format!(
                "{} calls · ETA {}",
                progress.calls_sent,
                short_duration(progress.eta(budget, WINDOW))
            ));
        }
        let Some(state) = done else { return };
        if let Some(cache) = &cache
            && let Err(e) = cache.append(state)
        {
            tracing::warn!(path = %cache.path().display(), error = %e, "survey cache not written");
        }
        if failed.is_ok() {
            // The bar steps aside while the row is written, so they do not mix.
            failed = match &bar {
                Some(bar) => bar.suspend(|| report.zone(state, false, Utc::now())),
                None => report.zone(state, false, Utc::now()),
            };
        }
    })
    .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    failed?;
    let totals = report.finish()?;
    if let Some(cache) = &cache
        && let Err(e) = cache.compact(survey.zones())
    {
        tracing::warn!(path = %cache.path().display(), error = %e, "survey cache not compacted");
    }
    let progress = survey.progress();
    eprintln!(
        "originpull: surveyed {} zone{} ({} from the cache) with {} calls in {}: {}",
        progress.zones,
        if progress.zones == 1 { "" } else { "s" },
        progress.cached,
        progress.calls_sent,
        short_duration(started.elapsed()),
        totals.summary(),
    );
    match totals.worst() {
        Some(worst) if worst >= args.fail_on => Err(CliError::Findings { worst }),
        _ => Ok(()),
    }
}

/// The zones named, or matching `--filter`, or every zone.
async fn zones(client: &Client, args: &AuditArgs) -> Result<Vec<Zone>, CliError> {
    if !args.zones.is_empty() {
        let mut zones = Vec::new();
        for name in &args.zones {
            zones.push(client.resolve_zone(name).await?);
        }
        return Ok(zones);
    }
    let filter = args
        .filter
        .as_deref()
        .and_then(NameFilter::parse)
        .map(|f| match f {
            NameFilter::Exact(x) => NameFilter::Contains(x),
            other => other,
        });
    Ok(client.list_zones(filter.as_ref()).await?)
}

/// A bar on stderr when it is a terminal; nothing otherwise, so logs and pipes stay
/// clean.
fn progress_bar(progress: &Progress) -> Option<ProgressBar> {
    if !io::stderr().is_terminal() || progress.calls_left == 0 {
        return None;
    }
    let bar = ProgressBar::new(progress.zones as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} zones · {msg}")
            .expect("the template is valid"),
    );
    bar.set_position(progress.done as u64);
    Some(bar)
}

/// `2.1 s`, `3 min 20 s`.
fn short_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} min {} s", secs / 60, secs % 60)
    }
}

/// Counts per level, for the summary line and the exit status.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub errors: usize,
    pub warnings: usize,
    pub notices: usize,
}

impl Totals {
    pub fn add(&mut self, level: Level) {
        match level {
            Level::Error => self.errors += 1,
            Level::Warning => self.warnings += 1,
            Level::Notice => self.notices += 1,
        }
    }

    pub fn worst(&self) -> Option<Level> {
        if self.errors > 0 {
            Some(Level::Error)
        } else if self.warnings > 0 {
            Some(Level::Warning)
        } else if self.notices > 0 {
            Some(Level::Notice)
        } else {
            None
        }
    }

    fn summary(&self) -> String {
        let n = |count: usize, word: &str| {
            format!("{count} {word}{}", if count == 1 { "" } else { "s" })
        };
        format!(
            "{}, {}, {}",
            n(self.errors, "error"),
            n(self.warnings, "warning"),
            n(self.notices, "notice")
        )
    }
}
