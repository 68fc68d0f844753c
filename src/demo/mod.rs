//! `vledger demo`: a deterministic synthetic district, so that a newcomer sees a live system and
//! reports have realistic shapes. The same seed gives the same district.

mod activities;
mod staff;
mod year;

use crate::app::AppState;
use crate::app::registration::{Applicant, Channel, prepare};
use crate::domain::id_number::compose;
use crate::domain::roles::Role;
use crate::domain::units::{OrganisationType, UnitKind};
use crate::store::Unit;
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
const BATCH: usize = 50_000;

/// Logs how long each phase of the build took.
struct Phases {
    started: Instant,
    last: Instant,
}

impl Phases {
    fn start() -> Phases {
        let now = Instant::now();
        Phases {
            started: now,
            last: now,
        }
    }

    fn done(&mut self, phase: &'static str) {
        let now = Instant::now();
        tracing::info!(
            phase,
            secs = format!("{:.1}", (now - self.last).as_secs_f64()),
            total_secs = format!("{:.1}", (now - self.started).as_secs_f64()),
            "demo phase done"
        );
        self.last = now;
    }
}

/// A person's name: a surname and one or two given characters.
fn person_name(rng: &mut StdRng) -> String {
    std::iter::once(SURNAMES[rng.gen_range(0..SURNAMES.len())])
        .chain((0..rng.gen_range(1..=2)).map(|_| GIVEN[rng.gen_range(0..GIVEN.len())]))
        .collect()
}

pub async fn build(
    state: &AppState,
    volunteers: u64,
    year: i32,
    seed: u64,
) -> anyhow::Result<String> {
    let mut phases = Phases::start();
    let store = &state.store;
    let offset = state.settings.display_offset();
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
    let demo_hash = state.passwords.hash(DEMO_PASSWORD.to_owned()).await?;
    let (admin_note, admin_id) = demo_admin(state, &district, &demo_hash).await?;

    let mut streets: Vec<Unit> = Vec::new();
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
        streets.push(street);
    }
    phases.done("units");

    // Volunteers live in communities in proportion to their population.
    let cumulative: Vec<i64> = communities
        .iter()
        .scan(0, |sum, (_, population)| {
            *sum += population;
            Some(*sum)
        })
        .collect();
    let total_population = *cumulative.last().expect("the demo has communities");
    let birth_start = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap();
    let birth_days: u64 = 57 * 365;
    let id_space = birth_days * 1000;
    let year_end = Utc
        .with_ymd_and_hms(year, 12, 31, 12, 0, 0)
        .unwrap()
        .min(Utc::now());
    let mut batch = Vec::with_capacity(BATCH);
    let mut homes = Vec::with_capacity(BATCH);
    let mut registered: Vec<i64> = Vec::new();
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
        let name = person_name(&mut rng);
        let registered_at = year_end - Duration::days(rng.gen_range(0..5 * 365));
        let applicant = Applicant {
            name,
            id_number,
            phone: phone.clone(),
            community_id: communities[home].0.id,
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
            registered_at.with_timezone(&offset),
        )?);
        homes.push(home);
        if batch.len() == BATCH || i + 1 == volunteers {
            let mut bulk = store.bulk().await?;
            let ids = bulk.register(&batch).await?;
            bulk.commit().await?;
            for ((v, &home), &id) in batch.iter().zip(&homes).zip(&ids) {
                members[home].push(id);
                if v.password_hash.is_some() {
                    regulars.push(id);
                }
            }
            registered.extend(ids);
            batch.clear();
            homes.clear();
            if registered.len() % 100_000 < BATCH {
                tracing::info!(registered = registered.len(), "demo volunteers");
            }
        }
    }
    phases.done("volunteers");

    let units: Vec<Unit> = communities.into_iter().map(|(c, _)| c).collect();
    let staff = staff::build(state, seed, &streets, &units, &demo_hash, admin_id).await?;
    phases.done("staff");
    let history = year::build(state, &mut rng, &units, &members, &regulars, admin_id, year).await?;
    phases.done("year");
    let made = activities::build(state, &mut rng, &units, &members, admin_id).await?;
    phases.done("around today");
    if let (Some(&first), Some(&last)) = (registered.iter().min(), registered.iter().max()) {
        store.totals_from_entries(first, last).await?;
    }
    phases.done("totals");
    store.rebuild_target_counts(offset).await?;
    phases.done("target counts");
    let guided = store
        .assign_social_workers_in_turn(admin_id, Utc::now())
        .await?;
    phases.done("social workers' volunteers");
    // The rule as the daily job would apply it at the end of the year (or today, if sooner).
    let year_last_moment = offset
        .with_ymd_and_hms(year, 12, 31, 23, 59, 59)
        .single()
        .ok_or_else(|| anyhow::anyhow!("no year {year}"))?;
    let rule_day = year_last_moment.min(Utc::now().with_timezone(&offset));
    let backbone =
        crate::app::backbone::apply_rule(store, &state.settings.backbone_rule(), rule_day).await?;
    phases.done("backbone");
    store.end_bulk().await?;
    Ok(format!(
        "demo district built in {:.1} s: {} streets, {} communities, {} volunteers; \
         {} social workers ({guided} volunteers guided), {} staff accounts in all; \
         year {year}: {} activities, {} attendances, {} confirmed entries; \
         {} backbone volunteers on {}; around today: {} activities, {} attendances\n\
         {admin_note}\n\
         volunteers who can log in (password {DEMO_PASSWORD}): {}",
        phases.started.elapsed().as_secs_f64(),
        STREETS.len(),
        units.len(),
        registered.len(),
        staff.social_workers,
        staff.accounts + 1,
        history.activities,
        history.attendances,
        history.entries,
        backbone.became_backbone,
        rule_day.date_naive(),
        made.activities,
        made.attendances,
        sample_phones.join(", "),
    ))
}

/// The demo's district admin (and its id), unless that login is already taken.
async fn demo_admin(
    state: &AppState,
    district: &Unit,
    hash: &str,
) -> anyhow::Result<(String, i64)> {
    if let Some(existing) = state.store.credentials(DEMO_ADMIN, None).await?.first() {
        let note = format!("login {DEMO_ADMIN:?} already exists; it was left as it was");
        return Ok((note, existing.user_id));
    }
    let id = state
        .store
        .create_user(DEMO_ADMIN, Some(hash), "演示管理员")
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
