#!/bin/sh
# Builds the palimpsest runtime image: jlink, the launcher, and a CDS archive that covers the
# application's classes as well as the JDK's.
#
# usage: build-image.sh JAVA_HOME MODULE_PATH IMAGE WORK_DIR SRC_DIR CLASS_PATH_DIR
#   JAVA_HOME    the JDK whose jlink and jmods build the image
#   MODULE_PATH  the application's modular jars (the launcher's jar and every dependency)
#   IMAGE        the image directory to (re)create
#   WORK_DIR     a scratch directory for the class lists and the training root
#   SRC_DIR      the directory holding this script, the launcher and the training commands
#   CLASS_PATH_DIR  jars without a module descriptor (the PostgreSQL driver), copied to the
#                image's lib/classpath/, whose jars the launcher loads when a command first
#                needs them (not a JVM class path, which every start would pay for)
set -eu
JAVA_HOME=$1
MODULE_PATH=$2
IMAGE=$3
WORK=$4
SRC=$5
CLASS_PATH_DIR=$6

# A previous image (a build without clean) would make jlink refuse to run.
rm -rf "$IMAGE" "$WORK"
mkdir -p "$WORK"

# Every jar shipped must be an explicit module: jlink rejects an automatic module it resolves,
# but say which jar it is, and catch one that is on the path without being resolved yet.
check_explicit() {
  if "$JAVA_HOME/bin/jar" --describe-module --file "$1" | grep -q 'automatic'; then
    echo "not an explicit module (no module-info.class): $1" >&2
    exit 1
  fi
}
old_ifs=$IFS
IFS=:
for entry in $MODULE_PATH; do
  IFS=$old_ifs
  if [ -d "$entry" ]; then
    for jar in "$entry"/*.jar; do check_explicit "$jar"; done
  else
    check_explicit "$entry"
  fi
done
IFS=$old_ifs

# jlink resolves the launcher's module graph and links only the modules it reaches.
# jdk.crypto.ec is not required by any module, but TLS to an OpenAI-compatible endpoint needs
# its elliptic-curve ciphers. java.naming and java.security.jgss are for the PostgreSQL driver
# on the class path, which no module requires: TLS host-name checks (javax.naming.ldap) and
# Kerberos logins. (Its only other JDK module, java.desktop, is for its geometric types alone.)
# The options added to the image apply to every launch of its java: C1 only and the serial
# collector (a short-lived process gains nothing from C2 or G1's set-up), an initial heap of
# 8 MB (the default, 1/64 of the machine's memory, let `show --json` of a 4 MB window grow to
# 86 MiB resident before its first collection; from 8 MB it stays at 55 MiB, and the heap still
# grows as a big import needs), UTF-8 for the default charset, and no perf-data file in /tmp.
"$JAVA_HOME/bin/jlink" \
  --module-path "$MODULE_PATH" \
  --add-modules dev.palimpsest.cli,jdk.crypto.ec,java.naming,java.security.jgss \
  --launcher palimpsest=dev.palimpsest.cli/dev.palimpsest.cli.Main \
  --add-options="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms8m -XX:-UsePerfData -Dfile.encoding=UTF-8" \
  --strip-debug --no-header-files --no-man-pages \
  --output "$IMAGE"

mkdir -p "$IMAGE/lib/classpath"
for jar in "$CLASS_PATH_DIR"/*.jar; do cp "$jar" "$IMAGE/lib/classpath/"; done
ls "$IMAGE/lib/classpath/"postgresql-*.jar > /dev/null \
  || { echo "no PostgreSQL driver in $CLASS_PATH_DIR" >&2; exit 1; }

cp "$SRC/palimpsest.sh" "$IMAGE/bin/palimpsest"
chmod 755 "$IMAGE/bin/palimpsest"

# Record the classes loaded by a representative mix of commands, one cold JVM each, as an
# operator would run them, against a scratch root.
ROOT="$WORK/root"
# Belt and braces: even a launcher that ignored --root must not touch the builder's own data.
PALIMPSEST_HOME="$ROOT"
export PALIMPSEST_HOME
n=0
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  n=$((n + 1))
  # The training commands are trusted build input: word splitting is intended. A command
  # expected to fail (show of an id never stored: exit 3) trains the error path; any other
  # failure means a broken image.
  status=0
  # shellcheck disable=SC2086
  "$IMAGE/bin/java" -Xshare:off -XX:DumpLoadedClassList="$WORK/run-$n.classlist" \
    -m dev.palimpsest.cli/dev.palimpsest.cli.Main --root "$ROOT" $line \
    > "$WORK/run-$n.out" 2> "$WORK/run-$n.err" < /dev/null || status=$?
  case "$line" in
    *never-stored*) expected=3 ;;
    *) expected=0 ;;
  esac
  if [ "$status" -ne "$expected" ]; then
    echo "CDS training command exited $status, not $expected: palimpsest $line" >&2
    cat "$WORK/run-$n.err" >&2
    exit 1
  fi
done < "$SRC/cds-training.txt"

# Merge the lists. Class ids are per run, so they are dropped (classes of the built-in loaders
# need none). A line is kept as many times as one run had it, in first-seen order: a class is
# listed once per run, but two call sites of one shape (OUT::isTerminal and ERR::isTerminal)
# give two identical @lambda-proxy lines, and each needs its own archived class, or the second
# is spun at run time through ASM (5 ms of a cold start).
for list in "$WORK"/run-*.classlist; do
  grep -v '/$Proxy' "$list" | sed 's/ id: [0-9]*$//' | awk -v run="$list" '{ print run "\t" $0 }'
done | awk -F '\t' '
  { line = substr($0, length($1) + 2); n = ++count[$1 SUBSEP line] }
  n > most[line] { most[line] = n; order[++lines] = line }
  END { for (i = 1; i <= lines; i++) print order[i] }' > "$WORK/classes.classlist"

# A static dump archives every listed class, including picocli's pre-Java-6 class files that a
# dynamic archive on JDK 17 skips. The JVM maps lib/server/classes.jsa by default.
"$IMAGE/bin/java" -Xshare:dump -XX:SharedClassListFile="$WORK/classes.classlist" \
  -XX:SharedArchiveFile="$IMAGE/lib/server/classes.jsa" \
  --add-modules dev.palimpsest.cli > "$WORK/dump.log" 2>&1 \
  || { cat "$WORK/dump.log" >&2; exit 1; }

# Fail now if the archive does not serve the launcher's own classes.
"$IMAGE/bin/java" -Xshare:on -Xlog:class+load=info \
  -m dev.palimpsest.cli/dev.palimpsest.cli.Main --version > "$WORK/verify.log" 2>&1 \
  || { cat "$WORK/verify.log" >&2; exit 1; }
grep -q 'dev.palimpsest.cli.Main source: shared objects file' "$WORK/verify.log" \
  || { echo "the CDS archive does not hold dev.palimpsest.cli.Main" >&2; exit 1; }

# Smoke-test the image's own launcher script, with class sharing forced on so that an archive
# the JVM cannot map fails here instead of silently slowing every start. The Failsafe tests
# (LauncherImageIT) go further; this check also runs when tests are skipped.
SMOKE="$WORK/smoke"
rm -rf "$SMOKE"
export PALIMPSEST_JVM_OPTIONS="-Xshare:on"
smoke() {
  "$IMAGE/bin/palimpsest" --root "$SMOKE" "$@" < /dev/null > "$WORK/smoke.out" 2> "$WORK/smoke.err" \
    || { echo "image smoke test failed: palimpsest $*" >&2; cat "$WORK/smoke.err" >&2; exit 1; }
}
smoke append --user "smoke ünïcødé" --assistant "ok" smoke-id
[ "$(cat "$WORK/smoke.out")" = "1" ] || { echo "image smoke test: append printed '$(cat "$WORK/smoke.out")', not 1" >&2; exit 1; }
smoke show smoke-id
smoke transcript smoke-id
grep -q "smoke ünïcødé" "$WORK/smoke.out" || { echo "image smoke test: transcript lost the round" >&2; exit 1; }
smoke list
grep -q "smoke-id" "$WORK/smoke.out" || { echo "image smoke test: list lacks the conversation" >&2; exit 1; }
# The PostgreSQL driver on the class path: a store URL on a closed port must fail as a refused
# connection (exit 6), which only a loaded driver can say; without it the JVM finds "no suitable
# driver". (LauncherImageIT runs the image against a real server.)
status=0
"$IMAGE/bin/palimpsest" --root "$SMOKE" --store postgresql://smoke@127.0.0.1:1/smoke list \
  < /dev/null > "$WORK/smoke.out" 2> "$WORK/smoke.err" || status=$?
if [ "$status" -ne 6 ] || grep -qi "suitable driver" "$WORK/smoke.err"; then
  echo "image smoke test: the PostgreSQL driver did not answer (exit $status)" >&2
  cat "$WORK/smoke.err" >&2
  exit 1
fi
unset PALIMPSEST_JVM_OPTIONS
