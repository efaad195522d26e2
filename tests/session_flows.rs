//! Session flows against a scripted broker: CONNECT options, QoS 0/1/2 both ways,
//! subscribe/unsubscribe, framing, disconnect.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/scripted_broker.rs"]
mod common;

use common::{granted, pid, publish, suback, Harness};
use lampboard::mqtt::packet::{
    Connack, ConnectRefusal, LastWill, Packet, QoS, QoSPid, SubackReturnCode,
};
use lampboard::mqtt::session::{
    ConnectOptions, ConnectionState, Event, FilterResult, LostReason, Message, OptionsError,
    PublishError, RequestError, Session, SessionOptions,
};
use std::borrow::Cow;

#[test]
fn connect_carries_client_id_clean_session_keep_alive_credentials_and_will() {
    let mut h = Harness::new(|o| {
        o.connect.client_id = "tab-42".into();
        o.connect.clean_session = false;
        o.connect.keep_alive_secs = 17;
        o.connect.username = Some("alice".into());
        o.connect.password = Some(b"s3cret".to_vec());
        o.connect.will = Some(LastWill {
            topic: "lampboard/tab-42/status".into(),
            message: b"offline".to_vec().into(),
            qos: QoS::AtLeastOnce,
            retain: true,
        });
    });
    h.open();
    let sent = h.sent();
    let [Packet::Connect(c)] = sent.as_slice() else {
        panic!("expected CONNECT, got {sent:?}");
    };
    assert_eq!(c.client_id, "tab-42");
    assert!(!c.clean_session);
    assert_eq!(c.keep_alive, 17);
    let cred = c.credentials.as_ref().expect("credentials");
    assert_eq!(cred.username, "alice");
    assert_eq!(cred.password.as_deref(), Some(&b"s3cret"[..]));
    let will = c.will.as_ref().expect("will");
    assert_eq!(will.topic, "lampboard/tab-42/status");
    assert_eq!(&*will.message, b"offline");
    assert_eq!(will.qos, QoS::AtLeastOnce);
    assert!(will.retain);
    assert_eq!(h.session.state(), ConnectionState::Connecting);
}

#[test]
fn connack_accepted_reports_connected_with_session_present() {
    let mut h = Harness::new(|o| o.connect.clean_session = false);
    let (_, events) = h.connect(true);
    assert_eq!(
        events,
        vec![Event::Connected {
            session_present: true
        }]
    );
    assert_eq!(h.session.state(), ConnectionState::Connected);
}

#[test]
fn refused_connack_is_reported_in_words_and_ends_the_connection() {
    let mut h = Harness::new(|_| {});
    h.open();
    h.sent();
    h.feed(&Packet::Connack(Connack::Refused(
        ConnectRefusal::BadUserNameOrPassword,
    )));
    let events = h.events();
    assert_eq!(
        events,
        vec![
            Event::Refused(ConnectRefusal::BadUserNameOrPassword),
            Event::ConnectionLost(LostReason::Refused(ConnectRefusal::BadUserNameOrPassword)),
        ]
    );
    assert!(LostReason::Refused(ConnectRefusal::BadUserNameOrPassword)
        .to_string()
        .contains("bad user name or password"));
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
}

#[test]
fn nothing_but_connect_is_sent_before_connack() {
    let mut h = Harness::new(|_| {});
    h.open();
    let t = h
        .session
        .publish("a/b", *b"x", QoS::AtLeastOnce, false)
        .unwrap();
    h.session.subscribe(&[("a/#", QoS::AtMostOnce)]).unwrap();
    let sent = h.sent();
    assert!(matches!(sent.as_slice(), [Packet::Connect(_)]), "{sent:?}");
    h.feed(&Packet::Connack(Connack::Accepted {
        session_present: false,
    }));
    let sent = h.sent();
    assert!(matches!(sent[0], Packet::Subscribe(_)), "{sent:?}");
    assert!(matches!(sent[1], Packet::Publish(_)), "{sent:?}");
    assert_eq!(sent.len(), 2);
    let Packet::Publish(p) = &sent[1] else {
        unreachable!()
    };
    let id = p.qospid.packet_id().unwrap();
    h.events();
    h.feed(&Packet::Puback(id));
    assert_eq!(h.events(), vec![Event::Delivered(t)]);
}

