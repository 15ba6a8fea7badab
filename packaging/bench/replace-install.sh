#!/usr/bin/env bash
# Benchmark: the whole 'msiexec /i /qn' of the package, with the file free and with it held, against
# the same DLL installed by Windows Installer alone, and each Java action against its floor, all
# measured in the same run inside Wine.
#   packaging/bench/replace-install.sh [rounds]        (default 5; needs 'mvn -B package' first)
# For each round, each state and each variant: a fresh copy of one clean prefix, one msiexec.
#   states   free    System32 holds an older demo MAPI32.DLL (1.0.5.0, built here from src/payload
#                    as the build makes the package's), loaded by nobody
#            locked  the same file held by a process ('wintest lock'), started before the install
#                    and stopped after it (Wine's own mapi32.dll cannot serve: a Wine stub is not
#                    held as a file when it is loaded)
#   variants inuse   the package as built: InuseDetect, InuseReplace (and InuseReplaceRollback,
#                    which runs only on a failure), InuseRebootCheck on the build's JVM through the
#                    stand-in java.exe; free 0, locked 3010
#            floor   the same package and runtime, the engine replaced by the do-nothing one
#                    (packaging/src/test/.../engines/DoesNothing.java: HELLO, CustomActionData handed
#                    on, RESULT): what any Java action costs; it replaces nothing (exit 0)
#            echo    the same package and runtime, an engine that does what the floor does and then
#                    100 GET_PROPERTY requests (engines/Echoes.java): against the floor, the cost of
#                    one request's round trip (transport through the stand-in relay, protocol, a
#                    trivial serve), which the real actions pay per request and the floor does not
#            msi     Windows Installer alone: the same package with its DLL component in System32 and
#                    no custom actions (rows deleted with msibuild); free 0, locked 3010 (Wine queues
#                    the replacement itself)
# Reported: medians of the whole msiexec run per state and variant, inuse/msi per state; for each
# Java action its median time by the broker's own timer ("after X ms"), its requests ("N requests
# served in S ms": the Windows primitives and session calls it asked for, S their time inside the
# broker), the round trip r = ((echo - its S) - (floor - its S)) / 100 of the same action (transport
# and protocol, the serving itself taken out), and the goal:
#   inuse <= 1.15 x (floor + S + N x r)
# the do-nothing engine's floor plus the primitives' own time, which includes getting each request
# to the broker and back. The goal is judged on the median of each round's own ratio (the variants
# of a round run back to back); the ratio of the medians is printed too. The script fails (exit 3)
# when a goal is missed.
set -euo pipefail
# every Wine process unrandomized, as in the Wine test bed (WinePrefix; WINE-TESTBED.md)
[ -n "${INUSE_UNRANDOMIZED:-}" ] || INUSE_UNRANDOMIZED=1 exec setarch -R bash "$0" "$@"
cd "$(dirname "$0")/../.."
repo=$PWD
rounds=${1:-5}
revision=$(sed -n 's:.*<revision>\(.*\)</revision>.*:\1:p' pom.xml | head -1)
msi_built=$repo/packaging/target/inuse-mapi32-$revision-x64.msi
[ -f "$msi_built" ] || { echo "bench: $msi_built is missing: run 'mvn -B package' first" >&2; exit 1; }
[ -f packaging/target/test-classes/io/inuse/packaging/wine/engines/DoesNothing.class ] \
  || { echo "bench: the floor engine is not compiled: run 'mvn -B package' first" >&2; exit 1; }
work=$repo/packaging/target/bench-replace
rm -rf "$work"; mkdir -p "$work/rt/bin"
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
locker_pid=
cleanup() {
  [ -z "$locker_pid" ] || { touch "$work/locker.stop"; sleep 1; kill "$locker_pid" 2>/dev/null || true; }
  wineserver -k 2>/dev/null || true
}
trap cleanup EXIT

cc=x86_64-w64-mingw32-gcc
$cc -municode -O2 -o "$work/wintest.exe" src/testtools/wintest.c src/broker/fsutil.c -lmsi
$cc -municode -O2 -o "$work/rt/bin/java.exe" src/testtools/javarelay.c -lws2_32
printf 'JAVA_VERSION="17.0.15"\nIMPLEMENTOR="inuse test stand-in (benchmark)"\n' > "$work/rt/release"
printf 'java=%s\n' "$(readlink -f "$(command -v java)")" > "$work/rt/bin/relay.properties"
cp -a "$work/rt" "$work/rt-floor"
printf 'main=io.inuse.packaging.wine.engines.DoesNothing\nclasspath.append=%s\n' "$repo/packaging/target/test-classes" \
  >> "$work/rt-floor/bin/relay.properties"
