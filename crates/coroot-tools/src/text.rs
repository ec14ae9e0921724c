//! The text an LLM reads, built as fixed lines plus droppable items, so the 120,000-character
//! cap removes whole items from the end and says how many, instead of cutting mid-record.

use std::cell::Cell;

/// One block of output, with its length in characters (plus its newline), counted once.
#[derive(Debug)]
struct Block {
    kind: Kind,
    text: String,
    len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Always kept (headers, notes).
    Fixed,
    /// A section heading; dropped when every item under it is dropped.
    Heading,
    /// A droppable item of section `n`.
    Item(usize),
    /// `count` items of section `n` that were never rendered: the text before them already
    /// exceeded the cap, so `finish` drops them whatever happens (see [`Text::full`]).
    Skipped(usize, usize),
}

thread_local! {
    /// The cap the text being rendered on this thread will be finished with.
    static RENDER_CAP: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Runs `render` with `cap` announced to [`Text::full`]: `finish` must then be called with the
/// same cap (or a smaller one).
pub(crate) fn with_cap<R>(cap: usize, render: impl FnOnce() -> R) -> R {
    struct Reset(Option<usize>);
    impl Drop for Reset {
        fn drop(&mut self) {
            RENDER_CAP.set(self.0);
        }
    }
    let _reset = Reset(RENDER_CAP.replace(Some(cap)));
    render()
}

/// Text under construction.
#[derive(Debug, Default)]
pub struct Text {
    blocks: Vec<Block>,
    footer: Vec<String>,
    noun: &'static str,
    narrow: String,
    /// Characters of `blocks` so far, newlines included.
    size: usize,
}

/// How the cap was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// Items kept per section index.
    pub kept: Vec<usize>,
    /// Items left out in total.
    pub dropped: usize,
}

