//! Where each lamp system's code is: linked into the build, or a chunk the browser's release
//! build fetches the first time the home needs it.
//!
//! A home runs one or two lamp systems, and the first load carried all six: their discovery
//! readers, bindings and JSON shapes were a sixth of the page. In the release build
//! (`--cfg lampboard_split`, `crate::chunks`) only the plain MQTT lamps are linked; each other
//! system is a chunk that [`load`] fetches (Shelly's two generations share one), and until it
//! is in, a [`super::pending::PendingSystem`] holds the system's messages. Every other build
//! links every system, so the lamp model and its tests never wait.
//!
//! Per thread (the page has one): a test can make a system wait on its own thread
//! ([`withhold`]) without touching other tests.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::{home_assistant, seed, shelly, tasmota, wled, zigbee2mqtt, SourceKind};
use crate::chunks::{split_code, ChunkError};
use crate::lamp::directory::DirectorySettings;
use crate::lamp::system::LampSystem;

/// Makes a system from the settings: what a system's chunk hands over.
pub type Builder = fn(&DirectorySettings) -> Box<dyn LampSystem>;

/// What this thread has: builders installed from chunks, and systems a test made wait.
#[derive(Default)]
struct Code {
    installed: Vec<(SourceKind, Builder)>,
    withheld: Vec<SourceKind>,
    gates: Vec<(SourceKind, Rc<Gate>)>,
}

/// Holds [`load`] of one system until a test opens it: a chunk still on its way.
#[derive(Default)]
struct Gate {
    open: Cell<bool>,
    waiting: RefCell<Vec<Waker>>,
}

/// Resolves once its gate is open.
struct GateOpen(Rc<Gate>);

impl Future for GateOpen {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.open.get() {
            return Poll::Ready(());
        }
        self.0.waiting.borrow_mut().push(cx.waker().clone());
        Poll::Pending
    }
}

thread_local! {
    static CODE: RefCell<Code> = RefCell::new(Code::default());
}

/// How to make `kind` now, or `None` while its code has not loaded.
pub fn builder(kind: SourceKind) -> Option<Builder> {
    CODE.with(|c| {
        let code = c.borrow();
        if let Some((_, b)) = code.installed.iter().find(|(k, _)| *k == kind) {
            return Some(*b);
        }
        if code.withheld.contains(&kind) {
            return None;
        }
        linked(kind)
    })
}

/// Records that `kind`'s code is here: the directory can now make the system
/// (`LampDirectory::install_code`).
pub fn install(kind: SourceKind, builder: Builder) {
    CODE.with(|c| {
        let mut code = c.borrow_mut();
        code.withheld.retain(|k| *k != kind);
        code.installed.retain(|(k, _)| *k != kind);
        code.installed.push((kind, builder));
    });
}

/// Makes `kind` wait for its code on this thread, as it does in the release build (tests of
/// the wait in builds that link every system).
pub fn withhold(kind: SourceKind) {
    CODE.with(|c| {
        let mut code = c.borrow_mut();
        code.installed.retain(|(k, _)| *k != kind);
        if !code.withheld.contains(&kind) {
            code.withheld.push(kind);
        }
    });
}

/// Makes [`load`] of `kind` wait on this thread until [`open_gate`], as a slow chunk does
/// (tests of what the store does while one chunk is still on its way).
pub fn gate(kind: SourceKind) {
    CODE.with(|c| c.borrow_mut().gates.push((kind, Rc::default())));
}

/// Lets the loads of `kind` that [`gate`] holds finish.
pub fn open_gate(kind: SourceKind) {
    let gates = CODE.with(|c| {
        let mut code = c.borrow_mut();
        let (open, kept) = std::mem::take(&mut code.gates)
            .into_iter()
            .partition::<Vec<_>, _>(|(k, _)| *k == kind);
        code.gates = kept;
        open
    });
    for (_, gate) in gates {
        gate.open.set(true);
        for waker in gate.waiting.take() {
            waker.wake();
        }
    }
}

/// Fetches `kind`'s code (its chunk in the release build; at once elsewhere).
pub async fn load(kind: SourceKind) -> Result<Builder, ChunkError> {
    let gate = CODE.with(|c| {
        c.borrow()
            .gates
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, g)| g.clone())
    });
    if let Some(gate) = gate {
        GateOpen(gate).await;
    }
    match kind {
        SourceKind::Seed => Ok(build_seed as Builder),
        SourceKind::HomeAssistant => home_assistant_code().await,
        SourceKind::Zigbee2Mqtt => zigbee2mqtt_code().await,
        SourceKind::Tasmota => tasmota_code().await,
        SourceKind::Wled => wled_code().await,
        SourceKind::ShellyGen1 => shelly_gen1_code().await,
        SourceKind::ShellyGen2 => shelly_gen2_code().await,
    }
}

/// The systems linked into this build.
#[cfg(not(lampboard_split))]
fn linked(kind: SourceKind) -> Option<Builder> {
    Some(match kind {
        SourceKind::Seed => build_seed,
        SourceKind::HomeAssistant => build_home_assistant,
        SourceKind::Zigbee2Mqtt => build_zigbee2mqtt,
        SourceKind::Tasmota => build_tasmota,
        SourceKind::Wled => build_wled,
        SourceKind::ShellyGen1 => build_shelly_gen1,
        SourceKind::ShellyGen2 => build_shelly_gen2,
    })
}

/// The release build links only the plain lamps; the rest come as chunks.
#[cfg(lampboard_split)]
fn linked(kind: SourceKind) -> Option<Builder> {
    (kind == SourceKind::Seed).then_some(build_seed as Builder)
}

fn build_seed(s: &DirectorySettings) -> Box<dyn LampSystem> {
    Box::new(seed::SeedSystem::new(s.lamp_filters.clone()))
}

fn build_home_assistant(s: &DirectorySettings) -> Box<dyn LampSystem> {
    Box::new(home_assistant::HomeAssistantSystem::new(
        s.home_assistant_prefix.clone(),
    ))
}

fn build_zigbee2mqtt(s: &DirectorySettings) -> Box<dyn LampSystem> {
    Box::new(zigbee2mqtt::Zigbee2MqttSystem::new(
        s.zigbee2mqtt_base.clone(),
    ))
}

fn build_tasmota(s: &DirectorySettings) -> Box<dyn LampSystem> {
    Box::new(tasmota::TasmotaSystem::new(s.tasmota_topics.clone()))
}

fn build_wled(s: &DirectorySettings) -> Box<dyn LampSystem> {
    Box::new(wled::WledSystem::new(s.wled_filter.clone()))
}

fn build_shelly_gen1(_: &DirectorySettings) -> Box<dyn LampSystem> {
    Box::new(shelly::ShellyGen1System::new())
}

fn build_shelly_gen2(_: &DirectorySettings) -> Box<dyn LampSystem> {
    Box::new(shelly::ShellyGen2System::new())
}

split_code!(system_home_assistant, fn home_assistant_code() -> Builder = build_home_assistant);
split_code!(system_zigbee2mqtt, fn zigbee2mqtt_code() -> Builder = build_zigbee2mqtt);
split_code!(system_tasmota, fn tasmota_code() -> Builder = build_tasmota);
split_code!(system_wled, fn wled_code() -> Builder = build_wled);
split_code!(system_shelly, fn shelly_gen1_code() -> Builder = build_shelly_gen1);
split_code!(system_shelly, fn shelly_gen2_code() -> Builder = build_shelly_gen2);
