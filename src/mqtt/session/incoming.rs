//! What the session does with each packet from the broker: the receive half of
//! the state machine, kept apart so each file reads in one sitting.

use super::events::{
    Downgrade, Event, FilterResult, LostReason, Message, OversizeMessage, ProtocolError,
    PublishFailure, MAX_SEND_ATTEMPTS,
};
use super::inflight::Stage;
use super::{ConnectionState, Request, Session};
use crate::mqtt::codec::SkippedPublish;
use crate::mqtt::packet::{
    Connack, Packet, PacketId, PacketType, Publish, QoS, QoSPid, SubackReturnCode,
};

impl Session {
    pub(super) fn handle_packet(&mut self, packet: Packet<'_>) {
        // Any packet proves the link is alive; that answers a PINGREQ as well as
        // a PINGRESP would.
        self.ping_deadline = None;
        if self.state == ConnectionState::Connecting {
            match packet {
                Packet::Connack(ack) => self.handle_connack(ack),
                other => {
                    self.protocol_error(ProtocolError::PacketBeforeConnack(other.packet_type()))
                }
            }
            return;
        }
        match packet {
            Packet::Connack(_) => self.protocol_error(ProtocolError::SecondConnack),
            Packet::Publish(p) => self.handle_publish(p),
            Packet::Puback(id) => self.handle_puback(id),
            Packet::Pubrec(id) => self.handle_pubrec(id),
            Packet::Pubrel(id) => {
                // Answer even an unknown id: after a reconnect the broker may
                // resend a PUBREL whose PUBCOMP we sent but it never got.
                self.inbound_qos2.remove(&id);
                self.send(&Packet::Pubcomp(id));
            }
            Packet::Pubcomp(id) => self.handle_pubcomp(id),
            Packet::Suback(ack) => self.handle_suback(ack.packet_id, ack.return_codes),
            Packet::Unsuback(id) => self.handle_unsuback(id),
            Packet::Pingresp => self.handle_pingresp(),
            other @ (Packet::Connect(_)
            | Packet::Subscribe(_)
            | Packet::Unsubscribe(_)
            | Packet::Pingreq
            | Packet::Disconnect) => {
                self.protocol_error(ProtocolError::ClientOnlyPacket(other.packet_type()))
            }
        }
    }

    fn handle_connack(&mut self, ack: Connack) {
        let session_present = match ack {
            Connack::Refused(refusal) => {
                self.events.push_back(Event::Refused(refusal));
                self.lose(LostReason::Refused(refusal));
                return;
            }
            Connack::Accepted { session_present } => session_present,
        };
        if session_present && self.opts.connect.clean_session {
            self.protocol_error(ProtocolError::SessionPresentWithCleanSession);
            return;
        }
        self.state = ConnectionState::Connected;
        self.connack_deadline = None;
        self.events.push_back(Event::Connected { session_present });
        if session_present {
            self.resume_session();
        } else {
            self.restart_session();
        }
        self.flush();
    }

    /// The broker kept our session: resend unacknowledged PUBLISHes (DUP set) and
    /// PUBRELs with their original ids, in their original order [MQTT-4.4.0-1].
    fn resume_session(&mut self) {
        for id in self.outbound.ids_in_send_order() {
            if self.give_up_if_sent_enough(id) {
                continue;
            }
            let packet = match self.outbound.get_mut(id) {
                Some(f) if f.stage == Stage::AwaitAck => {
                    f.publish.dup = true;
                    Packet::Publish(f.publish.clone())
                }
                Some(_) => Packet::Pubrel(id),
                None => continue,
            };
            if !self.send(&packet) {
                return;
            }
        }
    }

