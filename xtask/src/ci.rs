//! `cargo xtask ci`: everything CI runs, in one command that also installs
//! what the tests need when it is missing (Chromium and Java from Debian, the
//! npm packages of `e2e/`, Python's `icalendar` in a venv under `target/`)
//! and starts the local PostgreSQL if it is down.
//! Under `CI=true` nothing may be skipped: a missing database or browser fails.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

pub const USAGE: &str = "\
cargo xtask ci [--no-lint]
    rustfmt, clippy, the Rust tests on SQLite and PostgreSQL, the browser tests";

/// The PostgreSQL server tests use when none is named.
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The iCalendar parser the invite tests check every generated file with
/// (PyPI `icalendar`), pinned so a new release cannot change the verdict.
const ICALENDAR: &str = "icalendar==7.3.2";

pub fn run(args: &[String]) -> Result<()> {
    let mut lint = true;
    for a in args {
        match a.as_str() {
            "--no-lint" => lint = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown option `{other}`\n{USAGE}"),
        }
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if ci && !lint {
        bail!("--no-lint is not allowed under CI=true");
    }
    let root = workspace_root();
    let mut steps: Vec<(&str, Duration)> = Vec::new();

    if lint {
        timed(&mut steps, "rustfmt", || {
            cargo(&root, &["fmt", "--all", "--check"], &[])
        })?;
        timed(&mut steps, "clippy", || {
            cargo(
                &root,
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
                &[],
            )
        })?;
    }

    let postgres = ensure_postgres(ci)?;
    let mut env: Vec<(&str, String)> = Vec::new();
    if let Some(url) = &postgres {
        env.push(("DEBRIEF_TEST_POSTGRES_URL", url.clone()));
    }
    let mut python = None;
    timed(&mut steps, "python icalendar", || {
        python = ensure_python_icalendar(&root, ci)?;
        Ok(())
    })?;
    if let Some(p) = &python {
        env.push(("DEBRIEF_TEST_PYTHON", p.display().to_string()));
    }
    timed(&mut steps, "rust tests (SQLite + PostgreSQL)", || {
        cargo(&root, &["test", "--workspace", "--exclude", "xtask"], &env)
    })?;

    timed(&mut steps, "browser tools", || ensure_browser_tools(&root))?;
    timed(&mut steps, "browser tests", || {
        cargo(&root, &["build", "-p", "debrief"], &[])?;
        let bin = root.join("target/debug/debrief");
        run_cmd(
            Command::new("npm")
                .args(["test"])
                .current_dir(root.join("e2e"))
                .env("DEBRIEF_BIN", bin),
        )
    })?;

    println!("\nci: all steps passed");
    for (name, d) in &steps {
        println!("  {name:<36} {:>6.1} s", d.as_secs_f64());
    }
    if postgres.is_none() {
        println!("  (PostgreSQL stories were skipped: no server; CI would fail here)");
    }
    Ok(())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

fn timed(
    steps: &mut Vec<(&'static str, Duration)>,
    name: &'static str,
    f: impl FnOnce() -> Result<()>,
) -> Result<()> {
    println!("\n==> {name}");
    let start = Instant::now();
    f().with_context(|| format!("step `{name}` failed"))?;
    steps.push((name, start.elapsed()));
    Ok(())
}

fn cargo(root: &Path, args: &[&str], env: &[(&str, String)]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(args).current_dir(root);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_cmd(&mut cmd)
}

fn run_cmd(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} exited with {status}");
    }
    Ok(())
}

fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `host:port` of a `postgres://user@host:port/db` URL.
fn postgres_address(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let host_port = authority.rsplit('@').next()?;
    Some(if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    })
}

fn reachable(address: &str) -> bool {
    address
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
}

/// The PostgreSQL URL the tests may use, starting the local cluster when it is down.
fn ensure_postgres(ci: bool) -> Result<Option<String>> {
    let url =
        std::env::var("DEBRIEF_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.into());
    let address =
        postgres_address(&url).with_context(|| format!("cannot read the host of {url}"))?;
    if !reachable(&address) {
        println!("PostgreSQL at {address} is down; trying to start the local cluster");
        if let Ok(versions) = std::fs::read_dir("/etc/postgresql") {
            for v in versions.flatten() {
                let version = v.file_name().to_string_lossy().into_owned();
                let _ = Command::new("pg_ctlcluster")
                    .args(["--skip-systemctl-redirect", &version, "main", "start"])
                    .status();
            }
        }
        for _ in 0..20 {
            if reachable(&address) {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    if reachable(&address) {
        println!("PostgreSQL stories run on {address}");
        return Ok(Some(url));
    }
    if ci {
        bail!(
            "CI=true and PostgreSQL at {address} cannot be reached: the PostgreSQL suite must run"
        );
    }
    println!("warning: PostgreSQL at {address} cannot be reached; its stories are skipped");
    Ok(None)
}

/// A Python with the pinned `icalendar` for the invite tests: a venv under
/// `target/py-icalendar`, created and filled only when missing. Outside CI a
/// failure is a warning (the test then says it skipped); under CI it fails.
fn ensure_python_icalendar(root: &Path, ci: bool) -> Result<Option<PathBuf>> {
    let venv = root.join("target/py-icalendar");
    let python = venv.join("bin/python");
    let version = ICALENDAR.split("==").nth(1).unwrap_or_default();
    let check = format!(
        "import icalendar, sys; sys.exit(0 if icalendar.__version__ == '{version}' else 1)"
    );
    if succeeds(Command::new(&python).args(["-c", &check])) {
        return Ok(Some(python));
    }
    println!("installing {ICALENDAR} into {}", venv.display());
    let installed =
        run_cmd(Command::new("python3").args(["-m", "venv"]).arg(&venv)).and_then(|()| {
            run_cmd(Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                ICALENDAR,
            ]))
        });
    match installed {
        Ok(()) => Ok(Some(python)),
        Err(e) if ci => Err(e.context("CI=true and Python's icalendar cannot be installed")),
        Err(e) => {
            println!("warning: {e:#}; the iCalendar parser test will be skipped");
            Ok(None)
        }
    }
}

fn apt_install(packages: &[&str]) -> Result<()> {
    println!("installing {} from Debian", packages.join(", "));
    // The package lists may be missing on a fresh machine.
    let _ = Command::new("apt-get").args(["update", "-qq"]).status();
    run_cmd(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(packages),
    )
}

/// Chromium, Java (for the Nu HTML Checker), Node.js and the e2e packages.
fn ensure_browser_tools(root: &Path) -> Result<()> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        apt_install(&["chromium"])?;
    }
    if !succeeds(Command::new("java").arg("-version")) {
        apt_install(&["default-jre-headless"])?;
    }
    if !succeeds(Command::new("npm").arg("--version")) {
        apt_install(&["nodejs", "npm"])?;
    }
    let e2e = root.join("e2e");
    let installed = e2e.join("node_modules/.package-lock.json");
    let stale = match (
        std::fs::metadata(&installed),
        std::fs::metadata(e2e.join("package-lock.json")),
    ) {
        (Ok(i), Ok(l)) => l.modified()? > i.modified()?,
        _ => true,
    };
    if stale {
        run_cmd(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&e2e),
        )?;
    }
    Ok(())
}
