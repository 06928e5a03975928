//! The rotation's decisions, without a network: every step against every answer it
//! can get (success, 1406, 429, 5xx, a timeout, `deployment_timed_out`, the old
//! certificate already gone), and the journal's part in a rerun.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use originpull::api::{ApiError, ApiMessage, CertStatus, Certificate};
use originpull::rotate::{
    Answer, Ask, Call, Event, Memory, NewCert, Options, Outcome, Rotation, Step,
};

const ZONE: &str = "0123456789abcdef0123456789abcdef";

fn new_cert() -> NewCert {
    NewCert {
        subject: "CN=new.example".into(),
        issuer: "CN=Example CA".into(),
        serial: "0a1b".into(),
        sha256: "AA:BB".into(),
        expires: chrono::Utc::now() + chrono::Duration::days(365),
    }
}

fn cert(id: &str, status: CertStatus, serial: &str) -> Certificate {
    Certificate {
        id: Some(id.into()),
        status: Some(status),
        issuer: Some("CN=Example CA".into()),
        serial_number: Some(serial.into()),
        ..Default::default()
    }
}

fn old() -> Certificate {
    cert("old", CertStatus::Active, "01")
}

fn mine(status: CertStatus) -> Certificate {
    cert("new", status, "0a1b")
}

fn api(status: u16, code: i64) -> ApiError {
    ApiError::Api {
        status,
        errors: vec![ApiMessage {
            code: Some(code),
            message: "simulated".into(),
            ..Default::default()
        }],
    }
}

fn timeout() -> ApiError {
    ApiError::Timeout {
        after: Duration::from_secs(30),
    }
}

/// The answers every step is tried against.
fn failures() -> Vec<(&'static str, ApiError)> {
    vec![
        ("1406", api(400, 1406)),
        ("429", api(429, 971)),
        ("503", api(503, 10001)),
        ("timeout", timeout()),
        ("404", api(404, 1404)),
        ("403", api(403, 10000)),
    ]
}

struct Run {
    rotation: Rotation,
    now: Instant,
}

impl Run {
    fn new(options: Options, memory: Memory) -> Self {
        let mut m = HashMap::new();
        m.insert(ZONE.to_owned(), memory);
        Self {
            rotation: Rotation::new(
                new_cert(),
                options,
                [(ZONE.to_owned(), "a.example".to_owned())],
                m,
            ),
            now: Instant::now(),
        }
    }

    /// Checked with `certs`, and the plan approved.
    fn approved(certs: Vec<Certificate>, options: Options) -> Self {
        let mut run = Self::new(options, Memory::default());
        run.answer(Answer::Listed(certs));
        assert!(run.rotation.is_planned());
        run.rotation.approve(run.now);
        run
    }

    fn call(&mut self) -> Option<Call> {
        let mut calls = self.rotation.next_calls(self.now);
        assert!(calls.len() <= 1, "one call per zone at a time");
        calls.pop()
    }

    /// Answers the call the zone asks for next; returns that call.
    fn answer(&mut self, answer: Answer) -> Call {
        let call = self.call().expect("the zone has a call to make");
        self.now += call.after;
        self.rotation.answer(&call, answer, self.now);
        call
    }

    fn step(&self) -> &Step {
        &self.rotation.zones()[0].step
    }

    fn events(&mut self) -> Vec<Event> {
        self.rotation
            .take_journal()
            .into_iter()
            .map(|e| e.event)
            .collect()
    }
}

fn failed_keeping_old(step: &Step) -> bool {
    matches!(step, Step::Failed(f) if f.old_kept)
}

// ---- check ----------------------------------------------------------------------------

#[test]
fn check_reads_the_list_and_waits_for_approval() {
    let mut run = Run::new(Options::default(), Memory::default());
    let call = run.answer(Answer::Listed(vec![old()]));
    assert_eq!(call.ask, Ask::List);
    assert_eq!(run.step(), &Step::Planned);
    assert_eq!(
        run.call(),
        None,
        "nothing is sent before the plan is approved"
    );
    let plan = run.rotation.zones()[0].plan.clone().unwrap();
    assert_eq!(plan.replaces[0].id, "old");
    assert!(run.events().contains(&Event::Checked {
        replaces: vec!["old".into()],
        new_id: None
    }));
}

