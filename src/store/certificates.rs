//! Certificates 志愿服务记录证明 and their verification.

use async_trait::async_trait;

#[async_trait]
pub trait CertificateStore {}