#[test]
fn qos0_publish_is_sent_at_once_and_reported_sent() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    let t = h
        .session
        .publish("lamp/1/set", *b"{\"on\":true}", QoS::AtMostOnce, true)
        .unwrap();
    let sent = h.sent();
    let [Packet::Publish(p)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(p.qospid, QoSPid::AtMostOnce);
    assert_eq!(p.topic, "lamp/1/set");
    assert_eq!(&*p.payload, b"{\"on\":true}");
    assert!(p.retain);
    assert!(!p.dup);
    assert_eq!(h.events(), vec![Event::Sent(t)]);
    assert_eq!(h.session.in_flight(), 0);
}

#[test]
fn qos1_publish_is_delivered_on_its_puback() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    let t1 = h
        .session
        .publish("a", *b"1", QoS::AtLeastOnce, false)
        .unwrap();
    let t2 = h
        .session
        .publish("a", *b"2", QoS::AtLeastOnce, false)
        .unwrap();
    let ids: Vec<_> = h
        .sent()
        .into_iter()
        .map(|p| match p {
            Packet::Publish(p) => p.qospid.packet_id().unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert!(h.events().is_empty(), "nothing delivered before PUBACK");
    h.feed(&Packet::Puback(ids[1]));
    assert_eq!(h.events(), vec![Event::Delivered(t2)]);
    h.feed(&Packet::Puback(ids[0]));
    assert_eq!(h.events(), vec![Event::Delivered(t1)]);
    assert_eq!(h.session.in_flight(), 0);
    assert!(h.sent().is_empty(), "no answer to PUBACK");
}

#[test]
fn qos2_publish_completes_through_pubrec_pubrel_pubcomp() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    let t = h
        .session
        .publish("a", *b"x", QoS::ExactlyOnce, false)
        .unwrap();
    let sent = h.sent();
    let [Packet::Publish(p)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    let QoSPid::ExactlyOnce(id) = p.qospid else {
        panic!("{p:?}")
    };
    h.feed(&Packet::Pubrec(id));
    assert_eq!(h.sent(), vec![Packet::Pubrel(id)]);
    assert!(h.events().is_empty(), "PUBREC is not yet delivery");
    h.feed(&Packet::Pubcomp(id));
    assert_eq!(h.events(), vec![Event::Delivered(t)]);
    assert_eq!(h.session.in_flight(), 0);
}

fn message(topic: &str, payload: &[u8], qos: QoS, dup: bool) -> Event {
    Event::Message(Message {
        topic: topic.into(),
        payload: payload.to_vec(),
        qos,
        retain: false,
        dup,
    })
}

#[test]
fn inbound_qos0_message_reaches_the_application_without_answer() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    h.feed(&publish("lamp/1", b"on", QoSPid::AtMostOnce, false));
    assert_eq!(
        h.events(),
        vec![message("lamp/1", b"on", QoS::AtMostOnce, false)]
    );
    assert!(h.sent().is_empty());
}

#[test]
fn inbound_retained_flag_reaches_the_application() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    let mut p = publish("lamp/1", b"on", QoSPid::AtMostOnce, false);
    if let Packet::Publish(p) = &mut p {
        p.retain = true;
    }
    h.feed(&p);
    let events = h.events();
    let [Event::Message(m)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert!(m.retain);
}

#[test]
fn inbound_qos1_message_is_delivered_and_acknowledged_with_puback() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    h.feed(&publish("t", b"p", QoSPid::AtLeastOnce(pid(9)), false));
    assert_eq!(
        h.events(),
        vec![message("t", b"p", QoS::AtLeastOnce, false)]
    );
    assert_eq!(h.sent(), vec![Packet::Puback(pid(9))]);
}

