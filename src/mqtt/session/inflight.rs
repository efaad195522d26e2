//! Outbound QoS 1/2 publishes that the broker has not finished acknowledging.
//!
//! Kept by packet id (acknowledgements name the id) and by send order, because a
//! resumed session must resend them in their original order [MQTT-4.4.0-1]. The
//! state per id is an enum, as in rust-mqtt: which acknowledgement is legal next
//! depends on where the exchange stands.

use super::events::PublishTicket;
use crate::mqtt::packet::{PacketId, Publish, QoS};
use std::collections::BTreeMap;

/// Where one outbound exchange stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// PUBLISH sent; waiting for PUBACK (QoS 1) or PUBREC (QoS 2). On a resumed
    /// session the PUBLISH is sent again with DUP set.
    AwaitAck,
    /// QoS 2: PUBREC received, PUBREL sent; waiting for PUBCOMP. On a resumed
    /// session the PUBREL is sent again, never the PUBLISH [MQTT-4.3.3-6].
    AwaitComp,
}

/// One outbound exchange.
#[derive(Debug, Clone)]
pub(crate) struct Inflight {
    /// Send order, for resending in the original order.
    pub(crate) seq: u64,
    /// Reported back to the application on completion.
    pub(crate) ticket: PublishTicket,
    /// The PUBLISH as first sent (its qospid carries the id).
    pub(crate) publish: Publish<'static>,
    /// Where the exchange stands.
    pub(crate) stage: Stage,
    /// The QoS the application asked for: QoS 2 sent at QoS 1 to a broker known to
    /// downgrade says so when it completes.
    pub(crate) asked: QoS,
    /// How many times the PUBLISH (or its PUBREL) went out, across connections; the
    /// session gives up at `MAX_SEND_ATTEMPTS` instead of resending forever.
    pub(crate) attempts: u8,
}

impl Inflight {
    /// The QoS of the message (1 or 2).
    pub(crate) fn qos(&self) -> QoS {
        self.publish.qospid.qos()
    }
}

/// All outbound exchanges, by packet id.
#[derive(Debug, Default)]
pub(crate) struct Outbound {
    by_id: BTreeMap<PacketId, Inflight>,
    next_seq: u64,
}

impl Outbound {
    /// Records a PUBLISH just sent under `id`.
    pub(crate) fn insert(
        &mut self,
        id: PacketId,
        ticket: PublishTicket,
        publish: Publish<'static>,
        asked: QoS,
    ) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_id.insert(
            id,
            Inflight {
                seq,
                ticket,
                publish,
                stage: Stage::AwaitAck,
                asked,
                attempts: 1,
            },
        );
    }

    /// The exchange under `id`, if any.
    pub(crate) fn get_mut(&mut self, id: PacketId) -> Option<&mut Inflight> {
        self.by_id.get_mut(&id)
    }

    /// Ends the exchange under `id`.
    pub(crate) fn remove(&mut self, id: PacketId) -> Option<Inflight> {
        self.by_id.remove(&id)
    }

    /// How many exchanges are open.
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Ids in original send order, for resending after a reconnect.
    pub(crate) fn ids_in_send_order(&self) -> Vec<PacketId> {
        let mut all: Vec<(u64, PacketId)> = self.by_id.iter().map(|(id, f)| (f.seq, *id)).collect();
        all.sort_unstable();
        all.into_iter().map(|(_, id)| id).collect()
    }
}
