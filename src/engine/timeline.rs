//! The calendar of one trial (`docs/MODEL.md` section 1): the clock (now, fiscal year, monthly
//! ticks done), the future event list with its two pre-sorted side lists (crisis arrivals, this
//! fiscal year's ticks), and the event log that `dipcap trace` prints. Mechanisms schedule
//! events and write log lines through it; nothing else of a trial lives here.

use crate::engine::event::Event;
use crate::engine::queue::{EventQueue, order_key};
use crate::scenario::{DAYS_PER_YEAR, TICKS_PER_YEAR};

/// Days between two monthly ticks.
pub const TICK_DAYS: f64 = DAYS_PER_YEAR / TICKS_PER_YEAR as f64;

/// One line of a trial's event log.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceRow {
    pub time: f64,
    /// Fiscal year (0-based) the event belongs to; a year's closing events carry that year.
    pub year: usize,
    pub event: &'static str,
    pub subject: String,
    pub details: String,
}

/// The clock, the future event list and the event log of one trial.
#[derive(Debug)]
pub struct Timeline {
    /// The time of the event being handled, days since the start of the first fiscal year.
    pub now: f64,
    /// The fiscal year (0-based) opened last.
    pub year: usize,
    /// Monthly ticks of this fiscal year already handled.
    pub ticks_done: usize,
    queue: EventQueue<Event>,
    /// Crisis arrivals are known in advance: they wait in a sorted list beside the heap
    /// instead of in it, which keeps the heap small. Each has the sequence number it would
    /// have had if pushed at the start, so the order of events is exactly that of one heap.
    arrivals: Vec<(u128, u32)>,
    next_arrival: usize,
    /// This fiscal year's tick keys (the same idea as the arrivals) and the next one to fire.
    ticks: [u128; TICKS_PER_YEAR],
    next_tick: usize,
    /// The event log, kept only when tracing.
    pub log: Option<Vec<TraceRow>>,
    /// Events handled so far.
    pub events: u64,
    /// Units looked at so far when trying to deploy crises (every try looks at every unit,
    /// and a crisis waiting for units is tried again at every release): with `events`, the
    /// work the trial's bound counts ([`super::max_work`]).
    pub unit_checks: u64,
    /// Why the trial stopped before its horizon, if it did.
    pub aborted: Option<super::Abort>,
    /// The work this trial may do ([`super::max_work`]).
    bound: u64,
}

/// Appends a line to the event log of a [`Timeline`] when the trial is traced.
macro_rules! trace {
    ($tl:expr, $event:expr, $subject:expr, $($fmt:tt)*) => {
        if $tl.log.is_some() {
            // Only `dipcap trace` takes this branch: keep its formatting out of the hot path.
            std::hint::cold_path();
            let row = $crate::engine::TraceRow { time: $tl.now, year: $tl.year, event: $event, subject: $subject.to_string(), details: format!($($fmt)*) };
            if let Some(t) = $tl.log.as_mut() {
                t.push(row);
            }
        }
    };
}
pub(crate) use trace;

impl Timeline {
    /// An empty calendar at t = 0, with room for `capacity` scheduled events.
    pub fn new(capacity: usize, arrivals: usize, trace: bool) -> Self {
        Timeline {
            now: 0.0,
            year: 0,
            ticks_done: 0,
            queue: EventQueue::with_capacity(capacity),
            arrivals: Vec::with_capacity(arrivals),
            next_arrival: 0,
            ticks: [u128::MAX; TICKS_PER_YEAR],
            next_tick: TICKS_PER_YEAR,
            log: if trace { Some(Vec::new()) } else { None },
            events: 0,
            unit_checks: 0,
            aborted: None,
            bound: super::max_work(),
        }
    }

    /// Whether the trial must end now: [`super::STOP`] is set or the work bound is passed
    /// (`aborted` then says which). Looked at every few thousand events by the engine, and
    /// every few deployment tries by long searches, so a single event with a long waiting
    /// list cannot outlast a signal or the bound.
    pub fn must_stop(&mut self) -> bool {
        if self.aborted.is_some() {
            return true;
        }
        use std::sync::atomic::Ordering::Relaxed;
        if super::STOP.load(Relaxed) {
            self.aborted = Some(super::Abort::Stopped);
        } else if self.events + self.unit_checks > self.bound {
            self.aborted = Some(super::Abort::WorkBound);
            super::bound_passed();
        } else if super::lower_trial_passed() {
            self.aborted = Some(super::Abort::Abandoned);
        }
        self.aborted.is_some()
    }

