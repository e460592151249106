#!/usr/bin/env bash
# Capture d'écran (PNG) et impression (PDF) d'un rapport HTML par Chromium sans interface, pour le
# regarder comme un auditeur. Hors de la suite de tests : Chromium n'est pas une dépendance du projet.
#
#   scripts/capture_html.sh RAPPORT.html [SORTIE.png] [LARGEURxHAUTEUR]
#   scripts/capture_html.sh --exemple chu-armorique     (évalue l'exemple au 2026-10-01, puis capture)
#
# Installer Chromium (Debian) : apt-get install -y chromium
# Le rapport est ouvert hors réseau : toute ressource externe manquerait à la capture.
set -euo pipefail

racine="$(cd "$(dirname "$0")/.." && pwd)"
if [ "${1:-}" = "--exemple" ]; then
  exemple="${2:?attendu : le nom d’un dossier de exemples/}"
  html="$(mktemp -d)/${exemple}.html"
  (cd "$racine" && python3 -m verificateur evaluer "exemples/${exemple}" --date 2026-10-01 --format html --sortie "$html") || true
  shift 2
else
  html="${1:?rapport HTML attendu}"
  shift
fi
png="${1:-${html%.html}.png}"
taille="${2:-1280x2400}"
pdf="${png%.png}.pdf"

navigateur="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$navigateur" ]; then
  echo "capture_html : Chromium introuvable (apt-get install -y chromium)" >&2
  exit 2
fi

profil="$(mktemp -d)"
trap 'rm -rf "$profil"' EXIT
options=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
         --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$profil")
url="file://$(realpath "$html")"
"$navigateur" "${options[@]}" --window-size="${taille/x/,}" --screenshot="$png" "$url" 2>/dev/null
"$navigateur" "${options[@]}" --no-pdf-header-footer --print-to-pdf="$pdf" "$url" 2>/dev/null
echo "$png"
echo "$pdf"
