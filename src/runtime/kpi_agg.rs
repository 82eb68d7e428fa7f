//! KPI aggregates: every KPI sample (one per measured record or task completion) is kept as
//! it happens, and counted per UTC day and value bin (count and sum). A period's count, mean
//! and share are sums of those counts; a nearest-rank percentile first finds the bin that
//! holds its rank from the counts, then reads only that bin's samples in the period, so it
//! stays exact while reading a few hundred rows instead of every sample.
//!
//! Days are UTC days so that any server offset, and any `from`/`to`, can be answered: the
//! parts of a period that do not cover a whole UTC day are read from the samples themselves.

use std::collections::BTreeMap;

use crate::kpi::def::Measure;

/// Seconds in a day bucket.
pub const DAY: i64 = 86_400;

/// What one measure's samples are stored under, per process. Status, task and field ids
/// follow the identifier rule, so `:` and `>` cannot appear in them.
pub fn key(m: &Measure) -> String {
    match m {
        Measure::Time { from, to } => format!("time:{from}>{to}"),
        Measure::Share {
            reached: Some(r), ..
        } => format!("reached:{r}"),
        Measure::Share { when: Some(w), .. } => format!("where:{w}"),
        Measure::Share { .. } => "share:none".to_string(),
        Measure::OnTime { task } => done_key(task),
        Measure::Average { field } => format!("value:{field}"),
    }
}

/// A task's completions, valued by how late each was (0 when on time): `on_time` KPIs and
/// the late tasks read these.
pub fn done_key(task: &str) -> String {
    format!("done:{task}")
}

/// The value bin: exact below 32, then 16 bins per power of two. Only monotony matters for
/// exactness (a larger value never falls in a smaller bin); the width only sets how many
/// samples a percentile reads.
pub fn bin(value: f64) -> i64 {
    // `as` saturates: NaN and negatives give 0, huge values u64::MAX.
    let x = value.floor() as u64;
    if x < 32 {
        return x as i64;
    }
    let bits = 64 - x.leading_zeros() as i64; // 6..=64
    let sub = (x >> (bits - 5)) as i64 - 16; // 0..16: the four bits after the leading one
    32 + (bits - 6) * 16 + sub
}

/// The day bucket of a time.
pub fn day(at: i64) -> i64 {
    at.div_euclid(DAY)
}

/// `[a, b)`: seconds, or day numbers.
pub type Span = (i64, i64);

/// `[from, to)` split into whole UTC days (read from the day counts) and the rest at either
/// end (read from the samples): (days, edges).
pub fn split(from: i64, to: i64) -> (Option<Span>, Vec<Span>) {
    let first = from.div_euclid(DAY) + i64::from(from.rem_euclid(DAY) != 0);
    let last = to.div_euclid(DAY);
    if first >= last {
        return (None, vec![(from, to)]);
    }
    let edges = [(from, first * DAY), (last * DAY, to)]
        .into_iter()
        .filter(|(a, b)| a < b)
        .collect();
    (Some((first, last)), edges)
}

/// Counts and sums per bin over one period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bins(pub BTreeMap<i64, (u64, f64)>);

impl Bins {
    pub fn add(&mut self, bin: i64, count: u64, sum: f64) {
        let e = self.0.entry(bin).or_default();
        e.0 += count;
        e.1 += sum;
    }

    pub fn count(&self) -> u64 {
        self.0.values().map(|v| v.0).sum()
    }

    pub fn sum(&self) -> f64 {
        self.0.values().map(|v| v.1).sum()
    }

    /// The mean of the samples, None when there are none.
    pub fn mean(&self) -> Option<f64> {
        let n = self.count();
        (n > 0).then(|| self.sum() / n as f64)
    }

    /// How many samples fell in bin 0: on-time completions for `done:` keys.
    pub fn zero(&self) -> u64 {
        self.0.get(&0).map_or(0, |v| v.0)
    }

    /// Where the nearest-rank `p`-th percentile is: (bin, rank within the bin, 1-based).
    pub fn locate(&self, p: u32) -> Option<(i64, u64)> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = (u64::from(p) * n).div_ceil(100).max(1);
        let mut before = 0;
        for (bin, (count, _)) in &self.0 {
            if before + count >= rank {
                return Some((*bin, rank - before));
            }
            before += count;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_never_go_down_as_values_grow() {
        let mut last = bin(-5.0);
        assert_eq!(last, 0);
        for v in (0..200_000).map(|i| i as f64 * 7.3).chain([1e18, f64::MAX]) {
            let b = bin(v);
            assert!(b >= last, "bin({v}) = {b} < {last}");
            last = b;
        }
        assert_eq!((bin(0.0), bin(1.0), bin(31.9), bin(32.0)), (0, 1, 31, 32));
        // Sixteen bins per doubling: 1 h and 1 d land far apart.
        assert!(bin(86_400.0) - bin(3_600.0) > 60);
    }

    #[test]
    fn periods_split_into_whole_days_and_edges() {
        assert_eq!(split(0, 3 * DAY), (Some((0, 3)), vec![]));
        let (days, edges) = split(DAY - 8 * 3600, 3 * DAY - 8 * 3600);
        assert_eq!(days, Some((1, 2)));
        assert_eq!(
            edges,
            vec![(DAY - 8 * 3600, DAY), (2 * DAY, 3 * DAY - 8 * 3600)]
        );
        assert_eq!(split(10, 20), (None, vec![(10, 20)]));
    }

    #[test]
    fn nearest_rank_is_located_in_its_bin() {
        let mut b = Bins::default();
        b.add(3, 2, 6.0);
        b.add(40, 7, 0.0);
        b.add(90, 1, 0.0);
        assert_eq!(b.locate(50), Some((40, 3)));
        assert_eq!(b.locate(10), Some((3, 1)));
        assert_eq!(b.locate(95), Some((90, 1)));
        assert_eq!(Bins::default().locate(50), None);
        assert_eq!(b.count(), 10);
    }
}
