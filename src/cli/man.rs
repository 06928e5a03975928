//! `originpull man`: one roff page covering the program and every subcommand, so
//! `man -l -` (or a packager's `originpull man > originpull.1`) has it all in one place.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_mangen::Man;
use roff::{Roff, roman};

use super::Cli;

pub fn print(out: &mut dyn Write) -> io::Result<()> {
    let mut cli = Cli::command().disable_help_subcommand(true);
    // Built, every subcommand knows its full name ("originpull hostnames set").
    cli.build();
    Man::new(cli.clone()).render(out)?;
    // The global options are described once, above: not again under every command.
    let globals: Vec<clap::Id> = cli
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().clone())
        .collect();
    let mut commands = Roff::new();
    commands.control("SH", ["COMMANDS IN DETAIL"]);
    commands.to_writer(out)?;
    for sub in cli.get_subcommands() {
        section(sub, &globals, out)?;
    }
    Ok(())
}

/// A subcommand as a subsection: its name, what it does, its synopsis and options;
/// then its own subcommands.
fn section(cmd: &clap::Command, globals: &[clap::Id], out: &mut dyn Write) -> io::Result<()> {
    let name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    let mut head = Roff::new();
    head.control("SS", [name]);
    let about = cmd.get_long_about().or_else(|| cmd.get_about());
    if let Some(about) = about {
        head.text([roman(about.to_string())]);
    }
    head.to_writer(out)?;
    // clap_mangen writes each part as a top-level section (.SH): inside this one
    // they are paragraphs.
    let mut own = cmd.clone();
    for id in globals {
        if own.get_arguments().any(|a| a.get_id() == id) {
            own = own.mut_arg(id, |a| a.hide(true));
        }
    }
    let man = Man::new(own.clone());
    let mut parts = Vec::new();
    man.render_synopsis_section(&mut parts)?;
    if own.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut parts)?;
    }
    for line in String::from_utf8_lossy(&parts).lines() {
        if line.starts_with(".SH ") {
            writeln!(out, ".PP")?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    for sub in cmd.get_subcommands() {
        section(sub, globals, out)?;
    }
    Ok(())
}
