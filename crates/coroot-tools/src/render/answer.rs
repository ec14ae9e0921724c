//! The one builder of a tool's answer: the text an LLM reads and the structured result, under one
//! budget.
//!
//! A tool renders fixed lines (always kept) and droppable items. Each item names the elements it
//! stands for in a list of the structured result (a JSON pointer such as `/applications` and an
//! index range), so when the answer is over budget the same whole items leave the text and the
//! JSON together, by construction: reordering a render cannot make them disagree. The budget is
//! the seed's 120,000 characters, applied to the text and, separately, to the serialised JSON
//! (some clients hand `structuredContent` to the model instead of the text).

use std::ops::Range;

use serde_json::{Map, Value};

use super::count::{Measured, measure};
use super::doomed::Doomed;
pub use super::doomed::json_chars;
use super::written::{named_among, push_member};

/// What rendering needs besides the output: the character budget and "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Characters allowed in the text, and in the serialised structured result.
    pub cap: usize,
    /// Epoch ms that ages ("40m ago") are counted from.
    pub now_ms: i64,
}

/// Elements `range` of the structured list at JSON pointer `list`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Elements {
    list: &'static str,
    range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Always kept (headers, notes).
    Fixed,
    /// A section heading; dropped when every item under it is dropped.
    Heading,
    /// One droppable item, standing for `Elements` (an empty range for text-only items).
    Item(Elements),
    /// `items` items never rendered because the text was already over the cap (see
    /// [`Answer::full`]); dropped whatever happens, together with their elements.
    Skipped(Elements, usize),
}

impl Kind {
    /// Items this block counts for in the cut notice.
    fn items(&self) -> usize {
        match self {
            Kind::Item(_) => 1,
            Kind::Skipped(_, n) => *n,
            Kind::Fixed | Kind::Heading => 0,
        }
    }

    fn elements(&self) -> Option<&Elements> {
        match self {
            Kind::Item(e) | Kind::Skipped(e, _) => Some(e),
            Kind::Fixed | Kind::Heading => None,
        }
    }
}

/// One block of text, with its length in characters (plus its newline), counted once.
#[derive(Debug)]
struct Block {
    kind: Kind,
    text: String,
    len: usize,
}

/// A tool's answer under construction.
#[derive(Debug)]
pub struct Answer {
    frame: Frame,
    blocks: Vec<Block>,
    footer: Vec<String>,
    noun: &'static str,
    narrow: String,
    /// Characters of `blocks` so far, newlines included.
    size: usize,
    /// The window's `from='…', to='…'`, once the header stated it: every call the footer
    /// suggests carries it, so follow-up calls look at the same minutes.
    pin: Option<String>,
    /// The main objects of the answer, as links into Coroot's UI.
    resources: Vec<Resource>,
}

/// A link to one object of an answer in Coroot's UI (an MCP `resource_link`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// What it is, e.g. `application k3h2x9qa:default:Deployment:api`.
    pub name: String,
    /// The UI URL.
    pub uri: String,
}

/// Most resource links an answer carries: the objects an agent would cite, not a catalogue.
const MAX_RESOURCES: usize = 8;

impl Answer {
    /// `noun` names the items in the cut notice ("applications"); `narrow` says how to get a
    /// smaller result ("pass app_id or a shorter lookback_hours").
    pub fn new(frame: Frame, noun: &'static str, narrow: impl Into<String>) -> Self {
        Answer {
            frame,
            blocks: Vec::new(),
            footer: Vec::new(),
            noun,
            narrow: narrow.into(),
            size: 0,
            pin: None,
            resources: Vec::new(),
        }
    }

