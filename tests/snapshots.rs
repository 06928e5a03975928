//! Render snapshots: the whole screen for each state the SPEC's TUI contract names,
//! drawn from hand-built models with a pinned clock.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use originpull::api::{
    ApiError, ApiMessage, ApiTime, CertStatus, Certificate, SslMode, Zone, ZoneAccount,
};
use originpull::app::update::describe_error;
use originpull::app::{
    CertRow, DeleteConfirm, Focus, InFlight, Loadable, Model, Msg, NewCertView, OpenZone, Overlay,
    Ranking, RotateField, RotationPane, Screen, Stage, StatusMessage, Ticket, Toggle, UploadField,
    UploadForm, ZoneList, ZoneSummary, update,
};
use originpull::certinfo::{CertDetails, parse_certificate};
use originpull::rank::{Names, Ranker};
use originpull::rotate::{
    Answer as RotateAnswer, Ask as RotateAsk, NewCert, Options as RotateOptions, Rotation,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use rcgen::{CertificateParams, DnType, KeyPair, SerialNumber, date_time_ymd};
use tui_input::Input;
use unicode_width::UnicodeWidthStr;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn terminal(model: &Model, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| {
            originpull::ui::view(model, f);
        })
        .unwrap();
    terminal
}

/// The screen as text, one line per row, trailing blanks dropped. A wide character
/// fills two cells; its hidden second cell is skipped.
fn screen(model: &Model, width: u16, height: u16) -> String {
    let terminal = terminal(model, width, height);
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buffer.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            line.push_str(symbol);
            skip = symbol.width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn zone(id: &str, name: &str) -> Zone {
    Zone {
        id: id.to_owned(),
        name: name.to_owned(),
        status: Some("active".to_owned()),
        account: Some(Box::new(ZoneAccount {
            id: Some("acc1".to_owned()),
            name: Some("Example Ltd".to_owned()),
        })),
    }
}

fn zones() -> Vec<Zone> {
    [
        "shop.example",
        "shop-eu.example",
        "shop-staging.example",
        "api.example",
        "blog.example",
        "cdn.example",
        "docs.example",
        "status.example",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| zone(&format!("z{i}"), name))
    .collect()
}

fn cert(
    id: &str,
    status: CertStatus,
    issuer: &str,
    expires_in: Duration,
    uploaded_ago: i64,
) -> Certificate {
    Certificate {
        id: Some(id.to_owned()),
        status: Some(status),
        issuer: Some(issuer.to_owned()),
        signature: Some("ECDSAWithSHA256".to_owned()),
        serial_number: Some("6743787633689793699141714808227354901".to_owned()),
        expires_on: Some(ApiTime::from_datetime(now() + expires_in)),
        uploaded_on: Some(ApiTime::from_datetime(now() - Duration::days(uploaded_ago))),
        certificate: Some("-----BEGIN CERTIFICATE-----…".to_owned()),
        ..Default::default()
    }
}

fn details(cn: &str, not_after: DateTime<Utc>) -> CertDetails {
    CertDetails {
        subject: format!("CN={cn}, O=Example Ltd"),
        issuer: "CN=Example Origin CA, O=Example Ltd".to_owned(),
        issuer_common_name: Some("Example Origin CA".to_owned()),
        sans: vec![cn.to_owned(), "www.shop.example".to_owned()],
        serial: "05:12:8A:7F:33:C0:1B".to_owned(),
        sha256: "3F:A9:12:7C:88:01:DE:45:AB:90:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:10:20:30:40:50:0C".to_owned(),
        key: "ECDSA P-256".to_owned(),
        signature: "ecdsa-with-SHA256".to_owned(),
        not_before: not_after - Duration::days(365),
        not_after,
        is_ca: false,
    }
}

fn row(cert: Certificate) -> CertRow {
    let not_after = cert
        .expires_on
        .as_ref()
        .and_then(ApiTime::datetime)
        .unwrap();
    CertRow {
        details: Some(details("edge.shop.example", not_after)),
        cert,
    }
}

/// Puts `zones` on the list, their account named once, as loading them does.
fn set_zones(model: &mut Model, mut zones: Vec<Zone>) {
    model.zones.strip_accounts(&mut zones);
    model.zones.list = ZoneList::new(zones);
}

/// Filters the list for `query` with the app's own ranker, applying its answer as
/// the app does.
fn filter(model: &mut Model, query: &str) {
    let (tx, answers) = std::sync::mpsc::channel();
    let ranker = Ranker::spawn(move |r| {
        let _ = tx.send(r);
    });
    ranker.names(Names::Replace(model.zones.list.names_from(0)));
    ranker.rank(1, query.to_owned());
    model.zones.filter = Input::new(query.to_owned());
    model.zones.ranking = Ranking {
        asked: 1,
        waiting: true,
        ..Ranking::default()
    };
    let answer = answers
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    update(model, Msg::Ranked(answer));
}

/// The zone list loaded, with the state of three zones already known.
fn listed() -> Model {
    let mut model = Model::new(Screen::Main, "demo", now());
    model.token_status = Some("token active".to_owned());
    set_zones(&mut model, zones());
    // The list is in name order; the zone the other snapshots open is selected.
    model.zones.selected = (0..model.zones.visible_len())
        .position(|i| model.zones.visible_zone(i).unwrap().name == "shop.example")
        .unwrap();
    model.summaries = HashMap::from([
        (
            "z0".to_owned(),
            ZoneSummary {
                enabled: Some(true),
                certificates: Some(4),
                warning: true,
            },
        ),
        (
            "z1".to_owned(),
            ZoneSummary {
                enabled: Some(false),
                certificates: Some(0),
                warning: false,
            },
        ),
        (
            "z2".to_owned(),
            ZoneSummary {
                enabled: Some(true),
                certificates: Some(1),
                warning: false,
            },
        ),
    ]);
    model
}

fn open(certs: Loadable<Vec<CertRow>>, enabled: Option<bool>) -> OpenZone {
    let mut open = OpenZone::new(zone("z0", "shop.example"), 3);
    open.certs = certs;
    open.enablement = Toggle {
        server: enabled,
        ..Toggle::default()
    };
    // The other two levels as most zones have them: global off, SSL strict, no
    // hostname certificates.
    open.global.server = Some(false);
    open.ssl = Some(SslMode::Strict);
    open.hostname_certs = Loadable::Loaded(Vec::new());
    // As update does whenever something lands.
    open.assess(now());
    open
}

/// Four certificates: healthy, expiring soon, expired (all active) and one deploying.
fn four_certs() -> Vec<CertRow> {
    vec![
        row(cert(
            "7c1f0b52-93d4-4c9e-a1f7-3b5e2d8a9f10",
            CertStatus::Active,
            "Example Origin CA",
            Duration::days(92) + Duration::hours(3),
            91,
        )),
        row(cert(
            "2b9e4d11-5f60-4a7b-9c3d-1e2f3a4b5c6d",
            CertStatus::Active,
            "Example Origin CA",
            Duration::days(12) + Duration::hours(3),
            353,
        )),
        row(cert(
            "e4f5a6b7-c8d9-4e0f-8a1b-2c3d4e5f6a7b",
            CertStatus::Active,
            "Legacy CA",
            -Duration::days(3) - Duration::hours(2),
            400,
        )),
        row(cert(
            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            CertStatus::PendingDeployment,
            "Example Origin CA",
            Duration::days(276) + Duration::hours(3),
            0,
        )),
    ]
}

fn zone_open() -> Model {
    let mut model = listed();
    model.open = Some(open(Loadable::Loaded(four_certs()), Some(true)));
    model.focus = Focus::Certs;
    model
}

fn in_flight(call: u64, label: &str) -> InFlight {
    InFlight {
        call,
        label: label.to_owned(),
        ticket: None,
        note: None,
        retried: None,
    }
}

fn ticket() -> Ticket {
    Ticket {
        zone_id: "z0".to_owned(),
        generation: 3,
    }
}

#[test]
fn loading() {
    let mut model = Model::new(Screen::Main, "api.cloudflare.com", now());
    model.zones.loading = true;
    model.in_flight.push(in_flight(1, "loading zones"));
    insta::assert_snapshot!(screen(&model, 120, 40));
}

#[test]
fn zones_listed() {
    insta::assert_snapshot!(screen(&listed(), 120, 40));
}

#[test]
fn header_names_the_profile_at_80_columns() {
    let mut model = listed();
    model.profile = Some("work".to_owned());
    let text = screen(&model, 80, 24);
    let header = text.lines().next().unwrap();
    assert!(header.contains("originpull · profile work · "), "{header}");
    insta::assert_snapshot!(text);
}

#[test]
fn zones_filtering() {
    let mut model = listed();
    filter(&mut model, "shop");
    model.zones.filtering = true;
    model.zones.selected = 1;
    insta::assert_snapshot!(screen(&model, 120, 40));
}

#[test]
fn zone_list_error_shows_in_the_pane() {
    let mut model = listed();
    model.zones.error = Some("could not load zones: HTTP 502 from api.cloudflare.com".to_owned());
    let text = screen(&model, 120, 40);
    assert!(text.contains("┃✗ could not load zones: HTTP"), "{text}");
    assert!(text.contains("▶ shop.example"), "{text}");
}

#[test]
fn zone_open_120() {
    insta::assert_snapshot!(screen(&zone_open(), 120, 40));
}

#[test]
fn zone_open_160() {
    insta::assert_snapshot!(screen(&zone_open(), 160, 48));
}

/// The three levels side by side: the global switch on but locked, zone-level off,
/// two hostname certificates, and an SSL mode that voids them all.
#[test]
fn three_levels_with_an_ssl_mode_that_voids_them() {
    let mut model = listed();
    let mut open = open(Loadable::Loaded(Vec::new()), Some(false));
    open.global = Toggle {
        server: Some(true),
        locked: true,
        ..Toggle::default()
    };
    open.ssl = Some(SslMode::Flexible);
    open.hostname_certs = Loadable::Loaded(vec![
        cert(
            "h1",
            CertStatus::Active,
            "Example Origin CA",
            Duration::days(40),
            20,
        ),
        cert(
            "h2",
            CertStatus::Active,
            "Example Origin CA",
            -Duration::days(2),
            300,
        ),
    ]);
    open.assess(now());
    model.open = Some(open);
    model.focus = Focus::Certs;
    let text = screen(&model, 120, 40);
    assert!(text.contains("global ● on (locked)"), "{text}");
    assert!(text.contains("no level has any effect"), "{text}");
    assert!(text.contains("the SSL mode is flexible"), "{text}");
    assert!(
        !text.contains("get that one"),
        "nothing is presented at all: {text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn zone_open_minimum_size() {
    insta::assert_snapshot!(screen(&zone_open(), 80, 20));
}

#[test]
fn certificates_loading_failed_and_empty() {
    let mut model = listed();
    model.open = Some(open(Loadable::Loading, None));
    let loading = screen(&model, 120, 40);
    assert!(loading.contains("loading certificates…"), "{loading}");
    assert!(loading.contains("· zone-level … ·"), "{loading}");

    model.open = Some(open(
        Loadable::Failed("Cloudflare error 10000: Authentication error (HTTP 403)".into()),
        Some(true),
    ));
    let failed = screen(&model, 120, 40);
    assert!(
        failed.contains("✗ Cloudflare error 10000: Authentication error (HTTP 403)"),
        "{failed}"
    );

    model.open = Some(open(Loadable::Loaded(Vec::new()), Some(true)));
    let empty = screen(&model, 120, 40);
    assert!(
        empty.contains("No certificates. Press u to upload one."),
        "{empty}"
    );
    assert!(
        empty.contains("⚠ zone-level AOP is enabled but no certificate is active"),
        "{empty}"
    );
    insta::assert_snapshot!(empty);
}

/// The detail pane focused on a certificate parsed from a real PEM made on the spot.
fn detail_model() -> Model {
    let mut params = CertificateParams::new(vec!["edge.shop.example".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "edge.shop.example");
    params.serial_number = Some(SerialNumber::from_slice(&[0x01, 0xAB, 0xCD]));
    params.not_before = date_time_ymd(2026, 3, 1);
    params.not_after = date_time_ymd(2026, 6, 13);
    let key = KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    let mut parsed = parse_certificate(&pem).unwrap();
    // The key is random, so the fingerprint is the one line that would change each run.
    assert_eq!(parsed.sha256.len(), 32 * 3 - 1);
    parsed.sha256 = details("x", now()).sha256;

    let mut model = zone_open();
    let mut rows = four_certs();
    rows[1].cert.expires_on = Some(ApiTime::from_datetime(parsed.not_after));
    rows[1].cert.certificate = Some(pem);
    rows[1].details = Some(parsed);
    model.open = Some(open(Loadable::Loaded(rows), Some(true)));
    model.open.as_mut().unwrap().selected = 1;
    model.focus = Focus::Detail;
    model
}

#[test]
fn detail_focused() {
    insta::assert_snapshot!(screen(&detail_model(), 120, 40));
}

/// On a short terminal the pane scrolls, and its title says which lines show.
#[test]
fn detail_scrolled_on_a_short_terminal() {
    let mut model = detail_model();
    model.open.as_mut().unwrap().detail_scroll = 8;
    insta::assert_snapshot!(screen(&model, 100, 24));
    // Scrolled past its end, it shows the last lines, not blank ones.
    model.open.as_mut().unwrap().detail_scroll = 500;
    let end = screen(&model, 100, 24);
    assert!(end.contains("days left"), "{end}");
}

#[test]
fn pending_toggle() {
    let mut model = zone_open();
    let open = model.open.as_mut().unwrap();
    open.enablement = Toggle {
        server: Some(false),
        wanted: Some(true),
        in_flight: true,
        ..Toggle::default()
    };
    model.in_flight.push(in_flight(7, "enabling shop.example"));
    model.spinner = 3;
    let text = screen(&model, 120, 40);
    assert!(text.contains("zone-level ◌ Enabling…"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn help_overlay() {
    let mut model = zone_open();
    model.overlays.push(Overlay::Help);
    insta::assert_snapshot!(screen(&model, 120, 40));
}

/// Scrolled past its end, help stops at its last line: every mode's keys are there.
#[test]
fn help_overlay_scrolled_to_the_end() {
    let mut model = zone_open();
    model.overlays.push(Overlay::Help);
    model.help_scroll = usize::MAX;
    insta::assert_snapshot!(screen(&model, 120, 40));
}

fn delete_confirm() -> DeleteConfirm {
    DeleteConfirm {
        ticket: ticket(),
        zone_name: "shop.example".to_owned(),
        cert_id: "7c1f0b52-93d4-4c9e-a1f7-3b5e2d8a9f10".to_owned(),
        issuer: "Example Origin CA".to_owned(),
        expires: "2026-09-01 (92 d)".to_owned(),
        only_active_while_enabled: true,
        hostname: false,
    }
}

#[test]
fn delete_dialog_only_active() {
    let mut model = zone_open();
    model
        .overlays
        .push(Overlay::ConfirmDelete(delete_confirm()));
    insta::assert_snapshot!(screen(&model, 120, 40));
}

fn upload_form() -> UploadForm {
    UploadForm {
        ticket: ticket(),
        zone_name: "shop.example".to_owned(),
        cert_path: Input::new("/home/ops/certs/edge.shop.example.pem".into()),
        key_path: Input::new("/home/ops/certs/edge.key".into()),
        field: UploadField::Key,
        error: Some(
            "the private key does not match the certificate (certificate key: ECDSA P-256, \
             private key: RSA 2048 bits): give the private key the certificate was issued for"
                .to_owned(),
        ),
        submitting: None,
        hostname: false,
    }
}

#[test]
fn upload_with_error() {
    let mut model = zone_open();
    model.overlays.push(Overlay::Upload(upload_form()));
    insta::assert_snapshot!(screen(&model, 120, 40));
}

#[test]
fn upload_submitting_and_overlays_stack() {
    let mut model = zone_open();
    let mut form = upload_form();
    form.error = None;
    form.submitting = Some(7);
    form.field = UploadField::Certificate;
    model.overlays.push(Overlay::Upload(form));
    model.overlays.push(Overlay::Help);
    let text = screen(&model, 120, 40);
    // Help is on top: its box hides the middle of the form beneath it.
    assert!(text.contains("Esc closes"), "{text}");
    model.overlays.pop();
    let text = screen(&model, 120, 40);
    assert!(text.contains("checking and uploading…"), "{text}");
    assert!(text.contains("edge.shop.example.pem▏"), "{text}");
}

#[test]
fn error_status_line() {
    let mut model = zone_open();
    // The text the app builds for a 403, so the snapshot shows a real message.
    let e = ApiError::Api {
        status: 403,
        errors: vec![ApiMessage {
            code: Some(10000),
            message: "Authentication error".into(),
            ..Default::default()
        }],
    };
    model.status = Some(StatusMessage::Error(describe_error(
        "could not load certificates",
        &e,
    )));
    model.in_flight.push(in_flight(4, "loading shop.example"));
    model.in_flight.push(in_flight(5, "loading zones"));
    insta::assert_snapshot!(screen(&model, 120, 40));
}

#[test]
fn a_retried_call_says_why_it_waits() {
    let mut model = zone_open();
    model.in_flight.push(in_flight(4, "loading zones"));
    let mut retried = in_flight(5, "loading shop.example");
    retried.note = Some("retry 2/3 in 0.8 s: HTTP 503".to_owned());
    model.in_flight.push(retried);
    let text = screen(&model, 120, 40);
    assert!(
        text.contains("loading shop.example… (retry 2/3 in 0.8 s: HTTP 503) (+1 more)"),
        "{text}"
    );
}

#[test]
fn info_status_line_shares_the_footer_line() {
    let mut model = zone_open();
    model.status = Some(StatusMessage::Info("Uploaded 7c1f0b52.".to_owned()));
    let text = screen(&model, 120, 40);
    let last = text.lines().last().unwrap();
    assert!(
        last.contains("Uploaded 7c1f0b52.") && last.contains("r refresh"),
        "{last}"
    );
}

#[test]
fn no_credentials() {
    let model = Model::new(
        Screen::NoCredentials {
            config_path: Some("/home/ops/.config/originpull/config.toml".to_owned()),
        },
        "api.cloudflare.com",
        now(),
    );
    insta::assert_snapshot!(screen(&model, 120, 40));
}

#[test]
fn no_color_zone_open() {
    let mut model = zone_open();
    model.color = false;
    model.status = Some(StatusMessage::Error("something failed".to_owned()));
    let terminal = terminal(&model, 120, 40);
    for cell in terminal.backend().buffer().content() {
        assert_eq!(cell.fg, Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, Color::Reset, "{cell:?}");
    }
    insta::assert_snapshot!(screen(&model, 120, 40));
}

#[test]
fn too_small() {
    insta::assert_snapshot!(screen(&zone_open(), 40, 10));
}

#[test]
fn any_size_draws_without_panicking() {
    let mut model = zone_open();
    model.status = Some(StatusMessage::Error("x ".repeat(200)));
    model.in_flight.push(in_flight(1, "loading shop.example"));
    model.overlays = vec![
        Overlay::Upload(upload_form()),
        Overlay::ConfirmDelete(delete_confirm()),
        Overlay::Help,
    ];
    for width in [0, 1, 2, 10, 40, 79, 80, 81, 100, 120, 160, 300] {
        for height in [0, 1, 2, 5, 19, 20, 21, 40, 48, 120] {
            terminal(&model, width, height);
        }
    }
    let no_credentials = Model::new(Screen::NoCredentials { config_path: None }, "demo", now());
    for (width, height) in [(0, 0), (1, 1), (80, 20), (81, 21)] {
        terminal(&no_credentials, width, height);
    }
}

#[test]
fn a_huge_zone_list_shows_the_window_around_the_selection() {
    let mut model = Model::new(Screen::Main, "demo", now());
    set_zones(
        &mut model,
        (0..100_000)
            .map(|i| zone(&format!("z{i}"), &format!("zone-{i:06}.example")))
            .collect(),
    );
    model.zones.selected = 99_998;
    let text = screen(&model, 120, 40);
    assert!(text.contains("Zones 100000/100000"), "{text}");
    assert!(text.contains("▶ zone-099998.example"), "{text}");
    assert!(text.contains("zone-099970.example"), "{text}");
    assert!(!text.contains("zone-000000.example"), "{text}");
}

/// Zone names, issuers and errors come from the API: an escape sequence in one must
/// reach the screen as visible text, never as a control character.
#[test]
fn api_text_cannot_drive_the_terminal() {
    let evil = "evil\u{1b}[2J\u{1b}]0;x\u{7}.example";
    let mut model = zone_open();
    let mut listed = zones();
    listed[0].name = evil.to_owned();
    set_zones(&mut model, listed);
    model.zones.account = Some(evil.to_owned());
    model.zones.error = Some(evil.to_owned());
    model.token_status = Some(evil.to_owned());
    let open = model.open.as_mut().unwrap();
    open.zone.name = evil.to_owned();
    for row in rows_mut(open) {
        row.cert.issuer = Some(evil.to_owned());
        row.cert.id = Some(evil.to_owned());
        row.cert.status = Some(CertStatus::Unknown(evil.to_owned()));
        if let Some(d) = row.details.as_mut() {
            d.subject = evil.to_owned();
            d.sans = vec![evil.to_owned()];
        }
    }
    model.status = Some(StatusMessage::Error(evil.to_owned()));
    model.in_flight.push(in_flight(1, evil));
    let mut confirm = delete_confirm();
    confirm.zone_name = evil.to_owned();
    confirm.issuer = evil.to_owned();
    confirm.cert_id = evil.to_owned();
    let mut form = upload_form();
    form.zone_name = evil.to_owned();
    form.error = Some(evil.to_owned());
    for overlay in [
        None,
        Some(Overlay::ConfirmDelete(confirm)),
        Some(Overlay::Upload(form)),
    ] {
        model.overlays = overlay.into_iter().collect();
        let terminal = terminal(&model, 160, 48);
        for cell in terminal.backend().buffer().content() {
            assert!(
                !cell.symbol().chars().any(char::is_control),
                "control character drawn: {cell:?}"
            );
        }
        let text = screen(&model, 160, 48);
        assert!(text.contains("evil\\u{1b}[2J"), "{text}");
    }
}

fn rows_mut(open: &mut OpenZone) -> &mut Vec<CertRow> {
    match &mut open.certs {
        Loadable::Loaded(rows) => rows,
        _ => panic!("certificates not loaded"),
    }
}

/// The fleet view over a small account: the charts, and the rows findings first, one
/// of them marked, one not surveyed yet.
#[test]
fn fleet_view() {
    use originpull::api::GlobalAop;
    use originpull::app::{Fleet, FleetSurvey, View};
    use originpull::survey::{Rules, Survey, ZoneState};
    let mut model = listed();
    let at = now() - Duration::minutes(20);
    let state = |id: &str, name: &str| ZoneState {
        surveyed_at: Some(at),
        global: Some(GlobalAop {
            on: false,
            editable: Some(true),
            modified_on: None,
        }),
        ssl: Some(SslMode::Strict),
        enabled: Some(false),
        certificates: Some(Vec::new()),
        hostname_certificates: Some(Vec::new()),
        ..ZoneState::new(id, name)
    };
    let mut shop = state("z0", "shop.example");
    shop.enabled = Some(true);
    shop.certificates = Some(four_certs().into_iter().map(|r| r.cert).collect());
    let mut eu = state("z1", "shop-eu.example");
    eu.global.as_mut().unwrap().on = true;
    let mut api = state("z3", "api.example");
    api.ssl = Some(SslMode::Flexible);
    api.enabled = Some(true);
    api.certificates = Some(vec![cert(
        "9a8b7c6d-1111-4222-8333-444455556666",
        CertStatus::Active,
        "Example Origin CA",
        Duration::days(150),
        200,
    )]);
    let cached = vec![shop, eu, api, state("z4", "blog.example")];
    let zones: Vec<(String, String)> = model
        .zones
        .list
        .in_name_order()
        .map(|z| (z.id.clone(), z.name.clone()))
        .collect();
    let mut fleet = Fleet::new(&zones, &cached, Rules::default(), now());
    fleet.survey = Some(FleetSurvey {
        walk: Survey::new(zones, cached, std::time::Duration::from_secs(3600), now()),
        in_flight: 0,
        confirm: None,
    });
    fleet.filter(None);
    let second = fleet.rows[fleet.shown[1] as usize].state.zone_id.clone();
    model.marked.insert(second);
    model.fleet = Some(fleet);
    model.view = View::Fleet;
    let text = screen(&model, 120, 30);
    assert!(
        text.contains("Fleet · 8/8 zones · sorted by findings first"),
        "{text}"
    );
    assert!(text.contains("not surveyed yet"), "{text}");
    insta::assert_snapshot!(text);
}

// ---- The rotation (R) ----------------------------------------------------------------

fn new_cert_details() -> CertDetails {
    CertDetails {
        subject: "CN=edge.shop.example".to_owned(),
        issuer: "CN=originpull AOP CA for edge.shop.example".to_owned(),
        issuer_common_name: Some("originpull AOP CA for edge.shop.example".to_owned()),
        sha256: "9C:41:07:AA:5E:11:F0:3B:28:64:D2:19:80:7A:C3:EE:01:44:5F:92:B7:3D:6A:C8:E1:0F:27:B9:54:63:A0:1D".to_owned(),
        ..details("edge.shop.example", now() + Duration::days(365))
    }
}

fn rotation_pane(stage: Stage) -> RotationPane {
    let zones = vec![("z0".to_owned(), "shop.example".to_owned())];
    let current = Some((
        "shop.example".to_owned(),
        four_certs().into_iter().map(|r| r.cert).collect(),
    ));
    let mut pane = RotationPane::new(7, zones, current);
    pane.stage = stage;
    pane.cert_path = Input::new("/home/ops/certs/2027/edge.pem".into());
    pane.key_path = Input::new("/home/ops/certs/2027/edge.key".into());
    pane.new_cert = Some((
        "/home/ops/certs/2027/edge.pem".to_owned(),
        NewCertView::Read(new_cert_details()),
    ));
    pane
}

#[test]
fn rotation_form_beside_the_current_certificate() {
    let mut model = zone_open();
    let mut pane = rotation_pane(Stage::Form);
    pane.field = RotateField::Key;
    pane.completions = vec![
        "/home/ops/certs/2027/edge.key".to_owned(),
        "/home/ops/certs/2027/edge.key.bak".to_owned(),
        "/home/ops/certs/2027/old/".to_owned(),
    ];
    model.rotation = Some(pane);
    model.overlays.push(Overlay::Rotate);
    insta::assert_snapshot!(screen(&model, 140, 40));
}

/// A rotation of three zones, each read: one to upload and replace, one uploaded by
/// an earlier run and still deploying, one whose earlier upload timed out.
fn three_zone_rotation() -> Rotation {
    let new = NewCert::of(&new_cert_details());
    let names = ["shop.example", "blog.example", "api.example"];
    let zones = names
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("z{i}"), (*n).to_owned()));
    let mut rotation = Rotation::new(new, RotateOptions::default(), zones, HashMap::new());
    let mine = |status: CertStatus| Certificate {
        id: Some("4be0c2a1-6f0e-4f57-9d6b-0e2a3c4d5e6f".to_owned()),
        status: Some(status),
        issuer: Some("CN=originpull AOP CA for edge.shop.example".to_owned()),
        serial_number: Some("05:12:8A:7F:33:C0:1B".to_owned()),
        ..Default::default()
    };
    let old = |id: &str| {
        cert(
            id,
            CertStatus::Active,
            "Example Origin CA",
            Duration::days(20),
            345,
        )
    };
    let lists = [
        vec![old("7c1f0b52-9d4e-4b8a-a3f1-2c5e8d9b0a11")],
        vec![
            old("2b9e4d11-5a3c-4e7f-8d2b-6c1a0f9e8d77"),
            mine(CertStatus::PendingDeployment),
        ],
        vec![
            old("e4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f60718"),
            mine(CertStatus::DeploymentTimedOut),
        ],
    ];
    let now = std::time::Instant::now();
    for (call, list) in rotation.next_calls(now).into_iter().zip(lists) {
        rotation.answer(&call, RotateAnswer::Listed(list), now);
    }
    rotation
}

#[test]
fn rotation_plan_of_three_zones() {
    let mut model = zone_open();
    let mut pane = rotation_pane(Stage::Plan);
    pane.zones = three_zone_rotation()
        .zones()
        .iter()
        .map(|z| (z.zone_id.clone(), z.zone.clone()))
        .collect();
    pane.rotation = Some(three_zone_rotation());
    model.rotation = Some(pane);
    model.overlays.push(Overlay::Rotate);
    insta::assert_snapshot!(screen(&model, 140, 40));
}

#[test]
fn rotation_progress_as_it_runs() {
    let mut model = zone_open();
    let mut rotation = three_zone_rotation();
    let now = std::time::Instant::now();
    rotation.approve(now);
    // shop.example: uploaded, active, its old one deleted; blog.example waits.
    for call in rotation.next_calls(now) {
        let answer = match &call.ask {
            RotateAsk::Upload => RotateAnswer::Uploaded(Certificate {
                id: Some("91d3e5f7-0a2b-4c6d-8e0f-1a2b3c4d5e6f".to_owned()),
                status: Some(CertStatus::Active),
                ..Default::default()
            }),
            _ => continue,
        };
        rotation.answer(&call, answer, now);
    }
    for call in rotation.next_calls(now) {
        if matches!(call.ask, RotateAsk::Delete { .. }) {
            rotation.answer(&call, RotateAnswer::Deleted, now);
        }
    }
    let mut pane = rotation_pane(Stage::Running);
    pane.zones = rotation
        .zones()
        .iter()
        .map(|z| (z.zone_id.clone(), z.zone.clone()))
        .collect();
    pane.rotation = Some(rotation);
    pane.in_flight = 1;
    model.rotation = Some(pane);
    model.overlays.push(Overlay::Rotate);
    insta::assert_snapshot!(screen(&model, 140, 40));
}

// ---- Per-hostname AOP (H) ------------------------------------------------------------

#[test]
fn hostnames_view_with_the_three_states() {
    use originpull::api::Association;
    use originpull::hostnames::{HostnameState, Source};
    let mut model = zone_open();
    let open = model.open.as_mut().unwrap();
    let hcert = hostname_cert();
    open.hostname_certs = Loadable::Loaded(vec![hcert.clone()]);
    let association = |host: &str, enabled: Option<bool>| Association {
        hostname: Some(host.to_owned()),
        cert_id: hcert.id.clone(),
        enabled,
        status: Some(if enabled == Some(true) {
            CertStatus::Active
        } else {
            CertStatus::PendingDeletion
        }),
        cert_status: Some(CertStatus::Active),
        expires_on: hcert.expires_on.clone(),
        ..Default::default()
    };
    let state = |host: &str, source, association| HostnameState {
        hostname: host.to_owned(),
        source,
        association,
        error: None,
    };
    open.hostnames = Some(Loadable::Loaded(vec![
        state(
            "api.shop.example",
            Source::Associated,
            Some(association("api.shop.example", Some(false))),
        ),
        state("shop.example", Source::Discovered, None),
        state(
            "www.shop.example",
            Source::Discovered,
            Some(association("www.shop.example", Some(true))),
        ),
        HostnameState {
            error: Some("no answer from the API within 30 s".to_owned()),
            ..state("legacy.shop.example", Source::Named, None)
        },
    ]));
    insta::assert_snapshot!(screen(&model, 140, 40));
}

/// The hostname certificate of the per-hostname views.
fn hostname_cert() -> Certificate {
    cert(
        "3cf564a0-8dea-4e00-8f3e-a823fd5f3743",
        CertStatus::Active,
        "Example Origin CA",
        Duration::days(200),
        20,
    )
}

/// The per-hostname view of a zone with one hostname certificate and `n` hostnames
/// found by their proxied DNS records, every third one enabled.
fn many_hostnames(n: usize) -> Model {
    use originpull::api::Association;
    use originpull::hostnames::{HostnameState, Source};
    let mut model = zone_open();
    let open = model.open.as_mut().unwrap();
    let hcert = hostname_cert();
    let states = (0..n)
        .map(|i| {
            let hostname = format!("host-{i:02}.shop.example");
            let association = (i % 3 == 0).then(|| Association {
                hostname: Some(hostname.clone()),
                cert_id: hcert.id.clone(),
                enabled: Some(true),
                status: Some(CertStatus::Active),
                cert_status: Some(CertStatus::Active),
                expires_on: hcert.expires_on.clone(),
                ..Default::default()
            });
            HostnameState {
                hostname,
                source: Source::Discovered,
                association,
                error: None,
            }
        })
        .collect();
    open.hostname_certs = Loadable::Loaded(vec![hcert]);
    open.hostnames = Some(Loadable::Loaded(states));
    model
}

#[test]
fn hostnames_view_scrolls_to_the_selected_hostname_at_80x24() {
    let mut model = many_hostnames(30);
    // The certificate is row 0; host-24 is row 25.
    model.open.as_mut().unwrap().hostname_selected = 25;
    insta::assert_snapshot!(screen(&model, 80, 24));
}

#[test]
fn hostnames_view_takes_clicks_and_pages_by_the_rows_it_shows() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent};
    let mut model = many_hostnames(30);
    let draw = |model: &mut Model| {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut drawn = None;
        terminal
            .draw(|f| drawn = Some(originpull::ui::view(model, f)))
            .unwrap();
        update(model, Msg::Drawn(drawn.unwrap()));
        screen(model, 80, 24)
    };
    let click = |model: &mut Model, column: u16, row: u16| {
        update(
            model,
            Msg::Mouse(MouseEvent {
                kind: crossterm::event::MouseEventKind::Down(MouseButton::Left),
                column,
                row,
                modifiers: KeyModifiers::NONE,
            }),
        );
    };
    let row_of = |screen: &str, text: &str| {
        let i = screen.lines().position(|l| l.contains(text));
        u16::try_from(i.unwrap_or_else(|| panic!("{text} not drawn:\n{screen}"))).unwrap()
    };
    let selected = |model: &Model| model.open.as_ref().unwrap().hostname_selected;

    let shown = draw(&mut model);
    click(&mut model, 40, row_of(&shown, "host-03.shop.example"));
    assert_eq!(
        selected(&model),
        4,
        "the certificate is row 0, host-03 row 4"
    );
    click(&mut model, 40, row_of(&shown, "3cf564a0"));
    assert_eq!(selected(&model), 0);
    // A click on a line that is no row (the table's header) leaves the selection be.
    click(&mut model, 40, row_of(&shown, "HOSTNAME  "));
    assert_eq!(selected(&model), 0);

    // PageDown moves by what the pane shows, not to the end, and the row stays in view.
    update(
        &mut model,
        Msg::Key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE)),
    );
    let after = selected(&model);
    assert!((10..30).contains(&after), "moved to row {after}");
    let shown = draw(&mut model);
    let name = format!("▶ host-{:02}.shop.example", after - 1);
    let line = row_of(&shown, &name);
    // Rows scrolled into view take clicks where they are now drawn.
    click(&mut model, 40, line);
    assert_eq!(selected(&model), after);
    click(&mut model, 40, line - 1);
    assert_eq!(selected(&model), after - 1);
}

#[test]
fn clear_dialog_says_what_the_origin_will_see() {
    use originpull::app::{HostnameChange, HostnameConfirm};
    let mut model = zone_open();
    model
        .overlays
        .push(Overlay::ConfirmHostname(HostnameConfirm {
            ticket: ticket(),
            zone_name: "shop.example".to_owned(),
            hostname: "www.shop.example".to_owned(),
            cert_id: Some("3cf564a0-8dea-4e00-8f3e-a823fd5f3743".to_owned()),
            change: HostnameChange::Clear,
            consequence: "The association goes; the zone level applies to www.shop.example again: \
                      the edge presents the zone-level certificate 7c1f0b52…."
                .to_owned(),
        }));
    insta::assert_snapshot!(screen(&model, 120, 30));
}
