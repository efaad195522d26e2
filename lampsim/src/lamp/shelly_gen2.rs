//! A Shelly Gen2+ light (Plus RGBW PM in its `rgbw` profile) as its firmware answers JSON-RPC
//! over MQTT (Gen2 API, "RPC Protocol", "RGBW" component, "MQTT"):
//! * requests on `<prefix>/rpc` (`{"id","src","method","params"}`); the reply goes to
//!   `<src>/rpc` (`{"id","src":<device id>,"dst":<src>,"result"|"error"}`), none without `src`;
//! * `RGBW.Set` (`id`, `on`, `brightness` 0-100, `rgb` [r,g,b], `white` 0-255),
//!   `RGBW.Toggle`, `RGBW.GetStatus`, `Shelly.GetStatus`; a method of another profile
//!   (`RGB.Set`) is `404 No handler for ...`, a bad argument `-103 Invalid argument ...`;
//! * after a change: `NotifyStatus` on `<prefix>/events/rpc` with only the changed keys, and,
//!   when "Generic status update over MQTT" is on, the whole status on
//!   `<prefix>/status/rgbw:0`; neither retained (only `<prefix>/online` is).

use serde_json::{json, Map, Value};

use super::shelly::{ShellyExtras, Wire};
use super::{ignored, json_object, Features, Kind, Lamp, Light, Mode, Reply};
use crate::color::{Color, Rgb};

impl Lamp {
    /// A Gen2 `rgbw:0` component under `prefix` (also its device id); `status_ntf` is the
    /// "Generic status update over MQTT" option.
    pub fn shelly_gen2(prefix: &str, status_ntf: bool, light: Light) -> Lamp {
        let mut lamp = Lamp {
            features: Features::new(100, true, None),
            light,
            ..Lamp::base(
                Kind::ShellyGen2,
                prefix,
                &format!("{prefix}/status/rgbw:0"),
                &format!("{prefix}/rpc"),
            )
        };
        lamp.shelly = ShellyExtras {
            device: prefix.to_string(),
            model: "SNDC-0D4P10WW".into(),
            channel: "rgbw".into(),
            status_ntf,
            white: 0,
            ..ShellyExtras::default()
        };
        lamp
    }

    fn gen2_component(&self) -> Map<String, Value> {
        let l = &self.light;
        let c = l
            .color
            .map(Color::to_rgb)
            .unwrap_or(Rgb::new(255, 255, 255));
        let v = json!({
            "id": 0,
            "source": "MQTT",
            "output": l.on,
            "brightness": l.brightness,
            "rgb": [c.r, c.g, c.b],
            "white": self.shelly.white,
            "temperature": {"tC": 41.2, "tF": 106.2},
            "aenergy": {"total": 12.345, "by_minute": [0.0, 0.0, 0.0], "minute_ts": 1_777_190_760},
            "apower": if l.on { 3.1 } else { 0.0 },
            "current": 0.0,
            "voltage": 24.1,
        });
        v.as_object().cloned().unwrap_or_default()
    }

    pub(super) fn shelly_gen2_status(&self) -> Vec<u8> {
        Value::Object(self.gen2_component())
            .to_string()
            .into_bytes()
    }

    /// What the device publishes about its state by itself: the status topic, when on.
    pub(super) fn shelly_gen2_messages(&self) -> Vec<Wire> {
        if !self.shelly.status_ntf {
            return Vec::new();
        }
        vec![Wire {
            topic: self.state_topic.clone(),
            payload: self.shelly_gen2_status(),
            retain: false,
        }]
    }

    fn reply(&mut self, frame: &Map<String, Value>, outcome: Result<Value, (i64, String)>) {
        let Some(src) = frame.get("src").and_then(Value::as_str) else {
            return;
        };
        let mut body = json!({
            "id": frame.get("id").cloned().unwrap_or(Value::Null),
            "src": self.shelly.device,
            "dst": src,
        });
        match outcome {
            Ok(result) => body["result"] = result,
            Err((code, message)) => body["error"] = json!({"code": code, "message": message}),
        }
        self.shelly.outbox.push(Wire {
            topic: format!("{src}/rpc"),
            payload: body.to_string().into_bytes(),
            retain: false,
        });
    }

