//! The client-side rate limit: Cloudflare allows 1200 requests per 5 minutes per user,
//! and past it blocks every call for minutes. A sliding window lets bursts through
//! (200 zone pages go out at once) while never exceeding the window's budget.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Cloudflare's documented limit.
pub const REQUESTS_PER_WINDOW: usize = 1200;
pub const WINDOW: Duration = Duration::from_secs(300);

#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Start times of the requests inside the current window, oldest first.
    sent: VecDeque<Instant>,
    /// After a 429, nothing goes out before this.
    paused_until: Option<Instant>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(REQUESTS_PER_WINDOW, WINDOW)
    }
}

impl RateLimiter {
    /// At most `max` requests in any `window`, as the server counts them. The server
    /// counts arrivals and we count departures, and the two drift apart by however
    /// much the network's delay varies; a window 2% longer than the server's keeps
    /// that jitter from turning the last call of a window into a 429.
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max: max.max(1),
            window: window + window / 50,
            state: Mutex::new(State::default()),
        }
    }

    pub fn budget(&self) -> usize {
        self.max
    }

    /// Waits until one more request fits, then counts it. `on_wait` hears of each
    /// wait before it starts, and whether a server's 429 (not the budget) is why, so
    /// the caller can say why a call is held.
    pub async fn acquire(&self, mut on_wait: impl FnMut(Duration, bool)) {
        loop {
            let (wait, paused) = {
                let mut s = self.state.lock().expect("rate limiter lock");
                let now = Instant::now();
                while s.sent.front().is_some_and(|&t| now - t >= self.window) {
                    s.sent.pop_front();
                }
                match s.paused_until {
                    Some(until) if until > now => (until - now, true),
                    _ if s.sent.len() < self.max => {
                        s.sent.push_back(now);
                        return;
                    }
                    // Full: the oldest request leaves the window first.
                    _ => (self.window - (now - s.sent[0]), false),
                }
            };
            on_wait(wait, paused);
            tokio::time::sleep(wait).await;
        }
    }

    /// After a 429 every call waits out the server's `Retry-After`, not only the one
    /// that got it: Cloudflare blocks the whole user, not one request.
    pub fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut s = self.state.lock().expect("rate limiter lock");
        if s.paused_until.is_none_or(|t| t < until) {
            s.paused_until = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bursts_pass_then_the_window_holds() {
        let limiter = RateLimiter::new(3, Duration::from_secs(10));
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire(|_, _| panic!("a burst waits")).await;
        }
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "a burst of the window's size is free"
        );
        let mut waits = Vec::new();
        limiter.acquire(|w, paused| waits.push((w, paused))).await;
        // The window, and its margin for the network's jitter.
        assert_eq!(waits, vec![(Duration::from_millis(10_200), false)]);
        assert_eq!(start.elapsed(), Duration::from_millis(10_200));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_caller() {
        let limiter = RateLimiter::new(100, Duration::from_secs(10));
        limiter.pause_for(Duration::from_secs(2));
        let start = Instant::now();
        let mut causes = Vec::new();
        limiter.acquire(|_, paused| causes.push(paused)).await;
        limiter.acquire(|_, paused| causes.push(paused)).await;
        assert_eq!(causes, [true]);
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
}
