#!/usr/bin/env bash
# Turns a fresh Raspberry Pi OS Lite (Debian 13 "trixie"; Pi 4 or Pi 5) into the schoolgate
# appliance: Debian packages, the release bundle in /opt/schoolgate, the schoolgate user, the
# systemd unit, sysctl, the gateway's network (NetworkManager keyfiles), dnsmasq for DHCP, the LED
# overlays in config.txt and a starting config. Idempotent: a second run changes nothing.
#
# usage: sudo firmware/install.sh [options]
#   --bundle FILE      the release bundle (firmware/make-bundle.sh); default: build one from the
#                      checkout this script is in (needs npm and a compiler: installed first)
#   --dry-run          print every change it would make, change nothing
#   --root DIR         install into a mounted image or chroot instead of this system
#   --mode MODE        gateway (default: this Pi routes the LAN) or dns-only (beside a router)
#   --wan IFACE        the internet-side port (default: eth0)
#   --lan IFACE=ADDR   a LAN port or VLAN (eth0.20) with this Pi's address on it, e.g.
#                      eth1=10.10.0.1/24 or eth1=10.10.0.1/24,fd00:5347::1/64; repeat for more
#                      (default: eth1=10.10.0.1/24)
#   --no-dhcp          no dnsmasq (the school's own DHCP server stays in charge)
#   --leds KIND        sysfs (default: gpio-led overlays in config.txt), gpio, or none
#   --led-pins LIST    BCM pins, default power=17,wan=27,filter=22,alert=23
#   --no-start         do not (re)start the service (an image, or a reboot planned anyway)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

ROOT=/
DRY_RUN=0
BUNDLE=
MODE=gateway
WAN=eth0
LANS=()
DHCP=1
LEDS=sysfs
LED_PINS=power=17,wan=27,filter=22,alert=23
START=1

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case $1 in
    --bundle) BUNDLE=${2:?--bundle needs a file}; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --root) ROOT=${2:?--root needs a folder}; shift 2 ;;
    --mode) MODE=${2:?--mode needs gateway or dns-only}; shift 2 ;;
    --wan) WAN=${2:?--wan needs an interface}; shift 2 ;;
    --lan) LANS+=("${2:?--lan needs IFACE=ADDR/PREFIX}"); shift 2 ;;
    --no-dhcp) DHCP=0; shift ;;
    --leds) LEDS=${2:?--leds needs sysfs, gpio or none}; shift 2 ;;
    --led-pins) LED_PINS=${2:?--led-pins needs a list}; shift 2 ;;
    --no-start) START=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=install-lib/actions.sh
. "$HERE/install-lib/actions.sh"
# shellcheck source=install-lib/system.sh
. "$HERE/install-lib/system.sh"
# shellcheck source=install-lib/network.sh
. "$HERE/install-lib/network.sh"

[ ${#LANS[@]} -gt 0 ] || LANS=(eth1=10.10.0.1/24)
case $MODE in gateway|dns-only) ;; *) die "--mode must be gateway or dns-only" ;; esac
case $LEDS in sysfs|gpio|none) ;; *) die "--leds must be sysfs, gpio or none" ;; esac
for spec in "${LANS[@]}"; do valid_lan "$spec"; done
[[ $WAN =~ ^[a-zA-Z0-9_.-]+$ ]] || die "--wan: bad interface name"
[ "$MODE" = dns-only ] && DHCP=0
ROOT=$(cd "$ROOT" 2>/dev/null && pwd) || die "--root: no such folder"
[ -f "$(R /etc/debian_version)" ] || die "$ROOT is not a Debian system (no /etc/debian_version)"
if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then die "run as root (sudo), or with --dry-run"; fi

[ "$DRY_RUN" = 1 ] && echo "install.sh: dry run on $ROOT: nothing is changed"

WORK=$(mktemp -d)
CLEANUP=("rm -rf $WORK")
cleanup() { local i; for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do eval "${CLEANUP[$i]}" || true; done; }
trap cleanup EXIT

# The bundle, unpacked to compare with what is installed (and to install from).
if [ -z "$BUNDLE" ]; then
  [ -f "$HERE/../package.json" ] || die "no --bundle given and $HERE is not in a schoolgate checkout"
  ensure_build_tools
  if [ "$DRY_RUN" = 1 ]; then
    change "build a release bundle from the checkout $(cd "$HERE/.." && pwd) (npm ci, build, prune)"
  else
    BUNDLE=$("$HERE/make-bundle.sh" --out "$WORK" | tail -1)
  fi
