//! `gen-corpus`: generates a large, valid disclosure repository for benchmarks and load tests.
//!
//! Measuring `validate`, scans and history walks needs repositories with thousands of realistic
//! reports and a long history; filing them through the CLI would take hours. This writes their
//! objects straight into git packs (`gen_corpus/pack.rs`), deterministic from `--seed`: every
//! report valid (legal lifecycle, CVSS level matching the vector, dates in order), one commit
//! per state change in the tool's own message format.
//!
//! ```text
//! cargo run --release --example gen-corpus -- N DIR [--commits M] [--seed S] [--prefix ENIGM] [--sharded]
//! ```
//!
//! History, in date order: each report is created (`received`) in its own commit, then advanced
//! one state per commit, so `verify` accepts every commit (a test checks it). A smaller
//! `--commits` imports the oldest reports in their final state in a first commit (`--commits 1`,
//! the default, imports everything); a larger one adds `triaged → needs-info → triaged` round
//! trips. `--sharded` files reports as `reports/<YEAR>/<ID>.md` and writes `layout: sharded`
//! into `enigm.yaml`. Every commit rewrites the tree that holds the report it changed (the flat
//! `reports/`, or one year's shard), so the work grows with M × the size of that tree: each
//! version is hashed and stored as a delta of the previous one (common prefix and suffix; no
//! delta search), in parallel ranges of commits, one pack per range.

use std::collections::BTreeSet;
use std::error::Error;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;
use std::{env, fs};

use chrono::{Duration, NaiveDate};
use data::*;
use enigm_disclose::format::config::ConfigSeed;
use enigm_disclose::format::id::{ReportId, valid_prefix};
use enigm_disclose::format::report::{Level, Resolution, State, State::*};
use enigm_disclose::format::yamlout::scalar;
use enigm_disclose::layout::{Layout, shard};
use git2::{Oid, Repository, RepositoryInitOptions};
use pack::{Kind, Pack, Placed};
use rayon::prelude::*;

#[path = "gen_corpus/pack.rs"]
mod pack;

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

