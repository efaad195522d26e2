//! lampsim on the wire: the embedded broker on free loopback ports, the simulation in-process,
//! and an independent rumqttc client (or a raw WebSocket) checking what a dashboard would see.
//! Every test is bounded by [`LIMIT`].

use std::collections::BTreeMap;
use std::time::Duration;

use lampsim::broker::{self, free_port, Listeners};
use lampsim::lamp::{Lamp, Mode};
use lampsim::runner::{self, Options, Report};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{timeout, Instant};

/// Upper bound for any one test.
const LIMIT: Duration = Duration::from_secs(30);

struct Hub {
    tcp: u16,
    ws: u16,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<Report, String>>,
}

/// Broker on free ports plus the simulation, returned once lampsim is subscribed.
async fn start_hub(configure: impl FnOnce(&mut Options)) -> Hub {
    let (tcp, ws) = (free_port().unwrap(), free_port().unwrap());
    let listeners = Listeners::loopback(tcp, ws);
    tokio::task::spawn_blocking(move || broker::start(&listeners))
        .await
        .unwrap()
        .expect("broker starts");
    let mut opts = Options::new("127.0.0.1", tcp);
    opts.quiet = true;
    opts.client_id = format!("lampsim-test-{tcp}");
    // The porch light flaps only in the test about it.
    opts.flap = None;
    configure(&mut opts);
    let (stop, stopped) = oneshot::channel::<()>();
    let (ready_tx, ready) = oneshot::channel();
    let task = tokio::spawn(runner::run(
        opts,
        async {
            let _ = stopped.await;
        },
        Some(ready_tx),
    ));
    timeout(Duration::from_secs(10), ready)
        .await
        .expect("lampsim ready within 10 s")
        .expect("lampsim did not stop before ready");
    Hub {
        tcp,
        ws,
        stop,
        task,
    }
}

impl Hub {
    async fn stop(self) -> Report {
        let _ = self.stop.send(());
        timeout(Duration::from_secs(5), self.task)
            .await
            .expect("lampsim stops within 5 s")
            .unwrap()
            .expect("lampsim ran without error")
    }
}

/// An independent MQTT client whose received publishes arrive on a channel.
struct Probe {
    client: AsyncClient,
    publishes: mpsc::UnboundedReceiver<Publish>,
    subacks: mpsc::UnboundedReceiver<()>,
}

async fn probe(port: u16, id: &str) -> Probe {
    let mut opts = MqttOptions::new(id, "127.0.0.1", port);
    opts.set_max_packet_size(1 << 20, 1 << 20);
    let (client, mut eventloop) = AsyncClient::new(opts, 1024);
    let (ptx, publishes) = mpsc::unbounded_channel();
    let (stx, subacks) = mpsc::unbounded_channel();
    let (ctx, connected) = oneshot::channel();
    let mut ctx = Some(ctx);
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    if let Some(tx) = ctx.take() {
                        let _ = tx.send(());
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    if ptx.send(p).is_err() {
                        break;
                    }
                }
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    let _ = stx.send(());
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    timeout(Duration::from_secs(5), connected)
        .await
        .expect("probe connects")
        .unwrap();
    Probe {
        client,
        publishes,
        subacks,
    }
}

impl Probe {
    async fn subscribe(&mut self, filter: &str, qos: QoS) {
        self.client.subscribe(filter, qos).await.unwrap();
        timeout(Duration::from_secs(5), self.subacks.recv())
            .await
            .expect("suback within 5 s");
    }

    async fn publish(&self, topic: &str, retain: bool, payload: &str) {
        self.client
            .publish(topic, QoS::AtLeastOnce, retain, payload.as_bytes().to_vec())
            .await
            .unwrap();
    }

    /// Everything that arrives until `quiet` passes without a message (or `max` elapses).
    async fn drain(&mut self, quiet: Duration, max: Duration) -> Vec<Publish> {
        let end = Instant::now() + max;
        let mut out = Vec::new();
        while let Ok(Some(p)) =
            timeout(quiet.min(end - Instant::now()), self.publishes.recv()).await
        {
            out.push(p);
            if Instant::now() >= end {
                break;
            }
        }
        out
    }

    /// Waits for `want` on `topic` (retained or live): lampsim's last publishes may reach the
    /// broker after this probe's subscription, so the retained value can still be older.
    async fn until(&mut self, topic: &str, want: &Value) {
        loop {
            if &json_of(&self.next_on(topic).await) == want {
                return;
            }
        }
    }

