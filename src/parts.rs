//! Which screens come in which part of the wasm. The sign-in screen is in the
//! main part, so it is usable as soon as that arrives; every signed-in
//! screen (with the shell around them) is one part, fetched when first
//! needed or preloaded while the sign-in page is idle; creating an
//! organization and joining one are another. One part per screen would cost
//! a fetch per screen and repeat the code they share.
//!
//! Only builds with the `split` feature split (every Trunk build, through
//! scripts/build-wasm); without it (the browser tests) each part is plain
//! code in the one wasm, and [`Part`] renders it at once.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::components::error_panel::ErrorPanel;
use crate::components::loading::Loading;

/// A signed-in screen, as the router names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    ApiKeys,
    People,
    Roles,
    Inventory,
    Audit,
    Account,
    Settings,
    /// The only screen of a session that must set its own password first.
    SetOwnPassword,
    /// The only screen of a session that must set up a second factor first.
    EnrolSecondFactor,
}

/// A screen before one has an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Welcome {
    SignUp,
    Invitation,
}

/// A part of the wasm that did not arrive (the network failed).
#[derive(Debug)]
pub struct NotLoaded;

impl From<leptos::wasm_split::SplitLoaderError> for NotLoaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        NotLoaded
    }
}

type Loaded = Result<AnyView, NotLoaded>;

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        signed_in,
        wasm_split_path = ::leptos::wasm_split,
        preload(preload_signed_in_part),
        fallible
    )
)]
fn screen_view(screen: Screen) -> Loaded {
    use crate::pages::*;
    Ok(match screen {
        Screen::ApiKeys => view! { <api_keys::ApiKeysPage/> }.into_any(),
        Screen::People => view! { <people::PeoplePage/> }.into_any(),
        Screen::Roles => view! { <roles::RolesPage/> }.into_any(),
        Screen::Inventory => view! { <inventory::InventoryPage/> }.into_any(),
        Screen::Audit => view! { <audit::AuditTrailPage/> }.into_any(),
        Screen::Account => view! { <my_account::MyAccountPage/> }.into_any(),
        Screen::Settings => view! { <settings::SettingsPage/> }.into_any(),
        Screen::SetOwnPassword => view! { <set_own_password::SetOwnPasswordPage/> }.into_any(),
        Screen::EnrolSecondFactor => {
            view! { <enrol_second_factor::EnrolSecondFactorPage/> }.into_any()
        }
    })
}

/// The signed-in shell (header, tabs) around `children`: in the same part
/// as the screens.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        signed_in,
        wasm_split_path = ::leptos::wasm_split,
        preload(preload_shell_part),
        fallible
    )
)]
fn shell_view(children: ChildrenFn) -> Loaded {
    use crate::components::shell::Shell;
    Ok(view! { <Shell>{children()}</Shell> }.into_any())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        welcome,
        wasm_split_path = ::leptos::wasm_split,
        preload(preload_welcome_part),
        fallible
    )
)]
fn welcome_view(screen: Welcome) -> Loaded {
    use crate::pages::*;
    Ok(match screen {
        Welcome::SignUp => view! { <sign_up::SignUp/> }.into_any(),
        Welcome::Invitation => view! { <accept_invitation::AcceptInvitation/> }.into_any(),
    })
}

// Each split function loads its part through a loader of its own (the
// part is fetched once: the loaders share the fetch). Without the split
// feature there is nothing to load.
#[cfg(not(feature = "split"))]
async fn preload_signed_in_part() -> Result<(), leptos::wasm_split::SplitLoaderError> {
    Ok(())
}
#[cfg(not(feature = "split"))]
async fn preload_shell_part() -> Result<(), leptos::wasm_split::SplitLoaderError> {
    Ok(())
}
#[cfg(not(feature = "split"))]
async fn preload_welcome_part() -> Result<(), leptos::wasm_split::SplitLoaderError> {
    Ok(())
}

