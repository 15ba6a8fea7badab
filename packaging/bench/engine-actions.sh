#!/usr/bin/env bash
# Benchmark: what the Java custom actions cost inside Wine's msiexec, against their floor and a
# native C action doing the same property work, all measured in the same run.
#   packaging/bench/engine-actions.sh [rounds]        (default 7; needs 'mvn -B package' first)
# For each round and each variant, a fresh copy of one clean prefix and one 'msiexec /i /qn':
#   java    the package as built (broker + engine on the build's JVM through the stand-in java.exe)
#   floor   the same package and runtime, the engine replaced by a do-nothing one (HELLO, then
#           RESULT: packaging/src/test/.../engines/DoesNothing.java): what any Java action costs
#   native  the same package with nativeprobe.dll in place of the broker (the same property work in C)
#   none    the same package without the two custom actions (rows deleted with msibuild)
# Reported: medians of the whole msiexec run and of each action (the broker's and the native
# probe's own timers), each Java action's ratio to the floor (goal: at most 1.15), and the ratios
# java/native and java/none.
set -euo pipefail
# every Wine process unrandomized, as in the Wine test bed (WinePrefix): with Linux's address
# randomization a new Wine 8 process now and then finds its shared user data's address taken and
# dies at start (CreateProcessW then fails with 1359); the personality is inherited by all children
[ -n "${INUSE_UNRANDOMIZED:-}" ] || INUSE_UNRANDOMIZED=1 exec setarch -R bash "$0" "$@"
cd "$(dirname "$0")/../.."
repo=$PWD
rounds=${1:-7}
revision=$(sed -n 's:.*<revision>\(.*\)</revision>.*:\1:p' pom.xml | head -1)
msi_java=$repo/packaging/target/inuse-mapi32-$revision-x64.msi
[ -f "$msi_java" ] || { echo "bench: $msi_java is missing: run 'mvn -B package' first" >&2; exit 1; }
work=$repo/packaging/target/bench
rm -rf "$work"; mkdir -p "$work/rt/bin"
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY

cc=x86_64-w64-mingw32-gcc
$cc -municode -O2 -o "$work/wintest.exe" src/testtools/wintest.c src/broker/fsutil.c -lmsi
$cc -municode -O2 -o "$work/rt/bin/java.exe" src/testtools/javarelay.c -lws2_32
$cc -shared -O2 -o "$work/nativeprobe.dll" src/testtools/nativeprobe.c src/testtools/nativeprobe.def -lmsi
printf 'JAVA_VERSION="17.0.15"\nIMPLEMENTOR="inuse test stand-in (benchmark)"\n' > "$work/rt/release"
printf 'java=%s\n' "$(readlink -f "$(command -v java)")" > "$work/rt/bin/relay.properties"
[ -f packaging/target/test-classes/io/inuse/packaging/wine/engines/DoesNothing.class ] \
  || { echo "bench: the floor engine is not compiled: run 'mvn -B package' first" >&2; exit 1; }
cp -a "$work/rt" "$work/rt-floor"
printf 'main=io.inuse.packaging.wine.engines.DoesNothing\nclasspath.append=%s\n' "$repo/packaging/target/test-classes" \
  >> "$work/rt-floor/bin/relay.properties"

# the variants, all made from the package as built, so that only the custom actions differ
cd "$work"
cp "$msi_java" java.msi
# the probes are what this benchmark compares: the shipped package does not sequence them, so they
# are added here as the broker scenarios' test-only package has them (packaging's wine/ProbePackage);
# the detect action is left out of every variant, so that each install runs the same actions but
# the two measured (packaging/bench/detect-lockers.sh measures the detect action)
msibuild java.msi -q "DELETE FROM \`InstallExecuteSequence\` WHERE \`Action\`='InuseDetect'" \
  "DELETE FROM \`CustomAction\` WHERE \`Action\`='InuseDetect'" \
  "INSERT INTO \`CustomAction\` (\`Action\`, \`Type\`, \`Source\`, \`Target\`) VALUES ('InuseProbe', 1, 'InuseBroker', 'InuseProbe')" \
  "INSERT INTO \`CustomAction\` (\`Action\`, \`Type\`, \`Source\`, \`Target\`) VALUES ('InuseProbeDeferred', 3073, 'InuseBroker', 'InuseProbeDeferred')" \
  "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Condition\`, \`Sequence\`) VALUES ('InuseProbe', 'NOT REMOVE~=\"ALL\"', 1399)" \
  "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Condition\`, \`Sequence\`) VALUES ('InuseProbeDeferred', 'NOT REMOVE~=\"ALL\"', 4003)"
# and without the replacement (issue 15), as in ProbePackage: Windows Installer puts the DLL into System32 itself
msibuild java.msi -q "INSERT INTO \`Directory\` (\`Directory\`, \`Directory_Parent\`, \`DefaultDir\`) VALUES ('System64Folder', 'TARGETDIR', '.')" \
  "UPDATE \`Component\` SET \`Directory_\`='System64Folder' WHERE \`Component\`='TargetDll'"
for a in InuseReplaceRollback InuseReplace InuseRebootCheck; do
  msibuild java.msi -q "DELETE FROM \`InstallExecuteSequence\` WHERE \`Action\`='$a'" "DELETE FROM \`CustomAction\` WHERE \`Action\`='$a'"