    /// The next publish on `topic`, skipping others.
    async fn next_on(&mut self, topic: &str) -> Publish {
        timeout(Duration::from_secs(5), async {
            loop {
                let p = self.publishes.recv().await.expect("probe connection open");
                if p.topic == topic {
                    return p;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("nothing on {topic} within 5 s"))
    }
}

/// The lamp whose state topic is `topic`, as lampsim ended.
fn lamp_at<'a>(report: &'a Report, topic: &str) -> &'a Lamp {
    report
        .fleet
        .lamps
        .iter()
        .find(|l| l.state_topic == topic)
        .unwrap_or_else(|| panic!("no lamp on {topic}"))
}

fn json_of(p: &Publish) -> Value {
    serde_json::from_slice(&p.payload)
        .unwrap_or_else(|e| panic!("{}: {e}: {:?}", p.topic, p.payload))
}

#[tokio::test]
async fn retained_seed_states_arrive_on_subscribe() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let mut p = probe(hub.tcp, "t-seed-retained").await;
        // QoS 1, as the app subscribes.
        p.subscribe("smarthome/+/lamps/#", QoS::AtLeastOnce).await;
        let got = p
            .drain(Duration::from_millis(500), Duration::from_secs(5))
            .await;
        let by_topic: BTreeMap<&str, Value> =
            got.iter().map(|m| (m.topic.as_str(), json_of(m))).collect();
        assert_eq!(got.len(), 12, "{by_topic:#?}");
        assert_eq!(by_topic.len(), 12, "one message per lamp");
        assert!(got.iter().all(|m| m.retain), "delivered as retained");
        for (topic, state) in &by_topic {
            assert!(topic.starts_with("smarthome/"), "{topic}");
            assert!(state["state"] == "ON" || state["state"] == "OFF", "{state}");
            assert!(state["brightness"].as_u64().is_some_and(|b| b <= 255));
            assert!(state["color"]["r"].is_u64(), "{state}");
        }
        assert!(by_topic.contains_key("smarthome/kitchen/lamps/ceiling"));
        assert!(by_topic.contains_key("smarthome/living/lamps/sofa"));
        hub.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn a_retained_write_to_a_seed_lamp_is_adopted_without_a_loop() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let topic = "smarthome/kitchen/lamps/ceiling";
        let mut p = probe(hub.tcp, "t-seed-write").await;
        p.subscribe(topic, QoS::AtLeastOnce).await;
        assert!(p.next_on(topic).await.retain, "the snapshot first");

        // A whole state, as the app writes it: adopted, nothing re-published.
        let whole = r#"{"state":"ON","brightness":99,"color":{"r":1,"g":2,"b":3}}"#;
        p.publish(topic, true, whole).await;
        let seen = p
            .drain(Duration::from_millis(700), Duration::from_secs(3))
            .await;
        assert_eq!(seen.len(), 1, "only our own write, no echo loop: {seen:?}");

