//! originpull: Cloudflare zone-level Authenticated Origin Pulls, from a terminal.

pub mod api;
pub mod certinfo;
pub mod sim;
pub mod text;
