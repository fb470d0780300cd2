//! `csaf-export`: exports the public advisories of a repository as a CSAF provider directory,
//! timed, for the benchmark "export 10,000 reports to CSAF".
//!
//! It runs the library code of the site build's CSAF part and nothing else: read the reports,
//! walk the git history for revisions, build and serialise each document (in parallel, like
//! the site), write `<YYYY>/<id>.json`, `index.txt`, `changes.csv` and `provider-metadata.json`.
//!
//! ```text
//! cargo run --release --example csaf-export -- REPO OUT [--limit N]
//! ```

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;
use std::{env, fs};

use enigm_disclose::format::config::Config;
use enigm_disclose::publish::csaf::tracking::History;
use enigm_disclose::publish::csaf::{self, Publisher, provider};
use enigm_disclose::publish::site::public_advisories;
use enigm_disclose::publish::templates::SiteInfo;
use enigm_disclose::store::history;
use enigm_disclose::store::repo::Repo;
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = env::args().skip(1).collect();
    let (Some(root), Some(out)) = (args.first(), args.get(1)) else {
        return Err("usage: csaf-export REPO OUT [--limit N]".into());
    };
    let limit = match args.iter().position(|a| a == "--limit") {
        Some(i) => args.get(i + 1).ok_or("--limit needs a number")?.parse()?,
        None => usize::MAX,
    };
    let t0 = Instant::now();
    let repo = Repo::discover(&PathBuf::from(root))?;
    let config = Config::load(repo.root()).map_err(|r| r.finding.message)?;
    let (mut advisories, _) = public_advisories(repo.root(), &config)?;
    advisories.truncate(limit);
    let publisher = Publisher::from_config(&config)?;
    let (ids, since) = History::wanted(&advisories);
    let history = History::from_git(history::report_revisions(&repo, &ids, since)?, &config);
    let site = SiteInfo::from_config(&config);
    let mut files: Vec<(String, Vec<u8>)> = advisories
        .par_iter()
        .map(|a| {
            let tracking = history.tracking(a);
            let doc = csaf::document(a, &tracking, &publisher, &site.base_url)?;
            Ok((provider::path(&a.id, &tracking), csaf::to_text(&doc).into_bytes()))
        })
        .collect::<Result<_, enigm_disclose::Error>>()?;
    let base = Some(site.base_url.as_str()).filter(|b| csaf::is_web_url(b));
    let listing = provider::listing_files(&advisories, &history, &publisher, base);
    files.extend(listing.into_iter().map(|(p, c)| (p.trim_start_matches("csaf/").to_owned(), c)));
    let built = t0.elapsed().as_secs_f64();
    let out = PathBuf::from(out);
    for (rel, content) in &files {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, content)?;
    }
    let n = advisories.len();
    let total = t0.elapsed().as_secs_f64();
    println!("{n} CSAF documents exported to {} in {total:.2} s ({built:.2} s to read and build)", out.display());
    Ok(())
}
