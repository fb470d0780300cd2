//! Package URLs derived from a product's `ecosystem` and `package`.
//!
//! A purl is the product identification helper every CSAF consumer and scanner matches on; a
//! report that names its package in a known ecosystem should not have to spell it twice. This
//! maps the OSV ecosystem names to purl types (package-url/purl-spec `PURL-TYPES.rst`) and
//! encodes the name; an ecosystem without a purl type gives `None`, never a guess.

/// purl types by OSV ecosystem name, and whether the type's names are case-insensitive.
const TYPES: &[(&str, &str, bool)] = &[
    ("crates.io", "cargo", false),
    ("CRAN", "cran", false),
    ("ConanCenter", "conan", false),
    ("GitHub Actions", "github", true),
    ("Go", "golang", false),
    ("Hackage", "hackage", false),
    ("Hex", "hex", true),
    ("Maven", "maven", false),
    ("npm", "npm", false),
    ("NuGet", "nuget", false),
    ("Packagist", "composer", true),
    ("Pub", "pub", true),
    ("PyPI", "pypi", true),
    ("RubyGems", "gem", false),
    ("SwiftURL", "swift", false),
];

/// `pkg:<type>/<namespace>/<name>` for a package of an ecosystem with a purl type.
pub fn derive(ecosystem: &str, package: &str) -> Option<String> {
    let package = package.trim();
    let (_, kind, lower) = TYPES.iter().find(|(e, _, _)| *e == ecosystem.trim())?;
    if package.is_empty() || package.contains(char::is_whitespace) {
        return None;
    }
    let name = if *lower { package.to_lowercase() } else { package.to_owned() };
    let name = match *kind {
        // PEP 503 normalisation, as the purl spec asks for PyPI.
        "pypi" => name.replace(['_', '.'], "-"),
        // Maven: `group:artifact` → `group/artifact`.
        "maven" => name.replacen(':', "/", 1),
        _ => name,
    };
    let segments: Vec<String> = name.split('/').map(encode).collect();
    if segments.iter().any(String::is_empty) {
        return None;
    }
    Some(format!("pkg:{kind}/{}", segments.join("/")))
}

/// Percent-encodes a purl path segment (everything but unreserved characters).
fn encode(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_by_ecosystem() {
        assert_eq!(derive("PyPI", "Orbit_SDK").as_deref(), Some("pkg:pypi/orbit-sdk"));
        assert_eq!(derive("npm", "@acme/web-kit").as_deref(), Some("pkg:npm/%40acme/web-kit"));
        assert_eq!(derive("crates.io", "serde").as_deref(), Some("pkg:cargo/serde"));
        assert_eq!(derive("Go", "github.com/acme/orbit").as_deref(), Some("pkg:golang/github.com/acme/orbit"));
        assert_eq!(derive("Maven", "org.acme:orbit-core").as_deref(), Some("pkg:maven/org.acme/orbit-core"));
        assert_eq!(derive("Debian", "orbit"), None, "no purl type mapped: no guess");
        assert_eq!(derive("PyPI", "two words"), None);
        assert_eq!(derive("npm", "a//b"), None);
    }
}
