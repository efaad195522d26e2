//! The app's Shelly systems against lampsim's Shelly devices, wired through an in-memory
//! "broker" that delivers each message to whoever listens (the app's directory, lampsim's
//! routes and broadcast): discovery as a fresh page sees it (only retained messages, then the
//! app's hello on connect), and every control round-tripping in the firmware's own format.
//! No network, so it runs in milliseconds; e2e/tests/firmware_shelly.rs does it on Mosquitto.

use lampboard::lamp::{
    DirectoryEvent, DirectorySettings, LampChange, LampDirectory, LampId, Outgoing, Rgb, SourceKind,
};
use lampsim::fleet::shelly::{BULB, PLUS_RGBW, RGBW2};
use lampsim::fleet::Fleet;
use lampsim::lamp::shelly::Wire;

/// The app and the house on one wire.
struct Wire2 {
    fleet: Fleet,
    app: LampDirectory,
    /// Retained messages the broker holds.
    retained: Vec<Wire>,
    /// Every message the app published, in order.
    sent: Vec<Outgoing>,
}

impl Wire2 {
    /// lampsim started before the page: the broker keeps only what was retained.
    fn new() -> Wire2 {
        let fleet = Fleet::new(0, 1);
        let mut retained: Vec<Wire> = fleet
            .announcements()
            .into_iter()
            .map(|a| Wire {
                topic: a.topic,
                payload: a.payload,
                retain: true,
            })
            .collect();
        for lamp in &fleet.lamps {
            retained.extend(lamp.state_messages().into_iter().filter(|w| w.retain));
        }
        Wire2 {
            fleet,
            app: LampDirectory::new(DirectorySettings::default()),
            retained,
            sent: Vec::new(),
        }
    }

    /// The page connects: retained messages, then the systems' hello.
    fn connect(&mut self) {
        for w in self.retained.clone() {
            self.deliver_to_app(&w);
        }
        let hello = self.app.on_connect();
        self.take_from_app(hello);
    }

    fn deliver_to_app(&mut self, w: &Wire) {
        let events = self.app.handle_message(&w.topic, &w.payload, w.retain);
        let mut out = Vec::new();
        for e in events {
            match e {
                DirectoryEvent::Added(id) => out.extend(self.app.refresh(&id)),
                DirectoryEvent::Publish(m) => out.extend(m),
                _ => {}
            }
        }
        self.take_from_app(out);
    }

    /// Delivers the app's messages to lampsim and lampsim's answers back to the app.
    fn take_from_app(&mut self, messages: Vec<Outgoing>) {
        for m in messages {
            self.sent.push(m.clone());
            let mut targets = self.fleet.broadcast(&m.topic);
            targets.extend(self.fleet.route(&m.topic));
            for (i, role) in targets {
                let outcome = self.fleet.handle(i, role, &m.payload);
                let mut wires = Vec::new();
                let outbox = self.fleet.lamps[i].take_outbox();
                let (notes, rest): (Vec<Wire>, Vec<Wire>) = outbox
                    .into_iter()
                    .partition(|w| w.topic.ends_with("/events/rpc"));
                wires.extend(notes);
                if outcome.reply.publish.is_some() {
                    wires.extend(self.fleet.lamps[i].state_messages());
                }
                wires.extend(rest);
                for w in wires {
                    self.deliver_to_app(&w);
                }
            }
        }
    }

    fn change(&mut self, id: &LampId, change: LampChange) -> Vec<Outgoing> {
        let out = self.app.command(id, &change).expect("command");
        let before = self.sent.len();
        self.take_from_app(out);
        self.sent[before..].to_vec()
    }
}

fn json(out: &Outgoing) -> serde_json::Value {
    serde_json::from_slice(&out.payload).expect("JSON")
}

