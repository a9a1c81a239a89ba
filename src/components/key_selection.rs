//! Which keys are selected in the list, for a bulk action: a click toggles
//! one, a shift-click sets every row from the last one clicked to this one
//! alike (as in a file manager), and "select all N matching" takes every
//! key the filters match, beyond the rows loaded.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Selection {
    pub ids: RwSignal<Vec<String>>,
    /// The row clicked last (its id), where a shift-click range starts.
    anchor: RwSignal<Option<String>>,
}

impl Default for Selection {
    fn default() -> Self {
        Self::new()
    }
}

impl Selection {
    pub fn new() -> Self {
        Selection {
            ids: RwSignal::new(Vec::new()),
            anchor: RwSignal::new(None),
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.with(|ids| ids.iter().any(|i| i == id))
    }

    pub fn len(&self) -> usize {
        self.ids.with(Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        self.ids.set(Vec::new());
        self.anchor.set(None);
    }

    /// `id` ticked `on`; with `shift`, every row of `rows` (the ids in list
    /// order) between the last one clicked and `id` too.
    pub fn click(&self, rows: &[String], id: &str, on: bool, shift: bool) {
        let here = rows.iter().position(|r| r == id);
        let from = self
            .anchor
            .get_untracked()
            .and_then(|a| rows.iter().position(|r| *r == a));
        let range: Vec<String> = match (shift, from, here) {
            (true, Some(a), Some(b)) => rows[a.min(b)..=a.max(b)].to_vec(),
            _ => vec![id.to_string()],
        };
        self.set(&range, on);
        self.anchor.set(Some(id.to_string()));
    }

    /// Every id of `ids` selected (`on`) or not.
    pub fn set(&self, ids: &[String], on: bool) {
        self.ids.update(|selected| {
            selected.retain(|s| !ids.contains(s));
            if on {
                selected.extend(ids.iter().cloned());
            }
        });
    }
}
