# shellcheck shell=bash
# install.sh steps for the network: NetworkManager keyfiles for the WAN and each LAN port or VLAN,
# and dnsmasq as the LAN's DHCP server only (port=0: DNS is schoolgate's).

NM_DIR=/etc/NetworkManager/system-connections

# LAN specs from --lan: "IFACE=IPv4/PREFIX[,IPv6/PREFIX]"; IFACE "eth0.20" is VLAN 20 on eth0.
lan_iface() { printf '%s' "${1%%=*}"; }
lan_v4() { local a=${1#*=}; printf '%s' "${a%%,*}"; }
lan_v6() { local a=${1#*=}; [ "$a" != "${a#*,}" ] && printf '%s' "${a#*,}"; return 0; }
addr_of() { printf '%s' "${1%/*}"; }

valid_lan() {
  local spec=$1 iface v4 v6
  iface=$(lan_iface "$spec"); v4=$(lan_v4 "$spec"); v6=$(lan_v6 "$spec")
  [[ $iface =~ ^[a-zA-Z0-9_-]+(\.[0-9]{1,4})?$ ]] || die "--lan $spec: bad interface name \"$iface\""
  [[ $v4 =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$ ]] || die "--lan $spec: expected IFACE=IPv4/PREFIX[,IPv6/PREFIX]"
  local IFS=. o
  for o in $(addr_of "$v4"); do [ "$o" -le 255 ] || die "--lan $spec: bad IPv4 address"; done
  if [ -n "$v6" ] && ! [[ $v6 =~ ^[0-9a-fA-F:]+/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])$ ]]; then die "--lan $spec: bad IPv6 address \"$v6\""; fi
}

# A stable UUID from a name (NetworkManager wants one; a fixed one keeps reruns idempotent).
uuid_for() {
  local h
  h=$(printf 'schoolgate:%s' "$1" | sha256sum | cut -c1-32)
  printf '%s-%s-4%s-a%s-%s' "${h:0:8}" "${h:8:4}" "${h:13:3}" "${h:17:3}" "${h:20:12}"
}

step_network() {
  put_text "$NM_DIR/schoolgate-wan.nmconnection" 0600 root:root "WAN $WAN: DHCP and SLAAC" <<EOF
# schoolgate WAN (written by firmware/install.sh)
[connection]
id=schoolgate-wan
uuid=$(uuid_for wan)
type=ethernet
interface-name=$WAN
autoconnect=true
autoconnect-priority=100

[ethernet]

[ipv4]
method=auto

[ipv6]
method=auto
addr-gen-mode=stable-privacy
EOF
  local spec
  for spec in "${LANS[@]}"; do lan_keyfile "$spec"; done
  if [ ! -d "$(R /etc/NetworkManager)" ]; then
    note "NetworkManager is not installed in $ROOT: the keyfiles wait for it (Raspberry Pi OS has it)"
  fi
}

lan_keyfile() {
  local spec=$1 iface v4 v6 type=ethernet extra=
  iface=$(lan_iface "$spec"); v4=$(lan_v4 "$spec"); v6=$(lan_v6 "$spec")
  if [[ $iface == *.* ]]; then
    type=vlan
    extra=$'\n[vlan]\nparent='"${iface%.*}"$'\nid='"${iface##*.}"
  else
    extra=$'\n[ethernet]'
  fi
  local ipv6
  if [ -n "$v6" ]; then ipv6=$'method=manual\naddress1='"$v6"$'\nnever-default=true'; else ipv6='method=disabled'; fi
  put_text "$NM_DIR/schoolgate-lan-$iface.nmconnection" 0600 root:root "LAN $iface: $v4${v6:+ $v6}" <<EOF
# schoolgate LAN (written by firmware/install.sh): this Pi is the LAN's gateway and resolver.
[connection]
id=schoolgate-lan-$iface
uuid=$(uuid_for "lan-$iface")
type=$type
interface-name=$iface
autoconnect=true
autoconnect-priority=100
$extra

[ipv4]
method=manual
address1=$v4
never-default=true

[ipv6]
$ipv6
EOF
}

# dotted quad <-> integer, for the DHCP range of a LAN prefix.
ip2int() { local IFS=. a b c d; read -r a b c d <<<"$1"; echo $(((a << 24) | (b << 16) | (c << 8) | d)); }
int2ip() { echo "$((($1 >> 24) & 255)).$((($1 >> 16) & 255)).$((($1 >> 8) & 255)).$(($1 & 255))"; }

# The DHCP pool of a LAN: .100–.250 of a /24; in larger networks everything past the first 256
# addresses; in small ones the upper half. Never the appliance's own address.
dhcp_range() {
  local cidr=$1 addr prefix a mask net bcast start end
  addr=$(addr_of "$cidr"); prefix=${cidr#*/}
  a=$(ip2int "$addr")
  mask=$(((0xffffffff << (32 - prefix)) & 0xffffffff))
  net=$((a & mask)); bcast=$((net | (~mask & 0xffffffff)))
  if [ "$prefix" -eq 24 ]; then start=$((net + 100)); end=$((net + 250))
  elif [ "$prefix" -lt 24 ]; then start=$((net + 256)); end=$((bcast - 1))
  else start=$((net + (bcast - net) / 2)); end=$((bcast - 1))
  fi
  if [ "$a" -ge "$start" ] && [ "$a" -le "$end" ]; then start=$((a + 1)); fi
  [ "$start" -le "$end" ] || die "--lan $cidr: too small for a DHCP pool"
  echo "$(int2ip "$start"),$(int2ip "$end"),$(int2ip "$mask")"
}

# dnsmasq, DHCP only: hands out addresses, this Pi as router and DNS server, the captive portal
# API (DHCP option 114, RFC 8910) and, on a LAN with IPv6, router advertisements whose RDNSS
# option names this Pi, plus the portal URI over DHCPv6 (option 103, RFC 8910). The lease file
# gives schoolgate the devices' hostnames (identity.leases).
step_dnsmasq() {
  local conf i=0 spec iface v4 v6 addr addr6
  conf=$(mktemp "$WORK/dnsmasq.XXXXXX")
  {
    echo "# schoolgate (written by firmware/install.sh): DHCP for the LAN; DNS is schoolgate's own."
    echo "port=0"
    echo "dhcp-authoritative"
    echo "dhcp-leasefile=/var/lib/misc/dnsmasq.leases"
    for spec in "${LANS[@]}"; do
      iface=$(lan_iface "$spec"); v4=$(lan_v4 "$spec"); v6=$(lan_v6 "$spec"); addr=$(addr_of "$v4")
      echo
      echo "# LAN $iface ($v4)"
      echo "interface=$iface"
      echo "dhcp-range=set:lan$i,$(dhcp_range "$v4"),12h"
      echo "dhcp-option=tag:lan$i,option:router,$addr"
      echo "dhcp-option=tag:lan$i,option:dns-server,$addr"
      echo "dhcp-option=tag:lan$i,114,\"http://$addr/captive-portal/api\""
      if [ -n "$v6" ]; then
        addr6=$(addr_of "$v6")
        echo "enable-ra"
        echo "dhcp-range=set:lan${i}v6,::,constructor:$iface,ra-stateless,64,12h"
        echo "dhcp-option=tag:lan${i}v6,option6:dns-server,[$addr6]"
        echo "dhcp-option=tag:lan${i}v6,option6:103,\"http://[$addr6]/captive-portal/api\""
      fi
      i=$((i + 1))
    done
  } >"$conf"
  put_file "$conf" /etc/dnsmasq.d/schoolgate.conf 0644 root:root "DHCP only (port=0), option 114, RA"
}