impl Text {
    /// `noun` names the items in the cut message ("applications"); `narrow` says how to get a
    /// smaller result ("pass app_id or a shorter lookback_hours").
    pub fn new(noun: &'static str, narrow: impl Into<String>) -> Self {
        Text {
            blocks: Vec::new(),
            footer: Vec::new(),
            noun,
            narrow: narrow.into(),
            size: 0,
        }
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

    /// A droppable item of section 0.
    pub fn item(&mut self, s: impl Into<String>) -> &mut Self {
        self.item_in(0, s)
    }

    /// A droppable item of section `section` (one section per list in the structured output).
    pub fn item_in(&mut self, section: usize, s: impl Into<String>) -> &mut Self {
        self.push(Kind::Item(section), s.into())
    }

    /// True when the text so far is already longer than the cap it will be finished with (as
    /// announced by [`crate::call`]): every item added from now on would be dropped, so a long
    /// list can stop rendering and hand the rest to [`Text::skip_items`]. Always false outside
    /// `call`.
    pub fn full(&self) -> bool {
        RENDER_CAP.get().is_some_and(|cap| self.size > cap)
    }

    /// `count` items of section `section` left unrendered because the text is [`Text::full`]:
    /// counted in the cut notice and the kept counts exactly as if they had been rendered and
    /// dropped. Ignored unless the text is full.
    pub fn skip_items(&mut self, section: usize, count: usize) -> &mut Self {
        if count > 0 && self.full() {
            self.blocks.push(Block {
                kind: Kind::Skipped(section, count),
                text: String::new(),
                len: 0,
            });
        }
        self
    }

    /// A line kept at the very end (next steps).
    pub fn footer(&mut self, s: impl Into<String>) -> &mut Self {
        self.footer.push(s.into());
        self
    }

    /// Joins the blocks; when longer than `max` characters, drops items from the end (and
    /// headings left empty) until the text and the cut notice fit.
    pub fn finish(self, max: usize) -> (String, Option<Cut>) {
        let len = |s: &String| s.chars().count() + 1;
        let footer_len: usize = self.footer.iter().map(len).sum();
        let total: usize = self.size + footer_len;
        let sections = self
            .blocks
            .iter()
            .filter_map(|b| match b.kind {
                Kind::Item(n) | Kind::Skipped(n, _) => Some(n + 1),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let mut kept = vec![0usize; sections];
        let mut skipped_blocks = 0usize;
        for b in &self.blocks {
            let (section, count) = match b.kind {
                Kind::Item(n) => (n, 1),
                Kind::Skipped(n, c) => {
                    skipped_blocks += 1;
                    (n, c)
                }
                Kind::Fixed | Kind::Heading => continue,
            };
            if let Some(k) = kept.get_mut(section) {
                *k += count;
            }
        }
        if total <= max {
            return (join(self.blocks, self.footer, total), None);
        }
        let total_items: usize = kept.iter().sum();
        let mut blocks = self.blocks;
        let mut size = total;
        let mut dropped = 0usize;
        let notice = |dropped: usize, noun: &str, narrow: &str| {
            format!("[output capped at {max} characters: {dropped} of {total_items} {noun} not shown; {narrow}]")
        };
        // The notice's length barely changes with the count; reserve for the largest one.
        let reserve = notice(total_items, self.noun, &self.narrow).chars().count() + 1;
        // Skipped items (the tail of the list) go first; then items and headings from the end.
        let mut end = blocks.len();
        while size + reserve > max || skipped_blocks > 0 {
            let Some(pos) = blocks
                .get(..end)
                .and_then(|bs| bs.iter().rposition(|b| !matches!(b.kind, Kind::Fixed)))
            else {
                break;
            };
            let removed = blocks.remove(pos);
            end = pos;
            size -= removed.len;
            let (section, count) = match removed.kind {
                Kind::Item(n) => (n, 1),
                Kind::Skipped(n, c) => {
                    skipped_blocks -= 1;
                    (n, c)
                }
                Kind::Fixed | Kind::Heading => continue,
            };
            dropped += count;
            if let Some(k) = kept.get_mut(section) {
                *k -= count;
            }
        }
        // A heading left with nothing under it says nothing.
        while matches!(blocks.last(), Some(b) if b.kind == Kind::Heading) {
            blocks.pop();
        }
        let mut footer = self.footer;
        footer.insert(0, notice(dropped, self.noun, &self.narrow));
        let mut text = join(blocks, footer, size + reserve);
        if text.chars().count() > max {
            // Fixed lines alone exceed the cap (a huge single record): hard-cut as a last resort.
            text = crate::format::clip(&text, max);
        }
        (text, Some(Cut { kept, dropped }))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_untouched() {
        let mut t = Text::new("apps", "narrow");
        t.line("head").heading("H").item("a").footer("next");
        assert_eq!(t.finish(1000), ("head\nH\na\nnext".to_string(), None));
    }

    #[test]
    fn whole_items_are_dropped_from_the_end_with_a_notice() {
        let mut t = Text::new("apps", "pass app_id");
        t.line("head");
        for i in 0..100 {
            t.item(format!("item {i:03} {}", "x".repeat(20)));
        }
        t.footer("next: call X");
        let (text, cut) = t.finish(600);
        assert!(text.chars().count() <= 600, "{}", text.len());
        let cut = cut.unwrap();
        assert_eq!(cut.kept[0] + cut.dropped, 100);
        assert!(text.contains(&format!("{} of 100 apps not shown; pass app_id", cut.dropped)));
        assert!(text.ends_with("next: call X"));
        // Kept items are whole and in order.
        for i in 0..cut.kept[0] {
            assert!(text.contains(&format!("item {i:03} ")));
        }
        assert!(!text.contains(&format!("item {:03} ", cut.kept[0])));
    }

    /// Skipping the items past the cap gives exactly the text and counts of rendering them all.
    #[test]
    fn skipped_items_count_as_rendered_and_dropped() {
        let build = |lazy: bool| {
            let mut t = Text::new("series", "narrow");
            t.line("head");
            for i in 0..500 {
                if lazy && t.full() {
                    t.skip_items(0, 500 - i);
                    break;
                }
                t.item(format!("series {i:03} {}", "é".repeat(30)));
            }
            t.heading("OK:");
            for i in 0..50 {
                if lazy && t.full() {
                    t.skip_items(1, 50 - i);
                    break;
                }
                t.item_in(1, format!("name-{i}"));
            }
            t.footer("next: narrow it");
            t.finish(2_000)
        };
        let eager = build(false);
        let lazy = with_cap(2_000, || build(true));
        assert_eq!(lazy, eager);
        let (text, cut) = lazy;
        let cut = cut.unwrap();
        assert_eq!(cut.kept[0] + cut.dropped, 550);
        assert_eq!(cut.kept[1], 0);
        assert!(
            text.contains(&format!("{} of 550 series not shown", cut.dropped)),
            "{text}"
        );
        assert!(text.chars().count() <= 2_000);
        // Outside `call` (no cap announced) nothing is ever full.
        let mut t = Text::new("x", "y");
        t.line("a".repeat(300_000));
        assert!(!t.full());
        t.skip_items(0, 5);
        assert_eq!(
            t.finish(1_000_000).1,
            None,
            "a skip on a text that is not full is ignored"
        );
    }

    /// The tools that stop rendering at the cap give the very text of a full render, on the
    /// synthetic cluster where they are cut.
    #[tokio::test]
    async fn tools_skipping_past_the_cap_give_the_same_text() {
        use crate::Tool;
        use crate::tools::query_metrics::QueryMetrics;
        use crate::tools::service_map::GetServiceMap;
        async fn same<T: Tool>(kit: &crate::testkit::Kit, args: serde_json::Value) {
            let max = kit.ctx.limits.max_chars;
            let params: T::Params = crate::params::parse(T::NAME, args).unwrap();
            let out = T::run(&kit.ctx, params).await.unwrap();
            let eager = T::render(&out, crate::testkit::NOW_MS).finish(max);
            let lazy = with_cap(max, || T::render(&out, crate::testkit::NOW_MS)).finish(max);
            assert!(eager.1.is_some(), "{} is cut on the synthetic cluster", T::NAME);
            assert_eq!(lazy, eager, "{}", T::NAME);
        }
        let kit = crate::testkit::start(coroot_sim::Scenario::synthetic(Default::default())).await;
        same::<GetServiceMap>(&kit, serde_json::json!({})).await;
        let promql = "rate(container_resources_cpu_usage_seconds_total[5m])";
        same::<QueryMetrics>(&kit, serde_json::json!({"promql": promql, "lookback_hours": 24})).await;
    }

    #[test]
    fn empty_headings_go_with_their_items() {
        let mut t = Text::new("items", "narrow");
        t.line("head")
            .heading("FIRST")
            .item_in(0, "a".repeat(100))
            .heading("SECOND")
            .item_in(1, "b".repeat(100));
        // 220 characters in all; the first item and the notice fit in 200, the second does not.
        let (text, cut) = t.finish(200);
        assert!(text.contains("FIRST") && text.contains(&"a".repeat(100)), "{text}");
        assert!(!text.contains("SECOND"), "{text}");
        assert_eq!(cut.unwrap().kept, vec![1, 0]);
    }
}