        // A partial state: adopted and completed on the topic, once.
        p.publish(topic, true, r#"{"state":"OFF"}"#).await;
        let seen = p
            .drain(Duration::from_millis(700), Duration::from_secs(3))
            .await;
        assert_eq!(
            seen.len(),
            2,
            "our write + lampsim's completed state: {seen:?}"
        );
        assert_eq!(
            json_of(&seen[1]),
            json!({"state":"OFF","brightness":99,"color":{"r":1,"g":2,"b":3}})
        );

        // A new subscriber sees the completed state.
        let mut late = probe(hub.tcp, "t-seed-late").await;
        late.subscribe(topic, QoS::AtMostOnce).await;
        assert_eq!(json_of(&late.next_on(topic).await)["state"], "OFF");

        let report = hub.stop().await;
        let lamp = lamp_at(&report, topic);
        assert!(!lamp.light.on);
        assert_eq!(lamp.light.brightness, 99);
        assert_eq!(report.commands, 2, "two writes, no own echo counted");
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn a_write_made_while_lampsim_was_away_is_obeyed_when_it_reconnects() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let topic = "smarthome/kitchen/lamps/ceiling";
        // A client taking over lampsim's client id cuts lampsim off (rumqttc then waits a
        // second before it reconnects); in that gap it leaves a retained write, as the app
        // does when it reconnects to a restarted broker before the lamps are back.
        let write = r#"{"state":"ON","brightness":77,"color":{"r":9,"g":8,"b":7}}"#;
        let impostor = probe(hub.tcp, &format!("lampsim-test-{}", hub.tcp)).await;
        impostor.publish(topic, true, write).await;

        let mut watcher = probe(hub.tcp, "t-away-watcher").await;
        watcher.subscribe(topic, QoS::AtLeastOnce).await;
        // Lampsim is back within a few seconds; give it time to publish whatever it will.
        let seen = watcher
            .drain(Duration::from_secs(3), Duration::from_secs(10))
            .await;
        let last = seen.last().map(json_of);
        assert_eq!(
            last.as_ref().map(|v| v["brightness"].clone()),
            Some(json!(77)),
            "the broker keeps the write, lampsim did not overwrite it: {seen:?}"
        );

        let report = hub.stop().await;
        let lamp = lamp_at(&report, topic);
        assert!(lamp.light.on);
        assert_eq!(lamp.light.brightness, 77, "the lamp obeyed the write");
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn home_assistant_lamps_are_discovered_and_answer_commands() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let mut p = probe(hub.tcp, "t-ha").await;
        p.subscribe("homeassistant/light/+/config", QoS::AtLeastOnce)
            .await;
        let configs = p
            .drain(Duration::from_millis(500), Duration::from_secs(5))
            .await;
        assert_eq!(configs.len(), 5, "desk, reading, porch, Tasmota, template");
        let config = configs
            .iter()
            .map(json_of)
            .find(|c| c["supported_color_modes"] == json!(["rgb"]))
            .expect("an rgb lamp");
        assert_eq!(config["schema"], "json");
        assert_eq!(config["brightness"], true);
        let state_topic = config["state_topic"].as_str().unwrap().to_string();
        let command_topic = config["command_topic"].as_str().unwrap().to_string();

        p.subscribe(&state_topic, QoS::AtLeastOnce).await;
        assert_eq!(json_of(&p.next_on(&state_topic).await)["state"], "ON");
        p.publish(
            &command_topic,
            false,
            r#"{"state":"ON","brightness":64,"color":{"r":0,"g":0,"b":255}}"#,
        )
        .await;
        let echo = json_of(&p.next_on(&state_topic).await);
        assert_eq!(
            echo,
            json!({"state":"ON","brightness":64,"color_mode":"rgb","color":{"r":0,"g":0,"b":255},"effect":"None"})
        );
        p.publish(&command_topic, false, r#"{"state":"OFF"}"#).await;
        assert_eq!(json_of(&p.next_on(&state_topic).await)["state"], "OFF");
        hub.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn zigbee2mqtt_set_is_echoed_with_the_full_state() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let state = "zigbee2mqtt/hallway/ceiling";
        let mut p = probe(hub.tcp, "t-z2m").await;
        p.subscribe(state, QoS::AtLeastOnce).await;
        p.next_on(state).await;
        p.publish(&format!("{state}/set"), false, r#"{"brightness":100}"#)
            .await;
        let echo = p.next_on(state).await;
        let text = String::from_utf8(echo.payload.to_vec()).unwrap();
        assert!(
            text.starts_with(r#"{"brightness":100,"color":{"x":"#),
            "{text}"
        );
        assert!(
            text.ends_with(r#""linkquality":142,"state":"ON"}"#),
            "{text}"
        );
        p.publish(&format!("{state}/set"), false, "OFF").await;
        assert_eq!(json_of(&p.next_on(state).await)["state"], "OFF");
        p.publish(&format!("{state}/get"), false, r#"{"state":""}"#)
            .await;
        let got = json_of(&p.next_on(state).await);
        assert_eq!(
            (got["state"].as_str(), got["brightness"].as_u64()),
            (Some("OFF"), Some(100))
        );
        hub.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn bridge_devices_lists_the_three_lights() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let mut p = probe(hub.tcp, "t-bridge").await;
        p.subscribe("zigbee2mqtt/bridge/devices", QoS::AtLeastOnce)
            .await;
        let devices = json_of(&p.next_on("zigbee2mqtt/bridge/devices").await);
        let lights: Vec<&str> = devices
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["definition"]["exposes"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|x| x["type"] == "light"))
            })
            .map(|d| d["friendly_name"].as_str().unwrap())
            .collect();
        assert_eq!(
            lights,
            ["hallway/ceiling", "bedroom/bedside", "living/dimmer"]
        );
        assert!(
            devices.as_array().unwrap().len() > 2,
            "non-lights listed too"
        );
        hub.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn chaos_and_flood_change_lamps_without_feeding_back() {
    timeout(LIMIT, async {
        let hub = start_hub(|o| {
            o.chaos = true;
            o.chaos_every = (Duration::from_millis(20), Duration::from_millis(40));
            o.flood = Some(400.0);
        })
        .await;
        let mut p = probe(hub.tcp, "t-flood").await;
        p.subscribe("smarthome/#", QoS::AtMostOnce).await;
        p.subscribe("zigbee2mqtt/+/+", QoS::AtMostOnce).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let seen = p
            .drain(Duration::from_millis(100), Duration::from_millis(300))
            .await;
        // 400/s for ~1.5 s, generously bounded for a busy 2-core machine.
        assert!(seen.len() > 100, "only {} messages", seen.len());
        assert!(seen.len() < 2000, "{} messages: feedback loop?", seen.len());
        let report = hub.stop().await;
        assert_eq!(report.commands, 0, "own publishes were taken for commands");
        assert!(report.published > 100);
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn a_thousand_retained_lamps_reach_a_qos0_subscriber() {
    timeout(LIMIT, async {
        let hub = start_hub(|o| {
            o.seed_lamps = 1500;
            o.rooms = 12;
        })
        .await;
        let mut p = probe(hub.tcp, "t-many-qos0").await;
        p.subscribe("smarthome/#", QoS::AtMostOnce).await;
        let got = p
            .drain(Duration::from_millis(700), Duration::from_secs(10))
            .await;
        assert_eq!(got.len(), 1500);

        // rumqttd 0.20 quirk (see broker.rs): a QoS 1 subscription gets at most 100 retained
        // messages, the rest are dropped. Pinned so an upgrade that fixes it is noticed.
        let mut q = probe(hub.tcp, "t-many-qos1").await;
        q.subscribe("smarthome/#", QoS::AtLeastOnce).await;
        let got = q
            .drain(Duration::from_millis(700), Duration::from_secs(10))
            .await;
        assert!(
            got.len() <= 100,
            "rumqttd now sends {} retained at QoS 1: update the docs",
            got.len()
        );
        hub.stop().await;
    })
    .await
    .expect("test finished in time");
}

// ---- MQTT over WebSocket, by hand: what a browser does, without a WebSocket library. ----

/// A masked binary client frame (RFC 6455 5.2; clients must mask).
fn ws_frame(payload: &[u8]) -> Vec<u8> {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut f = vec![0x82];
    match payload.len() {
        n if n < 126 => f.push(0x80 | n as u8),
        n => {
            f.push(0x80 | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    f.extend_from_slice(&mask);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    f
}

/// Reads server frames until `want` MQTT bytes are buffered; returns the MQTT byte stream.
async fn ws_read_mqtt(stream: &mut TcpStream, buf: &mut Vec<u8>, mqtt: &mut Vec<u8>, want: usize) {
    while mqtt.len() < want {
        // Parse complete frames from buf.
        loop {
            if buf.len() < 2 {
                break;
            }
            let len7 = (buf[1] & 0x7f) as usize;
            let (len, head) = match len7 {
                126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
                127 if buf.len() >= 10 => (
                    u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize,
                    10,
                ),
                126 | 127 => break,
                n => (n, 2),
            };
            assert_eq!(buf[1] & 0x80, 0, "server frames are not masked");
            if buf.len() < head + len {
                break;
            }
            let opcode = buf[0] & 0x0f;
            assert!(
                opcode == 0x2 || opcode == 0x0,
                "binary frames, got opcode {opcode}"
            );
            mqtt.extend_from_slice(&buf[head..head + len]);
            buf.drain(..head + len);
        }
        if mqtt.len() >= want {
            break;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "server closed the WebSocket");
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test]
async fn websocket_listener_accepts_path_mqtt_and_echoes_the_subprotocol() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let mut s = TcpStream::connect(("127.0.0.1", hub.ws)).await.unwrap();
        let request = format!(
            "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Protocol: mqtt\r\nOrigin: http://127.0.0.1:8080\r\n\r\n",
            hub.ws
        );
        s.write_all(request.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        let end = loop {
            let mut chunk = [0u8; 1024];
            let n = s.read(&mut chunk).await.unwrap();
            assert!(n > 0, "closed during the handshake: {}", String::from_utf8_lossy(&buf));
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 101"), "{head}");
        assert!(head.contains("\r\nsec-websocket-protocol: mqtt\r\n"), "{head}");
        // RFC 6455's own example key and accept value.
        assert!(head.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="), "{head}");
        buf.drain(..end);

        // CONNECT (MQTT 3.1.1, clean session, keep-alive 30 s, client id "ws-probe").
        let mut connect = vec![0x10, 0];
        connect.extend_from_slice(&[0, 4, b'M', b'Q', b'T', b'T', 4, 0x02, 0, 30, 0, 8]);
        connect.extend_from_slice(b"ws-probe");
        connect[1] = (connect.len() - 2) as u8;
        s.write_all(&ws_frame(&connect)).await.unwrap();
        let mut mqtt = Vec::new();
        ws_read_mqtt(&mut s, &mut buf, &mut mqtt, 4).await;
        assert_eq!(&mqtt[..4], &[0x20, 0x02, 0x00, 0x00], "CONNACK accepted");
        mqtt.drain(..4);

        // SUBSCRIBE id 1 to a seed lamp: SUBACK, then its retained state.
        let topic = b"smarthome/kitchen/lamps/ceiling";
        let mut sub = vec![0x82, 0, 0, 1, 0, topic.len() as u8];
        sub.extend_from_slice(topic);
        sub.push(0);
        sub[1] = (sub.len() - 2) as u8;
        s.write_all(&ws_frame(&sub)).await.unwrap();
        ws_read_mqtt(&mut s, &mut buf, &mut mqtt, 5).await;
        assert_eq!(&mqtt[..5], &[0x90, 0x03, 0x00, 0x01, 0x00], "SUBACK QoS 0");
        mqtt.drain(..5);
        ws_read_mqtt(&mut s, &mut buf, &mut mqtt, 2).await;
        assert_eq!(mqtt[0], 0x31, "PUBLISH, QoS 0, retain");
        let remaining = mqtt[1] as usize;
        assert!(remaining < 128);
        ws_read_mqtt(&mut s, &mut buf, &mut mqtt, 2 + remaining).await;
        let tlen = u16::from_be_bytes([mqtt[2], mqtt[3]]) as usize;
        assert_eq!(&mqtt[4..4 + tlen], topic);
        let state: Value = serde_json::from_slice(&mqtt[4 + tlen..2 + remaining]).unwrap();
        assert_eq!(state["state"], "ON");
        hub.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn seed_lamp_adopts_a_colour_temperature_write() {
    timeout(LIMIT, async {
        let hub = start_hub(|o| o.seed_lamps = 1).await;
        let topic = "smarthome/kitchen/lamps/ceiling";
        let p = probe(hub.tcp, "t-seed-ct").await;
        p.publish(
            topic,
            true,
            r#"{"state":"ON","brightness":180,"color":{"r":0,"g":255,"b":255},"color_mode":"color_temp","color_temp":300}"#,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let report = hub.stop().await;
        let light = &report.fleet.lamps[0].light;
        assert_eq!((light.mode, light.color_temp), (Mode::ColorTemp, Some(300)));
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn broker_and_lamp_agree_after_writes_mixed_with_chaos_and_flood() {
    timeout(LIMIT, async {
        let hub = start_hub(|o| {
            o.seed_lamps = 1;
            o.chaos = true;
            o.chaos_every = (Duration::from_millis(2), Duration::from_millis(5));
            o.flood = Some(1000.0);
        })
        .await;
        let topic = "smarthome/kitchen/lamps/ceiling";
        let p = probe(hub.tcp, "t-race").await;
        for b in 1..=40u8 {
            let doc =
                format!(r#"{{"state":"ON","brightness":{b},"color":{{"r":{b},"g":0,"b":0}}}}"#);
            p.publish(topic, true, &doc).await;
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
        // Let every write reach lampsim before it stops.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let tcp = hub.tcp;
        let report = hub.stop().await;
        assert!(report.commands >= 40, "{} writes seen", report.commands);
        // The broker outlives lampsim: its retained state must be the lamp's last state.
        let mut late = probe(tcp, "t-race-late").await;
        late.subscribe(topic, QoS::AtMostOnce).await;
        let retained = late.next_on(topic).await;
        let lamp = lamp_at(&report, topic);
        assert_eq!(
            json_of(&retained),
            serde_json::from_slice::<Value>(&lamp.state_payload()).unwrap()
        );
    })
    .await
    .expect("test finished in time");
}

// ---- The kinds added for every Home Assistant light schema and Zigbee2MQTT light. ----
// Each test sends exactly what Home Assistant or Zigbee2MQTT would send and checks what the
// simulated device publishes, through the real broker.

/// The retained config on `topic`, as JSON.
async fn config_on(p: &mut Probe, topic: &str) -> Value {
    p.subscribe(topic, QoS::AtLeastOnce).await;
    json_of(&p.next_on(topic).await)
}

#[tokio::test]
async fn home_assistant_default_schema_bulb_obeys_what_home_assistant_sends() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let mut p = probe(hub.tcp, "t-ha-default").await;
        let c = config_on(&mut p, "homeassistant/light/lampsim_tasmota_bulb/config").await;
        assert!(c.get("schema").is_none());
        assert_eq!(
            (c["payload_on"].clone(), c["payload_off"].clone()),
            (json!(1), json!(0))
        );
        assert_eq!(c["on_command_type"], "brightness");
        assert_eq!(c["brightness_scale"], 100);
        let state = c["state_topic"].as_str().unwrap().to_string();
        for key in [
            "brightness_state_topic",
            "rgb_state_topic",
            "color_temp_state_topic",
            "effect_state_topic",
        ] {
            assert_eq!(c[key], json!(state), "{key}");
        }
        let topic = |k: &str| c[k].as_str().unwrap().to_string();
        p.subscribe(&state, QoS::AtLeastOnce).await;
        assert_eq!(
            json_of(&p.next_on(&state).await),
            json!({"POWER":"1","Dimmer":40,"Color":"255,0,0","Scheme":"none"})
        );
        // light.turn_off: payload_off, as text.
        p.publish(&topic("command_topic"), false, "0").await;
        assert_eq!(json_of(&p.next_on(&state).await)["POWER"], "0");
        // light.turn_on with no data, on_command_type brightness: only the level (HA's last
        // brightness 102/255 scaled to 100 is 40).
        p.publish(&topic("brightness_command_topic"), false, "40")
            .await;
        assert_eq!(
            json_of(&p.next_on(&state).await),
            json!({"POWER":"1","Dimmer":40,"Color":"255,0,0","Scheme":"none"})
        );
        // light.turn_on(rgb_color: [0, 0, 255], brightness: 255): rgb first, then the level.
        p.publish(&topic("rgb_command_topic"), false, "0,0,255")
            .await;
        assert_eq!(json_of(&p.next_on(&state).await)["Color"], "0,0,255");
        p.publish(&topic("brightness_command_topic"), false, "100")
            .await;
        assert_eq!(json_of(&p.next_on(&state).await)["Dimmer"], 100);
        // light.turn_on(color_temp_kelvin: 3333): schema_basic publishes the brightness it
        // adds for on_command_type brightness first, then the temperature in mireds.
        p.publish(&topic("brightness_command_topic"), false, "100")
            .await;
        p.publish(&topic("color_temp_command_topic"), false, "300")
            .await;
        p.next_on(&state).await;
        assert_eq!(
            json_of(&p.next_on(&state).await),
            json!({"POWER":"1","Dimmer":100,"CT":300,"Scheme":"none"})
        );
        // light.turn_on(effect: wakeup): the level first, then the effect.
        p.publish(&topic("brightness_command_topic"), false, "100")
            .await;
        p.publish(&topic("effect_command_topic"), false, "wakeup")
            .await;
        p.next_on(&state).await;
        assert_eq!(json_of(&p.next_on(&state).await)["Scheme"], "wakeup");
        let report = hub.stop().await;
        let lamp = lamp_at(&report, &state);
        assert_eq!(
            (lamp.light.on, lamp.light.brightness, lamp.light.mode),
            (true, 100, Mode::ColorTemp)
        );
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn home_assistant_template_lamp_parses_what_the_templates_render() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let mut p = probe(hub.tcp, "t-ha-template").await;
        let c = config_on(&mut p, "homeassistant/light/lampsim_template_lamp/config").await;
        assert_eq!(c["schema"], "template");
        assert!(c["command_on_template"]
            .as_str()
            .unwrap()
            .contains("{{ brightness }}"));
        let (state, command) = (
            c["state_topic"].as_str().unwrap().to_string(),
            c["command_topic"].as_str().unwrap().to_string(),
        );
        p.subscribe(&state, QoS::AtLeastOnce).await;
        assert_eq!(
            json_of(&p.next_on(&state).await),
            json!({"state":"on","brightness":128,"color":[255,147,41],"effect":"none"})
        );
        // command_on_template rendered by HA for brightness 64, rgb (0,255,0), effect rainbow.
        p.publish(
            &command,
            false,
            r#"{"state": "on", "brightness": 64, "color": [0, 255, 0], "effect": "rainbow"}"#,
        )
        .await;
        assert_eq!(
            json_of(&p.next_on(&state).await),
            json!({"state":"on","brightness":64,"color":[0,255,0],"effect":"rainbow"})
        );
        p.publish(&command, false, r#"{"state": "off"}"#).await;
        assert_eq!(
            json_of(&p.next_on(&state).await),
            json!({"state":"off","brightness":64,"color":[0,255,0],"effect":"rainbow"})
        );
        hub.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn device_discovery_pendant_is_announced_once_and_takes_kelvin() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let mut p = probe(hub.tcp, "t-ha-device").await;
        p.subscribe("homeassistant/device/+/config", QoS::AtLeastOnce)
            .await;
        let configs = p
            .drain(Duration::from_millis(300), Duration::from_secs(5))
            .await;
        assert_eq!(configs.len(), 1);
        assert_eq!(
            configs[0].topic,
            "homeassistant/device/lampsim_pendant/config"
        );
        let c = json_of(&configs[0]);
        assert_eq!(c["dev"]["ids"], json!(["lampsim_pendant"]));
        assert_eq!(c["o"]["name"], "lampsim");
        let light = &c["cmps"]["pendant_light"];
        assert_eq!(
            (light["p"].clone(), light["schema"].clone()),
            (json!("light"), json!("json"))
        );
        let base = light["~"].as_str().unwrap();
        let expand = |v: &Value| v.as_str().unwrap().replacen('~', base, 1);
        let (state, command) = (expand(&light["stat_t"]), expand(&light["cmd_t"]));
        assert_eq!(command, "lampsim/lampsim_pendant/set");
        let avail = c["avty_t"].as_str().unwrap().to_string();
        p.subscribe(&avail, QoS::AtLeastOnce).await;
        assert_eq!(&p.next_on(&avail).await.payload[..], b"online");
        p.subscribe(&state, QoS::AtLeastOnce).await;
        assert_eq!(
            json_of(&p.next_on(&state).await),
            json!({"state":"ON","brightness":180,"color_mode":"color_temp","color_temp":2700})
        );
        // HA with color_temp_kelvin: true sends kelvin.
        p.publish(
            &command,
            false,
            r#"{"state":"ON","color_temp":4000,"brightness":90}"#,
        )
        .await;
        assert_eq!(
            json_of(&p.next_on(&state).await),
            json!({"state":"ON","brightness":90,"color_mode":"color_temp","color_temp":4000})
        );
        hub.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn porch_light_goes_unavailable_and_comes_back() {
    timeout(LIMIT, async {
        let hub = start_hub(|o| {
            o.flap = Some((Duration::from_millis(900), Duration::from_millis(300)));
        })
        .await;
        let mut p = probe(hub.tcp, "t-flaky").await;
        let c = config_on(&mut p, "homeassistant/light/lampsim_porch_light/config").await;
        assert_eq!(c["availability_mode"], "all");
        let topics: Vec<String> = c["availability"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["topic"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            topics,
            [
                "lampsim/bridge/state",
                "lampsim/lampsim_porch_light/availability"
            ]
        );
        p.subscribe(&topics[0], QoS::AtLeastOnce).await;
        assert_eq!(
            json_of(&p.next_on(&topics[0]).await),
            json!({"state":"online"})
        );
        p.subscribe(&topics[1], QoS::AtLeastOnce).await;
        let mut seen = Vec::new();
        while seen.len() < 4 {
            let m = p.next_on(&topics[1]).await;
            seen.push(String::from_utf8_lossy(&m.payload).to_string());
        }
        // The retained value first (online, or offline if the first drop came already), then
        // live changes: always the other word.
        assert!(seen.windows(2).all(|w| w[0] != w[1]), "{seen:?}");
        assert!(
            seen.iter().all(|w| w == "online" || w == "offline"),
            "{seen:?}"
        );
        // The lamp still obeys while its availability flaps (it is the Wi-Fi, not the lamp).
        let state = c["state_topic"].as_str().unwrap().to_string();
        p.subscribe(&state, QoS::AtLeastOnce).await;
        p.next_on(&state).await;
        p.publish(
            c["command_topic"].as_str().unwrap(),
            false,
            r#"{"state":"OFF"}"#,
        )
        .await;
        assert_eq!(
            json_of(&p.next_on(&state).await),
            json!({"state":"OFF","brightness":120,"color_mode":"brightness"})
        );
        let tcp = hub.tcp;
        hub.stop().await;
        let mut late = probe(tcp, "t-flaky-late").await;
        late.subscribe(&topics[0], QoS::AtLeastOnce).await;
        late.until(&topics[0], &json!({"state":"offline"})).await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn zigbee2mqtt_dimmer_takes_endpoint_keys() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let mut p = probe(hub.tcp, "t-z2m-multi").await;
        let devices = config_on(&mut p, "zigbee2mqtt/bridge/devices").await;
        let dimmer = devices
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["friendly_name"] == "living/dimmer")
            .unwrap();
        let lights: Vec<&Value> = dimmer["definition"]["exposes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "light")
            .collect();
        assert_eq!(lights.len(), 2);
        assert_eq!(lights[1]["endpoint"], "l2");
        assert_eq!(lights[1]["features"][0]["property"], "state_l2");
        assert_eq!(lights[1]["features"][1]["property"], "brightness_l2");
        let state = "zigbee2mqtt/living/dimmer";
        p.subscribe(&format!("{state}/availability"), QoS::AtLeastOnce).await;
        assert_eq!(json_of(&p.next_on(&format!("{state}/availability")).await), json!({"state":"online"}));
        p.subscribe(state, QoS::AtLeastOnce).await;
        assert_eq!(
            String::from_utf8(p.next_on(state).await.payload.to_vec()).unwrap(),
            r#"{"brightness_l1":200,"brightness_l2":60,"linkquality":118,"state_l1":"ON","state_l2":"OFF"}"#
        );
        p.publish(&format!("{state}/set"), false, r#"{"state_l1":"OFF","brightness_l2":100}"#).await;
        assert_eq!(
            String::from_utf8(p.next_on(state).await.payload.to_vec()).unwrap(),
            r#"{"brightness_l1":200,"brightness_l2":100,"linkquality":118,"state_l1":"OFF","state_l2":"ON"}"#
        );
        p.publish(&format!("{state}/l1/set"), false, r#"{"state":"ON","brightness":30}"#).await;
        let got = json_of(&p.next_on(state).await);
        assert_eq!((got["state_l1"].clone(), got["brightness_l1"].clone()), (json!("ON"), json!(30)));
        let tcp = hub.tcp;
        hub.stop().await;
        let mut late = probe(tcp, "t-z2m-multi-late").await;
        let avail = format!("{state}/availability");
        late.subscribe(&avail, QoS::AtLeastOnce).await;
        late.until(&avail, &json!({"state":"offline"})).await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn zigbee2mqtt_group_commands_its_members() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let mut p = probe(hub.tcp, "t-z2m-group").await;
        let groups = config_on(&mut p, "zigbee2mqtt/bridge/groups").await;
        assert_eq!(groups[0]["friendly_name"], "house/all");
        let members: Vec<(String, u64)> = groups[0]["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["ieee_address"].as_str().unwrap().to_string(),
                    m["endpoint"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(members.len(), 4);
        assert!(
            members.contains(&("0x0017880106a1b2c3".into(), 11)),
            "{members:?}"
        );
        let group = "zigbee2mqtt/house/all";
        let (bulb, dimmer) = ("zigbee2mqtt/hallway/ceiling", "zigbee2mqtt/living/dimmer");
        for t in [group, bulb, dimmer] {
            p.subscribe(t, QoS::AtLeastOnce).await;
            p.next_on(t).await;
        }
        p.publish(
            &format!("{group}/set"),
            false,
            r#"{"state":"ON","brightness":100}"#,
        )
        .await;
        assert_eq!(
            String::from_utf8(p.next_on(group).await.payload.to_vec()).unwrap(),
            r#"{"brightness":100,"state":"ON"}"#
        );
        let b = json_of(&p.next_on(bulb).await);
        assert_eq!(
            (b["state"].clone(), b["brightness"].clone()),
            (json!("ON"), json!(100))
        );
        let d = json_of(&p.next_on(dimmer).await);
        assert_eq!(
            (
                d["state_l1"].clone(),
                d["state_l2"].clone(),
                d["brightness_l2"].clone()
            ),
            (json!("ON"), json!("ON"), json!(100))
        );
        // A member's own change reaches the group (not OFF while others are on).
        p.publish(&format!("{bulb}/set"), false, r#"{"brightness":50}"#)
            .await;
        p.next_on(bulb).await;
        assert_eq!(json_of(&p.next_on(group).await)["brightness"], 50);
        hub.stop().await;
    })
    .await
    .expect("test finished in time");
}

#[tokio::test]
async fn effects_run_where_each_system_has_them() {
    timeout(LIMIT, async {
        let hub = start_hub(|_| {}).await;
        let mut p = probe(hub.tcp, "t-effects").await;
        let c = config_on(&mut p, "homeassistant/light/lampsim_desk_strip/config").await;
        assert_eq!(c["effect"], true);
        assert_eq!(
            c["effect_list"],
            json!(["Rainbow", "Strobe", "Pulse", "None"])
        );
        let state = c["state_topic"].as_str().unwrap().to_string();
        p.subscribe(&state, QoS::AtLeastOnce).await;
        assert_eq!(json_of(&p.next_on(&state).await)["effect"], "None");
        p.publish(
            c["command_topic"].as_str().unwrap(),
            false,
            r#"{"state":"ON","effect":"Strobe"}"#,
        )
        .await;
        assert_eq!(json_of(&p.next_on(&state).await)["effect"], "Strobe");

        // Zigbee2MQTT: the effect enum is exposed; an effect is a one-shot command, so the
        // next state on the topic is the answer to the /get sent after it.
        let devices = config_on(&mut p, "zigbee2mqtt/bridge/devices").await;
        let hue = devices
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["friendly_name"] == "hallway/ceiling")
            .unwrap();
        let effect = hue["definition"]["exposes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "effect")
            .unwrap();
        assert_eq!(effect["values"][0], "blink");
        let z = "zigbee2mqtt/hallway/ceiling";
        p.subscribe(z, QoS::AtLeastOnce).await;
        let before = json_of(&p.next_on(z).await);
        p.publish(&format!("{z}/set"), false, r#"{"effect":"breathe"}"#)
            .await;
        p.publish(&format!("{z}/get"), false, r#"{"state":""}"#)
            .await;
        let after = json_of(&p.next_on(z).await);
        assert_eq!(after, before, "no state change and no effect key: {after}");
        hub.stop().await;
    })
    .await
    .expect("test finished in time");
}
