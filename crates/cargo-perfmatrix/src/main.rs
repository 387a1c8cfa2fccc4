//! `cargo perfmatrix`: perfmatrix's commands for any workspace, without an xtask. Cargo runs it
//! as `cargo-perfmatrix perfmatrix <command> …`; it runs the command in the workspace around the
//! current folder.

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    // Cargo passes its name for the subcommand first.
    if args.get(1).map(String::as_str) == Some("perfmatrix") {
        args.remove(1);
    }
    perfmatrix::main("cargo perfmatrix", args, perfmatrix::workspace_root)
}
