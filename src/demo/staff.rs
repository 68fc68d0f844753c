//! The demo's staff, so that every column of the targets report has data: social workers at
//! every street centre and at most community stations, most of them qualified, and a few
//! organizers and unit admins per street, some qualified.

use super::person_name;
use crate::app::AppState;
use crate::domain::roles::Role;
use crate::domain::social_workers::{Qualification, QualificationLevel};
use crate::store::Unit;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub struct StaffMade {
    pub social_workers: usize,
    pub accounts: usize,
}

/// A staff account granted `role` on `unit`, qualified with probability `qualified`.
struct Post<'a> {
    unit: &'a Unit,
    role: Role,
    login: String,
    qualified: f64,
}

pub async fn build(
    state: &AppState,
    seed: u64,
    streets: &[Unit],
    communities: &[Unit],
    password_hash: &str,
    actor: i64,
) -> anyhow::Result<StaffMade> {
    // A stream of its own, so that the volunteers and the year do not depend on the staff.
    let mut rng = StdRng::seed_from_u64(seed ^ 0x57af_f5ee_d000_0001);
    let mut posts = Vec::new();
    for street in streets {
        let post = |role, prefix: &str, n, qualified| Post {
            unit: street,
            role,
            login: format!("{prefix}-{}-{n}", street.id),
            qualified,
        };
        for n in 1..=rng.gen_range(1..=3) {
            posts.push(post(Role::SocialWorker, "sw", n, 0.85));
        }
        for n in 1..=rng.gen_range(1..=3) {
            posts.push(post(Role::Organizer, "org", n, 0.3));
        }
        for n in 1..=rng.gen_range(1..=2) {
            posts.push(post(Role::UnitAdmin, "ua", n, 0.3));
        }
    }
    for community in communities {
        for n in 1..=rng.gen_range(0..=2) {
            posts.push(Post {
                unit: community,
                role: Role::SocialWorker,
                login: format!("sw-{}-{n}", community.id),
                qualified: 0.85,
            });
        }
    }
    let store = &state.store;
    for post in &posts {
        let name = person_name(&mut rng);
        let id = store
            .create_user(&post.login, Some(password_hash), &name)
            .await?;
        store
            .add_grant(id, post.role, post.unit, Some(actor))
            .await?;
        if rng.gen_bool(post.qualified) {
            let level = rng.gen_range(0..QualificationLevel::ALL.len());
            let number = format!("{}{:08}", level + 1, rng.gen_range(0..100_000_000));
            let qualification = Qualification {
                level: QualificationLevel::ALL[level],
                certificate_no: number,
            };
            store
                .set_qualification(
                    id,
                    Some(&qualification),
                    actor,
                    (post.unit.id, &post.unit.path),
                )
                .await?;
        }
    }
    Ok(StaffMade {
        social_workers: posts
            .iter()
            .filter(|p| p.role == Role::SocialWorker)
            .count(),
        accounts: posts.len(),
    })
}
