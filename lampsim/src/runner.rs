//! The simulation on the wire: one rumqttc connection that announces the lamps, publishes
//! their states, answers commands, and adds `--chaos` and `--flood` traffic.
//!
//! Decisions worth knowing:
//! * On the first CONNACK lampsim publishes announcements and states *before* subscribing,
//!   so a retained value left by an earlier run can never be mistaken for a write: the broker
//!   replaced it before lampsim listens.
//! * On a reconnect it is the other way round: a retained value that differs from a seed
//!   lamp's state is a write made while lampsim was away (the app, back first after a broker
//!   restart, publishes the change queued during the outage), so lampsim subscribes first,
//!   obeys such values, and only then re-publishes its states (which a restarted broker
//!   without persistence has lost). The snapshot is complete when a QoS 1 probe lampsim sends
//!   itself after the SUBACK comes back (brokers queue a subscription's retained messages
//!   before anything published later), or after [`RESYNC_LIMIT`] if the probe is lost.
//! * Seed lamps hear their own publishes (MQTT 3.1.1 has no "no local"). A delivery with the
//!   retain flag set is the snapshot a new subscription gets, never a write; a live delivery
//!   equal to one of the lamp's own publishes of the last seconds is its echo (see
//!   [`crate::echo`]). Remembering all recent payloads (not just the last) matters under
//!   `--flood`/`--chaos`, where the echo of an older state arrives after a newer one was
//!   published and would otherwise be adopted: a loop.
//! * A write that arrives while some of the lamp's own publishes have not come back yet was
//!   processed by the broker before them, so theirs will end up retained; the lamp answers
//!   such a write by re-publishing the adopted state, and broker and lamp agree again.
//! * A message to one lamp can change others (a Zigbee2MQTT group and its members); the
//!   fleet says which ([`crate::fleet::Outcome`]) and they are published after the addressed
//!   lamp's own answer, in Zigbee2MQTT's order.
//! * On stop, lampsim publishes every availability as offline and waits (bounded) for its own
//!   probe to come back before disconnecting: rumqttc may drop writes still buffered when
//!   the DISCONNECT goes out, and the offline messages must reach the broker.
//! * The porch light's availability flaps on a timer ([`Options::flap`]); a reconnect's
//!   announcements say online again and restart the cycle.
//! * The MQTT event loop runs in its own task and hands events over an unbounded channel: the
//!   main task awaits `publish` (bounded request channel) and must never wait on a task that is
//!   itself waiting for the main task.

use std::future::Future;
use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Outgoing, Packet, QoS};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, Instant};

use crate::echo::EchoMemory;
use crate::fleet::Fleet;
use crate::lamp::{Change, Kind, Role};
use crate::rng::Rng;

/// Tasmota's TelePeriod in lampsim (the firmware's default is 300 s; shorter here so a dev
/// run shows telemetry arriving).
const TELE_PERIOD: Duration = Duration::from_secs(60);

/// How long a reconnect waits for its probe before publishing the lamps' states anyway.
pub const RESYNC_LIMIT: Duration = Duration::from_secs(2);

/// How long a stop waits for the broker to take the offline messages.
pub const STOP_FLUSH_LIMIT: Duration = Duration::from_secs(2);

/// How often the porch light drops off its Wi-Fi by default.
pub const FLAP_EVERY: Duration = Duration::from_secs(40);
/// How long it stays unavailable each time.
pub const FLAP_OFFLINE: Duration = Duration::from_secs(10);

/// What to simulate and where.
#[derive(Clone, Debug)]
pub struct Options {
    /// Seed lamps.
    pub seed_lamps: usize,
    /// Rooms for the seed lamps.
    pub rooms: usize,
    /// Random outside changes.
    pub chaos: bool,
    /// Pause between chaos changes, chosen at random in this range.
    pub chaos_every: (Duration, Duration),
    /// Flood rate in messages per second.
    pub flood: Option<f64>,
    /// No per-event log lines.
    pub quiet: bool,
    /// Broker host.
    pub host: String,
    /// Broker port (MQTT over TCP).
    pub port: u16,
    /// MQTT client id; unique per process so two lampsims on one broker do not kick each other.
    pub client_id: String,
    /// The porch light's availability flaps: `offline` for `.1` once every `.0` (the first
    /// drop comes `.0 - .1` after start). `None`: always online.
    pub flap: Option<(Duration, Duration)>,
}