    /// Now, epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.frame.now_ms
    }

    fn push(&mut self, kind: Kind, text: String) -> &mut Self {
        let len = text.chars().count() + 1;
        self.size += len;
        self.blocks.push(Block { kind, text, len });
        self
    }

    /// A line that is always kept.
    pub fn line(&mut self, s: impl Into<String>) -> &mut Self {
        self.push(Kind::Fixed, s.into())
    }

    /// A heading for the items that follow.
    pub fn heading(&mut self, s: impl Into<String>) -> &mut Self {
        self.push(Kind::Heading, s.into())
    }

    /// A droppable item standing for element `index` of the structured list at `list`.
    pub fn item(&mut self, list: &'static str, index: usize, s: impl Into<String>) -> &mut Self {
        self.items(list, index..index + 1, s)
    }

    /// A droppable item standing for elements `range` of the structured list at `list` (e.g. one
    /// line naming twenty healthy apps). `list` names a top-level field (`/applications`): only
    /// those are measured element by element and cut.
    pub fn items(&mut self, list: &'static str, range: Range<usize>, s: impl Into<String>) -> &mut Self {
        self.push(Kind::Item(Elements { list, range }), s.into())
    }

    /// True when the text so far is already longer than the cap: every item added from now on
    /// would be dropped, so a long list can stop rendering and hand the rest to [`Answer::skip`].
    pub fn full(&self) -> bool {
        self.size > self.frame.cap
    }

    /// One item per element of `items`, the structured list at `list`, its line from `line`;
    /// once the text is [`Answer::full`] the rest are skipped: counted, never rendered.
    pub fn each<T>(&mut self, list: &'static str, items: &[T], mut line: impl FnMut(&T) -> String) -> &mut Self {
        for (i, x) in items.iter().enumerate() {
            if self.full() {
                return self.skip(list, i..items.len(), items.len() - i);
            }
            let text = line(x);
            self.item(list, i, text);
        }
        self
    }

    /// `items` items standing for elements `range` of `list`, left unrendered because the text
    /// is [`Answer::full`]: counted in the cut notice and dropped from the structured list
    /// exactly as if they had been rendered and dropped. Ignored unless the text is full.
    pub fn skip(&mut self, list: &'static str, range: Range<usize>, items: usize) -> &mut Self {
        if items > 0 && self.full() {
            self.blocks.push(Block {
                kind: Kind::Skipped(Elements { list, range }, items),
                text: String::new(),
                len: 0,
            });
        }
        self
    }

    /// Elements `range` of `list` named `per_line` to an item, by `name`: the way long lists of
    /// healthy apps are shown. Stops rendering (and skips the rest) once the text is full.
    pub fn name_lines(
        &mut self,
        list: &'static str,
        range: Range<usize>,
        per_line: usize,
        name: impl Fn(usize) -> String,
    ) -> &mut Self {
        let per_line = per_line.max(1);
        let mut start = range.start;
        while start < range.end {
            if self.full() {
                let lines = (range.end - start).div_ceil(per_line);
                return self.skip(list, start..range.end, lines);
            }
            let end = (start + per_line).min(range.end);
            let line = (start..end).map(&name).collect::<Vec<_>>().join(", ");
            self.items(list, start..end, line);
            start = end;
        }
        self
    }

    /// The same answer under another cap: lets a test render without the cap and finish with
    /// it, to compare with a render that skipped.
    #[cfg(test)]
    fn recap(mut self, cap: usize) -> Self {
        self.frame.cap = cap;
        self
    }

    /// A line kept at the very end (next steps).
    pub fn footer(&mut self, s: impl Into<String>) -> &mut Self {
        let s = s.into();
        let s = match &self.pin {
            Some(pin) => pinned(&s, pin),
            None => s,
        };
        self.footer.push(s);
        self
    }

    /// A link to one of the answer's main objects in Coroot's UI, for clients that show
    /// resource links; the first few count.
    pub fn resource(&mut self, name: impl Into<String>, uri: &str) -> &mut Self {
        if self.resources.len() < MAX_RESOURCES && !self.resources.iter().any(|r| r.uri == uri) {
            self.resources.push(Resource {
                name: name.into(),
                uri: uri.to_string(),
            });
        }
        self
    }

    /// The resource links, taken before [`Answer::finish`].
    pub fn take_resources(&mut self) -> Vec<Resource> {
        std::mem::take(&mut self.resources)
    }

    /// Makes every call the footer suggests carry `pin` (see [`pinned`]).
    pub(crate) fn pin(&mut self, pin: String) -> &mut Self {
        self.pin = Some(pin);
        self
    }

    /// The lists the items stand for (JSON pointers), each once: what [`Answer::plan`] needs
    /// measured.
    pub(crate) fn lists(&self) -> Vec<&'static str> {
        lists_of(&self.blocks)
    }

    /// The list elements this answer drops whatever the budget says: those of every item from
    /// the first one rendering skipped onward, since [`Answer::plan`] drops all of them. They
    /// need not be measured nor built (see `render::count`, `render::doomed`).
    pub(crate) fn doomed(&self) -> Doomed {
        let Some(first) = self.blocks.iter().position(|b| matches!(b.kind, Kind::Skipped(..))) else {
            return Doomed::default();
        };
        let elements = self.blocks.iter().skip(first).filter_map(|b| b.kind.elements());
        Doomed::of(elements.map(|e| (e.list, e.range.clone())))
    }

    /// The text, with `structured` trimmed to match: when the text or the serialised JSON is
    /// longer than the cap, items go from the end, with their list elements, until both fit.
    pub fn finish(self, structured: &mut Value) -> String {
        // A `Value`'s keys are text, so measuring it cannot fail.
        let json = measure(structured, &self.lists(), &Doomed::default()).unwrap_or_default();
        self.plan(&json, 0).apply(structured)
    }

    /// What the answer keeps. When the text or the structured result is longer than the cap,
    /// items go from the end (with headings left empty, and their list elements) until both
    /// fit, and both say what was left out. `json` is the structured result measured (see
    /// `render::count`), `extra` the characters of members added to it afterwards. Items past
    /// the first one rendering skipped always go.
    pub(crate) fn plan(self, json: &Measured, extra: usize) -> Cut {
        let cap = self.frame.cap;
        let footer_len: usize = self.footer.iter().map(|f| f.chars().count() + 1).sum();
        let text_total = self.size + footer_len;
        // A member added after measuring comes with its comma.
        let json_total = json.total + extra + usize::from(extra > 0);
        let skipped = self.blocks.iter().any(|b| matches!(b.kind, Kind::Skipped(..)));
        let mut cut = Cut {
            cap,
            blocks: self.blocks,
            footer: self.footer,
            text_size: text_total,
            notice: None,
            dropped: Vec::new(),
        };
        if text_total <= cap && json_total <= cap && !skipped {
            return cut;
        }
        let total_items: usize = cut.blocks.iter().map(|b| b.kind.items()).sum();
        let notice = |dropped: usize| {
            format!(
                "[output capped at {cap} characters: {dropped} of {total_items} {} not shown; {}]",
                self.noun, self.narrow
            )
        };
        // The notice's length barely changes with the count; reserve for the largest one.
        let text_reserve = notice(total_items).chars().count() + 1;
        // The `truncated` member at its largest, its key, and a comma per list whose last
        // element may go (element sizes count one comma each).
        let lists = lists_of(&cut.blocks);
        let largest: Map<String, Value> = lists.iter().map(|l| (list_name(l), Value::from(total_items))).collect();
        let json_reserve = json_chars(&truncated(total_items, total_items, &self.narrow, &largest))
            + "\"truncated\":,".len()
            + lists.len();

        let blocks = &mut cut.blocks;
        let mut text_size = text_total;
        let mut json_size = json_total;
        let mut dropped = 0usize;
        let mut skipped_left = blocks.iter().filter(|b| matches!(b.kind, Kind::Skipped(..))).count();
        // Skipped items (the tail of a list) go first; then items and headings from the end.
        let mut end = blocks.len();
        while text_size + text_reserve > cap || json_size + json_reserve > cap || skipped_left > 0 {
            let Some(pos) = blocks
                .get(..end)
                .and_then(|bs| bs.iter().rposition(|b| !matches!(b.kind, Kind::Fixed)))
            else {
                break;
            };
            let removed = blocks.remove(pos);
            end = pos;
            text_size -= removed.len;
            if matches!(removed.kind, Kind::Skipped(..)) {
                skipped_left -= 1;
            }
            dropped += removed.kind.items();
            if let Some(e) = removed.kind.elements() {
                json_size = json_size.saturating_sub(json.elements(e.list, e.range.clone()));
                cut.dropped.push(e.clone());
            }
        }
        // A heading left with nothing under it says nothing.
        while matches!(blocks.last(), Some(b) if b.kind == Kind::Heading) {
            blocks.pop();
        }
        cut.text_size = text_size + text_reserve;
        cut.notice = Some(Notice {
            text: notice(dropped),
            shown: total_items - dropped,
            omitted: dropped,
            narrow: self.narrow,
        });
        cut
    }
}

