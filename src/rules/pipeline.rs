//! The one per-file pipeline: located YAML → JSON Schema → serde → checks.
//!
//! Reports and `enigm.yaml` go the same way. `format` parses a file's YAML once into a
//! [`LocatedYaml`] (tree, JSON value, spans); [`typed`] checks that value against its schema
//! and, only when it passes, deserialises the same value into the typed model; the raw-text
//! checks ([`text_findings`]) run on every file. [`check_document`] is the whole pipeline of a
//! report (used by `validate` and by `advance`'s guards), [`check_config`] that of `enigm.yaml`.

use std::ops::Range;
use std::path::Path;

use crate::format::code::Code;
use crate::format::config::Config;
use crate::format::finding::Finding;
use crate::format::located::LocatedYaml;
use crate::format::report::{Document, Report};
use crate::format::yaml::Node;
use crate::layout::CONFIG_FILE;
use crate::rules::checks::secrets::{self, Allowed};
use crate::rules::checks::{self, CheckContext};
use crate::rules::schema::Schema;

/// Schema, then serde: the typed model of `yaml` (the YAML of the file at `path`), or every
/// schema finding, or the one finding of the value that does not fit the model. `serde` is
/// the model's typing step from `format` (a [`LocatedYaml::deserialize`]).
pub fn typed<T>(
    schema: Schema,
    path: &Path,
    yaml: &LocatedYaml,
    serde: impl FnOnce(&LocatedYaml) -> Result<T, Finding>,
) -> Result<T, Vec<Finding>> {
    let findings = schema.check(path, yaml);
    if !findings.is_empty() {
        return Err(findings);
    }
    serde(yaml).map_err(|f| vec![f])
}

/// The checks on a parsed file's text: secrets, conflict markers and Trojan Source
/// characters in the raw text ([`checks::check_text_allowing`]), then secrets and control
/// characters that only the YAML's decoded values show (a token split by an escaped line
/// break), each value reported once. `yaml` is the YAML's byte range in `text`; `allowed`
/// are the secret values `enigm.yaml` accepts.
pub fn text_findings(path: &Path, text: &str, yaml: Range<usize>, tree: &Node, allowed: Allowed<'_>) -> Vec<Finding> {
    let raw = checks::check_text_allowing(path, text, Some(yaml), allowed);
    let mut out: Vec<Finding> = checks::unicode::check_values(path, tree, &raw).into_iter().collect();
    out.extend(secrets::scan_values(path, text, tree, &raw, allowed));
    out.extend(raw);
    out
}

/// Every finding of a parsed report: the schema first; when it passes, the typed model and
/// the semantic checks; and in any case the text checks.
pub fn check_document(doc: &Document, ctx: &CheckContext<'_>) -> Vec<Finding> {
    crate::rules::sealed::check(doc, ctx).unwrap_or_else(|| check_plain(doc, ctx))
}

/// [`check_document`] of a report read as plain text (a plain report, or a sealed one's
/// opened plaintext).
pub fn check_plain(doc: &Document, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let report = typed(Schema::Report, &doc.path, &doc.yaml, |y| y.deserialize::<Report>(&doc.path));
    let mut findings = match report {
        Ok(report) => checks::check_report(doc, &report, ctx),
        Err(findings) => findings,
    };
    let hashes: Vec<String> = ctx.config.allowed_secrets.iter().map(|a| a.sha256.clone()).collect();
    let allowed = Allowed { sha256: &hashes };
    findings.extend(text_findings(&doc.path, &doc.text, doc.front_matter.clone(), &doc.yaml.tree, allowed));
    findings
}

/// The configuration from the text of `enigm.yaml`, or every finding that stops it being
/// used: a YAML error; else the schema's and the text checks' findings; else (the file is
/// clean) the one finding of a value serde or the id prefix rule refuses.
/// A usable configuration comes with its warnings ([`policy_warnings`]).
pub fn check_config(text: &str) -> Result<(Config, Vec<Finding>), Vec<Finding>> {
    let rel = Path::new(CONFIG_FILE);
    let yaml = Config::located(text).map_err(|f| vec![f])?;
    // Secrets, conflict markers and Trojan Source characters matter in the configuration too,
    // and any of them keeps it from being used.
    let text_found = text_findings(rel, text, 0..text.len(), &yaml.tree, Allowed::default());
    if !text_found.is_empty() {
        let mut findings = Schema::Config.check(rel, &yaml);
        findings.extend(text_found);
        return Err(findings);
    }
    let config = typed(Schema::Config, rel, &yaml, Config::from_located)?;
    let warnings = policy_warnings(&config, yaml.spans());
    Ok((config, warnings))
}

