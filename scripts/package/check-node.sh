#!/usr/bin/env bash
# Checks the npm packages in dist/npm/ as a user gets them: a fresh project in a temporary directory
# outside the repository, with no Rust toolchain on PATH, depends on the main package's tarball alone;
# its `overrides` point each platform package's name at its tarball in dist/npm/, so npm picks the
# platform package through the main package's `optionalDependencies` only (skipping those whose os /
# cpu / libc do not match). Then:
#   - node_modules must hold exactly this machine's platform package (linux-x64-gnu here), and the
#     addon that runs must be the one from that package;
#   - a CommonJS program and an ES module program start the emulator the package includes, have a
#     merchant authorise the app, exchange the code and make a delegated call;
#   - a TypeScript program (ESM and CommonJS flavours) is type-checked with `tsc --strict --noEmit`
#     (typescript and @types/node at the versions of bindings-node's devDependencies);
#   - each platform package's addon is checked with readelf: architecture, libc it links (glibc <= 2.17
#     for the gnu ones, musl's loader for musl), stripped; the foreign ones (arm64, musl) are not run.
# Prints one line per tarball (name, size, tag, what ran). Fails (non-zero) on the first problem.
set -euo pipefail
# shellcheck source=scripts/package/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

npm_dist="$dist/npm"
main_tgz="$npm_dist/alipay-isv-$version.tgz"
if [[ ! -f "$main_tgz" ]]; then
  log "check-node: the main package $main_tgz is missing (scripts/package/node.sh builds it)"
  exit 1
fi
shopt -s nullglob
platform_tgzs=("$npm_dist"/alipay-isv-*-"$version".tgz)
shopt -u nullglob
if [[ "${#platform_tgzs[@]}" -eq 0 ]]; then
  log "check-node: no platform package in $npm_dist"
  exit 1
fi
node_dir="$repo/bindings-node"
dev_version() { node -p "require('$node_dir/package.json').devDependencies['$1']"; }
typescript_version="$(dev_version typescript)"
types_node_version="$(dev_version @types/node)"

# This machine's platform, as napi names it.
host_platform="$(node -p '
  const musl = (() => { try { return require("fs").readFileSync("/usr/bin/ldd", "utf8").includes("musl") } catch { return !process.report.getReport().header.glibcVersionRuntime } })()
  process.platform === "linux" ? `linux-${process.arch}-${musl ? "musl" : "gnu"}` : `${process.platform}-${process.arch}`')"

project="$(mktemp -d /tmp/alipay-isv-npm-check.XXXXXX)"
trap 'status=$?; if [[ $status -eq 0 ]]; then rm -rf "$project"; else log "check-node: failed; the project is kept in $project"; fi' EXIT
cd "$project"
no_rust_path="$(without_rust)"
if PATH="$no_rust_path" command -v cargo >/dev/null || PATH="$no_rust_path" command -v rustc >/dev/null; then
  log "check-node: could not take cargo / rustc off PATH"
  exit 1
fi

# The project: the main tarball as its one dependency, the platform tarballs as overrides only.
node -e '
  const fs = require("fs")
  const path = require("path")
  const [main, typescript, typesNode, ...platforms] = process.argv.slice(1)
  const overrides = {}
  for (const tarball of platforms) {
    const name = path.basename(tarball).replace(/-\d+\.\d+\.\d+(-[^.]+)?\.tgz$/, "")
    overrides[name] = `file:${tarball}`
  }
  const project = {
    name: "alipay-isv-npm-check", version: "1.0.0", private: true,
    dependencies: { "alipay-isv": `file:${main}` },
    devDependencies: { typescript, "@types/node": typesNode },
    overrides,
  }
  fs.writeFileSync("package.json", JSON.stringify(project, null, 2) + "\n")
' "$main_tgz" "$typescript_version" "$types_node_version" "${platform_tgzs[@]}"

log "check-node: npm install in $project (no Rust on PATH)"
PATH="$no_rust_path" npm install --no-audit --no-fund --loglevel=error >npm-install.log 2>&1 || {
  cat npm-install.log >&2
  exit 1
}

