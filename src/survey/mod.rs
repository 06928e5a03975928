//! The account survey: a walk over zones within the rate-limit budget, the state it
//! learns of each zone, the findings that follow from that state, and a cache so an
//! interrupted survey resumes. The audit prints it; the fleet view draws it.

pub mod cache;
pub mod findings;
pub mod run;
pub mod state;
pub mod walk;

pub use cache::SurveyCache;
pub use findings::{Code, EXPIRING_WITHIN_DAYS, Expiry, Finding, Level, Rules, findings};
pub use state::{CertLevel, LevelState, Presented, ZoneState, is_only_active};
pub use walk::{Answer, Ask, CALLS_PER_ZONE, Call, Progress, Survey};
