//! Shelly Gen2 JSON-RPC over MQTT (Gen2 API, "RPC Protocol" and "RPC Channels": MQTT): a
//! request frame `{"id":N,"src":"<src>","method":"RGB.Set","params":{...}}` published on
//! `<prefix>/rpc`; the device answers on `<src>/rpc` with the same `id` and `result` or
//! `error` (`code`, `message`).
//!
//! Lampboard's `src` is [`RPC_SRC`], so every reply comes back on `lampboard/rpc`. Request
//! ids carry which device was asked and why, without any memory: `id = hash(prefix) * 4 +
//! purpose`, kept below 2^31 (Shelly stores ids as numbers). A reply is matched to its device
//! by recomputing the hash of each known prefix, so the shared, immutable lamp bindings can
//! build requests and the system can read replies.

use serde_json::{json, Map, Value};

/// Lampboard's own RPC source: replies arrive on `<RPC_SRC>/rpc`.
pub const RPC_SRC: &str = "lampboard";

/// The topic replies arrive on.
pub fn reply_topic() -> String {
    format!("{RPC_SRC}/rpc")
}

/// Why a request was sent, carried in its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A change (`RGB.Set`, `Light.Set`, ...).
    Set = 0,
    /// `Shelly.GetStatus`, asked when a device is found.
    GetStatus = 1,
}

/// FNV-1a of the prefix, cut to 29 bits so the id stays below 2^31.
fn prefix_hash(prefix: &str) -> u64 {
    let mut h: u32 = 0x811c_9dc5;
    for b in prefix.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    u64::from(h >> 3)
}

/// The request id for `prefix` and `purpose`.
pub fn request_id(prefix: &str, purpose: Purpose) -> u64 {
    prefix_hash(prefix) * 4 + purpose as u64
}

/// Whether a reply's id belongs to `prefix`, and for which purpose.
pub fn purpose_for(prefix: &str, id: u64) -> Option<Purpose> {
    if id / 4 != prefix_hash(prefix) {
        return None;
    }
    match id % 4 {
        0 => Some(Purpose::Set),
        1 => Some(Purpose::GetStatus),
        _ => None,
    }
}

/// A request frame as compact JSON bytes.
pub fn request(prefix: &str, purpose: Purpose, method: &str, params: Option<Value>) -> Vec<u8> {
    let mut frame = json!({
        "id": request_id(prefix, purpose),
        "src": RPC_SRC,
        "method": method,
    });
    if let Some(p) = params {
        frame["params"] = p;
    }
    frame.to_string().into_bytes()
}

/// `Shelly.GetStatus` for a device, published on `<prefix>/rpc`.
pub fn get_status(prefix: &str) -> (String, Vec<u8>) {
    (
        format!("{prefix}/rpc"),
        request(prefix, Purpose::GetStatus, "Shelly.GetStatus", None),
    )
}

/// A reply frame as the device sends it.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The request id.
    pub id: u64,
    /// The device's own id (`shellyplusrgbwpm-...`).
    pub src: Option<String>,
    /// `Ok(result)` (null for most `.Set`s) or `Err(words)` from `error`.
    pub outcome: Result<Value, String>,
}

/// Reads a reply frame; `None` for anything that is not one (a request, a notification).
pub fn read_reply(obj: &Map<String, Value>) -> Option<Reply> {
    let id = obj.get("id")?.as_u64()?;
    if obj.contains_key("method") {
        return None;
    }
    let src = obj.get("src").and_then(Value::as_str).map(str::to_string);
    let outcome = match obj.get("error") {
        Some(err) => {
            let message = err
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("no reason given");
            let code = err.get("code").and_then(Value::as_i64);
            Err(match code {
                Some(c) => format!("{message} (error {c})"),
                None => message.to_string(),
            })
        }
        None => Ok(obj.get("result").cloned().unwrap_or(Value::Null)),
    };
    Some(Reply { id, src, outcome })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_their_device_and_purpose() {
        let a = request_id("shellyplusrgbwpm-a8032ab12345", Purpose::Set);
        assert!(a < 1 << 31);
        assert_eq!(
            purpose_for("shellyplusrgbwpm-a8032ab12345", a),
            Some(Purpose::Set)
        );
        assert_eq!(purpose_for("other", a), None);
        let g = request_id("p", Purpose::GetStatus);
        assert_eq!(purpose_for("p", g), Some(Purpose::GetStatus));
        let obj = super::super::object(
            br#"{"id":7,"src":"dev","dst":"lampboard","error":{"code":-103,"message":"Invalid argument"}}"#,
        )
        .unwrap();
        let r = read_reply(&obj).unwrap();
        assert_eq!(r.outcome, Err("Invalid argument (error -103)".into()));
    }
}