/// The configuration of the repository at `root`, through the same pipeline as `validate`
/// (so every command words a problem in `enigm.yaml` as `validate` does), without its warnings.
pub fn load_config(root: &Path) -> crate::Result<Config> {
    let text = crate::format::config::read_text(root)?;
    match check_config(&text) {
        Ok((mut config, _)) => match config.read_ssvc_tree(root) {
            Ok(()) => Ok(config),
            Err(finding) => Err(crate::Error::File(Box::new(crate::error::FileProblem::new(finding, Some(text))))),
        },
        Err(mut findings) => {
            if findings.len() == 1 {
                let finding = findings.remove(0);
                return Err(crate::Error::File(Box::new(crate::error::FileProblem::new(finding, Some(text)))));
            }
            let count = findings.len();
            let headline = format!("{CONFIG_FILE} cannot be used: {count} problems (`validate` lists them)");
            let problems =
                findings.into_iter().take(10).map(|f| crate::error::FileProblem::new(f, Some(text.clone()))).collect();
            Err(crate::Error::Refused { headline, count, problems })
        }
    }
}

/// The findings about the policy that do not keep the configuration from being used: a
/// warning at each severity level whose fix deadline falls after the publish deadline (the
/// policy would publish an advisory before the fix is due: `publish_days` 90, `low: 180`), in
/// the global policy and in each product's; an error at each `policy.products` entry that
/// names no product of `products` (a typo would leave that product on the global policy).
pub fn policy_warnings(config: &Config, spans: &crate::format::yaml::SpanMap) -> Vec<Finding> {
    let mut out = publish_before_fix(&config.policy, "policy", spans, |_| true);
    for (name, o) in &config.policy.products {
        let key = format!("policy.products.{name}");
        let Some(policy) = config.product(name).and_then(|_| config.policy.for_product(name)) else {
            out.push(unknown_product(config, name, spans.get(&key).and_then(|s| s.key.clone())));
            continue;
        };
        // Only what the product changes: the global policy's own levels are reported once.
        let changed = |level: &str| o.publish_days.is_some() || o.fix_days.get(level).is_some();
        out.extend(publish_before_fix(&policy, &key, spans, changed));
    }
    out
}

fn unknown_product(config: &Config, name: &str, span: Option<std::ops::Range<usize>>) -> Finding {
    let names: Vec<&str> = config.products.iter().map(|p| p.name.as_str()).collect();
    let near = names
        .iter()
        .copied()
        .min_by_key(|n| strsim::levenshtein(n, name))
        .filter(|n| strsim::levenshtein(n, name) <= 2);
    let help = match near {
        Some(n) => format!("did you mean `{n}`? (`products` lists: {})", names.join(", ")),
        None if names.is_empty() => "list the product under `products` first".to_owned(),
        None => format!("use a product name `products` lists: {}", names.join(", ")),
    };
    Finding::error(
        Code::ConfigUnknownProduct,
        Path::new(CONFIG_FILE),
        span,
        format!(
            "`policy.products.{name}`: `{name}` is not a product of `products`, so this policy applies to no report"
        ),
    )
    .with_help(help)
}

