//! The TUI's rotation (`R`): the form that names the new certificate, then the plan,
//! then each zone's progress, all over the same engine and journal as `rotate`.

use tui_input::Input;

use crate::api::{Association, Certificate};
use crate::certinfo::CertDetails;
use crate::rotate::Rotation;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotateField {
    Certificate,
    Key,
}

/// Where the rotation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The paths are typed.
    Form,
    /// The files are checked and each zone's list read, for the plan.
    Checking,
    /// The plan waits for `y`.
    Plan,
    Running,
    Finished,
}

/// What the form shows of the new certificate as soon as its file reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewCertView {
    Read(CertDetails),
    Unreadable(String),
}

#[derive(Debug)]
pub struct RotationPane {
    /// The zones to rotate (id, name), in the order shown.
    pub zones: Vec<(String, String)>,
    pub stage: Stage,
    pub cert_path: Input,
    pub key_path: Input,
    pub field: RotateField,
    /// File names that complete what is typed, when more than one does.
    pub completions: Vec<String>,
    /// The new certificate, parsed from `cert_path`, and the path it was read from.
    pub new_cert: Option<(String, NewCertView)>,
    /// The open zone's certificates when the form opened, to show beside the new one.
    pub current: Option<(String, Vec<Certificate>)>,
    pub error: Option<String>,
    /// The engine, once the files are checked.
    pub rotation: Option<Rotation>,
    /// Calls of this rotation out now.
    pub in_flight: usize,
    /// Lines of the plan or progress table scrolled off its top.
    pub scroll: usize,
    /// A call id that ties the executor's replies to this pane, not to one opened after.
    pub id: u64,
    /// From the per-hostname view: the open zone's hostname certificate rotates, and
    /// these known hostnames (with their associations) move to the new one.
    pub hostnames: Option<Vec<(String, Association)>>,
}

impl RotationPane {
    pub fn new(
        id: u64,
        zones: Vec<(String, String)>,
        current: Option<(String, Vec<Certificate>)>,
    ) -> Self {
        Self {
            zones,
            stage: Stage::Form,
            cert_path: Input::default(),
            key_path: Input::default(),
            field: RotateField::Certificate,
            completions: Vec::new(),
            new_cert: None,
            current,
            error: None,
            rotation: None,
            in_flight: 0,
            scroll: 0,
            id,
            hostnames: None,
        }
    }

    pub fn active_field(&mut self) -> &mut Input {
        match self.field {
            RotateField::Certificate => &mut self.cert_path,
            RotateField::Key => &mut self.key_path,
        }
    }

    /// Still going: cancelling it would leave work undone.
    pub fn running(&self) -> bool {
        self.stage == Stage::Running
    }
}
