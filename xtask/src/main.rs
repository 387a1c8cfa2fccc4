//! `cargo xtask`: perfmatrix's commands on this workspace, the parent of this crate's folder.

fn main() -> std::process::ExitCode {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    perfmatrix::main("cargo xtask", std::env::args(), || Ok(root))
}