impl Options {
    /// Defaults for a broker at `host:port`: the brief's house, no chaos, no flood.
    pub fn new(host: &str, port: u16) -> Options {
        Options {
            seed_lamps: 12,
            rooms: 4,
            chaos: false,
            chaos_every: (Duration::from_secs(2), Duration::from_secs(5)),
            flood: None,
            quiet: false,
            host: host.to_string(),
            port,
            client_id: format!("lampsim-{}", std::process::id()),
            flap: Some((FLAP_EVERY, FLAP_OFFLINE)),
        }
    }
}

/// What a run did, returned when it stops (tests read the final lamp states from it).
#[derive(Debug)]
pub struct Report {
    /// The lamps as they ended.
    pub fleet: Fleet,
    /// Messages handled on command topics (seed writes included, own echoes excluded).
    pub commands: u64,
    /// Messages published.
    pub published: u64,
}

/// Log lines prefixed with the time since start, so bursts and gaps are visible.
#[derive(Clone, Debug)]
pub struct Log {
    quiet: bool,
    start: std::time::Instant,
}

impl Log {
    /// A log that prints event lines unless `quiet`.
    pub fn new(quiet: bool) -> Log {
        Log {
            quiet,
            start: std::time::Instant::now(),
        }
    }

    /// An event line (suppressed by `--quiet`).
    pub fn event(&self, line: &str) {
        if !self.quiet {
            println!("[{:>9.3}s] {line}", self.start.elapsed().as_secs_f64());
        }
    }

    /// A line printed even with `--quiet`: the banner, readiness, errors.
    pub fn always(&self, line: &str) {
        println!("lampsim: {line}");
    }
}

enum Inbound {
    Connected,
    Subscribed,
    Message {
        topic: String,
        payload: Vec<u8>,
        retain: bool,
    },
    Lost(String),
}

fn short(payload: &[u8]) -> String {
    let text = String::from_utf8_lossy(payload);
    let mut s: String = text.chars().take(120).collect();
    if text.chars().count() > 120 {
        s.push('…');
    }
    if s.is_empty() {
        s.push_str("(empty)");
    }
    s
}

struct Sim {
    opts: Options,
    fleet: Fleet,
    client: AsyncClient,
    log: Log,
    echoes: Vec<EchoMemory>,
    rng: Rng,
    commands: u64,
    published: u64,
    connected: bool,
    subscribed: bool,
    lost_logged: bool,
    ready: Option<oneshot::Sender<()>>,
    announced_ready: bool,
    /// Set between a reconnect's SUBACK and the return of its probe: retained snapshots of
    /// seed lamps are writes made while lampsim was away.
    resync_until: Option<Instant>,
    /// The topic of the probe that marks the end of a reconnect's retained snapshot.
    probe_topic: String,
}

impl Sim {
    async fn publish(&mut self, topic: &str, qos: QoS, payload: Vec<u8>) {
        self.publish_as(topic, qos, payload, true).await;
    }

    /// Publishes with the retain flag the firmware uses (Tasmota's answers are not retained).
    async fn publish_as(&mut self, topic: &str, qos: QoS, payload: Vec<u8>, retain: bool) {
        self.published += 1;
        if let Err(e) = self.client.publish(topic, qos, retain, payload).await {
            self.log.always(&format!("cannot publish on {topic}: {e}"));
        }
    }

