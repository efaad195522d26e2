//! Codec speed next to two MQTT crates, measured in the same run (criterion).
//!
//! ```text
//! cargo bench --bench codec -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Two PUBLISH packets, both QoS 1: (a) a lamp state (40-byte topic, 60-byte JSON
//! payload), the app's common case, and (b) a 1 KiB payload. Each is decoded and
//! encoded by this crate, by mqttrs 0.4 (borrowing, like ours) and by mqttbytes 0.6
//! (owned `String` topic, `Bytes` payload). "lampboard_owned" decodes and then copies
//! into a `Packet<'static>` (what the session does with a message it keeps), to show the
//! price of owning. Every decoder gets its input the way its API wants it; building a
//! `BytesMut` for mqttbytes is setup, not measured. At the end a table prints each
//! median and the ratios "theirs / ours" (above 1 means we are faster).
//!
//! The bench profile inherits the app's size-optimised release profile (`opt-level =
//! "z"`, what ships); `CARGO_PROFILE_BENCH_OPT_LEVEL=3 cargo bench ...` measures at
//! full speed. Both crates under comparison are built with the same settings either way.

use std::borrow::Cow;
use std::hint::black_box;
use std::path::PathBuf;

use bytes::BytesMut;
use criterion::{BatchSize, Criterion};
use lampboard::mqtt::codec::{decode, encode, DecodeLimits, Decoded};
use lampboard::mqtt::packet::{Packet, PacketId, Publish, QoSPid};

const LAMP_TOPIC: &str = "home/living-room/lamps/ceiling-left/stat";
const LAMP_PAYLOAD: &[u8] = br#"{"state":"ON","brightness":200,"color":{"x":0.323,"y":0.31}}"#;

struct Case {
    name: &'static str,
    topic: &'static str,
    payload: Vec<u8>,
}

fn cases() -> Vec<Case> {
    assert_eq!(LAMP_TOPIC.len(), 40, "the lamp case is a 40-byte topic");
    assert_eq!(LAMP_PAYLOAD.len(), 60, "and a 60-byte payload");
    vec![
        Case {
            name: "lamp_state",
            topic: LAMP_TOPIC,
            payload: LAMP_PAYLOAD.to_vec(),
        },
        Case {
            name: "publish_1k",
            topic: LAMP_TOPIC,
            payload: (0..1024u32).map(|i| (i % 251) as u8).collect(),
        },
    ]
}

const PID: u16 = 4242;

fn ours(case: &Case) -> Packet<'_> {
    Packet::Publish(Publish {
        dup: false,
        qospid: QoSPid::AtLeastOnce(PacketId::new(PID).expect("non-zero")),
        retain: false,
        topic: Cow::Borrowed(case.topic),
        payload: Cow::Borrowed(&case.payload),
    })
}

fn theirs_mqttrs(case: &Case) -> mqttrs::Packet<'_> {
    mqttrs::Packet::Publish(mqttrs::Publish {
        dup: false,
        qospid: mqttrs::QosPid::AtLeastOnce(mqttrs::Pid::try_from(PID).expect("non-zero")),
        retain: false,
        topic_name: case.topic,
        payload: &case.payload,
    })
}

fn theirs_mqttbytes(case: &Case) -> mqttbytes::v4::Publish {
    let mut p = mqttbytes::v4::Publish::new(
        case.topic,
        mqttbytes::QoS::AtLeastOnce,
        case.payload.clone(),
    );
    p.pkid = PID;
    p
}

/// The three encoders must agree on the bytes, or the comparison is meaningless.
fn wire_bytes(case: &Case) -> Vec<u8> {
    let mut ours_bytes = Vec::new();
    encode(&ours(case), &mut ours_bytes).expect("valid packet");
    let mut buf = vec![0u8; 4096];
    let n = mqttrs::encode_slice(&theirs_mqttrs(case), &mut buf).expect("mqttrs encodes");
    assert_eq!(&buf[..n], &ours_bytes[..], "mqttrs bytes differ");
    let mut bm = BytesMut::new();
    theirs_mqttbytes(case)
        .write(&mut bm)
        .expect("mqttbytes encodes");
    assert_eq!(&bm[..], &ours_bytes[..], "mqttbytes bytes differ");
    // And all three must decode them, so the timed calls below do real work.
    assert!(matches!(
        decode(&ours_bytes, &DecodeLimits::default()),
        Ok(Decoded::Packet { .. })
    ));
    assert!(matches!(mqttrs::decode_slice(&ours_bytes), Ok(Some(_))));
    assert!(mqttbytes::v4::read(&mut BytesMut::from(&ours_bytes[..]), 1 << 20).is_ok());
    ours_bytes
}