done
cp java.msi none.msi
msibuild none.msi -q "DELETE FROM \`InstallExecuteSequence\` WHERE \`Action\`='InuseProbe'" \
  "DELETE FROM \`InstallExecuteSequence\` WHERE \`Action\`='InuseProbeDeferred'" \
  "DELETE FROM \`CustomAction\` WHERE \`Action\`='InuseProbe'" "DELETE FROM \`CustomAction\` WHERE \`Action\`='InuseProbeDeferred'" \
  "DELETE FROM \`Binary\` WHERE \`Name\`='InuseBroker'"
cp java.msi native.msi
mkdir -p Binary; cp nativeprobe.dll Binary/nativeprobe.ibd
printf 'Name\tData\ns72\tv0\nBinary\tName\nInuseBroker\tnativeprobe.ibd\n' > Binary.idt
msibuild native.msi -i Binary.idt

wineboot --init >/dev/null 2>&1; wineserver -w
wine reg add 'HKCU\Software\Wine\DllOverrides' /v mapi32 /d native,builtin /f >/dev/null 2>&1; wineserver -w
mv "$WINEPREFIX" clean-prefix

now_ms() { date +%s%N | awk '{printf "%.1f", $1/1e6}'; }
: > results.tsv; : > extraction.txt
for round in $(seq "$rounds"); do
  for variant in java floor native none; do
    msi=$variant; rt=rt
    case $variant in floor) msi=java; rt=rt-floor ;; esac
    rm -rf "$WINEPREFIX"; cp -a clean-prefix "$WINEPREFIX"; wineserver -p
    t0=$(now_ms)
    out=$(wine wintest.exe run msiexec /i "Z:$(echo "$work/$msi.msi" | tr / '\\')" /qn /l*v "Z:$(echo "$work/$variant.log" | tr / '\\')" \
          "INUSE_JAVA_HOME=Z:$(echo "$work/$rt" | tr / '\\')" | tr -d '\r')
    t1=$(now_ms)
    wineserver -k; wineserver -w
    [ "$out" = "EXITCODE=0" ] || { echo "bench: $variant install gave '$out' (log: $work/$variant.log)" >&2; exit 1; }
    case $variant in
      java|floor)
              sed -n 's/.*inuse broker: InuseProbe.*: engine read.*(extraction \([0-9.]*\) ms).*/\1/p' $variant.log >> extraction.txt
              a1=$(sed -n 's/.*inuse broker: InuseProbe: engine read.* after \([0-9.]*\) ms.*/\1/p' $variant.log)
              a2=$(sed -n 's/.*inuse broker: InuseProbeDeferred: engine read.* after \([0-9.]*\) ms.*/\1/p' $variant.log) ;;
      native) a1=$(sed -n 's/.*native probe: InuseProbe: handed.* after \([0-9.]*\) ms.*/\1/p' native.log)
              a2=$(sed -n 's/.*native probe: InuseProbeDeferred: received.* after \([0-9.]*\) ms.*/\1/p' native.log) ;;
      none)   a1=0; a2=0 ;;
    esac
    [ -n "$a1" ] && [ -n "$a2" ] || { echo "bench: no action timing in $work/$variant.log" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$variant" "$(echo "$t1 - $t0" | bc)" "$a1" "$a2" >> results.tsv
  done
done

median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
col() { awk -F'\t' -v v="$1" -v c="$2" '$2==v {print $c}' results.tsv | median; }
echo "rounds: $rounds (each a fresh prefix copy and one msiexec /i /qn); medians in ms"
printf '%-8s %12s %14s %14s\n' variant msiexec "first action" "second action"
for v in java floor native none; do printf '%-8s %12s %14s %14s\n' $v "$(col $v 3)" "$(col $v 4)" "$(col $v 5)"; done
jf=$(col java 4); js=$(col java 5); nf=$(col native 4); ns=$(col native 5); jt=$(col java 3); nt=$(col none 3); ntv=$(col native 3)
ff=$(col floor 4); fs=$(col floor 5)
echo "ratio java/floor, first action:   $(echo "scale=2; $jf / $ff" | bc)x ($jf vs $ff ms; goal: at most 1.15x)"
echo "ratio java/floor, second action:  $(echo "scale=2; $js / $fs" | bc)x ($js vs $fs ms; goal: at most 1.15x)"
echo "ratio java/native, first action:  $(echo "scale=0; $jf / $nf" | bc)x ($jf vs $nf ms)"
echo "ratio java/native, second action: $(echo "scale=0; $js / $ns" | bc)x ($js vs $ns ms)"
echo "whole install: java $jt ms, native $ntv ms, no custom actions $nt ms: java/none = $(echo "scale=2; $jt / $nt" | bc)"
echo "engine extraction inside the Java actions: median $(median < extraction.txt) ms (of both actions, all rounds)"
echo "raw rows: $work/results.tsv"
# the goal of every Java action: at most 1.15x its floor, measured in this same run
if [ "$(echo "$jf > 1.15 * $ff || $js > 1.15 * $fs" | bc)" = 1 ]; then
  echo "bench: GOAL MISSED: a Java action costs more than 1.15x the do-nothing engine's floor" >&2
  exit 3
fi
