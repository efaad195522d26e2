//! The explorer's topic tree: every topic heard, split into levels at `/`, with a message
//! count and the time of the last message per node (and per branch, summed), the last
//! payload of each topic, and a short history of its recent payloads.
//!
//! Pure (no web-sys, no leptos), so the counts, the bounds and the rows the view draws are
//! tested natively. Every bound is a constant here: past [`MAX_TOPICS`] a new topic is counted
//! (in [`TopicTree::not_kept`]) but not added; history is at most [`HISTORY_PER_TOPIC`]
//! payloads a topic and [`HISTORY_ENTRIES`] / [`HISTORY_BYTES`] over all topics (oldest go
//! first); last payloads past [`LAST_BYTES`] in all are kept cut to [`CUT_BYTES`].
//!
//! The tree keeps a "view" (the explorer's topic filter and search) as a second set of
//! per-node sums, updated with each message, so drawing a frame costs the visible rows, not
//! the 20,000 topics.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::mqtt::packet::QoS;
use crate::mqtt::topic::filter_matches;

/// Topics the tree holds: a busy broker under `#` has thousands; past this, new topics are
/// counted but not added, so memory stays bounded.
pub const MAX_TOPICS: usize = 20_000;
/// Payloads kept per topic for its history.
pub const HISTORY_PER_TOPIC: usize = 20;
/// History payloads kept over all topics (the oldest go first).
pub const HISTORY_ENTRIES: usize = 20_000;
/// Bytes of history payloads kept over all topics (the oldest go first).
pub const HISTORY_BYTES: usize = 4 * 1024 * 1024;
/// A history payload longer than this is kept cut to [`CUT_BYTES`]: one 1 MiB message must
/// not take a quarter of the history.
pub const HISTORY_SAMPLE_BYTES: usize = 16 * 1024;
/// Bytes of last payloads kept whole over all topics; past it, new ones are kept cut.
pub const LAST_BYTES: usize = 16 * 1024 * 1024;
/// What is kept of a payload that is cut.
pub const CUT_BYTES: usize = 1024;

/// A node's index in the tree; stable until [`TopicTree::clear`].
pub type NodeId = u32;

const ROOT: NodeId = 0;

/// One payload as it arrived (possibly cut, see `size`).
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Wall-clock ms when it arrived.
    pub at: f64,
    /// The payload, or its first [`CUT_BYTES`] when cut.
    pub payload: Arc<[u8]>,
    /// The payload's real length in bytes.
    pub size: usize,
    /// QoS it was delivered at.
    pub qos: QoS,
    /// Delivered as a retained message.
    pub retain: bool,
}

impl Sample {
    /// Whether only the start of the payload was kept.
    pub fn is_cut(&self) -> bool {
        self.payload.len() < self.size
    }
}

/// Messages, topics and the last message's time, for a node and everything below it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sums {
    /// Messages on this topic and the topics below.
    pub messages: u64,
    /// Topics at and below this node.
    pub topics: u32,
    /// When the newest of those messages arrived (wall-clock ms; 0 for none).
    pub last_at: f64,
}

impl Sums {
    fn add_message(&mut self, at: f64) {
        self.messages += 1;
        if at > self.last_at {
            self.last_at = at;
        }
    }
}

/// What a topic (a node a message was published to) keeps.
#[derive(Debug)]
struct TopicData {
    /// Messages on exactly this topic.
    messages: u64,
    last: Sample,
    /// Oldest first; tagged with the tree's message number for global eviction.
    history: VecDeque<(u64, Sample)>,
    /// Whether the view (filter and search) shows it.
    shown: bool,
}

#[derive(Debug)]
struct Node {
    level: Box<str>,
    parent: NodeId,
    /// Sorted by level.
    children: Vec<NodeId>,
    depth: u16,
    all: Sums,
    shown: Sums,
    topic: Option<Box<TopicData>>,
}

/// The explorer's filter and search, as the tree applies them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewQuery {
    /// A valid topic filter, or none for every topic.
    pub filter: Option<String>,
    /// Case-insensitive text a topic must contain; empty for any.
    pub search: String,
}

impl ViewQuery {
    fn is_everything(&self) -> bool {
        self.search.is_empty() && self.filter.is_none()
    }