#[rustfmt::skip]
mod data {
    pub const PRODUCTS: [(&str, &[&str]); 8] = [
        ("atlas-gateway", &["api", "auth", "routing", "rate-limiter"]),
        ("nimbus-storage", &["object-api", "replication", "admin-console"]),
        ("orbit-web", &["search", "checkout", "profile", "admin-ui"]),
        ("pulse-agent", &["collector", "updater", "plugin-host"]),
        ("harbor-registry", &["push-api", "webhooks", "token-service"]),
        ("ledger-core", &["payments", "export", "reporting"]),
        ("beacon-mobile", &["ios-app", "android-app", "sync"]),
        ("quill-cms", &["editor", "media-upload", "comments"]),
    ];
    pub const VECTORS: [&str; 12] = [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N",
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", "CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:N",
    ];
    /// Title, CWE, two fitting vectors, the flaw (`{c}`: component), its impact, a reproduction step.
    pub type Kind = (&'static str, &'static str, [usize; 2], &'static str, &'static str, &'static str);
    pub const KINDS: [Kind; 16] = [
        ("SQL injection", "CWE-89", [0, 1], "the `{c}` handler concatenates the `sort` and `filter` parameters into a SQL statement instead of binding them", "An attacker can read or modify arbitrary database rows, including password hashes and API tokens.", "Send a request whose `filter` parameter ends in `' OR 1=1 --` and observe that every record is returned."),
        ("Stored cross-site scripting", "CWE-79", [3, 2], "markup saved through `{c}` is rendered back without output encoding", "An attacker with a regular account can run JavaScript in the browser of anyone who views the page, administrators included.", "Save the value `<img src=x onerror=alert(document.domain)>` and open the page as a second user."),
        ("Reflected cross-site scripting", "CWE-79", [2, 3], "the `{c}` error page echoes the `q` query parameter into HTML without escaping", "A crafted link runs script in the victim's session and can act on their behalf.", "Open `/{c}?q=<script>alert(1)</script>` in a logged-in browser."),
        ("Server-side request forgery", "CWE-918", [6, 4], "`{c}` fetches URLs supplied in preview requests without restricting the destination", "An attacker can reach internal services and the cloud metadata endpoint, which hands out temporary credentials.", "Submit `http://169.254.169.254/latest/meta-data/` as the preview URL."),
        ("Path traversal", "CWE-22", [4, 1], "file names passed to `{c}` are joined to the storage root without normalisation", "An attacker can read files outside the storage directory, such as configuration files holding secrets.", "Request the file `../../../../etc/passwd` through the download endpoint."),
        ("Missing authorization", "CWE-862", [10, 1], "`{c}` checks that the caller is logged in but not that they own the requested object", "Any authenticated user can read and modify objects of other tenants by changing a numeric identifier.", "Log in as user A and replay a request for one of A's objects with an identifier belonging to user B."),
        ("Cross-site request forgery", "CWE-352", [7, 10], "state-changing requests to `{c}` are accepted without an anti-CSRF token or an Origin check", "A malicious page can change account settings, including the recovery address, when a logged-in user visits it.", "Host a page that auto-submits a form to the settings endpoint and visit it while logged in."),
        ("Open redirect", "CWE-601", [2, 10], "the `next` parameter accepted by `{c}` is used as a redirect target without validation", "Attackers can build convincing phishing links that pass through a trusted domain.", "Visit `/login?next=https://attacker.example` and complete the login."),
        ("XML external entity injection", "CWE-611", [4, 8], "the XML parser behind `{c}` resolves external entities and DTDs", "Anyone who can upload an XML document can read local files and make outbound requests from the server.", "Upload a document declaring an external entity for `file:///etc/hostname` and reference it in a field."),
        ("Deserialization of untrusted data", "CWE-502", [0, 1], "`{c}` deserializes client-supplied session objects with a polymorphic type resolver", "A crafted payload leads to remote code execution as the service user.", "Replace the session cookie with a serialized gadget chain built with a public tool."),
        ("OS command injection", "CWE-78", [1, 0], "`{c}` passes a user-controlled host name to a shell command", "An attacker can run arbitrary commands on the host with the privileges of the service.", "Set the host name to `example.com;id` and run the connectivity check."),
        ("Authentication bypass", "CWE-287", [0, 4], "`{c}` accepts JSON Web Tokens signed with the `none` algorithm", "An attacker can impersonate any user, administrators included, without credentials.", "Take a valid token, set its algorithm to `none`, change the `sub` claim and drop the signature."),
        ("Denial of service via unbounded request body", "CWE-400", [5, 8], "`{c}` buffers request bodies in memory without a size limit", "A single unauthenticated client can exhaust memory and take the service down for everyone.", "Send a 4 GiB chunked request body to the upload endpoint."),
        ("Session tokens written to logs", "CWE-532", [10, 11], "`{c}` logs full request headers at info level, bearer tokens included", "Anyone with read access to the log pipeline can reuse live session tokens.", "Keep the default logging configuration, log in, and search the logs for `Authorization:`."),
        ("Race condition in quota accounting", "CWE-362", [8, 10], "`{c}` reads and updates usage counters in separate transactions without locking", "Concurrent requests can exceed quotas and spend the same credit twice.", "Send twenty identical requests in parallel and compare the recorded usage."),
        ("Heap buffer overflow", "CWE-122", [9, 0], "`{c}` trusts the length field of incoming frames when copying into a fixed-size buffer", "A malformed frame crashes the process and may allow code execution.", "Send a frame whose declared length exceeds 65535 bytes."),
    ];
    pub const FIRST: [&str; 16] = ["Priya", "Jonas", "Mei", "Tomás", "Aisha", "Lukas", "Sofia", "Kwame", "Hana", "Mateo", "Olga", "Ravi", "Chloé", "Ethan", "Yuki", "Nadia"];
    pub const LAST: [&str; 16] = ["Raman", "Becker", "Chen", "García", "Okafor", "Novak", "Rossi", "Mensah", "Sato", "Silva", "Ivanova", "Kumar", "Dubois", "Walker", "Tanaka", "Haddad"];
    pub const DOMAINS: [&str; 5] = ["proton.me", "gmail.com", "fastmail.com", "bugbounty.io", "posteo.de"];
    pub const ORGS: [&str; 5] = ["Raman Labs", "NCC Group", "Cure53", "Doyensec", "independent"];
    pub const STAFF: [&str; 6] = ["Sam Okonkwo", "Lena Fischer", "Arjun Mehta", "Grace Liu", "Mikko Virtanen", "Dana Cohen"];
    /// Cumulative weights of the final states, in `State` order (published ~40%).
    pub const SHARES: [usize; 9] = [5, 9, 15, 22, 30, 38, 78, 95, 100];
    /// Days to reach each state, as (min, max), in `State` order.
    pub const GAPS: [(i64, i64); 9] = [(0, 0), (1, 6), (1, 10), (2, 20), (1, 14), (7, 60), (1, 30), (2, 20), (10, 120)];
    pub const LEGAL: &str = "received>triaged received>needs-info received>rejected needs-info>triaged needs-info>rejected \
        triaged>confirmed triaged>needs-info triaged>rejected confirmed>remediating confirmed>rejected remediating>fixed \
        fixed>published published>withdrawn rejected>triaged";
    /// A timeline note per state, in `State` order.
    pub const NOTES: [&str; 9] = [
        "Acknowledged to the reporter.", "Asked for the exact version and a proof of concept.",
        "Reproduction steps look plausible; assigned for analysis.", "Reproduced on the latest release.",
        "Fix in progress, backports planned for supported branches.", "Fix merged and released.",
        "Advisory published, reporter notified.", "Closed; reasoning sent to the reporter.",
        "Further analysis showed the default configuration is not exploitable.",
    ];
}

/// xorshift64*, seeded through splitmix64 per (seed, stream): tiny and deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut z = seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng(z ^ (z >> 31) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// One report's whole lifecycle; version `j` is its file after `j` transitions.
struct Rep {
    id: String,
    title: String,
    states: Vec<State>,
    dates: Vec<NaiveDate>,
    kind: usize,
    vector: usize,
    /// Product, component and last vulnerable version.
    products: Vec<(usize, usize, [u32; 3])>,
    /// Name, contact, credit.
    reporter: [String; 3],
    duplicate_of: Option<String>,
    /// Seeds the details every version shares (assignee, CVE id, embargo…).
    seed: u64,
    /// The versions that are committed; the last is the final file.
    versions: Vec<usize>,
}

fn limit() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date")
}

