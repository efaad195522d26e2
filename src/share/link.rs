//! The setup link: a profile and its dashboard arrangement in a URL fragment,
//! `#setup=<data>`, so another phone opens Lampboard already set up. The fragment never
//! reaches a web server (browsers do not send it), so the broker's address and the
//! household's names stay between the two devices.
//!
//! `<data>` is base64url of one format byte ([`LINK_FORMAT`]) followed by the raw deflate
//! of a compact JSON document ([`Wire`]): short keys, the profile's fields only where they
//! differ from a new profile's, every lamp id written once and referred to by its index,
//! stamps as whole seconds from one base. Deflate pays for itself: a 30-lamp house
//! arranged in full (every lamp renamed and moved, every room ordered, three scenes of ten
//! lamps) is 8.9 KB as stored, 3.8 KB as compact JSON, and a 1,722-byte link once deflated
//! (`tests/share_link.rs`): QR version 30 at correction L, the largest we call scannable
//! from a screen ([`super::qr::SCANNABLE_VERSION`]). Compact JSON alone (5 KB of base64)
//! would fit no QR code at all.
//!
//! What is left out: the client id (each device makes its own, two devices sharing one
//! would kick each other off the broker), "remember the password", and the password itself
//! unless the sharer ticks "Include password" ([`encode`]'s `include_password`). Fields a
//! newer Lampboard added to an arrangement item (`extra`) are not carried either.
//!
//! Reading is hostile-input safe: every step ([`decode`]) fails with a sentence, the
//! inflated size is capped, every index is checked, names are cleaned as typed ones are,
//! and the profile passes the same checks as a saved one.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::base64url;
use crate::arrange::{
    clean_name, Arrangement, LampArrangement, ManualKind, RoomArrangement, RoomOrder, Scene,
    SceneItem, Target, ARRANGEMENT_FORMAT,
};
use crate::lamp::LampId;
use crate::store::settings::Profile;

/// The first byte of the link's data: 1 = raw deflate of the [`Wire`] JSON. A link from a
/// newer Lampboard with another format is refused with a sentence, not misread.
pub const LINK_FORMAT: u8 = 1;

/// The fragment's key: `#setup=<data>`.
pub const FRAGMENT_KEY: &str = "setup";

/// The longest link data read, in characters: far above what a QR code holds (about
/// 2,900 bytes), enough for a pasted link of a 1,000-lamp house, and a pasted book is
/// refused before any work.
pub const MAX_DATA_CHARS: usize = 64 * 1024;

/// The most the data may inflate to: a deflate bomb stops here.
pub const MAX_INFLATED_BYTES: usize = 512 * 1024;

/// Deflate's effort (miniz's scale, 0-10): 10 gained nothing over 9 on the 30-lamp house.
const DEFLATE_LEVEL: u8 = 9;

/// The longest profile id kept: ids are made by Lampboard (`p` + 16 hex digits) and name
/// localStorage keys, so anything else is replaced by a fresh one.
const MAX_ID_CHARS: usize = 64;

/// The longest room key or scene id read (they are made from names and times).
const MAX_KEY_CHARS: usize = 200;

/// A profile's fields and their short names in the link; a field not listed (one a later
/// Lampboard or another part of this one added) travels under its own name.
const SHORT_KEYS: &[(&str, &str)] = &[
    ("id", "i"),
    ("name", "n"),
    ("broker_url", "u"),
    ("username", "un"),
    ("keep_alive_secs", "k"),
    ("clean_session", "c"),
    ("will_enabled", "we"),
    ("will", "wi"),
    ("lamp_filters", "f"),
    ("home_assistant", "ha"),
    ("home_assistant_prefix", "hp"),
    ("zigbee2mqtt", "z"),
    ("zigbee2mqtt_base", "zb"),
    ("tasmota", "t"),
    ("tasmota_topics", "tt"),
    ("wled", "w"),
    ("wled_filter", "wf"),
    ("shelly_gen1", "s1"),
    ("shelly_gen2", "s2"),
    ("publish_qos", "q"),
];

/// Profile fields a link never carries: each device makes its own client id, and
/// remembering a password is the receiving user's choice.
const NEVER_SHARED: &[&str] = &["client_id", "password", "remember_password"];

/// Fields always written, even when they equal a new profile's (they say whose it is).
const ALWAYS_SHARED: &[&str] = &["id", "name", "broker_url"];

/// The short key under which the password travels, only when the sharer ticked it.
const PASSWORD_KEY: &str = "pw";

/// What a setup link holds once read.
#[derive(Clone, Debug, PartialEq)]
pub struct Share {
    /// The profile, as the sharer had it (no client id; the password only if included).
    pub profile: Profile,
    /// The profile's dashboard arrangement (may be empty).
    pub arrangement: Arrangement,
    /// Whether the link carried the password (the prompt says so).
    pub has_password: bool,
}

