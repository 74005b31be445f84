//! Whether a browser's WebSocket upgrade comes from one of this server's own pages.
//!
//! Browsers send cookies on WebSocket upgrades from any page, so an upgrade that carries the
//! session cookie must name this server's origin exactly: the scheme the browser uses to reach
//! the server, and the host and port of its `Host` header. Default ports count as written
//! (`https://h` is `https://h:443`); hosts compare case-insensitively.
//!
//! The scheme is `https` when browsers reach the server over TLS (its own listener, or a
//! TLS-terminating proxy named by `behind_tls_proxy`), else `http`. A trusted proxy (one of
//! `trusted_proxies`, the peer of the connection) may say otherwise with `X-Forwarded-Proto`;
//! the header is ignored from anyone else. The proxy must pass the browser's `Host` through.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue, header};

/// The header in which a proxy names the scheme the browser used.
const FORWARDED_PROTO: &str = "x-forwarded-proto";

/// The scheme of a web origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scheme {
    Http,
    Https,
}

impl Scheme {
    fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("https") {
            Some(Self::Https)
        } else if text.eq_ignore_ascii_case("http") {
            Some(Self::Http)
        } else {
            None
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }
}

/// The scheme of this server's pages as the browser behind this request sees them: `https`
/// when browsers reach the server over TLS (`tls`), unless a trusted proxy (the connection's
/// `peer`, one of `trusted_proxies`) names the scheme in `X-Forwarded-Proto`. `None` when a
/// trusted proxy names a scheme that is neither, so that no origin matches.
pub(super) fn page_scheme(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    tls: bool,
    trusted_proxies: &[IpAddr],
) -> Option<Scheme> {
    let from_trusted_proxy = peer.is_some_and(|peer| trusted_proxies.contains(&peer));
    let forwarded = headers
        .get_all(FORWARDED_PROTO)
        .iter()
        .next_back()
        .filter(|_| from_trusted_proxy)
        .map(|value| {
            // A proxy appends to what it was sent: the nearest (trusted) hop is the last.
            value
                .to_str()
                .ok()
                .and_then(|text| text.rsplit(',').next())
                .map(str::trim)
                .and_then(Scheme::parse)
        });
    match forwarded {
        Some(named) => named,
        None if tls => Some(Scheme::Https),
        None => Some(Scheme::Http),
    }
}

/// Whether the request's `Origin` is `scheme://HOST`, where HOST is its `Host` header (or,
/// without one, the `authority` of its target, as HTTP/2 sends it). A missing or opaque
/// (`null`) origin, a path, user information or a malformed port never match.
pub(super) fn is_own_origin(
    headers: &HeaderMap,
    authority: Option<&str>,
    scheme: Option<Scheme>,
) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let (Some(scheme), Some(origin), Some(host)) = (
        scheme,
        text(header::ORIGIN),
        text(header::HOST).or(authority),
    ) else {
        return false;
    };
    let Some((origin_scheme, origin_authority)) = origin.split_once("://") else {
        return false;
    };
    if Scheme::parse(origin_scheme) != Some(scheme) {
        return false;
    }
    match (endpoint(origin_authority, scheme), endpoint(host, scheme)) {
        (Some((origin_host, origin_port)), Some((own_host, own_port))) => {
            origin_host.eq_ignore_ascii_case(own_host) && origin_port == own_port
        }
        _ => false,
    }
}

