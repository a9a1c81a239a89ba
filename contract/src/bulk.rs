//! Bulk actions on keys (docs/api.md, "Guardrails on keys"): disable,
//! enable or remove several keys at once, previewed first, all or nothing.

use serde::{Deserialize, Serialize};

use crate::types::{ApiKey, FieldErrors, NamedRef};

/// At most this many keys in one bulk action.
pub const BULK_MAX_KEYS: usize = 1000;

crate::wire::wire_enum! {
    pub enum BulkAction {
        Disable = "disable",
        Enable = "enable",
        Delete = "delete",
    }
}

impl BulkAction {
    /// The words on the button.
    pub fn label(self) -> &'static str {
        match self {
            BulkAction::Disable => "Disable",
            BulkAction::Enable => "Enable",
            BulkAction::Delete => "Remove",
        }
    }
}

/// `POST /api-keys/bulk/preview` and `POST /api-keys/bulk`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct BulkRequest {
    pub action: BulkAction,
    pub ids: Vec<String>,
}

/// One key of a preview: whether the caller may act on it, why not, and
/// its use this week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct BulkPreviewItem {
    pub api_key: NamedRef,
    pub allowed: bool,
    #[serde(default)]
    pub reason: Option<String>,
    pub requests_last_7_days: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct BulkPreview {
    pub items: Vec<BulkPreviewItem>,
}

/// `200` to `POST /api-keys/bulk` (disable, enable): each key as it now is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct BulkResult {
    pub items: Vec<ApiKey>,
}

/// The ids, each once, in the order given; or why not.
pub fn validate(req: &BulkRequest) -> Result<Vec<String>, FieldErrors> {
    let mut ids: Vec<String> = Vec::new();
    for id in &req.ids {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    if ids.is_empty() || ids.len() > BULK_MAX_KEYS {
        let mut e = FieldErrors::new();
        e.insert("ids".into(), format!("Select 1 to {BULK_MAX_KEYS} keys."));
        return Err(e);
    }
    Ok(ids)
}
