//! Revision history of SOP files from git (git2): the commits that touched each file, newest
//! first, with date, author and subject. Outside a repository, or for a file never committed,
//! the history is empty. Set `SOPCTL_NO_GIT=1` to skip git entirely (reproducible output).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::expr::{Duration, DurationUnit};

/// At most this many revisions are listed per file.
pub const MAX_REVISIONS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// `YYYY-MM-DD`, in the author's time zone.
    pub date: String,
    pub author: String,
    pub subject: String,
    /// Abbreviated commit id.
    pub commit: String,
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// The date of a Unix time seen from a UTC offset in minutes.
    pub fn from_unix(seconds: i64, offset_minutes: i32) -> Date {
        let local = seconds + i64::from(offset_minutes) * 60;
        civil_from_days(local.div_euclid(86_400))
    }

    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.splitn(3, '-');
        let year = it.next()?.parse().ok()?;
        let month = it.next()?.parse().ok()?;
        let day = it.next()?.parse().ok()?;
        Some(Date { year, month, day })
    }

    fn days(self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// Monday = 0 … Sunday = 6.
    fn weekday(self) -> i64 {
        // 1970-01-01 was a Thursday.
        (self.days() + 3).rem_euclid(7)
    }

    fn plus_days(self, n: i64) -> Date {
        civil_from_days(self.days() + n)
    }

    /// The date `d` after this one: calendar units as whole days (rounded up for hours and
    /// minutes), business days skipping Saturdays and Sundays.
    pub fn plus(self, d: &Duration) -> Date {
        let amount = i64::try_from(d.amount).unwrap_or(i64::MAX / 2);
        match d.unit {
            DurationUnit::Minutes => self.plus_days((amount + 1439) / 1440),
            DurationUnit::Hours => self.plus_days((amount + 23) / 24),
            DurationUnit::Days => self.plus_days(amount),
            DurationUnit::Weeks => self.plus_days(amount * 7),
            DurationUnit::BusinessDays => {
                let mut date = self;
                let mut left = amount;
                while left > 0 {
                    date = date.plus_days(1);
                    if date.weekday() < 5 {
                        left -= 1;
                    }
                }
                date
            }
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Date { year, month, day }
}

/// Whether git should be read at all (`SOPCTL_NO_GIT` unset or empty).
pub fn git_enabled() -> bool {
    std::env::var_os("SOPCTL_NO_GIT").is_none_or(|v| v.is_empty() || v == "0")
}

/// The revision history of each of `files` (project-relative paths with `/`), newest first.
/// Files without history map to an empty list; outside a repository every list is empty.
pub fn histories(root: &Path, files: &[String]) -> HashMap<String, Vec<Revision>> {
    let mut out: HashMap<String, Vec<Revision>> =
        files.iter().map(|f| (f.clone(), Vec::new())).collect();
    let _ = collect(root, files, &mut out);
    out
}

fn collect(
    root: &Path,
    files: &[String],
    out: &mut HashMap<String, Vec<Revision>>,
) -> Result<(), git2::Error> {
    let repo = git2::Repository::discover(root)?;
    let Some(workdir) = repo.workdir().and_then(|w| w.canonicalize().ok()) else {
        return Ok(());
    };
    let Ok(root) = root.canonicalize() else {
        return Ok(());
    };
    let Ok(prefix) = root.strip_prefix(&workdir) else {
        return Ok(());
    };
    // (project-relative name, repository-relative path)
    let paths: Vec<(&String, PathBuf)> = files.iter().map(|f| (f, prefix.join(f))).collect();
    let mut walk = repo.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(()); // no commit yet
    }
    walk.set_sorting(git2::Sort::TIME | git2::Sort::TOPOLOGICAL)?;
    let entry = |tree: &git2::Tree, p: &Path| tree.get_path(p).ok().map(|e| e.id());
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        let tree = commit.tree()?;
        let parents: Vec<git2::Tree> = commit.parents().filter_map(|p| p.tree().ok()).collect();
        let mut revision = None;
        for (name, path) in &paths {
            let list = out.entry((*name).clone()).or_default();
            if list.len() >= MAX_REVISIONS {
                continue;
            }
            let here = entry(&tree, path);
            // Touched: differs from every parent (a merge that kept one side's file did not
            // touch it, as in `git log -- FILE`). A root commit touches what it adds.
            let touched = if parents.is_empty() {
                here.is_some()
            } else {
                parents.iter().all(|p| entry(p, path) != here)
            };
            if touched && here.is_some() {
                let rev = revision.get_or_insert_with(|| revision_of(&commit));
                list.push(rev.clone());
            }
        }
    }
    Ok(())
}

fn revision_of(commit: &git2::Commit) -> Revision {
    let author = commit.author();
    let when = author.when();
    Revision {
        date: Date::from_unix(when.seconds(), when.offset_minutes()).to_string(),
        author: author.name().unwrap_or("?").to_string(),
        subject: commit.summary().unwrap_or("").to_string(),
        commit: commit.id().to_string().chars().take(7).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse_duration;

    #[test]
    fn dates() {
        assert_eq!(Date::from_unix(0, 0).to_string(), "1970-01-01");
        // 2026-01-05T09:00:00+08:00 is 01:00 UTC on the 5th.
        assert_eq!(
            Date::from_unix(1_767_574_800, 480).to_string(),
            "2026-01-05"
        );
        assert_eq!(
            Date::from_unix(1_767_574_800, -120).to_string(),
            "2026-01-04"
        );
        let d = Date::parse("2026-01-02").unwrap(); // a Friday
        assert_eq!(
            d.plus(&parse_duration("180d").unwrap()).to_string(),
            "2026-07-01"
        );
        assert_eq!(
            d.plus(&parse_duration("1bd").unwrap()).to_string(),
            "2026-01-05"
        );
        assert_eq!(
            d.plus(&parse_duration("2w").unwrap()).to_string(),
            "2026-01-16"
        );
        assert_eq!(
            d.plus(&parse_duration("25h").unwrap()).to_string(),
            "2026-01-04"
        );
        let leap = Date::parse("2024-02-28").unwrap();
        assert_eq!(
            leap.plus(&parse_duration("1d").unwrap()).to_string(),
            "2024-02-29"
        );
        for z in [-800_000, -1, 0, 59, 60, 10_000, 2_000_000] {
            let d = civil_from_days(z);
            assert_eq!(days_from_civil(d.year, d.month, d.day), z);
        }
    }
}
