//! Which new passwords are accepted: the contract's length rule (12 to 128
//! characters), then a strength estimate (zxcvbn) that refuses common,
//! breached-style and guessable passwords, including ones built from the
//! person's own email, name or organization. The refusal says why and how to
//! do better, and the form shows it under the password field. It runs on the
//! server only: its dictionaries would triple the web app's size.

use keydesk_contract::validation;
use zxcvbn::Score;

/// zxcvbn's "safely unguessable: moderate protection from an offline
/// slow-hash attack" (over 10^8 guesses), which argon2id is.
pub const MIN_SCORE: Score = Score::Three;

/// `Ok` when `password` may be used; otherwise the message for the field.
/// `about_the_person` are words an attacker would try first.
pub fn check(password: &str, about_the_person: &[&str]) -> Result<(), String> {
    validation::new_password(password)?;
    let estimate = zxcvbn::zxcvbn(password, about_the_person);
    if estimate.score() >= MIN_SCORE {
        return Ok(());
    }
    let mut message = String::from("This password is too easy to guess.");
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            message.push(' ');
            message.push_str(&warning.to_string());
            if !message.ends_with('.') {
                message.push('.');
            }
        }
        for suggestion in feedback.suggestions() {
            message.push(' ');
            message.push_str(&suggestion.to_string());
        }
    }
    if !message.contains("Add") {
        message.push_str(" Add more words that are less common.");
    }
    Err(message)
}

/// Words about a person that their password should not be built from.
pub fn words_about(email: &str, name: &str, organization: &str) -> Vec<String> {
    let local = email.split('@').next().unwrap_or_default();
    [email, local, name, organization]
        .iter()
        .flat_map(|s| std::iter::once(s.to_string()).chain(s.split_whitespace().map(String::from)))
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_patterned_passwords_are_refused_with_a_reason() {
        for weak in [
            "password1234",
            "qwertyuiop123",
            "aaaaaaaaaaaaaaaa",
            "123456789012",
            "iloveyou2024!",
        ] {
            let message = check(weak, &[]).unwrap_err();
            assert!(
                message.starts_with("This password is too easy to guess."),
                "{weak}: {message}"
            );
        }
    }

    #[test]
    fn a_password_made_of_the_persons_own_details_is_refused() {
        let about = words_about("ada.lovelace@acme.io", "Ada Lovelace", "Acme Render");
        let about: Vec<&str> = about.iter().map(String::as_str).collect();
        // Long enough and not a common password, but it is the person's own email.
        assert!(check("ada.lovelace@acme.io", &about).is_err());
    }

    #[test]
    fn long_uncommon_passphrases_pass() {
        assert!(check("correct horse battery staple", &[]).is_ok());
        assert!(check("marble otter quietly folds umbrellas", &[]).is_ok());
    }

    #[test]
    fn length_limits_come_first() {
        assert_eq!(
            check("short", &[]).unwrap_err(),
            "Password must be at least 12 characters."
        );
        assert!(check(&"x".repeat(129), &[])
            .unwrap_err()
            .contains("at most 128"));
    }
}
