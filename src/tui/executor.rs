//! Runs `update`'s commands as tokio tasks on one shared client and sends each result
//! back into the loop as a message.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::AbortHandle;

use crate::api::ZONES_PER_PAGE;
use crate::api::{CallNotice, Client, NameFilter};
use crate::app::{Cmd, Msg, Reply, Ticket, UploadError};
use crate::cache::ZoneCache;
use crate::certinfo;
use crate::hostnames::{self, KnownHostnames};
use crate::rank::Ranker;
use crate::rotate::{self, Journal, JournalDir};
use crate::survey::{self, SurveyCache};

tokio::task_local! {
    /// The call a task runs, so the client's retry notices can name it.
    static CALL: u64;
}

pub struct Executor {
    client: Client,
    journals: Option<JournalDir>,
    /// The hostnames originpull has seen, per zone.
    known: Option<KnownHostnames>,
    /// The rotation under way: its checked files (the key among them) and journal.
    rotation: Option<Arc<ActiveRotation>>,
    /// The rotation's calls on the wire at once; its waits hold no slot.
    rotation_slots: Arc<Semaphore>,
    /// The zone search in flight, aborted when typing goes on.
    search: Option<AbortHandle>,
    cache: Option<ZoneCache>,
    survey_cache: Option<SurveyCache>,
    tx: mpsc::UnboundedSender<Msg>,
    /// Running tasks and the zone each is for, so switching zones can abort them.
    tasks: Vec<(Option<Ticket>, AbortHandle)>,
    /// The zone filter's ranking, in threads of its own.
    ranker: Ranker,
    /// A hidden hook (`ORIGINPULL_TEST_PANIC`) for the test that a panic in a task ends
    /// the app cleanly: the first task panics.
    panic_for_test: bool,
}

impl Executor {
    pub fn new(
        client: Client,
        cache: Option<ZoneCache>,
        survey_cache: Option<SurveyCache>,
        journals: Option<JournalDir>,
        known: Option<KnownHostnames>,
        tx: mpsc::UnboundedSender<Msg>,
    ) -> Self {
        // The client does not know about calls; the task it runs in does.
        let retries = tx.clone();
        let client = client.observe(Arc::new(move |notice| {
            if let Ok(call) = CALL.try_with(|&call| call) {
                let _ = retries.send(Msg::Delayed {
                    call,
                    note: notice.to_string(),
                    retry_reason: match notice {
                        CallNotice::Retrying(retry) => Some(retry.reason.clone()),
                        CallNotice::RateLimited { .. } => None,
                    },
                });
            }
        }));
        let ranked = tx.clone();
        Self {
            client,
            journals,
            known,
            rotation: None,
            rotation_slots: Arc::new(Semaphore::new(rotate::run::CONCURRENCY)),
            panic_for_test: std::env::var_os("ORIGINPULL_TEST_PANIC").is_some(),
            search: None,
            cache,
            survey_cache,
            ranker: Ranker::spawn(move |r| {
                let _ = ranked.send(Msg::Ranked(r));
            }),
            tx,
            tasks: Vec::new(),
        }
    }