    fn shows(&self, topic: &str) -> bool {
        self.filter
            .as_deref()
            .is_none_or(|f| filter_matches(f, topic))
            && (self.search.is_empty() || topic.to_lowercase().contains(&self.search))
    }
}

/// One line of the drawn tree.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeRow {
    /// The node.
    pub id: NodeId,
    /// 0 for a first level.
    pub depth: u16,
    /// This level's name.
    pub level: String,
    /// The full topic of this node (its levels joined with `/`).
    pub path: String,
    /// Sums under the view.
    pub sums: Sums,
    /// Whether it has rows below it under the view.
    pub has_children: bool,
    /// Whether its children are drawn.
    pub open: bool,
    /// The last payload, when a message was published to exactly this topic.
    pub last: Option<Sample>,
    /// Messages on exactly this topic.
    pub own_messages: u64,
}

/// What the tree draws: rows in order, and whether it stopped at the row limit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TreeRows {
    /// The rows, parents before children, levels in name order.
    pub rows: Vec<TreeRow>,
    /// More rows would have followed.
    pub truncated: bool,
}

/// A topic's detail: its counts, last payload and recent history.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicDetail {
    /// The topic.
    pub topic: String,
    /// Messages on it since the tree was cleared.
    pub messages: u64,
    /// Its last payload.
    pub last: Sample,
    /// Recent payloads, newest first (at most [`HISTORY_PER_TOPIC`]).
    pub history: Vec<Sample>,
}

/// How rows are opened: the user's choices, and a default for the rest.
#[derive(Clone, Copy, Debug)]
pub struct OpenRule<'a> {
    /// Nodes the user opened (true) or closed (false).
    pub chosen: &'a HashMap<NodeId, bool>,
    /// A node with at most this many topics under the view opens by default, so a house's
    /// few dozen topics show at a glance and a branch of 10,000 stays closed.
    pub auto_open_topics: u32,
    /// Rows drawn at most.
    pub max_rows: usize,
}

/// The tree. See the module documentation for its bounds.
#[derive(Debug)]
pub struct TopicTree {
    nodes: Vec<Node>,
    by_topic: HashMap<Arc<str>, NodeId>,
    /// (node, message number) of each history sample, oldest first; may name samples
    /// already dropped by the per-topic bound (those are skipped).
    history_order: VecDeque<(NodeId, u64)>,
    history_bytes: usize,
    /// History samples held (the live entries of `history_order`).
    history_live: usize,
    last_bytes: usize,
    messages: u64,
    not_kept: u64,
    max_topics: usize,
    view: ViewQuery,
}

impl Default for TopicTree {
    fn default() -> Self {
        Self::new(MAX_TOPICS)
    }
}

fn empty_node(level: &str, parent: NodeId, depth: u16) -> Node {
    Node {
        level: level.into(),
        parent,
        children: Vec::new(),
        depth,
        all: Sums::default(),
        shown: Sums::default(),
        topic: None,
    }
}

fn keep(payload: &Arc<[u8]>, whole: bool) -> Arc<[u8]> {
    if whole || payload.len() <= CUT_BYTES {
        payload.clone()
    } else {
        Arc::from(&payload[..CUT_BYTES])
    }
}

impl TopicTree {
    /// An empty tree holding at most `max_topics` topics.
    pub fn new(max_topics: usize) -> Self {
        Self {
            nodes: vec![empty_node("", ROOT, 0)],
            by_topic: HashMap::new(),
            history_order: VecDeque::new(),
            history_bytes: 0,
            history_live: 0,
            last_bytes: 0,
            messages: 0,
            not_kept: 0,
            max_topics,
            view: ViewQuery::default(),
        }
    }

    /// Forgets every topic (the explorer's "Clear view"); the view stays.
    pub fn clear(&mut self) {
        let view = std::mem::take(&mut self.view);
        *self = Self::new(self.max_topics);
        self.view = view;
    }

    /// Topics held.
    pub fn topic_count(&self) -> usize {
        self.by_topic.len()
    }

