use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use leptos::prelude::*;

use super::view::{group_rooms, Delivery, LampView, Room};
use crate::lamp::{DirectoryEvent, DirectorySettings, LampChange, LampDirectory, LampId};
use crate::mqtt::packet::{QoS, SubackReturnCode};
use crate::mqtt::session::{Event, PublishTicket};
use crate::net::client::{ClientEvent, MqttClient};
use crate::net::status::ConnectionStatus;

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
}

/// The reactive store; `Copy`, so every component can hold it.
#[derive(Clone, Copy)]
pub struct Store {
    /// The status line.
    pub status: RwSignal<ConnectionStatus>,
    /// Room headings and their lamp ids; changes only when lamps come or go.
    pub rooms: RwSignal<Vec<Room>>,
    /// The QoS the controls publish at (settings; default 1).
    pub qos: RwSignal<QoS>,
    /// A short message for the user (a failed publish, a refused subscription).
    pub notice: RwSignal<Option<String>>,
    /// Wall-clock ms, ticked by the app, so "5 s ago" labels stay true.
    pub now: RwSignal<f64>,
    lamps: StoredValue<HashMap<LampId, RwSignal<LampView>>>,
    directory: StoredValue<LampDirectory>,
    subscribed: StoredValue<BTreeSet<String>>,
    in_flight: StoredValue<HashMap<PublishTicket, LampId>>,
    publisher: StoredValue<Option<Rc<dyn Publisher>>, LocalStorage>,
}

fn wall_clock() -> f64 {
    js_sys::Date::now()
}

impl Store {
    /// An empty store with the given discovery settings.
    pub fn new(settings: DirectorySettings) -> Self {
        Self {
            status: RwSignal::new(ConnectionStatus::Disconnected),
            rooms: RwSignal::new(Vec::new()),
            qos: RwSignal::new(QoS::AtLeastOnce),
            notice: RwSignal::new(None),
            now: RwSignal::new(wall_clock()),
            lamps: StoredValue::new(HashMap::new()),
            directory: StoredValue::new(LampDirectory::new(settings)),
            subscribed: StoredValue::new(BTreeSet::new()),
            in_flight: StoredValue::new(HashMap::new()),
            publisher: StoredValue::new_local(None),
        }
    }

    /// Connects the store to where its messages go, and subscribes to what
    /// the directory needs.
    pub fn set_publisher(&self, publisher: Rc<dyn Publisher>) {
        self.publisher.set_value(Some(publisher));
        self.subscribed.set_value(BTreeSet::new());
        self.sync_subscriptions();
    }