    pub fn run(&mut self, cmd: Cmd) {
        self.tasks.retain(|(_, h)| !h.is_finished());
        let client = self.client.clone();
        match cmd {
            Cmd::VerifyToken { call } => self.spawn(call, None, async move {
                Reply::Token(client.verify_token().await)
            }),
            Cmd::LoadCache { call } => {
                let cache = self.cache.clone();
                self.spawn(call, None, async move {
                    let zones = match cache {
                        Some(cache) => tokio::task::spawn_blocking(move || cache.load())
                            .await
                            .ok()
                            .flatten(),
                        None => None,
                    };
                    Reply::Cached(zones)
                })
            }
            Cmd::SaveCache { zones } => {
                if let Some(cache) = self.cache.clone() {
                    tokio::task::spawn_blocking(move || {
                        if let Err(e) = cache.save(&zones) {
                            tracing::warn!(path = %cache.path().display(), error = %e, "zone cache not saved");
                        }
                    });
                }
            }
            Cmd::LoadZonePage {
                call,
                generation,
                page,
            } => self.spawn(call, None, async move {
                Reply::ZonePage {
                    generation,
                    page,
                    result: client.zones_page(page, ZONES_PER_PAGE, None).await,
                }
            }),
            Cmd::SearchZones {
                call,
                generation,
                query,
                after,
            } => {
                // Typing on supersedes the search: only the last one goes out.
                if let Some(previous) = self.search.take() {
                    previous.abort();
                }
                self.spawn(call, None, async move {
                    tokio::time::sleep(after).await;
                    let filter = NameFilter::Contains(query);
                    Reply::SearchResult {
                        generation,
                        result: client.zones_page(1, ZONES_PER_PAGE, Some(&filter)).await,
                    }
                });
                self.search = self.tasks.last().map(|(_, h)| h.clone());
            }
            Cmd::LoadCertificates {
                call,
                ticket,
                after,
            } => self.spawn(call, Some(ticket.clone()), async move {
                if let Some(delay) = after {
                    tokio::time::sleep(delay).await;
                }
                let result = client.list_certificates(&ticket.zone_id).await;
                Reply::Certificates { ticket, result }
            }),
            Cmd::LoadEnablement { call, ticket } => {
                self.spawn(call, Some(ticket.clone()), async move {
                    let result = client.get_enablement(&ticket.zone_id).await;
                    Reply::Enablement { ticket, result }
                })
            }
            Cmd::SetEnablement {
                call,
                ticket,
                enabled,
            } => self.spawn(call, None, async move {
                let result = client.set_enablement(&ticket.zone_id, enabled).await;
                Reply::Toggled { ticket, result }
            }),
            Cmd::LoadSettings { call, ticket } => {
                self.spawn(call, Some(ticket.clone()), async move {
                    let result = client.zone_settings(&ticket.zone_id).await;
                    Reply::Settings { ticket, result }
                })
            }
            Cmd::LoadHostnameCertificates { call, ticket } => {
                self.spawn(call, Some(ticket.clone()), async move {
                    let result = client.list_hostname_certificates(&ticket.zone_id).await;
                    Reply::HostnameCertificates { ticket, result }
                })
            }
            Cmd::SetGlobal { call, ticket, on } => self.spawn(call, None, async move {
                let result = client.set_global(&ticket.zone_id, on).await;
                Reply::GlobalSet { ticket, result }
            }),
            Cmd::Upload {
                call,
                ticket,
                cert_path,
                key_path,
                hostname,
            } => self.spawn(call, None, async move {
                let result = upload(&client, &ticket.zone_id, cert_path, key_path, hostname).await;
                Reply::Uploaded {
                    ticket,
                    result,
                    hostname,
                }
            }),
            Cmd::Delete {
                call,
                ticket,
                cert_id,
                hostname,
            } => self.spawn(call, None, async move {
                let result = if hostname {
                    client
                        .delete_hostname_certificate(&ticket.zone_id, &cert_id)
                        .await
                } else {
                    client.delete_certificate(&ticket.zone_id, &cert_id).await
                };
                Reply::Deleted {
                    ticket,
                    cert_id,
                    result,
                    hostname,
                }
            }),
            Cmd::LoadSurveyCache { call } => {
                let cache = self.survey_cache.clone();
                self.spawn(call, None, async move {
                    let states = match cache {
                        Some(cache) => tokio::task::spawn_blocking(move || cache.load())
                            .await
                            .unwrap_or_default(),
                        None => Vec::new(),
                    };
                    Reply::SurveyCache(states)
                })
            }
            Cmd::Survey { call, ask } => self.spawn(call, None, async move {
                let answer = survey::run::ask(&client, &ask).await;
                Reply::Surveyed { call: ask, answer }
            }),
            Cmd::SaveSurveyZone(state) => {
                if let Some(cache) = self.survey_cache.clone() {
                    tokio::task::spawn_blocking(move || {
                        if let Err(e) = cache.append(&state) {
                            tracing::warn!(path = %cache.path().display(), error = %e, "survey cache not written");
                        }
                    });
                }
            }
            Cmd::SetHostnames {
                call,
                ticket,
                settings,
            } => {
                let known = self.known.clone();
                self.spawn(call, None, async move {
                    let result = client.set_hostnames(&ticket.zone_id, &settings).await;
                    if result.is_ok()
                        && let Some(known) = known
                    {
                        let zone = ticket.zone_id.clone();
                        let at = chrono::Utc::now();
                        let seen: Vec<_> = settings
                            .iter()
                            .map(|s| {
                                let seen = hostnames::Seen {
                                    source: hostnames::Source::Associated,
                                    cert_id: s.enabled.and(s.cert_id.clone()),
                                    at,
                                };
                                (s.hostname.clone(), seen)
                            })
                            .collect();
                        let _ = tokio::task::spawn_blocking(move || {
                            if let Err(e) = known.record(&zone, seen) {
                                tracing::warn!(error = %e, "known hostnames not written");
                            }
                        })
                        .await;
                    }
                    Reply::HostnamesSet { ticket, result }
                })
            }
            Cmd::LoadHostnames { call, ticket } => {
                let known = self.known.clone();
                let known_after = self.known.clone();
                self.spawn(call, Some(ticket.clone()), async move {
                    let zone = ticket.zone_id.clone();
                    let recorded = match known {
                        Some(known) => tokio::task::spawn_blocking(move || known.zone(&zone))
                            .await
                            .unwrap_or_default(),
                        None => Default::default(),
                    };
                    // Knowing none (a first look, or the demo), the view discovers the
                    // zone's proxied hostnames, as `hostnames status --discover` does.
                    let discovered = match recorded.is_empty() {
                        true => client
                            .proxied_hostnames(&ticket.zone_id)
                            .await
                            .unwrap_or_default(),
                        false => Vec::new(),
                    };
                    let asked = hostnames::merge(
                        &[],
                        recorded.into_iter().map(|(h, s)| (h, s.source)),
                        &discovered,
                    );
                    let states = hostnames::associations(&client, &ticket.zone_id, asked).await;
                    if let Some(known) = known_after {
                        let zone = ticket.zone_id.clone();
                        let seen = hostnames::seen(&states, chrono::Utc::now());
                        let _ =
                            tokio::task::spawn_blocking(move || known.record(&zone, seen)).await;
                    }
                    Reply::Hostnames { ticket, states }
                })
            }
            Cmd::CompletePath {
                call,
                pane,
                field,
                typed,
            } => self.spawn(call, None, async move {
                let listed = typed.clone();
                let candidates = tokio::task::spawn_blocking(move || completions(&listed))
                    .await
                    .unwrap_or_default();
                Reply::Completed {
                    pane,
                    field,
                    typed,
                    candidates,
                }
            }),
            Cmd::ReadNewCert { call, pane, path } => self.spawn(call, None, async move {
                let file = expand_home(Path::new(&path));
                let result = tokio::task::spawn_blocking(move || {
                    let pem = certinfo::read_pem(&file, certinfo::PemInput::Certificate)?;
                    certinfo::parse_certificate(&pem)
                })
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
                Reply::NewCertRead { pane, path, result }
            }),
            Cmd::StartRotation {
                call,
                pane,
                cert_path,
                key_path,
                hostnames,
            } => {
                let (cert, key) = (expand_home(&cert_path), expand_home(&key_path));
                let checked = certinfo::load_upload(&cert, &key);
                let result = checked.map(|upload| {
                    let journal = self.journals.as_ref().map(|dir| match hostnames {
                        true => dir.hostnames_journal(&upload.details.sha256),
                        false => dir.journal(&upload.details.sha256),
                    });
                    let memory = journal.as_ref().map(Journal::load).unwrap_or_default();
                    let details = upload.details.clone();
                    self.rotation = Some(Arc::new(ActiveRotation { upload, journal }));
                    (details, memory)
                });
                let _ = self.tx.send(Msg::Reply {
                    call,
                    reply: Reply::RotationReady { pane, result },
                });
            }
            Cmd::Journal(entries) => {
                // Written here, in order, before any call that follows it is spawned.
                if let Some(journal) = self.rotation.as_ref().and_then(|r| r.journal.as_ref())
                    && let Err(e) = journal.append(entries, chrono::Utc::now())
                {
                    tracing::error!(path = %journal.path().display(), error = %e, "rotation journal not written");
                }
            }
            Cmd::Rotate { call, pane, step } => {
                let Some(active) = self.rotation.clone() else {
                    return;
                };
                let slots = self.rotation_slots.clone();
                self.spawn(call, None, async move {
                    tokio::time::sleep(step.after).await;
                    let _slot = slots.acquire_owned().await;
                    let answer = rotate::run::perform(&client, &step, &active.upload).await;
                    Reply::Rotated { pane, step, answer }
                });
            }
            Cmd::EndRotation => {
                if let Some(journal) = self.rotation.take().and_then(|r| r.journal.clone()) {
                    tokio::task::spawn_blocking(move || {
                        if let Err(e) = journal.close() {
                            tracing::warn!(path = %journal.path().display(), error = %e, "rotation journal not removed");
                        }
                    });
                }
            }
            Cmd::RankNames(names) => self.ranker.names(names),
            Cmd::Rank { generation, query } => self.ranker.rank(generation, query),
            Cmd::AbortStale { keep } => self.tasks.retain(|(ticket, handle)| {
                let stale = ticket.is_some() && *ticket != keep;
                if stale {
                    handle.abort();
                }
                !stale
            }),
            // The driver keeps it for whoever holds the terminal.
            Cmd::Copy { .. } => {}
            Cmd::Quit => {
                for (_, handle) in self.tasks.drain(..) {
                    handle.abort();
                }
            }
        }
    }