    /// Publishes what a Shelly says about its state (its own topics and retain flags), then
    /// what waits in its outbox (announce, RPC reply, notification).
    async fn publish_shelly(&mut self, i: usize, state: bool) {
        let mut wires = if state {
            self.fleet.lamps[i].state_messages()
        } else {
            Vec::new()
        };
        let outbox = self.fleet.lamps[i].take_outbox();
        // A notification goes out before the state topic, the RPC reply last.
        wires.splice(
            0..0,
            outbox
                .iter()
                .filter(|w| w.topic.ends_with("/events/rpc"))
                .cloned(),
        );
        wires.extend(
            outbox
                .into_iter()
                .filter(|w| !w.topic.ends_with("/events/rpc")),
        );
        for w in wires {
            self.publish_as(&w.topic, QoS::AtLeastOnce, w.payload, w.retain)
                .await;
        }
    }

    /// Publishes lamp `i`'s state, remembering it as an echo to ignore for seed lamps.
    async fn publish_state(&mut self, i: usize, qos: QoS) {
        if self.fleet.lamps[i].kind.is_shelly() {
            self.publish_shelly(i, true).await;
            return;
        }
        let lamp = &self.fleet.lamps[i];
        let messages = lamp.state_messages();
        if lamp.kind == Kind::Seed {
            if let Some(m) = messages.first() {
                self.echoes[i].published(&m.payload, std::time::Instant::now());
            }
        }
        for m in messages {
            self.publish_as(&m.topic, qos, m.payload, m.retain).await;
        }
    }

    /// Tasmota's TelePeriod: every Tasmota device publishes `tele/<t>/STATE`.
    async fn telemetry(&mut self) {
        for i in 0..self.fleet.lamps.len() {
            if self.fleet.lamps[i].kind == Kind::Tasmota {
                self.publish_state(i, QoS::AtMostOnce).await;
            }
        }
    }

    /// True when `payload` is one of lamp `i`'s own recent publishes coming back.
    fn is_own_echo(&mut self, i: usize, payload: &[u8]) -> bool {
        self.echoes[i].take_echo(payload, std::time::Instant::now())
    }

    async fn publish_states(&mut self) {
        for i in 0..self.fleet.lamps.len() {
            self.publish_state(i, QoS::AtLeastOnce).await;
        }
    }

    async fn on_connected(&mut self) {
        self.connected = true;
        self.lost_logged = false;
        self.subscribed = false;
        self.resync_until = None;
        self.log.event(&format!(
            "connected to mqtt://{}:{} as {}",
            self.opts.host, self.opts.port, self.opts.client_id
        ));
        for a in self.fleet.announcements() {
            self.publish(&a.topic, QoS::AtLeastOnce, a.payload).await;
        }
        if !self.reconnecting() {
            self.publish_states().await;
        }
        let mut filters = self.fleet.subscriptions();
        filters.push(self.probe_topic.clone());
        let filters: Vec<rumqttc::SubscribeFilter> = filters
            .into_iter()
            .map(|f| rumqttc::SubscribeFilter::new(f, QoS::AtLeastOnce))
            .collect();
        if let Err(e) = self.client.subscribe_many(filters).await {
            self.log.always(&format!("cannot subscribe: {e}"));
        }
    }

    async fn on_subscribed(&mut self) {
        // Everything published so far went out before the subscription (or before a
        // reconnect): no live echo of it will come.
        self.echoes.iter_mut().for_each(EchoMemory::clear);
        if self.reconnecting() {
            self.resync_until = Some(Instant::now() + RESYNC_LIMIT);
            self.publish_probe().await;
            return;
        }
        self.start_simulating();
    }

    /// Whether this connection follows one on which lampsim was ready (so it subscribes
    /// before publishing; see the module docs).
    fn reconnecting(&self) -> bool {
        self.announced_ready
    }

    async fn publish_probe(&self) {
        let topic = &self.probe_topic;
        if let Err(e) = self
            .client
            .publish(topic, QoS::AtLeastOnce, false, b"resync".to_vec())
            .await
        {
            self.log.always(&format!("cannot publish on {topic}: {e}"));
        }
    }