/// A link made for the share panel.
#[derive(Clone, Debug, PartialEq)]
pub struct SetupLink {
    /// The whole URL, `<page>#setup=<data>`.
    pub url: String,
    /// Whether it contains the password: the panel then says so next to it.
    pub contains_password: bool,
}

/// One lamp, positional: the n-th lamp is the n-th id of the id list (the arranged lamps'
/// ids come first). (name, room, flags: 1 hidden + 2 favourite, hand-set kind, seconds
/// after the base stamp).
#[derive(Serialize, Deserialize)]
struct WireLamp(Option<String>, Option<String>, u8, Option<ManualKind>, u64);

/// One room: (room key, lamp order as id indexes, folded, seconds after the base).
#[derive(Serialize, Deserialize)]
struct WireRoom(String, Vec<usize>, bool, u64);

/// The room order: (room keys, seconds after the base).
#[derive(Serialize, Deserialize)]
struct WireOrder(Vec<String>, u64);

/// One lamp of a scene: (id index, on, brightness %, [r, g, b], mireds).
#[derive(Serialize, Deserialize)]
struct WireItem(usize, bool, Option<u8>, Option<[u8; 3]>, Option<u16>);

/// One scene: (id, name, items, deleted, seconds after the base).
#[derive(Serialize, Deserialize)]
struct WireScene(String, String, Vec<WireItem>, bool, u64);

/// The link's JSON document.
#[derive(Serialize, Deserialize, Default)]
struct Wire {
    /// The profile, short keys, non-default fields only.
    p: Map<String, Value>,
    /// Every lamp id the arrangement names, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    i: Vec<String>,
    /// The base stamp, whole seconds since the epoch.
    #[serde(default)]
    t: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    l: Vec<WireLamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    r: Vec<WireRoom>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    o: Option<WireOrder>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    s: Vec<WireScene>,
}

/// A stamp (ms) as whole seconds, rounded down: the receiving copy is then never newer
/// than the sharer's own, so a later merge of the two keeps the sharer's.
fn seconds(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0).floor() as u64
    } else {
        0
    }
}

fn short_key(long: &str) -> &str {
    SHORT_KEYS
        .iter()
        .find(|(l, _)| *l == long)
        .map_or(long, |(_, s)| s)
}

