//! Entry point of the web app: install the panic hook and mount.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(keydesk_web::App);
}