    /// The reconnect's snapshot is in (or the wait ran out): lamps have obeyed what was
    /// written while lampsim was away; publish every state so the broker holds them all.
    async fn end_resync(&mut self) {
        if self.resync_until.take().is_none() {
            return;
        }
        self.publish_states().await;
        self.start_simulating();
    }

    /// Lamps are published and listening: tests may go on, chaos and flood start.
    fn start_simulating(&mut self) {
        self.subscribed = true;
        if let Some(tx) = self.ready.take() {
            let _ = tx.send(());
        }
        if !self.announced_ready {
            self.announced_ready = true;
            self.log
                .always("lamps beyond the seed topics (announced on -> state ; commands):");
            for line in self.fleet.directory() {
                self.log.always(&format!("  {line}"));
            }
            if let Some((every, off)) = self.opts.flap {
                self.log.always(&format!(
                    "  {} says offline for {} s every {} s (--flap-every 0 turns it off)",
                    self.fleet.flaky_topic(),
                    off.as_secs(),
                    every.as_secs()
                ));
            }
            let f = &self.fleet;
            self.log.always(&format!(
                "ready: {} seed lamps in {} rooms, {} Home Assistant lamps, {} Zigbee2MQTT lamps, {} Zigbee2MQTT group, {} Tasmota devices, {} WLED strip, {} Shelly lamps{}{} (Ctrl-C stops)",
                f.count(Kind::Seed),
                f.rooms,
                f.count(Kind::HomeAssistant) + f.count(Kind::HaDefault) + f.count(Kind::HaTemplate),
                f.count(Kind::Zigbee2Mqtt),
                f.count(Kind::Zigbee2MqttGroup),
                f.count(Kind::Tasmota),
                f.count(Kind::Wled),
                f.count(Kind::ShellyGen1) + f.count(Kind::ShellyGen2),
                if self.opts.chaos { ", chaos on" } else { "" },
                self.opts
                    .flood
                    .map(|r| format!(", flood {r}/s"))
                    .unwrap_or_default(),
            ));
        }
    }

    async fn on_message(&mut self, topic: &str, payload: &[u8], retain: bool) {
        if topic == self.probe_topic {
            self.end_resync().await;
            return;
        }
        let broadcast = self.fleet.broadcast(topic);
        if !broadcast.is_empty() {
            for (i, role) in broadcast {
                self.answer(i, role, payload, retain).await;
            }
            return;
        }
        let Some((i, role)) = self.fleet.route(topic) else {
            return;
        };
        self.answer(i, role, payload, retain).await;
    }

    /// Lamp `i` answers one message on its `role` topic.
    async fn answer(&mut self, i: usize, role: Role, payload: &[u8], retain: bool) {
        let seed = self.fleet.lamps[i].kind == Kind::Seed;
        if seed && retain {
            // A retained delivery is the snapshot a subscription gets: a write only when it
            // was left while lampsim was away (a reconnect) and differs from the lamp.
            let away_write =
                self.resync_until.is_some() && payload != self.fleet.lamps[i].state_payload();
            if !away_write {
                return;
            }
        } else if seed && self.is_own_echo(i, payload) {
            return;
        }
        // Own publishes still on their way will reach the broker after this write and
        // overwrite it there; answering with the adopted state keeps broker and lamp agreed.
        let overtaken = seed && self.echoes[i].pending(std::time::Instant::now());
        self.commands += 1;
        let outcome = self.fleet.handle(i, role, payload);
        let mut reply = outcome.reply;
        if overtaken && reply.accepted && reply.publish.is_none() {
            reply.publish = Some(self.fleet.lamps[i].state_payload());
        }
        let lamp = &self.fleet.lamps[i];
        let verb = if role == Role::Get { "get" } else { "<-" };
        let mut line = format!(
            "{:<4} {} {verb} {}",
            lamp.kind.label(),
            lamp.name,
            short(payload)
        );
        if !reply.notes.is_empty() {
            line.push_str(&format!("  ({})", reply.notes.join("; ")));
        }
        if !reply.accepted && role != Role::Get {
            line.push_str("  [ignored]");
        }
        self.log.event(&line);
        if reply.changed {
            self.log.event(&format!(
                "{:<4} {} => {}",
                lamp.kind.label(),
                lamp.name,
                lamp.summary()
            ));
        }
        if lamp.kind.is_shelly() {
            self.publish_shelly(i, reply.publish.is_some()).await;
        } else if let Some(p) = reply.publish {
            let topic = lamp.state_topic.clone();
            if lamp.kind == Kind::Seed {
                self.echoes[i].published(&p, std::time::Instant::now());
            }
            self.publish(&topic, QoS::AtLeastOnce, p).await;
        }
        for m in reply.extra {
            self.publish_as(&m.topic, QoS::AtLeastOnce, m.payload, m.retain)
                .await;
        }
        self.publish_cascade(outcome.cascade).await;
    }

