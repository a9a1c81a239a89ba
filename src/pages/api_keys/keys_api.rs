//! Everything the API Keys tab reads and writes. Reads are functions its
//! resources call; writes are actions, so dialogs can show their progress
//! and the list can reload when any of them completes. Over HTTP by default;
//! a test provides its own through context to drive the tab without a server.

use keydesk_contract::bulk::{BulkPreview, BulkRequest};
use keydesk_contract::types::{
    ApiKey, ApiKeyPage, ApiKeyQuery, CreateApiKeyRequest, GeneratedApiKey, Role,
};
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::api::{self, ApiResult};
use crate::components::disable_key_dialog::KeySwitch;
use crate::components::edit_key_dialog::KeyEdit;
use crate::components::regenerate_dialog::NewSecret;

pub type Answer<T> = Pin<Box<dyn Future<Output = ApiResult<T>>>>;
type ListKeys = Rc<dyn Fn(ApiKeyQuery, usize) -> Answer<ApiKeyPage>>;
type ListRoles = Rc<dyn Fn() -> Answer<Vec<Role>>>;

#[derive(Clone, Copy)]
pub struct KeysApi {
    list: StoredValue<ListKeys, LocalStorage>,
    roles: StoredValue<ListRoles, LocalStorage>,
    pub create: Action<CreateApiKeyRequest, ApiResult<ApiKey>>,
    pub update: Action<KeyEdit, ApiResult<ApiKey>>,
    pub remove: Action<String, ApiResult<()>>,
    pub generate: Action<NewSecret, ApiResult<GeneratedApiKey>>,
    pub switch: Action<KeySwitch, ApiResult<ApiKey>>,
    /// Bulk actions: what one would do, and doing it (all or nothing).
    pub bulk_preview: Action<BulkRequest, ApiResult<BulkPreview>>,
    pub bulk: Action<BulkRequest, ApiResult<()>>,
}

impl KeysApi {
    /// Reads and writes given as functions; each write becomes an action.
    pub fn new<L, LF, R, RF>(
        list: L,
        roles: R,
        create: impl Fn(CreateApiKeyRequest) -> Answer<ApiKey> + 'static,
        update: impl Fn(KeyEdit) -> Answer<ApiKey> + 'static,
        remove: impl Fn(String) -> Answer<()> + 'static,
        generate: impl Fn(NewSecret) -> Answer<GeneratedApiKey> + 'static,
        switch: impl Fn(KeySwitch) -> Answer<ApiKey> + 'static,
    ) -> Self
    where
        L: Fn(ApiKeyQuery, usize) -> LF + 'static,
        LF: Future<Output = ApiResult<ApiKeyPage>> + 'static,
        R: Fn() -> RF + 'static,
        RF: Future<Output = ApiResult<Vec<Role>>> + 'static,
    {
        let list: ListKeys = Rc::new(move |q, pages| Box::pin(list(q, pages)));
        let roles: ListRoles = Rc::new(move || Box::pin(roles()));
        KeysApi {
            list: StoredValue::new_local(list),
            roles: StoredValue::new_local(roles),
            create: Action::new_local(move |r: &CreateApiKeyRequest| create(r.clone())),
            update: Action::new_local(move |e: &KeyEdit| update(e.clone())),
            remove: Action::new_local(move |id: &String| remove(id.clone())),
            generate: Action::new_local(move |s: &NewSecret| generate(s.clone())),
            switch: Action::new_local(move |s: &KeySwitch| switch(s.clone())),
            bulk_preview: Action::new_local(|r: &BulkRequest| {
                let r = r.clone();
                async move { api::bulk_preview(&r).await }
            }),
            bulk: Action::new_local(|r: &BulkRequest| {
                let r = r.clone();
                async move { api::bulk_apply(&r).await }
            }),
        }
    }

    /// The same, with bulk actions of the caller's own (tests).
    pub fn with_bulk(
        self,
        preview: impl Fn(BulkRequest) -> Answer<BulkPreview> + 'static,
        apply: impl Fn(BulkRequest) -> Answer<()> + 'static,
    ) -> Self {
        KeysApi {
            bulk_preview: Action::new_local(move |r: &BulkRequest| preview(r.clone())),
            bulk: Action::new_local(move |r: &BulkRequest| apply(r.clone())),
            ..self
        }
    }

    /// The keydesk API (the first reads take what was sent early: `api::early`).
    pub fn over_http() -> Self {
        Self::new(
            api::early::list_key_pages,
            api::early::roles,
            |r| Box::pin(async move { api::create_key(&r).await }),
            |(id, version, r)| Box::pin(async move { api::update_key(&id, version, &r).await }),
            |id| Box::pin(async move { api::delete_key(&id).await }),
            |(id, r)| Box::pin(async move { api::generate_key(&id, &r).await }),
            |(id, version, off)| Box::pin(async move { api::switch_key(&id, version, off).await }),
        )
    }

    /// The context's, or the keydesk API.
    pub fn in_context() -> Self {
        use_context::<KeysApi>().unwrap_or_else(Self::over_http)
    }

    /// The first `pages` pages of keys matching `q`, as one page.
    pub fn list(&self, q: ApiKeyQuery, pages: usize) -> Answer<ApiKeyPage> {
        self.list.with_value(|list| list(q, pages))
    }

    pub fn roles(&self) -> Answer<Vec<Role>> {
        self.roles.with_value(|roles| roles())
    }

    /// Subscribes to every write: a resource that calls this reloads after
    /// any of them completes (whatever the dialog that made it).
    pub fn track_writes(&self) {
        self.create.version().track();
        self.update.version().track();
        self.remove.version().track();
        self.generate.version().track();
        self.switch.version().track();
        self.bulk.version().track();
    }
}
