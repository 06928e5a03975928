//! `originpull hostnames …`: per-hostname AOP, printed over the API calls and
//! `crate::hostnames` (the known hostnames, discovery, the associations).

use std::io::{self, IsTerminal, Write};

use super::args::HostnamesCommand;
use super::{CliError, ask_yes, output};
use crate::api::{Association, Certificate, Client, HostnameSetting, Zone};
use crate::certinfo;
use crate::config::Settings;
use crate::hostnames::{self, HostnameState, KnownHostnames, Seen, Source};
use crate::text::sanitize;
use chrono::Utc;

pub async fn run(
    client: &Client,
    settings: &Settings,
    command: HostnamesCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let known = settings.known_hostnames();
    let profile = settings.profile.as_deref();
    let now = Utc::now();
    match command {
        HostnamesCommand::Certs { zone, json } => {
            let zone = client.resolve_zone(&zone).await?;
            let certs = client.list_hostname_certificates(&zone.id).await?;
            if json {
                output::json(out, profile, &certs)?;
            } else {
                writeln!(out, "{}: hostname certificates", sanitize(&zone.name))?;
                output::certificate_table(out, &certs, now)?;
            }
        }
        HostnamesCommand::Upload {
            zone,
            cert,
            key,
            json,
        } => {
            // Local checks come first: a bad file is refused before any request is sent.
            let upload = certinfo::load_upload(&cert, &key)?;
            let zone = client.resolve_zone(&zone).await?;
            let created = client
                .upload_hostname_certificate(&zone.id, &upload.certificate, &upload.private_key)
                .await?;
            drop(upload);
            if json {
                output::json(out, profile, &created)?;
            } else {
                writeln!(
                    out,
                    "uploaded a hostname certificate to {} (status {}); associate hostnames with:\n  originpull hostnames set {} HOSTNAME... --cert {} --enable",
                    sanitize(&zone.name),
                    sanitize(created.status.as_ref().map_or("?", |s| s.as_str())),
                    sanitize(&zone.name),
                    sanitize(created.id.as_deref().unwrap_or("?")),
                )?;
                let summary = Certificate {
                    certificate: None,
                    ..created
                };
                output::certificate_detail(out, &summary, None, now)?;
            }
        }
        HostnamesCommand::Delete {
            zone,
            cert_id,
            yes,
            force,
            json,
        } => {
            let zone = client.resolve_zone(&zone).await?;
            let deleted = delete(client, known.as_ref(), &zone, &cert_id, yes, force).await?;
            let what = "hostname certificate";
            output::deleted(out, what, &zone, &cert_id, &deleted, json, profile)?;
        }
        HostnamesCommand::Status {
            zone,
            hostnames: named,
            discover,
            json,
        } => {
            let zone = client.resolve_zone(&zone).await?;
            let states = status(client, known.as_ref(), &zone, &named, discover).await?;
            if json {
                output::json(out, profile, &states)?;
            } else {
                let certs = client.list_hostname_certificates(&zone.id).await?;
                print_status(out, &zone, &states, discover)?;
                for s in &states {
                    if let Some(problem) = s.problem(&certs, now) {
                        writeln!(
                            out,
                            "warning: {}: {}",
                            sanitize(&s.hostname),
                            sanitize(&problem)
                        )?;
                    }
                }
            }
            let unread = states.iter().filter(|s| s.error.is_some()).count();
            if unread > 0 {
                return Err(CliError::Partial(format!(
                    "the association of {unread} of {} hostname(s) could not be read",
                    states.len()
                )));
            }
        }
        HostnamesCommand::Set {
            zone,
            hostnames: names,
            cert_id,
            enable,
            disable: _,
            json,
        } => {
            let zone = client.resolve_zone(&zone).await?;
            let settings: Vec<HostnameSetting> = names
                .iter()
                .map(|h| HostnameSetting {
                    hostname: hostnames::normalize(h),
                    cert_id: Some(cert_id.clone()),
                    enabled: Some(enable),
                })
                .collect();
            let result = client.set_hostnames(&zone.id, &settings).await?;
            remember(known.as_ref(), &zone, &settings);
            print_associations(out, &zone, &result, json, profile)?;
        }
        HostnamesCommand::Clear {
            zone,
            hostnames: names,
            json,
        } => {
            let zone = client.resolve_zone(&zone).await?;
            let recorded = known.as_ref().map(|k| k.zone(&zone.id)).unwrap_or_default();
            let settings: Vec<HostnameSetting> = names
                .iter()
                .map(|h| {
                    let hostname = hostnames::normalize(h);
                    HostnameSetting {
                        cert_id: recorded.get(&hostname).and_then(|s| s.cert_id.clone()),
                        hostname,
                        enabled: None,
                    }
                })
                .collect();
            let result = client.set_hostnames(&zone.id, &settings).await?;
            remember(known.as_ref(), &zone, &settings);
            print_associations(out, &zone, &result, json, profile)?;
        }
    }
    Ok(())
}

