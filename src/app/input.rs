//! A single-line text field: the filter and the upload form's paths.

/// Text with a cursor, edited by character (not byte), so any UTF-8 input is safe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl TextInput {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte_index(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Pasted or typed text; line breaks are dropped, a path is one line.
    pub fn insert_str(&mut self, s: &str) {
        for c in s.chars().filter(|c| !c.is_control()) {
            self.insert(c);
        }
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_index(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.chars().count() {
            let at = self.byte_index(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.chars().count();
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    fn byte_index(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }
}

impl From<&str> for TextInput {
    fn from(s: &str) -> Self {
        let mut input = Self::default();
        input.insert_str(s);
        input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_by_character() {
        let mut t = TextInput::from("héllo");
        t.left();
        t.backspace();
        assert_eq!(t.text(), "hélo");
        t.home();
        t.delete();
        t.insert('H');
        assert_eq!(t.text(), "Hélo");
        t.end();
        t.insert_str("!\n");
        assert_eq!(t.text(), "Hélo!");
        assert_eq!(t.cursor(), 5);
    }
}
