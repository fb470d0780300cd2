//! Trusted distribution (issue 20): a signed site (hashes, OpenPGP signatures, the public key,
//! a trusted provider's metadata, the ROLIE feed), stable signatures, the signing key's
//! sources, and `verify-site` on good, tampered and stale sites. gpg, an independent OpenPGP
//! implementation, checks every signature where it is installed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::exports::{assert_valid, validator};
use super::render::{all_files, repo};
use super::validate::commit_all;
use crate::util::{TestRepo, stderr, stdout};

/// Test-only keys (tests/fixtures/keys/README.md). The unprotected one signs most sites here:
/// the protected one's key derivation takes seconds in a debug build.
const KEY: &str = include_str!("../fixtures/keys/openpgp-ed25519-test.asc");
const FP: &str = "BD18C6A92AD26B42DA16909AF63E03E23A2DC50A";
const PROTECTED: &str = include_str!("../fixtures/keys/openpgp-subkey-protected-test.asc");
const PROTECTED_FP: &str = "CD04100D6D27B7D0F2C4868403B7541517F4B02B";
const BASE: &str = "https://security.example.com/advisories/";

fn site_of(repo: &TestRepo) -> PathBuf {
    repo.sandbox.tmp.path().join("site")
}

/// `render --out site` signed with the unprotected test key.
fn render_signed(repo: &TestRepo) -> assert_cmd::assert::Assert {
    repo.cmd().env("ENIGM_SIGNING_KEY", KEY).args(["render", "--out"]).arg(site_of(repo)).assert()
}

fn verify_site(repo: &TestRepo, extra: &[&str]) -> assert_cmd::assert::Assert {
    repo.cmd().arg("verify-site").arg(site_of(repo)).args(extra).assert()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).expect("read")).expect("JSON")
}

/// The files a signed site distributes (document, listings, feed, records, manifest).
const SIGNED: [&str; 8] = [
    "csaf/2026/enigm-2026-0001.json",
    "csaf/index.txt",
    "csaf/changes.csv",
    "csaf/provider-metadata.json",
    "csaf/feed-tlp-white.json",
    "osv/x_ENIGM-2026-0001.json",
    "osv/all.json",
    ".enigm-site",
];

