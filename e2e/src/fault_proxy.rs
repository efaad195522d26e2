//! A fault-injecting TCP proxy between the page and a broker's WebSocket listener.
//!
//! It passes the HTTP upgrade through, then reads WebSocket frames both ways and
//! feeds their payloads to the app's own MQTT codec (`lampboard::mqtt::codec`), so a
//! test can act on MQTT packets rather than on bytes: cut both sockets when a given
//! packet goes by (the packet itself is not forwarded), inject raw bytes as a
//! server binary frame (malformed MQTT), and delay or throttle each direction (a
//! slow broker). Bytes are forwarded unchanged, as they arrive; only while a cut
//! is armed are they held back to the end of their frame.
//!
//! Threads, not tokio: each connection is four plain threads (a reader and a
//! writer per direction), so delays are exact per frame and the proxy works the
//! same whichever runtime the test uses.

mod ws;

pub use ws::{encode as encode_ws_frame, Frame as WsFrame, FrameReader as WsFrameReader};

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use lampboard::mqtt::codec::{DecodeLimits, StreamDecoder, MAX_PACKET_SIZE};
use lampboard::mqtt::packet::{Packet, PacketType};

/// Which way a packet travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the page to the broker.
    ToBroker,
    /// From the broker to the page.
    ToClient,
}

/// A packet the proxy saw go by (and forwarded, unless it triggered a cut).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Which connection (1 for the first accepted), so tests can tell reconnects apart.
    pub connection: usize,
    /// Which way.
    pub direction: Direction,
    /// The packet's type.
    pub packet: PacketType,
    /// The topic, for PUBLISH.
    pub topic: Option<String>,
    /// The packet id, where the packet has one (PUBLISH QoS 1/2 and acknowledgements).
    pub packet_id: Option<u16>,
}

#[derive(Debug, Clone, Copy)]
struct Cut {
    direction: Direction,
    packet: PacketType,
}

#[derive(Default)]
struct Faults {
    delay: Duration,
    throttle_bytes_per_sec: Option<u64>,
    cut: Option<Cut>,
    seen: Vec<Seen>,
    connections: usize,
    /// Live connections: their id, both sockets, and the way to the page's writer.
    live: Vec<(usize, TcpStream, TcpStream, Sender<Chunk>)>,
}

/// Bytes to write once `due` has come.
struct Chunk {
    due: Instant,
    bytes: Vec<u8>,
}