fn lists_of(blocks: &[Block]) -> Vec<&'static str> {
    let mut lists: Vec<&'static str> = blocks
        .iter()
        .filter_map(|b| b.kind.elements().map(|e| e.list))
        .collect();
    lists.sort_unstable();
    lists.dedup();
    lists
}

/// What an answer keeps, decided before its structured result is built ([`Answer::plan`]).
#[derive(Debug)]
pub(crate) struct Cut {
    cap: usize,
    blocks: Vec<Block>,
    footer: Vec<String>,
    /// Characters of the text to be joined.
    text_size: usize,
    /// What the cut answer says it left out; `None` when nothing was.
    notice: Option<Notice>,
    /// The list elements of the items dropped.
    dropped: Vec<Elements>,
}

#[derive(Debug)]
struct Notice {
    text: String,
    shown: usize,
    omitted: usize,
    narrow: String,
}

impl Cut {
    /// The list elements the answer drops: the structured result need not build them (see
    /// `render::doomed`).
    pub(crate) fn doomed(&self) -> Doomed {
        Doomed::of(self.dropped.iter().map(|e| (e.list, e.range.clone())))
    }

    /// The text, with the dropped elements removed from `structured` (whether built or left
    /// null) and its `truncated` member saying what went.
    pub(crate) fn apply(self, structured: &mut Value) -> String {
        let (text, truncated) = self.close(|dropped| remove_elements(structured, dropped));
        if let (Some(truncated), Some(obj)) = (truncated, structured.as_object_mut()) {
            obj.insert("truncated".into(), truncated);
        }
        text
    }

