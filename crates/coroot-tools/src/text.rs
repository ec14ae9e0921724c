//! The text an LLM reads, built as fixed lines plus droppable items, so the 120,000-character
//! cap removes whole items from the end and says how many, instead of cutting mid-record.

/// One block of output.
#[derive(Debug)]
enum Block {
    /// Always kept (headers, notes).
    Fixed(String),
    /// A section heading; dropped when every item under it is dropped.
    Heading(String),
    /// A droppable item of section `n`.
    Item(usize, String),
}

/// Text under construction.
#[derive(Debug, Default)]
pub struct Text {
    blocks: Vec<Block>,
    footer: Vec<String>,
    noun: &'static str,
    narrow: String,
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
        }
    }

    /// A line that is always kept.
    pub fn line(&mut self, s: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Fixed(s.into()));
        self
    }

    /// A heading for the items that follow.
    pub fn heading(&mut self, s: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Heading(s.into()));
        self
    }

    /// A droppable item of section 0.
    pub fn item(&mut self, s: impl Into<String>) -> &mut Self {
        self.item_in(0, s)
    }

    /// A droppable item of section `section` (one section per list in the structured output).
    pub fn item_in(&mut self, section: usize, s: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Item(section, s.into()));
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
        let block_len = |b: &Block| match b {
            Block::Fixed(s) | Block::Heading(s) | Block::Item(_, s) => len(s),
        };
        let footer_len: usize = self.footer.iter().map(len).sum();
        let total: usize = self.blocks.iter().map(block_len).sum::<usize>() + footer_len;
        let sections = self
            .blocks
            .iter()
            .filter_map(|b| {
                if let Block::Item(n, _) = b {
                    Some(*n + 1)
                } else {
                    None
                }
            })
            .max()
            .unwrap_or(0);
        let mut kept = vec![0usize; sections];
        for b in &self.blocks {
            if let Block::Item(n, _) = b
                && let Some(k) = kept.get_mut(*n)
            {
                *k += 1;
            }
        }
        if total <= max {
            return (join(self.blocks, self.footer), None);
        }
        let total_items: usize = kept.iter().sum();
        let mut blocks = self.blocks;
        let mut size = total;
        let mut dropped = 0usize;
        let notice = |dropped: usize, noun: &str, narrow: &str| {
            format!(
                "[output capped at {max} characters: {dropped} of {total_items} {noun} not shown; {narrow}]"
            )
        };
        // The notice's length barely changes with the count; reserve for the largest one.
        let reserve = notice(total_items, self.noun, &self.narrow).chars().count() + 1;
        while size + reserve > max {
            let Some(pos) = blocks
                .iter()
                .rposition(|b| matches!(b, Block::Item(..) | Block::Heading(_)))
            else {
                break;
            };
            let removed = blocks.remove(pos);
            size -= block_len(&removed);
            if let Block::Item(n, _) = removed {
                dropped += 1;
                if let Some(k) = kept.get_mut(n) {
                    *k -= 1;
                }
            }
        }
        // A heading left with nothing under it says nothing.
        while matches!(blocks.last(), Some(Block::Heading(_))) {
            blocks.pop();
        }
        let mut footer = self.footer;
        footer.insert(0, notice(dropped, self.noun, &self.narrow));
        let mut text = join(blocks, footer);
        if text.chars().count() > max {
            // Fixed lines alone exceed the cap (a huge single record): hard-cut as a last resort.
            text = crate::format::clip(&text, max);
        }
        (text, Some(Cut { kept, dropped }))
    }
}

fn join(blocks: Vec<Block>, footer: Vec<String>) -> String {
    let mut out = String::new();
    for b in blocks {
        let (Block::Fixed(s) | Block::Heading(s) | Block::Item(_, s)) = b;
        out.push_str(&s);
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
        assert!(text.contains(&format!(
            "{} of 100 apps not shown; pass app_id",
            cut.dropped
        )));
        assert!(text.ends_with("next: call X"));
        // Kept items are whole and in order.
        for i in 0..cut.kept[0] {
            assert!(text.contains(&format!("item {i:03} ")));
        }
        assert!(!text.contains(&format!("item {:03} ", cut.kept[0])));
    }

    #[test]
    fn empty_headings_go_with_their_items() {
        let mut t = Text::new("items", "narrow");
        t.line("head").heading("FIRST").item_in(0, "a".repeat(100)).heading("SECOND").item_in(1, "b".repeat(100));
        // 220 characters in all; the first item and the notice fit in 200, the second does not.
        let (text, cut) = t.finish(200);
        assert!(text.contains("FIRST") && text.contains(&"a".repeat(100)), "{text}");
        assert!(!text.contains("SECOND"), "{text}");
        assert_eq!(cut.unwrap().kept, vec![1, 0]);
    }
}