/// A final state and a legal path to it from `received`.
fn lifecycle(g: &mut Rng) -> Vec<State> {
    let x = g.below(100);
    let last = State::ALL[SHARES.iter().position(|&c| x < c).unwrap_or(6)];
    let triage: &[State] = if g.chance(20) { &[NeedsInfo, Triaged] } else { &[Triaged] };
    let later = [Confirmed, Remediating, Fixed, Published, Withdrawn].into_iter().filter(|s| *s <= last);
    let mut p = vec![Received];
    match (last, g.below(4)) {
        (Received, _) => {}
        (NeedsInfo, _) => p.extend(&[Triaged, NeedsInfo][2 - triage.len()..]),
        (Rejected, 0) => p.extend(&triage[..triage.len() - 1]),
        (Rejected, 1) => p.extend(triage),
        (Rejected, 2) => p.extend(triage.iter().chain(&[Confirmed])),
        (Rejected, _) => p.extend([Rejected, Triaged]),
        _ => p.extend(triage.iter().copied().chain(later)),
    }
    p.extend((last == Rejected).then_some(Rejected));
    p
}

/// Timeline dates from `reported`, squeezed to end by the date limit.
fn timeline_dates(reported: NaiveDate, states: &[State], g: &mut Rng) -> Vec<NaiveDate> {
    let gaps: Vec<i64> = states[1..].iter().map(|s| g.range(GAPS[*s as usize].0, GAPS[*s as usize].1)).collect();
    let (total, steps, avail) = (gaps.iter().sum::<i64>(), gaps.len() as i64, (limit() - reported).num_days());
    let mut dates = vec![reported];
    for (i, &gap) in gaps.iter().enumerate() {
        let gap = match () {
            _ if total <= avail => gap,
            _ if avail >= steps => 1 + (gap - 1) * (avail - steps) / (total - steps).max(1),
            _ => i64::from((i as i64) < avail),
        };
        dates.push(dates[i] + Duration::days(gap));
    }
    dates
}