#[test]
fn check_against_every_failure() {
    for (name, e) in failures() {
        let mut run = Run::new(Options::default(), Memory::default());
        run.answer(Answer::Failed(e));
        match name {
            "429" | "503" | "timeout" => {
                assert_eq!(run.step(), &Step::Check, "{name} is tried again");
                let next = run.call().unwrap();
                assert_eq!(next.ask, Ask::List);
                assert!(
                    next.after >= Duration::from_secs(1),
                    "{name}: after a pause"
                );
            }
            _ => assert!(failed_keeping_old(run.step()), "{name}: {:?}", run.step()),
        }
    }
}

#[test]
fn a_step_that_keeps_failing_gives_up_after_its_tries() {
    let mut run = Run::new(Options::default(), Memory::default());
    for _ in 0..originpull::rotate::steps::STEP_TRIES {
        run.answer(Answer::Failed(api(503, 10001)));
    }
    assert!(failed_keeping_old(run.step()), "{:?}", run.step());
    assert_eq!(run.call(), None);
}

#[test]
fn an_upload_found_by_the_check_is_not_sent_again() {
    // pending: wait for it
    let mut run = Run::approved(
        vec![old(), mine(CertStatus::PendingDeployment)],
        Options::default(),
    );
    assert_eq!(run.step(), &Step::Wait);
    assert!(matches!(run.call().unwrap().ask, Ask::Get { ref cert_id } if cert_id == "new"));
    // active: straight to deleting what it replaces
    let mut run = Run::approved(vec![old(), mine(CertStatus::Active)], Options::default());
    assert_eq!(run.step(), &Step::DeleteOld);
    assert_eq!(
        run.call().unwrap().ask,
        Ask::Delete {
            cert_id: "old".into()
        }
    );
    // active and alone: nothing to do, and nothing to ask
    let mut run = Run::new(Options::default(), Memory::default());
    run.answer(Answer::Listed(vec![mine(CertStatus::Active)]));
    assert_eq!(run.step(), &Step::Done(Outcome::Earlier));
    assert!(!run.rotation.has_work());
}

#[test]
fn an_upload_that_timed_out_earlier_stops_the_zone_before_the_plan() {
    let mut run = Run::new(Options::default(), Memory::default());
    run.answer(Answer::Listed(vec![
        old(),
        mine(CertStatus::DeploymentTimedOut),
    ]));
    assert!(failed_keeping_old(run.step()));
    run.rotation.approve(run.now);
    assert_eq!(run.call(), None, "nothing is sent for it");
}

// ---- upload ---------------------------------------------------------------------------

#[test]
fn upload_success_waits_for_active() {
    let mut run = Run::approved(vec![old()], Options::default());
    assert_eq!(
        run.answer(Answer::Uploaded(mine(CertStatus::PendingDeployment)))
            .ask,
        Ask::Upload
    );
    assert_eq!(run.step(), &Step::Wait);
    let poll = run.call().unwrap();
    assert_eq!(
        poll.ask,
        Ask::Get {
            cert_id: "new".into()
        }
    );
    assert_eq!(poll.after, originpull::rotate::steps::FIRST_POLL);
    assert!(run.events().contains(&Event::Uploaded {
        cert_id: "new".into()
    }));
}

#[test]
fn upload_against_every_failure() {
    for (name, e) in failures() {
        let mut run = Run::approved(vec![old()], Options::default());
        run.answer(Answer::Failed(e));
        match name {
            // Already there: find it by its fingerprint instead of failing.
            "1406" => assert_eq!(
                run.step(),
                &Step::Find {
                    after_duplicate: true
                }
            ),
            // Refused before processing: send it again.
            "429" => assert_eq!(run.step(), &Step::Upload),
            // The reply may be lost after the upload landed: look before sending again.
            "503" | "timeout" => {
                assert_eq!(
                    run.step(),
                    &Step::Find {
                        after_duplicate: false
                    }
                )
            }
            _ => assert!(failed_keeping_old(run.step()), "{name}: {:?}", run.step()),
        }
    }
}

#[test]
fn find_after_1406_takes_the_certificate_that_is_there() {
    let mut run = Run::approved(vec![old()], Options::default());
    run.answer(Answer::Failed(api(400, 1406)));
    let call = run.answer(Answer::Listed(vec![
        old(),
        mine(CertStatus::PendingDeployment),
    ]));
    assert_eq!(call.ask, Ask::List);
    assert_eq!(run.step(), &Step::Wait);
    assert_eq!(run.rotation.zones()[0].new_id.as_deref(), Some("new"));
}

