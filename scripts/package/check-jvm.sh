#!/usr/bin/env bash
# Checks the Kotlin/JVM artifacts of dist/jvm (scripts/package/jvm.sh) as a user gets them:
#   - the jar: the native library for linux-x86-64 (and linux-aarch64 when built) under JNA's resource
#     path, each of its architecture, stripped, needing glibc 2.17 at most; the compiled binding and its
#     hand-written companions; META-INF/LICENSE-MIT and LICENSE-APACHE; no examples, no test classes,
#     no debug-only test hooks; the sources jar (the .kt, no native library) and the javadoc jar;
#   - the pom: name, description, url, both licences, scm, developers, and only the runtime
#     dependencies (kotlin-stdlib, jna, slf4j-api), no build section;
#   - a NEW Maven project in a temp dir outside the repository, depending only on the jar, installed
#     into a temp local repository with `install:install-file -DpomFile=` (so the dependencies come from
#     the pom, resolved from Maven Central), whose Kotlin main program starts the emulator included,
#     authorises a merchant, exchanges the code and makes a delegated call — built and run with no Rust
#     toolchain on PATH and run with no jna.library.path nor any other system property: JNA finds the
#     native library in the jar.
# Prints one artifact_line per jar (jar, sources, javadoc); fails (non-zero) on the first problem.
#
# Maven's plugins (the Kotlin compiler) are read from ~/.m2/repository when they are there, as a
# file:// plugin repository ahead of Central, to save downloading them again; the project's
# dependencies come from Central only.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

fail() {
  log "check-jvm: $*"
  exit 1
}

name="alipay-isv-kotlin-$version"
jar="$dist/jvm/$name.jar"
sources="$dist/jvm/$name-sources.jar"
javadoc="$dist/jvm/$name-javadoc.jar"
pom="$dist/jvm/$name.pom"
for file in "$jar" "$sources" "$javadoc" "$pom"; do
  [[ -f "$file" ]] || fail "missing $file (run scripts/package/jvm.sh)"
done
for tool in java mvn unzip readelf python3; do
  command -v "$tool" >/dev/null || fail "$tool is required"
done

work="$(mktemp -d /tmp/alipay-isv-jvm-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# --- the jar's contents -----------------------------------------------------------------------
listing="$work/jar.txt"
unzip -Z1 "$jar" > "$listing"
has() { grep -qx "$1" "$listing" || fail "$name.jar lacks $1"; }
has "linux-x86-64/libalipay_isv_uniffi.so"
has "alipay/isv/Alipay_isv_uniffiKt.class"
has "alipay/isv/Emulator.class"
has "alipay/isv/Slf4jEventListener.class"
has "alipay/isv/GatewayHttpHandler.class"
has "META-INF/LICENSE-MIT"
has "META-INF/LICENSE-APACHE"
if grep -E '^alipay/isv/examples/|Test(\$.*)?\.class$|^alipay/isv/(DebugHooks|Emulators|Apps|Secrets|Stores|Vectors)(\$.*)?\.class$|\.kt$|logback' "$listing"; then
  fail "$name.jar carries examples, test classes or sources (listed above)"
fi
platforms=()
unzip -q "$jar" 'linux-*' -d "$work/native"
for so in "$work"/native/*/libalipay_isv_uniffi.so; do
  platform="$(basename "$(dirname "$so")")"
  machine="$(readelf -h "$so" | sed -n 's/^ *Machine: *//p')"
  case "$platform" in
    linux-x86-64) [[ "$machine" == *X86-64* ]] || fail "$platform/: a $machine library" ;;
    linux-aarch64) [[ "$machine" == *AArch64* ]] || fail "$platform/: a $machine library" ;;
    *) fail "unexpected native directory $platform/ in $name.jar" ;;
  esac
  if readelf -S "$so" | grep -q '\.symtab'; then
    fail "$platform/libalipay_isv_uniffi.so is not stripped"
  fi
  glibc="$(readelf -V "$so" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -1)"
  if [[ "$(printf '%s\n2.17\n' "$glibc" | sort -t. -k1,1n -k2,2n | tail -1)" != "2.17" ]]; then
    fail "$platform/libalipay_isv_uniffi.so needs glibc $glibc (more than 2.17)"
  fi
  needed="$(readelf -d "$so" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')"
  log "check-jvm: $platform/libalipay_isv_uniffi.so: $machine, stripped, glibc ≥ $glibc, needs ${needed% }"
  platforms+=("$platform")
done
if unzip -p "$jar" alipay/isv/Alipay_isv_uniffiKt.class | grep -qa 'ForTests'; then
  fail "$name.jar has the debug-only test hooks (a debug build of the library?)"
fi

