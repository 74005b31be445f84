//! Python tools the API tests run, each in a virtualenv outside the clone with pinned packages
//! from PyPI, made once and reused by later runs: schemathesis (T6), and http-ece for the
//! Web Push service the notification tests decrypt with.

use std::env;
use std::path::PathBuf;
use std::process::Command;

use super::{Failure, Outcome, run, step};

/// The release the test's reading of the output was written against.
const VERSION: &str = "4.32.5";
/// The release of http-ece the push service test decrypts with.
const HTTP_ECE: &str = "1.2.1";

/// The `st` program of a virtualenv holding schemathesis, made when missing.
pub fn ensure() -> Outcome<PathBuf> {
    venv(
        &format!("schemathesis-{VERSION}"),
        &format!("schemathesis=={VERSION}"),
        "st",
    )
}

/// The `python` of a virtualenv holding http-ece (and so `cryptography`), made when missing.
pub fn ensure_push_python() -> Outcome<PathBuf> {
    venv(
        &format!("http-ece-{HTTP_ECE}"),
        &format!("http-ece=={HTTP_ECE}"),
        "python",
    )
}

/// `program` of the virtualenv `name` holding `requirement`, made when missing.
fn venv(name: &str, requirement: &str, program: &str) -> Outcome<PathBuf> {
    let venv = cache_dir()?.join(name);
    let path = venv.join("bin").join(program);
    let marker = venv.join(".installed");
    if path.is_file() && marker.is_file() {
        return Ok(path);
    }
    step(format!(
        "{requirement} is missing; installing it from PyPI into {}",
        venv.display()
    ));
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        requirement,
    ]))?;
    if !path.is_file() {
        return Err(Failure::new(format!(
            "pip installed {requirement} but {} is missing",
            path.display()
        )));
    }
    std::fs::write(&marker, requirement)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", marker.display())))?;
    Ok(path)
}

/// `$XDG_CACHE_HOME/ward`, else `~/.cache/ward`.
fn cache_dir() -> Outcome<PathBuf> {
    let base = match env::var_os("XDG_CACHE_HOME").filter(|dir| !dir.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match env::var_os("HOME").filter(|dir| !dir.is_empty()) {
            Some(home) => PathBuf::from(home).join(".cache"),
            None => return Err(Failure::new("neither XDG_CACHE_HOME nor HOME is set")),
        },
    };
    Ok(base.join("ward"))
}
