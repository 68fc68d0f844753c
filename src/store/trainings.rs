//! Trainings 培训记录 and who attended them.

use async_trait::async_trait;

#[async_trait]
pub trait TrainingStore {}
