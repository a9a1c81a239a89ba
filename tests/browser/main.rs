//! Browser tests of the web app's components, in headless Chromium
//! (wasm-bindgen-test). Components are mounted with stand-in data and
//! callbacks, then driven as a person would.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod support;

mod api_keys_page;
mod bulk;
mod create_key_dialog;
mod edit_key_dialog;
mod events;
mod first_screen;
mod generated_key_dialog;
mod modal;
mod my_account;
mod pages;
mod people;
mod remove_key_dialog;
mod roles;
mod security;
mod shell;
mod text_rules;
mod usage_views;