#[test]
fn find_after_1406_that_finds_nothing_fails_rather_than_guess() {
    let mut run = Run::approved(vec![old()], Options::default());
    run.answer(Answer::Failed(api(400, 1406)));
    run.answer(Answer::Listed(vec![old()]));
    assert!(failed_keeping_old(run.step()));
}

#[test]
fn find_after_a_lost_reply_sends_the_upload_again_only_when_it_is_not_there() {
    let mut run = Run::approved(vec![old()], Options::default());
    run.answer(Answer::Failed(api(502, 10001)));
    run.answer(Answer::Listed(vec![old()]));
    assert_eq!(run.step(), &Step::Upload);
    assert_eq!(run.call().unwrap().ask, Ask::Upload);

    let mut run = Run::approved(vec![old()], Options::default());
    run.answer(Answer::Failed(timeout()));
    run.answer(Answer::Listed(vec![
        old(),
        mine(CertStatus::PendingDeployment),
    ]));
    assert_eq!(run.step(), &Step::Wait, "no second upload");
}

// ---- wait -----------------------------------------------------------------------------

fn waiting(options: Options) -> Run {
    let mut run = Run::approved(vec![old()], options);
    run.answer(Answer::Uploaded(mine(CertStatus::PendingDeployment)));
    run
}

#[test]
fn wait_polls_with_backoff_until_active_then_deletes_the_old() {
    let mut run = waiting(Options::default());
    let mut gaps = Vec::new();
    for _ in 0..3 {
        gaps.push(
            run.answer(Answer::Got(mine(CertStatus::PendingDeployment)))
                .after,
        );
    }
    assert_eq!(gaps, [2, 4, 8].map(Duration::from_secs));
    run.answer(Answer::Got(mine(CertStatus::Active)));
    assert_eq!(run.step(), &Step::DeleteOld);
    assert!(run.events().contains(&Event::Active {
        cert_id: "new".into()
    }));
}

#[test]
fn wait_against_every_answer() {
    for (name, e) in failures() {
        let mut run = waiting(Options::default());
        run.answer(Answer::Failed(e));
        match name {
            "429" | "503" | "timeout" => assert_eq!(run.step(), &Step::Wait, "{name}"),
            _ => assert!(failed_keeping_old(run.step()), "{name}: {:?}", run.step()),
        }
    }
    let mut run = waiting(Options::default());
    run.answer(Answer::Got(mine(CertStatus::DeploymentTimedOut)));
    assert!(
        failed_keeping_old(run.step()),
        "deployment_timed_out keeps the old"
    );
    assert_eq!(run.call(), None, "and nothing is deleted");
    let mut run = waiting(Options::default());
    run.answer(Answer::Got(mine(CertStatus::PendingDeletion)));
    assert!(failed_keeping_old(run.step()));
}

