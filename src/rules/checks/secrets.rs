//! Secret scanning: credential material must never be in a report.
//!
//! The whole file (front matter and body) is scanned for the token families of the dedicated
//! scanners (gitleaks' rules, detect-secrets' plugins), generic `password=` / `token:` style
//! assignments with an entropy floor, and credentials in URLs. Each base64 run and each
//! URL-encoded word is decoded once and scanned again, and [`scan_values`] scans the decoded
//! YAML values (a token split by an escaped line break). The finding points at the secret and
//! its message shows only a masked form, so the secret is not copied into CI logs.
//!
//! Speed: one Aho-Corasick pass over the text finds the rules' keywords (as gitleaks does);
//! only the rules whose keyword occurs run their regex, so adding rules costs almost nothing
//! on text that has none of their keywords.
//!
//! Not secrets: documentation placeholders (`AKIAIOSFODNN7EXAMPLE`, `xxxx…`, `<token>`,
//! `${VAR}`, `your-token-here`, `REDACTED`, `changeme`), URL user-info that is a host or port
//! trick (`http://127.0.0.1:80@evil.example/`), and any value accepted with an
//! `enigm:allow-secret` comment on its line or by its SHA-256 in `allowed_secrets`.

#[cfg(test)]
mod corpus;
mod sha256;

use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::Regex;

use crate::format::finding::{Code, Finding};
use crate::format::yaml::{Node, NodeKind};

pub use sha256::sha256_hex;

/// The inline marker that accepts the secrets of its line.
pub const ALLOW_MARKER: &str = "enigm:allow-secret";

struct Rule {
    what: &'static str,
    /// Literals (matched ignoring ASCII case) one of which every match contains; none: the
    /// rule always runs.
    keywords: &'static [&'static str],
    /// The secret is the `s` group when the pattern has one, else the whole match.
    pattern: &'static str,
    /// Characters of the secret that are a public type prefix (`ghp_`) and may be shown.
    show: usize,
    /// Minimum Shannon entropy of the secret, in bits per character (0: none).
    entropy: f64,
    /// Generic rules: the value must look random, not like a word, path or reference.
    generic: bool,
}

