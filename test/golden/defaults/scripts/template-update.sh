#!/usr/bin/env bash
# Propose this repository's template update as a pull request (GitHub) or merge request (GitLab), the way
# CI does it on schedule (.github/workflows/template-update.yaml, or .gitlab-ci.yml's template-update
# jobs). The template version is the one tools/template/package.json pins: Dependabot or Renovate bumps
# it, and the next run proposes that version.
#
#   scripts/template-update.sh               both halves in one go (needs full history, git push access, and gh logged in)
#   scripts/template-update.sh prepare [DIR]  run the generator; write what it proposes into DIR (default .template-update)
#   scripts/template-update.sh publish [DIR]  check what DIR holds against HEAD, then push it and open or update the request
#
# CI runs the halves in two jobs. The generator is a package from npm, with dependencies npx resolves at
# run time, and any process of a job's user can read another's environment (/proc/<pid>/environ) or leave
# a git hook or an edited script for a later step. So the job that prepares holds no token; the job that
# publishes holds the token, runs no npm code, runs git with hooks off, and takes from DIR only a bundle
# it checks: exactly one commit, on the commit it checked out, with the update's subject.
# DIR holds `outcome` (0, 10 or 11, as below), `update.json` (update's --json report) and, for 10,
# `update.bundle` (git bundle of that one commit).
#
# In GitLab CI (GITLAB_CI=true) there is no gh: the branch is pushed to $CI_SERVER_URL/$CI_PROJECT_PATH
# with git push options that open or update the merge request, and the issue goes through GitLab's REST
# API with curl. Both authenticate as TEMPLATE_UPDATE_TOKEN, a project access token (see the README).
#
# One branch (template-update) and one pull request at a time: a re-run updates the same pull
# request, a newer version replaces the branch. With conflicts nothing is pushed; one issue lists the
# files and the command to run locally.
#
# Exit codes (prepare: what it wrote into DIR for publish):
#   0   up to date: nothing pushed, nothing requested
#   10  proposed: the branch pushed (or already current) and its pull request opened or updated
#   11  conflicts: nothing pushed; the issue opened or updated
#   any other code: an error (1 from this script, with the step named; else the failing command's own)
set -euo pipefail

fail() {
  echo "template-update: $*" >&2
  exit 1
}
mode=${1:-}
case $mode in
  "" | prepare | publish) ;;
  *) fail "unknown mode '${mode:0:40}': prepare, publish, or none for both" ;;
esac
handoff=${2:-.template-update}
case $handoff in /*) ;; *) handoff=$PWD/$handoff ;; esac
cd "$(dirname "$0")/.."
branch=template-update
remote=origin
package=create-gitops-go-service
version=$(sed -n "s/^ *\"$package\": *\"\([^\"]*\)\".*/\1/p" tools/template/package.json)
# The commit update --branch writes, and the only one publish pushes.
subject="chore: update to $package v$version templates"

[ -n "$version" ] || fail "no $package version in tools/template/package.json"
if [ "${GITLAB_CI:-}" = true ]; then
  forge=gitlab
  if [ "$mode" != prepare ]; then
    for name in CI_SERVER_URL CI_PROJECT_PATH CI_API_V4_URL CI_PROJECT_ID TEMPLATE_UPDATE_TOKEN; do
      [ -n "${!name:-}" ] || fail "$name is not set: in GitLab CI the job needs it (TEMPLATE_UPDATE_TOKEN: see the README's Template updates)"
    done
    # The clone's own remote carries the job token, which can neither push nor open merge requests.
    remote="$CI_SERVER_URL/$CI_PROJECT_PATH.git"
  fi
  request="merge request"
else
  forge=github
  request="pull request"
fi
base=$(git symbolic-ref --quiet --short HEAD) || fail "HEAD is detached: check out the default branch"
here=$(git rev-parse HEAD)