# Exactly this machine's platform package, chosen by optionalDependencies.
installed="$(cd node_modules && ls -d alipay-isv-* 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
if [[ "$installed" != "alipay-isv-$host_platform" ]]; then
  log "check-node: node_modules holds [${installed}], expected exactly alipay-isv-$host_platform"
  exit 1
fi
if find node_modules/alipay-isv -name '*.node' | grep -q .; then
  log "check-node: the main package holds a .node file"
  exit 1
fi
node -e '
  const deps = require("./node_modules/alipay-isv/package.json").optionalDependencies || {}
  if (!deps[process.argv[1]]) { console.error(`check-node: alipay-isv does not list ${process.argv[1]} in optionalDependencies`); process.exit(1) }
' "alipay-isv-$host_platform"

cat > flow.cjs <<'EOF'
'use strict'
// CommonJS: the emulator the package includes, a merchant's authorisation, the code exchanged, a
// delegated call.
const fs = require('node:fs')
const { IsvConfig, Client, Emulator, Gateway, generateKeyPair, appAuthLink, parseAppAuthCallback } = require('alipay-isv')

async function main() {
  const app = generateKeyPair()
  const emulator = Emulator.start({ appId: '2021000000000001', appPublicKey: app.publicKey })
  try {
    const config = new IsvConfig({
      appId: '2021000000000001', privateKey: app.privateKey,
      alipayPublicKey: emulator.alipayPublicKey, gateway: emulator.gatewayUrl,
    })
    const client = new Client(config, { readTimeoutMs: 5000 })
    const link = appAuthLink({ host: emulator.baseUrl, appId: config.appId, redirectUri: 'https://isv.example.com/alipay/callback' })
    const callbackUrl = await emulator.merchantAuthorizes(link.url)
    const { appAuthCode } = parseAppAuthCallback(callbackUrl, config.appId, { state: link.state })
    const [merchant] = await client.exchangeAppAuthCode(appAuthCode)
    const { fields } = await client.execute('alipay.open.mini.version.list.query', {
      appAuthToken: merchant.appAuthToken, bizContent: {},
    })
    if (JSON.stringify(fields.app_versions) !== '["0.0.1"]') throw new Error(`unexpected answer ${JSON.stringify(fields)}`)
    if (emulator.callCount('alipay.open.mini.version.list.query') !== 1) throw new Error('the emulator saw no delegated call')
    if (typeof Gateway !== 'function') throw new Error('no Gateway export')
  } finally {
    emulator.stop()
  }
  // The addon that ran: the platform package's.
  const addon = fs.readFileSync('/proc/self/maps', 'utf8').split('\n').map((line) => line.split(/\s+/).pop())
    .find((file) => file && file.endsWith('.node'))
  console.log(`cjs: merchant authorised, code exchanged, delegated call answered; addon ${addon}`)
}
main().catch((error) => { console.error(error); process.exit(1) })
EOF

cat > flow.mjs <<'EOF'
// ES module: named imports and the default export are the same objects; the same flow.
import alipay, { IsvConfig, Client, Emulator, generateKeyPair, appAuthLink, parseAppAuthCallback } from 'alipay-isv'

if (alipay.Client !== Client || alipay.Emulator !== Emulator) throw new Error('default and named exports differ')
const app = generateKeyPair()
const emulator = Emulator.start({ appId: '2021000000000002', appPublicKey: app.publicKey })
try {
  const config = new IsvConfig({
    appId: '2021000000000002', privateKey: app.privateKey,
    alipayPublicKey: emulator.alipayPublicKey, gateway: emulator.gatewayUrl,
  })
  const client = new Client(config, { readTimeoutMs: 5000 })
  const link = appAuthLink({ host: emulator.baseUrl, appId: config.appId, redirectUri: 'https://isv.example.com/alipay/callback' })
  const { appAuthCode } = parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), config.appId, { state: link.state })
  const [merchant] = await client.exchangeAppAuthCode(appAuthCode)
  const { fields } = await client.execute('alipay.open.mini.version.list.query', {
    appAuthToken: merchant.appAuthToken, bizContent: {},
  })
  if (JSON.stringify(fields.app_versions) !== '["0.0.1"]') throw new Error(`unexpected answer ${JSON.stringify(fields)}`)
} finally {
  emulator.stop()
}
console.log('esm: merchant authorised, code exchanged, delegated call answered')
EOF

