//! The default keys, and which actions each mode offers: the one place a key is named.

use super::{Action, Mode, Section, When};

/// Every action's name in `[keys]` and its default keys (crokey's syntax: `j`,
/// `shift-g`, `ctrl-c`, `pagedown`). An action means the same thing wherever it works,
/// so it has one set of keys; rebinding it rebinds it in every mode.
pub(super) const DEFAULTS: &[(Action, &str, &[&str])] = &[
    (Action::ForceQuit, "force_quit", &["ctrl-c"]),
    (Action::Quit, "quit", &["q"]),
    (Action::Help, "help", &["?"]),
    (Action::FocusNext, "focus_next", &["tab"]),
    (Action::FocusPrev, "focus_prev", &["backtab"]),
    (Action::Up, "up", &["k", "up"]),
    (Action::Down, "down", &["j", "down"]),
    (Action::Top, "top", &["g", "home"]),
    (Action::Bottom, "bottom", &["shift-g", "end"]),
    (Action::PageUp, "page_up", &["pageup"]),
    (Action::PageDown, "page_down", &["pagedown"]),
    (Action::Left, "left", &["left"]),
    (Action::Right, "right", &["right"]),
    (Action::Backspace, "backspace", &["backspace"]),
    (Action::DeleteWord, "delete_word", &["ctrl-w"]),
    (Action::ClearLine, "clear_line", &["ctrl-u"]),
    (Action::Filter, "filter", &["/"]),
    (Action::Accept, "accept", &["enter"]),
    (Action::Cancel, "cancel", &["esc"]),
    (Action::Yes, "yes", &["y", "shift-y"]),
    (Action::No, "no", &["n", "shift-n"]),
    (Action::Toggle, "toggle", &["e"]),
    (Action::ToggleGlobal, "toggle_global", &["shift-e"]),
    (Action::Fleet, "fleet", &["a"]),
    (Action::Sort, "sort", &["s"]),
    (Action::Mark, "mark", &["space"]),
    (Action::Upload, "upload", &["u"]),
    (Action::Delete, "delete", &["d", "delete"]),
    (Action::Refresh, "refresh", &["r"]),
    (Action::Rotate, "rotate", &["shift-r"]),
    (Action::Hostnames, "hostnames", &["shift-h"]),
    (Action::Disable, "disable", &["x"]),
    (Action::Clear, "clear", &["shift-x"]),
    (Action::Associate, "associate", &["shift-a"]),
    (Action::CopyId, "copy_id", &["c"]),
    (Action::CopyPem, "copy_pem", &["shift-c"]),
];

const fn entry(action: Action, help: &'static str, footer: Option<&'static str>) -> super::Entry {
    super::Entry {
        action,
        help,
        footer,
    }
}

use Action::*;

const MAIN: &[Mode] = &[Mode::Main];
const SCREENS: &[Mode] = &[Mode::Main, Mode::Fleet];
const TEXT: &[Mode] = &[
    Mode::Filter,
    Mode::Upload,
    Mode::RotateForm,
    Mode::AssociateForm,
];