/// [`policy_warnings`]' fix-after-publish check of one policy (at `prefix` in the file), for
/// the levels `levels` keeps.
fn publish_before_fix(
    policy: &crate::format::config::Policy,
    prefix: &str,
    spans: &crate::format::yaml::SpanMap,
    levels_kept: impl Fn(&str) -> bool,
) -> Vec<Finding> {
    let fix = &policy.fix_days;
    let levels =
        [("critical", fix.critical), ("high", fix.high), ("medium", fix.medium), ("low", fix.low), ("none", fix.none)];
    let publish_span = spans
        .get(&format!("{prefix}.publish_days"))
        .map(|s| s.value.clone())
        .or_else(|| spans.get("policy.publish_days").map(|s| s.value.clone()));
    let publish_key = if spans.get(&format!("{prefix}.publish_days")).is_some() {
        format!("{prefix}.publish_days")
    } else {
        "policy.publish_days".to_owned()
    };
    levels
        .into_iter()
        .filter(|(level, days)| *days > policy.publish_days && levels_kept(level))
        .map(|(level, days)| {
            let key = format!("{prefix}.fix_days.{level}");
            let span = spans.get(&key).map(|s| s.value.clone()).or_else(|| publish_span.clone());
            let key = if spans.get(&key).is_some() { key } else { format!("policy.fix_days.{level}") };
            Finding::warning(
                Code::ConfigPublishBeforeFix,
                Path::new(CONFIG_FILE),
                span,
                format!(
                    "`{key}` is {days} days but `{publish_key}` is {}: a `{level}` report{} would be published {} days before its fix is due",
                    policy.publish_days,
                    prefix.strip_prefix("policy.products.").map(|p| format!(" of `{p}`")).unwrap_or_default(),
                    days - policy.publish_days
                ),
            )
            .with_help(format!(
                "lower `{key}` to {} or less, or raise `{publish_key}` to {days} or more",
                policy.publish_days
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::config::ConfigSeed;

    fn config_text() -> String {
        let seed = ConfigSeed {
            id_prefix: "ACME".into(),
            organization: "Acme".into(),
            security_contact: "security@acme.test".into(),
            products: vec!["web".into()],
        };
        seed.render()
    }

    #[test]
    fn the_seeded_policy_has_no_warning_and_a_late_fix_deadline_is_located() {
        let text = config_text();
        let (_, warnings) = check_config(&text).expect("usable");
        assert!(warnings.is_empty(), "{warnings:?}");
        let late = text.replace("    low: 90", "    low: 120");
        let (_, warnings) = check_config(&late).expect("usable");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].code, Code::ConfigPublishBeforeFix);
        assert_eq!(&late[warnings[0].span.clone().expect("span")], "120");
        assert!(warnings[0].message.contains("30 days before its fix is due"), "{}", warnings[0].message);
        // Equal deadlines are consistent (the fix is due the day the advisory goes out).
        let equal = text.replace("  publish_days: 90", "  publish_days: 120").replace("    low: 90", "    low: 120");
        assert!(check_config(&equal).expect("usable").1.is_empty());
    }

    fn with_overrides(products: &str) -> String {
        config_text().replace(
            "  business_days: false    # true: count Monday-Friday only\n",
            &format!("  business_days: false    # true: count Monday-Friday only\n  products:\n{products}"),
        )
    }

    #[test]
    fn a_product_override_for_no_listed_product_is_an_error_at_its_name() {
        let text = with_overrides(
            "    web:\n      publish_days: 25\n      fix_days: {high: 20, medium: 25, low: 25, none: 25}\n    wbe:\n      triage_days: 2\n",
        );
        let (config, found) = check_config(&text).expect("usable");
        assert_eq!(config.policy.products["web"].publish_days, Some(25));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!((found[1].code, &text[found[1].span.clone().expect("span")]), (Code::ConfigPublishBeforeFix, "25"));
        assert!(
            found[1].message.contains("`policy.fix_days.critical` is 30 days but `policy.products.web.publish_days`"),
            "{}",
            found[1].message
        );
        assert_eq!(found[0].code, Code::ConfigUnknownProduct);
        assert_eq!(found[0].severity, crate::format::finding::Severity::Error);
        assert_eq!(&text[found[0].span.clone().expect("span")], "wbe");
        assert_eq!(found[0].help.as_deref(), Some("did you mean `web`? (`products` lists: web)"));
    }

    #[test]
    fn a_products_late_fix_is_warned_at_its_own_key_once() {
        let text = with_overrides("    web:\n      fix_days: {low: 120}\n");
        let (_, found) = check_config(&text).expect("usable");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(&text[found[0].span.clone().expect("span")], "120");
        assert!(found[0].message.contains("`policy.products.web.fix_days.low` is 120 days but `policy.publish_days` is 90: a `low` report of `web`"), "{}", found[0].message);
        let late_globally = with_overrides("    web:\n      triage_days: 2\n").replace("    low: 90", "    low: 120");
        assert_eq!(
            check_config(&late_globally).expect("usable").1.len(),
            1,
            "the global level once, not again per product"
        );
    }
}