    fn spawn(
        &mut self,
        call: u64,
        ticket: Option<Ticket>,
        work: impl Future<Output = Reply> + Send + 'static,
    ) {
        let tx = self.tx.clone();
        let panic = std::mem::take(&mut self.panic_for_test);
        let handle = tokio::spawn(async move {
            assert!(
                !panic,
                "ORIGINPULL_TEST_PANIC: a background task panics, as asked"
            );
            let reply = CALL.scope(call, work).await;
            // The loop may have ended; nothing is waiting for the reply then.
            let _ = tx.send(Msg::Reply { call, reply });
        });
        self.tasks.push((ticket, handle.abort_handle()));
    }
}

/// Local checks first, then the upload. The key material is wiped when `pair`
/// drops, right after the request.
async fn upload(
    client: &Client,
    zone_id: &str,
    cert_path: PathBuf,
    key_path: PathBuf,
    hostname: bool,
) -> Result<crate::api::Certificate, UploadError> {
    let checked = tokio::task::spawn_blocking(move || {
        certinfo::load_upload(&expand_home(&cert_path), &expand_home(&key_path))
    })
    .await;
    let pair = match checked {
        Ok(pair) => pair?,
        // A panic in the check is a bug: it goes on as the panic it is.
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            // Cancelled: the runtime is shutting down and nothing awaits the answer.
            Err(_) => std::future::pending().await,
        },
    };
    let uploaded = if hostname {
        client
            .upload_hostname_certificate(zone_id, &pair.certificate, &pair.private_key)
            .await
    } else {
        client
            .upload_certificate(zone_id, &pair.certificate, &pair.private_key)
            .await
    };
    Ok(uploaded?)
}

/// A rotation's checked files and its journal, for its calls.
struct ActiveRotation {
    upload: certinfo::Upload,
    journal: Option<Journal>,
}

/// The names that complete `typed` as a path: entries of its directory starting
/// with its last part, a directory's with a `/` after it. Hidden ones only when
/// the part starts with a dot.
fn completions(typed: &str) -> Vec<String> {
    const MAX: usize = 200;
    let (dir_part, prefix) = match typed.rfind('/') {
        Some(i) => typed.split_at(i + 1),
        None => ("", typed),
    };
    let dir = if dir_part.is_empty() {
        PathBuf::from(".")
    } else {
        expand_home(Path::new(dir_part))
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let visible = !name.starts_with('.') || prefix.starts_with('.');
            (visible && name.starts_with(prefix)).then(|| {
                let slash = if entry.path().is_dir() { "/" } else { "" };
                format!("{dir_part}{name}{slash}")
            })
        })
        .take(MAX)
        .collect();
    names.sort();
    names
}

/// People type `~/certs/origin.pem` into the form; the shell is not there to expand it.
fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_owned(),
    }
}
