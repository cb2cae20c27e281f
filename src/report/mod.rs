//! `report.html`: one self-contained page for readers who never open a CSV file — a bottom
//! line written from the numbers (`bottom_line`), a box on how to read the report, a table of
//! the headline measures by level with confidence intervals, every chart inline (SVG) with a
//! caption saying how to read it, and the run's provenance. No scripts, no external assets, no
//! network; its print stylesheet sets two charts to an A4 or Letter page with chart text of at
//! least 8 pt, and page numbers and the provenance stamp in the footer.

use std::fmt::Write;

pub mod bottom_line;

use crate::charts::style::{self, HEADLINE};
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

pub(crate) fn lower_first(s: &str) -> String {
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
        "Commitments the budget lines could not pay (training, posts, programmes, exercises, joint procurement) total {} {u} over the horizon at full budget and {} {u} at {} of baseline (95% CI {} to {}). {}",
        style::thousands(base),
        style::thousands(deep.mean),
        d.level_label(n - 1),
        style::thousands(deep.ci95_lo),
        style::thousands(deep.ci95_hi),
        crate::charts::money::unspent_words(d),
    ))
}

pub(crate) const CSS: &str = r#"
:root { --ink:#222; --muted:#5f5f5f; --rule:#ddd; --accent:#0072B2; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); margin: 0; line-height: 1.5; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.9rem; margin: 0 0 .8rem; line-height: 1.25; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 .6rem; padding-top: .6rem; border-top: 2px solid var(--rule); }
p.bottom-line { font-size: 1.2rem; line-height: 1.5; margin: 0 0 1rem; padding: .9rem 1.2rem; background: #f5f8fb; border-left: 6px solid var(--accent); }
p.lead { color: var(--muted); margin: 0 0 1rem; }
aside.how { border: 1px solid var(--rule); border-radius: 4px; padding: .2rem 1.2rem .6rem; margin: 1rem 0 1.5rem; font-size: .95rem; }
aside.how h2 { border: none; margin: .6rem 0 .2rem; padding: 0; font-size: 1.1rem; }
aside.how dt { font-weight: bold; margin-top: .5rem; }
aside.how dd { margin: 0; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em; margin: 0 .15em 0 .35em; border-radius: 2px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
section#summary ul { padding-left: 1.2rem; }
section#summary li, section ul.words li { margin: .35rem 0; }
#policies-table td { white-space: normal; }
p.policy-verdict { font-weight: bold; }
p.note { background: #f7f7f7; padding: .5rem .8rem; border-left: 4px solid #bbb; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; margin: .6rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: .35rem .5rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #999; }
td.level { text-align: right; white-space: nowrap; }
span.ci { color: var(--muted); font-size: .85em; white-space: nowrap; }
td { white-space: nowrap; }
figure { margin: 1.6rem 0 2.2rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
figcaption { font-size: .93rem; color: #333; margin-top: .5rem; }
figcaption .file { color: var(--muted); font-size: .82rem; }
dl.prov { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; font-size: .9rem; }
dl.prov dt { color: var(--muted); }
dl.prov dd { margin: 0; word-break: break-all; }
nav ol { columns: 2; font-size: .95rem; }
code { font-size: .9em; }
@media (max-width: 900px) {
  main { padding: 1.2rem .9rem 3rem; }
  table { font-size: .8rem; }
  th, td { padding: .3rem .3rem; }
  td { white-space: normal; }
  nav ol { columns: 1; }
}
@media (max-width: 520px) {
  h1 { font-size: 1.45rem; }
  p.bottom-line { font-size: 1.05rem; }
  dl.prov { grid-template-columns: 1fr; }
}
@media print {
  html { font-size: 9.5pt; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 17pt; }
  h2 { font-size: 12.5pt; margin: 3mm 0 1.5mm; padding-top: 1.5mm; break-after: avoid; page-break-after: avoid; }
  section > p { break-after: avoid; page-break-after: avoid; }
  p.bottom-line { font-size: 11.5pt; background: none; border-left-width: 4px; }
  aside.how { break-inside: avoid; }
  div.opener { break-inside: avoid; page-break-inside: avoid; }
  nav { display: none; }
  table { font-size: 8pt; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  th, td { padding: .6mm 1.5mm; }
  figure { margin: 0 0 3mm; }
  figure svg { border: none; height: PRINT_HEIGHTmm; width: auto; max-width: 100%; margin: 0 auto; }
  figcaption { font-size: 8pt; line-height: 1.25; margin-top: 1mm; }
  figcaption .file { display: none; }
  section#summary { background: none; }
  dl.prov { font-size: 8pt; }
}
"#;

/// The chart sections of the report, in order: id, heading, introduction.
const SECTIONS: [(&str, &str, &str); 6] = [
    (
        "capacity",
        "What each budget level keeps, and what the cut costs",
        "How each headline measure falls as the budget falls, in % of its full-budget value, and what the Diplomatic Capacity Index's loss is made of.",
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
        "<table id=\"headline-table\"><thead><tr><th>measure</th><th>budget level</th><th>mean <span class=\"ci\">(95% CI)</span></th><th>paired difference from baseline <span class=\"ci\">(95% CI)</span></th><th>median <span class=\"ci\">(5th–95th percentile)</span></th></tr></thead><tbody>"
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
            let diff = if l == 0 {
                "—".to_string()
            } else {
                format!(
                    "{} <span class=\"ci\">({} to {})</span>",
                    esc(&m.show_diff(r.diff_mean)),
                    esc(&m.show_diff_bare(r.diff_ci95_lo)),
                    esc(&m.show_diff_bare(r.diff_ci95_hi))
                )
            };
            let _ = write!(
                o,
                "<tr>{first}<td class=\"level\">{}</td><td>{} <span class=\"ci\">({} to {})</span></td><td>{diff}</td><td>{} <span class=\"ci\">({} to {})</span></td></tr>",
                esc(&d.level_label(l)),
                esc(&m.show(r.mean)),
                esc(&m.show(r.ci95_lo)),
                esc(&m.show(r.ci95_hi)),
                esc(&m.show(r.p50)),
                esc(&m.show(r.p5)),
                esc(&m.show(r.p95)),
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
pub(crate) fn inline_svg(svg: &str, caption_id: &str, title: &str) -> String {
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

/// "Which way of cutting loses least": the policies of `policies.csv` at the deepest level,
/// ranked by their paired difference in the DCI from the scenario as written, with the
/// channels' differences beside it. `None` when the run compared no policies.
fn policies_section(d: &ChartData, charts: &[Rendered]) -> Option<(String, String)> {
    let names = d.policy_names();
    let n = d.levels().len();
    if names.len() < 2 || n == 0 {
        return None;
    }
    let deep = n - 1;
    let at = d.level_label(deep);
    let mut ranked: Vec<(&str, f64)> = names
        .iter()
        .filter_map(|p| d.policy(p, deep, Metric::Dci).map(|r| (*p, r.diff_mean)))
        .collect();
    let reference = crate::scenario::policy::AS_WRITTEN;
    // Largest difference first; a NaN last; on a tie the scenario as written first, so a
    // policy is named only when it keeps more.
    let key = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    ranked.sort_by(|a, b| {
        key(b.1)
            .total_cmp(&key(a.1))
            .then((b.0 == reference).cmp(&(a.0 == reference)))
            .then(a.0.cmp(b.0))
    });
    let dci = HEADLINE.iter().find(|m| m.metric == Metric::Dci)?;
    let (best, _) = *ranked.first()?;
    let sentence = if best == reference {
        format!(
            "None of the {} other ways of cutting compared keeps a higher Diplomatic Capacity Index at {at} of baseline than the scenario as written.",
            names.len() - 1
        )
    } else {
        let r = d.policy(best, deep, Metric::Dci)?;
        let base = d.policy(reference, deep, Metric::Dci)?;
        let clear = if r.diff_ci95_lo > 0.0 {
            "clearly (the 95% CI excludes zero)"
        } else {
            "but not clearly (the 95% CI includes zero)"
        };
        format!(
            "Of the {} ways of cutting compared with the scenario as written, \"{best}\" loses least at {at} of baseline: its DCI is {} against {} as written, a paired difference of {} (95% CI {} to {}) on the same trials — {clear}.",
            names.len() - 1,
            dci.show(r.mean),
            dci.show(base.mean),
            dci.show_diff(r.diff_mean),
            dci.show_diff_bare(r.diff_ci95_lo),
            dci.show_diff_bare(r.diff_ci95_hi),
        )
    };
    let mut o = String::new();
    let _ = write!(
        o,
        "<section id=\"policies\">\n<h2>Which way of cutting loses least</h2>\n<p>Each way of cutting is run on the same trials as the scenario as written; the table gives its paired difference from it at {} of baseline, each with its 95% confidence interval. Positive numbers mean the policy keeps more. Every level and metric is in <code>policies.csv</code>.</p>\n<p class=\"policy-verdict\">{}</p>\n<div class=\"table-wrap\"><table id=\"policies-table\"><thead><tr><th>way of cutting</th>",
        esc(&at),
        esc(&sentence)
    );
    for m in &HEADLINE {
        let _ = write!(o, "<th>{}</th>", esc(m.name));
    }
    o.push_str("</tr></thead><tbody>");
    for (p, _) in &ranked {
        let _ = write!(o, "<tr><th>{}</th>", esc(p));
        for m in &HEADLINE {
            let cell = match d.policy(p, deep, m.metric) {
                Some(r) if *p == reference => format!(
                    "{} <span class=\"ci\">(as written)</span>",
                    esc(&m.show(r.mean))
                ),
                Some(r) => format!(
                    "{} <span class=\"ci\">({} to {})</span>",
                    esc(&m.show_diff(r.diff_mean)),
                    esc(&m.show_diff_bare(r.diff_ci95_lo)),
                    esc(&m.show_diff_bare(r.diff_ci95_hi))
                ),
                None => "—".into(),
            };
            let _ = write!(o, "<td>{cell}</td>");
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>\n");
    // What each way of cutting is, in the words of the scenario and the levers it sets.
    if !d.manifest.policies.is_empty() {
        o.push_str("<ul class=\"words\" id=\"policies-what\">");
        for p in &d.manifest.policies {
            let _ = write!(
                o,
                "<li><strong>{}</strong>{}: <code>{}</code></li>",
                esc(&p.name),
                if p.description.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", esc(&p.description))
                },
                esc(&p.set.join("; "))
            );
        }
        o.push_str("</ul>\n");
    }
    // The section comes after every other chart of the report: its figures are numbered on.
    let mut figure = charts
        .iter()
        .filter(|c| !c.spec.section.is_empty() && c.spec.section != "policies")
        .count();
    for c in charts.iter().filter(|c| c.spec.section == "policies") {
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
    Some((sentence, o))
}

/// Escapes text for a CSS string in double quotes.
fn css_string(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                o.push('\\');
                o.push(c);
            }
            '\n' | '\r' => o.push(' '),
            _ => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The page box for print: margins, and in the footer the provenance stamp and page numbers.
fn page_css(d: &ChartData) -> String {
    page_css_for(&d.stamp())
}

/// The page box for print with `stamp` in the footer.
pub(crate) fn page_css_for(stamp: &str) -> String {
    format!(
        "@page {{ margin: 10mm 12mm 14mm; @bottom-left {{ content: {}; font: 6.5pt \"DejaVu Sans\", Arial, sans-serif; color: #5f5f5f; }} @bottom-right {{ content: \"page \" counter(page) \" of \" counter(pages); font: 7pt \"DejaVu Sans\", Arial, sans-serif; color: #5f5f5f; }} }}",
        css_string(stamp)
    )
}

/// The names of the level colours, in level order, for the "How to read" box.
const LEVEL_COLOUR_NAMES: [&str; 7] = [
    "blue",
    "green",
    "orange",
    "vermillion",
    "purple",
    "sky blue",
    "black",
];

fn swatch(c: plotters::style::RGBColor) -> String {
    format!(
        "<span class=\"swatch\" style=\"background:#{:02x}{:02x}{:02x}\"></span>",
        c.0, c.1, c.2
    )
}

/// "How to read this report", for readers who have not met Monte Carlo results before.
fn how_to_read(d: &ChartData) -> String {
    let n = d.levels().len();
    let colours: Vec<String> = (0..n)
        .map(|l| {
            format!(
                "{}{} {}",
                swatch(style::level_colour(l, n)),
                esc(LEVEL_COLOUR_NAMES[l % LEVEL_COLOUR_NAMES.len()]),
                esc(&d.level_label(l))
            )
        })
        .collect();
    format!(
        "<aside class=\"how\" id=\"how-to-read\"><h2>How to read this report</h2><dl>\
<dt>Budget level</dt><dd>A share of the baseline defence budget: {} means every year's budget is {} of what it would otherwise have been ({}). 100% is the baseline everything is compared with.</dd>\
<dt>Trials, and “paired with the same crises”</dt><dd>Each trial is one possible future: its crises, the economy and partners' reactions are drawn at random. Every budget level lives through the same {} futures, so a difference between levels is caused by the budget, not by luck, and a small difference can be measured reliably. A “paired difference” compares each future with itself at full budget.</dd>\
<dt>Intervals and bands</dt><dd>A 95% confidence interval (CI) says how precisely the trials pin down an average; more trials make it narrower. It is not the range of outcomes: the shaded bands and boxes show that — the middle half of the trials, and 90% of them.</dd>\
<dt>Colours and order</dt><dd>In every chart colour means budget level, and levels always run from full budget to the deepest cut (left to right, or top to bottom):{}. Measures and budget lines are told apart by other colours, shapes and labels.</dd>\
<dt>A cliff</dt><dd>A level below which each further point of cut costs clearly more — at least {}× as much per point as the step before, beyond Monte Carlo noise.</dd>\
</dl></aside>\n",
        esc(&d.level_label(n - 1)),
        esc(&d.level_label(n - 1)),
        esc(&d.cut_words()),
        d.manifest.trials,
        colours.join(","),
        bottom_line::CLIFF_RATIO
    )
}

/// The whole report.
pub fn html(d: &ChartData, charts: &[Rendered]) -> String {
    let m = &d.manifest;
    let mut o = String::new();
    let title = format!(
        "What a defence-budget cut does to diplomatic capacity: {}",
        m.scenario
    );
    let css = CSS.replace("PRINT_HEIGHTmm", &format!("{}mm", style::PRINT_HEIGHT_MM));
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"dipcap {}\">\n<title>{}</title>\n<style>{css}{}\n</style>\n</head>\n<body>\n<main>",
        esc(&m.dipcap_version),
        esc(&title),
        page_css(d)
    );
    let _ = writeln!(o, "<h1>{}</h1>", esc(&title));
    let bl = bottom_line::bottom_line(d);
    let (metric, level) = bl
        .ranked
        .first()
        .filter(|e| e.detectable)
        .map_or((String::new(), String::new()), |e| {
            (e.metric.name().to_string(), crate::output::num(e.level))
        });
    let _ = writeln!(
        o,
        "<p class=\"bottom-line\" id=\"bottom-line\" data-metric=\"{metric}\" data-level=\"{level}\"><strong>Bottom line.</strong> {}</p>",
        esc(&bl.text)
    );
    let mut lead = Vec::new();
    if !m.country.is_empty() {
        lead.push(m.country.clone());
    }
    if !m.description.is_empty() {
        lead.push(m.description.clone());
    }
    lead.push(d.stamp());
    let _ = writeln!(o, "<p class=\"lead\">{}</p>", esc(&lead.join(" — ")));
    o.push_str(&how_to_read(d));

    let unvarying = bottom_line::unvarying(d);
    let policies = policies_section(d, charts);
    o.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    let _ = writeln!(o, "<p>{}</p>\n<ul>", esc(&setup_paragraph(d)));
    for s in [
        partner_sentence(d),
        money_sentence(d),
        policies.as_ref().map(|p| p.0.clone()),
    ]
    .into_iter()
    .flatten()
    .chain(unvarying.iter().map(|u| u.2.clone()))
    {
        let _ = writeln!(o, "<li>{}</li>", esc(&s));
    }
    o.push_str("</ul>\n<p>The Diplomatic Capacity Index is a weighted summary whose weights the scenario states; read it beside its components, never alone. The table below gives every headline figure with its confidence interval, median and spread.</p>\n</section>\n");

    o.push_str("<nav><h2>Contents</h2><ol>");
    o.push_str("<li><a href=\"#headline\">Headline measures by budget level</a></li>");
    for (id, heading, _) in SECTIONS.iter().filter(|s| !s.1.is_empty()) {
        let _ = write!(o, "<li><a href=\"#{id}\">{}</a></li>", esc(heading));
    }
    if policies.is_some() {
        o.push_str("<li><a href=\"#policies\">Which way of cutting loses least</a></li>");
    }
    o.push_str("<li><a href=\"#provenance\">How this report was made</a></li></ol></nav>\n");

    o.push_str("<section id=\"headline\">\n<h2>Headline measures by budget level</h2>\n");
    let _ = writeln!(
        o,
        "<p>Over {} trials per level. Percentages are of crises decided, exercises planned and posts in the network; trust and the DCI are indices from 0 to 1. Differences of percentages are in percentage points.</p>",
        m.trials
    );
    o.push_str("<div class=\"table-wrap\">");
    o.push_str(&headline_table(d));
    o.push_str("</div>\n</section>\n");

    let mut figure = 0;
    for (id, heading, intro) in SECTIONS.iter().filter(|s| !s.1.is_empty()) {
        // The heading, its introduction and the first chart are kept on one printed page.
        let _ = writeln!(
            o,
            "<section id=\"{id}\">\n<div class=\"opener\">\n<h2>{}</h2>\n<p>{}</p>",
            esc(heading),
            esc(intro)
        );
        let mut opened = true;
        if *id == "capacity" {
            let _ = writeln!(
                o,
                "<p>Each measure's own chart of level means and paired differences is in the charts folder (<code>charts/capacity-*.png</code>); the table above gives the same numbers.</p>"
            );
        }
        // Where a measure's charts were left out, say why, in the section they would be in.
        let dropped: Vec<&String> = unvarying
            .iter()
            .filter(|(_, spread, _)| match *id {
                "capacity" => *spread == crate::charts::Spread::Constant,
                "distributions" => true,
                _ => false,
            })
            .map(|u| &u.2)
            .collect();
        for text in dropped {
            let _ = writeln!(o, "<p class=\"note\">{}</p>", esc(text));
        }
        if *id == "years" {
            for fan in style::FAN.iter().filter(|f| d.yearly_constant(f.metric)) {
                let v = d.yearly(0, fan.metric).first().map_or(f64::NAN, |r| r.p50);
                let _ = writeln!(
                    o,
                    "<p class=\"note\">{} is {} at the end of every year, in every trial and at every level, so it has no chart over the years.</p>",
                    esc(fan.name),
                    esc(&fan.show(v))
                );
            }
        }
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
            if opened {
                o.push_str("</div>\n");
                opened = false;
            }
        }
        if opened {
            o.push_str("</div>\n");
        }
        o.push_str("</section>\n");
    }

    if let Some((_, section)) = &policies {
        o.push_str(section);
    }
    o.push_str("<section id=\"provenance\">\n<h2>How this report was made</h2>\n");
    // A `--format parquet` folder holds the same tables under other names.
    let (yearly, trials) = match d.manifest.format.as_deref() {
        Some("parquet") => ("yearly.parquet", "trials/</code> (Parquet, "),
        _ => ("yearly.csv", "trials.csv</code> ("),
    };
    o.push_str(&format!("<p>Every number here comes from the files beside this report: <code>summary.csv</code> (means, confidence intervals, percentiles, paired differences), <code>{yearly}</code>, <code>percentiles.csv</code>, <code>partners.csv</code> and <code>{trials}one row per level and trial). The same scenario file and seed reproduce them byte for byte, with any number of threads; <code>dipcap plot</code> redraws this report from those files. The model — every mechanism, its equation and the scenario keys that control it — is documented in <code>docs/MODEL.md</code> of the dipcap source.</p>\n"));
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
    fn names_keep_proper_nouns() {
        assert_eq!(lower_first("Crisis response rate"), "crisis response rate");
        assert_eq!(
            lower_first("Diplomatic Capacity Index"),
            "Diplomatic Capacity Index"
        );
    }
}
