#!/usr/bin/env bash
# Line 3's walkthrough (docs/workbench.md), reproducible: from a simulated history of
# 5,000 cases to a published pack. Usage: bash bench/workbench_demo.sh [FOLDER]
# Every step's output goes to FOLDER/NN-step.txt (default: a new temporary folder).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
lw="$here/.venv/bin/linewise"
out=${1:-$(mktemp -d)}
mkdir -p "$out" && cd "$out"
rm -rf history.sqlite3* drafts registry charts
run() { local name=$1; shift; echo "\$ linewise $*" > "$name.txt"; "$lw" "$@" >> "$name.txt" 2>&1 || true; }

run 01-simulate cases simulate --count 5000 --seed 1 --store history.sqlite3
run 02-report report --store history.sqlite3 --charts charts
run 03-gaps cases gaps --store history.sqlite3 --min-size 20 --top 6 --out drafts
# The group where only the fallback rule caught the case: ip address none, no link light.
group=$(grep -B1 "shared: wired_ip_kind=none, wired_link_light=no$" 03-gaps.txt | head -1 \
        | sed -E 's/^#([0-9]+) .*/\1/')
draft=gap-wired-no-network-$group
first=$(grep -A2 "^#$group " 03-gaps.txt | sed -nE 's/^ +cases: +(C-[0-9]+).*/\1/p')
run 04-case case show "$first" --store history.sqlite3
# The engineer names the cause and writes its fix (here with sed).
sed -i -E -e "s/gap_wired_no_network_$group/wired_dock_port_dead/g" \
       -e "s/$draft/network-dock/g" \
       -e "s/^(  +en: )'DRAFT: .*'$/\1Docking station network/" \
       -e "s/^(  +en: )'TODO: name the cause behind .*'$/\1The docking station's network port is dead/" \
       -e "s/^(  +- en: )'TODO: the steps that fixed these cases'$/\1Plug the cable into the laptop itself, or swap the dock/" \
       -e "s/^status: draft/status: validated/" "drafts/$draft.yaml"
mv "drafts/$draft.yaml" drafts/network_dock.yaml
mv "drafts/golden/$draft" drafts/golden/network-dock
sed -i "s/gap_wired_no_network_$group/wired_dock_port_dead/g" drafts/golden/network-dock/*.yaml
run 05-validate pack validate "$here/rules" drafts/network_dock.yaml
run 06-test test --packs "$here/rules" --packs drafts/network_dock.yaml drafts/golden/network-dock
run 07-diff pack diff - drafts/network_dock.yaml --stored --store history.sqlite3
run 08-publish-wrong-line pack publish drafts/network_dock.yaml --line 2 --registry registry
run 09-publish pack publish drafts/network_dock.yaml --line 1 --registry registry
run 10-history pack history --registry registry
run 11-replay case replay "$first" --store history.sqlite3 --registry registry
echo "$out"
