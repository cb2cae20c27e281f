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

/// The order of an event as one integer: time (non-negative, so its IEEE bits sort as the
/// numbers do), then class, then sequence. One `u128` comparison instead of three.
pub fn order_key(time: SimTime, class: u8, seq: u64) -> u128 {
    // + 0.0 turns a -0.0 into +0.0, whose bits sort first.
    let bits = (time + 0.0).to_bits();
    (u128::from(bits) << 64) | (u128::from(class) << 56) | u128::from(seq & ((1 << 56) - 1))
}

#[derive(Debug, Clone, Copy)]
struct Entry<E> {
    key: u128,
    event: E,
}

impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and the earliest event must come out first.
        // Keys are unique (the sequence number), so events are never compared.
        other.key.cmp(&self.key)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
}

impl<E: Copy> EventQueue<E> {
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

    /// Takes the next sequence number without scheduling anything (for events kept outside
    /// the heap that must still tie-break as if they had been pushed now).
    pub fn reserve_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn push(&mut self, time: SimTime, class: u8, event: E) {
        self.seq += 1;
        self.heap.push(Entry {
            key: order_key(time, class, self.seq),
            event,
        });
    }

    /// The key of the next event, if any.
    pub fn peek_key(&self) -> Option<u128> {
        self.heap.peek().map(|e| e.key)
    }

    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        self.heap.pop().map(|e| Scheduled {
            time: f64::from_bits((e.key >> 64) as u64),
            class: ((e.key >> 56) & 0xff) as u8,
            seq: (e.key & ((1 << 56) - 1)) as u64,
            event: e.event,
        })
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
