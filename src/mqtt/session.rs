//! The sans-IO MQTT 3.1.1 client: bytes and time in, bytes and events out.
//!
//! Like quinn-proto, the session never touches a socket or a clock. The transport
//! (WebSocket in the browser, a scripted broker in tests) feeds it what arrived
//! ([`Session::handle_bytes`]), what time it is ([`Session::handle_timeout`]) and
//! socket lifecycle ([`Session::connection_opened`], [`Session::connection_closed`]),
//! then drains [`Session::poll_transmit`], [`Session::poll_event`] and asks
//! [`Session::poll_timeout`] when to call again. Because nothing here waits or
//! reads time, every flow (keep-alive, reconnect, 65,535 ids in flight) is tested
//! natively and deterministically.
//!
//! ```
//! use lampboard::mqtt::session::{ConnectOptions, Event, Millis, Session, SessionOptions};
//! use lampboard::mqtt::packet::QoS;
//!
//! let mut session = Session::new(SessionOptions::new(ConnectOptions::new("tab-1"))).unwrap();
//! session.connection_opened(Millis(0)); // the WebSocket's `open` event
//! while let Some(bytes) = session.poll_transmit() {
//!     // socket.send_with_u8_array(&bytes)
//!     # let _ = bytes;
//! }
//! // On `message`: session.handle_bytes(&data, Millis::from_f64(performance.now()));
//! // On `close`:   session.connection_closed("WebSocket closed (1006)");
//! // Timer:        set for session.poll_timeout(), then session.handle_timeout(now).
//! let ticket = session.publish("lamp/1/set", *b"{\"state\":\"ON\"}", QoS::AtLeastOnce, false);
//! assert!(ticket.is_ok()); // queued until CONNACK
//! while let Some(event) = session.poll_event() {
//!     if let Event::ConnectionLost(_) = event { /* close the socket, maybe reconnect */ }
//! }
//! ```
//!
//! # Decisions
//! - Time: commands (`publish`, `subscribe`, ...) take no time argument; traffic they
//!   cause is stamped with the latest time the session was given. That can only make
//!   the next PINGREQ come earlier than strictly needed, never later. A clock that
//!   steps back is ignored.
//! - Keep-alive: PINGREQ after `keep_alive` of nothing sent. After PINGREQ, *any*
//!   packet from the broker proves the link alive; if none arrives within the ping
//!   timeout (default half the keep-alive) the connection is declared dead
//!   ([`LostReason::PingTimeout`]). CONNACK has its own timeout (default 10 s).
//! - Nothing but CONNECT is sent before CONNACK; commands wait.
//! - A broker error ends the connection: malformed bytes, a packet before CONNACK, a
//!   second CONNACK, a client-only packet, an acknowledgement for an id with no
//!   matching exchange (strict, as the issue asks: PUBACK/PUBREC/PUBCOMP/SUBACK/
//!   UNSUBACK), a SUBACK with the wrong number of codes, "session present" after a
//!   clean-session CONNECT. Deliberately lenient: a PUBREL for an unknown id is
//!   answered with PUBCOMP (it is how a broker finishes an exchange whose PUBCOMP
//!   was lost), and a repeated PUBREC gets its PUBREL again.
//! - QoS that adapts: a PUBACK for a QoS 2 publish still awaiting PUBREC completes
//!   it at QoS 1 ([`Event::DeliveredDowngraded`]): RabbitMQ 3.x downgrades every QoS
//!   2 PUBLISH that way. The session remembers it for the connection and sends later
//!   QoS 2 publishes on it at QoS 1 ([`Session::broker_downgrades_qos2`]).
//! - Bounded resends: a publish is sent at most [`MAX_SEND_ATTEMPTS`] times across
//!   connections; then it is dropped with [`Event::PublishFailed`], so a broker that
//!   ends the connection on a message never causes a resend loop.
//! - Reconnect, session present: unacknowledged PUBLISHes (DUP set) and PUBRELs are
//!   resent with their ids in original order [MQTT-4.4.0-1]; received-QoS-2 ids are
//!   kept so broker resends are not delivered twice.
//! - Reconnect, no session: unfinished publishes, QoS 2 ones already PUBREC'd
//!   included, are sent again as new messages (DUP clear) so nothing is lost:
//!   Mosquitto forwards a QoS 2 message only on PUBREL and drops it with a clean
//!   session, so a PUBREC proves nothing once the session is gone. (A broker that
//!   forwards on receipt gets such a message twice; exactly once across a drop
//!   needs `clean_session` off.) Granted subscriptions are made again first
//!   ([`Event::Subscribed`] with no ticket). SUBSCRIBE/UNSUBSCRIBE unanswered at
//!   the drop are sent again.
//! - Size: a PUBLISH over `max_outgoing_packet_size` is refused by `publish`; one
//!   from the broker over `max_incoming_packet_size` is skipped without being
//!   buffered, acknowledged, and reported ([`Event::MessageTooLarge`]): the
//!   connection stays up, where closing it would loop forever on a retained one.
//!   Any other packet over the limit ends the connection.
//! - Publishes wait (offline, before CONNACK, or with all 65,535 ids in flight) in
//!   one FIFO bounded by `max_queued_publishes`; past it `publish` returns
//!   [`PublishError::QueueFull`] and [`Event::PublishRefused`] is emitted. Waiting
//!   SUBSCRIBE/UNSUBSCRIBE requests are not bounded (they are few and user-made).
//! - One MQTT packet per `poll_transmit`. Bytes not yet polled when a connection
//!   ends are discarded, so nothing from an old connection reaches a new socket.

