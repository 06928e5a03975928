//! Sends a survey's calls through the client, as many at once as `concurrency` lets;
//! the client's rate limiter holds the whole process to the budget.

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use super::state::ZoneState;
use super::walk::{Answer, Ask, Call, Progress, Survey};
use crate::api::Client;

/// Calls in flight at once: enough to hide latency; the budget, not this, sets the
/// pace over minutes.
pub const CONCURRENCY: usize = 16;

/// One call of the survey.
pub async fn ask(client: &Client, call: &Call) -> Answer {
    let zone = call.zone_id.as_str();
    let answer = match call.ask {
        Ask::Settings => client.zone_settings(zone).await.map(Answer::Settings),
        Ask::Certificates => client
            .list_certificates(zone)
            .await
            .map(Answer::Certificates),
        Ask::Enablement => client.get_enablement(zone).await.map(Answer::Enablement),
        Ask::HostnameCertificates => client
            .list_hostname_certificates(zone)
            .await
            .map(Answer::HostnameCertificates),
    };
    answer.unwrap_or_else(Answer::Failed)
}

/// Runs `survey` to the end. After each answer `on_answer` hears the progress, and
/// the zone's state when that answer finished it.
pub async fn run(
    client: &Client,
    survey: &mut Survey,
    concurrency: usize,
    mut on_answer: impl FnMut(Option<&ZoneState>, Progress),
) {
    let mut in_flight = FuturesUnordered::new();
    loop {
        while in_flight.len() < concurrency.max(1) {
            let Some(call) = survey.next_call() else {
                break;
            };
            let client = client.clone();
            in_flight.push(async move {
                let answer = ask(&client, &call).await;
                (call, answer)
            });
        }
        let Some((call, answer)) = in_flight.next().await else {
            return;
        };
        let finished = survey.answer(&call, answer, chrono::Utc::now()).is_some();
        on_answer(
            finished.then(|| &survey.zones()[call.zone]),
            survey.progress(),
        );
    }
}