cp -a "$work/rt" "$work/rt-echo"
printf 'main=io.inuse.packaging.wine.engines.Echoes\nclasspath.append=%s\n' "$repo/packaging/target/test-classes" \
  >> "$work/rt-echo/bin/relay.properties"

cd "$work"
cp "$msi_built" inuse.msi
cp "$msi_built" msi.msi
# Windows Installer alone: the DLL's component into System32, every custom action and the broker gone
msibuild msi.msi -q "INSERT INTO \`Directory\` (\`Directory\`, \`Directory_Parent\`, \`DefaultDir\`) VALUES ('System64Folder', 'TARGETDIR', '.')" \
  "UPDATE \`Component\` SET \`Directory_\`='System64Folder' WHERE \`Component\`='TargetDll'"
for a in InuseDetect InuseReplaceRollback InuseReplace InuseRebootCheck; do
  msibuild msi.msi -q "DELETE FROM \`InstallExecuteSequence\` WHERE \`Action\`='$a'" "DELETE FROM \`CustomAction\` WHERE \`Action\`='$a'"
done
msibuild msi.msi -q "DELETE FROM \`Binary\` WHERE \`Name\`='InuseBroker'"

# the older DLL the installs replace: the demo payload's sources at version 1.0.5.0
mkdir -p old
printf '#define INUSE_VERSION_MAJOR 1\n#define INUSE_VERSION_MINOR 0\n#define INUSE_VERSION_BUILD 5\n#define INUSE_VERSION_REVISION 0\n#define INUSE_VERSION_TEXT "1.0.5.0"\n' > old/inuse-version.h
x86_64-w64-mingw32-windres -Iold "$repo/src/payload/mapi32.rc" -O coff -o old/mapi32.res
$cc -shared -O2 -s -Iold -o old/MAPI32.DLL "$repo/src/payload/mapi32.c" "$repo/src/payload/mapi32.def" old/mapi32.res

wineboot --init >/dev/null 2>&1; wineserver -w
wine reg add 'HKCU\Software\Wine\DllOverrides' /v mapi32 /d native,builtin /f >/dev/null 2>&1; wineserver -w
rm -f "$WINEPREFIX"/drive_c/windows/system32/[Mm][Aa][Pp][Ii]32.[Dd][Ll][Ll]
cp old/MAPI32.DLL "$WINEPREFIX/drive_c/windows/system32/MAPI32.DLL"
mv "$WINEPREFIX" clean-prefix

win() { echo "Z:$1" | tr / '\\'; }
now_ms() { date +%s%N | awk '{printf "%.1f", $1/1e6}'; }
start_locker() {
  rm -f locker.stop locker.out
  wine wintest.exe lock 'C:\windows\system32\MAPI32.DLL' "$(win "$work/locker.stop")" > locker.out &
  locker_pid=$!
  for _ in $(seq 300); do
    grep -q '^loaded ' locker.out 2>/dev/null && return 0
    grep -q 'failed' locker.out 2>/dev/null && break
    sleep 0.1
  done
  echo "bench: the locker did not load MAPI32.DLL: $(cat locker.out)" >&2; exit 1
}
stop_locker() {
  touch locker.stop; wait "$locker_pid" || true; locker_pid=
  grep -q '^released' locker.out || { echo "bench: the locker ended without releasing the DLL" >&2; exit 1; }
}
# one action's "after X ms", "N requests served in S ms" from a log, as "X S N"; "0 0 0" when it did not run
action_times() {
  local line
  line=$(grep -a "inuse broker: $2: engine read properties" "$1" | tail -1 | tr -d '\r')
  [ -n "$line" ] || { echo "0 0 0"; return; }
  echo "$line" | sed -n 's/.* after \([0-9.]*\) ms (extraction [0-9.]* ms); \([0-9]*\) requests served in \([0-9.]*\) ms.*/\1 \3 \2/p'
}

