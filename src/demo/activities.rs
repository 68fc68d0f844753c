//! Demo activities around today: past ones with check-ins and check-outs (a few forgotten), one
//! under way with volunteers checked in, and upcoming ones.

use crate::app::AppState;
use crate::domain::attendance::Window;
use crate::domain::qr::QrMode;
use crate::store::Unit;
use crate::store::activities::{ActivityFields, Scan, ScanOutcome};
use crate::store::bulk::NewActivity;
use chrono::{DateTime, Duration, DurationRound, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

const TITLES: [(&str, &str); 8] = [
    ("敬老院探访", "扶老助残"),
    ("社区环境清洁", "环境保护"),
    ("垃圾分类宣传", "环境保护"),
    ("义诊服务", "社区服务"),
    ("社区图书角整理", "文化教育"),
    ("交通文明劝导", "平安建设"),
    ("防诈骗宣传", "平安建设"),
    ("关爱留守儿童", "文化教育"),
];
const PLACES: [&str; 4] = ["党群服务中心活动室", "社区广场", "幸福敬老院", "社区图书角"];
const PAST_PER_COMMUNITY: usize = 6;

/// What was made.
pub struct Made {
    pub activities: usize,
    pub attendances: usize,
}

pub(super) fn fields(rng: &mut StdRng, community: &Unit, window: Window) -> ActivityFields {
    let (title, category) = TITLES[rng.gen_range(0..TITLES.len())];
    ActivityFields {
        title: title.to_owned(),
        place: format!(
            "{}{}",
            community.name,
            PLACES[rng.gen_range(0..PLACES.len())]
        ),
        content: format!("{title}：志愿者协助组织、服务与秩序维护"),
        category: category.to_owned(),
        organiser: community.name.clone(),
        person_in_charge: "社区负责人".to_owned(),
        window,
        capacity: None,
        geofence: None,
        qr_mode: if rng.gen_bool(0.5) {
            QrMode::Static
        } else {
            QrMode::Rotating
        },
        signup_required: false,
    }
}

fn scan(
    state: &AppState,
    activity: i64,
    window: Window,
    volunteer_id: i64,
    at: DateTime<Utc>,
) -> Scan {
    Scan {
        activity_id: activity,
        window,
        capacity: None,
        signup_required: false,
        geofence: None,
        volunteer_id,
        at,
        position: None,
        grace: state.settings.checkout_grace(),
        recorded_by: None,
    }
}

/// `members`: some volunteers of each community, in the order of `communities`.
pub async fn build(
    state: &AppState,
    rng: &mut StdRng,
    communities: &[Unit],
    members: &[Vec<i64>],
    actor: i64,
) -> anyhow::Result<Made> {
    let store = &state.store;
    let now = Utc::now()
        .duration_trunc(Duration::minutes(5))
        .unwrap_or_else(|_| Utc::now());
    let (mut check_ins, mut check_outs) = (Vec::new(), Vec::new());
    let mut made = Made {
        activities: 0,
        attendances: 0,
    };
    let mut bulk = store.bulk().await?;
    for (community, members) in communities.iter().zip(members) {
        let mut windows: Vec<Window> = (0..PAST_PER_COMMUNITY)
            .map(|_| {
                // Mornings and afternoons (China time) over the past two months.
                let day = (now - Duration::days(rng.gen_range(1..60)))
                    .duration_trunc(Duration::days(1))
                    .unwrap();
                let starts_at = day + Duration::hours([1, 6][rng.gen_range(0..2)]);
                Window {
                    starts_at,
                    ends_at: starts_at + Duration::minutes(rng.gen_range(4..9) * 30),
                }
            })
            .collect();
        let live = Window {
            starts_at: now - Duration::hours(1),
            ends_at: now + Duration::hours(2),
        };
        windows.push(live);
        windows.push(Window {
            starts_at: now + Duration::days(2),
            ends_at: now + Duration::days(2) + Duration::hours(3),
        });
        let planned: Vec<NewActivity> = windows
            .into_iter()
            .map(|window| NewActivity {
                unit: community,
                fields: fields(rng, community, window),
                qr_secret: rng.r#gen(),
            })
            .collect();
        let activities = bulk.activities(&planned, actor).await?;
        made.activities += activities.len();
        for activity in &activities {
            let window = activity.window();
            if window.starts_at > now {
                continue;
            }
            let count = rng.gen_range(3..20).min(members.len());
            for &volunteer in members.choose_multiple(rng, count) {
                let arrived = window.starts_at + Duration::minutes(rng.gen_range(-20..15));
                check_ins.push(scan(state, activity.id, window, volunteer, arrived));
                // Most leave with a scan; some forget, for the forgotten-check-out job.
                if window.ends_at < now && rng.gen_bool(0.9) {
                    let left = window.ends_at + Duration::minutes(rng.gen_range(-30..20));
                    check_outs.push(scan(state, activity.id, window, volunteer, left));
                }
            }
        }
    }
    bulk.commit().await?;
    for chunk in check_ins.chunks(500) {
        let outcomes = store.record_scans(chunk).await?;
        made.attendances += outcomes
            .iter()
            .filter(|o| matches!(o, ScanOutcome::Recorded { changed: true, .. }))
            .count();
    }
    for chunk in check_outs.chunks(500) {
        store.record_scans(chunk).await?;
    }
    Ok(made)
}
