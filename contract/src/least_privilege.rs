//! Least privilege: the narrowest set of roles that still covers every
//! permission a key used. Only roles that grant nothing beyond what the key
//! holds now are candidates, so a suggestion can only take permissions away
//! (a broad role someone planted, Admin included, is never offered). Among
//! covers, the one granting the fewest permissions wins, then the one with
//! the fewest roles, then the earliest roles. Exact (every combination) over
//! up to [`EXACT_UP_TO`] useful candidates; past that, greedy.

use std::collections::BTreeSet;

/// Useful candidate roles beyond which the greedy cover is used.
pub const EXACT_UP_TO: usize = 16;

/// A role as the search sees it: its id and what it grants.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub grants: BTreeSet<&'a str>,
}

/// The ids of the narrowest set of `roles` (in their given order) whose
/// grants cover `used`, choosing only roles within `held`; `None` when no
/// such set does. Nothing used: no roles.
pub fn narrowest_cover<'a>(
    roles: &[Candidate<'a>],
    used: &BTreeSet<&str>,
    held: &BTreeSet<&str>,
) -> Option<Vec<&'a str>> {
    if used.is_empty() {
        return Some(Vec::new());
    }
    let useful: Vec<&Candidate> = roles
        .iter()
        .filter(|r| r.grants.is_subset(held) && r.grants.iter().any(|p| used.contains(p)))
        .collect();
    let covers = |set: &[&Candidate]| {
        used.iter()
            .all(|p| set.iter().any(|r| r.grants.contains(p)))
    };
    if !covers(&useful) {
        return None;
    }
    if useful.len() > EXACT_UP_TO {
        return Some(greedy(&useful, used));
    }
    // (granted permissions, roles, picked) of the best cover so far.
    let mut best: Option<(usize, usize, Vec<usize>)> = None;
    for mask in 1u32..(1 << useful.len()) {
        let picked: Vec<usize> = (0..useful.len()).filter(|i| mask & (1 << i) != 0).collect();
        let set: Vec<&Candidate> = picked.iter().map(|&i| useful[i]).collect();
        if !covers(&set) {
            continue;
        }
        let granted = set
            .iter()
            .flat_map(|r| r.grants.iter().copied())
            .collect::<BTreeSet<&str>>()
            .len();
        let better = best
            .as_ref()
            .is_none_or(|(g, n, p)| (granted, picked.len(), &picked) < (*g, *n, p));
        if better {
            best = Some((granted, picked.len(), picked));
        }
    }
    best.map(|(_, _, picked)| picked.into_iter().map(|i| useful[i].id).collect())
}

fn greedy<'a>(roles: &[&Candidate<'a>], used: &BTreeSet<&str>) -> Vec<&'a str> {
    let mut left: BTreeSet<&str> = used.clone();
    let mut picked = Vec::new();
    while !left.is_empty() {
        let Some(best) = roles.iter().max_by_key(|r| {
            (
                r.grants.iter().filter(|p| left.contains(*p)).count(),
                std::cmp::Reverse(r.grants.len()),
            )
        }) else {
            break;
        };
        left.retain(|p| !best.grants.contains(p));
        picked.push(best.id);
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role<'a>(id: &'a str, grants: &[&'a str]) -> Candidate<'a> {
        Candidate {
            id,
            grants: grants.iter().copied().collect(),
        }
    }

    fn used<'a>(p: &[&'a str]) -> BTreeSet<&'a str> {
        p.iter().copied().collect()
    }

    /// A cover for a key that holds everything any of `roles` grants.
    fn cover<'a>(roles: &[Candidate<'a>], used: &BTreeSet<&str>) -> Option<Vec<&'a str>> {
        let held: BTreeSet<&str> = roles
            .iter()
            .flat_map(|r| r.grants.iter().copied())
            .collect();
        narrowest_cover(roles, used, &held)
    }

    #[test]
    fn a_key_is_never_offered_a_role_granting_more_than_it_holds() {
        // Document Viewer + Billing Reader, one permission of each used:
        // Admin covers both in one role, and must not be offered.
        let roles = [
            role(
                "admin",
                &[
                    "accounts.retrieve",
                    "billing.retrieve",
                    "documents.retrieve",
                    "renders.retrieve",
                    "users.create",
                ],
            ),
            role(
                "document-viewer",
                &["documents.retrieve", "renders.retrieve"],
            ),
            role("billing-reader", &["billing.retrieve", "accounts.retrieve"]),
            // A broad custom role an insider planted, covering both as well.
            role(
                "role_planted",
                &["billing.retrieve", "documents.retrieve", "users.create"],
            ),
        ];
        let held = used(&[
            "documents.retrieve",
            "renders.retrieve",
            "billing.retrieve",
            "accounts.retrieve",
        ]);
        let picked = narrowest_cover(
            &roles,
            &used(&["documents.retrieve", "billing.retrieve"]),
            &held,
        );
        assert_eq!(picked, Some(vec!["document-viewer", "billing-reader"]));
    }

    #[test]
    fn fewer_permissions_beat_fewer_roles() {
        let roles = [
            role("wide", &["p1", "p2", "p3", "p4"]),
            role("one", &["p1"]),
            role("two", &["p2"]),
        ];
        assert_eq!(
            cover(&roles, &used(&["p1", "p2"])),
            Some(vec!["one", "two"])
        );
    }

    #[test]
    fn nothing_within_what_the_key_holds_may_cover_it() {
        let roles = [role("wide", &["p1", "p2"])];
        assert_eq!(
            narrowest_cover(&roles, &used(&["p1"]), &used(&["p1"])),
            None
        );
    }

    #[test]
    fn one_role_that_covers_beats_two_that_do() {
        let roles = [
            role("viewer", &["documents.retrieve"]),
            role("renders", &["renders.retrieve"]),
            role("both", &["documents.retrieve", "renders.retrieve"]),
        ];
        assert_eq!(
            cover(&roles, &used(&["documents.retrieve", "renders.retrieve"])),
            Some(vec!["both"])
        );
    }

    #[test]
    fn among_covers_of_one_size_the_narrowest_wins() {
        let roles = [
            role("admin", &["a", "b", "c", "d"]),
            role("narrow", &["a", "b"]),
        ];
        assert_eq!(cover(&roles, &used(&["a"])), Some(vec!["narrow"]));
    }

    #[test]
    fn a_cover_needing_two_roles_is_found_and_greedy_would_take_three() {
        // Greedy takes "wide" first (4 of 6), then needs two more; {left, right} covers all 6.
        let roles = [
            role("wide", &["p1", "p2", "p4", "p5"]),
            role("left", &["p1", "p2", "p3"]),
            role("right", &["p4", "p5", "p6"]),
        ];
        let all = used(&["p1", "p2", "p3", "p4", "p5", "p6"]);
        assert_eq!(cover(&roles, &all), Some(vec!["left", "right"]));
        let refs: Vec<&Candidate> = roles.iter().collect();
        assert_eq!(greedy(&refs, &all).len(), 3);
    }

    #[test]
    fn nothing_used_needs_no_role_and_the_uncoverable_has_no_answer() {
        let roles = [role("viewer", &["documents.retrieve"])];
        assert_eq!(cover(&roles, &used(&[])), Some(vec![]));
        assert_eq!(cover(&roles, &used(&["billing.retrieve"])), None);
    }
}