/// The file text of version `j` of `r`, laid out as `enigm-disclose new` writes it.
fn render(r: &Rep, j: usize, levels: &[Level]) -> String {
    let s = r.states[j];
    let [confirmed, fixed, public] = [Confirmed, Fixed, Published].map(|x| s >= x && s != Rejected);
    let (kind, (p, c, [major, minor, patch])) = (&KINDS[r.kind], r.products[0]);
    let (product, component, name) = (PRODUCTS[p].0, PRODUCTS[p].1[c], &r.reporter[0]);
    let mut g = Rng::new(r.seed, 0);
    let (assignee, mitigation, cve, days) = (STAFF[g.below(STAFF.len())], g.chance(30), g.chance(50), g.range(45, 120));
    let embargo = g.chance(30).then(|| (r.dates[0] + Duration::days(days)).min(limit()));
    let resolution = match Resolution::ALL[g.below(Resolution::ALL.len())] {
        Resolution::Duplicate if r.duplicate_of.is_none() => Resolution::NotAVulnerability,
        other => other,
    };
    let fix_commit = format!("{:016x}{:016x}{:08x}", g.next(), g.next(), g.next() as u32);
    let (number, year) =
        r.id.rsplit_once('-').and_then(|(rest, n)| Some((n, rest.rsplit_once('-')?.1))).unwrap_or_default();
    let mut o = format!("---\nid: {}\ntitle: {}\nstate: {s}\nreported: {}\n", r.id, scalar(&r.title), r.dates[0]);
    let [name_q, contact, credit] = r.reporter.each_ref().map(|v| scalar(v));
    o += &format!("reporter:\n  name: {name_q}\n  contact: {contact}\n  credit: {credit}\nproducts:\n");
    for &(p, c, [major, minor, patch]) in &r.products {
        let fix = format!("{major}.{minor}.{}", patch + 1);
        o += &format!("  - name: {}\n    component: {}\n", PRODUCTS[p].0, PRODUCTS[p].1[c]);
        o.extend(confirmed.then(|| format!("    affected: {}\n", scalar(&format!("< {fix}")))));
        // A product identification helper, as a vendor gives it (CSAF recommended test 6.2.16).
        o += &format!("    cpe: 'cpe:2.3:a:example_corp:{}:*:*:*:*:*:*:*:*'\n", PRODUCTS[p].0);
        o.extend(fixed.then(|| format!("    fixed: \"{fix}\"\n")));
    }
    o.extend(
        (s != Received).then(|| format!("severity:\n  cvss: {}\n  level: {}\n", VECTORS[r.vector], levels[r.vector])),
    );
    o += &format!("cwe: [{}]\n", kind.1);
    o.extend(embargo.filter(|_| (Triaged..=Fixed).contains(&s)).map(|d| format!("embargo_until: {d}\n")));
    o += &format!("aliases: [{}]\n", if cve && public { format!("CVE-{year}-1{number}") } else { String::new() });
    o += if fixed { "references:\n" } else { "references: []\n" };
    o.extend(
        fixed.then(|| format!("  - type: fix\n    url: https://git.example.com/{product}/commit/{}\n", fix_commit)),
    );
    o.extend(
        public.then(|| format!("  - type: advisory\n    url: https://security.example.com/advisories/{}\n", r.id)),
    );
    o.extend((s != Received).then(|| format!("assignee: {assignee}\n")));
    if mitigation && s >= Remediating && s != Rejected {
        o += &format!("mitigation: Block requests to the {component} endpoint at the reverse proxy until upgraded.\n");
    }
    if s == Rejected {
        o += &format!("resolution: {resolution}\n");
        let duplicate = r.duplicate_of.as_ref().filter(|_| resolution == Resolution::Duplicate);
        o.extend(duplicate.map(|id| format!("duplicate_of: {id}\n")));
    }
    let published = (0..=j).rev().find(|&i| r.states[i] == Published).map(|i| r.dates[i]);
    o.extend(published.filter(|_| public).map(|d| format!("published: {d}\n")));
    o.extend((s == Withdrawn).then(|| format!("withdrawn: {}\n", r.dates[j])));
    o += "timeline:\n";
    for i in 0..=j {
        let h = Rng::new(r.seed, i as u64).next() as usize;
        let by = if i == 0 { STAFF[h % STAFF.len()] } else { assignee };
        o += &format!("  - date: {}\n    state: {}\n    by: {by}\n", r.dates[i], r.states[i]);
        o.extend((!h.is_multiple_of(3)).then(|| format!("    note: {}\n", scalar(NOTES[r.states[i] as usize]))));
    }
    let (title, cwe, flaw, impact) = (kind.0.to_lowercase(), kind.1, kind.3.replace("{c}", component), kind.4);
    let (step, reported) = (kind.5.replace("{c}", component), r.dates[0]);
    let version = format!("{product} {major}.{minor}.{patch}");
    o += &format!(
        "---\n\n## Summary\n\nIn {version} and earlier, {flaw}. The weakness ({title}, {cwe}) is reachable \
         through the `{component}` component of a default installation.\n\n## Impact\n\n{impact} No exploitation \
         in the wild is known; the CVSS vector reflects a default deployment.\n\n## Reproduction\n\n1. Deploy \
         {version} with the default configuration.\n2. {step}\n3. Observe the behaviour described under Impact.\
         \n\n## Context\n\nReported by {name} on {reported} through the security contact. Tested against \
         {version} on Linux; the reporter's proof of concept is kept in the private tracker.\n"
    );
    if fixed {
        o += &format!(
            "\n## Remediation\n\nUpgrade {product} to {major}.{minor}.{} or later. The fix validates input at the \
             boundary of `{component}` and adds regression tests for the reported payload.\n",
            patch + 1
        );
    }
    if s == Withdrawn {
        o += "\nThis advisory was withdrawn: further analysis showed the default configuration is not exploitable.\n";
    }
    o
}

struct Args {
    n: usize,
    dir: PathBuf,
    commits: usize,
    seed: u64,
    prefix: String,
    sharded: bool,
}