    /// The text, with the `truncated` member appended to `json`, the structured result as
    /// `render::written` writes it with [`Cut::doomed`]'s elements left out; `measured` knows
    /// how long each list was.
    pub(crate) fn apply_json(
        self,
        json: &mut Vec<u8>,
        measured: &Measured,
        doomed: &Doomed,
    ) -> Result<String, serde_json::Error> {
        let (text, truncated) = self.close(|_| {
            doomed
                .lists()
                .filter_map(|(list, ranges)| {
                    let gone = named_among(ranges, measured.len(list)?);
                    (gone > 0).then(|| (list_name(list), Value::from(gone)))
                })
                .collect()
        });
        if let Some(truncated) = truncated {
            push_member(json, "truncated", &truncated)?;
        }
        Ok(text)
    }

    /// The text, and the `truncated` member when items were dropped; `omitted_from` counts the
    /// elements that went, by list.
    fn close(self, omitted_from: impl FnOnce(Vec<Elements>) -> Map<String, Value>) -> (String, Option<Value>) {
        let Some(notice) = self.notice else {
            return (join(self.blocks, self.footer, self.text_size), None);
        };
        let omitted_from = omitted_from(self.dropped);
        let truncated = truncated(notice.shown, notice.omitted, &notice.narrow, &omitted_from);
        let mut footer = self.footer;
        footer.insert(0, notice.text);
        let mut text = join(self.blocks, footer, self.text_size);
        if text.chars().count() > self.cap {
            // Fixed lines alone exceed the cap (a huge single record): hard-cut as a last resort.
            text = crate::render::units::clip(&text, self.cap);
        }
        (text, Some(truncated))
    }
}

/// The `truncated` member of a cut structured result.
fn truncated(shown: usize, omitted: usize, narrow: &str, omitted_from: &Map<String, Value>) -> Value {
    serde_json::json!({
        "shown": shown,
        "omitted": omitted,
        "narrow": narrow,
        "omitted_from": omitted_from,
    })
}