# shellcheck disable=SC2317 # run by the EXIT trap, not called
cleanup() {
  [ -z "${work:-}" ] || git branch -D "$work" >/dev/null 2>&1 || true
  [ -z "${proposal:-}" ] || git update-ref -d "$proposal" >/dev/null 2>&1 || true
  [ -z "${scratch:-}" ] || rm -rf "$scratch"
  [ -z "${report:-}" ] || rm -f "$report"
}
trap cleanup EXIT
if [ -z "$mode" ]; then
  scratch=$(mktemp -d)
  handoff=$scratch
fi

if [ "$mode" != publish ]; then
  # update refuses a shallow clone that lacks the generated base; say how to fix it before it runs.
  [ "$(git rev-parse --is-shallow-repository)" = false ] || fail "a shallow clone: check out with full history (fetch-depth: 0, or git fetch --unshallow)"
  [ ! -e "$handoff" ] || [ -z "$(ls -A "$handoff")" ] || fail "$handoff is not empty: prepare writes into a new directory"
  # The generator (a package from npm) never sees a forge token.
  generator() { env -u GH_TOKEN -u GITHUB_TOKEN -u TEMPLATE_UPDATE_TOKEN -u CI_JOB_TOKEN npx --yes "$package@$version" "$@"; }
  # The report goes outside the work tree while update runs, DIR only once it is done (DIR may be in it).
  report=$(mktemp)
  status=0
  generator update --check . >/dev/null || status=$?
  case $status in
    0) outcome=0 ;;
    1)
      # update --branch refuses an existing branch: build on a scratch one; publish pushes it under the real name.
      work="$branch-$version-$$"
      status=0
      generator update --yes --json --branch "$work" . >"$report" || status=$?
      case $status in
        0) outcome=10 ;;
        5) outcome=11 ;;
        *)
          cat "$report" >&2
          fail "update --branch exited $status"
          ;;
      esac
      ;;
    *) fail "update --check exited $status" ;;
  esac
  mkdir -p "$handoff"
  [ "$outcome" = 0 ] || cp "$report" "$handoff/update.json"
  [ "$outcome" != 10 ] || git bundle create --quiet "$handoff/update.bundle" "refs/heads/$work" "^$here" || fail "cannot bundle $work"
  echo "$outcome" >"$handoff/outcome"
  if [ "$mode" = prepare ]; then
    case $outcome in
      0) echo "up to date with $package $version" ;;
      10) echo "prepared $package $version in $handoff: publish pushes it" ;;
      11) echo "conflicts with $package $version, listed in $handoff/update.json: publish reports them" ;;
    esac
    exit "$outcome"
  fi
fi

# Publish. From here no npm code runs, and git runs no hook: neither may act with the token this half
# holds. (GIT_CONFIG_COUNT is git -c for every git below; fsckObjects checks each object the bundle brings.)
n=${GIT_CONFIG_COUNT:-0}
export "GIT_CONFIG_KEY_$n=core.hooksPath" "GIT_CONFIG_VALUE_$n=/dev/null"
export "GIT_CONFIG_KEY_$((n + 1))=transfer.fsckObjects" "GIT_CONFIG_VALUE_$((n + 1))=true"
export GIT_CONFIG_COUNT=$((n + 2))
# A regular file, not a link: DIR came from another job.
regular() { [ -f "$1" ] && [ ! -L "$1" ]; }
regular "$handoff/outcome" || fail "$handoff/outcome is missing: run prepare first, and hand its directory over whole"
outcome=$(head -c 3 "$handoff/outcome" | tr -d '\n')
case $outcome in
  0)
    echo "up to date with $package $version"
    exit 0
    ;;
  10 | 11) ;;
  *) fail "$handoff/outcome says '$outcome', not 0, 10 or 11" ;;
esac