unzip -Z1 "$sources" > "$work/sources.txt"
for entry in alipay/isv/alipay_isv_uniffi.kt alipay/isv/BizContent.kt alipay/isv/GatewayHttpHandler.kt META-INF/LICENSE-MIT; do
  grep -qx "$entry" "$work/sources.txt" || fail "$name-sources.jar lacks $entry"
done
if grep -E '\.so$|^alipay/isv/examples/' "$work/sources.txt"; then
  fail "$name-sources.jar carries native libraries or examples"
fi
unzip -Z1 "$javadoc" > "$work/javadoc.txt"
grep -qx 'index.html' "$work/javadoc.txt" || fail "$name-javadoc.jar has no index.html"
grep -q '^alipay/isv/Emulator\.html$\|^alipay/isv/Emulator/' "$work/javadoc.txt" || fail "$name-javadoc.jar has no page of Emulator"

# --- the pom -------------------------------------------------------------------------------------
python3 - "$pom" "$version" <<'EOF' || fail "$name.pom is not the library pom it should be"
import sys
import xml.etree.ElementTree as ET

ns = {"m": "http://maven.apache.org/POM/4.0.0"}
root = ET.parse(sys.argv[1]).getroot()
problems = []
def text(path):
    node = root.find(path, ns)
    return node.text.strip() if node is not None and node.text else ""
for field, want in [("m:groupId", "alipay.isv"), ("m:artifactId", "alipay-isv-kotlin"), ("m:version", sys.argv[2])]:
    if text(field) != want:
        problems.append(f"{field[2:]} is {text(field)!r}, not {want!r}")
for field in ["m:name", "m:description", "m:url", "m:scm/m:url", "m:scm/m:connection", "m:developers/m:developer/m:name"]:
    if not text(field):
        problems.append(f"no {field.replace('m:', '')}")
licences = sorted(node.text for node in root.findall("m:licenses/m:license/m:name", ns))
if licences != ["Apache-2.0", "MIT"]:
    problems.append(f"licences {licences}")
deps = {}
for dep in root.findall("m:dependencies/m:dependency", ns):
    key = f"{dep.findtext('m:groupId', '', ns)}:{dep.findtext('m:artifactId', '', ns)}"
    deps[key] = (dep.findtext("m:version", "", ns), dep.findtext("m:scope", "compile", ns))
want = {"org.jetbrains.kotlin:kotlin-stdlib", "net.java.dev.jna:jna", "org.slf4j:slf4j-api"}
if set(deps) != want:
    problems.append(f"dependencies {sorted(deps)}, not {sorted(want)}")
for key, (dep_version, scope) in deps.items():
    if not dep_version or "$" in dep_version or scope not in ("compile", "runtime"):
        problems.append(f"{key}: version {dep_version!r}, scope {scope}")
for absent in ["m:build", "m:parent", "m:repositories", "m:profiles"]:
    if root.find(absent, ns) is not None:
        problems.append(f"has a {absent[2:]} section")
for problem in problems:
    print(f"check-jvm: pom: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
kotlin_version="$(python3 - "$pom" <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
for dep in ET.parse(sys.argv[1]).getroot().findall("m:dependencies/m:dependency", ns):
    if dep.findtext("m:artifactId", "", ns) == "kotlin-stdlib":
        print(dep.findtext("m:version", "", ns))
EOF
)"

# --- a new Maven project that depends on the jar alone -------------------------------------------
user_path="$(without_rust)"
if PATH="$user_path" command -v cargo >/dev/null || PATH="$user_path" command -v rustc >/dev/null; then
  fail "a Rust toolchain is still on the PATH of the check"
fi
app="$work/app"
m2="$work/m2"
mkdir -p "$app/src/main/kotlin/check" "$m2"
plugin_cache=""
if [[ -d "$HOME/.m2/repository" ]]; then
  plugin_cache="<pluginRepository><id>user-cache</id><url>file://$HOME/.m2/repository</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots></pluginRepository>"
fi
cat > "$work/settings.xml" <<EOF
<settings>
  <localRepository>$m2</localRepository>
  <profiles>
    <profile>
      <id>plugins</id>
      <pluginRepositories>
        $plugin_cache
        <pluginRepository><id>central</id><url>https://repo.maven.apache.org/maven2</url></pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
  <activeProfiles><activeProfile>plugins</activeProfile></activeProfiles>
</settings>
EOF
user_mvn() {
  env -u LD_LIBRARY_PATH -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS -u MAVEN_OPTS \
    PATH="$user_path" mvn -B -ntp -q -Dstyle.color=never -s "$work/settings.xml" "$@"
}

user_mvn org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file \
  -Dfile="$jar" -DpomFile="$pom" -Dsources="$sources" -Djavadoc="$javadoc"
[[ -f "$m2/alipay/isv/alipay-isv-kotlin/$version/$name.jar" ]] || fail "install-file put nothing in the temp repository"

