//! Fitting variable text into fixed cells: truncation with an ellipsis, word wrapping,
//! tables whose columns give way, and the visible window of a long list.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::theme::Theme;
use crate::text::sanitize;
use tui_input::Input;

/// Where typing goes, visible without colour or a terminal cursor.
const CURSOR: char = '▏';

pub fn width(s: &str) -> usize {
    s.width()
}

/// `s` cut to at most `max` columns, ending in `…` when cut.
pub fn fit(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// `s` cut or padded with spaces to exactly `cols` columns, so columns line up.
pub fn pad(s: &str, cols: usize) -> String {
    let mut out = fit(s, cols);
    let fill = cols.saturating_sub(out.width());
    out.extend(std::iter::repeat_n(' ', fill));
    out
}

/// Word-wraps styled segments into lines of at most `width` columns. A word longer than
/// a line (an id, a fingerprint, a path) is broken wherever it must be, so nothing is
/// ever lost off the right edge.
pub fn wrap(segments: &[(&str, Style)], width: usize) -> Vec<Line<'static>> {
    let mut out = Wrapper {
        width,
        lines: Vec::new(),
        line: Vec::new(),
        used: 0,
    };
    if width == 0 {
        return out.lines;
    }
    for &(text, style) in segments {
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            out.word(word, style);
        }
    }
    out.flush();
    out.lines
}

struct Wrapper {
    width: usize,
    lines: Vec<Line<'static>>,
    line: Vec<Span<'static>>,
    used: usize,
}

impl Wrapper {
    fn word(&mut self, word: &str, style: Style) {
        let w = word.width();
        // A word too long for any line starts where it is, so long values pack densely.
        let needs = if w > self.width { 2 } else { 1 + w };
        if self.used > 0 && self.used + needs > self.width {
            self.flush();
        }
        if self.used > 0 {
            self.line.push(Span::raw(" "));
            self.used += 1;
        }
        if self.used + w <= self.width {
            self.line.push(Span::styled(word.to_owned(), style));
            self.used += w;
            return;
        }
        // Too long for the line: break after a separator where one falls (fingerprints
        // between bytes, ids at dashes, paths at slashes), and anywhere only if not.
        for piece in word.split_inclusive([':', '-', '/']) {
            let pw = piece.width();
            if self.used > 0 && self.used + pw > self.width && pw <= self.width {
                self.flush();
            }
            self.hard_break(piece, style);
        }
    }

    fn hard_break(&mut self, text: &str, style: Style) {
        let mut chunk = String::new();
        for c in text.chars() {
            let cw = c.width().unwrap_or(0);
            if self.used + cw > self.width {
                if !chunk.is_empty() {
                    self.line
                        .push(Span::styled(std::mem::take(&mut chunk), style));
                }
                self.flush();
            }
            chunk.push(c);
            self.used += cw;
        }
        if !chunk.is_empty() {
            self.line.push(Span::styled(chunk, style));
        }
    }

    fn flush(&mut self) {
        if !self.line.is_empty() {
            self.lines.push(Line::from(std::mem::take(&mut self.line)));
        }
        self.used = 0;
    }
}

/// `label  value` with the value wrapped under itself, so a long value (a whole id, a
/// fingerprint) is never cut off.
pub fn labelled(
    label: (&str, Style),
    label_width: usize,
    value: (&str, Style),
    cols: usize,
) -> Vec<Line<'static>> {
    let wrapped = wrap(&[value], cols.saturating_sub(label_width).max(1));
    wrapped
        .into_iter()
        .enumerate()
        .map(|(i, mut line)| {
            let head = if i == 0 {
                pad(label.0, label_width)
            } else {
                " ".repeat(label_width)
            };
            line.spans.insert(0, Span::styled(head, label.1));
            line
        })
        .collect()
}

/// The end of a long path: the file name matters more than the directories.
pub fn tail(text: &str, cols: usize) -> String {
    let mut used = 0;
    let mut start = text.len();
    for (i, c) in text.char_indices().rev() {
        used += c.width().unwrap_or(0);
        if used + 1 > cols {
            return format!("…{}", &text[start..]);
        }
        start = i;
    }
    text.to_owned()
}

/// The text with a cursor glyph where typing goes, scrolled so the cursor shows.
pub fn with_cursor(input: &Input, cols: usize) -> String {
    let text = sanitize(input.value());
    // The cursor counts characters of the raw text; sanitizing changes only control
    // characters, which typing does not insert, and `nth` keeps the split on a boundary.
    let at = text
        .char_indices()
        .nth(input.cursor())
        .map_or(text.len(), |(i, _)| i);
    let before = tail(&text[..at], cols.saturating_sub(1));
    let room = cols.saturating_sub(width(&before) + 1);
    format!("{before}{CURSOR}{}", fit(&text[at..], room))
}

pub use crate::app::window;