    /// Messages heard since the last clear, on kept topics or not.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Messages on new topics that arrived past [`MAX_TOPICS`] and were not added.
    pub fn not_kept(&self) -> u64 {
        self.not_kept
    }

    /// Bytes of history payloads held (for the bound's tests).
    pub fn history_bytes(&self) -> usize {
        self.history_bytes
    }

    /// History samples held over all topics.
    pub fn history_len(&self) -> usize {
        self.history_live
    }

    /// Sums of the whole tree under the view.
    pub fn shown_sums(&self) -> Sums {
        self.sums(ROOT)
    }

    fn sums(&self, id: NodeId) -> Sums {
        let node = &self.nodes[id as usize];
        if self.view.is_everything() {
            node.all
        } else {
            node.shown
        }
    }

    /// Adds one message. O(levels) for a known topic; no formatting, no copy of the
    /// payload unless it must be cut.
    pub fn record(&mut self, at: f64, topic: &str, payload: &Arc<[u8]>, qos: QoS, retain: bool) {
        self.messages += 1;
        let number = self.messages;
        let (id, new) = match self.by_topic.get(topic) {
            Some(&id) => (id, false),
            None if self.by_topic.len() >= self.max_topics => {
                self.not_kept += 1;
                return;
            }
            None => (self.add_path(topic), true),
        };
        let old_len = self.nodes[id as usize]
            .topic
            .as_ref()
            .map_or(0, |t| t.last.payload.len());
        let whole = self.last_bytes - old_len + payload.len() <= LAST_BYTES;
        let last = Sample {
            at,
            payload: keep(payload, whole),
            size: payload.len(),
            qos,
            retain,
        };
        self.last_bytes = self.last_bytes - old_len + last.payload.len();
        let history_sample = Sample {
            payload: if payload.len() <= HISTORY_SAMPLE_BYTES {
                last.payload.clone()
            } else {
                keep(payload, false)
            },
            ..last.clone()
        };
        let sample_bytes = history_sample.payload.len();
        let shown = if new {
            self.view.shows(topic)
        } else {
            self.nodes[id as usize]
                .topic
                .as_ref()
                .is_some_and(|t| t.shown)
        };
        let node = &mut self.nodes[id as usize];
        let data = node.topic.get_or_insert_with(|| {
            Box::new(TopicData {
                messages: 0,
                last: last.clone(),
                history: VecDeque::new(),
                shown,
            })
        });
        data.messages += 1;
        data.last = last;
        data.history.push_back((number, history_sample));
        self.history_bytes += sample_bytes;
        self.history_live += 1;
        if data.history.len() > HISTORY_PER_TOPIC {
            if let Some((_, gone)) = data.history.pop_front() {
                self.history_bytes -= gone.payload.len();
                self.history_live -= 1;
            }
        }
        self.history_order.push_back((id, number));
        self.evict_history();
        self.compact_history_order();
        // The node and every ancestor (the root included) count the message.
        let mut at_node = id;
        loop {
            let n = &mut self.nodes[at_node as usize];
            n.all.add_message(at);
            if new {
                n.all.topics += 1;
            }
            if shown {
                n.shown.add_message(at);
                if new {
                    n.shown.topics += 1;
                }
            }
            if at_node == ROOT {
                break;
            }
            at_node = n.parent;
        }
    }

    fn evict_history(&mut self) {
        while self.history_order.len() > HISTORY_ENTRIES || self.history_bytes > HISTORY_BYTES {
            let Some((id, number)) = self.history_order.pop_front() else {
                break;
            };
            if let Some(data) = self.nodes[id as usize].topic.as_mut() {
                if data.history.front().is_some_and(|(n, _)| *n == number) {
                    if let Some((_, gone)) = data.history.pop_front() {
                        self.history_bytes -= gone.payload.len();
                        self.history_live -= 1;
                    }
                }
            }
        }
    }

    /// Drops the order's entries for samples the per-topic bound already dropped, once they
    /// outnumber the live ones: a flood on a few topics would otherwise grow the order up to
    /// [`HISTORY_ENTRIES`] with dead entries. Amortised O(1) per message.
    fn compact_history_order(&mut self) {
        if self.history_order.len() <= 2 * self.history_live + 64 {
            return;
        }
        let nodes = &self.nodes;
        self.history_order.retain(|(id, number)| {
            nodes[*id as usize]
                .topic
                .as_ref()
                .is_some_and(|t| t.history.iter().any(|(n, _)| n == number))
        });
    }