actions="InuseDetect InuseReplace InuseRebootCheck"
: > results.tsv
for round in $(seq "$rounds"); do
  for state in free locked; do
    for variant in inuse floor echo msi; do
      rt=rt; msi=$variant
      case $variant in floor|echo) rt=rt-$variant; msi=inuse ;; esac
      rm -rf "$WINEPREFIX"; cp -a clean-prefix "$WINEPREFIX"; wineserver -p
      [ $state = locked ] && start_locker
      log=$work/$variant-$state.log
      t0=$(now_ms)
      out=$(wine wintest.exe run msiexec /i "$(win "$work/$msi.msi")" /qn /l*v "$(win "$log")" \
            "INUSE_JAVA_HOME=$(win "$work/$rt")" | tr -d '\r')
      t1=$(now_ms)
      [ $state = locked ] && stop_locker
      wineserver -k; wineserver -w
      expected=EXITCODE=0
      [ $state = locked ] && { [ $variant = inuse ] || [ $variant = msi ]; } && expected=EXITCODE=3010
      [ "$out" = "$expected" ] || { echo "bench: $variant/$state gave '$out', expected $expected (log: $log)" >&2; exit 1; }
      row="$round	$state	$variant	$(echo "$t1 - $t0" | bc)"
      for a in $actions; do
        times=$(action_times "$log" $a)
        [ $variant = msi ] || [ "$times" != "0 0 0" ] || { echo "bench: no timing of $a in $log" >&2; exit 1; }
        set -- $times
        row="$row	$1	$2	$3"
      done
      printf '%s\n' "$row" >> results.tsv
    done
  done
done

median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }
col() { awk -F'\t' -v s="$1" -v v="$2" -v c="$3" '$2==s && $3==v {print $c}' results.tsv | median; }
echo "rounds: $rounds (each a fresh prefix copy and one msiexec /i /qn); medians in ms"
missed=0
for state in free locked; do
  echo
  echo "state: $state"
  printf '%-6s %10s %13s %14s %17s\n' variant msiexec InuseDetect InuseReplace InuseRebootCheck
  for v in inuse floor echo msi; do
    printf '%-6s %10s %13s %14s %17s\n' $v "$(col $state $v 4)" "$(col $state $v 5)" "$(col $state $v 8)" "$(col $state $v 11)"
  done
  echo "whole install, inuse/msi (Windows Installer alone): $(echo "scale=2; $(col $state inuse 4) / $(col $state msi 4)" | bc)x"
  c=5
  for a in $actions; do
    t=$(col $state inuse $c); f=$(col $state floor $c); e=$(col $state echo $c)
    s=$(col $state inuse $((c + 1))); n=$(col $state inuse $((c + 2)))
    fs=$(col $state floor $((c + 1))); es=$(col $state echo $((c + 1)))
    # transport and protocol only: each engine's time in the broker taken out (MsiGetProperty is an RPC under Wine)
    r=$(echo "scale=3; (($e - $es) - ($f - $fs)) / 100" | bc)
    base=$(echo "scale=1; $f + $s + $n * $r" | bc)
    # the same ratio within each round (its variants ran back to back), then the median: less noisy than a ratio of medians
    paired=$(awk -F'\t' -v s="$state" -v c="$c" '$2==s {v[$1","$3","0]=$c; v[$1","$3","1]=$(c+1); v[$1","$3","2]=$(c+2); r[$1]=1}
      END {for (k in r) {f=v[k",floor,0"]; fs=v[k",floor,1"]; e=v[k",echo,0"]; es=v[k",echo,1"];
           rt=((e-es)-(f-fs))/100; b=f+v[k",inuse,1"]+v[k",inuse,2"]*rt; if (b>0) printf "%.3f\n", v[k",inuse,0"]/b}}' results.tsv | median)
    verdict=met; [ "$(echo "$paired > 1.15" | bc)" = 1 ] && { verdict=MISSED; missed=1; }
    echo "$a: $t ms; floor $f ms; $n requests, $s ms in the broker, round trip $r ms each: floor + requests = $base ms;" \
         "ratio of the medians $(echo "scale=2; $t / $base" | bc)x, median of the rounds' ratios ${paired}x (goal 1.15x: $verdict);" \
         "$(echo "scale=2; $t / $f" | bc)x the bare floor"
    c=$((c + 3))
  done
done
echo "raw rows (round, state, variant, msiexec, then per action: time, requests' time, requests): $work/results.tsv"
if [ $missed = 1 ]; then
  echo "bench: GOAL MISSED: a Java action costs more than 1.15x its floor plus its requests' own time and round trips" >&2
  exit 3
fi
