//! The journeys of a new keydesk user, each a test: the release app served
//! by the real server on a fresh database, driven in headless Chromium, with
//! an accessibility audit of every screen and dialog on the way.

mod steps;

mod j10_content_security_policy;
mod j11_keyboard_focus;
mod j12_my_account;
mod j13_people;
mod j14_invitation;
mod j15_custom_roles;
mod j16_usage_and_inventory;
mod j17_issued_credentials;
mod j18_second_factors;
mod j19_single_sign_on;
mod j1_sign_up;
mod j20_key_policy_and_events;
mod j21_leaked_key;
mod j22_parts;
mod j2_create_and_generate;
mod j3_use_the_key;
mod j4_regenerate;
mod j5_edit_roles;
mod j6_remove;
mod j7_without_create_permission;
mod j8_bad_input_and_outage;
mod j9_session;
mod screenshots;
