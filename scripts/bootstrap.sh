#!/usr/bin/env bash
# Installs what Offcycle's build and tests need, from the Rust crate registry, npm and Debian only.
# Idempotent: every step is skipped when its tool is already there. Used by both README commands.
#
#   scripts/bootstrap.sh            build tools (wasm target, wasm-bindgen)
#   scripts/bootstrap.sh --test     … plus chromium, PostgreSQL, the end2end npm packages and the
#                                   PDF/UA and PDF/A checker (PyPI page-validation, in its own venv)
#   scripts/bootstrap.sh --release  … plus cargo-leptos and wasm-opt (npm binaryen) for release builds
#   scripts/bootstrap.sh --bench    … plus everything the bench command needs (implies --test and
#                                   --release): wrk, valgrind, lighthouse (npm), cargo-fuzz
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want_test=0; want_release=0; want_bench=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --release) want_release=1 ;;
    --bench) want_bench=1; want_test=1; want_release=1 ;;
    *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
  esac
done
say() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }
die() { printf '[bootstrap] %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (stable ≥ 1.88)."
command -v rustup >/dev/null || die "rustup is missing: it adds the wasm32 target. Install Rust with rustup."

rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || {
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

# Release builds only (wasm-opt, precompressed assets): debug builds need cargo and wasm-bindgen
# alone (scripts/site.sh). 0.3.11 needs rustc ≥ 1.96; 0.3.10 with no_downloads never reaches for GitHub.
if [ "$want_release" = 1 ] && ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (about 18 minutes on 2 cores, once per machine)"
  cargo install cargo-leptos@0.3.10 --locked --features no_downloads
fi

# The wasm-bindgen CLI must equal the crate version in Cargo.lock exactly.
want_wb=$(grep -A1 '^name = "wasm-bindgen"$' "$root/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p' | head -1)
[ -n "$want_wb" ] || die "could not read the wasm-bindgen version from Cargo.lock"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $want_wb\$"; then
  say "installing wasm-bindgen-cli $want_wb (without --locked: its lockfile wants a crate the registry lacks)"
  cargo install wasm-bindgen-cli --version "$want_wb" --force
fi

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing Debian packages: ${missing[*]} (install them with your package manager)"
  say "apt-get install ${missing[*]}"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

tools="${OFFCYCLE_TOOLS_DIR:-$HOME/.cache/offcycle/tools}"
if [ "$want_release" = 1 ]; then
  command -v npm >/dev/null || die "npm is missing: install Node.js 20 (Debian package nodejs + npm)."
  if [ ! -x "$tools/node_modules/.bin/wasm-opt" ]; then
    say "installing wasm-opt (npm binaryen 132; Debian's binaryen is too old for rustc 1.95 output)"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --silent binaryen@132.0.0
  fi
  apt_install brotli
fi

if [ "$want_test" = 1 ]; then
  command -v npm >/dev/null || die "npm is missing: install Node.js 20 (Debian package nodejs + npm)."
  apt_install chromium postgresql poppler-utils qpdf python3-aiosmtpd systemd curl
  if [ ! -d "$root/end2end/node_modules/@playwright/test" ] || [ "$root/end2end/package-lock.json" -nt "$root/end2end/node_modules/.package-lock.json" ]; then
    say "npm ci in end2end (Playwright drives Debian's chromium; no browser download)"
    (cd "$root/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
  # The archival PDF's PDF/UA-1 and PDF/A-2a checks (server/tests/pdf.rs, scripts/pdf-conformance.py).
  pdfcheck_version=0.11.0
  if ! "$tools/pdfcheck/bin/python" -c "import page, importlib.metadata as m; assert m.version('page-validation') == '$pdfcheck_version'" 2>/dev/null; then
    say "installing the PDF/UA and PDF/A checker (PyPI page-validation $pdfcheck_version, in $tools/pdfcheck)"
    mkdir -p "$tools"
    python3 -m venv "$tools/pdfcheck" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$tools/pdfcheck"; }
    "$tools/pdfcheck/bin/python" -m pip install --quiet --disable-pip-version-check "page-validation==$pdfcheck_version"
  fi
fi
if [ "$want_bench" = 1 ]; then
  apt_install wrk valgrind
  if [ ! -x "$tools/node_modules/.bin/lighthouse" ]; then
    say "installing lighthouse 12 (npm; it drives Debian's chromium)"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --silent lighthouse@12.8.2
  fi
  # cargo-fuzz runs on stable with --sanitizer none (see fuzz/Cargo.toml).
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz (a few minutes, once per machine)"
    cargo install cargo-fuzz --locked
  fi
fi
say "tools ready"