# GitLab's REST API: api METHOD PATH [curl options]. The token goes in a header curl reads from a file
# descriptor, so it is on no command line; --fail-with-body turns an HTTP error into curl's exit 22.
api() {
  local method=$1 path=$2
  shift 2
  curl --silent --show-error --fail-with-body --request "$method" \
    --header @<(printf 'PRIVATE-TOKEN: %s\n' "$TEMPLATE_UPDATE_TOKEN") "$@" "$CI_API_V4_URL/projects/$CI_PROJECT_ID$path"
}
# Field FIELD of the first JSON array item whose title starts with PREFIX (gh and GitLab print JSON).
first() { node -e 'const [f, p = ""] = process.argv.slice(1); const hit = JSON.parse(require("fs").readFileSync(0, "utf8")).find((x) => String(x.title ?? "").startsWith(p)); if (hit) console.log(hit[f]);' "$@"; }
title_prefix="Template update to $package"
short() { git rev-parse --short "$1"; }

if [ "$outcome" = 11 ]; then
  regular "$handoff/update.json" || fail "$handoff/update.json is missing: prepare reported conflicts"
  # The file names are another job's output: one line each, no backquote, so they stay code in the issue.
  # shellcheck disable=SC2016 # backquotes of Markdown, not the shell's
  files=$(node -e 'let rows; try { rows = JSON.parse(require("fs").readFileSync(0, "utf8")); } catch { process.exit(3); } for (const r of [rows].flat()) for (const c of Array.isArray(r?.conflicts) ? r.conflicts : []) console.log("- `" + String(c).replace(/[\x00-\x1f\x7f`]/g, "?").slice(0, 200) + "`");' <"$handoff/update.json") ||
    fail "$handoff/update.json is not update's JSON report"
  [ -n "$files" ] || fail "prepare reported conflicts, but $handoff/update.json lists none"
  title="$title_prefix $version has conflicts"
  body="The $package $version templates conflict with changes made here, so no $request was opened:

$files

Update locally, resolve the conflicts git lists, and open a $request:

