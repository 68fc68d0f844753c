#![forbid(unsafe_code)]
//! vledger: a volunteer hours ledger and incentive service for a district and its communities.
//!
//! `domain` holds the pure rules, `store` the database, `app` the use cases over them; `http`,
//! the CLI (`main.rs`, `service`), the scheduled jobs and `demo` call the use cases.

pub mod app;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod store;

pub use error::{Error, Result};
pub mod demo;
pub mod http;
pub mod service;