#[test]
fn a_fresh_page_finds_all_three_shellies_with_their_state() {
    let mut w = Wire2::new();
    // Before the hello only the retaining RGBW2 is known (its status is retained), and the
    // Plus RGBW was asked for its status because its retained `online` was heard.
    for m in w.retained.clone() {
        w.deliver_to_app(&m);
    }
    let rgbw2 = LampId(format!("shellies/{RGBW2}/color/0"));
    let bulb = LampId(format!("shellies/{BULB}/color/0"));
    let plus = LampId(format!("{PLUS_RGBW}/status/rgbw:0"));
    assert!(w.app.lamp(&rgbw2).is_some());
    assert!(w.app.lamp(&bulb).is_none(), "the bulb retains nothing");
    assert!(
        w.app.lamp(&plus).is_some(),
        "found through online + Shelly.GetStatus"
    );
    let hello = w.app.on_connect();
    w.take_from_app(hello);
    let b = w.app.lamp(&bulb).expect("the bulb answered announce");
    assert_eq!(b.source_kind(), SourceKind::ShellyGen1);
    assert_eq!(b.state.on, Some(false));
    assert!(b.capabilities.color_temp && b.capabilities.effects.len() == 7);
    let r = w.app.lamp(&rgbw2).unwrap();
    assert_eq!(
        (r.state.on, r.state.brightness_pct, r.state.rgb),
        (Some(true), Some(60.0), Some(Rgb::new(255, 80, 0)))
    );
    let p = w.app.lamp(&plus).unwrap();
    assert_eq!(p.source_kind(), SourceKind::ShellyGen2);
    assert_eq!(
        (p.state.on, p.state.brightness_pct, p.state.rgb),
        (Some(true), Some(45.0), Some(Rgb::new(120, 0, 255)))
    );
    assert!(p.available && r.available && b.available);
    assert_eq!(p.binding.note(), None);
}

#[test]
fn every_control_round_trips_in_the_firmwares_own_format() {
    let mut w = Wire2::new();
    w.connect();
    let rgbw2 = LampId(format!("shellies/{RGBW2}/color/0"));
    let sent = w.change(&rgbw2, LampChange::On(false));
    assert_eq!(sent[0].topic, format!("shellies/{RGBW2}/color/0/command"));
    assert_eq!(sent[0].payload, b"off");
    assert_eq!(w.app.lamp(&rgbw2).unwrap().state.on, Some(false));
    w.change(&rgbw2, LampChange::Brightness(25));
    assert_eq!(w.app.lamp(&rgbw2).unwrap().state.brightness_pct, Some(25.0));
    w.change(&rgbw2, LampChange::Color(Rgb::new(0, 255, 0)));
    assert_eq!(
        w.app.lamp(&rgbw2).unwrap().state.rgb,
        Some(Rgb::new(0, 255, 0))
    );
    let sent = w.change(&rgbw2, LampChange::Effect("Flash".into()));
    assert_eq!(
        json(&sent[0]),
        serde_json::json!({"turn": "on", "effect": 3})
    );
    assert_eq!(
        w.app.lamp(&rgbw2).unwrap().state.effect.as_deref(),
        Some("Flash")
    );

    let bulb = LampId(format!("shellies/{BULB}/color/0"));
    w.change(&bulb, LampChange::ColorTemp(250));
    let b = &w.app.lamp(&bulb).unwrap().state;
    assert_eq!((b.on, b.color_temp_mireds), (Some(true), Some(250)));
    w.change(&bulb, LampChange::Brightness(40));
    assert_eq!(
        w.app.lamp(&bulb).unwrap().state.brightness_pct,
        Some(40.0),
        "white mode dims with brightness"
    );

    let plus = LampId(format!("{PLUS_RGBW}/status/rgbw:0"));
    let sent = w.change(&plus, LampChange::Color(Rgb::new(255, 0, 0)));
    assert_eq!(sent[0].topic, format!("{PLUS_RGBW}/rpc"));
    assert_eq!(json(&sent[0])["method"], "RGBW.Set");
    assert_eq!(
        w.app.lamp(&plus).unwrap().state.rgb,
        Some(Rgb::new(255, 0, 0))
    );
    w.change(&plus, LampChange::Brightness(0));
    assert_eq!(w.app.lamp(&plus).unwrap().state.on, Some(false));
    w.change(&plus, LampChange::Brightness(70));
    let p = &w.app.lamp(&plus).unwrap().state;
    assert_eq!((p.on, p.brightness_pct), (Some(true), Some(70.0)));
    assert_eq!(
        w.app.lamp(&plus).unwrap().binding.note(),
        None,
        "status updates are on"
    );
}

#[test]
fn a_gen2_without_generic_status_is_told_on_its_card() {
    let mut w = Wire2::new();
    let i = w
        .fleet
        .lamps
        .iter()
        .position(|l| l.name == PLUS_RGBW)
        .unwrap();
    w.fleet.lamps[i].shelly.status_ntf = false;
    w.connect();
    let plus = LampId(format!("{PLUS_RGBW}/status/rgbw:0"));
    assert!(w.app.lamp(&plus).is_some(), "GetStatus still finds it");
    w.change(&plus, LampChange::Brightness(10));
    w.change(&plus, LampChange::Brightness(20));
    let p = w.app.lamp(&plus).unwrap();
    assert_eq!(
        p.state.brightness_pct,
        Some(20.0),
        "NotifyStatus still carries the change"
    );
    assert!(
        p.binding
            .note()
            .is_some_and(|n| n.contains("Generic status update over MQTT")),
        "{:?}",
        p.binding.note()
    );
}
