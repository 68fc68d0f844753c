//! One error type for the whole service; it is also the HTTP answer
//! `{"error": code, "message": text}`, its code one of [`codes`].

pub mod codes;

use crate::domain::text::InvalidText;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use codes::{
    BAD_REQUEST, FORBIDDEN, INTERNAL, INVALID_CREDENTIALS, METHOD_NOT_ALLOWED, NOT_FOUND,
    PAYLOAD_TOO_LARGE, REQUEST_TIMEOUT, TOO_MANY_ATTEMPTS, UNAUTHORIZED, UNAVAILABLE,
};
use serde::Serialize;
use utoipa::ToSchema;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 422: the request is well-formed but its content is not acceptable.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// 400: the body or query could not be read at all.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("login required")]
    Unauthorized,
    #[error("wrong login or password")]
    InvalidCredentials,
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("too many failed attempts; try again in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("this method is not allowed on this path")]
    MethodNotAllowed,
    /// 413: the body is larger than this endpoint accepts.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// 408: the request ran longer than `request_timeout_secs`.
    #[error("the request took too long; please try again")]
    Timeout,
    /// 503: the service is saturated or its database busy; the answer says when to retry.
    #[error("the service cannot complete this now; please try again in {retry_after_secs} s")]
    Unavailable { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            code,
            message: message.into(),
        }
    }

    /// 503 asking the client to retry after a second.
    pub fn unavailable() -> Self {
        Error::Unavailable {
            retry_after_secs: 1,
        }
    }

    pub fn forbidden() -> Self {
        Error::denied(FORBIDDEN, "you have no role on this unit that allows this")
    }

    /// 403 with a code of its own.
    pub fn denied(code: &'static str, message: impl Into<String>) -> Self {
        Error::Forbidden {
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Unauthorized | Error::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Error::Forbidden { .. } => StatusCode::FORBIDDEN,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Timeout => StatusCode::REQUEST_TIMEOUT,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Whether the request was refused for what it said — invalid, in conflict with what is
    /// stored, or naming nothing — rather than for who asked or for the service's own trouble. A
    /// console form shows such a refusal on itself again; anything else is the answer itself.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Error::Invalid { .. } | Error::Conflict { .. } | Error::NotFound(_)
        )
    }

    /// How many seconds the client should wait before trying again, when the answer says.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::TooManyAttempts { retry_after_secs }
            | Error::Unavailable { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { code, .. }
            | Error::Conflict { code, .. }
            | Error::Forbidden { code, .. } => code,
            Error::BadRequest(_) => BAD_REQUEST,
            Error::NotFound(_) => NOT_FOUND,
            Error::Unauthorized => UNAUTHORIZED,
            Error::InvalidCredentials => INVALID_CREDENTIALS,
            Error::MethodNotAllowed => METHOD_NOT_ALLOWED,
            Error::PayloadTooLarge => PAYLOAD_TOO_LARGE,
            Error::Timeout => REQUEST_TIMEOUT,
            Error::TooManyAttempts { .. } => TOO_MANY_ATTEMPTS,
            Error::Unavailable { .. } => UNAVAILABLE,
            Error::Internal(_) => INTERNAL,
        }
    }
}

impl From<InvalidText> for Error {
    fn from(e: InvalidText) -> Self {
        Error::Invalid {
            code: e.code,
            message: e.message,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => Error::unavailable(),
            sqlx::Error::Database(db) if is_sqlite_busy(db.code().as_deref()) => {
                Error::unavailable()
            }
            e => Error::Internal(e.into()),
        }
    }
}

/// SQLite's "database is locked" (`SQLITE_BUSY` and its extended codes, `SQLITE_LOCKED`): another
/// connection, often outside the service, held the write lock past the busy timeout.
fn is_sqlite_busy(code: Option<&str>) -> bool {
    matches!(code, Some("5" | "6" | "261" | "262" | "517"))
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A fixed snake_case code, e.g. `invalid_id_number`.
    pub error: String,
    pub message: String,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.retry_after();
        let message = match &self {
            Error::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                "an internal error occurred".to_owned()
            }
            other => other.to_string(),
        };
        let body = ErrorBody {
            error: self.code().to_owned(),
            message,
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