    /// The broker has no session for us (clean session, expired, or a new broker):
    /// its packet ids and subscriptions are gone. Every unfinished publish is sent
    /// again as a new message (DUP clear, new exchange), so nothing is lost and
    /// `Delivered` only ever follows a real PUBACK/PUBCOMP.
    ///
    /// That includes a QoS 2 message whose PUBREC arrived but whose PUBCOMP did not:
    /// a broker that forwards on PUBREL (Mosquitto, "method A" of section 4.3.3)
    /// threw it away with the session, so counting it delivered would lose it while
    /// the card said "confirmed". A broker that forwarded it on receipt ("method B")
    /// gets it twice; with no session on either side nothing can tell the two
    /// apart, and a repeated state command is harmless where a lost one is not.
    /// Exactly once across a dropped connection needs `clean_session` off.
    /// Granted subscriptions are made again before anything else the application
    /// asked for.
    fn restart_session(&mut self) {
        self.inbound_qos2.clear();
        for id in self.outbound.ids_in_send_order() {
            if self.give_up_if_sent_enough(id) {
                continue;
            }
            let packet = match self.outbound.get_mut(id) {
                Some(f) => {
                    f.stage = Stage::AwaitAck;
                    f.publish.dup = false;
                    Packet::Publish(f.publish.clone())
                }
                None => continue,
            };
            if !self.send(&packet) {
                return;
            }
        }
        self.requests
            .retain(|r| !matches!(r, Request::Subscribe { ticket: None, .. }));
        if !self.subscriptions.is_empty() {
            let filters = self
                .subscriptions
                .iter()
                .map(|(f, q)| (f.clone(), *q))
                .collect();
            self.requests.push_front(Request::Subscribe {
                ticket: None,
                filters,
            });
        }
    }

