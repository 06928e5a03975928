//! The origin's end of AOP: make the client certificate ([`new_cert`]), print the server
//! configuration that demands it ([`server_config`]), and check from outside that the
//! origin enforces it ([`verify`]). None of it calls the Cloudflare API.

mod files;
pub mod new_cert;
pub mod server_config;
pub mod shared_ca;
pub mod verify;
