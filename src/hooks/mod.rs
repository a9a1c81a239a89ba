//! Small reusable pieces of behaviour, one per file, in the shape of
//! leptos-use: `use_x(..)` with defaults and `use_x_with_options(.., UseXOptions)`.

pub mod use_action_outcome;
pub mod use_copy;
