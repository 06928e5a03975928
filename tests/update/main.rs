//! `update` on its own: keys and replies in, model and commands out. No I/O, except
//! the real ranker where a test filters the zone list (it runs in threads of its
//! own, as in the app). One file per part of the screen, as in `src/app/update/`.

mod changes;
mod dialogs;
mod fleet;
mod keys;
mod open_zone;
mod rotation;
mod zones;

use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use originpull::api::{
    ApiError, ApiMessage, ApiTime, CertStatus, Certificate, GlobalAop, Page, ResultInfo, SslMode,
    Zone, ZoneSettings,
};
use originpull::app::*;
use originpull::certinfo::CertError;
use originpull::rank::{Ranked, Ranker};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap()
}

fn zone(i: usize) -> Zone {
    Zone {
        id: format!("{i:032x}"),
        name: format!("zone{i:02}.example"),
        status: Some("active".into()),
        account: None,
    }
}

fn cert(id: &str, status: CertStatus, days: i64) -> Certificate {
    Certificate {
        id: Some(id.into()),
        status: Some(status),
        issuer: Some("Example Origin CA".into()),
        expires_on: Some(ApiTime::from_datetime(now() + chrono::Duration::days(days))),
        ..Default::default()
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn api_error(status: u16, code: i64) -> ApiError {
    ApiError::Api {
        status,
        errors: vec![ApiMessage {
            code: Some(code),
            message: "simulated".into(),
            ..Default::default()
        }],
    }
}

/// Feeds a message and returns what it asks of the API side. The ranking commands
/// are left out: a test that filters hands them to a [`TestRanker`].
fn send(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    update(model, msg)
        .into_iter()
        .filter(|c| !is_ranking(c))
        .collect()
}

fn is_ranking(cmd: &Cmd) -> bool {
    matches!(cmd, Cmd::Rank { .. } | Cmd::RankNames(_))
}

/// The app's ranker, fed by the test with the commands `update` sends it.
struct TestRanker {
    ranker: Ranker,
    answers: mpsc::Receiver<Ranked>,
}

impl TestRanker {
    fn new() -> Self {
        let (tx, answers) = mpsc::channel();
        let ranker = Ranker::spawn(move |r| {
            let _ = tx.send(r);
        });
        Self { ranker, answers }
    }

    /// Hands the ranking commands among `cmds` to the ranker; returns the rest.
    fn forward(&self, cmds: Vec<Cmd>) -> Vec<Cmd> {
        let mut rest = Vec::new();
        for cmd in cmds {
            match cmd {
                Cmd::RankNames(names) => self.ranker.names(names),
                Cmd::Rank { generation, query } => self.ranker.rank(generation, query),
                other => rest.push(other),
            }
        }
        rest
    }

    /// Applies the ranker's answers until the model waits for none.
    fn settle(&self, model: &mut Model) -> Vec<Cmd> {
        let mut out = Vec::new();
        while model.zones.ranking.waiting {
            let answer = self
                .answers
                .recv_timeout(Duration::from_secs(10))
                .expect("the ranker answers");
            let cmds = update(model, Msg::Ranked(answer));
            out.extend(self.forward(cmds));
        }
        out
    }

    /// Feeds `msg` and lets the ranker answer; returns the API side's commands.
    fn send(&self, model: &mut Model, msg: Msg) -> Vec<Cmd> {
        let mut out = self.forward(update(model, msg));
        out.extend(self.settle(model));
        out
    }
}

/// A model whose first page of zones (of `total`) has landed, its names and rankings
/// going to `ranker`; and the commands that page sent.
fn ranked_with_zones(ranker: &TestRanker, zones: Vec<Zone>, total: u64) -> (Model, Vec<Cmd>) {
    let mut model = Model::new(Screen::Main, "test", now());
    let cmds = ranker.send(
        &mut model,
        Msg::Init {
            verify_token: false,
        },
    );
    let (call, generation) = first_page(&cmds);
    let cmds = ranker.send(&mut model, page_reply(call, generation, 1, zones, total));
    (model, cmds)
}

/// A fresh model after `Init`, and the commands it sent.
fn started() -> (Model, Vec<Cmd>) {
    let mut model = Model::new(Screen::Main, "test", now());
    let cmds = send(
        &mut model,
        Msg::Init {
            verify_token: false,
        },
    );
    (model, cmds)
}

/// The call and generation of the first zone page `cmds` ask for.
fn first_page(cmds: &[Cmd]) -> (u64, u64) {
    match zone_page(cmds) {
        Cmd::LoadZonePage {
            call, generation, ..
        } => (call, generation),
        _ => unreachable!(),
    }
}

/// The call, generation and page of every zone page `cmds` ask for.
fn zone_pages(cmds: &[Cmd]) -> Vec<(u64, u64, u64)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::LoadZonePage {
                call,
                generation,
                page,
            } => Some((*call, *generation, *page)),
            _ => None,
        })
        .collect()
}

