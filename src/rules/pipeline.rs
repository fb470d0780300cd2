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

/// A warning at each severity level whose fix deadline falls after the publish deadline: the
/// policy would publish an advisory before the fix is due (`publish_days` 90, `low: 180`).
pub fn policy_warnings(config: &Config, spans: &crate::format::yaml::SpanMap) -> Vec<Finding> {
    let policy = &config.policy;
    let fix = &policy.fix_days;
    let levels =
        [("critical", fix.critical), ("high", fix.high), ("medium", fix.medium), ("low", fix.low), ("none", fix.none)];
    let publish_span = spans.get("policy.publish_days").map(|s| s.value.clone());
    levels
        .into_iter()
        .filter(|(_, days)| *days > policy.publish_days)
        .map(|(level, days)| {
            let key = format!("policy.fix_days.{level}");
            let span = spans.get(&key).map(|s| s.value.clone()).or_else(|| publish_span.clone());
            Finding::warning(
                Code::ConfigPublishBeforeFix,
                Path::new(CONFIG_FILE),
                span,
                format!(
                    "`{key}` is {days} days but `policy.publish_days` is {}: a `{level}` report would be published {} days before its fix is due",
                    policy.publish_days,
                    days - policy.publish_days
                ),
            )
            .with_help(format!(
                "lower `{key}` to {} or less, or raise `policy.publish_days` to {days} or more",
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
}
