//! The future event list: a binary heap ordered by (time, event class, insertion sequence), so
//! events at the same instant come out in a fixed class order and then first-in-first-out —
//! never in an order that depends on the heap's internals.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Simulated time in days since the start of the first fiscal year.
pub type SimTime = f64;

#[derive(Debug, Clone, Copy)]
pub struct Scheduled<E> {
    pub time: SimTime,
    pub class: u8,
    pub seq: u64,
    pub event: E,
}

impl<E: Eq> Ord for Scheduled<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and the earliest event must come out first.
        other
            .time
            .total_cmp(&self.time)
            .then(other.class.cmp(&self.class))
            .then(other.seq.cmp(&self.seq))
    }
}

impl<E: Eq> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<E: Eq> Eq for Scheduled<E> {}

impl<E: Eq> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Scheduled<E>>,
    seq: u64,
}

impl<E: Eq> EventQueue<E> {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            heap: BinaryHeap::with_capacity(n),
            seq: 0,
        }
    }

    pub fn clear(&mut self) {
        self.heap.clear();
        self.seq = 0;
    }

    pub fn push(&mut self, time: SimTime, class: u8, event: E) {
        self.seq += 1;
        self.heap.push(Scheduled {
            time,
            class,
            seq: self.seq,
            event,
        });
    }

    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        self.heap.pop()
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_class_then_fifo() {
        let mut q = EventQueue::with_capacity(8);
        q.push(2.0, 0, "late");
        q.push(1.0, 5, "b-class5-first");
        q.push(1.0, 1, "a-class1");
        q.push(1.0, 5, "c-class5-second");
        q.push(0.5, 9, "early");
        let out: Vec<&str> = std::iter::from_fn(|| q.pop().map(|s| s.event)).collect();
        assert_eq!(
            out,
            [
                "early",
                "a-class1",
                "b-class5-first",
                "c-class5-second",
                "late"
            ]
        );
    }
}