fn args() -> Res<Args> {
    let usage = "usage: gen-corpus N DIR [--commits M] [--seed S] [--prefix ENIGM] [--sharded]";
    let (mut pos, mut commits, mut seed, mut prefix, mut sharded) = (Vec::new(), 1, 1, "ENIGM".to_owned(), false);
    let mut it = env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value\n{usage}"));
        match arg.as_str() {
            "--commits" => commits = value()?.parse()?,
            "--seed" => seed = value()?.parse()?,
            "--prefix" => prefix = value()?,
            "--sharded" => sharded = true,
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}\n{usage}").into()),
            _ => pos.push(arg),
        }
    }
    let [n, dir] = <[String; 2]>::try_from(pos).map_err(|_| usage)?;
    let n: usize = n.parse()?;
    if n == 0 || commits == 0 || !valid_prefix(&prefix) {
        return Err(format!("N and M must be at least 1 and the prefix valid (e.g. ENIGM)\n{usage}").into());
    }
    Ok(Args { n, dir: PathBuf::from(dir), commits, seed, prefix, sharded })
}

/// Every report's lifecycle and content; timeline dates past `reported` come later.
fn plan(a: &Args) -> Vec<Rep> {
    // Ids: years 2022..=2026 in equal shares, numbered in `reported` order within a year.
    let mut ids = Vec::with_capacity(a.n);
    for y in 0..5 {
        let count = (y + 1) * a.n / 5 - y * a.n / 5;
        let mut g = Rng::new(a.seed, 1 << 40 | y as u64);
        let mut days: Vec<i64> = (0..count).map(|_| g.range(0, if y == 4 { 180 } else { 364 })).collect();
        days.sort_unstable();
        let jan1 = NaiveDate::from_ymd_opt(2022 + y as i32, 1, 1).expect("valid date");
        for (i, day) in days.into_iter().enumerate() {
            ids.push((ReportId::new(&a.prefix, 2022 + y as i32, i as u32 + 1).to_string(), jan1 + Duration::days(day)));
        }
    }
    let ascii = |s: &str| s.to_lowercase().replace('á', "a").replace('é', "e").replace('í', "i");
    let mut reps = Vec::with_capacity(a.n);
    for (r, (id, reported)) in ids.iter().enumerate() {
        let mut g = Rng::new(a.seed, r as u64);
        let (states, kind, first_product) = (lifecycle(&mut g), g.below(KINDS.len()), g.below(PRODUCTS.len()));
        let vector = if g.chance(20) { g.below(VECTORS.len()) } else { KINDS[kind].2[g.below(2)] };
        let products: Vec<_> = (0..1 + usize::from(g.chance(20)))
            .map(|i| (first_product + 3 * i) % PRODUCTS.len())
            .map(|p| (p, g.below(PRODUCTS[p].1.len()), [1 + g.below(4), g.below(13), g.below(10)].map(|v| v as u32)))
            .collect();
        let (product, component) = (PRODUCTS[first_product].0, PRODUCTS[first_product].1[products[0].1]);
        let title = match g.below(2) {
            0 => format!("{} in {product} {component}", KINDS[kind].0),
            _ => format!("{} in the {component} component of {product}", KINDS[kind].0),
        };
        let (first, last) = (FIRST[g.below(FIRST.len())], LAST[g.below(LAST.len())]);
        let name = format!("{first} {last}");
        let contact = format!("{}.{}@{}", ascii(first), ascii(last), DOMAINS[g.below(DOMAINS.len())]);
        let credit = match g.below(5) {
            0 => "anonymous".to_owned(),
            1 => format!("{name} ({})", ORGS[g.below(ORGS.len())]),
            _ => name.clone(),
        };
        let duplicate_of = (r > 0).then(|| ids[r - 1 - g.below(r.min(300))].0.clone());
        let (id, dates, reporter, seed) = (id.clone(), vec![*reported], [name, contact, credit], g.next());
        reps.push(Rep {
            id,
            title,
            states,
            dates,
            kind,
            vector,
            products,
            reporter,
            duplicate_of,
            seed,
            versions: vec![],
        });
    }
    reps
}

