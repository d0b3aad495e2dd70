# shellcheck shell=bash
# install.sh steps for the system: Debian packages, the service user, the release bundle, the
# CLI wrapper, systemd units, sysctl, the LED overlays, the starting config, services.

SG_USER=schoolgate
DATA=/var/lib/schoolgate
CONF_DIR=$DATA/config
CONF=$CONF_DIR/schoolgate.yaml
OPT=/opt/schoolgate
UNIT=/etc/systemd/system/schoolgate.service
DROPIN=/etc/systemd/system/schoolgate.service.d

pkg_installed() {
  [ "$(dpkg-query --admindir="$(R /var/lib/dpkg)" -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# Maintainer scripts must not start services inside an image or chroot (policy-rc.d, and proc
# for the scripts that need it); both are undone when install.sh exits.
prepare_chroot() {
  [ "$ROOT" = / ] && return 0
  [ -n "${CHROOT_READY:-}" ] && return 0
  CHROOT_READY=1
  if [ ! -e "$(R /usr/sbin/policy-rc.d)" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$(R /usr/sbin/policy-rc.d)"
    chmod 0755 "$(R /usr/sbin/policy-rc.d)"
    CLEANUP+=("rm -f $(R /usr/sbin/policy-rc.d)")
  fi
  if ! mountpoint -q "$(R /proc)"; then
    mount -t proc proc "$(R /proc)"
    CLEANUP+=("umount $(R /proc)")
  fi
}

step_packages() {
  # ca-certificates: Debian's Node trusts the system CA store (HTTPS list downloads); procps:
  # the unit's ExecReload=/bin/kill; conntrack: bytes per flow in the traffic view.
  local want=(nodejs ca-certificates nftables tcpdump iproute2 procps conntrack) missing=() p
  [ "$DHCP" = 1 ] && want+=(dnsmasq)
  for p in "${want[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    change "install Debian packages: ${missing[*]} (apt-get, no recommends)"
    if [ "$DRY_RUN" = 0 ]; then
      prepare_chroot
      in_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
      in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$WORK/apt.log" 2>&1 \
        || { tail -20 "$WORK/apt.log" >&2; die "apt-get install failed"; }
    fi
  fi
  # Debian 13's nodejs is Node 20; the bundle's native addons need the ABI they were built for.
  # (A dry run into another root has nothing it could run there yet.)
  if [ "$DRY_RUN" = 1 ] && { [ "$ROOT" != / ] || ! pkg_installed nodejs; }; then return 0; fi
  local abi major
  abi=$(in_root node -p 'process.versions.modules') || die "node does not run on the target"
  major=$(in_root node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node $major on the target; schoolgate needs Node 20 or later"
  if [ -f "$STAGE/BUNDLE" ] && [ "$abi" != "$(bundle_field modules)" ]; then
    die "the bundle was built for Node module ABI $(bundle_field modules), the target's Node has $abi: build the bundle with the same Node major"
  fi
}

# Building the bundle from a checkout happens on this machine: Node, npm and a compiler for the
# native addons (raw-socket, epoll) have to be here.
ensure_build_tools() {
  local missing=() tool
  # command → Debian package (a NodeSource nodejs brings its own npm: commands, not packages)
  for tool in node:nodejs npm:npm make:build-essential g++:build-essential python3:python3; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  change "install build tools on this machine: ${missing[*]} (to build the bundle from the checkout)"
  [ "$DRY_RUN" = 1 ] && return 0
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$WORK/apt-build.log" 2>&1 \
    || { tail -20 "$WORK/apt-build.log" >&2; die "apt-get install of the build tools failed"; }
}

step_user() {
  if grep -q "^$SG_USER:" "$(R /etc/passwd)"; then :; else
    change "create system user and group $SG_USER (/etc/passwd, /etc/group, /etc/shadow, /etc/gshadow; home $DATA, no login)"
    if [ "$DRY_RUN" = 0 ]; then
      local rootopt=()
      [ "$ROOT" != / ] && rootopt=(--root "$ROOT")
      useradd "${rootopt[@]}" --system --user-group --home-dir "$DATA" --no-create-home \
        --shell /usr/sbin/nologin --comment "schoolgate filtering gateway" "$SG_USER"
    fi
  fi
  # The gpio LED backend writes /sys/class/gpio, which Raspberry Pi OS gives to group gpio.
  if [ "$LEDS" = gpio ] && grep -q '^gpio:' "$(R /etc/group)" && ! id_in_group gpio; then
    change "add $SG_USER to group gpio (/etc/group)"
    if [ "$DRY_RUN" = 0 ]; then
      if [ "$ROOT" = / ]; then usermod -aG gpio "$SG_USER"; else usermod --root "$ROOT" -aG gpio "$SG_USER"; fi
    fi
  fi
}

id_in_group() { awk -F: -v g="$1" -v u="$SG_USER" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 } END { exit !found }' "$(R /etc/group)"; }

bundle_field() { sed -n "s/^$1=//p" "$STAGE/BUNDLE"; }

# The code is root's and read-only to the service: a compromised daemon cannot rewrite itself.
step_bundle() {
  local have=
  [ -f "$(R $OPT/.bundle-sha256)" ] && have=$(cat "$(R $OPT/.bundle-sha256)")
  [ "$have" = "$BUNDLE_SHA" ] && return 0
  local from=${have:+ (replacing $(sed -n 's/^version=//p' "$(R $OPT/BUNDLE)" 2>/dev/null || echo '?'); the old one is kept as $OPT.previous)}
  change "install the release bundle $(bundle_field version) ($(bundle_field arch), commit $(bundle_field commit)) to $OPT$from"
  [ "$DRY_RUN" = 1 ] && return 0
  local next
  next="$(R /opt)/.schoolgate.new"
  rm -rf "$next"
  mkdir -p "$(R /opt)"
  cp -a "$STAGE" "$next"
  echo "$BUNDLE_SHA" >"$next/.bundle-sha256"
  chown -R 0:0 "$next"
  chmod -R go-w "$next"
  if [ -e "$(R $OPT)" ]; then
    rm -rf "$(R $OPT.previous)"
    mv "$(R $OPT)" "$(R $OPT.previous)"
  fi
  mv "$next" "$(R $OPT)"
}

# `schoolgate …` on the appliance: as the service user (so files in dataDir stay its own) and
# with the appliance's config unless the command names one.
step_cli_wrapper() {
  put_text /usr/local/bin/schoolgate 0755 root:root "the schoolgate command" <<EOF
#!/bin/sh
# schoolgate on the appliance (written by firmware/install.sh): runs the CLI as the service user
# with the appliance's config unless the command names one (--config FILE, or check-config FILE).
set -e
cli=$OPT/dist/cli.js
case " \$* " in
  *" --config "*|*" --config="*|" check-config "*|" example-config "*|"  "|*" -h "*|*" --help "*|" help "*) set -- "\$@" ;;
  *) set -- "\$@" --config $CONF ;;
esac
if [ "\$(id -u)" = 0 ]; then
  exec setpriv --reuid=$SG_USER --regid=$SG_USER --init-groups -- /usr/bin/node "\$cli" "\$@"
fi
exec /usr/bin/node "\$cli" "\$@"
EOF
}

step_units() {
  put_file "$STAGE/systemd/schoolgate.service" "$UNIT" 0644 root:root "Type=notify, watchdog, hardening"
  put_link /etc/systemd/system/multi-user.target.wants/schoolgate.service "$UNIT" "enabled at boot"
  local dropin
  dropin=$(mktemp "$WORK/dropin.XXXXXX")
  case $LEDS in
    sysfs) printf '%s\n' "# written by firmware/install.sh (--leds sysfs): the kernel LED class of the gpio-led" \
      "# overlays (config.txt) stays writable under ProtectKernelTunables=yes." \
      "[Service]" "ReadWritePaths=-/sys/devices/platform/leds" >"$dropin" ;;
    gpio) printf '%s\n' "# written by firmware/install.sh (--leds gpio): sysfs GPIO (group gpio) stays writable" \
      "# under ProtectKernelTunables=yes." "[Service]" "ReadWritePaths=-/sys/class/gpio -/sys/devices/platform" >"$dropin" ;;
  esac
  if [ -s "$dropin" ]; then put_file "$dropin" "$DROPIN/leds.conf" 0644 root:root "LED access for the service"
  elif [ -e "$(R $DROPIN/leds.conf)" ]; then
    change "remove $DROPIN/leds.conf (--leds none)"
    [ "$DRY_RUN" = 1 ] || rm -f "$(R $DROPIN/leds.conf)"
  fi
}