/// The first zone page a batch of commands asks for.
fn zone_page(cmds: &[Cmd]) -> Cmd {
    cmds.iter()
        .find(|c| matches!(c, Cmd::LoadZonePage { .. }))
        .cloned()
        .unwrap_or_else(|| panic!("no zone page in {cmds:?}"))
}

/// Page `page` of a listing of `total` zones, answering `call`.
fn page_reply(call: u64, generation: u64, page: u64, zones: Vec<Zone>, total: u64) -> Msg {
    Msg::Reply {
        call,
        reply: Reply::ZonePage {
            generation,
            page,
            result: Ok(Page {
                items: zones,
                info: Some(ResultInfo {
                    per_page: Some(50),
                    total_count: Some(total),
                    ..Default::default()
                }),
            }),
        },
    }
}

/// The first page of a listing failing with `error`.
fn page_failed(call: u64, generation: u64, error: ApiError) -> Msg {
    Msg::Reply {
        call,
        reply: Reply::ZonePage {
            generation,
            page: 1,
            result: Err(error),
        },
    }
}

/// The client's notice that `call` is being retried after a 503.
fn retry_notice(call: u64) -> Msg {
    Msg::Delayed {
        call,
        note: "retry 2/3 in 0.4 s: HTTP 503".into(),
        retry_reason: Some("HTTP 503".into()),
    }
}

/// The answer to an enablement read.
fn enablement_read(call: u64, ticket: Ticket, result: Result<bool, ApiError>) -> Msg {
    Msg::Reply {
        call,
        reply: Reply::Enablement { ticket, result },
    }
}

/// The answer to an upload.
fn upload_answer(call: u64, ticket: Ticket, result: Result<Certificate, UploadError>) -> Msg {
    Msg::Reply {
        call,
        reply: Reply::Uploaded {
            ticket,
            result,
            hostname: false,
        },
    }
}

/// The local check's answer to an upload whose key does not fit its certificate.
fn key_refused(call: u64, ticket: Ticket) -> Msg {
    upload_answer(
        call,
        ticket,
        Err(UploadError::Local(CertError::KeyMismatch {
            certificate_key: "ECDSA P-256".into(),
            private_key: "ECDSA P-384".into(),
        })),
    )
}

/// The status line holds an information message with every one of `words`.
fn assert_info(model: &Model, words: &[&str]) {
    match &model.status {
        Some(StatusMessage::Info(text)) => {
            assert!(words.iter().all(|w| text.contains(w)), "{text}")
        }
        other => panic!("not an information message: {other:?}"),
    }
}

/// The status line holds an error with every one of `words`.
fn assert_error(model: &Model, words: &[&str]) {
    match &model.status {
        Some(StatusMessage::Error(text)) => {
            assert!(words.iter().all(|w| text.contains(w)), "{text}")
        }
        other => panic!("not an error: {other:?}"),
    }
}

/// A model whose zone list holds `n` zones, every page it asked for answered (a full
/// last page is followed by a look at the next, which comes back empty).
fn with_zones(n: usize) -> Model {
    let (mut model, mut cmds) = started();
    let all: Vec<Zone> = (0..n).map(zone).collect();
    loop {
        let pages = zone_pages(&cmds);
        if pages.is_empty() {
            return model;
        }
        cmds = Vec::new();
        for (call, generation, page) in pages {
            let start = (page as usize - 1) * 50;
            let chunk = all[start.min(n)..(start + 50).min(n)].to_vec();
            cmds.extend(send(
                &mut model,
                page_reply(call, generation, page, chunk, n as u64),
            ));
        }
    }
}

/// The names on screen, in order.
fn shown_names(model: &Model) -> Vec<String> {
    (0..model.zones.visible_len())
        .filter_map(|i| model.zones.visible_zone(i))
        .map(|z| z.name.clone())
        .collect()
}

struct Opened {
    certs_call: u64,
    enablement_call: u64,
    settings_call: u64,
    hostnames_call: u64,
    ticket: Ticket,
}

