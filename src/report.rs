//! `report.html`: one self-contained page for readers who never open a CSV file — an
//! executive summary written from the numbers, a table of the headline measures by level with
//! confidence intervals, every chart inline (SVG) with a caption saying how to read it, and
//! the run's provenance. No scripts, no external assets, no network; it prints well.

use std::fmt::Write;

use crate::charts::style::{self, HEADLINE, Measure};
use crate::charts::{ChartData, Rendered, partners};
use crate::metrics::Metric;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// One sentence of the executive summary, with the figures it quotes (display units) so
/// tests can check them against `summary.csv`.
#[derive(Debug, Clone)]
pub struct Finding {
    pub metric: Metric,
    pub level: f64,
    pub text: String,
}

/// "falls" / "rises" / "does not change detectably" from a paired difference and its CI.
fn verb(lo: f64, hi: f64, mean: f64) -> &'static str {
    if lo <= 0.0 && hi >= 0.0 {
        "does not change detectably"
    } else if mean < 0.0 {
        "falls"
    } else {
        "rises"
    }
}

/// The sentence for one headline measure at level position `l` (> 0).
pub fn finding(d: &ChartData, m: &Measure, l: usize) -> Option<Finding> {
    let base = d.summary(0, m.metric)?;
    let r = d.summary(l, m.metric)?;
    let v = verb(r.diff_ci95_lo, r.diff_ci95_hi, r.diff_mean);
    let lower = lower_first(m.name);
    // "the mean crisis response rate", but "the mean partner trust", not "the mean mean ...".
    let name = if lower.starts_with("mean ") {
        lower
    } else {
        format!("mean {lower}")
    };
    let text = if r.diff_ci95_lo == 0.0 && r.diff_ci95_hi == 0.0 {
        format!(
            "At {} of baseline the {name} is the same as at full budget in every trial: {}.",
            d.level_label(l),
            m.show(r.mean),
        )
    } else if v.starts_with("does not") {
        format!(
            "At {} of baseline the {name} {v}: {} against {} at full budget (paired difference {}, 95% CI {} to {}).",
            d.level_label(l),
            m.show(r.mean),
            m.show(base.mean),
            m.show_diff(r.diff_mean),
            m.show_diff_bare(r.diff_ci95_lo),
            m.show_diff_bare(r.diff_ci95_hi),
        )
    } else {
        format!(
            "At {} of baseline the {name} {v} from {} to {} (paired difference {}, 95% CI {} to {}); the median goes from {} to {}.",
            d.level_label(l),
            m.show(base.mean),
            m.show(r.mean),
            m.show_diff(r.diff_mean),
            m.show_diff_bare(r.diff_ci95_lo),
            m.show_diff_bare(r.diff_ci95_hi),
            m.show(base.p50),
            m.show(r.p50),
        )
    };
    Some(Finding {
        metric: m.metric,
        level: d.levels()[l],
        text,
    })
}

