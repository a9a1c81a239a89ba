//! Signals out (#22): events keydesk sends to the destinations an
//! organization sets up. Each is written to an outbox with the change that
//! causes it (`storage::events`); [`deliverer`] sends them, signed as the
//! Standard Webhooks specification says ([`signing`]), through a client that
//! refuses destinations inside keydesk's network on the address each name
//! resolves to ([`outbound`], [`address`]). [`expiring`] raises
//! `api_key.expiring` as keys near their end; [`mail`] mails the events
//! people must hear about; [`retention`] deletes them when their time is up.

pub mod address;
pub mod deliverer;
pub mod expiring;
pub mod mail;
pub mod outbound;
pub mod retention;
pub mod signing;