cat > flow.mts <<'EOF'
// TypeScript (ESM), type-checked with --strict: the package's declarations, string-literal unions.
import alipay, {
  IsvConfig, Client, Emulator, generateKeyPair, appAuthLink, parseAppAuthCallback,
  type AppAuthToken, type VerifiedResponse, type FaultKind, type Delivery,
} from 'alipay-isv'

export async function flow(): Promise<string[]> {
  const app = generateKeyPair()
  const emulator: Emulator = Emulator.start({ appId: '2021000000000003', appPublicKey: app.publicKey })
  const config = new IsvConfig({
    appId: '2021000000000003', privateKey: app.privateKey,
    alipayPublicKey: emulator.alipayPublicKey, gateway: emulator.gatewayUrl, signType: 'RSA2', charset: 'UTF-8',
  })
  const client = new alipay.Client(config, { readTimeoutMs: 5000 })
  const link = appAuthLink({ host: emulator.baseUrl, appId: config.appId, redirectUri: 'https://isv.example.com/cb' })
  const callback: string = await emulator.merchantAuthorizes(link.url)
  const { appAuthCode } = parseAppAuthCallback(callback, config.appId, { state: link.state })
  const merchants: AppAuthToken[] = await client.exchangeAppAuthCode(appAuthCode)
  const answer: VerifiedResponse = await client.execute('alipay.open.mini.version.list.query', {
    appAuthToken: merchants[0]!.appAuthToken, bizContent: {},
  })
  const fault: FaultKind = 'reset'
  emulator.setFault(fault, { times: 1 })
  const kinds: Delivery['kind'][] = emulator.deliveries().map((delivery) => delivery.kind)
  // @ts-expect-error not a fault the emulator knows
  emulator.setFault('explode')
  // @ts-expect-error the sign type is RSA2 or RSA
  new IsvConfig({ appId: '1', privateKey: app.privateKey, alipayPublicKey: app.publicKey, signType: 'MD5' })
  emulator.stop()
  return [String(answer.fields['app_versions']), ...kinds, String(client instanceof Client)]
}
EOF

cat > flow.cts <<'EOF'
// TypeScript (CommonJS), type-checked with --strict.
import alipay = require('alipay-isv')

export function sign(): string {
  const { privateKey } = alipay.generateKeyPair()
  const signer = new alipay.Signer(privateKey, { signType: 'RSA2', charset: 'GBK' })
  // @ts-expect-error the charset is UTF-8 or GBK
  new alipay.Signer(privateKey, { charset: 'latin1' })
  return signer.signParams({ app_id: '2021000000000004', method: 'alipay.open.auth.token.app' }).sign
}
EOF

cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "es2022",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "types": ["node"],
    "skipLibCheck": false
  },
  "files": ["flow.mts", "flow.cts"]
}
EOF

export PATH="$no_rust_path"
log "check-node: node flow.cjs"
cjs_output="$(node flow.cjs)"
echo "   $cjs_output" >&2
case "$cjs_output" in
  *"/node_modules/alipay-isv-$host_platform/alipay-isv.$host_platform.node") ;;
  *) log "check-node: the addon did not come from node_modules/alipay-isv-$host_platform"; exit 1 ;;
esac
log "check-node: node flow.mjs"
node flow.mjs >&2
log "check-node: tsc --strict --noEmit (typescript $typescript_version)"
npx --no-install tsc -p tsconfig.json --strict --noEmit

