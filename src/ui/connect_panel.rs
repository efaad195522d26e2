use std::rc::Rc;

use leptos::prelude::*;

use crate::mqtt::session::{ConnectOptions, SessionOptions};
use crate::net::client::{Handler, MqttClient};
use crate::net::status::ConnectionStatus;
use crate::store::Store;

const URL_KEY: &str = "lampboard.broker_url";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The broker this page most likely talks to: the last one used, else the
/// WebSocket listener on the host that served the page (lampsim's default).
pub fn default_broker_url() -> String {
    if let Some(saved) = local_storage().and_then(|s| s.get_item(URL_KEY).ok().flatten()) {
        return saved;
    }
    let host = web_sys::window()
        .and_then(|w| w.location().hostname().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "127.0.0.1".to_owned());
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    format!("ws://{host}:9001/mqtt")
}

/// A client id of our own for this page: two tabs sharing one would make the
/// broker disconnect them in turn, forever.
pub fn fresh_client_id() -> String {
    let n = (js_sys::Math::random() * 36f64.powi(6)) as u64;
    let mut suffix = String::new();
    let mut rest = n;
    for _ in 0..6 {
        suffix.push(char::from_digit((rest % 36) as u32, 36).unwrap_or('0'));
        rest /= 36;
    }
    format!("lampboard-{suffix}")
}

/// Broker URL, connect and disconnect. The client it makes feeds the store.
#[component]
pub fn ConnectPanel(#[prop(optional)] manual: bool) -> impl IntoView {
    let store = expect_context::<Store>();
    let url = RwSignal::new(default_broker_url());
    let error = RwSignal::new(None::<String>);
    let client = StoredValue::new_local(None::<MqttClient>);

    let connect = move || {
        error.set(None);
        if let Some(old) = client.get_value() {
            old.disconnect();
        }
        let handler: Handler = Rc::new(move |event| store.handle_client_event(event));
        let options = SessionOptions::new(ConnectOptions::new(fresh_client_id()));
        match MqttClient::new(&url.get_untracked(), options, handler) {
            Ok(c) => {
                if let Some(s) = local_storage() {
                    let _ = s.set_item(URL_KEY, url.get_untracked().trim());
                }
                c.connect();
                store.set_publisher(Rc::new(c.clone()));
                client.set_value(Some(c));
            }
            Err(why) => error.set(Some(why)),
        }
    };
    let disconnect = move || {
        if let Some(c) = client.get_value() {
            c.disconnect();
        }
        store.clear_publisher();
        client.set_value(None);
    };
    if !manual {
        connect();
    }
    let busy = move || {
        !matches!(
            store.status.get(),
            ConnectionStatus::Disconnected | ConnectionStatus::Refused(_)
        )
    };

    view! {
        <form
            class="connect-panel"
            on:submit=move |ev| {
                ev.prevent_default();
                connect();
            }
        >
            <label class="field grow">
                <span class="field-label">"Broker"</span>
                <input
                    type="url"
                    name="broker-url"
                    inputmode="url"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="ws://host:9001/mqtt"
                    prop:value=move || url.get()
                    on:input=move |ev| url.set(event_target_value(&ev))
                    aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                    aria-describedby="broker-url-error"
                />
            </label>
            <button type="submit" class="primary">
                {move || if busy() { "Reconnect" } else { "Connect" }}
            </button>
            <Show when=busy>
                <button type="button" class="secondary" on:click=move |_| disconnect()>
                    "Disconnect"
                </button>
            </Show>
            <p id="broker-url-error" class="field-error" role="alert">
                {move || error.get().unwrap_or_default()}
            </p>
        </form>
    }
}
