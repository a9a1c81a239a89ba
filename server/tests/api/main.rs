//! Integration tests of the JSON API over real HTTP against a real server on
//! a real SQLite file in a temporary folder. One binary, one module per area.

mod authenticator;
mod harness;
mod identity_provider;
mod mail_server;

mod account;
mod audit;
mod auth;
mod bulk;
mod concurrency;
mod csrf;
mod delivery;
mod disable;
mod event_destinations;
mod guardrails;
mod hardening;
mod input;
mod invitations;
mod isolation;
mod key_check;
mod key_lifecycle;
mod key_policy;
mod key_rules;
mod mail;
mod networks;
mod openapi;
mod operations;
mod people;
mod permissions;
mod roles;
mod second_factors;
mod sessions;
mod sign_in_guard;
mod sso;
mod stale_checks;
mod usage;
mod validation;
