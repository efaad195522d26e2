//! lampsim's Home Assistant lamps of every schema (default with templates, template, device
//! discovery, the two-topic availability lamp) read and commanded by the app's own model, as
//! Home Assistant reads and commands them: every message of a change (the default schema
//! sends several) reaches lampsim, which obeys and reports, and the app reads it back.

use lampboard::lamp::{DirectorySettings, LampChange, LampDirectory, LampId, Rgb};
use lampsim::fleet::Fleet;

const HA_LAMPS: [&str; 4] = [
    "Tasmota Bulb",
    "Template Lamp",
    "Kitchen Pendant",
    "Porch Light",
];

fn app_seeing(fleet: &Fleet) -> LampDirectory {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    for a in fleet.announcements() {
        dir.handle_message(&a.topic, &a.payload, true);
    }
    for lamp in &fleet.lamps {
        dir.handle_message(&lamp.state_topic, &lamp.state_payload(), true);
    }
    dir
}

/// The app's lamp for lampsim's lamp `name`, by the lamp's state topic.
fn app_lamp(fleet: &Fleet, dir: &LampDirectory, name: &str) -> (usize, LampId) {
    let i = fleet
        .lamps
        .iter()
        .position(|l| l.name == name)
        .unwrap_or_else(|| panic!("lampsim has no {name}"));
    let topic = &fleet.lamps[i].state_topic;
    let lamp = dir
        .lamps()
        .find(|l| l.binding.state_topics().contains(topic))
        .unwrap_or_else(|| panic!("the app has no lamp on {topic} ({name})"));
    (i, lamp.id.clone())
}

#[test]
fn every_home_assistant_schema_is_found_read_and_available() {
    let fleet = Fleet::new(12, 4);
    let dir = app_seeing(&fleet);
    for name in HA_LAMPS {
        let (i, id) = app_lamp(&fleet, &dir, name);
        let app = dir.lamp(&id).expect("lamp");
        let sim = &fleet.lamps[i];
        assert_eq!(app.name, name);
        assert_eq!(app.state.on, Some(sim.light.on), "{name}");
        assert!(app.available, "{name}: available once lampsim says so");
        assert!(app.unreadable.is_none(), "{name}: {:?}", app.unreadable);
        assert!(
            app.binding.note().is_none(),
            "{name}: {:?}",
            app.binding.note()
        );
    }
}

#[test]
fn every_home_assistant_schema_obeys_the_apps_commands() {
    let mut fleet = Fleet::new(12, 4);
    let mut dir = app_seeing(&fleet);
    for name in HA_LAMPS {
        let (i, id) = app_lamp(&fleet, &dir, name);
        let effect = dir
            .lamp(&id)
            .expect("lamp")
            .capabilities
            .effects
            .get(1)
            .cloned();
        let mut changes = vec![
            LampChange::On(false),
            LampChange::On(true),
            LampChange::Brightness(50),
            LampChange::Color(Rgb::new(255, 0, 0)),
            LampChange::ColorTemp(300),
        ];
        changes.extend(effect.map(LampChange::Effect));
        for change in changes {
            let Ok(messages) = dir.command(&id, &change) else {
                continue;
            };
            for out in messages {
                let (routed, role) = fleet
                    .route(&out.topic)
                    .unwrap_or_else(|| panic!("{name}: nobody listens on {}", out.topic));
                assert_eq!(routed, i, "{name}: {change:?} went to another lamp");
                let outcome = fleet.handle(i, role, &out.payload);
                assert!(
                    outcome.reply.accepted,
                    "{name}: lampsim ignored {} on {}: {:?}",
                    String::from_utf8_lossy(&out.payload),
                    out.topic,
                    outcome.reply.notes
                );
                if let Some(p) = &outcome.reply.publish {
                    let topic = fleet.lamps[i].state_topic.clone();
                    dir.handle_message(&topic, p, false);
                }
            }
            let app = dir.lamp(&id).expect("lamp");
            let what = format!("{name} after {change:?}: {:?}", app.state);
            match &change {
                LampChange::On(on) => assert_eq!(app.state.on, Some(*on), "{what}"),
                LampChange::Brightness(pct) => {
                    let got = app.state.brightness_pct.unwrap_or(-1.0);
                    assert!((got - f32::from(*pct)).abs() <= 1.0, "{what}");
                }
                LampChange::Color(_) => {
                    let c = app.state.display_rgb().unwrap_or_default();
                    assert!(c.r > 200 && c.g < 60 && c.b < 60, "{what}");
                }
                LampChange::ColorTemp(m) => {
                    let got = i32::from(app.state.color_temp_mireds.unwrap_or(0));
                    assert!((got - i32::from(*m)).abs() <= 2, "{what}");
                }
                LampChange::Effect(e) => {
                    assert_eq!(app.state.effect.as_deref(), Some(e.as_str()), "{what}")
                }
            }
        }
    }
}
