//! Rebuilds the server when the web client's build output (embedded with rust-embed) changes,
//! including when it first appears.

fn main() {
    println!("cargo:rerun-if-changed=../../web/dist");
    println!("cargo:rerun-if-changed=build.rs");
}
