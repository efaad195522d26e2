//! A system whose code has not arrived yet (`super::code`): it stands in the system's place,
//! subscribes to the system's discovery, and claims each message there so the directory holds
//! it ([`Found::NeedsCode`]) and the page fetches the code; once it is in, the directory puts
//! the real system in its place and hands it what was held.

use super::SourceKind;
use crate::lamp::system::{Found, LampSystem, Outgoing};
use crate::lamp::topic_match::matches_any;
use crate::lamp::LampId;

/// The stand-in for one system.
#[derive(Debug)]
pub struct PendingSystem {
    /// Which system.
    pub kind: SourceKind,
    /// The system's discovery filters.
    pub filters: Vec<String>,
    /// The system's settings key, so a settings change keeps what it would keep.
    pub key: String,
    /// The code is wanted without waiting for a message (devices listed by topic).
    pub wanted: bool,
    /// What the system says on connect even before its code is in (Shelly Gen1's
    /// `announce`: the devices' answers are what bring the code).
    pub hello: Vec<Outgoing>,
}

impl LampSystem for PendingSystem {
    fn kind(&self) -> SourceKind {
        self.kind
    }

    fn subscriptions(&self) -> Vec<String> {
        self.filters.clone()
    }

    fn settings_key(&self) -> String {
        self.key.clone()
    }

    fn discover(
        &mut self,
        topic: &str,
        _payload: &[u8],
        _known: &dyn Fn(&LampId) -> bool,
    ) -> Option<Vec<Found>> {
        matches_any(&self.filters, topic).then(|| vec![Found::NeedsCode(self.kind)])
    }

    fn on_connect(&self) -> Vec<Outgoing> {
        self.hello.clone()
    }

    fn waits_for_code(&self) -> Option<bool> {
        Some(self.wanted)
    }
}
