//! Partners: trust and interoperability (`docs/MODEL.md` section 4). Each partner's trust and
//! interoperability relax toward their floors between events (trust more slowly while the
//! country has a post there) and move by the gains and losses the other mechanisms report.
//! Keys: `trust.*`, `interoperability.*`, `partners[].*`. Touches nothing else: presence,
//! exercises, programmes, the alliance, joint procurement and crises act on partners only
//! through the methods here.

use crate::model::dynamics::{gain, loss, relax};
use crate::model::exp::exp;
use crate::scenario::{PartnerKind, Scenario, TICKS_PER_YEAR};

#[derive(Debug, Clone, Copy)]
struct PartnerState {
    trust: f64,
    interop: f64,
    /// When trust and interoperability were last brought up to date.
    last: f64,
    /// The country's open posts with this partner (presence slows the decay of trust).
    posts_open: u32,
}

#[derive(Debug)]
pub struct Partners {
    states: Vec<PartnerState>,
}

/// What the partners think of the country at one instant.
#[derive(Debug, Clone, Copy)]
pub struct PartnerSummary {
    pub trust_mean: f64,
    /// Importance-weighted.
    pub trust_weighted: f64,
    pub trust_min: f64,
    /// Importance-weighted.
    pub interoperability: f64,
}

impl Partners {
    pub fn new(s: &Scenario) -> Self {
        Partners {
            states: s
                .partners
                .iter()
                .map(|p| PartnerState {
                    trust: p.trust,
                    interop: p.interoperability,
                    last: 0.0,
                    posts_open: 0,
                })
                .collect(),
        }
    }

    /// Lets trust and interoperability relax toward their floors up to `now`. Presence abroad
    /// (an open post) makes trust decay `presence_decay_factor` times more slowly.
    #[inline(always)]
    pub fn touch(&mut self, s: &Scenario, p: usize, now: f64) {
        let st = &mut self.states[p];
        let dt = now - st.last;
        if dt > 0.0 {
            let tau = s.trust.decay_days
                * if st.posts_open > 0 {
                    s.trust.presence_decay_factor
                } else {
                    1.0
                };
            st.trust = relax(st.trust, s.trust.floor, dt, tau).clamp(0.0, 1.0);
            st.interop =
                relax(st.interop, s.interop.floor, dt, s.interop.decay_days).clamp(0.0, 1.0);
            st.last = now;
        }
    }

    /// Brings every partner up to `now`.
    pub fn touch_all(&mut self, s: &Scenario, now: f64) {
        for p in 0..self.states.len() {
            self.touch(s, p, now);
        }
    }

    pub fn trust(&self, p: usize) -> f64 {
        self.states[p].trust
    }

    #[inline]
    pub fn interoperability(&self, p: usize) -> f64 {
        self.states[p].interop
    }

    #[inline]
    pub fn gain_trust(&mut self, s: &Scenario, p: usize, g: f64, now: f64) {
        self.touch(s, p, now);
        self.states[p].trust = gain(self.states[p].trust, g);
    }

    #[inline]
    pub fn lose_trust(&mut self, s: &Scenario, p: usize, l: f64, now: f64) {
        self.touch(s, p, now);
        self.states[p].trust = loss(self.states[p].trust, l);
    }

    pub fn gain_interoperability(&mut self, s: &Scenario, p: usize, g: f64, now: f64) {
        self.touch(s, p, now);
        self.states[p].interop = gain(self.states[p].interop, g);
    }

    pub fn lose_interoperability(&mut self, s: &Scenario, p: usize, l: f64, now: f64) {
        self.touch(s, p, now);
        self.states[p].interop = loss(self.states[p].interop, l);
    }

    /// Every ally's trust falls by `l` (the pledge missed).
    pub fn allies_lose_trust(&mut self, s: &Scenario, l: f64, now: f64) {
        for (p, partner) in s.partners.iter().enumerate() {
            if partner.kind == PartnerKind::Ally {
                self.lose_trust(s, p, l, now);
            }
        }
    }

