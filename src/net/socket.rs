//! One browser WebSocket speaking the `mqtt` subprotocol, owning its event
//! closures so they are dropped (not leaked) when the socket is replaced.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

/// What the socket reports to its owner.
#[derive(Debug)]
pub enum SocketEvent {
    /// The WebSocket handshake succeeded.
    Open,
    /// A binary frame arrived: some bytes of the MQTT stream (frames need not
    /// align with packets).
    Bytes(Vec<u8>),
    /// A text frame arrived, which MQTT over WebSocket forbids [MQTT-6.0.0-1].
    Text,
    /// The socket closed; the close code and reason as the browser gave them.
    Closed {
        /// The WebSocket close code (1006: dropped without a close frame).
        code: u16,
        /// The server's reason text, often empty.
        reason: String,
    },
}

/// An open (or opening) WebSocket and the closures that feed its events to the owner.
pub struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Starts connecting to `url`; events go to `sink`. Fails at once, in
    /// words, when the browser rejects the URL.
    pub fn open(url: &str, sink: Rc<dyn Fn(SocketEvent)>) -> Result<Self, String> {
        let ws = WebSocket::new_with_str(url, "mqtt").map_err(|e| {
            let detail = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default();
            format!("The browser refused the URL {url}: {detail}")
        })?;
        ws.set_binary_type(BinaryType::Arraybuffer);

        let s = sink.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_| s(SocketEvent::Open));
        let s = sink.clone();
        let on_message =
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| match e
                .data()
                .dyn_into::<js_sys::ArrayBuffer>(
            ) {
                Ok(buf) => s(SocketEvent::Bytes(js_sys::Uint8Array::new(&buf).to_vec())),
                Err(_) => s(SocketEvent::Text),
            });
        let s = sink;
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            s(SocketEvent::Closed {
                code: e.code(),
                reason: e.reason(),
            })
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends one binary frame. A closed socket reports an error in words.
    pub fn send(&self, bytes: &[u8]) -> Result<(), String> {
        self.ws
            .send_with_u8_array(bytes)
            .map_err(|_| "the socket is no longer open".to_owned())
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // Detach first so no callback reaches a closure that is being freed.
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

/// Close codes in words, for the status line.
pub fn close_reason(code: u16, reason: &str) -> String {
    let what = match code {
        1000 => "the broker closed the connection",
        1001 => "the broker is going away",
        1002 => "the broker reported a protocol error",
        1006 => "the connection was refused or dropped",
        1008 => "the broker rejected the connection (policy)",
        1009 => "a message was too big for the broker",
        1011 => "the broker hit an internal error",
        1015 => "the TLS handshake failed",
        _ => "the connection closed",
    };
    if reason.is_empty() {
        format!("{what} (code {code})")
    } else {
        format!("{what} (code {code}: {reason})")
    }
}
