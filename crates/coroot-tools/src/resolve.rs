//! Turns what an agent calls an application into Coroot's id: the 4-part id, the older 3-part
//! `namespace:Kind:name`, `namespace/name`, or a bare name when only one app has it. A miss
//! lists the closest ids, so the next call can succeed.

use std::sync::Arc;

use coroot_client::{AppId, Error as CorootError, TimeRange};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::tools::names;

/// Resolves `input` to an application id of `project`. The ids come from the client's
/// short-lived cache; a name the cached ids miss is looked up once more against fresh ones, so
/// an application deployed a moment ago still resolves.
pub async fn app_id(ctx: &ToolContext, project: &str, input: &str) -> Result<AppId, ToolError> {
    let given = AppId::new(input.trim());
    // A 4-part id of this very project needs no lookup: Coroot is the judge.
    if given.parts().is_some_and(|p| p.cluster == project) {
        return Ok(given);
    }
    let range = TimeRange::last_hours(ctx.now_ms(), 1.0);
    let mut index = match ctx.client.application_ids(project, range).await {
        Ok(index) if !index.ids.is_empty() => index,
        // Coroot knows no application here, so a name cannot be one; a full id may still be
        // one that stopped reporting, and Coroot is the judge of that.
        Ok(_) if given.parts().is_none() => return Err(unknown(input, &[])),
        // Coroot is down, slow, failing or refusing the login: the app request would meet the
        // same fate after another wait, so this is the answer.
        Err(e)
            if e.is_transient()
                || matches!(
                    e,
                    CorootError::InvalidCredentials
                        | CorootError::AdminPasswordNotSet
                        | CorootError::Unauthorized { .. }
                        | CorootError::Tls { .. }
                ) =>
        {
            return Err(e.into());
        }
        // No index to search (older server, no permission): send what we were given.
        _ => return Ok(given),
    };
    let mut picked = pick(&index.ids, input.trim());
    if matches!(picked, Pick::None) && index.cached {
        ctx.client.forget_app_ids(project);
        if let Ok(fresh) = ctx.client.application_ids(project, range).await {
            index = fresh;
            picked = pick(&index.ids, input.trim());
        }
    }
    match picked {
        Pick::One(id) => Ok(id),
        Pick::Many(ids) => Err(ToolError::Resolve {
            message: format!(
                "'{}' matches {} applications: {}; pass one of these ids as app_id",
                input.trim(),
                ids.len(),
                list(&ids)
            ),
        }),
        Pick::None => Err(unknown(input, &index.ids)),
    }
}

/// The error for an application Coroot does not know, with the closest ids.
pub fn unknown(input: &str, index: &[AppId]) -> ToolError {
    let close = closest(index, input.trim(), 5);
    let message = if close.is_empty() {
        format!(
            "no application matches '{}'; call {} to list app ids",
            input.trim(),
            names::APPLICATIONS
        )
    } else {
        format!(
            "no application matches '{}'; closest: {}; pass one of these ids as app_id, or call {} to list them all",
            input.trim(),
            list(&close),
            names::APPLICATIONS
        )
    };
    ToolError::Resolve { message }
}

/// Every application id of the project (from the client's short-lived cache).
pub async fn app_index(ctx: &ToolContext, project: &str) -> Result<Arc<Vec<AppId>>, ToolError> {
    let range = TimeRange::last_hours(ctx.now_ms(), 1.0);
    Ok(ctx.client.application_ids(project, range).await?.ids)
}

enum Pick {
    One(AppId),
    Many(Vec<AppId>),
    None,
}

fn pick(index: &[AppId], input: &str) -> Pick {
    if let Some(exact) = index.iter().find(|id| id.as_str() == input) {
        return Pick::One(exact.clone());
    }
    let wanted = AppId::new(input);
    let matches: Vec<AppId> = match (wanted.parts(), input.split_once('/')) {
        // 4-part id of another cluster, or 3-part `namespace:Kind:name`: match the last three parts.
        (Some(w), _) => index
            .iter()
            .filter(|id| {
                id.parts()
                    .is_some_and(|p| p.namespace == w.namespace && p.kind == w.kind && p.name == w.name)
            })
            .cloned()
            .collect(),
        (None, Some((ns, name))) if !input.contains(':') => index
            .iter()
            .filter(|id| id.namespace() == ns && id.name() == name)
            .cloned()
            .collect(),
        _ => {
            let exact: Vec<AppId> = index.iter().filter(|id| id.name() == input).cloned().collect();
            if exact.is_empty() {
                index
                    .iter()
                    .filter(|id| id.name().eq_ignore_ascii_case(input))
                    .cloned()
                    .collect()
            } else {
                exact
            }
        }
    };
    match matches.len() {
        0 => Pick::None,
        1 => matches.into_iter().next().map_or(Pick::None, Pick::One),
        _ => Pick::Many(matches),
    }
}