mod events;
mod ids;
mod incoming;
mod inflight;
mod options;
mod time;
mod wire;

pub use events::{
    human_size, Downgrade, Event, FilterResult, LostReason, Message, OversizeMessage,
    ProtocolError, PublishError, PublishFailure, PublishTicket, RequestError, RequestTicket,
    MAX_SEND_ATTEMPTS,
};
pub use options::{ConnectOptions, OptionsError, SessionOptions};
pub use time::Millis;

use crate::mqtt::codec;
use crate::mqtt::packet::{
    Connect, Credentials, Packet, PacketId, PacketType, Publish, QoS, QoSPid, Subscribe,
    SubscribeFilter, Unsubscribe,
};
use crate::mqtt::topic::{validate_topic_filter, validate_topic_name};
use ids::IdAllocator;
use inflight::Outbound;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::num::NonZeroU16;

/// Where the current connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// No usable socket: never opened, closed, or given up on. Publishes queue.
    Disconnected,
    /// Socket open, CONNECT queued or sent, waiting for CONNACK.
    Connecting,
    /// CONNACK accepted: messages flow.
    Connected,
}

/// A publish that has not been sent yet (offline, or no packet id free).
#[derive(Debug)]
struct Queued {
    ticket: PublishTicket,
    topic: String,
    payload: Vec<u8>,
    qos: QoS,
    retain: bool,
}

/// A SUBSCRIBE or UNSUBSCRIBE waiting to be sent or acknowledged.
#[derive(Debug, Clone)]
enum Request {
    Subscribe {
        /// `None`: the session's own re-subscription after a lost session.
        ticket: Option<RequestTicket>,
        filters: Vec<(String, QoS)>,
    },
    Unsubscribe {
        ticket: RequestTicket,
        filters: Vec<String>,
    },
}

/// An MQTT 3.1.1 client session that outlives connections: subscriptions, the
/// offline queue and unacknowledged QoS 1/2 exchanges survive a dropped socket, so
/// the transport can reconnect and carry on.
#[derive(Debug)]
pub struct Session {
    opts: SessionOptions,
    state: ConnectionState,
    /// The latest time the caller told us.
    now: Millis,
    rx: wire::Receiver,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
    ids: IdAllocator,
    next_ticket: u64,
    outbound: Outbound,
    queue: VecDeque<Queued>,
    /// Requests not yet sent, in call order.
    requests: VecDeque<Request>,
    /// Requests sent and awaiting SUBACK/UNSUBACK, by id, plus send order.
    pending: HashMap<PacketId, (u64, Request)>,
    next_request_seq: u64,
    /// Filters the broker granted (and not since unsubscribed), to re-subscribe
    /// when the broker lost our session.
    subscriptions: BTreeMap<String, QoS>,
    /// Inbound QoS 2 ids delivered to the application but not yet released
    /// (PUBREL): a PUBLISH with one of these ids is a duplicate [MQTT-4.3.3-10].
    inbound_qos2: BTreeSet<PacketId>,
    connack_deadline: Option<Millis>,
    last_sent: Millis,
    /// Set while a PINGREQ awaits an answer: the moment the link is declared dead.
    ping_deadline: Option<Millis>,
    /// Every PINGREQ on this connection not yet answered, oldest first: `true` for a
    /// probe after a SUBSCRIBE (`settle_probes`), `false` for a keep-alive ping. The
    /// broker answers them in order, so each PINGRESP is matched to the oldest.
    pings: VecDeque<bool>,
    /// The broker on this connection answered a QoS 2 PUBLISH with PUBACK: later
    /// QoS 2 publishes on it go at QoS 1. Forgotten with the connection (the next
    /// one may reach another broker).
    downgrades_qos2: bool,
    /// How the last connection ended, for the words of a publish given up on.
    last_lost: Option<LostReason>,
}

