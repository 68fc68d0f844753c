//! Request extractors whose failures answer in the service's JSON error format, and who is
//! calling.

use crate::app::AppState;
use crate::crypto::session_token_hash;
use crate::domain::roles::Caller;
use crate::error::codes::{INVALID_BODY, INVALID_CSRF_TOKEN, INVALID_QUERY};
use crate::error::{Error, Result};
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{
    ConnectInfo, FromRequest, FromRequestParts, Multipart, OptionalFromRequestParts, Request,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use chrono::Utc;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The cookie the pages use; it holds the same kind of session token as the bearer header.
pub const SESSION_COOKIE: &str = "vledger_session";

/// A `Set-Cookie` value that ends the page session in the browser.
pub const CLEARED_SESSION_COOKIE: &str =
    "vledger_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";

/// The `Set-Cookie` value carrying a new session's `token` to the pages: HttpOnly, `SameSite=Lax`,
/// `Secure` when the service is served over HTTPS.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.settings.public_url().starts_with("https:") {
        "; Secure"
    } else {
        ""
    };
    let max_age = crate::app::sessions::session_ttl(state).num_seconds();
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// A body read whole, as bytes.
pub struct Body(pub bytes::Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        Ok(Body(bytes::Bytes::from_request(req, state).await?))
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct Path<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct Query<T>(pub T);

/// A body that could not be read: too large (past the endpoint's `DefaultBodyLimit`, 2 MiB unless
/// it says otherwise), or broken.
fn unreadable(status: StatusCode, text: String) -> Error {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge
    } else {
        Error::BadRequest(text)
    }
}

impl From<JsonRejection> for Error {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => Error::invalid(INVALID_BODY, e.body_text()),
            other => unreadable(other.status(), other.body_text()),
        }
    }
}

impl From<BytesRejection> for Error {
    fn from(r: BytesRejection) -> Self {
        unreadable(r.status(), r.body_text())
    }
}

impl From<MultipartRejection> for Error {
    fn from(r: MultipartRejection) -> Self {
        unreadable(r.status(), r.body_text())
    }
}

impl From<MultipartError> for Error {
    fn from(e: MultipartError) -> Self {
        unreadable(e.status(), e.body_text())
    }
}

impl From<PathRejection> for Error {
    fn from(_: PathRejection) -> Self {
        Error::NotFound("resource")
    }
}

impl From<QueryRejection> for Error {
    fn from(r: QueryRejection) -> Self {
        Error::invalid(INVALID_QUERY, r.body_text())
    }
}

/// The address a request comes from: the connection's, or the last one in the header a trusted
/// reverse proxy sets (the `client_ip_header` setting).
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .settings
            .client_ip_header
            .as_deref()
            .and_then(|name| parts.headers.get(name))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(
            forwarded
                .or(peer)
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ))
    }
}

/// The session token of a request: the bearer header, else the page cookie.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    bearer.or_else(|| {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
    })
}

/// The session a request presents.
enum Session {
    /// Neither a bearer token nor the cookie.
    Absent,
    /// One that has ended, expired or never was.
    Stale,
    Current(Caller),
}

impl Session {
    async fn of(parts: &Parts, state: &AppState) -> Result<Session> {
        let Some(token) = session_token(&parts.headers) else {
            return Ok(Session::Absent);
        };
        let caller = state
            .store
            .session_caller(&session_token_hash(token), Utc::now())
            .await?;
        Ok(caller.map_or(Session::Stale, Session::Current))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        match Session::of(parts, state).await? {
            Session::Current(caller) => Ok(caller),
            Session::Absent | Session::Stale => Err(Error::Unauthorized),
        }
    }
}

/// An API caller who may be anonymous; a stale session is refused (401), as the client believes
/// it is someone.
impl OptionalFromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Error> {
        match Session::of(parts, state).await? {
            Session::Absent => Ok(None),
            Session::Stale => Err(Error::Unauthorized),
            Session::Current(caller) => Ok(Some(caller)),
        }
    }
}

/// Who is looking at a page: a logged-in caller, or `None` for a visitor without a current
/// session. A page shows its login form to a session that has ended or expired, as to none: the
/// browser keeps sending a cookie for as long as it likes.
pub struct Visitor(pub Option<Caller>);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        match Session::of(parts, state).await? {
            Session::Current(caller) => Ok(Visitor(Some(caller))),
            Session::Absent | Session::Stale => Ok(Visitor(None)),
        }
    }
}

