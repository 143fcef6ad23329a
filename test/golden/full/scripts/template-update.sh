#!/usr/bin/env bash
# Propose this repository's template update as a pull request (GitHub) or merge request (GitLab), the way
# CI does it on schedule (.github/workflows/template-update.yaml, or .gitlab-ci.yml's template-update
# job). The template version is the one tools/template/package.json pins: Dependabot or Renovate bumps
# it, and the next run proposes that version.
#
#   scripts/template-update.sh          (needs full history, git push access, and gh logged in)
#
# In GitLab CI (GITLAB_CI=true) there is no gh: the branch is pushed to $CI_SERVER_URL/$CI_PROJECT_PATH
# with git push options that open or update the merge request, and the issue goes through GitLab's REST
# API with curl. Both authenticate as TEMPLATE_UPDATE_TOKEN, a project access token (see the README).
#
# One branch (template-update) and one pull request at a time: a re-run updates the same pull
# request, a newer version replaces the branch. With conflicts nothing is pushed; one issue lists the
# files and the command to run locally.
#
# Exit codes:
#   0   up to date: nothing pushed, nothing requested
#   10  proposed: the branch pushed (or already current) and its pull request opened or updated
#   11  conflicts: nothing pushed; the issue opened or updated
#   any other code: an error (1 from this script, with the step named; else the failing command's own)
set -euo pipefail

cd "$(dirname "$0")/.."
branch=template-update
remote=origin
package=create-gitops-go-service
version=$(sed -n "s/^ *\"$package\": *\"\([^\"]*\)\".*/\1/p" tools/template/package.json)

fail() {
  echo "template-update: $*" >&2
  exit 1
}
[ -n "$version" ] || fail "no $package version in tools/template/package.json"
if [ "${GITLAB_CI:-}" = true ]; then
  forge=gitlab
  for name in CI_SERVER_URL CI_PROJECT_PATH CI_API_V4_URL CI_PROJECT_ID TEMPLATE_UPDATE_TOKEN; do
    [ -n "${!name:-}" ] || fail "$name is not set: in GitLab CI the job needs it (TEMPLATE_UPDATE_TOKEN: see the README's Template updates)"
  done
  # The clone's own remote carries the job token, which can neither push nor open merge requests.
  remote="$CI_SERVER_URL/$CI_PROJECT_PATH.git"
  request="merge request"
else
  forge=github
  request="pull request"
fi
# update refuses a shallow clone that lacks the generated base; say how to fix it before it runs.
[ "$(git rev-parse --is-shallow-repository)" = false ] || fail "a shallow clone: check out with full history (fetch-depth: 0, or git fetch --unshallow)"
base=$(git symbolic-ref --quiet --short HEAD) || fail "HEAD is detached: check out the default branch"

# The generator (a package from npm) never sees a forge token.
generator() { env -u GH_TOKEN -u GITHUB_TOKEN -u TEMPLATE_UPDATE_TOKEN -u CI_JOB_TOKEN npx --yes "$package@$version" "$@"; }
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

status=0
generator update --check . >/dev/null || status=$?
case $status in
  0) echo "up to date with $package $version"; exit 0 ;;
  1) ;;
  *) fail "update --check exited $status" ;;
esac

# update --branch refuses an existing branch: build on a scratch one, pushed under the real name.
work="$branch-$version-$$"
out=$(mktemp)
trap 'rm -f "$out"; git branch -D "$work" >/dev/null 2>&1 || true' EXIT
status=0
generator update --yes --json --branch "$work" . >"$out" || status=$?
title_prefix="Template update to $package"

if [ "$status" = 5 ]; then
  # shellcheck disable=SC2016 # backquotes of a JavaScript template string, not the shell's
  files=$(node -e 'const rows = JSON.parse(require("fs").readFileSync(0, "utf8")); for (const r of [rows].flat()) for (const c of r.conflicts ?? []) console.log(`- \`${c}\``)' <"$out")
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
[ "$status" = 0 ] || { cat "$out" >&2; fail "update --branch exited $status"; }

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
  git log --format=%s FETCH_HEAD | grep -xF "$ours$version templates" >/dev/null ||
    fail "$branch has commits that are not template updates on top of an older version: merge or close its $request (or delete the branch), then run again"
  echo "$branch holds $package $version with further commits: left as it is"
elif [ -n "$current" ] && [ "$(git rev-parse "FETCH_HEAD^{tree}" "FETCH_HEAD^1" 2>/dev/null)" = "$(git rev-parse "$work^{tree}" "$work^1")" ]; then
  echo "$branch already holds $package $version"
else
  git push --quiet "${push_options[@]}" --force-with-lease="refs/heads/$branch:$current" "$remote" "$work:refs/heads/$branch"
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
