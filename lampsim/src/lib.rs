//! lampsim, Lampboard's dev hub: an embedded MQTT broker (rumqttd, TCP and WebSocket on
//! loopback) and simulated lamps of every kind the app reads (seed topics; Home Assistant
//! discovery with the JSON, default and template light schemas, per entity and per device;
//! Zigbee2MQTT devices, multi-endpoint devices and groups), driven over MQTT by an
//! independent client (rumqttc).
//!
//! Why it exists: the app must be developed and tested against something that behaves like a
//! house full of lamps, without a house. It is also the broker of the integration tests and
//! the load generator of the benchmarks (`--flood`).
//!
//! Layout: [`lamp`] (one lamp's state machine per system, pure), [`fleet`] (the house and its
//! announcements per system, pure), [`echo`] (own-publish recognition, pure), [`color`] and
//! [`rng`] (helpers, pure), [`broker`] (rumqttd configuration and start), [`runner`] (the
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