    /// Publishes lamps changed as a consequence of another's change (group members, groups).
    async fn publish_cascade(&mut self, lamps: Vec<usize>) {
        for j in lamps {
            let lamp = &self.fleet.lamps[j];
            self.log.event(&format!(
                "{:<4} {} => {}  (group)",
                lamp.kind.label(),
                lamp.name,
                lamp.summary()
            ));
            self.publish_state(j, QoS::AtLeastOnce).await;
        }
    }

    /// The porch light's Wi-Fi drops or comes back.
    async fn flap(&mut self, online: bool) {
        let topic = self.fleet.flaky_topic();
        let word = if online { "online" } else { "offline" };
        self.log
            .event(&format!("ha   Porch Light availability {word}  (flaky)"));
        self.publish(&topic, QoS::AtLeastOnce, word.as_bytes().to_vec())
            .await;
    }

    async fn chaos(&mut self) {
        let n = self.fleet.lamps.len() as u64;
        if n == 0 {
            return;
        }
        let i = self.rng.below(n) as usize;
        let lamp = &self.fleet.lamps[i];
        let max = u64::from(lamp.features.brightness_max);
        let change = match self.rng.below(4) {
            0 => Change::Toggle,
            1 => Change::Brightness(self.rng.range(max / 10, max) as u16),
            2 if lamp.features.color => {
                let hue = self.rng.below(360) as f64;
                Change::Color(crate::color::hs_to_rgb(hue, 100.0))
            }
            3 if lamp.features.color_temp.is_some() => {
                let (lo, hi) = lamp.features.color_temp.unwrap_or((153, 500));
                Change::ColorTemp(self.rng.range(u64::from(lo), u64::from(hi)) as u16)
            }
            _ => Change::Toggle,
        };
        if self.fleet.lamps[i].apply_change(change) {
            let lamp = &self.fleet.lamps[i];
            self.log.event(&format!(
                "{:<4} {} => {}  (chaos: {change:?})",
                lamp.kind.label(),
                lamp.name,
                lamp.summary()
            ));
            self.publish_state(i, QoS::AtLeastOnce).await;
            let cascade = self.fleet.changed_outside(i);
            self.publish_cascade(cascade).await;
        }
    }
}

/// Flood bookkeeping: how many messages are due since the start, sent in small batches on a
/// 10 ms tick, never catching up more than a tenth of a second after a stall.
struct Flood {
    rate: f64,
    start: Instant,
    sent: u64,
    cursor: usize,
    window_start: Instant,
    window_sent: u64,
}

impl Flood {
    fn due(&mut self, now: Instant) -> u64 {
        let target = (now.duration_since(self.start).as_secs_f64() * self.rate) as u64;
        let max_batch = (self.rate / 10.0).ceil() as u64 + 1;
        if target > self.sent + max_batch {
            self.sent = target - max_batch;
        }
        target.saturating_sub(self.sent)
    }
}

