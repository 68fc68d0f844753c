//! Pure domain rules: no I/O, no web framework, no database.

pub mod attendance;
pub mod backbone;
pub mod certificate;
mod enums;
pub mod evaluation;
pub mod hours;
pub mod id_number;
pub mod ledger;
pub mod personal_code;
pub mod phone;
pub mod privacy;
pub mod qr;
pub mod roles;
pub mod selection;
pub mod selection_review;
pub mod short_code;
pub mod signup;
pub mod social_workers;
pub mod spreadsheet;
pub mod targets;
pub mod text;
pub mod throttle;
pub mod units;
pub mod volunteer_no;
pub mod volunteer_search;
