//! The zone names the filter searches, packed for scanning.

use super::bonus;
use crate::api::Zone;

/// Every zone name in one buffer, in list order: scoring then reads memory front to
/// back instead of following a pointer per zone, which is most of the cost of
/// scoring 100,000 names.
#[derive(Debug, PartialEq)]
pub(super) struct NameIndex {
    pub(super) text: String,
    ends: Vec<usize>,
    /// Names the shortcuts cannot score (not ASCII), in list order. Zone names are
    /// ASCII (IDNs come as punycode), so rarely any.
    pub(super) odd: Vec<usize>,
    /// What each byte of `text` is worth to a match starting there (`bonus`),
    /// worked out as names arrive rather than on every keystroke.
    worth: Vec<u8>,
    /// Per name, the most a place after its first is worth; `u8::MAX` for a name
    /// that is not ASCII, so no shortcut ever takes it.
    peaks: Vec<u8>,
}

impl NameIndex {
    pub(super) fn new(zones: &[Zone]) -> Self {
        let mut names = Self {
            text: String::with_capacity(zones.iter().map(|z| z.name.len()).sum()),
            ends: Vec::with_capacity(zones.len()),
            odd: Vec::new(),
            worth: Vec::with_capacity(zones.iter().map(|z| z.name.len()).sum()),
            peaks: Vec::with_capacity(zones.len()),
        };
        names.extend(zones);
        names
    }

    pub(super) fn extend(&mut self, zones: &[Zone]) {
        for z in zones {
            if !z.name.is_ascii() {
                self.odd.push(self.ends.len());
            }
            let from = self.worth.len();
            bonus::each(z.name.as_bytes(), &mut self.worth);
            self.peaks.push(if z.name.is_ascii() {
                self.worth[from..]
                    .iter()
                    .skip(1)
                    .copied()
                    .max()
                    .unwrap_or(0)
            } else {
                u8::MAX
            });
            self.text.push_str(&z.name);
            self.ends.push(self.text.len());
        }
    }

    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Where name `i` starts in `text`.
    pub(super) fn start(&self, i: usize) -> usize {
        i.checked_sub(1).map_or(0, |p| self.ends[p])
    }

    /// Where name `i` ends in `text`.
    pub(super) fn end(&self, i: usize) -> usize {
        self.ends[i]
    }

    /// What the byte at `at` in `text` is worth.
    pub(super) fn worth_at(&self, at: usize) -> u8 {
        self.worth[at]
    }

    /// What each place in name `i` is worth, byte by byte.
    pub(super) fn worth(&self, i: usize) -> &[u8] {
        &self.worth[self.start(i)..self.ends[i]]
    }

    pub(super) fn ascii(&self, i: usize) -> bool {
        self.peaks[i] != u8::MAX
    }

    pub(super) fn peak(&self, i: usize) -> u8 {
        self.peaks[i]
    }

    pub(super) fn name(&self, i: usize) -> &str {
        &self.text[self.start(i)..self.ends[i]]
    }

    /// Name `i` as bytes: quicker to take than `name`, which checks it cuts the
    /// text between characters.
    pub(super) fn bytes(&self, i: usize) -> &[u8] {
        &self.text.as_bytes()[self.start(i)..self.ends[i]]
    }
}
