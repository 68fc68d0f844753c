//! Trainings 培训记录 and who attended them. (PostgreSQL)

use super::PgStore;
use crate::store::trainings::TrainingStore;
use async_trait::async_trait;

#[async_trait]
impl TrainingStore for PgStore {}