    /// Forgets the publisher (the user disconnected): changes now roll back
    /// with "not connected" instead of queueing into a closed client.
    pub fn clear_publisher(&self) {
        self.publisher.set_value(None);
        self.subscribed.set_value(BTreeSet::new());
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
            ClientEvent::Status(status) => self.status.try_set(status).map_or((), drop),
            ClientEvent::Session(event) => self.handle_session_event(event),
        }
    }

    fn handle_session_event(&self, event: Event) {
        match event {
            Event::Message(m) => self.handle_message(&m.topic, &m.payload, m.retain),
            Event::Sent(ticket) | Event::Delivered(ticket) => {
                self.mark(ticket, Delivery::Delivered)
            }
            Event::PublishRefused { ticket, reason } => {
                self.fail(ticket, reason.to_string());
            }
            Event::Subscribed { results, .. } => {
                let refused: Vec<String> = results
                    .iter()
                    .filter(|r| matches!(r.result, SubackReturnCode::Failure))
                    .map(|r| r.filter.clone())
                    .collect();
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

    /// A message from the broker (or a test): updates, adds or removes cards.
    pub fn handle_message(&self, topic: &str, payload: &[u8], retained: bool) {
        let events = self
            .directory
            .try_update_value(|d| d.handle_message(topic, payload, retained));
        let Some(events) = events else { return };
        let now = wall_clock();
        let mut regroup = false;
        for event in events {
            match event {
                DirectoryEvent::Added(id) => {
                    if let Some(lamp) = self.directory.with_value(|d| d.lamp(&id).cloned()) {
                        let signal = RwSignal::new(LampView::new(lamp, now));
                        self.lamps.update_value(|l| {
                            l.insert(id, signal);
                        });
                        regroup = true;
                    }
                }
                DirectoryEvent::Updated { id, .. } => {
                    let lamp = self.directory.with_value(|d| d.lamp(&id).cloned());
                    if let (Some(lamp), Some(signal)) = (lamp, self.lamp(&id)) {
                        let room_changed = signal.with_untracked(|v| {
                            v.lamp.room != lamp.room || v.lamp.name != lamp.name
                        });
                        signal.try_update(|v| v.confirm(lamp, now));
                        regroup |= room_changed;
                    }
                }
                DirectoryEvent::Unreadable { lamp: Some(id), .. } => {
                    let lamp = self.directory.with_value(|d| d.lamp(&id).cloned());
                    if let (Some(lamp), Some(signal)) = (lamp, self.lamp(&id)) {
                        signal.try_update(|v| v.lamp.unreadable = lamp.unreadable);
                    }
                }
                DirectoryEvent::Removed(id) => {
                    self.lamps.update_value(|l| {
                        l.remove(&id);
                    });
                    regroup = true;
                }
                DirectoryEvent::SubscriptionsChanged => self.sync_subscriptions(),
                DirectoryEvent::Unreadable { lamp: None, .. }
                | DirectoryEvent::DiscoveryRejected { .. } => {}
            }
        }
        if regroup {
            let rooms = self.directory.with_value(|d| group_rooms(d.lamps()));
            self.rooms.try_set(rooms);
        }
    }

    /// The user changed a lamp: publish, show it at once, mark it pending.
    pub fn change(&self, id: &LampId, change: LampChange) {
        let Some(signal) = self.lamp(id) else { return };
        let Some(out) = self.directory.with_value(|d| d.command(id, &change)) else {
            self.notice.set(Some("This lamp cannot do that".to_owned()));
            return;
        };
        let Some(publisher) = self.publisher.get_value() else {
            signal.update(|v| v.roll_back("not connected to a broker".to_owned()));
            return;
        };
        let qos = self.qos.get_untracked();
        match publisher.publish(&out.topic, out.payload, qos, out.retain) {
            Ok(ticket) => {
                self.in_flight.update_value(|m| {
                    m.insert(ticket, id.clone());
                });
                signal.update(|v| {
                    v.assume(&change);
                    v.delivery = Delivery::Pending;
                });
            }
            Err(why) => {
                signal.update(|v| v.roll_back(why.clone()));
                self.notice.set(Some(format!("Not sent: {why}")));
            }
        }
    }

    /// Switches every lamp of a room on or off.
    pub fn room_switch(&self, room: &str, on: bool) {
        let ids = self.rooms.with_untracked(|rooms| {
            rooms
                .iter()
                .find(|r| r.name == room)
                .map(|r| r.lamps.clone())
        });
        for id in ids.unwrap_or_default() {
            self.change(&id, LampChange::On(on));
        }
    }

    fn mark(&self, ticket: PublishTicket, delivery: Delivery) {
        let id = self
            .in_flight
            .try_update_value(|m| m.remove(&ticket))
            .flatten();
        if let Some(signal) = id.and_then(|id| self.lamp(&id)) {
            signal.try_update(|v| v.delivery = delivery);
        }
    }

    fn fail(&self, ticket: PublishTicket, why: String) {
        let id = self
            .in_flight
            .try_update_value(|m| m.remove(&ticket))
            .flatten();
        if let Some(signal) = id.and_then(|id| self.lamp(&id)) {
            signal.try_update(|v| v.roll_back(why.clone()));
        }
        self.notice.try_set(Some(format!("Not delivered: {why}")));
    }

    /// Subscribes to what the directory newly needs and drops what it no longer does.
    fn sync_subscriptions(&self) {
        let Some(publisher) = self.publisher.get_value() else {
            return;
        };
        let wanted: BTreeSet<String> = self
            .directory
            .with_value(|d| d.subscriptions().into_iter().collect());
        let have = self.subscribed.get_value();
        let add: Vec<String> = wanted.difference(&have).cloned().collect();
        let drop: Vec<String> = have.difference(&wanted).cloned().collect();
        if !add.is_empty() {
            if let Err(why) = publisher.subscribe(&add, QoS::AtLeastOnce) {
                self.notice
                    .try_set(Some(format!("Could not subscribe: {why}")));
            }
        }
        if !drop.is_empty() {
            let _ = publisher.unsubscribe(&drop);
        }
        self.subscribed.set_value(wanted);
    }
}
