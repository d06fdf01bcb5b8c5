//! The congress CA's scope (issue 13, finding 3): the names and networks its X.509 name
//! constraints permit. Devices install the CA as a trusted root; with these constraints
//! (critical) a certificate it signs verifies only for the hall server's own names (its
//! hostname, `HOST.local`, `localhost` and their subdomains) and addresses (the networks of its
//! interfaces, loopback), never for a public web site, even in the hands of a thief of its key.

use std::net::IpAddr;

use rcgen::{CidrSubnet, GeneralSubtree, NameConstraints};

/// One permitted subtree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permit {
    /// A DNS name and every name under it.
    Dns(String),
    /// A network: an address and its prefix length.
    Net(IpAddr, u8),
}

/// What a CA may vouch for: `None` in [`Scope::of_cert`] stands for a CA without constraints
/// (made before finding 3 was closed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    permits: Vec<Permit>,
}

impl Permit {
    /// A permit from the configuration (`tls_names`): a network in CIDR (`10.20.0.0/16`), an
    /// address (itself only) or a DNS name (and the names under it).
    pub fn parse(s: &str) -> Result<Permit, String> {
        let s = s.trim();
        if let Some((ip, prefix)) = s.split_once('/') {
            let ip: IpAddr = ip
                .parse()
                .map_err(|_| format!("{s:?} is not a network like 10.20.0.0/16"))?;
            let prefix: u8 = prefix
                .parse()
                .ok()
                .filter(|p| (1..=max_prefix(ip)).contains(p))
                .ok_or_else(|| format!("{s:?}: the prefix must be 1 to {}", max_prefix(ip)))?;
            return Ok(Permit::Net(ip, prefix));
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Permit::Net(ip, max_prefix(ip)));
        }
        let name_ok = !s.is_empty()
            && s.len() <= 253
            && s.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !name_ok {
            return Err(format!(
                "{s:?} is neither a DNS name, an address nor a network like 10.20.0.0/16"
            ));
        }
        Ok(Permit::Dns(s.to_ascii_lowercase()))
    }
}

impl Scope {
    /// A scope of exactly these permits (sorted, without repeats).
    pub fn new(permits: impl IntoIterator<Item = Permit>) -> Scope {
        let mut permits: Vec<Permit> = permits
            .into_iter()
            .map(|p| match p {
                Permit::Dns(d) => Permit::Dns(d.trim_end_matches('.').to_ascii_lowercase()),
                Permit::Net(ip, prefix) => {
                    let prefix = prefix.min(max_prefix(ip));
                    Permit::Net(network(ip, prefix), prefix)
                }
            })
            .collect();
        permits.sort();
        permits.dedup();
        // A network inside another permitted one says nothing more (127.0.0.1/32 in 127/8).
        let nets: Vec<(IpAddr, u8)> = permits
            .iter()
            .filter_map(|p| match p {
                Permit::Net(ip, prefix) => Some((*ip, *prefix)),
                Permit::Dns(_) => None,
            })
            .collect();
        permits.retain(|p| match p {
            Permit::Net(ip, prefix) => !nets
                .iter()
                .any(|(n, wider)| wider < prefix && same_network(*n, *ip, *wider)),
            Permit::Dns(_) => true,
        });
        Scope { permits }
    }

    /// The hall server's scope: the DNS names of `names` (see [`super::server_names`]), the
    /// networks of this machine's interfaces (so a new address from the hall's DHCP stays
    /// inside), the listen address when it is a specific one, and loopback.
    pub fn of_hall(
        listen: IpAddr,
        names: &std::collections::BTreeSet<String>,
        extra: &[Permit],
    ) -> Scope {
        let mut permits: Vec<Permit> = names
            .iter()
            .filter(|n| n.parse::<IpAddr>().is_err())
            .map(|n| Permit::Dns(n.clone()))
            .collect();
        permits.extend(extra.iter().cloned());
        permits.push(Permit::Net(IpAddr::from([127, 0, 0, 0]), 8));
        permits.push(Permit::Net(std::net::Ipv6Addr::LOCALHOST.into(), 128));
        if !listen.is_unspecified() {
            permits.push(Permit::Net(listen, max_prefix(listen)));
        }
        // Every address of the certificate's names is inside (an interface's network, or itself).
        for n in names {
            if let Ok(ip) = n.parse::<IpAddr>() {
                permits.push(Permit::Net(ip, max_prefix(ip)));
            }
        }
        if let Ok(ifaces) = if_addrs::get_if_addrs() {
            for i in ifaces {
                match i.addr {
                    if_addrs::IfAddr::V4(a) if a.prefixlen > 0 => {
                        permits.push(Permit::Net(IpAddr::V4(a.ip), a.prefixlen));
                    }
                    if_addrs::IfAddr::V6(a)
                        if a.prefixlen > 0 && (a.ip.segments()[0] & 0xffc0) != 0xfe80 =>
                    {
                        permits.push(Permit::Net(IpAddr::V6(a.ip), a.prefixlen));
                    }
                    _ => {}
                }
            }
        }
        Scope::new(permits)
    }

    pub fn permits(&self) -> &[Permit] {
        &self.permits
    }

