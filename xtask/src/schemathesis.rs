//! Schemathesis (T6) for the API tests: a virtualenv outside the clone with a pinned
//! schemathesis from PyPI, made once and reused by later runs.

use std::env;
use std::path::PathBuf;
use std::process::Command;

use super::{Failure, Outcome, run, step};

/// The release the test's reading of the output was written against.
const VERSION: &str = "4.32.5";

/// The `st` program of a virtualenv holding schemathesis, made when missing.
pub fn ensure() -> Outcome<PathBuf> {
    let venv = cache_dir()?.join(format!("schemathesis-{VERSION}"));
    let st = venv.join("bin").join("st");
    if st.is_file() {
        return Ok(st);
    }
    step(format!(
        "schemathesis is missing; installing {VERSION} from PyPI into {}",
        venv.display()
    ));
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("schemathesis=={VERSION}"),
    ]))?;
    if st.is_file() {
        Ok(st)
    } else {
        Err(Failure::new(format!(
            "pip installed schemathesis but {} is missing",
            st.display()
        )))
    }
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