fi
STAGE=
if [ -n "$BUNDLE" ]; then
  [ -f "$BUNDLE" ] || die "--bundle $BUNDLE: no such file"
  BUNDLE_SHA=$(sha256sum "$BUNDLE" | cut -d' ' -f1)
  export BUNDLE_SHA
  if [ -f "$(R $OPT/.bundle-sha256)" ] && [ "$(cat "$(R $OPT/.bundle-sha256)")" = "$BUNDLE_SHA" ]; then
    STAGE=$(R $OPT) # this very bundle is installed: read it there instead of unpacking it again
  else
    tar -xzf "$BUNDLE" -C "$WORK" || die "--bundle $BUNDLE: not a bundle (tar.gz)"
    STAGE=$WORK/schoolgate
  fi
  if [ ! -f "$STAGE/BUNDLE" ] || [ ! -f "$STAGE/dist/cli.js" ]; then die "--bundle $BUNDLE: no schoolgate/BUNDLE in it"; fi
  arch=$(dpkg-query --admindir="$(R /var/lib/dpkg)" -W -f='${Architecture}' dpkg 2>/dev/null || true)
  # Node's names for architectures, in Debian's words.
  case $(bundle_field arch) in x64) bundle_arch=amd64 ;; arm) bundle_arch=armhf ;; *) bundle_arch=$(bundle_field arch) ;; esac
  [ -z "$arch" ] || [ "$arch" = "$bundle_arch" ] || die "the bundle is for $(bundle_field arch), the target is $arch: build it on the target's architecture"
else
  STAGE=$HERE/..
fi

# --set values for the starting config (the example, adapted to this site).
first_addr=$(addr_of "$(lan_v4 "${LANS[0]}")")
lan_list=$(for s in "${LANS[@]}"; do lan_iface "$s"; done | paste -sd, -)
dns_listen=$(for s in "${LANS[@]}"; do printf '"%s:53"\n' "$(addr_of "$(lan_v4 "$s")")"; done | paste -sd, -)
CONFIG_SETS=(--set "mode=$MODE" --set "dataDir=$DATA" --set "network.wan=$WAN" --set "network.lan=[$lan_list]"
  --set "dns.listen=[$dns_listen]" --set "dns.blocking.address=$first_addr" --set "admin.listen=[\"$first_addr:443\"]")
case $LEDS in
  sysfs) CONFIG_SETS+=(--set "leds.backend=sysfs") ;;
  gpio) CONFIG_SETS+=(--set "leds.backend=gpio" --set "leds.pins={${LED_PINS//=/: }}" --set "leds.names=null") ;;
  none) CONFIG_SETS+=(--set "leds.backend=virtual" --set "leds.names=null") ;;
esac
[ "$DHCP" = 1 ] || CONFIG_SETS+=(--set "identity.leases=null")
config_summary() { echo "mode $MODE, WAN $WAN, LAN $lan_list, DNS on $dns_listen, LEDs $LEDS"; }

step_packages
step_user
[ -n "$BUNDLE" ] && step_bundle
step_cli_wrapper
[ -f "$STAGE/systemd/schoolgate.service" ] && step_units
if [ "$MODE" = gateway ]; then
  step_sysctl
  step_network
fi
[ "$DHCP" = 1 ] && step_dnsmasq
step_leds
step_config

# A running system takes the changes now; an image or chroot at its first boot.
if [ "$DRY_RUN" = 0 ] && [ "$ROOT" = / ] && [ "$CHANGES" -gt 0 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  [ "$MODE" = gateway ] && sysctl -q -p /etc/sysctl.d/90-schoolgate.conf
  if command -v udevadm >/dev/null; then udevadm control --reload || true; fi
  if command -v nmcli >/dev/null; then nmcli connection reload || true; fi
  if [ "$START" = 1 ]; then
    [ "$DHCP" = 1 ] && systemctl restart dnsmasq
    systemctl restart schoolgate
  fi
  note "network keyfiles are loaded, not activated (that would cut this SSH session): reboot to switch over"
fi

if [ "$CHANGES" -eq 0 ]; then echo "install.sh: nothing to change"
elif [ "$DRY_RUN" = 1 ]; then echo "install.sh: $CHANGES change(s) (dry run: none made)"
else echo "install.sh: $CHANGES change(s) made"
fi