    /// Schedules `event` at `time`.
    #[inline(always)]
    pub fn schedule(&mut self, time: f64, event: Event) {
        self.queue.push(time, event.class(), event);
    }

    /// Takes the next sequence number without scheduling anything (see [`Self::schedule_key`]).
    #[inline(always)]
    pub fn reserve_seq(&mut self) -> u64 {
        self.queue.reserve_seq()
    }

    /// Schedules an event under a key made with a sequence number taken earlier.
    #[inline(always)]
    pub fn schedule_key(&mut self, key: u128, event: Event) {
        self.queue.push_key(key, event);
    }

    /// The crisis arrivals of the whole trial, by arrival time, each under the sequence number
    /// it would have had if pushed now.
    pub fn set_arrivals(&mut self, times: impl Iterator<Item = f64>) {
        let class = Event::CrisisArrival(0).class();
        self.arrivals.clear();
        for (i, t) in times.enumerate() {
            let seq = self.queue.reserve_seq();
            self.arrivals.push((order_key(t, class, seq), i as u32));
        }
        self.arrivals.sort_unstable();
        self.next_arrival = 0;
    }

    /// Opens fiscal year `y`: its twelve monthly ticks wait beside the heap, like crisis
    /// arrivals, with the sequence numbers they would have had in it.
    pub fn open_year(&mut self, y: usize) {
        self.year = y;
        self.ticks_done = 0;
        let base = y as f64 * DAYS_PER_YEAR;
        let class = Event::Tick(0).class();
        for k in 0..TICKS_PER_YEAR {
            let seq = self.queue.reserve_seq();
            self.ticks[k] = order_key(base + k as f64 * TICK_DAYS, class, seq);
        }
        self.next_tick = 0;
    }

    /// Monthly ticks of this fiscal year not yet handled.
    pub fn remaining_ticks(&self) -> usize {
        TICKS_PER_YEAR - self.ticks_done
    }

    fn next_arrival_key(&self) -> u128 {
        self.arrivals
            .get(self.next_arrival)
            .map_or(u128::MAX, |a| a.0)
    }

    fn next_tick_key(&self) -> u128 {
        self.ticks.get(self.next_tick).copied().unwrap_or(u128::MAX)
    }

    /// The key of the next event of any source.
    pub fn next_key(&self) -> u128 {
        self.queue
            .peek_key()
            .unwrap_or(u128::MAX)
            .min(self.next_arrival_key())
            .min(self.next_tick_key())
    }

    /// Takes the next event of the three sorted sources (the heap, the arrivals and this
    /// year's ticks) and moves the clock to it. Keys are unique, so the choice is the one
    /// order. `arrival_time` gives a crisis's arrival time from its index.
    #[inline(always)]
    pub fn advance(&mut self, arrival_time: impl Fn(u32) -> f64) -> Option<Event> {
        let heap = self.queue.peek_key().unwrap_or(u128::MAX);
        let arrival = self.next_arrival_key();
        let tick = self.next_tick_key();
        let (time, event) = if arrival < heap && arrival < tick {
            let i = self.arrivals[self.next_arrival].1;
            self.next_arrival += 1;
            (arrival_time(i), Event::CrisisArrival(i))
        } else if tick < heap {
            let k = self.next_tick;
            self.next_tick += 1;
            (f64::from_bits((tick >> 64) as u64), Event::Tick(k as u32))
        } else {
            let ev = self.queue.pop()?;
            (ev.time, ev.event)
        };
        debug_assert!(time >= self.now, "events must come out in time order");
        self.now = time;
        self.events += 1;
        Some(event)
    }

    /// Whether an event at `time` with a sequence number taken earlier would be the very next
    /// one: then it can be handled at once, which is the same order without a trip through the
    /// queue. Otherwise it is scheduled and `false` returned. When `true`, the clock has moved
    /// to `time` and the event is counted.
    #[inline(always)]
    pub fn due_now_or_schedule(&mut self, time: f64, seq: u64, event: Event) -> bool {
        let key = order_key(time, event.class(), seq);
        if key < self.next_key() {
            self.now = time;
            self.events += 1;
            true
        } else {
            self.queue.push_key(key, event);
            false
        }
    }
}
