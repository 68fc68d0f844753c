//! `vledger demo`: a deterministic synthetic district, so that a newcomer sees a live system and
//! reports have realistic shapes. The same seed gives the same district.

mod activities;
mod year;

use crate::app::AppState;
use crate::app::registration::{Applicant, Channel, prepare};
use crate::domain::id_number::compose;
use crate::domain::roles::Role;
use crate::domain::units::{OrganisationType, UnitKind};
use crate::store::{Registration, Unit};
use anyhow::bail;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;

pub const DEMO_ADMIN: &str = "admin";
pub const DEMO_PASSWORD: &str = "vledger-demo";

const STREETS: [&str; 10] = [
    "东湖街道",
    "西山街道",
    "南门街道",
    "北关街道",
    "滨江街道",
    "桂园街道",
    "青云镇",
    "高新开发区",
    "梅林街道",
    "杏花街道",
];
const COMMUNITY_WORDS: [&str; 15] = [
    "花园", "翠竹", "幸福", "和平", "光明", "新村", "锦绣", "枫林", "紫荆", "春晖", "长青", "东苑",
    "明珠", "安康", "丽景",
];
const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭',
    '何', '林', '罗', '高', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹',
];
const GIVEN: &[char] = &[
    '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明',
    '超', '秀', '霞', '平', '刚', '桂', '英', '华', '玉', '兰', '文', '辉', '建', '红', '云', '志',
];
const SKILLS: [&str; 8] = [
    "急救",
    "心理疏导",
    "法律咨询",
    "助老",
    "文艺",
    "摄影",
    "外语",
    "维修",
];
const CATEGORIES: [&str; 6] = [
    "社区服务",
    "扶老助残",
    "环境保护",
    "文化教育",
    "平安建设",
    "应急救援",
];
const REGIONS: [u32; 6] = [340102, 340103, 340104, 340111, 340121, 340122];

/// Volunteers written per transaction.
const BATCH: usize = 5000;