fn lower_first(s: &str) -> String {
    // Keep names that start with an acronym or a proper name ("Diplomatic Capacity Index").
    if s.split_whitespace()
        .nth(1)
        .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
    {
        return s.to_string();
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The executive summary, sentence by sentence.
pub fn summary_sentences(d: &ChartData) -> Vec<Finding> {
    let n = d.levels().len();
    let mut out = Vec::new();
    if n < 2 {
        return out;
    }
    let deepest = n - 1;
    // Crisis response at every cut level, so the reader sees how the loss grows, then the
    // other headline measures at the deepest cut.
    for l in 1..=deepest {
        out.extend(finding(d, &HEADLINE[0], l));
    }
    for m in &HEADLINE[1..] {
        out.extend(finding(d, m, deepest));
    }
    out
}

fn setup_paragraph(d: &ChartData) -> String {
    let m = &d.manifest;
    let n = d.levels().len();
    let (first, last) = d.fiscal_years();
    let levels: Vec<String> = (0..n)
        .map(|l| {
            if l == 0 {
                format!("{} (the baseline)", d.level_label(l))
            } else {
                d.level_label(l)
            }
        })
        .collect();
    format!(
        "This run compares {} budget level{} — {} of the baseline defence budget — over FY{first}–FY{last} ({} fiscal years), with {} Monte Carlo trials per level. Every trial meets the same crises and the same economy at every level, so the differences below are caused by the budget, not by luck. The cut: {}.",
        n,
        if n == 1 { "" } else { "s" },
        levels.join(", "),
        m.years,
        m.trials,
        d.cut_words()
    )
}

fn partner_sentence(d: &ChartData) -> Option<String> {
    let (name, base, deep) = partners::hardest_hit(d)?;
    let n = d.levels().len();
    let most = format!(
        "The partner that notices most is {}: its mean trust at the horizon is {:.3} at full budget and {:.3} at {} of baseline.",
        name,
        base,
        deep,
        d.level_label(n - 1)
    );
    let rank = crate::charts::notice::ranking(d);
    let first = match rank.first() {
        Some((who, Some(year))) => format!(
            " The first to notice is {who}: by the end of FY{year} its trust is more than {} below its full-budget trust (95% confidence); {} of {} partners notice within the horizon.",
            crate::charts::notice::NOTICE_DROP,
            rank.iter().filter(|(_, y)| y.is_some()).count(),
            rank.len()
        ),
        _ => String::new(),
    };
    Some(most + &first)
}

fn money_sentence(d: &ChartData) -> Option<String> {
    let n = d.levels().len();
    let base = d.summary(0, Metric::Unfunded)?.mean;
    let deep = d.summary(n - 1, Metric::Unfunded)?;
    let u = &d.manifest.money_unit;
    Some(format!(
        "Commitments the budget lines could not pay (training, posts, programmes, exercises, joint procurement) total {} {u} over the horizon at full budget and {} {u} at {} of baseline (95% CI {} to {}).",
        style::thousands(base),
        style::thousands(deep.mean),
        d.level_label(n - 1),
        style::thousands(deep.ci95_lo),
        style::thousands(deep.ci95_hi),
    ))
}

const CSS: &str = r#"
:root { --ink:#222; --muted:#5f5f5f; --rule:#ddd; --accent:#0072B2; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); margin: 0; line-height: 1.5; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.9rem; margin: 0 0 .3rem; line-height: 1.25; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 .6rem; padding-top: .6rem; border-top: 2px solid var(--rule); }
p.lead { color: var(--muted); margin: 0 0 1rem; }
section#summary { background: #f5f8fb; border-left: 5px solid var(--accent); padding: .8rem 1.2rem; }
section#summary ul { padding-left: 1.2rem; }
section#summary li { margin: .35rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; margin: .6rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: .35rem .5rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #999; }
td.level { text-align: right; }
td.ci { color: var(--muted); font-size: .85rem; white-space: nowrap; }
figure { margin: 1.6rem 0 2.2rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
figcaption { font-size: .93rem; color: #333; margin-top: .5rem; }
figcaption .file { color: var(--muted); font-size: .82rem; }
dl.prov { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; font-size: .9rem; }
dl.prov dt { color: var(--muted); }
dl.prov dd { margin: 0; word-break: break-all; }
nav ol { columns: 2; font-size: .95rem; }
code { font-size: .9em; }
@media print {
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  nav { display: none; }
  figure svg { border: none; }
  section#summary { background: none; }
}
"#;

/// The chart sections of the report, in order: id, heading, introduction.
const SECTIONS: [(&str, &str, &str); 6] = [
    (
        "capacity",
        "What each budget level keeps, and what the cut costs",
        "Means with 95% confidence intervals and paired differences from the baseline: the numbers to quote.",
    ),
    (
        "distributions",
        "How outcomes spread over trials",
        "The same measures as distributions: whether a cut hurts in most futures or only in unlucky ones.",
    ),
    (
        "years",
        "How fast capacity is lost, and whether it recovers",
        "Year-by-year medians with 50% and 90% bands; the cut's start is marked.",
    ),
    (
        "partners",
        "Which partners notice first",
        "End-of-horizon trust per partner, grouped by the kind of relationship, and the first year each partner's trust falls clearly below its full-budget trust.",
    ),
    (
        "money",
        "Where the money went",
        "Appropriations by budget line, what was left unspent or taken back, and the commitments the lines could not pay.",
    ),
    ("provenance", "", ""),
];

fn headline_table(d: &ChartData) -> String {
    let mut o = String::new();
    let n = d.levels().len();
    let _ = write!(
        o,
        "<table id=\"headline-table\"><thead><tr><th>measure</th><th>budget level</th><th>mean</th><th>95% CI of the mean</th><th>median</th><th>5th–95th percentile</th><th>paired difference from baseline</th><th>95% CI of the difference</th></tr></thead><tbody>"
    );
    for m in &HEADLINE {
        for l in 0..n {
            let Some(r) = d.summary(l, m.metric) else {
                continue;
            };
            let first = if l == 0 {
                format!("<th rowspan=\"{n}\">{}</th>", esc(m.name))
            } else {
                String::new()
            };
            let (diff, diff_ci) = if l == 0 {
                ("—".to_string(), String::new())
            } else {
                (
                    m.show_diff(r.diff_mean),
                    format!(
                        "{} to {}",
                        m.show_diff_bare(r.diff_ci95_lo),
                        m.show_diff_bare(r.diff_ci95_hi)
                    ),
                )
            };
            let _ = write!(
                o,
                "<tr>{first}<td class=\"level\">{}</td><td>{}</td><td class=\"ci\">{} to {}</td><td>{}</td><td class=\"ci\">{} to {}</td><td>{}</td><td class=\"ci\">{}</td></tr>",
                esc(&d.level_label(l)),
                esc(&m.show(r.mean)),
                esc(&m.show(r.ci95_lo)),
                esc(&m.show(r.ci95_hi)),
                esc(&m.show(r.p50)),
                esc(&m.show(r.p5)),
                esc(&m.show(r.p95)),
                esc(&diff),
                esc(&diff_ci),
            );
        }
    }
    o.push_str("</tbody></table>");
    o
}

fn provenance(d: &ChartData) -> String {
    let m = &d.manifest;
    let mut rows: Vec<(&str, String)> = vec![
        ("dipcap version", m.dipcap_version.clone()),
        ("scenario", m.scenario.clone()),
        ("scenario file", m.scenario_path.clone()),
        ("scenario SHA-256", m.scenario_sha256.clone()),
        ("seed", m.seed.to_string()),
        ("trials per level", m.trials.to_string()),
        (
            "budget levels",
            (0..d.levels().len())
                .map(|l| d.level_label(l))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("random number generator", m.generator.clone()),
        (
            "crates that decide the numbers",
            m.crates
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("threads", m.threads.to_string()),
        ("started", m.started.clone()),
        ("finished", m.finished.clone()),
        ("simulation time", format!("{:.2} s", m.wall_seconds)),
    ];
    if m.shards > 1 {
        rows.push((
            "shards",
            format!(
                "{} (run separately, put together with dipcap merge)",
                m.shards
            ),
        ));
    }
    rows.push((
        "reproduce",
        format!(
            "dipcap run {} --seed {} --trials {}",
            m.scenario_path, m.seed, m.trials
        ),
    ));
    let mut o = String::from("<dl class=\"prov\">");
    for (k, v) in rows {
        let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    o.push_str("</dl>");
    o
}

/// Makes a chart's SVG an accessible image labelled by its caption, sized by CSS.
fn inline_svg(svg: &str, caption_id: &str, title: &str) -> String {
    let opened = svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-labelledby=\"{caption_id}\" "),
        1,
    );
    // A <title> as the first child gives the chart a tooltip and a name in the page outline.
    match opened.find('>') {
        Some(i) => format!(
            "{}<title>{}</title>{}",
            &opened[..=i],
            esc(title),
            &opened[i + 1..]
        ),
        None => opened,
    }
}

/// The whole report.
pub fn html(d: &ChartData, charts: &[Rendered]) -> String {
    let m = &d.manifest;
    let mut o = String::new();
    let title = format!(
        "What a defence-budget cut does to diplomatic capacity: {}",
        m.scenario
    );
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"dipcap {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>",
        esc(&m.dipcap_version),
        esc(&title)
    );
    let _ = writeln!(o, "<h1>{}</h1>", esc(&title));
    let mut lead = Vec::new();
    if !m.country.is_empty() {
        lead.push(m.country.clone());
    }
    if !m.description.is_empty() {
        lead.push(m.description.clone());
    }
    lead.push(d.stamp());
    let _ = writeln!(o, "<p class=\"lead\">{}</p>", esc(&lead.join(" — ")));

    o.push_str("<section id=\"summary\">\n<h2 style=\"border:none;margin-top:0\">Summary</h2>\n");
    let _ = writeln!(o, "<p>{}</p>\n<ul>", esc(&setup_paragraph(d)));
    for f in summary_sentences(d) {
        let _ = writeln!(
            o,
            "<li data-metric=\"{}\" data-level=\"{}\">{}</li>",
            f.metric.name(),
            crate::output::num(f.level),
            esc(&f.text)
        );
    }
    for s in [partner_sentence(d), money_sentence(d)]
        .into_iter()
        .flatten()
    {
        let _ = writeln!(o, "<li>{}</li>", esc(&s));
    }
    o.push_str("</ul>\n<p>The Diplomatic Capacity Index is a weighted summary whose weights the scenario states; read it beside its components above, never alone. Confidence intervals are 95% intervals of the mean over trials (Student t); a paired difference compares each trial with itself at full budget.</p>\n</section>\n");

    o.push_str("<nav><h2>Contents</h2><ol>");
    o.push_str("<li><a href=\"#headline\">Headline measures by budget level</a></li>");
    for (id, heading, _) in SECTIONS.iter().filter(|s| !s.1.is_empty()) {
        let _ = write!(o, "<li><a href=\"#{id}\">{}</a></li>", esc(heading));
    }
    o.push_str("<li><a href=\"#provenance\">How this report was made</a></li></ol></nav>\n");

    o.push_str("<section id=\"headline\">\n<h2>Headline measures by budget level</h2>\n");
    let _ = writeln!(
        o,
        "<p>Over {} trials per level. Percentages are of crises decided, exercises planned and posts in the network; trust and the DCI are indices from 0 to 1. Differences of percentages are in percentage points.</p>",
        m.trials
    );
    o.push_str(&headline_table(d));
    o.push_str("\n</section>\n");

    let mut figure = 0;
    for (id, heading, intro) in SECTIONS.iter().filter(|s| !s.1.is_empty()) {
        let _ = writeln!(
            o,
            "<section id=\"{id}\">\n<h2>{}</h2>\n<p>{}</p>",
            esc(heading),
            esc(intro)
        );
        for c in charts.iter().filter(|c| c.spec.section == *id) {
            figure += 1;
            let cap_id = format!("fig-{}", c.spec.stem);
            let _ = writeln!(
                o,
                "<figure class=\"chart\" id=\"chart-{}\">\n{}\n<figcaption id=\"{cap_id}\"><strong>Figure {figure}.</strong> {} <span class=\"file\">(charts/{}.png, charts/{}.svg)</span></figcaption>\n</figure>",
                c.spec.stem,
                inline_svg(&c.svg, &cap_id, &c.spec.caption),
                esc(&c.spec.caption),
                c.spec.stem,
                c.spec.stem,
            );
        }
        o.push_str("</section>\n");
    }

    o.push_str("<section id=\"provenance\">\n<h2>How this report was made</h2>\n");
    o.push_str("<p>Every number here comes from the files beside this report: <code>summary.csv</code> (means, confidence intervals, percentiles, paired differences), <code>yearly.csv</code>, <code>percentiles.csv</code>, <code>partners.csv</code> and <code>trials.csv</code> (one row per level and trial). The same scenario file and seed reproduce them byte for byte, with any number of threads; <code>dipcap plot</code> redraws this report from those files. The model — every mechanism, its equation and the scenario keys that control it — is documented in <code>docs/MODEL.md</code> of the dipcap source.</p>\n");
    o.push_str(&provenance(d));
    o.push_str("\n</section>\n</main>\n</body>\n</html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn verbs_follow_the_interval() {
        assert_eq!(verb(-2.0, -1.0, -1.5), "falls");
        assert_eq!(verb(1.0, 2.0, 1.5), "rises");
        assert_eq!(verb(-1.0, 1.0, 0.1), "does not change detectably");
    }

    #[test]
    fn names_keep_proper_nouns() {
        assert_eq!(lower_first("Crisis response rate"), "crisis response rate");
        assert_eq!(
            lower_first("Diplomatic Capacity Index"),
            "Diplomatic Capacity Index"
        );
    }
}