const fn r(what: &'static str, keywords: &'static [&'static str], pattern: &'static str, show: usize) -> Rule {
    Rule { what, keywords, pattern, show, entropy: 0.0, generic: false }
}

const fn g(what: &'static str, keywords: &'static [&'static str], pattern: &'static str, entropy: f64) -> Rule {
    Rule { what, keywords, pattern, show: 0, entropy, generic: true }
}

/// Most specific first: where two rules match the same text, the earlier one reports it.
const RULES: &[Rule] = &[
    r("private key", &["private key"], r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----", 0),
    r("PuTTY private key", &["putty-user-key-file"], r"PuTTY-User-Key-File-[0-9]: [a-z0-9\-]+", 0),
    r("base64-encoded private key", &["ls0tls1crudjti"], r"LS0tLS1CRUdJTi[A-Za-z0-9+/=\s]{20,}", 0),
    r("age secret key", &["age-secret-key-1"], r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", 15),
    r(
        "AWS access key id",
        &["akia", "asia", "abia", "acca", "a3t"],
        r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
        4,
    ),
    r(
        "AWS secret access key",
        &["aws"],
        r#"(?i)aws[_.\-]?secret[_.\-]?(?:access[_.\-]?)?key["']?\s*(?::=|=>|[:=])\s*["']?(?P<s>[A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        0,
    ),
    r("Google API key", &["aiza"], r"AIza[0-9A-Za-z_\-]{35}", 4),
    r("Google OAuth client secret", &["gocspx-"], r"GOCSPX-[A-Za-z0-9_\-]{28}", 7),
    r("Google OAuth access token", &["ya29."], r"ya29\.[0-9A-Za-z_\-]{30,}", 5),
    r("GitHub token", &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], r"gh[pousr]_[A-Za-z0-9]{36,255}", 4),
    r("GitHub token", &["github_pat_"], r"github_pat_[A-Za-z0-9_]{60,255}", 11),
    r(
        "GitLab token",
        &[
            "glpat-", "glptt-", "gldt-", "glrt-", "glsoat-", "glcbt-", "glft-", "glimt-", "glagent-", "gloas-",
            "glffct-", "glrtr-",
        ],
        r"gl(?:pat|ptt|dt|rtr?|soat|cbt|ft|imt|agent|oas|ffct)-[A-Za-z0-9_\-]{20,}",
        5,
    ),
    r("GitLab runner registration token", &["gr1348941"], r"GR1348941[A-Za-z0-9_\-]{20,}", 9),
    r("Slack token", &["xox"], r"xox[abposre]-[0-9A-Za-z\-]{10,}", 5),
    r("Slack app token", &["xapp-"], r"xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]+", 5),
    r(
        "Slack webhook URL",
        &["hooks.slack.com"],
        r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{20,}",
        0,
    ),
    r("Stripe key", &["sk_", "rk_"], r"\b[sr]k_(?:live|test|prod)_[A-Za-z0-9]{20,}", 8),
    r("Stripe webhook secret", &["whsec_"], r"whsec_[A-Za-z0-9+/=]{24,}", 6),
    r("npm token", &["npm_"], r"npm_[A-Za-z0-9]{36}", 4),
    r("PyPI token", &["pypi-age"], r"pypi-AgE[A-Za-z0-9_\-]{50,}", 5),
    r("RubyGems API key", &["rubygems_"], r"rubygems_[a-f0-9]{48}", 9),
    r("NuGet API key", &["oy2"], r"\boy2[a-z0-9]{43}\b", 0),
    r("Docker Hub token", &["dckr_"], r"dckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,}", 9),
    r("Clojars token", &["clojars_"], r"CLOJARS_[a-z0-9]{60}", 8),
    r("Azure storage account key", &["accountkey="], r"(?i)AccountKey=(?P<s>[A-Za-z0-9+/]{86}==)", 0),
    r("Azure shared access key", &["sharedaccesskey="], r"(?i)SharedAccessKey=(?P<s>[A-Za-z0-9+/]{42,44}=?)", 0),
    r("Azure SAS signature", &["sig="], r"[?&;]sig=(?P<s>[A-Za-z0-9%+/]{30,}(?:%3[Dd]|=){0,2})", 0),
    r("Azure AD client secret", &["q~"], r"[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34}", 0),
    r("SendGrid API key", &["sg."], r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}", 3),
    r("OpenAI API key", &["t3blbkfj"], r"sk-(?:[a-z]+-)?[A-Za-z0-9_\-]{16,}T3BlbkFJ[A-Za-z0-9_\-]{16,}", 3),
    r("OpenAI API key", &["sk-proj-", "sk-svcacct-", "sk-admin-"], r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}", 8),
    r("Anthropic API key", &["sk-ant-"], r"sk-ant-(?:api|admin|sid|oat)[0-9]{2}-[A-Za-z0-9_\-]{80,}", 7),
    r("Hugging Face token", &["hf_", "api_org_"], r"\b(?:hf|api_org)_[A-Za-z]{34}\b", 3),
    r("Twilio API key", &["sk"], r"\bSK[0-9a-fA-F]{32}\b", 2),
    r("Mailgun API key", &["key-"], r"\bkey-[0-9a-z]{32}\b", 4),
    r("Mailchimp API key", &["-us"], r"\b[0-9a-f]{32}-us[0-9]{1,2}\b", 0),
    r("Shopify token", &["shpat_", "shpss_", "shpca_", "shppa_"], r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}", 6),
    r("Square token", &["sq0atp-", "sq0csp-", "eaaa"], r"(?:EAAA|sq0atp-|sq0csp-)[0-9A-Za-z_\-]{22,60}", 4),
    r("Facebook access token", &["eaa"], r"EAA[MC][A-Za-z0-9]{100,}", 3),
    r("Discord webhook URL", &["discord"], r"discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68}", 0),
    r(
        "Discord bot token",
        &["discord"],
        r"\b[MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38}\b",
        0,
    ),
    r("Telegram bot token", &[":aa"], r"\b[0-9]{8,10}:AA[0-9A-Za-z_\-]{33}\b", 0),
    r("Heroku API key", &["hrku-"], r"HRKU-[0-9A-Za-z_\-]{60}", 5),
    r(
        "Heroku API key",
        &["heroku"],
        r#"(?i)heroku[a-z0-9_.\-]{0,20}["']?\s*(?::=|=>|[:=])\s*["']?(?P<s>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"#,
        0,
    ),
    r("DigitalOcean token", &["dop_v1_", "doo_v1_", "dor_v1_"], r"do[por]_v1_[a-f0-9]{64}", 7),
    r("Databricks token", &["dapi"], r"\bdapi[a-f0-9]{32}(?:-[0-9])?\b", 4),
    r("Doppler token", &["dp."], r"dp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,44}", 6),
    r("Dropbox token", &["sl."], r"\bsl\.[A-Za-z0-9_\-]{130,152}", 3),
    r("Linear API key", &["lin_api_"], r"lin_api_[A-Za-z0-9]{40}", 8),
    r("Postman API key", &["pmak-"], r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}", 5),
    r("Pulumi token", &["pul-"], r"\bpul-[a-f0-9]{40}\b", 4),
    r("Vault token", &["hvs.", "hvb."], r"hv[sb]\.[A-Za-z0-9_\-]{90,300}", 4),
    r("Terraform Cloud token", &[".atlasv1."], r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,70}", 0),
    r("Grafana token", &["glc_", "glsa_"], r"gl(?:c_[A-Za-z0-9+/]{32,400}={0,2}|sa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})", 4),
    r("Grafana API key", &["eyjrijoi"], r"eyJrIjoi[A-Za-z0-9]{70,400}={0,2}", 0),
    r("New Relic key", &["nrak-", "nrjs-", "nrii-"], r"NR(?:AK-[A-Z0-9]{27}|JS-[a-f0-9]{19}|II-[A-Za-z0-9_\-]{32})", 5),
    r("Sentry token", &["sntrys_", "sntryu_"], r"sntry[su]_[A-Za-z0-9+/=_\-]{40,}", 7),
    r("Atlassian API token", &["atatt3", "atctt3"], r"AT[AC]TT3[A-Za-z0-9_\-=]{150,}", 6),
    r("Alibaba access key id", &["ltai"], r"LTAI[A-Za-z0-9]{20}\b", 4),
    r("Notion token", &["ntn_", "secret_"], r"\b(?:ntn_[A-Za-z0-9]{40,50}|secret_[A-Za-z0-9]{43})\b", 4),
    r("Artifactory token", &["akcp", "cmvmdgtu"], r"\b(?:AKCp[A-Za-z0-9]{69}|cmVmdGtu[A-Za-z0-9]{56})\b", 4),
    r("Supabase token", &["sbp_"], r"sbp_[a-f0-9]{40}", 4),
    r("PlanetScale token", &["pscale_"], r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9=\-_.]{32,64}", 11),
    r("Fly.io token", &["fo1_", "fm1", "fm2"], r"(?:fo1_[A-Za-z0-9_\-]{43}|fm[12][ar]?_[A-Za-z0-9+/=,_\-]{100,})", 4),
    r("Sourcegraph token", &["sgp_"], r"sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}", 4),
    r("Prefect token", &["pnu_"], r"pnu_[A-Za-z0-9]{36}", 4),
    r("Dynatrace token", &["dt0c01."], r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}", 7),
    r("EasyPost API key", &["ezak", "eztk"], r"EZ[AT]K[A-Za-z0-9]{54}", 4),
    r("Flutterwave secret key", &["flwseck"], r"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X", 8),
    r("Shippo token", &["shippo_"], r"shippo_(?:live|test)_[a-f0-9]{40}", 12),
    r("Typeform token", &["tfp_"], r"tfp_[A-Za-z0-9\-_.=]{59}", 4),
    r("Duffel token", &["duffel_"], r"duffel_(?:test|live)_[A-Za-z0-9_\-=]{43}", 12),
    r("ReadMe API key", &["rdme_"], r"rdme_[a-z0-9]{70}", 5),
    r("Frame.io token", &["fio-u-"], r"fio-u-[A-Za-z0-9\-_=]{64}", 6),
    r("Cloudflare origin CA key", &["v1.0-"], r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}", 5),
    r(
        "Microsoft Teams webhook URL",
        &["webhook.office.com"],
        r"webhook\.office\.com/webhookb2/[A-Za-z0-9\-]+@[A-Za-z0-9\-]+/IncomingWebhook/[A-Za-z0-9]+/[A-Za-z0-9\-]+",
        0,
    ),
    r("Mapbox secret token", &["sk.eyj"], r"sk\.eyJ[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,}", 3),
    r(
        "Okta API token",
        &["okta"],
        r#"(?i)okta[a-z0-9_.\-]{0,20}["']?\s*(?::=|=>|[:=])\s*["']?(?P<s>00[A-Za-z0-9_\-]{40})"#,
        0,
    ),
    r(
        "IBM Cloud API key",
        &["ibm"],
        r#"(?i)ibm[a-z0-9_.\-]{0,20}["']?\s*(?::=|=>|[:=])\s*["']?(?P<s>[A-Za-z0-9_\-]{44})\b"#,
        0,
    ),
    r("JSON Web Token", &["eyj"], r"eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}", 3),
    r("HTTP basic credentials", &["basic"], r"(?i)\bauthorization:?\s*basic\s+(?P<s>[A-Za-z0-9+/]{12,}={0,2})", 0),
    g("bearer token", &["bearer"], r"(?i)\bbearer\s+(?P<s>[A-Za-z0-9_\-.~+/]{16,}=*)", 3.0),
    g(
        "secret in an assignment",
        &["pass", "pwd", "secret", "token", "key", "credential", "auth"],
        r#"(?i)(?:^|[^a-z0-9])[a-z0-9_.\-]*?(?:passw(?:or)?d|passwd|\bpwd|\bpass|secret|token|api[_.\-]?key|apikey|(?:access|private|account|storage|master|signing|encryption|auth|client|app|service|shared|license)[_.\-]?key|credentials?|auth(?:[a-np-z0-9_.\-]|orization|\b))[a-z0-9_.\-]*["']?[ \t]*(?::=|=>|[:=])[ \t]*(?:"(?P<s>[^"\n]{8,256})"|'(?P<s2>[^'\n]{8,256})'|(?P<s3>[^\s"'`,;&<>]{8,256}))"#,
        3.0,
    ),
    g("high-entropy string", &[], r#"["'](?P<s>[A-Za-z0-9+/_\-]{24,}={0,2})["']"#, 4.5),
];

/// The AWS documentation key pair (any match containing one is not a secret).
const EXAMPLES: &[&str] = &["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"];

struct Compiled {
    /// Each rule's regex, compiled the first time a text holds one of its keywords: most runs
    /// (a hook checking one report, a command's gate) need a few of the 120 patterns, and
    /// compiling them all cost more than the rest of the check (issue 22).
    rules: Vec<OnceLock<Regex>>,
    keywords: AhoCorasick,
    /// Keyword index → the rules that need it.
    keyword_rules: Vec<Vec<usize>>,
    /// The index of [`URL_KEYWORD`] among the keywords.
    url_keyword: usize,
}

impl Compiled {
    /// The regex of rule `i`, compiled on first use.
    fn rule(&self, i: usize) -> &Regex {
        // The patterns are constants covered by tests; they always compile. ASCII word
        // boundaries: a Unicode `\b` makes the regex engine leave its DFA on any non-ASCII
        // text (names, `…`), which costs several times the scan.
        self.rules[i]
            .get_or_init(|| Regex::new(&RULES[i].pattern.replace(r"\b", r"(?-u:\b)")).expect("secret pattern compiles"))
    }
}

/// What every URL with credentials holds.
const URL_KEYWORD: &str = "://";

fn compiled() -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| {
        let mut words: Vec<&str> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (i, rule) in RULES.iter().enumerate() {
            for k in rule.keywords {
                match words.iter().position(|w| w == k) {
                    Some(at) => keyword_rules[at].push(i),
                    None => {
                        words.push(k);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        // A keyword's match also stands for the keywords that are its prefixes ("sk" in "sk-ant-").
        let mut closed = keyword_rules.clone();
        for (i, w) in words.iter().enumerate() {
            for (j, shorter) in words.iter().enumerate() {
                if i != j && w.starts_with(shorter) {
                    let extra = keyword_rules[j].clone();
                    closed[i].extend(extra);
                }
            }
        }
        let keyword_rules = closed;
        // Not a rule's keyword: where `scheme://` URLs are, for `url_credentials`.
        let url_keyword = words.len();
        words.push(URL_KEYWORD);
        // The patterns and keywords are constants covered by tests; they always compile.
        Compiled {
            rules: RULES.iter().map(|_| OnceLock::new()).collect(),
            keywords: AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(&words)
                .expect("secret keywords compile"),
            keyword_rules,
            url_keyword,
        }
    })
}

/// Values accepted as not secret: the SHA-256 (lowercase hex) of each, from `allowed_secrets`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Allowed<'a> {
    pub sha256: &'a [String],
}

impl Allowed<'_> {
    fn accepts(&self, secret: &str) -> bool {
        !self.sha256.is_empty() && {
            let h = sha256_hex(secret.as_bytes());
            self.sha256.iter().any(|a| a.eq_ignore_ascii_case(&h))
        }
    }
}

/// One secret found: the rule's kind, where it is, the value.
struct Hit {
    what: &'static str,
    span: Range<usize>,
    secret: String,
    show: usize,
    /// How the text was decoded before matching (`base64-encoded`), if it was.
    layer: Option<&'static str>,
}

/// Scans a whole file's text (front matter and body, whether or not it parses).
pub fn scan(text: &str, path: &Path) -> Vec<Finding> {
    scan_allowing(text, path, Allowed::default())
}

/// [`scan`], accepting the values `allowed` names and those on a line marked `enigm:allow-secret`.
pub fn scan_allowing(text: &str, path: &Path, allowed: Allowed<'_>) -> Vec<Finding> {
    let mut hits = Vec::new();
    raw_hits(text, 0, None, &mut hits);
    decoded_hits(text, &mut hits);
    let kept = dedup(hits);
    kept.into_iter()
        .filter(|h| !line_allows(text, &h.span) && !allowed.accepts(&h.secret))
        .map(|h| finding(path, h.span.clone(), &h))
        .collect()
}

/// Where the secrets of `text` are and what each is (`AWS access key`), ignoring every
/// `enigm:allow-secret` marker and allow-list: what the importer redacts, since text from
/// outside cannot vouch for itself. Spans are sorted and do not overlap.
pub fn locate(text: &str) -> Vec<(Range<usize>, &'static str)> {
    let mut hits = Vec::new();
    raw_hits(text, 0, None, &mut hits);
    decoded_hits(text, &mut hits);
    let mut spans: Vec<(Range<usize>, &'static str)> = dedup(hits).into_iter().map(|h| (h.span, h.what)).collect();
    spans.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<(Range<usize>, &'static str)> = Vec::new();
    for (span, what) in spans {
        match out.last_mut() {
            Some((last, _)) if span.start < last.end => last.end = last.end.max(span.end),
            _ => out.push((span, what)),
        }
    }
    out
}

/// Every secret of any file (a report, an attachment, an env or YAML file): [`scan`], plus
/// [`scan_values`] on the YAML it holds (a Markdown file's front matter, or a whole `.yaml`
/// file) when that parses. What the corpus test and benchmark measure.
pub fn scan_file(text: &str, path: &Path) -> Vec<Finding> {
    let mut out = scan(text, path);
    let yaml = match crate::format::report::Parts::split(text) {
        Ok(p) => Some((p.front_matter, p.front_matter_offset)),
        Err(_) if path.extension().is_some_and(|e| e == "yaml" || e == "yml") => Some((text, 0)),
        Err(_) => None,
    };
    if let Some((yaml, base)) = yaml {
        let lines_before = text[..base].matches('\n').count();
        if let Ok(tree) = crate::format::yaml::parse_at(yaml, base, lines_before) {
            let values = scan_values(path, text, &tree, &out, Allowed::default());
            out.extend(values);
        }
    }
    out
}

/// Secrets in the decoded string values of the YAML tree that the raw text does not show as
/// written (escapes, `\` line continuations), each located at its value; values that already
/// have a secret finding in `raw` are skipped.
pub fn scan_values(path: &Path, text: &str, tree: &Node, raw: &[Finding], allowed: Allowed<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    // Each value with its key: `db_password: "…"` is a secret by its key's name.
    let mut stack: Vec<(Option<&str>, &Node)> = vec![(None, tree)];
    while let Some((key, node)) = stack.pop() {
        match &node.kind {
            NodeKind::Seq(items) => stack.extend(items.iter().map(|n| (None, n))),
            NodeKind::Map(entries) => stack.extend(entries.iter().map(|(k, v)| (Some(k.name.as_str()), v))),
            NodeKind::Str(value, _) => {
                let written = text.get(node.span.clone()).unwrap_or("");
                let as_written =
                    written == value || written.get(1..written.len().saturating_sub(1)) == Some(value.as_str());
                if value.len() < 8 || as_written || written.contains(value.as_str()) {
                    continue;
                }
                let covered = raw.iter().any(|f| {
                    f.code == Code::Secret
                        && f.span.as_ref().is_some_and(|s| s.start < node.span.end && node.span.start < s.end)
                });
                if covered || line_allows(text, &node.span) {
                    continue;
                }
                let scanned = key.map_or_else(|| value.clone(), |k| format!("{k}: {value}"));
                let mut hits = Vec::new();
                raw_hits(&scanned, 0, Some("written with YAML escapes"), &mut hits);
                decoded_hits(&scanned, &mut hits);
                if let Some(h) = dedup(hits).into_iter().find(|h| !allowed.accepts(&h.secret)) {
                    out.push(finding(path, node.span.clone(), &h));
                }
            }
            _ => {}
        }
    }
    out
}

fn finding(path: &Path, span: Range<usize>, h: &Hit) -> Finding {
    let how = h.layer.map(|l| format!(" ({l})")).unwrap_or_default();
    let message = format!("possible {}{how} in the report: {}", h.what, mask(&h.secret, h.show));
    Finding::error(Code::Secret, path, Some(span), message).with_help(
        "remove it, and rotate the credential if it was ever committed or shared (git history keeps every committed version); \
         describe the secret instead (e.g. \"an admin token\"); \
         if it is not a secret (a payload the report describes), accept this value with `enigm:allow-secret` on its line \
         or its SHA-256 in `allowed_secrets` of enigm.yaml",
    )
}

/// Matches of every rule whose keyword occurs in `text`, plus credentials in URLs; spans are
/// offset by `base` (or, for decoded text, the whole of `base..base+len` is the caller's).
fn raw_hits(text: &str, base: usize, layer: Option<&'static str>, out: &mut Vec<Hit>) {
    let c = compiled();
    // Where each rule runs: rules without keywords on the whole text, the others only on the
    // lines where one of their keywords occurs (every match holds its keyword, and only the
    // base64 PEM rule spans lines: it runs from its keyword's line to the end).
    let mut windows: Vec<(usize, Range<usize>)> =
        RULES.iter().enumerate().filter(|(_, r)| r.keywords.is_empty()).map(|(i, _)| (i, 0..text.len())).collect();
    // Leftmost-longest matches, restarting one byte after each match's start: every keyword
    // occurrence is found, either itself or as a prefix of the longest keyword at its position
    // (`keyword_rules` also holds the rules of a keyword's prefixes).
    let mut urls = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let Some(m) = c.keywords.find(aho_corasick::Input::new(text).range(at..)) else {
            break;
        };
        at = m.start() + 1;
        if m.pattern().as_usize() == c.url_keyword {
            urls.push(m.start());
            continue;
        }
        let line_start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[m.end()..].find('\n').map_or(text.len(), |i| m.end() + i);
        for &i in &c.keyword_rules[m.pattern().as_usize()] {
            let end = if RULES[i].what == "base64-encoded private key" { text.len() } else { line_end };
            match windows.iter_mut().rev().find(|(r, _)| *r == i) {
                Some((_, w)) if w.end >= line_start => w.end = w.end.max(end),
                _ => windows.push((i, line_start..end)),
            }
        }
    }
    windows.sort_by_key(|(i, w)| (*i, w.start));
    for (i, window) in windows {
        let rule = &RULES[i];
        let offset = window.start;
        for caps in c.rule(i).captures_iter(&text[window]) {
            let Some(m) =
                caps.name("s").or_else(|| caps.name("s2")).or_else(|| caps.name("s3")).or_else(|| caps.get(0))
            else {
                continue;
            };
            let mut span = offset + m.start()..offset + m.end();
            let mut secret = &text[span.clone()];
            if rule.what == "private key" {
                (secret, span) = pem_block(text, span);
            }
            let secret = secret.trim_end_matches(['.', ':']);
            if !plausible(rule, secret) || EXAMPLES.iter().any(|e| caps[0].contains(e)) {
                continue;
            }
            span.end = span.start + secret.len();
            out.push(Hit {
                what: rule.what,
                span: base + span.start..base + span.end,
                secret: secret.to_owned(),
                show: rule.show,
                layer,
            });
        }
    }
    url_credentials(text, &urls, base, layer, out);
}

/// A private key header extended to its `-----END …-----` line when there is one; a block whose
/// body is only a placeholder (`...`, `<redacted>`) returns an empty secret.
fn pem_block(text: &str, head: Range<usize>) -> (&str, Range<usize>) {
    let rest = &text[head.end..text.len().min(head.end + 16_384)];
    let Some(end) = rest.find("-----END") else {
        return (&text[head.clone()], head);
    };
    let body = &rest[..end];
    let tail = rest[end + 8..].find("-----").map_or(rest.len(), |i| end + 8 + i + 5);
    let stripped: String = body.chars().filter(|c| !c.is_whitespace() && *c != '\\' && *c != '"').collect();
    if !body.is_empty() && is_placeholder(stripped.trim_start_matches('n')) {
        return ("", head);
    }
    let span = head.start..head.end + tail.min(rest.len());
    (&text[span.clone()], span)
}

/// `scheme://user:password@host` (at each `://` in `urls`): the password, unless it is a placeholder or the user-info is
/// a host-and-port trick (`http://127.0.0.1:80@evil.example/`, `http://trusted.com:443@x`).
fn url_credentials(text: &str, urls: &[usize], base: usize, layer: Option<&'static str>, out: &mut Vec<Hit>) {
    let bytes = text.as_bytes();
    for &at in urls {
        let scheme_ok = at > 0 && bytes[at - 1].is_ascii_alphanumeric();
        if !scheme_ok {
            continue;
        }
        let start = at + 3;
        let len = text[start..]
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>' | '`' | ')' | ']' | '\\')
            })
            .unwrap_or(text.len() - start);
        let authority = &text[start..start + len];
        let Some(userinfo_end) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..userinfo_end];
        let Some(colon) = userinfo.find(':') else {
            continue;
        };
        let (user, password) = (&userinfo[..colon], &userinfo[colon + 1..]);
        if password.is_empty() || is_port(password) || is_placeholder(password) || host_trick(user, password) {
            continue;
        }
        let from = start + colon + 1;
        out.push(Hit {
            what: "password in a URL",
            span: base + from..base + from + password.len(),
            secret: password.to_owned(),
            show: 0,
            layer,
        });
    }
}

fn is_port(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit())
}

/// User-info that names a host (an IP address, `localhost`, a dotted domain) before a port- or
/// host-like "password": an SSRF or phishing payload, not a credential.
fn host_trick(user: &str, password: &str) -> bool {
    let hostlike = |s: &str| {
        let s = s.trim_start_matches('[').trim_end_matches(']');
        s.eq_ignore_ascii_case("localhost")
            || (s.contains('.') && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')))
            || (s.contains(':') && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'))
            || s.bytes().all(|b| b.is_ascii_digit())
    };
    let port_or_host = |s: &str| is_port(s) || hostlike(s) || s.split(':').all(|p| is_port(p) || hostlike(p));
    !user.is_empty() && hostlike(user) && port_or_host(password)
}

/// Base64 runs and URL-encoded words, decoded once and scanned as text; a hit covers the whole
/// encoded run.
fn decoded_hits(text: &str, out: &mut Vec<Hit>) {
    let bytes = text.as_bytes();
    static B64: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            t[b] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_' | b'=');
            b += 1;
        }
        t
    };
    let is_b64 = |b: u8| B64[usize::from(b)];
    let mut i = 0;
    while i < bytes.len() {
        if !is_b64(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_b64(bytes[i]) {
            i += 1;
        }
        if i - start >= 16 {
            let run = &text[start..i];
            if let Some(decoded) = base64_text(run) {
                let mut inner = Vec::new();
                raw_hits(&decoded, 0, Some("base64-encoded"), &mut inner);
                for h in inner {
                    out.push(Hit { span: start..i, ..h });
                }
            }
        }
    }
    if !text.contains('%') {
        return;
    }
    let mut offset = 0;
    for word in text.split_inclusive(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`')) {
        let w = word.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'));
        if let Some(decoded) = percent_decode(w) {
            let mut inner = Vec::new();
            raw_hits(&decoded, 0, Some("URL-encoded"), &mut inner);
            decoded_base64_of(&decoded, &mut inner);
            for h in inner {
                out.push(Hit { span: offset..offset + w.len(), ..h });
            }
        }
        offset += word.len();
    }
}

/// Base64 runs inside already URL-decoded text (`%2B`-escaped base64): one more decode only.
fn decoded_base64_of(text: &str, out: &mut Vec<Hit>) {
    for run in text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_' | '='))) {
        if run.len() >= 16
            && let Some(decoded) = base64_text(run)
        {
            raw_hits(&decoded, 0, Some("URL-encoded base64"), out);
        }
    }
}

/// The text a base64 (standard or URL-safe) run decodes to, when it is mostly printable.
fn base64_text(run: &str) -> Option<String> {
    let run = run.trim_end_matches('=');
    let std = run.contains(['+', '/']);
    let url = run.contains(['-', '_']);
    if (std && url) || run.contains('=') {
        return None;
    }
    let mut out = Vec::with_capacity(run.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for b in run.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            _ => 63,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
        // Give up early on binary data (hashes, random ids).
        if out.len() == 12 && out.iter().filter(|b| !printable(**b)).count() > 1 {
            return None;
        }
    }
    let bad = out.iter().filter(|b| !printable(**b)).count();
    if out.len() < 12 || bad * 20 > out.len() {
        return None;
    }
    String::from_utf8(out).ok()
}

fn printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || matches!(b, b'\n' | b'\r' | b'\t')
}

/// A word with at least one `%XX` escape, decoded (when the result is UTF-8 and differs).
fn percent_decode(word: &str) -> Option<String> {
    let b = word.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut changed = false;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            changed = true;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    if changed { String::from_utf8(out).ok() } else { None }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Keeps the first hit (most specific rule, raw before decoded) of any overlapping ones.
fn dedup(hits: Vec<Hit>) -> Vec<Hit> {
    let mut kept: Vec<Hit> = Vec::new();
    for h in hits {
        if !kept.iter().any(|k| k.span.start < h.span.end && h.span.start < k.span.end) {
            kept.push(h);
        }
    }
    kept.sort_by_key(|h| h.span.start);
    kept
}

/// Whether a line the span touches carries the `enigm:allow-secret` marker.
fn line_allows(text: &str, span: &Range<usize>) -> bool {
    let start = text[..span.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end.min(text.len())..].find('\n').map_or(text.len(), |i| span.end + i);
    text[start..end].contains(ALLOW_MARKER)
}

/// Whether a matched value is worth reporting for its rule.
fn plausible(rule: &Rule, secret: &str) -> bool {
    if secret.is_empty() || is_placeholder(secret) {
        return false;
    }
    if rule.entropy > 0.0 && entropy(secret) < rule.entropy {
        return false;
    }
    !rule.generic || random_looking(secret, rule.what == "high-entropy string")
}

/// A generic value that looks random: not a word, path, URL, number, variable reference or
/// identifier.
fn random_looking(s: &str, strict: bool) -> bool {
    let first = s.as_bytes()[0];
    if matches!(first, b'$' | b'%' | b'/' | b'.' | b'~' | b'@' | b'#' | b'!' | b'*' | b'-' | b'=')
        || s.contains("://")
        || s.contains("::")
        || s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b':')
    {
        return false;
    }
    let lower = s.bytes().any(|b| b.is_ascii_lowercase());
    let upper = s.bytes().any(|b| b.is_ascii_uppercase());
    let digit = s.bytes().any(|b| b.is_ascii_digit());
    let symbol = s.bytes().any(|b| !b.is_ascii_alphanumeric());
    if strict {
        // Subresource-integrity and digest values are hashes, not secrets.
        let digest = ["sha256-", "sha384-", "sha512-"].iter().any(|p| s.starts_with(p));
        return lower && upper && digit && !digest;
    }
    // `snake_case`, `kebab-case`, `dotted.name`, `CONSTANT_NAME`, `CamelCase`: identifiers.
    let kinds = usize::from(lower) + usize::from(upper) + usize::from(digit);
    // Without a digit: words, and code such as `process.env.DB_PASSWORD` or `getpass()`.
    let code_like =
        s.bytes().all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-' | b'(' | b')' | b'[' | b']'));
    if !digit && (!(lower && upper && symbol) || code_like) {
        return false;
    }
    // Dates and versions: `2026-01-05`, `v1.2.3`.
    if kinds == 1 || (digit && !upper && s.bytes().filter(|b| b.is_ascii_lowercase()).count() <= 1) {
        return false;
    }
    true
}

/// Obvious placeholders: `***`, `xxxx`, `<password>`, `${TOKEN}`, `your-token-here`,
/// `REDACTED`, documentation `EXAMPLE` keys, or a value of few distinct characters.
fn is_placeholder(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "example",
        "placeholder",
        "your",
        "xxxx",
        "redacted",
        "changeme",
        "change_me",
        "change-me",
        "dummy",
        "sample",
        "replace",
        "insert",
        "****",
        "...",
        "…",
        "${",
        "{{",
        "<",
        "notreal",
        "not_real",
        "not-real",
        "here",
        "secret_value",
        "masked",
        "hidden",
        "removed",
    ];
    if WORDS.iter().any(|w| lower.contains(w))
        || s.starts_with('{')
        || s.starts_with('$')
        || matches!(
            lower.as_str(),
            "password" | "pass" | "passwd" | "secret" | "token" | "changeme" | "none" | "null" | "true" | "false"
        )
    {
        return true;
    }
    let mut distinct: Vec<char> = s.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() <= 3 || (s.chars().count() >= 12 && distinct.len() <= 5)
}

/// Shannon entropy in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum()
}

/// Shows at most the public type prefix (`show` characters) and the length, never the secret.
pub fn mask(secret: &str, show: usize) -> String {
    let head: String = secret.chars().take(show).collect();
    format!("{head}… ({} characters, masked)", secret.chars().count())
}

#[cfg(test)]
mod tests {
    use super::{Allowed, mask, sha256_hex};
    use crate::rules::checks::test_support::{PUBLISHED, findings};

    fn secret_findings(body: &str) -> Vec<crate::format::finding::Finding> {
        let text = PUBLISHED.replace("observe where it is written.", body);
        assert!(findings(&text).iter().all(|f| f.code != "secret"), "validate scans secrets, not check_report");
        super::scan(&text, std::path::Path::new("r.md"))
    }

    /// Rules are compiled on first use: every pattern must still compile (a typo would
    /// otherwise surface only on a text holding its keyword).
    #[test]
    fn every_rule_compiles() {
        let c = super::compiled();
        for i in 0..super::RULES.len() {
            assert!(c.rule(i).captures_len() >= 1, "{}", super::RULES[i].what);
        }
    }

    #[test]
    fn finds_and_masks_each_kind() {
        let samples = [
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpQIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2Lx\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "key AKIAZ7VRSQ5TJ3XKQ4ME here",
            "aws_secret_access_key = Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy",
            "token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ7Q4w2k9R3m5T",
            "glpat-Xq3b9Lk2Pw7Rt5Zm8Nc1",
            "xoxb-493817260512-Qw8Ej2Rt5Yz7",
            "AIzaSyA7Kp2Qm9Xr4Lb8Nz1Wc5Vt3Hj6Gf0Ds2E",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "https://admin:hunter2secret@db.internal.example/x",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "redis://:Tq8vLx2mPz@cache.internal:6379/0",
            "DB_PASSWORD=S3cur3-Pa55word!",
            "auth: Qw8Ej2Rt5Yz7Lm",
            "x-authorization: Qw8Ej2Rt5Yz7Lm",
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
            "http://127.0.0.1:80@evil.example/",
            "http://trusted.example.com:443@evil.example/",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "password: your-password-here",
            "token = ${GITHUB_TOKEN}",
            "api_key: REDACTED",
            "password=changeme",
            "secret_name: my-app-credentials",
            // An author is no credential (OpenVEX documents have one).
            "\"author\": \"Acme Corp\"",
            "authored_by: Jane Doe",
        ] {
            assert!(secret_findings(s).is_empty(), "{s}: {:?}", secret_findings(s));
        }
    }

    #[test]
    fn decodes_base64_and_url_encoding_once() {
        let token = "ghp_R7kQ2mX9vLp4Tz8Wc1Nb6Hj3Fd5Sg0Ay2Ue7";
        let b64 = "Z2hwX1I3a1EybVg5dkxwNFR6OFdjMU5iNkhqM0ZkNVNnMEF5MlVlNw==";
        assert_eq!(secret_findings(&format!("header {b64} end")).len(), 1);
        let url = format!("https://x.example/?t={}", token.replace('_', "%5F"));
        assert_eq!(secret_findings(&url).len(), 1, "{url}");
        assert!(secret_findings(&format!("a{token}")).len() == 1, "a key directly after a letter");
    }

    #[test]
    fn allow_comment_and_allowlist_accept_one_value() {
        let s = "https://admin:Pl4inT3xtPw@10.0.0.5/";
        assert_eq!(secret_findings(s).len(), 1);
        assert!(secret_findings(&format!("{s} <!-- enigm:allow-secret -->")).is_empty());
        let text = PUBLISHED.replace("observe where it is written.", s);
        let hashes = [sha256_hex(b"Pl4inT3xtPw")];
        assert!(super::scan_allowing(&text, "r.md".as_ref(), Allowed { sha256: &hashes }).is_empty());
        let other = [sha256_hex(b"other")];
        assert_eq!(super::scan_allowing(&text, "r.md".as_ref(), Allowed { sha256: &other }).len(), 1);
    }

    #[test]
    fn mask_shows_only_a_prefix() {
        assert_eq!(mask("hunter2secret", 0), "… (13 characters, masked)");
        assert_eq!(mask("ghp_abc", 4), "ghp_… (7 characters, masked)");
    }
}