    /// Entries in the eviction order (for the bound's tests).
    pub fn history_order_len(&self) -> usize {
        self.history_order.len()
    }

    /// Creates the nodes of a new topic and returns its own.
    fn add_path(&mut self, topic: &str) -> NodeId {
        let mut at = ROOT;
        for (depth, level) in topic.split('/').enumerate() {
            let found = self.nodes[at as usize]
                .children
                .binary_search_by(|c| (*self.nodes[*c as usize].level).cmp(level));
            at = match found {
                Ok(i) => self.nodes[at as usize].children[i],
                Err(i) => {
                    let id = self.nodes.len() as NodeId;
                    let depth = u16::try_from(depth).unwrap_or(u16::MAX);
                    self.nodes.push(empty_node(level, at, depth));
                    self.nodes[at as usize].children.insert(i, id);
                    id
                }
            };
        }
        self.by_topic.insert(Arc::from(topic), at);
        at
    }

    /// Sets the view (filter and search); the shown sums are rebuilt once, here, and then
    /// kept up to date by [`TopicTree::record`]. The search is matched case-insensitively.
    pub fn set_view(&mut self, filter: Option<&str>, search: &str) {
        let view = ViewQuery {
            filter: filter.map(str::to_owned),
            search: search.trim().to_lowercase(),
        };
        if view == self.view {
            return;
        }
        self.view = view;
        for node in &mut self.nodes {
            node.shown = Sums::default();
        }
        let topics: Vec<(NodeId, bool)> = self
            .by_topic
            .iter()
            .map(|(topic, &id)| (id, self.view.shows(topic)))
            .collect();
        for (id, shows) in topics {
            let Some(data) = self.nodes[id as usize].topic.as_mut() else {
                continue;
            };
            data.shown = shows;
            if !shows {
                continue;
            }
            let (messages, at) = (data.messages, data.last.at);
            let mut n = id;
            loop {
                let node = &mut self.nodes[n as usize];
                node.shown.messages += messages;
                node.shown.topics += 1;
                node.shown.last_at = node.shown.last_at.max(at);
                if n == ROOT {
                    break;
                }
                n = node.parent;
            }
        }
    }

    /// The node of a topic, if held.
    pub fn node_of(&self, topic: &str) -> Option<NodeId> {
        self.by_topic.get(topic).copied()
    }

    /// The full topic of a node.
    pub fn path(&self, id: NodeId) -> String {
        let mut levels = Vec::new();
        let mut n = id;
        while n != ROOT && (n as usize) < self.nodes.len() {
            let node = &self.nodes[n as usize];
            levels.push(&*node.level);
            n = node.parent;
        }
        levels.reverse();
        levels.join("/")
    }

    /// The rows to draw under the view: a node is shown when a shown topic is at or below
    /// it, and its children are drawn when it is open (the user's choice, else open when it
    /// holds at most `rule.auto_open_topics` topics; every node is open while searching).
    pub fn rows(&self, rule: OpenRule<'_>) -> TreeRows {
        let mut out = TreeRows::default();
        let searching = !self.view.search.is_empty();
        // Depth-first, children in name order: a stack of nodes still to visit.
        let mut stack: Vec<NodeId> = self.nodes[ROOT as usize]
            .children
            .iter()
            .rev()
            .copied()
            .collect();
        while let Some(id) = stack.pop() {
            let sums = self.sums(id);
            if sums.topics == 0 {
                continue;
            }
            if out.rows.len() == rule.max_rows {
                out.truncated = true;
                break;
            }
            let node = &self.nodes[id as usize];
            let own_shown = node
                .topic
                .as_ref()
                .is_some_and(|t| t.shown || self.view.is_everything());
            let has_children = sums.topics > u32::from(own_shown);
            let open = has_children
                && (searching
                    || rule
                        .chosen
                        .get(&id)
                        .copied()
                        .unwrap_or(sums.topics <= rule.auto_open_topics));
            let shown_topic = node.topic.as_ref().filter(|_| own_shown);
            out.rows.push(TreeRow {
                id,
                depth: node.depth,
                level: node.level.to_string(),
                path: self.path(id),
                sums,
                has_children,
                open,
                last: shown_topic.map(|t| t.last.clone()),
                own_messages: shown_topic.map_or(0, |t| t.messages),
            });
            if open {
                stack.extend(node.children.iter().rev().copied());
            }
        }
        out
    }

