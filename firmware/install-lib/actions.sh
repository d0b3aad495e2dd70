# shellcheck shell=bash
# install.sh's primitives. Each compares what is there with what should be there, says what it
# changes ("+ …" lines; in --dry-run the same lines, and nothing is touched) and does it only when
# something differs: that is what makes a second run change nothing.
#
# Paths given to these functions are paths on the installed system ("/etc/…"); `R` maps them
# into --root. Owners are names resolved in the root's own /etc/passwd and /etc/group.

CHANGES=0

# R PATH: PATH inside the root being installed.
R() { printf '%s%s' "${ROOT%/}" "$1"; }

# change TEXT: records and prints one change.
change() {
  CHANGES=$((CHANGES + 1))
  printf '+ %s\n' "$*"
}

note() { printf '  %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# in_root CMD…: runs CMD on the installed system (chroot when --root is not /), in a clean
# environment: the caller's NODE_OPTIONS, PATH or locale are not the target's (proxies are kept).
in_root() {
  local env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8) v
  for v in http_proxy https_proxy no_proxy; do [ -n "${!v:-}" ] && env+=("$v=${!v}"); done
  if [ "$ROOT" = / ]; then env -i "${env[@]}" "$@"; else chroot "$ROOT" /usr/bin/env -i "${env[@]}" "$@"; fi
}

# uid_of NAME / gid_of NAME: numeric ids from the root's passwd/group ("" when unknown).
uid_of() { [ "$1" = root ] && { echo 0; return; }; awk -F: -v n="$1" '$1 == n { print $3 }' "$(R /etc/passwd)"; }
gid_of() { [ "$1" = root ] && { echo 0; return; }; awk -F: -v n="$1" '$1 == n { print $3 }' "$(R /etc/group)"; }

# owner_ok PATH OWNER:GROUP MODE: does PATH (in the root) have this owner, group and mode?
owner_ok() {
  local path=$1 owner=${2%%:*} group=${2##*:} mode=$3 uid gid
  uid=$(uid_of "$owner"); gid=$(gid_of "$group")
  if [ -z "$uid" ] || [ -z "$gid" ]; then return 1; fi
  [ "$(stat -c '%u:%g:%a' "$(R "$path")")" = "$uid:$gid:${mode#0}" ]
}

apply_owner() {
  local path=$1 owner=${2%%:*} group=${2##*:} mode=$3
  chown "$(uid_of "$owner"):$(gid_of "$group")" "$(R "$path")"
  chmod "$mode" "$(R "$path")"
}

# put_file SRC DEST MODE OWNER:GROUP [WHY]: DEST gets SRC's bytes, atomically (temp + rename).
# MODE and OWNER "-" leave them as the file system gives them (config.txt lives on FAT).
put_file() {
  local src=$1 dest=$2 mode=$3 owner=$4 why=${5:-} state
  if [ -L "$(R "$dest")" ] || [ ! -e "$(R "$dest")" ]; then state=new
  elif ! cmp -s "$src" "$(R "$dest")"; then state=changed
  elif [ "$owner" != - ] && ! owner_ok "$dest" "$owner" "$mode"; then state="owner or mode"
  else return 0
  fi
  change "write $dest ($state${why:+: $why})"
  [ "$DRY_RUN" = 1 ] && return 0
  mkdir -p "$(dirname "$(R "$dest")")"
  local tmp
  tmp="$(dirname "$(R "$dest")")/.$(basename "$dest").sg-install"
  cp "$src" "$tmp"
  if [ "$owner" != - ]; then
    chown "$(uid_of "${owner%%:*}"):$(gid_of "${owner##*:}")" "$tmp"
    chmod "$mode" "$tmp"
  fi
  sync "$tmp" 2>/dev/null || true
  mv -f "$tmp" "$(R "$dest")"
}

# put_text DEST MODE OWNER:GROUP [WHY] <<<TEXT
put_text() {
  local tmp
  tmp=$(mktemp "$WORK/text.XXXXXX")
  cat >"$tmp"
  put_file "$tmp" "$@"
}

# put_dir DEST MODE OWNER:GROUP [WHY]
put_dir() {
  local dest=$1 mode=$2 owner=$3 why=${4:-}
  if [ -d "$(R "$dest")" ] && [ ! -L "$(R "$dest")" ]; then
    owner_ok "$dest" "$owner" "$mode" && return 0
    change "set owner/mode of $dest to $owner $mode${why:+ ($why)}"
  else
    change "create directory $dest${why:+ ($why)}"
  fi
  [ "$DRY_RUN" = 1 ] && return 0
  mkdir -p "$(R "$dest")"
  apply_owner "$dest" "$owner" "$mode"
}

# put_link DEST TARGET [WHY]: DEST is a symlink to TARGET.
put_link() {
  local dest=$1 target=$2 why=${3:-}
  [ -L "$(R "$dest")" ] && [ "$(readlink "$(R "$dest")")" = "$target" ] && return 0
  if [ -e "$(R "$dest")" ] && [ ! -L "$(R "$dest")" ]; then
    die "$dest exists and is not a symlink; move it away first (it would become a link to $target)"
  fi
  change "link $dest -> $target${why:+ ($why)}"
  [ "$DRY_RUN" = 1 ] && return 0
  mkdir -p "$(dirname "$(R "$dest")")"
  ln -sfn "$target" "$(R "$dest")"
}

# managed_block FILE NAME TEXTFILE [WHY]: FILE ends with the block between "# >>> NAME" and
# "# <<< NAME" holding TEXTFILE's lines (replacing an older block; the rest is left alone).
managed_block() {
  local file=$1 name=$2 body=$3 why=${4:-} next
  next=$(mktemp "$WORK/block.XXXXXX")
  {
    if [ -f "$(R "$file")" ]; then
      awk -v start="# >>> $name" -v end="# <<< $name" '
        index($0, start) == 1 { skip = 1; next }
        index($0, end) == 1 { skip = 0; next }
        !skip { print }' "$(R "$file")" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
      echo
    fi
    echo "# >>> $name"
    cat "$body"
    echo "# <<< $name"
  } >"$next"
  # Only the block is ours: the file keeps its owner and mode.
  put_file "$next" "$file" - - "$why"
}
