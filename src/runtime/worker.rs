//! The background loop: every second it fires the timers that are due (they are rows, so a
//! restart picks up where the last run stopped) and delivers pending outbox messages.

use std::sync::Arc;
use std::time::Duration;

use super::channels::ChannelsConfig;
use super::delivery;
use super::service::AppState;

/// How many due timers one pass handles before letting requests in again.
const BATCH: usize = 200;

pub async fn run(state: Arc<AppState>, channels: Arc<ChannelsConfig>, period: Duration) {
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let s = state.clone();
        let r = tokio::task::spawn_blocking(move || loop {
            // The directory file and the invited people, polled like the timers.
            s.refresh_directory_file(false);
            s.forget_old_keys()?;
            match s.tick_due(BATCH) {
                Ok(n) if n == BATCH => continue,
                Ok(_) => return Ok(()),
                Err(e) => return Err(e),
            }
        })
        .await;
        report("timers", r);
        let (s, cfg) = (state.clone(), channels.clone());
        let r = tokio::task::spawn_blocking(move || loop {
            match delivery::deliver_due(&s, &cfg, BATCH) {
                Ok(n) if n == BATCH => continue,
                Ok(_) => return Ok(()),
                Err(e) => return Err(e),
            }
        })
        .await;
        report("outbox", r);
    }
}

fn report(what: &str, r: Result<Result<(), super::error::ApiError>, tokio::task::JoinError>) {
    match r {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("{what}: {}", e.body["error"]["message"]),
        Err(e) => eprintln!("{what}: {e}"),
    }
}