/// A page visitor's current session with the token its forms must carry; `None` when logged out
/// (or the session has ended, as for [`Visitor`]).
pub struct FormSession(pub Option<SignedIn>);

pub struct SignedIn {
    pub caller: Caller,
    /// The hidden `csrf_token` field of every form the page shows.
    pub csrf_token: String,
}

impl FromRequestParts<AppState> for FormSession {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let Session::Current(caller) = Session::of(parts, state).await? else {
            return Ok(FormSession(None));
        };
        let token = session_token(&parts.headers).unwrap_or_default();
        let csrf_token = state.keys.csrf_token(&session_token_hash(token));
        Ok(FormSession(Some(SignedIn { caller, csrf_token })))
    }
}

/// A form posted from a page in the caller's session: its `csrf_token` field must be the
/// session's, or the post is refused (403) before anything else reads it. With the `SameSite`
/// cookie this keeps other sites from posting forms in a user's name.
pub struct CsrfForm<T> {
    pub session: SignedIn,
    pub form: T,
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        let (parts, body) = req.into_parts();
        let (session, session_hash) = posting_session(&parts, state).await?;
        let bytes = bytes::Bytes::from_request(Request::from_parts(parts, body), state).await?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| Error::BadRequest(format!("the form cannot be read: {e}")))?;
        let given = fields
            .iter()
            .find(|(name, _)| name == "csrf_token")
            .map_or("", |(_, value)| value.as_str());
        check_csrf_token(state, &session_hash, given)?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| Error::invalid(INVALID_BODY, format!("the form is not complete: {e}")))?;
        Ok(CsrfForm { session, form })
    }
}

/// A form with a file (`multipart/form-data`) posted from a page in the caller's session: as
/// for [`CsrfForm`], its `csrf_token` part must be the session's, or the post is refused (403)
/// before any other part is used.
pub struct CsrfUpload {
    pub session: SignedIn,
    /// Every other part, by name, as sent.
    pub fields: Vec<(String, bytes::Bytes)>,
}

impl CsrfUpload {
    /// The part named `name`, empty when none was sent.
    pub fn field(&self, name: &str) -> bytes::Bytes {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(bytes::Bytes::new, |(_, value)| value.clone())
    }
}

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        let (parts, body) = req.into_parts();
        let (session, session_hash) = posting_session(&parts, state).await?;
        let mut upload = Multipart::from_request(Request::from_parts(parts, body), state).await?;
        // Pages send the token first: a form posted from elsewhere is refused before its file
        // is read.
        let (mut checked, mut fields) = (false, Vec::new());
        while let Some(part) = upload.next_field().await? {
            let name = part.name().unwrap_or_default().to_owned();
            let value = part.bytes().await?;
            if name == "csrf_token" {
                check_csrf_token(state, &session_hash, &String::from_utf8_lossy(&value))?;
                checked = true;
            } else {
                fields.push((name, value));
            }
        }
        if !checked {
            check_csrf_token(state, &session_hash, "")?;
        }
        Ok(CsrfUpload { session, fields })
    }
}

/// The current session a form is posted in, with the hash of its token; 401 without one.
async fn posting_session(parts: &Parts, state: &AppState) -> Result<(SignedIn, String)> {
    let Session::Current(caller) = Session::of(parts, state).await? else {
        return Err(Error::Unauthorized);
    };
    let session_hash = session_token_hash(session_token(&parts.headers).unwrap_or_default());
    let csrf_token = state.keys.csrf_token(&session_hash);
    Ok((SignedIn { caller, csrf_token }, session_hash))
}

/// 403 unless `given` is the `csrf_token` of the session whose token hashes to `session_hash`.
fn check_csrf_token(state: &AppState, session_hash: &str, given: &str) -> Result<()> {
    if state.keys.csrf_matches(session_hash, given) {
        Ok(())
    } else {
        Err(Error::denied(
            INVALID_CSRF_TOKEN,
            "this form is not from this session; reload the page and try again",
        ))
    }
}

/// Whether a page's visitor asks for its JSON (`Accept: application/json`) rather than the page.
pub fn wants_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}
