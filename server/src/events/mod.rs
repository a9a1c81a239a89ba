//! Signals out (#22): events keydesk sends to the destinations an
//! organization sets up. So far its two foundations: signing each delivery
//! as the Standard Webhooks specification says ([`signing`]), and refusing
//! destinations inside keydesk's network, checked on the resolved address
//! ([`address`]). The outbox, deliveries and their retries build on them.

pub mod address;
pub mod signing;