/// The host and port of an authority (`host`, `host:port`, `[v6]`, `[v6]:port`), the port
/// defaulted for `scheme`; `None` if it is empty, has a path or user information, or a port
/// that is not a number.
fn endpoint(authority: &str, scheme: Scheme) -> Option<(&str, u16)> {
    if authority.contains(['/', '?', '#', '@', ' ']) {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        // A colon inside brackets belongs to an IPv6 address, not to a port.
        Some((host, port)) if !port.contains(']') => (host, port.parse::<u16>().ok()?),
        _ => (authority, scheme.default_port()),
    };
    (!host.is_empty()).then_some((host, port))
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[track_caller]
    fn check_origin(origin: &str, host: &str, scheme: Scheme, expected: bool) {
        let request = headers(&[("origin", origin), ("host", host)]);
        assert_eq!(
            is_own_origin(&request, None, Some(scheme)),
            expected,
            "Origin {origin} to Host {host} over {scheme:?}"
        );
    }

    #[test]
    fn an_origin_matches_in_scheme_host_and_port() {
        use Scheme::{Http, Https};
        let cases = [
            ("http://ward.local:8080", "ward.local:8080", Http, true),
            ("http://WARD.local:8080", "ward.LOCAL:8080", Http, true),
            ("HTTP://ward.local:8080", "ward.local:8080", Http, true),
            ("https://ward.local:8080", "ward.local:8080", Http, false),
            ("http://ward.local:8080", "ward.local:8080", Https, false),
            ("https://ward.local:8443", "ward.local:8443", Https, true),
            ("https://ward.local", "ward.local:443", Https, true),
            ("https://ward.local:443", "ward.local", Https, true),
            ("http://ward.local:80", "ward.local", Http, true),
            ("http://ward.local", "ward.local:8080", Http, false),
            ("http://ward.local:8081", "ward.local:8080", Http, false),
            ("http://evil.example:8080", "ward.local:8080", Http, false),
            ("http://ward.local.evil.example", "ward.local", Http, false),
            ("http://[::1]:8080", "[::1]:8080", Http, true),
            ("http://[::1]", "[::1]:80", Http, true),
            ("http://[::1]:8081", "[::1]:8080", Http, false),
            ("http://ward.local:8080/", "ward.local:8080", Http, false),
            ("http://u@ward.local:8080", "ward.local:8080", Http, false),
            ("http://ward.local:x", "ward.local:x", Http, false),
            ("http://ward.local:", "ward.local:", Http, false),
            ("http://:8080", ":8080", Http, false),
            ("ward.local:8080", "ward.local:8080", Http, false),
            ("null", "ward.local", Http, false),
        ];
        for (origin, host, scheme, expected) in cases {
            check_origin(origin, host, scheme, expected);
        }
    }

    #[test]
    fn without_a_scheme_origin_or_host_nothing_matches() {
        let origin_only = headers(&[("origin", "http://ward.local")]);
        assert!(!is_own_origin(&origin_only, None, Some(Scheme::Http)));
        assert!(is_own_origin(
            &origin_only,
            Some("ward.local"),
            Some(Scheme::Http)
        ));
        let host_only = headers(&[("host", "ward.local")]);
        assert!(!is_own_origin(&host_only, None, Some(Scheme::Http)));
        let both = headers(&[("origin", "http://ward.local"), ("host", "ward.local")]);
        assert!(!is_own_origin(&both, None, None));
    }

    #[test]
    fn only_a_trusted_proxy_names_the_scheme() {
        let proxy = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        let browser = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
        let trusted = [proxy];
        let https = headers(&[("x-forwarded-proto", "https")]);
        let none = HeaderMap::new();
        let cases = [
            (&https, Some(proxy), false, Some(Scheme::Https)),
            (&https, Some(browser), false, Some(Scheme::Http)),
            (&https, None, false, Some(Scheme::Http)),
            (&none, Some(proxy), false, Some(Scheme::Http)),
            (&none, Some(proxy), true, Some(Scheme::Https)),
            (&none, Some(browser), true, Some(Scheme::Https)),
        ];
        for (request, peer, tls, expected) in cases {
            assert_eq!(
                page_scheme(request, peer, tls, &trusted),
                expected,
                "{request:?} from {peer:?}, tls {tls}"
            );
        }
        let http = headers(&[("x-forwarded-proto", "http")]);
        assert_eq!(
            page_scheme(&http, Some(proxy), true, &trusted),
            Some(Scheme::Http)
        );
        let appended = headers(&[("x-forwarded-proto", "https, http")]);
        assert_eq!(
            page_scheme(&appended, Some(proxy), false, &trusted),
            Some(Scheme::Http)
        );
        let unknown = headers(&[("x-forwarded-proto", "gopher")]);
        assert_eq!(page_scheme(&unknown, Some(proxy), true, &trusted), None);
    }
}
