//! The application's use cases, called alike by the HTTP handlers, the jobs, the CLI and the demo.

pub mod corrections;
pub mod ledger;