/// Up to `n` ids closest to `input`: names containing it (or contained in it) first, then by
/// edit distance. A needle of fewer than three letters or digits ("." or "..") is contained
/// in too many names to suggest any.
fn closest(index: &[AppId], input: &str, n: usize) -> Vec<AppId> {
    let needle = AppId::new(input);
    let needle = needle.name().to_ascii_lowercase();
    let contains_ok = needle.chars().filter(char::is_ascii_alphanumeric).count() >= 3;
    let mut scored: Vec<(usize, &AppId)> = index
        .iter()
        .filter_map(|id| {
            let name = id.name().to_ascii_lowercase();
            let score = if contains_ok && (name.contains(&needle) || needle.contains(&name)) {
                0
            } else {
                let d = strsim::levenshtein(&name, &needle);
                if d > (needle.chars().count() / 2).max(2) {
                    return None;
                }
                d
            };
            Some((score, id))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(n).map(|(_, id)| id.clone()).collect()
}

fn list(ids: &[AppId]) -> String {
    ids.iter().map(AppId::as_str).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Vec<AppId> {
        [
            "k:default:Deployment:catalog",
            "k:default:Deployment:cart",
            "k:shop:Deployment:cart",
            "k:default:StatefulSet:postgres",
        ]
        .into_iter()
        .map(AppId::new)
        .collect()
    }

    #[test]
    fn three_part_and_bare_names_resolve() {
        assert!(
            matches!(pick(&index(), "default:Deployment:catalog"), Pick::One(id) if id.as_str() == "k:default:Deployment:catalog")
        );
        assert!(matches!(pick(&index(), "catalog"), Pick::One(_)));
        assert!(matches!(pick(&index(), "Postgres"), Pick::One(_)));
        assert!(matches!(pick(&index(), "shop/cart"), Pick::One(id) if id.as_str() == "k:shop:Deployment:cart"));
    }

    #[test]
    fn ambiguous_names_list_every_match() {
        let Pick::Many(ids) = pick(&index(), "cart") else {
            panic!("expected ambiguity")
        };
        assert_eq!(ids.len(), 2);
    }

    #[test]
    fn misses_suggest_close_names() {
        let e = unknown("catalgo", &index()).to_string();
        assert!(e.contains("closest: k:default:Deployment:catalog"), "{e}");
        let e = unknown("zzzzzzzz", &index()).to_string();
        assert!(e.contains("coroot_get_applications"), "{e}");
        // "." is in every dotted name (api.stripe.com:443): no suggestion from it.
        let mut ids = index();
        ids.push(AppId::new("external:external:ExternalService:api.stripe.com:443"));
        let e = unknown(".", &ids).to_string();
        assert!(!e.contains("closest"), "{e}");
        assert!(unknown("stripe", &ids).to_string().contains("api.stripe.com:443"));
    }

    #[tokio::test]
    async fn names_resolve_from_cached_ids_and_a_miss_looks_once_more() {
        let kit = crate::testing::ecommerce().await;
        let fetched = || {
            kit.sim
                .requests()
                .iter()
                .filter(|r| r.path.ends_with("/overview/applications"))
                .count()
        };
        let resolve = |input: &'static str| app_id(&kit.ctx, "k3h2x9qa", input);
        assert_eq!(
            resolve("checkout").await.unwrap().as_str(),
            "k3h2x9qa:default:Deployment:checkout"
        );
        assert_eq!(
            resolve("default/payment").await.unwrap().as_str(),
            "k3h2x9qa:default:Deployment:payment"
        );
        assert_eq!(fetched(), 1, "the second name comes from the cached ids");
        let e = resolve("checkuot").await.unwrap_err().to_string();
        assert!(e.contains("closest: k3h2x9qa:default:Deployment:checkout"), "{e}");
        assert_eq!(fetched(), 2, "a name the cached ids miss is looked up once more");
        resolve("k3h2x9qa:default:Deployment:cart").await.unwrap();
        assert_eq!(fetched(), 2, "a 4-part id of the project needs no lookup");
    }
}