pub async fn build(
    state: &AppState,
    volunteers: u64,
    year: i32,
    seed: u64,
) -> anyhow::Result<String> {
    let started = Instant::now();
    let store = &state.store;
    let mut rng = StdRng::seed_from_u64(seed);
    let district = match store.root_unit().await? {
        Some(root) => {
            if store
                .units_within(std::slice::from_ref(&root.path))
                .await?
                .len()
                > 1
            {
                bail!(
                    "this database already has streets; build the demo into an empty one (VLEDGER_DATABASE_URL=sqlite://demo.db)"
                );
            }
            root
        }
        None => {
            store
                .create_unit("示范区", UnitKind::District, None, None)
                .await?
        }
    };
    let (admin_note, admin_id) = demo_admin(state, &district).await?;

    let mut communities: Vec<(Unit, i64)> = Vec::new();
    for street_name in STREETS {
        let street = store
            .create_unit(street_name, UnitKind::Street, Some(&district), None)
            .await?;
        for word in COMMUNITY_WORDS {
            let name = format!(
                "{}{word}社区",
                &street_name[..street_name.char_indices().nth(2).unwrap().0]
            );
            let community = store
                .create_unit(&name, UnitKind::Community, Some(&street), None)
                .await?;
            let population: i64 = rng.gen_range(3_000..15_000);
            for y in [year - 1, year] {
                store
                    .set_population(&community, y, population + i64::from(y - year) * 50, None)
                    .await?;
            }
            for (kind, n) in [
                (OrganisationType::VolunteerService, rng.gen_range(3..=8)),
                (OrganisationType::CommunitySocial, rng.gen_range(2..=6)),
            ] {
                let label = match kind {
                    OrganisationType::VolunteerService => "志愿服务队",
                    OrganisationType::CommunitySocial => "社区协会",
                };
                for i in 1..=n {
                    store
                        .create_organisation(&community, &format!("{name}{label}{i}"), kind, None)
                        .await?;
                }
            }
            communities.push((community, population));
        }
    }

    // Volunteers live in communities in proportion to their population.
    let cumulative: Vec<i64> = communities
        .iter()
        .scan(0, |sum, (_, population)| {
            *sum += population;
            Some(*sum)
        })
        .collect();
    let community_index: std::collections::HashMap<i64, usize> = communities
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.id, i))
        .collect();
    let total_population = *cumulative.last().expect("the demo has communities");
    let demo_hash = state.passwords.hash(DEMO_PASSWORD.to_owned()).await?;
    let birth_start = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap();
    let birth_days: u64 = 57 * 365;
    let id_space = birth_days * 1000;
    let year_end = Utc
        .with_ymd_and_hms(year, 12, 31, 12, 0, 0)
        .unwrap()
        .min(Utc::now());
    let mut batch = Vec::with_capacity(BATCH);
    let mut registered = 0u64;
    // The volunteers of each community, to attend its activities.
    let mut members: Vec<Vec<i64>> = vec![Vec::new(); communities.len()];
    let mut sample_phones = Vec::new();
    // The volunteers who can log in serve regularly, so that a newcomer sees hours on /me.
    let mut regulars = Vec::new();
    for i in 0..volunteers {
        // Bijections of i keep ID numbers and phones unique without remembering them.
        let slot = (i.wrapping_mul(104_729) + seed) % id_space;
        let birth = birth_start + Duration::days((slot / 1000) as i64);
        let id_number = compose(
            REGIONS[rng.gen_range(0..REGIONS.len())],
            birth,
            (slot % 1000) as u32,
        );
        let phone = format!(
            "1{}{:09}",
            [3, 5, 8][(i % 3) as usize],
            (i.wrapping_mul(7919) + seed) % 1_000_000_000
        );
        let pick = rng.gen_range(0..total_population);
        let home = cumulative.partition_point(|&c| c <= pick);
        let community = communities[home].0.id;
        let name: String = std::iter::once(SURNAMES[rng.gen_range(0..SURNAMES.len())])
            .chain((0..rng.gen_range(1..=2)).map(|_| GIVEN[rng.gen_range(0..GIVEN.len())]))
            .collect();
        let registered_at = year_end - Duration::days(rng.gen_range(0..5 * 365));
        let applicant = Applicant {
            name,
            id_number,
            phone: phone.clone(),
            community_id: community,
            skills: vec![SKILLS[rng.gen_range(0..SKILLS.len())].to_owned()],
            service_categories: vec![CATEGORIES[rng.gen_range(0..CATEGORIES.len())].to_owned()],
            consent: true,
        };
        let password = (i < 3).then(|| demo_hash.clone());
        if i < 3 {
            sample_phones.push(phone);
        }
        batch.push(prepare(
            &applicant,
            password,
            Channel {
                via: "demo",
                recorded_by: None,
            },
            &state.keys,
            registered_at.with_timezone(&state.settings.display_offset()),
        )?);
        if batch.len() == BATCH || i + 1 == volunteers {
            let outcomes = store.register_volunteers(&batch).await?;
            for (v, outcome) in batch.iter().zip(&outcomes) {
                if let Registration::Registered { id, .. } = outcome {
                    registered += 1;
                    members[community_index[&v.community_id]].push(*id);
                    if v.password_hash.is_some() {
                        regulars.push(*id);
                    }
                }
            }
            batch.clear();
            if registered % 100_000 < BATCH as u64 {
                tracing::info!(registered, "demo volunteers");
            }
        }
    }
    let units: Vec<Unit> = communities.into_iter().map(|(c, _)| c).collect();
    let history = year::build(state, &mut rng, &units, &members, &regulars, admin_id, year).await?;
    let made = activities::build(state, &mut rng, &units, &members, admin_id).await?;
    Ok(format!(
        "demo district built in {:.1} s: {} streets, {} communities, {registered} volunteers; \
         year {year}: {} activities, {} confirmed entries; around today: {} activities, {} attendances\n\
         {admin_note}\n\
         volunteers who can log in (password {DEMO_PASSWORD}): {}",
        started.elapsed().as_secs_f64(),
        STREETS.len(),
        units.len(),
        history.activities,
        history.entries,
        made.activities,
        made.attendances,
        sample_phones.join(", "),
    ))
}

/// The demo's district admin (and its id), unless that login is already taken.
async fn demo_admin(state: &AppState, district: &Unit) -> anyhow::Result<(String, i64)> {
    if let Some(existing) = state.store.credentials(DEMO_ADMIN, None).await?.first() {
        let note = format!("login {DEMO_ADMIN:?} already exists; it was left as it was");
        return Ok((note, existing.user_id));
    }
    let hash = state.passwords.hash(DEMO_PASSWORD.to_owned()).await?;
    let id = state
        .store
        .create_user(DEMO_ADMIN, Some(&hash), "演示管理员")
        .await?;
    state
        .store
        .add_grant(id, Role::DistrictAdmin, district, None)
        .await?;
    Ok((
        format!("district admin: login {DEMO_ADMIN}, password {DEMO_PASSWORD}"),
        id,
    ))
}
