//! lampsim's firmware devices (two Tasmota devices, three lights; one WLED strip) read and
//! commanded by the app's own model: the app finds them from their announcements, fills the
//! cards from the answers to its first query (Tasmota's `State`; WLED's retained `/g` `/c`),
//! and every change it sends reaches lampsim, which obeys and answers as the firmware does
//! (RESULT/POWER; `/g`, `/c`, `/v`), and the app reads the answer back.

use lampboard::lamp::{DirectorySettings, LampChange, LampDirectory, LampId, Outgoing, Rgb};
use lampsim::fleet::Fleet;
use lampsim::lamp::Publish;

/// App lamp ids (the POWER topic for Tasmota, the device topic for WLED) and lampsim names.
const LAMPS: [(&str, &str); 4] = [
    ("stat/tasmota_A1B2C3/POWER", "Hallway Bulb"),
    ("stat/tasmota_D4E5F6/POWER1", "Cabinet Left"),
    ("stat/tasmota_D4E5F6/POWER2", "Cabinet Right"),
    ("wled/5c3f1a", "Shelf Strip"),
];

fn deliver(dir: &mut LampDirectory, messages: &[Publish]) {
    for m in messages {
        dir.handle_message(&m.topic, &m.payload, m.retain);
    }
}

/// Sends the app's messages to lampsim and the answers back to the app.
fn round_trip(fleet: &mut Fleet, dir: &mut LampDirectory, out: Vec<Outgoing>) -> Vec<String> {
    let mut notes = Vec::new();
    for o in out {
        let (i, role) = fleet
            .route(&o.topic)
            .unwrap_or_else(|| panic!("nobody listens on {}", o.topic));
        let outcome = fleet.handle(i, role, &o.payload);
        if !outcome.reply.accepted {
            notes.push(format!(
                "{} {} ignored: {:?}",
                o.topic,
                String::from_utf8_lossy(&o.payload),
                outcome.reply.notes
            ));
        }
        deliver(dir, &outcome.reply.extra);
    }
    notes
}

fn app_seeing(fleet: &mut Fleet) -> LampDirectory {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    for a in fleet.announcements() {
        dir.handle_message(&a.topic, &a.payload, true);
    }
    // Retained state only (Tasmota retains none of its answers).
    for lamp in &fleet.lamps {
        let retained: Vec<Publish> = lamp
            .state_messages()
            .into_iter()
            .filter(|m| m.retain)
            .collect();
        deliver(&mut dir, &retained);
    }
    let ids: Vec<LampId> = dir.lamps().map(|l| l.id.clone()).collect();
    for id in ids {
        let ask = dir.refresh(&id);
        if ask.iter().any(|o| fleet.route(&o.topic).is_some()) {
            round_trip(fleet, &mut dir, ask);
        }
    }
    dir
}

#[test]
fn every_firmware_light_is_found_named_and_filled_by_its_first_answer() {
    let mut fleet = Fleet::new(12, 4);
    let dir = app_seeing(&mut fleet);
    for (id, name) in LAMPS {
        let app = dir
            .lamp(&LampId(id.into()))
            .unwrap_or_else(|| panic!("the app has no {id}"));
        assert_eq!(app.name, name);
        assert!(app.available, "{name}");
        assert!(app.unreadable.is_none(), "{name}: {:?}", app.unreadable);
        assert!(
            app.state.on.is_some() && app.state.brightness_pct.is_some(),
            "{name}: {:?}",
            app.state
        );
    }
    let bulb = dir.lamp(&LampId(LAMPS[0].0.into())).unwrap();
    assert_eq!(bulb.state.rgb, Some(Rgb::new(255, 128, 0)));
    assert_eq!(bulb.state.brightness_pct, Some(60.0));
    let right = dir.lamp(&LampId(LAMPS[2].0.into())).unwrap();
    assert_eq!(
        (right.state.on, right.state.brightness_pct),
        (Some(false), Some(70.0))
    );
    let strip = dir.lamp(&LampId(LAMPS[3].0.into())).unwrap();
    assert_eq!(strip.state.rgb, Some(Rgb::new(255, 160, 0)));
}

#[test]
fn every_firmware_light_obeys_every_control_it_offers() {
    let mut fleet = Fleet::new(12, 4);
    let mut dir = app_seeing(&mut fleet);
    for (id, name) in LAMPS {
        let id = LampId(id.into());
        let caps = dir.lamp(&id).unwrap().capabilities.clone();
        let mut changes = vec![
            LampChange::On(false),
            LampChange::On(true),
            LampChange::Brightness(35),
        ];
        if caps.color {
            changes.push(LampChange::Color(Rgb::new(255, 0, 0)));
        }
        if caps.color_temp {
            changes.push(LampChange::ColorTemp(300));
        }
        if let Some(e) = caps.effects.get(2) {
            changes.push(LampChange::Effect(e.clone()));
        }
        assert!(changes.len() >= 3);
        for change in changes {
            let out = dir
                .command(&id, &change)
                .unwrap_or_else(|e| panic!("{name} {change:?}: {e}"));
            let notes = round_trip(&mut fleet, &mut dir, out);
            assert!(notes.is_empty(), "{name}: {notes:?}");
            let app = &dir.lamp(&id).unwrap().state;
            let what = format!("{name} after {change:?}: {app:?}");
            match &change {
                LampChange::On(on) => assert_eq!(app.on, Some(*on), "{what}"),
                LampChange::Brightness(p) => {
                    assert!(
                        (app.brightness_pct.unwrap() - f32::from(*p)).abs() <= 0.5,
                        "{what}"
                    );
                    assert_eq!(app.on, Some(true), "{what}");
                }
                LampChange::Color(_) => {
                    assert_eq!(app.display_rgb(), Some(Rgb::new(255, 0, 0)), "{what}")
                }
                LampChange::ColorTemp(m) => assert_eq!(app.color_temp_mireds, Some(*m), "{what}"),
                LampChange::Effect(e) => {
                    assert_eq!(app.effect.as_deref(), Some(e.as_str()), "{what}")
                }
            }
        }
    }
    // The controller's channels are independent.
    let left = dir
        .lamp(&LampId(LAMPS[1].0.into()))
        .unwrap()
        .state
        .brightness_pct;
    let right = dir
        .lamp(&LampId(LAMPS[2].0.into()))
        .unwrap()
        .state
        .brightness_pct;
    assert_eq!((left, right), (Some(35.0), Some(35.0)));
    let out = dir
        .command(&LampId(LAMPS[2].0.into()), &LampChange::Brightness(80))
        .unwrap();
    round_trip(&mut fleet, &mut dir, out);
    assert_eq!(
        dir.lamp(&LampId(LAMPS[1].0.into()))
            .unwrap()
            .state
            .brightness_pct,
        Some(35.0)
    );
    assert_eq!(
        dir.lamp(&LampId(LAMPS[2].0.into()))
            .unwrap()
            .state
            .brightness_pct,
        Some(80.0)
    );
}
