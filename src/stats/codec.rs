//! A compact binary form of an [`Accumulator`], for checkpoints (`--resume`) and shards: the
//! exact partial sums, the exact values or sketch buckets, bit for bit, so a decoded
//! accumulator continues exactly where the encoded one stopped.

use super::accumulator::{Accumulator, Column, MeanColumn};
use super::exact::{ExactSum, Moments};
use super::sketch::{GRID_BINS, Grid, Quantiles, Sketch, Store};

use std::io::Write;

const MAGIC: &[u8; 8] = b"DIPCAPAC";
// 4: partners' columns beyond their exact buffer on the [0, 1] grid.
const VERSION: u64 = 4;

/// Writes the encoding to any `io::Write` — a file through a `BufWriter`, so that a checkpoint
/// of several megabytes is never held in memory whole (building it in a `Vec` every few
/// seconds made the peak memory of long runs grow with their length), or a `Vec` for tests.
/// The first write error is kept and returned by [`Writer::finish`]; later writes are skipped.
pub struct Writer<W: Write> {
    out: W,
    error: Option<std::io::Error>,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Self {
        Writer { out, error: None }
    }
    pub fn bytes(&mut self, b: &[u8]) {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(b)
        {
            self.error = Some(e);
        }
    }
    pub fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.bytes(&v.to_bits().to_le_bytes());
    }
    pub fn f64s(&mut self, v: &[f64]) {
        self.u64(v.len() as u64);
        // In pieces of 512 (4 KiB): one write per piece instead of one per value.
        let mut buf = [0u8; 8 * 512];
        for piece in v.chunks(512) {
            for (b, x) in buf.chunks_exact_mut(8).zip(piece) {
                b.copy_from_slice(&x.to_bits().to_le_bytes());
            }
            self.bytes(&buf[..8 * piece.len()]);
        }
    }
    /// The destination, or the first error met while writing to it.
    pub fn finish(self) -> std::io::Result<W> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.out),
        }
    }
}

pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let Some(end) = end else {
            return Err("the file ends too early".into());
        };
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], String> {
        self.take(n)
    }
    /// What is left to read.
    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.at..]
    }
    pub fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().map_err(|_| "bad length")?,
        ))
    }
    pub fn i64(&mut self) -> Result<i64, String> {
        Ok(i64::from_le_bytes(
            self.take(8)?.try_into().map_err(|_| "bad length")?,
        ))
    }
    pub fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_bits(self.u64()?))
    }
    fn len(&mut self, what: &str) -> Result<usize, String> {
        let n = self.u64()? as usize;
        // A length larger than what is left cannot be right: refuse before allocating.
        if n > (self.bytes.len() - self.at) / 8 + 1 {
            return Err(format!("{what}: length {n} exceeds the file"));
        }
        Ok(n)
    }
    pub fn f64s(&mut self) -> Result<Vec<f64>, String> {
        let n = self.len("values")?;
        (0..n).map(|_| self.f64()).collect()
    }
    pub fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

fn put_sum<W: Write>(w: &mut Writer<W>, s: &ExactSum) {
    w.f64s(&s.partials());
}

fn get_sum(r: &mut Reader) -> Result<ExactSum, String> {
    Ok(ExactSum::from_partials(r.f64s()?))
}

pub fn put_moments<W: Write>(w: &mut Writer<W>, m: &Moments) {
    w.u64(m.n);
    put_sum(w, &m.sum);
    put_sum(w, &m.sum_sq);
}

pub fn get_moments(r: &mut Reader) -> Result<Moments, String> {
    Ok(Moments {
        n: r.u64()?,
        sum: get_sum(r)?,
        sum_sq: get_sum(r)?,
    })
}

fn put_store<W: Write>(w: &mut Writer<W>, s: &Store) {
    w.u64(s.len() as u64);
    for (i, c) in s.iter() {
        w.i64(i);
        w.u64(c);
    }
}

fn get_store(r: &mut Reader) -> Result<Store, String> {
    let n = r.len("buckets")?;
    let v = (0..n)
        .map(|_| Ok((r.i64()?, r.u64()?)))
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Store::from_sorted(v))
}

fn put_column<W: Write>(w: &mut Writer<W>, c: &Column) {
    put_moments(w, &c.moments);
    put_quantiles(w, &c.quantiles);
}

fn put_mean_column<W: Write>(w: &mut Writer<W>, c: &MeanColumn) {
    w.u64(c.n);
    put_sum(w, &c.sum);
    put_quantiles(w, &c.quantiles);
}

fn get_mean_column(r: &mut Reader) -> Result<MeanColumn, String> {
    Ok(MeanColumn {
        n: r.u64()?,
        sum: get_sum(r)?,
        quantiles: get_quantiles(r)?,
    })
}

fn put_quantiles<W: Write>(w: &mut Writer<W>, q: &Quantiles) {
    match q {
        Quantiles::Exact(v) => {
            w.u64(0);
            w.f64s(v);
        }
        Quantiles::Sketch(s) => {
            w.u64(1);
            w.u64(s.n);
            w.u64(s.zeros);
            w.u64(u64::from(s.level));
            put_store(w, &s.positive);
            put_store(w, &s.negative);
        }
        Quantiles::Grid(g) => {
            // The bins that hold values, as (bin, count): most of a grid is empty.
            w.u64(2);
            w.u64(g.n);
            let used: Vec<(usize, u32)> = g
                .counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(k, c)| (k, *c))
                .collect();
            w.u64(used.len() as u64);
            for (k, c) in used {
                w.u64(k as u64);
                w.u64(u64::from(c));
            }
        }
    }
}

