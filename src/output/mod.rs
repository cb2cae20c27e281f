//! Writing results: tidy CSV (`csv.rs`, one record type per file in `records.rs`), JSON summaries and the run manifest (`json.rs`).
//! The output folder itself — its file names, lock and temporary files — is `folder.rs`; the
//! Parquet format of the large tables is `parquet.rs`.

pub(crate) mod csv;
pub(crate) mod folder;
pub mod json;
pub mod parquet;
pub(crate) mod records;

pub use folder::{AtomicFile, remove_stale_temporaries, write_atomic, write_atomic_with};

/// `n` and the noun for it, singular for one: `count(1, "thread", "threads")` is "1 thread".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A difference for readers, signed, to `d` decimals: "+0.031", "-0.002", and "0.000" (no
/// sign) for one that rounds to zero.
pub fn signed(v: f64, d: usize) -> String {
    let s = format!("{v:+.d$}");
    if s.trim_start_matches(['+', '-'])
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        format!("{:.d$}", 0.0)
    } else {
        s
    }
}

/// Formats a number the same way on every run and platform: Rust's shortest round-trip form
/// (`format!("{x}")`: no exponent, "NaN", "inf", and "0" for both zeros).
pub fn num(x: f64) -> String {
    let mut s = String::with_capacity(24);
    push_num(&mut s, x);
    s
}

/// Appends [`num`]`(x)` to `out` without allocating: the hot path of `trials.csv`. The shortest
/// digits come from `ryu` (the same shortest-and-closest digits as Rust's own formatter, checked
/// against `format!` in the tests) and are laid out as Rust lays them out, in plain decimal.
pub fn push_num(out: &mut String, x: f64) {
    use std::fmt::Write as _;
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x == 0.0 {
        out.push('0');
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "inf" } else { "-inf" });
        return;
    }
    // ryu and Rust both write the shortest digits that read back to x and, among those, the
    // closest to x; they differ only when two are equally close (x exactly halfway, so x's own
    // decimal expansion has at most 18 significant digits, ending in 5: ryu then picks the even
    // one). Such x are integers or have few significant bits; they go through `format!`.
    let bits = x.to_bits();
    let field = ((bits >> 52) & 0x7ff) as i32;
    if field == 0 {
        let _ = write!(out, "{x}");
        return;
    }
    let mut m = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let mut e = field - 1075;
    let tz = m.trailing_zeros();
    m >>= tz;
    e += tz as i32;
    if e >= 0 {
        if x.abs() < 9_007_199_254_740_992.0 {
            // An integer below 2^53: its digits exactly, as Rust writes it.
            out.push_str(itoa::Buffer::new().format(x as i64));
        } else {
            let _ = write!(out, "{x}");
        }
        return;
    }
    // x = m·5^k / 10^k (m odd, k = −e): its exact expansion has the digits of m·5^k, at least
    // 10^18 (19 digits, no tie possible) when log2(m) + k·log2(5) ≥ 60.
    let log2_m = (64 - m.leading_zeros()) as f64 - 1.0;
    let log2_5 = std::f64::consts::LOG2_10 - 1.0;
    if log2_m + f64::from(-e) * log2_5 < 60.0 {
        let _ = write!(out, "{x}");
        return;
    }
    let mut buf = ryu::Buffer::new();
    let r = buf.format_finite(x).as_bytes();
    let (neg, r) = match r.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, r),
    };
    // ryu writes "d.ddde±k", "ddd.ddd" or "0.000ddd": collect the significant digits and the
    // position of the decimal point relative to their start.
    let (mantissa, exp) = match r.iter().position(|&c| c == b'e') {
        Some(i) => {
            let e: i32 = std::str::from_utf8(&r[i + 1..])
                .ok()
                .and_then(|e| e.parse().ok())
                .unwrap_or(0);
            (&r[..i], e)
        }
        None => (r, 0),
    };
    // The significant digits, and where the point sits relative to their start.
    let mut digits = [0u8; 40];
    let mut n = 0;
    let mut pos = exp;
    let mut in_fraction = false;
    for &c in mantissa {
        if c == b'.' {
            in_fraction = true;
        } else if n == 0 && c == b'0' {
            // A leading zero: before the point it is nothing, after it moves the point left.
            if in_fraction {
                pos -= 1;
            }
        } else {
            digits[n] = c;
            n += 1;
            if !in_fraction {
                pos += 1;
            }
        }
    }
    // Trailing zeros ("1.0", "100.0") are not significant; those before the point are put
    // back by the layout below.
    while n > 1 && digits[n - 1] == b'0' {
        n -= 1;
    }
    if pos < -24 {
        // Tiny values need more leading zeros than the buffer below holds (and are rare).
        let _ = write!(out, "{x}");
        return;
    }
    // Laid out in a stack buffer and appended once. x < 2^53 here (e < 0), so at most 16 digits
    // precede the point; at most 24 zeros follow it before the digits.
    let mut w = [0u8; 64];
    let mut len = 0;
    let mut put = |c: u8| {
        w[len] = c;
        len += 1;
    };
    if neg {
        put(b'-');
    }
    let d = &digits[..n];
    if pos <= 0 {
        put(b'0');
        put(b'.');
        (0..-pos).for_each(|_| put(b'0'));
        d.iter().for_each(|&c| put(c));
    } else if pos as usize >= n {
        d.iter().for_each(|&c| put(c));
        (0..pos as usize - n).for_each(|_| put(b'0'));
    } else {
        d[..pos as usize].iter().for_each(|&c| put(c));
        put(b'.');
        d[pos as usize..].iter().for_each(|&c| put(c));
    }
    out.push_str(std::str::from_utf8(&w[..len]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(x: f64) -> String {
        if x.is_nan() {
            "NaN".into()
        } else if x == 0.0 {
            "0".into()
        } else {
            format!("{x}")
        }
    }

    #[test]
    fn push_num_writes_what_format_writes() {
        let special = [
            1.0,
            -1.0,
            0.1,
            0.3,
            1e-7,
            1.5e-300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            1e15,
            1e16,
            1e21,
            123456.789,
            0.000123,
            100.0,
            1e100,
            -2.5e-5,
            1.234e-24,
            1.234e-25,
            1.234e-26,
            7.1e-23,
            0.9677270901255179,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            0.0,
            -0.0,
            12000.0,
            3104.4,
        ];
        for x in special {
            assert_eq!(num(x), reference(x), "{x:e}");
        }
        // Random bit patterns over every exponent, and values near the outputs' own sizes.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..1_000_000 {
            let x = f64::from_bits(next());
            assert_eq!(num(x), reference(x), "bits {:#x}", x.to_bits());
            let y = (next() >> 11) as f64 / (1u64 << 53) as f64 * 1000.0;
            assert_eq!(num(y), reference(y), "{y:e}");
            // Few significant bits (halfway cases live here) and integers.
            let z = (next() >> 40) as f64 / f64::from(1u32 << (next() % 30) as u32);
            assert_eq!(num(z), reference(z), "{z:e}");
        }
    }
}
