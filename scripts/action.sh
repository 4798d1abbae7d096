#!/usr/bin/env bash
# What the GitHub Action (action.yml) runs, and what anyone can run locally:
#
#   HANDOUT_COMMAND=build HANDOUT_ARGS="content/ --all-goals" \
#   HANDOUT_DIFF_AGAINST=main scripts/action.sh
#
# It finds `handout` (HANDOUT_BIN, else on PATH, else the release archive for
# this runner, checksum verified), runs HANDOUT_COMMAND with HANDOUT_ARGS,
# and prints the output folder as `out-dir=…` for the step's outputs. With
# HANDOUT_DIFF_AGAINST (a git ref) it builds that ref the same way in a
# worktree and writes `handout diff --markdown` to GITHUB_STEP_SUMMARY (or
# standard output).
set -euo pipefail

command="${HANDOUT_COMMAND:-build}"
read -r -a args <<<"${HANDOUT_ARGS:-content/}"
summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}"
outputs="${GITHUB_OUTPUT:-/dev/null}"

# The binary: given, on PATH, or downloaded.
handout="${HANDOUT_BIN:-}"
if [ -z "$handout" ] && command -v handout >/dev/null; then
  handout="$(command -v handout)"
fi
if [ -z "$handout" ]; then
  repo="${HANDOUT_REPOSITORY:?set HANDOUT_REPOSITORY (owner/name) or HANDOUT_BIN}"
  version="${HANDOUT_VERSION:-}"
  if [ -z "$version" ]; then
    version="$(curl -fsSL -o /dev/null -w '%{url_effective}' "https://github.com/$repo/releases/latest")"
    version="${version##*/}"
  fi
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) target=x86_64-unknown-linux-gnu; ext=tar.gz ;;
    Linux-aarch64) target=aarch64-unknown-linux-gnu; ext=tar.gz ;;
    Darwin-x86_64) target=x86_64-apple-darwin; ext=tar.gz ;;
    Darwin-arm64) target=aarch64-apple-darwin; ext=tar.gz ;;
    MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) target=x86_64-pc-windows-msvc; ext=zip ;;
    *) echo "error: no release of handout for $(uname -s) $(uname -m)" >&2; exit 1 ;;
  esac
  name="handout-$version-$target"
  dir="${RUNNER_TEMP:-$(mktemp -d)}/handout-$version"
  mkdir -p "$dir"
  base="https://github.com/$repo/releases/download/$version"
  curl -fsSL -o "$dir/$name.$ext" "$base/$name.$ext"
  curl -fsSL -o "$dir/SHA256SUMS" "$base/SHA256SUMS"
  (cd "$dir" && grep -F " $name.$ext" SHA256SUMS | { sha256sum -c - 2>/dev/null || shasum -a 256 -c -; })
  case "$ext" in
    zip) (cd "$dir" && unzip -q -o "$name.$ext") ;;
    *) tar -xzf "$dir/$name.$ext" -C "$dir" ;;
  esac
  handout="$dir/$name/handout"
  [ -x "$handout" ] || handout="$handout.exe"
fi
"$handout" --version

# The output folder: --out-dir or -o in the arguments, else build's default.
out=out
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    -o | --out-dir) out="${args[$((i + 1))]:-out}" ;;
    --out-dir=*) out="${args[$i]#--out-dir=}" ;;
  esac
done
report=()
if [ "$command" = build ] && [[ " ${args[*]} " != *" --report "* ]]; then
  report=(--report "$out/report.json")
fi
"$handout" "$command" "${args[@]}" "${report[@]}"
echo "out-dir=$out" >>"$outputs"

if [ -n "${HANDOUT_DIFF_AGAINST:-}" ]; then
  if [ "$command" != build ]; then
    echo "error: diff-against compares builds; the command is $command" >&2
    exit 2
  fi
  before="$(mktemp -d)"
  git worktree add --detach "$before/tree" "$HANDOUT_DIFF_AGAINST" >/dev/null
  trap 'git worktree remove --force "$before/tree" >/dev/null 2>&1 || true' EXIT
  # The same arguments, with the output folder and report elsewhere.
  same=()
  for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
      -o | --out-dir | --report) i=$((i + 1)) ;;
      --out-dir=* | --report=*) ;;
      -*) same+=("${args[$i]}") ;;
      # Paths of the worktree made whole, so that the reports name the
      # old and the new content apart, and diff names the YAML paths.
      *) if [ -e "$before/tree/${args[$i]}" ]; then
           same+=("$before/tree/${args[$i]}")
         else
           same+=("${args[$i]}")
         fi ;;
    esac
  done
  (cd "$before/tree" && "$handout" build "${same[@]}" --out-dir "$before/out" --report "$before/out/report.json") || true
  status=0
  "$handout" diff "$before/out" "$out" --markdown "$before/diff.md" --fail-on none || status=$?
  {
    echo "### Handouts changed against \`$HANDOUT_DIFF_AGAINST\`"
    echo
    cat "$before/diff.md"
  } >>"$summary"
  exit "$status"
fi
