//! Report tables: a cell as text, and columns found by their header.

use coroot_client::models::{Table, TableCell, TableRow};

use crate::render::units::{clip, one_line};

/// A cell as one line of text: its value, unit and tags, the Deployments table's summary lines
/// (a regression marked WORSE), and the cell's status when it is WARNING or CRITICAL.
pub fn cell_text(c: &TableCell) -> String {
    let mut s = c.text();
    if !c.deployment_summaries.is_empty() {
        let lines: Vec<String> = c
            .deployment_summaries
            .iter()
            .map(|d| {
                let what = if d.report.is_empty() || d.message.starts_with(&format!("{}:", d.report)) {
                    d.message.clone()
                } else {
                    format!("{}: {}", d.report, d.message)
                };
                if d.ok { what } else { format!("WORSE {what}") }
            })
            .collect();
        if !s.is_empty() {
            s.push_str("; ");
        }
        s.push_str(&lines.join("; "));
    }
    if let Some(st) = c.status.filter(|s| s.is_failing()) {
        s.push_str(&format!(" ({})", st.label()));
    }
    s.trim_start().to_string()
}

/// A table cut for a compact answer.
pub struct Compact {
    /// Column titles.
    pub header: Vec<String>,
    /// At most the asked number of rows.
    pub rows: Vec<Vec<String>>,
    /// Rows left out.
    pub more_rows: usize,
}

/// `table` for a compact answer: each cell one line of at most `cell_chars` (`-` when empty,
/// so it still holds its column), columns with neither a title nor any text dropped (Coroot's
/// sparklines), at most `max_rows` rows.
pub fn compact(table: &Table, max_rows: usize, cell_chars: usize) -> Compact {
    let cell = |c: &TableCell| match cell_text(c) {
        s if s.is_empty() => "-".to_string(),
        s => clip(&one_line(&s), cell_chars),
    };
    let rows: Vec<Vec<String>> = table.rows.iter().map(|r| r.cells.iter().map(cell).collect()).collect();
    let keep: Vec<usize> = (0..table.header.len())
        .filter(|&c| {
            table.header.get(c).is_some_and(|h| !h.trim().is_empty())
                || rows.iter().any(|r| r.get(c).is_some_and(|v| v != "-"))
        })
        .collect();
    let pick =
        |r: &Vec<String>| -> Vec<String> { keep.iter().map(|&c| r.get(c).cloned().unwrap_or_default()).collect() };
    Compact {
        header: pick(&table.header),
        more_rows: rows.len().saturating_sub(max_rows),
        rows: rows.iter().take(max_rows).map(pick).collect(),
    }
}

/// The index of the column titled `name`.
pub fn column(table: &Table, name: &str) -> Option<usize> {
    table.header.iter().position(|h| h == name)
}

/// The text of `row`'s cell in the column titled `name`, empty when there is none.
pub fn cell_in(table: &Table, row: &TableRow, name: &str) -> String {
    column(table, name)
        .and_then(|i| row.cells.get(i))
        .map(TableCell::text)
        .unwrap_or_default()
}

/// A row's name: its first cell, else its id.
pub fn row_name(row: &TableRow) -> String {
    row.cells
        .first()
        .map(TableCell::text)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| row.id.clone())
}