fn long_key(short: &str) -> &str {
    SHORT_KEYS
        .iter()
        .find(|(_, s)| *s == short)
        .map_or(short, |(l, _)| l)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The profile as the link writes it.
fn profile_wire(profile: &Profile, include_password: bool) -> Map<String, Value> {
    let fresh = object(serde_json::to_value(Profile::default()).unwrap_or(Value::Null));
    let mine = object(serde_json::to_value(profile).unwrap_or(Value::Null));
    let mut out = Map::new();
    for (key, value) in mine {
        if NEVER_SHARED.contains(&key.as_str()) {
            continue;
        }
        if !ALWAYS_SHARED.contains(&key.as_str()) && fresh.get(&key) == Some(&value) {
            continue;
        }
        out.insert(short_key(&key).to_owned(), value);
    }
    if include_password {
        if let Some(pw) = profile.password.as_ref().filter(|p| !p.is_empty()) {
            out.insert(PASSWORD_KEY.to_owned(), Value::String(pw.clone()));
        }
    }
    out
}

/// The link's data for a profile and its arrangement: what follows `#setup=`.
pub fn encode(profile: &Profile, arrangement: &Arrangement, include_password: bool) -> String {
    let json = serde_json::to_vec(&wire(profile, arrangement, include_password))
        .unwrap_or_else(|_| b"{}".to_vec());
    let mut bytes = vec![LINK_FORMAT];
    bytes.extend(miniz_oxide::deflate::compress_to_vec(&json, DEFLATE_LEVEL));
    base64url::encode(&bytes)
}

/// The compact JSON before deflate, for the size measurements.
pub fn compact_json(
    profile: &Profile,
    arrangement: &Arrangement,
    include_password: bool,
) -> String {
    serde_json::to_string(&wire(profile, arrangement, include_password)).unwrap_or_default()
}

fn wire(profile: &Profile, a: &Arrangement, include_password: bool) -> Wire {
    // The arranged lamps' ids first, in the lamps' own order (so a lamp needs no index),
    // then every other id a room or a scene names, sorted (neighbours share prefixes,
    // which deflate likes).
    let mut others: BTreeSet<&str> = BTreeSet::new();
    for room in a.rooms.values() {
        others.extend(room.order.iter().map(LampId::as_str));
    }
    for scene in a.scenes.values() {
        others.extend(scene.items.iter().map(|i| i.lamp.as_str()));
    }
    let mut ids: Vec<&str> = a.lamps.keys().map(LampId::as_str).collect();
    ids.extend(
        others
            .into_iter()
            .filter(|id| !a.lamps.contains_key(&LampId((*id).to_owned()))),
    );
    let index: BTreeMap<&str, usize> = ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
    let at = |id: &LampId| index.get(id.as_str()).copied().unwrap_or(0);
    let has_order = !a.room_order.keys.is_empty();
    let base = a
        .lamps
        .values()
        .map(|l| l.updated_at)
        .chain(a.rooms.values().map(|r| r.updated_at))
        .chain(a.scenes.values().map(|s| s.updated_at))
        .chain(has_order.then_some(a.room_order.updated_at))
        .map(seconds)
        .min()
        .unwrap_or(0);
    let dt = |ms: f64| seconds(ms).saturating_sub(base);
    Wire {
        p: profile_wire(profile, include_password),
        i: ids.iter().map(|s| (*s).to_owned()).collect(),
        t: base,
        l: a.lamps
            .values()
            .map(|l| {
                let flags = u8::from(l.hidden) | (u8::from(l.favourite) << 1);
                WireLamp(
                    l.name.clone(),
                    l.room.clone(),
                    flags,
                    l.kind,
                    dt(l.updated_at),
                )
            })
            .collect(),
        r: a.rooms
            .iter()
            .map(|(key, r)| {
                WireRoom(
                    key.clone(),
                    r.order.iter().map(at).collect(),
                    r.collapsed,
                    dt(r.updated_at),
                )
            })
            .collect(),
        o: has_order.then(|| WireOrder(a.room_order.keys.clone(), dt(a.room_order.updated_at))),
        s: a.scenes
            .iter()
            .map(|(id, s)| {
                WireScene(
                    id.clone(),
                    s.name.clone(),
                    s.items
                        .iter()
                        .map(|i| {
                            let t = &i.target;
                            WireItem(at(&i.lamp), t.on, t.brightness, t.color, t.color_temp)
                        })
                        .collect(),
                    s.deleted,
                    dt(s.updated_at),
                )
            })
            .collect(),
    }
}

/// The whole link: `page` (its own fragment, if any, dropped) with `#setup=<data>`.
pub fn link(
    page: &str,
    profile: &Profile,
    arrangement: &Arrangement,
    include_password: bool,
) -> SetupLink {
    let page = page.split('#').next().unwrap_or(page);
    SetupLink {
        url: format!(
            "{page}#{FRAGMENT_KEY}={}",
            encode(profile, arrangement, include_password)
        ),
        contains_password: include_password
            && profile.password.as_deref().is_some_and(|p| !p.is_empty()),
    }
}

/// The data of a `#setup=` fragment (`location.hash`, with or without its `#`); None for
/// any other fragment, which the app leaves alone.
pub fn fragment_data(hash: &str) -> Option<&str> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    hash.strip_prefix(FRAGMENT_KEY)?.strip_prefix('=')
}

/// Reads a link's data into a profile and an arrangement, or says in a sentence why the
/// link cannot be used. Never panics, whatever the text.
pub fn decode(data: &str) -> Result<Share, String> {
    let data = data.trim();
    if data.is_empty() {
        return Err("The setup link is empty: it was cut off after “#setup=”".to_owned());
    }
    if data.len() > MAX_DATA_CHARS {
        return Err(format!(
            "The setup link is too long ({} characters; at most {MAX_DATA_CHARS})",
            data.len()
        ));
    }
    let bytes =
        base64url::decode(data).map_err(|why| format!("The setup link is damaged: {why}"))?;
    let (&format, packed) = bytes
        .split_first()
        .ok_or_else(|| "The setup link is empty".to_owned())?;
    if format != LINK_FORMAT {
        return Err(format!(
            "This setup link has format {format}; this Lampboard reads format {LINK_FORMAT} (a newer Lampboard made it?)"
        ));
    }
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(packed, MAX_INFLATED_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => format!(
                "The setup link unpacks to more than {} KB: refused",
                MAX_INFLATED_BYTES / 1024
            ),
            _ => "The setup link is damaged: its data does not unpack (cut short or changed?)"
                .to_owned(),
        })?;
    let wire: Wire =
        serde_json::from_slice(&json).map_err(|e| format!("The setup link is damaged: {e}"))?;
    let (profile, has_password) = read_profile(wire.p)?;
    let arrangement = read_arrangement(&wire.i, wire.t, wire.l, wire.r, wire.o, wire.s)?;
    Ok(Share {
        profile,
        arrangement,
        has_password,
    })
}