    /// A crisis in partner `affected`'s country answered (`helped`) or not: its trust moves by
    /// `amount`, and that of every other partner in its region by `amount × regional_spillover`.
    #[inline]
    pub fn crisis_decided(
        &mut self,
        s: &Scenario,
        affected: usize,
        helped: bool,
        amount: f64,
        now: f64,
    ) {
        let change = |ps: &mut Self, p: usize, x: f64| {
            if helped {
                ps.gain_trust(s, p, x, now)
            } else {
                ps.lose_trust(s, p, x, now)
            }
        };
        change(self, affected, amount);
        for p in 0..s.partners.len() {
            if p != affected && s.partners[p].region == s.partners[affected].region {
                change(self, p, amount * s.trust.regional_spillover);
            }
        }
    }

    /// A post with partner `p` opened (`+1`) or closed (`-1`); trust is brought up to date first,
    /// since the decay rate changes.
    pub fn post_opened(&mut self, s: &Scenario, p: usize, now: f64) {
        self.touch(s, p, now);
        self.states[p].posts_open += 1;
    }

    pub fn post_closed(&mut self, s: &Scenario, p: usize, now: f64) {
        self.touch(s, p, now);
        self.states[p].posts_open -= 1;
    }

    /// A tick's accrual: trust grows with attachés (an open post) and programme money (at the
    /// annual `programme_rate[p]`, with diminishing returns), interoperability with joint
    /// equipment (`joint[p]`).
    pub fn accrue_month(&mut self, s: &Scenario, programme_rate: &[f64], joint: &[bool], now: f64) {
        let t = &s.trust;
        let frac = 1.0 / TICKS_PER_YEAR as f64;
        for (p, rate) in programme_rate.iter().enumerate() {
            self.touch(s, p, now);
            let st = &mut self.states[p];
            if st.posts_open > 0 {
                st.trust = gain(st.trust, t.attache_gain * frac);
            }
            if *rate > 0.0 {
                // Diminishing returns: the yearly gain saturates as money grows past `programme_saturation`.
                let g = t.programme_gain * (1.0 - exp(-rate / t.programme_saturation));
                st.trust = gain(st.trust, g * frac);
            }
            if joint[p] {
                st.interop = gain(st.interop, s.interop.joint_procurement_gain * frac);
            }
        }
    }

    /// Mean, importance-weighted and minimum trust, and importance-weighted interoperability.
    pub fn summary(&self, s: &Scenario) -> PartnerSummary {
        let n = self.states.len();
        if n == 0 {
            return PartnerSummary {
                trust_mean: 1.0,
                trust_weighted: 1.0,
                trust_min: 1.0,
                interoperability: 1.0,
            };
        }
        let total_imp: f64 = s.partners.iter().map(|p| p.importance).sum();
        let weight = |i: usize| {
            if total_imp > 0.0 {
                s.partners[i].importance / total_imp
            } else {
                1.0 / n as f64
            }
        };
        let tm = self.states.iter().map(|p| p.trust).sum::<f64>() / n as f64;
        let tw = (0..n).map(|i| weight(i) * self.states[i].trust).sum();
        let tmin = self
            .states
            .iter()
            .map(|p| p.trust)
            .fold(f64::INFINITY, f64::min);
        let iw = (0..n).map(|i| weight(i) * self.states[i].interop).sum();
        PartnerSummary {
            trust_mean: tm,
            trust_weighted: tw,
            trust_min: tmin,
            interoperability: iw,
        }
    }

    /// End-of-horizon trust and interoperability, per partner.
    /// Appends every partner's trust and interoperability now (a year end), in partner order.
    pub fn record(&self, trust: &mut Vec<f64>, interop: &mut Vec<f64>) {
        trust.extend(self.states.iter().map(|p| p.trust));
        interop.extend(self.states.iter().map(|p| p.interop));
    }

    pub fn finals(&self) -> (Vec<f64>, Vec<f64>) {
        (
            self.states.iter().map(|p| p.trust).collect(),
            self.states.iter().map(|p| p.interop).collect(),
        )
    }
}
