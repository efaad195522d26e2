//! Logins through the settings drawer against a Mosquitto listener that wants
//! a password (rumqttd as lampsim embeds it has no logins, so this suite
//! always uses Mosquitto).

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use e2e::{free_port, wait_for_port, ChildGuard, Session, StaticServer};

const LONG: Duration = Duration::from_secs(30);

struct AuthBroker {
    ws_port: u16,
    _process: ChildGuard,
    dir: std::path::PathBuf,
}

impl Drop for AuthBroker {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn auth_broker(user: &str, password: &str) -> AuthBroker {
    let dir = std::env::temp_dir().join(format!("lampboard-e2e-auth-{}", free_port()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let passwd = dir.join("passwd");
    let status = Command::new("mosquitto_passwd")
        .args(["-b", "-c"])
        .arg(&passwd)
        .args([user, password])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("mosquitto_passwd runs");
    assert!(status.success(), "mosquitto_passwd failed");
    // Mosquitto started as root drops to the mosquitto user before reading the file.
    for path in [&dir, &passwd] {
        let mode = if path.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let (tcp, ws) = (free_port(), free_port());
    let conf = dir.join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!(
            "per_listener_settings true\nlistener {tcp} 127.0.0.1\nallow_anonymous true\n\
             listener {ws} lo\nprotocol websockets\nallow_anonymous false\npassword_file {}\n",
            passwd.display()
        ),
    )
    .expect("write config");
    let process = ChildGuard::spawn(
        "mosquitto (password)",
        Command::new("mosquitto")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    assert!(
        wait_for_port(ws, Duration::from_secs(20)),
        "mosquitto did not start"
    );
    AuthBroker {
        ws_port: ws,
        _process: process,
        dir,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_login_says_not_authorized_and_the_right_password_connects() {
    let broker = auth_broker("lamps", "correct horse");
    let server = StaticServer::start(e2e::repo_root().join("dist"));
    let session = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 900).await;
    session
        .open_app(&format!("ws://127.0.0.1:{}/mqtt", broker.ws_port))
        .await;

    // Anonymous first: refused, in words.
    session
        .wait_until(
            "anonymous login refused",
            "document.querySelector('.status-line[data-status=\"refused\"]')",
            LONG,
        )
        .await;
    let text = session.text(".status-line").await;
    assert!(
        text.contains("Not authorized: check the user name and password"),
        "status line: {text}"
    );

    // A wrong password through the settings drawer: refused again.
    session.open_settings().await;
    session.type_setting("username", "lamps").await;
    session.type_setting("password", "wrong").await;
    session.save_and_connect().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    session
        .wait_until(
            "wrong password refused",
            "document.querySelector('.status-line[data-status=\"refused\"]')",
            LONG,
        )
        .await;
    session.screenshot("login-refused").await;

    // The right one connects.
    session.js("document.querySelector('button.open-settings') && document.querySelector('button.open-settings').click(); return true;").await;
    session
        .wait_for_css(".drawer input[name=\"password\"]", LONG)
        .await;
    session.type_setting("password", "correct horse").await;
    session.save_and_connect().await;
    session
        .wait_until(
            "the right password connects",
            "document.querySelector('.status-line[data-status=\"connected\"]')",
            LONG,
        )
        .await;
    session.close().await;
}