#[test]
fn inbound_qos2_duplicate_is_delivered_once_until_pubrel() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    h.feed(&publish("t", b"p", QoSPid::ExactlyOnce(pid(5)), false));
    h.feed(&publish("t", b"p", QoSPid::ExactlyOnce(pid(5)), true));
    assert_eq!(
        h.events(),
        vec![message("t", b"p", QoS::ExactlyOnce, false)],
        "the duplicate must not reach the application"
    );
    assert_eq!(
        h.sent(),
        vec![Packet::Pubrec(pid(5)), Packet::Pubrec(pid(5))],
        "every copy is answered with PUBREC"
    );
    h.feed(&Packet::Pubrel(pid(5)));
    assert_eq!(h.sent(), vec![Packet::Pubcomp(pid(5))]);
    // After PUBCOMP the id names a new message [MQTT-4.3.3-12].
    h.feed(&publish("t", b"q", QoSPid::ExactlyOnce(pid(5)), false));
    assert_eq!(
        h.events(),
        vec![message("t", b"q", QoS::ExactlyOnce, false)]
    );
}

#[test]
fn subscribe_reports_granted_qos_and_failure_per_filter() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    let t = h
        .session
        .subscribe(&[
            ("lamp/+/state", QoS::ExactlyOnce),
            ("secret/#", QoS::AtMostOnce),
        ])
        .unwrap();
    let sent = h.sent();
    let [Packet::Subscribe(s)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(s.filters.len(), 2);
    assert_eq!(s.filters[0].filter, "lamp/+/state");
    assert_eq!(s.filters[0].qos, QoS::ExactlyOnce);
    h.feed(&suback(
        s.packet_id,
        &[granted(QoS::AtLeastOnce), SubackReturnCode::Failure],
    ));
    assert_eq!(
        h.events(),
        vec![Event::Subscribed {
            ticket: Some(t),
            results: vec![
                FilterResult {
                    filter: "lamp/+/state".into(),
                    result: granted(QoS::AtLeastOnce)
                },
                FilterResult {
                    filter: "secret/#".into(),
                    result: SubackReturnCode::Failure
                },
            ],
        }]
    );
    let subs: Vec<_> = h.session.subscriptions().collect();
    assert_eq!(subs, vec![("lamp/+/state", QoS::AtLeastOnce)]);
}

#[test]
fn unsubscribe_is_acknowledged_and_forgets_the_subscription() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    h.session.subscribe(&[("a/#", QoS::AtMostOnce)]).unwrap();
    let Packet::Subscribe(s) = h.sent().remove(0) else {
        panic!()
    };
    h.feed(&suback(s.packet_id, &[granted(QoS::AtMostOnce)]));
    h.events();
    let t = h.session.unsubscribe(&["a/#"]).unwrap();
    let sent = h.sent();
    let [Packet::Unsubscribe(u)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(u.filters, vec![Cow::Borrowed("a/#")]);
    h.feed(&Packet::Unsuback(u.packet_id));
    assert_eq!(
        h.events(),
        vec![Event::Unsubscribed {
            ticket: t,
            filters: vec!["a/#".into()]
        }]
    );
    assert_eq!(h.session.subscriptions().count(), 0);
}

#[test]
fn publish_subscribe_and_unsubscribe_share_one_packet_id_space() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    h.session
        .publish("a", *b"", QoS::AtLeastOnce, false)
        .unwrap();
    h.session.subscribe(&[("b", QoS::AtMostOnce)]).unwrap();
    h.session.unsubscribe(&["c"]).unwrap();
    h.session
        .publish("a", *b"", QoS::ExactlyOnce, false)
        .unwrap();
    let ids: Vec<u16> = h
        .sent()
        .iter()
        .map(|p| match p {
            Packet::Publish(p) => p.qospid.packet_id().unwrap().get(),
            Packet::Subscribe(s) => s.packet_id.get(),
            Packet::Unsubscribe(u) => u.packet_id.get(),
            other => panic!("{other:?}"),
        })
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 4, "ids {ids:?} must all differ");
}