step_sysctl() {
  put_text /etc/sysctl.d/90-schoolgate.conf 0644 root:root "gateway: forwarding, rp_filter, nonlocal bind" <<'EOF'
# schoolgate gateway (written by firmware/install.sh): the LAN is routed through this Pi.
net.ipv4.ip_forward = 1
net.ipv6.conf.all.forwarding = 1
# Strict reverse-path filtering: a LAN client cannot spoof addresses of other networks.
net.ipv4.conf.all.rp_filter = 1
net.ipv4.conf.default.rp_filter = 1
# DNS, the block page and the admin UI bind the LAN addresses at start, also while a LAN port has
# no link (and so no address yet): otherwise the service would fail until a cable is plugged in.
net.ipv4.ip_nonlocal_bind = 1
net.ipv6.ip_nonlocal_bind = 1
EOF
  # Bytes per flow for the traffic view (conntrack accounting). A module option, not a sysctl:
  # net.netfilter.* exists only once nf_conntrack is loaded, after systemd-sysctl has run, and
  # the unit's ProtectKernelTunables keeps the daemon from setting it.
  put_text /etc/modprobe.d/schoolgate-conntrack.conf 0644 root:root "gateway: conntrack byte counters" <<'EOF'
# schoolgate gateway (written by firmware/install.sh): count bytes per connection (traffic view).
options nf_conntrack acct=1
EOF
}

