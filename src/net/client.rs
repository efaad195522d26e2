//! The browser MQTT client: a [`Session`] driven by a WebSocket and timers,
//! reconnecting by itself with backoff, and reporting status in words.
//!
//! Every entry point borrows the shared state, lets the session do its work,
//! then releases the borrow before calling the application's handler, so the
//! handler may call back into the client (publish from an event) safely.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::backoff::Backoff;
use super::broker_url::BrokerUrl;
use super::socket::{close_reason, Socket, SocketEvent};
use super::status::{refusal_text, unreachable_text, ConnectionStatus};
use crate::mqtt::packet::QoS;
use crate::mqtt::session::{
    ConnectionState, Event, LostReason, Millis, PublishError, PublishTicket, RequestError,
    RequestTicket, Session, SessionOptions,
};

/// What the client tells the application.
#[derive(Debug, Clone)]
pub enum ClientEvent {
    /// The status line should change.
    Status(ConnectionStatus),
    /// Something the MQTT session reported (messages, deliveries, refusals...).
    Session(Event),
}

/// The application's callback for [`ClientEvent`]s.
pub type Handler = Rc<dyn Fn(ClientEvent)>;

/// A cheap handle to the one client of a page; clones share it.
#[derive(Clone)]
pub struct MqttClient {
    inner: Rc<RefCell<Inner>>,
}

struct Retry {
    _timer: Timeout,
    _tick: Interval,
}

struct Inner {
    me: Weak<RefCell<Inner>>,
    session: Session,
    url: String,
    socket: Option<Socket>,
    generation: u64,
    deadline: Option<Timeout>,
    retry: Option<Retry>,
    backoff: Backoff,
    /// The broker's last login refusal, in words, kept through the retries until a
    /// connection succeeds, the socket fails for another reason or the user reconnects.
    denied: Option<String>,
    connected_at: Option<f64>,
    want_connected: bool,
    status: ConnectionStatus,
    handler: Handler,
    pending: Vec<ClientEvent>,
    _window_listeners: WindowListeners,
}

/// Why the client waits before the next attempt; the status line says it.
#[derive(Clone)]
enum Waiting {
    /// The connection dropped or never opened, for this reason in words.
    Lost(String),
    /// The broker refused the login; this says what to check.
    Denied(String),
}

impl Waiting {
    fn status(&self, in_secs: u32) -> ConnectionStatus {
        match self {
            Self::Lost(why) => ConnectionStatus::Retrying {
                in_secs,
                why: why.clone(),
            },
            Self::Denied(why) => ConnectionStatus::Denied {
                why: why.clone(),
                retry_in_secs: Some(in_secs),
            },
        }
    }
}

/// The page's clock, in the session's unit.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

fn page_is_https() -> bool {
    web_sys::window()
        .and_then(|w| w.location().protocol().ok())
        .is_some_and(|p| p == "https:")
}

impl MqttClient {
    /// Checks the URL and options and prepares a client; nothing is opened
    /// until [`MqttClient::connect`]. Errors are sentences for the connect form.
    pub fn new(url: &str, options: SessionOptions, handler: Handler) -> Result<Self, String> {
        let url = BrokerUrl::parse(url, page_is_https()).map_err(|e| e.to_string())?;
        let session = Session::new(options).map_err(|e| e.to_string())?;
        let inner = Rc::new_cyclic(|me: &Weak<RefCell<Inner>>| {
            RefCell::new(Inner {
                me: me.clone(),
                session,
                url: url.to_ws_url(),
                socket: None,
                generation: 0,
                deadline: None,
                retry: None,
                backoff: Backoff::new(),
                denied: None,
                connected_at: None,
                want_connected: false,
                status: ConnectionStatus::Disconnected,
                handler,
                pending: Vec::new(),
                _window_listeners: WindowListeners::install(me.clone()),
            })
        });
        Ok(Self { inner })
    }

    /// Opens the connection, and keeps it open until [`MqttClient::disconnect`].
    pub fn connect(&self) {
        Self::with(&self.inner, |i| {
            i.want_connected = true;
            i.denied = None;
            i.backoff.reset();
            i.retry = None;
            if i.socket.is_none() {
                i.open_socket();
            }
        });
    }

    /// Says goodbye to the broker (so it drops our will) and stops retrying.
    pub fn disconnect(&self) {
        Self::with(&self.inner, |i| {
            i.want_connected = false;
            i.retry = None;
            i.session.disconnect();
            i.pump();
            i.socket = None;
            i.set_status(ConnectionStatus::Disconnected);
        });
    }

