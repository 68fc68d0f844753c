//! Trainings 培训记录 and who attended them. (SQLite)

use super::SqliteStore;
use crate::store::trainings::TrainingStore;
use async_trait::async_trait;

#[async_trait]
impl TrainingStore for SqliteStore {}