\`\`\`sh
git switch $base && git pull
npx $package@$version update
\`\`\`"
  if [ "$forge" = gitlab ]; then
    # (Each call's output in a variable first: a failing call stops the run with curl's own exit code.)
    issues=$(api GET /issues --get --data-urlencode state=opened --data-urlencode in=title --data-urlencode "search=$title_prefix")
    number=$(first iid "$title_prefix" <<<"$issues")
    if [ -n "$number" ]; then
      api PUT "/issues/$number" --data-urlencode "title=$title" --data-urlencode "description=$body" >/dev/null
    else
      api POST /issues --data-urlencode "title=$title" --data-urlencode "description=$body" --data-urlencode labels=template-update >/dev/null
    fi
  else
    number=$(gh issue list --state open --search "in:title \"$title_prefix\"" --json number,title | first number "$title_prefix")
    if [ -n "$number" ]; then
      gh issue edit "$number" --title "$title" --body "$body" >/dev/null
    else
      gh issue create --title "$title" --body "$body" >/dev/null
    fi
  fi
  echo "conflicts with $package $version: issue ${number:-opened}"
  exit 11
fi

# The bundle must be exactly the update: one commit, on the commit checked out here, with update's
# subject. Anything else is not what update --branch writes, and is not pushed.
bundle=$handoff/update.bundle
regular "$bundle" || fail "$bundle is missing: prepare reported an update"
# (Not --quiet: that hides the reason too.)
why=$(git bundle verify "$bundle" 2>&1) || fail "the bundle does not apply to $base ($(short "$here")), refusing it: $(tr '\n' ' ' <<<"$why")"
heads=$(git bundle list-heads "$bundle")
[ "$(grep -c . <<<"$heads")" = 1 ] || fail "the bundle holds $(grep -c . <<<"$heads") refs, not one: refusing it"
ref=${heads#* }
[[ $ref =~ ^refs/heads/[A-Za-z0-9._/-]+$ ]] || fail "the bundle's ref '${ref:0:80}' is not a branch name: refusing it"
proposal=refs/template-update/proposal-$$
git fetch --quiet --no-tags "$bundle" "$ref:$proposal" || fail "cannot read the update commit from the bundle"
count=$(git rev-list --count "$here..$proposal")
[ "$count" = 1 ] || fail "the bundle holds $count commits on top of $base ($(short "$here")), not one: refusing to push it"
parents=$(git rev-list --parents -n 1 "$proposal")
onto=${parents#* }
[ "$onto" = "$here" ] || fail "the bundle's commit is on ${onto// / and }, not on $base as checked out here ($here): refusing to push it"
said=$(git log -1 --format=%s "$proposal")
[ "$said" = "$subject" ] || fail "the bundle's commit says '${said:0:80}', not '$subject': refusing to push it"

# Push only what changed: the same tree on the same parent is the same proposal (a re-run). A branch
# whose last commit is not an update commit has someone's work on it: never force-pushed over.
title="$title_prefix $version"
body="Generated by \`scripts/template-update.sh\`: \`npx $package@$version update --branch\` on $base, with the answers recorded in .create-gitops-go-service.json.

CI runs on this $request like on any other, and a person approves it (the code owners of what it changes, where they are required). Reviewing it is reviewing the template's changes to this repository."
push_options=()
if [ "$forge" = gitlab ]; then
  # GitLab opens or updates the merge request from git push options. merge_request.create only when no
  # merge request is open for the branch: with one open, the title and description options update it.
  # (A push option is one line: git refuses a newline in it.)
  mrs=$(api GET /merge_requests --get --data-urlencode state=opened --data-urlencode "source_branch=$branch")
  mr=$(first iid <<<"$mrs")
  [ -n "$mr" ] || push_options+=(-o merge_request.create -o "merge_request.target=$base" -o merge_request.remove_source_branch)
  push_options+=(-o "merge_request.title=$title" -o "merge_request.description=${body//$'\n'/ }")
fi
ours="chore: update to $package v"
current=$(git ls-remote "$remote" "refs/heads/$branch" | cut -f1)
[ -z "$current" ] || git fetch --quiet "$remote" "refs/heads/$branch" || fail "cannot fetch $branch"
# (grep without -q reads to the end: an early exit would fail git log with SIGPIPE under pipefail.)
if [ -n "$current" ] && ! git log -1 --format=%s FETCH_HEAD | grep "^$ours.* templates\$" >/dev/null; then
  # Commits on top of an update: keep them. Of this version, the pull or merge request still stands.
  git log --format=%s FETCH_HEAD | grep -xF "$subject" >/dev/null ||
    fail "$branch has commits that are not template updates on top of an older version: merge or close its $request (or delete the branch), then run again"
  echo "$branch holds $package $version with further commits: left as it is"
elif [ -n "$current" ] && [ "$(git rev-parse "FETCH_HEAD^{tree}" "FETCH_HEAD^1" 2>/dev/null)" = "$(git rev-parse "$proposal^{tree}" "$proposal^1")" ]; then
  echo "$branch already holds $package $version"
else
  git push --quiet "${push_options[@]}" --force-with-lease="refs/heads/$branch:$current" "$remote" "$proposal:refs/heads/$branch"
  pushed=true
fi

if [ "$forge" = gitlab ]; then
  # Push options travel only with a push that changes the branch: unchanged, the open merge request
  # already says this version. None open and nothing pushed means someone closed it: not reopened.
  if [ -z "$mr" ] && [ -z "${pushed:-}" ]; then
    echo "$branch holds $package $version and its merge request was closed: not proposed again (delete the branch to propose it again)"
  else
    echo "proposed $package $version on $branch"
  fi
  exit 10
fi
number=$(gh pr list --head "$branch" --state open --json number,title | first number)
if [ -n "$number" ]; then
  gh pr edit "$number" --title "$title" --body "$body" >/dev/null
else
  gh pr create --head "$branch" --base "$base" --title "$title" --body "$body" >/dev/null
fi
echo "proposed $package $version on $branch"
exit 10
