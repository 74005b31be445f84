//! `ward`: the server, the demo, and the operator's tools.

mod admin;
mod audit;
mod backup;
mod bench;
mod compliance;
mod demo;
mod demo_seed;
mod report;
mod serve;
mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc rather than glibc's malloc: glibc keeps freed large blocks on its heaps once its
/// adaptive threshold has risen (each 19 MiB Argon2 block of a sign-in, for one), so a server
/// that had signed 100 users in held 465 MiB; with mimalloc it gives them back.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "ward", version, about = "Secure clinical messaging")]
struct Cli {
    /// Log lines as JSON (for log shippers) instead of text.
    #[arg(long, global = true, env = "WARD_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

/// Where the configuration comes from; flags override `WARD_*` variables, which override the
/// file.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// A TOML configuration file.
    #[arg(long, env = "WARD_CONFIG")]
    config: Option<PathBuf>,
    /// The data directory (database, root key).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the server.
    Serve {
        #[command(flatten)]
        config: ConfigArgs,
        /// Address to listen on, e.g. 127.0.0.1:8443.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Runs a server with a demo organisation on embedded storage and prints the logins.
    Demo {
        /// Where the demo keeps its data (reused on the next run).
        #[arg(long, default_value = "ward-demo")]
        data_dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// Administration that needs the data directory, not a session.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// Measures throughput, latency and catch-up over the real API (starts its own server).
    Bench(bench::BenchArgs),
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Writes a consistent, sealed backup of the embedded database while the server runs
    /// (`--out FILE`), or checks one (`verify FILE`).
    Backup(backup::BackupArgs),
    /// Restores a backup into a data directory without a database (server stopped).
    Restore(backup::RestoreArgs),
    /// A compliance report (user activity, failed sign-ins, exports) as JSON or CSV.
    Report(report::ReportArgs),
    /// HIPAA evidence: the report per safeguard, and the live self-test.
    Compliance {
        #[command(subcommand)]
        command: compliance::ComplianceCommand,
    },
    /// Prints the OpenAPI document of this build's API (what `/api/v1/openapi.json` serves).
    Openapi,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    settings::init_logging(cli.log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { config, listen } => serve::run(&config, listen).await,
            Command::Demo { data_dir, listen } => demo::run(data_dir, listen).await,
            Command::Admin { command } => admin::run(command).await,
            Command::Audit { command } => audit::run(command).await,
            Command::Bench(args) => bench::run(args).await,
            Command::Backup(args) => backup::backup(args).await,
            Command::Restore(args) => backup::restore(args),
            Command::Report(args) => report::run(args).await,
            Command::Compliance { command } => compliance::run(command).await,
            Command::Openapi => print_openapi(),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit_code(&e)
        }
    }
}

fn print_openapi() -> anyhow::Result<ExitCode> {
    let document = ward_server::openapi_document().to_pretty_json()?;
    println!("{document}");
    Ok(ExitCode::SUCCESS)
}

/// Arguments a command refuses before doing anything (exit 2, like clap's own refusals).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// 2 when the arguments are refused, or the data directory or the keys are not those of a
/// deployment the command can use (nothing was done), 1 for any other failure.
fn exit_code(e: &anyhow::Error) -> ExitCode {
    if e.chain()
        .any(|cause| cause.is::<ward_server::OpenError>() || cause.is::<UsageError>())
    {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}