fn read_profile(p: Map<String, Value>) -> Result<(Profile, bool), String> {
    let mut value = object(serde_json::to_value(Profile::default()).unwrap_or(Value::Null));
    let mut password = None;
    for (key, v) in p {
        if key == PASSWORD_KEY {
            match v {
                Value::String(s) if !s.is_empty() => password = Some(s),
                Value::String(_) => {}
                _ => return Err("The setup link is damaged: its password is not text".to_owned()),
            }
            continue;
        }
        let long = long_key(&key);
        if NEVER_SHARED.contains(&long) {
            continue;
        }
        value.insert(long.to_owned(), v);
    }
    let mut profile: Profile = serde_json::from_value(Value::Object(value))
        .map_err(|e| format!("The profile in the setup link is damaged: {e}"))?;
    profile.client_id.clear();
    profile.name = clean_name(&profile.name).unwrap_or_else(|| "Shared".to_owned());
    let id_ok = profile.id.len() <= MAX_ID_CHARS
        && profile
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !id_ok {
        profile.id.clear();
    }
    let has_password = password.is_some();
    profile.password = password;
    // Kept in this browser only because the sharer sent it on purpose; the prompt says so.
    profile.remember_password = has_password;
    if let Some(problem) = profile.problems(false).into_iter().next() {
        return Err(format!(
            "The profile in the setup link cannot be used: {}",
            problem.message
        ));
    }
    Ok((profile, has_password))
}

fn key_ok(key: &str, what: &str) -> Result<String, String> {
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(format!(
            "The setup link is damaged: a {what} has an empty or over-long key"
        ));
    }
    Ok(key.to_owned())
}

fn read_arrangement(
    ids: &[String],
    base: u64,
    lamps: Vec<WireLamp>,
    rooms: Vec<WireRoom>,
    order: Option<WireOrder>,
    scenes: Vec<WireScene>,
) -> Result<Arrangement, String> {
    for id in ids {
        if id.is_empty() || id.len() > 65_535 {
            return Err("The setup link is damaged: a lamp id is empty or too long".to_owned());
        }
    }
    let lamp = |n: usize| -> Result<LampId, String> {
        ids.get(n).map(|id| LampId(id.clone())).ok_or_else(|| {
            format!(
                "The setup link is damaged: it names lamp number {n}, but lists {}",
                ids.len()
            )
        })
    };
    let ms = |dt: u64| base.saturating_add(dt) as f64 * 1000.0;
    let mut a = Arrangement {
        lampboard_arrangement: ARRANGEMENT_FORMAT,
        ..Arrangement::default()
    };
    if lamps.len() > ids.len() {
        return Err(format!(
            "The setup link is damaged: it arranges {} lamps, but lists {} ids",
            lamps.len(),
            ids.len()
        ));
    }
    for (n, WireLamp(name, room, flags, kind, dt)) in lamps.into_iter().enumerate() {
        a.lamps.insert(
            lamp(n)?,
            LampArrangement {
                name: name.as_deref().and_then(clean_name),
                room: room.as_deref().and_then(clean_name),
                hidden: flags & 1 != 0,
                favourite: flags & 2 != 0,
                kind,
                updated_at: ms(dt),
                extra: Map::new(),
            },
        );
    }
    for WireRoom(key, members, collapsed, dt) in rooms {
        let order = members
            .into_iter()
            .map(lamp)
            .collect::<Result<Vec<_>, _>>()?;
        a.rooms.insert(
            key_ok(&key, "room")?,
            RoomArrangement {
                order,
                collapsed,
                updated_at: ms(dt),
                extra: Map::new(),
            },
        );
    }
    if let Some(WireOrder(keys, dt)) = order {
        let keys = keys
            .iter()
            .map(|k| key_ok(k, "room"))
            .collect::<Result<Vec<_>, _>>()?;
        a.room_order = RoomOrder {
            keys,
            updated_at: ms(dt),
            extra: Map::new(),
        };
    }
    for WireScene(id, name, items, deleted, dt) in scenes {
        let id = key_ok(&id, "scene")?;
        let name = match clean_name(&name) {
            Some(n) => n,
            None if deleted => String::new(),
            None => return Err("The setup link is damaged: a scene has no name".to_owned()),
        };
        let items = items
            .into_iter()
            .map(|WireItem(n, on, brightness, color, color_temp)| {
                Ok(SceneItem {
                    lamp: lamp(n)?,
                    target: Target {
                        on,
                        brightness: brightness.map(|b| b.clamp(1, 100)),
                        color,
                        color_temp,
                    },
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        a.scenes.insert(
            id.clone(),
            Scene {
                id,
                name,
                items,
                deleted,
                updated_at: ms(dt),
                extra: Map::new(),
            },
        );
    }
    Ok(a)
}
