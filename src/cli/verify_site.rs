//! `enigm-disclose verify-site`: a consumer's check of a rendered site (docs/distribution.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::publish::distribution::Trust;
use enigm_disclose::publish::signing::PublicKey;
use enigm_disclose::publish::site::SiteRequest;
use enigm_disclose::publish::templates::Renderer;
use enigm_disclose::publish::verify::{self, Problem, SiteFiles};

use super::Context;
use super::output::print;

/// Verify a rendered site: hashes, OpenPGP signatures, listings; and that the repository
/// reproduces it.
///
/// Every CSAF document and listing, OSV and CVE record, the ROLIE feed and the site manifest
/// must match its .sha256 and .sha512 and carry a .asc signature that verifies with the key
/// provider-metadata.json publishes; security.txt must be cleartext-signed; index.txt,
/// changes.csv, the ROLIE feed and the manifest must agree with the files present. Exit 1
/// names each file with a problem.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose verify-site site                  # a site as served\n  enigm-disclose verify-site site --key psirt.asc  # signed by your key\n  enigm-disclose verify-site site --repo           # and reproducible"
)]
pub struct VerifySiteArgs {
    /// The site directory.
    #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    dir: PathBuf,
    /// An armoured OpenPGP public key you trust: the site must publish and be signed by it.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// Also re-render the disclosure repository (the one you are in, or -C DIR) and compare
    /// every file byte for byte.
    #[arg(long)]
    repo: bool,
}

pub fn run(ctx: &Context, args: VerifySiteArgs) -> Result<ExitCode, Error> {
    let dir = ctx.cwd.join(&args.dir);
    if !dir.is_dir() {
        let what = if dir.exists() { "is not a directory" } else { "does not exist" };
        return Err(Error::usage(
            format!("the site directory {} {what}", dir.display()),
            "name the directory `enigm-disclose render --out DIR` wrote (docs/distribution.md)",
        ));
    }
    let pinned = args.key.as_ref().map(|k| read_key(&ctx.cwd.join(k))).transpose()?;
    let files = verify::read_site(&dir, args.repo)?;
    let verified = verify::verify(&files, pinned.as_ref());
    let mut problems = verified.problems;
    let mut out = String::new();
    if args.repo {
        let rendered = rerender(ctx, verified.key.clone())?;
        problems.extend(verify::compare(&files, &rendered, verified.key.as_ref()));
        out.push_str(&format!("{} files compared with a fresh render of the repository\n", rendered.len()));
    }
    for Problem { file, why } in &problems {
        out.push_str(&format!("{}: {}\n", super::table::sanitize(file), super::table::sanitize(why)));
    }
    let key = verified.key.as_ref().map_or_else(|| "no key".to_owned(), |k| format!("key {}", k.fingerprint()));
    let n = problems.len();
    out.push_str(&format!(
        "{} signed files checked with {key}: {n} problem{}\n",
        verified.signed,
        if n == 1 { "" } else { "s" }
    ));
    print(&out)?;
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn read_key(path: &std::path::Path) -> Result<PublicKey, Error> {
    let text = std::fs::read_to_string(path).map_err(Error::io(format!("cannot read {}", path.display())))?;
    PublicKey::from_armored(&text).map_err(|why| Error::Signing {
        message: format!("{}: {why}", path.display()),
        help: "export the key with `gpg --armor --export FINGERPRINT`".into(),
    })
}

/// The repository's site rendered afresh into a temporary directory, with the site's
/// published key (no secret key: no signatures), as it would render now.
fn rerender(ctx: &Context, key: Option<PublicKey>) -> Result<SiteFiles, Error> {
    let (repo, config) = ctx.open()?;
    let tmp = tempfile::tempdir().map_err(Error::io("cannot make a temporary directory"))?;
    let out = tmp.path().join("site");
    let renderer = Renderer::new(Some(repo.root()))?;
    let request = SiteRequest { out: out.clone(), only: None, check: false };
    let outcome =
        super::render::build_site(&repo, &config, &renderer, &request, key.map(|k| Trust::Published(Box::new(k))))?;
    if let Some((path, why)) = outcome.skipped.first() {
        return Err(Error::usage(
            format!("{} cannot be rendered ({why}), so the site cannot be reproduced", path.display()),
            "run `enigm-disclose validate`",
        ));
    }
    verify::read_site(&out, true)
}