impl Session {
    /// A disconnected session; nothing is sent until `connection_opened`. Refuses
    /// options that could never work, so the UI can say why before connecting.
    pub fn new(opts: SessionOptions) -> Result<Self, OptionsError> {
        opts.validate()?;
        Ok(Self {
            rx: wire::Receiver::new(opts.max_incoming_packet_size),
            opts,
            state: ConnectionState::Disconnected,
            now: Millis(0),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            ids: IdAllocator::new(),
            next_ticket: 1,
            outbound: Outbound::default(),
            queue: VecDeque::new(),
            requests: VecDeque::new(),
            pending: HashMap::new(),
            next_request_seq: 0,
            subscriptions: BTreeMap::new(),
            inbound_qos2: BTreeSet::new(),
            connack_deadline: None,
            last_sent: Millis(0),
            ping_deadline: None,
            pings: VecDeque::new(),
            downgrades_qos2: false,
            last_lost: None,
        })
    }

    /// Where the connection stands, for the status indicator.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// The options this session connects with.
    pub fn options(&self) -> &SessionOptions {
        &self.opts
    }

    /// Publishes waiting to be sent (offline, or no packet id free).
    pub fn queued_publishes(&self) -> usize {
        self.queue.len()
    }

    /// Outbound QoS 1/2 exchanges not yet completed.
    pub fn in_flight(&self) -> usize {
        self.outbound.len()
    }

    /// Whether the broker on this connection downgrades QoS 2 to QoS 1 (it answered
    /// a QoS 2 PUBLISH with PUBACK), for the settings drawer's words.
    pub fn broker_downgrades_qos2(&self) -> bool {
        self.downgrades_qos2
    }

    /// Filters the broker has granted, with their granted QoS: what the session
    /// re-subscribes to if the broker loses our session.
    pub fn subscriptions(&self) -> impl Iterator<Item = (&str, QoS)> {
        self.subscriptions.iter().map(|(f, q)| (f.as_str(), *q))
    }

    // ----- socket lifecycle -------------------------------------------------

    /// The transport opened a new socket: queue CONNECT and start the CONNACK
    /// timer. A previous connection still considered open is ended first (its
    /// bytes are discarded so nothing leaks onto the new socket).
    pub fn connection_opened(&mut self, now: Millis) {
        self.advance(now);
        if self.state != ConnectionState::Disconnected {
            self.lose(LostReason::Transport(
                "replaced by a new connection".to_owned(),
            ));
        }
        self.transmit.clear();
        self.rx.reset();
        self.ping_deadline = None;
        self.downgrades_qos2 = false;
        self.state = ConnectionState::Connecting;
        self.connack_deadline = Some(self.now.plus(self.opts.connack_timeout_ms));
        let connect = self.connect_packet();
        self.send(&Packet::Connect(connect));
    }

    /// The transport's socket closed (`reason` in its words, e.g. the WebSocket
    /// close code). Emits [`Event::ConnectionLost`] unless the session already
    /// ended this connection itself; unsent bytes are dropped.
    pub fn connection_closed(&mut self, reason: &str) {
        self.lose(LostReason::Transport(reason.to_owned()));
        self.transmit.clear();
        self.rx.reset();
    }