    pub(super) fn shelly_gen2_command(&mut self, payload: &[u8]) -> Reply {
        let frame = match json_object(payload) {
            Ok(o) => o,
            Err(why) => return ignored(&why),
        };
        let Some(method) = frame
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return ignored("an RPC frame needs a method");
        };
        let params = frame
            .get("params")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let before = self.light.clone();
        let before_comp = self.gen2_component();
        let outcome = match method.as_str() {
            "Shelly.GetStatus" => Ok(json!({
                "sys": {"mac": self.shelly.device.rsplit('-').next().unwrap_or_default().to_uppercase(), "restart_required": false},
                "rgbw:0": Value::Object(self.gen2_component()),
            })),
            "RGBW.GetStatus" => Ok(Value::Object(self.gen2_component())),
            "RGBW.Set" | "RGBW.Toggle" => match params.get("id").and_then(Value::as_u64) {
                Some(0) if method == "RGBW.Toggle" => {
                    self.light.on = !self.light.on;
                    Ok(json!({"was_on": before.on}))
                }
                Some(0) => self.rgbw_set(&params).map(|()| Value::Null),
                Some(n) => Err((-105, format!("Argument 'id', value {n} not found!"))),
                None => Err((-103, "Missing required argument 'id'!".to_string())),
            },
            other => Err((404, format!("No handler for {other}"))),
        };
        let ok = outcome.is_ok();
        self.reply(&frame, outcome);
        if !ok {
            return Reply {
                accepted: false,
                notes: vec![format!("{method} refused")],
                ..Reply::default()
            };
        }
        let changed = self.light != before;
        if changed {
            // NotifyStatus carries only what changed.
            let now = self.gen2_component();
            let delta: Map<String, Value> = now
                .into_iter()
                .filter(|(k, v)| k == "id" || before_comp.get(k) != Some(v))
                .collect();
            let note = json!({
                "src": self.shelly.device,
                "dst": format!("{}/events", self.shelly.device),
                "method": "NotifyStatus",
                "params": {"ts": 1_777_190_803.91, "rgbw:0": Value::Object(delta)},
            });
            // Before the reply, as the device's status change precedes its answer.
            self.shelly.outbox.insert(
                0,
                Wire {
                    topic: format!("{}/events/rpc", self.shelly.device),
                    payload: note.to_string().into_bytes(),
                    retain: false,
                },
            );
        }
        Reply {
            accepted: true,
            changed,
            publish: changed.then(|| self.state_payload()),
            notes: Vec::new(),
            extra: Vec::new(),
        }
    }

    fn rgbw_set(&mut self, params: &Map<String, Value>) -> Result<(), (i64, String)> {
        let bad = |k: &str| (-103, format!("Invalid argument '{k}'!"));
        if let Some(b) = params.get("brightness") {
            match b.as_u64() {
                Some(b) if b <= 100 => self.light.brightness = b as u16,
                _ => return Err(bad("brightness")),
            }
        }
        if let Some(rgb) = params.get("rgb") {
            let parts: Option<Vec<u8>> = rgb.as_array().and_then(|a| {
                (a.len() == 3)
                    .then(|| {
                        a.iter()
                            .map(|v| v.as_u64().filter(|n| *n <= 255).map(|n| n as u8))
                            .collect()
                    })
                    .flatten()
            });
            match parts.as_deref() {
                Some([r, g, b]) => {
                    self.light.color = Some(Color::Rgb(Rgb::new(*r, *g, *b)));
                    self.light.mode = Mode::Color;
                }
                _ => return Err(bad("rgb")),
            }
        }
        if let Some(w) = params.get("white") {
            match w.as_u64() {
                Some(w) if w <= 255 => self.shelly.white = w as u8,
                _ => return Err(bad("white")),
            }
        }
        if let Some(on) = params.get("on") {
            match on.as_bool() {
                Some(on) => self.light.on = on,
                None => return Err(bad("on")),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lamp::test_support::{cyan, json_of};
    use crate::lamp::Role;

    const P: &str = "shellyplusrgbwpm-a0b1c2d3e4f5";

    #[test]
    fn set_replies_to_src_and_notifies_only_the_change() {
        let mut l = Lamp::shelly_gen2(P, true, cyan());
        let r = l.handle(
            Role::Command,
            br#"{"id":8,"src":"lampboard","method":"RGBW.Set","params":{"id":0,"on":true,"brightness":50}}"#,
        );
        assert!(r.accepted && r.changed);
        let out = l.take_outbox();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].topic, format!("{P}/events/rpc"));
        let n = json_of(&out[0].payload);
        assert_eq!(n["params"]["rgbw:0"], json!({"id": 0, "brightness": 50}));
        assert_eq!(out[1].topic, "lampboard/rpc");
        assert_eq!(
            json_of(&out[1].payload),
            json!({"id": 8, "src": P, "dst": "lampboard", "result": null})
        );
        assert!(out.iter().all(|w| !w.retain));
        assert_eq!(l.shelly_gen2_messages().len(), 1, "generic status on");
    }

    #[test]
    fn wrong_methods_and_arguments_are_errors_in_the_reply() {
        let mut l = Lamp::shelly_gen2(P, false, cyan());
        assert!(
            !l.handle(
                Role::Command,
                br#"{"id":1,"src":"me","method":"RGB.Set","params":{"id":0,"on":true}}"#
            )
            .accepted
        );
        let e = json_of(&l.take_outbox()[0].payload);
        assert_eq!(
            e["error"],
            json!({"code": 404, "message": "No handler for RGB.Set"})
        );
        l.handle(
            Role::Command,
            br#"{"id":2,"src":"me","method":"RGBW.Set","params":{"id":0,"rgb":[1,2]}}"#,
        );
        assert_eq!(json_of(&l.take_outbox()[0].payload)["error"]["code"], -103);
        l.handle(
            Role::Command,
            br#"{"id":3,"method":"RGBW.Set","params":{"id":0,"on":false}}"#,
        );
        assert!(
            l.take_outbox()
                .iter()
                .all(|w| w.topic.ends_with("events/rpc")),
            "no src, no reply"
        );
        assert!(l.shelly_gen2_messages().is_empty(), "generic status off");
        l.handle(
            Role::Command,
            br#"{"id":4,"src":"me","method":"Shelly.GetStatus"}"#,
        );
        let s = json_of(&l.take_outbox()[0].payload);
        assert_eq!(s["result"]["rgbw:0"]["output"], false);
    }
}