/// Fits the history to `m` commits where the reports allow, as the tool would make it: every
/// state change is its own commit, so the oldest reports are imported whole (in their final
/// state, after a commit of the bare layout unless `m` is 1) until the others' full lifecycles
/// fit, and spare commits become `triaged → needs-info → triaged` round trips. Sets every
/// report's committed versions and returns how many reports are imported.
fn fit_history(reps: &mut [Rep], m: usize) -> usize {
    let (n, k) = (reps.len(), |r: &Rep| r.states.len() - 1);
    let mut fewest = vec![0; n + 1];
    for r in (0..n).rev() {
        fewest[r] = fewest[r + 1] + 1 + k(&reps[r]);
    }
    let first = |s: usize| if m == 1 { 1 } else { 1 + usize::from(s > 0) };
    let imported = (0..=n).find(|&s| first(s) + fewest[s] <= m).unwrap_or(n);
    let most = first(imported) + fewest[imported];
    let mut extra = m.saturating_sub(most);
    if extra % 2 == 1
        && let Some(r) = reps[imported..].iter_mut().find(|r| r.states.get(1) == Some(&Triaged))
    {
        r.states.insert(1, NeedsInfo);
        extra -= 1;
    }
    let loopable: Vec<usize> = (imported..n).filter(|&r| reps[r].states.contains(&Triaged)).collect();
    for (i, &r) in loopable.iter().enumerate() {
        let loops = extra / 2 / loopable.len() + usize::from(i < extra / 2 % loopable.len());
        let at = reps[r].states.iter().position(|s| *s == Triaged).unwrap_or(0) + 1;
        reps[r].states.splice(at..at, [NeedsInfo, Triaged].repeat(loops));
    }
    for rep in &mut reps[..imported] {
        rep.versions = vec![k(rep)];
    }
    for rep in &mut reps[imported..] {
        rep.versions = (0..=k(rep)).collect();
    }
    imported
}

/// What a commit does.
enum What {
    /// Adds the layout and reports `0..n` in their final state.
    Import(usize),
    Create(usize),
    /// Report, version before, version after.
    Advance(usize, usize, usize),
}

/// The commits, with timestamps: the layout, the imported reports, then every change in date order.
fn schedule(reps: &[Rep], imported: usize, init: bool) -> Vec<(i64, What)> {
    let at9 = |d: NaiveDate| d.and_hms_opt(9, 0, 0).map_or(0, |t| t.and_utc().timestamp());
    let mut events = Vec::new();
    for (r, rep) in reps.iter().enumerate().skip(imported) {
        events.push((rep.dates[0], r, 0, What::Create(r)));
        events.extend(rep.versions.windows(2).map(|w| (rep.dates[w[1]], r, w[1], What::Advance(r, w[0], w[1]))));
    }
    events.sort_unstable_by_key(|e| (e.0, e.1, e.2));
    let last = reps[..imported].iter().filter_map(|r| r.dates.last()).max();
    let init = init.then_some((reps[0].dates[0], 0, 0, What::Import(0)));
    let mut commits: Vec<(i64, What)> = Vec::with_capacity(events.len() + 2);
    for (date, _, _, what) in init.into_iter().chain(last.map(|d| (*d, 0, 0, What::Import(imported)))).chain(events) {
        commits.push((commits.last().map_or(at9(date), |c| at9(date).max(c.0 + 60)), what));
    }
    commits
}

fn changes(what: &What, reps: &[Rep]) -> Vec<(usize, usize)> {
    match *what {
        What::Import(n) => (0..n).map(|r| (r, reps[r].states.len() - 1)).collect(),
        What::Create(r) => vec![(r, 0)],
        What::Advance(r, _, b) => vec![(r, b)],
    }
}

fn message(what: &What, reps: &[Rep], seed: u64) -> String {
    match *what {
        What::Import(0) => format!("Initialise disclosure repository\n\nGenerated by gen-corpus (seed {seed}).\n"),
        What::Import(n) => format!("Import {n} reports\n\nGenerated by gen-corpus (seed {seed}).\n"),
        What::Create(r) => {
            let (id, title) = (&reps[r].id, &reps[r].title);
            format!("{id}: received — {title}\n\nDisclosure-Id: {id}\nDisclosure-State: received\n")
        }
        What::Advance(r, a, b) => {
            let (id, from, to) = (&reps[r].id, reps[r].states[a], reps[r].states[b]);
            format!(
                "{id}: {from} → {to}\n\nDisclosure-Id: {id}\nDisclosure-State: {to}\nDisclosure-Previous-State: {from}\n"
            )
        }
    }
}

/// How deep a chain of deltas gets before an object is stored whole. Each version of a tree
/// is stored as a delta of the version before it (oldest first, the order `verify` reads them
/// in); git's default of 50 would store every 51st version of a 20,000-entry shard whole
/// (gigabytes at 200,000 commits), a deeper chain costs a cold read of HEAD's tree more deltas.
const DEPTH: usize = 250;

/// Runs `f` on `parts` ranges of `0..len` in parallel, each writing its own pack.
fn packed<T: Send>(
    parts: usize,
    len: usize,
    pack_dir: &Path,
    f: impl Fn(Range<usize>, &mut Pack) -> Res<Vec<T>> + Sync,
) -> Res<Vec<T>> {
    let parts = parts.clamp(1, len.max(1));
    let run = |part: usize| -> Res<Vec<T>> {
        let name = PACKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut pack = Pack::create(pack_dir, name, DEPTH)?;
        let out = f(part * len / parts..(part + 1) * len / parts, &mut pack)?;
        pack.finish()?;
        Ok(out)
    };
    Ok((0..parts).into_par_iter().map(run).collect::<Res<Vec<_>>>()?.into_iter().flatten().collect())
}

