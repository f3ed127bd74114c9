'use strict'
// The package's CommonJS entry (`require('alipay-isv')`; `import` gets main.mjs, which re-exports this
// module): the generated native binding (index.js) and the hand-written `Gateway` (gateway.js) as one
// module. Typed by main.d.ts. Written as a re-export plus one named export so that Node's
// CommonJS-to-ESM detection sees every name even through this file.
//
// The native addon comes from one npm package per platform (`alipay-isv-linux-x64-gnu`, …), which npm
// installs as an optional dependency when its `os`, `cpu` and `libc` match. When none loads, the
// generated loader blames "a bug in npm optional dependencies"; `missingBinding` says instead which
// platform was looked for, which package was expected, what became of it and which platforms are
// published.

try {
  module.exports = require('./index.js')
} catch (error) {
  throw missingBinding(error)
}
module.exports.Gateway = require('./gateway.js').Gateway

function missingBinding(error) {
  const message = error && typeof error.message === 'string' ? error.message : ''
  // Only the loader's "nothing loaded" errors; anything else is not about a missing binary.
  if (!message.startsWith('Cannot find native binding') && !message.startsWith('Failed to load native binding')) {
    return error
  }
  const pkg = require('./package.json')
  const published = ((pkg.napi && pkg.napi.targets) || []).map(platformOfTriple)
  const platform = currentPlatform()
  const expected = `${pkg.name}-${platform}`
  let why
  const override = process.env.NAPI_RS_NATIVE_LIBRARY_PATH
  if (override) {
    why =
      `NAPI_RS_NATIVE_LIBRARY_PATH is set (${override}) and could not be loaded: ` +
      `${loadFailure(override)}. Unset it to use the package ${expected}.`
  } else if (!published.includes(platform)) {
    why =
      `No package is published for ${platform}. Build the addon from the source repository ` +
      `(${repositoryUrl(pkg)}) with a Rust toolchain, or run on one of the published platforms.`
  } else if (!isInstalled(expected)) {
    why =
      `${expected} is not installed. npm installs it as an optional dependency of ${pkg.name} ` +
      `${pkg.version} on a matching os, cpu and libc: install again on this machine without ` +
      `--omit=optional / --no-optional (node_modules or a lock file made on another platform may ` +
      `lack it; npm install ${expected}@${pkg.version} adds it by hand).`
  } else {
    why = `${expected} is installed but could not be loaded: ${loadFailure(expected)}`
  }
  const honest = new Error(
    `${pkg.name}: no native binding for this platform (${platform}); expected the package ${expected}. ` +
      `${why} Published platforms: ${published.join(', ')}.`,
  )
  honest.platform = platform
  honest.expectedPackage = expected
  honest.publishedPlatforms = published
  honest.cause = error
  return honest
}

// The platform name of the generated loader and of the packages: `linux-x64-gnu`, `darwin-arm64`,
// `win32-x64-msvc`, … (musl told apart from glibc the way index.js does).
function currentPlatform() {
  const { platform, arch } = process
  if (platform === 'linux') {
    const libc = isMusl() ? 'musl' : 'gnu'
    return arch === 'arm' ? `linux-arm-${libc}eabihf` : `linux-${arch}-${libc}`
  }
  if (platform === 'win32') {
    return `win32-${arch}-msvc`
  }
  return `${platform}-${arch}`
}

function isMusl() {
  try {
    return require('fs').readFileSync('/usr/bin/ldd', 'utf-8').includes('musl')
  } catch {
    // No ldd: the process report names the glibc it runs on, if any.
  }
  try {
    const report = process.report && process.report.getReport()
    return Boolean(report && report.header && !report.header.glibcVersionRuntime)
  } catch {
    return false
  }
}

// `x86_64-unknown-linux-gnu` → `linux-x64-gnu`, `aarch64-apple-darwin` → `darwin-arm64`,
// `x86_64-pc-windows-msvc` → `win32-x64-msvc`: the names napi-rs gives the platform packages.
function platformOfTriple(triple) {
  const arches = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm', riscv64gc: 'riscv64' }
  const [arch, , os, abi] = triple.split('-')
  const platform = os === 'windows' ? 'win32' : os === 'darwin' ? 'darwin' : os
  const name = `${platform}-${arches[arch] || arch}`
  return abi && platform !== 'darwin' ? `${name}-${abi}` : name
}

function isInstalled(name) {
  try {
    require.resolve(`${name}/package.json`)
    return true
  } catch {
    return false
  }
}

function loadFailure(name) {
  try {
    require(name)
    return 'the loader did not find it'
  } catch (error) {
    return error && error.message ? error.message.split('\n')[0].replace(/\.$/, '') : String(error)
  }
}

function repositoryUrl(pkg) {
  return (pkg.repository && (pkg.repository.url || pkg.repository)) || pkg.homepage || pkg.name
}