    /// Publishes now, or queues until connected; the ticket comes back in
    /// `Sent` or `Delivered`.
    pub fn publish(
        &self,
        topic: &str,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
    ) -> Result<PublishTicket, PublishError> {
        Self::with(&self.inner, |i| {
            let r = i.session.publish(topic, payload, qos, retain);
            i.pump();
            r
        })
    }

    /// Subscribes (re-subscribed by the session after a reconnect).
    pub fn subscribe(&self, filters: &[(&str, QoS)]) -> Result<RequestTicket, RequestError> {
        Self::with(&self.inner, |i| {
            let r = i.session.subscribe(filters);
            i.pump();
            r
        })
    }

    /// Unsubscribes from filters spelled exactly as subscribed.
    pub fn unsubscribe(&self, filters: &[&str]) -> Result<RequestTicket, RequestError> {
        Self::with(&self.inner, |i| {
            let r = i.session.unsubscribe(filters);
            i.pump();
            r
        })
    }

    /// The status the line shows now.
    pub fn status(&self) -> ConnectionStatus {
        self.inner.borrow().status.clone()
    }

    /// How many publishes wait for a connection or a free packet id.
    pub fn queued_publishes(&self) -> usize {
        self.inner.borrow().session.queued_publishes()
    }

    /// Runs `f` on the state, then hands what it produced to the handler with
    /// no borrow held.
    fn with<T>(cell: &Rc<RefCell<Inner>>, f: impl FnOnce(&mut Inner) -> T) -> T {
        let (value, pending, handler) = {
            // Re-entry cannot happen: the handler below runs after this borrow
            // is released, and the browser dispatches socket, timer and window
            // events from its event loop, never synchronously inside a call.
            let mut inner = cell.borrow_mut();
            let value = f(&mut inner);
            (
                value,
                std::mem::take(&mut inner.pending),
                inner.handler.clone(),
            )
        };
        for event in pending {
            handler(event);
        }
        value
    }

    fn with_weak(me: &Weak<RefCell<Inner>>, f: impl FnOnce(&mut Inner)) {
        if let Some(cell) = me.upgrade() {
            Self::with(&cell, f);
        }
    }
}

impl Inner {
    fn set_status(&mut self, status: ConnectionStatus) {
        if self.status != status {
            self.status = status.clone();
            self.pending.push(ClientEvent::Status(status));
        }
    }

    fn open_socket(&mut self) {
        self.generation += 1;
        let generation = self.generation;
        let me = self.me.clone();
        let sink: Rc<dyn Fn(SocketEvent)> = Rc::new(move |event| {
            MqttClient::with_weak(&me, |i| i.on_socket(generation, event));
        });
        match Socket::open(&self.url, sink) {
            Ok(socket) => {
                self.socket = Some(socket);
                // After a refused login, the attempt keeps the refusal on screen: a
                // "Connecting…" flash every few seconds would read as progress.
                let status = match &self.denied {
                    Some(why) => ConnectionStatus::Denied {
                        why: why.clone(),
                        retry_in_secs: None,
                    },
                    None => ConnectionStatus::Connecting,
                };
                self.set_status(status);
            }
            Err(why) => {
                self.want_connected = false;
                self.set_status(ConnectionStatus::Refused(why));
            }
        }
    }

    fn on_socket(&mut self, generation: u64, event: SocketEvent) {
        if generation != self.generation {
            return; // an old socket's last words
        }
        let now = Millis::from_f64(now_ms());
        match event {
            SocketEvent::Open => self.session.connection_opened(now),
            SocketEvent::Bytes(bytes) => self.session.handle_bytes(&bytes, now),
            SocketEvent::Text => {
                self.socket = None;
                self.session.connection_closed(
                    "the broker sent a text frame; MQTT over WebSocket needs binary frames",
                );
            }
            SocketEvent::Closed { code, reason } => {
                self.socket = None;
                if self.session.state() == ConnectionState::Disconnected {
                    // The socket never opened (refused, unknown host, TLS): the session
                    // never started, so it has no loss to report; retry from here. The
                    // browser gives no detail for a failed connect (always 1006), so the
                    // status line names the URL, and the connect form says what to check
                    // (path, port, certificate).
                    self.denied = None;
                    self.schedule_retry(Waiting::Lost(unreachable_text(&self.url)));
                } else {
                    self.session.connection_closed(&close_reason(code, &reason));
                }
            }
        }
        self.pump();
    }

