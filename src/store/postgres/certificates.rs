//! Certificates 志愿服务记录证明 and their verification. (PostgreSQL)

use super::PgStore;
use crate::store::certificates::CertificateStore;
use async_trait::async_trait;

#[async_trait]
impl CertificateStore for PgStore {}