/// Removes the elements of the dropped items from their lists; returns how many left each list.
fn remove_elements(structured: &mut Value, dropped: Vec<Elements>) -> Map<String, Value> {
    let mut by_list: Vec<(&'static str, Vec<Range<usize>>)> = Vec::new();
    for e in dropped {
        match by_list.iter_mut().find(|(l, _)| *l == e.list) {
            Some((_, ranges)) => ranges.push(e.range),
            None => by_list.push((e.list, vec![e.range])),
        }
    }
    let mut omitted = Map::new();
    for (list, ranges) in by_list {
        let Some(items) = structured.pointer_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        let before = items.len();
        // One mark per element: checking every range for every element is quadratic when
        // thousands of items each drop one element.
        let mut gone = vec![false; before];
        for r in ranges {
            for mark in gone
                .get_mut(r.start.min(before)..r.end.min(before))
                .into_iter()
                .flatten()
            {
                *mark = true;
            }
        }
        let mut marks = gone.into_iter();
        items.retain(|_| !marks.next().unwrap_or(false));
        let gone = before - items.len();
        if gone > 0 {
            omitted.insert(list_name(list), Value::from(gone));
        }
    }
    omitted
}

/// A list's name in `omitted_from`: its JSON pointer as a dotted path (`rca.propagation`).
fn list_name(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

fn join(blocks: Vec<Block>, footer: Vec<String>, chars: usize) -> String {
    let mut out = String::with_capacity(chars + chars / 8);
    for b in blocks {
        out.push_str(&b.text);
        out.push('\n');
    }
    for f in footer {
        out.push_str(&f);
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

/// `text` with `pin` added to the arguments of every tool call it suggests
/// (`coroot_x(a='1')` → `coroot_x(a='1', from='…', to='…')`), unless the call already names
/// a window. Quoted arguments may hold parentheses.
pub(crate) fn pinned(text: &str, pin: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2 * pin.len());
    let mut rest = text;
    while let Some(at) = rest.find("coroot_") {
        let name_end = at
            + rest[at..]
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .unwrap_or(rest.len() - at);
        if !rest[name_end..].starts_with('(') {
            out.push_str(&rest[..name_end]);
            rest = &rest[name_end..];
            continue;
        }
        let args_start = name_end + 1;
        let mut quoted = false;
        let close = rest[args_start..].char_indices().find_map(|(i, c)| match c {
            '\'' => {
                quoted = !quoted;
                None
            }
            ')' if !quoted => Some(args_start + i),
            _ => None,
        });
        let Some(close) = close else {
            break;
        };
        let args = &rest[args_start..close];
        out.push_str(&rest[..close]);
        if !args.contains("from=") && !args.contains("lookback_hours=") {
            if !args.trim().is_empty() {
                out.push_str(", ");
            }
            out.push_str(pin);
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn frame(cap: usize) -> Frame {
        Frame { cap, now_ms: 0 }
    }

    #[test]
    fn short_answers_are_untouched() {
        let mut a = Answer::new(frame(1000), "apps", "narrow");
        a.line("head").heading("H").item("/apps", 0, "a").footer("next");
        let mut s = json!({"apps": ["a"]});
        assert_eq!(a.finish(&mut s), "head\nH\na\nnext");
        assert_eq!(s, json!({"apps": ["a"]}));
    }

    #[test]
    fn whole_items_leave_the_text_and_the_list_together() {
        let mut a = Answer::new(frame(600), "apps", "pass app_id");
        a.line("head");
        let names: Vec<String> = (0..100).map(|i| format!("item {i:03} {}", "x".repeat(20))).collect();
        for (i, n) in names.iter().enumerate() {
            a.item("/apps", i, n.clone());
        }
        a.footer("next: call X");
        let mut s = json!({"apps": names, "total": 100});
        let text = a.finish(&mut s);
        assert!(text.chars().count() <= 600, "{}", text.len());
        let kept = s["apps"].as_array().unwrap().len();
        let omitted = s["truncated"]["omitted"].as_u64().unwrap() as usize;
        assert_eq!(kept + omitted, 100);
        assert_eq!(s["truncated"]["shown"], kept);
        assert_eq!(s["truncated"]["omitted_from"]["apps"], omitted);
        assert_eq!(s["truncated"]["narrow"], "pass app_id");
        assert!(text.contains(&format!("{omitted} of 100 apps not shown; pass app_id")));
        assert!(text.ends_with("next: call X"));
        // The text and the list hold the same items, in order.
        for (i, n) in names.iter().enumerate() {
            assert_eq!(text.contains(n.as_str()), i < kept, "{n}");
        }
    }

    #[test]
    fn a_structured_result_over_budget_is_cut_even_when_the_text_fits() {
        let mut a = Answer::new(frame(2_000), "apps", "narrow it");
        let big: Vec<Value> = (0..50).map(|i| json!({"id": i, "blob": "y".repeat(100)})).collect();
        for i in 0..50 {
            a.item("/apps", i, format!("app {i}"));
        }
        let mut s = json!({ "apps": big });
        let text = a.finish(&mut s);
        assert!(json_chars(&s) <= 2_000, "{}", json_chars(&s));
        let kept = s["apps"].as_array().unwrap().len();
        assert!(kept > 0 && kept < 50, "{kept}");
        assert!(
            text.contains("app 0\n") && !text.contains(&format!("app {kept}\n")),
            "{text}"
        );
        assert!(text.contains(&format!("{} of 50 apps not shown", 50 - kept)), "{text}");
    }

    /// Skipping the items past the cap gives exactly the answer of rendering them all.
    #[test]
    fn skipped_items_count_as_rendered_and_dropped() {
        let build = |lazy: bool| {
            let mut a = Answer::new(frame(2_000), "series", "narrow");
            a.line("head");
            for i in 0..500 {
                if lazy && a.full() {
                    a.skip("/series", i..500, 500 - i);
                    break;
                }
                a.item("/series", i, format!("series {i:03} {}", "é".repeat(30)));
            }
            a.heading("OK:");
            a.name_lines("/ok", 0..50, 1, |i| format!("name-{i}"));
            a.footer("next: narrow it");
            let mut s = json!({"series": (0..500).collect::<Vec<_>>(), "ok": (0..50).collect::<Vec<_>>()});
            let text = a.finish(&mut s);
            (text, s)
        };
        let eager = {
            let mut a = Answer::new(frame(usize::MAX), "series", "narrow");
            a.line("x");
            a.full()
        };
        assert!(!eager, "nothing is full under an unbounded cap");
        let (text, s) = build(true);
        assert_eq!((text.clone(), s.clone()), build(false));
        let kept = s["series"].as_array().unwrap().len();
        assert_eq!(s["ok"].as_array().unwrap().len(), 0);
        assert_eq!(s["truncated"]["omitted"].as_u64().unwrap() as usize, 550 - kept);
        assert!(
            text.contains(&format!("{} of 550 series not shown", 550 - kept)),
            "{text}"
        );
        assert!(text.chars().count() <= 2_000);
    }

    #[test]
    fn name_lines_stand_for_their_elements() {
        let mut a = Answer::new(frame(200), "entries", "narrow");
        a.heading("OK (45):");
        a.name_lines("/apps", 5..50, 20, |i| format!("a{i}"));
        let mut s = json!({"apps": (0..50).collect::<Vec<_>>()});
        let text = a.finish(&mut s);
        // One line of 20 names fits with the notice; the other two lines go with their 25 apps.
        assert!(text.contains("a5, a6") && !text.contains("a25"), "{text}");
        assert_eq!(s["apps"].as_array().unwrap().len(), 25);
        assert_eq!(s["truncated"]["omitted_from"]["apps"], 25);
    }

    #[test]
    fn empty_headings_go_with_their_items() {
        let mut a = Answer::new(frame(200), "items", "narrow");
        a.line("head")
            .heading("FIRST")
            .item("/first", 0, "a".repeat(100))
            .heading("SECOND")
            .item("/second", 0, "b".repeat(100));
        let mut s = json!({"first": [1], "second": [2]});
        let text = a.finish(&mut s);
        assert!(text.contains("FIRST") && text.contains(&"a".repeat(100)), "{text}");
        assert!(!text.contains("SECOND"), "{text}");
        assert_eq!(s["first"], json!([1]));
        assert_eq!(s["second"], json!([]));
    }

    #[test]
    fn json_length_counts_characters() {
        let v = json!({"a": "é\"x", "b": [1, 2.5, null]});
        assert_eq!(json_chars(&v), serde_json::to_string(&v).unwrap().chars().count());
    }

    /// The tools that stop rendering at the cap give the very answer of a full render, on the
    /// synthetic cluster where they are cut, also when the elements they drop are never
    /// serialised.
    #[tokio::test]
    async fn tools_skipping_past_the_cap_give_the_same_answer() {
        use crate::tool::Tool;
        use crate::tools::query_metrics::QueryMetrics;
        use crate::tools::service_map::GetServiceMap;
        async fn same<T: Tool>(kit: &crate::testing::Kit, args: Value) -> bool {
            let cap = kit.ctx.limits.max_chars;
            let params: T::Params = crate::params::parse(T::NAME, args).unwrap();
            let out = T::run(&kit.ctx, params).await.unwrap();
            let finish = |answer: Answer| {
                let mut s = serde_json::to_value(&out).unwrap();
                let text = answer.finish(&mut s);
                (text, s)
            };
            let now_ms = crate::testing::NOW_MS;
            let eager = finish(
                T::render(
                    &out,
                    Frame {
                        cap: usize::MAX,
                        now_ms,
                    },
                )
                .recap(cap),
            );
            let lazy = finish(T::render(&out, Frame { cap, now_ms }));
            // And measured from the typed output, with the dropped elements never built, as
            // `tool::call` does.
            let answer = T::render(&out, Frame { cap, now_ms });
            let doomed = answer.doomed();
            let skipped = !doomed.is_empty();
            let json = measure(&out, &answer.lists(), &doomed).unwrap();
            let cut = answer.plan(&json, 0);
            let mut nulled = super::super::doomed::to_value(&out, &cut.doomed()).unwrap();
            let text = cut.apply(&mut nulled);
            assert_eq!((text, nulled), eager, "{} with its doomed elements nulled", T::NAME);
            assert!(
                eager.1.get("truncated").is_some(),
                "{} is cut on the synthetic cluster",
                T::NAME
            );
            assert_eq!(lazy, eager, "{}", T::NAME);
            skipped
        }
        let kit = crate::testing::start(coroot_sim::Scenario::synthetic(Default::default())).await;
        assert!(same::<GetServiceMap>(&kit, json!({})).await);
        let promql = "rate(container_resources_cpu_usage_seconds_total[5m])";
        assert!(same::<QueryMetrics>(&kit, json!({"promql": promql, "lookback_hours": 24})).await);
        // The long lists of the other tools, cut by a small budget on the e-commerce story.
        use crate::tools::{costs::GetCosts, logs::app::GetAppLogs, logs::overview::GetOverviewLogs};
        use crate::tools::{nodes::GetNodes, risks::GetRisks, traces::GetTraces};
        let mut kit = crate::testing::ecommerce().await;
        kit.ctx.limits.max_chars = 900;
        let trace = json!({"trace_id": "e652e13576b0d0d5dc42cf67aa005d1c"});
        let skipped = [
            same::<GetAppLogs>(&kit, json!({"app_id": "payment"})).await,
            same::<GetOverviewLogs>(&kit, json!({})).await,
            same::<GetNodes>(&kit, json!({})).await,
            same::<GetRisks>(&kit, json!({})).await,
            same::<GetCosts>(&kit, json!({})).await,
            same::<GetTraces>(&kit, trace).await,
        ];
        assert!(skipped.iter().filter(|s| **s).count() >= 3, "{skipped:?}");
    }
}
