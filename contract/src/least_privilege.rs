//! Least privilege: the smallest set of roles that still covers every
//! permission a key used. Exact (every combination, smallest first) over the
//! roles that grant at least one used permission; among covers of the same
//! size, the one granting the fewest permissions, then the earliest roles.
//! Organizations have tens of roles, and a cover rarely needs more than
//! three, so the search stays small; past [`EXACT_UP_TO`] candidate roles it
//! falls back to the greedy cover (never more than ln(n)+1 times the best).

use std::collections::BTreeSet;

/// Candidate roles beyond which the greedy cover is used.
pub const EXACT_UP_TO: usize = 16;

/// A role as the search sees it: its id and what it grants.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub grants: BTreeSet<&'a str>,
}

/// The ids of the smallest set of `roles` (in their given order) whose
/// grants cover `used`; `None` when no set does. Nothing used: no roles.
pub fn smallest_cover<'a>(roles: &[Candidate<'a>], used: &BTreeSet<&str>) -> Option<Vec<&'a str>> {
    if used.is_empty() {
        return Some(Vec::new());
    }
    let useful: Vec<&Candidate> = roles
        .iter()
        .filter(|r| r.grants.iter().any(|p| used.contains(p)))
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
    for size in 1..=useful.len() {
        let mut best: Option<(usize, Vec<usize>)> = None;
        for_each_combination(useful.len(), size, &mut |picked| {
            let set: Vec<&Candidate> = picked.iter().map(|&i| useful[i]).collect();
            if covers(&set) {
                let granted: BTreeSet<&str> =
                    set.iter().flat_map(|r| r.grants.iter().copied()).collect();
                if best.as_ref().is_none_or(|(n, _)| granted.len() < *n) {
                    best = Some((granted.len(), picked.to_vec()));
                }
            }
        });
        if let Some((_, picked)) = best {
            return Some(picked.into_iter().map(|i| useful[i].id).collect());
        }
    }
    None
}

/// Calls `visit` with each `size`-element subset of `0..n`, in order.
fn for_each_combination(n: usize, size: usize, visit: &mut impl FnMut(&[usize])) {
    fn go(
        start: usize,
        n: usize,
        size: usize,
        picked: &mut Vec<usize>,
        visit: &mut impl FnMut(&[usize]),
    ) {
        if picked.len() == size {
            visit(picked);
            return;
        }
        for i in start..n {
            picked.push(i);
            go(i + 1, n, size, picked, visit);
            picked.pop();
        }
    }
    go(0, n, size, &mut Vec::with_capacity(size), visit);
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

    #[test]
    fn one_role_that_covers_beats_two_that_do() {
        let roles = [
            role("viewer", &["documents.retrieve"]),
            role("renders", &["renders.retrieve"]),
            role("both", &["documents.retrieve", "renders.retrieve"]),
        ];
        assert_eq!(
            smallest_cover(&roles, &used(&["documents.retrieve", "renders.retrieve"])),
            Some(vec!["both"])
        );
    }

    #[test]
    fn among_covers_of_one_size_the_narrowest_wins() {
        let roles = [
            role("admin", &["a", "b", "c", "d"]),
            role("narrow", &["a", "b"]),
        ];
        assert_eq!(smallest_cover(&roles, &used(&["a"])), Some(vec!["narrow"]));
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
        assert_eq!(smallest_cover(&roles, &all), Some(vec!["left", "right"]));
        let refs: Vec<&Candidate> = roles.iter().collect();
        assert_eq!(greedy(&refs, &all).len(), 3);
    }

    #[test]
    fn nothing_used_needs_no_role_and_the_uncoverable_has_no_answer() {
        let roles = [role("viewer", &["documents.retrieve"])];
        assert_eq!(smallest_cover(&roles, &used(&[])), Some(vec![]));
        assert_eq!(smallest_cover(&roles, &used(&["billing.retrieve"])), None);
    }
}