/// The proxy: listens on a free loopback port until dropped.
pub struct FaultProxy {
    /// The port the page connects to.
    pub port: u16,
    faults: Arc<Mutex<Faults>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// Starts a proxy in front of `127.0.0.1:upstream_port` (a broker's WebSocket
    /// listener).
    pub fn start(upstream_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local addr").port();
        listener.set_nonblocking(true).expect("nonblocking accept");
        let faults = Arc::new(Mutex::new(Faults::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (f, s) = (faults.clone(), stop.clone());
        thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let f = f.clone();
                        thread::spawn(move || serve(client, upstream_port, f));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Self { port, faults, stop }
    }

    /// The URL the page connects to (the broker's path, through the proxy).
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/mqtt", self.port)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Faults) -> T) -> T {
        let mut guard = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Holds every frame this long in each direction (a slow broker or link).
    pub fn set_delay(&self, delay: Duration) {
        self.with(|f| f.delay = delay);
    }

    /// Caps each direction's rate; `None` lifts the cap.
    pub fn set_throttle(&self, bytes_per_sec: Option<u64>) {
        self.with(|f| f.throttle_bytes_per_sec = bytes_per_sec);
    }

    /// The next time a `packet` goes `direction`, it is not forwarded and both
    /// sockets of its connection are cut (as a crash or a dead link would). Once.
    pub fn cut_at(&self, direction: Direction, packet: PacketType) {
        self.with(|f| f.cut = Some(Cut { direction, packet }));
    }

    /// Whether the cut set by [`FaultProxy::cut_at`] has happened.
    pub fn cut_done(&self) -> bool {
        self.with(|f| f.cut.is_none())
    }

    /// Sends `bytes` to the page as one server binary frame on every live
    /// connection, after what is already queued. Meant for a quiet moment: a
    /// frame injected while a large one is half forwarded would split it.
    pub fn inject_to_client(&self, bytes: &[u8]) -> usize {
        let frame = ws::encode(ws::OP_BINARY, bytes, None);
        self.with(|f| {
            let now = Instant::now();
            f.live
                .iter()
                .filter(|(_, _, _, tx)| {
                    tx.send(Chunk {
                        due: now,
                        bytes: frame.clone(),
                    })
                    .is_ok()
                })
                .count()
        })
    }

    /// Every packet seen so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.with(|f| f.seen.clone())
    }

    /// How many packets of type `packet` went `direction` so far (no copy of the log).
    pub fn count(&self, direction: Direction, packet: PacketType) -> usize {
        self.with(|f| {
            f.seen
                .iter()
                .filter(|s| s.direction == direction && s.packet == packet)
                .count()
        })
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.with(|f| f.connections)
    }

    /// Connections open now.
    pub fn live_connections(&self) -> usize {
        self.with(|f| f.live.len())
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.with(|f| {
            for (_, a, b, _) in f.live.drain(..) {
                let _ = a.shutdown(Shutdown::Both);
                let _ = b.shutdown(Shutdown::Both);
            }
        });
    }
}

/// Reads an HTTP head (up to and including the blank line); returns it and any
/// bytes read past it.
fn read_http_head(stream: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some((buf, rest));
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn serve(mut client: TcpStream, upstream_port: u16, faults: Arc<Mutex<Faults>>) {
    let _ = client.set_nodelay(true);
    let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", upstream_port)) else {
        return; // the broker is down: the page sees its socket close
    };
    let _ = upstream.set_nodelay(true);
    // The upgrade passes through untouched.
    let Some((request, client_rest)) = read_http_head(&mut client) else {
        return;
    };
    if upstream.write_all(&request).is_err() {
        return;
    }
    let Some((response, upstream_rest)) = read_http_head(&mut upstream) else {
        return;
    };
    if client.write_all(&response).is_err() {
        return;
    }
    let (to_broker_tx, to_broker_rx) = channel::<Chunk>();
    let (to_client_tx, to_client_rx) = channel::<Chunk>();
    let (Ok(c2), Ok(u2), Ok(c3), Ok(u3)) = (
        client.try_clone(),
        upstream.try_clone(),
        client.try_clone(),
        upstream.try_clone(),
    ) else {
        return;
    };
    let id = {
        let mut f = faults.lock().unwrap_or_else(|p| p.into_inner());
        f.connections += 1;
        let id = f.connections;
        f.live.push((id, c2, u2, to_client_tx.clone()));
        id
    };
    let writer = |out: TcpStream, rx: Receiver<Chunk>, faults: Arc<Mutex<Faults>>| {
        thread::spawn(move || write_loop(out, rx, faults))
    };
    writer(u3, to_broker_rx, faults.clone());
    writer(c3, to_client_rx, faults.clone());
    let (Ok(upstream_reader), Ok(client_reader)) = (upstream.try_clone(), client.try_clone())
    else {
        return;
    };
    let f2 = faults.clone();
    let down = thread::spawn(move || {
        read_loop(
            id,
            upstream_reader,
            upstream_rest,
            Direction::ToClient,
            to_client_tx,
            f2,
        )
    });
    read_loop(
        id,
        client_reader,
        client_rest,
        Direction::ToBroker,
        to_broker_tx,
        faults.clone(),
    );
    let _ = down.join();
    let _ = client.shutdown(Shutdown::Both);
    let _ = upstream.shutdown(Shutdown::Both);
    let mut f = faults.lock().unwrap_or_else(|p| p.into_inner());
    f.live.retain(|(c, ..)| *c != id);
}

/// Reads one direction: records the MQTT packets inside the frames, cuts the
/// connection at the chosen packet, and passes everything else on with the delay.
///
/// Bytes are passed on as they arrive, partial frames included (Mosquitto sends a
/// 2 MB message as one frame trickling in over a minute, and the page must see it
/// trickle); only while a cut is armed for this direction are bytes held until
/// their frame is complete, so the chosen packet can be kept back.
fn read_loop(
    connection: usize,
    mut from: TcpStream,
    already: Vec<u8>,
    direction: Direction,
    to: Sender<Chunk>,
    faults: Arc<Mutex<Faults>>,
) {
    let mut frames = ws::FrameReader::default();
    // The proxy must let through what it is told to (a 2 MB message): MQTT's own
    // maximum, not the app's.
    let mut mqtt = StreamDecoder::new(DecodeLimits::with_max_packet_size(MAX_PACKET_SIZE));
    let mut mqtt_ok = true;
    let mut unsent = already.clone();
    frames.push(&already);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        while let Some(frame) = frames.next_frame() {
            let mut cut = false;
            if frame.is_data() && mqtt_ok {
                mqtt.feed(&frame.payload);
                loop {
                    match mqtt.next_packet() {
                        Ok(Some(packet)) => {
                            let seen = describe(connection, direction, &packet);
                            let mut f = faults.lock().unwrap_or_else(|p| p.into_inner());
                            if let Some(c) = f.cut {
                                if c.direction == direction && c.packet == seen.packet {
                                    f.cut = None;
                                    cut = true;
                                }
                            }
                            f.seen.push(seen);
                        }
                        Ok(None) => break,
                        Err(_) => {
                            // Not MQTT any more; keep forwarding blindly.
                            mqtt_ok = false;
                            break;
                        }
                    }
                }
            }
            if cut {
                let f = faults.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((_, a, b, _)) = f.live.iter().find(|(c, ..)| *c == connection) {
                    let _ = a.shutdown(Shutdown::Both);
                    let _ = b.shutdown(Shutdown::Both);
                }
                return;
            }
        }
        let (delay, holding) = {
            let f = faults.lock().unwrap_or_else(|p| p.into_inner());
            (f.delay, f.cut.is_some_and(|c| c.direction == direction))
        };
        // Everything but an incomplete frame's bytes, or everything when not holding.
        let ready = if holding {
            unsent.len().saturating_sub(frames.buffered())
        } else {
            unsent.len()
        };
        if ready > 0 {
            let rest = unsent.split_off(ready);
            let bytes = std::mem::replace(&mut unsent, rest);
            let due = Instant::now() + delay;
            if to.send(Chunk { due, bytes }).is_err() {
                return;
            }
        }
        match from.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                unsent.extend_from_slice(&chunk[..n]);
                frames.push(&chunk[..n]);
            }
        }
    }
}

