#!/bin/sh
# The palimpsest launcher of this runtime image (replaces the script jlink generates).
#
# The JVM decodes command-line arguments and file names with the charset of the C locale it
# starts under; under a POSIX locale (env -i, cron, minimal containers) that is ASCII, and every
# non-ASCII character of an id or a text would be lost before main() runs. So unless the locale
# already says UTF-8, the JVM runs under C.UTF-8. (The launcher also recovers the raw argument
# bytes itself where the locale cannot be set; see dev.palimpsest.cli.Utf8Arguments.)
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
  *[Uu][Tt][Ff]-8*|*[Uu][Tt][Ff]8*) ;;
  *) LC_ALL=C.UTF-8; export LC_ALL ;;
esac
# Resolve a symlinked launcher to the image it belongs to.
SELF=`readlink -f "$0" 2>/dev/null || echo "$0"`
DIR=`dirname "$SELF"`
# Temporary files (the demo's root) go below $TMPDIR when it is set, as for other Unix tools;
# the JVM itself ignores it. PALIMPSEST_JVM_OPTIONS adds JVM options (for example -Xshare:on to
# insist on class sharing) and comes later, so it can override that. palimpsest.launcher lets
# the launcher print commands that can be pasted as they are. (No class path: the jars without a
# module descriptor in lib/classpath/ are loaded by the launcher itself when a command needs a
# PostgreSQL store; on the class path, every start would pay for opening them.)
exec "$DIR/java" ${TMPDIR:+"-Djava.io.tmpdir=$TMPDIR"} $PALIMPSEST_JVM_OPTIONS \
  -Dpalimpsest.launcher="$SELF" -m dev.palimpsest.cli/dev.palimpsest.cli.Main "$@"
