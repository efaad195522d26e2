//! WLED's XML state (`<base>/v`, the same document as its HTTP `/win` answer): a flat list
//! of `<tag>value</tag>` in one `<vs>` element, e.g.
//! `<vs><ac>128</ac><cl>255</cl><cl>160</cl><cl>0</cl>...<fx>0</fx>...<ds>WLED</ds></vs>`
//! (WLED docs, "HTTP request API": `ac` master brightness, `cl` primary colour R,G,B,
//! `fx` effect id, `ds` the device's name). Read with a small scanner: the document is flat.

/// The fields of a `/v` document Lampboard uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XmlState {
    /// Master brightness 0-255 (0 while off).
    pub brightness: Option<u8>,
    /// Primary colour.
    pub color: Option<[u8; 3]>,
    /// Effect id.
    pub effect: Option<u64>,
    /// Device name (`ds`, "server description").
    pub name: Option<String>,
}

/// Every `<tag>text</tag>` pair in order (tags without a closing tag are skipped).
fn pairs(xml: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[..close];
        rest = &rest[close + 1..];
        if tag.starts_with(['/', '?', '!']) || tag.contains(' ') || tag.ends_with('/') {
            continue;
        }
        let end = format!("</{tag}>");
        if let Some(stop) = rest.find(&end) {
            let text = &rest[..stop];
            if !text.contains('<') {
                out.push((tag, text));
                rest = &rest[stop + end.len()..];
            }
        }
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Reads a `/v` document; `None` when it is not one (no `<vs>` root).
pub fn parse(xml: &str) -> Option<XmlState> {
    if !xml.contains("<vs>") {
        return None;
    }
    let mut state = XmlState::default();
    let mut colour = Vec::new();
    for (tag, text) in pairs(xml) {
        let t = text.trim();
        match tag {
            "ac" => state.brightness = t.parse().ok(),
            "cl" if colour.len() < 3 => colour.push(t.parse::<u8>().ok()),
            "fx" => state.effect = t.parse().ok(),
            "ds" if !t.is_empty() => state.name = Some(unescape(t)),
            _ => {}
        }
    }
    if let [Some(r), Some(g), Some(b)] = colour[..] {
        state.color = Some([r, g, b]);
    }
    Some(state)
}
