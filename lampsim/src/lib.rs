//! lampsim, Lampboard's dev hub: an embedded MQTT broker (rumqttd, TCP and WebSocket on
//! loopback) and simulated lamps of the three kinds the app reads (seed topics, Home Assistant
//! discovery, Zigbee2MQTT), driven over MQTT by an independent client (rumqttc).
//!
//! Why it exists: the app must be developed and tested against something that behaves like a
//! house full of lamps, without a house. It is also the broker of the integration tests and
//! the load generator of the benchmarks (`--flood`).
//!
//! Layout: [`lamp`] (one lamp's state machine, pure), [`fleet`] (the house, pure), [`echo`]
//! (own-publish recognition, pure), [`color`] and [`rng`] (helpers, pure), [`broker`] (rumqttd configuration and start), [`runner`] (the
//! MQTT side), [`args`] (flags).
#![warn(missing_docs)]

pub mod args;
pub mod broker;
pub mod color;
pub mod echo;
pub mod fleet;
pub mod lamp;
pub mod rng;
pub mod runner;
