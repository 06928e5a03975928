//! originpull: Cloudflare zone-level Authenticated Origin Pulls, from a terminal.

pub mod api;
pub mod app;
pub mod cache;
pub mod certinfo;
pub mod cli;
pub mod config;
pub mod hostnames;
pub mod logging;
pub mod origin;
pub mod rank;
pub mod rotate;
pub mod sim;
pub mod survey;
pub mod text;
pub mod tui;
pub mod ui;