/// Numbers the temporary files of the packs being written.
static PACKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Every committed version of every report as a blob (each a delta of the version before),
/// and each final version into the work tree.
fn write_blobs(reps: &[Rep], levels: &[Level], a: &Args, pack_dir: &Path, parts: usize) -> Res<Vec<Vec<Oid>>> {
    let layout = if a.sharded { Layout::Sharded } else { Layout::Flat };
    packed(parts, reps.len(), pack_dir, |range, pack| {
        let mut out = Vec::with_capacity(range.len());
        for rep in &reps[range] {
            let mut ids = vec![Oid::ZERO_SHA1; rep.states.len()];
            let mut before: Option<(Placed, String)> = None;
            for &v in &rep.versions {
                let text = render(rep, v, levels);
                let placed = pack.put(Kind::Blob, text.as_bytes(), before.as_ref().map(|(p, t)| (p, t.as_bytes())))?;
                ids[v] = placed.id;
                before = Some((placed, text));
            }
            if let Some((_, text)) = before {
                fs::write(a.dir.join(layout.report_path(&rep.id)), text)?;
            }
            out.push(ids);
        }
        Ok(out)
    })
}

/// A tree's bytes: `(mode name, id)` entries, already in git's order.
fn tree_bytes<'a>(buf: &mut Vec<u8>, entries: impl Iterator<Item = (&'a [u8], &'a Oid)>) {
    buf.clear();
    for (head, oid) in entries {
        buf.extend_from_slice(head);
        buf.extend_from_slice(oid.as_bytes());
    }
}