fn bench_decode(c: &mut Criterion, case: &Case) {
    let bytes = wire_bytes(case);
    let limits = DecodeLimits::default();
    let mut group = c.benchmark_group(format!("decode_{}", case.name));
    // Each decoder's public call; its result is observed in place (`black_box(&r)`)
    // and dropped, for every decoder alike. (Returning it to criterion would time a
    // move of the result: a `memcpy` call for our 144-byte `Result`, inline copies
    // for mqttrs's smaller one; see the module docs.)
    group.bench_function("lampboard", |b| {
        b.iter(|| {
            let r = decode(black_box(&bytes), &limits);
            black_box(&r);
        })
    });
    group.bench_function("lampboard_owned", |b| {
        b.iter(|| {
            if let Ok(Decoded::Packet { packet, .. }) = decode(black_box(&bytes), &limits) {
                let owned = packet.into_owned();
                black_box(&owned);
            }
        })
    });
    group.bench_function("mqttrs", |b| {
        b.iter(|| {
            let r = mqttrs::decode_slice(black_box(&bytes));
            black_box(&r);
        })
    });
    group.bench_function("mqttbytes", |b| {
        b.iter_batched(
            || BytesMut::from(&bytes[..]),
            |mut stream| {
                let r = mqttbytes::v4::read(&mut stream, 1 << 20);
                black_box(&r);
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn bench_encode(c: &mut Criterion, case: &Case) {
    let mut group = c.benchmark_group(format!("encode_{}", case.name));
    let packet = ours(case);
    let mut out = Vec::with_capacity(4096);
    group.bench_function("lampboard", |b| {
        b.iter(|| {
            out.clear();
            encode(black_box(&packet), &mut out).expect("valid packet")
        })
    });
    let packet = theirs_mqttrs(case);
    let mut buf = vec![0u8; 4096];
    group.bench_function("mqttrs", |b| {
        b.iter(|| mqttrs::encode_slice(black_box(&packet), &mut buf).expect("encodes"))
    });
    let packet = theirs_mqttbytes(case);
    let mut bm = BytesMut::with_capacity(4096);
    group.bench_function("mqttbytes", |b| {
        b.iter(|| {
            bm.clear();
            black_box(&packet).write(&mut bm).expect("encodes")
        })
    });
    group.finish();
}

/// Where criterion writes its results, resolved the way criterion does.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    // The bench binary runs from <target>/<profile>/deps/.
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// The median (ns) criterion saved for one benchmark, if it ran in this invocation.
fn median_ns(dir: &std::path::Path, group: &str, function: &str) -> Option<f64> {
    let path = dir
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn print_ratios(dir: &std::path::Path, started: std::time::SystemTime) {
    println!();
    println!("median times and ratios (theirs / lampboard; above 1 = lampboard faster)");
    println!(
        "{:<22} {:>11} {:>11} {:>11} {:>11} {:>9} {:>9}",
        "benchmark", "lampboard", "owned", "mqttrs", "mqttbytes", "mqttrs/x", "mqttbytes/x"
    );
    for case in cases() {
        for op in ["decode", "encode"] {
            let group = format!("{op}_{}", case.name);
            // Only report results written by this run, not stale ones.
            let fresh = |f: &str| {
                let path = dir.join(&group).join(f).join("new").join("estimates.json");
                let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
                (modified >= started)
                    .then(|| median_ns(dir, &group, f))
                    .flatten()
            };
            let Some(ours) = fresh("lampboard") else {
                continue;
            };
            let cell = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1} ns"));
            let ratio = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.2}x", v / ours));
            let mqttrs = fresh("mqttrs");
            let mqttbytes = fresh("mqttbytes");
            println!(
                "{:<22} {:>11} {:>11} {:>11} {:>11} {:>9} {:>9}",
                group,
                cell(Some(ours)),
                cell(fresh("lampboard_owned")),
                cell(mqttrs),
                cell(mqttbytes),
                ratio(mqttrs),
                ratio(mqttbytes)
            );
        }
    }
}

fn main() {
    let started = std::time::SystemTime::now();
    let dir = criterion_dir();
    let mut c = Criterion::default()
        .output_directory(&dir)
        .configure_from_args();
    for case in cases() {
        bench_decode(&mut c, &case);
        bench_encode(&mut c, &case);
    }
    c.final_summary();
    print_ratios(&dir, started);
}