fn get_column(r: &mut Reader) -> Result<Column, String> {
    Ok(Column {
        moments: get_moments(r)?,
        quantiles: get_quantiles(r)?,
    })
}

fn get_quantiles(r: &mut Reader) -> Result<Quantiles, String> {
    Ok(match r.u64()? {
        0 => Quantiles::Exact(r.f64s()?),
        1 => Quantiles::Sketch(Sketch {
            n: r.u64()?,
            zeros: r.u64()?,
            level: u32::try_from(r.u64()?).map_err(|_| "bad sketch level")?,
            positive: get_store(r)?,
            negative: get_store(r)?,
            ..Sketch::default()
        }),
        2 => {
            let mut g = Grid {
                n: r.u64()?,
                ..Grid::default()
            };
            let used = r.u64()?;
            if used > GRID_BINS as u64 {
                return Err(format!("a grid of {used} bins (at most {GRID_BINS})"));
            }
            let mut total = 0u64;
            for _ in 0..used {
                let k = r.u64()?;
                let c = u32::try_from(r.u64()?).map_err(|_| "bad grid count")?;
                let bin = g
                    .counts
                    .get_mut(usize::try_from(k).unwrap_or(usize::MAX))
                    .ok_or_else(|| format!("grid bin {k} beyond {GRID_BINS}"))?;
                *bin = c;
                total += u64::from(c);
            }
            if total != g.n {
                return Err(format!(
                    "a grid counting {total} values says it holds {}",
                    g.n
                ));
            }
            Quantiles::Grid(g)
        }
        t => return Err(format!("unknown quantile state {t}")),
    })
}

/// The encoding in memory (tests, and callers that need the bytes themselves).
pub fn encode(a: &Accumulator) -> Vec<u8> {
    let mut w = Writer::new(Vec::new());
    encode_to(a, &mut w);
    w.finish().unwrap_or_default()
}

/// Writes the encoding of `a` to `w`, bucket by bucket, without building it in memory first.
pub fn encode_to<W: Write>(a: &Accumulator, w: &mut Writer<W>) {
    w.bytes(MAGIC);
    w.u64(VERSION);
    for v in [a.levels, a.years, a.partners] {
        w.u64(v as u64);
    }
    w.u64(a.trials);
    w.u64(a.events);
    for c in a.columns() {
        put_column(w, c);
    }
    for c in a.mean_columns() {
        put_mean_column(w, c);
    }
    for m in a.diffs() {
        put_moments(w, m);
    }
}

pub fn decode(bytes: &[u8]) -> Result<Accumulator, String> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err("not a dipcap accumulator".into());
    }
    let mut r = Reader::new(&bytes[8..]);
    let version = r.u64()?;
    if version != VERSION {
        return Err(format!(
            "accumulator format {version}, this dipcap reads {VERSION}"
        ));
    }
    let (levels, years, partners) = (r.u64()? as usize, r.u64()? as usize, r.u64()? as usize);
    if levels > 1000 || years > 1000 || partners > 100_000 {
        return Err("implausible sizes".into());
    }
    let mut a = Accumulator::new(levels, years, partners);
    a.trials = r.u64()?;
    a.events = r.u64()?;
    for c in a.columns_mut() {
        *c = get_column(&mut r)?;
    }
    for c in a.mean_columns_mut() {
        *c = get_mean_column(&mut r)?;
    }
    for m in a.diffs_mut() {
        *m = get_moments(&mut r)?;
    }
    if !r.done() {
        return Err("trailing bytes".into());
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(q: &Quantiles) -> Result<Quantiles, String> {
        let mut w = Writer::new(Vec::new());
        put_quantiles(&mut w, q);
        get_quantiles(&mut Reader::new(&w.finish().unwrap()))
    }

    /// A partner's column on the grid comes back bit for bit, and a damaged grid is refused.
    #[test]
    fn a_grid_column_round_trips_and_a_damaged_one_is_refused() {
        let mut q = Quantiles::default();
        for i in 0..1000 {
            q.add_series(f64::from((i * 7919) % 1001) / 1000.0);
        }
        assert!(matches!(q, Quantiles::Grid(_)));
        assert_eq!(round_trip(&q).unwrap(), q);
        let Quantiles::Grid(g) = &q else {
            unreachable!()
        };
        let mut more = g.clone();
        more.n += 1;
        let err = round_trip(&Quantiles::Grid(more)).unwrap_err();
        assert!(
            err.contains("counting 1000 values says it holds 1001"),
            "{err}"
        );
        // A bin beyond the grid.
        let mut w = Writer::new(Vec::new());
        for v in [2, 1, 1, GRID_BINS as u64, 1] {
            w.u64(v);
        }
        let bytes = w.finish().unwrap();
        let err = get_quantiles(&mut Reader::new(&bytes)).unwrap_err();
        assert!(err.contains("grid bin 2048 beyond 2048"), "{err}");
    }
}
