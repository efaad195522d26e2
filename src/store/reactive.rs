use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;

use super::log::{LogEntry, MessageLog, LOG_CAPACITY};
use super::queue::Queue;
use super::retained::{
    exact_topics_to_add, withheld_notice, Dedupe, RetainedWatch, WITHHELD_WAIT_MS,
};
use super::settings::check_topic_name;
use super::snapshot::Snapshot;
use super::topic_tree::TopicTree;
use super::view::{Delivery, LampView, ECHO_WAIT_MS, REPLACED_TEXT};
use crate::arrange::{Arrangement, RoomLayout};
use crate::lamp::systems::SourceKind;
use crate::lamp::{DirectoryEvent, DirectorySettings, LampChange, LampDirectory, LampId, Outgoing};
use crate::mqtt::packet::{QoS, SubackReturnCode};
use crate::mqtt::session::{Downgrade, Event, Message, PublishTicket};
use crate::mqtt::topic::reduce_filters;
use crate::net::client::{ClientEvent, MqttClient};
use crate::net::status::ConnectionStatus;

mod arranged;
mod arrival;
pub use arrival::{
    CAP_MS as ARRIVAL_CAP_MS, QUIET_MS as ARRIVAL_QUIET_MS, SETTLE_MS as ARRIVAL_SETTLE_MS,
};
mod held;
mod offline;
mod outbox;
mod profiles;
mod sync;
pub use arranged::SceneReport;

/// Where the store sends what the user asks for: the MQTT client in the app, a
/// recorder in the component tests (which assert exactly what was asked).
pub trait Publisher {
    /// Publishes one message; the ticket is matched against `Delivered`.
    fn publish(
        &self,
        topic: &str,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
    ) -> Result<PublishTicket, String>;
    /// Subscribes to filters.
    fn subscribe(&self, filters: &[String], qos: QoS) -> Result<(), String>;
    /// Unsubscribes from filters.
    fn unsubscribe(&self, filters: &[String]) -> Result<(), String>;
    /// Whether the broker is connected now: when not, a change waits in the profile's
    /// offline queue (`store::queue`) instead of the client's memory, so it survives a
    /// reload. A recorder is always connected unless a test says otherwise.
    fn connected(&self) -> bool {
        true
    }
}