/// Writes chunks when they are due, at most at the throttle rate.
fn write_loop(mut out: TcpStream, rx: Receiver<Chunk>, faults: Arc<Mutex<Faults>>) {
    while let Ok(chunk) = rx.recv() {
        let wait = chunk.due.saturating_duration_since(Instant::now());
        if !wait.is_zero() {
            thread::sleep(wait);
        }
        let rate = faults.lock().ok().and_then(|f| f.throttle_bytes_per_sec);
        let piece = rate.map_or(chunk.bytes.len(), |r| (r as usize / 10).max(1));
        for part in chunk.bytes.chunks(piece) {
            if out.write_all(part).is_err() {
                return;
            }
            if rate.is_some() {
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
    let _ = out.shutdown(Shutdown::Write);
}

fn describe(connection: usize, direction: Direction, packet: &Packet<'_>) -> Seen {
    let (topic, packet_id) = match packet {
        Packet::Publish(p) => (
            Some(p.topic.to_string()),
            p.qospid.packet_id().map(|id| id.get()),
        ),
        Packet::Puback(id) | Packet::Pubrec(id) | Packet::Pubrel(id) | Packet::Pubcomp(id) => {
            (None, Some(id.get()))
        }
        _ => (None, None),
    };
    Seen {
        connection,
        direction,
        packet: packet.packet_type(),
        topic,
        packet_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lampboard::mqtt::codec::encode_to_vec;
    use lampboard::mqtt::packet::{Connack, PacketId};
    use std::net::TcpListener;

    /// A fake upstream: answers the upgrade, then echoes nothing but what the
    /// test tells it to send.
    fn fake_broker() -> (u16, thread::JoinHandle<TcpStream>) {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        let h = thread::spawn(move || {
            let (mut s, _) = l.accept().expect("accept");
            let _ = read_http_head(&mut s).expect("upgrade request");
            s.write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
                .expect("write");
            s
        });
        (port, h)
    }

    fn client(proxy: &FaultProxy) -> TcpStream {
        let mut c = TcpStream::connect(("127.0.0.1", proxy.port)).expect("connect");
        c.write_all(b"GET /mqtt HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")
            .expect("write");
        let (head, rest) = read_http_head(&mut c).expect("response");
        assert!(head.starts_with(b"HTTP/1.1 101"));
        assert!(rest.is_empty());
        c.set_read_timeout(Some(Duration::from_secs(10))).ok();
        c
    }

    fn read_frame(s: &mut TcpStream) -> Option<ws::Frame> {
        let mut r = ws::FrameReader::default();
        let mut b = [0u8; 1024];
        loop {
            if let Some(f) = r.next_frame() {
                return Some(f);
            }
            match s.read(&mut b) {
                Ok(0) | Err(_) => return None,
                Ok(n) => r.push(&b[..n]),
            }
        }
    }

    #[test]
    fn frames_pass_both_ways_and_their_packets_are_recorded() {
        let (port, broker) = fake_broker();
        let proxy = FaultProxy::start(port);
        let mut c = client(&proxy);
        let mut b = broker.join().expect("broker");
        b.set_read_timeout(Some(Duration::from_secs(10))).ok();
        // PINGREQ from the page, masked, in two TCP writes.
        let ping = ws::encode(ws::OP_BINARY, &[0xc0, 0x00], Some([1, 2, 3, 4]));
        c.write_all(&ping[..3]).expect("write");
        c.flush().ok();
        thread::sleep(Duration::from_millis(50));
        c.write_all(&ping[3..]).expect("write");
        let got = read_frame(&mut b).expect("forwarded");
        assert_eq!(got.raw, ping, "forwarded byte for byte");
        // CONNACK from the broker.
        let connack = encode_to_vec(&Packet::Connack(Connack::Accepted {
            session_present: false,
        }))
        .expect("encode");
        b.write_all(&ws::encode(ws::OP_BINARY, &connack, None))
            .expect("write");
        assert_eq!(read_frame(&mut c).expect("frame").payload, connack);
        let seen = proxy.seen();
        assert_eq!(
            seen.iter()
                .map(|s| (s.direction, s.packet))
                .collect::<Vec<_>>(),
            vec![
                (Direction::ToBroker, PacketType::Pingreq),
                (Direction::ToClient, PacketType::Connack)
            ]
        );
    }

    #[test]
    fn a_cut_drops_the_chosen_packet_and_closes_both_sockets() {
        let (port, broker) = fake_broker();
        let proxy = FaultProxy::start(port);
        proxy.cut_at(Direction::ToBroker, PacketType::Pubrel);
        let mut c = client(&proxy);
        let mut b = broker.join().expect("broker");
        b.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let id = PacketId::new(5).expect("non-zero");
        let pubrel = encode_to_vec(&Packet::Pubrel(id)).expect("encode");
        c.write_all(&ws::encode(ws::OP_BINARY, &pubrel, Some([9, 9, 9, 9])))
            .expect("write");
        assert!(read_frame(&mut b).is_none(), "PUBREL not forwarded; closed");
        assert!(read_frame(&mut c).is_none(), "the page's socket closed too");
        assert!(proxy.cut_done());
        assert_eq!(proxy.seen()[0].packet_id, Some(5));
    }

    #[test]
    fn injected_bytes_reach_the_page_as_one_unmasked_binary_frame() {
        let (port, broker) = fake_broker();
        let proxy = FaultProxy::start(port);
        let mut c = client(&proxy);
        let _b = broker.join().expect("broker");
        let deadline = Instant::now() + Duration::from_secs(10);
        while proxy.live_connections() == 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(proxy.inject_to_client(&[0xf0, 0x00]), 1);
        let f = read_frame(&mut c).expect("frame");
        assert_eq!(f.opcode, ws::OP_BINARY);
        assert_eq!(f.raw, [0x82, 0x02, 0xf0, 0x00]);
    }

    #[test]
    fn a_delay_holds_each_frame_at_least_that_long() {
        let (port, broker) = fake_broker();
        let proxy = FaultProxy::start(port);
        proxy.set_delay(Duration::from_millis(300));
        let mut c = client(&proxy);
        let mut b = broker.join().expect("broker");
        b.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let started = Instant::now();
        c.write_all(&ws::encode(ws::OP_BINARY, &[0xc0, 0x00], Some([0; 4])))
            .expect("write");
        read_frame(&mut b).expect("forwarded");
        // A lower bound only: the frame may be later on a busy machine, never earlier.
        assert!(started.elapsed() >= Duration::from_millis(300));
    }
}
