#!/usr/bin/env bash
# Builds the consumer package in this folder against a tagged Git snapshot
# of this repository, depended on by version as another package would, and
# checks what it prints. SwiftPM refuses a versioned dependency whose targets
# carry unsafe flags, so this fails if Package.swift ever gets them again.
# A debug build of the engine alone: about a minute.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The snapshot: the working tree as it is (committed or not), without build products.
mkdir "$work/klpcheck"
(cd "$root" && tar cf - --exclude='./.build*' --exclude='./.git' --exclude='./Tests/ConsumerPackage/.build' .) |
    tar xf - -C "$work/klpcheck"
(
    cd "$work/klpcheck"
    git init -q
    git add -A
    git -c user.name=ci -c user.email=ci@localhost commit -qm snapshot
    git tag 1.0.0
)
cp -R "$here/Package.swift" "$here/Sources" "$work/"
mkdir -p "$work/consumer"
mv "$work/Package.swift" "$work/Sources" "$work/consumer/"

KLPCHECK_GIT_URL="file://$work/klpcheck" swift build --package-path "$work/consumer" --scratch-path "$work/build"
output=$("$work/build/debug/EngineConsumer")
expected="states 64 transitions 128 depth 14 complete true
never-7-7: violated in 14 steps, actions [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]
never-3-2: violated in 5 steps, actions [0, 0, 0, 1, 1]
can-return-home: holds"
if [ "$output" != "$expected" ]; then
    printf 'the consumer printed:\n%s\nexpected:\n%s\n' "$output" "$expected" >&2
    exit 1
fi
echo "consumer package: built against klpcheck 1.0.0 by version, output as expected"