impl Publisher for MqttClient {
    fn publish(
        &self,
        topic: &str,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
    ) -> Result<PublishTicket, String> {
        MqttClient::publish(self, topic, payload, qos, retain).map_err(|e| e.to_string())
    }
    fn subscribe(&self, filters: &[String], qos: QoS) -> Result<(), String> {
        let filters: Vec<(&str, QoS)> = filters.iter().map(|f| (f.as_str(), qos)).collect();
        MqttClient::subscribe(self, &filters)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    fn unsubscribe(&self, filters: &[String]) -> Result<(), String> {
        let filters: Vec<&str> = filters.iter().map(String::as_str).collect();
        MqttClient::unsubscribe(self, &filters)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    fn connected(&self) -> bool {
        self.status() == ConnectionStatus::Connected
    }
}

/// The reactive store; `Copy`, so every component can hold it.
#[derive(Clone, Copy)]
pub struct Store {
    /// The status line.
    pub status: RwSignal<ConnectionStatus>,
    /// A first visit's lamps are still arriving: the dashboard keeps its connecting view
    /// until they are all in, so nothing jumps (`reactive/arrival.rs`).
    pub arriving: RwSignal<bool>,
    arrival: StoredValue<arrival::Arrival>,
    /// The rooms as arranged (order, names, hidden lamps left out) with their lamp ids;
    /// changes only when lamps come, go or are rearranged.
    pub rooms: RwSignal<Vec<RoomLayout>>,
    /// The Favourites row: favourite lamps not hidden.
    pub favourites: RwSignal<Vec<LampId>>,
    /// The "Hidden lamps" list.
    pub hidden: RwSignal<Vec<LampId>>,
    /// The user's arrangement for the profile in use (`crate::arrange`).
    pub arrangement: RwSignal<Arrangement>,
    /// The search field's text: tiles not matching it are left out.
    pub search: RwSignal<String>,
    /// The last scene recalled, for its "3 of 4 confirmed" line.
    pub scene_report: RwSignal<Option<SceneReport>>,
    /// The QoS the controls publish at (settings; default 1).
    pub qos: RwSignal<QoS>,
    /// A short message for the user (a failed publish, a refused subscription).
    pub notice: RwSignal<Option<String>>,
    /// Wall-clock ms, ticked by the app, so "5 s ago" labels stay true.
    pub now: RwSignal<f64>,
    /// Bumped at most once per animation frame after messages were logged, so
    /// the explorer re-renders per frame, not per message (1,000 messages a
    /// second stay smooth).
    pub log_version: RwSignal<u64>,
    /// The discovery settings in force; the settings drawer shows them.
    pub settings: RwSignal<DirectorySettings>,
    /// Filters the broker refused (SUBACK 0x80, e.g. an ACL that denies reading), so
    /// the settings drawer marks them where the user typed them.
    pub refused_filters: RwSignal<BTreeSet<String>>,
    /// The name of the broker profile in use (the explorer keys its saved messages by it).
    pub profile: RwSignal<String>,
    /// The broker of the profile in use as the user knows it (`host:port`), for the offline
    /// banner's words.
    pub broker: RwSignal<String>,
    /// How many lamps have a change waiting in the profile's offline queue.
    pub queued: RwSignal<usize>,
    /// The explorer's topic filter, kept per profile.
    pub explorer_filter: RwSignal<String>,
    /// What the broker granted for each subscribed filter (SUBACK), shown in the
    /// settings drawer: a broker may grant less than asked.
    pub granted: RwSignal<BTreeMap<String, QoS>>,
    /// The broker answered a QoS 2 publish with PUBACK (RabbitMQ 3.x): the settings
    /// drawer says QoS 2 is sent at QoS 1. Forgotten when the client is replaced.
    pub qos2_downgraded: RwSignal<bool>,
    log: StoredValue<MessageLog>,
    tree: StoredValue<TopicTree>,
    frame_pending: StoredValue<bool>,
    /// How many views show the log or the topic tree (the explorer, while mounted): with
    /// none, a message asks no animation frame for them (a frame requested 60 times a second
    /// is a rendering pass the browser runs 60 times a second, on the dashboard too).
    log_watchers: StoredValue<usize>,
    regroup_pending: StoredValue<bool>,
    card_updates: StoredValue<HashMap<LampId, CardUpdate>>,
    card_updates_pending: StoredValue<bool>,
    /// When the cards' news was last drawn (ms since the epoch): the pace of [`CARD_PACE_MS`].
    cards_drawn_at: StoredValue<f64>,
    lamps: StoredValue<HashMap<LampId, RwSignal<LampView>>>,
    directory: StoredValue<LampDirectory>,
    subscribed: StoredValue<BTreeSet<String>>,
    in_flight: StoredValue<HashMap<PublishTicket, LampId>>,
    publisher: StoredValue<Option<Rc<dyn Publisher>>, LocalStorage>,
    snapshot: StoredValue<Snapshot>,
    snapshot_write_pending: StoredValue<bool>,
    /// Known topics subscribed exactly under a wildcard (see `store::retained`), fixed
    /// when the publisher is set.
    exact_known: StoredValue<Vec<String>>,
    /// Lamp systems whose code was asked for (`held.rs`; a list: there are six at most, and
    /// each map type is code of its own in the first load).
    code_loads: StoredValue<Vec<(SourceKind, held::CodeLoad)>>,
    /// Code came in while other chunks were still fetched: the held messages replay once
    /// the last is in (`held::replay_when_settled`).
    replay_owed: StoredValue<bool>,
    /// Subscription changes and state requests held back while a run of messages is handled
    /// together (`outbox.rs`); None outside such a run.
    outbox: StoredValue<Option<outbox::Outbox>>,
    /// Topics of the last visit's snapshot, while messages wait for code (Home Assistant's
    /// template engine, a lamp system's chunk): a lamp the wait brings from one of them is
    /// restored (stale), unless its topic was heard live meanwhile (`held.rs`).
    restored_waiting: StoredValue<BTreeSet<String>>,
    /// Those of them subscribed now: copies on these are dropped by `dedupe`.
    overlapping: StoredValue<BTreeSet<String>>,
    dedupe: StoredValue<Dedupe>,
    watch: StoredValue<RetainedWatch>,
    /// Where the arrangement is kept (`settings::profile_storage_key`); None until a
    /// profile is in use (then edits are kept in memory only).
    arrangement_key: StoredValue<Option<String>>,
    /// Household sync of the arrangement through the broker (`reactive/sync.rs`).
    sync: sync::SyncLink,
    /// The id of the profile whose data the store holds (`Profile.id`); empty until the
    /// first `use_profile`.
    profile_id: StoredValue<String>,
    /// The profile's changes waiting for a connection (`store::queue`).
    queue: StoredValue<Queue>,
    /// Tickets of queued changes sent on this connection, to the queue entry they belong to:
    /// the entry leaves the queue when the broker took its last message.
    queue_tickets: StoredValue<HashMap<PublishTicket, u64>>,
    /// The queue waits to be sent on the new connection (after the subscriptions' retained
    /// states came in, so a moot change is found first); changes meanwhile join the queue.
    replay_armed: StoredValue<bool>,
    /// The reactive owner the store was made under (or a root of its own): a profile's lamps
    /// are restored under it, not under whatever component asked for the switch (the settings
    /// drawer's signals go when it closes, and the cards' would go with them).
    owner: StoredValue<StoreOwner>,
}

/// [`Store::owner`]: the component's owner the store was made in, held weakly (it owns the
/// store's own signals: a strong hold would be a cycle), or a root of the store's own when it
/// was made outside any (a test).
#[derive(Clone)]
enum StoreOwner {
    Made(leptos::reactive::owner::WeakOwner),
    Own(Owner),
}

impl StoreOwner {
    fn here() -> Self {
        match Owner::current() {
            Some(owner) => StoreOwner::Made(owner.downgrade()),
            None => StoreOwner::Own(Owner::default()),
        }
    }

    fn get(&self) -> Option<Owner> {
        match self {
            StoreOwner::Made(weak) => weak.upgrade(),
            StoreOwner::Own(owner) => Some(owner.clone()),
        }
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// How long messages gather before the snapshot is written: a flood of states costs one
/// localStorage write per second, and at most a second of states is lost when the tab closes.
const SNAPSHOT_WRITE_DELAY: std::time::Duration = std::time::Duration::from_millis(1000);

/// The cards' news is drawn at the next frame, and while messages keep coming at most once
/// in this many ms: in a flood, a card redrawn 60 times a second cannot be read, and each
/// redraw's style, layout and paint was most of the main thread's time (the flood bench's
/// cost per message fell with the rate: a cost per frame, not per message). The echo of the
/// user's own change is drawn at once, whatever the pace.
pub const CARD_PACE_MS: f64 = 100.0;

/// What a card is waiting to show at the next frame.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CardUpdate {
    /// Its last message was unreadable: only the mark changes.
    Unreadable,
    /// A new state from the broker: it replaces the card's lamp and any optimistic guess.
    State,
}

/// Runs `work` at the next animation frame unless a run is already pending on `pending`:
/// however many messages arrive within a frame, the screen is updated once for them.
fn once_per_frame(pending: StoredValue<bool>, work: impl FnOnce() + 'static) {
    if pending.try_get_value() != Some(false) {
        return;
    }
    pending.set_value(true);
    request_animation_frame(move || {
        pending.try_set_value(false);
        work();
    });
}

fn wall_clock() -> f64 {
    js_sys::Date::now()
}

impl Store {
    /// An empty store with the given discovery settings.
    pub fn new(settings: DirectorySettings) -> Self {
        let store = Self {
            status: RwSignal::new(ConnectionStatus::Disconnected),
            rooms: RwSignal::new(Vec::new()),
            favourites: RwSignal::new(Vec::new()),
            hidden: RwSignal::new(Vec::new()),
            arrangement: RwSignal::new(Arrangement::default()),
            search: RwSignal::new(String::new()),
            scene_report: RwSignal::new(None),
            arrangement_key: StoredValue::new(None),
            profile_id: StoredValue::new(String::new()),
            queue: StoredValue::new(Queue::new()),
            queue_tickets: StoredValue::new(HashMap::new()),
            replay_armed: StoredValue::new(false),
            owner: StoredValue::new(StoreOwner::here()),
            broker: RwSignal::new(String::new()),
            queued: RwSignal::new(0),
            explorer_filter: RwSignal::new(String::new()),
            qos: RwSignal::new(QoS::AtLeastOnce),
            notice: RwSignal::new(None),
            now: RwSignal::new(wall_clock()),
            log_version: RwSignal::new(0),
            settings: RwSignal::new(settings.clone()),
            refused_filters: RwSignal::new(BTreeSet::new()),
            profile: RwSignal::new(String::new()),
            granted: RwSignal::new(BTreeMap::new()),
            qos2_downgraded: RwSignal::new(false),
            log: StoredValue::new(MessageLog::new(LOG_CAPACITY)),
            tree: StoredValue::new(TopicTree::default()),
            frame_pending: StoredValue::new(false),
            log_watchers: StoredValue::new(0),
            regroup_pending: StoredValue::new(false),
            card_updates: StoredValue::new(HashMap::new()),
            card_updates_pending: StoredValue::new(false),
            cards_drawn_at: StoredValue::new(f64::NEG_INFINITY),
            lamps: StoredValue::new(HashMap::new()),
            directory: StoredValue::new(LampDirectory::new(settings)),
            subscribed: StoredValue::new(BTreeSet::new()),
            in_flight: StoredValue::new(HashMap::new()),
            publisher: StoredValue::new_local(None),
            snapshot: StoredValue::new(Snapshot::new()),
            snapshot_write_pending: StoredValue::new(false),
            exact_known: StoredValue::new(Vec::new()),
            code_loads: StoredValue::new(Vec::new()),
            replay_owed: StoredValue::new(false),
            outbox: StoredValue::new(None),
            restored_waiting: StoredValue::new(BTreeSet::new()),
            overlapping: StoredValue::new(BTreeSet::new()),
            dedupe: StoredValue::new(Dedupe::new()),
            watch: StoredValue::new(RetainedWatch::new()),
            sync: sync::SyncLink::new(),
            arriving: RwSignal::new(false),
            arrival: StoredValue::new(arrival::Arrival::default()),
        };
        store.load_wanted_code();
        store
    }

    /// Keeps a live lamp message for the next offline start; written at most once per
    /// `SNAPSHOT_WRITE_DELAY`.
    fn remember(&self, topic: &str, payload: &[u8], relevant: bool) {
        let relevant = relevant || self.snapshot.with_value(|s| s.has(topic));
        if !relevant {
            return;
        }
        let changed = self
            .snapshot
            .try_update_value(|s| s.record(topic, payload))
            .unwrap_or(false);
        if !changed || self.snapshot_write_pending.get_value() {
            return;
        }
        self.snapshot_write_pending.set_value(true);
        let store = *self;
        set_timeout(
            move || {
                store.snapshot_write_pending.try_set_value(false);
                store.write_snapshot();
            },
            SNAPSHOT_WRITE_DELAY,
        );
    }

    /// Connects the store to where its messages go, and subscribes to what
    /// the directory needs.
    ///
    /// A publisher replacing another (Reconnect, new settings) settles every change
    /// still unconfirmed: the old client's answers will never come. The topics already
    /// known (last visit's snapshot, discovery-bound state topics) are subscribed
    /// exactly beside the wildcards, so a broker that withholds retained messages from
    /// wildcards (RabbitMQ) still gives known lamps their state at once.
    pub fn set_publisher(&self, publisher: Rc<dyn Publisher>) {
        self.forget_connection();
        self.publisher.set_value(Some(publisher.clone()));
        let known: Vec<String> = self
            .snapshot
            .with_value(|s| s.messages().map(|(t, _)| t.to_owned()).collect());
        let bound: Vec<String> = self
            .directory
            .with_value(|d| d.lamps().flat_map(|l| l.binding.state_topics()).collect());
        self.exact_known
            .set_value(known.into_iter().chain(bound).collect());
        self.sync_subscriptions();
        self.sync_connected();
        // After the SUBSCRIBE, so the answers (Shelly Gen1's announces) find us subscribed.
        let mut hello = self.directory.with_value(LampDirectory::on_connect);
        // Lamps already known (kept from the last visit) are not found again on this
        // connection, since their unchanged retained announcements change nothing: ask
        // those whose system does not retain states (Tasmota `State`, Zigbee2MQTT `/get`)
        // now, so their cards come back live.
        let ask: Vec<Outgoing> = self
            .directory
            .with_value(|d| d.lamps().flat_map(|l| d.refresh(&l.id)).collect());
        for out in ask {
            if !hello.contains(&out) {
                hello.push(out);
            }
        }
        self.publish_quietly(hello);
    }

    /// Publishes what a system asked for (not a lamp change: no card waits for it), at QoS 0.
    fn publish_quietly(&self, messages: Vec<Outgoing>) {
        if let Some(publisher) = self.publisher.get_value() {
            for out in messages {
                let _ = publisher.publish(&out.topic, out.payload, QoS::AtMostOnce, out.retain);
            }
        }
    }

    /// Forgets the publisher (the user disconnected): changes now roll back
    /// with "not connected" instead of queueing into a closed client.
    pub fn clear_publisher(&self) {
        self.forget_connection();
        self.publisher.set_value(None);
        self.sync_disconnected();
    }

    /// The client goes: every change it still owes an answer for goes back with the
    /// reason, and what was learned about its broker is forgotten.
    fn forget_connection(&self) {
        let unsettled = self
            .in_flight
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        // Queued changes on their way go back to waiting in the profile's queue: the next
        // connection sends them. Other changes go back with the reason.
        let requeued = self.requeue_in_flight();
        for (ticket, id) in unsettled {
            if requeued.contains(&ticket) {
                continue;
            }
            if let Some(signal) = self.lamp(&id) {
                signal.try_update(|v| v.roll_back(REPLACED_TEXT.to_owned()));
            }
        }
        self.replay_armed.set_value(false);
        self.subscribed.set_value(BTreeSet::new());
        self.refused_filters.set(BTreeSet::new());
        self.granted.set(BTreeMap::new());
        self.qos2_downgraded.set(false);
        self.overlapping.set_value(BTreeSet::new());
        self.dedupe.set_value(Dedupe::new());
        self.watch.set_value(RetainedWatch::new());
    }

    /// The signal of one lamp's card.
    pub fn lamp(&self, id: &LampId) -> Option<RwSignal<LampView>> {
        self.lamps.with_value(|l| l.get(id).copied())
    }

    /// How many lamps there are.
    pub fn lamp_count(&self) -> usize {
        self.lamps.with_value(HashMap::len)
    }

    /// Feeds one event from the client into the state.
    pub fn handle_client_event(&self, event: ClientEvent) {
        match event {
            ClientEvent::Status(status) => {
                if !matches!(
                    status,
                    ConnectionStatus::Connecting | ConnectionStatus::Connected
                ) {
                    self.arrival_end();
                }
                self.status_changed(&status);
                self.status.try_set(status).map_or((), drop)
            }
            ClientEvent::Session(event) => self.handle_session_event(event),
        }
    }

    fn handle_session_event(&self, event: Event) {
        // The household copy's own publishes are not a lamp's.
        if self.sync_owns(&event) {
            return;
        }
        match event {
            Event::Message(m) => self.receive(m),
            Event::Sent(ticket) | Event::Delivered(ticket) => self.delivered(ticket, false),
            Event::DeliveredDowngraded { ticket, how } => {
                self.qos2_downgraded.try_set(true);
                self.delivered(ticket, how == Downgrade::AnsweredWithPuback);
            }
            Event::PublishFailed { ticket, reason } => {
                self.fail(ticket, reason.to_string());
            }
            Event::PublishRefused { ticket, reason } => {
                self.fail(ticket, reason.to_string());
            }
            Event::Connected { session_present } => {
                self.retry_code_loads();
                self.arrival_connected(session_present);
            }
            Event::ConnectionLost(_) => {
                self.arrival_end();
                self.sync_connection_lost();
            }
            Event::SubscriptionSettled { more_pending } => self.arrival_settled(more_pending),
            Event::MessageTooLarge(message) => {
                self.notice.try_set(Some(message.to_string()));
            }
            Event::Subscribed { results, .. } => {
                let refused: Vec<String> = results
                    .iter()
                    .filter(|r| matches!(r.result, SubackReturnCode::Failure))
                    .map(|r| r.filter.clone())
                    .collect();
                self.refused_filters.try_update(|set| {
                    for r in &results {
                        match r.result {
                            SubackReturnCode::Failure => set.insert(r.filter.clone()),
                            _ => set.remove(&r.filter),
                        };
                    }
                });
                self.granted.try_update(|map| {
                    for r in &results {
                        match r.result {
                            SubackReturnCode::Success(q) => map.insert(r.filter.clone(), q),
                            SubackReturnCode::Failure => map.remove(&r.filter),
                        };
                    }
                });
                self.watch_retained(&results);
                self.sync_subscribed(&results);
                self.subscribed_for_replay();
                self.arrival_subscribed();
                if !refused.is_empty() {
                    self.notice.try_set(Some(format!(
                        "The broker refused the subscription to {}",
                        refused.join(", ")
                    )));
                }
            }
            _ => {}
        }
    }

    /// A message from the broker: logged for the explorer (raw bytes, no
    /// formatting), then read as a lamp.
    pub fn receive(&self, message: Message) {
        let Message {
            topic,
            payload,
            qos,
            retain,
            ..
        } = message;
        let now = wall_clock();
        let copy = self.overlapping.with_value(|overlapping| {
            self.dedupe
                .try_update_value(|d| d.is_copy(overlapping, &topic, &payload, retain, now))
                .unwrap_or(false)
        });
        if copy {
            // The same message again through a second matching subscription.
            return;
        }
        if retain {
            self.watch.update_value(|w| w.retained(&topic));
        }
        let payload: Arc<[u8]> = Arc::from(payload);
        let logged = self
            .log
            .try_update_value(|log| log.push(now, &topic, payload.clone(), qos, retain));
        self.tree
            .try_update_value(|tree| tree.record(now, &topic, &payload, qos, retain));
        if logged.is_some() {
            self.schedule_log_render();
        }
        // The household copy of the arrangement is not a lamp.
        if self.sync_receive(&topic, &payload) {
            return;
        }
        self.heard_live(&topic);
        let relevant = self.handle(&topic, &payload, retain);
        self.remember(&topic, &payload, relevant);
        // Heard live: a lamp restored from the snapshot is no longer stale, even when this
        // message says what the snapshot said (the directory then reports no change): the
        // lamp announced on this topic, and every lamp whose state it carries.
        let mut heard = self.directory.with_value(|d| d.lamps_on(&topic));
        heard.push(LampId(topic));
        for id in heard {
            if let Some(signal) = self.lamp(&id) {
                if signal.with_untracked(|v| v.stale) {
                    signal.try_update(|v| v.stale = false);
                }
                // A live state from elsewhere makes a change still waiting moot.
                self.drop_if_moot(&id, signal);
            }
        }
    }

    /// Called by a view that shows the log or the topic tree, for as long as it is mounted
    /// (its owner's cleanup ends it): the log's news then reaches it once per frame. A view
    /// mounting later reads the log as it is then.
    pub fn watch_log(&self) {
        self.log_watchers.update_value(|n| *n += 1);
        let store = *self;
        on_cleanup(move || {
            store
                .log_watchers
                .try_update_value(|n| *n = n.saturating_sub(1));
        });
    }

    /// Asks for one explorer re-render at the next animation frame, however
    /// many messages arrive before it.
    fn schedule_log_render(&self) {
        if self.log_watchers.try_get_value().unwrap_or(0) == 0 {
            return;
        }
        let store = *self;
        once_per_frame(self.frame_pending, move || {
            store.log_version.try_update(|v| *v += 1);
        });
    }

    /// Shows a lamp's news at the next animation frame. In a flood, a lamp heard ten times
    /// in a frame is drawn once, and the socket's task only parses: the cards are redrawn
    /// in one task per frame, from the directory's lamp as it is then (cloned once).
    fn queue_card_update(&self, id: LampId, update: CardUpdate) {
        let awaited = update == CardUpdate::State
            && self
                .lamp(&id)
                .is_some_and(|s| s.with_untracked(LampView::has_unconfirmed_change));
        if awaited {
            // The echo of the user's own change: drawn now (a frame later would add up to
            // 16 ms to what they wait for), along with anything else pending for this card.
            self.card_updates.update_value(|pending| {
                pending.remove(&id);
            });
            self.apply_card_update(id, update);
            return;
        }
        self.card_updates.update_value(|pending| {
            let entry = pending.entry(id).or_insert(update);
            if update == CardUpdate::State {
                *entry = CardUpdate::State;
            }
        });
        self.schedule_card_updates();
    }

    /// Draws the waiting cards at the next frame, or, when the last drawing was less than
    /// [`CARD_PACE_MS`] ago, at the first frame after the pace allows.
    fn schedule_card_updates(&self) {
        if self.card_updates_pending.try_get_value() != Some(false) {
            return;
        }
        let store = *self;
        let drawn_at = self.cards_drawn_at.get_value();
        let wait = CARD_PACE_MS - (wall_clock() - drawn_at);
        if wait <= 0.0 {
            once_per_frame(self.card_updates_pending, move || {
                store.apply_card_updates()
            });
            return;
        }
        self.card_updates_pending.set_value(true);
        set_timeout(
            move || {
                if store.card_updates_pending.try_set_value(false).is_none() {
                    once_per_frame(store.card_updates_pending, move || {
                        store.apply_card_updates()
                    });
                }
            },
            std::time::Duration::from_millis(wait.ceil() as u64),
        );
    }

    fn apply_card_updates(&self) {
        let Some(pending) = self.card_updates.try_update_value(std::mem::take) else {
            return;
        };
        if !pending.is_empty() {
            self.cards_drawn_at.try_set_value(wall_clock());
        }
        for (id, update) in pending {
            self.apply_card_update(id, update);
        }
    }

    fn apply_card_update(&self, id: LampId, update: CardUpdate) {
        let lamp = self.directory.with_value(|d| d.lamp(&id).cloned());
        let (Some(lamp), Some(signal)) = (lamp, self.lamp(&id)) else {
            return;
        };
        match update {
            CardUpdate::State => {
                let lamp = self.dress(lamp);
                // A change still waiting in the queue stays on the card over the new state.
                let waiting = self.queue.with_value(|q| q.waiting_changes(&id));
                signal.try_update(|v| {
                    v.confirm(lamp, wall_clock());
                    for change in &waiting {
                        v.assume(change);
                    }
                })
            }
            CardUpdate::Unreadable => signal.try_update(|v| v.lamp.unreadable = lamp.unreadable),
        };
    }

    /// Asks for the room list to be rebuilt at the next animation frame. 1,000 retained
    /// lamps arrive as 1,000 messages: grouping and diffing the card lists once per
    /// message was quadratic; once per frame it is one pass over the lamps.
    fn schedule_regroup(&self) {
        self.arrival_lamps_changed();
        let store = *self;
        once_per_frame(self.regroup_pending, move || store.regroup_now());
    }

    /// The logged messages, newest first, whose topic `filter` matches.
    pub fn log_entries(&self, filter: Option<&str>) -> Vec<LogEntry> {
        self.log
            .try_with_value(|log| log.newest_first(filter))
            .unwrap_or_default()
    }

    /// How many messages the explorer holds, and how many ever arrived.
    pub fn log_counts(&self) -> (usize, u64) {
        self.log
            .try_with_value(|log| (log.len(), log.total()))
            .unwrap_or_default()
    }

    /// Empties the explorer's log and topic tree ("Clear view": the broker keeps its
    /// retained messages).
    pub fn clear_log(&self) {
        self.log.update_value(MessageLog::clear);
        self.tree.update_value(TopicTree::clear);
        self.log_version.update(|v| *v += 1);
    }

    /// Reads the explorer's topic tree (it changes with every message; the explorer
    /// reads it once per frame, after `log_version` moved).
    pub fn with_tree<R>(&self, read: impl FnOnce(&TopicTree) -> R) -> Option<R> {
        self.tree.try_with_value(read)
    }

    /// Sets the tree's view (the explorer's topic filter and search).
    pub fn set_tree_view(&self, filter: Option<&str>, search: &str) {
        self.tree.try_update_value(|t| t.set_view(filter, search));
    }

    /// The explorer's publish form: any topic and payload, checked first so a
    /// bad topic is a sentence, not a dropped connection.
    pub fn publish_raw(
        &self,
        topic: &str,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
    ) -> Result<PublishTicket, String> {
        check_topic_name(topic)?;
        let publisher = self
            .publisher
            .get_value()
            .ok_or_else(|| "Not connected to a broker".to_owned())?;
        publisher.publish(topic, payload, qos, retain)
    }

    /// New discovery settings (the settings drawer): lamps of switched-off
    /// sources or unmatched filters go, and subscriptions follow.
    pub fn set_settings(&self, settings: DirectorySettings) {
        if self.settings.with_untracked(|s| *s == settings) {
            return;
        }
        self.settings.set(settings.clone());
        let events = self
            .directory
            .try_update_value(|d| d.set_settings(settings));
        if let Some(events) = events {
            self.apply_directory_events(events);
        }
        self.load_wanted_code();
    }

    /// A message from the broker (or a test): updates, adds or removes cards.
    pub fn handle_message(&self, topic: &str, payload: &[u8], retained: bool) {
        self.handle(topic, payload, retained);
    }

    /// `handle_message`, saying whether the message was about lamps (one came, changed or
    /// went), so only those are kept for an offline start.
    fn handle(&self, topic: &str, payload: &[u8], retained: bool) -> bool {
        let events = self
            .directory
            .try_update_value(|d| d.handle_message(topic, payload, retained));
        let Some(events) = events else { return false };
        self.apply_directory_events_about_lamps(events)
    }

    /// `apply_directory_events`, saying whether a lamp came, changed or went.
    fn apply_directory_events_about_lamps(&self, events: Vec<DirectoryEvent>) -> bool {
        let about_lamps = events.iter().any(|e| {
            matches!(
                e,
                DirectoryEvent::Added(_)
                    | DirectoryEvent::Updated { .. }
                    | DirectoryEvent::Removed(_)
            )
        });
        self.apply_directory_events(events);
        about_lamps
    }

    /// Turns what the directory did into card signals: only the lamps named
    /// change, and the room list only when lamps come, go or move.
    fn apply_directory_events(&self, events: Vec<DirectoryEvent>) {
        let now = wall_clock();
        let mut regroup = false;
        let mut ask_state = Vec::new();
        for event in events {
            match event {
                DirectoryEvent::Added(id) => {
                    ask_state.extend(self.directory.with_value(|d| d.refresh(&id)));
                    if let Some(lamp) = self.directory.with_value(|d| d.lamp(&id).cloned()) {
                        let signal = RwSignal::new(LampView::new(self.dress(lamp), now));
                        self.lamps.update_value(|l| {
                            l.insert(id, signal);
                        });
                        regroup = true;
                    }
                }
                DirectoryEvent::Updated { id, .. } => {
                    let moved = self.lamp(&id).is_some_and(|signal| {
                        let dressed = self
                            .directory
                            .with_value(|d| d.lamp(&id).cloned())
                            .map(|lamp| self.dress(lamp));
                        dressed.is_some_and(|lamp| {
                            signal.with_untracked(|v| {
                                v.lamp.room != lamp.room || v.lamp.name != lamp.name
                            })
                        })
                    });
                    regroup |= moved;
                    self.queue_card_update(id, CardUpdate::State);
                }
                DirectoryEvent::Unreadable { lamp: Some(id), .. } => {
                    self.queue_card_update(id, CardUpdate::Unreadable);
                }
                DirectoryEvent::Removed(id) => {
                    self.lamps.update_value(|l| {
                        l.remove(&id);
                    });
                    regroup = true;
                }
                DirectoryEvent::SubscriptionsChanged => self.subscriptions_changed(),
                DirectoryEvent::Publish(messages) => ask_state.extend(messages),
                DirectoryEvent::TemplatesNeeded => self.load_templates(),
                DirectoryEvent::CodeNeeded(kind) => self.load_system_code(kind),
                DirectoryEvent::Unreadable { lamp: None, .. }
                | DirectoryEvent::DiscoveryRejected { .. } => {}
            }
        }
        if regroup {
            self.schedule_regroup();
        }
        // Zigbee2MQTT does not retain states: ask new lamps for theirs, after the
        // subscriptions above went out, so the answer finds us subscribed.
        self.ask_quietly(ask_state);
    }

    /// The user changed a lamp: publish what its system expects (one message or several),
    /// show the change at once and mark it pending until the broker has taken all of them.
    /// An optimistic lamp (one that never reports its state) takes the change as its state,
    /// as Home Assistant does.
    pub fn change(&self, id: &LampId, change: LampChange) {
        self.change_all(id, std::slice::from_ref(&change));
    }

    /// [`Store::change`] for several changes to one lamp at once (a scene, the room
    /// slider turning a lamp on at a brightness): each computed against the lamp as the
    /// ones before leave it (`LampDirectory::command_all`), shown at once, pending until the
    /// broker took every message. Returns whether anything was sent.
    pub fn change_all(&self, id: &LampId, changes: &[LampChange]) -> bool {
        let Some(signal) = self.lamp(id) else {
            return false;
        };
        if self.must_queue() {
            return self.queue_change(id, changes, signal);
        }
        let messages = match self.directory.with_value(|d| d.command_all(id, changes)) {
            Ok(messages) if !messages.is_empty() => messages,
            Ok(_) => return false,
            Err(why) => {
                signal.update(|v| v.roll_back(why));
                return false;
            }
        };
        let Some(publisher) = self.publisher.get_value() else {
            return self.queue_change(id, changes, signal);
        };
        let qos = self.qos.get_untracked();
        let mut sent = 0;
        for out in messages {
            match publisher.publish(&out.topic, out.payload, qos, out.retain) {
                Ok(ticket) => {
                    sent += 1;
                    self.in_flight.update_value(|m| {
                        m.insert(ticket, id.clone());
                    });
                }
                Err(why) => {
                    self.forget_in_flight(id);
                    signal.update(|v| v.roll_back(why.clone()));
                    self.notice.set(Some(format!("Not sent: {why}")));
                    return false;
                }
            }
        }
        if sent == 0 {
            return false;
        }
        signal.update(|v| {
            for change in changes {
                v.assume(change);
            }
            v.delivery = Delivery::Pending;
        });
        let mut assumed = false;
        for change in changes {
            assumed |= self
                .directory
                .try_update_value(|d| d.assume(id, change))
                .flatten()
                .is_some();
        }
        if assumed {
            self.queue_card_update(id.clone(), CardUpdate::State);
        }
        true
    }

    /// Drops every publish of a lamp still awaiting the broker, after one of them failed.
    fn forget_in_flight(&self, id: &LampId) {
        self.in_flight
            .update_value(|m| m.retain(|_, lamp| lamp != id));
    }

    /// Switches every lamp of a room (by its key or its heading) on or off; lamps already
    /// there and unavailable ones are skipped (a "Not sent" on an unavailable lamp for every
    /// room-wide press would only be noise: its card says so already).
    pub fn room_switch(&self, room: &str, on: bool) {
        let members = self.room_members(room);
        for (id, changes) in crate::arrange::rooms::switch_plan(&members, on) {
            self.change_all(&id, &changes);
        }
    }

    /// Removes a lamp kept only from the last visit (its card is stale: nothing on the broker
    /// spoke for it this session): from the directory, so it is gone from the dashboard, and
    /// from the offline snapshot, written at once, so a reload does not bring it back. It
    /// comes back if it ever speaks again. Live lamps are not removed this way: their system
    /// would announce them again with the next message.
    pub fn forget_lamp(&self, id: &LampId) {
        if !self.lamp(id).is_some_and(|s| s.with_untracked(|v| v.stale)) {
            return;
        }
        let topics: Vec<String> = self
            .directory
            .with_value(|d| d.lamp(id).map(|l| l.binding.state_topics()))
            .unwrap_or_default();
        let forgot = self.snapshot.try_update_value(|s| {
            s.forget(std::iter::once(id.as_str()).chain(topics.iter().map(String::as_str)))
        });
        if forgot == Some(true) {
            self.write_snapshot();
        }
        if let Some(events) = self.directory.try_update_value(|d| d.forget(id)) {
            self.apply_directory_events(events);
        }
    }

    /// The broker took a change: mark it, and give the lamp `ECHO_WAIT_MS` to
    /// answer with its state before the card says nothing came back.
    fn delivered(&self, ticket: PublishTicket, downgraded: bool) {
        self.queued_delivered(ticket);
        let id = self
            .in_flight
            .try_update_value(|m| m.remove(&ticket))
            .flatten();
        let Some((id, signal)) = id.and_then(|id| self.lamp(&id).map(|s| (id, s))) else {
            return;
        };
        // A change of several messages is delivered when the broker has taken the last.
        if self
            .in_flight
            .with_value(|m| m.values().any(|lamp| *lamp == id))
        {
            return;
        }
        // A lamp that never reports its state (optimistic) has no echo to wait for.
        let mark = if downgraded {
            Delivery::Downgraded
        } else {
            Delivery::Delivered
        };
        if !self.directory.with_value(|d| d.reports_state(&id)) {
            signal.try_update(|v| v.delivery = mark);
            return;
        }
        signal.try_update(|v| {
            if downgraded {
                v.delivered_downgraded(wall_clock())
            } else {
                v.delivered(wall_clock())
            }
        });
        let store = *self;
        set_timeout(
            move || store.check_echo(&id),
            // A little past the deadline, so the check never lands a tick early.
            std::time::Duration::from_millis(ECHO_WAIT_MS as u64 + 100),
        );
    }

    /// Applies the echo rule to one lamp now (the timer set at delivery calls it).
    fn check_echo(&self, id: &LampId) {
        // An echo may be waiting for the next frame (none come in a background tab).
        self.apply_card_updates();
        let Some(signal) = self.lamp(id) else { return };
        let now = wall_clock();
        if signal.with_untracked(|v| v.echo_overdue(now)) {
            signal.try_update(|v| v.check_echo(now));
        }
    }

    fn fail(&self, ticket: PublishTicket, why: String) {
        self.queued_failed(ticket);
        let id = self
            .in_flight
            .try_update_value(|m| m.remove(&ticket))
            .flatten();
        if let Some(id) = id {
            self.forget_in_flight(&id);
            if let Some(signal) = self.lamp(&id) {
                signal.try_update(|v| v.roll_back(why.clone()));
            }
        }
        self.notice.try_set(Some(format!("Not delivered: {why}")));
    }

    /// Subscribes to what the directory newly needs and drops what it no longer does.
    ///
    /// At QoS 0: lamp states are retained snapshots, re-sent on every resubscribe, so an
    /// acknowledgement per message buys nothing, costs a PUBACK per message in a flood, and
    /// some brokers (rumqttd 0.20) deliver at most 100 retained messages to a QoS 1
    /// subscription.
    fn sync_subscriptions(&self) {
        let Some(publisher) = self.publisher.get_value() else {
            return;
        };
        // No filter covered by another: a broker that delivers once per matching
        // subscription would send (and the explorer list) each message twice.
        let base = self
            .directory
            .with_value(|d| reduce_filters(&d.subscriptions()));
        let exact = self
            .exact_known
            .with_value(|known| exact_topics_to_add(&base, known.iter().map(String::as_str)));
        let have = self.subscribed.get_value();
        let wanted: BTreeSet<String> = base.iter().chain(&exact).cloned().collect();
        // The wildcards go in their own SUBSCRIBE, before the exact topics: the retained
        // messages that follow its SUBACK, before the next, came through a wildcard.
        let add_base: Vec<String> = base
            .iter()
            .filter(|f| !have.contains(*f))
            .cloned()
            .collect();
        let add_exact: Vec<String> = exact
            .iter()
            .filter(|f| !have.contains(*f))
            .cloned()
            .collect();
        let drop: Vec<String> = have.difference(&wanted).cloned().collect();
        for add in [add_base, add_exact] {
            if add.is_empty() {
                continue;
            }
            if let Err(why) = publisher.subscribe(&add, QoS::AtMostOnce) {
                self.notice
                    .try_set(Some(format!("Could not subscribe: {why}")));
            }
        }
        if !drop.is_empty() {
            let _ = publisher.unsubscribe(&drop);
            self.refused_filters.try_update(|set| {
                for f in &drop {
                    set.remove(f);
                }
            });
            self.granted.try_update(|map| {
                for f in &drop {
                    map.remove(f);
                }
            });
        }
        let overlapping: BTreeSet<String> = exact.into_iter().collect();
        self.dedupe.update_value(|d| d.retain_topics(&overlapping));
        self.overlapping.set_value(overlapping);
        self.subscribed.set_value(wanted);
    }

    /// A SUBACK arrived: the wildcard lamp filters it granted are watched for retained
    /// messages, and a little after the wait the store says whether the broker withheld
    /// them (RabbitMQ), once.
    fn watch_retained(&self, results: &[crate::mqtt::session::FilterResult]) {
        let granted = results
            .iter()
            .filter(|r| matches!(r.result, SubackReturnCode::Success(_)))
            .map(|r| r.filter.as_str());
        self.watch
            .update_value(|w| w.subscribed(granted, wall_clock()));
        let store = *self;
        set_timeout(
            move || {
                let withheld = store
                    .watch
                    .try_update_value(|w| w.withheld(wall_clock()))
                    .unwrap_or_default();
                if !withheld.is_empty() {
                    store.notice.try_set(Some(withheld_notice(&withheld)));
                }
            },
            std::time::Duration::from_millis(WITHHELD_WAIT_MS as u64 + 100),
        );
    }
}