fn main() -> Res<()> {
    let t0 = Instant::now();
    let a = args()?;
    if a.dir.exists() && fs::read_dir(&a.dir)?.next().is_some() {
        return Err(format!("{} exists and is not empty", a.dir.display()).into());
    }
    let levels =
        VECTORS.iter().map(|v| Ok(enigm_disclose::format::cvss::assess(v)?.level)).collect::<Res<Vec<Level>>>()?;
    let mut reps = plan(&a);
    let imported = fit_history(&mut reps, a.commits);
    for (r, rep) in reps.iter_mut().enumerate() {
        rep.dates = timeline_dates(rep.dates[0], &rep.states, &mut Rng::new(a.seed ^ 0xda7e, r as u64));
        let legal = |w: &[State]| LEGAL.split_whitespace().any(|t| t == format!("{}>{}", w[0], w[1]));
        assert!(rep.states.windows(2).all(legal), "illegal lifecycle {:?}", rep.states);
    }
    let (commits, n, parts) = (schedule(&reps, imported, a.commits > 1), reps.len(), rayon::current_num_threads() * 4);

    // The layout, then every committed version of every report as a blob.
    fs::create_dir_all(a.dir.join("reports"))?;
    fs::create_dir_all(a.dir.join("templates"))?;
    let repo = Repository::init_opts(&a.dir, RepositoryInitOptions::new().initial_head("main"))?;
    let (dir, pack_dir) = (repo.workdir().ok_or("bare repository")?.to_owned(), repo.path().join("objects/pack"));
    let products = PRODUCTS.iter().map(|p| p.0.to_owned()).collect();
    let (organization, security_contact) = ("Example Corp".into(), "security@example.com".into());
    let mut config = ConfigSeed { id_prefix: a.prefix.clone(), organization, security_contact, products }.render();
    if a.sharded {
        // The layout key of the sharded layout (`reports/<YEAR>/<ID>.md`).
        config.push_str("layout: sharded\n");
    }
    let group_of = |r: usize| if a.sharded { shard(&reps[r].id).unwrap_or_default().to_owned() } else { String::new() };
    let groups: Vec<String> = (0..n).map(group_of).collect::<BTreeSet<_>>().into_iter().collect();
    for year in &groups {
        fs::create_dir_all(a.dir.join("reports").join(year))?;
    }
    for (path, text) in [("enigm.yaml", config.as_str()), ("reports/.gitkeep", ""), ("templates/.gitkeep", "")] {
        fs::write(dir.join(path), text)?;
    }
    let small = packed(1, 3, &pack_dir, |_, pack| {
        let (config, empty) = (pack.put(Kind::Blob, config.as_bytes(), None)?, pack.put(Kind::Blob, b"", None)?);
        let templates = pack.put(Kind::Tree, &[b"100644 .gitkeep\0", empty.id.as_bytes()].concat(), None)?;
        Ok(vec![config.id, empty.id, templates.id])
    })?;
    let (config_blob, empty, templates) = (small[0], small[1], small[2]);
    let blobs = write_blobs(&reps, &levels, &a, &pack_dir, parts)?;

    // Root trees, in parallel ranges of commits: each replays the changes before its range and
    // rebuilds only the tree (flat `reports/`, or one year shard) that a commit changed, stored
    // as a delta of its previous version.
    let mut heads: Vec<Vec<(Vec<u8>, usize)>> = vec![Vec::new(); groups.len()];
    let group_index: Vec<usize> = (0..n).map(|r| groups.binary_search(&group_of(r)).unwrap_or(0)).collect();
    for r in 0..n {
        heads[group_index[r]].push((format!("100644 {}.md\0", reps[r].id).into_bytes(), r));
    }
    if !a.sharded {
        heads[0].push((b"100644 .gitkeep\0".to_vec(), n));
    }
    heads.iter_mut().for_each(|h| h.sort_unstable());
    let gitkeep = [&b"100644 .gitkeep\0"[..], empty.as_bytes()].concat();
    let trees = packed(parts, commits.len(), &pack_dir, |range, pack| {
        let (mut current, mut out) = (vec![None; n + 1], Vec::with_capacity(range.len()));
        current[n] = Some(empty);
        let mut shard_trees: Vec<Option<(Placed, Vec<u8>)>> = vec![None; groups.len()];
        let mut dirty = vec![true; groups.len()];
        let mut buf = Vec::new();
        for (i, (_, what)) in commits.iter().enumerate().take(range.end) {
            for (r, v) in changes(what, &reps) {
                current[r] = Some(blobs[r][v]);
                dirty[group_index[r]] = true;
            }
            if i < range.start {
                continue;
            }
            for g in 0..groups.len() {
                if !std::mem::take(&mut dirty[g]) {
                    continue;
                }
                let entries = heads[g].iter().filter_map(|(head, r)| Some((&head[..], current[*r].as_ref()?)));
                tree_bytes(&mut buf, entries);
                shard_trees[g] = match (buf.is_empty(), shard_trees[g].take()) {
                    (true, _) => None,
                    (false, before) => {
                        let base = before.as_ref().map(|(p, b)| (p, &b[..]));
                        let placed = pack.put(Kind::Tree, &buf, base)?;
                        let mut kept = before.map(|(_, b)| b).unwrap_or_default();
                        std::mem::swap(&mut kept, &mut buf);
                        Some((placed, kept))
                    }
                };
            }
            let reports = match a.sharded {
                false => shard_trees[0].as_ref().ok_or("no reports tree")?.0.id,
                true => {
                    let mut tree = gitkeep.clone();
                    for (year, (t, _)) in groups.iter().zip(&shard_trees).filter_map(|(y, t)| Some((y, t.as_ref()?))) {
                        tree.extend_from_slice(format!("40000 {year}\0").as_bytes());
                        tree.extend_from_slice(t.id.as_bytes());
                    }
                    pack.put(Kind::Tree, &tree, None)?.id
                }
            };
            let root =
                [b"100644 enigm.yaml\0", config_blob.as_bytes(), b"40000 reports\0", reports.as_bytes()].concat();
            let root = [&root[..], b"40000 templates\0", templates.as_bytes()].concat();
            out.push(pack.put(Kind::Tree, &root, None)?.id);
        }
        Ok(out)
    })?;

    // The commit chain as raw objects, the branch, and an index matching HEAD.
    let chain = packed(1, commits.len(), &pack_dir, |_, pack| {
        let mut out: Vec<Oid> = Vec::with_capacity(commits.len());
        for ((ts, what), tree) in commits.iter().zip(&trees) {
            let sig = format!("Corpus Generator <corpus@example.com> {ts} +0000");
            let parent = out.last().map(|p| format!("parent {p}\n")).unwrap_or_default();
            let raw = format!("tree {tree}\n{parent}author {sig}\ncommitter {sig}\n\n{}", message(what, &reps, a.seed));
            out.push(pack.put(Kind::Commit, raw.as_bytes(), None)?.id);
        }
        Ok(out)
    })?;
    repo.reference("refs/heads/main", *chain.last().ok_or("no commits")?, true, "gen-corpus")?;
    // An index matching HEAD.
    let head = repo.head()?.peel_to_tree()?;
    let mut index = repo.index()?;
    index.read_tree(&head)?;
    index.write()?;
    let secs = t0.elapsed().as_secs_f64();
    println!("generated {n} reports in {} commits at {} in {secs:.2}s", chain.len(), a.dir.display());
    Ok(())
}
