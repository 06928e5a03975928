//! The app without a terminal against the simulator: real update, executor, client and
//! view, driven by keys.

mod common;

use std::time::Duration;

use common::{driver_for, sim};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use originpull::app::Msg;
use originpull::tui::Driver;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Starts the app, filters the zone list to `name` and opens it, as a user would.
async fn open_zone(app: &mut Driver, name: &str) {
    app.dispatch(Msg::Init { verify_token: true });
    assert!(app.settle(Duration::from_secs(5)).await);
    app.dispatch(key(KeyCode::Char('/')));
    for c in name.chars() {
        app.dispatch(key(KeyCode::Char(c)));
    }
    // The ranking comes back from its own threads, as the list a user waits to see.
    assert!(app.settle(Duration::from_secs(5)).await);
    app.dispatch(key(KeyCode::Enter));
    app.dispatch(key(KeyCode::Enter));
    assert!(app.settle(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn open_a_zone_and_toggle_it_against_the_simulator() {
    let sim = sim(None).await;
    let mut app = driver_for(&sim, Duration::from_secs(5));
    open_zone(&mut app, "shop.example").await;
    let screen = app.render(160, 48);
    assert!(screen.contains("· zone-level ● Enabled (e)"), "{screen}");

    let zone_id = sim.control().zone_id("shop.example").unwrap();
    app.dispatch(key(KeyCode::Char('e')));
    assert!(app.settle(Duration::from_secs(5)).await);
    assert_eq!(sim.control().enabled(&zone_id), Some(false));
    assert!(app.render(160, 48).contains("○ Disabled"));
    sim.shutdown().await;
}

#[tokio::test]
async fn page_down_moves_by_the_rows_the_zone_list_shows() {
    let sim = sim(Some(120)).await;
    let mut app = driver_for(&sim, Duration::from_secs(5));
    app.dispatch(Msg::Init { verify_token: true });
    assert!(app.settle(Duration::from_secs(5)).await);
    let first = app.render(160, 48);
    let shown = app.model.drawn.zone_rows;
    // 48 rows less the header, the status line, the borders and the filter line.
    assert!(shown > 35, "{shown} rows\n{first}");
    app.dispatch(key(KeyCode::PageDown));
    assert_eq!(app.model.zones.selected, shown - 1);
    // The newly selected zone was the last one on screen, and still is.
    let name = app
        .model
        .zones
        .visible_zone(shown - 1)
        .unwrap()
        .name
        .clone();
    assert!(first.contains(name.as_str()));
    assert!(app.render(160, 48).contains(name.as_str()));
    sim.shutdown().await;
}

#[tokio::test]
async fn on_a_short_terminal_the_detail_pane_scrolls_with_the_list_keys() {
    let sim = sim(None).await;
    let mut app = driver_for(&sim, Duration::from_secs(5));
    open_zone(&mut app, "shop.example").await;
    let top = app.render(100, 24);
    assert!(top.contains("Certificate detail · 1–"), "{top}");
    // The view told the model how far the pane can scroll; the keys use it.
    app.dispatch(key(KeyCode::Tab));
    app.dispatch(key(KeyCode::Char('j')));
    let scrolled = app.render(100, 24);
    assert!(scrolled.contains("Certificate detail · 2–"), "{scrolled}");
    app.dispatch(key(KeyCode::Char('G')));
    let bottom = app.render(100, 24);
    assert!(bottom.contains("days left"), "{bottom}");
    sim.shutdown().await;
}

#[tokio::test]
async fn the_fleet_view_surveys_the_demo_and_opens_a_zone() {
    let sim = sim(None).await;
    let mut app = driver_for(&sim, Duration::from_secs(5));
    app.dispatch(Msg::Init { verify_token: true });
    assert!(app.settle(Duration::from_secs(5)).await);
    sim.control().clear_requests();
    app.dispatch(key(KeyCode::Char('a')));
    // The survey runs its calls until every zone is in.
    assert!(app.settle(Duration::from_secs(20)).await);
    let fleet = app.model.fleet.as_ref().unwrap();
    assert!(fleet.rows.iter().all(|r| r.fresh), "every zone surveyed");
    // Findings first: the first row has an error.
    assert!(fleet.rows[fleet.shown[0] as usize].worst().is_some());
    // The selection stayed on the zone it was on while rows moved.
    let (_, selected) = fleet.selected_row().unwrap();
    let first = selected.state.zone_name.clone();
    assert_eq!(
        sim.control().requests().len(),
        36 * originpull::survey::CALLS_PER_ZONE,
        "four calls a zone"
    );
    let screen = app.render(160, 48);
    assert!(screen.contains("Fleet · 36/36 zones"), "{screen}");
    assert!(screen.contains("✗ expired"), "{screen}");
    // The zone list's markers come from the same survey.
    assert!(app.model.summaries.len() >= 36);
    // Enter opens the selected zone.
    app.dispatch(key(KeyCode::Enter));
    assert!(app.settle(Duration::from_secs(5)).await);
    assert_eq!(app.model.open.as_ref().unwrap().zone.name, first);
    assert!(common::pane_titled(&app.render(160, 48), &first));
    sim.shutdown().await;
}

#[tokio::test]
async fn shift_e_sends_one_patch_and_the_screen_follows_the_server() {
    let sim = sim(None).await;
    let mut app = driver_for(&sim, Duration::from_secs(5));
    open_zone(&mut app, "shop.example").await;
    let screen = app.render(160, 48);
    assert!(screen.contains("global ○ off (E)"), "{screen}");
    assert!(
        screen.contains("the edge presents the zone-level certificate"),
        "{screen}"
    );
    sim.control().clear_requests();
    app.dispatch(key(KeyCode::Char('E')));
    assert!(app.settle(Duration::from_secs(5)).await);
    let patches: Vec<_> = sim
        .control()
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].body, Some(serde_json::json!({"value": "on"})));
    let zone = sim.control().zone_id("shop.example").unwrap();
    assert_eq!(sim.control().global(&zone).map(|g| g.on), Some(true));
    assert!(app.render(160, 48).contains("global ● on (E)"));
    sim.shutdown().await;
}

#[tokio::test]
async fn h_with_no_known_hostname_discovers_the_proxied_ones() {
    let sim = sim(None).await;
    let mut app = driver_for(&sim, Duration::from_secs(5));
    open_zone(&mut app, "app.example").await;
    app.dispatch(key(KeyCode::Char('H')));
    assert!(app.settle(Duration::from_secs(5)).await);
    let screen = app.render(160, 48);
    assert!(screen.contains("www.app.example"), "{screen}");
    assert!(screen.contains("proxied DNS record"), "{screen}");
    assert!(screen.contains("1 hostname(s) enabled"), "{screen}");
    sim.shutdown().await;
}

fn mouse(kind: crossterm::event::MouseEventKind, column: u16, row: u16) -> Msg {
    Msg::Mouse(crossterm::event::MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

fn click(column: u16, row: u16) -> Msg {
    use crossterm::event::{MouseButton, MouseEventKind};
    mouse(MouseEventKind::Down(MouseButton::Left), column, row)
}

/// The screen line on which `text` is drawn.
fn line_of(screen: &str, text: &str) -> u16 {
    let i = screen
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{text} is not on the screen:\n{screen}"));
    u16::try_from(i).unwrap()
}

#[tokio::test]
async fn a_click_selects_a_row_a_second_opens_it_and_the_wheel_scrolls_the_pane_under_it() {
    use crossterm::event::MouseEventKind;
    use originpull::app::Focus;
    let sim = sim(None).await;
    let mut app = driver_for(&sim, Duration::from_secs(5));
    app.dispatch(Msg::Init { verify_token: true });
    assert!(app.settle(Duration::from_secs(5)).await);
    let screen = app.render(120, 48);
    let row = line_of(&screen, "  shop.example");
    app.dispatch(click(6, row));
    let selected = app.model.zones.selected_zone().map(|z| z.name.clone());
    assert_eq!(selected.as_deref(), Some("shop.example"));
    assert!(
        app.model.open.is_none(),
        "one click selects, it does not open"
    );
    app.dispatch(click(6, row));
    assert!(app.settle(Duration::from_secs(5)).await);
    let open = app.model.open.as_ref().map(|o| o.zone.name.clone());
    assert_eq!(open.as_deref(), Some("shop.example"));

    // The wheel over the zone list moves its selection, and focuses it.
    app.render(120, 48);
    app.model.focus = Focus::Certs;
    let before = app.model.zones.selected;
    app.dispatch(mouse(MouseEventKind::ScrollDown, 6, row));
    assert_eq!(app.model.zones.selected, before + 1);
    assert_eq!(app.model.focus, Focus::Zones);
    app.dispatch(mouse(MouseEventKind::ScrollUp, 6, row));
    assert_eq!(app.model.zones.selected, before);

    // A click on the certificate list or the detail pane focuses it.
    let screen = app.render(120, 48);
    let cert_row = line_of(&screen, "▶ active");
    app.dispatch(click(60, cert_row));
    assert_eq!(app.model.focus, Focus::Certs);
    let detail = line_of(&screen, "Certificate detail");
    app.dispatch(click(60, detail + 1));
    assert_eq!(app.model.focus, Focus::Detail);
    // Outside every pane (the header), nothing happens.
    app.dispatch(click(60, 0));
    assert_eq!(app.model.focus, Focus::Detail);
    sim.shutdown().await;
}

#[tokio::test]
async fn c_copies_the_selected_certificates_id_and_shift_c_its_pem() {
    let sim = sim(None).await;
    let mut app = driver_for(&sim, Duration::from_secs(5));
    app.dispatch(Msg::Init { verify_token: true });
    assert!(app.settle(Duration::from_secs(5)).await);
    app.dispatch(key(KeyCode::Char('c')));
    assert!(app.take_clipboard().is_empty(), "no zone is open");

    open_zone(&mut app, "shop.example").await;
    let zone_id = sim.control().zone_id("shop.example").unwrap();
    let truth = sim.control().certificates(&zone_id);
    let selected = common::selected_cert_id(&app.model).unwrap();
    let cert = truth
        .iter()
        .find(|c| c.id.as_deref() == Some(&selected))
        .unwrap();

    app.dispatch(key(KeyCode::Char('c')));
    assert_eq!(app.take_clipboard(), vec![selected.clone()]);
    let screen = app.render(120, 32);
    assert!(screen.contains("copied the id of certificate"), "{screen}");

    app.dispatch(Msg::Key(KeyEvent::new(
        KeyCode::Char('C'),
        KeyModifiers::SHIFT,
    )));
    let copied = app.take_clipboard();
    assert_eq!(copied.len(), 1);
    assert_eq!(Some(&copied[0]), cert.certificate.as_ref());
    assert!(copied[0].starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(
        app.render(120, 32)
            .contains("copied the PEM of certificate")
    );
    sim.shutdown().await;
}