# readelf on each platform package's addon: architecture, linkage, stripped.
check_binary() {
  local platform="$1" binary="$2" machine needed glibc
  machine="$(readelf -h "$binary" | sed -n 's/^ *Machine: *//p')"
  needed="$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
  glibc="$(readelf -V "$binary" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)"
  case "$platform" in
    linux-x64-*) [[ "$machine" == *X86-64* ]] || { log "check-node: $platform addon is $machine"; return 1; } ;;
    linux-arm64-*) [[ "$machine" == *AArch64* ]] || { log "check-node: $platform addon is $machine"; return 1; } ;;
    *) log "check-node: no check for $platform"; return 1 ;;
  esac
  case "$platform" in
    *-gnu)
      [[ " $needed " == *" libc.so.6 "* ]] || { log "check-node: $platform addon does not link glibc ($needed)"; return 1; }
      if [[ -z "$glibc" ]] || [[ "$(printf '%s\n2.17\n' "$glibc" | sort -V | tail -1)" != "2.17" ]]; then
        log "check-node: $platform addon needs glibc ${glibc:-?}, more than 2.17"
        return 1
      fi
      ;;
    *-musl)
      [[ " $needed " == *" libc.so "* || "$needed" == *musl* ]] || { log "check-node: $platform addon does not link musl ($needed)"; return 1; }
      [[ -z "$glibc" ]] || { log "check-node: $platform addon asks for GLIBC_$glibc"; return 1; }
      ;;
  esac
  if readelf -S "$binary" | grep -q '\.symtab'; then
    log "check-node: $platform addon is not stripped"
    return 1
  fi
  case "$machine" in *X86-64*) machine=x86-64 ;; *AArch64*) machine=aarch64 ;; esac
  if [[ -n "$glibc" ]]; then
    echo "$machine, glibc symbols <= $glibc, stripped"
  else
    echo "$machine, musl ($needed), stripped" | sed 's/ )/)/'
  fi
}

lines=()
for tarball in "${platform_tgzs[@]}"; do
  name="$(basename "$tarball")"
  platform="${name#alipay-isv-}"
  platform="${platform%-"$version".tgz}"
  unpacked="$project/unpacked/$platform"
  mkdir -p "$unpacked"
  tar -xzf "$tarball" -C "$unpacked"
  for file in package.json README.md LICENSE-MIT LICENSE-APACHE "alipay-isv.$platform.node"; do
    [[ -f "$unpacked/package/$file" ]] || { log "check-node: $name lacks $file"; exit 1; }
  done
  node -e '
    const [dir, platform] = process.argv.slice(1)
    const pkg = require(`${dir}/package.json`)
    if (pkg.name !== `alipay-isv-${platform}` || pkg.main !== `alipay-isv.${platform}.node`) throw new Error(`${pkg.name}: wrong name or main`)
    const [system, cpu, abi] = platform.split("-")
    const libc = abi === "musl" ? "musl" : "glibc"
    if (String(pkg.os) !== system || String(pkg.cpu) !== cpu || String(pkg.libc) !== libc) throw new Error(`${pkg.name}: os/cpu/libc ${pkg.os}/${pkg.cpu}/${pkg.libc}`)
  ' "$unpacked/package" "$platform"
  linkage="$(check_binary "$platform" "$unpacked/package/alipay-isv.$platform.node")"
  if [[ "$platform" == "$host_platform" ]]; then
    what="installed via optionalDependencies; CJS + ESM emulator flow ran; $linkage"
  else
    what="skipped by npm here (os/cpu/libc); readelf: $linkage; not run"
  fi
  case "$platform" in
    *-gnu) tag="npm $platform (glibc >= 2.17)" ;;
    *) tag="npm $platform" ;;
  esac
  lines+=("$(artifact_line "$name" "$tarball" "$tag" "$what")")
done
main_files="$(tar -tzf "$main_tgz" | wc -l)"
artifact_line "$(basename "$main_tgz")" "$main_tgz" "npm main ($main_files files, no .node)" \
  "npm install from tarballs; CJS + ESM programs; tsc --strict (ESM, CJS)"
printf '%s\n' "${lines[@]}"
