//! Entry point of the web app: install the panic hook and start.
fn main() {
    console_error_panic_hook::set_once();
    keydesk_web::start();
}