/// Notes the hostnames originpull just changed; a file that cannot be written costs
/// only what `status` would know next time, so it is logged, not fatal.
fn remember(known: Option<&KnownHostnames>, zone: &Zone, settings: &[HostnameSetting]) {
    let Some(known) = known else { return };
    let at = Utc::now();
    let seen = settings.iter().map(|s| {
        (
            s.hostname.clone(),
            Seen {
                source: Source::Associated,
                // A cleared hostname is associated with nothing any more.
                cert_id: s.enabled.and(s.cert_id.clone()),
                at,
            },
        )
    });
    if let Err(e) = known.record(&zone.id, seen) {
        tracing::warn!(path = %known.path().display(), error = %e, "known hostnames not written");
    }
}

/// The hostnames named, known and (with `discover`) proxied, each with its
/// association; the named and discovered ones are remembered for next time.
async fn status(
    client: &Client,
    known: Option<&KnownHostnames>,
    zone: &Zone,
    named: &[String],
    discover: bool,
) -> Result<Vec<HostnameState>, CliError> {
    let recorded = known.map(|k| k.zone(&zone.id)).unwrap_or_default();
    let discovered = if discover {
        client.proxied_hostnames(&zone.id).await?
    } else {
        Vec::new()
    };
    let asked = hostnames::merge(
        named,
        recorded.iter().map(|(h, s)| (h.clone(), s.source)),
        &discovered,
    );
    let states = hostnames::associations(client, &zone.id, asked).await;
    if let Some(known) = known {
        let seen = hostnames::seen(&states, Utc::now());
        if let Err(e) = known.record(&zone.id, seen) {
            tracing::warn!(path = %known.path().display(), error = %e, "known hostnames not written");
        }
    }
    Ok(states)
}

async fn delete(
    client: &Client,
    known: Option<&KnownHostnames>,
    zone: &Zone,
    cert_id: &str,
    yes: bool,
    force: bool,
) -> Result<Certificate, CliError> {
    if !yes && !io::stdin().is_terminal() {
        return Err(CliError::Refused(
            "refusing to delete without confirmation: standard input is not a terminal; \
             add --yes to delete from a script"
                .into(),
        ));
    }
    let cert = client.get_hostname_certificate(&zone.id, cert_id).await?;
    // No call lists a certificate's hostnames: ask about every one originpull knows.
    let states = status(client, known, zone, &[], false).await?;
    let users: Vec<&HostnameState> = states.iter().filter(|s| s.uses(cert_id)).collect();
    let unread: Vec<&HostnameState> = states.iter().filter(|s| s.error.is_some()).collect();
    if !force && !users.is_empty() {
        let names: Vec<String> = users
            .iter()
            .map(|s| sanitize(&s.hostname).into_owned())
            .collect();
        return Err(CliError::Refused(format!(
            "refusing to delete {}: {} known hostname(s) still use it ({}); move them to \
             another certificate (originpull hostnames set {} HOSTNAME... --cert NEW_ID --enable) \
             or clear them first, or add --force",
            sanitize(cert_id),
            users.len(),
            names.join(", "),
            sanitize(&zone.name)
        )));
    }
    if !force && !unread.is_empty() {
        return Err(CliError::Refused(format!(
            "refusing to delete {}: the associations of {} known hostname(s) could not be read \
             ({}), so it is not known whether they use it; try again, or add --force",
            sanitize(cert_id),
            unread.len(),
            sanitize(unread[0].error.as_deref().unwrap_or("?"))
        )));
    }
    if !yes {
        let mut prompt = format!(
            "Delete hostname certificate {} from {}?\n  issuer   {}\n  expires  {}\n  status   {}\n",
            sanitize(cert_id),
            sanitize(&zone.name),
            sanitize(cert.issuer.as_deref().unwrap_or("-")),
            sanitize(cert.expires_on.as_ref().map_or("-", |t| t.raw())),
            sanitize(cert.status.as_ref().map_or("-", |s| s.as_str())),
        );
        if !users.is_empty() {
            prompt.push_str(&format!(
                "WARNING: {} hostname(s) still use it (--force): they lose their certificate.\n",
                users.len()
            ));
        }
        prompt.push_str(
            "Known hostnames only: hostnames originpull has not seen may use it too \
             (originpull hostnames status ZONE --discover finds the proxied ones).\n\
             Type y to delete, anything else cancels: ",
        );
        if !ask_yes(prompt).await? {
            return Err(CliError::Refused("cancelled: nothing was deleted".into()));
        }
    }
    Ok(client
        .delete_hostname_certificate(&zone.id, cert_id)
        .await?)
}