    fn handle_publish(&mut self, p: Publish<'_>) {
        let message = |p: Publish<'_>| {
            Event::Message(Message {
                topic: p.topic.into_owned(),
                payload: p.payload.into_owned(),
                qos: p.qospid.qos(),
                retain: p.retain,
                dup: p.dup,
            })
        };
        match p.qospid {
            QoSPid::AtMostOnce => self.events.push_back(message(p)),
            QoSPid::AtLeastOnce(id) => {
                self.events.push_back(message(p));
                self.send(&Packet::Puback(id));
            }
            QoSPid::ExactlyOnce(id) => {
                // First sight delivers; repeats until PUBREL only get PUBREC again.
                if self.inbound_qos2.insert(id) {
                    self.events.push_back(message(p));
                }
                self.send(&Packet::Pubrec(id));
            }
        }
    }

    /// A PUBLISH over the incoming size limit, its payload dropped unread: the
    /// application is told what was ignored, and the broker gets the usual
    /// acknowledgement so the exchange ends (MQTT 3.1.1 has no way to refuse one
    /// message; not answering would leave it in flight, and closing the connection
    /// would loop forever on a retained message).
    pub(super) fn handle_skipped(&mut self, s: SkippedPublish) {
        // Any packet proves the link is alive.
        self.ping_deadline = None;
        if self.state != ConnectionState::Connected {
            return self.protocol_error(ProtocolError::PacketBeforeConnack(PacketType::Publish));
        }
        let first_sight = match s.qospid {
            QoSPid::AtMostOnce | QoSPid::AtLeastOnce(_) => true,
            QoSPid::ExactlyOnce(id) => self.inbound_qos2.insert(id),
        };
        if first_sight {
            self.events
                .push_back(Event::MessageTooLarge(OversizeMessage {
                    topic: s.topic,
                    size: s.size,
                    limit: s.max,
                    retain: s.retain,
                }));
        }
        match s.qospid {
            QoSPid::AtMostOnce => {}
            QoSPid::AtLeastOnce(id) => {
                self.send(&Packet::Puback(id));
            }
            QoSPid::ExactlyOnce(id) => {
                self.send(&Packet::Pubrec(id));
            }
        }
    }

    /// Counts one more sending of the exchange under `id` (a reconnect is about to
    /// resend it); past [`MAX_SEND_ATTEMPTS`] it is dropped and reported as
    /// [`Event::PublishFailed`] instead. Returns whether it was dropped.
    fn give_up_if_sent_enough(&mut self, id: PacketId) -> bool {
        let Some(f) = self.outbound.get_mut(id) else {
            return false;
        };
        if f.attempts < MAX_SEND_ATTEMPTS {
            f.attempts += 1;
            return false;
        }
        let attempts = f.attempts;
        if let Some(f) = self.outbound.remove(id) {
            self.ids.release(id.get());
            self.events.push_back(Event::PublishFailed {
                ticket: f.ticket,
                reason: PublishFailure {
                    attempts,
                    last: self.last_lost.clone(),
                },
            });
        }
        true
    }

    /// PUBACK completes a QoS 1 exchange, and also a QoS 2 one still waiting for
    /// PUBREC: RabbitMQ 3.x downgrades QoS 2 to QoS 1 and answers PUBACK. Treating
    /// that as a protocol error dropped the connection and resent the message on
    /// every reconnect, forever. PUBACK after PUBREC stays an error.
    fn handle_puback(&mut self, id: PacketId) {
        let how = match self.outbound.get_mut(id) {
            Some(f) if f.qos() == QoS::AtLeastOnce && f.asked == QoS::ExactlyOnce => {
                Some(Downgrade::SentAtQos1)
            }
            Some(f) if f.qos() == QoS::AtLeastOnce => None,
            Some(f) if f.stage == Stage::AwaitAck => {
                self.downgrades_qos2 = true;
                Some(Downgrade::AnsweredWithPuback)
            }
            _ => return self.unknown_id(PacketType::Puback, id),
        };
        match how {
            None => self.complete(id),
            Some(how) => {
                if let Some(f) = self.outbound.remove(id) {
                    self.ids.release(id.get());
                    self.events.push_back(Event::DeliveredDowngraded {
                        ticket: f.ticket,
                        how,
                    });
                }
            }
        }
    }

    fn handle_pubrec(&mut self, id: PacketId) {
        match self.outbound.get_mut(id) {
            Some(f) if f.qos() == QoS::ExactlyOnce => {
                // A repeated PUBREC (stage already AwaitComp) gets PUBREL again.
                f.stage = Stage::AwaitComp;
                self.send(&Packet::Pubrel(id));
            }
            _ => self.unknown_id(PacketType::Pubrec, id),
        }
    }

    fn handle_pubcomp(&mut self, id: PacketId) {
        let ok = self
            .outbound
            .get_mut(id)
            .is_some_and(|f| f.stage == Stage::AwaitComp);
        if !ok {
            return self.unknown_id(PacketType::Pubcomp, id);
        }
        self.complete(id);
    }

    fn complete(&mut self, id: PacketId) {
        if let Some(f) = self.outbound.remove(id) {
            self.ids.release(id.get());
            self.events.push_back(Event::Delivered(f.ticket));
        }
    }

    /// A PINGRESP answers the oldest PINGREQ; a probe's says its SUBSCRIBE is settled.
    fn handle_pingresp(&mut self) {
        if self.pings.pop_front() != Some(true) {
            return;
        }
        let more_pending = self.pings.contains(&true)
            || self
                .pending
                .values()
                .any(|(_, r)| matches!(r, Request::Subscribe { .. }))
            || self
                .requests
                .iter()
                .any(|r| matches!(r, Request::Subscribe { .. }));
        self.events
            .push_back(Event::SubscriptionSettled { more_pending });
    }

    fn handle_suback(&mut self, id: PacketId, codes: Vec<SubackReturnCode>) {
        let Some((_, Request::Subscribe { filters, .. })) = self.pending.get(&id) else {
            return self.unknown_id(PacketType::Suback, id);
        };
        if filters.len() != codes.len() {
            let expected = filters.len();
            return self.protocol_error(ProtocolError::SubackCountMismatch {
                id: id.get(),
                expected,
                got: codes.len(),
            });
        }
        let Some((_, Request::Subscribe { ticket, filters })) = self.pending.remove(&id) else {
            return;
        };
        self.ids.release(id.get());
        let mut results = Vec::with_capacity(filters.len());
        for ((filter, _), code) in filters.into_iter().zip(codes) {
            match code {
                SubackReturnCode::Success(q) => {
                    self.subscriptions.insert(filter.clone(), q);
                }
                SubackReturnCode::Failure => {
                    self.subscriptions.remove(&filter);
                }
            }
            results.push(FilterResult {
                filter,
                result: code,
            });
        }
        self.events.push_back(Event::Subscribed { ticket, results });
    }

    fn handle_unsuback(&mut self, id: PacketId) {
        if !matches!(
            self.pending.get(&id),
            Some((_, Request::Unsubscribe { .. }))
        ) {
            return self.unknown_id(PacketType::Unsuback, id);
        }
        let Some((_, Request::Unsubscribe { ticket, filters })) = self.pending.remove(&id) else {
            return;
        };
        self.ids.release(id.get());
        // Also here: a SUBACK for the same filter may have arrived in between.
        for f in &filters {
            self.subscriptions.remove(f);
        }
        self.events
            .push_back(Event::Unsubscribed { ticket, filters });
    }
}