/// A box of at most `width` x `height` centred in `area`.
pub fn centered(area: Rect, width: usize, height: usize) -> Rect {
    let w = u16::try_from(width).unwrap_or(u16::MAX).min(area.width);
    let h = u16::try_from(height).unwrap_or(u16::MAX).min(area.height);
    area.centered(Constraint::Length(w), Constraint::Length(h))
}

/// Rows as columns padded to the widest cell; the last column takes what is left.
pub fn table(
    header: &[&str],
    rows: &[Vec<String>],
    cols: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let n = header.len();
    let mut widths = natural_widths(header, rows);
    // The first columns give way to the last when the box is narrow, leaving it what it
    // needs up to 16 columns.
    let budget = cols.saturating_sub(2 * (n - 1) + widths[n - 1].min(16));
    while widths[..n - 1].iter().sum::<usize>() > budget {
        let widest = (0..n - 1).max_by_key(|&i| widths[i]).unwrap_or(0);
        if widths[widest] <= 8 {
            break;
        }
        widths[widest] -= 1;
    }
    let line = |cells: &[String]| -> String {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == n {
                let used = width(&text);
                text.push_str(&fit(cell, cols.saturating_sub(used)));
            } else {
                text.push_str(&pad(cell, widths[i]));
                text.push_str("  ");
            }
        }
        text
    };
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    let mut lines = vec![Line::styled(line(&header), theme.dim())];
    lines.extend(rows.iter().map(|r| Line::raw(line(r))));
    lines
}

/// Each column's widest cell, its header included.
fn natural_widths(header: &[&str], rows: &[Vec<String>]) -> Vec<usize> {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    widths
}

/// A [`table`] that drops columns rather than cut every one short when the box is
/// narrow: columns are taken in `priority` order (the first always) while they fit at
/// their full width, and drawn in their own order.
pub fn ranked_table(
    header: &[&str],
    rows: &[Vec<String>],
    priority: &[usize],
    cols: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let natural = natural_widths(header, rows);
    let mut kept = Vec::new();
    let mut used = 0;
    for &i in priority {
        let needs = natural[i] + if kept.is_empty() { 0 } else { 2 };
        if kept.is_empty() || used + needs <= cols {
            kept.push(i);
            used += needs;
        }
    }
    kept.sort_unstable();
    let header: Vec<&str> = kept.iter().map(|&i| header[i]).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            kept.iter()
                .map(|&i| r.get(i).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    table(&header, &rows, cols, theme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ranked_table_drops_the_least_needed_columns_first() {
        let header = ["HOSTNAME", "STATE", "SOURCE", "CERT"];
        let rows = vec![vec![
            "www.shop.example".to_owned(),
            "enabled".to_owned(),
            "proxied DNS record".to_owned(),
            "3cf564a0".to_owned(),
        ]];
        let priority = [0, 1, 3, 2];
        let lines = text(&ranked_table(
            &header,
            &rows,
            &priority,
            80,
            Theme::new(false),
        ));
        assert_eq!(
            lines[1],
            "www.shop.example  enabled  proxied DNS record  3cf564a0"
        );
        // SOURCE goes first; the hostname stays whole.
        let lines = text(&ranked_table(
            &header,
            &rows,
            &priority,
            40,
            Theme::new(false),
        ));
        assert_eq!(lines[0], "HOSTNAME          STATE    CERT");
        assert_eq!(lines[1], "www.shop.example  enabled  3cf564a0");
        // However narrow, the first column is drawn.
        let lines = text(&ranked_table(
            &header,
            &rows,
            &priority,
            10,
            Theme::new(false),
        ));
        assert_eq!(lines[1], "www.shop.…");
    }

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn fit_and_pad_count_columns() {
        assert_eq!(fit("shop.example", 8), "shop.ex…");
        assert_eq!(fit("shop", 8), "shop");
        assert_eq!(fit("shop", 0), "");
        assert_eq!(pad("日本語", 5), "日本…");
        // A wide character that does not fit leaves a gap the padding fills.
        assert_eq!(pad("日本語x", 6), "日本… ");
    }

    #[test]
    fn wrap_breaks_words_then_long_tokens() {
        let s = Style::new();
        assert_eq!(
            text(&wrap(&[("the quick brown fox", s)], 10)),
            ["the quick", "brown fox"]
        );
        assert_eq!(
            text(&wrap(&[("id: 0123456789abcdef", s)], 8)),
            ["id: 0123", "456789ab", "cdef"]
        );
        assert_eq!(
            text(&wrap(&[("sha256 AB:CD:EF:01:23", s)], 12)),
            ["sha256 AB:", "CD:EF:01:23"]
        );
        assert!(wrap(&[("x", s)], 0).is_empty());
    }

    #[test]
    fn window_keeps_the_selection_visible() {
        assert_eq!(window(0, 100_000, 10), 0..10);
        assert_eq!(window(25, 100_000, 10), 16..26);
        assert_eq!(window(3, 5, 10), 0..5);
        assert_eq!(window(99_999, 100_000, 10), 99_990..100_000);
        assert_eq!(window(0, 0, 0), 0..0);
    }
}
