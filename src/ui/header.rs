//! The top line: the app, the account it talks to and the token's state; help and quit.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::fit::{fit, width};
use super::hints;
use super::inset;
use super::theme::Theme;
use crate::app::Model;
use crate::text::sanitize;

const NAME: &str = "originpull";

pub fn render(model: &Model, frame: &mut Frame, area: Rect, theme: Theme) {
    let area = inset(area);
    let right = hints::line(&hints::header(model), theme);

    let account = model.account_name().unwrap_or(&model.endpoint);
    let mut rest = match &model.profile {
        Some(profile) => format!(" · profile {} · {}", sanitize(profile), sanitize(account)),
        None => format!(" · {}", sanitize(account)),
    };
    if let Some(token) = &model.token_status {
        rest.push_str(" · ");
        rest.push_str(&sanitize(token));
    }
    let room = usize::from(area.width).saturating_sub(right.width() + 2 + NAME.len());
    let rest = fit(&rest, room);
    let left_width = NAME.len() + width(&rest);
    frame.render_widget(
        Line::from(vec![Span::styled(NAME, theme.bold()), Span::raw(rest)]),
        area,
    );
    if left_width + 2 + right.width() <= usize::from(area.width) {
        frame.render_widget(right.right_aligned(), area);
    }
}
