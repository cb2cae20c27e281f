//! Presence abroad (`docs/MODEL.md` section 5): attaché posts — which are open, closing and
//! reopening under the engagement line's plan, their monthly cost, and what an open post does
//! (slower trust decay, attaché trust gains, earlier crisis warning in its region). Keys:
//! `posts[].*`. Touches the ledger (engagement line) and partners (the posts open with each).

use crate::engine::{Event, Timeline, trace};
use crate::model::budget;
use crate::model::ledger::{Ledger, MONEY_EPS};
use crate::model::outcomes::Tally;
use crate::model::partners::Partners;
use crate::model::sorted_by_priority;
use crate::scenario::{Line, PostClosure, Scenario, TICKS_PER_YEAR};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PostStatus {
    Open,
    Reopening,
    Closed,
}

#[derive(Debug)]
pub struct Presence {
    posts: Vec<PostStatus>,
    /// Post indices in funding order (priority, then as listed).
    order: Vec<usize>,
}

impl Presence {
    pub fn new(s: &Scenario) -> Self {
        Presence {
            posts: vec![PostStatus::Closed; s.posts.len()],
            order: sorted_by_priority(&s.posts, |p| p.priority),
        }
    }

    /// Posts start open: the scenario describes today's network.
    pub fn open_all(&mut self, s: &Scenario, partners: &mut Partners, now: f64) {
        for p in 0..s.posts.len() {
            self.posts[p] = PostStatus::Open;
            partners.post_opened(s, s.posts[p].partner, now);
        }
    }

    /// Posts open now.
    pub fn open(&self) -> usize {
        self.posts
            .iter()
            .filter(|p| **p == PostStatus::Open)
            .count()
    }

    /// What keeping every post for the fraction `rem` of the year left would cost, with the
    /// reopening cost of each closed post (the posts' share of the engagement plan).
    pub fn plan_cost(&self, s: &Scenario, year: usize, rem: f64) -> f64 {
        let price = budget::cost_index(s, year);
        s.posts
            .iter()
            .zip(&self.posts)
            .map(|(p, st)| {
                let reopen = if *st == PostStatus::Closed {
                    p.reopen_cost
                } else {
                    0.0
                };
                (p.annual_cost * rem + reopen) * price
            })
            .sum()
    }

    /// Funds posts from `money` (what the engagement line has left in its plan) for the fraction
    /// `rem` of the year left, in priority order (`budget.post_closure`): under `priority`, once
    /// one post cannot be paid it and every lower one close; under `fill`, a post that does not
    /// fit closes and lower posts that fit in what is left stay open. A closed post that is
    /// funded pays its reopening cost now and opens after `reopen_days`.
    pub fn plan(
        &mut self,
        s: &Scenario,
        ledger: &mut Ledger,
        partners: &mut Partners,
        tl: &mut Timeline,
        money: &mut f64,
        rem: f64,
    ) {
        let mut funding = true;
        let price = budget::cost_index(s, tl.year);
        for idx in 0..self.order.len() {
            let p = self.order[idx];
            let post = &s.posts[p];
            let reopen = if self.posts[p] == PostStatus::Closed {
                post.reopen_cost * price
            } else {
                0.0
            };
            let cost = post.annual_cost * price * rem + reopen;
            if funding && cost <= *money + MONEY_EPS {
                *money -= cost;
                if self.posts[p] == PostStatus::Closed {
                    ledger.spend(Line::Engagement, reopen);
                    self.posts[p] = PostStatus::Reopening;
                    tl.schedule(tl.now + post.reopen_days, Event::PostOpen(p as u32));
                    trace!(
                        tl,
                        "post_reopening",
                        s.partners[post.partner].name.clone(),
                        "reopening paid ({:.2}); open on day {:.0}",
                        reopen,
                        tl.now + post.reopen_days
                    );
                }
            } else {
                funding = s.budget.post_closure == PostClosure::Fill;
                if self.posts[p] != PostStatus::Closed {
                    if self.posts[p] == PostStatus::Open {
                        partners.post_closed(s, post.partner, tl.now);
                    } else {
                        // A reopening post never counted as presence; its partner is still
                        // brought up to date here, as the model always did.
                        partners.touch(s, post.partner, tl.now);
                    }
                    self.posts[p] = PostStatus::Closed;
                    trace!(
                        tl,
                        "post_closed",
                        s.partners[post.partner].name.clone(),
                        "engagement line cannot pay {:.2} for the rest of the year",
                        cost
                    );
                }
            }
        }
    }

    /// What the open and reopening posts will cost over the `months` left of the year, this
    /// one included (reprogramming's engagement outlook).
    pub fn outlook(&self, s: &Scenario, year: usize, months: usize) -> f64 {
        let frac = budget::cost_index(s, year) * months as f64 / TICKS_PER_YEAR as f64;
        s.posts
            .iter()
            .zip(&self.posts)
            .filter(|(_, st)| **st != PostStatus::Closed)
            .map(|(p, _)| p.annual_cost * frac)
            .sum()
    }

    /// `PostOpen(p)`: a reopening post opens.
    pub fn reopened(&mut self, s: &Scenario, p: usize, partners: &mut Partners, tl: &mut Timeline) {
        if self.posts[p] == PostStatus::Reopening {
            let partner = s.posts[p].partner;
            self.posts[p] = PostStatus::Open;
            partners.post_opened(s, partner, tl.now);
            trace!(
                tl,
                "post_open",
                s.partners[partner].name.clone(),
                "post reopened"
            );
        }
    }

    /// A tick's payments: open and reopening posts are paid from engagement; a closed post's
    /// cost is an unfunded commitment.
    pub fn pay_month(&self, s: &Scenario, ledger: &mut Ledger) {
        let frac = budget::cost_index(s, ledger.current_year()) / TICKS_PER_YEAR as f64;
        for p in 0..s.posts.len() {
            let cost = s.posts[p].annual_cost * frac;
            if self.posts[p] != PostStatus::Closed {
                let paid = ledger.spend(Line::Engagement, cost);
                ledger.unfunded(Line::Engagement, cost - paid);
            } else {
                ledger.unfunded(Line::Engagement, cost);
            }
        }
    }

    /// The month's share of posts open, tallied after the partners' accrual.
    pub fn tally_month(&self, s: &Scenario, tally: &mut Tally) {
        if !s.posts.is_empty() {
            tally.posts_share_month(self.open() as f64 / s.posts.len() as f64);
        }
    }

    /// Presence in the region shortens the warning time: the smallest `detection_factor` of the
    /// open posts in `region`, or 1.
    #[inline(always)]
    pub fn detection_factor(&self, s: &Scenario, region: usize) -> f64 {
        s.posts
            .iter()
            .enumerate()
            .filter(|(p, post)| {
                self.posts[*p] == PostStatus::Open && s.partners[post.partner].region == region
            })
            .map(|(_, post)| post.detection_factor)
            .fold(1.0, f64::min)
    }
}