# config.txt: gpio-led overlays that create the sysfs LEDs the `sysfs` backend drives. Their
# wiring and the LED card are in firmware/leds.md.
step_leds() {
  [ "$LEDS" = sysfs ] || return 0
  local cfg=
  for c in /boot/firmware/config.txt /boot/config.txt; do [ -f "$(R "$c")" ] && { cfg=$c; break; }; done
  if [ -z "$cfg" ]; then
    note "no /boot/firmware/config.txt in $ROOT (not a Raspberry Pi OS image): LED overlays left out"
  else
    local body name pin
    body=$(mktemp "$WORK/leds.XXXXXX")
    echo "# The status LEDs (wiring: firmware/leds.md). Rewritten by install.sh; edit --led-pins instead." >"$body"
    echo "[all]" >>"$body"
    for name in power wan filter alert; do
      pin=$(led_pin "$name")
      echo "dtoverlay=gpio-led,gpio=$pin,label=schoolgate-$name,trigger=none" >>"$body"
    done
    managed_block "$cfg" "schoolgate LEDs" "$body" "gpio-led overlays: schoolgate-power/wan/filter/alert"
  fi
  # The daemon cannot load kernel modules (ProtectKernelModules=): the triggers load at boot.
  put_text /etc/modules-load.d/schoolgate-leds.conf 0644 root:root "LED trigger modules at boot" <<'EOF'
# schoolgate (firmware/install.sh): the LED triggers the sysfs backend uses (firmware/leds.md).
ledtrig-timer
ledtrig-pattern
ledtrig-oneshot
ledtrig-heartbeat
EOF
  # The kernel creates LED attributes root-only; the service user gets them through udev, also
  # the ones a trigger adds (delay_on/off, pattern/repeat, shot): setting a trigger sends a
  # "change" uevent. That happens shortly after the write, not before the next one.
  put_text /etc/udev/rules.d/90-schoolgate-leds.rules 0644 root:root "LED attributes for group $SG_USER" <<EOF
# schoolgate (firmware/install.sh): the service user drives the schoolgate-* LEDs.
ACTION=="add|change", SUBSYSTEM=="leds", KERNEL=="schoolgate-*", RUN+="/bin/sh -c 'cd /sys%p && for a in brightness trigger delay_on delay_off pattern repeat shot invert; do [ -e \$\$a ] && chgrp $SG_USER \$\$a && chmod g+w \$\$a; done; true'"
EOF
}

led_pin() {
  local name=$1 spec
  for spec in ${LED_PINS//,/ }; do
    [ "${spec%%=*}" = "$name" ] && { echo "${spec#*=}"; return; }
  done
  die "--led-pins has no pin for $name"
}

# The config the UI edits, the school's own lists and the data live in dataDir, the one tree
# the unit may write (ProtectSystem=strict); /etc/schoolgate points there for people.
step_config() {
  put_dir "$DATA" 0750 "$SG_USER:$SG_USER" "dataDir: store, index, lists, config"
  put_dir "$CONF_DIR" 0750 "$SG_USER:$SG_USER" "the config and the school's own lists"
  put_link /etc/schoolgate "$CONF_DIR" "where people look for it"
  local f
  for f in $(local_list_files); do
    [ -e "$(R "$CONF_DIR/$f")" ] && continue
    put_text "$CONF_DIR/$f" 0640 "$SG_USER:$SG_USER" "empty list named by the config" <<EOF
# $f: one domain a line (a listed domain covers its subdomains). Named in schoolgate.yaml.
EOF
  done
  if [ -e "$(R "$CONF")" ]; then
    note "kept the existing $CONF (never overwritten; \`schoolgate example-config\` prints every key of this version)"
    return 0
  fi
  change "write $CONF (new: the example config with $(config_summary))"
  [ "$DRY_RUN" = 1 ] && return 0
  local text
  text=$(mktemp "$WORK/config.XXXXXX")
  in_root /usr/bin/node "$OPT/dist/cli.js" example-config "${CONFIG_SETS[@]}" >"$text" 2>"$WORK/example.err" \
    || { cat "$WORK/example.err" >&2; die "could not write the starting config"; }
  cp "$text" "$(R "$CONF")"
  apply_owner "$CONF" "$SG_USER:$SG_USER" 0640
  in_root setpriv --reuid="$SG_USER" --regid="$SG_USER" --init-groups -- /usr/bin/node "$OPT/dist/cli.js" check-config "$CONF" \
    || die "the starting config does not pass check-config (see above)"
}

# Local list sources of the example config (relative names, created empty if missing).
local_list_files() {
  sed -n 's/^ *source: *"\{0,1\}\([^":]*\)"\{0,1\}$/\1/p' "$STAGE/firmware/schoolgate.example.yaml" | grep -v '/' || true
}
