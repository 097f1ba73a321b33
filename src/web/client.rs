//! The client's address, for the abuse limits and the request log: the peer's, unless the peer is
//! a trusted reverse proxy (`--trusted-proxies`), in which case it is the right-most address in
//! `X-Forwarded-For` that is not itself a trusted proxy. Each proxy appends the address it got the
//! request from, so everything left of that entry was written by the client and may be forged.
//! Without trusted proxies the header is ignored: anyone can send it.
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use actix_web::HttpRequest;
use actix_web::http::header::{HeaderMap, X_FORWARDED_FOR};
use actix_web::web::Data;
use ipnet::IpNet;

use super::AppState;

/// A reverse proxy whose `X-Forwarded-For` is believed: one address (`10.0.0.2`, `::1`) or a
/// network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy(IpNet);

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        s.parse::<IpNet>()
            // `10.1.2.3/8` means the network it lies in.
            .map(|net| net.trunc())
            .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
            .map(Self)
            .map_err(|_| format!("{s:?} is neither an IP address nor a network such as 10.0.0.0/8"))
    }
}

impl TrustedProxy {
    fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip)
    }
}

fn is_trusted(ip: IpAddr, trusted: &[TrustedProxy]) -> bool {
    trusted.iter().any(|proxy| proxy.contains(ip))
}

/// The client's address for a request from `peer` with these headers.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[TrustedProxy]) -> IpAddr {
    // A dual-stack listener reports IPv4 peers as `::ffff:a.b.c.d`.
    let peer = peer.to_canonical();
    if !is_trusted(peer, trusted) {
        return peer;
    }
    // Several header lines are one list, in order (RFC 9110 §5.3).
    let mut hops = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        let Ok(value) = value.to_str() else {
            return peer;
        };
        hops.extend(value.split(','));
    }
    right_most_untrusted(peer, &hops, trusted)
}

/// Walks the hops from the right past trusted proxies. A hop that does not parse ends the walk at
/// the peer: a proxy we trust wrote nonsense, so nothing it reports is believed. When every hop is
/// a trusted proxy, the left-most is the client (a request from a proxy's own host).
fn right_most_untrusted(peer: IpAddr, hops: &[&str], trusted: &[TrustedProxy]) -> IpAddr {
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            return peer;
        };
        client = ip;
        if !is_trusted(ip, trusted) {
            break;
        }
    }
    client
}

/// One entry: an address, as some proxies write it with a port (`1.2.3.4:5678`, `[::1]:80`) or
/// an IPv6 address in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    let ip = hop
        .parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse::<IpAddr>().ok())
        })?;
    Some(ip.to_canonical())
}

/// The client's address of a request, or `None` without a peer address (a Unix socket, a test
/// request built in memory).
pub fn address(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let trusted = req
        .app_data::<Data<AppState>>()
        .map_or(&[][..], |state| &state.settings.trusted_proxies);
    Some(resolve(peer, req.headers(), trusted))
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    fn proxies(list: &[&str]) -> Vec<TrustedProxy> {
        list.iter()
            .map(|p| p.parse().expect("a valid proxy"))
            .collect()
    }

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(
                X_FORWARDED_FOR,
                HeaderValue::from_bytes(value).expect("a header value"),
            );
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    const PROXY: &str = "10.0.0.2";

    fn client(trusted: &[&str], values: &[&[u8]]) -> IpAddr {
        resolve(ip(PROXY), &headers(values), &proxies(trusted))
    }

    #[test]
    fn proxies_parse_as_addresses_or_networks() {
        let net: TrustedProxy = " 10.1.2.3/8 ".parse().unwrap();
        assert!(net.contains(ip("10.200.0.1")));
        assert!(!net.contains(ip("11.0.0.1")));
        let one: TrustedProxy = "::1".parse().unwrap();
        assert!(one.contains(ip("::1")));
        assert!(!one.contains(ip("::2")));
        for bad in [
            "",
            "localhost",
            "10.0.0.0/33",
            "10.0.0.1/",
            "1.2.3.4.5",
            "::1/129",
        ] {
            assert!(bad.parse::<TrustedProxy>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_header_is_ignored_unless_the_peer_is_trusted() {
        assert_eq!(client(&[], &[b"203.0.113.9"]), ip(PROXY));
        assert_eq!(client(&["10.0.0.3"], &[b"203.0.113.9"]), ip(PROXY));
        assert_eq!(
            client(&["10.0.0.0/24"], &[b"203.0.113.9"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_right_most_address_that_is_not_a_trusted_proxy_is_the_client() {
        let trusted = ["10.0.0.0/24", "192.0.2.1"];
        // The client forged the first entry; the trusted proxies appended the last two.
        let forged: &[u8] = b"198.51.100.7, 203.0.113.9, 192.0.2.1";
        assert_eq!(client(&trusted, &[forged]), ip("203.0.113.9"));
        // Split over two header lines, it is the same list.
        let lines: &[&[u8]] = &[b"198.51.100.7", b"203.0.113.9,192.0.2.1"];
        assert_eq!(client(&trusted, lines), ip("203.0.113.9"));
        // Only trusted hops: the left-most is the client.
        assert_eq!(client(&trusted, &[b"10.0.0.5, 192.0.2.1"]), ip("10.0.0.5"));
        // No header at all: the peer.
        assert_eq!(client(&trusted, &[]), ip(PROXY));
    }

    #[test]
    fn ports_brackets_and_mapped_addresses_are_understood() {
        let trusted = ["10.0.0.0/24"];
        assert_eq!(client(&trusted, &[b"203.0.113.9:4711"]), ip("203.0.113.9"));
        assert_eq!(client(&trusted, &[b"[2001:db8::1]:80"]), ip("2001:db8::1"));
        assert_eq!(client(&trusted, &[b"[2001:db8::1]"]), ip("2001:db8::1"));
        assert_eq!(
            client(&trusted, &[b"::ffff:203.0.113.9"]),
            ip("203.0.113.9")
        );
        // The peer too, as a dual-stack listener reports it.
        let mapped = resolve(
            ip("::ffff:10.0.0.2"),
            &headers(&[b"203.0.113.9"]),
            &proxies(&trusted),
        );
        assert_eq!(mapped, ip("203.0.113.9"));
    }

    #[test]
    fn malformed_values_fall_back_to_the_peer() {
        let trusted = ["10.0.0.0/24"];
        for value in [
            &b"unknown"[..],
            b"",
            b" , ",
            b"203.0.113.9,",
            b"203.0.113.9, not-an-address",
            b"203.0.113.9 198.51.100.7",
            b"300.1.2.3",
            b"[::1",
            b"\xff\xfe",
            b"for=203.0.113.9",
        ] {
            assert_eq!(client(&trusted, &[value]), ip(PROXY), "{value:?}");
        }
        // Garbage left of the client is never read.
        assert_eq!(
            client(&trusted, &[b"garbage, 203.0.113.9"]),
            ip("203.0.113.9")
        );
    }
}
