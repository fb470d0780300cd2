//! Secret scanning: credential material must never be in a report.
//!
//! The whole file (front matter and body) is scanned for private keys, cloud access keys,
//! GitHub/GitLab/Slack tokens, JWTs and passwords in URLs. The finding points at the secret
//! and its message shows only a masked form, so the secret is not copied into CI logs.

use std::sync::OnceLock;

use regex::Regex;

use std::path::Path;

use crate::format::finding::{Code, Finding};

struct Rule {
    what: &'static str,
    pattern: &'static str,
    /// Characters of the match that are a public type prefix (`ghp_`) and may be shown.
    show: usize,
}

const RULES: &[Rule] = &[
    Rule { what: "private key", pattern: r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----", show: 0 },
    Rule { what: "AWS access key id", pattern: r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b", show: 4 },
    Rule {
        what: "AWS secret access key",
        pattern: r#"(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}\b"#,
        show: 0,
    },
    Rule { what: "Google API key", pattern: r"\bAIza[0-9A-Za-z_\-]{35}\b", show: 4 },
    Rule {
        what: "GitHub token",
        pattern: r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b",
        show: 4,
    },
    Rule { what: "GitLab token", pattern: r"\bglpat-[A-Za-z0-9_\-]{20,}\b", show: 6 },
    Rule { what: "Slack token", pattern: r"\bxox[abposr]-[A-Za-z0-9\-]{10,}\b", show: 4 },
    Rule { what: "Slack webhook URL", pattern: r"https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}", show: 0 },
    Rule { what: "Stripe secret key", pattern: r"\b[sr]k_live_[A-Za-z0-9]{20,}\b", show: 8 },
    Rule {
        what: "JSON Web Token",
        pattern: r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}",
        show: 3,
    },
    Rule {
        what: "password in a URL",
        pattern: r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s/:@'<>]+:([^\s/@'<>]+)@[^\s/@]",
        show: 0,
    },
];

/// Well-known documentation placeholders that are not secrets.
const EXAMPLES: &[&str] = &["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"];

fn compiled() -> &'static Vec<(Regex, &'static Rule)> {
    static R: OnceLock<Vec<(Regex, &'static Rule)>> = OnceLock::new();
    // The patterns are constants covered by tests; they always compile.
    R.get_or_init(|| RULES.iter().map(|r| (Regex::new(r.pattern).expect("secret pattern compiles"), r)).collect())
}

/// Scans a whole file's text (front matter and body, whether or not it parses).
pub fn scan(text: &str, path: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    for (re, rule) in compiled() {
        for caps in re.captures_iter(text) {
            // For URLs the secret is the password group; otherwise the whole match.
            let Some(m) = caps.get(1).or_else(|| caps.get(0)) else {
                continue;
            };
            let secret = m.as_str();
            if is_placeholder(secret) || EXAMPLES.iter().any(|e| caps[0].contains(e)) {
                continue;
            }
            let message = format!("possible {} in the report: {}", rule.what, mask(secret, rule.show));
            out.push(Finding::error(Code::Secret, path, Some(m.start()..m.end()), message).with_help(
                "remove it and rotate the credential: the report is in git history; describe the secret instead (e.g. \"an admin token\")",
            ));
        }
    }
    out
}

/// Obvious placeholders such as `***`, `xxxx`, `<password>`, `${TOKEN}`, `password`.
fn is_placeholder(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    s.chars().all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '•'))
        || (s.starts_with('<') && s.ends_with('>'))
        || s.starts_with("${")
        || s.starts_with('{')
        || matches!(lower.as_str(), "password" | "pass" | "secret" | "redacted" | "changeme")
}

/// Shows at most the public type prefix (`show` characters) and the length, never the secret.
pub fn mask(secret: &str, show: usize) -> String {
    let head: String = secret.chars().take(show).collect();
    format!("{head}… ({} characters, masked)", secret.chars().count())
}

#[cfg(test)]
mod tests {
    use super::mask;
    use crate::rules::checks::test_support::{PUBLISHED, findings};

    fn secret_findings(body: &str) -> Vec<crate::format::finding::Finding> {
        let text = PUBLISHED.replace("observe where it is written.", body);
        assert!(findings(&text).iter().all(|f| f.code != "secret"), "validate scans secrets, not check_report");
        super::scan(&text, std::path::Path::new("r.md"))
    }

    #[test]
    fn finds_and_masks_each_kind() {
        let samples = [
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "key AKIAZ7VRSQ5TJ3XKQ4ME here",
            "aws_secret_access_key = Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy",
            "token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
            "glpat-abcdefghij0123456789",
            "xoxb-123456789012-abcdefghijkl",
            "AIzaSyA1234567890abcdefghijklmnopqrstuv",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "https://admin:hunter2secret@db.internal.example/x",
            "sk_live_abcdefghijklmnopqrstuvwx",
        ];
        for s in samples {
            let f = secret_findings(s);
            assert_eq!(f.len(), 1, "{s}: {f:?}");
            let secret_text = &s[s.find(|c: char| !c.is_whitespace()).unwrap_or(0)..];
            assert!(
                !f[0].message.contains(&secret_text[secret_text.len().saturating_sub(8)..]),
                "secret tail leaked: {}",
                f[0].message
            );
            assert!(f[0].message.contains("masked"));
        }
    }

    #[test]
    fn ignores_placeholders_and_ordinary_text() {
        for s in [
            "https://user:***@host/x",
            "https://user:<password>@host/x",
            "AKIAIOSFODNN7EXAMPLE",
            "the token starts with ghp_ and is 40 chars",
            "https://example.com/a:b@c",
            "eyJ only",
        ] {
            assert!(secret_findings(s).is_empty(), "{s}");
        }
    }

    #[test]
    fn mask_shows_only_a_prefix() {
        assert_eq!(mask("hunter2secret", 0), "… (13 characters, masked)");
        assert_eq!(mask("ghp_abc", 4), "ghp_… (7 characters, masked)");
    }
}
