//! The packet identifier allocator.
//!
//! PUBLISH (QoS > 0), SUBSCRIBE and UNSUBSCRIBE share one identifier space, and an
//! identifier must never be reused while the broker may still answer for it
//! [MQTT-2.3.1-2]. A bitset makes "is it free?" cheap and a rotating cursor spreads
//! allocations so a freshly freed id is not handed out again at once (which would
//! make a late duplicate acknowledgement harder to spot).

/// Number of usable identifiers: 1..=65535 (0 is invalid [MQTT-2.3.1-1]).
pub(crate) const CAPACITY: usize = u16::MAX as usize;

const WORDS: usize = (u16::MAX as usize + 1) / 64;

/// Tracks which packet identifiers are in use.
#[derive(Clone)]
pub(crate) struct IdAllocator {
    used: Box<[u64; WORDS]>,
    in_use: usize,
    /// The next identifier to try; never 0.
    cursor: u16,
}

impl Default for IdAllocator {
    fn default() -> Self {
        Self::new()
    }
}

impl IdAllocator {
    /// An allocator with every identifier free.
    pub(crate) fn new() -> Self {
        Self {
            used: Box::new([0; WORDS]),
            in_use: 0,
            cursor: 1,
        }
    }

    /// Whether `id` is taken.
    pub(crate) fn is_used(&self, id: u16) -> bool {
        let (w, b) = split(id);
        self.used[w] & (1 << b) != 0
    }

    /// Takes the next free identifier, or `None` when all 65,535 are in flight
    /// (the caller then waits for an acknowledgement instead of reusing one).
    pub(crate) fn allocate(&mut self) -> Option<u16> {
        if self.in_use >= CAPACITY {
            return None;
        }
        let mut id = self.cursor;
        // At most CAPACITY probes: one full turn of the ring is guaranteed to find
        // a free id because in_use < CAPACITY.
        for _ in 0..CAPACITY {
            if !self.is_used(id) {
                self.mark(id);
                self.cursor = next(id);
                return Some(id);
            }
            id = next(id);
        }
        None
    }

    /// Frees `id` so it can be allocated again. Returns false if it was not taken.
    pub(crate) fn release(&mut self, id: u16) -> bool {
        if id == 0 || !self.is_used(id) {
            return false;
        }
        let (w, b) = split(id);
        self.used[w] &= !(1 << b);
        self.in_use -= 1;
        true
    }

    fn mark(&mut self, id: u16) {
        let (w, b) = split(id);
        self.used[w] |= 1 << b;
        self.in_use += 1;
    }
}

impl std::fmt::Debug for IdAllocator {
    /// Summarises instead of printing 8 KiB of bits.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdAllocator")
            .field("in_use", &self.in_use)
            .field("cursor", &self.cursor)
            .finish()
    }
}

fn split(id: u16) -> (usize, u32) {
    (usize::from(id) / 64, u32::from(id) % 64)
}

fn next(id: u16) -> u16 {
    if id == u16::MAX {
        1
    } else {
        id + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_every_id_once_then_refuses() {
        let mut ids = IdAllocator::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..CAPACITY {
            let id = ids.allocate().expect("free id");
            assert_ne!(id, 0);
            assert!(seen.insert(id));
        }
        assert_eq!(ids.allocate(), None);
        assert!(ids.release(7));
        assert_eq!(ids.allocate(), Some(7));
        assert_eq!(ids.allocate(), None);
    }

    #[test]
    fn release_of_free_id_is_refused() {
        let mut ids = IdAllocator::new();
        assert!(!ids.release(1));
        assert!(!ids.release(0));
        let id = ids.allocate().expect("free id");
        assert!(ids.release(id));
        assert!(!ids.release(id));
    }
}
