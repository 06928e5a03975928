//! What sits on top of the main screen: help, the delete dialog, the upload form, the
//! rotation.

use tui_input::Input;

use super::Ticket;

#[derive(Debug, Clone)]
pub enum Overlay {
    Help,
    ConfirmDelete(DeleteConfirm),
    Upload(UploadForm),
    /// The rotation pane (`Model::rotation`) on top.
    Rotate,
    ConfirmHostname(HostnameConfirm),
    Associate(AssociateForm),
}

/// Hostnames to associate with one hostname certificate, typed.
#[derive(Debug, Clone)]
pub struct AssociateForm {
    pub ticket: Ticket,
    pub zone_name: String,
    pub cert_id: String,
    pub hostnames: Input,
    pub error: Option<String>,
}

/// Disabling keeps the association and sends no certificate; clearing removes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostnameChange {
    Disable,
    Clear,
}

/// The dialog before a hostname's association changes: it names the hostname, the
/// change, and what the origin will see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostnameConfirm {
    pub ticket: Ticket,
    pub zone_name: String,
    pub hostname: String,
    pub cert_id: Option<String>,
    pub change: HostnameChange,
    /// What the edge will present to the origin for this hostname afterwards.
    pub consequence: String,
}

/// The delete dialog names the certificate it will delete, and only that one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteConfirm {
    pub ticket: Ticket,
    pub zone_name: String,
    pub cert_id: String,
    pub issuer: String,
    pub expires: String,
    /// Deleting the zone's only active certificate while enablement is on.
    pub only_active_while_enabled: bool,
    /// A hostname certificate (from the per-hostname view), not a zone-level one.
    pub hostname: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadField {
    Certificate,
    Key,
}

#[derive(Debug, Clone)]
pub struct UploadForm {
    pub ticket: Ticket,
    pub zone_name: String,
    pub cert_path: Input,
    pub key_path: Input,
    pub field: UploadField,
    pub error: Option<String>,
    /// The upload call in flight, if one is: its reply belongs to this form, not to
    /// a form opened after this one was closed mid-upload.
    pub submitting: Option<u64>,
    /// A hostname certificate (from the per-hostname view), not a zone-level one.
    pub hostname: bool,
}

impl UploadForm {
    pub fn new(ticket: Ticket, zone_name: String) -> Self {
        Self {
            ticket,
            zone_name,
            cert_path: Input::default(),
            key_path: Input::default(),
            field: UploadField::Certificate,
            error: None,
            submitting: None,
            hostname: false,
        }
    }

    pub fn active_field(&mut self) -> &mut Input {
        match self.field {
            UploadField::Certificate => &mut self.cert_path,
            UploadField::Key => &mut self.key_path,
        }
    }
}