#[test]
fn bytes_fed_one_at_a_time_are_reassembled_into_packets() {
    let mut h = Harness::new(|_| {});
    h.open();
    h.sent();
    let mut wire = common::encode(&Packet::Connack(Connack::Accepted {
        session_present: false,
    }));
    wire.extend(common::encode(&publish(
        "x/y",
        b"hello",
        QoSPid::AtLeastOnce(pid(3)),
        false,
    )));
    wire.extend(common::encode(&publish(
        "x/z",
        b"",
        QoSPid::ExactlyOnce(pid(4)),
        false,
    )));
    for b in &wire {
        h.feed_bytes(std::slice::from_ref(b));
    }
    assert_eq!(
        h.events(),
        vec![
            Event::Connected {
                session_present: false
            },
            message("x/y", b"hello", QoS::AtLeastOnce, false),
            message("x/z", b"", QoS::ExactlyOnce, false),
        ]
    );
    assert_eq!(
        h.sent(),
        vec![Packet::Puback(pid(3)), Packet::Pubrec(pid(4))]
    );
}

#[test]
fn several_packets_in_one_chunk_are_all_handled() {
    let mut h = Harness::new(|_| {});
    h.open();
    h.sent();
    let mut wire = common::encode(&Packet::Connack(Connack::Accepted {
        session_present: false,
    }));
    for i in 1..=3u16 {
        wire.extend(common::encode(&publish(
            "t",
            &[i as u8],
            QoSPid::AtMostOnce,
            false,
        )));
    }
    h.feed_bytes(&wire);
    assert_eq!(h.events().len(), 4);
}

#[test]
fn disconnect_sends_disconnect_and_reports_closed_by_client() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    h.session.disconnect();
    assert_eq!(h.sent(), vec![Packet::Disconnect]);
    assert_eq!(
        h.events(),
        vec![Event::ConnectionLost(LostReason::ClosedByClient)]
    );
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
    // The transport's close report afterwards is not a second loss.
    h.session.connection_closed("socket closed");
    assert!(h.events().is_empty());
}

#[test]
fn invalid_topics_and_filters_are_refused_and_nothing_is_sent() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    for bad in ["", "a/+", "a/#", "a\0b"] {
        assert!(
            matches!(
                h.session.publish(bad, *b"", QoS::AtMostOnce, false),
                Err(PublishError::InvalidTopic(_))
            ),
            "{bad:?}"
        );
    }
    for bad in ["", "a/#/b", "a/b#", "a+/b"] {
        assert!(
            matches!(
                h.session.subscribe(&[(bad, QoS::AtMostOnce)]),
                Err(RequestError::InvalidFilter { .. })
            ),
            "{bad:?}"
        );
    }
    assert_eq!(h.session.subscribe(&[]), Err(RequestError::NoFilters));
    assert_eq!(h.session.unsubscribe(&[]), Err(RequestError::NoFilters));
    assert!(h.sent().is_empty());
    assert!(h.events().is_empty());
}

#[test]
fn impossible_options_are_refused_before_connecting() {
    let mut c = ConnectOptions::new("id");
    c.password = Some(b"pw".to_vec());
    assert_eq!(
        Session::new(SessionOptions::new(c)).err(),
        Some(OptionsError::PasswordWithoutUsername)
    );
    let mut c = ConnectOptions::new("");
    c.clean_session = false;
    assert_eq!(
        Session::new(SessionOptions::new(c)).err(),
        Some(OptionsError::EmptyClientIdNeedsCleanSession)
    );
    let mut c = ConnectOptions::new("id");
    c.will = Some(LastWill {
        topic: "a/#".into(),
        message: Cow::Borrowed(b""),
        qos: QoS::AtMostOnce,
        retain: false,
    });
    assert!(matches!(
        Session::new(SessionOptions::new(c)).err(),
        Some(OptionsError::BadWillTopic(_))
    ));
}
