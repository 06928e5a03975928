//! Sends a rotation's calls through the client: every zone at once, as many calls on
//! the wire as `concurrency` lets, the client's rate limiter holding the whole process
//! to the budget. The journal is written before each call goes and after its answer.

use std::sync::Arc;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::Semaphore;

use super::journal::Journal;
use super::steps::{Answer, Ask, Call, Rotation, ZoneRotation};
use crate::api::Client;
use crate::certinfo::Upload;

/// Calls on the wire at once: enough to hide latency; the budget, not this, sets the
/// pace over minutes. Zones waiting to poll hold no slot.
pub const CONCURRENCY: usize = 16;

/// One call of the rotation.
pub async fn perform(client: &Client, call: &Call, upload: &Upload) -> Answer {
    let zone = call.zone_id.as_str();
    let (key, cert) = (&upload.private_key, upload.certificate.as_str());
    // `--hostnames` sends the same steps to the hostname certificate endpoints.
    let answer = match (&call.ask, call.hostnames) {
        (Ask::List, false) => client.list_certificates(zone).await.map(Answer::Listed),
        (Ask::List, true) => client
            .list_hostname_certificates(zone)
            .await
            .map(Answer::Listed),
        (Ask::Upload, false) => client
            .upload_certificate(zone, cert, key)
            .await
            .map(Answer::Uploaded),
        (Ask::Upload, true) => client
            .upload_hostname_certificate(zone, cert, key)
            .await
            .map(Answer::Uploaded),
        (Ask::Get { cert_id }, false) => {
            client.get_certificate(zone, cert_id).await.map(Answer::Got)
        }
        (Ask::Get { cert_id }, true) => client
            .get_hostname_certificate(zone, cert_id)
            .await
            .map(Answer::Got),
        (Ask::Delete { cert_id }, false) => client
            .delete_certificate(zone, cert_id)
            .await
            .map(|_| Answer::Deleted),
        (Ask::Delete { cert_id }, true) => client
            .delete_hostname_certificate(zone, cert_id)
            .await
            .map(|_| Answer::Deleted),
        (Ask::Move { settings }, _) => client
            .set_hostnames(zone, settings)
            .await
            .map(Answer::Moved),
        (Ask::ReadHostname { hostname }, _) => client
            .get_hostname(zone, hostname)
            .await
            .map(Answer::Hostname),
    };
    answer.unwrap_or_else(Answer::Failed)
}

/// Runs `rotation` until nothing more can happen: to the plan while it is not
/// approved, to the end once it is. `on_change` hears of every zone whose step
/// changed. A journal that cannot be written stops the run: without it an
/// interruption could not be resumed as the plan promised.
pub async fn run(
    client: &Client,
    rotation: &mut Rotation,
    upload: &Upload,
    journal: Option<&Journal>,
    concurrency: usize,
    mut on_change: impl FnMut(&ZoneRotation),
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut in_flight = FuturesUnordered::new();
    loop {
        for call in rotation.next_calls(std::time::Instant::now()) {
            let client = client.clone();
            let slots = slots.clone();
            in_flight.push(async move {
                tokio::time::sleep(call.after).await;
                let _slot = slots.acquire_owned().await;
                let answer = perform(&client, &call, upload).await;
                (call, answer)
            });
        }
        // Before any of those calls is polled, so before it goes.
        write(journal, rotation)?;
        let Some((call, answer)) = in_flight.next().await else {
            return Ok(());
        };
        if let Some(zone) = rotation.answer(&call, answer, std::time::Instant::now()) {
            on_change(zone);
        }
        write(journal, rotation)?;
    }
}

fn write(journal: Option<&Journal>, rotation: &mut Rotation) -> std::io::Result<()> {
    let entries = rotation.take_journal();
    match journal {
        Some(journal) => journal.append(entries, chrono::Utc::now()),
        None => Ok(()),
    }
}
