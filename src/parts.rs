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

/// What the wasm part with the view did not arrive as (the network failed).
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
    leptos::wasm_split::wasm_split(signed_in, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn shell_view(children: ChildrenFn) -> Loaded {
    use crate::components::shell::Shell;
    Ok(view! { <Shell>{children()}</Shell> }.into_any())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(welcome, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn welcome_view(screen: Welcome) -> Loaded {
    use crate::pages::*;
    Ok(match screen {
        Welcome::SignUp => view! { <sign_up::SignUp/> }.into_any(),
        Welcome::Invitation => view! { <accept_invitation::AcceptInvitation/> }.into_any(),
    })
}

/// Fetches the part the page opening needs next: the signed-in part at
/// once for a signed-in screen (beside `/me`, not after it), and while the
/// browser is idle on the sign-in page, so signing in does not wait for it.
pub fn preload_for(path: &str) {
    if path.starts_with("/sign-up") || path.starts_with("/invitation") {
        return;
    }
    if !path.starts_with("/sign-in") {
        preload_signed_in();
        return;
    }
    let later = wasm_bindgen::closure::Closure::once_into_js(preload_signed_in);
    let window = window();
    // Safari has no requestIdleCallback: a short timeout stands in.
    if window.request_idle_callback(later.unchecked_ref()).is_err() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 300);
    }
}

/// Starts fetching the signed-in part, if it is not here yet (a no-op in an
/// unsplit build).
fn preload_signed_in() {
    #[cfg(feature = "split")]
    leptos::task::spawn_local(async {
        // A failure is shown when the part is needed, with a Retry.
        let _ = preload_signed_in_part().await;
    });
}

/// A signed-in screen, once its part is here.
#[component]
pub fn SignedInScreen(screen: Screen) -> impl IntoView {
    view! { <Part load=move || load(screen_view(screen))/> }
}

/// The shell around the signed-in screens, once its part is here.
#[component]
pub fn SignedInShell(children: ChildrenFn) -> impl IntoView {
    view! { <Part load=move || load(shell_view(children.clone()))/> }
}

/// A screen of the sign-up/join part, once it is here.
#[component]
pub fn WelcomeScreen(screen: Welcome) -> impl IntoView {
    view! { <Part load=move || load(welcome_view(screen))/> }
}

/// What [`Part`] waits for: the view, once its code is here.
type Pending = std::pin::Pin<Box<dyn std::future::Future<Output = Loaded>>>;

#[cfg(feature = "split")]
fn load(view: impl std::future::Future<Output = Loaded> + 'static) -> Pending {
    Box::pin(view)
}

#[cfg(not(feature = "split"))]
fn load(view: Loaded) -> Pending {
    Box::pin(std::future::ready(view))
}

/// Renders what `load` gives, with a quiet loading line meanwhile; a part
/// that did not arrive gets the network error and a Retry.
#[component]
fn Part(load: impl Fn() -> Pending + Send + Sync + 'static) -> impl IntoView {
    let attempt = RwSignal::new(0u32);
    move || {
        attempt.track();
        let pending = load();
        let shown = send_wrapper::SendWrapper::new(async move {
            match pending.await {
                Ok(view) => view,
                Err(NotLoaded) => view! {
                    <main class="page page--centered">
                        <ErrorPanel error=ApiError::Network
                            on_retry=Callback::new(move |()| attempt.update(|n| *n += 1))/>
                    </main>
                }
                .into_any(),
            }
        });
        view! { <Suspense fallback=|| view! { <Loading/> }>{Suspend::new(shown)}</Suspense> }
    }
}
