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

/// Events sooner than everything in the heap — typically events due now (a zero detection
/// delay, a zero response window) — wait in a few slots sorted by key instead of the heap.
/// Any event may be in either place: the next event is always the smaller of the two fronts,
/// so the order is exactly that of one heap.
const NEAR: usize = 8;

#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    /// Sorted by key, largest first, so the soonest is at the end.
    near: Vec<Entry<E>>,
    seq: u64,
}

impl<E: Copy> EventQueue<E> {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            heap: BinaryHeap::with_capacity(n),
            near: Vec::with_capacity(NEAR),
            seq: 0,
        }
    }

    pub fn clear(&mut self) {
        self.heap.clear();
        self.near.clear();
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
        self.push_key(order_key(time, class, self.seq), event);
    }

    /// Pushes an event under a key made with a sequence number from [`Self::reserve_seq`].
    #[inline(always)]
    pub fn push_key(&mut self, key: u128, event: E) {
        let entry = Entry { key, event };
        let sooner_than_heap = self.heap.peek().is_none_or(|h| entry.key < h.key);
        if sooner_than_heap && self.near.len() < NEAR {
            let at = self.near.partition_point(|e| e.key > entry.key);
            self.near.insert(at, entry);
        } else {
            self.heap.push(entry);
        }
    }

    /// The key of the next event, if any.
    pub fn peek_key(&self) -> Option<u128> {
        match (self.near.last(), self.heap.peek()) {
            (Some(n), Some(h)) => Some(n.key.min(h.key)),
            (Some(n), None) => Some(n.key),
            (None, h) => h.map(|h| h.key),
        }
    }

    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        let from_near = match (self.near.last(), self.heap.peek()) {
            (Some(n), Some(h)) => n.key < h.key,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let e = if from_near {
            self.near.pop()
        } else {
            self.heap.pop()
        }?;
        Some(Scheduled {
            time: f64::from_bits((e.key >> 64) as u64),
            class: ((e.key >> 56) & 0xff) as u8,
            seq: (e.key & ((1 << 56) - 1)) as u64,
            event: e.event,
        })
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.near.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.near.is_empty()
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

    /// However events are split between the near slots and the heap, they come out in key
    /// order: the same as sorting them.
    #[test]
    fn near_slots_and_heap_give_one_order() {
        let mut q = EventQueue::with_capacity(4);
        let mut expected = Vec::new();
        let mut x: u64 = 12345;
        for i in 0..2000u32 {
            // A mix of "now" events and later ones, pushed between pops.
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let time = ((x >> 40) % 50) as f64;
            let class = ((x >> 20) % 13) as u8;
            q.push(time, class, i);
            expected.push((order_key(time, class, q.seq), i));
            if x.is_multiple_of(3) {
                // Pop the soonest so far and check it.
                expected.sort();
                let want = expected.remove(0);
                let got = q.pop().unwrap();
                assert_eq!((order_key(got.time, got.class, got.seq), got.event), want);
            }
        }
        expected.sort();
        for want in expected {
            let got = q.pop().unwrap();
            assert_eq!((order_key(got.time, got.class, got.seq), got.event), want);
        }
        assert!(q.is_empty());
    }
}
