//! The connection handshake as data: which commands to send after connecting, and how to judge
//! the replies. Shared by the blocking and async I/O layers.

use crate::config::{ConnectionConfig, Protocol};
use crate::credentials::Credentials;
use crate::{Cmd, Error, ErrorKind, Result, Value};

/// What one handshake command is for, so its reply can be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Hello,
    Auth,
    Select,
    SetName,
    /// `CLIENT SETINFO`: informational, so any error (a server older than 7.2 does not know
    /// the subcommand) is ignored.
    SetInfo,
    /// `READONLY` on a cluster node connection that may serve replica reads.
    ReadOnly,
}

/// The user name and password to authenticate with: the credential provider's when there is
/// one (asked now, for this connection), else the configured ones; `None`: no AUTH.
fn credentials(config: &ConnectionConfig) -> Result<Option<Credentials>> {
    if let Some(provider) = &config.credential_provider {
        return provider.credentials().map(Some);
    }
    Ok(config.password.as_ref().map(|pw| Credentials {
        username: config.username.clone(),
        password: pw.clone(),
    }))
}

/// The commands to send, in order, right after the socket connects. They are pipelined.
///
/// # Errors
/// The credential provider's error.
pub(crate) fn commands(config: &ConnectionConfig) -> Result<Vec<(Step, Cmd)>> {
    let mut out = Vec::with_capacity(5);
    let mut name_sent = false;
    let creds = credentials(config)?;
    match config.protocol {
        Protocol::Resp3 => {
            let mut hello = Cmd::new("HELLO");
            hello.arg(3);
            if let Some(c) = &creds {
                hello
                    .arg("AUTH")
                    .arg(c.username.as_deref().unwrap_or("default"))
                    .arg(&c.password);
            }
            if let Some(name) = &config.client_name {
                hello.arg("SETNAME").arg(name);
                name_sent = true;
            }
            out.push((Step::Hello, hello));
        }
        Protocol::Resp2 => {
            if let Some(c) = &creds {
                let mut auth = Cmd::new("AUTH");
                auth.arg(c.username.as_deref()).arg(&c.password);
                out.push((Step::Auth, auth));
            }
        }
    }
    if config.db != 0 {
        let mut select = Cmd::new("SELECT");
        select.arg(config.db);
        out.push((Step::Select, select));
    }
    if let (Some(name), false) = (&config.client_name, name_sent) {
        let mut setname = Cmd::new("CLIENT SETNAME");
        setname.arg(name);
        out.push((Step::SetName, setname));
    }
    for (attr, value) in [
        ("LIB-NAME", &config.lib_name),
        ("LIB-VER", &config.lib_version),
    ] {
        if let Some(value) = value {
            let mut setinfo = Cmd::new("CLIENT SETINFO");
            setinfo.arg(attr).arg(value);
            out.push((Step::SetInfo, setinfo));
        }
    }
    if config.readonly {
        out.push((Step::ReadOnly, Cmd::new("READONLY")));
    }
    Ok(out)
}