    /// Sends what the session wants sent, reacts to its events and arms the
    /// timer for its next deadline.
    fn pump(&mut self) {
        while let Some(bytes) = self.session.poll_transmit() {
            if let Some(socket) = &self.socket {
                // A failed send means the socket is closing; its close event follows.
                let _ = socket.send(&bytes);
            }
        }
        while let Some(event) = self.session.poll_event() {
            self.react(&event);
            self.pending.push(ClientEvent::Session(event));
        }
        self.arm_deadline();
    }

    fn react(&mut self, event: &Event) {
        match event {
            Event::Connected { .. } => {
                self.connected_at = Some(now_ms());
                self.retry = None;
                self.denied = None;
                self.set_status(ConnectionStatus::Connected);
            }
            Event::ConnectionLost(reason) => {
                self.socket = None;
                if let Some(at) = self.connected_at.take() {
                    self.backoff
                        .connection_ended((now_ms() - at).max(0.0) as u64);
                }
                match reason {
                    LostReason::ClosedByClient => self.set_status(ConnectionStatus::Disconnected),
                    LostReason::Refused(refusal) => {
                        let why = refusal_text(*refusal);
                        self.denied = Some(why.clone());
                        self.schedule_retry(Waiting::Denied(why));
                    }
                    other => {
                        self.denied = None;
                        self.schedule_retry(Waiting::Lost(other.to_string()));
                    }
                }
            }
            _ => {}
        }
    }

    /// Waits out the backoff, then reconnects, counting the seconds down on
    /// the status line.
    fn schedule_retry(&mut self, waiting: Waiting) {
        if !self.want_connected {
            return;
        }
        let delay = self.backoff.next_delay_ms(js_sys::Math::random());
        let retry_at = now_ms() + f64::from(delay);
        let me = self.me.clone();
        let timer = Timeout::new(delay, move || {
            MqttClient::with_weak(&me, |i| {
                i.retry = None;
                if i.want_connected && i.socket.is_none() {
                    i.open_socket();
                }
            })
        });
        let seconds_left = move || ((retry_at - now_ms()) / 1000.0).ceil().max(0.0) as u32;
        self.set_status(waiting.status(seconds_left()));
        let me = self.me.clone();
        let tick = Interval::new(1000, move || {
            MqttClient::with_weak(&me, |i| {
                if i.retry.is_some() {
                    i.set_status(waiting.status(seconds_left()));
                }
            })
        });
        self.retry = Some(Retry {
            _timer: timer,
            _tick: tick,
        });
    }

    /// The network came back or the tab became visible: don't wait out the backoff.
    fn retry_now(&mut self) {
        if self.want_connected && self.socket.is_none() {
            self.retry = None;
            self.open_socket();
        } else if self.socket.is_some() {
            // Timers were throttled in the background: catch up on keep-alive.
            self.session.handle_timeout(Millis::from_f64(now_ms()));
            self.pump();
        }
    }

    fn arm_deadline(&mut self) {
        self.deadline = self.session.poll_timeout().map(|at| {
            let wait = at.0.saturating_sub(Millis::from_f64(now_ms()).0);
            let me = self.me.clone();
            Timeout::new(u32::try_from(wait).unwrap_or(u32::MAX), move || {
                MqttClient::with_weak(&me, |i| {
                    i.session.handle_timeout(Millis::from_f64(now_ms()));
                    i.pump();
                })
            })
        });
    }
}

/// `online` and `visibilitychange` listeners, removed again when the client goes.
struct WindowListeners {
    online: Option<Closure<dyn FnMut()>>,
    visible: Option<Closure<dyn FnMut()>>,
}

impl WindowListeners {
    fn install(me: Weak<RefCell<Inner>>) -> Self {
        let Some(window) = web_sys::window() else {
            return Self {
                online: None,
                visible: None,
            };
        };
        let m = me.clone();
        let online = Closure::<dyn FnMut()>::new(move || {
            MqttClient::with_weak(&m, Inner::retry_now);
        });
        let visible = Closure::<dyn FnMut()>::new(move || {
            let shown = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if shown {
                MqttClient::with_weak(&me, Inner::retry_now);
            }
        });
        let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        if let Some(doc) = window.document() {
            let _ = doc.add_event_listener_with_callback(
                "visibilitychange",
                visible.as_ref().unchecked_ref(),
            );
        }
        Self {
            online: Some(online),
            visible: Some(visible),
        }
    }
}

impl Drop for WindowListeners {
    fn drop(&mut self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(c) = &self.online {
            let _ =
                window.remove_event_listener_with_callback("online", c.as_ref().unchecked_ref());
        }
        if let (Some(c), Some(doc)) = (&self.visible, window.document()) {
            let _ = doc.remove_event_listener_with_callback(
                "visibilitychange",
                c.as_ref().unchecked_ref(),
            );
        }
    }
}
