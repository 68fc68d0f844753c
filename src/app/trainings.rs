//! Trainings 培训记录: what a social worker gives to record one, checked one way for the API and
//! the console, recording it with its attendees, and adding attendees later, named by id or by
//! volunteer number, all or nothing.

use super::AppState;
use crate::domain::text::TextRule;
use crate::domain::volunteer_no;
use crate::error::codes::{INVALID_HELD_ON, INVALID_STUDY_HOURS, TOO_MANY_VOLUNTEERS};
use crate::error::{Error, Result};
use crate::store::Unit;
use crate::store::trainings::{NewTraining, Training};
use chrono::{Months, NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use std::str::FromStr;

/// The most volunteers one request may name.
const MAX_VOLUNTEERS: usize = 1000;

/// Study hours as sent: a decimal string (`"2.5"`) or a JSON number (`2.5`).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum StudyHours {
    Text(String),
    Number(f64),
}

impl StudyHours {
    /// Whole minutes, rounded to the nearest; more than 0 and at most 24 hours.
    fn minutes(&self) -> Result<i32> {
        let value = match self {
            StudyHours::Text(s) => Decimal::from_str(s.trim()).ok(),
            StudyHours::Number(n) => Decimal::try_from(*n).ok(),
        };
        let minutes = value
            .filter(|h| *h > Decimal::ZERO && *h <= Decimal::from(24))
            .map(|h| {
                (h * Decimal::from(60))
                    .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            })
            .and_then(|m| m.to_i32())
            .filter(|m| *m > 0);
        minutes.ok_or_else(|| {
            Error::invalid(
                INVALID_STUDY_HOURS,
                "study hours are a decimal more than 0 and at most 24, e.g. \"2.5\"",
            )
        })
    }
}

/// A training as a social worker gives it, not yet checked.
pub struct TrainingDraft {
    /// 培训名称
    pub name: String,
    /// 培训内容
    pub content: String,
    /// 学时
    pub study_hours: StudyHours,
    /// 主办单位
    pub host: String,
    pub held_on: NaiveDate,
}

impl TrainingDraft {
    /// The training to store, checked: held from 1949 to a year after `today`.
    pub fn checked(&self, today: NaiveDate) -> Result<NewTraining> {
        let earliest = NaiveDate::from_ymd_opt(1949, 1, 1).expect("a real date");
        let latest = today + Months::new(12);
        if !(earliest..=latest).contains(&self.held_on) {
            return Err(Error::invalid(
                INVALID_HELD_ON,
                format!("a training is held between 1949-01-01 and {latest}"),
            ));
        }
        Ok(NewTraining {
            name: TextRule::field("name", 200).parse(&self.name)?,
            content: TextRule::field("content", 200)
                .multiline()
                .parse(&self.content)?,
            study_minutes: self.study_hours.minutes()?,
            host: TextRule::field("host", 200).parse(&self.host)?,
            held_on: self.held_on,
        })
    }
}

/// Today in the service's display time zone (China), where trainings are dated.
pub fn today(state: &AppState) -> NaiveDate {
    Utc::now()
        .with_timezone(&state.settings.display_offset())
        .date_naive()
}

/// The ids once each, in order; at most `MAX_VOLUNTEERS`.
fn volunteer_ids(ids: &[i64]) -> Result<Vec<i64>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > MAX_VOLUNTEERS {
        return Err(too_many());
    }
    Ok(ids)
}

fn too_many() -> Error {
    Error::invalid(
        TOO_MANY_VOLUNTEERS,
        format!("name at most {MAX_VOLUNTEERS} volunteers at once"),
    )
}

/// Records a training of `unit` attended by `volunteer_ids`, every one registered in a community
/// within the unit (else nothing is stored). Audited.
pub async fn record(
    state: &AppState,
    unit: &Unit,
    draft: &TrainingDraft,
    volunteer_ids: &[i64],
    actor: i64,
) -> Result<Training> {
    let training = draft.checked(today(state))?;
    let ids = self::volunteer_ids(volunteer_ids)?;
    state
        .store
        .create_training(unit, &training, &ids, actor)
        .await
}

/// Adds `volunteer_ids` to the training's list, all or none; one already on it changes nothing.
/// Answers the training as it is now.
pub async fn add_attendees(
    state: &AppState,
    training: &Training,
    volunteer_ids: &[i64],
    actor: i64,
) -> Result<Training> {
    let ids = self::volunteer_ids(volunteer_ids)?;
    state
        .store
        .add_training_attendees(training, &ids, actor)
        .await?;
    state
        .store
        .training(training.id)
        .await?
        .ok_or(Error::NotFound("training"))
}

/// The ids of the volunteers whose numbers `listed` holds (one a line or separated by commas),
/// each registered in a community within `unit_path`; `unknown_volunteer` naming every number
/// that is not.
pub async fn numbered_volunteers(
    state: &AppState,
    unit_path: &str,
    listed: &str,
) -> Result<Vec<i64>> {
    let numbers = volunteer_no::listed(listed);
    if numbers.len() > MAX_VOLUNTEERS {
        return Err(too_many());
    }
    state.store.volunteers_numbered(unit_path, &numbers).await
}

#[cfg(test)]
mod tests {
    use super::StudyHours;

    fn minutes(h: StudyHours) -> Option<i32> {
        h.minutes().ok()
    }

    #[test]
    fn study_hours_become_whole_minutes() {
        assert_eq!(minutes(StudyHours::Text("2.5".into())), Some(150));
        assert_eq!(minutes(StudyHours::Number(2.5)), Some(150));
        assert_eq!(minutes(StudyHours::Text("24".into())), Some(1440));
        // 0.33 h is 19.8 minutes: kept as 20, shown again as "0.33".
        assert_eq!(minutes(StudyHours::Text("0.33".into())), Some(20));
    }

    #[test]
    fn study_hours_outside_0_to_24_are_refused() {
        for bad in ["0", "-1", "24.01", "0.001", "abc", "", "1e400"] {
            assert_eq!(minutes(StudyHours::Text(bad.into())), None, "{bad}");
        }
        assert_eq!(minutes(StudyHours::Number(f64::MAX)), None);
    }
}
