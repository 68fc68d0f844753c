//! The fixed `error` codes of the JSON error answers (see API.md), each written once: the
//! handlers answer with them and the OpenAPI descriptions list them.

// The codes of the error kinds that have only one (400, 401, 404, 405, 413, 429, 5xx).
pub const BAD_REQUEST: &str = "bad_request";
pub const UNAUTHORIZED: &str = "unauthorized";
pub const INVALID_CREDENTIALS: &str = "invalid_credentials";
pub const NOT_FOUND: &str = "not_found";
pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
pub const REQUEST_TIMEOUT: &str = "request_timeout";
pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";
pub const UNAVAILABLE: &str = "unavailable";
pub const INTERNAL: &str = "internal";

// 403: out of the caller's scope, or not theirs to do.
pub const FORBIDDEN: &str = "forbidden";
pub const NOT_A_VOLUNTEER: &str = "not_a_volunteer";
pub const INVALID_QR: &str = "invalid_qr";
pub const INVALID_CSRF_TOKEN: &str = "invalid_csrf_token";
pub const WRONG_PASSWORD: &str = "wrong_password";

// 409: the request clashes with what is stored.
pub const ACTIVITY_CANCELLED: &str = "activity_cancelled";
pub const CERTIFICATE_ALTERED: &str = "certificate_altered";
pub const DUPLICATE_CERTIFICATE: &str = "duplicate_certificate";
pub const ACTIVITY_FULL: &str = "activity_full";
pub const OUTSIDE_WINDOW: &str = "outside_window";
pub const ALREADY_RECORDED: &str = "already_recorded";
pub const ALREADY_RESOLVED: &str = "already_resolved";
pub const ALREADY_REVIEWED: &str = "already_reviewed";
pub const STILL_CHECKED_IN: &str = "still_checked_in";
pub const DUPLICATE_ID_NUMBER: &str = "duplicate_id_number";
pub const DUPLICATE_LOGIN: &str = "duplicate_login";
pub const DUPLICATE_ORGANISATION: &str = "duplicate_organisation";
pub const DUPLICATE_PARTNER: &str = "duplicate_partner";
pub const DUPLICATE_PHONE: &str = "duplicate_phone";
pub const DUPLICATE_UNIT: &str = "duplicate_unit";
pub const INSUFFICIENT_POINTS: &str = "insufficient_points";
pub const OUT_OF_STOCK: &str = "out_of_stock";
pub const REWARD_INACTIVE: &str = "reward_inactive";
pub const ALREADY_HANDED_OVER: &str = "already_handed_over";
pub const DUPLICATE_REDEMPTION_CODE: &str = "duplicate_redemption_code";
pub const SELECTION_EXISTS: &str = "selection_exists";
pub const SELECTION_NOT_DRAFT: &str = "selection_not_draft";
pub const SELECTION_NOT_IN_NOTICE: &str = "selection_not_in_notice";
pub const NOTICE_RUNNING: &str = "notice_running";
pub const OBJECTIONS_OPEN: &str = "objections_open";
pub const ALREADY_SIGNED_UP: &str = "already_signed_up";
pub const RECRUITMENT_CLOSED: &str = "recruitment_closed";
pub const ACTIVITY_STARTED: &str = "activity_started";

// 422: the request is readable but its content is not acceptable.
pub const INVALID_BODY: &str = "invalid_body";
pub const INVALID_CODE: &str = "invalid_code";
pub const INVALID_QUERY: &str = "invalid_query";
pub const INVALID_FIELD: &str = "invalid_field";
pub const INVALID_PERIOD: &str = "invalid_period";
pub const INVALID_NAME: &str = "invalid_name";
pub const INVALID_DESCRIPTION: &str = "invalid_description";
pub const INVALID_MESSAGE: &str = "invalid_message";
pub const REASON_REQUIRED: &str = "reason_required";
pub const INVALID_ID_NUMBER: &str = "invalid_id_number";
pub const INVALID_PHONE: &str = "invalid_phone";
pub const CONSENT_REQUIRED: &str = "consent_required";
pub const CONFIRMATION_REQUIRED: &str = "confirmation_required";
pub const WEAK_PASSWORD: &str = "weak_password";
pub const INVALID_TAGS: &str = "invalid_tags";
pub const INVALID_LOGIN: &str = "invalid_login";
pub const INVALID_COMMUNITY: &str = "invalid_community";
pub const OUT_OF_SCOPE: &str = "out_of_scope";
pub const INVALID_CSV: &str = "invalid_csv";
pub const INVALID_KIND: &str = "invalid_kind";
pub const INVALID_PARENT: &str = "invalid_parent";
pub const INVALID_UNIT: &str = "invalid_unit";
pub const INVALID_ORG_TYPE: &str = "invalid_org_type";
pub const NOT_A_COMMUNITY: &str = "not_a_community";
pub const INVALID_YEAR: &str = "invalid_year";
pub const INVALID_POPULATION: &str = "invalid_population";
pub const INVALID_TIME: &str = "invalid_time";
pub const INVALID_CAPACITY: &str = "invalid_capacity";
pub const INVALID_GEOFENCE: &str = "invalid_geofence";
pub const INVALID_MINUTES: &str = "invalid_minutes";
pub const INVALID_ENTRY: &str = "invalid_entry";
pub const DUPLICATE_ATTENDANCE: &str = "duplicate_attendance";
pub const NOTHING_TO_REVIEW: &str = "nothing_to_review";
pub const INVALID_POINTS_COST: &str = "invalid_points_cost";
pub const INVALID_STOCK: &str = "invalid_stock";
pub const INVALID_STUDY_HOURS: &str = "invalid_study_hours";
pub const INVALID_HELD_ON: &str = "invalid_held_on";
pub const INVALID_REGISTERED_ON: &str = "invalid_registered_on";
pub const INVALID_EVALUATION: &str = "invalid_evaluation";
pub const NOT_A_CANDIDATE: &str = "not_a_candidate";
pub const NOT_ELIGIBLE: &str = "not_eligible";
pub const NOT_A_WINNER: &str = "not_a_winner";
pub const NO_WINNERS: &str = "no_winners";
pub const INVALID_RATING: &str = "invalid_rating";
pub const UNKNOWN_VOLUNTEER: &str = "unknown_volunteer";
pub const TOO_MANY_VOLUNTEERS: &str = "too_many_volunteers";
pub const INVALID_QUALIFICATION: &str = "invalid_qualification";
pub const INVALID_SOCIAL_WORKER: &str = "invalid_social_worker";
