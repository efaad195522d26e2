//! What a lamp must receive: waits on the independent observer for a payload on a topic and
//! fails the test saying what was wanted and everything that came instead. Shared by the
//! tests that check each system's own command format.

use std::time::Duration;

use crate::Observer;

/// How long a command may take to reach the broker through the page on a busy machine.
const LONG: Duration = Duration::from_secs(30);

/// Waits until some payload on `topic` satisfies `check`, or fails naming `what` and every
/// payload seen there.
pub async fn expect_payload(
    observer: &Observer,
    topic: &str,
    what: &str,
    check: impl Fn(&[u8]) -> bool,
) {
    let got = observer.wait_payload(topic, LONG, check).await;
    assert!(got.is_ok(), "{what}: {topic} got {got:?}");
}

/// Waits until `topic` carries exactly the text `want` (the plain payloads of Tasmota,
/// WLED and Shelly Gen1), or fails naming `what`, `want` and every payload seen.
pub async fn expect_text(observer: &Observer, topic: &str, want: &str, what: &str) {
    let got = observer.wait_payload(topic, LONG, text_is(want)).await;
    assert!(got.is_ok(), "{what}: {topic} wanted {want:?}, got {got:?}");
}

/// A check for a payload that is exactly the text `want`.
pub fn text_is(want: &str) -> impl Fn(&[u8]) -> bool {
    let want = want.as_bytes().to_vec();
    move |p| p == want.as_slice()
}