    /// Bytes from the socket, in any framing: partial packets are kept until the
    /// rest arrives (WebSocket frames need not align with packets, MQTT-6.0.0-2).
    /// Bytes arriving while disconnected are ignored.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: Millis) {
        self.advance(now);
        if self.state == ConnectionState::Disconnected {
            return;
        }
        self.rx.push(bytes);
        while self.state != ConnectionState::Disconnected {
            match self.rx.next_packet() {
                Ok(Some(wire::Received::Packet(packet))) => self.handle_packet(packet),
                Ok(Some(wire::Received::Skipped(skipped))) => self.handle_skipped(skipped),
                Ok(None) => break,
                Err(why) => {
                    self.protocol_error(ProtocolError::Malformed(why));
                    break;
                }
            }
        }
        self.flush();
    }

    /// Time passed: fires the CONNACK timeout, the ping timeout, or sends PINGREQ.
    /// Calling it early or often is harmless.
    pub fn handle_timeout(&mut self, now: Millis) {
        self.advance(now);
        let now = self.now;
        match self.state {
            ConnectionState::Disconnected => {}
            ConnectionState::Connecting => {
                if self.connack_deadline.is_some_and(|d| now >= d) {
                    self.lose(LostReason::ConnackTimeout);
                }
            }
            ConnectionState::Connected => {
                if self.ping_deadline.is_some_and(|d| now >= d) {
                    self.lose(LostReason::PingTimeout);
                } else if self.ping_deadline.is_none()
                    && self.next_ping_at().is_some_and(|at| now >= at)
                {
                    if self.send(&Packet::Pingreq) {
                        self.pings.push_back(false);
                    }
                    self.ping_deadline = Some(now.plus(self.opts.effective_ping_timeout_ms()));
                }
            }
        }
    }

    /// The next moment `handle_timeout` has work to do, or `None` if nothing is
    /// timed (disconnected, or keep-alive off and connected).
    pub fn poll_timeout(&self) -> Option<Millis> {
        match self.state {
            ConnectionState::Disconnected => None,
            ConnectionState::Connecting => self.connack_deadline,
            ConnectionState::Connected => self.ping_deadline.or_else(|| self.next_ping_at()),
        }
    }

    /// The next packet to write to the socket, one MQTT packet per call (each can
    /// be its own WebSocket message).
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    // ----- commands ---------------------------------------------------------

    /// Publishes a message, now if connected and a packet id is free, else after
    /// (re)connecting. The ticket comes back in [`Event::Sent`] (QoS 0) or
    /// [`Event::Delivered`] (QoS 1/2). When the queue is full the publish is
    /// refused: this returns the error and an [`Event::PublishRefused`] is emitted.
    pub fn publish(
        &mut self,
        topic: &str,
        payload: impl Into<Vec<u8>>,
        qos: QoS,
        retain: bool,
    ) -> Result<PublishTicket, PublishError> {
        validate_topic_name(topic).map_err(PublishError::InvalidTopic)?;
        let payload = payload.into();
        // Ask the codec now whether it could ever encode this, and how big it is,
        // so that a queued message cannot fail later when nobody is there to be
        // told, and an oversize one is refused here rather than by the broker
        // (which would close the connection).
        let probe = Packet::Publish(Publish {
            dup: false,
            qospid: QoSPid::new(qos, PacketId::from(NonZeroU16::MIN)),
            retain,
            topic: Cow::Borrowed(topic),
            payload: Cow::Borrowed(&payload),
        });
        let limit = self.opts.max_outgoing_packet_size;
        match codec::encoded_len(&probe) {
            Ok(size) if size <= limit => {}
            Ok(size) => return Err(PublishError::TooLarge { size, limit }),
            Err(_) => {
                let size = topic.len().saturating_add(payload.len()).saturating_add(4);
                return Err(PublishError::TooLarge { size, limit });
            }
        }
        let ticket = PublishTicket(self.next_ticket);
        self.next_ticket += 1;
        let msg = Queued {
            ticket,
            topic: topic.to_owned(),
            payload,
            qos,
            retain,
        };
        if self.state == ConnectionState::Connected && self.queue.is_empty() {
            match self.try_send_publish(msg) {
                Ok(()) => return Ok(ticket),
                Err(msg) => return self.enqueue(msg),
            }
        }
        self.enqueue(msg)
    }

    /// Subscribes to topic filters, each with the highest QoS wanted. Sent now if
    /// connected, else after connecting; the answer is [`Event::Subscribed`].
    /// Granted filters are re-subscribed automatically if the broker loses our
    /// session.
    pub fn subscribe(&mut self, filters: &[(&str, QoS)]) -> Result<RequestTicket, RequestError> {
        if filters.is_empty() {
            return Err(RequestError::NoFilters);
        }
        for (f, _) in filters {
            validate_topic_filter(f).map_err(|error| RequestError::InvalidFilter {
                filter: (*f).to_owned(),
                error,
            })?;
        }
        let ticket = self.request_ticket();
        self.requests.push_back(Request::Subscribe {
            ticket: Some(ticket),
            filters: filters.iter().map(|(f, q)| ((*f).to_owned(), *q)).collect(),
        });
        self.flush();
        Ok(ticket)
    }

    /// Unsubscribes from filters (spelled exactly as subscribed). The filters stop
    /// being re-subscribed at once; the answer is [`Event::Unsubscribed`].
    pub fn unsubscribe(&mut self, filters: &[&str]) -> Result<RequestTicket, RequestError> {
        if filters.is_empty() {
            return Err(RequestError::NoFilters);
        }
        for f in filters {
            validate_topic_filter(f).map_err(|error| RequestError::InvalidFilter {
                filter: (*f).to_owned(),
                error,
            })?;
        }
        for f in filters {
            self.subscriptions.remove(*f);
        }
        let ticket = self.request_ticket();
        self.requests.push_back(Request::Unsubscribe {
            ticket,
            filters: filters.iter().map(|f| (*f).to_owned()).collect(),
        });
        self.flush();
        Ok(ticket)
    }

    /// Ends the connection cleanly: queues DISCONNECT (so the broker drops the
    /// will) and emits [`Event::ConnectionLost`] with
    /// [`LostReason::ClosedByClient`]. The transport sends what `poll_transmit`
    /// holds, then closes. Queued and in-flight messages are kept for a later
    /// `connection_opened`.
    pub fn disconnect(&mut self) {
        if self.state == ConnectionState::Disconnected {
            return;
        }
        self.send(&Packet::Disconnect);
        self.lose(LostReason::ClosedByClient);
    }

    // ----- internals: sending -----------------------------------------------

    fn advance(&mut self, now: Millis) {
        // A clock that steps back (it should not) must not re-arm old deadlines.
        self.now = self.now.max(now);
    }

    fn request_ticket(&mut self) -> RequestTicket {
        let t = RequestTicket(self.next_ticket);
        self.next_ticket += 1;
        t
    }

    fn connect_packet(&self) -> Connect<'static> {
        let c = &self.opts.connect;
        Connect {
            clean_session: c.clean_session,
            keep_alive: c.keep_alive_secs,
            client_id: Cow::Owned(c.client_id.clone()),
            will: c.will.clone(),
            credentials: c.username.as_ref().map(|u| Credentials {
                username: Cow::Owned(u.clone()),
                password: c.password.as_ref().map(|p| Cow::Owned(p.clone())),
            }),
        }
    }

    fn next_ping_at(&self) -> Option<Millis> {
        match self.opts.keep_alive_ms() {
            0 => None,
            ka => Some(self.last_sent.plus(ka)),
        }
    }

    /// Encodes and queues one packet. Packets built here are valid by
    /// construction (options and commands were checked), so an encode failure is
    /// a bug; it is reported as a lost connection rather than a panic.
    fn send(&mut self, packet: &Packet<'_>) -> bool {
        match wire::encode(packet) {
            Ok(bytes) => {
                self.transmit.push_back(bytes);
                self.last_sent = self.now;
                true
            }
            Err(why) => {
                let reason = format!("could not encode {}: {why}", packet.packet_type());
                self.lose(LostReason::Transport(reason));
                false
            }
        }
    }

    fn enqueue(&mut self, msg: Queued) -> Result<PublishTicket, PublishError> {
        let limit = self.opts.max_queued_publishes;
        if self.queue.len() >= limit {
            let reason = PublishError::QueueFull { limit };
            self.events.push_back(Event::PublishRefused {
                ticket: msg.ticket,
                reason: reason.clone(),
            });
            return Err(reason);
        }
        let ticket = msg.ticket;
        self.queue.push_back(msg);
        Ok(ticket)
    }

    /// Sends a publish if a packet id is free (QoS 0 needs none); gives it back
    /// otherwise so it waits instead of reusing an id in flight.
    fn try_send_publish(&mut self, msg: Queued) -> Result<(), Queued> {
        let qos = match msg.qos {
            QoS::ExactlyOnce if self.downgrades_qos2 => QoS::AtLeastOnce,
            qos => qos,
        };
        let qospid = match qos {
            QoS::AtMostOnce => QoSPid::AtMostOnce,
            qos => match self.ids.allocate().and_then(PacketId::new) {
                Some(id) => QoSPid::new(qos, id),
                None => return Err(msg),
            },
        };
        let publish = Publish {
            dup: false,
            qospid,
            retain: msg.retain,
            topic: Cow::Borrowed(msg.topic.as_str()),
            payload: Cow::Borrowed(msg.payload.as_slice()),
        };
        if !self.send(&Packet::Publish(publish)) {
            // Cannot happen (checked in `publish`); if it does, the connection
            // is already ended and the message waits for the next one.
            if let Some(id) = qospid.packet_id() {
                self.ids.release(id.get());
            }
            return Err(msg);
        }
        let publish = Publish {
            dup: false,
            qospid,
            retain: msg.retain,
            topic: Cow::Owned(msg.topic),
            payload: Cow::Owned(msg.payload),
        };
        match qospid.packet_id() {
            None => self.events.push_back(Event::Sent(msg.ticket)),
            Some(id) => self.outbound.insert(id, msg.ticket, publish, msg.qos),
        }
        Ok(())
    }

    /// Sends whatever waits, in order, as far as packet ids allow.
    fn flush(&mut self) {
        if self.state != ConnectionState::Connected {
            return;
        }
        while let Some(req) = self.requests.pop_front() {
            let Some(id) = self.ids.allocate().and_then(PacketId::new) else {
                self.requests.push_front(req);
                break;
            };
            let packet = match &req {
                Request::Subscribe { filters, .. } => Packet::Subscribe(Subscribe {
                    packet_id: id,
                    filters: filters
                        .iter()
                        .map(|(f, q)| SubscribeFilter {
                            filter: Cow::Borrowed(f.as_str()),
                            qos: *q,
                        })
                        .collect(),
                }),
                Request::Unsubscribe { filters, .. } => Packet::Unsubscribe(Unsubscribe {
                    packet_id: id,
                    filters: filters.iter().map(|f| Cow::Borrowed(f.as_str())).collect(),
                }),
            };
            let sent = self.send(&packet);
            drop(packet);
            if !sent {
                self.ids.release(id.get());
                self.requests.push_front(req);
                return;
            }
            let seq = self.next_request_seq;
            self.next_request_seq += 1;
            let probe = self.opts.settle_probes && matches!(req, Request::Subscribe { .. });
            self.pending.insert(id, (seq, req));
            if probe && self.send(&Packet::Pingreq) {
                self.pings.push_back(true);
            }
        }
        while self.state == ConnectionState::Connected {
            let Some(msg) = self.queue.pop_front() else {
                break;
            };
            if let Err(msg) = self.try_send_publish(msg) {
                self.queue.push_front(msg);
                break;
            }
        }
    }

    // ----- internals: ending a connection -----------------------------------

    fn unknown_id(&mut self, packet: PacketType, id: PacketId) {
        self.protocol_error(ProtocolError::UnknownPacketId {
            packet,
            id: id.get(),
        });
    }

    /// The broker broke the rules: report what, then end the connection without
    /// DISCONNECT (so the broker publishes our will, as for any failure).
    fn protocol_error(&mut self, error: ProtocolError) {
        if self.state == ConnectionState::Disconnected {
            return;
        }
        self.events.push_back(Event::ProtocolError(error.clone()));
        self.transmit.clear();
        self.lose(LostReason::ProtocolError(error));
    }

    /// Ends the current connection once: emits ConnectionLost and puts requests
    /// that were awaiting an answer back in line (the new connection sends them
    /// again). Outbound QoS 1/2 exchanges keep their ids for a resumed session.
    fn lose(&mut self, reason: LostReason) {
        if self.state == ConnectionState::Disconnected {
            return;
        }
        self.state = ConnectionState::Disconnected;
        self.connack_deadline = None;
        self.ping_deadline = None;
        self.pings.clear();
        if !matches!(reason, LostReason::ClosedByClient) {
            // Nothing more may go out on a connection we consider dead.
            self.transmit.clear();
        }
        let mut pending: Vec<(PacketId, (u64, Request))> = self.pending.drain().collect();
        pending.sort_unstable_by_key(|(_, (seq, _))| std::cmp::Reverse(*seq));
        for (id, (_, req)) in pending {
            self.ids.release(id.get());
            self.requests.push_front(req);
        }
        self.last_lost = Some(reason.clone());
        self.events.push_back(Event::ConnectionLost(reason));
    }
}