/// The three states in words: "disable" and "clear" do different things.
pub fn association_word(association: Option<&Association>) -> &'static str {
    match association.and_then(|a| a.enabled) {
        Some(true) => "enabled",
        Some(false) => "disabled (no certificate sent)",
        None => "none (zone-level applies)",
    }
}

fn print_status(
    out: &mut dyn Write,
    zone: &Zone,
    states: &[HostnameState],
    discovered: bool,
) -> io::Result<()> {
    if states.is_empty() {
        writeln!(
            out,
            "{}: no hostname known; name some (originpull hostnames status {} HOSTNAME...) or add --discover",
            sanitize(&zone.name),
            sanitize(&zone.name)
        )?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = states
        .iter()
        .map(|s| {
            let a = s.association.as_ref();
            let field = |v: Option<&str>| sanitize(v.unwrap_or("-")).into_owned();
            vec![
                sanitize(&s.hostname).into_owned(),
                match &s.error {
                    Some(_) => "unreadable (below)".to_owned(),
                    None => association_word(a).to_owned(),
                },
                field(a.and_then(|a| a.cert_id.as_deref())),
                field(a.and_then(|a| a.status.as_ref()).map(|s| s.as_str())),
                field(a.and_then(|a| a.cert_status.as_ref()).map(|s| s.as_str())),
                a.and_then(|a| a.expires_on.as_ref())
                    .map_or_else(|| "-".to_owned(), |t| sanitize(&t.date()).into_owned()),
                source_word(s.source).to_owned(),
            ]
        })
        .collect();
    output::table(
        out,
        &[
            "HOSTNAME",
            "ASSOCIATION",
            "CERT",
            "STATUS",
            "CERT STATUS",
            "EXPIRES",
            "KNOWN FROM",
        ],
        &rows,
    )?;
    for s in states {
        if let Some(e) = &s.error {
            writeln!(out, "{}: {}", sanitize(&s.hostname), sanitize(e))?;
        }
    }
    if !discovered {
        writeln!(
            out,
            "(the hostnames named and those originpull has seen; --discover adds every proxied DNS record)"
        )?;
    }
    Ok(())
}

fn source_word(source: Source) -> &'static str {
    match source {
        Source::Named => "named",
        Source::Associated => "associated here",
        Source::Discovered => "proxied DNS record",
    }
}

fn print_associations(
    out: &mut dyn Write,
    zone: &Zone,
    result: &[Association],
    json: bool,
    profile: Option<&str>,
) -> io::Result<()> {
    if json {
        return output::json(out, profile, &result);
    }
    let rows: Vec<Vec<String>> = result
        .iter()
        .map(|a| {
            vec![
                sanitize(a.hostname.as_deref().unwrap_or("-")).into_owned(),
                association_word(Some(a)).to_owned(),
                sanitize(a.cert_id.as_deref().unwrap_or("-")).into_owned(),
                sanitize(a.status.as_ref().map_or("-", |s| s.as_str())).into_owned(),
            ]
        })
        .collect();
    writeln!(out, "{}", sanitize(&zone.name))?;
    output::table(out, &["HOSTNAME", "ASSOCIATION", "CERT", "STATUS"], &rows)
}
