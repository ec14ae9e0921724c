//! Report tables: a cell as text, and columns found by their header.

use coroot_client::models::{Table, TableCell, TableRow};

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
