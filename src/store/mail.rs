//! Sending a message out of the repository: SMTP (lettre's client) or the host's
//! `sendmail -t`. The server, port and TLS mode come from `enigm.yaml`; credentials only from
//! the environment ([`SMTP_USER_ENV`], [`SMTP_PASSWORD_ENV`]), never from the repository,
//! which every member of the team (and every clone) shares.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, Transport};

use crate::error::{Error, Result};
use crate::format::config::{MailConfig, MailTransport, TlsMode};

/// The SMTP user name (with [`SMTP_PASSWORD_ENV`]: log in before sending).
pub const SMTP_USER_ENV: &str = "ENIGM_SMTP_USER";
/// The SMTP password.
pub const SMTP_PASSWORD_ENV: &str = "ENIGM_SMTP_PASSWORD";
/// The `sendmail` program to run, instead of `sendmail` on `PATH`.
pub const SENDMAIL_ENV: &str = "ENIGM_SENDMAIL";

/// How long an SMTP conversation may wait for the server at each step.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// One outgoing message: the envelope's sender and recipient, and the message bytes.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub bytes: &'a [u8],
}

/// Sends `message` as `config` says.
pub fn send(config: &MailConfig, message: Outgoing<'_>) -> Result<()> {
    match config.transport {
        MailTransport::Smtp => smtp(config, message),
        MailTransport::Sendmail => sendmail(message),
    }
}

fn failed(id: &str, why: impl std::fmt::Display, help: &str) -> Error {
    Error::SendFailed { id: id.to_owned(), why: why.to_string(), help: help.to_owned() }
}

fn smtp(config: &MailConfig, m: Outgoing<'_>) -> Result<()> {
    let Some(host) = config.smtp.host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
        return Err(failed(
            m.id,
            "no SMTP server is configured",
            "set `mail.smtp.host` in enigm.yaml, or `mail.transport: sendmail` to use the host's sendmail",
        ));
    };
    let tls = match config.smtp.tls {
        TlsMode::None => Tls::None,
        mode => {
            let params = TlsParameters::new(host.to_owned()).map_err(|e| failed(m.id, e, "check `mail.smtp.host`"))?;
            if mode == TlsMode::Tls { Tls::Wrapper(params) } else { Tls::Required(params) }
        }
    };
    let mut builder =
        SmtpTransport::builder_dangerous(host).port(config.smtp.port_or_default()).tls(tls).timeout(Some(SMTP_TIMEOUT));
    if let (Ok(user), Ok(password)) = (std::env::var(SMTP_USER_ENV), std::env::var(SMTP_PASSWORD_ENV)) {
        builder = builder.credentials(Credentials::new(user, password));
    }
    let envelope = envelope(m)?;
    builder.build().send_raw(&envelope, m.bytes).map(|_| ()).map_err(|e| {
        failed(
            m.id,
            format!("SMTP server {host}:{}: {e}", config.smtp.port_or_default()),
            "check `mail.smtp` in enigm.yaml and ENIGM_SMTP_USER / ENIGM_SMTP_PASSWORD; nothing was recorded",
        )
    })
}

fn envelope(m: Outgoing<'_>) -> Result<Envelope> {
    let parse = |a: &str| a.parse::<Address>().map_err(|e| failed(m.id, format!("`{a}`: {e}"), "check the addresses"));
    Envelope::new(Some(parse(m.from)?), vec![parse(m.to)?]).map_err(|e| failed(m.id, e, "check the addresses"))
}

/// `sendmail -t -i`: the recipients from the message's headers, a lone `.` line not the end.
fn sendmail(m: Outgoing<'_>) -> Result<()> {
    let program = std::env::var_os(SENDMAIL_ENV).filter(|p| !p.is_empty()).unwrap_or_else(|| "sendmail".into());
    let shown = program.to_string_lossy().into_owned();
    let help = "install an MTA that provides sendmail, or set ENIGM_SENDMAIL to its path; nothing was recorded";
    let mut child = Command::new(&program)
        .args(["-t", "-i"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(m.id, format!("cannot run `{shown}`: {e}"), help))?;
    // sendmail reads the message with LF line ends, as a local file is written.
    let text = String::from_utf8_lossy(m.bytes).replace("\r\n", "\n");
    let written = child.stdin.take().map(|mut stdin| stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().map_err(|e| failed(m.id, format!("`{shown}`: {e}"), help))?;
    if let Some(Err(e)) = written {
        return Err(failed(m.id, format!("`{shown}` did not read the message: {e}"), help));
    }
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = format!("`{shown} -t -i` failed ({}): {}", out.status, stderr.trim());
        return Err(failed(m.id, why, help));
    }
    Ok(())
}