/// Judges the reply to one handshake step; the first error ends the handshake.
pub(crate) fn check(step: Step, reply: Value) -> Result<()> {
    let Value::Error(err) = reply else {
        return Ok(());
    };
    let e = Error::from(err.clone());
    match step {
        Step::SetInfo => Ok(()),
        Step::Hello if err.code() == "NOPROTO" || err.message().starts_with("unknown command") => {
            Err(Error::new(
                ErrorKind::Unsupported,
                format!("the server does not speak RESP3 (HELLO 3 refused: {err}); use protocol 2"),
            ))
        }
        Step::Hello | Step::Auth if e.kind() == ErrorKind::Authentication => Err(e),
        Step::Auth if err.message().contains("wrong number of arguments") => Err(Error::new(
            ErrorKind::Authentication,
            format!("the server does not support ACL users (AUTH user pass): {err}"),
        )),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerError;

    fn err(line: &str) -> Value {
        Value::Error(ServerError::from_line(line.as_bytes()))
    }

    struct Rotating(std::sync::Mutex<u32>);

    impl crate::CredentialProvider for Rotating {
        fn credentials(&self) -> Result<Credentials> {
            let mut n = self.0.lock().unwrap();
            *n += 1;
            if *n > 2 {
                return Err(Error::new(ErrorKind::Authentication, "token service down"));
            }
            Ok(Credentials::new(Some("svc"), format!("token-{n}")))
        }
    }

    #[test]
    fn a_credential_provider_is_asked_per_handshake_and_wins_over_the_password() {
        let provider = std::sync::Arc::new(Rotating(std::sync::Mutex::new(0)));
        let mut config = ConnectionConfig::tcp("h", 1);
        config.password = Some("fixed".into());
        config.credential_provider = Some(crate::SharedCredentialProvider(provider));
        let first = commands(&config).unwrap();
        assert_eq!(words(&first[0].1), ["AUTH", "svc", "token-1"]);
        config.protocol = Protocol::Resp3;
        let second = commands(&config).unwrap();
        assert_eq!(
            words(&second[0].1),
            ["HELLO", "3", "AUTH", "svc", "token-2"]
        );
        // The provider's error fails the connection attempt as it is.
        let e = commands(&config).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert!(!format!("{config:?}").contains("token"), "{config:?}");
    }

    #[test]
    fn resp3_with_credentials_and_name_is_one_hello() {
        let mut config = ConnectionConfig::tcp("h", 1);
        config.protocol = Protocol::Resp3;
        config.username = Some("u".into());
        config.password = Some("p".into());
        config.client_name = Some("n".into());
        config.db = 2;
        let cmds = commands(&config).unwrap();
        let steps: Vec<Step> = cmds.iter().map(|(s, _)| *s).collect();
        assert_eq!(
            steps,
            [Step::Hello, Step::Select, Step::SetInfo, Step::SetInfo]
        );
        let hello: Vec<&[u8]> = cmds[0].1.args().collect();
        assert_eq!(
            hello,
            [&b"HELLO"[..], b"3", b"AUTH", b"u", b"p", b"SETNAME", b"n"]
        );
    }

    #[test]
    fn resp2_uses_auth_select_setname() {
        let mut config = ConnectionConfig::tcp("h", 1);
        config.password = Some("p".into());
        config.client_name = Some("n".into());
        config.lib_name = None;
        config.lib_version = None;
        let steps: Vec<Step> = commands(&config).unwrap().iter().map(|(s, _)| *s).collect();
        assert_eq!(steps, [Step::Auth, Step::SetName]);
        let mut bare = ConnectionConfig::tcp("h", 1);
        bare.lib_name = None;
        bare.lib_version = None;
        assert!(commands(&bare).unwrap().is_empty());
    }

    fn words(cmd: &Cmd) -> Vec<String> {
        cmd.args()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    #[test]
    fn library_name_and_version_are_sent_with_client_setinfo() {
        let cmds = commands(&ConnectionConfig::tcp("h", 1)).unwrap();
        let sent: Vec<(Step, Vec<String>)> = cmds.iter().map(|(s, c)| (*s, words(c))).collect();
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            sent,
            [
                (
                    Step::SetInfo,
                    vec![
                        "CLIENT".into(),
                        "SETINFO".into(),
                        "LIB-NAME".into(),
                        "oxredis".into()
                    ]
                ),
                (
                    Step::SetInfo,
                    vec![
                        "CLIENT".into(),
                        "SETINFO".into(),
                        "LIB-VER".into(),
                        version.into()
                    ]
                ),
            ]
        );
        let mut config = ConnectionConfig::tcp("h", 1);
        config.lib_name = Some("app".into());
        config.lib_version = None;
        config.db = 1;
        let sent: Vec<Vec<String>> = commands(&config)
            .unwrap()
            .iter()
            .map(|(_, c)| words(c))
            .collect();
        assert_eq!(
            sent,
            [
                vec!["SELECT".to_owned(), "1".into()],
                vec![
                    "CLIENT".into(),
                    "SETINFO".into(),
                    "LIB-NAME".into(),
                    "app".into()
                ],
            ]
        );
    }

    #[test]
    fn a_refused_client_setinfo_is_ignored() {
        for line in [
            "ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.",
            "ERR Unknown subcommand or wrong number of arguments for 'SETINFO'. Try CLIENT HELP.",
            "ERR unknown command 'CLIENT'",
            "NOAUTH Authentication required.",
            "NOPERM this user has no permissions to run the 'client|setinfo' command",
        ] {
            assert!(check(Step::SetInfo, err(line)).is_ok(), "{line}");
        }
        assert!(check(Step::SetInfo, Value::Simple("OK".into())).is_ok());
        // Other steps still fail on an error.
        let e = check(Step::SetName, err("ERR Client names cannot contain spaces")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Response);
    }

    #[test]
    fn refused_hello_is_a_clear_error() {
        let e = check(Step::Hello, err("NOPROTO unsupported protocol version")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(e.to_string().contains("RESP3"), "{e}");
        let e = check(Step::Hello, err("ERR unknown command 'HELLO'")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        let e = check(Step::Hello, err("WRONGPASS invalid username-password pair")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert!(check(Step::Select, Value::Simple("OK".into())).is_ok());
    }
}
