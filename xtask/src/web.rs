//! The web client (`web/`): install its npm packages, type-check it (its API types against the
//! committed OpenAPI document too), build it into `web/dist` (which the `ward` binary embeds),
//! and run its end-to-end tests in Debian's Chromium.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Failure, Outcome, cargo, ensure_program, on_path, run, step, workspace_root};

const CHROMIUM: &str = "/usr/bin/chromium";

fn web_dir() -> PathBuf {
    workspace_root().join("web")
}

fn npm(args: &[&str]) -> Command {
    let mut cmd = Command::new("npm");
    cmd.args(args).current_dir(web_dir());
    cmd
}

/// Installs the locked npm packages when `node_modules` is missing or older than the lock file.
fn ensure_packages() -> Outcome {
    if !on_path("node") || !on_path("npm") {
        return Err(Failure::new(
            "Node.js 20.19 or later with npm is needed to build the web client",
        ));
    }
    let dir = web_dir();
    let installed = modified(&dir.join("node_modules/.package-lock.json"));
    let locked = modified(&dir.join("package-lock.json"));
    if matches!((installed, locked), (Some(installed), Some(locked)) if installed >= locked) {
        return Ok(());
    }
    run(&mut npm(&["ci", "--no-audit", "--no-fund"]))
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

/// `cargo xtask openapi`: writes the document this build serves to `web/openapi.json` (with
/// `ward openapi`), then regenerates the client's API types from it.
pub fn regenerate_api_types() -> Outcome {
    let output = cargo()
        .args([
            "run", "--quiet", "-p", "ward-cli", "--bin", "ward", "--", "openapi",
        ])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| Failure::new(format!("cannot run `ward openapi`: {e}")))?;
    if !output.status.success() {
        return Err(Failure::new("`ward openapi` failed"));
    }
    let path = web_dir().join("openapi.json");
    std::fs::write(&path, &output.stdout)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", path.display())))?;
    ensure_packages()?;
    run(&mut npm(&["run", "gen:api"]))
}

/// `check:api`: the generated API types (`web/src/lib/api-schema.d.ts`) match `web/openapi.json`;
/// then `svelte-check`: the client's TypeScript and Svelte diagnostics, warnings included.
pub fn check() -> Outcome {
    ensure_packages()?;
    run(&mut npm(&["run", "check:api"]))?;
    run(&mut npm(&["run", "check"]))
}

/// Builds the client into `web/dist` for the next `cargo build` to embed.
pub fn build() -> Outcome {
    ensure_packages()?;
    run(&mut npm(&["run", "build"]))
}

/// Runs the browser tests against the debug `ward` binary. The Rust test run builds that binary
/// (the CLI tests need it) after `build` refreshed `web/dist`; it is built here only if missing.
pub fn end_to_end() -> Outcome {
    ensure_program("chromium", "chromium")?;
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let bin = target.join("debug/ward");
    if !bin.exists() {
        run(cargo().args(["build", "-p", "ward-cli", "--bin", "ward"]))?;
    }
    step(format!("WARD_BIN={}", bin.display()));
    run(npm(&["run", "e2e"])
        .env("WARD_BIN", bin)
        .env("WARD_CHROMIUM", CHROMIUM))
}
