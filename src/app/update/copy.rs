//! `c` and `C`: the selected certificate's id or PEM to the clipboard. The terminal
//! does the copying (OSC 52), so it works over SSH, where no local clipboard is.

use super::{Cmd, Model};
use crate::api::Certificate;
use crate::app::model::HostnameRow;
use crate::text::short_id;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Id,
    Pem,
}

pub(super) fn copy(model: &mut Model, what: What, cmds: &mut Vec<Cmd>) {
    let Some(open) = &model.open else {
        model.info("open a zone first: c and C copy its selected certificate");
        return;
    };
    // On the per-hostname view a hostname row stands for the certificate it uses.
    let (id, cert): (Option<String>, Option<&Certificate>) = match open.hostnames {
        Some(_) => match open.selected_hostname_row() {
            Some(HostnameRow::Cert(cert)) => (cert.id.clone(), Some(cert)),
            Some(HostnameRow::Host(host)) => {
                let id = host.association.as_ref().and_then(|a| a.cert_id.clone());
                let cert = open
                    .hostname_certs
                    .loaded()
                    .and_then(|certs| certs.iter().find(|c| c.id.is_some() && c.id == id));
                (id, cert)
            }
            None => (None, None),
        },
        None => match open.selected_row() {
            Some(row) => (row.cert.id.clone(), Some(&row.cert)),
            None => (None, None),
        },
    };
    let Some(id) = id else {
        model.info("no certificate is selected: nothing was copied");
        return;
    };
    let short = short_id(&id).to_owned();
    match what {
        What::Id => {
            model.info(format!(
                "copied the id of certificate {short} to the clipboard"
            ));
            cmds.push(Cmd::Copy { text: id });
        }
        What::Pem => match cert.and_then(|c| c.certificate.clone()) {
            Some(pem) => {
                let lines = pem.lines().count();
                model.info(format!(
                    "copied the PEM of certificate {short} ({lines} lines) to the clipboard"
                ));
                cmds.push(Cmd::Copy { text: pem });
            }
            None => model.info(format!(
                "the API gave no PEM for certificate {short}: nothing was copied"
            )),
        },
    }
}