/// Most specific first: the footer lists what is particular to the focused pane
/// before what works everywhere, and help reads best in the same order.
pub(super) const SECTIONS: &[Section] = &[
    Section {
        title: "Zone list",
        modes: MAIN,
        when: When::ZonesFocused,
        entries: &[
            entry(
                Accept,
                "open the zone: load its certificates and enablement",
                Some("open"),
            ),
            entry(
                Filter,
                "filter zones as you type (fzf syntax: ^start end$ 'exact !not)",
                Some("filter"),
            ),
            entry(Cancel, "clear a kept filter", None),
            entry(Mark, "mark or unmark the zone (for a rotation)", None),
        ],
    },
    Section {
        title: "Certificate list",
        modes: MAIN,
        when: When::CertsFocused,
        entries: &[entry(
            Delete,
            "delete the selected certificate (asks first)",
            Some("delete"),
        )],
    },
    Section {
        title: "Per-hostname view (H)",
        modes: MAIN,
        when: When::HostnamesShown,
        entries: &[
            entry(
                Upload,
                "upload a hostname certificate and its key",
                Some("upload"),
            ),
            entry(
                Delete,
                "delete the selected hostname certificate (asks first; refused while a known hostname uses it)",
                Some("delete"),
            ),
            entry(
                Associate,
                "associate hostnames with the selected hostname certificate (enabled), in one PUT",
                Some("associate"),
            ),
            entry(
                Disable,
                "disable the selected hostname: keep its association, send it no certificate (asks first)",
                Some("disable"),
            ),
            entry(
                Clear,
                "clear the selected hostname: remove its association, so the zone level applies (asks first)",
                Some("clear"),
            ),
        ],
    },
    Section {
        title: "Zone-level certificates",
        modes: MAIN,
        when: When::CertsShown,
        entries: &[entry(
            Upload,
            "upload a certificate and its key",
            Some("upload"),
        )],
    },
    Section {
        title: "Once a zone is open",
        modes: MAIN,
        when: When::ZoneOpen,
        entries: &[
            entry(
                Toggle,
                "toggle zone-level AOP enablement (no dialog)",
                Some("toggle"),
            ),
            entry(
                ToggleGlobal,
                "toggle global AOP, Cloudflare's shared certificate (no dialog)",
                Some("global"),
            ),
            entry(
                Hostnames,
                "per-hostname AOP: the hostname certificates and the known hostnames' associations (enabled: the certificate is sent; disabled: none is, even with zone-level on; none: the zone level applies); H again goes back",
                Some("hostnames"),
            ),
            entry(
                CopyId,
                "copy the selected certificate's id to the clipboard (OSC 52, over SSH too)",
                None,
            ),
            entry(
                CopyPem,
                "copy the selected certificate's PEM to the clipboard",
                None,
            ),
        ],
    },
    Section {
        title: "Fleet view (a): every zone, surveyed",
        modes: &[Mode::Fleet],
        when: When::Always,
        entries: &[
            entry(Accept, "open the selected zone", Some("open")),
            entry(
                Sort,
                "sort: findings first, soonest expiry, name",
                Some("sort"),
            ),
            entry(
                Mark,
                "mark or unmark the zone (for a rotation)",
                Some("mark"),
            ),
            entry(Filter, "filter zones as in the zone list", Some("filter")),
            entry(Cancel, "clear a kept filter, or go back to the zones", None),
            entry(Fleet, "go back to the zones", Some("zones")),
        ],
    },
    Section {
        title: "Rotation",
        modes: SCREENS,
        when: When::Always,
        entries: &[entry(
            Rotate,
            "rotate the marked zones, or the open zone, to a new certificate without an outage",
            Some("rotate"),
        )],
    },
    Section {
        title: "Lists and the detail pane",
        modes: SCREENS,
        when: When::Always,
        entries: &[
            entry(Down, "move down (scroll, in the detail pane)", None),
            entry(Up, "move up", None),
            entry(Top, "go to the top", None),
            entry(Bottom, "go to the bottom", None),
            entry(PageDown, "page down", None),
            entry(PageUp, "page up", None),
        ],
    },
    Section {
        title: "Main screen",
        modes: MAIN,
        when: When::Always,
        entries: &[
            entry(
                Fleet,
                "the fleet view: every zone across the three levels",
                Some("fleet"),
            ),
            entry(
                FocusNext,
                "focus the next pane (zones → certificates → detail)",
                None,
            ),
            entry(FocusPrev, "focus the previous pane", None),
        ],
    },
    Section {
        title: "Main screen and fleet view",
        modes: SCREENS,
        when: When::Always,
        entries: &[
            entry(
                Refresh,
                "refresh the zone list (and the open zone)",
                Some("refresh"),
            ),
            entry(Help, "this help", Some("help")),
            entry(Quit, "quit", Some("quit")),
        ],
    },
    Section {
        title: "Filter (after /)",
        modes: &[Mode::Filter],
        when: When::Always,
        entries: &[
            entry(
                Accept,
                "keep the filter and go back to the list",
                Some("keep filter"),
            ),
            entry(Cancel, "clear the filter", Some("clear filter")),
            entry(Down, "select the next match", None),
            entry(Up, "select the previous match", None),
        ],
    },
    Section {
        title: "Upload form",
        modes: &[Mode::Upload],
        when: When::Always,
        entries: &[
            entry(
                Accept,
                "check both files locally, then upload",
                Some("upload"),
            ),
            entry(
                Cancel,
                "close the form (an upload already sent still lands)",
                Some("cancel"),
            ),
            entry(FocusNext, "switch field", Some("switch field")),
            entry(FocusPrev, "switch field", None),
            entry(Down, "switch field", None),
            entry(Up, "switch field", None),
        ],
    },
    Section {
        title: "Rotation form (R)",
        modes: &[Mode::RotateForm],
        when: When::Always,
        entries: &[
            entry(
                Accept,
                "check both files, read the zones' certificates, show the plan",
                Some("plan"),
            ),
            entry(FocusNext, "complete the file name", Some("complete")),
            entry(Down, "switch field", Some("switch field")),
            entry(Up, "switch field", None),
            entry(Cancel, "close the form: nothing is sent", Some("cancel")),
        ],
    },
    Section {
        title: "Rotation plan",
        modes: &[Mode::RotationPlan],
        when: When::Always,
        entries: &[
            entry(Yes, "run the plan shown", Some("rotate")),
            entry(No, "cancel: nothing is uploaded or deleted", Some("cancel")),
            entry(Cancel, "cancel: nothing is uploaded or deleted", None),
        ],
    },
    Section {
        title: "Rotation progress",
        modes: &[Mode::RotationProgress],
        when: When::Always,
        entries: &[entry(
            Cancel,
            "hide it while it runs (it goes on; R shows it again), close it once done",
            Some("hide/close"),
        )],
    },
    Section {
        title: "Rotation plan and progress",
        modes: &[Mode::RotationPlan, Mode::RotationProgress],
        when: When::Always,
        entries: &[
            entry(Down, "scroll down", Some("scroll")),
            entry(Up, "scroll up", None),
        ],
    },
    Section {
        title: "Text fields (filter, upload, rotation and associate forms): other keys type",
        modes: TEXT,
        when: When::Always,
        entries: &[
            entry(Left, "cursor left", None),
            entry(Right, "cursor right", None),
            entry(Top, "cursor to the start", None),
            entry(Bottom, "cursor to the end", None),
            entry(Backspace, "delete before the cursor", None),
            entry(Delete, "delete under the cursor", None),
            entry(DeleteWord, "delete the word before the cursor", None),
            entry(ClearLine, "clear the field", None),
        ],
    },
    Section {
        title: "Delete dialog",
        modes: &[Mode::ConfirmDelete],
        when: When::Always,
        entries: &[
            entry(
                Yes,
                "delete the certificate the dialog names",
                Some("delete"),
            ),
            entry(No, "cancel: nothing is sent", Some("cancel")),
            entry(Cancel, "cancel: nothing is sent", Some("cancel")),
        ],
    },
    Section {
        title: "Associate form (A)",
        modes: &[Mode::AssociateForm],
        when: When::Always,
        entries: &[
            entry(
                Accept,
                "associate the hostnames typed (separated by spaces or commas)",
                Some("associate"),
            ),
            entry(Cancel, "close the form: nothing is sent", Some("cancel")),
        ],
    },
    Section {
        title: "Disable/clear dialog",
        modes: &[Mode::ConfirmHostname],
        when: When::Always,
        entries: &[
            entry(Yes, "make the change the dialog names", Some("confirm")),
            entry(No, "cancel: nothing is sent", Some("cancel")),
            entry(Cancel, "cancel: nothing is sent", Some("cancel")),
        ],
    },
    Section {
        title: "This help",
        modes: &[Mode::Help],
        when: When::Always,
        entries: &[
            entry(Cancel, "close it", Some("close")),
            entry(Help, "close it", None),
            entry(Down, "scroll down", Some("scroll")),
            entry(Up, "scroll up", None),
            entry(Top, "scroll to the top", None),
            entry(Bottom, "scroll to the bottom", None),
            entry(PageDown, "page down", None),
            entry(PageUp, "page up", None),
            entry(Quit, "quit", None),
        ],
    },
    Section {
        title: "Without credentials",
        modes: &[Mode::NoCredentials],
        when: When::Always,
        entries: &[
            entry(Quit, "quit", Some("quit")),
            entry(Cancel, "quit", None),
        ],
    },
    Section {
        title: "Anywhere",
        modes: &Mode::ALL,
        when: When::Always,
        entries: &[entry(
            ForceQuit,
            "quit at once, even from a text field or a dialog",
            None,
        )],
    },
];