/// Loading a part: `true` once it is here.
type Fetching = std::pin::Pin<Box<dyn std::future::Future<Output = bool>>>;

fn fetching(
    load: impl std::future::Future<Output = Result<(), leptos::wasm_split::SplitLoaderError>> + 'static,
) -> Fetching {
    Box::pin(async move { load.await.is_ok() })
}

/// Fetches the part the page opening needs next: the signed-in part at
/// once for a signed-in screen (beside `/me`, not after it), and while the
/// browser is idle on the sign-in page, so signing in does not wait for it.
pub fn preload_for(path: &str) {
    if path.starts_with("/sign-up") || path.starts_with("/invitation") {
        return;
    }
    // Before the app is mounted: not through Leptos's executor (not set up yet).
    let preload = || {
        wasm_bindgen_futures::spawn_local(async {
            // A failure is shown when the part is needed, with a Retry.
            let _ = preload_shell_part().await;
            let _ = preload_signed_in_part().await;
        })
    };
    if !path.starts_with("/sign-in") {
        preload();
        return;
    }
    let later = wasm_bindgen::closure::Closure::once_into_js(preload);
    let window = window();
    // Safari has no requestIdleCallback: a short timeout stands in.
    if window.request_idle_callback(later.unchecked_ref()).is_err() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 300);
    }
}

/// A signed-in screen, once its part is here.
#[component]
pub fn SignedInScreen(screen: Screen) -> impl IntoView {
    view! {
        <Part fetch=|| fetching(preload_signed_in_part()) view=move || now(screen_view(screen))/>
    }
}

/// The shell around the signed-in screens, once its part is here.
#[component]
pub fn SignedInShell(children: ChildrenFn) -> impl IntoView {
    view! {
        <Part fetch=|| fetching(preload_shell_part()) view=move || now(shell_view(children.clone()))/>
    }
}

/// A screen of the sign-up/join part, once it is here.
#[component]
pub fn WelcomeScreen(screen: Welcome) -> impl IntoView {
    view! {
        <Part fetch=|| fetching(preload_welcome_part()) view=move || now(welcome_view(screen))/>
    }
}

/// The view, if its part is here: then the split function's wrapper is
/// ready at its first poll, and builds it now.
#[cfg(feature = "split")]
fn now(view: impl std::future::Future<Output = Loaded>) -> Option<Loaded> {
    use futures::FutureExt;
    view.now_or_never()
}

#[cfg(not(feature = "split"))]
fn now(view: Loaded) -> Option<Loaded> {
    Some(view)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arrival {
    /// Here, or to be fetched when the view is asked for.
    Here,
    Failed,
}

/// Renders what `view` gives once its part is here (`fetch` brings it),
/// with a quiet loading line meanwhile; a part that did not arrive gets the
/// network error and a Retry. The view is built synchronously, in this
/// component's reactive scope, exactly as it would be without parts (a
/// `Suspense` around it would instead fall back whenever a resource inside
/// reloads).
#[component]
fn Part(
    fetch: impl Fn() -> Fetching + Send + Sync + Copy + 'static,
    view: impl Fn() -> Option<Loaded> + Send + Sync + 'static,
) -> impl IntoView {
    let arrival = RwSignal::new(Arrival::Here);
    let failed = move || {
        view! {
            <main class="page page--centered">
                <ErrorPanel error=ApiError::Network on_retry=Callback::new(move |()| arrival.set(Arrival::Here))/>
            </main>
        }
        .into_any()
    };
    move || match arrival.get() {
        Arrival::Here => match view() {
            Some(Ok(shown)) => shown,
            Some(Err(NotLoaded)) => failed(),
            // Not here yet: fetch it, then build.
            None => {
                leptos::task::spawn_local(async move {
                    let fetched = fetch().await;
                    arrival.try_set(if fetched {
                        Arrival::Here
                    } else {
                        Arrival::Failed
                    });
                });
                view! { <Loading/> }.into_any()
            }
        },
        Arrival::Failed => failed(),
    }
}