#[test]
fn a_passed_wait_keeps_the_old_certificate() {
    let options = Options {
        wait: Duration::from_secs(5),
        ..Options::default()
    };
    let mut run = waiting(options);
    let first = run.answer(Answer::Got(mine(CertStatus::PendingDeployment)));
    let last = run.answer(Answer::Got(mine(CertStatus::PendingDeployment)));
    assert_eq!(
        first.after + last.after,
        Duration::from_secs(5),
        "the last look is at the end"
    );
    match run.step() {
        Step::Failed(f) => {
            assert!(f.old_kept);
            assert!(f.reason.contains("not active after 5s"), "{}", f.reason);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(run.call(), None);
}

// ---- delete ---------------------------------------------------------------------------

fn deleting(certs: Vec<Certificate>) -> Run {
    let mut run = Run::approved(certs, Options::default());
    run.answer(Answer::Uploaded(mine(CertStatus::Active)));
    assert_eq!(run.step(), &Step::DeleteOld);
    run
}

#[test]
fn delete_goes_through_every_replaced_certificate_and_never_the_new_one() {
    let mut run = deleting(vec![old(), cert("older", CertStatus::Active, "02")]);
    let mut deleted = Vec::new();
    while let Some(call) = run.call() {
        if let Ask::Delete { cert_id } = &call.ask {
            deleted.push(cert_id.clone());
        }
        run.rotation.answer(&call, Answer::Deleted, run.now);
    }
    assert_eq!(deleted, ["old", "older"]);
    assert_eq!(run.step(), &Step::Done(Outcome::Rotated));
    assert_eq!(run.rotation.zones()[0].deleted, ["old", "older"]);
}

#[test]
fn delete_against_every_failure() {
    for (name, e) in failures() {
        let mut run = deleting(vec![old()]);
        run.answer(Answer::Failed(e));
        match name {
            // The old one is gone already: that is what the delete was for.
            "404" => assert_eq!(run.step(), &Step::Done(Outcome::Rotated)),
            "429" | "503" | "timeout" => {
                assert_eq!(run.step(), &Step::DeleteOld, "{name}");
                assert!(matches!(run.call().unwrap().ask, Ask::Delete { .. }));
            }
            _ => match run.step() {
                Step::Failed(f) => {
                    assert!(!f.old_kept && f.reason.contains("the new one is active"))
                }
                other => panic!("{name}: {other:?}"),
            },
        }
    }
}

#[test]
fn keep_old_deletes_nothing() {
    let options = Options {
        keep_old: true,
        ..Options::default()
    };
    let mut run = Run::approved(vec![old()], options);
    run.answer(Answer::Uploaded(mine(CertStatus::Active)));
    assert_eq!(run.step(), &Step::Done(Outcome::KeptOld));
    assert_eq!(run.call(), None);
}

// ---- the journal's part ---------------------------------------------------------------

#[test]
fn a_zone_the_journal_says_is_done_costs_no_call() {
    let mut run = Run::new(
        Options::default(),
        Memory {
            done: true,
            ..Memory::default()
        },
    );
    assert_eq!(run.step(), &Step::Done(Outcome::Earlier));
    assert_eq!(run.call(), None);
    assert!(run.rotation.is_planned() && !run.rotation.has_work());
}

#[test]
fn a_rerun_deletes_what_the_first_plan_said_and_finds_the_upload_by_its_recorded_id() {
    // The first run recorded the plan (replace "old") and the upload's id; since then
    // another certificate turned active that this rotation never planned to replace.
    let memory = Memory {
        replaces: Some(vec!["old".into()]),
        new_id: Some("new".into()),
        ..Memory::default()
    };
    let mut run = Run::new(Options::default(), memory);
    let stranger = cert("other", CertStatus::Active, "77");
    // The API's list may not return a serial: the recorded id still finds it.
    let mut listed_new = mine(CertStatus::Active);
    listed_new.serial_number = None;
    run.answer(Answer::Listed(vec![old(), stranger, listed_new]));
    run.rotation.approve(run.now);
    let mut deleted = Vec::new();
    while let Some(call) = run.call() {
        if let Ask::Delete { cert_id } = &call.ask {
            deleted.push(cert_id.clone());
        }
        run.rotation.answer(&call, Answer::Deleted, run.now);
    }
    assert_eq!(deleted, ["old"]);
    assert_eq!(run.step(), &Step::Done(Outcome::Rotated));
}

#[test]
fn every_call_is_journalled_before_it_goes_and_every_answer_after() {
    let mut run = Run::new(Options::default(), Memory::default());
    let call = run.call().unwrap();
    assert_eq!(run.events(), [Event::Sending { ask: Ask::List }]);
    run.rotation
        .answer(&call, Answer::Listed(vec![old()]), run.now);
    assert!(matches!(run.events()[..], [Event::Checked { .. }]));
    run.rotation.approve(run.now);
    let call = run.call().unwrap();
    assert_eq!(run.events(), [Event::Sending { ask: Ask::Upload }]);
    run.rotation
        .answer(&call, Answer::Uploaded(mine(CertStatus::Active)), run.now);
    assert_eq!(
        run.events(),
        [
            Event::Uploaded {
                cert_id: "new".into()
            },
            Event::Active {
                cert_id: "new".into()
            }
        ]
    );
}

#[test]
fn a_stale_answer_changes_nothing() {
    let mut run = Run::new(Options::default(), Memory::default());
    let call = run.call().unwrap();
    run.rotation
        .answer(&call, Answer::Listed(vec![old()]), run.now);
    assert!(
        run.rotation
            .answer(&call, Answer::Listed(vec![]), run.now)
            .is_none()
    );
    assert_eq!(
        run.rotation.zones()[0]
            .plan
            .as_ref()
            .unwrap()
            .replaces
            .len(),
        1
    );
}

// ---- --hostnames ----------------------------------------------------------------------

#[test]
fn hostnames_move_in_one_put_then_the_old_certificate_goes_once_they_report_the_new_one() {
    use originpull::api::{Association, HostnameSetting};
    let options = Options {
        hostnames: true,
        ..Options::default()
    };
    let association = |cert: &str, enabled: bool| Association {
        cert_id: Some(cert.into()),
        enabled: Some(enabled),
        status: Some(CertStatus::Active),
        ..Default::default()
    };
    let mut known = HashMap::new();
    known.insert(
        ZONE.to_owned(),
        vec![
            ("www.a.example".to_owned(), association("old", true)),
            ("api.a.example".to_owned(), association("old", false)),
            // On a certificate this rotation does not replace: it stays.
            ("x.a.example".to_owned(), association("other", true)),
        ],
    );
    let mut run = Run {
        rotation: Rotation::new(
            new_cert(),
            options,
            [(ZONE.to_owned(), "a.example".to_owned())],
            HashMap::new(),
        )
        .with_hostnames(known),
        now: Instant::now(),
    };
    // The list: "old" used by known hostnames, "unused" by none (left alone).
    run.answer(Answer::Listed(vec![
        old(),
        cert("unused", CertStatus::Active, "05"),
    ]));
    let zone = &run.rotation.zones()[0];
    assert_eq!(
        zone.plan
            .as_ref()
            .unwrap()
            .replaces
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>(),
        ["old"]
    );
    assert_eq!(
        zone.to_move,
        [
            ("www.a.example".to_owned(), true),
            ("api.a.example".to_owned(), false)
        ]
    );
    run.rotation.approve(run.now);
    let upload = run.answer(Answer::Uploaded(mine(CertStatus::Active)));
    assert!(upload.hostnames, "the hostname certificate endpoints");
    assert_eq!(run.step(), &Step::Move);
    let moved = run.answer(Answer::Moved(vec![]));
    assert_eq!(
        moved.ask,
        Ask::Move {
            settings: vec![
                HostnameSetting {
                    hostname: "www.a.example".into(),
                    cert_id: Some("new".into()),
                    enabled: Some(true),
                },
                HostnameSetting {
                    hostname: "api.a.example".into(),
                    cert_id: Some("new".into()),
                    enabled: Some(false),
                },
            ]
        }
    );
    assert_eq!(run.step(), &Step::Confirm);
    // www still reports the old certificate: no delete yet.
    let read = run.answer(Answer::Hostname(Some(association("old", true))));
    assert_eq!(
        read.ask,
        Ask::ReadHostname {
            hostname: "www.a.example".into()
        }
    );
    assert_eq!(run.step(), &Step::Confirm);
    run.answer(Answer::Hostname(Some(association("new", true))));
    run.answer(Answer::Hostname(Some(association("new", false))));
    assert_eq!(run.step(), &Step::DeleteOld);
    assert_eq!(
        run.answer(Answer::Deleted).ask,
        Ask::Delete {
            cert_id: "old".into()
        }
    );
    assert_eq!(run.step(), &Step::Done(Outcome::Rotated));
    assert_eq!(
        run.rotation.zones()[0].moved,
        ["www.a.example", "api.a.example"]
    );
}

#[test]
fn with_keep_old_hostnames_still_on_the_old_certificate_move_on_a_rerun() {
    use originpull::api::Association;
    let options = Options {
        hostnames: true,
        keep_old: true,
        ..Options::default()
    };
    let mut known = HashMap::new();
    known.insert(
        ZONE.to_owned(),
        vec![(
            "www.a.example".to_owned(),
            Association {
                cert_id: Some("old".into()),
                enabled: Some(true),
                ..Default::default()
            },
        )],
    );
    let mut run = Run {
        rotation: Rotation::new(
            new_cert(),
            options,
            [(ZONE.to_owned(), "a.example".to_owned())],
            HashMap::new(),
        )
        .with_hostnames(known),
        now: Instant::now(),
    };
    // The new one is active already (an earlier run); the hostname has not moved.
    run.answer(Answer::Listed(vec![old(), mine(CertStatus::Active)]));
    assert_eq!(
        run.step(),
        &Step::Planned,
        "not done: a hostname is still to move"
    );
    run.rotation.approve(run.now);
    assert_eq!(run.step(), &Step::Move);
}