/// Runs the simulation against the broker in `opts` until `shutdown` completes, then marks
/// the lamps offline and disconnects. `ready` fires once lampsim has published every lamp
/// and its subscriptions are acknowledged (tests wait for it before sending commands).
pub async fn run(
    opts: Options,
    shutdown: impl Future<Output = ()>,
    ready: Option<oneshot::Sender<()>>,
) -> Result<Report, String> {
    let fleet = Fleet::new(opts.seed_lamps, opts.rooms);
    let mut mqtt = MqttOptions::new(opts.client_id.clone(), opts.host.clone(), opts.port);
    mqtt.set_keep_alive(Duration::from_secs(30))
        .set_clean_session(true)
        .set_max_packet_size(crate::broker::MAX_PAYLOAD, crate::broker::MAX_PAYLOAD)
        .set_request_channel_capacity(4096)
        .set_inflight(100);
    let (client, mut eventloop) = AsyncClient::new(mqtt, 4096);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut pump = tokio::spawn(async move {
        loop {
            let inbound = match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => Inbound::Connected,
                Ok(Event::Incoming(Packet::SubAck(_))) => Inbound::Subscribed,
                Ok(Event::Incoming(Packet::Publish(p))) => Inbound::Message {
                    topic: p.topic,
                    payload: p.payload.to_vec(),
                    retain: p.retain,
                },
                Ok(Event::Outgoing(Outgoing::Disconnect)) => break,
                Ok(_) => continue,
                Err(e) => {
                    if tx.send(Inbound::Lost(e.to_string())).is_err() {
                        break;
                    }
                    // rumqttc reconnects on the next poll; do not spin.
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if tx.send(inbound).is_err() {
                break;
            }
        }
    });

    let lamp_count = fleet.lamps.len();
    let probe_topic = format!("lampsim/{}/resync", opts.client_id);
    let mut sim = Sim {
        log: Log::new(opts.quiet),
        rng: Rng::from_time(),
        opts,
        fleet,
        client,
        echoes: vec![EchoMemory::default(); lamp_count],
        commands: 0,
        published: 0,
        connected: false,
        subscribed: false,
        lost_logged: false,
        ready,
        announced_ready: false,
        resync_until: None,
        probe_topic,
    };
    let pick_chaos = |rng: &mut Rng, every: (Duration, Duration)| {
        let (lo, hi) = (every.0.as_millis() as u64, every.1.as_millis() as u64);
        Instant::now() + Duration::from_millis(rng.range(lo, hi.max(lo)))
    };
    let mut chaos_at = pick_chaos(&mut sim.rng, sim.opts.chaos_every);
    let mut flood = sim.opts.flood.map(|rate| Flood {
        rate,
        start: Instant::now(),
        sent: 0,
        cursor: 0,
        window_start: Instant::now(),
        window_sent: 0,
    });
    // The porch light's availability: online until the first drop.
    let mut flaky_online = true;
    let flap_next = |online: bool, flap: Option<(Duration, Duration)>| {
        let (every, off) = flap.unwrap_or((Duration::MAX, Duration::ZERO));
        let wait = if online {
            every.saturating_sub(off)
        } else {
            off
        };
        Instant::now() + wait.min(Duration::from_secs(86_400))
    };
    let mut flap_at = flap_next(true, sim.opts.flap);
    let mut tele_tick = tokio::time::interval(TELE_PERIOD);
    tele_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut flood_tick = tokio::time::interval(Duration::from_millis(10));
    flood_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    tokio::pin!(shutdown);
    let mut failure = None;
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            inbound = rx.recv() => match inbound {
                Some(Inbound::Connected) => {
                    // The announcements say online again.
                    sim.on_connected().await;
                    flaky_online = true;
                    flap_at = flap_next(true, sim.opts.flap);
                }
                Some(Inbound::Subscribed) => sim.on_subscribed().await,
                Some(Inbound::Message { topic, payload, retain }) => {
                    sim.on_message(&topic, &payload, retain).await;
                }
                Some(Inbound::Lost(why)) => {
                    // Once per outage: rumqttc retries every second and would repeat it.
                    if sim.connected || !sim.lost_logged {
                        sim.log.always(&format!(
                            "no connection to mqtt://{}:{}: {why}; retrying every second",
                            sim.opts.host, sim.opts.port
                        ));
                        sim.lost_logged = true;
                    }
                    sim.connected = false;
                    sim.subscribed = false;
                    sim.resync_until = None;
                }
                None => {
                    failure = Some("the MQTT connection task ended".to_string());
                    break;
                }
            },
            _ = sleep_until(sim.resync_until.unwrap_or_else(Instant::now)), if sim.resync_until.is_some() => {
                sim.log.always("the reconnect's probe did not come back; publishing the lamps' states");
                sim.end_resync().await;
            }
            _ = sleep_until(flap_at), if sim.opts.flap.is_some() && sim.subscribed => {
                flaky_online = !flaky_online;
                sim.flap(flaky_online).await;
                flap_at = flap_next(flaky_online, sim.opts.flap);
            }
            _ = tele_tick.tick(), if sim.subscribed => sim.telemetry().await,
            _ = sleep_until(chaos_at), if sim.opts.chaos && sim.subscribed => {
                sim.chaos().await;
                chaos_at = pick_chaos(&mut sim.rng, sim.opts.chaos_every);
            }
            now = flood_tick.tick(), if flood.is_some() && sim.subscribed => {
                let Some(f) = flood.as_mut() else { continue };
                let n = f.due(now);
                let lamps = sim.fleet.lamps.len();
                for _ in 0..n {
                    if lamps == 0 {
                        break;
                    }
                    let i = f.cursor % lamps;
                    f.cursor += 1;
                    if sim.fleet.lamps[i].kind == Kind::Zigbee2MqttGroup {
                        continue;
                    }
                    let max = sim.fleet.lamps[i].features.brightness_max;
                    let level = 1 + (f.cursor as u16 % max.max(1));
                    sim.fleet.lamps[i].apply_change(Change::Brightness(level));
                    sim.publish_state(i, QoS::AtMostOnce).await;
                }
                f.sent += n;
                f.window_sent += n;
                let window = now.duration_since(f.window_start);
                if window >= Duration::from_secs(5) {
                    sim.log.event(&format!(
                        "flood: {} messages in {:.1} s ({:.0}/s)",
                        f.window_sent,
                        window.as_secs_f64(),
                        f.window_sent as f64 / window.as_secs_f64()
                    ));
                    f.window_start = now;
                    f.window_sent = 0;
                }
            }
        }
    }

    if sim.connected {
        for a in sim.fleet.availability(false) {
            sim.publish(&a.topic, QoS::AtLeastOnce, a.payload).await;
        }
        // rumqttc can drop writes still buffered when the disconnect goes out (seen: the
        // offline messages lost at random). The probe comes back only after the broker has
        // routed everything published before it, so wait for it (bounded) first.
        sim.publish_probe().await;
        let probe = sim.probe_topic.clone();
        let back = tokio::time::timeout(STOP_FLUSH_LIMIT, async {
            while let Some(inbound) = rx.recv().await {
                if matches!(&inbound, Inbound::Message { topic, .. } if *topic == probe) {
                    return true;
                }
            }
            false
        })
        .await;
        if !matches!(back, Ok(true)) {
            sim.log
                .always("the broker did not confirm the offline messages; stopping anyway");
        }
    }
    let _ = sim.client.disconnect().await;
    if tokio::time::timeout(Duration::from_secs(2), &mut pump)
        .await
        .is_err()
    {
        pump.abort();
        sim.log
            .always("the MQTT connection did not close within 2 s");
    }
    match failure {
        Some(why) => Err(why),
        None => Ok(Report {
            fleet: sim.fleet,
            commands: sim.commands,
            published: sim.published,
        }),
    }
}
