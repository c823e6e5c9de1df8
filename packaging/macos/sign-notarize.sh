#!/usr/bin/env bash
# Sign (and for a .dmg, notarise and staple) when the secrets are configured; otherwise say so and skip.
#   sign-notarize.sh app "dist/Crash Inspector.app"
#   sign-notarize.sh dmg dist/crash-inspector-X.dmg
# Secrets (GitHub Actions secrets in CI): MACOS_SIGN_IDENTITY ("Developer ID Application: ..."), and for
# notarisation APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD (an app-specific password).
set -euo pipefail
what="$1"; target="$2"
here="$(cd "$(dirname "$0")" && pwd)"

if [ -z "${MACOS_SIGN_IDENTITY:-}" ]; then
  echo "sign-notarize: MACOS_SIGN_IDENTITY is not set; skipping code signing of $target (unsigned build)"
  exit 0
fi

case "$what" in
  app)
    codesign --force --deep --timestamp --options runtime \
      --entitlements "$here/entitlements.plist" --sign "$MACOS_SIGN_IDENTITY" "$target"
    codesign --verify --strict --verbose=2 "$target"
    ;;
  dmg)
    codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$target"
    if [ -z "${APPLE_ID:-}" ] || [ -z "${APPLE_TEAM_ID:-}" ] || [ -z "${APPLE_APP_PASSWORD:-}" ]; then
      echo "sign-notarize: APPLE_ID/APPLE_TEAM_ID/APPLE_APP_PASSWORD not set; skipping notarisation of $target"
      exit 0
    fi
    xcrun notarytool submit "$target" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
      --password "$APPLE_APP_PASSWORD" --wait
    xcrun stapler staple "$target"
    ;;
  *) echo "usage: $0 app|dmg PATH" >&2; exit 2 ;;
esac