cat > "$app/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>check.alipay.isv</groupId>
  <artifactId>uses-the-jar</artifactId>
  <version>1</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>alipay.isv</groupId>
      <artifactId>alipay-isv-kotlin</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
  <build>
    <sourceDirectory>src/main/kotlin</sourceDirectory>
    <plugins>
      <plugin>
        <groupId>org.jetbrains.kotlin</groupId>
        <artifactId>kotlin-maven-plugin</artifactId>
        <version>$kotlin_version</version>
        <configuration><jvmTarget>17</jvmTarget></configuration>
        <executions><execution><id>compile</id><goals><goal>compile</goal></goals></execution></executions>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
        <executions>
          <execution>
            <id>classpath</id>
            <phase>compile</phase>
            <goals><goal>build-classpath</goal></goals>
            <configuration>
              <includeScope>runtime</includeScope>
              <outputFile>\${project.build.directory}/classpath.txt</outputFile>
            </configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
EOF
cat > "$app/src/main/kotlin/check/Main.kt" <<'EOF'
package check

import alipay.isv.CallOptions
import alipay.isv.Client
import alipay.isv.Emulator
import alipay.isv.IsvConfig
import alipay.isv.StateCheck
import alipay.isv.appAuthLink
import alipay.isv.generateKeyPair
import alipay.isv.parseAppAuthCallback
import com.sun.jna.NativeLibrary
import kotlin.system.exitProcess

const val APP_ID = "2021000000000001"
const val REDIRECT = "https://isv.example.com/alipay/callback"
const val METHOD = "alipay.open.mini.version.list.query"

fun check(ok: Boolean, what: String) {
    if (!ok) {
        System.err.println("check failed: $what")
        exitProcess(1)
    }
}

fun main() {
    check(System.getProperty("jna.library.path") == null, "jna.library.path is set")
    val app = generateKeyPair()
    Emulator(APP_ID, app.publicKey).use { emulator ->
        val client = Client(IsvConfig(APP_ID, app.privateKey, emulator.alipayPublicKey(), gateway = emulator.gatewayUrl()))
        val link = appAuthLink(emulator.baseUrl(), APP_ID, REDIRECT)
        val callback = parseAppAuthCallback(emulator.merchantAuthorizes(link.url), APP_ID, StateCheck.Expect(link.state))
        val token = client.exchangeAppAuthCode(callback.appAuthCode).single()
        val answer = client.execute(METHOD, CallOptions(appAuthToken = token.appAuthToken))
        check(answer.fields["code"] == "10000", "the delegated call answered $answer")
        check(emulator.callCount(METHOD) == 1uL, "the emulator counted ${emulator.callCount(METHOD)} calls")
        println("merchant ${token.authAppId} authorised, code exchanged, $METHOD answered ${answer.fields["code"]} (verified)")
    }
    // Where JNA found the library: extracted from the jar, not from any path given to it.
    println("native library: ${NativeLibrary.getInstance("alipay_isv_uniffi").file}")
}
EOF

log "check-jvm: building the new project (Maven, no Rust on PATH) in $app"
(cd "$app" && user_mvn package)
classpath="$app/target/classes:$(cat "$app/target/classpath.txt")"
case "$classpath" in
  *"$repo"*) fail "the project's classpath reaches into the repository: $classpath" ;;
esac
for dependency in alipay-isv-kotlin kotlin-stdlib jna slf4j-api; do
  grep -q "/$dependency-[0-9][^/]*\.jar" <<< "$classpath" || fail "$dependency is not on the project's classpath"
done
output="$work/run.txt"
log "check-jvm: running the program (no jna.library.path, no system property, no Rust on PATH)"
(cd "$app" && env -u LD_LIBRARY_PATH -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS \
  PATH="$user_path" java -cp "$classpath" check.MainKt) | tee "$output" >&2
grep -q '^merchant .* authorised, code exchanged, .* answered 10000 (verified)$' "$output" || fail "the program did not finish its flow"
loaded="$(sed -n 's/^native library: //p' "$output")"
case "$loaded" in
  "$repo"/* | "") fail "the native library came from '$loaded', not from the jar" ;;
esac

# --- one line per artifact -------------------------------------------------------------------------
classes="$(grep -c '\.class$' "$listing")"
kt="$(grep -c '\.kt$' "$work/sources.txt")"
pages="$(grep -c '\.html$' "$work/javadoc.txt")"
artifact_line "$name.jar" "$jar" "$(IFS=,; echo "${platforms[*]}") glibc>=2.17" \
  "new Maven project, emulator: authorise+exchange+delegated call, no jna.library.path, no Rust ($classes classes)"
artifact_line "$name-sources.jar" "$sources" "sources" "$kt .kt listed, no native library"
artifact_line "$name-javadoc.jar" "$javadoc" "javadoc (Dokka)" "$pages pages, index.html and Emulator listed"
