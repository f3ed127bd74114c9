//! The hosts' network: one network namespace per host (`ip netns`), each joined by a veth pair to a
//! bridge in the test's own namespace, so every host reaches the shared services only over a real
//! link, at the bridge's address. Everything is removed when the [`Network`] is dropped, also when the
//! test fails.

use std::net::Ipv4Addr;
use std::process::Command;

/// The namespaces of the hosts and the bridge joining them.
pub struct Network {
    bridge: String,
    namespaces: Vec<String>,
    /// The bridge's address: where the hosts reach the emulator and the database relay.
    pub services_ip: Ipv4Addr,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let output = Command::new("ip")
        .args(args)
        .output()
        .map_err(|error| format!("`ip` cannot run: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

impl Network {
    /// Creates `hosts` namespaces on a bridge of their own, or says why it cannot (no `ip`, no
    /// privilege to create namespaces); whatever was created is removed on failure.
    pub fn create(hosts: usize) -> Result<Network, String> {
        let pid = std::process::id();
        let tag = format!("{:04x}", pid & 0xffff);
        let subnet = 20 + (pid % 200) as u8;
        let mut network = Network {
            bridge: format!("aisv{tag}br"),
            namespaces: Vec::new(),
            services_ip: Ipv4Addr::new(10, 231, subnet, 1),
        };
        ip(&["link", "add", &network.bridge, "type", "bridge"])?;
        let bridge_address = format!("{}/24", network.services_ip);
        ip(&["addr", "add", &bridge_address, "dev", &network.bridge])?;
        ip(&["link", "set", &network.bridge, "up"])?;
        for host in 0..hosts {
            let namespace = format!("alipay-isv-{pid}-host{host}");
            ip(&["netns", "add", &namespace])?;
            network.namespaces.push(namespace.clone());
            let (outside, inside) = (format!("aisv{tag}o{host}"), format!("aisv{tag}i{host}"));
            ip(&[
                "link", "add", &outside, "type", "veth", "peer", "name", &inside,
            ])?;
            ip(&["link", "set", &inside, "netns", &namespace])?;
            ip(&["link", "set", &outside, "master", &network.bridge])?;
            ip(&["link", "set", &outside, "up"])?;
            let address = format!("10.231.{subnet}.{}/24", host + 2);
            ip(&["-n", &namespace, "addr", "add", &address, "dev", &inside])?;
            ip(&["-n", &namespace, "link", "set", &inside, "up"])?;
            ip(&["-n", &namespace, "link", "set", "lo", "up"])?;
        }
        Ok(network)
    }

    /// `program` run inside the namespace of host `host`.
    pub fn command(&self, host: usize, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.namespaces[host], program]);
        command
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // Deleting a namespace deletes the veth end inside it, and with it the pair.
        for namespace in &self.namespaces {
            let _ = ip(&["netns", "delete", namespace]);
        }
        let _ = ip(&["link", "delete", &self.bridge]);
    }
}