/// Opens the selected zone and returns what it asked for.
fn open(model: &mut Model) -> Opened {
    let cmds = send(model, key(KeyCode::Enter));
    let (mut certs_call, mut enablement_call) = (None, None);
    let (mut settings_call, mut hostnames_call) = (None, None);
    for cmd in cmds {
        match cmd {
            Cmd::LoadCertificates { call, after, .. } => {
                assert_eq!(after, None);
                certs_call = Some(call);
            }
            Cmd::LoadEnablement { call, .. } => enablement_call = Some(call),
            Cmd::LoadSettings { call, .. } => settings_call = Some(call),
            Cmd::LoadHostnameCertificates { call, .. } => hostnames_call = Some(call),
            Cmd::AbortStale { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    Opened {
        certs_call: certs_call.expect("certificates are loaded"),
        enablement_call: enablement_call.expect("enablement is read"),
        settings_call: settings_call.expect("the settings are read"),
        hostnames_call: hostnames_call.expect("hostname certificates are listed"),
        ticket: model.open.as_ref().unwrap().ticket(),
    }
}

/// The answer to a certificate listing of the zone `o` opened.
fn certificates(call: u64, o: &Opened, certs: Vec<Certificate>) -> Msg {
    Msg::Reply {
        call,
        reply: Reply::Certificates {
            ticket: o.ticket.clone(),
            result: Ok(certs),
        },
    }
}

/// Answers what opening a zone asked: its certificates, enablement, settings (global
/// off, SSL strict) and no hostname certificates.
fn load(model: &mut Model, o: &Opened, certs: Vec<Certificate>, enabled: bool) -> Vec<Cmd> {
    let mut cmds = send(model, certificates(o.certs_call, o, certs));
    cmds.extend(send(
        model,
        enablement_read(o.enablement_call, o.ticket.clone(), Ok(enabled)),
    ));
    cmds.extend(send(model, settings_read(o, Ok(settings(false)))));
    cmds.extend(send(
        model,
        Msg::Reply {
            call: o.hostnames_call,
            reply: Reply::HostnameCertificates {
                ticket: o.ticket.clone(),
                result: Ok(Vec::new()),
            },
        },
    ));
    cmds
}

/// Settings with the global switch `on` (editable) and SSL strict.
fn settings(on: bool) -> ZoneSettings {
    ZoneSettings {
        global: Some(GlobalAop {
            on,
            editable: Some(true),
            modified_on: None,
        }),
        ssl: Some(SslMode::Strict),
    }
}

/// The answer to the settings read of the zone `o` opened.
fn settings_read(o: &Opened, result: Result<ZoneSettings, ApiError>) -> Msg {
    Msg::Reply {
        call: o.settings_call,
        reply: Reply::Settings {
            ticket: o.ticket.clone(),
            result,
        },
    }
}

fn open_loaded(model: &mut Model, certs: Vec<Certificate>, enabled: bool) -> Opened {
    let o = open(model);
    load(model, &o, certs, enabled);
    o
}

/// The answer to the PUT among `cmds`.
fn toggled(model: &mut Model, cmds: &[Cmd], result: Result<bool, ApiError>) -> Vec<Cmd> {
    let (call, ticket) = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::SetEnablement { call, ticket, .. } => Some((*call, ticket.clone())),
            _ => None,
        })
        .expect("a PUT was sent");
    send(
        model,
        Msg::Reply {
            call,
            reply: Reply::Toggled { ticket, result },
        },
    )
}

/// What the last frame had room for, as the view reports it.
fn drawn(model: &mut Model, drawn: Drawn) {
    send(model, Msg::Drawn(drawn));
}

/// Opens the upload form, pastes both paths and submits: the upload's call id.
fn submit_upload(model: &mut Model) -> u64 {
    send(model, ch('u'));
    send(model, Msg::Paste("/tmp/cert.pem".into()));
    send(model, key(KeyCode::Tab));
    send(model, Msg::Paste("/tmp/key.pem".into()));
    let cmds = send(model, key(KeyCode::Enter));
    let Cmd::Upload { call, .. } = cmds[0].clone() else {
        panic!("{cmds:?}")
    };
    call
}

/// Every pending command of one kind, taken out of `cmds`.
fn take<T>(cmds: &mut Vec<Cmd>, pick: impl Fn(&Cmd) -> Option<T>) -> Vec<T> {
    let mut out = Vec::new();
    cmds.retain(|c| match pick(c) {
        Some(t) => {
            out.push(t);
            false
        }
        None => true,
    });
    out
}