    /// Whether a certificate name (a DNS name or an address) is inside the scope.
    pub fn allows(&self, name: &str) -> bool {
        match name.parse::<IpAddr>() {
            Ok(ip) => self.permits.iter().any(|p| match p {
                Permit::Net(net, prefix) => same_network(*net, ip, *prefix),
                Permit::Dns(_) => false,
            }),
            Err(_) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                self.permits.iter().any(|p| match p {
                    Permit::Dns(base) => {
                        name == *base
                            || name
                                .strip_suffix(base.as_str())
                                .is_some_and(|head| head.ends_with('.'))
                    }
                    Permit::Net(..) => false,
                })
            }
        }
    }

    /// The extension for rcgen: these permitted subtrees, nothing excluded.
    pub(crate) fn name_constraints(&self) -> NameConstraints {
        NameConstraints {
            permitted_subtrees: self
                .permits
                .iter()
                .map(|p| match p {
                    Permit::Dns(d) => GeneralSubtree::DnsName(d.clone()),
                    Permit::Net(ip, prefix) => {
                        GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(*ip, *prefix))
                    }
                })
                .collect(),
            excluded_subtrees: Vec::new(),
        }
    }

    /// The scope a CA certificate's name constraints permit: `Ok(None)` when it has none.
    pub(crate) fn of_cert(der: &[u8]) -> Result<Option<Scope>, String> {
        use x509_parser::extensions::GeneralName;
        let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| e.to_string())?;
        let Some(nc) = cert.name_constraints().map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let mut permits = Vec::new();
        for sub in nc.value.permitted_subtrees.iter().flatten() {
            match &sub.base {
                GeneralName::DNSName(d) => permits.push(Permit::Dns(d.to_string())),
                GeneralName::IPAddress(b) if b.len() == 8 => {
                    let ip: [u8; 4] = b[..4].try_into().map_err(|_| "IP subtree")?;
                    let prefix = b[4..].iter().map(|m| m.count_ones()).sum::<u32>();
                    permits.push(Permit::Net(IpAddr::from(ip), prefix as u8));
                }
                GeneralName::IPAddress(b) if b.len() == 32 => {
                    let ip: [u8; 16] = b[..16].try_into().map_err(|_| "IP subtree")?;
                    let prefix = b[16..].iter().map(|m| m.count_ones()).sum::<u32>();
                    permits.push(Permit::Net(IpAddr::from(ip), prefix as u8));
                }
                // A kind of name this server never puts in a certificate.
                _ => {}
            }
        }
        Ok(Some(Scope::new(permits)))
    }
}

fn max_prefix(ip: IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}

/// The network address of `ip` under `prefix` (its host bits cleared): name constraints carry
/// a network, not an address inside it.
fn network(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(prefix.min(32)))
                .unwrap_or(0);
            IpAddr::V4((u32::from(a) & mask).into())
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(prefix.min(128)))
                .unwrap_or(0);
            IpAddr::V6((u128::from(a) & mask).into())
        }
    }
}

/// Whether `a` and `b` share the first `prefix` bits (never across IPv4 and IPv6).
fn same_network(a: IpAddr, b: IpAddr, prefix: u8) -> bool {
    match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(prefix.min(32)))
                .unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(prefix.min(128)))
                .unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_named_by_their_network_address_and_not_repeated() {
        let p = |s: &str| Permit::parse(s).unwrap();
        let scope = Scope::new([
            p("127.0.0.1/8"),
            p("127.0.0.1"),
            p("192.0.2.2/24"),
            p("192.0.2.2"),
            p("10.1.2.3"),
        ]);
        assert_eq!(
            scope.permits(),
            &[p("10.1.2.3"), p("127.0.0.0/8"), p("192.0.2.0/24")]
        );
        assert!(scope.allows("127.0.0.9") && scope.allows("192.0.2.200"));
        assert!(!scope.allows("10.1.2.4"));
    }

    #[test]
    fn names_and_addresses_inside_and_outside() {
        let s = Scope::new([
            Permit::Dns("hall-1.local".into()),
            Permit::Dns("localhost".into()),
            Permit::Net("192.168.10.7".parse().unwrap(), 24),
            Permit::Net("127.0.0.0".parse().unwrap(), 8),
        ]);
        for ok in [
            "hall-1.local",
            "HALL-1.local.",
            "a.hall-1.local",
            "localhost",
            "192.168.10.200",
            "127.0.0.1",
        ] {
            assert!(s.allows(ok), "{ok}");
        }
        for no in [
            "www.google.com",
            "xhall-1.local",
            "local",
            "192.168.11.1",
            "8.8.8.8",
            "::1",
        ] {
            assert!(!s.allows(no), "{no}");
        }
    }

    #[test]
    fn the_hall_scope_covers_the_servers_names() {
        let names = super::super::server_names("0.0.0.0".parse().unwrap());
        let extra = ["congress.lan", "10.20.0.0/16"].map(|p| Permit::parse(p).unwrap());
        let s = Scope::of_hall("0.0.0.0".parse().unwrap(), &names, &extra);
        for n in &names {
            assert!(s.allows(n), "{n} of {names:?} outside {s:?}");
        }
        for n in ["congress.lan", "www.congress.lan", "10.20.3.4"] {
            assert!(s.allows(n), "{n}");
        }
        assert!(!s.allows("www.google.com"));
        assert!(!s.allows("lan"));
    }

    #[test]
    fn configured_permits_parse_or_say_why_not() {
        assert_eq!(
            Permit::parse(" 10.20.0.0/16 "),
            Ok(Permit::Net("10.20.0.0".parse().unwrap(), 16))
        );
        assert_eq!(
            Permit::parse("10.20.0.5"),
            Ok(Permit::Net("10.20.0.5".parse().unwrap(), 32))
        );
        assert_eq!(
            Permit::parse("Hall.LAN"),
            Ok(Permit::Dns("hall.lan".into()))
        );
        for bad in [
            "",
            "10.0.0.0/0",
            "10.0.0.0/33",
            "x/8",
            "a..b",
            "*.lan",
            "a b",
        ] {
            assert!(Permit::parse(bad).is_err(), "{bad:?}");
        }
    }
}
