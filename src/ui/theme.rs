//! Every style the screen uses, in one place. Under `NO_COLOR` these keep only
//! modifiers (bold, reversed), and the words and symbols beside them carry the meaning.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use ratatui::text::Line;
use ratatui::widgets::Block;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warn(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn pending(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Secondary text: hints, separators, absent values.
    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn accent(self) -> Style {
        self.fg(Color::Cyan)
    }

    /// Characters the zone filter matched: underlined, so they show without colour.
    pub fn matched(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// A key name in hints: bold so it reads as a key without colour.
    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row of the focused list; the `▶` marker shows it everywhere else.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// A pane: the focused one gets a thick accented border, visible without colour.
    pub fn pane<'a>(self, title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
        let block = Block::bordered().title(title);
        if focused {
            block.border_set(border::THICK).border_style(self.key())
        } else {
            block.border_style(self.dim())
        }
    }

    /// An overlay box, drawn over the panes.
    pub fn dialog<'a>(self, title: impl Into<Line<'a>>, style: Style) -> Block<'a> {
        Block::bordered()
            .border_set(border::ROUNDED)
            .border_style(style)
            .title(title)
    }
}
