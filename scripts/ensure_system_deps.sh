#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing: chromium (browser tests),
# postgresql (history tests against a real server) and poppler-utils (pdftotext/pdftoppm read the
# clinician report back in its tests). Does nothing when they are present.
# Without CI, a machine that cannot install them gets a warning (those tests then skip). With CI=true
# it fails loudly instead: CI must never go green by skipping the browser or PostgreSQL suites.
# FLEXCHECK_TEST_CHROMIUM / FLEXCHECK_TEST_PG_BIN point at the binaries the tests will use (tests only).
set -euo pipefail
chromium_bin="${FLEXCHECK_TEST_CHROMIUM:-/usr/bin/chromium}"

have_chromium() { [ -x "$chromium_bin" ]; }
have_postgres() {
  if [ -n "${FLEXCHECK_TEST_PG_BIN:-}" ]; then
    [ -x "$FLEXCHECK_TEST_PG_BIN/initdb" ] && [ -x "$FLEXCHECK_TEST_PG_BIN/pg_ctl" ]
  else
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
  fi
}
missing() {
  need=()
  have_chromium || need+=(chromium)
  have_postgres || need+=(postgresql)
  command -v pdftotext >/dev/null 2>&1 || [ -x /usr/bin/pdftotext ] || need+=(poppler-utils)
}
under_ci() { case "${CI:-}" in 1|[Tt]rue|TRUE|[Yy]es|YES) return 0 ;; *) return 1 ;; esac; }
give_up() {
  if under_ci; then
    echo "ERROR: CI=true and the system packages ${need[*]} are missing: $1." >&2
    echo "ERROR: the browser/PostgreSQL tests would skip, so CI stops here instead." >&2
    exit 1
  fi
  echo "Missing system packages: ${need[*]} ($1; install them with your package manager; the tests that need them will skip)" >&2
  exit 0
}

missing
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  give_up "installing them needs root and apt-get"
fi
echo "Installing system packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || give_up "apt-get update failed"
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || give_up "apt-get install failed"
missing
if [ ${#need[@]} -ne 0 ]; then
  give_up "still not found after apt-get install"
fi