    /// A topic's counts, last payload and history (newest first).
    pub fn detail(&self, topic: &str) -> Option<TopicDetail> {
        let id = self.node_of(topic)?;
        let data = self.nodes[id as usize].topic.as_ref()?;
        Some(TopicDetail {
            topic: topic.to_owned(),
            messages: data.messages,
            last: data.last.clone(),
            history: data.history.iter().rev().map(|(_, s)| s.clone()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &str) -> Arc<[u8]> {
        Arc::from(s.as_bytes())
    }

    fn rec(tree: &mut TopicTree, at: f64, topic: &str, payload: &str) {
        tree.record(at, topic, &bytes(payload), QoS::AtMostOnce, false);
    }

    fn all_open() -> HashMap<NodeId, bool> {
        HashMap::new()
    }

    fn rows(tree: &TopicTree) -> Vec<(String, u64, u32)> {
        let chosen = all_open();
        tree.rows(OpenRule {
            chosen: &chosen,
            auto_open_topics: u32::MAX,
            max_rows: 1000,
        })
        .rows
        .into_iter()
        .map(|r| (r.path, r.sums.messages, r.sums.topics))
        .collect()
    }

    fn house() -> TopicTree {
        let mut t = TopicTree::new(100);
        rec(&mut t, 1.0, "home/kitchen/lamp", r#"{"state":"ON"}"#);
        rec(&mut t, 2.0, "home/kitchen/lamp", r#"{"state":"OFF"}"#);
        rec(&mut t, 3.0, "home/hall/lamp", "ON");
        rec(&mut t, 4.0, "home/hall", "x");
        rec(&mut t, 5.0, "other", "1");
        t
    }

    #[test]
    fn levels_split_at_slashes_with_counts_per_node_and_branch() {
        let t = house();
        assert_eq!(
            rows(&t),
            [
                ("home".to_owned(), 4, 3),
                ("home/hall".to_owned(), 2, 2),
                ("home/hall/lamp".to_owned(), 1, 1),
                ("home/kitchen".to_owned(), 2, 1),
                ("home/kitchen/lamp".to_owned(), 2, 1),
                ("other".to_owned(), 1, 1),
            ]
        );
        let chosen = all_open();
        let r = t.rows(OpenRule {
            chosen: &chosen,
            auto_open_topics: 100,
            max_rows: 100,
        });
        let hall = r.rows.iter().find(|r| r.path == "home/hall").unwrap();
        assert_eq!(hall.own_messages, 1, "a topic that also has children");
        assert!(hall.has_children && hall.last.is_some());
        assert_eq!(hall.sums.last_at, 4.0);
        let home = &r.rows[0];
        assert_eq!((home.depth, home.level.as_str()), (0, "home"));
        assert_eq!(
            home.sums.last_at, 4.0,
            "a branch's time is its newest message"
        );
        assert!(home.last.is_none(), "nothing was published to home itself");
        assert_eq!(t.messages(), 5);
        assert_eq!(t.topic_count(), 4);
    }

    #[test]
    fn nodes_open_by_choice_or_when_small_and_rows_stop_at_the_limit() {
        let t = house();
        let mut chosen = HashMap::new();
        let paths = |chosen: &HashMap<NodeId, bool>, auto: u32, max: usize| {
            let r = t.rows(OpenRule {
                chosen,
                auto_open_topics: auto,
                max_rows: max,
            });
            (
                r.rows.into_iter().map(|r| r.path).collect::<Vec<_>>(),
                r.truncated,
            )
        };
        assert_eq!(
            paths(&chosen, 0, 100),
            (vec!["home".into(), "other".into()], false)
        );
        let home = t
            .rows(OpenRule {
                chosen: &chosen,
                auto_open_topics: 0,
                max_rows: 10,
            })
            .rows[0]
            .id;
        chosen.clear();
        chosen.insert(home, true);
        assert_eq!(
            paths(&chosen, 0, 100).0,
            ["home", "home/hall", "home/kitchen", "other"]
        );
        // Small branches (at most 2 topics) open by themselves; home (3) does not.
        chosen.clear();
        assert_eq!(paths(&chosen, 2, 100).0, ["home", "other"]);
        chosen.insert(home, true);
        assert_eq!(
            paths(&chosen, 2, 100).0,
            [
                "home",
                "home/hall",
                "home/hall/lamp",
                "home/kitchen",
                "home/kitchen/lamp",
                "other"
            ]
        );
        // Closing wins over the default.
        chosen.insert(home, false);
        assert_eq!(paths(&chosen, 100, 100).0, ["home", "other"]);
        chosen.clear();
        assert_eq!(
            paths(&chosen, 100, 3),
            (
                vec!["home".into(), "home/hall".into(), "home/hall/lamp".into()],
                true
            )
        );
    }

    #[test]
    fn filter_and_search_narrow_the_rows_and_their_counts_and_follow_new_messages() {
        let mut t = house();
        t.set_view(Some("home/+/lamp"), "");
        assert_eq!(
            rows(&t),
            [
                ("home".to_owned(), 3, 2),
                ("home/hall".to_owned(), 1, 1),
                ("home/hall/lamp".to_owned(), 1, 1),
                ("home/kitchen".to_owned(), 2, 1),
                ("home/kitchen/lamp".to_owned(), 2, 1),
            ]
        );
        let chosen = all_open();
        let hall = t
            .rows(OpenRule {
                chosen: &chosen,
                auto_open_topics: 100,
                max_rows: 100,
            })
            .rows
            .into_iter()
            .find(|r| r.path == "home/hall")
            .unwrap();
        assert!(
            hall.last.is_none(),
            "home/hall itself is not under the filter"
        );
        rec(&mut t, 9.0, "home/kitchen/lamp", "1");
        rec(&mut t, 9.0, "home/attic/lamp", "1");
        rec(&mut t, 9.0, "home/attic", "1");
        assert_eq!(rows(&t)[0], ("home".to_owned(), 5, 3));
        assert_eq!(t.shown_sums().messages, 5);

        t.set_view(None, "KITCHEN");
        assert_eq!(
            rows(&t),
            [
                ("home".to_owned(), 3, 1),
                ("home/kitchen".to_owned(), 3, 1),
                ("home/kitchen/lamp".to_owned(), 3, 1),
            ]
        );
        // While searching, every node is open whatever was chosen.
        let mut closed = HashMap::new();
        closed.insert(rows_ids(&t)[0], false);
        assert_eq!(
            t.rows(OpenRule {
                chosen: &closed,
                auto_open_topics: 0,
                max_rows: 100
            })
            .rows
            .len(),
            3
        );
        t.set_view(Some("#"), "");
        assert_eq!(t.shown_sums().messages, 8);
        assert_eq!(rows(&t).len(), 8);
        rec(&mut t, 9.0, "$SYS/uptime", "1");
        assert_eq!(t.shown_sums().messages, 8, "`#` does not match `$` topics");
        t.set_view(None, "");
        assert_eq!(t.shown_sums().messages, 9, "no filter shows them");
    }

    fn rows_ids(t: &TopicTree) -> Vec<NodeId> {
        let chosen = all_open();
        t.rows(OpenRule {
            chosen: &chosen,
            auto_open_topics: u32::MAX,
            max_rows: 1000,
        })
        .rows
        .into_iter()
        .map(|r| r.id)
        .collect()
    }

    #[test]
    fn dollar_topics_are_not_under_a_leading_wildcard() {
        let mut t = TopicTree::new(10);
        rec(&mut t, 1.0, "$SYS/broker/uptime", "5");
        rec(&mut t, 1.0, "a", "5");
        t.set_view(Some("+/#"), "");
        assert_eq!(rows(&t), [("a".to_owned(), 1, 1)]);
    }

    #[test]
    fn past_the_topic_limit_new_topics_are_counted_not_added() {
        let mut t = TopicTree::new(3);
        for i in 0..5 {
            rec(&mut t, 1.0, &format!("t/{i}"), "x");
        }
        rec(&mut t, 2.0, "t/0", "again");
        assert_eq!(t.topic_count(), 3);
        assert_eq!(t.not_kept(), 2);
        assert_eq!(t.messages(), 6);
        assert!(t.node_of("t/4").is_none());
        assert_eq!(
            t.detail("t/0").unwrap().messages,
            2,
            "known topics still count"
        );
        t.clear();
        assert_eq!((t.topic_count(), t.messages(), t.not_kept()), (0, 0, 0));
        assert!(rows(&t).is_empty());
    }

    #[test]
    fn history_is_the_last_payloads_newest_first_and_bounded() {
        let mut t = TopicTree::new(100);
        for i in 0..30 {
            rec(&mut t, f64::from(i), "a", &i.to_string());
        }
        let d = t.detail("a").unwrap();
        assert_eq!(d.messages, 30);
        assert_eq!(d.history.len(), HISTORY_PER_TOPIC);
        assert_eq!(&*d.history[0].payload, b"29");
        assert_eq!(d.history[0].at, 29.0);
        assert_eq!(&*d.history[HISTORY_PER_TOPIC - 1].payload, b"10");
        assert_eq!(&*d.last.payload, b"29");
        assert!(t.detail("nothing").is_none());
        // A long flood on one topic keeps the eviction order small too.
        for i in 0..10_000 {
            rec(&mut t, 1.0, "a", &i.to_string());
        }
        assert_eq!(t.history_len(), HISTORY_PER_TOPIC);
        assert!(t.history_order_len() <= 2 * HISTORY_PER_TOPIC + 65);
    }

    #[test]
    fn history_over_all_topics_stays_within_its_entry_and_byte_bounds() {
        let mut t = TopicTree::new(MAX_TOPICS);
        let big: Arc<[u8]> = Arc::from(vec![b'x'; 5_000]);
        for i in 0..3_000 {
            t.record(1.0, &format!("big/{i}"), &big, QoS::AtMostOnce, false);
        }
        assert!(t.history_bytes() <= HISTORY_BYTES);
        assert!(t.history_len() <= HISTORY_ENTRIES);
        assert_eq!(
            t.history_bytes(),
            t.history_len() * 5_000,
            "the byte count is true"
        );
        let counted: usize = (0..3_000)
            .map(|i| t.detail(&format!("big/{i}")).unwrap().history.len())
            .sum();
        assert_eq!(counted, t.history_len());
        // The newest topics keep their history, the oldest lost it; all keep their last payload.
        assert_eq!(t.detail("big/2999").unwrap().history.len(), 1);
        let old = t.detail("big/0").unwrap();
        assert!(old.history.is_empty());
        assert_eq!(old.last.payload.len(), 5_000);
        for i in 0..25_000 {
            rec(&mut t, 2.0, &format!("small/{}", i % 5_000), "1");
        }
        assert!(t.history_len() <= HISTORY_ENTRIES);
        assert_eq!(t.topic_count(), MAX_TOPICS.min(8_000));
    }

    #[test]
    fn huge_payloads_are_cut_in_history_and_past_the_last_payload_budget() {
        let mut t = TopicTree::new(100);
        let huge: Arc<[u8]> = Arc::from(vec![b'y'; 1 << 20]);
        t.record(1.0, "blob", &huge, QoS::AtLeastOnce, true);
        let d = t.detail("blob").unwrap();
        assert!(
            !d.last.is_cut(),
            "the last payload is whole within the budget"
        );
        assert!(d.last.retain && d.last.qos == QoS::AtLeastOnce);
        assert!(d.history[0].is_cut());
        assert_eq!(d.history[0].payload.len(), CUT_BYTES);
        assert_eq!(d.history[0].size, 1 << 20);
        for i in 0..20 {
            t.record(1.0, &format!("blob/{i}"), &huge, QoS::AtMostOnce, false);
        }
        let last = t.detail("blob/19").unwrap().last;
        assert!(
            last.is_cut(),
            "past 16 MiB of last payloads, new ones are cut"
        );
    }
}
