//! An independent MQTT client (rumqttc, not our codec) that records the last
//! message per topic, so tests check what really reached the broker.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};

/// Last payload and retain flag per topic.
type Seen = Arc<Mutex<HashMap<String, (Vec<u8>, bool)>>>;

/// Every payload per topic, in arrival order: the fault tests count deliveries.
type History = Arc<Mutex<HashMap<String, Vec<Vec<u8>>>>>;

/// Last payload and retain flag per topic, as the broker delivered them.
#[derive(Clone)]
pub struct Observer {
    client: AsyncClient,
    seen: Seen,
    history: History,
}

impl Observer {
    /// Connects to the broker's TCP port and subscribes to `filter`.
    pub async fn start(tcp_port: u16, filter: &str) -> Self {
        let id = format!("e2e-observer-{}", crate::free_port());
        let mut options = MqttOptions::new(id, "127.0.0.1", tcp_port);
        options.set_keep_alive(Duration::from_secs(10));
        options.set_max_packet_size(1 << 20, 1 << 20);
        let (client, mut events) = AsyncClient::new(options, 100);
        let seen: Seen = Arc::new(Mutex::new(HashMap::new()));
        let sink = seen.clone();
        let history: History = Arc::new(Mutex::new(HashMap::new()));
        let log = history.clone();
        let resubscriber = client.clone();
        let topic_filter = filter.to_owned();
        tokio::spawn(async move {
            loop {
                match events.poll().await {
                    // rumqttc does not restore subscriptions after a reconnect
                    // (the broker-restart test): subscribe again on every CONNACK.
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        let _ = resubscriber.try_subscribe(topic_filter.clone(), QoS::AtLeastOnce);
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        if let Ok(mut map) = sink.lock() {
                            map.insert(p.topic.clone(), (p.payload.to_vec(), p.retain));
                        }
                        if let Ok(mut map) = log.lock() {
                            map.entry(p.topic.clone())
                                .or_default()
                                .push(p.payload.to_vec());
                        }
                    }
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            }
        });

        Self {
            client,
            seen,
            history,
        }
    }

    /// How many messages on `topic` had JSON for which `check` holds: a QoS 2
    /// message must be counted exactly once.
    pub fn count_json(&self, topic: &str, check: impl Fn(&serde_json::Value) -> bool) -> usize {
        let Ok(map) = self.history.lock() else {
            return 0;
        };
        map.get(topic).map_or(0, |all| {
            all.iter()
                .filter_map(|p| serde_json::from_slice(p).ok())
                .filter(|v| check(v))
                .count()
        })
    }

    /// Every payload seen on `topic`, in arrival order: commands of lamp systems that are not
    /// JSON (Home Assistant's default schema sends `1`, `50`, `255,0,0`).
    pub fn payloads(&self, topic: &str) -> Vec<Vec<u8>> {
        self.history.lock().map_or_else(
            |_| Vec::new(),
            |m| m.get(topic).cloned().unwrap_or_default(),
        )
    }

    /// Waits until some payload seen on `topic` satisfies `check`; returns it, or every
    /// payload seen there as text when none did.
    pub async fn wait_payload(
        &self,
        topic: &str,
        timeout: Duration,
        check: impl Fn(&[u8]) -> bool,
    ) -> Result<Vec<u8>, Vec<String>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let all = self.payloads(topic);
            if let Some(hit) = all.iter().find(|p| check(p)) {
                return Ok(hit.clone());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(all
                    .iter()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// How many distinct topics have had a message.
    pub fn topic_count(&self) -> usize {
        self.seen.lock().map_or(0, |m| m.len())
    }

    /// The last JSON payload seen on `topic`, parsed.
    pub fn json(&self, topic: &str) -> Option<serde_json::Value> {
        let map = self.seen.lock().ok()?;
        let (payload, _) = map.get(topic)?;
        serde_json::from_slice(payload).ok()
    }

    /// Waits until `check` holds for the JSON on `topic`; returns the last JSON seen either way.
    pub async fn wait_json(
        &self,
        topic: &str,
        timeout: Duration,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> Result<serde_json::Value, Option<serde_json::Value>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let value = self.json(topic);
            if let Some(v) = &value {
                if check(v) {
                    return Ok(v.clone());
                }
            }
            if tokio::time::Instant::now() > deadline {
                return Err(value);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Publishes raw bytes at QoS 1 as another client would: payloads that are not UTF-8,
    /// or larger than the page accepts.
    pub async fn publish_bytes(&self, topic: &str, payload: Vec<u8>, retain: bool) {
        self.client
            .publish(topic, QoS::AtLeastOnce, retain, payload)
            .await
            .expect("observer publishes");
    }

    /// Publishes as "another client" would.
    pub async fn publish(&self, topic: &str, payload: &str, retain: bool) {
        self.client
            .publish(topic, QoS::AtLeastOnce, retain, payload.as_bytes().to_vec())
            .await
            .expect("observer publishes");
    }
}
