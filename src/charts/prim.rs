//! Scenario discovery: PRIM's peeling trajectory (coverage against density for every box on
//! the way, coloured by how many parameters the box restricts) with the chosen box marked,
//! and the chosen box written out as rules beside it.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::sensitivity::prim::PrimResult;

use super::style;
use super::sweep::SweepContext;
use super::{Draw, DrawResult, Key, frame};

pub struct PrimChart<'a> {
    pub ctx: &'a SweepContext<'a>,
    pub result: &'a PrimResult,
    pub rules: &'a [String],
}

fn restricted_colour(n: usize) -> RGBColor {
    const ORDER: [usize; 7] = [7, 0, 2, 1, 3, 4, 5];
    style::OKABE_ITO[ORDER[n.min(ORDER.len() - 1)]]
}

impl Draw for PrimChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let r = self.result;
        let d = self.ctx.sweep.discovery.as_ref();
        let cond = d.map_or(String::new(), |d| {
            format!("{} at {} of baseline", d.condition, self.ctx.level(d.level))
        });
        let max_restricted = r
            .trajectory
            .iter()
            .map(|b| b.restricted.iter().filter(|x| **x).count())
            .max()
            .unwrap_or(0);
        let mut keys: Vec<(Key, String)> = (0..=max_restricted.min(6))
            .map(|n| {
                (
                    Key::Dot(restricted_colour(n)),
                    format!(
                        "box restricting {n} parameter{}",
                        if n == 1 { "" } else { "s" }
                    ),
                )
            })
            .collect();
        keys.push((Key::Diamond(style::VERMILLION), "chosen box".into()));
        let area = frame(
            root,
            &format!("Where does {} hold? Scenario discovery (PRIM)", cond),
            &format!(
                "{} of {} design points meet the condition; each dot is a box on PRIM's peeling path, from all points (right) to the smallest box (left)",
                r.hits, r.points
            ),
            &keys,
            &self.ctx.stamp,
        )?;
        let w = area.dim_in_pixel().0 as i32;
        let (left, right) = area.split_horizontally(w * 58 / 100);
        let ymin = r.trajectory.iter().map(|b| b.density).fold(1.0, f64::min);
        let y0 = (ymin - 0.05).max(0.0);
        let mut chart = ChartBuilder::on(&left)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(70)
            .y_label_area_size(100)
            .build_cartesian_2d(0f64..1.02, y0..1.02)?;
        let pct = |v: &f64| format!("{:.0}%", v * 100.0);
        style::draw_axes(
            &mut chart,
            &style::Axes {
                grid: style::Grid::Both,
                x_labels: 11,
                x_fmt: &pct,
                x_desc: "coverage: points meeting the condition that lie in the box",
                y_labels: 11,
                y_fmt: &pct,
                y_desc: Some("density: points in the box that meet the condition"),
                tick: style::TICK,
                desc: style::NOTE,
            },
        )?;
        chart.draw_series(LineSeries::new(
            r.trajectory.iter().map(|b| (b.coverage, b.density)),
            style::LIGHT.stroke_width(2),
        ))?;
        for b in &r.trajectory {
            let n = b.restricted.iter().filter(|x| **x).count();
            chart.draw_series(std::iter::once(Circle::new(
                (b.coverage, b.density),
                7,
                restricted_colour(n).filled(),
            )))?;
        }
        if let Some(b) = r.trajectory.get(r.chosen) {
            chart.draw_series(std::iter::once(
                EmptyElement::at((b.coverage, b.density))
                    + super::diamond((0, 0), 15, style::VERMILLION)
                    + Text::new(
                        format!(
                            "coverage {:.0}%, density {:.0}%",
                            100.0 * b.coverage,
                            100.0 * b.density
                        ),
                        (-150, 22),
                        style::bold(style::NOTE),
                    ),
            ))?;
        }

        // The chosen box in words.
        let text = style::font(style::LEGEND);
        let mut y = 30;
        right.draw_text("The chosen box", &style::bold(style::LEGEND + 4.0), (20, y))?;
        y += 50;
        let mut lines: Vec<String> = Vec::new();
        if r.hits == 0 {
            lines.push("No design point meets the condition:".into());
            lines.push("widen the ranges or change the threshold.".into());
        } else if let Some(b) = r.trajectory.get(r.chosen) {
            lines.push(format!("{} points, {} meet the condition", b.count, b.hits));
            lines.push(format!(
                "coverage {:.1}%, density {:.1}%",
                100.0 * b.coverage,
                100.0 * b.density
            ));
            lines.push(String::new());
            if self.rules.is_empty() {
                lines.push("No restriction: the condition is spread".into());
                lines.push("over the whole parameter space.".into());
            } else {
                lines.push("The condition is most likely when".into());
                for (i, rule) in self.rules.iter().enumerate() {
                    lines.push(format!("{}{rule}", if i == 0 { "   " } else { "   AND " }));
                }
            }
        }
        for l in lines {
            right.draw_text(&l, &text, (20, y))?;
            y += 38;
        }
        Ok(())
    }
}