#[test]
fn a_signed_site_is_a_trusted_provider_and_rerendering_keeps_every_byte() {
    let repo = repo();
    let site = site_of(&repo);
    let a = render_signed(&repo).success();
    assert!(stderr(&a).contains(&format!("signing with the OpenPGP key {FP}")), "{}", stderr(&a));
    for f in SIGNED {
        for ext in ["sha256", "sha512", "asc"] {
            assert!(site.join(format!("{f}.{ext}")).is_file(), "{f}.{ext}");
        }
    }
    assert!(!site.join("index.html.asc").exists() && !site.join("advisories/ENIGM-2026-0001.html.asc").exists());
    // sha256sum's format, and the digest of the bytes served.
    let doc = fs::read(site.join(SIGNED[0])).expect("doc");
    let digest: String = Sha256::digest(&doc).iter().map(|b| format!("{b:02x}")).collect();
    let line = fs::read_to_string(site.join(format!("{}.sha256", SIGNED[0]))).expect("hash");
    assert_eq!(line, format!("{digest}  enigm-2026-0001.json\n"));
    let key = fs::read_to_string(site.join(format!("csaf/openpgp/{FP}.asc"))).expect("public key");
    assert!(key.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----") && !key.contains("PRIVATE"), "{key}");

    let meta = json(&site.join("csaf/provider-metadata.json"));
    assert_valid_provider_metadata(&meta);
    assert_eq!(meta["role"], "csaf_trusted_provider");
    assert_eq!(
        meta["public_openpgp_keys"],
        serde_json::json!([{ "fingerprint": FP, "url": format!("{BASE}csaf/openpgp/{FP}.asc") }])
    );
    assert_eq!(meta["distributions"][1]["rolie"]["feeds"][0]["url"], format!("{BASE}csaf/feed-tlp-white.json"));
    let feed = json(&site.join("csaf/feed-tlp-white.json"));
    assert_rolie_feed(&feed, &site);
    let entry = &feed["feed"]["entry"][0];
    let rels: Vec<&str> = entry["link"].as_array().expect("links").iter().filter_map(|l| l["rel"].as_str()).collect();
    assert_eq!(rels, ["self", "hash", "hash", "signature"], "requirements 18 and 19 list hashes and signature");

    // Stable: the same bytes again, nothing written, and --check agrees.
    let first = all_files(&site);
    let a = render_signed(&repo).success();
    assert!(stdout(&a).contains("0 written") && stdout(&a).contains("0 removed"), "{}", stdout(&a));
    assert_eq!(all_files(&site), first, "same input, same signatures");
    repo.cmd().env("ENIGM_SIGNING_KEY", KEY).args(["render", "--check", "--out"]).arg(&site).assert().success();

    // A second advisory: the first one's signatures are kept, only what changed is signed.
    let asc = |f: &str| fs::read(site.join(format!("{f}.asc"))).expect("asc");
    let before: Vec<Vec<u8>> = [SIGNED[0], SIGNED[5]].iter().map(|f| asc(f)).collect();
    let index_before = asc("csaf/index.txt");
    let second = super::validate::PUBLISHED
        .replace("ENIGM-2026-0001", "ENIGM-2026-0002")
        .replace("CVE-2026-12345", "CVE-2026-12346");
    repo.write("reports/ENIGM-2026-0002.md", second);
    commit_all(&repo, "second");
    render_signed(&repo).success();
    assert_eq!([SIGNED[0], SIGNED[5]].iter().map(|f| asc(f)).collect::<Vec<_>>(), before, "unchanged: kept");
    assert_ne!(asc("csaf/index.txt"), index_before, "changed: signed again");
    assert!(site.join("osv/x_ENIGM-2026-0002.json.asc").is_file());
    verify_site(&repo, &["--repo"]).success();

    // Unsigned again: the signatures, hashes and key go (the tool wrote them), the role too.
    let a = repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    assert!(!site.join(format!("{}.asc", SIGNED[0])).exists(), "{}", stdout(&a));
    assert!(!site.join(format!("csaf/openpgp/{FP}.asc")).exists() && !site.join(".enigm-site.asc").exists());
    let meta = json(&site.join("csaf/provider-metadata.json"));
    assert_eq!(meta["role"], "csaf_provider");
    assert!(meta.get("public_openpgp_keys").is_none());
    assert_valid_provider_metadata(&meta);
    assert_rolie_feed(&json(&site.join("csaf/feed-tlp-white.json")), &site);
}

/// The official provider metadata schema (../shared/schemas), its references served locally.
fn assert_valid_provider_metadata(meta: &Value) {
    assert_valid(&validator("csaf-2.0-provider.schema.json"), meta, "provider-metadata.json");
}

/// The shape CSAF 2.0 section 7.1.15 (requirement 15) and RFC 8322 give a ROLIE feed: `feed`
/// with an id of `[a-zA-Z0-9+-_.]`, a title, a `self` link, the `csaf` information-type
/// category, an `updated` date-time and entries; each entry with the document's tracking id
/// and title, a `self` link, `published` and `updated`, `content` of type application/json
/// whose `src` is the document, and the CSAF 2.0 `format`; every link an https URL of a file
/// the site has, `hash` and `signature` links for every hash and signature file.
fn assert_rolie_feed(feed: &Value, site: &Path) {
    let f = &feed["feed"];
    let id = f["id"].as_str().expect("feed.id");
    assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || "+-_.".contains(c)), "{id}");
    assert!(f["title"].as_str().is_some_and(|t| !t.is_empty()), "feed.title");
    assert_eq!(f["link"][0]["rel"], "self");
    assert_eq!(f["link"][0]["href"], format!("{BASE}csaf/feed-tlp-white.json"));
    assert_eq!(
        f["category"][0],
        serde_json::json!({ "scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf" })
    );
    assert!(chrono::DateTime::parse_from_rfc3339(f["updated"].as_str().expect("updated")).is_ok());
    let entries = f["entry"].as_array().expect("feed.entry");
    assert!(!entries.is_empty());
    for e in entries {
        let src = e["content"]["src"].as_str().expect("content.src");
        let rel = src.strip_prefix(BASE).expect("on the site");
        let doc = json(&site.join(rel));
        assert_eq!(e["id"], doc["document"]["tracking"]["id"]);
        assert_eq!(e["title"], doc["document"]["title"]);
        assert_eq!(e["updated"], doc["document"]["tracking"]["current_release_date"]);
        assert_eq!(e["published"], doc["document"]["tracking"]["initial_release_date"]);
        assert_eq!(e["content"]["type"], "application/json");
        assert_eq!(
            e["format"],
            serde_json::json!({ "schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "version": "2.0" })
        );
        let links = e["link"].as_array().expect("entry.link");
        assert_eq!(links[0], serde_json::json!({ "rel": "self", "href": src }));
        for l in links {
            let href = l["href"].as_str().expect("href");
            assert!(
                href.starts_with("https://") && site.join(href.strip_prefix(BASE).expect("site")).is_file(),
                "{href}"
            );
        }
        for (ext, kind) in [("sha256", "hash"), ("sha512", "hash"), ("asc", "signature")] {
            if site.join(format!("{rel}.{ext}")).is_file() {
                let want = serde_json::json!({ "rel": kind, "href": format!("{src}.{ext}") });
                assert!(links.contains(&want), "requirement 15 lists {rel}.{ext}: {links:?}");
            }
        }
    }
}

#[test]
fn verify_site_names_every_tampered_or_missing_file() {
    let repo = repo();
    let site = site_of(&repo);
    render_signed(&repo).success();
    let a = verify_site(&repo, &[]).success();
    assert!(stdout(&a).contains(&format!("signed files checked with key {FP}: 0 problems")), "{}", stdout(&a));
    for f in SIGNED {
        let path = site.join(f);
        let good = fs::read(&path).expect("read");
        let mut bad = good.clone();
        let at = bad.len() / 2;
        bad[at] ^= 0x01;
        fs::write(&path, &bad).expect("tamper");
        let a = verify_site(&repo, &[]).code(1);
        assert!(stdout(&a).contains(&format!("{f}: bad signature")), "{f}: {}", stdout(&a));
        assert!(stdout(&a).contains(&format!("{f}: does not match its .sha256")), "{f}: {}", stdout(&a));
        fs::write(&path, &good).expect("restore");
    }
    // A signature of another key, a missing signature, a document gone from the listings.
    let other = site.join("csaf/index.txt.asc");
    let kept = fs::read(&other).expect("asc");
    fs::copy(site.join(format!("{}.asc", SIGNED[5])), &other).expect("swap");
    let a = verify_site(&repo, &[]).code(1);
    assert!(stdout(&a).contains("csaf/index.txt: bad signature"), "{}", stdout(&a));
    fs::remove_file(&other).expect("rm");
    let a = verify_site(&repo, &[]).code(1);
    assert!(stdout(&a).contains("csaf/index.txt: has no signature (.asc)"), "{}", stdout(&a));
    fs::write(&other, kept).expect("restore");
    let extra = site.join("csaf/2026/enigm-2026-0009.json");
    fs::copy(site.join(SIGNED[0]), &extra).expect("copy");
    let a = verify_site(&repo, &[]).code(1);
    for want in [
        "csaf/index.txt: does not list 2026/enigm-2026-0009.json, which is there",
        "csaf/feed-tlp-white.json: has no entry for 2026/enigm-2026-0009.json",
        "csaf/2026/enigm-2026-0009.json: has no signature",
    ] {
        assert!(stdout(&a).contains(want), "{want}: {}", stdout(&a));
    }
    fs::remove_file(&extra).expect("rm");
    verify_site(&repo, &[]).success();
}

#[test]
fn verify_site_checks_the_pinned_key_and_that_the_repository_reproduces_the_site() {
    let repo = repo();
    let site = site_of(&repo);
    render_signed(&repo).success();
    let keys = repo.sandbox.tmp.path();
    fs::write(keys.join("ours.asc"), fs::read(site.join(format!("csaf/openpgp/{FP}.asc"))).expect("key")).expect("w");
    verify_site(&repo, &["--key", keys.join("ours.asc").to_str().expect("utf8")]).success();
    // The protected key's public half: a site signed by another key is not the one trusted.
    let other = repo.sandbox.tmp.path().join("other");
    repo.cmd()
        .env("ENIGM_SIGNING_KEY", PROTECTED)
        .env("ENIGM_SIGNING_PASSPHRASE", "passphrase")
        .args(["render", "--out"])
        .arg(&other)
        .assert()
        .success();
    fs::write(keys.join("theirs.asc"), fs::read(other.join(format!("csaf/openpgp/{PROTECTED_FP}.asc"))).expect("k"))
        .expect("w");
    let a = verify_site(&repo, &["--key", keys.join("theirs.asc").to_str().expect("utf8")]).code(1);
    assert!(
        stdout(&a)
            .contains(&format!("csaf/provider-metadata.json: publishes key {FP}, not the trusted key {PROTECTED_FP}")),
        "{}",
        stdout(&a)
    );
    let a = verify_site(&repo, &["--key", "no-such-key.asc"]).code(2);
    assert!(stderr(&a).contains("no-such-key.asc"), "{}", stderr(&a));

    // Reproducible: the repository renders the same site; a report edited since does not.
    let a = verify_site(&repo, &["--repo"]).success();
    assert!(stdout(&a).contains("files compared with a fresh render of the repository"), "{}", stdout(&a));
    let edited =
        repo.read("reports/ENIGM-2026-0001.md").replace("Path traversal in uploads", "Path traversal in the uploads");
    repo.write("reports/ENIGM-2026-0001.md", edited);
    let a = verify_site(&repo, &["--repo"]).code(1);
    assert!(
        stdout(&a).contains("csaf/2026/enigm-2026-0001.json: differs from a fresh render of the repository"),
        "{}",
        stdout(&a)
    );
    // Not a directory: exit 2.
    repo.cmd().args(["verify-site", "nowhere"]).assert().code(2);
    // An unsigned site cannot be verified.
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let a = verify_site(&repo, &[]).code(1);
    assert!(stdout(&a).contains("lists no public_openpgp_keys: the site is not signed"), "{}", stdout(&a));
}

#[test]
fn the_signing_key_comes_from_the_environment_or_a_file_outside_the_repository() {
    let repo = repo();
    let site = site_of(&repo);
    let render = |envs: &[(&str, &str)]| {
        let mut c = repo.cmd();
        c.args(["render", "--out"]).arg(&site);
        for (k, v) in envs {
            c.env(k, v);
        }
        c.assert()
    };
    // A protected key without its passphrase, or with a wrong one: exit 2, nothing written.
    let a = render(&[("ENIGM_SIGNING_KEY", PROTECTED)]).code(2);
    assert!(
        stderr(&a).contains("it is protected by a passphrase") && stderr(&a).contains("ENIGM_SIGNING_PASSPHRASE"),
        "{}",
        stderr(&a)
    );
    let a = render(&[("ENIGM_SIGNING_KEY", PROTECTED), ("ENIGM_SIGNING_PASSPHRASE", "nope")]).code(2);
    assert!(stderr(&a).contains("the passphrase is wrong"), "{}", stderr(&a));
    assert!(!site.exists(), "nothing rendered");
    let a = render(&[("ENIGM_SIGNING_KEY", "not a key")]).code(2);
    assert!(stderr(&a).contains("ENIGM_SIGNING_KEY is not an armoured OpenPGP secret key"), "{}", stderr(&a));

    // Never from the repository: not through the environment, not through enigm.yaml.
    repo.write("keys/signing.asc", KEY);
    let inside = repo.root().join("keys/signing.asc");
    let a = render(&[("ENIGM_SIGNING_KEY_FILE", inside.to_str().expect("utf8"))]).code(2);
    assert!(stderr(&a).contains("is inside the repository"), "{}", stderr(&a));
    let config = repo.read("enigm.yaml");
    repo.write("enigm.yaml", config.replace("render:\n", "render:\n  signing_key_file: keys/signing.asc\n"));
    let a = render(&[]).code(2);
    assert!(
        stderr(&a).contains("render.signing_key_file (keys/signing.asc) is inside the repository"),
        "{}",
        stderr(&a)
    );
    fs::remove_file(&inside).expect("rm");

    // A file in the home directory, named by enigm.yaml, and a protected key with its passphrase.
    fs::write(repo.sandbox.home().join("signing.asc"), PROTECTED).expect("key");
    repo.write("enigm.yaml", config.replace("render:\n", "render:\n  signing_key_file: ~/signing.asc\n"));
    repo.cmd().arg("validate").assert().success();
    let a = render(&[("ENIGM_SIGNING_PASSPHRASE", "passphrase")]).success();
    assert!(stderr(&a).contains(PROTECTED_FP), "{}", stderr(&a));
    assert!(site.join(format!("csaf/openpgp/{PROTECTED_FP}.asc")).is_file());
    let missing = config.replace("render:\n", "render:\n  signing_key_file: ~/gone.asc\n");
    repo.write("enigm.yaml", missing);
    let a = render(&[]).code(2);
    assert!(stderr(&a).contains("cannot read the signing key render.signing_key_file (~/gone.asc)"), "{}", stderr(&a));
}

fn have_gpg() -> bool {
    Command::new("gpg").arg("--version").output().is_ok()
}

/// Every `.asc` of a signed site, and its cleartext-signed `security.txt` (the site has one, as
/// `init` configures it), verify with gpg (Debian's gnupg), given only the public key the site publishes.
#[test]
#[ignore = "needs gpg (apt-get install -y gnupg); .ci/run runs it with --ignored"]
fn gpg_verifies_every_signature_of_a_signed_site() {
    assert!(have_gpg(), "gpg is not installed (apt-get install -y gnupg)");
    let repo = repo();
    let site = site_of(&repo);
    repo.cmd()
        .env("ENIGM_SIGNING_KEY", PROTECTED)
        .env("ENIGM_SIGNING_PASSPHRASE", "passphrase")
        .args(["render", "--out"])
        .arg(&site)
        .assert()
        .success();
    let home = repo.sandbox.tmp.path().join("gnupg");
    fs::create_dir_all(&home).expect("gnupg");
    #[cfg(unix)]
    fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
    let gpg = |args: &[&std::ffi::OsStr]| {
        let out =
            Command::new("gpg").env("GNUPGHOME", &home).args(["--batch", "--no-tty"]).args(args).output().expect("gpg");
        assert!(out.status.success(), "gpg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let key = site.join(format!("csaf/openpgp/{PROTECTED_FP}.asc"));
    gpg(&["--import".as_ref(), key.as_os_str()]);
    let mut checked = 0;
    for (path, _) in all_files(&site) {
        let Some(data) = path.strip_suffix(".asc").filter(|_| !path.contains("/openpgp/")) else { continue };
        let said = gpg(&["--verify".as_ref(), path.as_ref(), data.as_ref()]);
        assert!(said.contains("Good signature"), "{path}: {said}");
        checked += 1;
    }
    assert!(checked >= SIGNED.len(), "{checked} signatures");
    // `init` gives the repository a `contact.expires`, so the site has a security.txt.
    let txt = site.join(".well-known/security.txt");
    assert!(txt.is_file(), "the site has a security.txt");
    let said = gpg(&["--verify".as_ref(), txt.as_os_str()]);
    assert!(said.contains("Good signature"), "security.txt: {said}");
}

/// Regression: a missing site directory was answered with the hint for `-C DIR`, which
/// `verify-site` was not given.
#[test]
fn verify_site_of_a_missing_directory_names_the_site_not_the_working_directory() {
    let repo = repo();
    let a = verify_site(&repo, &[]).code(2);
    let err = stderr(&a);
    assert!(err.contains("the site directory") && err.contains("does not exist"), "{err}");
    assert!(err.contains("render --out DIR") && !err.contains("-C DIR"), "{err}");
    let a = repo.cmd().args(["verify-site", "enigm.yaml"]).assert().code(2);
    assert!(stderr(&a).contains("is not a directory"), "{}", stderr(&a));
}
